//! `unbind`: unbind a member keeping its projects (issue 6's benchmark). ksmc's plan + apply
//! on a fresh estate per run, against the seed procedure's kubectl loop (two kubectl
//! processes per namespace) on an identical fresh estate, and the latency floor.

use std::path::PathBuf;
use std::time::Instant;

use ksmc_sim::Scenario;
use ksmc_sim::scenario::BigSize;
use serde_json::json;

use crate::common::{Env, Kubectl, KubectlCall, Ratio, Result, Table, median, secs, write_json};
use crate::ops::{self, APPLY_CONCURRENCY, Unbound};

const MEMBER: &str = "member-01";
const HOST: &str = "host";
const TARGET: f64 = 30.0;
const CLEAR_OWNERS: &str = r#"{"metadata":{"ownerReferences":[]}}"#;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Projects on the member (all kept).
    #[arg(long, default_value_t = 1000)]
    namespaces: usize,
    /// Workspaces the projects are spread over.
    #[arg(long, default_value_t = 10)]
    workspaces: usize,
    /// Latency added to every request, in ms.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// ksmc runs, each on a fresh estate; medians are reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// kubectl loop runs, each on a fresh estate.
    #[arg(long, default_value_t = 1)]
    kubectl_runs: usize,
    /// Namespaces the kubectl loop runs over; its time is extrapolated linearly to all.
    #[arg(long, default_value_t = 100)]
    kubectl_sample: usize,
    /// Run the kubectl loop over every namespace (2 processes each: minutes).
    #[arg(long)]
    kubectl_full: bool,
    /// The kubectl to run.
    #[arg(long, default_value = "/usr/bin/kubectl")]
    kubectl: PathBuf,
    /// Skip the kubectl baseline.
    #[arg(long)]
    no_kubectl: bool,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn scenario(args: &Args) -> Scenario {
    Scenario::big(&BigSize {
        members: 1,
        namespaces: args.namespaces,
        users: 0,
        workspaces: args.workspaces,
    })
}

/// One ksmc run with the estate's request counts.
struct KsmcRun {
    run: Unbound,
    plan_requests: u64,
    apply_requests: u64,
}

/// One kubectl loop run.
struct KubectlRun {
    projects: usize,
    sample: usize,
    seconds: f64,
    requests: u64,
    failures: usize,
    label_seconds: Vec<f64>,
    patch_seconds: Vec<f64>,
    left_labelled: usize,
    /// `kubectl version --client`: starting the process, no request.
    startup: f64,
}

impl KubectlRun {
    #[allow(clippy::cast_precision_loss)]
    fn extrapolated(&self) -> f64 {
        self.seconds / self.sample as f64 * self.projects as f64
    }
}

pub async fn run(args: Args) -> Result<()> {
    crate::common::warn_debug();
    println!(
        "unbind: {MEMBER} from {HOST} keeping {} projects in {} workspaces, {} ms per request; \
         {} ksmc run(s), each on a fresh estate",
        args.namespaces, args.workspaces, args.latency_ms, args.runs
    );
    let mut ksmc = Vec::new();
    for i in 0..args.runs.max(1) {
        let env = Env::start(&scenario(&args), args.latency_ms).await?;
        let r0 = env.requests();
        let clusters = ksmc_core::workflow::Clusters::new(env.sources.iter().cloned());
        // Plan on its own first so its requests are counted apart, then the whole run.
        let (plan, _) = crate::common::timed(ksmc_core::workflow::plan_workflow(
            &ops::unbind_input(MEMBER, HOST),
            &clusters,
        ))
        .await;
        plan?;
        let plan_requests = env.requests() - r0;
        let r1 = env.requests();
        let run = ops::unbind(&env.sources, &env.dir.path().join("runs"), MEMBER, HOST).await?;
        let apply_requests = (env.requests() - r1).saturating_sub(plan_requests);
        let left = env.projects(MEMBER).len();
        println!(
            "  ksmc run {}: plan {}, apply {} → {} (kept {}, {} writes, {} requests){}",
            i + 1,
            secs(run.plan_seconds),
            secs(run.apply_seconds),
            run.status,
            run.kept,
            run.writes,
            plan_requests + apply_requests,
            run.reason
                .as_ref()
                .map_or(String::new(), |r| format!(": {r}")),
        );
        if !run.succeeded || (run.kept as usize) < args.namespaces || left != 0 {
            return Err(format!(
                "ksmc's unbind did not succeed as expected: status {}, kept {}, {left} projects still labelled",
                run.status, run.kept
            )
            .into());
        }
        ksmc.push(KsmcRun {
            run,
            plan_requests,
            apply_requests,
        });
        env.shutdown().await;
    }

    let mut kubectl = Vec::new();
    let mut kubectl_version = String::new();
    if !args.no_kubectl {
        for i in 0..args.kubectl_runs.max(1) {
            let env = Env::start(&scenario(&args), args.latency_ms).await?;
            let k = Kubectl::new(&args.kubectl)?;
            kubectl_version = k.version();
            let run = kubectl_loop(&env, k, &args).await?;
            println!(
                "  kubectl run {}: {} namespaces in {} ({} processes, {} failed, {} requests); \
                 {} of {} projects still labelled",
                i + 1,
                run.sample,
                secs(run.seconds),
                run.sample * 2,
                run.failures,
                run.requests,
                run.left_labelled,
                run.projects,
            );
            kubectl.push(run);
            env.shutdown().await;
        }
    }

    report(&args, &ksmc, &kubectl, &kubectl_version)
}

