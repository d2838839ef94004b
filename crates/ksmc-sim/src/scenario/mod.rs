//! Scenarios: ready-made estates (which clusters, which KubeSphere setup, which objects).

use serde::Serialize;
use serde_json::{Value, json};

use crate::cluster::{SeedError, SimCluster};
use crate::discovery::VersionInfo;
use crate::resources::Registry;

mod catalog;
mod catalog_v4;
mod demo_v4;
mod v4;
pub use catalog::BigSize;

/// The KubeSphere role a cluster is configured with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Host,
    Member,
    /// KubeSphere installed, multi-cluster not configured (`clusterRole: none`).
    None,
}

impl Role {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Member => "member",
            Self::None => "none",
        }
    }
}

/// Which KubeSphere line a cluster belongs to: the resource types it serves and, when
/// KubeSphere is installed, the controllers that run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Release {
    /// KubeSphere 3.4: ks-installer, ClusterConfiguration, KubeFed.
    #[default]
    V34,
    /// KubeSphere 4.1.3: ks-core Helm release, no installer (see [`crate::kubesphere::v4`]).
    V41,
}

/// One cluster of a scenario.
#[derive(Clone, Debug)]
pub struct ClusterPlan {
    pub name: String,
    pub role: Role,
    /// The KubeSphere line (for a cluster without KubeSphere: the one its CRDs come from).
    pub release: Release,
    pub kubernetes_version: String,
    /// `None`: plain Kubernetes, no KubeSphere installed.
    pub kubesphere_version: Option<String>,
    /// The jwtSecret in the cluster's KubeSphere configuration.
    pub jwt_secret: String,
    /// `multicluster.clusterName` left in the config by an earlier import.
    pub recorded_name: Option<String>,
    /// Objects beyond the base installation.
    pub fixtures: Vec<Fixture>,
}

/// Where a WorkspaceTemplate is placed.
#[derive(Clone, Debug)]
pub enum Placement {
    /// `clusterSelector: {}`: every cluster.
    All,
    Clusters(Vec<String>),
}

/// An object of a scenario, described by what it is for.
#[derive(Clone, Debug)]
pub enum Fixture {
    /// Any object, stored as given.
    Object(Value),
    /// A plain namespace.
    Namespace { name: String, labels: Value },
    /// A project as KubeSphere's namespace controller leaves it: labelled, with the
    /// controller ownerReference to the local Workspace, plus extra owners if given.
    Project {
        name: String,
        workspace: String,
        extra_owners: Vec<Value>,
    },
    /// A Workspace; `federated` marks one KubeFed propagated from a host.
    Workspace { name: String, federated: bool },
    /// A WorkspaceTemplate (on a host).
    WorkspaceTemplate { name: String, placement: Placement },
    /// A User; `federated` marks a copy synced from a host.
    User {
        name: String,
        email: String,
        federated: bool,
    },
}

/// A member joined to a host when the estate starts (a `Cluster` created on the host with
/// the member's kubeconfig; the host's controllers do the rest).
#[derive(Clone, Debug)]
pub struct Link {
    pub host: String,
    pub member: String,
    /// The Cluster's name on the host.
    pub name: String,
}

/// A named scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub clusters: Vec<ClusterPlan>,
    pub links: Vec<Link>,
}

/// Errors choosing or building a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("unknown scenario {0:?}; known scenarios: {known}", known = Scenario::NAMES.join(", "))]
    Unknown(String),
    #[error("building the scenario failed: {0}")]
    Seed(#[from] SeedError),
    #[error("{0}")]
    Unsupported(String),
}

impl Scenario {
    /// Names accepted by [`Scenario::by_name`].
    pub const NAMES: &'static [&'static str] = &[
        "fresh",
        "misconfigured",
        "migrate",
        "big",
        "fresh-v4",
        "migrate-v4",
        "v4",
    ];

    /// Looks a scenario up by name (`big` with its default size).
    ///
    /// # Errors
    /// [`ScenarioError::Unknown`] for a name not in [`Scenario::NAMES`].
    pub fn by_name(name: &str) -> Result<Self, ScenarioError> {
        match name {
            "fresh" => Ok(Self::fresh()),
            "misconfigured" => Ok(Self::misconfigured()),
            "migrate" => Ok(Self::migrate()),
            "big" => Ok(Self::big(&BigSize::default())),
            "fresh-v4" => Ok(Self::fresh_v4()),
            "migrate-v4" => Ok(Self::migrate_v4()),
            "v4" => Ok(Self::v4()),
            other => Err(ScenarioError::Unknown(other.to_owned())),
        }
    }
}

