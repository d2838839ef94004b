//! Findings: what is wrong in an estate, as pure functions over [`ClusterFacts`]. Each finding
//! names the cluster and object, explains in plain words, and carries a fix (exact commands,
//! and a fix-it id where ksmc will be able to do it itself).
//!
//! Commands assume each cluster's kubeconfig is `<name>.kubeconfig` in the current directory.

mod cluster;
mod host;
#[cfg(test)]
mod tests;

use jiff::Timestamp;
use serde::Serialize;

use super::facts::{ClusterFacts, ManagedCluster};
use cluster::cluster_findings;
use host::{extension_failures, host_findings, workloads_on_host};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// How to fix a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    pub summary: String,
    /// Exact commands, in order. Never contains a secret (secrets are copied by the shell).
    pub commands: Vec<String>,
    /// A fix-it action ksmc will run itself, by id.
    pub fix_it: Option<String>,
    /// The workflow that carries the fix-it out (plan it, review it, apply it).
    pub workflow: Option<crate::workflow::WorkflowInput>,
}

impl Fix {
    /// The same fix, carried out by `workflow`.
    #[must_use]
    pub fn by(mut self, workflow: crate::workflow::WorkflowInput) -> Self {
        self.workflow = Some(workflow);
        self
    }
}

/// One thing wrong (or worth knowing) in an estate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable id of the kind of finding (e.g. `jwt-mismatch`).
    pub id: String,
    pub severity: Severity,
    /// The affected cluster (ksmc's name).
    pub cluster: String,
    /// The affected object, e.g. `Workspace team-a`.
    pub object: Option<String>,
    pub title: String,
    pub explanation: String,
    pub fix: Fix,
}

/// Every finding id this engine produces.
pub const IDS: &[&str] = &[
    "cluster-unreadable",
    "no-kubesphere",
    "role-not-member",
    "role-none",
    "config-not-rendered",
    "jwt-mismatch",
    "access-token-max-age",
    "recorded-name-mismatch",
    "earlier-import-name",
    "managed-by-another-host",
    "imported-twice",
    "managed-by-two-hosts",
    "workspace-conflict",
    "member-local-workspace",
    "member-user-conflict",
    "member-user-email-conflict",
    "stale-owner-reference",
    "project-workspace-missing",
    "appstore-on-member",
    "component-not-on-host",
    "cluster-not-ready",
    "cluster-deleting",
    "kubeconfig-cert-expiring",
    "users-not-synced",
    "workloads-on-host",
    "extension-failed",
];

/// A kubeconfig certificate expiring within this many days is a warning.
pub const CERT_WARNING_DAYS: i64 = 30;
/// How many names a finding lists before "and N more".
const LISTED: usize = 10;

/// `kubectl` against a cluster of the estate.
#[must_use]
pub fn kubectl(cluster: &str) -> String {
    format!("kubectl --kubeconfig {cluster}.kubeconfig")
}

/// The commands that copy the host's jwtSecret into the member's ClusterConfiguration (the
/// secret travels through the shell, never through ksmc's text).
#[must_use]
pub fn copy_jwt_commands(host: &str, member: &str) -> Vec<String> {
    vec![
        format!(
            "JWT=$({} -n kubesphere-system get secret kubesphere-secret -o jsonpath='{{.data.secret}}' | base64 -d)",
            kubectl(host)
        ),
        format!(
            "{} -n kubesphere-system patch cc ks-installer --type merge -p \"{{\\\"spec\\\":{{\\\"authentication\\\":{{\\\"jwtSecret\\\":\\\"$JWT\\\"}}}}}}\"",
            kubectl(member)
        ),
    ]
}

/// The command that sets a member's role in its ClusterConfiguration.
#[must_use]
pub fn set_member_role_command(member: &str) -> String {
    format!(
        "{} -n kubesphere-system patch cc ks-installer --type merge -p '{{\"spec\":{{\"multicluster\":{{\"clusterRole\":\"member\"}}}}}}'",
        kubectl(member)
    )
}

