//! `ksmc`: the command line over ksmc-core.

mod fleet;
mod progress;
mod review;
mod vault;
mod workflow;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use comfy_table::{Table, presets::NOTHING};
use ksmc_core::{ClusterRole, EstateView};

#[derive(Parser)]
#[command(
    name = "ksmc",
    version,
    about = "Control room for KubeSphere multi-cluster estates",
    after_help = workflow::EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Clusters of an estate.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Facts of every cluster (or one) and what is wrong in the estate.
    #[command(after_help = fleet::EXIT_CODES)]
    Inspect(fleet::InspectArgs),
    /// What is wrong in the estate (or with one cluster), with fixes.
    #[command(after_help = fleet::EXIT_CODES)]
    Findings(fleet::FindingsArgs),
    /// Checks before a workflow: `preflight import`.
    #[command(subcommand)]
    Preflight(fleet::PreflightCommand),
    /// The older spellings of `inspect` and `preflight import`.
    #[command(subcommand, hide = true)]
    Fleet(fleet::FleetCommand),
    /// The vault: kubeconfigs sealed with a key in the OS keyring.
    Vault(vault::VaultArgs),
    /// Plan a workflow from live reads and save it as a run, without applying it.
    Plan(workflow::PlanArgs),
    /// Apply a planned run (or a plan file) after typed confirmation.
    #[command(after_help = workflow::EXIT_CODES)]
    Apply(workflow::ApplyArgs),
    /// Carry on a run that was interrupted, blocked, paused or cancelled.
    #[command(after_help = workflow::EXIT_CODES)]
    Resume(workflow::ApplyArgs),
    /// Ask the ksmc applying a run to stop before its next step.
    Cancel {
        /// The run id (or a unique prefix).
        #[arg(value_name = "RUN")]
        run: String,
    },
    /// Runs: list them; break a dead run's lock on a cluster.
    #[command(subcommand)]
    Runs(workflow::RunsCommand),
    /// Plan and apply: import a member into a host.
    #[command(after_help = workflow::EXIT_CODES)]
    Import {
        #[command(flatten)]
        args: workflow::ImportArgs,
        #[command(flatten)]
        go: workflow::GoArgs,
    },
    /// Plan and apply: unbind a member from its host, keeping its projects.
    #[command(after_help = workflow::EXIT_CODES)]
    Unbind {
        #[command(flatten)]
        args: workflow::UnbindArgs,
        #[command(flatten)]
        go: workflow::GoArgs,
    },
    /// Plan and apply: bind projects of a member to workspaces of its host.
    #[command(after_help = workflow::EXIT_CODES)]
    Rebind {
        #[command(flatten)]
        args: workflow::RebindArgs,
        #[command(flatten)]
        go: workflow::GoArgs,
    },
    /// Plan and apply: move a member to a new host keeping and rebinding its projects.
    #[command(after_help = workflow::EXIT_CODES)]
    Migrate {
        #[command(flatten)]
        args: workflow::MigrateArgs,
        #[command(flatten)]
        go: workflow::GoArgs,
    },
}

#[derive(Subcommand)]
enum ClusterCommand {
    /// List the clusters of a directory of kubeconfigs with their facts.
    List {
        /// Directory holding one kubeconfig per cluster (*.kubeconfig, *.yaml).
        #[arg(long, value_name = "DIR", required_unless_present = "vault")]
        kubeconfig_dir: Option<PathBuf>,
        /// The clusters in the vault instead of a directory.
        #[arg(long, conflicts_with = "kubeconfig_dir")]
        vault: bool,
        /// With --vault: a session-only vault (key in memory, never the OS keyring).
        #[arg(long, requires = "vault")]
        session_only: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KSMC_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Inspect(args) => fleet::inspect(args).await,
        Command::Findings(args) => fleet::findings(args).await,
        Command::Preflight(fleet::PreflightCommand::Import(args)) => fleet::preflight(args).await,
        Command::Fleet(command) => fleet::fleet(command).await,
        Command::Vault(args) => vault::run(args).await,
        Command::Plan(args) => workflow::plan(args).await,
        Command::Apply(args) => workflow::apply(args).await,
        Command::Resume(args) => workflow::resume(args).await,
        Command::Cancel { run } => workflow::cancel(&run),
        Command::Runs(command) => workflow::runs_command(command).await,
        Command::Import { args, go } => {
            workflow::go(workflow::WorkflowCommand::Import(args), go).await
        }
        Command::Unbind { args, go } => {
            workflow::go(workflow::WorkflowCommand::Unbind(args), go).await
        }
        Command::Rebind { args, go } => {
            workflow::go(workflow::WorkflowCommand::Rebind(args), go).await
        }
        Command::Migrate { args, go } => {
            workflow::go(workflow::WorkflowCommand::Migrate(args), go).await
        }
        Command::Cluster(ClusterCommand::List {
            vault: true,
            json,
            session_only,
            ..
        }) => vault::cluster_list(json, session_only).await,
        Command::Cluster(ClusterCommand::List {
            kubeconfig_dir: Some(kubeconfig_dir),
            json,
            ..
        }) => match ksmc_core::estate::inspect_dir(&kubeconfig_dir).await {
            Ok(view) => {
                print_output(json, &view, || render(&view));
                if view.clusters.iter().any(|c| c.error.is_some()) {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => {
                eprintln!("ksmc: {e}");
                ExitCode::FAILURE
            }
        },
        // clap requires --kubeconfig-dir unless --vault is given.
        Command::Cluster(ClusterCommand::List { .. }) => ExitCode::FAILURE,
    }
}

/// Prints a result as pretty JSON, or as the table `render` makes.
pub(crate) fn print_output<T: serde::Serialize>(
    json: bool,
    value: &T,
    render: impl FnOnce() -> String,
) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    } else {
        println!("{}", render());
    }
}

/// How a role is shown in tables.
pub(crate) fn role(r: ClusterRole) -> &'static str {
    match r {
        ClusterRole::Host => "host",
        ClusterRole::Member => "member",
        ClusterRole::None => "none",
        ClusterRole::Unknown => "-",
    }
}

fn render(view: &EstateView) -> String {
    let mut table = Table::new();
    table.load_preset(NOTHING).set_header([
        "NAME",
        "ROLE",
        "KUBERNETES",
        "KUBESPHERE",
        "NAMESPACES",
        "LATENCY",
        "SERVER",
        "STATUS",
    ]);
    for c in &view.clusters {
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        table.add_row([
            c.name.clone(),
            role(c.role).into(),
            opt(&c.kubernetes_version),
            opt(&c.kubesphere_version),
            c.namespace_count
                .map_or_else(|| "-".into(), |n| n.to_string()),
            c.latency_ms
                .map_or_else(|| "-".into(), |n| format!("{n}ms")),
            c.server.clone(),
            c.error
                .as_ref()
                .map_or_else(|| "ok".into(), |e| format!("{:?}: {}", e.kind, e.message)),
        ]);
    }
    table.to_string()
}