impl ClusterPlan {
    /// A KubeSphere 3.4 cluster with the given role and jwtSecret and no extra objects.
    #[must_use]
    pub fn kubesphere(name: &str, role: Role, kubernetes_version: &str, jwt_secret: &str) -> Self {
        Self {
            name: name.into(),
            role,
            release: Release::V34,
            kubernetes_version: kubernetes_version.into(),
            kubesphere_version: Some("v3.4.1".into()),
            jwt_secret: jwt_secret.into(),
            recorded_name: None,
            fixtures: Vec::new(),
        }
    }

    /// Builds the simulated cluster with its fixture objects.
    ///
    /// # Errors
    /// When a fixture cannot be stored.
    pub fn build(&self) -> Result<SimCluster, SeedError> {
        if self.release == Release::V41 {
            return v4::build(self);
        }
        let cluster = SimCluster::new(
            &self.name,
            Registry::kubesphere_v34(),
            VersionInfo::new(&self.kubernetes_version),
        );
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            cluster.seed_namespace(ns, json!({}))?;
        }
        cluster.seed(self.node())?;
        for lease in self.leases() {
            cluster.seed(lease)?;
        }
        if let Some(version) = &self.kubesphere_version {
            self.install_kubesphere(&cluster, version)?;
        }
        for fixture in &self.fixtures {
            seed_fixture(&cluster, fixture)?;
        }
        Ok(cluster)
    }

    fn install_kubesphere(&self, cluster: &SimCluster, version: &str) -> Result<(), SeedError> {
        let system_ws = json!({"kubesphere.io/workspace": "system-workspace"});
        for ns in [
            "kubesphere-system",
            "kubesphere-controls-system",
            "kubesphere-monitoring-system",
        ] {
            cluster.seed_namespace(ns, system_ws.clone())?;
        }
        cluster.seed(self.cluster_configuration(version))?;
        cluster.seed(self.kubesphere_config())?;
        cluster.seed(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "kubesphere-secret", "namespace": "kubesphere-system"},
            "type": "Opaque",
            "data": {"secret": base64(&self.jwt_secret)},
        }))?;
        cluster.seed(json!({
            "apiVersion": "iam.kubesphere.io/v1alpha2", "kind": "User",
            "metadata": {"name": "admin", "finalizers": ["finalizers.kubesphere.io/users"],
                         "annotations": {"iam.kubesphere.io/uninitialized": "true"}},
            "spec": {"email": "admin@kubesphere.io"},
            "status": {"state": "Active"},
        }))?;
        // The installer's own binding of admin, with its `apiGroup` written with the version
        // (role-templates.yaml).
        cluster.seed(json!({
            "apiVersion": "iam.kubesphere.io/v1alpha2", "kind": "GlobalRoleBinding",
            "metadata": {"name": "admin"},
            "subjects": [{"kind": "User", "apiGroup": "iam.kubesphere.io/v1alpha2", "name": "admin"}],
            "roleRef": {"apiGroup": "iam.kubesphere.io/v1alpha2", "kind": "GlobalRole", "name": "platform-admin"},
        }))?;
        cluster.seed(json!({
            "apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace",
            "metadata": {"name": "system-workspace", "labels": {"kubefed.io/managed": "false"},
                         "finalizers": ["finalizers.tenant.kubesphere.io"]},
            "spec": {"manager": "admin"},
        }))?;
        cluster.seed(json!({
            "apiVersion": "tenant.kubesphere.io/v1alpha2", "kind": "WorkspaceTemplate",
            "metadata": {"name": "system-workspace", "labels": {"kubefed.io/managed": "false"}},
            "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusterSelector": {}}},
        }))?;
        if self.role == Role::Host {
            cluster.seed_namespace("kube-federation-system", system_ws)?;
            cluster.seed(self.host_cluster_object(version))?;
        }
        if let Some(name) = &self.recorded_name {
            crate::kubesphere::installer::set_cluster_name(cluster, name);
            // What KubeFed left from that import.
            let _ = cluster.seed_namespace("kube-federation-system", json!({}));
            cluster.seed(json!({"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": format!("{name}-kubesphere"), "namespace": "kube-federation-system"}}))?;
        }
        Ok(())
    }

    fn node(&self) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {
                "name": format!("{}-node-1", self.name),
                "labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/os": "linux"},
            },
            "status": {
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                "nodeInfo": {"kubeletVersion": self.kubernetes_version, "machineID": format!("{}-machine", self.name)},
            },
        })
    }

    /// The leases a kubeadm control plane holds: its node's heartbeat and the leader
    /// elections of the controller manager and the scheduler.
    fn leases(&self) -> Vec<Value> {
        let node = format!("{}-node-1", self.name);
        let lease = |ns: &str, name: &str, holder: String, seconds: u32| {
            json!({
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"holderIdentity": holder, "leaseDurationSeconds": seconds},
            })
        };
        vec![
            lease("kube-node-lease", &node, node.clone(), 40),
            lease(
                "kube-system",
                "kube-controller-manager",
                format!("{node}_{}", uuid::Uuid::new_v4()),
                15,
            ),
            lease(
                "kube-system",
                "kube-scheduler",
                format!("{node}_{}", uuid::Uuid::new_v4()),
                15,
            ),
        ]
    }

    fn cluster_configuration(&self, version: &str) -> Value {
        json!({
            "apiVersion": "installer.kubesphere.io/v1alpha1", "kind": "ClusterConfiguration",
            "metadata": {
                "name": "ks-installer", "namespace": "kubesphere-system",
                "labels": {"version": version},
            },
            "spec": {
                "authentication": {"jwtSecret": ""},
                "multicluster": {"clusterRole": self.role.as_str()},
                "openpitrix": {"store": {"enabled": false}},
                "devops": {"enabled": false},
                "monitoring": {"enabled": true},
            },
            "status": {
                "core": {"status": "enabled", "version": version},
                "monitoring": {"status": "enabled"},
            },
        })
    }

    fn kubesphere_config(&self) -> Value {
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "kubesphere-config", "namespace": "kubesphere-system"},
            "data": {"kubesphere.yaml": crate::kubesphere::installer::render_config(
                self.role.as_str(), &self.jwt_secret, None)},
        })
    }

    fn host_cluster_object(&self, version: &str) -> Value {
        json!({
            "apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
            "metadata": {
                "name": "host",
                "labels": {"cluster-role.kubesphere.io/host": "", "kubesphere.io/managed": "true"},
                "annotations": {"kubesphere.io/description": "The description was created by KubeSphere automatically. It is recommended that you use the Host Cluster to manage clusters only and deploy workloads on Member Clusters."},
                "finalizers": ["finalizer.cluster.kubesphere.io"],
            },
            "spec": {"enable": true, "joinFederation": true, "provider": "kubesphere", "connection": {"type": "direct"}},
            "status": {
                "kubernetesVersion": self.kubernetes_version,
                "kubeSphereVersion": version,
                "nodeCount": 1,
                "conditions": [{"type": "Ready", "status": "True", "reason": "Ready", "message": "Cluster is available now"}],
            },
        })
    }
}

