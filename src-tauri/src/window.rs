//! The window's size and position, remembered. tauri-plugin-window-state restores them at
//! start and saves them on a clean quit; this also saves them shortly after the user stops
//! moving or resizing the window, so they survive a crash or a killed session.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{Manager as _, Runtime, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt as _, StateFlags};

/// What is remembered: size, position and maximised state (not visibility or decorations).
pub const REMEMBERED: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// How long the window must stay still before its state is written.
const QUIET: Duration = Duration::from_millis(500);

/// Counts moves and resizes; only the last of a burst writes the file.
#[derive(Debug, Default)]
pub struct PendingSave(Arc<AtomicU64>);

/// The plugin, restoring and saving [`REMEMBERED`].
#[must_use]
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_window_state::Builder::default()
        .with_state_flags(REMEMBERED)
        .build()
}

/// Schedules a save after a move or resize (wire to `Builder::on_window_event`).
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
        return;
    }
    let app = window.app_handle().clone();
    let Some(pending) = app.try_state::<PendingSave>() else {
        return;
    };
    let counter = Arc::clone(&pending.0);
    let ticket = counter.fetch_add(1, Ordering::SeqCst) + 1;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(QUIET).await;
        if counter.load(Ordering::SeqCst) != ticket {
            return; // moved or resized again since: that event saves
        }
        if let Err(e) = app.save_window_state(REMEMBERED) {
            tracing::warn!(error = %e, "cannot save the window's size and position");
        }
    });
}
