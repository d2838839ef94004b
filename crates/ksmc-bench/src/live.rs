//! `live`: what a live view of the estate overview costs in memory on the `big` estate, beside
//! the same process not watching and beside the naive design (a full-object reflector store
//! per resource type on every cluster). Each side runs in a child process (`live-worker`) against
//! the estate served here, so its resident memory is ksmc's alone; the simulator counts the
//! watch streams the child holds open.
//!
//! Then what a notice costs: after one change on one member, the refresh of that member merged
//! into the last report (`fleet::refresh_clusters`) beside a whole-estate inspection, alternately
//! in this process, each at `--latency-ms` per request: wall time, CPU, requests, and the bytes
//! each sends to the window.
//!
//! ```text
//! cargo run --release -p ksmc-bench -- live [--members 20 --namespaces 2000 --settle 10]
//! cargo run --release -p ksmc-bench -- live --refresh-only [--refresh-runs 5]
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use ksmc_core::fleet::watch::{LiveNotice, LiveView, Screen, WatchState};
use ksmc_core::fleet::{FleetPatch, FleetReport, inspect_sources, merge_clusters, read_clusters};
use ksmc_sim::scenario::BigSize;
use ksmc_sim::{FaultPlan, Scenario};
use kube::api::{Api, ApiResource, DynamicObject};
use kube::core::GroupVersionKind;
use kube::runtime::reflector::{self, Store, reflector};
use kube::runtime::watcher::{self, watcher};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::common::{
    Env, Result, cpu_seconds, load_sources, machine, median, peak_rss_mib, rss_mib, warn_debug,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Member clusters (plus one host).
    #[arg(long, default_value_t = 20)]
    members: usize,
    /// Projects per member.
    #[arg(long, default_value_t = 2000)]
    namespaces: usize,
    #[arg(long, default_value_t = 300)]
    workspaces: usize,
    #[arg(long, default_value_t = 1000)]
    users: usize,
    /// Seconds each side runs before its memory is read (the view live all along).
    #[arg(long, default_value_t = 10)]
    settle: u64,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Refreshes and full inspections measured, alternately, after a change each.
    #[arg(long, default_value_t = 5)]
    refresh_runs: usize,
    /// Latency of every request while refreshes and inspections are measured.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// Measure only the refresh against the full inspection (no memory comparison).
    #[arg(long)]
    refresh_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// Clients built for every cluster, nothing watched.
    Idle,
    /// A live view of the estate overview.
    Overview,
    /// What the issue warns against: a full-object reflector store per resource type on every
    /// cluster (namespaces, workspaces, workspace templates, users; Clusters on the host).
    Reflectors,
}

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    #[arg(long, value_enum)]
    mode: Mode,
    #[arg(long)]
    dir: PathBuf,
    #[arg(long)]
    settle: u64,
}

/// What a worker reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reading {
    pub mode: Mode,
    pub rss_mib: f64,
    pub peak_rss_mib: f64,
    /// Watches live at the end (overview only).
    pub live: usize,
    /// From opening the view until every watch was live.
    pub seconds_to_live: Option<f64>,
    pub notices: usize,
}

