//! `ksmc fleet`: facts and findings of an estate, and the import preflight.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use comfy_table::{Table, presets::NOTHING};
use ksmc_core::fleet::{CheckStatus, FleetReport, PreflightReport, Severity};

use crate::{print_output, role};

#[derive(Subcommand)]
pub enum FleetCommand {
    /// Facts of every cluster and what is wrong in the estate. Exits 2 when a finding is an
    /// error or a cluster cannot be read.
    Inspect {
        /// Directory holding one kubeconfig per cluster (*.kubeconfig, *.yaml).
        #[arg(long, value_name = "DIR")]
        kubeconfig_dir: PathBuf,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Every check KubeSphere runs before importing MEMBER into HOST, and more. Exits 2 when a
    /// check fails.
    Preflight {
        #[arg(long, value_name = "DIR")]
        kubeconfig_dir: PathBuf,
        /// The host cluster (its kubeconfig's file name without extension).
        #[arg(long, value_name = "H")]
        host: String,
        /// The cluster to import.
        #[arg(long, value_name = "M")]
        member: String,
        /// The Cluster name to import it under (default: MEMBER).
        #[arg(long, value_name = "N")]
        name: Option<String>,
        /// Print JSON instead of a checklist.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(command: FleetCommand) -> ExitCode {
    match command {
        FleetCommand::Inspect {
            kubeconfig_dir,
            json,
        } => match ksmc_core::fleet::inspect_dir(&kubeconfig_dir).await {
            Ok(report) => {
                print_output(json, &report, || render_inspect(&report));
                let bad = report.clusters.iter().any(|c| c.error.is_some())
                    || report
                        .findings
                        .iter()
                        .any(|f| f.severity == Severity::Error);
                if bad {
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
        FleetCommand::Preflight {
            kubeconfig_dir,
            host,
            member,
            name,
            json,
        } => {
            let sources = ksmc_core::fleet::source_in_dir(&kubeconfig_dir, &host).and_then(|h| {
                ksmc_core::fleet::source_in_dir(&kubeconfig_dir, &member).map(|m| (h, m))
            });
            let (h, m) = match sources {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("ksmc: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let report = ksmc_core::fleet::preflight(&h, &m, name.as_deref()).await;
            print_output(json, &report, || render_preflight(&report));
            if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
    }
}

fn render_inspect(report: &FleetReport) -> String {
    let mut clusters = Table::new();
    clusters.load_preset(NOTHING).set_header([
        "NAME",
        "ROLE",
        "CC-ROLE",
        "KUBERNETES",
        "KUBESPHERE",
        "JWT",
        "RECORDED-AS",
        "CLUSTERS",
        "WORKSPACES",
        "PROJECTS",
        "USERS",
        "LATENCY",
        "STATUS",
    ]);
    for c in &report.clusters {
        let ks = c.kubesphere.as_ref();
        let count = |n: Option<usize>| n.map_or_else(|| "-".into(), |n| n.to_string());
        clusters.add_row([
            c.name.clone(),
            if ks.is_none() && c.error.is_none() {
                "no-ks".into()
            } else {
                role(c.role()).into()
            },
            ks.and_then(|k| k.configured_role.as_ref())
                .map_or("-", |r| role(r.value))
                .into(),
            c.kubernetes_version
                .as_ref()
                .map_or_else(|| "-".into(), |v| v.value.clone()),
            c.kubesphere_version().unwrap_or("-").into(),
            c.jwt_fingerprint().unwrap_or("-").into(),
            c.recorded_name().unwrap_or("-").into(),
            count(
                c.clusters
                    .items
                    .as_ref()
                    .map(|l| l.iter().filter(|m| !m.is_host).count()),
            ),
            count(c.workspaces.items.as_ref().map(Vec::len)),
            count(c.projects.items.as_ref().map(Vec::len)),
            count(c.users.items.as_ref().map(Vec::len)),
            c.latency_ms
                .map_or_else(|| "-".into(), |n| format!("{n}ms")),
            c.error
                .as_ref()
                .map_or_else(|| "ok".into(), |e| format!("{:?}: {}", e.kind, e.message)),
        ]);
    }
    let mut findings = Table::new();
    findings
        .load_preset(NOTHING)
        .set_header(["SEVERITY", "ID", "CLUSTER", "OBJECT", "FINDING", "FIX"]);
    for f in &report.findings {
        let sev = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let fix = f
            .fix
            .commands
            .first()
            .cloned()
            .or_else(|| f.fix.fix_it.as_ref().map(|id| format!("fix-it: {id}")))
            .unwrap_or_else(|| f.fix.summary.clone());
        findings.add_row([
            sev.into(),
            f.id.clone(),
            f.cluster.clone(),
            f.object.clone().unwrap_or_else(|| "-".into()),
            f.title.clone(),
            fix,
        ]);
    }
    let tail = if report.findings.is_empty() {
        "No findings.".to_owned()
    } else {
        findings.to_string()
    };
    format!("{clusters}\n\n{tail}")
}

fn render_preflight(report: &PreflightReport) -> String {
    let mut out = format!(
        "Import {} into {} as {}\n",
        report.member, report.host, report.name
    );
    for c in &report.checks {
        let mark = match c.status {
            CheckStatus::Pass => "PASS",
            CheckStatus::Warn => "WARN",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Skip => "SKIP",
        };
        out.push_str(&format!("{mark}  {:<22} {}\n", c.id, c.message));
        if c.status != CheckStatus::Pass
            && let Some(fix) = &c.fix
        {
            {
                out.push_str(&format!("      fix: {}\n", fix.summary));
                for cmd in &fix.commands {
                    out.push_str(&format!("        {cmd}\n"));
                }
            }
        }
    }
    out.push_str(if report.ok {
        "Ready to import."
    } else {
        "Not ready: fix the failed checks first."
    });
    out
}
