//! The webview's rendering settings, and the window's size and position, remembered. tauri-plugin-window-state restores them at
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

/// Set to `1` to let WebKitGTK composite the page on the GPU (its default) instead of
/// painting it on the CPU.
pub const GPU_ENV: &str = "KSMC_WEBVIEW_GPU";

/// Linux: paints the page without WebKitGTK's accelerated (OpenGL) compositing, unless
/// `KSMC_WEBVIEW_GPU=1`. Measured by `ksmc-bench desktop` (docs/BENCHMARKS.md, "desktop"):
/// compositing costs the overview ≈3 s before its first paint and ≈135 MB in the page process
/// where OpenGL is Mesa's software renderer (virtual machines, remote and headless sessions),
/// and this app's screens (tables, cards, a small topology) need none of it. Call it right
/// after the window is created, before the event loop runs the page. Elsewhere a no-op.
pub fn configure_webview<R: Runtime>(window: &tauri::WebviewWindow<R>) {
    let set = |name: &str, value: &str| std::env::var_os(name).is_some_and(|v| v == value);
    // Under WebDriver (tauri-driver sets this) WebKit keeps its default unless told otherwise
    // (`KSMC_WEBVIEW_GPU=0`): with compositing off, WebKitWebDriver's screenshot command never
    // answers (traced in the onboarding e2e: clicks, scripts and animation frames all run; the
    // first "take screenshot" hangs), and the e2e tests save screenshots.
    if set(GPU_ENV, "1") || (set("TAURI_WEBVIEW_AUTOMATION", "true") && !set(GPU_ENV, "0")) {
        return;
    }
    #[cfg(target_os = "linux")]
    if let Err(e) = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt as _, WebViewExt as _};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
        crate::bench::mark("webview-configured");
    }) {
        tracing::warn!(error = %e, "cannot configure the webview's rendering");
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
