//! `ksmc plan`, `apply`, `resume`, `cancel`, `runs`, and `import|unbind|rebind|migrate`:
//! argument parsing, review and confirmation, and progress. Every rule lives in
//! `ksmc_core::workflow`.

mod args;

use std::io::IsTerminal as _;
use std::path::Path;
use std::process::ExitCode;

use ksmc_core::workflow::{
    self, ApplyOptions, CancelFlag, Clusters, Plan, RunDir, RunReport, RunStatus, Runs, lease,
};
use ksmc_core::{AppError, ErrorKind};
use serde_json::json;

use crate::progress::{JsonLines, Terminal};
use crate::review;

pub use args::{
    ApplyArgs, EstateArgs, GoArgs, ImportArgs, MigrateArgs, PlanArgs, RebindArgs, RunsCommand,
    UnbindArgs, WorkflowCommand,
};

/// The exit codes of the commands that apply a run.
pub const EXIT_CODES: &str = "\
Exit status:
  0  succeeded: every step done, every kept namespace verified
  1  failed (a namespace was lost, a write was refused), or refused before any write
     (stale plan, estate locked by another run, invalid input, not confirmed)
  2  usage error
  3  blocked or paused: nothing unsafe was done; fix the cause, then `ksmc resume RUN`
  4  cancelled between steps; `ksmc resume RUN` carries on";

const EXIT_FAILED: u8 = 1;
const EXIT_STOPPED: u8 = 3;
const EXIT_CANCELLED: u8 = 4;

fn fail(json: bool, e: &AppError) -> ExitCode {
    eprintln!("ksmc: {e}");
    if json {
        println!("{}", json!({"event": "error", "error": e}));
    }
    ExitCode::from(EXIT_FAILED)
}

fn runs() -> Result<Runs, AppError> {
    Runs::open_default()
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// `ksmc plan WORKFLOW …`.
pub async fn plan(args: PlanArgs) -> ExitCode {
    let json = args.json;
    let estate = args.workflow.estate().clone();
    let (plan, run, _) = match make_plan(&args.workflow).await {
        Ok(p) => p,
        Err(e) => return fail(json, &e),
    };
    if let Some(path) = &args.output {
        if let Err(e) = write_plan_file(path, &plan) {
            return fail(json, &e);
        }
        eprintln!("ksmc: plan written to {}", path.display());
    }
    if args.script {
        print!("{}", plan.script());
        eprintln!("{}", review::saved_note(run.id(), &estate.hint()));
    } else if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&plan).unwrap_or_default()
        );
        eprintln!("{}", review::saved_note(run.id(), &estate.hint()));
    } else {
        println!("{}", review::render_plan(&plan));
        println!("{}", review::saved_note(run.id(), &estate.hint()));
    }
    ExitCode::SUCCESS
}

/// Validates the input, opens the estate, plans from live reads and saves the plan as a run.
async fn make_plan(command: &WorkflowCommand) -> Result<(Plan, RunDir, Clusters), AppError> {
    let input = command.input()?;
    let clusters = command.estate().clusters().await?;
    let plan = workflow::plan_workflow(&input, &clusters).await?;
    let run = runs()?.create(&plan)?;
    Ok((plan, run, clusters))
}

fn write_plan_file(path: &Path, plan: &Plan) -> Result<(), AppError> {
    let text = serde_json::to_vec_pretty(plan)
        .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
    std::fs::write(path, text).map_err(|e| {
        AppError::new(
            ErrorKind::Internal,
            format!("cannot write the plan to {}: {e}", path.display()),
        )
    })
}

/// `ksmc import|unbind|rebind|migrate …`: plan, review, confirm, apply.
pub async fn go(command: WorkflowCommand, go: GoArgs) -> ExitCode {
    let json = go.json;
    let estate = command.estate().clone();
    let (plan, run, clusters) = match make_plan(&command).await {
        Ok(p) => p,
        Err(e) => return fail(json, &e),
    };
    if json {
        println!("{}", json!({"event": "planned", "plan": plan}));
    } else {
        println!("{}", review::render_plan(&plan));
    }
    if go.dry_run {
        let note = review::saved_note(run.id(), &estate.hint());
        if json {
            eprintln!("{note}");
        } else {
            println!("{note}");
        }
        return ExitCode::SUCCESS;
    }
    if let Err(e) = review::confirm(&plan, go.yes, "apply this plan").await {
        return fail(json, &e);
    }
    drive(&run, &plan, &clusters, true, json, &estate).await
}

