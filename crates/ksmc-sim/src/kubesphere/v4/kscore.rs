//! ks-core, the Helm chart that is KubeSphere 4.1 (`shared/docs/kubesphere-multicluster.md`
//! §1.5, §7.1): what installing it leaves on a cluster — `kubesphere-system/kubesphere-config`
//! rendered from the chart values, the Helm release record, the system namespaces labelled
//! into `system-workspace` (the chart's post-install hook), and on a host the built-in
//! `system-workspace` template and `admin` user — and what ks-apiserver then answers.

use base64::Engine as _;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::super::{SYSTEM_NS, WORKSPACE_LABEL, get, list, modify, upsert};
use crate::cluster::{SimCluster, rfc3339};
use crate::http::ApiError;

/// The KubeSphere version the simulated ks-core chart installs.
pub const KS_CORE_VERSION: &str = "v4.1.3";
/// The ks-core chart version of that release (DERIVED: 4.1.2 shipped chart 1.1.2).
pub const CHART_VERSION: &str = "1.1.3";
/// The Helm release name (and chart name).
pub const RELEASE: &str = "ks-core";
/// `kubesphere.io/managed`, set on system namespaces by the chart.
pub const MANAGED_LABEL: &str = "kubesphere.io/managed";

/// The chart values that matter to the simulation (`config/ks-core/values.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreValues {
    /// `multicluster.role`: `host` or `member`.
    pub role: String,
    /// `authentication.issuer.jwtSecret`.
    pub jwt_secret: String,
    /// `multicluster.hostClusterName`.
    pub host_cluster_name: String,
    /// The chart's `appVersion`, what ks-apiserver reports.
    pub version: String,
}

impl CoreValues {
    #[must_use]
    pub fn new(role: &str, jwt_secret: &str) -> Self {
        Self {
            role: role.to_owned(),
            jwt_secret: jwt_secret.to_owned(),
            host_cluster_name: "host".to_owned(),
            version: KS_CORE_VERSION.to_owned(),
        }
    }
}

/// The `kubesphere.yaml` the chart renders (`templates/kubesphere-config.yaml`): a member's
/// access tokens never expire on their own (`accessTokenMaxAge: 0s`).
#[must_use]
pub fn render_config(values: &CoreValues) -> String {
    let max_age = if values.role == "member" { "0s" } else { "2h" };
    let config = json!({
        "authentication": {
            "authenticateRateLimiterMaxTries": 10,
            "authenticateRateLimiterDuration": "10m0s",
            "loginHistoryRetentionPeriod": "168h",
            "multipleLogin": true,
            "issuer": {
                "host": "",
                "jwtSecret": values.jwt_secret,
                "maximumClockSkew": "10s",
                "accessTokenMaxAge": max_age,
                "accessTokenInactivityTimeout": "30m",
            },
        },
        "multicluster": {"clusterRole": values.role, "hostClusterName": values.host_cluster_name},
        "kubesphere": {"tls": false},
    });
    serde_saphyr::to_string(&config).unwrap_or_default()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
}

/// The `sh.helm.release.v1.ks-core.vN` Secrets, with their revision.
fn releases(cluster: &SimCluster) -> Vec<(u64, Value)> {
    let mut out: Vec<(u64, Value)> = list_in(cluster, "", "secrets", SYSTEM_NS)
        .into_iter()
        .filter(|s| {
            s["type"] == "helm.sh/release.v1"
                && s.pointer("/metadata/labels/name").and_then(Value::as_str) == Some(RELEASE)
        })
        .filter_map(|s| {
            let rev = s
                .pointer("/metadata/labels/version")?
                .as_str()?
                .parse()
                .ok()?;
            Some((rev, s))
        })
        .collect();
    out.sort_by_key(|(rev, _)| *rev);
    out
}

/// The objects of a namespaced kind in one namespace.
pub(super) fn list_in(cluster: &SimCluster, group: &str, plural: &str, ns: &str) -> Vec<Value> {
    cluster
        .store
        .list(&super::super::key(group, plural), Some(ns))
        .0
}

/// The deployed ks-core release (as Helm stores it: the Secret's `release` is base64 of the
/// release JSON, which Helm reads whether or not it is gzipped).
#[must_use]
pub fn deployed_release(cluster: &SimCluster) -> Option<Value> {
    let (_, secret) = releases(cluster).into_iter().rev().find(|(_, s)| {
        s.pointer("/metadata/labels/status").and_then(Value::as_str) == Some("deployed")
    })?;
    let once = unb64(secret.pointer("/data/release")?.as_str()?)?;
    let twice = unb64(std::str::from_utf8(&once).ok()?)?;
    serde_json::from_slice(&twice).ok()
}

