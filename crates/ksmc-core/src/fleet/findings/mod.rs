//! Findings: what is wrong in an estate, as pure functions over [`ClusterFacts`]. Each finding
//! names the cluster and object, explains in plain words, and carries a fix (exact commands,
//! and a fix-it id where ksmc will be able to do it itself).
//!
//! Commands assume each cluster's kubeconfig is `<name>.kubeconfig` in the current directory.

mod cluster;
mod host;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt::Display;

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
    /// The language-neutral values `title`, `explanation` and `fix.summary` interpolate (names,
    /// counts, versions, fingerprints — never a secret), so a shell can render the finding in
    /// another language from a template per id. Lists are the listed names joined with ", "
    /// plus a `…More` count of the rest. The param `variant`, when present, names which form of
    /// the text this is (e.g. `v4`); [`PARAMS`] declares each id's keys and variants.
    pub params: Params,
}

/// A finding's language-neutral parameters (see [`Finding::params`]).
pub type Params = BTreeMap<String, String>;

/// The param naming the form of a finding's text, when it has more than one.
pub const VARIANT: &str = "variant";

/// For each id of [`IDS`], in the same order: the params its findings may carry (besides
/// [`VARIANT`]) and the variants of its text other than the default one.
pub const PARAMS: &[(&str, &[&str], &[&str])] = &[
    ("cluster-unreadable", &["cluster", "kind", "message"], &[]),
    (
        "no-kubesphere",
        &["cluster", "host", "clusterOnHost", "status", "message"],
        &["v4Pending", "v4", "v4Message"],
    ),
    (
        "role-not-member",
        &["cluster", "host", "clusterOnHost", "role"],
        &["v4"],
    ),
    ("role-none", &["cluster", "host"], &[]),
    (
        "config-not-rendered",
        &["cluster", "configuredRole", "effectiveRole"],
        &["role", "roleAndJwt"],
    ),
    (
        "jwt-mismatch",
        &["cluster", "host", "fingerprint", "hostFingerprint"],
        &["v4"],
    ),
    (
        "access-token-max-age",
        &["cluster", "host", "maxAge"],
        &["absent", "v4", "v4Absent"],
    ),
    (
        "recorded-name-mismatch",
        &["cluster", "recorded", "host", "clusterOnHost"],
        &["v4"],
    ),
    ("earlier-import-name", &["cluster", "recorded"], &[]),
    (
        "managed-by-another-host",
        &[
            "cluster",
            "by",
            "host",
            "hostClusterName",
            "clusterOnHost",
            "recorded",
        ],
        &["registered", "recorded"],
    ),
    ("imported-twice", &["first", "cluster", "uid"], &[]),
    (
        "managed-by-two-hosts",
        &["host", "cluster", "otherHost", "otherCluster", "uid"],
        &[],
    ),
    (
        "workspace-conflict",
        &["cluster", "workspace", "host", "clusterOnHost"],
        &["v4"],
    ),
    (
        "member-local-workspace",
        &["cluster", "workspace", "host", "clusterOnHost"],
        &["v4", "noHost", "v4NoHost"],
    ),
    ("member-user-conflict", &["cluster", "user", "host"], &[]),
    (
        "member-user-email-conflict",
        &["cluster", "user", "host", "hostUser", "email"],
        &[],
    ),
    (
        "stale-owner-reference",
        &["cluster", "namespace", "ownerKind", "owner", "ownerUid"],
        &[],
    ),
    (
        "project-workspace-missing",
        &["cluster", "namespace", "workspace"],
        &[],
    ),
    ("appstore-on-member", &["cluster"], &[]),
    (
        "component-not-on-host",
        &["cluster", "component", "host"],
        &[],
    ),
    (
        "cluster-not-ready",
        &["cluster", "status", "reason", "why"],
        &["noReason"],
    ),
    ("cluster-deleting", &["cluster", "since", "finalizers"], &[]),
    (
        "kubeconfig-cert-expiring",
        &["host", "cluster", "source", "notAfter", "days", "message"],
        &["expired", "reported", "condition", "conditionMessage"],
    ),
    (
        "users-not-synced",
        &[
            "host",
            "cluster",
            "clusterOnHost",
            "missing",
            "total",
            "synced",
            "users",
            "usersMore",
        ],
        &[],
    ),
    (
        "workloads-on-host",
        &["host", "n", "projects", "projectsMore"],
        &[],
    ),
    (
        "extension-failed",
        &[
            "host",
            "cluster",
            "installPlan",
            "extension",
            "version",
            "state",
            "message",
            "namespace",
        ],
        &["message", "cluster", "clusterMessage"],
    ),
];

/// Params from `(key, value)` pairs.
pub(super) fn params(pairs: &[(&str, &dyn Display)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.to_string()))
        .collect()
}

/// `a` with the entries of `b`.
fn merged(mut a: Params, b: Params) -> Params {
    a.extend(b);
    a
}

/// `params` with the text's variant.
pub(super) fn variant(mut p: Params, variant: Option<&str>) -> Params {
    if let Some(v) = variant {
        p.insert(VARIANT.to_owned(), v.to_owned());
    }
    p
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

/// The first [`LISTED`] of `names` joined with ", ", and how many of `total` are not listed.
pub(super) fn listed(names: &[String], total: usize) -> (String, usize) {
    let shown: Vec<&str> = names.iter().take(LISTED).map(String::as_str).collect();
    (shown.join(", "), total.saturating_sub(shown.len()))
}

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
        params: Params,
    ) {
        debug_assert!(IDS.contains(&id), "{id}");
        debug_assert!(
            declared(id, &params),
            "{id}: params {params:?} not declared in PARAMS"
        );
        self.0.push(Finding {
            id: id.to_owned(),
            severity,
            cluster: cluster.to_owned(),
            object,
            title,
            explanation,
            fix,
            params,
        });
    }
}

/// Whether `params` holds only the keys and variant [`PARAMS`] declares for `id`.
fn declared(id: &str, params: &Params) -> bool {
    PARAMS
        .iter()
        .find(|(i, ..)| *i == id)
        .is_some_and(|(_, keys, variants)| {
            params.iter().all(|(k, v)| {
                if k == VARIANT {
                    variants.contains(&v.as_str())
                } else {
                    keys.contains(&k.as_str())
                }
            })
        })
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
