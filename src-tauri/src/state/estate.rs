//! Which estate is open: the built-in demo (an in-process ksmc-sim whose kubeconfigs never
//! touch the disk and are never stored in the vault), a directory of kubeconfigs, or the
//! clusters of the vault. How each gives its clusters to fleet inspection and to workflows.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use ksmc_core::fleet::{ClusterFacts, FleetReport};
use ksmc_core::workflow::{Clusters, Runs};
use ksmc_core::{AppError, ClusterSource, ErrorKind, EstateSource};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use serde::{Deserialize, Serialize};

/// Which estate to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EstateChoice {
    /// The built-in simulated estate (scenario name).
    Demo(String),
    /// A directory of kubeconfigs.
    Directory(PathBuf),
    /// The clusters of the vault (none yet: the app greets a first run).
    Vault,
}

impl EstateChoice {
    /// At start: `KSMC_KUBECONFIG_DIR` opens a directory of kubeconfigs, `KSMC_DEMO_SCENARIO`
    /// the demo estate on that scenario, and otherwise the vault's clusters (an empty vault
    /// shows the welcome screen).
    #[must_use]
    pub fn from_env() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        if let Some(dir) = var("KSMC_KUBECONFIG_DIR") {
            return Self::Directory(PathBuf::from(dir));
        }
        var("KSMC_DEMO_SCENARIO").map_or(Self::Vault, Self::Demo)
    }
}

/// An estate the window may switch to. A directory is chosen only at start
/// (`KSMC_KUBECONFIG_DIR`): the webview never names a path to read.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OpenEstate {
    /// The built-in simulated estate on a scenario of ksmc-sim's catalog.
    Demo { scenario: String },
    /// The vault's clusters ("My clusters").
    Vault,
}

impl From<OpenEstate> for EstateChoice {
    fn from(open: OpenEstate) -> Self {
        match open {
            OpenEstate::Demo { scenario } => Self::Demo(scenario),
            OpenEstate::Vault => Self::Vault,
        }
    }
}

/// Where the open estate comes from, without reading any cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type)]
pub struct EstateInfo {
    pub source: EstateSource,
    /// "Demo estate (simulated)", the directory, or "My clusters (vault)".
    pub label: String,
    /// The demo's scenario.
    pub scenario: Option<String>,
}

/// The scenarios the demo estate can be opened on (ksmc-sim's catalog).
#[must_use]
pub fn demo_scenarios() -> Vec<String> {
    Scenario::NAMES.iter().map(|&n| n.to_owned()).collect()
}

/// The demo estate: the simulator, its clusters, and runs kept apart from real ones.
#[derive(Debug)]
pub(crate) struct Demo {
    scenario: String,
    /// The simulator and its clients, once started. At launch it starts in the background
    /// (TLS certificates, servers, clients) while the window and WebKit start; whatever needs
    /// the clusters waits for it here.
    started: Arc<tokio::sync::OnceCell<Result<Started, AppError>>>,
    /// The demo's runs: a throwaway directory, so a simulated run is never offered for
    /// resume against real clusters of the same name.
    runs: tempfile::TempDir,
}

/// A started demo estate.
#[derive(Debug)]
struct Started {
    /// Taken when the demo is left, to stop the simulated servers.
    estate: Mutex<Option<Estate>>,
    sources: Vec<ClusterSource>,
    /// The workflow engine's clients, built once and shared by every run.
    clusters: Arc<Clusters>,
}

#[derive(Debug)]
pub(crate) enum Open {
    Demo(Demo),
    Directory(PathBuf),
    Vault,
}

fn demo_error(e: &dyn std::fmt::Display) -> AppError {
    AppError::new(ErrorKind::Internal, format!("demo estate: {e}"))
}

impl Open {
    /// Opens the chosen estate; for the demo, starts the simulator and waits for it.
    pub(crate) async fn start(choice: EstateChoice) -> Result<Self, AppError> {
        let open = Self::begin(choice)?;
        if let Self::Demo(demo) = &open {
            demo.started().await?;
        }
        Ok(open)
    }

