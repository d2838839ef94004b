//! `sim`: the simulator's own benchmark (`ksmc-sim-bench`: LIST of 10,000 namespaces and
//! small-request throughput, each beside a bare hyper + rustls server returning the same
//! bytes), run as it is, `--runs` times; its figures are gathered into the common table.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{Ratio, Result, Table, median, write_json};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Namespaces seeded into the simulated host.
    #[arg(long, default_value_t = 10_000)]
    namespaces: usize,
    /// Timed LIST requests per measurement (each figure is their median).
    #[arg(long, default_value_t = 30)]
    iterations: usize,
    /// Concurrent keep-alive clients for the small-request throughput.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seconds per throughput measurement.
    #[arg(long, default_value_t = 3)]
    seconds: u64,
    /// Runs of the whole benchmark; medians of their figures are reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Seconds one run may take before it is stopped (it is then left out of the medians).
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// The `ksmc-sim-bench` executable (default: next to this one, built if missing).
    #[arg(long)]
    bin: Option<PathBuf>,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// The figures of one run, parsed from its output.
#[derive(Debug, Default, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Figures {
    namespaces: Option<f64>,
    /// median, p95, CPU/req, baseline median, baseline CPU (ms).
    list_json: Vec<f64>,
    list_table: Vec<f64>,
    /// median, p95, CPU (ms) of the whole walk.
    list_paged: Vec<f64>,
    /// req/s, median ms, CPU us, baseline req/s, baseline CPU us.
    throughput: Vec<f64>,
    targets: String,
}

pub fn run(args: &Args) -> Result<()> {
    crate::common::warn_debug();
    let bin = match &args.bin {
        Some(b) => b.clone(),
        None => locate()?,
    };
    println!(
        "sim: running {} {} time(s)",
        bin.display(),
        args.runs.max(1)
    );
    let mut all = Vec::new();
    let mut timed_out = Vec::new();
    for i in 0..args.runs.max(1) {
        println!("\n── ksmc-sim-bench run {} ──", i + 1);
        let run = run_once(&bin, args)?;
        print!("{}", run.text);
        match run.outcome {
            Outcome::Done => {}
            Outcome::Failed(why) => {
                return Err(format!("{} failed: {why}", bin.display()).into());
            }
            Outcome::TimedOut => {
                let last = run.text.lines().rev().find(|l| !l.trim().is_empty());
                println!(
                    "!! run {} timed out after {} s and was stopped; last line: {}",
                    i + 1,
                    args.timeout,
                    last.unwrap_or("(none)")
                );
                timed_out.push(json!({"run": i + 1, "lastLine": last}));
                continue;
            }
        }
        let text = run.text;
        all.push(parse(&text));
    }

    if all.is_empty() {
        return Err("no run of ksmc-sim-bench completed".into());
    }
    let pick = |f: fn(&Figures) -> &Vec<f64>, i: usize| {
        median(
            &all.iter()
                .filter_map(|r| f(r).get(i).copied())
                .collect::<Vec<_>>(),
        ) / 1000.0
    };
    let n = all.first().and_then(|f| f.namespaces).unwrap_or(f64::NAN);
    let mut table = Table::default();
    let bare = "bare hyper";
    table.seconds(
        &format!("LIST {n:.0} namespaces, JSON (median)"),
        pick(|f| &f.list_json, 0),
        pick(|f| &f.list_json, 3),
        bare,
        Ratio::Of("the bare server"),
    );
    table.seconds(
        "  CPU per LIST, JSON (server + client)",
        pick(|f| &f.list_json, 2),
        pick(|f| &f.list_json, 4),
        bare,
        Ratio::Of("the bare server"),
    );
    table.seconds(
        &format!("LIST {n:.0} namespaces, Table (median)"),
        pick(|f| &f.list_table, 0),
        pick(|f| &f.list_table, 3),
        bare,
        Ratio::Of("the bare server"),
    );
    table.seconds(
        "LIST in pages of 500 (whole walk, median)",
        pick(|f| &f.list_paged, 0),
        f64::NAN,
        "",
        Ratio::None,
    );
    let rate = |i: usize| {
        median(
            &all.iter()
                .filter_map(|r| r.throughput.get(i).copied())
                .collect::<Vec<_>>(),
        )
    };
    let (sim_rate, base_rate) = (rate(0), rate(3));
    table.text(
        &format!("GET one namespace, {} clients (req/s)", args.clients),
        format!("{sim_rate:.0}/s"),
        format!("{base_rate:.0}/s {bare}"),
        format!("{:.2}× the bare server's rate", sim_rate / base_rate),
    );
    table.text(
        "  CPU per small request",
        format!("{:.0} us", rate(2)),
        format!("{:.0} us {bare}", rate(4)),
        format!("{:.1}× the bare server", rate(2) / rate(4)),
    );
    table.print(&format!(
        "sim — medians of {} run(s), each figure itself a median of {} requests",
        all.len(),
        args.iterations
    ));
    println!();
    if let Some(last) = all.last() {
        println!("{}", last.targets);
    }
    let details = json!({
        "bin": bin.display().to_string(),
        "namespaces": args.namespaces,
        "iterations": args.iterations,
        "clients": args.clients,
        "seconds": args.seconds,
        "runs": all,
        "timedOut": timed_out,
    });
    write_json(args.json.as_deref(), "sim", &table, details)
}

