//! Soak: the unbind and migrate workflows against ksmc-sim under seeded random fault
//! schedules — latency, 5xx, 429, resets, lost answers, 409s, a controller that re-binds a
//! project, an external namespace deletion — with the run killed at random points (its apply
//! future dropped mid-step, as a crash would) and resumed.
//!
//! After every seed the invariants are checked against the clusters: every kept namespace
//! exists with the labels and owners the workflow promises, no write was applied twice beyond
//! what a hazard undid, and the run ended verified — or, when a namespace was deleted by
//! someone else, failed saying so. A seed reproduces its schedule exactly (the simulator's
//! faults are seeded too); timing can still differ between runs.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Namespace;
use ksmc_core::kubeconfig::sources_in_dir;
use ksmc_core::workflow::{
    self, ApplyOptions, Clusters, NoProgress, RunStatus, Runs, WorkflowInput,
};
use ksmc_sim::faults::{Fault, FaultPlan, FaultRule};
use ksmc_sim::{Estate, EstateOptions, NamespaceDeletion, OwnerReAdd, Scenario};
use kube::api::Api;
use serde::Serialize;

/// Which workflow a seed runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Workflow {
    Unbind,
    Migrate,
}

/// What one seed showed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedOutcome {
    pub seed: u64,
    pub workflow: Workflow,
    /// The fault schedule, in words.
    pub schedule: String,
    pub kills: u32,
    pub applies: u32,
    pub status: Option<RunStatus>,
    /// `None` when every invariant held.
    pub violation: Option<String>,
    /// The run reported a namespace lost that the schedule deleted (expected).
    pub loss_reported: bool,
    pub elapsed_ms: u64,
}

const MEMBER: &str = "prod-1";
const KEPT: [&str; 5] = [
    "apps-backend",
    "apps-frontend",
    "apps-gitops",
    "data-warehouse",
    "scratch",
];

fn input(workflow: Workflow) -> WorkflowInput {
    match workflow {
        Workflow::Unbind => WorkflowInput::Unbind {
            member: MEMBER.into(),
            old_host: Some("old-host".into()),
            cluster_name: None,
            projects: None,
            settle_seconds: 1,
        },
        Workflow::Migrate => WorkflowInput::Migrate {
            member: MEMBER.into(),
            old_host: Some("old-host".into()),
            new_host: "new-host".into(),
            cluster_name: None,
            projects: None,
            workspace_map: std::collections::BTreeMap::new(),
            settle_seconds: 1,
        },
    }
}

/// A random fault plan for one cluster; `words` collects what was chosen.
fn fault_plan(rng: &mut fastrand::Rng, words: &mut Vec<String>, cluster: &str) -> FaultPlan {
    let latency = rng.u64(0..=10);
    let jitter = rng.u64(0..=10);
    let mut plan = FaultPlan::latency(latency, jitter);
    let mut chosen = vec![format!("{latency}±{jitter}ms")];
    for (fault, max, label) in [
        (Fault::ServiceUnavailable, 0.15, "503"),
        (Fault::InternalError, 0.05, "500"),
        (Fault::TooManyRequests, 0.1, "429"),
        (Fault::Reset, 0.05, "reset"),
        (Fault::AppliedButLost, 0.2, "lost"),
        (Fault::Conflict, 0.2, "409"),
    ] {
        if rng.bool() {
            let p = (rng.f64() * max * 100.0).round() / 100.0;
            if p > 0.0 {
                let mut rule = FaultRule::new(fault).probability(p);
                if fault == Fault::TooManyRequests {
                    rule = rule.retry_after(3_600);
                }
                plan = plan.rule(rule);
                chosen.push(format!("{label}@{p}"));
            }
        }
    }
    words.push(format!("{cluster}: {}", chosen.join(" ")));
    plan
}

async fn namespaces(client: &kube::Client) -> Result<Vec<Namespace>, String> {
    Api::<Namespace>::all(client.clone())
        .list(&Default::default())
        .await
        .map(|l| l.items)
        .map_err(|e| format!("cannot list namespaces: {e}"))
}

