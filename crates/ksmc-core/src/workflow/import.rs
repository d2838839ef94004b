//! Planning "import a member" (`kubesphere-multicluster.md` §2.2, §2.4, §3, §4.5): preflight,
//! member fix-its (role, jwtSecret) and the wait for ks-installer, a dedicated ServiceAccount
//! for the host, the `Cluster` under the name the member recorded, the wait for Ready.

use super::plan::{Action, Phase};
use super::unbind::{Parts, step};
use crate::ClusterRole;
use crate::error::{AppError, ErrorKind};
use crate::fleet::facts::{gather, ks_apiserver_version};
use crate::fleet::findings::{copy_jwt_commands, kubectl, set_member_role_command};
use crate::fleet::preflight::{CheckStatus, evaluate};

use super::access::Clusters;

/// Where the ServiceAccount for the host lives on the member.
pub const SA_NAMESPACE: &str = "kube-system";

/// The ServiceAccount name for a host: `ksmc-<host>`, made a valid name.
#[must_use]
pub fn service_account_for(host: &str) -> String {
    let mut s: String = host
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.truncate(50);
    format!("ksmc-{}", s.trim_matches('-'))
}

/// Plans importing `member` into `host` as `cluster_name` (default: the name it recorded, else
/// its estate name). `fix` allows the member fix-its; `skip` names preflight checks an earlier
/// phase of the same plan takes care of (a migration's unbinding cleans the member).
///
/// # Errors
/// The failed preflight checks, each with KubeSphere's message; nothing is written.
pub async fn plan(
    clusters: &Clusters,
    host: &str,
    member: &str,
    cluster_name: Option<&str>,
    fix: bool,
    skip: &[&str],
) -> Result<Parts, AppError> {
    if let Some(n) = cluster_name {
        crate::names::check_label("cluster name", n)?;
    }
    if clusters.tenant_version(host).await? == super::access::V4_TENANT {
        return plan_v4(clusters, host, member, cluster_name, skip).await;
    }
    let (hs, ms) = (clusters.source(host)?, clusters.source(member)?);
    let (h, m, api) = futures::join!(gather(hs), gather(ms), ks_apiserver_version(ms));
    if m.role() == ClusterRole::Host {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!(
                "{member} is a host cluster; KubeSphere does not support turning a host into a member, so ksmc will not"
            ),
        ));
    }
    let name = cluster_name
        .map(str::to_owned)
        .or_else(|| m.effective().and_then(|e| e.recorded_name.clone()))
        .unwrap_or_else(|| member.to_owned());
    crate::names::check_label("cluster name", &name)?;
    let report = evaluate(&h, &m, &name, &api);
    let (mut set_role, mut copy_jwt) = (false, false);
    let mut failures = Vec::new();
    let mut warnings = Vec::new();
    for c in &report.checks {
        match (c.status, c.id.as_str()) {
            (_, id) if skip.contains(&id) => {}
            // ksmc builds its own ServiceAccount kubeconfig for the host.
            (CheckStatus::Fail, "kubeconfig") if m.error.is_none() => {}
            (CheckStatus::Fail, "member-role") if fix => set_role = true,
            (CheckStatus::Fail, "jwt-secret") if fix => copy_jwt = true,
            (CheckStatus::Fail, "member-role" | "jwt-secret") => failures.push(format!(
                "{}: {} (let ksmc fix it: --fix)",
                c.title, c.message
            )),
            (CheckStatus::Fail, _) => failures.push(format!("{}: {}", c.title, c.message)),
            (CheckStatus::Warn, _) => warnings.push(format!("{}: {}", c.title, c.message)),
            _ => {}
        }
    }
    if !failures.is_empty() {
        return Err(AppError::new(
            ErrorKind::PreflightFailed,
            format!(
                "preflight failed for importing {member} into {host} as {name}: {}",
                failures.join("; ")
            ),
        ));
    }
    let mut phases = Vec::new();
    if set_role || copy_jwt {
        phases.push(configure_phase(
            host,
            member,
            h.jwt_fingerprint(),
            set_role,
            copy_jwt,
        ));
    }
    phases.push(join_phase(host, member, &name));
    Ok(Parts {
        inventory: Vec::new(),
        warnings,
        phases,
        cluster_name: name,
    })
}

