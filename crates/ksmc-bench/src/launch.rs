//! Launching a desktop app the way a user does and timing it to its first painted screen.
//!
//! The app prints [`PAINTED_LINE`] on stdout when its UI reports, two animation frames after
//! rendering, that the first screen has painted (`KSMC_BENCH_SIGNAL=1`; `src-tauri/src/bench.rs`
//! and `crates/ksmc-bench-bare` print the same line). The clock runs from just before the
//! process is spawned until that line is read. Each launch gets a fresh home, config, data
//! and cache directory, so every launch is a first start and no two launches share state.

use std::io::{BufRead as _, BufReader};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::common::Result;
use crate::procmem::{ProcMem, tree_memory};

/// What the apps print once their first screen has painted.
pub const PAINTED_LINE: &str = "ksmc-bench: painted";
/// What starts the line the apps print right after: their start-up timeline as JSON
/// (`src-tauri/src/bench.rs`).
pub const PHASES_PREFIX: &str = "ksmc-bench: phases ";

/// One phase of a launch, in ms since the process was spawned.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Phase {
    pub name: String,
    pub ms: f64,
}

/// The app's timeline as it prints it: marks in ms since its `main`, and when `main` began.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Printed {
    main_epoch_ms: f64,
    marks: Vec<Phase>,
}

/// What the reader of the app's stdout saw.
enum Seen {
    Painted(Instant),
    Phases(String),
}

/// An app to launch, with the environment it needs beyond the fresh directories.
#[derive(Debug, Clone)]
pub struct App {
    pub label: &'static str,
    pub bin: PathBuf,
    pub envs: Vec<(String, String)>,
    /// Variables removed from the app's environment (e.g. another estate's directory).
    pub env_remove: Vec<String>,
}

/// One launch: seconds to the painted signal, and the memory of the app's processes once it
/// had been idle for the settle time.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Launch {
    pub painted_s: f64,
    pub processes: Vec<ProcMem>,
    /// The start-up phases, ms since the spawn (`main` first; the page's marks `page:…`), in
    /// time order; empty when the app printed none.
    pub phases: Vec<Phase>,
}

/// The app's process group, stopped (TERM, then KILL) when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let signal = |sig: &str| {
            let _ = Command::new("kill")
                .args([sig, "--", &group])
                .stderr(Stdio::null())
                .status();
        };
        signal("-TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // The WebKit processes share the group: make sure none outlives the launch.
        signal("-KILL");
        let _ = self.0.wait();
    }
}

/// The last lines the app wrote on stderr, to explain a failed launch.
fn stderr_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

/// Launches `app`, waits for its painted signal (at most `timeout`), lets it idle for
/// `settle`, reads its processes' memory and stops it.
pub fn launch(app: &App, settle: Duration, timeout: Duration) -> Result<Launch> {
    let home = tempfile::tempdir()?;
    let dir = |name: &str| -> Result<PathBuf> {
        let d = home.path().join(name);
        std::fs::create_dir_all(&d)?;
        Ok(d)
    };
    let stderr_path = home.path().join("stderr.log");
    let mut command = Command::new(&app.bin);
    command
        .env("KSMC_BENCH_SIGNAL", "1")
        .env("KSMC_HOME", dir("ksmc")?)
        .env("XDG_CONFIG_HOME", dir("config")?)
        .env("XDG_DATA_HOME", dir("data")?)
        .env("XDG_CACHE_HOME", dir("cache")?);
    for name in &app.env_remove {
        command.env_remove(name);
    }
    command
        .envs(app.envs.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path)?)
        // Its own process group, so the app and its WebKit processes stop together.
        .process_group(0);

    let spawn_epoch_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let began = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", app.bin.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let running = Running(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.trim() == PAINTED_LINE {
                let _ = tx.send(Seen::Painted(Instant::now()));
            } else if let Some(json) = line.strip_prefix(PHASES_PREFIX) {
                let _ = tx.send(Seen::Phases(json.to_owned()));
            }
        }
    });
    let painted = match rx.recv_timeout(timeout) {
        Ok(Seen::Painted(at)) => at.duration_since(began).as_secs_f64(),
        Ok(Seen::Phases(_)) => {
            return Err(format!("{}: phases before the painted line", app.label).into());
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            return Err(format!(
                "{} did not signal its first paint within {} s; its stderr ends with:\n{}",
                app.label,
                timeout.as_secs(),
                stderr_tail(&stderr_path)
            )
            .into());
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            return Err(format!(
                "{} exited before its first paint; its stderr ends with:\n{}",
                app.label,
                stderr_tail(&stderr_path)
            )
            .into());
        }
    };
    // The timeline follows the painted line at once.
    let phases = match rx.recv_timeout(Duration::from_secs(5)) {
        Ok(Seen::Phases(json)) => phases_since_spawn(&json, spawn_epoch_ms)
            .map_err(|e| format!("{}: unreadable phases ({e}): {json}", app.label))?,
        _ => Vec::new(),
    };
    std::thread::sleep(settle);
    let processes = tree_memory(running.0.id());
    drop(running);
    Ok(Launch {
        painted_s: painted,
        processes,
        phases,
    })
}

/// The printed timeline on the spawn's axis: `main` (exec, dynamic loading, static
/// initialisers) first, then every mark shifted by when `main` began.
fn phases_since_spawn(json: &str, spawn_epoch_ms: f64) -> Result<Vec<Phase>> {
    let printed: Printed = serde_json::from_str(json)?;
    let main = printed.main_epoch_ms - spawn_epoch_ms;
    let mut phases = vec![Phase {
        name: "main".into(),
        ms: main,
    }];
    phases.extend(printed.marks.into_iter().map(|p| Phase {
        name: p.name,
        ms: p.ms + main,
    }));
    phases.sort_by(|a, b| a.ms.total_cmp(&b.ms));
    Ok(phases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puts_the_printed_marks_on_the_spawn_axis() {
        let json = r#"{"mainEpochMs":1000.0,"marks":[{"name":"setup","ms":40.0},{"name":"page:script","ms":-5.0}]}"#;
        let phases = phases_since_spawn(json, 990.0).unwrap();
        let names: Vec<&str> = phases.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["page:script", "main", "setup"]);
        assert!((phases[1].ms - 10.0).abs() < 1e-9);
        assert!((phases[2].ms - 50.0).abs() < 1e-9);
        assert!(phases_since_spawn("{}", 0.0).is_err());
    }
}