/// Opens a run by id prefix, or saves a plan file as a run (or finds the run it came from).
fn open_target(target: &str) -> Result<RunDir, AppError> {
    let runs = runs()?;
    let looks_like_file = target.contains(std::path::MAIN_SEPARATOR)
        || target.contains('/')
        || Path::new(target)
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json"));
    if !looks_like_file {
        return runs.open(target);
    }
    let text = std::fs::read(target).map_err(|e| {
        AppError::new(
            ErrorKind::NotFound,
            format!("cannot read the plan file {target}: {e}"),
        )
    })?;
    let plan: Plan = serde_json::from_slice(&text).map_err(|e| {
        AppError::new(
            ErrorKind::Invalid,
            format!("{target} is not a ksmc plan: {e}"),
        )
    })?;
    if plan.format != ksmc_core::workflow::plan::PLAN_FORMAT {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!(
                "{target} was written in plan format {}; this ksmc applies format {}",
                plan.format,
                ksmc_core::workflow::plan::PLAN_FORMAT
            ),
        ));
    }
    if plan.content_hash() != plan.hash {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!(
                "{target} was changed after it was planned (its hash does not match); plan again"
            ),
        ));
    }
    match runs.open(&plan.id) {
        Ok(run) => {
            if run.plan()?.hash != plan.hash {
                return Err(AppError::new(
                    ErrorKind::Invalid,
                    format!(
                        "{target} and run {} have the same id but different content; plan again",
                        plan.id
                    ),
                ));
            }
            Ok(run)
        }
        Err(e) if e.kind == ErrorKind::NotFound => runs.create(&plan),
        Err(e) => Err(e),
    }
}

/// `ksmc apply RUN`: a reviewed, never-applied run.
pub async fn apply(args: ApplyArgs) -> ExitCode {
    let json = args.json;
    let run = match open_target(&args.target) {
        Ok(r) => r,
        Err(e) => return fail(json, &e),
    };
    let (plan, summary) = match run.plan().and_then(|p| Ok((p, run.summary()?))) {
        Ok(v) => v,
        Err(e) => return fail(json, &e),
    };
    if summary.status != RunStatus::Planned {
        let e = AppError::new(
            ErrorKind::Invalid,
            format!(
                "run {} was already applied ({}, {}/{} steps done); {}",
                run.id(),
                review::status_word(summary.status),
                summary.steps_done,
                summary.steps_total,
                if summary.status.resumable() {
                    format!(
                        "carry it on with: ksmc resume {} {}",
                        short(run.id()),
                        args.estate.hint()
                    )
                } else {
                    "plan again to do more".to_owned()
                }
            ),
        );
        return fail(json, &e);
    }
    let clusters = match args.estate.clusters().await {
        Ok(c) => c,
        Err(e) => return fail(json, &e),
    };
    review::print_summary(&plan, json);
    if let Err(e) = review::confirm(&plan, args.yes, "apply this plan").await {
        return fail(json, &e);
    }
    drive(&run, &plan, &clusters, true, json, &args.estate).await
}

/// `ksmc resume RUN`: carry on an interrupted, blocked, paused or cancelled run.
pub async fn resume(args: ApplyArgs) -> ExitCode {
    let json = args.json;
    let run = match open_target(&args.target) {
        Ok(r) => r,
        Err(e) => return fail(json, &e),
    };
    let (plan, summary) = match run.plan().and_then(|p| Ok((p, run.summary()?))) {
        Ok(v) => v,
        Err(e) => return fail(json, &e),
    };
    let check_stale = match summary.status {
        RunStatus::Succeeded => {
            let note = format!("run {} already succeeded; nothing to resume", run.id());
            if json {
                eprintln!("{note}");
            } else {
                println!("{note}");
            }
            if !run.is_running() {
                release_leftover_locks(&run, &plan, &args.estate, json).await;
            }
            return ExitCode::SUCCESS;
        }
        RunStatus::Failed => {
            let e = AppError::new(
                ErrorKind::Invalid,
                format!(
                    "run {} failed and is not resumed: {}; look at what it says, then plan again",
                    run.id(),
                    summary.reason.as_deref().unwrap_or("no reason recorded")
                ),
            );
            return fail(json, &e);
        }
        // Never applied: the plan is checked against the estate as for `ksmc apply`.
        RunStatus::Planned => true,
        // The run itself changed the estate: no stale check.
        RunStatus::Interrupted | RunStatus::Blocked | RunStatus::Paused | RunStatus::Cancelled => {
            false
        }
    };
    let clusters = match args.estate.clusters().await {
        Ok(c) => c,
        Err(e) => return fail(json, &e),
    };
    review::print_resume_summary(&plan, &summary, json);
    if let Err(e) = review::confirm(&plan, args.yes, "resume this run").await {
        return fail(json, &e);
    }
    drive(&run, &plan, &clusters, check_stale, json, &args.estate).await
}

