//! A running simulated estate: one API server per cluster on loopback, the kubeconfigs that
//! reach them, and `estate.json` describing them.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use serde::Serialize;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::cluster::SimCluster;
use crate::scenario::{Role, Scenario, ScenarioError};
use crate::server;
use crate::tls::{TlsError, TlsMaterial};

/// How the estate is served.
#[derive(Clone, Debug)]
pub struct EstateOptions {
    /// Serve plain HTTP instead of HTTPS (loopback only; kubectl then sends no token).
    pub plain_http: bool,
    /// The loopback address to bind.
    pub bind: IpAddr,
    /// Timing of the simulated KubeSphere controllers.
    pub kubesphere: crate::kubesphere::Settings,
    /// Faults every cluster starts with (see [`crate::faults`]).
    pub faults: crate::faults::FaultPlan,
    /// Seed of every random fault choice, so that a run reproduces.
    pub seed: u64,
    /// Serve the control endpoint on this loopback port (0 picks one); `None` serves none.
    pub control_port: Option<u16>,
}

impl Default for EstateOptions {
    fn default() -> Self {
        Self {
            plain_http: false,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            kubesphere: crate::kubesphere::Settings::default(),
            faults: crate::faults::FaultPlan::default(),
            seed: 0,
            control_port: None,
        }
    }
}

/// Errors starting or describing an estate.
#[derive(Debug, thiserror::Error)]
pub enum EstateError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("refusing to bind {0}: the simulator serves loopback addresses only")]
    NotLoopback(IpAddr),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot render the kubeconfig: {0}")]
    Render(String),
}

/// What `estate.json` says about one cluster.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterEntry {
    pub name: String,
    pub role: Role,
    pub server: String,
    pub kubeconfig: String,
    pub kubernetes_version: String,
    /// `None` when KubeSphere is not installed.
    pub kubesphere_version: Option<String>,
}

/// `estate.json`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub scenario: String,
    pub clusters: Vec<ClusterEntry>,
    /// The control endpoint (`http://127.0.0.1:PORT`), when one is served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
}

/// One running cluster.
#[derive(Debug, Clone)]
pub struct RunningCluster {
    pub cluster: Arc<SimCluster>,
    pub addr: SocketAddr,
    pub entry: ClusterEntry,
    /// The cluster's live faults.
    pub faults: Arc<crate::faults::ClusterFaults>,
}

/// A running estate. Dropping it stops the servers; [`Estate::shutdown`] waits for them.
#[derive(Debug)]
pub struct Estate {
    scenario: String,
    clusters: Vec<RunningCluster>,
    ca_pem: Option<String>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    network: Arc<crate::network::Network>,
    control: Option<SocketAddr>,
}

