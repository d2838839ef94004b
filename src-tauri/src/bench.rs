//! The start-up timeline and the "painted" signal of the desktop benchmark
//! (`ksmc-bench desktop`, issue 7).
//!
//! [`start`] is the first thing `main` does; [`mark`] records a phase of the launch (builder,
//! setup, the estate opening, the page load, the first IPC call of each command…) as the
//! monotonic time since then. The UI calls [`ui_painted`] once, two animation frames after the
//! estate overview has rendered its data, with the marks of its own start-up (navigation
//! start, script run, first commit, painted) as wall-clock milliseconds. When the benchmark
//! launched the app (`KSMC_BENCH_SIGNAL=1`), the command prints [`PAINTED_LINE`] on stdout,
//! then [`PHASES_PREFIX`] and the whole timeline as JSON (process marks and page marks on one
//! axis, from `main`), and the benchmark stops its launch clock when it reads the first line.
//! The bare Tauri window of `crates/ksmc-bench-bare` prints the same lines the same way, so
//! both are timed alike. Otherwise the command does nothing and nothing is recorded beyond a
//! few timestamps.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Set to `1` by the benchmark to turn the signal on.
pub const SIGNAL_ENV: &str = "KSMC_BENCH_SIGNAL";
/// The line printed on stdout when the first screen with data has been painted.
pub const PAINTED_LINE: &str = "ksmc-bench: painted";
/// Starts the line printed right after [`PAINTED_LINE`]: the timeline as JSON.
pub const PHASES_PREFIX: &str = "ksmc-bench: phases ";

/// At most this many page marks are kept, and each name is cut to [`MAX_NAME`] bytes: the
/// page cannot make the app hold or print more than that.
const MAX_PAGE_MARKS: usize = 32;
const MAX_NAME: usize = 48;
/// At most this many process marks (each phase is marked once).
const MAX_MARKS: usize = 64;

static SIGNALLED: AtomicBool = AtomicBool::new(false);
static TIMELINE: OnceLock<Timeline> = OnceLock::new();

#[derive(Debug)]
struct Timeline {
    /// Whether marks are recorded: only when the benchmark asked for the signal.
    enabled: bool,
    origin: Instant,
    /// Wall clock at `origin`, in ms since the Unix epoch: the page's marks are wall-clock
    /// times, and the benchmark's spawn time is one too.
    origin_epoch_ms: f64,
    marks: Mutex<Vec<Mark>>,
}

/// One phase of the start-up, in ms since `main` started.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mark {
    pub name: String,
    pub ms: f64,
}

/// A start-up mark of the page: its name and when, in wall-clock ms since the Unix epoch
/// (`performance.timeOrigin + mark.startTime`).
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PageMark {
    pub name: String,
    pub epoch_ms: f64,
}

/// The whole timeline, as printed after [`PAINTED_LINE`].
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Phases {
    /// Wall clock when `main` started, ms since the Unix epoch (the benchmark subtracts its
    /// spawn time to get the time from exec to `main`).
    pub main_epoch_ms: f64,
    /// Process and page marks, in ms since `main` started, in time order.
    pub marks: Vec<Mark>,
}

fn epoch_ms(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn signal_on() -> bool {
    std::env::var_os(SIGNAL_ENV).is_some_and(|v| v == "1")
}

fn timeline() -> &'static Timeline {
    TIMELINE.get_or_init(|| Timeline {
        enabled: signal_on(),
        origin: Instant::now(),
        origin_epoch_ms: epoch_ms(SystemTime::now()),
        marks: Mutex::new(Vec::new()),
    })
}

/// Starts the timeline; call it first in `main` (later calls do nothing). Marks are recorded
/// only under `KSMC_BENCH_SIGNAL=1`.
pub fn start() {
    let _ = timeline();
}

/// Whether marks are recorded (`KSMC_BENCH_SIGNAL=1`): check it before building a name.
#[must_use]
pub fn enabled() -> bool {
    timeline().enabled
}