/// KubeSphere 4.x: the commands that make a host install ks-core on a member again, with
/// `multicluster.role: member`, the host's jwtSecret and `accessTokenMaxAge: 0s` (the host's
/// cluster controller reinstalls when the Cluster's `kubesphere.io/config-hash` annotation no
/// longer matches its `spec.config`, §7.2).
#[must_use]
pub fn reinstall_ks_core_commands(host: &str, cluster: &str) -> Vec<String> {
    vec![
        format!(
            "{} annotate cluster {cluster} kubesphere.io/config-hash-",
            kubectl(host)
        ),
        format!(
            "{} get cluster {cluster} -o jsonpath='{{range .status.conditions[*]}}{{.type}}={{.status}} {{.message}}{{\"\\n\"}}{{end}}'",
            kubectl(host)
        ),
    ]
}

/// Where a cluster stands in the estate.
#[derive(Debug)]
struct Position<'a> {
    /// The host that has a Cluster object for it (matched by kube-system UID) and that object.
    registered: Option<(&'a ClusterFacts, &'a ManagedCluster)>,
    /// The host it belongs with: the registering one, else the only host of the estate.
    host: Option<&'a ClusterFacts>,
}

impl Position<'_> {
    fn name_on_host<'b>(&'b self, c: &'b ClusterFacts) -> &'b str {
        match self.registered {
            Some((_, mc)) => &mc.name,
            None => c.recorded_name().unwrap_or(&c.name),
        }
    }
}

impl Position<'_> {
    /// The cluster's membership follows KubeSphere 4.x rules: its host (else itself) runs 4.x.
    fn v4(&self, c: &ClusterFacts) -> bool {
        self.host.map_or(c.is_v4(), ClusterFacts::is_v4)
    }
}

fn position<'a>(all: &'a [ClusterFacts], c: &'a ClusterFacts) -> Position<'a> {
    let hosts: Vec<&ClusterFacts> = all.iter().filter(|h| h.is_host()).collect();
    let registered = c.uid().and_then(|uid| {
        hosts.iter().find_map(|h| {
            h.clusters
                .all()
                .iter()
                .find(|mc| !mc.is_host && mc.uid.as_deref() == Some(uid))
                .map(|mc| (*h, mc))
        })
    });
    let host = registered.map(|(h, _)| h).or_else(|| {
        (hosts.len() == 1 && !c.is_host() && hosts[0].uid() != c.uid()).then(|| hosts[0])
    });
    Position { registered, host }
}

struct Out(Vec<Finding>);

impl Out {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        id: &str,
        severity: Severity,
        cluster: &str,
        object: Option<String>,
        title: String,
        explanation: String,
        fix: Fix,
    ) {
        debug_assert!(IDS.contains(&id), "{id}");
        self.0.push(Finding {
            id: id.to_owned(),
            severity,
            cluster: cluster.to_owned(),
            object,
            title,
            explanation,
            fix,
        });
    }
}

fn fix(summary: impl Into<String>, commands: Vec<String>, fix_it: Option<&str>) -> Fix {
    Fix {
        summary: summary.into(),
        commands,
        fix_it: fix_it.map(str::to_owned),
        workflow: None,
    }
}

/// Every finding of an estate, errors first.
#[must_use]
pub fn findings(all: &[ClusterFacts]) -> Vec<Finding> {
    findings_at(all, Timestamp::now())
}

/// [`findings`] as of `now` (certificate expiry is the only finding that depends on time).
#[must_use]
pub fn findings_at(all: &[ClusterFacts], now: Timestamp) -> Vec<Finding> {
    let mut out = Out(Vec::new());
    for c in all {
        cluster_findings(all, c, &mut out);
    }
    for h in all.iter().filter(|h| h.is_host()) {
        host_findings(all, h, now, &mut out);
        workloads_on_host(h, &mut out);
        extension_failures(all, h, &mut out);
    }
    let mut list = out.0;
    list.sort_by(|a, b| {
        (a.severity, &a.cluster, &a.id, &a.object).cmp(&(b.severity, &b.cluster, &b.id, &b.object))
    });
    list
}
