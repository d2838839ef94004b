//! The guided workflows: plan and save a run, apply or resume it with progress, cancel it.
//! A run applies on the estate it was registered on, even if the window switches meanwhile
//! (a switch is refused while it runs).

use ksmc_core::workflow::{
    self, ApplyOptions, CancelFlag, Plan, Progress, RunEvent, RunReport, RunSummary, Runs,
    WorkflowInput,
};
use ksmc_core::{AppError, ErrorKind};

use super::AppState;
use super::estate::Open;

/// Removes a run from the registry of running runs when its apply ends, however it ends.
struct Registered<'a> {
    state: &'a AppState,
    id: String,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.state.running_runs().remove(&self.id);
    }
}

impl AppState {
    fn runs_of(&self, open: &Open) -> Result<Runs, AppError> {
        match open.demo_runs() {
            Some(demo) => Ok(demo),
            None => self.runs.clone().map_or_else(Runs::open_default, Ok),
        }
    }

    fn runs(&self) -> Result<Runs, AppError> {
        self.runs_of(&self.current())
    }

    /// Plans a workflow from live reads and saves it as a run; the plan carries the run's id.
    ///
    /// # Errors
    /// A refusal of the input or the estate (nothing written), or the runs directory.
    pub async fn plan_workflow(&self, input: &WorkflowInput) -> Result<Plan, AppError> {
        let open = self.current();
        let clusters = self.clusters_of(&open).await?;
        let input = input.clone();
        let plan =
            off_thread(move |rt| rt.block_on(workflow::plan_workflow(&input, &clusters))).await?;
        self.runs_of(&open)?.create(&plan)?;
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
        let cancel = CancelFlag::default();
        // The estate is taken and the run registered under one lock: a switch either happens
        // before (the run applies on the new estate) or is refused until the run ends.
        let (open, run, _registered) = {
            let mut running = self.running_runs();
            let open = self.current();
            let run = self.runs_of(&open)?.open(run_id)?;
            running.insert(run.id().to_owned(), cancel.clone());
            let registered = Registered {
                state: self,
                id: run.id().to_owned(),
            };
            (open, run, registered)
        };
        let clusters = self.clusters_of(&open).await?;
        let options = ApplyOptions {
            check_stale: !resume,
            cancel,
            ..ApplyOptions::default()
        };
        off_thread(move |rt| rt.block_on(workflow::apply(&clusters, &run, &options, &progress)))
            .await
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

    /// Every saved run of the open estate's kind (the demo's own, or the real ones), newest
    /// first.
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