/// Runs one seed.
///
/// # Panics
/// When the simulator cannot start (not a finding of the soak).
#[allow(clippy::too_many_lines)]
pub async fn run_seed(seed: u64, workflow: Workflow, max_applies: u32) -> SeedOutcome {
    let started = Instant::now();
    let mut rng = fastrand::Rng::with_seed(seed);
    let options = EstateOptions {
        seed,
        ..EstateOptions::default()
    };
    let estate = Estate::start(&Scenario::migrate(), &options)
        .await
        .expect("the simulator starts");
    let dir = tempfile::tempdir().expect("tempdir");
    estate.write_dir(dir.path()).expect("kubeconfigs");
    let sources = sources_in_dir(dir.path())
        .expect("kubeconfigs")
        .into_iter()
        .filter_map(|(_, s)| s.ok());
    let clusters = Clusters::new(sources);
    let runs = Runs::new(&dir.path().join("runs"));
    let mut outcome = SeedOutcome {
        seed,
        workflow,
        schedule: String::new(),
        kills: 0,
        applies: 0,
        status: None,
        violation: None,
        loss_reported: false,
        elapsed_ms: 0,
    };
    let plan = match workflow::plan_workflow(&input(workflow), &clusters).await {
        Ok(p) => p,
        Err(e) => {
            outcome.violation = Some(format!("planning a clean estate failed: {e}"));
            return outcome;
        }
    };
    let run = runs.create(&plan).expect("run directory");

    // The schedule.
    let mut words = Vec::new();
    for cluster in ["old-host", MEMBER, "new-host"] {
        let mut plan = fault_plan(&mut rng, &mut words, cluster);
        if cluster == MEMBER {
            if rng.f64() < 0.25 {
                plan.re_add_owners = Some(OwnerReAdd {
                    delay_ms: rng.u64(50..=400),
                    namespaces: vec![KEPT[rng.usize(0..4)].into()],
                    count: Some(1),
                    ..OwnerReAdd::default()
                });
                words.push("a controller re-binds one project once".into());
            }
            if rng.f64() < 0.15 {
                let victim = KEPT[rng.usize(0..KEPT.len())];
                let after = rng.u64(1..=5);
                plan.delete_namespace = Some(NamespaceDeletion::new(victim, after));
                words.push(format!("someone deletes {victim} after {after} writes"));
            }
        }
        estate.set_faults(cluster, plan).expect("valid fault plan");
    }
    outcome.schedule = words.join("; ");

    // Apply, kill at random, resume.
    let mut status = None;
    for attempt in 0..max_applies {
        outcome.applies += 1;
        let options = ApplyOptions {
            check_stale: attempt == 0,
            ..ApplyOptions::default()
        };
        let apply = workflow::apply(&clusters, &run, &options, &NoProgress);
        let result = if rng.f64() < 0.4 {
            let after = Duration::from_millis(rng.u64(20..=1_500));
            match tokio::time::timeout(after, apply).await {
                Ok(r) => Some(r),
                Err(_) => {
                    outcome.kills += 1;
                    None
                }
            }
        } else {
            Some(apply.await)
        };
        match result {
            Some(Ok(report)) => {
                status = Some(report.status);
                if matches!(report.status, RunStatus::Succeeded | RunStatus::Failed) {
                    if report.status == RunStatus::Failed {
                        outcome.loss_reported = report
                            .reason
                            .as_deref()
                            .is_some_and(|r| r.contains("NAMESPACE LOST"));
                    }
                    break;
                }
            }
            Some(Err(e)) if attempt == 0 && e.kind == ksmc_core::ErrorKind::StalePlan => {
                outcome.violation = Some(format!("a fresh plan was called stale: {e}"));
                return outcome;
            }
            Some(Err(_)) | None => {}
        }
    }
    // The faults pass; one more resume must settle it.
    let deleted = estate
        .hazard_stats(MEMBER)
        .map(|s| s.namespace_deleted)
        .unwrap_or(false);
    let re_added = estate
        .hazard_stats(MEMBER)
        .map(|s| s.owners_re_added)
        .unwrap_or(0);
    for cluster in ["old-host", MEMBER, "new-host"] {
        let _ = estate.clear_faults(cluster);
    }
    if !matches!(status, Some(RunStatus::Succeeded | RunStatus::Failed)) {
        outcome.applies += 1;
        let options = ApplyOptions {
            check_stale: false,
            ..ApplyOptions::default()
        };
        match workflow::apply(&clusters, &run, &options, &NoProgress).await {
            Ok(report) => {
                status = Some(report.status);
                outcome.loss_reported = report
                    .reason
                    .as_deref()
                    .is_some_and(|r| r.contains("NAMESPACE LOST"));
            }
            Err(e) => {
                outcome.violation = Some(format!("resume without faults failed to start: {e}"));
            }
        }
    }
    outcome.status = status;
    if outcome.violation.is_none() {
        outcome.violation = check(&clusters, &estate, workflow, status, deleted, re_added).await;
    }
    if deleted && status == Some(RunStatus::Failed) && !outcome.loss_reported {
        outcome.violation =
            Some("a namespace was deleted and the run failed without saying NAMESPACE LOST".into());
    }
    outcome.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    estate.shutdown().await;
    outcome
}