/// The KubeSphere version ks-apiserver reports, `None` when ks-core is not installed.
#[must_use]
pub fn version(cluster: &SimCluster) -> Option<String> {
    deployed_release(cluster)?
        .pointer("/chart/metadata/appVersion")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `configz` of a 4.1 ks-apiserver: the loaded configuration as JSON (deprecated endpoint);
/// the jwtSecret is never part of it.
#[must_use]
pub fn configz(cluster: &SimCluster) -> Option<Value> {
    version(cluster)?;
    let mut config = super::super::effective_config(cluster)?;
    if let Some(issuer) = config
        .pointer_mut("/authentication/issuer")
        .and_then(Value::as_object_mut)
    {
        issuer.remove("jwtSecret");
    }
    Some(config)
}

fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
}

/// The post-install hook: system namespaces join `system-workspace` and are marked managed.
fn label_system_namespaces(cluster: &SimCluster) {
    for ns in [
        "kubesphere-system",
        "kubesphere-controls-system",
        "default",
        "kube-node-lease",
        "kube-public",
        "kube-system",
    ] {
        if get(cluster, "", "namespaces", "", ns).is_some() {
            let _ = modify(cluster, "", "namespaces", "", ns, |o| {
                let labels = &mut o["metadata"]["labels"];
                if labels.get(WORKSPACE_LABEL).is_none() {
                    labels[WORKSPACE_LABEL] = json!("system-workspace");
                }
                labels[MANAGED_LABEL] = json!("true");
            });
        }
    }
    for ns in list(cluster, "", "namespaces") {
        let labels = ns.pointer("/metadata/labels");
        if labels.and_then(|l| l.get(WORKSPACE_LABEL)).is_some()
            && labels.and_then(|l| l.get(MANAGED_LABEL)).is_none()
        {
            let name = super::super::name_of(&ns);
            let _ = modify(cluster, "", "namespaces", "", &name, |o| {
                o["metadata"]["labels"][MANAGED_LABEL] = json!("true");
            });
        }
    }
}

/// Writes the next Helm release record and supersedes the previous one.
fn record_release(cluster: &SimCluster, values: &CoreValues) -> Result<u64, ApiError> {
    let previous = releases(cluster);
    let revision = previous.last().map_or(1, |(rev, _)| rev + 1);
    for (rev, secret) in &previous {
        if secret
            .pointer("/metadata/labels/status")
            .and_then(Value::as_str)
            == Some("deployed")
        {
            let name = format!("sh.helm.release.v1.{RELEASE}.v{rev}");
            modify(cluster, "", "secrets", SYSTEM_NS, &name, |s| {
                s["metadata"]["labels"]["status"] = json!("superseded");
            })?;
        }
    }
    let now = rfc3339(Timestamp::now());
    let description = if revision == 1 {
        "Install complete"
    } else {
        "Upgrade complete"
    };
    let release = json!({
        "name": RELEASE, "namespace": SYSTEM_NS, "version": revision,
        "info": {"status": "deployed", "description": description,
                 "first_deployed": now, "last_deployed": now},
        "chart": {"metadata": {"apiVersion": "v2", "name": RELEASE, "version": CHART_VERSION,
                               "appVersion": values.version, "type": "application"}},
        // The values supplied (the jwtSecret is left out of the simulation's copy).
        "config": {"role": values.role, "multicluster": {"role": values.role,
                   "hostClusterName": values.host_cluster_name}},
    });
    let encoded = b64(b64(release.to_string().as_bytes()).as_bytes());
    upsert(
        cluster,
        "",
        "secrets",
        json!({
            "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
            "metadata": {"name": format!("sh.helm.release.v1.{RELEASE}.v{revision}"), "namespace": SYSTEM_NS,
                "labels": {"name": RELEASE, "owner": "helm", "status": "deployed", "version": revision.to_string()}},
            "data": {"release": encoded},
        }),
    )?;
    Ok(revision)
}

