//! Import preflight: every check KubeSphere's validation endpoint runs before an import
//! (`shared/docs/kubesphere-multicluster.md` §2.4), plus the rules it leaves to the docs
//! (accessTokenMaxAge, a clean member, the name recorded by an earlier import), all at once.
//!
//! Into a KubeSphere 4.x host (§7.2) the validation checks the kubeconfig, that the cluster is
//! not imported already (kube-system UID) and not managed by another host (the
//! `cluster.kubesphere.io/host-cluster` annotation); the host then installs ks-core on the
//! member with role member and its own jwtSecret, so the member needs no KubeSphere and its
//! role, jwtSecret and accessTokenMaxAge are not checked (reported as skipped).

use std::fmt::Display;

use serde::Serialize;

use super::facts::{
    ClusterFacts, Fact, Generation, gather, is_zero_duration, ks_apiserver_version,
};
use super::findings::{
    Finding, Fix, Params, copy_jwt_commands, findings, kubectl, params, set_member_role_command,
    variant,
};
use crate::facts::ClusterRole;
use crate::kubeconfig::ClusterSource;

/// Result of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    /// Not run: an earlier failure makes it meaningless, or the host's KubeSphere generation
    /// does not need it (4.x sets the member's role and jwtSecret itself).
    Skip,
}

/// One item of the checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub id: String,
    pub title: String,
    pub status: CheckStatus,
    /// What KubeSphere would say (verbatim where it says something), or why it passed.
    pub message: String,
    pub fix: Option<Fix>,
    /// The language-neutral values `message` and the fix summary interpolate, and (param
    /// `variant`, always present) which form of the message this is, so a shell can render the
    /// check in another language; [`CHECK_PARAMS`] declares each id's keys and variants. The
    /// title depends on the id alone.
    pub params: Params,
}

/// The checklist for importing `member` into `host` as `name`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PreflightReport {
    pub host: String,
    pub member: String,
    /// The Cluster name the member would be imported under.
    pub name: String,
    pub checks: Vec<Check>,
    /// No check failed.
    pub ok: bool,
}

/// Check ids, in the order they are reported.
pub const CHECK_IDS: &[&str] = &[
    "connection",
    "host",
    "kubeconfig",
    "not-imported",
    "name-free",
    "not-managed",
    "kubesphere-version",
    "ks-apiserver",
    "member-role",
    "jwt-secret",
    "access-token-max-age",
    "clean-member",
    "recorded-name",
];

/// For each id of [`CHECK_IDS`], in the same order: the params its checks may carry (besides
/// the variant) and the variants of its message.
pub const CHECK_PARAMS: &[(&str, &[&str], &[&str])] = &[
    ("connection", &[], &["direct"]),
    (
        "host",
        &["host", "message"],
        &["unreadable", "noConfig", "notHostV4", "notHost", "pass"],
    ),
    (
        "kubeconfig",
        &["member", "message", "version"],
        &["unreadable", "pass"],
    ),
    (
        "not-imported",
        &["name", "cluster", "member", "host", "uid"],
        &["skip", "noUid", "imported", "pass"],
    ),
    ("name-free", &["name", "host"], &["skip", "taken", "pass"]),
    (
        "not-managed",
        &["member", "by"],
        &["skip", "pass", "managed", "managedV3"],
    ),
    (
        "kubesphere-version",
        &["member", "host", "hostVersion", "memberVersion"],
        &[
            "skip",
            "installsV4",
            "missing",
            "v3IntoV4",
            "minorV4",
            "minor",
            "pass",
        ],
    ),
    (
        "ks-apiserver",
        &["version", "host", "member", "message"],
        &["skip", "pass", "skipV4", "fail"],
    ),
    (
        "member-role",
        &["host", "member", "role"],
        &[
            "skip",
            "skipV4",
            "unreadable",
            "pass",
            "fail",
            "failPending",
        ],
    ),
    (
        "jwt-secret",
        &[
            "host",
            "member",
            "fingerprint",
            "hostFingerprint",
            "memberFingerprint",
        ],
        &["skip", "skipV4", "pass", "fail"],
    ),
    (
        "access-token-max-age",
        &["host", "member", "maxAge"],
        &[
            "skip",
            "skipV4",
            "skipConfig",
            "pass",
            "fail",
            "failAbsent",
            "warn",
            "warnAbsent",
        ],
    ),
    (
        "clean-member",
        &[
            "member",
            "host",
            "workspaces",
            "workspacesMore",
            "localWorkspaces",
            "localWorkspacesMore",
            "users",
            "usersMore",
            "emailUsers",
            "emailUsersMore",
            "projects",
            "projectsMore",
        ],
        &["skip", "pass", "conflicts"],
    ),
    (
        "recorded-name",
        &["member", "recorded", "host", "name"],
        &["skip", "passV4", "pass", "same", "warnV4", "fail"],
    ),
];

