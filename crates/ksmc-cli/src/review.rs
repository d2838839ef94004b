//! How plans, runs and outcomes are shown, and the typed confirmation.

use std::fmt::Write as _;

use comfy_table::{Table, presets::NOTHING};
use ksmc_core::workflow::{Plan, RunReport, RunStatus, RunSummary, WorkflowInput};
use ksmc_core::{AppError, ErrorKind};

/// `1 step`, `3 steps`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn hash12(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// What must be typed to confirm, and how it is called: the member for the member
/// workflows, else the cluster(s) the plan writes to.
fn confirmation(plan: &Plan) -> (&'static str, String) {
    match &plan.input {
        WorkflowInput::Unbind { member, .. }
        | WorkflowInput::Import { member, .. }
        | WorkflowInput::Rebind { member, .. }
        | WorkflowInput::Migrate { member, .. } => ("the member cluster's name", member.clone()),
        _ => match plan.written_clusters().as_slice() {
            [] => ("the workflow's name", plan.input.name().to_owned()),
            [one] => ("the name of the cluster it changes", one.clone()),
            many => (
                "the names of the clusters it changes, comma-separated",
                many.join(","),
            ),
        },
    }
}

pub fn status_word(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Planned => "planned",
        RunStatus::Interrupted => "interrupted",
        RunStatus::Succeeded => "succeeded",
        RunStatus::Blocked => "blocked",
        RunStatus::Paused => "paused",
        RunStatus::Failed => "failed",
        RunStatus::Cancelled => "cancelled",
    }
}

fn header(out: &mut String, plan: &Plan) {
    let _ = writeln!(out, "{}", plan.title);
    let _ = writeln!(
        out,
        "Plan {} ({}): {} in {}, writing to {}; hash {}",
        plan.id,
        plan.input.name(),
        count(plan.len(), "step"),
        count(plan.phases.len(), "phase"),
        join_or(&plan.written_clusters(), "no cluster"),
        hash12(&plan.hash)
    );
    if !plan.inventory.is_empty() {
        let _ = writeln!(
            out,
            "\nKeeps {} (each verified at the end):",
            count(plan.inventory.len(), "namespace")
        );
        for n in &plan.inventory {
            let ws = n
                .workspace
                .as_deref()
                .map_or_else(|| "no workspace".to_owned(), |w| format!("workspace {w}"));
            let others = if n.other_owners.is_empty() {
                String::new()
            } else {
                format!(", {} kept", count(n.other_owners.len(), "other owner"))
            };
            let _ = writeln!(out, "  {}/{}  ({ws}{others})", n.cluster, n.name);
        }
    }
    if !plan.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings:");
        for w in &plan.warnings {
            let _ = writeln!(out, "  ! {w}");
        }
    }
}

fn join_or(items: &[String], none: &str) -> String {
    if items.is_empty() {
        none.to_owned()
    } else {
        items.join(", ")
    }
}

/// The whole plan for review: every step with its request, changes, kubectl equivalent and
/// what it protects.
pub fn render_plan(plan: &Plan) -> String {
    let mut out = String::new();
    header(&mut out, plan);
    let phases = plan.phases.len();
    for (i, phase) in plan.phases.iter().enumerate() {
        let _ = writeln!(
            out,
            "\nPhase {}/{phases}: {} ({}{})",
            i + 1,
            phase.title,
            count(phase.steps.len(), "step"),
            if phase.concurrent { ", concurrent" } else { "" }
        );
        for step in &phase.steps {
            let _ = writeln!(out, "  {}. {}", step.id + 1, step.title);
            if !step.request.is_empty() {
                let _ = writeln!(out, "       request: {}", step.request);
            }
            for change in &step.changes {
                let _ = writeln!(out, "       {change}");
            }
            for line in &step.kubectl {
                let _ = writeln!(out, "       $ {line}");
            }
            if !step.protects.is_empty() {
                let _ = writeln!(out, "       why: {}", step.protects);
            }
        }
    }
    out.trim_end().to_owned()
}

/// Where the plan was saved and how to apply it.
pub fn saved_note(run_id: &str, estate: &str) -> String {
    format!(
        "\nSaved as run {run_id}. Review it, then apply it with:\n  ksmc apply {} {estate}",
        short(run_id)
    )
}

fn emit(json: bool, text: &str) {
    if json {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
}

/// What `ksmc apply` is about to do (stderr under `--json`).
pub fn print_summary(plan: &Plan, json: bool) {
    let mut out = String::new();
    header(&mut out, plan);
    let _ = writeln!(out);
    for (i, phase) in plan.phases.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}. {} ({})",
            i + 1,
            phase.title,
            count(phase.steps.len(), "step")
        );
    }
    emit(json, out.trim_end());
}