enum Outcome {
    Done,
    Failed(String),
    TimedOut,
}

struct Run {
    text: String,
    outcome: Outcome,
}

/// Runs `ksmc-sim-bench` once, stopping it (by its pid) after `--timeout` seconds.
fn run_once(bin: &Path, args: &Args) -> Result<Run> {
    let mut child = Command::new(bin)
        .args([
            "--namespaces",
            &args.namespaces.to_string(),
            "--iterations",
            &args.iterations.to_string(),
            "--clients",
            &args.clients.to_string(),
            "--seconds",
            &args.seconds.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(args.timeout.max(1));
    let outcome = loop {
        if let Some(status) = child.try_wait()? {
            break if status.success() {
                Outcome::Done
            } else {
                Outcome::Failed(status.to_string())
            };
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break Outcome::TimedOut;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = reader.join().map_err(|_| "the output reader panicked")?;
    Ok(Run { text, outcome })
}

/// `ksmc-sim-bench` next to this executable. Under `cargo run` it is (re)built first with the
/// same profile, so it matches the sources; otherwise it is built only when missing.
fn locate() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().ok_or("no directory for this executable")?;
    let bin = dir.join(format!("ksmc-sim-bench{}", std::env::consts::EXE_SUFFIX));
    let under_cargo = std::env::var_os("CARGO");
    if bin.exists() && under_cargo.is_none() {
        return Ok(bin);
    }
    println!("building ksmc-sim-bench (cargo build -p ksmc-sim --bin ksmc-sim-bench)…");
    let mut command = Command::new(under_cargo.unwrap_or_else(|| "cargo".into()));
    command.args(["build", "-q", "-p", "ksmc-sim", "--bin", "ksmc-sim-bench"]);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let status = command.status()?;
    if !status.success() || !bin.exists() {
        return Err(format!(
            "cannot build {}; pass --bin PATH",
            Path::new(&bin).display()
        )
        .into());
    }
    Ok(bin)
}

/// Numbers in the columns of a `ksmc-sim-bench` row (after its 40-character label), units
/// and separators skipped.
fn numbers(line: &str) -> Vec<f64> {
    line.chars()
        .skip(40)
        .collect::<String>()
        .split_whitespace()
        .filter_map(|t| t.trim_end_matches('x').parse::<f64>().ok())
        .collect()
}

fn parse(text: &str) -> Figures {
    let mut f = Figures::default();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("ksmc-sim bench: ") {
            f.namespaces = rest.split_whitespace().next().and_then(|n| n.parse().ok());
        } else if line.starts_with("LIST all namespaces, JSON") {
            f.list_json = numbers(line);
        } else if line.starts_with("LIST all namespaces, Table") {
            f.list_table = numbers(line);
        } else if line.starts_with("LIST in pages of 500") {
            f.list_paged = numbers(line);
        } else if line.starts_with("  (") && line.contains("bytes each)") {
            // The throughput row: its CPU columns are in us; keep them as they are.
            f.throughput = numbers(line);
        } else if line.starts_with("targets:") {
            line.clone_into(&mut f.targets);
        }
    }
    f
}
