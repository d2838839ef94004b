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
use std::time::{Duration, Instant};

use crate::common::Result;
use crate::procmem::{ProcMem, tree_memory};

/// What the apps print once their first screen has painted.
pub const PAINTED_LINE: &str = "ksmc-bench: painted";

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
                let _ = tx.send(Instant::now());
            }
        }
    });
    let painted = match rx.recv_timeout(timeout) {
        Ok(at) => at.duration_since(began).as_secs_f64(),
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
    std::thread::sleep(settle);
    let processes = tree_memory(running.0.id());
    drop(running);
    Ok(Launch {
        painted_s: painted,
        processes,
    })
}