/// What `ksmc resume` is about to carry on.
pub fn print_resume_summary(plan: &Plan, summary: &RunSummary, json: bool) {
    let mut out = String::new();
    header(&mut out, plan);
    let _ = write!(
        out,
        "\nRun {} is {}: {}/{} steps done",
        plan.id,
        status_word(summary.status),
        summary.steps_done,
        summary.steps_total
    );
    if let Some(reason) = &summary.reason {
        let _ = write!(out, "; it stopped because: {reason}");
    }
    emit(json, &out);
}

/// Asks for the member's name on stdin, unless `yes`.
///
/// # Errors
/// When the answer is missing or different: nothing is written then.
pub async fn confirm(plan: &Plan, yes: bool, action: &str) -> Result<(), AppError> {
    if yes {
        return Ok(());
    }
    let (what, expected) = confirmation(plan);
    eprint!("Type {what} ({expected}) to {action}: ");
    let answer = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|n| (n, line))
    })
    .await
    .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
    match answer {
        Ok((0, _)) => Err(AppError::new(
            ErrorKind::Invalid,
            format!(
                "no confirmation on standard input (pass --yes to go on without typing {what}); nothing was written"
            ),
        )),
        Ok((_, line)) if line.trim() == expected => Ok(()),
        Ok(_) => Err(AppError::new(
            ErrorKind::Invalid,
            format!("the name typed is not {expected}; nothing was written"),
        )),
        Err(e) => Err(AppError::new(
            ErrorKind::Invalid,
            format!("cannot read the confirmation from standard input: {e}; nothing was written"),
        )),
    }
}

/// How the run ended, with what to do next.
pub fn print_outcome(report: &RunReport, estate: &str) {
    let at = match (report.step, &report.step_title) {
        (Some(n), Some(t)) => format!(" at step {} ({t})", n + 1),
        (Some(n), None) => format!(" at step {}", n + 1),
        _ => String::new(),
    };
    let reason = report.reason.as_deref().unwrap_or("no reason given");
    let resume = format!("ksmc resume {} {estate}", short(&report.run_id));
    match report.status {
        RunStatus::Succeeded => println!(
            "Succeeded: {}/{} steps done, {} writes sent by this run, {} namespaces kept and verified.",
            report.steps_done, report.steps_total, report.writes, report.kept
        ),
        RunStatus::Blocked => eprintln!(
            "Blocked{at}: {reason}\nNothing unsafe was done. When the cause is fixed, carry on with: {resume}"
        ),
        RunStatus::Paused => {
            eprintln!("Paused{at}: {reason}\nNothing unsafe was done. Carry on with: {resume}");
        }
        RunStatus::Cancelled => eprintln!(
            "Cancelled before step {} ({}/{} steps done). Carry on with: {resume}",
            report.step.map_or(0, |s| s + 1),
            report.steps_done,
            report.steps_total
        ),
        RunStatus::Failed | RunStatus::Planned | RunStatus::Interrupted => eprintln!(
            "FAILED{at}: {reason}\nThis needs a human: the run is not resumed. Its journal is in run {}.",
            report.run_id
        ),
    }
    // What steps found and left alone (e.g. a project role that differs from the snapshot).
    for note in &report.notes {
        eprintln!("  note: {note}");
    }
}

/// `ksmc runs list` as a table.
pub fn render_runs(list: &[RunSummary]) -> String {
    if list.is_empty() {
        return "No runs.".to_owned();
    }
    let mut table = Table::new();
    table.load_preset(NOTHING).set_header([
        "RUN", "STATUS", "WORKFLOW", "STEPS", "CREATED", "TITLE", "REASON",
    ]);
    for r in list {
        let created = r
            .created_at
            .get(..19)
            .unwrap_or(&r.created_at)
            .replace('T', " ");
        let reason = r.reason.as_deref().map_or_else(
            || "-".to_owned(),
            |s| {
                if s.chars().count() > 60 {
                    format!("{}…", s.chars().take(59).collect::<String>())
                } else {
                    s.to_owned()
                }
            },
        );
        table.add_row([
            short(&r.id).to_owned(),
            status_word(r.status).to_owned(),
            r.workflow.clone(),
            format!("{}/{}", r.steps_done, r.steps_total),
            created,
            r.title.clone(),
            reason,
        ]);
    }
    table.to_string()
}