/// `ksmc-bench live-worker`: one side of the comparison, in its own process.
pub async fn worker(args: WorkerArgs) -> Result<()> {
    let sources = load_sources(&args.dir)?;
    let mut clients = Vec::new();
    for s in &sources {
        clients.push(s.watch_client().await?);
    }
    let mut reading = Reading {
        mode: args.mode,
        rss_mib: 0.0,
        peak_rss_mib: 0.0,
        live: 0,
        seconds_to_live: None,
        notices: 0,
    };
    let settle = Duration::from_secs(args.settle);
    match args.mode {
        Mode::Idle => tokio::time::sleep(settle).await,
        Mode::Overview => {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<LiveNotice>();
            let began = Instant::now();
            let view = LiveView::open(&Screen::Overview, &sources, Arc::new(tx))?;
            // Every cluster's namespaces and the host's Clusters.
            let expected = sources.len() + 1;
            let all_live = |v: &LiveView| {
                let s = v.states();
                s.len() == expected && s.iter().all(|w| w.state == WatchState::Live)
            };
            let deadline = began + Duration::from_secs(120);
            while !all_live(&view) {
                if Instant::now() > deadline {
                    return Err(format!("watches not live after 120 s: {:?}", view.states()).into());
                }
                while rx.try_recv().is_ok() {
                    reading.notices += 1;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            reading.seconds_to_live = Some(began.elapsed().as_secs_f64());
            let end = Instant::now() + settle;
            while let Ok(n) = tokio::time::timeout_at(end.into(), rx.recv()).await {
                if n.is_none() {
                    break;
                }
                reading.notices += 1;
            }
            reading.live = view
                .states()
                .iter()
                .filter(|w| w.state == WatchState::Live)
                .count();
            reading.rss_mib = rss_mib().unwrap_or(f64::NAN);
            reading.peak_rss_mib = peak_rss_mib().unwrap_or(f64::NAN);
            drop(view);
        }
        Mode::Reflectors => {
            let began = Instant::now();
            let (stores, mut tasks) = reflectors(&clients, &sources);
            for store in &stores {
                store
                    .wait_until_ready()
                    .await
                    .map_err(|e| format!("a reflector stopped: {e}"))?;
            }
            reading.seconds_to_live = Some(began.elapsed().as_secs_f64());
            tokio::time::sleep(settle).await;
            reading.live = stores.iter().map(Store::len).sum();
            reading.rss_mib = rss_mib().unwrap_or(f64::NAN);
            reading.peak_rss_mib = peak_rss_mib().unwrap_or(f64::NAN);
            tasks.abort_all();
        }
    }
    if reading.rss_mib == 0.0 {
        reading.rss_mib = rss_mib().unwrap_or(f64::NAN);
        reading.peak_rss_mib = peak_rss_mib().unwrap_or(f64::NAN);
    }
    drop(clients);
    println!("{}", serde_json::to_string(&reading)?);
    Ok(())
}

/// The naive baseline's stores: every kind on every cluster (Clusters on the host), each fed by
/// its own full-object watcher.
fn reflectors(
    clients: &[kube::Client],
    sources: &[ksmc_core::ClusterSource],
) -> (Vec<Store<DynamicObject>>, JoinSet<()>) {
    let kinds = [
        ("", "v1", "Namespace", "namespaces"),
        (
            "tenant.kubesphere.io",
            "v1alpha1",
            "Workspace",
            "workspaces",
        ),
        (
            "tenant.kubesphere.io",
            "v1alpha2",
            "WorkspaceTemplate",
            "workspacetemplates",
        ),
        ("iam.kubesphere.io", "v1alpha2", "User", "users"),
        ("cluster.kubesphere.io", "v1alpha1", "Cluster", "clusters"),
    ];
    let mut stores = Vec::new();
    let mut tasks = JoinSet::new();
    for (client, source) in clients.iter().zip(sources) {
        for (group, version, kind, plural) in kinds {
            if kind == "Cluster" && source.name != "host" {
                continue;
            }
            let ar = ApiResource::from_gvk_with_plural(
                &GroupVersionKind::gvk(group, version, kind),
                plural,
            );
            let writer = reflector::store::Writer::new(ar.clone());
            stores.push(writer.as_reader());
            let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
            let stream = reflector(
                writer,
                watcher(api, watcher::Config::default().any_semantic()),
            );
            tasks.spawn(async move {
                stream.for_each(|_| std::future::ready(())).await;
            });
        }
    }
    (stores, tasks)
}

/// Watch streams the estate's servers hold open now.
fn watches_open(env: &Env) -> usize {
    env.estate
        .clusters()
        .iter()
        .map(|c| c.cluster.watches.open())
        .sum()
}

/// Runs a worker and, while it runs, the most watch streams the estate's servers held open.
async fn spawn(env: &Env, mode: Mode, dir: &Path, settle: u64) -> Result<(Reading, usize)> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("live-worker")
        .arg("--mode")
        .arg(match mode {
            Mode::Idle => "idle",
            Mode::Overview => "overview",
            Mode::Reflectors => "reflectors",
        })
        .arg("--dir")
        .arg(dir)
        .arg("--settle")
        .arg(settle.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut most = 0;
    while child.try_wait()?.is_none() {
        most = most.max(watches_open(env));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let output = tokio::task::spawn_blocking(move || child.wait_with_output()).await??;
    if !output.status.success() {
        return Err(format!("the live worker failed: {}", output.status).into());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .last()
        .ok_or("the live worker printed nothing")?;
    Ok((serde_json::from_str(line)?, most))
}

pub async fn run(args: Args) -> Result<()> {
    warn_debug();
    let size = BigSize {
        members: args.members,
        namespaces: args.namespaces,
        users: args.users,
        workspaces: args.workspaces,
    };
    let env = Env::start(&Scenario::big(&size), 0).await?;
    let memory = if args.refresh_only {
        Value::Null
    } else {
        memory(&env, &args).await?
    };
    let refresh = refresh_figures(&env, args.refresh_runs, args.latency_ms).await?;
    if let Some(path) = &args.json {
        let doc = json!({
            "suite": "live",
            "measuredAt": jiff::Timestamp::now().to_string(),
            "machine": machine(),
            "release": !cfg!(debug_assertions),
            "size": {"members": args.members, "namespaces": args.namespaces,
                     "workspaces": args.workspaces, "users": args.users},
            "settleSeconds": args.settle,
            "memory": memory,
            "refresh": refresh,
        });
        std::fs::write(path, serde_json::to_vec_pretty(&doc)?)?;
        println!("\nJSON written to {}", path.display());
    }
    env.shutdown().await;
    Ok(())
}

/// The memory of a live view beside not watching and beside a reflector per kind.
async fn memory(env: &Env, args: &Args) -> Result<Value> {
    println!(
        "live: overview of host + {} members × {} projects ({} workspaces, {} users); each side \
         runs {} s in its own process",
        args.members, args.namespaces, args.workspaces, args.users, args.settle
    );
    let (idle, idle_watches) = spawn(env, Mode::Idle, env.dir.path(), args.settle).await?;
    let (live, live_watches) = spawn(env, Mode::Overview, env.dir.path(), args.settle).await?;
    let (naive, naive_watches) = spawn(env, Mode::Reflectors, env.dir.path(), args.settle).await?;
    let closed = watches_open(env);
    let mib = |v: f64| format!("{v:.1} MiB");
    let ms = |r: &Reading| {
        r.seconds_to_live
            .map_or("—".into(), |s| format!("{:.0} ms", s * 1000.0))
    };
    let rows = [
        (
            "resident memory after the settle",
            mib(live.rss_mib),
            mib(idle.rss_mib),
            mib(naive.rss_mib),
        ),
        (
            "  of which watching (minus not watching)",
            format!("{:+.1} MiB", live.rss_mib - idle.rss_mib),
            "—".into(),
            format!("{:+.1} MiB", naive.rss_mib - idle.rss_mib),
        ),
        (
            "peak resident memory",
            mib(live.peak_rss_mib),
            mib(idle.peak_rss_mib),
            mib(naive.peak_rss_mib),
        ),
        (
            "watch streams open on the servers",
            live_watches.to_string(),
            idle_watches.to_string(),
            naive_watches.to_string(),
        ),
        (
            "until every watch is live / stores ready",
            ms(&live),
            "—".into(),
            ms(&naive),
        ),
        (
            "objects kept in memory",
            "0".into(),
            "0".into(),
            naive.live.to_string(),
        ),
    ];
    println!();
    println!("| measure | LiveView (overview) | not watching | a reflector per kind per cluster |");
    println!("|---|---:|---:|---:|");
    for (m, a, b, c) in &rows {
        println!("| {m} | {a} | {b} | {c} |");
    }
    println!(
        "\n{} watches live, {} notices (states and changes); {closed} watch streams left open after the workers exited",
        live.live, live.notices
    );
    Ok(json!({
        "overview": live, "idle": idle, "reflectors": naive,
        "watchesOpen": {"overview": live_watches, "idle": idle_watches,
                        "reflectors": naive_watches, "afterExit": closed},
    }))
}

/// One side's readings, a value per run.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Sample {
    seconds: Vec<f64>,
    cpu_seconds: Vec<f64>,
    requests: Vec<f64>,
    clusters_read: Vec<f64>,
    json_kib: Vec<f64>,
    /// Refresh only: the merge (link again, findings over the estate), wall seconds.
    merge_seconds: Vec<f64>,
}

#[allow(clippy::cast_precision_loss)]
fn float(n: u64) -> f64 {
    n as f64
}

/// Requests of each cluster, as the fault layer counts them.
fn per_cluster(env: &Env) -> Vec<u64> {
    env.estate
        .clusters()
        .iter()
        .map(|c| c.faults.stats().requests)
        .collect()
}

/// Runs `f` and records its wall seconds, the CPU seconds of this process (ksmc and the
/// simulator), the requests served and the clusters that served any.
async fn measured<T>(env: &Env, sample: &mut Sample, f: impl Future<Output = T>) -> T {
    let before = per_cluster(env);
    let cpu = cpu_seconds().unwrap_or(f64::NAN);
    let began = Instant::now();
    let out = f.await;
    sample.seconds.push(began.elapsed().as_secs_f64());
    sample
        .cpu_seconds
        .push(cpu_seconds().unwrap_or(f64::NAN) - cpu);
    let served: Vec<u64> = per_cluster(env)
        .iter()
        .zip(&before)
        .map(|(a, b)| a - b)
        .collect();
    sample.requests.push(float(served.iter().sum()));
    sample
        .clusters_read
        .push(float(served.iter().filter(|&&n| n > 0).count() as u64));
    out
}

fn kib<T: Serialize>(value: &T) -> Result<f64> {
    Ok(float(serde_json::to_vec(value)?.len() as u64) / 1024.0)
}

fn normalised(mut report: FleetReport) -> FleetReport {
    for c in &mut report.clusters {
        c.latency_ms = None;
    }
    report
}

/// `fleet::refresh_clusters`, in its two steps so the merge is timed too.
async fn refresh(
    report: &mut FleetReport,
    env: &Env,
    names: &[String],
    merges: &mut Vec<f64>,
) -> Result<FleetPatch> {
    let fresh = read_clusters(&env.sources, names).await?;
    let began = Instant::now();
    let patch = merge_clusters(report, fresh);
    merges.push(began.elapsed().as_secs_f64());
    Ok(patch)
}

/// After a new project on one member each time: that member refreshed into the last report,
/// beside a whole-estate inspection, alternately; checks the two reports agree.
async fn refresh_figures(env: &Env, runs: usize, latency_ms: u64) -> Result<Value> {
    for c in env.estate.clusters() {
        c.faults.set_plan(FaultPlan::latency(latency_ms, 0));
    }
    let member = env
        .estate
        .clusters()
        .iter()
        .map(|c| c.entry.name.clone())
        .find(|n| n != "host")
        .ok_or("the estate has no member")?;
    let names = vec![member.clone()];
    // Warm-up, untimed, until two inspections in a row agree: the simulator's controllers
    // still add owner references to the projects for a while after the start. The last report
    // is the one the refreshes patch.
    let mut report = inspect_sources(&env.sources).await;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let next = inspect_sources(&env.sources).await;
        let settled = normalised(next.clone()) == normalised(report.clone());
        report = next;
        if settled {
            break;
        }
    }
    let (mut full, mut patch) = (Sample::default(), Sample::default());
    let mut agree = 0;
    let mut merges = Vec::new();
    for run in 0..runs {
        env.estate
            .cluster(&member)
            .ok_or("member gone")?
            .cluster
            .seed_namespace(
                &format!("live-refresh-{run}"),
                json!({"kubesphere.io/workspace": "ws-0000"}),
            )
            .map_err(|e| format!("seeding a project: {e}"))?;
        // Alternate which goes first, so neither always meets a warmer estate.
        let (fresh, p) = if run % 2 == 0 {
            let fresh = measured(env, &mut full, inspect_sources(&env.sources)).await;
            let p = measured(
                env,
                &mut patch,
                refresh(&mut report, env, &names, &mut merges),
            )
            .await?;
            (fresh, p)
        } else {
            let p = measured(
                env,
                &mut patch,
                refresh(&mut report, env, &names, &mut merges),
            )
            .await?;
            let fresh = measured(env, &mut full, inspect_sources(&env.sources)).await;
            (fresh, p)
        };
        full.json_kib.push(kib(&fresh)?);
        patch.json_kib.push(kib(&p)?);
        let (merged, fresh) = (normalised(report.clone()), normalised(fresh));
        if merged == fresh {
            agree += 1;
        } else {
            let differ: Vec<&str> = merged
                .clusters
                .iter()
                .zip(&fresh.clusters)
                .filter(|(a, b)| a != b)
                .map(|(a, _)| a.name.as_str())
                .collect();
            eprintln!(
                "run {run}: clusters differing from the fresh inspection: {differ:?}; findings equal: {}",
                merged.findings == fresh.findings
            );
        }
    }
    patch.merge_seconds = merges;
    let m = |s: &Sample, f: fn(&Sample) -> &Vec<f64>| median(f(s));
    let time: fn(&Sample) -> &Vec<f64> = |s| &s.seconds;
    let cpu: fn(&Sample) -> &Vec<f64> = |s| &s.cpu_seconds;
    let reqs: fn(&Sample) -> &Vec<f64> = |s| &s.requests;
    let rows = [
        (
            format!("wall time after one change (median of {runs})"),
            format!("{:.0} ms", m(&patch, time) * 1000.0),
            format!("{:.0} ms", m(&full, time) * 1000.0),
            format!("**{:.1}× faster**", m(&full, time) / m(&patch, time)),
        ),
        (
            "  of which merging (link again, findings over the estate)".into(),
            format!("{:.0} ms", m(&patch, |s| &s.merge_seconds) * 1000.0),
            "—".into(),
            "—".into(),
        ),
        (
            "CPU of this process (ksmc + simulator)".into(),
            format!("{:.0} ms", m(&patch, cpu) * 1000.0),
            format!("{:.0} ms", m(&full, cpu) * 1000.0),
            format!("{:.1}× less", m(&full, cpu) / m(&patch, cpu)),
        ),
        (
            "requests".into(),
            format!("{:.0}", m(&patch, reqs)),
            format!("{:.0}", m(&full, reqs)),
            format!("{:.1}× fewer", m(&full, reqs) / m(&patch, reqs)),
        ),
        (
            "clusters read".into(),
            format!("{:.0}", m(&patch, |s| &s.clusters_read)),
            format!("{:.0}", m(&full, |s| &s.clusters_read)),
            "—".into(),
        ),
        (
            "JSON for the window (patch / whole report)".into(),
            format!("{:.0} KiB", m(&patch, |s| &s.json_kib)),
            format!("{:.0} KiB", m(&full, |s| &s.json_kib)),
            format!(
                "{:.1}× smaller",
                m(&full, |s| &s.json_kib) / m(&patch, |s| &s.json_kib)
            ),
        ),
    ];
    println!(
        "\nrefresh: a new project on {member}, then {member} refreshed into the last report beside a \
         whole-estate inspection, {latency_ms} ms per request"
    );
    println!("\n| measure | refresh {member} | full inspection | ratio |");
    println!("|---|---:|---:|---:|");
    for (m, a, b, c) in &rows {
        println!("| {m} | {a} | {b} | {c} |");
    }
    println!(
        "\nmerged report equal to the fresh inspection (round trips aside): {agree} of {runs} runs"
    );
    if agree != runs {
        return Err("a refreshed report differs from a fresh inspection".into());
    }
    Ok(
        json!({"member": member, "latencyMs": latency_ms, "runs": runs,
              "refresh": patch, "full": full, "agree": agree}),
    )
}