/// The member fix-its as a phase: set the ClusterConfiguration, wait for ks-installer.
#[must_use]
pub fn configure_phase(
    host: &str,
    member: &str,
    host_fingerprint: Option<&str>,
    set_role: bool,
    copy_jwt: bool,
) -> Phase {
    let mut changes = Vec::new();
    let mut cmds = Vec::new();
    if set_role {
        changes.push(
            "~ ClusterConfiguration ks-installer: spec.multicluster.clusterRole → member"
                .to_owned(),
        );
        cmds.push(set_member_role_command(member));
    }
    if copy_jwt {
        changes.push(format!(
            "~ ClusterConfiguration ks-installer: spec.authentication.jwtSecret → {host}'s (fingerprint {})",
            host_fingerprint.unwrap_or("?")
        ));
        cmds.extend(copy_jwt_commands(host, member));
    }
    Phase {
        title: format!("Configure {member} as a member of {host}"),
        concurrent: false,
        steps: vec![
            step(
                format!("Set {member}'s ClusterConfiguration for {host}"),
                Action::ConfigureMember { member: member.to_owned(), host: host.to_owned(), set_role, copy_jwt },
                "PATCH /apis/installer.kubesphere.io/v1alpha1/namespaces/kubesphere-system/clusterconfigurations/ks-installer (merge, resourceVersion)".into(),
                changes,
                cmds,
                "The jwtSecret is read from the host at apply time and sent only in this request; ksmc never shows, logs or journals it. A host is never turned into a member.",
            ),
            step(
                format!("Wait for ks-installer to render {member}'s kubesphere-config"),
                Action::WaitMemberConfig { member: member.to_owned(), host: host.to_owned() },
                "GET /api/v1/namespaces/kubesphere-system/configmaps/kubesphere-config (polled)".into(),
                Vec::new(),
                vec![format!("{} -n kubesphere-system get cm kubesphere-config -o jsonpath='{{.data.kubesphere\\.yaml}}' | grep -E 'clusterRole|accessTokenMaxAge'", kubectl(member))],
                "The Cluster is created only once the member's effective configuration is a member with the host's jwtSecret.",
            ),
        ],
    }
}

/// Give the host a ServiceAccount kubeconfig, create the Cluster, wait until it is Ready.
fn join_phase(host: &str, member: &str, name: &str) -> Phase {
    let sa = service_account_for(host);
    Phase {
        title: format!("Join {member} to {host} as {name}"),
        concurrent: false,
        steps: vec![
            step(
                format!("Create ServiceAccount {SA_NAMESPACE}/{sa} on {member} for {host}"),
                Action::EnsureServiceAccount { member: member.to_owned(), namespace: SA_NAMESPACE.into(), name: sa.clone() },
                format!("POST ServiceAccount, token Secret {sa}-token, ClusterRoleBinding {sa} → cluster-admin"),
                vec![format!("+ ServiceAccount {SA_NAMESPACE}/{sa}"), format!("+ Secret {SA_NAMESPACE}/{sa}-token"), format!("+ ClusterRoleBinding {sa} (cluster-admin)")],
                vec![
                    format!("{} -n {SA_NAMESPACE} create serviceaccount {sa}", kubectl(member)),
                    format!("{} -n {SA_NAMESPACE} apply -f - <<'EOF'\n{{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"type\":\"kubernetes.io/service-account-token\",\"metadata\":{{\"name\":\"{sa}-token\",\"annotations\":{{\"kubernetes.io/service-account.name\":\"{sa}\"}}}}}}\nEOF", kubectl(member)),
                    format!("{} create clusterrolebinding {sa} --clusterrole=cluster-admin --serviceaccount={SA_NAMESPACE}:{sa}", kubectl(member)),
                ],
                "The host stores a credential made for it, never your own kubeconfig or an exec plugin it could not run.",
            ),
            step(
                format!("Create Cluster {name} on {host}"),
                Action::CreateCluster { host: host.to_owned(), member: member.to_owned(), name: name.to_owned(), service_account: sa.clone(), namespace: SA_NAMESPACE.into() },
                "POST /apis/cluster.kubesphere.io/v1alpha1/clusters (kubeconfig from the ServiceAccount token; not shown)".into(),
                vec![format!("+ Cluster {name} (direct, joinFederation)")],
                vec![format!("# build a kubeconfig from the {sa}-token Secret, then:\n{} apply -f cluster-{name}.yaml", kubectl(host))],
                "Created under the name the member recorded, so workspaces placed on it are not deleted or in conflict.",
            ),
            step(
                format!("Wait until {name} is Ready on {host}"),
                Action::WaitClusterReady { host: host.to_owned(), name: name.to_owned() },
                format!("GET /apis/cluster.kubesphere.io/v1alpha1/clusters/{name} (polled)"),
                Vec::new(),
                vec![format!("{} wait --for=condition=Ready cluster/{name} --timeout=180s", kubectl(host))],
                "Stops with KubeSphere's condition reason if the join fails.",
            ),
        ],
    }
}