/// The params of a check in its `form`.
fn form(form: &str, pairs: &[(&str, &dyn Display)]) -> Params {
    variant(params(pairs), Some(form))
}

fn check(
    id: &str,
    title: &str,
    status: CheckStatus,
    message: impl Into<String>,
    fix: Option<Fix>,
    params: Params,
) -> Check {
    debug_assert!(
        CHECK_PARAMS.iter().any(|(i, keys, variants)| *i == id
            && params
                .iter()
                .all(|(k, v)| if k == super::findings::VARIANT {
                    variants.contains(&v.as_str())
                } else {
                    keys.contains(&k.as_str())
                })),
        "{id}: params {params:?} not declared in CHECK_PARAMS"
    );
    Check {
        id: id.into(),
        title: title.into(),
        status,
        message: message.into(),
        fix,
        params,
    }
}

fn fix(summary: impl Into<String>, commands: Vec<String>, fix_it: Option<&str>) -> Option<Fix> {
    Some(Fix {
        summary: summary.into(),
        commands,
        fix_it: fix_it.map(str::to_owned),
        workflow: None,
    })
}

const CONFIG_ERR: &str = "failed to validate member cluster configuration, err: ";

/// Runs the preflight against live clusters. `name` defaults to the member's ksmc name.
pub async fn preflight(
    host: &ClusterSource,
    member: &ClusterSource,
    name: Option<&str>,
) -> PreflightReport {
    let (h, m, api) = futures::join!(gather(host), gather(member), ks_apiserver_version(member));
    let name = name.unwrap_or(&member.name);
    evaluate(&h, &m, name, &api)
}

