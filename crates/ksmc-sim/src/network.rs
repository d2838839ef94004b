//! The simulated network between clusters of one estate: how a host reaches a member from
//! the kubeconfig stored in a `Cluster`, with partitions that make that fail as it would.

use std::sync::{Arc, RwLock};

use base64::Engine as _;
use serde_json::Value;

use crate::cluster::SimCluster;

#[derive(Debug)]
struct Node {
    server: String,
    cluster: Arc<SimCluster>,
    reachable: bool,
}

/// All clusters of an estate, by API server URL.
#[derive(Debug, Default)]
pub struct Network {
    nodes: RwLock<Vec<Node>>,
}

/// Why a cluster could not be reached with a kubeconfig; the text is what Go's client prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    #[error("{0}")]
    Unreachable(String),
    #[error("Unauthorized")]
    Unauthorized,
    #[error("invalid kubeconfig: {0}")]
    Kubeconfig(String),
}

impl Network {
    /// Adds a cluster reachable at `server`.
    pub fn register(&self, server: &str, cluster: Arc<SimCluster>) {
        let mut nodes = self
            .nodes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        nodes.retain(|n| n.cluster.name != cluster.name);
        nodes.push(Node {
            server: server.trim_end_matches('/').to_owned(),
            cluster,
            reachable: true,
        });
    }

    /// Cuts a cluster off (or reconnects it): its API server stops answering other clusters.
    pub fn set_reachable(&self, name: &str, reachable: bool) {
        let mut nodes = self
            .nodes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for n in nodes.iter_mut().filter(|n| n.cluster.name == name) {
            n.reachable = reachable;
        }
    }

    /// The cluster of that name.
    #[must_use]
    pub fn by_name(&self, name: &str) -> Option<Arc<SimCluster>> {
        let nodes = self
            .nodes
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        nodes
            .iter()
            .find(|n| n.cluster.name == name)
            .map(|n| n.cluster.clone())
    }

    /// Every cluster of the estate.
    #[must_use]
    pub fn all(&self) -> Vec<Arc<SimCluster>> {
        let nodes = self
            .nodes
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        nodes.iter().map(|n| n.cluster.clone()).collect()
    }

    /// Reaches the cluster at `server`.
    ///
    /// # Errors
    /// [`NetError::Unreachable`] with a Go-style message when nothing answers there.
    pub fn reach(&self, server: &str) -> Result<Arc<SimCluster>, NetError> {
        let server = server.trim_end_matches('/');
        let nodes = self
            .nodes
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let hostport = server.split("://").nth(1).unwrap_or(server);
        match nodes.iter().find(|n| n.server == server) {
            Some(n) if n.reachable => Ok(n.cluster.clone()),
            _ => Err(NetError::Unreachable(format!(
                "Get \"{server}/api/v1/namespaces/kube-system\": dial tcp {hostport}: connect: connection refused"
            ))),
        }
    }

    /// Reaches a cluster with a kubeconfig (YAML) as a client would: its current context's
    /// server, authenticated with its bearer token.
    ///
    /// # Errors
    /// When the kubeconfig is unusable, nothing answers, or the token is refused.
    pub fn connect(&self, kubeconfig: &str) -> Result<Arc<SimCluster>, NetError> {
        let (server, token) = server_and_token(kubeconfig)?;
        let cluster = self.reach(&server)?;
        if token.is_some_and(|t| cluster.accepts_token(&t)) {
            Ok(cluster)
        } else {
            Err(NetError::Unauthorized)
        }
    }
}

/// Decodes the base64 `spec.connection.kubeconfig` of a `Cluster`.
#[must_use]
pub fn decode_kubeconfig(b64: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

fn server_and_token(kubeconfig: &str) -> Result<(String, Option<String>), NetError> {
    let doc: Value =
        serde_saphyr::from_str(kubeconfig).map_err(|_| NetError::Kubeconfig("not YAML".into()))?;
    let current = doc["current-context"].as_str().unwrap_or_default();
    let named = |list: &str, name: &str, field: &str| -> Option<Value> {
        doc[list]
            .as_array()?
            .iter()
            .find(|e| e["name"] == name)
            .map(|e| e[field].clone())
    };
    let context = named("contexts", current, "context")
        .or_else(|| doc["contexts"].get(0).map(|c| c["context"].clone()))
        .ok_or_else(|| NetError::Kubeconfig("no context".into()))?;
    let cluster = named(
        "clusters",
        context["cluster"].as_str().unwrap_or_default(),
        "cluster",
    )
    .ok_or_else(|| NetError::Kubeconfig("no cluster".into()))?;
    let server = cluster["server"]
        .as_str()
        .ok_or_else(|| NetError::Kubeconfig("no server".into()))?
        .to_owned();
    let token = named(
        "users",
        context["user"].as_str().unwrap_or_default(),
        "user",
    )
    .and_then(|u| u["token"].as_str().map(str::to_owned));
    Ok((server, token))
}