fn seed_fixture(cluster: &SimCluster, fixture: &Fixture) -> Result<(), SeedError> {
    match fixture {
        Fixture::Object(o) => {
            cluster.seed(o.clone())?;
        }
        Fixture::Namespace { name, labels } => {
            cluster.seed_namespace(name, labels.clone())?;
        }
        Fixture::Project {
            name,
            workspace,
            extra_owners,
        } => {
            let ws_key = crate::resources::ResourceKey {
                group: "tenant.kubesphere.io".into(),
                plural: "workspaces".into(),
            };
            let mut owners = Vec::new();
            if let Some(ws) = cluster.store.get(&ws_key, "", workspace) {
                owners.push(json!({"apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace",
                    "name": workspace, "uid": ws["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true}));
            }
            owners.extend(extra_owners.iter().cloned());
            let mut ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name,
                "labels": {"kubesphere.io/workspace": workspace, "kubesphere.io/namespace": name},
                "finalizers": ["finalizers.kubesphere.io/namespaces"],
                "annotations": {"kubesphere.io/creator": "admin"}}});
            if !owners.is_empty() {
                ns["metadata"]["ownerReferences"] = json!(owners);
            }
            cluster.seed(ns)?;
        }
        Fixture::Workspace { name, federated } => {
            cluster.seed(json!({"apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace",
                "metadata": {"name": name, "labels": {"kubefed.io/managed": if *federated { "true" } else { "false" }},
                             "finalizers": ["finalizers.tenant.kubesphere.io"]},
                "spec": {"manager": "admin"}}))?;
        }
        Fixture::WorkspaceTemplate { name, placement } => {
            let placement = match placement {
                Placement::All => json!({"clusterSelector": {}}),
                Placement::Clusters(c) => {
                    json!({"clusters": c.iter().map(|n| json!({"name": n})).collect::<Vec<_>>()})
                }
            };
            cluster.seed(
                json!({"apiVersion": "tenant.kubesphere.io/v1alpha2", "kind": "WorkspaceTemplate",
                "metadata": {"name": name, "labels": {"kubefed.io/managed": "false"},
                             "finalizers": ["finalizers.workspacetemplate.kubesphere.io"]},
                "spec": {"template": {"spec": {"manager": "admin"}}, "placement": placement}}),
            )?;
        }
        Fixture::User {
            name,
            email,
            federated,
        } => {
            cluster.seed(json!({"apiVersion": "iam.kubesphere.io/v1alpha2", "kind": "User",
                "metadata": {"name": name, "labels": {"kubefed.io/managed": if *federated { "true" } else { "false" }}},
                "spec": {"email": email, "password": "$2a$10$zcHepmzfKPoxCVCYZr5K7ORPZZ/ySe9p/7IUb/8u./xHrnSX2LOCO"},
                "status": {"state": "Active"}}))?;
        }
    }
    Ok(())
}

/// A user's platform role, as KubeSphere's API binds it (`<user>-<role>`, §5.3).
pub(super) fn platform_role(iam: &str, user: &str, role: &str) -> Fixture {
    Fixture::Object(json!({
        "apiVersion": iam, "kind": "GlobalRoleBinding",
        "metadata": {"name": format!("{user}-{role}"), "labels": {"iam.kubesphere.io/user-ref": user}},
        "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": user}],
        "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "GlobalRole", "name": role},
    }))
}

