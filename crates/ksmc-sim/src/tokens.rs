//! The token controller: a `kubernetes.io/service-account-token` Secret whose ServiceAccount
//! exists gets a token (which this cluster's API server then accepts), the namespace and the
//! ServiceAccount's uid, as kube-controller-manager does for long-lived tokens.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::cluster::{SimCluster, random_token};
use crate::kubesphere::{get, list, modify};

const TOKEN_TYPE: &str = "kubernetes.io/service-account-token";
const SA_ANNOTATION: &str = "kubernetes.io/service-account.name";

/// Fills one Secret if it is an empty ServiceAccount token Secret.
pub fn reconcile_secret(cluster: &SimCluster, secret: &Value) {
    if secret["type"] != TOKEN_TYPE
        || secret.pointer("/metadata/deletionTimestamp").is_some()
        || secret.pointer("/data/token").is_some()
    {
        return;
    }
    let ns = secret["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = secret["metadata"]["name"].as_str().unwrap_or_default();
    let Some(sa_name) = secret
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(SA_ANNOTATION))
        .and_then(Value::as_str)
    else {
        return;
    };
    let Some(sa) = get(cluster, "", "serviceaccounts", ns, sa_name) else {
        return;
    };
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    let token = random_token();
    let _ = modify(cluster, "", "secrets", ns, name, |o| {
        o["data"]["token"] = json!(b64(&token));
        o["data"]["namespace"] = json!(b64(ns));
        o["metadata"]["annotations"]["kubernetes.io/service-account.uid"] =
            sa["metadata"]["uid"].clone();
    });
}

/// A ServiceAccount appeared: fill the token Secrets waiting for it.
pub fn reconcile_service_account(cluster: &SimCluster, sa: &Value) {
    let ns = sa["metadata"]["namespace"].as_str().unwrap_or_default();
    for secret in list(cluster, "", "secrets") {
        if secret["metadata"]["namespace"] == ns {
            reconcile_secret(cluster, &secret);
        }
    }
}