impl Estate {
    /// Builds the scenario's clusters and starts one API server for each on a free port.
    ///
    /// # Errors
    /// When the scenario cannot be built, certificates cannot be made or a port cannot be bound.
    pub async fn start(scenario: &Scenario, options: &EstateOptions) -> Result<Self, EstateError> {
        if !options.bind.is_loopback() {
            return Err(EstateError::NotLoopback(options.bind));
        }
        let tls = if options.plain_http {
            None
        } else {
            Some(TlsMaterial::generate(&[options.bind])?)
        };
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut clusters = Vec::new();
        let network = Arc::new(crate::network::Network::default());
        for plan in &scenario.clusters {
            let cluster = Arc::new(plan.build().map_err(ScenarioError::from)?);
            let addr = SocketAddr::new(options.bind, 0);
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|source| EstateError::Bind { addr, source })?;
            let addr = listener
                .local_addr()
                .map_err(|source| EstateError::Bind { addr, source })?;
            let scheme = if tls.is_some() { "https" } else { "http" };
            let acceptor = tls
                .as_ref()
                .map(|t| TlsAcceptor::from(t.server_config.clone()));
            network.register(&format!("{scheme}://{addr}"), cluster.clone());
            let _ = cluster.network.set(network.clone());
            tasks.spawn(crate::controllers::run(cluster.clone(), stopped.clone()));
            tasks.spawn(crate::kubesphere::run(
                cluster.clone(),
                network.clone(),
                options.kubesphere,
                stopped.clone(),
            ));
            tasks.spawn(crate::hazards::run(cluster.clone(), stopped.clone()));
            let faults = Arc::new(crate::faults::ClusterFaults::with_hazards(
                &plan.name,
                options.seed,
                options.faults.clone(),
                cluster.hazards.clone(),
            ));
            tasks.spawn(server::serve(
                cluster.clone(),
                listener,
                acceptor,
                faults.clone(),
                stopped.clone(),
            ));
            clusters.push(RunningCluster {
                entry: ClusterEntry {
                    name: plan.name.clone(),
                    role: plan.role,
                    server: format!("{scheme}://{addr}"),
                    kubeconfig: format!("{}.kubeconfig", plan.name),
                    kubernetes_version: plan.kubernetes_version.clone(),
                    kubesphere_version: plan.kubesphere_version.clone(),
                },
                cluster,
                addr,
                faults,
            });
        }
        let control = match options.control_port {
            Some(port) => Some(
                crate::control::start(options.bind, port, &clusters, &mut tasks, &stopped).await?,
            ),
            None => None,
        };
        let estate = Self {
            scenario: scenario.name.clone(),
            clusters,
            ca_pem: tls.map(|t| t.ca_pem),
            stop,
            tasks,
            network,
            control,
        };
        estate.link(&scenario.links).await?;
        Ok(estate)
    }

    /// Joins members to hosts as the scenario says, by creating each `Cluster` on its host
    /// with the member's kubeconfig, then waits until the hosts report them Ready.
    async fn link(&self, links: &[crate::scenario::Link]) -> Result<(), EstateError> {
        use base64::Engine as _;
        let clusters_type = |c: &SimCluster| {
            c.registry
                .find("cluster.kubesphere.io", "v1alpha1", "clusters")
                .cloned()
        };
        for link in links {
            let (Some(host), Some(member)) = (self.cluster(&link.host), self.cluster(&link.member))
            else {
                return Err(EstateError::Render(format!(
                    "link names an unknown cluster: {} -> {}",
                    link.host, link.member
                )));
            };
            let kubeconfig =
                base64::engine::general_purpose::STANDARD.encode(self.kubeconfig(member)?);
            let ty = clusters_type(&host.cluster)
                .ok_or_else(|| EstateError::Render("host has no Cluster type".into()))?;
            let object = json!({
                "apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
                "metadata": {"name": link.name, "annotations": {"kubesphere.io/creator": "admin"}},
                "spec": {"joinFederation": true, "provider": "", "connection": {"type": "direct", "kubeconfig": kubeconfig}},
            });
            crate::ops::create(&host.cluster, &ty, None, object, None, false)
                .map_err(|e| EstateError::Render(e.message))?;
        }
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        for link in links {
            let Some(host) = self.cluster(&link.host) else {
                continue;
            };
            let key = crate::resources::ResourceKey {
                group: "cluster.kubesphere.io".into(),
                plural: "clusters".into(),
            };
            loop {
                let ready = host
                    .cluster
                    .store
                    .get(&key, "", &link.name)
                    .is_some_and(|c| {
                        c.pointer("/status/conditions")
                            .and_then(serde_json::Value::as_array)
                            .is_some_and(|cs| {
                                cs.iter()
                                    .any(|x| x["type"] == "Ready" && x["status"] == "True")
                            })
                    });
                if ready {
                    break;
                }
                if tokio::time::Instant::now() > deadline {
                    return Err(EstateError::Render(format!(
                        "{} did not become Ready on {}",
                        link.name, link.host
                    )));
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
        // Let propagation triggered by the joins settle.
        if !links.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        Ok(())
    }

    /// The control endpoint's URL, when one is served.
    #[must_use]
    pub fn control_url(&self) -> Option<String> {
        self.control.map(|addr| format!("http://{addr}"))
    }

    /// The network between the estate's clusters (partitions are set here).
    #[must_use]
    pub fn network(&self) -> &Arc<crate::network::Network> {
        &self.network
    }

    #[must_use]
    pub fn clusters(&self) -> &[RunningCluster] {
        &self.clusters
    }

    /// The cluster of that name.
    #[must_use]
    pub fn cluster(&self, name: &str) -> Option<&RunningCluster> {
        self.clusters.iter().find(|c| c.entry.name == name)
    }

    /// The manifest written as `estate.json`.
    #[must_use]
    pub fn manifest(&self) -> Manifest {
        Manifest {
            scenario: self.scenario.clone(),
            clusters: self.clusters.iter().map(|c| c.entry.clone()).collect(),
            control: self.control_url(),
        }
    }

    /// A kubeconfig (YAML) for one cluster, with the CA embedded and the admin bearer token.
    ///
    /// # Errors
    /// When serialisation fails.
    pub fn kubeconfig(&self, running: &RunningCluster) -> Result<String, EstateError> {
        let name = &running.entry.name;
        let mut cluster = json!({"server": running.entry.server});
        if let Some(ca) = &self.ca_pem {
            cluster["certificate-authority-data"] =
                json!(base64::engine::general_purpose::STANDARD.encode(ca));
        }
        let doc = json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": cluster}],
            "users": [{"name": format!("{name}-admin"), "user": {"token": running.cluster.admin_token}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": format!("{name}-admin")}}],
            "current-context": name,
            "preferences": {},
        });
        serde_saphyr::to_string(&doc).map_err(|e| EstateError::Render(e.to_string()))
    }

    /// Writes one `<name>.kubeconfig` per cluster (mode 0600) and `estate.json` into `dir`.
    ///
    /// # Errors
    /// When the directory or a file cannot be written.
    pub fn write_dir(&self, dir: &Path) -> Result<(), EstateError> {
        let write = |path: PathBuf, content: &str| {
            write_private(&path, content).map_err(|source| EstateError::Write { path, source })
        };
        std::fs::create_dir_all(dir).map_err(|source| EstateError::Write {
            path: dir.to_owned(),
            source,
        })?;
        for c in &self.clusters {
            write(dir.join(&c.entry.kubeconfig), &self.kubeconfig(c)?)?;
        }
        let manifest = serde_json::to_string_pretty(&self.manifest())
            .map_err(|e| EstateError::Render(e.to_string()))?;
        write(dir.join("estate.json"), &manifest)
    }

    /// Stops every server and waits until their connections are closed.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())?;
    file.sync_all()
}
