//! `ksmc inspect`, `ksmc findings` and `ksmc preflight import` (and their older spellings
//! `ksmc fleet inspect|preflight`): facts and findings of an estate, and the import
//! preflight. Every rule lives in `ksmc_core::fleet`.

mod render;

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use ksmc_core::fleet::facts::ClusterFacts;
use ksmc_core::fleet::{FleetReport, Severity, scope};
use ksmc_core::{AppError, ClusterSource};

use crate::print_output;
use crate::workflow::EstateArgs;

/// Exit status of the fleet commands.
pub const EXIT_CODES: &str = "\
Exit status:
  0  nothing wrong (no error finding, every cluster read; preflight: no blocking check failed)
  1  the estate could not be opened, or the cluster named is not in it
  2  an error finding, a cluster that cannot be read, or (preflight) a failed blocking check";

const EXIT_FOUND: u8 = 2;

#[derive(Args, Debug)]
pub struct InspectArgs {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Only this cluster and its findings. Of the others, ksmc reads only what those findings
    /// need: every cluster's identity (role, UID), plus its host in full for a member, or its
    /// members in full for a host.
    #[arg(long, value_name = "C")]
    pub cluster: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct FindingsArgs {
    #[command(flatten)]
    pub inspect: InspectArgs,
    /// Only findings of this severity or worse.
    #[arg(long, value_enum, value_name = "S")]
    pub severity: Option<SeverityArg>,
}

/// `--severity`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SeverityArg {
    Error,
    Warning,
    Info,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Self {
        match s {
            SeverityArg::Error => Self::Error,
            SeverityArg::Warning => Self::Warning,
            SeverityArg::Info => Self::Info,
        }
    }
}

#[derive(Args, Debug)]
pub struct PreflightImportArgs {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// The host cluster (its name in the estate).
    #[arg(long, value_name = "H")]
    pub host: String,
    /// The cluster to import.
    #[arg(long, value_name = "M")]
    pub member: String,
    /// The Cluster name to import it under (default: MEMBER).
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// Print JSON instead of a checklist.
    #[arg(long)]
    pub json: bool,
}

/// `ksmc preflight …`.
#[derive(Subcommand, Debug)]
pub enum PreflightCommand {
    /// Every check KubeSphere runs before importing MEMBER into HOST, and more, as a
    /// checklist with fixes.
    #[command(after_help = EXIT_CODES)]
    Import(PreflightImportArgs),
}

/// `ksmc fleet …`: the older spellings of `ksmc inspect` and `ksmc preflight import`.
#[derive(Subcommand, Debug)]
pub enum FleetCommand {
    /// Same as `ksmc inspect`.
    Inspect(InspectArgs),
    /// Same as `ksmc preflight import`.
    Preflight(PreflightImportArgs),
}

pub async fn fleet(command: FleetCommand) -> ExitCode {
    match command {
        FleetCommand::Inspect(args) => inspect(args).await,
        FleetCommand::Preflight(args) => preflight(args).await,
    }
}

fn fail(e: &AppError) -> ExitCode {
    eprintln!("ksmc: {e}");
    ExitCode::FAILURE
}

/// The estate's report, whole or for `--cluster`. Kubeconfigs that cannot be used are rows
/// with their error.
async fn report(args: &InspectArgs) -> Result<FleetReport, AppError> {
    let (sources, unusable) = args.estate.sources().await?;
    let unreadable = unusable
        .into_iter()
        .map(|(name, e)| ClusterFacts::unreadable(&name, e))
        .collect();
    ksmc_core::fleet::inspect_estate(&sources, unreadable, args.cluster.as_deref()).await
}

/// `ksmc inspect`.
pub async fn inspect(args: InspectArgs) -> ExitCode {
    let report = match report(&args).await {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    print_output(args.json, &report, || render::inspect(&report));
    let bad = report.clusters.iter().any(|c| c.error.is_some())
        || report
            .findings
            .iter()
            .any(|f| f.severity == Severity::Error);
    if bad {
        ExitCode::from(EXIT_FOUND)
    } else {
        ExitCode::SUCCESS
    }
}

/// `ksmc findings`: the findings alone (a cluster that cannot be read is itself a finding).
pub async fn findings(args: FindingsArgs) -> ExitCode {
    let report = match report(&args.inspect).await {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let worst = args.severity.map_or(Severity::Info, Severity::from);
    let list: Vec<_> = report
        .findings
        .into_iter()
        .filter(|f| f.severity <= worst)
        .collect();
    print_output(args.inspect.json, &list, || render::findings(&list));
    if list.iter().any(|f| f.severity == Severity::Error) {
        ExitCode::from(EXIT_FOUND)
    } else {
        ExitCode::SUCCESS
    }
}

/// One cluster's source, or why it cannot be used.
fn pick(
    sources: &[ClusterSource],
    unusable: &[(String, AppError)],
    name: &str,
) -> Result<ClusterSource, AppError> {
    if let Some((_, e)) = unusable.iter().find(|(n, _)| n == name) {
        return Err(AppError::new(
            e.kind,
            format!("cluster {name} cannot be used: {}", e.message),
        ));
    }
    scope::find_source(sources, name).cloned()
}

/// `ksmc preflight import`.
pub async fn preflight(args: PreflightImportArgs) -> ExitCode {
    let picked = args.estate.sources().await.and_then(|(sources, unusable)| {
        Ok((
            pick(&sources, &unusable, &args.host)?,
            pick(&sources, &unusable, &args.member)?,
        ))
    });
    let (host, member) = match picked {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let report = ksmc_core::fleet::preflight(&host, &member, args.name.as_deref()).await;
    print_output(args.json, &report, || render::preflight(&report));
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FOUND)
    }
}