/// What the chart creates only on a host (`templates/workspace.yaml`, `templates/user.yaml`).
fn host_objects(cluster: &SimCluster) -> Result<(), ApiError> {
    if get(
        cluster,
        "tenant.kubesphere.io",
        "workspacetemplates",
        "",
        "system-workspace",
    )
    .is_none()
    {
        upsert(
            cluster,
            "tenant.kubesphere.io",
            "workspacetemplates",
            json!({
                "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
                "metadata": {"name": "system-workspace", "annotations": {
                    "kubesphere.io/creator": "admin",
                    "kubesphere.io/description": "system-workspace is a built-in workspace automatically created by KubeSphere. It contains all system components to run KubeSphere."}},
                "spec": {"placement": {"clusterSelector": {}}, "template": {"spec": {"manager": "admin"}}},
            }),
        )?;
    }
    if get(cluster, "iam.kubesphere.io", "users", "", "admin").is_none() {
        upsert(
            cluster,
            "iam.kubesphere.io",
            "users",
            json!({
                "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
                "metadata": {"name": "admin", "annotations": {"iam.kubesphere.io/uninitialized": "true"}},
                "spec": {"email": "admin@kubesphere.io"},
                "status": {"state": "Active"},
            }),
        )?;
    }
    Ok(())
}

/// `helm upgrade --install ks-core` in `kubesphere-system`, as the host's cluster controller
/// runs it on a member (§7.2) and as an administrator runs it on a host. The configuration
/// is written last: the cluster's KubeSphere controllers start when it appears.
///
/// # Errors
/// When a write is refused.
pub fn install_ks_core(cluster: &SimCluster, values: &CoreValues) -> Result<(), ApiError> {
    for ns in [SYSTEM_NS, "kubesphere-controls-system"] {
        if get(cluster, "", "namespaces", "", ns).is_none() {
            upsert(cluster, "", "namespaces", namespace(ns))?;
        }
    }
    let first = releases(cluster).is_empty();
    record_release(cluster, values)?;
    if first {
        label_system_namespaces(cluster);
    }
    if values.role == "host" {
        host_objects(cluster)?;
    }
    let config = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "kubesphere-config", "namespace": SYSTEM_NS,
            "labels": {"app.kubernetes.io/managed-by": "Helm"},
            "annotations": {"meta.helm.sh/release-name": RELEASE, "meta.helm.sh/release-namespace": SYSTEM_NS}},
        "data": {"kubesphere.yaml": render_config(values)},
    });
    upsert(cluster, "", "configmaps", config)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::VersionInfo;
    use crate::resources::Registry;

    fn plain() -> SimCluster {
        let c = SimCluster::new("c", Registry::kubesphere_v41(), VersionInfo::new("v1.31.6"));
        for ns in ["default", "kube-system", "sandbox"] {
            c.seed_namespace(ns, json!({})).unwrap();
        }
        c
    }

    #[test]
    fn installing_then_upgrading_records_helm_releases() {
        let c = plain();
        assert!(version(&c).is_none() && configz(&c).is_none());
        install_ks_core(&c, &CoreValues::new("member", "s3cret")).unwrap();
        assert_eq!(version(&c).as_deref(), Some(KS_CORE_VERSION));
        let config = super::super::super::effective_config(&c).unwrap();
        assert_eq!(config["authentication"]["issuer"]["jwtSecret"], "s3cret");
        assert_eq!(
            config["authentication"]["issuer"]["accessTokenMaxAge"],
            "0s"
        );
        assert_eq!(config["multicluster"]["clusterRole"], "member");
        let z = configz(&c).unwrap();
        assert!(z["authentication"]["issuer"].get("jwtSecret").is_none());
        let ks = get(&c, "", "namespaces", "", "kube-system").unwrap();
        assert_eq!(
            ks["metadata"]["labels"][WORKSPACE_LABEL],
            "system-workspace"
        );
        let sandbox = get(&c, "", "namespaces", "", "sandbox").unwrap();
        assert!(sandbox["metadata"]["labels"].get(WORKSPACE_LABEL).is_none());
        // A member gets no system-workspace template or admin user of its own.
        assert!(list(&c, "tenant.kubesphere.io", "workspacetemplates").is_empty());

        let mut host = CoreValues::new("member", "other");
        host.version = "v4.1.2".into();
        install_ks_core(&c, &host).unwrap();
        let revs: Vec<(u64, String)> = releases(&c)
            .into_iter()
            .map(|(r, s)| {
                (
                    r,
                    s["metadata"]["labels"]["status"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                )
            })
            .collect();
        assert_eq!(revs, [(1, "superseded".into()), (2, "deployed".into())]);
        assert_eq!(version(&c).as_deref(), Some("v4.1.2"));
        assert_eq!(
            deployed_release(&c).unwrap()["info"]["description"],
            "Upgrade complete"
        );
    }
}