/// Records that `name` happened now (the first time only; at most [`MAX_MARKS`] marks).
pub fn mark(name: &str) {
    let t = timeline();
    if !t.enabled {
        return;
    }
    let ms = t.origin.elapsed().as_secs_f64() * 1000.0;
    let mut marks = t.marks.lock().unwrap_or_else(PoisonError::into_inner);
    if marks.len() < MAX_MARKS && !marks.iter().any(|m| m.name == name) {
        marks.push(Mark {
            name: name.to_owned(),
            ms,
        });
    }
}

/// The process marks and `page` marks on one axis, ms since `main`, sorted by time. Page
/// marks are capped in number and name length and named `page:…`.
#[must_use]
pub fn phases(page: &[PageMark]) -> Phases {
    let t = timeline();
    let mut marks = t
        .marks
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    marks.extend(
        page.iter()
            .filter(|m| m.epoch_ms.is_finite())
            .take(MAX_PAGE_MARKS)
            .map(|m| {
                let name: String = m
                    .name
                    .chars()
                    .filter(|c| c.is_ascii_graphic())
                    .scan(0, |len, c| {
                        *len += 1;
                        (*len <= MAX_NAME).then_some(c)
                    })
                    .collect();
                Mark {
                    name: format!("page:{name}"),
                    ms: m.epoch_ms - t.origin_epoch_ms,
                }
            }),
    );
    marks.sort_by(|a, b| a.ms.total_cmp(&b.ms));
    Phases {
        main_epoch_ms: t.origin_epoch_ms,
        marks,
    }
}

/// The UI has painted the estate overview with its data (first call only; a no-op unless
/// `KSMC_BENCH_SIGNAL=1`). `marks`: the page's own start-up marks, printed with the app's.
#[tauri::command]
#[specta::specta]
#[allow(clippy::needless_pass_by_value)] // a command's arguments are deserialised, owned
pub fn ui_painted(marks: Vec<PageMark>) {
    mark("ui-painted");
    if signal_on() && !SIGNALLED.swap(true, Ordering::SeqCst) {
        let phases = serde_json::to_string(&phases(&marks)).unwrap_or_default();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{PAINTED_LINE}");
        let _ = writeln!(out, "{PHASES_PREFIX}{phases}");
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_marks_join_the_process_marks_on_one_axis_capped() {
        let _ = TIMELINE.set(Timeline {
            enabled: true,
            origin: Instant::now(),
            origin_epoch_ms: epoch_ms(SystemTime::now()),
            marks: Mutex::new(Vec::new()),
        });
        mark("test-a");
        mark("test-a"); // once only
        let origin = timeline().origin_epoch_ms;
        let mut page = vec![
            PageMark {
                name: "script".into(),
                epoch_ms: origin + 5_000.0,
            },
            PageMark {
                name: "x".repeat(500) + "\n",
                epoch_ms: origin - 1.0,
            },
            PageMark {
                name: "nan".into(),
                epoch_ms: f64::NAN,
            },
        ];
        page.extend((0..100).map(|i| PageMark {
            name: format!("m{i}"),
            epoch_ms: origin + 9_000.0,
        }));
        let p = phases(&page);
        assert_eq!(p.marks.iter().filter(|m| m.name == "test-a").count(), 1);
        let script = p.marks.iter().find(|m| m.name == "page:script").unwrap();
        assert!((script.ms - 5_000.0).abs() < 1e-6, "{script:?}");
        let long = p
            .marks
            .iter()
            .find(|m| m.name.starts_with("page:xx"))
            .unwrap();
        assert_eq!(long.name.len(), "page:".len() + MAX_NAME);
        assert!(long.ms < 0.0);
        assert!(p.marks.iter().all(|m| m.name != "page:nan"));
        assert_eq!(
            p.marks
                .iter()
                .filter(|m| m.name.starts_with("page:"))
                .count(),
            MAX_PAGE_MARKS
        );
        assert!(p.marks.windows(2).all(|w| w[0].ms <= w[1].ms), "sorted");
    }
}
