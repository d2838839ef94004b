//! The app state: which estate is open (switchable at runtime between the vault's clusters
//! and the demo), the vault, and the runs. The built-in demo estate is an in-process ksmc-sim
//! whose kubeconfigs never touch the disk; it is never stored in the vault.

mod estate;
mod runs;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ksmc_core::fleet::{ClusterFacts, FleetReport, PreflightReport};
use ksmc_core::vault::{Vault, VaultError};
use ksmc_core::workflow::{CancelFlag, Clusters, Runs};
use ksmc_core::{AppError, ClusterSource, ErrorKind};
use tokio::sync::watch;

pub use estate::{EstateChoice, EstateInfo, OpenEstate, demo_scenarios};
pub use runs::ChannelProgress;

use estate::{Open, inspect_with_broken};

/// State shared by all commands.
#[derive(Debug)]
pub struct AppState {
    /// The open estate. Replaced whole by a switch; work in flight keeps the one it started on.
    open: Mutex<Arc<Open>>,
    /// Counts estate switches; see [`AppState::estate_changes`].
    changes: watch::Sender<u64>,
    /// Opened on first use: the vault directory is created only when the vault is asked for.
    vault: Arc<Mutex<Option<Vault>>>,
    /// Where runs on real estates are saved; `None`: `Runs::open_default()` (`KSMC_HOME` or
    /// the data dir). The demo keeps its runs apart, in a directory of its own.
    runs: Option<Runs>,
    /// The cancel flag of every run this process is applying now, by run id.
    running: Mutex<BTreeMap<String, CancelFlag>>,
}

impl AppState {
    /// Opens the chosen estate; for the demo, starts the simulator.
    ///
    /// # Errors
    /// An unknown demo scenario, or a demo estate that cannot be started.
    pub async fn open(choice: EstateChoice) -> Result<Self, AppError> {
        Ok(Self {
            open: Mutex::new(Arc::new(Open::start(choice).await?)),
            changes: watch::Sender::new(0),
            vault: Arc::new(Mutex::new(None)),
            runs: None,
            running: Mutex::new(BTreeMap::new()),
        })
    }

    /// Opens the chosen estate without waiting for it: the demo's simulator starts in the
    /// background (on the caller's async runtime, else the app's) and the first
    /// call that needs its clusters waits for it, so nothing slow holds the main thread while
    /// the window and WebKit start. The vault and a directory are read on use anyway.
    ///
    /// # Errors
    /// An unknown demo scenario.
    pub fn starting(choice: EstateChoice) -> Result<Self, AppError> {
        Ok(Self {
            open: Mutex::new(Arc::new(Open::begin(choice)?)),
            changes: watch::Sender::new(0),
            vault: Arc::new(Mutex::new(None)),
            runs: None,
            running: Mutex::new(BTreeMap::new()),
        })
    }

    /// Saves runs of real estates under `runs` instead of the default directory (tests).
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

