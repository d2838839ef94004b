//! `ksmc-soak --seeds N`: seeded random fault schedules against the workflows; prints each
//! seed and `seeds run / invariant violations`, and the first failing seed to reproduce.

use clap::Parser;
use ksmc_soak::{Workflow, run_seed};

#[derive(Parser)]
#[command(about = "Run the workflows under seeded random faults and check no namespace is lost")]
struct Args {
    /// How many seeds.
    #[arg(long, default_value_t = 20)]
    seeds: u64,
    /// The first seed (reproduce one with `--start S --seeds 1`).
    #[arg(long, default_value_t = 1)]
    start: u64,
    /// Which workflow; by default seeds rotate through unbind, rebind and migrate.
    #[arg(long, value_enum)]
    workflow: Option<Workflow>,
    /// Applies (with kills and resumes) per seed before the faults are lifted.
    #[arg(long, default_value_t = 6)]
    applies: u32,
    /// Print each seed as a JSON line.
    #[arg(long)]
    json: bool,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut violations = 0;
    let mut first_failing = None;
    let (mut kills, mut losses) = (0, 0);
    for seed in args.start..args.start + args.seeds {
        let workflow = args.workflow.unwrap_or(match seed % 3 {
            0 => Workflow::Migrate,
            1 => Workflow::Unbind,
            _ => Workflow::Rebind,
        });
        let outcome = run_seed(seed, workflow, args.applies).await;
        kills += outcome.kills;
        losses += u32::from(outcome.loss_reported);
        if args.json {
            println!("{}", serde_json::to_string(&outcome).unwrap_or_default());
        } else {
            println!(
                "seed {seed:>4} {:<7} {:>6} ms  applies {} kills {}  {:?}{}  [{}]",
                format!("{workflow:?}").to_lowercase(),
                outcome.elapsed_ms,
                outcome.applies,
                outcome.kills,
                outcome.status,
                outcome
                    .violation
                    .as_deref()
                    .map_or(String::new(), |v| format!(
                        "  VIOLATION: {v} (the run said: {})",
                        outcome.reason.as_deref().unwrap_or("-")
                    )),
                outcome.schedule
            );
        }
        if outcome.violation.is_some() {
            violations += 1;
            first_failing.get_or_insert(seed);
        }
    }
    println!(
        "seeds run: {} / invariant violations: {violations} (kills: {kills}, deletions reported as lost: {losses})",
        args.seeds
    );
    if let Some(seed) = first_failing {
        println!("first failing seed: {seed} (reproduce: ksmc-soak --start {seed} --seeds 1)");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
