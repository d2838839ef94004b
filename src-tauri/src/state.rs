//! The app state: which estate is open, and the vault. The built-in demo estate is an
//! in-process ksmc-sim whose kubeconfigs never touch the disk; it is never stored in the vault.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use ksmc_core::fleet::FleetReport;
use ksmc_core::vault::{Vault, VaultError};
use ksmc_core::workflow::{
    self, ApplyOptions, CancelFlag, Clusters, Plan, Progress, RunEvent, RunReport, RunSummary,
    Runs, WorkflowInput,
};
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
        /// The workflow engine's clients, built once and shared by every run.
        clusters: Arc<Clusters>,
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
    /// Where runs are saved; `None`: `Runs::open_default()` (`KSMC_HOME` or the data dir).
    runs: Option<Runs>,
    /// The cancel flag of every run this process is applying now, by run id.
    running: Mutex<BTreeMap<String, CancelFlag>>,
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
                    clusters: Arc::new(Clusters::new(sources.clone())),
                    sources,
                }
            }
        };
        Ok(Self {
            open,
            vault: Arc::new(Mutex::new(None)),
            runs: None,
            running: Mutex::new(BTreeMap::new()),
        })
    }

    /// Saves runs under `runs` instead of the default directory (tests).
    #[must_use]
    pub fn using_runs(mut self, runs: Runs) -> Self {
        self.runs = Some(runs);
        self
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

/// The guided workflows: plan and save a run, apply or resume it with progress, cancel it.
impl AppState {
    fn runs(&self) -> Result<Runs, AppError> {
        self.runs.clone().map_or_else(Runs::open_default, Ok)
    }

    /// The engine's view of the open estate: the demo's shared clients, or the kubeconfigs of
    /// the directory read now (unreadable files are skipped; the plan names what it lacks).
    async fn clusters(&self) -> Result<Arc<Clusters>, AppError> {
        match &self.open {
            Open::Demo { clusters, .. } => Ok(Arc::clone(clusters)),
            Open::Directory(dir) => {
                let dir = dir.clone();
                let entries = tokio::task::spawn_blocking(move || {
                    ksmc_core::kubeconfig::sources_in_dir(&dir)
                })
                .await
                .map_err(|e| AppError::new(ErrorKind::Internal, format!("estate task: {e}")))?
                .map_err(|e| AppError::from(&e))?;
                let sources = entries.into_iter().filter_map(|(_, s)| s.ok());
                Ok(Arc::new(Clusters::new(sources)))
            }
        }
    }

    /// Plans a workflow from live reads and saves it as a run; the plan carries the run's id.
    ///
    /// # Errors
    /// A refusal of the input or the estate (nothing written), or the runs directory.
    pub async fn plan_workflow(&self, input: &WorkflowInput) -> Result<Plan, AppError> {
        let clusters = self.clusters().await?;
        let input = input.clone();
        let plan =
            off_thread(move |rt| rt.block_on(workflow::plan_workflow(&input, &clusters))).await?;
        self.runs()?.create(&plan)?;
        Ok(plan)
    }

    /// Applies a saved run (`resume`: carries on a run that already wrote, so the stale-plan
    /// check is off), reporting to `progress`. The run can be cancelled while it goes.
    ///
    /// # Errors
    /// What stops a run before its first write: stale plan, lock held, unknown run.
    pub async fn apply_run(
        &self,
        run_id: &str,
        resume: bool,
        progress: impl Progress + 'static,
    ) -> Result<RunReport, AppError> {
        let run = self.runs()?.open(run_id)?;
        let clusters = self.clusters().await?;
        let cancel = CancelFlag::default();
        self.running_runs()
            .insert(run.id().to_owned(), cancel.clone());
        let options = ApplyOptions {
            check_stale: !resume,
            cancel,
            ..ApplyOptions::default()
        };
        let id = run.id().to_owned();
        let report = off_thread(move |rt| {
            rt.block_on(workflow::apply(&clusters, &run, &options, &progress))
        })
        .await;
        self.running_runs().remove(&id);
        report
    }

    /// Asks a run to stop before its next step: this process's flag if it runs here, and the
    /// run's cancel marker for any other process.
    ///
    /// # Errors
    /// An unknown run, or a marker that cannot be written.
    pub fn cancel_run(&self, run_id: &str) -> Result<(), AppError> {
        let run = self.runs()?.open(run_id)?;
        if let Some(flag) = self.running_runs().get(run.id()) {
            flag.cancel();
            return Ok(());
        }
        run.request_cancel()
    }

    /// Every saved run, newest first.
    ///
    /// # Errors
    /// When no data directory is known.
    pub fn list_runs(&self) -> Result<Vec<RunSummary>, AppError> {
        Ok(self.runs()?.list())
    }

    /// A run's plan as a reviewable shell script of kubectl commands.
    ///
    /// # Errors
    /// An unknown or unreadable run.
    pub fn run_script(&self, run_id: &str) -> Result<String, AppError> {
        Ok(self.runs()?.open(run_id)?.plan()?.script())
    }

    fn running_runs(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, CancelFlag>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs `work` on a blocking thread of the async runtime with the runtime's handle: the
/// engine's futures borrow the estate across awaits in ways the compiler cannot prove `Send`
/// for a command's future, so they are built and driven on that thread (`rt.block_on`).
async fn off_thread<T: Send + 'static>(
    work: impl FnOnce(&tokio::runtime::Handle) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let rt = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || work(&rt))
        .await
        .map_err(|e| AppError::new(ErrorKind::Internal, format!("workflow task: {e}")))?
}

/// Progress of a run sent over a Tauri channel, in order, to the window that started it.
pub struct ChannelProgress(pub tauri::ipc::Channel<RunEvent>);

impl std::fmt::Debug for ChannelProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ChannelProgress")
            .field(&self.0.id())
            .finish()
    }
}

impl Progress for ChannelProgress {
    fn event(&self, event: RunEvent) {
        // A closed window stops listening; the run goes on and its journal says how it ended.
        if let Err(e) = self.0.send(event) {
            tracing::debug!("progress channel closed: {e}");
        }
    }
}