/// The invariants after a seed.
async fn check(
    clusters: &Clusters,
    estate: &Estate,
    workflow: Workflow,
    status: Option<RunStatus>,
    deleted: bool,
    re_added: u64,
) -> Option<String> {
    if deleted {
        return match status {
            Some(RunStatus::Failed) => None,
            Some(RunStatus::Succeeded) => {
                Some("SILENT SUCCESS: a kept namespace was deleted, yet the run succeeded".into())
            }
            other => Some(format!(
                "after a deletion the run ended {other:?}, not Failed"
            )),
        };
    }
    if status != Some(RunStatus::Succeeded) {
        return Some(format!(
            "without faults the run ended {status:?}, not Succeeded"
        ));
    }
    let client = match clusters.source(MEMBER) {
        Ok(s) => match s.client().await {
            Ok(c) => c,
            Err(e) => return Some(e.to_string()),
        },
        Err(e) => return Some(e.message),
    };
    let found = match namespaces(&client).await {
        Ok(f) => f,
        Err(e) => return Some(e),
    };
    for name in KEPT {
        let Some(ns) = found
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(name))
        else {
            return Some(format!("NAMESPACE LOST: {name}"));
        };
        if ns.metadata.deletion_timestamp.is_some() {
            return Some(format!("{name} is terminating"));
        }
        let label = ns
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kubesphere.io/workspace"))
            .cloned();
        let owners = ns.metadata.owner_references.clone().unwrap_or_default();
        if name == "apps-gitops" && !owners.iter().any(|r| r.kind == "Application") {
            return Some("apps-gitops lost its Application owner".into());
        }
        match (workflow, name) {
            (_, "scratch") => {}
            (Workflow::Unbind, _) => {
                if label.is_some() || owners.iter().any(|r| r.kind == "Workspace") {
                    return Some(format!("{name} is still bound after unbind"));
                }
            }
            (Workflow::Migrate, _) => {
                let want = if name.starts_with("apps-") {
                    "ws-apps"
                } else {
                    "ws-data"
                };
                if label.as_deref() != Some(want)
                    || !owners
                        .iter()
                        .any(|r| r.kind == "Workspace" && r.name == want)
                {
                    return Some(format!("{name} is not bound to {want} on the new host"));
                }
            }
        }
    }
    // No write applied twice beyond what the re-binding hazard undid.
    let writes = estate
        .cluster(MEMBER)
        .map(|c| c.writes())
        .unwrap_or_default();
    let per_ns = match workflow {
        Workflow::Unbind => 1,
        Workflow::Migrate => 2,
    };
    for name in KEPT.iter().filter(|n| **n != "scratch") {
        let path = format!("/api/v1/namespaces/{name}");
        let n = writes
            .iter()
            .filter(|w| w.method == "PATCH" && w.path == path)
            .count() as u64;
        if n > per_ns + re_added {
            return Some(format!("{name} was patched {n} times (expected {per_ns})"));
        }
    }
    None
}