/// Releases the cluster locks a succeeded run still holds: its process died after recording
/// success and before releasing them (they would otherwise refuse other runs until they
/// expire).
async fn release_leftover_locks(run: &RunDir, plan: &Plan, estate: &EstateArgs, json: bool) {
    let Ok(clusters) = estate.clusters().await else {
        return;
    };
    let holder = workflow::engine::holder_of(run);
    for cluster in plan.written_clusters() {
        if let Ok(Some((h, _))) = lease::holder(&clusters, &cluster).await
            && h == holder
        {
            match lease::break_lease(&clusters, &cluster, &holder).await {
                Ok(()) => {
                    let note = format!(
                        "Released the lock it still held on {cluster} (its process ended before releasing it)."
                    );
                    if json {
                        eprintln!("{note}");
                    } else {
                        println!("{note}");
                    }
                }
                Err(e) => eprintln!("ksmc: cannot release its lock on {cluster}: {e}"),
            }
        }
    }
}

async fn drive(
    run: &RunDir,
    plan: &Plan,
    clusters: &Clusters,
    check_stale: bool,
    json: bool,
    estate: &EstateArgs,
) -> ExitCode {
    let cancel = CancelFlag::default();
    let watcher = tokio::spawn({
        let cancel = cancel.clone();
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
                eprintln!(
                    "\nksmc: cancelling: the run stops before its next step (Ctrl-C again to quit at once; resume later)"
                );
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        }
    });
    let options = ApplyOptions {
        check_stale,
        cancel,
        ..ApplyOptions::default()
    };
    let result = if json {
        workflow::apply(clusters, run, &options, &JsonLines).await
    } else {
        let progress = Terminal::new(std::io::stdout().is_terminal(), plan);
        let result = workflow::apply(clusters, run, &options, &progress).await;
        progress.finish();
        result
    };
    watcher.abort();
    match result {
        Ok(report) => {
            if !json {
                review::print_outcome(&report, &estate.hint());
            }
            exit_code(&report)
        }
        Err(e) => {
            let code = fail(json, &e);
            if e.kind == ErrorKind::Locked {
                eprintln!("ksmc: (add {} to that command)", estate.hint());
            }
            code
        }
    }
}

fn exit_code(report: &RunReport) -> ExitCode {
    match report.status {
        RunStatus::Succeeded => ExitCode::SUCCESS,
        RunStatus::Blocked | RunStatus::Paused => ExitCode::from(EXIT_STOPPED),
        RunStatus::Cancelled => ExitCode::from(EXIT_CANCELLED),
        RunStatus::Failed | RunStatus::Planned | RunStatus::Interrupted => {
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// `ksmc cancel RUN`.
pub fn cancel(target: &str) -> ExitCode {
    let result = runs()
        .and_then(|r| r.open(target))
        .and_then(|run| Ok((run.summary()?, run)));
    let (summary, run) = match result {
        Ok(v) => v,
        Err(e) => return fail(false, &e),
    };
    if summary.status != RunStatus::Interrupted {
        println!(
            "Run {} is {}, not running: nothing to cancel.",
            run.id(),
            review::status_word(summary.status)
        );
        return ExitCode::SUCCESS;
    }
    if let Err(e) = run.request_cancel() {
        return fail(false, &e);
    }
    println!(
        "Cancel requested: the ksmc applying run {} stops before its next step and exits with status 4.",
        run.id()
    );
    if !run.is_running() {
        println!(
            "No ksmc on this machine is applying it now. If none elsewhere is, it was interrupted: `ksmc resume {}` carries it on.",
            short(run.id())
        );
    }
    ExitCode::SUCCESS
}

/// `ksmc runs …`.
pub async fn runs_command(command: RunsCommand) -> ExitCode {
    match command {
        RunsCommand::List { json } => match runs() {
            Ok(r) => {
                let list = r.list();
                crate::print_output(json, &list, || review::render_runs(&list));
                ExitCode::SUCCESS
            }
            Err(e) => fail(json, &e),
        },
        RunsCommand::Unlock {
            cluster,
            holder,
            estate,
        } => {
            // A run still being applied here keeps its lock.
            if let Some(id) = holder.strip_prefix("ksmc-run-")
                && let Ok(run) = runs().and_then(|r| r.open(id))
                && run.id() == id
                && run.is_running()
            {
                let e = AppError::new(
                    ErrorKind::Locked,
                    format!(
                        "run {id} is being applied right now by a ksmc on this machine; stop it with `ksmc cancel {}` instead of breaking its lock",
                        short(id)
                    ),
                );
                return fail(false, &e);
            }
            let clusters = match estate.clusters().await {
                Ok(c) => c,
                Err(e) => return fail(false, &e),
            };
            match lease::break_lease(&clusters, &cluster, &holder).await {
                Ok(()) => {
                    println!("Unlocked {cluster}: the lock held by {holder} was removed.");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(false, &e),
            }
        }
    }
}
