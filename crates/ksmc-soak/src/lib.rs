//! Soak: the unbind, rebind and migrate workflows against ksmc-sim under seeded random fault
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

use ksmc_core::kubeconfig::sources_in_dir;
use ksmc_core::workflow::{self, ApplyOptions, Clusters, NoProgress, RunStatus, Runs};
use ksmc_sim::{Estate, EstateOptions};
use serde::Serialize;

mod check;
mod estate;
mod schedule;

use estate::{CLUSTERS, MEMBER};

/// Which workflow a seed runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Workflow {
    Unbind,
    /// Projects of a joined member that are unbound, bound again (one to a new workspace).
    Rebind,
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
    /// Why the run last stopped (blocked, paused or failed), as it said.
    pub reason: Option<String>,
    pub elapsed_ms: u64,
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
    let estate = Estate::start(&estate::scenario(workflow), &options)
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
        reason: None,
        elapsed_ms: 0,
    };
    let plan = match workflow::plan_workflow(&estate::input(workflow), &clusters).await {
        Ok(p) => p,
        Err(e) => {
            outcome.violation = Some(format!("planning a clean estate failed: {e}"));
            return outcome;
        }
    };
    let run = runs.create(&plan).expect("run directory");

    outcome.schedule = schedule::set_faults(&mut rng, &estate, workflow);

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
                outcome.reason = report.reason;
                if matches!(report.status, RunStatus::Succeeded | RunStatus::Failed) {
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
    for cluster in CLUSTERS {
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
                outcome.reason = report.reason;
            }
            Err(e) => {
                outcome.violation = Some(format!("resume without faults failed to start: {e}"));
            }
        }
    }
    outcome.status = status;
    outcome.loss_reported = status == Some(RunStatus::Failed)
        && outcome
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("NAMESPACE LOST"));
    if outcome.violation.is_none() {
        let hazards = check::Hazards { deleted, re_added };
        outcome.violation = check::check(&clusters, &estate, workflow, status, &hazards).await;
    }
    if deleted && status == Some(RunStatus::Failed) && !outcome.loss_reported {
        outcome.violation =
            Some("a namespace was deleted and the run failed without saying NAMESPACE LOST".into());
    }
    outcome.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    estate.shutdown().await;
    outcome
}