    fn current(&self) -> Arc<Open> {
        Arc::clone(&self.open.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Where the open estate comes from.
    #[must_use]
    pub fn estate_info(&self) -> EstateInfo {
        self.current().info()
    }

    /// Switches the window to another estate: the demo (its simulator started now) or the
    /// vault's clusters. The demo left behind is stopped. Nothing changes when the choice
    /// cannot be opened or a run is applying (its writes must finish on the estate they began).
    ///
    /// # Errors
    /// `Locked` while a run applies; `Invalid` for an unknown scenario; a demo that fails to
    /// start.
    pub async fn open_estate(&self, choice: EstateChoice) -> Result<EstateInfo, AppError> {
        refuse_while_running(&self.running_runs())?;
        let next = Arc::new(Open::start(choice).await?);
        // The run registry stays locked until the swap, so no run registers in between (a run
        // takes the estate under the same lock, see `apply_run`).
        let swapped = {
            let running = self.running_runs();
            refuse_while_running(&running).map(|()| {
                let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
                std::mem::replace(&mut *open, Arc::clone(&next))
            })
        };
        match swapped {
            Ok(previous) => {
                self.changes.send_modify(|n| *n += 1);
                previous.stop().await;
                Ok(next.info())
            }
            Err(e) => {
                next.stop().await;
                Err(e)
            }
        }
    }

    /// Notified after every estate switch (the value counts them). Live views of the old
    /// estate (watches) close when it changes: `rx.changed().await`.
    #[must_use]
    pub fn estate_changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Reads the fleet facts of every cluster of the open estate and the findings they imply.
    /// A vault cluster that cannot be opened (locked key, exec plugin not approved) is a row
    /// with its error.
    ///
    /// # Errors
    /// When a kubeconfig directory cannot be read or holds no kubeconfig; when the vault
    /// cannot be opened at all.
    pub async fn inspect_fleet(&self) -> Result<FleetReport, AppError> {
        crate::bench::mark("inspect:begin");
        let open = self.current();
        let report = match &*open {
            Open::Demo(demo) => Ok(ksmc_core::fleet::inspect_sources(demo.sources().await?).await),
            Open::Directory(dir) => ksmc_core::fleet::inspect_dir(dir).await,
            Open::Vault => {
                let (sources, broken) = self.vault_sources().await?;
                Ok(inspect_with_broken(&sources, broken).await)
            }
        };
        crate::bench::mark("inspect:end");
        report
    }

    /// The engine's view of the open estate: the demo's shared clients, or the kubeconfigs of
    /// the directory or the vault read now (unusable ones are skipped; a plan names what it
    /// lacks). Also for live views, which read with the same clients.
    ///
    /// # Errors
    /// An unreadable directory; a vault that cannot be opened.
    pub async fn clusters(&self) -> Result<Arc<Clusters>, AppError> {
        self.clusters_of(&self.current()).await
    }

    /// The import checklist for `member` into `host` as `name`, read live from the open
    /// estate's clusters (nothing written). A failed check is data in the report.
    ///
    /// # Errors
    /// A cluster the estate does not have (`NotFound`); an estate that cannot be opened.
    pub async fn preflight_import(
        &self,
        host: &str,
        member: &str,
        name: &str,
    ) -> Result<PreflightReport, AppError> {
        let clusters = self.clusters().await?;
        let host = clusters.source(host)?.clone();
        let member = clusters.source(member)?.clone();
        Ok(ksmc_core::fleet::preflight(&host, &member, Some(name)).await)
    }

    async fn clusters_of(&self, open: &Open) -> Result<Arc<Clusters>, AppError> {
        match open {
            Open::Demo(demo) => demo.clusters().await,
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
            Open::Vault => Ok(Arc::new(Clusters::new(self.vault_sources().await?.0))),
        }
    }

    /// The vault's usable clusters, and a row with its error for each that is not.
    async fn vault_sources(&self) -> Result<(Vec<ClusterSource>, Vec<ClusterFacts>), AppError> {
        let (sources, unusable) = self.with_vault(Vault::open_usable).await?;
        let broken = unusable
            .into_iter()
            .map(|(name, e)| {
                tracing::info!(cluster = %name, reason = e.reason(), "vault cluster skipped");
                ClusterFacts::unreadable(&name, AppError::from(&e))
            })
            .collect();
        Ok((sources, broken))
    }

    fn running_runs(&self) -> MutexGuard<'_, BTreeMap<String, CancelFlag>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Refuses a switch while this process applies a run: its writes must finish on the estate
/// they began on.
fn refuse_while_running(running: &BTreeMap<String, CancelFlag>) -> Result<(), AppError> {
    match running.keys().next() {
        Some(id) => Err(AppError::new(
            ErrorKind::Locked,
            format!(
                "run {id} is applying on the open estate; wait for it to finish or cancel it, then switch"
            ),
        )),
        None => Ok(()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(report: &FleetReport) -> Vec<&str> {
        let mut names: Vec<&str> = report.clusters.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        names
    }

    /// As the setup hook does it: on the main thread, outside any async runtime. The estate
    /// is known at once; the first inspection waits for the simulator and reads it over HTTPS.
    #[test]
    fn the_demo_starts_in_the_background_and_the_first_inspection_waits_for_it() {
        let state = AppState::starting(EstateChoice::Demo("fresh".into())).unwrap();
        let info = state.estate_info();
        assert_eq!(info.source, ksmc_core::EstateSource::Demo);
        assert_eq!(info.scenario.as_deref(), Some("fresh"));
        assert!(
            state.list_runs().unwrap().is_empty(),
            "the demo's runs, at once"
        );

        let report = tauri::async_runtime::block_on(state.inspect_fleet()).unwrap();
        assert_eq!(names(&report), ["host", "member-1"]);
        assert!(report.clusters.iter().all(|c| c.reachable), "{report:?}");
        tauri::async_runtime::block_on(state.current().stop());
    }

    /// Inside a runtime (a switch, the tests): the same, on the caller's runtime.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_demo_started_within_a_runtime_serves_inspections_and_switches() {
        let state = AppState::starting(EstateChoice::Demo("migrate".into())).unwrap();
        let (a, b) = tokio::join!(state.inspect_fleet(), state.inspect_fleet());
        assert_eq!(names(&a.unwrap()), ["new-host", "old-host", "prod-1"]);
        assert_eq!(names(&b.unwrap()), ["new-host", "old-host", "prod-1"]);
        let info = state
            .open_estate(EstateChoice::Demo("fresh".into()))
            .await
            .unwrap();
        assert_eq!(info.scenario.as_deref(), Some("fresh"));
        assert_eq!(
            names(&state.inspect_fleet().await.unwrap()),
            ["host", "member-1"]
        );
        state.current().stop().await;
    }

    #[test]
    fn an_unknown_scenario_is_refused_before_anything_starts() {
        let e = AppState::starting(EstateChoice::Demo("no-such-scenario".into())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid, "{e:?}");
        assert!(e.message.contains("no-such-scenario"), "{}", e.message);
    }
}
