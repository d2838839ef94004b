//! ks-installer (3.x): the `ks-installer` ClusterConfiguration's spec is rendered into the
//! `kubesphere-config` ConfigMap that KubeSphere actually runs with; the jwtSecret lives in
//! `kubesphere-secret`; `status.<component>` tells what is installed.

use base64::Engine as _;
use serde_json::{Value, json};

use super::{SYSTEM_NS, get, modify, upsert};
use crate::cluster::SimCluster;

/// The `kubesphere.yaml` ks-installer renders for a role and jwtSecret (clusterName is not in
/// the template: the host writes it later, and a re-render drops it).
#[must_use]
pub fn render_config(role: &str, jwt_secret: &str, host_cluster_name: Option<&str>) -> String {
    let mut oauth =
        json!({"clients": [{"name": "kubesphere", "secret": "kubesphere", "redirectURIs": ["*"]}]});
    oauth["accessTokenMaxAge"] = if role == "member" {
        json!(0)
    } else {
        json!("2h")
    };
    let mut multicluster = json!({"clusterRole": role, "enable": role == "host"});
    if role == "host" {
        multicluster["proxyPublishService"] = json!("tower.kubesphere-system.svc");
        multicluster["agentImage"] = json!("kubesphere/tower:v1.0");
        if let Some(name) = host_cluster_name.filter(|n| !n.is_empty()) {
            multicluster["hostClusterName"] = json!(name);
        }
    }
    let config = json!({
        "authentication": {"jwtSecret": jwt_secret, "oauthOptions": oauth},
        "multicluster": multicluster,
    });
    serde_saphyr::to_string(&config).unwrap_or_default()
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// The current jwtSecret in `kubesphere-secret`.
#[must_use]
pub fn current_secret(cluster: &SimCluster) -> Option<String> {
    let s = get(cluster, "", "secrets", SYSTEM_NS, "kubesphere-secret")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.pointer("/data/secret")?.as_str()?)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// One installer run: jwtSecret, `kubesphere-config`, component status.
pub fn render(cluster: &SimCluster) {
    let Some(cc) = get(
        cluster,
        "installer.kubesphere.io",
        "clusterconfigurations",
        SYSTEM_NS,
        "ks-installer",
    ) else {
        return;
    };
    let spec = cc.get("spec").cloned().unwrap_or(Value::Null);
    let role = spec
        .pointer("/multicluster/clusterRole")
        .and_then(Value::as_str)
        .unwrap_or("none");
    let wanted = spec
        .pointer("/authentication/jwtSecret")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let jwt = if wanted.is_empty() {
        current_secret(cluster).unwrap_or_else(|| crate::cluster::random_token()[..32].to_owned())
    } else {
        wanted.to_owned()
    };
    let _ = upsert(
        cluster,
        "",
        "secrets",
        json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "kubesphere-secret", "namespace": SYSTEM_NS},
            "type": "Opaque",
            "data": {"secret": b64(&jwt)},
        }),
    );
    let host_name = spec
        .pointer("/multicluster/hostClusterName")
        .and_then(Value::as_str);
    let _ = upsert(
        cluster,
        "",
        "configmaps",
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "kubesphere-config", "namespace": SYSTEM_NS},
            "data": {"kubesphere.yaml": render_config(role, &jwt, host_name)},
        }),
    );
    if role == "host" && get(cluster, "", "namespaces", "", "kube-federation-system").is_none() {
        let _ = upsert(
            cluster,
            "",
            "namespaces",
            json!({
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": "kube-federation-system", "labels": {"kubesphere.io/workspace": "system-workspace"}},
            }),
        );
    }
    let _ = modify(
        cluster,
        "installer.kubesphere.io",
        "clusterconfigurations",
        SYSTEM_NS,
        "ks-installer",
        |cc| {
            let status = cc
                .as_object_mut()
                .map(|m| m.entry("status").or_insert_with(|| json!({})));
            if let Some(Value::Object(status)) = status {
                for component in enabled_components(&spec) {
                    status.insert(component, json!({"status": "enabled"}));
                }
                if role == "host" {
                    status.insert("multicluster".into(), json!({"status": "enabled"}));
                }
            }
        },
    );
}

/// Components switched on in a ClusterConfiguration spec (`<name>.enabled`, and the App
/// Store as `openpitrix.store.enabled`).
#[must_use]
pub fn enabled_components(spec: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(map) = spec.as_object() {
        for (k, v) in map {
            if v.get("enabled").and_then(Value::as_bool) == Some(true) {
                out.push(k.clone());
            }
        }
    }
    if spec
        .pointer("/openpitrix/store/enabled")
        .and_then(Value::as_bool)
        == Some(true)
    {
        out.push("openpitrix".into());
    }
    out
}

/// Writes `multicluster.clusterName` into a member's effective config, as the host's cluster
/// controller does after every successful sync.
pub fn set_cluster_name(member: &SimCluster, name: &str) {
    let Some(mut config) = super::effective_config(member) else {
        return;
    };
    if config
        .pointer("/multicluster/clusterName")
        .and_then(Value::as_str)
        == Some(name)
    {
        return;
    }
    config["multicluster"]["clusterName"] = json!(name);
    let rendered = serde_saphyr::to_string(&config).unwrap_or_default();
    let _ = modify(
        member,
        "",
        "configmaps",
        SYSTEM_NS,
        "kubesphere-config",
        |cm| {
            cm["data"]["kubesphere.yaml"] = json!(rendered);
        },
    );
}