/// A user invited into a workspace with a workspace role, as KubeSphere's invite binds it
/// (`<user>-<workspace>-<role>`, §5.3).
pub(super) fn membership(iam: &str, user: &str, workspace: &str, role: &str) -> Fixture {
    let role = format!("{workspace}-{role}");
    Fixture::Object(json!({
        "apiVersion": iam, "kind": "WorkspaceRoleBinding",
        "metadata": {"name": format!("{user}-{role}"), "labels": {
            "iam.kubesphere.io/user-ref": user, "kubesphere.io/workspace": workspace}},
        "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": user}],
        "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "WorkspaceRole", "name": role},
    }))
}

fn base64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// Command-line shape of a scenario: the KubeSphere version and the `big` sizes.
#[derive(Debug, Clone, clap::Args)]
pub struct ScenarioFlags {
    /// KubeSphere version of the simulated clusters: 3.4, or 4.1 (KubeSphere 4.1.3) for the
    /// scenarios that have a 4.1 variant (fresh, migrate).
    #[arg(long, default_value = "3.4", value_name = "VERSION")]
    pub kubesphere: String,
    /// `big`: number of member clusters.
    #[arg(long, default_value_t = BigSize::default().members)]
    pub members: usize,
    /// `big`: namespaces (projects) per member.
    #[arg(long, default_value_t = BigSize::default().namespaces)]
    pub namespaces: usize,
    /// `big`: users on the host, synced to every member.
    #[arg(long, default_value_t = BigSize::default().users)]
    pub users: usize,
    /// `big`: workspaces, placed on every cluster.
    #[arg(long, default_value_t = BigSize::default().workspaces)]
    pub workspaces: usize,
}

impl ScenarioFlags {
    /// The scenario these flags describe.
    ///
    /// # Errors
    /// An unknown scenario name or an unsupported KubeSphere version.
    pub fn scenario(&self, name: &str) -> Result<Scenario, ScenarioError> {
        match self.kubesphere.as_str() {
            "3.4" => {}
            "4.1" | "4.1.3" => return Scenario::v4_variant(name),
            other => {
                return Err(ScenarioError::Unsupported(format!(
                    "KubeSphere {other} is not simulated; use --kubesphere 3.4 or --kubesphere 4.1"
                )));
            }
        }
        if name == "big" {
            return Ok(Scenario::big(&BigSize {
                members: self.members,
                namespaces: self.namespaces,
                users: self.users,
                workspaces: self.workspaces,
            }));
        }
        Scenario::by_name(name)
    }
}
