//! ks-apiserver as the Kubernetes service proxy reaches it: what a host (and ksmc) reads from
//! a cluster with only a kubeconfig (`shared/docs/kubesphere-multicluster.md` §1.4, §6.3).
//!
//! * `GET /api/v1/namespaces/kubesphere-system/services/:ks-apiserver:/proxy/kapis/version`
//!   (3.4's `validateKubeSphereAPIServer`) and the 4.1 form `…/services/http:ks-apiserver:80/
//!   proxy/version`: KubeSphere's version body, `kubernetes` holding the cluster's `/version`.
//! * `…/proxy/kapis/config.kubesphere.io/v1alpha2/configs/configz`: `map[string]bool` of the
//!   components that are on (KubeSphere 4.1: the loaded configuration, without the jwtSecret).
//!
//! The `ks-apiserver` Service exists when KubeSphere is installed, i.e. when the `ks-installer`
//! ClusterConfiguration is in `kubesphere-system` (3.x) or the `ks-core` Helm release is
//! deployed there (4.1, see [`crate::kubesphere::v4`]); otherwise the proxy answers 404
//! `services "ks-apiserver" not found`, as the real API server does for a missing Service.
//! Everything is read from the store on each request.

use std::collections::BTreeMap;

use hyper::{Method, Response, StatusCode, header};
use serde_json::{Value, json};

use crate::cluster::SimCluster;
use crate::http::{ApiError, Body, Reply, full, ok_json};
use crate::resources::ResourceKey;

/// Where KubeSphere runs.
pub const NAMESPACE: &str = "kubesphere-system";
/// The Service in front of ks-apiserver.
pub const SERVICE: &str = "ks-apiserver";

fn cc_key() -> ResourceKey {
    ResourceKey {
        group: "installer.kubesphere.io".into(),
        plural: "clusterconfigurations".into(),
    }
}

/// The `kubesphere-system/ks-installer` ClusterConfiguration, when KubeSphere (3.x) is
/// installed.
#[must_use]
pub fn cluster_configuration(cluster: &SimCluster) -> Option<Value> {
    cluster.store.get(&cc_key(), NAMESPACE, "ks-installer")
}

/// The KubeSphere version of a cluster (`v3.4.1`): the ClusterConfiguration's
/// `status.core.version`, else its `version` label; for KubeSphere 4.1 (no
/// ClusterConfiguration) the deployed ks-core release's version; `None` when KubeSphere is
/// not installed.
#[must_use]
pub fn kubesphere_version(cluster: &SimCluster) -> Option<String> {
    let Some(cc) = cluster_configuration(cluster) else {
        return crate::kubesphere::v4::version(cluster);
    };
    cc.pointer("/status/core/version")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .or_else(|| {
            cc.pointer("/metadata/labels/version")
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
        })
        .map(str::to_owned)
}

/// What ks-apiserver's `/kapis/version` (and `/version`) returns, or `None` when KubeSphere is
/// not installed.
#[must_use]
pub fn version_body(cluster: &SimCluster) -> Option<Value> {
    // A cc without any version is a broken install; ks-apiserver built without version
    // ldflags reports v0.0.0, which is what a host then sees.
    let version = match cluster_configuration(cluster) {
        Some(_) => kubesphere_version(cluster).unwrap_or_else(|| "v0.0.0".to_owned()),
        None => crate::kubesphere::v4::version(cluster)?,
    };
    let mut parts = version.trim_start_matches('v').split(['.', '-']);
    let major = parts.next().unwrap_or("0");
    let minor = parts.next().unwrap_or("0");
    Some(json!({
        "gitVersion": version,
        "gitMajor": major,
        "gitMinor": minor,
        "gitCommit": "ksmc-sim",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.19.13",
        "compiler": "gc",
        "platform": "linux/amd64",
        "kubernetes": cluster.version.body(),
    }))
}

fn installer_status_enabled(cc: &Value, path: &str) -> bool {
    cc.pointer(&format!("/status/{path}/status"))
        .and_then(Value::as_str)
        == Some("enabled")
}

fn spec_flag(cc: &Value, path: &str) -> bool {
    cc.pointer(&format!("/spec/{path}"))
        .and_then(Value::as_bool)
        == Some(true)
}

/// `multicluster.enable` in the running configuration (`kubesphere-config`), true on a host.
fn multicluster_enabled(cluster: &SimCluster) -> bool {
    let key = ResourceKey {
        group: String::new(),
        plural: "configmaps".into(),
    };
    cluster
        .store
        .get(&key, NAMESPACE, "kubesphere-config")
        .and_then(|cm| {
            let yaml = cm.pointer("/data/kubesphere.yaml")?.as_str()?.to_owned();
            serde_saphyr::from_str::<Value>(&yaml).ok()
        })
        .and_then(|c| c.pointer("/multicluster/enable").and_then(Value::as_bool))
        == Some(true)
}