/// KubeSphere 4.x: the host installs ks-core on the member and pushes its jwtSecret itself,
/// so the member needs no configuration (and no KubeSphere) first. The checks are 4.1's
/// validation endpoint's: not imported already, the name free, not managed by another host.
async fn plan_v4(
    clusters: &Clusters,
    host: &str,
    member: &str,
    cluster_name: Option<&str>,
    skip: &[&str],
) -> Result<Parts, AppError> {
    use kube::api::{Api, DynamicObject};
    let mclient = clusters.client(member).await?;
    let nss: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(mclient.clone());
    let read = |c: &str, e: &super::access::CallError| super::unbind::read_error(c, e);
    let kube_system = super::access::call(nss.get("kube-system"))
        .await
        .map_err(|e| read(member, &e))?;
    let uid = kube_system.metadata.uid.unwrap_or_default();
    let recorded = super::unbind::recorded_name(&mclient).await;
    let name = cluster_name
        .map(str::to_owned)
        .or(recorded)
        .unwrap_or_else(|| member.to_owned());
    crate::names::check_label("cluster name", &name)?;
    let api: Api<DynamicObject> = Api::all_with(
        clusters.client(host).await?,
        &super::access::kubesphere_clusters(),
    );
    let existing = super::access::call(api.list(&Default::default()))
        .await
        .map_err(|e| read(host, &e))?;
    for c in &existing.items {
        let v = super::access::json(c);
        let cname = c.metadata.name.clone().unwrap_or_default();
        if v.pointer("/status/uid").and_then(serde_json::Value::as_str) == Some(uid.as_str()) {
            return Err(AppError::new(
                ErrorKind::PreflightFailed,
                format!(
                    "cluster {name} already exists ({cname}), MUST not import the same cluster twice"
                ),
            ));
        }
        if cname == name {
            return Err(AppError::new(
                ErrorKind::PreflightFailed,
                format!("{host} already has a Cluster named {name}"),
            ));
        }
    }
    if !skip.contains(&"managed-elsewhere") {
        let ks = super::access::call(nss.get("kubesphere-system")).await.ok();
        if let Some(other) = ks
            .and_then(|n| n.metadata.annotations)
            .and_then(|a| a.get("cluster.kubesphere.io/host-cluster").cloned())
        {
            return Err(AppError::new(
                ErrorKind::PreflightFailed,
                format!(
                    "current cluster is managed by another host cluster '{other}': unbind it from that host first"
                ),
            ));
        }
    }
    Ok(Parts {
        inventory: Vec::new(),
        warnings: vec![format!(
            "{host} runs KubeSphere 4.x: it installs ks-core on {member} with Helm and sets its jwtSecret itself"
        )],
        phases: vec![join_phase(host, member, &name)],
        cluster_name: name,
    })
}