async fn kubectl_loop(env: &Env, k: Kubectl, args: &Args) -> Result<KubectlRun> {
    let names = env.projects(MEMBER);
    let projects = names.len();
    let sample = if args.kubectl_full {
        projects
    } else {
        args.kubectl_sample.clamp(1, projects.max(1))
    };
    let kubeconfig = env.kubeconfig(MEMBER);
    let chosen: Vec<String> = names.into_iter().take(sample).collect();
    // A user's discovery cache is warm: fill it once, untimed.
    let warm = kubeconfig.clone();
    let (k, startup) = tokio::task::spawn_blocking(move || {
        k.run(&warm, &["get", "ns", "kube-system"]);
        let startup = k.startup();
        (k, startup)
    })
    .await?;
    let r0 = env.requests_of(MEMBER);
    // The loop blocks on processes: off the runtime, which serves the estate.
    let (seconds, calls) = tokio::task::spawn_blocking(move || {
        let began = Instant::now();
        let mut calls: Vec<(KubectlCall, KubectlCall)> = Vec::with_capacity(chosen.len());
        for ns in &chosen {
            let label = k.run(
                &kubeconfig,
                &["label", "ns", ns, "kubesphere.io/workspace-"],
            );
            let patch = k.run(
                &kubeconfig,
                &["patch", "ns", ns, "--type", "merge", "-p", CLEAR_OWNERS],
            );
            calls.push((label, patch));
        }
        (began.elapsed().as_secs_f64(), calls)
    })
    .await?;
    let requests = env.requests_of(MEMBER) - r0;
    Ok(KubectlRun {
        projects,
        sample,
        seconds,
        requests,
        failures: calls.iter().filter(|(a, b)| !a.ok || !b.ok).count(),
        label_seconds: calls.iter().map(|(a, _)| a.seconds).collect(),
        patch_seconds: calls.iter().map(|(_, b)| b.seconds).collect(),
        left_labelled: env.projects(MEMBER).len(),
        startup,
    })
}

