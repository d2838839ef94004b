//! The app state: which estate is open. The built-in demo estate is an in-process ksmc-sim
//! whose kubeconfigs never touch the disk.

use std::path::PathBuf;

use ksmc_core::fleet::FleetReport;
use ksmc_core::{AppError, ClusterSource, ErrorKind, EstateSource, EstateView};
use ksmc_sim::{Estate, EstateOptions, Scenario};

/// Which estate to open at start.
#[derive(Debug, Clone)]
pub enum EstateChoice {
    /// The built-in simulated estate (scenario name).
    Demo(String),
    /// A directory of kubeconfigs.
    Directory(PathBuf),
}

impl EstateChoice {
    /// `KSMC_KUBECONFIG_DIR` opens a directory of kubeconfigs; otherwise the demo estate
    /// (`KSMC_DEMO_SCENARIO`, default `fresh`).
    #[must_use]
    pub fn from_env() -> Self {
        match std::env::var_os("KSMC_KUBECONFIG_DIR") {
            Some(dir) if !dir.is_empty() => Self::Directory(PathBuf::from(dir)),
            _ => Self::Demo(std::env::var("KSMC_DEMO_SCENARIO").unwrap_or_else(|_| "fresh".into())),
        }
    }
}

#[derive(Debug)]
enum Open {
    Demo {
        // Kept alive for as long as the app runs: dropping it stops the simulated servers.
        _estate: Estate,
        sources: Vec<ClusterSource>,
    },
    Directory(PathBuf),
}

/// State shared by all commands.
#[derive(Debug)]
pub struct AppState {
    open: Open,
}

impl AppState {
    /// Opens the chosen estate; for the demo, starts the simulator.
    ///
    /// # Errors
    /// When the demo estate cannot be started.
    pub async fn open(choice: EstateChoice) -> Result<Self, AppError> {
        let open = match choice {
            EstateChoice::Directory(dir) => Open::Directory(dir),
            EstateChoice::Demo(name) => {
                let internal = |e: &dyn std::fmt::Display| {
                    AppError::new(ErrorKind::Internal, format!("demo estate: {e}"))
                };
                let scenario = Scenario::by_name(&name).map_err(|e| internal(&e))?;
                let estate = Estate::start(&scenario, &EstateOptions::default())
                    .await
                    .map_err(|e| internal(&e))?;
                let mut sources = Vec::new();
                for running in estate.clusters() {
                    let yaml = estate.kubeconfig(running).map_err(|e| internal(&e))?;
                    sources.push(
                        ClusterSource::from_yaml(&running.entry.name, &yaml)
                            .map_err(|e| internal(&e))?,
                    );
                }
                Open::Demo {
                    _estate: estate,
                    sources,
                }
            }
        };
        Ok(Self { open })
    }

    /// Reads the facts of every cluster of the open estate.
    ///
    /// # Errors
    /// When a kubeconfig directory cannot be read.
    pub async fn inspect(&self) -> Result<EstateView, AppError> {
        match &self.open {
            Open::Demo { sources, .. } => Ok(ksmc_core::estate::inspect_sources(
                EstateSource::Demo,
                "Demo estate (simulated)",
                sources,
            )
            .await),
            Open::Directory(dir) => ksmc_core::estate::inspect_dir(dir).await,
        }
    }

    /// Reads the fleet facts of every cluster of the open estate and the findings they imply.
    ///
    /// # Errors
    /// When a kubeconfig directory cannot be read or holds no kubeconfig.
    pub async fn inspect_fleet(&self) -> Result<FleetReport, AppError> {
        match &self.open {
            Open::Demo { sources, .. } => Ok(ksmc_core::fleet::inspect_sources(sources).await),
            Open::Directory(dir) => ksmc_core::fleet::inspect_dir(dir).await,
        }
    }
}
