//! `inspect`: fleet inspection of the `big` estate. `ksmc_core::fleet::inspect_sources`
//! against the kubectl commands a user runs to learn the same facts (cluster by cluster, one
//! after another), and against the latency floor; with peak memory.

use std::path::PathBuf;
use std::time::Instant;

use ksmc_sim::Scenario;
use ksmc_sim::scenario::BigSize;
use serde_json::json;

use crate::common::{
    Env, Kubectl, KubectlCall, Ratio, Result, Table, cpu_seconds, median, peak_rss_mib, rss_mib,
    secs, write_json,
};
use crate::ops::{self, INSPECT_CONCURRENCY, Inspected};
use crate::worker;

const TARGET_SPEEDUP: f64 = 10.0;
const TARGET_FLOOR: f64 = 2.0;

/// What a user runs per cluster to see what ksmc's inspection shows.
pub const KUBECTL_SEQUENCE: &[&[&str]] = &[
    &["version", "-o", "json"],
    &["get", "ns", "kube-system", "-o", "jsonpath={.metadata.uid}"],
    &[
        "-n",
        "kubesphere-system",
        "get",
        "clusterconfigurations.installer.kubesphere.io",
        "ks-installer",
        "-o",
        "yaml",
    ],
    &[
        "-n",
        "kubesphere-system",
        "get",
        "cm",
        "kubesphere-config",
        "-o",
        "yaml",
    ],
    &["get", "clusters.cluster.kubesphere.io"],
    &["get", "workspaces.tenant.kubesphere.io"],
    &["get", "workspacetemplates.tenant.kubesphere.io"],
    &["get", "users.iam.kubesphere.io"],
    &["get", "ns", "-l", "kubesphere.io/workspace"],
];

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
    /// Latency added to every request, in ms.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// ksmc inspections; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Runs of the kubectl sequence.
    #[arg(long, default_value_t = 1)]
    kubectl_runs: usize,
    /// Run the kubectl sequence on the host and N-1 members only, extrapolated to all
    /// members (default: every cluster).
    #[arg(long)]
    kubectl_clusters: Option<usize>,
    /// The kubectl to run.
    #[arg(long, default_value = "/usr/bin/kubectl")]
    kubectl: PathBuf,
    /// Skip the kubectl baseline.
    #[arg(long)]
    no_kubectl: bool,
    /// Experiment: read every cluster at once instead of ksmc's `fleet::facts::PARALLELISM`
    /// at a time (what `inspect_sources` would do with no limit); labelled as such.
    #[arg(long)]
    all_at_once: bool,
    /// Skip the child-process reading of ksmc's own peak memory.
    #[arg(long)]
    no_child: bool,
    /// Inspections the child process runs (its CPU is reported per inspection).
    #[arg(long, default_value_t = 1)]
    child_runs: usize,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

struct KubectlRun {
    clusters: usize,
    sampled: Vec<(String, f64)>,
    seconds: f64,
    extrapolated: f64,
    requests: u64,
    calls: usize,
    failed: Vec<String>,
    startup: f64,
}

