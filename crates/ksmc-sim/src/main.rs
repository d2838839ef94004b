//! `ksmc-sim`: serve a simulated KubeSphere estate on loopback.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ksmc_sim::{Estate, EstateOptions, Scenario};

#[derive(Parser)]
#[command(
    name = "ksmc-sim",
    version,
    about = "A simulated KubeSphere estate on loopback"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the estate, write its kubeconfigs and estate.json, and serve until interrupted.
    Serve {
        /// Scenario to start: fresh, misconfigured, migrate, big, or the KubeSphere 4.1.3
        /// ones fresh-v4, migrate-v4 (`--kubesphere 4.1` selects them for fresh/migrate) and
        /// v4 (two joined members, extensions, workspaces and users: every 4.x flow).
        #[arg(long, default_value = "fresh")]
        scenario: String,
        /// Directory for <cluster>.kubeconfig files and estate.json.
        #[arg(long)]
        dir: PathBuf,
        /// Serve plain HTTP instead of HTTPS (kubectl then sends no token).
        #[arg(long)]
        plain_http: bool,
        #[command(flatten)]
        faults: Box<ksmc_sim::faults::FaultFlags>,
        #[command(flatten)]
        shape: ksmc_sim::scenario::ScenarioFlags,
    },
    /// List the scenarios.
    Scenarios,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KSMC_SIM_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Scenarios => {
            for name in Scenario::NAMES {
                println!("{name}");
            }
            ExitCode::SUCCESS
        }
        Command::Serve {
            scenario,
            dir,
            plain_http,
            faults,
            shape,
        } => match serve(&scenario, &dir, plain_http, &faults, &shape).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ksmc-sim: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

async fn serve(
    scenario: &str,
    dir: &std::path::Path,
    plain_http: bool,
    faults: &ksmc_sim::faults::FaultFlags,
    shape: &ksmc_sim::scenario::ScenarioFlags,
) -> Result<(), ksmc_sim::EstateError> {
    let scenario = shape.scenario(scenario)?;
    let options = faults.apply(EstateOptions {
        plain_http,
        ..EstateOptions::default()
    });
    let estate = Estate::start(&scenario, &options).await?;
    estate.write_dir(dir)?;
    for c in estate.clusters() {
        println!(
            "{:<10} {:<7} {}  {}",
            c.entry.name,
            c.entry.role.as_str(),
            c.entry.server,
            dir.join(&c.entry.kubeconfig).display()
        );
    }
    println!(
        "estate.json written to {}",
        dir.join("estate.json").display()
    );
    if let Some(control) = estate.control_url() {
        println!("faults: control endpoint {control}, seed {}", options.seed);
    }
    println!("serving; press Ctrl-C to stop");
    wait_for_signal().await;
    estate.shutdown().await;
    eprintln!("ksmc-sim: stopped");
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
