//! `ksmc-bench worker` (hidden): runs one ksmc operation against an estate served by the
//! parent process and prints one JSON line, so that its peak memory (`VmHWM`) and CPU time
//! are ksmc's alone, without the simulator's.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::common::{Result, cpu_seconds, load_sources, median, peak_rss_mib};
use crate::ops::{self, Inspected, Unbound};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Op {
    Inspect,
    Unbind,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    op: Op,
    /// The estate's kubeconfig directory.
    #[arg(long)]
    dir: PathBuf,
    /// Inspections to run (unbind runs once: it changes the estate).
    #[arg(long, default_value_t = 1)]
    runs: usize,
    #[arg(long, default_value = "member-01")]
    member: String,
    #[arg(long, default_value = "host")]
    host: String,
}

/// What a worker reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// Median wall time of the operation (plan + apply for unbind).
    pub seconds: f64,
    pub samples: Vec<f64>,
    /// CPU time of the whole worker process.
    pub cpu_seconds: f64,
    pub peak_rss_mib: f64,
    pub inspected: Option<Inspected>,
    pub unbound: Option<Unbound>,
}

pub async fn run(args: Args) -> Result<()> {
    let sources = load_sources(&args.dir)?;
    let mut out = Output {
        seconds: 0.0,
        samples: Vec::new(),
        cpu_seconds: 0.0,
        peak_rss_mib: 0.0,
        inspected: None,
        unbound: None,
    };
    match args.op {
        Op::Inspect => {
            for _ in 0..args.runs.max(1) {
                let i = ops::inspect(&sources).await;
                out.samples.push(i.seconds);
                out.inspected = Some(i);
            }
        }
        Op::Unbind => {
            let runs_dir = args.dir.join(format!("runs-{}", std::process::id()));
            let u = ops::unbind(&sources, &runs_dir, &args.member, &args.host).await?;
            out.samples.push(u.total());
            out.unbound = Some(u);
        }
    }
    out.seconds = median(&out.samples);
    out.cpu_seconds = cpu_seconds().unwrap_or(f64::NAN);
    out.peak_rss_mib = peak_rss_mib().unwrap_or(f64::NAN);
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}

/// Runs `ksmc-bench worker ARGS… --dir DIR` (this executable) and reads its report.
pub async fn spawn(args: &[&str], dir: &Path) -> Result<Output> {
    let exe = std::env::current_exe()?;
    let mut command = Command::new(exe);
    command
        .arg("worker")
        .args(args)
        .arg("--dir")
        .arg(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    let output = tokio::task::spawn_blocking(move || command.output()).await??;
    if !output.status.success() {
        return Err(format!("the worker failed: {}", output.status).into());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().ok_or("the worker printed nothing")?;
    Ok(serde_json::from_str(line)?)
}
