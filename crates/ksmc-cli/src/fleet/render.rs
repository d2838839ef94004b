//! How `ksmc inspect`, `ksmc findings` and `ksmc preflight import` print as text.

use comfy_table::{Table, presets::NOTHING};
use ksmc_core::fleet::{CheckStatus, Finding, FleetReport, PreflightReport, Severity};

use crate::role;

pub(super) fn inspect(report: &FleetReport) -> String {
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
    format!("{clusters}\n\n{}", findings(&report.findings))
}

/// The findings as a table, or "No findings.".
pub(super) fn findings(list: &[Finding]) -> String {
    let mut findings = Table::new();
    findings
        .load_preset(NOTHING)
        .set_header(["SEVERITY", "ID", "CLUSTER", "OBJECT", "FINDING", "FIX"]);
    for f in list {
        let sev = severity(f.severity);
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
    if list.is_empty() {
        "No findings.".to_owned()
    } else {
        findings.to_string()
    }
}

pub(super) fn preflight(report: &PreflightReport) -> String {
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

/// How a severity is written (as in the JSON).
pub(super) fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}
