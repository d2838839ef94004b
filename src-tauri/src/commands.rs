//! Tauri commands: each takes the app state, calls one core function, returns data or an
//! `AppError`. Nothing secret crosses this boundary: the vault commands return the registry's
//! non-secret records and reviews, never a kubeconfig.

use ksmc_core::AppError;
use ksmc_core::fleet::FleetReport;
use ksmc_core::vault::{ClusterRecord, ExecReview, VaultListing};

use crate::state::{AppState, EstateInfo};

/// Where the open estate comes from (demo or a directory). Reads no cluster.
#[tauri::command]
#[specta::specta]
pub fn estate_info(state: tauri::State<'_, AppState>) -> EstateInfo {
    state.estate_info()
}

/// Facts of every cluster of the open estate and the findings they imply.
#[tauri::command]
#[specta::specta]
pub async fn inspect_fleet(state: tauri::State<'_, AppState>) -> Result<FleetReport, AppError> {
    state.inspect_fleet().await
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