/// The checklist from facts already read; `ks_apiserver` is what the member's ks-apiserver
/// answered through the service proxy (its version, or KubeSphere's error message).
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn evaluate(
    h: &ClusterFacts,
    m: &ClusterFacts,
    name: &str,
    ks_apiserver: &Result<String, String>,
) -> PreflightReport {
    use CheckStatus::{Fail, Pass, Skip, Warn};
    // The validation is the host's: its generation decides what is checked.
    let v4 = h.is_v4();
    let mut checks = Vec::new();
    checks.push(check(
        "connection",
        "Connection type",
        Pass,
        "direct: ksmc imports with the member's kubeconfig",
        None,
        form("direct", &[]),
    ));

    // The host.
    let host_ok = h.error.is_none() && h.is_host();
    checks.push(match (&h.error, h.is_host()) {
        (Some(e), _) => check("host", "Host cluster", Fail, format!("{} cannot be read: {}", h.name, e.message), fix("Check the host's kubeconfig and network.", vec![format!("{} get --raw /version", kubectl(&h.name))], None), form("unreadable", &[("host", &h.name), ("message", &e.message)])),
        (None, false) if h.effective().is_none() => check("host", "Host cluster", Fail, format!("failed to get host cluster kubesphere-system/configmap/kubesphere-config, err: {} has no readable kubesphere-config", h.name), None, form("noConfig", &[("host", &h.name)])),
        (None, false) if h.is_v4() => check("host", "Host cluster", Fail, format!("{} is not a host: multicluster.clusterRole host is required in its kubesphere-config", h.name), None, form("notHostV4", &[("host", &h.name)])),
        (None, false) => check("host", "Host cluster", Fail, format!("{} is not a host: multicluster.clusterRole host and enable true are required in its kubesphere-config", h.name), fix("Set clusterRole host in the host's ClusterConfiguration.", vec![format!("{} -n kubesphere-system patch cc ks-installer --type merge -p '{{\"spec\":{{\"multicluster\":{{\"clusterRole\":\"host\"}}}}}}'", kubectl(&h.name))], None), form("notHost", &[("host", &h.name)])),
        (None, true) => check("host", "Host cluster", Pass, format!("{} is a host", h.name), None, form("pass", &[("host", &h.name)])),
    });

    // The member's kubeconfig and identity.
    let member_ok = m.error.is_none();
    checks.push(match &m.error {
        Some(e) => check("kubeconfig", "Member kubeconfig", Fail, format!("{} cannot be read: {}", m.name, e.message), fix("Fix the member's kubeconfig: it must reach the API server from the host with credentials allowed to read kube-system and proxy to ks-apiserver.", vec![format!("{} get --raw /version", kubectl(&m.name))], None), form("unreadable", &[("member", &m.name), ("message", &e.message)])),
        None => {
            let version = m.kubernetes_version.as_ref().map_or("-", |v| v.value.as_str());
            check("kubeconfig", "Member kubeconfig", Pass, format!("{} answers ({version})", m.name), None, form("pass", &[("member", &m.name), ("version", &version)]))
        }
    });

    let existing = m.uid().and_then(|uid| {
        h.clusters
            .all()
            .iter()
            .find(|c| c.uid.as_deref() == Some(uid))
    });
    checks.push(match (member_ok && host_ok, existing, m.uid()) {
        (false, _, _) => check("not-imported", "Not imported already", Skip, "needs both clusters readable", None, form("skip", &[])),
        (true, _, None) => check("not-imported", "Not imported already", Fail, "the member's kube-system namespace UID could not be read", None, form("noUid", &[])),
        (true, Some(c), Some(uid)) => check("not-imported", "Not imported already", Fail, format!("cluster {name} already exists ({}), MUST not import the same cluster twice", c.name), fix(format!("{} is already {}'s Cluster {} (kube-system UID {uid}); use it, or delete it first.", m.name, h.name, c.name), vec![format!("{} get cluster {}", kubectl(&h.name), c.name)], None), form("imported", &[("name", &name), ("cluster", &c.name), ("member", &m.name), ("host", &h.name), ("uid", &uid)])),
        (true, None, Some(uid)) => check("not-imported", "Not imported already", Pass, format!("no Cluster on {} records kube-system UID {uid}", h.name), None, form("pass", &[("host", &h.name), ("uid", &uid)])),
    });

    checks.push(if !host_ok {
        check(
            "name-free",
            "Cluster name free",
            Skip,
            "needs the host",
            None,
            form("skip", &[]),
        )
    } else if h.clusters.all().iter().any(|c| c.name == name) {
        check(
            "name-free",
            "Cluster name free",
            Fail,
            format!("clusters.cluster.kubesphere.io \"{name}\" already exists"),
            fix(
                format!(
                    "Choose another name, or remove the existing Cluster {name} from {}.",
                    h.name
                ),
                vec![format!("{} get cluster {name} -o yaml", kubectl(&h.name))],
                None,
            ),
            form("taken", &[("name", &name), ("host", &h.name)]),
        )
    } else {
        check(
            "name-free",
            "Cluster name free",
            Pass,
            format!("{} has no Cluster named {name}", h.name),
            None,
            form("pass", &[("name", &name), ("host", &h.name)]),
        )
    });

    // Not managed by another host (4.x: `clusterIsManaged`).
    checks.push(match (member_ok, m.managed_by()) {
        (false, _) => check("not-managed", "Not managed by another host", Skip, "needs the member", None, form("skip", &[])),
        (true, None) => check("not-managed", "Not managed by another host", Pass, format!("{}'s kubesphere-system has no cluster.kubesphere.io/host-cluster annotation", m.name), None, form("pass", &[("member", &m.name)])),
        (true, Some(by)) => {
            let fix_it = fix(
                format!("Unbind {} from {by} first (ksmc unbind keeps its projects); if {by} no longer exists, remove the annotations it left.", m.name),
                vec![format!("{} annotate namespace kubesphere-system cluster.kubesphere.io/name- cluster.kubesphere.io/host-cluster-  # only once {by} no longer manages it", kubectl(&m.name))],
                None,
            );
            if v4 {
                check("not-managed", "Not managed by another host", Fail, format!("current cluster is managed by another host cluster '{by}'"), fix_it, form("managed", &[("member", &m.name), ("by", &by)]))
            } else {
                check("not-managed", "Not managed by another host", Warn, format!("{}'s kubesphere-system says a KubeSphere 4.x host '{by}' manages it (a 3.x host does not check this)", m.name), fix_it, form("managedV3", &[("member", &m.name), ("by", &by)]))
            }
        }
    });

    // KubeSphere on the member.
    let (hv, mv) = (h.kubesphere_version(), m.kubesphere_version());
    let title = "KubeSphere versions";
    checks.push(if !member_ok {
        check("kubesphere-version", title, Skip, "needs the member", None, form("skip", &[]))
    } else if m.kubesphere.is_none() && v4 {
        check("kubesphere-version", title, Pass, format!("{} has no KubeSphere: {} (KubeSphere 4.x) installs ks-core {} on it with Helm", m.name, h.name, hv.unwrap_or("")), None, form("installsV4", &[("member", &m.name), ("host", &h.name), ("hostVersion", &hv.unwrap_or(""))]))
    } else if m.kubesphere.is_none() {
        check("kubesphere-version", title, Fail, format!("KubeSphere is not installed on {}", m.name), fix("Install KubeSphere with clusterRole member first.", vec![], None), form("missing", &[("member", &m.name)]))
    } else if v4 && m.generation() == Some(Generation::V3) {
        check("kubesphere-version", title, Warn, format!("{} runs KubeSphere {} (3.x); {} (4.x) installs ks-core over it with Helm, which a 3.x installation is not prepared for", m.name, mv.unwrap_or("3.x"), h.name), fix("Upgrade the member to KubeSphere 4.x, or import it into a 3.x host.", vec![], None), form("v3IntoV4", &[("member", &m.name), ("memberVersion", &mv.unwrap_or("3.x")), ("host", &h.name)]))
    } else {
        match (mv, hv) {
            (Some(mv), Some(hv)) if minor(mv) != minor(hv) && v4 => check("kubesphere-version", title, Warn, format!("member runs {mv}, host {hv}: {} installs its own ks-core ({hv}) on the member, changing its version", h.name), fix("Upgrade the older cluster before importing.", vec![], None), form("minorV4", &[("memberVersion", &mv), ("hostVersion", &hv), ("host", &h.name)])),
            (Some(mv), Some(hv)) if minor(mv) != minor(hv) => check("kubesphere-version", title, Warn, format!("member runs {mv}, host {hv}: a host manages members of its own minor version"), fix("Upgrade the older cluster before importing.", vec![], None), form("minor", &[("memberVersion", &mv), ("hostVersion", &hv)])),
            (mv, hv) => check("kubesphere-version", title, Pass, format!("member {}, host {}", mv.unwrap_or("-"), hv.unwrap_or("-")), None, form("pass", &[("memberVersion", &mv.unwrap_or("-")), ("hostVersion", &hv.unwrap_or("-"))])),
        }
    });
    checks.push(match (member_ok, ks_apiserver) {
        (false, _) => check("ks-apiserver", "Member ks-apiserver reachable", Skip, "needs the member", None, form("skip", &[])),
        (true, Ok(v)) => check("ks-apiserver", "Member ks-apiserver reachable", Pass, format!("services/:ks-apiserver:/proxy/kapis/version answers {v}"), None, form("pass", &[("version", v)])),
        (true, Err(_)) if v4 => check("ks-apiserver", "Member ks-apiserver reachable", Skip, format!("not checked by KubeSphere 4.x: {} installs ks-core, and ks-apiserver with it, on {}", h.name, m.name), None, form("skipV4", &[("host", &h.name), ("member", &m.name)])),
        (true, Err(msg)) => check("ks-apiserver", "Member ks-apiserver reachable", Fail, msg.clone(), fix("Make sure KubeSphere runs on the member and the kubeconfig may use services/proxy in kubesphere-system.", vec![format!("{} -n kubesphere-system get pods -l app=ks-apiserver", kubectl(&m.name))], None), form("fail", &[("message", msg)])),
    });

    if v4 {
        let skipped = |id: &str, title: &str, what: &str| {
            if member_ok {
                let message = format!(
                    "not checked by KubeSphere 4.x: {} installs ks-core on {} with {what}",
                    h.name, m.name
                );
                let p = form("skipV4", &[("host", &h.name), ("member", &m.name)]);
                check(id, title, Skip, message, None, p)
            } else {
                check(id, title, Skip, "needs the member", None, form("skip", &[]))
            }
        };
        checks.push(skipped(
            "member-role",
            "clusterRole member",
            "multicluster.role member",
        ));
        checks.push(skipped(
            "jwt-secret",
            "jwtSecret equal",
            "its own authentication.issuer.jwtSecret",
        ));
        checks.push(skipped(
            "access-token-max-age",
            "accessTokenMaxAge 0",
            "accessTokenMaxAge 0s (the chart's member default)",
        ));
    } else {
        member_configuration(h, m, host_ok, member_ok, &mut checks);
    }

    // Clean member and recorded name: the findings engine's view of the pair, with the
    // member placed under the name it would get.
    checks.push(if member_ok && host_ok {
        clean_member(h, m, name)
    } else {
        check(
            "clean-member",
            "Member clean",
            Skip,
            "needs both clusters",
            None,
            form("skip", &[]),
        )
    });
    let recorded = m.recorded_name();
    checks.push(match (member_ok, recorded) {
        (false, _) => check("recorded-name", "Same name as before", Skip, "needs the member", None, form("skip", &[])),
        (true, None) if v4 => check("recorded-name", "Same name as before", Pass, "not imported before (no cluster.kubesphere.io/name annotation on kubesphere-system)", None, form("passV4", &[])),
        (true, None) => check("recorded-name", "Same name as before", Pass, "not imported before (no multicluster.clusterName)", None, form("pass", &[])),
        (true, Some(r)) if r == name => check("recorded-name", "Same name as before", Pass, format!("imported before under the same name {r}"), None, form("same", &[("recorded", &r)])),
        (true, Some(r)) if v4 => check("recorded-name", "Same name as before", Warn, format!("{} was imported before as {r}; {} records it as {name}", m.name, h.name), None, form("warnV4", &[("member", &m.name), ("recorded", &r), ("host", &h.name), ("name", &name)])),
        (true, Some(r)) => check("recorded-name", "Same name as before", Fail, format!("{} was imported before as {r}; imported as {name}, workspaces placed on {r} conflict or are deleted by KubeFed", m.name), fix(format!("Import it as {r}."), vec![], Some("import-with-recorded-name")), form("fail", &[("member", &m.name), ("recorded", &r), ("name", &name)])),
    });

    let ok = checks.iter().all(|c| c.status != Fail);
    PreflightReport {
        host: h.name.clone(),
        member: m.name.clone(),
        name: name.to_owned(),
        checks,
        ok,
    }
}

