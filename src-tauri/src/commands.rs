//! Tauri commands: each takes the app state, calls one core function, returns data or an
//! `AppError`.

use ksmc_core::fleet::FleetReport;
use ksmc_core::{AppError, EstateView};

use crate::state::AppState;

/// Facts of every cluster of the open estate.
#[tauri::command]
#[specta::specta]
pub async fn list_clusters(state: tauri::State<'_, AppState>) -> Result<EstateView, AppError> {
    state.inspect().await
}

/// Facts of every cluster of the open estate and the findings they imply.
#[tauri::command]
#[specta::specta]
pub async fn inspect_fleet(state: tauri::State<'_, AppState>) -> Result<FleetReport, AppError> {
    state.inspect_fleet().await
}
