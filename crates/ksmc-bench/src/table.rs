//! The 20,000-row table in the real WebKitGTK window: serves an estate whose member holds
//! that many projects, then runs the real-window test `tests/e2e/tests/table_bench.rs`
//! (tauri-driver + WebKitWebDriver) against the release app, and reads back its figures.

use std::path::{Path, PathBuf};
use std::process::Command;

use ksmc_sim::Scenario;
use ksmc_sim::scenario::BigSize;
use serde_json::Value;

use crate::common::{Env, Result};

/// The figures the window test measured (`firstRenderMs`, `filterMs`, medians …).
pub async fn measure(repo: &Path, app: &Path, rows: usize, runs: usize) -> Result<Value> {
    // 1 host + 1 member holding every project, no added latency: the table is what is timed.
    let size = BigSize {
        members: 1,
        namespaces: rows,
        users: 100,
        workspaces: 100,
    };
    println!("desktop: serving a member with {rows} projects for the table …");
    let env = Env::start(&Scenario::big(&size), 0).await?;
    let out = tempfile::tempdir()?;
    let json = out.path().join("table.json");
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .arg("test")
        .arg("--manifest-path")
        .arg(repo.join("tests/e2e/Cargo.toml"))
        .args(["--test", "table_bench", "--"])
        .args(["--ignored", "--nocapture", "--test-threads=1"])
        .env("KSMC_APP", app)
        .env("KSMC_KUBECONFIG_DIR", env.dir.path())
        .env("KSMC_TABLE_CLUSTER", "member-01")
        .env("KSMC_TABLE_ROWS", rows.to_string())
        .env("KSMC_TABLE_RUNS", runs.to_string())
        .env("KSMC_TABLE_JSON", &json)
        .env_remove("KSMC_DEMO_SCENARIO");
    // The estate keeps serving on the runtime's workers while the test runs on this thread's
    // blocking pool.
    let status = tokio::task::spawn_blocking(move || command.status()).await??;
    env.shutdown().await;
    if !status.success() {
        return Err(format!("the window test table_bench failed ({status})").into());
    }
    let text = std::fs::read_to_string(&json)
        .map_err(|e| format!("table_bench wrote no figures ({}): {e}", json.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// The repository root (this crate is `crates/ksmc-bench`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