#[allow(clippy::cast_precision_loss, clippy::too_many_lines)]
pub async fn run(args: Args) -> Result<()> {
    crate::common::warn_debug();
    let size = BigSize {
        members: args.members,
        namespaces: args.namespaces,
        users: args.users,
        workspaces: args.workspaces,
    };
    let rss_before_estate = rss_mib();
    let env = Env::start(&Scenario::big(&size), args.latency_ms).await?;
    let rss_estate = rss_mib();
    if args.all_at_once {
        println!(
            "experiment --all-at-once: each run also reads every cluster at once (not ksmc's \
             {INSPECT_CONCURRENCY} at a time), just before ksmc's own inspection"
        );
    }
    println!(
        "inspect: host + {} members × {} projects, {} workspaces, {} users, {} ms per request; \
         estate started in {:.1} s (RSS {:.0} MiB)",
        args.members,
        args.namespaces,
        args.workspaces,
        args.users,
        args.latency_ms,
        env.started_in,
        rss_estate.unwrap_or(f64::NAN),
    );

    let mut runs: Vec<Inspected> = Vec::new();
    let mut experiment: Vec<f64> = Vec::new();
    let mut requests = Vec::new();
    let mut handshakes = Vec::new();
    let mut cpu_total = 0.0;
    for i in 0..args.runs.max(1) {
        if args.all_at_once {
            let e = ops::inspect_all_at_once(&env.sources).await;
            println!(
                "  experiment run {}: every cluster at once: {}",
                i + 1,
                secs(e.seconds)
            );
            experiment.push(e.seconds);
        }
        let (r0, h0, cpu0) = (env.requests(), env.tls_handshakes(), cpu_seconds());
        let inspected = ops::inspect(&env.sources).await;
        let r = env.requests() - r0;
        let h = env.tls_handshakes() - h0;
        cpu_total += match (cpu0, cpu_seconds()) {
            (Some(a), Some(b)) => b - a,
            _ => f64::NAN,
        };
        println!(
            "  ksmc run {}: {} — {} clusters, {} projects, {} users, {} workspaces, {r} requests, \
             {h} TLS handshakes{}",
            i + 1,
            secs(inspected.seconds),
            inspected.clusters,
            inspected.projects,
            inspected.users,
            inspected.workspaces,
            if inspected.unreadable.is_empty() && inspected.fact_errors == 0 {
                String::new()
            } else {
                format!(
                    "; UNREADABLE {:?}, {} fact errors",
                    inspected.unreadable, inspected.fact_errors
                )
            }
        );
        if !inspected.unreadable.is_empty() || inspected.projects < args.members * args.namespaces {
            return Err("ksmc's inspection did not read the whole estate".into());
        }
        requests.push(r);
        handshakes.push(h);
        runs.push(inspected);
    }
    let cpu_in_process = cpu_total / runs.len() as f64;
    let peak_process = peak_rss_mib();

    // ksmc alone, in a child process: its peak memory and CPU, the estate's CPU apart.
    let child = if args.no_child {
        None
    } else {
        let (cpu0, h0) = (cpu_seconds(), env.tls_handshakes());
        let child_runs = args.child_runs.max(1);
        let out = worker::spawn(
            &["inspect", "--runs", &child_runs.to_string()],
            env.dir.path(),
        )
        .await?;
        // Per inspection: the simulator's CPU while serving the child, and the child's own.
        let estate_cpu = match (cpu0, cpu_seconds()) {
            (Some(a), Some(b)) => (b - a) / child_runs as f64,
            _ => f64::NAN,
        };
        let child_handshakes = (env.tls_handshakes() - h0) / child_runs as u64;
        Some((out, estate_cpu, child_runs, child_handshakes))
    };

    let mut kubectl = Vec::new();
    let mut kubectl_version = String::new();
    if !args.no_kubectl {
        for i in 0..args.kubectl_runs.max(1) {
            let k = Kubectl::new(&args.kubectl)?;
            kubectl_version = k.version();
            let run = kubectl_sequence(&env, k, &args).await?;
            println!(
                "  kubectl run {}: {} clusters in {} ({} processes, {} requests){}{}",
                i + 1,
                run.sampled.len(),
                secs(run.seconds),
                run.calls,
                run.requests,
                if run.sampled.len() < run.clusters {
                    format!(
                        ", extrapolated to {}: {}",
                        run.clusters,
                        secs(run.extrapolated)
                    )
                } else {
                    String::new()
                },
                if run.failed.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} non-zero exit(s), e.g. {}",
                        run.failed.len(),
                        run.failed[0]
                    )
                }
            );
            println!(
                "    kubectl {}: starting kubectl alone (version --client) {}; {:.1} requests per \
                 command; per cluster {}",
                kubectl_version,
                secs(run.startup),
                run.requests as f64 / run.calls.max(1) as f64,
                secs(median(
                    &run.sampled.iter().map(|(_, s)| *s).collect::<Vec<_>>()
                )),
            );
            kubectl.push(run);
        }
    }

    // The latency floor: per cluster, /version then the longest paged list (the other reads
    // run beside it); clusters INSPECT_CONCURRENCY at a time, or all at once.
    let latency = args.latency_ms as f64 / 1000.0;
    let chain = runs[0].chain;
    let clusters = runs[0].clusters;
    let waves = clusters.div_ceil(INSPECT_CONCURRENCY);
    let floor = chain as f64 * latency;
    let floor_bounded = (waves * chain) as f64 * latency;
    let ksmc = median(&runs.iter().map(|r| r.seconds).collect::<Vec<_>>());

    let mut table = Table::default();
    let mut verdicts = Vec::new();
    let mut kubectl_json = serde_json::Value::Null;
    if let Some(k0) = kubectl.first() {
        let k = median(&kubectl.iter().map(|r| r.extrapolated).collect::<Vec<_>>());
        let label = if k0.sampled.len() < k0.clusters {
            format!(
                "kubectl (extrapolated from {} of {} clusters)",
                k0.sampled.len(),
                k0.clusters
            )
        } else {
            "kubectl".to_owned()
        };
        table.seconds(
            &format!(
                "inspect {clusters} clusters vs kubectl ({} commands per cluster)",
                KUBECTL_SEQUENCE.len()
            ),
            ksmc,
            k,
            &label,
            Ratio::Faster,
        );
        let speedup = k / ksmc;
        verdicts.push(format!(
            "inspect ≥ {TARGET_SPEEDUP:.0}× faster than kubectl: {} ({speedup:.1}×)",
            if speedup >= TARGET_SPEEDUP {
                "met"
            } else {
                "MISSED"
            }
        ));
        kubectl_json = json!({
            "version": kubectl_version,
            "sequence": KUBECTL_SEQUENCE,
            "runs": kubectl.iter().map(|r| json!({
                "clusters": r.clusters,
                "sampled": r.sampled,
                "seconds": r.seconds,
                "extrapolatedSeconds": r.extrapolated,
                "requests": r.requests,
                "calls": r.calls,
                "nonZeroExits": r.failed,
                "startupSeconds": r.startup,
            })).collect::<Vec<_>>(),
            "medianSeconds": k,
            "latencyFloorSeconds": k0.requests as f64 / k0.sampled.len() as f64 * k0.clusters as f64 * latency,
        });
    }
    table.seconds(
        "inspect vs latency floor (all clusters at once)",
        ksmc,
        floor,
        "floor",
        Ratio::OfFloor,
    );
    table.seconds(
        &format!("inspect vs latency floor ({INSPECT_CONCURRENCY} clusters at a time)"),
        ksmc,
        floor_bounded,
        "floor",
        Ratio::OfFloor,
    );
    let of_floor = ksmc / floor;
    if floor > 0.0 {
        verdicts.push(format!(
        "inspect ≤ {TARGET_FLOOR:.0}× the latency floor: {} ({of_floor:.2}× the all-at-once floor, \
         {:.2}× the {INSPECT_CONCURRENCY}-at-a-time floor)",
        if of_floor <= TARGET_FLOOR {
            "met"
        } else {
            "MISSED"
        },
        ksmc / floor_bounded
        ));
    }
    if !experiment.is_empty() {
        table.seconds(
            "experiment: every cluster at once, vs ksmc",
            median(&experiment),
            ksmc,
            &format!("ksmc ({INSPECT_CONCURRENCY} at a time)"),
            Ratio::Of("ksmc's time"),
        );
    }
    table.text(
        "peak RSS (VmHWM), this process: estate + ksmc",
        format!("{:.0} MiB", peak_process.unwrap_or(f64::NAN)),
        format!(
            "estate alone {:.0} MiB",
            rss_estate.unwrap_or(f64::NAN) - rss_before_estate.unwrap_or(0.0)
        ),
        "—".into(),
    );
    if let Some((out, ..)) = &child {
        table.text(
            "peak RSS (VmHWM), ksmc alone (child process)",
            format!("{:.0} MiB", out.peak_rss_mib),
            "—".into(),
            "—".into(),
        );
    }

    println!();
    println!(
        "requests per inspection: {} (measured); per cluster {chain} round trips deep \
         (/version, then the longest list in pages of {}); {clusters} clusters, {INSPECT_CONCURRENCY} at a time = {waves} wave(s)",
        requests[0],
        ops::PAGE
    );
    println!(
        "CPU per inspection (this process: ksmc and the simulator on {} cores): {:.3} s; TLS \
         handshakes per inspection: {}",
        crate::common::machine()["cores"],
        cpu_in_process,
        handshakes[0]
    );
    if let Some((out, estate_cpu, child_runs, child_handshakes)) = &child {
        println!(
            "ksmc alone in a child process ({child_runs} inspection(s)): median {} wall, {:.3} s \
             CPU per inspection (whole process), peak RSS {:.0} MiB; the simulator serving it: \
             {estate_cpu:.3} s CPU per inspection; {child_handshakes} TLS handshakes per inspection",
            secs(out.seconds),
            out.cpu_seconds / *child_runs as f64,
            out.peak_rss_mib,
        );
    }
    table.print(&format!(
        "inspect — medians of {} ksmc run(s){}",
        runs.len(),
        if kubectl.is_empty() {
            String::new()
        } else {
            format!(" and {} kubectl run(s)", kubectl.len())
        }
    ));
    println!();
    for v in &verdicts {
        println!("target (issue 8): {v}");
    }

    let details = json!({
        "size": {"members": args.members, "namespaces": args.namespaces, "workspaces": args.workspaces, "users": args.users},
        "latencyMs": args.latency_ms,
        "estateStartSeconds": env.started_in,
        "ksmc": {
            "runs": runs,
            "requests": requests,
            "tlsHandshakes": handshakes,
            "medianSeconds": ksmc,
            "cpuSecondsPerRunInProcess": cpu_in_process,
            "clusterConcurrency": INSPECT_CONCURRENCY,
            "child": child.as_ref().map(|(o, estate_cpu, child_runs, child_handshakes)| json!({
                "seconds": o.seconds,
                "samples": o.samples,
                "runs": child_runs,
                "cpuSeconds": o.cpu_seconds,
                "cpuSecondsPerRun": o.cpu_seconds / *child_runs as f64,
                "peakRssMiB": o.peak_rss_mib,
                "estateCpuSecondsPerRun": estate_cpu,
                "tlsHandshakesPerRun": child_handshakes,
            })),
        },
        "peakRssMiBProcess": peak_process,
        "estateRssMiB": rss_estate,
        "latencyFloorSeconds": floor,
        "latencyFloorBoundedSeconds": floor_bounded,
        "chain": chain,
        "experimentAllAtOnceSeconds": experiment,
        "kubectl": kubectl_json,
        "targets": verdicts,
    });
    env.shutdown().await;
    write_json(args.json.as_deref(), "inspect", &table, details)
}