/// 3.x: the member's role, jwtSecret and accessTokenMaxAge in effect (validation step 5).
#[allow(clippy::too_many_lines)]
fn member_configuration(
    h: &ClusterFacts,
    m: &ClusterFacts,
    host_ok: bool,
    member_ok: bool,
    checks: &mut Vec<Check>,
) {
    use CheckStatus::{Fail, Pass, Skip, Warn};
    // The member's configuration in effect.
    let eff = m.effective();
    checks.push(match (member_ok, eff) {
        (false, _) => check("member-role", "clusterRole member", Skip, "needs the member", None, form("skip", &[])),
        (true, None) => check("member-role", "clusterRole member", Fail, format!("{CONFIG_ERR}kubesphere-config of the member cluster could not be read"), None, form("unreadable", &[])),
        (true, Some(e)) if e.cluster_role == ClusterRole::Member => check("member-role", "clusterRole member", Pass, "multicluster.clusterRole is member", None, form("pass", &[])),
        (true, Some(e)) => {
            let pending = m.kubesphere.as_ref().and_then(|k| k.configured_role.as_ref()).is_some_and(|r| r.value == ClusterRole::Member);
            let mut msg = format!("{CONFIG_ERR}the clusterRole of the member cluster must be 'member' (it is {})", role_name(e.cluster_role));
            if pending {
                msg.push_str("; the ClusterConfiguration already says member: ks-installer has not re-rendered kubesphere-config yet");
            }
            check("member-role", "clusterRole member", Fail, msg, fix("Set clusterRole member in the member's ClusterConfiguration and wait for ks-installer.", vec![set_member_role_command(&m.name)], Some("set-member-role")), form(if pending { "failPending" } else { "fail" }, &[("role", &role_name(e.cluster_role))]))
        }
    });
    checks.push(match (member_ok && host_ok, eff.and_then(|e| e.jwt_fingerprint.as_deref()), h.jwt_fingerprint()) {
        (false, ..) => check("jwt-secret", "jwtSecret equal", Skip, "needs both clusters", None, form("skip", &[])),
        (true, Some(mf), Some(hf)) if mf == hf => check("jwt-secret", "jwtSecret equal", Pass, format!("both have jwtSecret fingerprint {hf}"), None, form("pass", &[("fingerprint", &hf)])),
        (true, mf, hf) => check("jwt-secret", "jwtSecret equal", Fail, format!("{CONFIG_ERR}hostcluster Jwt is not equal to member cluster jwt, please edit the member cluster cluster config (fingerprints: host {}, member {})", hf.unwrap_or("none"), mf.unwrap_or("none")), fix("Copy the host's jwtSecret into the member's ClusterConfiguration and wait for ks-installer.", copy_jwt_commands(&h.name, &m.name), Some("copy-jwt-secret")), form("fail", &[("hostFingerprint", &hf.unwrap_or("none")), ("memberFingerprint", &mf.unwrap_or("none"))])),
    });
    checks.push(match (member_ok, eff) {
        (false, _) | (true, None) => check("access-token-max-age", "accessTokenMaxAge 0", Skip, "needs the member's kubesphere-config", None, form("skipConfig", &[])),
        (true, Some(e)) if e.access_token_max_age.as_deref().is_some_and(is_zero_duration) => check("access-token-max-age", "accessTokenMaxAge 0", Pass, "authentication.oauthOptions.accessTokenMaxAge is 0", None, form("pass", &[])),
        (true, Some(e)) => {
            let shown = e.access_token_max_age.clone().unwrap_or_else(|| "absent (default 2h)".into());
            let absent = e.access_token_max_age.is_none();
            let mut p = params(&[("member", &m.name)]);
            if let Some(age) = &e.access_token_max_age {
                p.extend(params(&[("maxAge", age)]));
            }
            let msg = format!("accessTokenMaxAge is {shown}: users opening {} from the host would be sent back to the login page (\"token not found in cache\")", m.name);
            if e.cluster_role == ClusterRole::Member {
                check("access-token-max-age", "accessTokenMaxAge 0", Fail, msg, fix("Set authentication.oauthOptions.accessTokenMaxAge to 0 in kubesphere-config and restart ks-apiserver.", vec![format!("{} -n kubesphere-system edit cm kubesphere-config", kubectl(&m.name)), format!("{} -n kubesphere-system rollout restart deploy ks-apiserver", kubectl(&m.name))], Some("set-access-token-max-age")), variant(p, Some(if absent { "failAbsent" } else { "fail" })))
            } else {
                check("access-token-max-age", "accessTokenMaxAge 0", Warn, format!("{msg}; ks-installer renders 0 once clusterRole is member"), None, variant(p, Some(if absent { "warnAbsent" } else { "warn" })))
            }
        }
    });
}

