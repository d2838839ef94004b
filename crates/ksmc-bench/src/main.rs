//! `ksmc-bench`: ksmc's benchmarks, each beside its baseline in the same run (issue 8).
//!
//! ```text
//! cargo run --release -p ksmc-bench -- unbind  [--kubectl-sample 100 | --kubectl-full]
//! cargo run --release -p ksmc-bench -- inspect [--members 20 --namespaces 2000]
//! cargo run --release -p ksmc-bench -- sim
//! cargo run --release -p ksmc-bench -- live    [--members 20 --namespaces 2000 --settle 10]
//! cargo run --release -p ksmc-bench -- scale   [--namespaces 100,1000,10000 --svg scale.svg]
//! xvfb-run -a dbus-run-session -- cargo run --release -p ksmc-bench -- desktop [--runs 5]
//! ```
//!
//! Every suite takes `--runs N`, prints a table of medians (`| measure | ksmc | baseline |
//! ratio |`) and writes JSON with `--json PATH`. See `docs/BENCHMARKS.md`.

mod common;
mod desktop;
mod inspect;
mod launch;
mod live;
mod ops;
mod procmem;
mod scale;
mod sim;
mod table;
mod unbind;
mod worker;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "ksmc-bench",
    about = "ksmc against its baselines (kubectl, the latency floor, a bare server), side by side in one run"
)]
struct Cli {
    #[command(subcommand)]
    suite: Suite,
}

#[derive(Debug, Subcommand)]
enum Suite {
    /// Unbind a member keeping 1,000 projects at 20 ms: ksmc vs the seed's kubectl loop.
    Unbind(unbind::Args),
    /// Inspect the `big` estate at 20 ms: ksmc vs the kubectl sequence vs the latency floor.
    Inspect(inspect::Args),
    /// The simulator's own benchmark (LIST 10,000 namespaces, requests/s) vs a bare server.
    Sim(sim::Args),
    /// Inspect and unbind time and peak memory from 100 to 10,000 namespaces per member.
    Scale(scale::Args),
    /// The desktop app vs a bare Tauri window: launch to first paint, idle memory, and a
    /// 20,000-row table in the real window (needs a display: run under xvfb-run).
    Desktop(desktop::Args),
    /// One ksmc operation in a child process (used by the suites for memory readings).
    #[command(hide = true)]
    Worker(worker::Args),
    /// Memory of a live view of the `big` estate's overview vs the same process not watching.
    Live(live::Args),
    /// One side of the `live` suite in a child process.
    #[command(hide = true)]
    LiveWorker(live::WorkerArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ksmc-bench: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.suite {
            Suite::Unbind(a) => unbind::run(a).await,
            Suite::Inspect(a) => inspect::run(a).await,
            Suite::Sim(a) => sim::run(&a),
            Suite::Scale(a) => scale::run(a).await,
            Suite::Desktop(a) => desktop::run(a).await,
            Suite::Worker(a) => worker::run(a).await,
            Suite::Live(a) => live::run(a).await,
            Suite::LiveWorker(a) => live::worker(a).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ksmc-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
