//! The one plan/apply engine: refuse a stale plan, take the estate's lease, run phases step by
//! step (concurrent phases bounded), journal every write, stop cleanly on cancel, and finish
//! with a report whose invariants were checked against the clusters.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use futures::StreamExt as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::access::Clusters;
use super::journal::{Journal, Record};
use super::plan::{Action, Plan, Step};
use super::runs::{RunDir, RunStatus};
use super::steps::{self, StepCtx, Stop};
use super::{Progress, RunEvent, lease};
use crate::error::{AppError, ErrorKind};

/// How many steps of a concurrent phase run at once.
pub const DEFAULT_CONCURRENCY: usize = 32;
const RENEW_EVERY: Duration = Duration::from_secs(30);

/// A cancel request from the same process (the desktop's Cancel button).
#[derive(Clone, Debug, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How to apply.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Re-plan from live state first and refuse when the result differs from the reviewed
    /// plan. On by default; resume turns it off (the run itself changed the estate).
    pub check_stale: bool,
    pub concurrency: usize,
    pub cancel: CancelFlag,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            check_stale: true,
            concurrency: DEFAULT_CONCURRENCY,
            cancel: CancelFlag::default(),
        }
    }
}

/// How a run ended this time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub run_id: String,
    pub workflow: String,
    pub status: RunStatus,
    /// The step it stopped at.
    pub step: Option<u32>,
    pub step_title: Option<String>,
    pub reason: Option<String>,
    pub steps_done: u32,
    pub steps_total: u32,
    /// Writes sent by this invocation (not counting earlier ones before a crash).
    pub writes: u32,
    /// Namespaces the run keeps, and SHA-256 over their sorted `cluster/name/uid`.
    pub kept: u32,
    pub inventory_hash: String,
    /// What steps found and left alone, from every invocation of the run (journal notes).
    #[serde(default)]
    pub notes: Vec<String>,
}

