//! Building KubeSphere 4.1.3 clusters: the 4.1 kinds, ks-core installed with Helm (or not,
//! for a plain Kubernetes cluster a 4.1 host can import), and fixtures in the state 4.1.3's
//! controllers leave them (finalizer `kubesphere.io/cascading-deletion`, no workspace
//! ownerReferences on namespaces, v1beta1 objects).

use serde_json::{Value, json};

use super::{ClusterPlan, Fixture, Placement, Release, Role};
use crate::cluster::{SeedError, SimCluster};
use crate::discovery::VersionInfo;
use crate::kubesphere::v4::{
    CASCADING_DELETION, CLUSTER_NAME_ANNOTATION, CoreValues, HOST_CLUSTER_ANNOTATION, HOST_LABEL,
    KS_CORE_VERSION, install_ks_core,
};
use crate::resources::{Registry, ResourceKey};

const WORKSPACE_LABEL: &str = "kubesphere.io/workspace";
const BCRYPT: &str = "$2a$10$zcHepmzfKPoxCVCYZr5K7ORPZZ/ySe9p/7IUb/8u./xHrnSX2LOCO";

impl ClusterPlan {
    /// A KubeSphere 4.1.3 cluster (ks-core installed) with the given role and jwtSecret and
    /// no extra objects. `Role::None` installs a host, as the 4.1 chart maps `none` to `host`.
    #[must_use]
    pub fn kubesphere_v4(
        name: &str,
        role: Role,
        kubernetes_version: &str,
        jwt_secret: &str,
    ) -> Self {
        Self {
            name: name.into(),
            role,
            release: Release::V41,
            kubernetes_version: kubernetes_version.into(),
            kubesphere_version: Some(KS_CORE_VERSION.into()),
            jwt_secret: jwt_secret.into(),
            recorded_name: None,
            fixtures: Vec::new(),
        }
    }

    /// A plain Kubernetes cluster without KubeSphere, serving the 4.1 kinds so that a 4.1
    /// host can install ks-core on it.
    #[must_use]
    pub fn plain_v4(name: &str, kubernetes_version: &str) -> Self {
        let mut plan = Self::kubesphere_v4(name, Role::None, kubernetes_version, "");
        plan.kubesphere_version = None;
        plan
    }
}

fn role_value(role: Role) -> &'static str {
    match role {
        Role::Member => "member",
        Role::Host | Role::None => "host",
    }
}

/// Builds a 4.1 cluster of a plan.
///
/// # Panics
/// When ks-core cannot be installed on the new cluster (a bug in the simulator).
pub(super) fn build(plan: &ClusterPlan) -> Result<SimCluster, SeedError> {
    let cluster = SimCluster::new(
        &plan.name,
        Registry::kubesphere_v41(),
        VersionInfo::new(&plan.kubernetes_version),
    );
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        cluster.seed_namespace(ns, json!({}))?;
    }
    cluster.seed(plan.node())?;
    for lease in plan.leases() {
        cluster.seed(lease)?;
    }
    if let Some(version) = &plan.kubesphere_version {
        let mut values = CoreValues::new(role_value(plan.role), &plan.jwt_secret);
        values.version.clone_from(version);
        install_ks_core(&cluster, &values).expect("ks-core installs on a new cluster");
        if values.role == "host" {
            cluster.seed(host_cluster_object(plan, &cluster, version))?;
        }
        if let Some(name) = &plan.recorded_name {
            annotate_system_namespace(&cluster, name);
        }
    }
    for fixture in &plan.fixtures {
        seed_fixture(&cluster, fixture)?;
    }
    Ok(cluster)
}

fn key(group: &str, plural: &str) -> ResourceKey {
    ResourceKey {
        group: group.into(),
        plural: plural.into(),
    }
}

/// The names an earlier import left on `kubesphere-system` (§3.2).
fn annotate_system_namespace(cluster: &SimCluster, name: &str) {
    let ns_key = key("", "namespaces");
    if let Some(mut ns) = cluster.store.get(&ns_key, "", "kubesphere-system") {
        ns["metadata"]["annotations"][CLUSTER_NAME_ANNOTATION] = json!(name);
        ns["metadata"]["annotations"][HOST_CLUSTER_ANNOTATION] = json!("host");
        let _ = cluster.store.update(&ns_key, ns, None);
    }
}

/// The host's own Cluster as the 4.1 cluster controller leaves it.
fn host_cluster_object(plan: &ClusterPlan, cluster: &SimCluster, version: &str) -> Value {
    let uid = cluster
        .store
        .get(&key("", "namespaces"), "", "kube-system")
        .and_then(|ns| ns.pointer("/metadata/uid").cloned())
        .unwrap_or_default();
    json!({
        "apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
        "metadata": {
            "name": "host",
            "labels": {HOST_LABEL: "", "kubesphere.io/managed": "true"},
            "annotations": {
                "kubesphere.io/description": "The description was created by KubeSphere automatically. It is recommended that you use the Host Cluster to manage clusters only and deploy workloads on Member Clusters.",
                "kubesphere.io/creator": "admin",
            },
            "finalizers": ["finalizer.cluster.kubesphere.io"],
        },
        "spec": {"provider": "kubesphere", "connection": {"type": "direct"}},
        "status": {
            "uid": uid,
            "kubernetesVersion": plan.kubernetes_version,
            "kubeSphereVersion": version,
            "nodeCount": 1,
            "conditions": [{"type": "Ready", "status": "True", "reason": "Ready", "message": "Cluster is available now"}],
        },
    })
}

fn namespace(name: &str, labels: &Value, extra: &[Value]) -> Value {
    let mut ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}});
    if labels.get(WORKSPACE_LABEL).is_some() {
        ns["metadata"]["finalizers"] = json!([CASCADING_DELETION]);
    }
    if !extra.is_empty() {
        ns["metadata"]["ownerReferences"] = json!(extra);
    }
    ns
}

fn seed_fixture(cluster: &SimCluster, fixture: &Fixture) -> Result<(), SeedError> {
    let object = match fixture {
        Fixture::Object(o) => o.clone(),
        Fixture::Namespace { name, labels } => namespace(name, labels, &[]),
        Fixture::Project {
            name,
            workspace,
            extra_owners,
        } => {
            let mut ns = namespace(name, &json!({WORKSPACE_LABEL: workspace}), extra_owners);
            ns["metadata"]["annotations"] = json!({"kubesphere.io/creator": "admin"});
            ns
        }
        // No KubeFed in 4.1: `federated` only said who created it.
        Fixture::Workspace { name, .. } => json!({
            "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "Workspace",
            "metadata": {"name": name, "finalizers": [CASCADING_DELETION]},
            "spec": {"manager": "admin"},
        }),
        Fixture::WorkspaceTemplate { name, placement } => {
            let placement = match placement {
                Placement::All => json!({"clusterSelector": {}}),
                Placement::Clusters(c) => {
                    json!({"clusters": c.iter().map(|n| json!({"name": n})).collect::<Vec<_>>()})
                }
            };
            json!({
                "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
                "metadata": {"name": name, "finalizers": [CASCADING_DELETION],
                             "annotations": {"kubesphere.io/creator": "admin"}},
                "spec": {"template": {"spec": {"manager": "admin"}}, "placement": placement},
            })
        }
        Fixture::User { name, email, .. } => json!({
            "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
            "metadata": {"name": name, "finalizers": ["finalizers.kubesphere.io/users"]},
            "spec": {"email": email, "password": BCRYPT},
            "status": {"state": "Active"},
        }),
    };
    cluster.seed(object)?;
    Ok(())
}
