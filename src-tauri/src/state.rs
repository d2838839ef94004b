//! The app state: which estate is open, and the vault. The built-in demo estate is an
//! in-process ksmc-sim whose kubeconfigs never touch the disk; it is never stored in the vault.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use ksmc_core::fleet::FleetReport;
use ksmc_core::vault::{Vault, VaultError};
use ksmc_core::{AppError, ClusterSource, ErrorKind, EstateSource};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use serde::Serialize;

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

/// Where the open estate comes from, without reading any cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type)]
pub struct EstateInfo {
    pub source: EstateSource,
    /// "Demo estate (simulated)", or the directory.
    pub label: String,
}

/// State shared by all commands.
#[derive(Debug)]
pub struct AppState {
    open: Open,
    /// Opened on first use: the vault directory is created only when the vault is asked for.
    vault: Arc<Mutex<Option<Vault>>>,
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
        Ok(Self {
            open,
            vault: Arc::new(Mutex::new(None)),
        })
    }

    /// Uses `vault` instead of the default one (`KSMC_HOME` or the platform data directory,
    /// key in the OS keyring). For tests, and for a session-only vault.
    #[must_use]
    pub fn using_vault(self, vault: Vault) -> Self {
        *self.vault.lock().unwrap_or_else(PoisonError::into_inner) = Some(vault);
        self
    }

    /// Where the open estate comes from.
    #[must_use]
    pub fn estate_info(&self) -> EstateInfo {
        match &self.open {
            Open::Demo { .. } => EstateInfo {
                source: EstateSource::Demo,
                label: "Demo estate (simulated)".into(),
            },
            Open::Directory(dir) => EstateInfo {
                source: EstateSource::Directory,
                label: dir.display().to_string(),
            },
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

/// Opens the default vault on first use and keeps it (and so its cached key) for later calls.
fn vault_in(slot: &Mutex<Option<Vault>>) -> Result<Vault, VaultError> {
    let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(vault) = slot.as_ref() {
        return Ok(vault.clone());
    }
    let vault = Vault::open_default(false)?;
    *slot = Some(vault.clone());
    Ok(vault)
}

impl AppState {
    /// Runs one vault operation off the async runtime: opening the vault and every operation
    /// may wait for the disk and the keyring (bounded by the keyring deadline).
    ///
    /// # Errors
    /// The operation's error, as data.
    pub async fn with_vault<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Vault) -> Result<T, VaultError> + Send + 'static,
    ) -> Result<T, AppError> {
        let slot = Arc::clone(&self.vault);
        tokio::task::spawn_blocking(move || vault_in(&slot).and_then(|vault| op(&vault)))
            .await
            .map_err(|e| AppError::new(ErrorKind::Internal, format!("vault task: {e}")))?
            .map_err(AppError::from)
    }
}
