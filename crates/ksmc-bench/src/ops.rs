//! The ksmc operations measured, shared by the suites (in-process) and the child worker
//! (`ksmc-bench worker …`, for a peak-memory reading that holds ksmc alone).

use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use ksmc_core::ClusterSource;
use ksmc_core::fleet::{FleetReport, facts, inspect_sources};
use ksmc_core::workflow::{
    self, Action, ApplyOptions, Clusters, Progress, RunEvent, RunStatus, Runs, WorkflowInput,
};
use serde::{Deserialize, Serialize};

use crate::common::{Result, timed};

/// Page size of ksmc's list reads (`fleet/facts.rs`).
pub const PAGE: usize = 500;
/// The workflow engine's width for a concurrent phase (`workflow/engine.rs`).
pub const APPLY_CONCURRENCY: usize = workflow::engine::DEFAULT_CONCURRENCY;
/// How many clusters fleet inspection reads at once (`fleet/facts.rs`).
pub const INSPECT_CONCURRENCY: usize = ksmc_core::fleet::facts::PARALLELISM;

/// One inspection and what it read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspected {
    pub seconds: f64,
    pub clusters: usize,
    pub unreadable: Vec<String>,
    pub fact_errors: usize,
    pub projects: usize,
    pub users: usize,
    pub workspaces: usize,
    /// The longest chain of dependent requests of one cluster: `/version`, then the longest
    /// paged list (the other reads run beside it).
    pub chain: usize,
}

fn pages(n: usize) -> usize {
    n.div_ceil(PAGE).max(1)
}

/// Runs `fleet::inspect_sources` once and summarises the report.
pub async fn inspect(sources: &[ClusterSource]) -> Inspected {
    let (report, seconds) = timed(inspect_sources(sources)).await;
    summarise(&report, seconds)
}

/// An experiment, not ksmc as shipped: what `inspect_sources` does, with every cluster read
/// at once instead of [`INSPECT_CONCURRENCY`] at a time.
pub async fn inspect_all_at_once(sources: &[ClusterSource]) -> Inspected {
    let (report, seconds) = timed(async {
        let mut clusters = futures::future::join_all(
            sources
                .iter()
                .map(|s| facts::gather_on_task(s, facts::Depth::Full)),
        )
        .await;
        facts::link_members(&mut clusters);
        let findings = ksmc_core::fleet::findings(&clusters);
        FleetReport { clusters, findings }
    })
    .await;
    summarise(&report, seconds)
}

fn summarise(report: &FleetReport, seconds: f64) -> Inspected {
    let mut out = Inspected {
        seconds,
        clusters: report.clusters.len(),
        unreadable: Vec::new(),
        fact_errors: 0,
        projects: 0,
        users: 0,
        workspaces: 0,
        chain: 0,
    };
    for c in &report.clusters {
        if let Some(e) = &c.error {
            out.unreadable.push(format!("{}: {}", c.name, e.message));
        }
        out.fact_errors += c.fact_errors.len();
        let (p, u, w, t, k) = (
            c.projects.all().len(),
            c.users.all().len(),
            c.workspaces.all().len(),
            c.workspace_templates.all().len(),
            c.clusters.all().len(),
        );
        out.projects += p;
        out.users += u;
        out.workspaces += w;
        let longest = [p, u, w, t, k].into_iter().map(pages).max().unwrap_or(1);
        out.chain = out.chain.max(1 + longest);
    }
    out
}

/// One unbind run: plan, then apply, timed apart.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unbound {
    pub plan_seconds: f64,
    pub create_seconds: f64,
    pub apply_seconds: f64,
    pub status: String,
    pub succeeded: bool,
    pub kept: u32,
    pub steps: usize,
    pub writes: u32,
    /// Per-namespace unbind steps (one GET and one PATCH each, run concurrently).
    pub unbind_steps: usize,
    /// Seconds per phase of the apply, in order; the first is the stale-plan check and lease.
    pub phases: Vec<(String, f64)>,
    pub reason: Option<String>,
}

impl Unbound {
    pub fn total(&self) -> f64 {
        self.plan_seconds + self.create_seconds + self.apply_seconds
    }
}

pub fn unbind_input(member: &str, host: &str) -> WorkflowInput {
    WorkflowInput::Unbind {
        member: member.to_owned(),
        old_host: Some(host.to_owned()),
        cluster_name: None,
        projects: None,
        settle_seconds: 0,
    }
}

/// Plans and applies "unbind `member` from `host`, keeping every project". `requests` reads
/// the estate's request counter (the in-process estate) so plan and apply are counted apart.
pub async fn unbind(
    sources: &[ClusterSource],
    runs_dir: &Path,
    member: &str,
    host: &str,
) -> Result<Unbound> {
    let clusters = Clusters::new(sources.iter().cloned());
    let input = unbind_input(member, host);
    let (plan, plan_seconds) = timed(workflow::plan_workflow(&input, &clusters)).await;
    let plan = plan?;
    let unbind_steps = plan
        .steps()
        .filter(|s| matches!(s.action, Action::UnbindNamespace { .. }))
        .count();
    let began = Instant::now();
    let run = Runs::new(runs_dir).create(&plan)?;
    let create_seconds = began.elapsed().as_secs_f64();
    let timer = PhaseTimer::default();
    let (report, apply_seconds) = timed(workflow::apply(
        &clusters,
        &run,
        &ApplyOptions::default(),
        &timer,
    ))
    .await;
    let report = report?;
    Ok(Unbound {
        plan_seconds,
        create_seconds,
        apply_seconds,
        status: format!("{:?}", report.status),
        succeeded: report.status == RunStatus::Succeeded,
        kept: report.kept,
        steps: plan.len(),
        writes: report.writes,
        unbind_steps,
        phases: timer.phases(),
        reason: report.reason,
    })
}

/// Times the phases of a run from its progress events.
#[derive(Debug)]
pub struct PhaseTimer {
    began: Instant,
    marks: Mutex<Vec<(Instant, String)>>,
}

impl Default for PhaseTimer {
    fn default() -> Self {
        Self {
            began: Instant::now(),
            marks: Mutex::new(Vec::new()),
        }
    }
}

impl Progress for PhaseTimer {
    fn event(&self, event: RunEvent) {
        let mark = match event {
            RunEvent::PhaseStarted { title, .. } => title,
            RunEvent::Finished { .. } => String::new(),
            _ => return,
        };
        if let Ok(mut m) = self.marks.lock() {
            m.push((Instant::now(), mark));
        }
    }
}

impl PhaseTimer {
    /// (title, seconds) per phase; the first entry is what came before the first phase
    /// (stale-plan check: a full re-plan, then the lease).
    pub fn phases(&self) -> Vec<(String, f64)> {
        let marks = self.marks.lock().map(|m| m.clone()).unwrap_or_default();
        let mut out = Vec::new();
        let mut at = self.began;
        let mut title = "stale-plan check (re-plan) and lease".to_owned();
        for (when, next) in marks {
            out.push((title, when.duration_since(at).as_secs_f64()));
            at = when;
            title = next;
        }
        out
    }
}
