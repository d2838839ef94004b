//! The "painted" signal of the desktop benchmark (`ksmc-bench desktop`, issue 8).
//!
//! The UI calls [`ui_painted`] once, two animation frames after the estate overview has
//! rendered its data. When the benchmark launched the app (`KSMC_BENCH_SIGNAL=1`), the command
//! prints [`PAINTED_LINE`] on stdout, and the benchmark stops its launch clock when it reads
//! it. The bare Tauri window of `crates/ksmc-bench-bare` prints the same line the same way, so
//! both are timed alike. Otherwise the command does nothing: it reads and writes no state.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set to `1` by the benchmark to turn the signal on.
pub const SIGNAL_ENV: &str = "KSMC_BENCH_SIGNAL";
/// The line printed on stdout when the first screen with data has been painted.
pub const PAINTED_LINE: &str = "ksmc-bench: painted";

static SIGNALLED: AtomicBool = AtomicBool::new(false);

/// The UI has painted the estate overview with its data (first call only; a no-op unless
/// `KSMC_BENCH_SIGNAL=1`).
#[tauri::command]
#[specta::specta]
pub fn ui_painted() {
    if std::env::var_os(SIGNAL_ENV).is_some_and(|v| v == "1")
        && !SIGNALLED.swap(true, Ordering::SeqCst)
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{PAINTED_LINE}");
        let _ = out.flush();
    }
}
