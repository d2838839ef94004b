//! A bare Tauri 2 window: the same tauri, window size, CSP and release profile as the ksmc
//! desktop app, showing an empty page. `ksmc-bench desktop` measures it beside the app.
//!
//! Its page calls `ui_painted` two animation frames after it loads, exactly as the app's UI
//! does after the estate overview has rendered its data, and the command prints the same lines
//! (`ksmc-bench: painted`, then `ksmc-bench: phases {…}`, when `KSMC_BENCH_SIGNAL=1`) as the
//! app's `bench::ui_painted`: the start-up timeline (builder, setup, page load, first IPC call
//! and the page's own marks), so the two launches can be compared phase by phase. It is kept
//! apart from the app on purpose: linking ksmc's crates would make it no longer bare.

// No console window on Windows release builds, as for the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

static SIGNALLED: AtomicBool = AtomicBool::new(false);

/// When `main` began (monotonic, and the wall clock in ms since the Unix epoch), and the
/// marks since: name and ms since `main`.
struct Timeline {
    origin: Instant,
    origin_epoch_ms: f64,
    marks: Mutex<Vec<(String, f64)>>,
}

static TIMELINE: LazyLock<Timeline> = LazyLock::new(|| Timeline {
    origin: Instant::now(),
    origin_epoch_ms: SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    marks: Mutex::new(Vec::new()),
});

fn mark(name: &str) {
    let ms = TIMELINE.origin.elapsed().as_secs_f64() * 1000.0;
    let mut marks = TIMELINE
        .marks
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if !marks.iter().any(|(n, _)| n == name) {
        marks.push((name.to_owned(), ms));
    }
}

/// A mark of the page: name and wall-clock ms since the Unix epoch.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageMark {
    name: String,
    epoch_ms: f64,
}

/// The page has painted (first call only; a no-op unless `KSMC_BENCH_SIGNAL=1`).
#[tauri::command]
#[allow(clippy::needless_pass_by_value)] // a command's arguments are deserialised, owned
fn ui_painted(marks: Vec<PageMark>) {
    mark("ui-painted");
    if std::env::var_os("KSMC_BENCH_SIGNAL").is_some_and(|v| v == "1")
        && !SIGNALLED.swap(true, Ordering::SeqCst)
    {
        let mut all: Vec<serde_json::Value> = TIMELINE
            .marks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(name, ms)| serde_json::json!({ "name": name, "ms": ms }))
            .collect();
        all.extend(marks.iter().take(32).map(|m| {
            let name: String = m.name.chars().filter(char::is_ascii_graphic).take(48).collect();
            serde_json::json!({ "name": format!("page:{name}"), "ms": m.epoch_ms - TIMELINE.origin_epoch_ms })
        }));
        let phases = serde_json::json!({ "mainEpochMs": TIMELINE.origin_epoch_ms, "marks": all });
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "ksmc-bench: painted");
        let _ = writeln!(out, "ksmc-bench: phases {phases}");
        let _ = out.flush();
    }
}

fn main() {
    LazyLock::force(&TIMELINE);
    mark("builder");
    let handler: Box<dyn Fn(tauri::ipc::Invoke) -> bool + Send + Sync> =
        Box::new(tauri::generate_handler![ui_painted]);
    let app = tauri::Builder::default()
        .on_page_load(|_, payload| {
            mark(match payload.event() {
                tauri::webview::PageLoadEvent::Started => "page-load-started",
                tauri::webview::PageLoadEvent::Finished => "page-load-finished",
            });
        })
        .invoke_handler(move |invoke| {
            mark(&format!("ipc:{}", invoke.message.command()));
            handler(invoke)
        })
        .setup(|_| {
            mark("setup");
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("error while starting the bare window");
    mark("built");
    app.run(|_, event| {
        if matches!(event, tauri::RunEvent::Ready) {
            mark("event-loop-ready");
        }
    });
}
