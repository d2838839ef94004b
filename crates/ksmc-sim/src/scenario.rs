//! Scenarios: ready-made estates (which clusters, which KubeSphere setup, which objects).

use serde::Serialize;
use serde_json::{Value, json};

use crate::cluster::{SeedError, SimCluster};
use crate::discovery::VersionInfo;
use crate::resources::Registry;

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

/// One cluster of a scenario.
#[derive(Clone, Debug)]
pub struct ClusterPlan {
    pub name: String,
    pub role: Role,
    pub kubernetes_version: String,
    pub kubesphere_version: String,
    /// The jwtSecret in the cluster's KubeSphere configuration.
    pub jwt_secret: String,
}

/// A named scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub clusters: Vec<ClusterPlan>,
}

/// Errors choosing or building a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("unknown scenario {0:?}; known scenarios: {known}", known = Scenario::NAMES.join(", "))]
    Unknown(String),
    #[error("building the scenario failed: {0}")]
    Seed(#[from] SeedError),
}

impl Scenario {
    /// Names accepted by [`Scenario::by_name`].
    pub const NAMES: &'static [&'static str] = &["fresh"];

    /// Looks a scenario up by name.
    ///
    /// # Errors
    /// [`ScenarioError::Unknown`] for a name not in [`Scenario::NAMES`].
    pub fn by_name(name: &str) -> Result<Self, ScenarioError> {
        match name {
            "fresh" => Ok(Self::fresh()),
            other => Err(ScenarioError::Unknown(other.to_owned())),
        }
    }

    /// A newly installed KubeSphere 3.4 host and a second KubeSphere 3.4 cluster that has
    /// not been configured as a member yet: the starting point of an import.
    #[must_use]
    pub fn fresh() -> Self {
        Self {
            name: "fresh".into(),
            clusters: vec![
                ClusterPlan {
                    name: "host".into(),
                    role: Role::Host,
                    kubernetes_version: "v1.32.4".into(),
                    kubesphere_version: "v3.4.1".into(),
                    jwt_secret: "hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd".into(),
                },
                ClusterPlan {
                    name: "member-1".into(),
                    role: Role::None,
                    kubernetes_version: "v1.31.6".into(),
                    kubesphere_version: "v3.4.1".into(),
                    jwt_secret: "Qm4tZx8RkVb2Lw6NcYp0Hs3JfAe9GdUo".into(),
                },
            ],
        }
    }
}

impl ClusterPlan {
    /// Builds the simulated cluster with its fixture objects.
    ///
    /// # Errors
    /// When a fixture cannot be stored.
    pub fn build(&self) -> Result<SimCluster, SeedError> {
        let cluster = SimCluster::new(
            &self.name,
            Registry::kubesphere_v34(),
            VersionInfo::new(&self.kubernetes_version),
        );
        let system_ws = json!({"kubesphere.io/workspace": "system-workspace"});
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            cluster.seed_namespace(ns, json!({}))?;
        }
        for ns in [
            "kubesphere-system",
            "kubesphere-controls-system",
            "kubesphere-monitoring-system",
        ] {
            cluster.seed_namespace(ns, system_ws.clone())?;
        }
        cluster.seed(self.node())?;
        cluster.seed(self.cluster_configuration())?;
        cluster.seed(self.kubesphere_config())?;
        cluster.seed(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "kubesphere-secret", "namespace": "kubesphere-system"},
            "type": "Opaque",
            "data": {"secret": base64(&self.jwt_secret)},
        }))?;
        cluster.seed(json!({
            "apiVersion": "iam.kubesphere.io/v1alpha2", "kind": "User",
            "metadata": {"name": "admin", "finalizers": ["finalizers.kubesphere.io/users"]},
            "spec": {"email": "admin@kubesphere.io"},
            "status": {"state": "Active"},
        }))?;
        cluster.seed(json!({
            "apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace",
            "metadata": {"name": "system-workspace", "finalizers": ["finalizers.tenant.kubesphere.io"]},
            "spec": {"manager": "admin"},
        }))?;
        if self.role == Role::Host {
            cluster.seed_namespace("kube-federation-system", system_ws)?;
            cluster.seed(self.host_cluster_object())?;
        }
        Ok(cluster)
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
                "nodeInfo": {"kubeletVersion": self.kubernetes_version},
            },
        })
    }

    fn cluster_configuration(&self) -> Value {
        json!({
            "apiVersion": "installer.kubesphere.io/v1alpha1", "kind": "ClusterConfiguration",
            "metadata": {
                "name": "ks-installer", "namespace": "kubesphere-system",
                "labels": {"version": self.kubesphere_version},
            },
            "spec": {
                "authentication": {"jwtSecret": ""},
                "multicluster": {"clusterRole": self.role.as_str()},
                "openpitrix": {"store": {"enabled": false}},
                "devops": {"enabled": false},
                "monitoring": {"enabled": true},
            },
            "status": {
                "core": {"status": "enabled", "version": self.kubesphere_version},
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

    fn host_cluster_object(&self) -> Value {
        json!({
            "apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
            "metadata": {
                "name": self.name,
                "labels": {"cluster-role.kubesphere.io/host": "", "kubesphere.io/managed": "true"},
                "annotations": {"kubesphere.io/description": "The description was created by KubeSphere automatically. It is recommended that you use the Host Cluster to manage clusters only and deploy workloads on Member Clusters."},
                "finalizers": ["finalizer.cluster.kubesphere.io"],
            },
            "spec": {"enable": true, "joinFederation": true, "provider": "kubesphere", "connection": {"type": "direct"}},
            "status": {
                "kubernetesVersion": self.kubernetes_version,
                "kubeSphereVersion": self.kubesphere_version,
                "nodeCount": 1,
                "conditions": [{"type": "Ready", "status": "True", "reason": "Ready", "message": "Cluster is available now"}],
            },
        })
    }
}

fn base64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}