/// ks-apiserver's `configz`: every key of §6.3, true when the component is on. Components the
/// installer reports are on when the ClusterConfiguration's `status.<component>.status` is
/// `enabled`; those it writes no status for (network policy, IP pools, App Store) follow the
/// spec switch; `multicluster` is on when the running configuration enables it (a host); the
/// options ks-apiserver always loads (`kubernetes`, `authentication`, `authorization`,
/// `openpitrix`, `terminal`) are always on. `None` when KubeSphere is not installed.
#[must_use]
pub fn configz(cluster: &SimCluster) -> Option<BTreeMap<String, bool>> {
    let cc = cluster_configuration(cluster)?;
    let status = |path: &str| installer_status_enabled(&cc, path);
    let entries = [
        ("alerting", status("alerting")),
        ("auditing", status("auditing")),
        ("authentication", true),
        ("authorization", true),
        ("cache", status("redis")),
        ("devops", status("devops")),
        ("edgeruntime", status("edgeruntime")),
        ("events", status("events")),
        ("gateway", status("core")),
        ("gpu", spec_flag(&cc, "gpu/enabled")),
        ("kubeedge", status("kubeedge")),
        ("kubernetes", true),
        ("logging", status("logging")),
        ("metering", status("metering")),
        ("monitoring", status("monitoring")),
        (
            "multicluster",
            status("multicluster") || multicluster_enabled(cluster),
        ),
        ("network", spec_flag(&cc, "network/networkpolicy/enabled")),
        (
            "network.ippool",
            cc.pointer("/spec/network/ippool/type")
                .and_then(Value::as_str)
                == Some("calico"),
        ),
        ("network.topology", status("network/topology")),
        ("notification", status("monitoring")),
        ("openpitrix", true),
        (
            "openpitrix.appstore",
            spec_flag(&cc, "openpitrix/store/enabled"),
        ),
        ("s3", status("minio")),
        ("servicemesh", status("servicemesh")),
        ("sonarqube", status("sonarqube")),
        ("terminal", true),
    ];
    Some(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// A `[scheme:]name[:port]` service reference, as `utilnet.SplitSchemeNamePort` splits it.
fn split_service(id: &str) -> Option<(&str, &str, &str)> {
    let parts: Vec<&str> = id.split(':').collect();
    let (scheme, name, port) = match parts.as_slice() {
        [name] => ("", *name, ""),
        [name, port] => ("", *name, *port),
        [scheme, name, port] => (*scheme, *name, *port),
        _ => return None,
    };
    (!name.is_empty() && matches!(scheme, "" | "http" | "https")).then_some((scheme, name, port))
}

fn service_unavailable(message: String) -> ApiError {
    ApiError {
        code: 503,
        reason: "ServiceUnavailable",
        message,
        details: Value::Null,
    }
}

/// Whether the path after `/api/v1/namespaces/<namespace>/services/` is a proxy request
/// (`<service>/proxy[/…]`).
#[must_use]
pub fn is_proxy(rest: &[&str]) -> bool {
    matches!(rest, [_, "proxy", ..])
}

/// `/api/v1/namespaces/<namespace>/services/<service>/proxy/<path…>`; `rest` is the path after
/// `services/`.
///
/// # Errors
/// 404 when the Service does not exist (KubeSphere not installed, or another service), 400 for
/// a malformed service reference, 503 for a port the Service does not have or `https:` (ks-
/// apiserver speaks plain HTTP), 405 for methods other than GET.
pub fn service_proxy(
    cluster: &SimCluster,
    method: &Method,
    namespace: &str,
    rest: &[&str],
) -> Reply {
    let [service, "proxy", rest @ ..] = rest else {
        return Err(ApiError::no_route());
    };
    let service = service.replace("%3A", ":").replace("%3a", ":");
    let (scheme, name, port) = split_service(&service)
        .ok_or_else(|| ApiError::bad_request(format!("invalid service request \"{service}\"")))?;
    let not_found = || ApiError::not_found("", "services", name);
    let installed = cluster_configuration(cluster).is_some()
        || crate::kubesphere::v4::version(cluster).is_some();
    if namespace != NAMESPACE || name != SERVICE || !installed {
        return Err(not_found());
    }
    // ks-apiserver's Service has one port, 80 (name `http`), to the container's 9090.
    match port {
        "" | "80" | "http" => {}
        p if p.parse::<u32>().is_ok() => {
            return Err(service_unavailable(format!(
                "no service port {p} found for service \"{name}\""
            )));
        }
        _ => {
            return Err(service_unavailable(format!(
                "no endpoints available for service \"{name}\""
            )));
        }
    }
    if scheme == "https" {
        return Err(service_unavailable(
            "error trying to reach service: tls: first record does not look like a TLS handshake"
                .into(),
        ));
    }
    if method != Method::GET {
        return Ok(backend_text(
            StatusCode::METHOD_NOT_ALLOWED,
            "405: Method Not Allowed",
        ));
    }
    match rest {
        ["kapis", "version"] | ["version"] => {
            Ok(ok_json(&version_body(cluster).ok_or_else(not_found)?))
        }
        [
            "kapis",
            "config.kubesphere.io",
            "v1alpha2",
            "configs",
            "configz",
        ] => match configz(cluster) {
            Some(map) => Ok(ok_json(&json!(map))),
            // 4.1 (deprecated there): the loaded configuration itself.
            None => Ok(ok_json(
                &crate::kubesphere::v4::configz(cluster).ok_or_else(not_found)?,
            )),
        },
        // go-restful's answer for a path ks-apiserver does not serve, passed through.
        _ => Ok(backend_text(StatusCode::NOT_FOUND, "404 page not found")),
    }
}

fn backend_text(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = Response::new(full(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::VersionInfo;
    use crate::resources::Registry;
    use http_body_util::BodyExt as _;

    /// A KubeSphere 3.4 cluster with only what these functions read, independent of the
    /// scenarios' fixtures.
    fn fresh(name: &str) -> SimCluster {
        let cluster = SimCluster::new(
            name,
            Registry::kubesphere_v34(),
            VersionInfo::new("v1.32.4"),
        );
        let role = if name == "host" { "host" } else { "none" };
        cluster
            .seed(json!({
                "apiVersion": "installer.kubesphere.io/v1alpha1", "kind": "ClusterConfiguration",
                "metadata": {"name": "ks-installer", "namespace": NAMESPACE, "labels": {"version": "v3.4.1"}},
                "spec": {"multicluster": {"clusterRole": role}, "openpitrix": {"store": {"enabled": false}}},
                "status": {"core": {"status": "enabled", "version": "v3.4.1"}, "monitoring": {"status": "enabled"}},
            }))
            .unwrap();
        cluster
            .seed(json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "kubesphere-config", "namespace": NAMESPACE},
                "data": {"kubesphere.yaml": format!(
                    "authentication:\n  jwtSecret: \"x\"\nmulticluster:\n  clusterRole: {role}\n  enable: {}\n",
                    role == "host"
                )},
            }))
            .unwrap();
        cluster
    }

    async fn body(r: Response<Body>) -> (u16, Value) {
        let status = r.status().as_u16();
        let bytes = r.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[test]
    fn version_comes_from_the_cluster_configuration() {
        let host = fresh("host");
        assert_eq!(kubesphere_version(&host).as_deref(), Some("v3.4.1"));
        let v = version_body(&host).unwrap();
        assert_eq!(v["gitVersion"], "v3.4.1");
        assert_eq!(
            (v["gitMajor"].as_str(), v["gitMinor"].as_str()),
            (Some("3"), Some("4"))
        );
        assert_eq!(v["kubernetes"]["gitVersion"], "v1.32.4");
        // The label is the fallback while the installer has not written status.core.version.
        let key = cc_key();
        let mut cc = cluster_configuration(&host).unwrap();
        cc["status"] = json!({});
        cc["metadata"]["labels"]["version"] = json!("v3.3.2");
        host.store.update(&key, cc, None).unwrap();
        assert_eq!(kubesphere_version(&host).as_deref(), Some("v3.3.2"));
        host.store.remove(&key, NAMESPACE, "ks-installer").unwrap();
        assert_eq!(kubesphere_version(&host), None);
        assert!(version_body(&host).is_none() && configz(&host).is_none());
    }

    #[test]
    fn configz_follows_installer_status_spec_and_running_config() {
        let host = fresh("host");
        let member = fresh("member-1");
        let h = configz(&host).unwrap();
        let m = configz(&member).unwrap();
        assert_eq!(h.len(), 26);
        assert!(h["monitoring"] && h["kubernetes"] && h["openpitrix"]);
        assert!(!h["devops"] && !h["openpitrix.appstore"] && !h["logging"]);
        // Only the host runs with multicluster.enable.
        assert!(h["multicluster"]);
        assert!(!m["multicluster"]);
        let key = cc_key();
        let mut cc = cluster_configuration(&member).unwrap();
        cc["status"]["devops"] =
            json!({"status": "enabled", "enabledTime": "2026-01-01T10:00:00CST"});
        cc["status"]["logging"] = json!({"status": "failed"});
        cc["spec"]["openpitrix"]["store"]["enabled"] = json!(true);
        member.store.update(&key, cc, None).unwrap();
        let m = configz(&member).unwrap();
        assert!(m["devops"] && m["openpitrix.appstore"]);
        assert!(!m["logging"]);
    }

    #[test]
    fn service_references_split_like_go() {
        assert_eq!(
            split_service(":ks-apiserver:"),
            Some(("", "ks-apiserver", ""))
        );
        assert_eq!(
            split_service("http:ks-apiserver:80"),
            Some(("http", "ks-apiserver", "80"))
        );
        assert_eq!(
            split_service("ks-apiserver"),
            Some(("", "ks-apiserver", ""))
        );
        assert_eq!(
            split_service("ks-apiserver:http"),
            Some(("", "ks-apiserver", "http"))
        );
        assert_eq!(split_service("ftp:ks-apiserver:80"), None);
        assert_eq!(split_service("a:b:c:d"), None);
        assert_eq!(split_service("::"), None);
    }

    #[tokio::test]
    async fn the_proxy_answers_like_the_api_server_and_ks_apiserver() {
        let host = fresh("host");
        let get = Method::GET;
        let (code, v) = body(
            service_proxy(
                &host,
                &get,
                NAMESPACE,
                &[":ks-apiserver:", "proxy", "kapis", "version"],
            )
            .unwrap(),
        )
        .await;
        assert_eq!((code, v["gitVersion"].as_str()), (200, Some("v3.4.1")));
        let (code, v) = body(
            service_proxy(
                &host,
                &get,
                NAMESPACE,
                &["http:ks-apiserver:80", "proxy", "version"],
            )
            .unwrap(),
        )
        .await;
        assert_eq!((code, v["gitMajor"].as_str()), (200, Some("3")));
        let (_, z) = body(
            service_proxy(
                &host,
                &get,
                NAMESPACE,
                &[
                    "ks-apiserver",
                    "proxy",
                    "kapis",
                    "config.kubesphere.io",
                    "v1alpha2",
                    "configs",
                    "configz",
                ],
            )
            .unwrap(),
        )
        .await;
        assert_eq!(z["monitoring"], true);
        assert_eq!(z["devops"], false);
        let (code, _) = body(
            service_proxy(
                &host,
                &get,
                NAMESPACE,
                &[":ks-apiserver:", "proxy", "kapis", "nope"],
            )
            .unwrap(),
        )
        .await;
        assert_eq!(code, 404);

        let err = service_proxy(
            &host,
            &get,
            "default",
            &[":ks-apiserver:", "proxy", "kapis", "version"],
        )
        .unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (404, "services \"ks-apiserver\" not found")
        );
        let err =
            service_proxy(&host, &get, NAMESPACE, &[":other:", "proxy", "version"]).unwrap_err();
        assert_eq!(err.message, "services \"other\" not found");
        let err = service_proxy(
            &host,
            &get,
            NAMESPACE,
            &["ks-apiserver:8080", "proxy", "version"],
        )
        .unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (
                503,
                "no service port 8080 found for service \"ks-apiserver\""
            )
        );
        assert_eq!(
            service_proxy(&host, &get, NAMESPACE, &["a:b:c:d", "proxy"])
                .unwrap_err()
                .code,
            400
        );
        assert_eq!(
            service_proxy(
                &host,
                &get,
                NAMESPACE,
                &["https:ks-apiserver:80", "proxy", "version"]
            )
            .unwrap_err()
            .code,
            503
        );
        let put = service_proxy(
            &host,
            &Method::PUT,
            NAMESPACE,
            &[":ks-apiserver:", "proxy", "kapis", "version"],
        )
        .unwrap();
        assert_eq!(put.status(), StatusCode::METHOD_NOT_ALLOWED);

        host.store
            .remove(&cc_key(), NAMESPACE, "ks-installer")
            .unwrap();
        let err = service_proxy(
            &host,
            &get,
            NAMESPACE,
            &[":ks-apiserver:", "proxy", "kapis", "version"],
        )
        .unwrap_err();
        assert_eq!(err.body()["details"]["kind"], "services");
        assert_eq!(err.reason, "NotFound");
    }
}