fn minor(v: &str) -> String {
    v.trim_start_matches('v')
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".")
}

fn role_name(r: ClusterRole) -> &'static str {
    match r {
        ClusterRole::Host => "host",
        ClusterRole::Member => "member",
        ClusterRole::None => "none",
        ClusterRole::Unknown => "unknown",
    }
}

fn clean_member(h: &ClusterFacts, m: &ClusterFacts, name: &str) -> Check {
    // View the member as a member of this host named `name`, whatever it says today.
    let mut as_member = m.clone();
    if let Some(e) = as_member
        .kubesphere
        .as_mut()
        .and_then(|k| k.effective.as_mut())
    {
        e.cluster_role = ClusterRole::Member;
        e.recorded_name = Some(name.to_owned());
        e.access_token_max_age = Some("0".into());
        e.jwt_fingerprint = h.jwt_fingerprint().map(str::to_owned);
    }
    if let Some(k) = as_member.kubesphere.as_mut() {
        k.recorded_name = Some(Fact::new(name.to_owned(), "the name it is imported as"));
        k.managed_by = None;
    }
    let relevant: Vec<Finding> = findings(&[h.clone(), as_member])
        .into_iter()
        .filter(|f| {
            f.cluster == m.name
                && matches!(
                    f.id.as_str(),
                    "workspace-conflict"
                        | "member-local-workspace"
                        | "member-user-conflict"
                        | "member-user-email-conflict"
                        | "stale-owner-reference"
                )
        })
        .collect();
    if relevant.is_empty() {
        return check(
            "clean-member",
            "Member clean",
            CheckStatus::Pass,
            "no conflicting workspaces or users",
            None,
            form("pass", &[]),
        );
    }
    let fail = relevant
        .iter()
        .any(|f| f.severity == super::findings::Severity::Error);
    let message = relevant
        .iter()
        .map(|f| {
            f.explanation
                .split(". ")
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("; ");
    let commands = relevant
        .iter()
        .flat_map(|f| f.fix.commands.clone())
        .collect();
    check(
        "clean-member",
        "Member clean",
        if fail {
            CheckStatus::Fail
        } else {
            CheckStatus::Warn
        },
        message,
        fix(
            relevant
                .iter()
                .map(|f| f.title.clone())
                .collect::<Vec<_>>()
                .join("; "),
            commands,
            Some("clean-member"),
        ),
        conflict_params(h, m, &relevant),
    )
}

/// The params of `clean-member`'s `conflicts` form. Its English is the findings' own
/// sentences; a shell writes one sentence per kind of conflict present from these lists (each
/// with its `…More` count when longer than the findings list).
fn conflict_params(h: &ClusterFacts, m: &ClusterFacts, relevant: &[Finding]) -> Params {
    let mut p = form("conflicts", &[("member", &m.name), ("host", &h.name)]);
    for (key, id, param) in [
        ("workspaces", "workspace-conflict", "workspace"),
        ("localWorkspaces", "member-local-workspace", "workspace"),
        ("users", "member-user-conflict", "user"),
        ("emailUsers", "member-user-email-conflict", "user"),
        ("projects", "stale-owner-reference", "namespace"),
    ] {
        let mut names: Vec<String> = relevant
            .iter()
            .filter(|f| f.id == id)
            .filter_map(|f| f.params.get(param).cloned())
            .collect();
        names.dedup();
        if names.is_empty() {
            continue;
        }
        let (shown, more) = super::findings::listed(&names, names.len());
        p.insert(key.to_owned(), shown);
        if more > 0 {
            p.insert(format!("{key}More"), more.to_string());
        }
    }
    p
}
