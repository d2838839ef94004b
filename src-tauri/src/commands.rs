//! Tauri commands: each takes the app state, calls one core function, returns data or an
//! `AppError`. Nothing secret crosses this boundary: the vault commands return the registry's
//! non-secret records and reviews, never a kubeconfig.

use ksmc_core::AppError;
use ksmc_core::fleet::{FleetReport, PreflightReport};
use ksmc_core::vault::{Acknowledgement, ClusterRecord, ExecReview, VaultListing};
use ksmc_core::workflow::{Plan, RunEvent, RunReport, RunSummary, WorkflowInput};
use tauri::ipc::Channel;

use crate::import::{self, AddChoice, AddOutcome, ContextsPreview, KubeconfigSource};
use crate::live::LiveViews;
use crate::state::{self, AppState, ChannelProgress, EstateInfo, OpenEstate};

/// Where the open estate comes from (demo or a directory). Reads no cluster.
#[tauri::command]
#[specta::specta]
pub fn estate_info(state: tauri::State<'_, AppState>) -> EstateInfo {
    state.estate_info()
}

/// Switches to the vault's clusters or to the demo estate on a scenario; the demo left
/// behind is stopped. Refused while a run applies (`Locked`), or for an unknown scenario
/// (`Invalid`); nothing changes then.
#[tauri::command]
#[specta::specta]
pub async fn open_estate(
    state: tauri::State<'_, AppState>,
    choice: OpenEstate,
) -> Result<EstateInfo, AppError> {
    state.open_estate(choice.into()).await
}

/// The scenarios the demo estate can be opened on (ksmc-sim's catalog).
#[tauri::command]
#[specta::specta]
pub fn demo_scenarios() -> Vec<String> {
    state::demo_scenarios()
}

/// Facts of every cluster of the open estate and the findings they imply; kept for
/// `refresh_clusters` to patch.
#[tauri::command]
#[specta::specta]
pub async fn inspect_fleet(
    state: tauri::State<'_, AppState>,
    views: tauri::State<'_, LiveViews>,
) -> Result<FleetReport, AppError> {
    views.inspect(&state).await
}

/// The vault's clusters with their state, and the keyring's status.
#[tauri::command]
#[specta::specta]
pub async fn vault_list(state: tauri::State<'_, AppState>) -> Result<VaultListing, AppError> {
    state.with_vault(|v| v.list()).await
}

/// Renames a cluster of the vault (nothing is re-sealed).
#[tauri::command]
#[specta::specta]
pub async fn vault_rename(
    state: tauri::State<'_, AppState>,
    name: String,
    new_name: String,
) -> Result<ClusterRecord, AppError> {
    state.with_vault(move |v| v.rename(&name, &new_name)).await
}

/// Deletes a cluster's sealed kubeconfig and its metadata.
#[tauri::command]
#[specta::specta]
pub async fn vault_remove(
    state: tauri::State<'_, AppState>,
    name: String,
) -> Result<ClusterRecord, AppError> {
    state.with_vault(move |v| v.remove(&name)).await
}

/// What approving a cluster's exec credential plugin would approve. Runs nothing.
#[tauri::command]
#[specta::specta]
pub async fn vault_exec_review(
    state: tauri::State<'_, AppState>,
    name: String,
) -> Result<ExecReview, AppError> {
    state.with_vault(move |v| v.exec_review(&name)).await
}

/// Approves a cluster's exec plugin exactly as reviewed (`fingerprint` from the review).
#[tauri::command]
#[specta::specta]
pub async fn vault_approve_exec(
    state: tauri::State<'_, AppState>,
    name: String,
    fingerprint: String,
) -> Result<ClusterRecord, AppError> {
    state
        .with_vault(move |v| v.approve_exec(&name, &fingerprint))
        .await
}

/// The import preflight checklist for `member` into `host` as Cluster `name`, from live
/// reads. Writes nothing; checks speak of jwtSecret fingerprints, never the secret.
#[tauri::command]
#[specta::specta]
pub async fn preflight_import(
    state: tauri::State<'_, AppState>,
    host: String,
    member: String,
    name: String,
) -> Result<PreflightReport, AppError> {
    state.preflight_import(&host, &member, &name).await
}

/// Plans a workflow from live reads and saves it as a run (the plan's `id`). Writes nothing
/// to any cluster.
#[tauri::command]
#[specta::specta]
pub async fn plan_workflow(
    state: tauri::State<'_, AppState>,
    input: WorkflowInput,
) -> Result<Plan, AppError> {
    state.plan_workflow(&input).await
}

/// Applies a reviewed run; progress arrives on `on_event` in order. A plan the estate no
/// longer matches is refused (`StalePlan`), a held estate too (`Locked`).
#[tauri::command]
#[specta::specta]
pub async fn apply_run(
    state: tauri::State<'_, AppState>,
    run_id: String,
    on_event: Channel<RunEvent>,
) -> Result<RunReport, AppError> {
    state
        .apply_run(&run_id, false, ChannelProgress(on_event))
        .await
}

/// Carries on a run after a crash, a block, a pause or a cancel (steps done are skipped).
#[tauri::command]
#[specta::specta]
pub async fn resume_run(
    state: tauri::State<'_, AppState>,
    run_id: String,
    on_event: Channel<RunEvent>,
) -> Result<RunReport, AppError> {
    state
        .apply_run(&run_id, true, ChannelProgress(on_event))
        .await
}

/// Stops a running run before its next step.
#[tauri::command]
#[specta::specta]
pub fn cancel_run(state: tauri::State<'_, AppState>, run_id: String) -> Result<(), AppError> {
    state.cancel_run(&run_id)
}

/// Every saved run with its status and progress, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_runs(state: tauri::State<'_, AppState>) -> Result<Vec<RunSummary>, AppError> {
    state.list_runs()
}

/// A run's plan as a shell script of kubectl commands, for review or export.
#[tauri::command]
#[specta::specta]
pub fn run_script(state: tauri::State<'_, AppState>, run_id: String) -> Result<String, AppError> {
    state.run_script(&run_id)
}

/// The contexts of a kubeconfig (pasted text or the user's own), each with the
/// acknowledgements it needs, its exec plugin's command, or why the vault refuses it. Stores
/// nothing; the pasted text is never sent back.
#[tauri::command]
#[specta::specta]
pub async fn vault_contexts(source: KubeconfigSource) -> Result<ContextsPreview, AppError> {
    tokio::task::spawn_blocking(move || import::contexts(&source))
        .await
        .map_err(|e| AppError::new(ksmc_core::ErrorKind::Internal, format!("import task: {e}")))?
        .map_err(AppError::from)
}

/// Seals the chosen contexts of a kubeconfig into the vault under their names, with the
/// acknowledgements the user ticked. Exec plugins are stored pending approval.
#[tauri::command]
#[specta::specta]
pub async fn vault_add(
    state: tauri::State<'_, AppState>,
    source: KubeconfigSource,
    choices: Vec<AddChoice>,
    acknowledgements: Vec<Acknowledgement>,
) -> Result<Vec<AddOutcome>, AppError> {
    state
        .with_vault(move |v| import::add(v, &source, &choices, &acknowledgements))
        .await
}