#[allow(clippy::cast_precision_loss, clippy::too_many_lines)]
fn report(args: &Args, ksmc: &[KsmcRun], kubectl: &[KubectlRun], version: &str) -> Result<()> {
    let latency = args.latency_ms as f64 / 1000.0;
    let plan = median(&ksmc.iter().map(|r| r.run.plan_seconds).collect::<Vec<_>>());
    let apply = median(&ksmc.iter().map(|r| r.run.apply_seconds).collect::<Vec<_>>());
    let total = median(&ksmc.iter().map(|r| r.run.total()).collect::<Vec<_>>());
    let first = &ksmc[0];
    let kept = first.run.kept;
    // Latency floor: every request waits `latency`; the per-namespace GET + PATCH pairs run
    // APPLY_CONCURRENCY at a time, everything else one after the other.
    let pairs = first.run.unbind_steps as u64;
    let plan_rt = first.plan_requests;
    let apply_rt = first.apply_requests;
    let concurrent_rt = 2 * pairs.div_ceil(APPLY_CONCURRENCY as u64);
    let sequential_rt = apply_rt.saturating_sub(2 * pairs);
    let plan_floor = plan_rt as f64 * latency;
    let apply_floor = (sequential_rt + concurrent_rt) as f64 * latency;
    let floor = plan_floor + apply_floor;

    let mut table = Table::default();
    table.seconds(
        "plan (live reads)",
        plan,
        plan_floor,
        "floor",
        Ratio::OfFloor,
    );
    table.seconds(
        "apply (re-plan, lease, unbind, delete, verify)",
        apply,
        apply_floor,
        "floor",
        Ratio::OfFloor,
    );
    table.seconds(
        &format!("unbind keeping {kept} projects, total"),
        total,
        floor,
        "floor",
        Ratio::OfFloor,
    );
    let mut kubectl_json = serde_json::Value::Null;
    let mut verdict = String::from("not measured (--no-kubectl)");
    if let Some(k0) = kubectl.first() {
        let measured = median(&kubectl.iter().map(|r| r.seconds).collect::<Vec<_>>());
        let projected = median(
            &kubectl
                .iter()
                .map(KubectlRun::extrapolated)
                .collect::<Vec<_>>(),
        );
        let full = k0.sample == k0.projects;
        let label = if full {
            format!("kubectl loop, all {}", k0.projects)
        } else {
            format!(
                "kubectl loop (extrapolated from {} of {})",
                k0.sample, k0.projects
            )
        };
        table.seconds(
            &format!(
                "total vs the seed's kubectl loop ({} processes)",
                2 * k0.projects
            ),
            total,
            projected,
            &label,
            Ratio::Faster,
        );
        let speedup = projected / total;
        verdict = format!(
            "{} ({speedup:.1}× faster; target ≥ {TARGET:.0}×)",
            if speedup >= TARGET { "met" } else { "MISSED" }
        );
        let kreq_per_ns = k0.requests as f64 / k0.sample as f64;
        let k_floor = kreq_per_ns * k0.projects as f64 * latency;
        let label_med = median(&k0.label_seconds);
        let patch_med = median(&k0.patch_seconds);
        println!();
        println!(
            "kubectl: {version}, KUBECACHEDIR shared (discovery warm); measured {} for {} namespaces{}",
            secs(measured),
            k0.sample,
            if full { "" } else { ", extrapolated linearly" }
        );
        println!(
            "  per namespace: label {} + patch {} (medians), {kreq_per_ns:.1} requests; starting \
             kubectl alone (version --client) {}; latency floor of the whole loop {}",
            secs(label_med),
            secs(patch_med),
            secs(k0.startup),
            secs(k_floor),
        );
        kubectl_json = json!({
            "version": version,
            "projects": k0.projects,
            "sample": k0.sample,
            "full": full,
            "measuredSeconds": kubectl.iter().map(|r| r.seconds).collect::<Vec<_>>(),
            "medianMeasuredSeconds": measured,
            "extrapolatedSeconds": projected,
            "requests": k0.requests,
            "requestsPerNamespace": kreq_per_ns,
            "latencyFloorSeconds": k_floor,
            "medianLabelSeconds": label_med,
            "medianPatchSeconds": patch_med,
            "startupSeconds": k0.startup,
            "failures": k0.failures,
        });
    }

    println!();
    println!(
        "ksmc requests: plan {plan_rt}, apply {apply_rt} ({pairs} GET+PATCH pairs {APPLY_CONCURRENCY} at a time \
         = {concurrent_rt} round trips deep, {sequential_rt} others one after another); latency floor {} = \
         ({plan_rt} + {sequential_rt} + {concurrent_rt}) × {} ms",
        secs(floor),
        args.latency_ms
    );
    println!("where the apply time goes (run 1):");
    for (title, s) in &first.run.phases {
        println!("  {:<56} {:>9}", title, secs(*s));
    }

    table.print(&format!(
        "unbind — medians of {} ksmc run(s){}",
        ksmc.len(),
        if kubectl.is_empty() {
            String::new()
        } else {
            format!(" and {} kubectl run(s)", kubectl.len())
        }
    ));
    println!();
    println!("target (issue 6): unbind ≥ {TARGET:.0}× faster than the kubectl loop: {verdict}");

    let details = json!({
        "namespaces": args.namespaces,
        "workspaces": args.workspaces,
        "latencyMs": args.latency_ms,
        "ksmc": {
            "runs": ksmc.iter().map(|r| json!({
                "planSeconds": r.run.plan_seconds,
                "createSeconds": r.run.create_seconds,
                "applySeconds": r.run.apply_seconds,
                "status": r.run.status,
                "kept": r.run.kept,
                "writes": r.run.writes,
                "steps": r.run.steps,
                "planRequests": r.plan_requests,
                "applyRequests": r.apply_requests,
                "phases": r.run.phases,
            })).collect::<Vec<_>>(),
            "medianPlanSeconds": plan,
            "medianApplySeconds": apply,
            "medianTotalSeconds": total,
            "applyConcurrency": APPLY_CONCURRENCY,
        },
        "latencyFloorSeconds": floor,
        "kubectl": kubectl_json,
        "target": {"speedup": TARGET, "verdict": verdict},
    });
    write_json(args.json.as_deref(), "unbind", &table, details)
}