    /// Opens the chosen estate without waiting: the demo's simulator starts on the async
    /// runtime, and the first call that needs its clusters waits for it. An unknown scenario
    /// is refused at once.
    pub(crate) fn begin(choice: EstateChoice) -> Result<Self, AppError> {
        match choice {
            EstateChoice::Directory(dir) => Ok(Self::Directory(dir)),
            EstateChoice::Vault => Ok(Self::Vault),
            EstateChoice::Demo(name) => {
                let scenario = Scenario::by_name(&name)
                    .map_err(|e| AppError::new(ErrorKind::Invalid, format!("demo estate: {e}")))?;
                let runs = tempfile::Builder::new()
                    .prefix("ksmc-demo-runs-")
                    .tempdir()
                    .map_err(|e| demo_error(&e))?;
                let started = Arc::new(tokio::sync::OnceCell::new());
                let cell = Arc::clone(&started);
                let start = async move {
                    cell.get_or_init(|| start_demo(scenario)).await;
                };
                // The caller's runtime (tests, a switch), else the app's (the setup hook).
                match tokio::runtime::Handle::try_current() {
                    Ok(rt) => drop(rt.spawn(start)),
                    Err(_) => drop(tauri::async_runtime::spawn(start)),
                }
                Ok(Self::Demo(Demo {
                    scenario: name,
                    started,
                    runs,
                }))
            }
        }
    }

    /// Stops what the estate runs (the demo's simulated servers) and waits for them.
    pub(crate) async fn stop(&self) {
        if let Self::Demo(demo) = self
            && let Ok(started) = demo.started().await
        {
            let estate = started
                .estate
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(estate) = estate {
                estate.shutdown().await;
            }
        }
    }

    pub(crate) fn info(&self) -> EstateInfo {
        match self {
            Self::Demo(demo) => EstateInfo {
                source: EstateSource::Demo,
                label: "Demo estate (simulated)".into(),
                scenario: Some(demo.scenario.clone()),
            },
            Self::Directory(dir) => EstateInfo {
                source: EstateSource::Directory,
                label: dir.display().to_string(),
                scenario: None,
            },
            Self::Vault => EstateInfo {
                source: EstateSource::Vault,
                label: "My clusters (vault)".into(),
                scenario: None,
            },
        }
    }

    /// The demo's own runs directory; `None` for a real estate.
    pub(crate) fn demo_runs(&self) -> Option<Runs> {
        match self {
            Self::Demo(demo) => Some(Runs::new(demo.runs.path())),
            _ => None,
        }
    }
}

impl Demo {
    /// The started simulator, waiting for its start if it is still under way.
    async fn started(&self) -> Result<&Started, AppError> {
        let scenario = &self.scenario;
        self.started
            .get_or_init(|| async move {
                // Only when the background start was lost (its task panicked or never ran).
                match Scenario::by_name(scenario) {
                    Ok(s) => start_demo(s).await,
                    Err(e) => Err(demo_error(&e)),
                }
            })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The demo's kubeconfigs, once its simulator has started.
    pub(crate) async fn sources(&self) -> Result<&[ClusterSource], AppError> {
        Ok(&self.started().await?.sources)
    }

    /// The workflow engine's clients, once the simulator has started.
    pub(crate) async fn clusters(&self) -> Result<Arc<Clusters>, AppError> {
        Ok(Arc::clone(&self.started().await?.clusters))
    }
}

/// Starts the simulated servers of `scenario` on loopback (fresh CA and certificates) and
/// parses the kubeconfigs they hand out, in memory.
async fn start_demo(scenario: Scenario) -> Result<Started, AppError> {
    crate::bench::mark("demo:start");
    let estate = Estate::start(&scenario, &EstateOptions::default())
        .await
        .map_err(|e| demo_error(&e))?;
    crate::bench::mark("demo:started");
    let mut sources = Vec::new();
    for running in estate.clusters() {
        let yaml = estate.kubeconfig(running).map_err(|e| demo_error(&e))?;
        sources.push(
            ClusterSource::from_yaml(&running.entry.name, &yaml).map_err(|e| demo_error(&e))?,
        );
    }
    let clusters = Arc::new(Clusters::new(sources.clone()));
    crate::bench::mark("demo:ready");
    Ok(Started {
        estate: Mutex::new(Some(estate)),
        sources,
        clusters,
    })
}

/// Fleet facts and findings of usable sources, plus a row with its error for each cluster
/// that could not be opened (not fatal: the others are still read).
pub(crate) async fn inspect_with_broken(
    sources: &[ClusterSource],
    broken: Vec<ClusterFacts>,
) -> FleetReport {
    let mut clusters = ksmc_core::fleet::gather_all(sources).await;
    clusters.extend(broken);
    let findings = ksmc_core::fleet::findings(&clusters);
    FleetReport { clusters, findings }
}
