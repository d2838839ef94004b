//! A bare Tauri 2 window: the same tauri, window size, CSP and release profile as the ksmc
//! desktop app, showing an empty page. `ksmc-bench desktop` measures it beside the app.
//!
//! Its page calls `ui_painted` two animation frames after it loads, exactly as the app's UI
//! does after the estate overview has rendered its data, and the command prints the same line
//! (`ksmc-bench: painted`, when `KSMC_BENCH_SIGNAL=1`) as the app's `bench::ui_painted`. It is
//! kept apart from the app on purpose: linking ksmc's crates would make it no longer bare.

// No console window on Windows release builds, as for the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

static SIGNALLED: AtomicBool = AtomicBool::new(false);

/// The page has painted (first call only; a no-op unless `KSMC_BENCH_SIGNAL=1`).
#[tauri::command]
fn ui_painted() {
    if std::env::var_os("KSMC_BENCH_SIGNAL").is_some_and(|v| v == "1")
        && !SIGNALLED.swap(true, Ordering::SeqCst)
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "ksmc-bench: painted");
        let _ = out.flush();
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ui_painted])
        .run(tauri::generate_context!())
        .expect("error while running the bare window");
}