#[allow(clippy::cast_precision_loss)]
async fn kubectl_sequence(env: &Env, k: Kubectl, args: &Args) -> Result<KubectlRun> {
    let names: Vec<String> = env
        .estate
        .clusters()
        .iter()
        .map(|c| c.entry.name.clone())
        .collect();
    let all = names.len();
    let take = args.kubectl_clusters.unwrap_or(all).clamp(1, all);
    // The host first, then members in order.
    let mut chosen: Vec<String> = names.iter().filter(|n| *n == "host").cloned().collect();
    chosen.extend(names.iter().filter(|n| *n != "host").cloned());
    chosen.truncate(take);
    let kubeconfigs: Vec<(String, PathBuf)> = chosen
        .iter()
        .map(|n| (n.clone(), env.kubeconfig(n)))
        .collect();
    // Warm every cluster's discovery cache, as a user's is.
    let warm = kubeconfigs.clone();
    let (k, startup) = tokio::task::spawn_blocking(move || {
        for (_, kc) in &warm {
            k.run(kc, &["api-resources", "-o", "name"]);
        }
        let startup = k.startup();
        (k, startup)
    })
    .await?;
    let r0 = env.requests();
    let (seconds, per_cluster) = tokio::task::spawn_blocking(move || {
        let began = Instant::now();
        let mut per: Vec<(String, f64, Vec<KubectlCall>)> = Vec::new();
        for (name, kc) in &kubeconfigs {
            let start = Instant::now();
            let calls: Vec<KubectlCall> = KUBECTL_SEQUENCE.iter().map(|a| k.run(kc, a)).collect();
            per.push((name.clone(), start.elapsed().as_secs_f64(), calls));
        }
        (began.elapsed().as_secs_f64(), per)
    })
    .await?;
    let requests = env.requests() - r0;
    let host = per_cluster
        .iter()
        .find(|(n, _, _)| n == "host")
        .map_or(0.0, |(_, s, _)| *s);
    let members: Vec<f64> = per_cluster
        .iter()
        .filter(|(n, _, _)| n != "host")
        .map(|(_, s, _)| *s)
        .collect();
    let extrapolated = if members.is_empty() {
        seconds
    } else {
        host + members.iter().sum::<f64>() / members.len() as f64 * (all - 1) as f64
    };
    let failed = per_cluster
        .iter()
        .flat_map(|(n, _, calls)| {
            calls
                .iter()
                .filter(|c| !c.ok)
                .map(move |c| format!("{n}: {}", c.args.join(" ")))
        })
        .collect();
    Ok(KubectlRun {
        clusters: all,
        calls: per_cluster.iter().map(|(_, _, c)| c.len()).sum(),
        sampled: per_cluster.into_iter().map(|(n, s, _)| (n, s)).collect(),
        seconds,
        extrapolated,
        requests,
        failed,
        startup,
    })
}