fn inventory_hash(plan: &Plan) -> String {
    let mut lines: Vec<String> = plan
        .inventory
        .iter()
        .map(|n| format!("{}/{}/{}", n.cluster, n.name, n.uid))
        .collect();
    lines.sort();
    let digest = Sha256::digest(lines.join("\n").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The lease holder id of a run.
#[must_use]
pub fn holder_of(run: &RunDir) -> String {
    format!("ksmc-run-{}", run.id())
}

/// Applies (or resumes) the run in `run`.
///
/// # Errors
/// Only for what stops a run before its first write: a stale plan, a lock held by another
/// run, an unreadable plan or journal, an unknown cluster. Everything after that is a
/// [`RunReport`] with its status.
pub async fn apply(
    clusters: &Clusters,
    run: &RunDir,
    options: &ApplyOptions,
    progress: &dyn Progress,
) -> Result<RunReport, AppError> {
    let plan = run.plan()?;
    if options.check_stale {
        let fresh = super::plan_workflow(&plan.input, clusters).await?;
        if fresh.hash != plan.hash {
            return Err(AppError::new(
                ErrorKind::StalePlan,
                format!(
                    "the estate changed since plan {} was reviewed ({} steps then, {} now, or different content); nothing was written — plan again and review",
                    plan.id,
                    plan.len(),
                    fresh.len()
                ),
            ));
        }
    }
    // One process applies a run at a time (another resume of the same run would hold the
    // same estate lease); the OS drops this lock when the process dies.
    let _running = run.lock()?;
    let holder = holder_of(run);
    let written = plan.written_clusters();
    let mut held: Vec<String> = Vec::new();
    for cluster in &written {
        if let Err(e) = lease::acquire(clusters, cluster, &holder).await {
            for h in &held {
                lease::release(clusters, h, &holder).await;
            }
            return Err(e);
        }
        held.push(cluster.clone());
    }
    run.clear_cancel();
    let journal = Journal::open(&run.journal_path())?;
    let before = Journal::read(&run.journal_path())?.records;
    journal
        .append(&[Record::Started {
            plan_hash: plan.hash.clone(),
            holder: holder.clone(),
        }])
        .await?;
    let done = done_steps(&plan, &before);
    let ctx = StepCtx {
        clusters,
        journal: &journal,
        plan: &plan,
        progress,
        writes: AtomicU32::new(0),
    };
    progress.event(RunEvent::Started {
        run_id: run.id().to_owned(),
        total: u32::try_from(plan.len()).unwrap_or(u32::MAX),
        done: u32::try_from(done.len()).unwrap_or(u32::MAX),
    });
    let body = run_phases(&ctx, run, options, &done);
    let renew = async {
        loop {
            tokio::time::sleep(RENEW_EVERY).await;
            for cluster in &written {
                let _ = lease::acquire(clusters, cluster, &holder).await;
            }
        }
    };
    let ended = tokio::select! {
        ended = body => ended,
        () = renew => unreachable!("the renew loop never ends"),
    };
    let (status, at, reason, record) = match ended {
        Ended::Finished => {
            let kept = u32::try_from(plan.inventory.len()).unwrap_or(u32::MAX);
            (RunStatus::Succeeded, None, None, Record::Succeeded { kept })
        }
        Ended::Cancelled(step) => (
            RunStatus::Cancelled,
            Some(step),
            Some("cancelled before this step".to_owned()),
            Record::Cancelled { before_step: step },
        ),
        Ended::Stopped(step, stop) => match stop {
            Stop::Blocked(reason) => (
                RunStatus::Blocked,
                Some(step),
                Some(reason.clone()),
                Record::Blocked { step, reason },
            ),
            Stop::Paused(reason) => (
                RunStatus::Paused,
                Some(step),
                Some(reason.clone()),
                Record::Paused { step, reason },
            ),
            Stop::Failed(reason) => (
                RunStatus::Failed,
                Some(step),
                Some(reason.clone()),
                Record::Failed { step, reason },
            ),
        },
    };
    // The terminal record; if the disk refuses it, the run reads as interrupted and resumes.
    let _ = journal.append(&[record]).await;
    for cluster in &held {
        lease::release(clusters, cluster, &holder).await;
    }
    let summary = run.summary()?;
    let notes = Journal::read(&run.journal_path())
        .map(|r| {
            r.records
                .into_iter()
                .filter_map(|r| match r {
                    Record::Note { step, text } => Some(format!("step {}: {text}", step + 1)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let report = RunReport {
        run_id: run.id().to_owned(),
        workflow: plan.input.name().to_owned(),
        status,
        step: at,
        step_title: at.and_then(|i| plan.steps().find(|s| s.id == i).map(|s| s.title.clone())),
        reason,
        steps_done: summary.steps_done,
        steps_total: summary.steps_total,
        writes: ctx.writes.load(Ordering::Relaxed),
        kept: u32::try_from(plan.inventory.len()).unwrap_or(u32::MAX),
        inventory_hash: inventory_hash(&plan),
        notes,
    };
    if let Ok(text) = serde_json::to_vec_pretty(&report) {
        let _ = crate::vault::fsio::write_atomic(&run.report_path(), &text);
    }
    progress.event(RunEvent::Finished {
        report: report.clone(),
    });
    Ok(report)
}

/// Steps already done by earlier invocations. When the last one was blocked because a
/// controller re-bound namespaces after they were unbound, the unbinding of that cluster is
/// redone (it is safe: nothing after the settle step has run) instead of failing again.
/// Public for the resume fuzz target (`fuzz/fuzz_targets/run_readback.rs`).
#[must_use]
pub fn done_steps(plan: &Plan, records: &[Record]) -> BTreeSet<u32> {
    let mut done: BTreeSet<u32> = records
        .iter()
        .filter_map(|r| match r {
            Record::StepDone { step, .. } => Some(*step),
            _ => None,
        })
        .collect();
    let blocked_at = records.iter().rev().find_map(|r| match r {
        Record::Blocked { step, .. } => Some(Some(*step)),
        Record::Started { .. } | Record::Succeeded { .. } => Some(None),
        _ => None,
    });
    let settle = blocked_at.flatten().and_then(|at| {
        plan.steps().find_map(|s| match &s.action {
            Action::SettleAndVerifyUnbound { cluster, .. } if s.id == at => Some(cluster.clone()),
            _ => None,
        })
    });
    // The last phase's verifications are read-only: they run again on every apply, so
    // applying a finished run re-checks its invariants against the clusters.
    if let Some(last) = plan.phases.last() {
        for s in &last.steps {
            if matches!(
                s.action,
                Action::VerifyInventory { .. } | Action::VerifyBound { .. }
            ) {
                done.remove(&s.id);
            }
        }
    }
    if let Some(cluster) = settle {
        for s in plan.steps() {
            if matches!(&s.action, Action::UnbindNamespace { cluster: c, .. } if *c == cluster) {
                done.remove(&s.id);
            }
        }
    }
    done
}

enum Ended {
    Finished,
    Cancelled(u32),
    Stopped(u32, Stop),
}

fn cancelled(run: &RunDir, options: &ApplyOptions) -> bool {
    options.cancel.is_cancelled() || run.cancel_requested()
}

async fn run_phases(
    ctx: &StepCtx<'_>,
    run: &RunDir,
    options: &ApplyOptions,
    done: &BTreeSet<u32>,
) -> Ended {
    for (index, phase) in ctx.plan.phases.iter().enumerate() {
        let todo: Vec<&Step> = phase
            .steps
            .iter()
            .filter(|s| !done.contains(&s.id))
            .collect();
        if todo.is_empty() {
            continue;
        }
        ctx.progress.event(RunEvent::PhaseStarted {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            title: phase.title.clone(),
            steps: u32::try_from(phase.steps.len()).unwrap_or(u32::MAX),
        });
        let width = if phase.concurrent {
            options.concurrency.max(1)
        } else {
            1
        };
        let stop_flag = AtomicBool::new(false);
        let mut results = futures::stream::iter(todo)
            .map(|step| {
                let stop_flag = &stop_flag;
                async move {
                    if stop_flag.load(Ordering::SeqCst) {
                        return None;
                    }
                    if cancelled(run, options) {
                        return Some(Ended::Cancelled(step.id));
                    }
                    ctx.progress.event(RunEvent::StepStarted {
                        step: step.id,
                        title: step.title.clone(),
                    });
                    match steps::apply(ctx, step).await {
                        Ok(()) => {
                            if let Err(e) = ctx
                                .journal
                                .append(&[Record::StepDone {
                                    step: step.id,
                                    writes: 0,
                                }])
                                .await
                            {
                                stop_flag.store(true, Ordering::SeqCst);
                                return Some(Ended::Stopped(step.id, Stop::Paused(e.message)));
                            }
                            ctx.progress.event(RunEvent::StepDone { step: step.id });
                            None
                        }
                        Err(stop) => {
                            stop_flag.store(true, Ordering::SeqCst);
                            Some(Ended::Stopped(step.id, stop))
                        }
                    }
                }
            })
            .buffer_unordered(width);
        let mut first: Option<Ended> = None;
        while let Some(outcome) = results.next().await {
            // A failure outranks a block, which outranks a pause or a cancel.
            if let Some(o) = outcome {
                let rank = |e: &Ended| match e {
                    Ended::Stopped(_, Stop::Failed(_)) => 3,
                    Ended::Stopped(_, Stop::Blocked(_)) => 2,
                    Ended::Stopped(_, Stop::Paused(_)) => 1,
                    _ => 0,
                };
                if first.as_ref().is_none_or(|f| rank(&o) > rank(f)) {
                    first = Some(o);
                }
            }
        }
        if let Some(ended) = first {
            return ended;
        }
    }
    Ended::Finished
}
