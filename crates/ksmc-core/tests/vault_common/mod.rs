//! Fixtures shared by the vault tests: kubeconfigs built as JSON (which kube's YAML parser
//! reads), fake PEM material, and vaults on throwaway directories with in-memory or mock key
//! stores. No test here touches the developer's keyring.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use ksmc_core::vault::{KeyringKeyStore, MemoryKeyStore, Vault};
use serde_json::{Value, json};

pub fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A PEM certificate whose body is `body` (any base64 text).
pub fn pem_cert(body: &str) -> String {
    format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
}

pub fn pem_key(body: &str) -> String {
    format!("-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----\n")
}

pub const CA_BODY: &str = "MIIBszCCAVmgAwIBAgIUQ0FGSVhUVVJF";

/// A kubeconfig with one context `ctx` → cluster `c` (https, CA data) → user `u` (token).
pub fn config(cluster: Value, user: Option<Value>) -> Value {
    let mut doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": cluster}],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
        "users": [],
    });
    if let Some(user) = user {
        doc["users"] = json!([{"name": "u", "user": user}]);
    } else {
        doc["contexts"][0]["context"]
            .as_object_mut()
            .unwrap()
            .remove("user");
    }
    doc
}

pub fn https_cluster() -> Value {
    json!({
        "server": "https://10.20.30.40:6443",
        "certificate-authority-data": b64(&pem_cert(CA_BODY)),
    })
}

pub fn token_user(token: &str) -> Value {
    json!({"token": token})
}

pub fn text(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap()
}

/// A vault under `root` whose key lives in memory (`store` shared to simulate restarts).
pub fn memory_vault(root: &Path, store: &Arc<MemoryKeyStore>) -> Vault {
    Vault::open(root, store.clone()).unwrap()
}

/// A keyring-core mock store, shared across "restarts"; it counts as a persistent keyring.
pub fn mock_store() -> Arc<keyring_core::mock::Store> {
    keyring_core::mock::Store::new().unwrap()
}

pub fn mock_keyring(store: &Arc<keyring_core::mock::Store>) -> Arc<KeyringKeyStore> {
    let store = store.clone();
    Arc::new(KeyringKeyStore::with_factory("mock keyring", move || {
        let s: Arc<keyring_core::CredentialStore> = store.clone();
        Ok(s)
    }))
}

/// The keyring account of the vault under `root`.
pub fn account(root: &Path) -> String {
    let registry: Value =
        serde_json::from_slice(&std::fs::read(root.join("vault/registry.json")).unwrap()).unwrap();
    format!("vault-key-{}", registry["installationId"].as_str().unwrap())
}

/// The mock credential of the vault under `root`, to inject errors or change the key.
pub fn mock_entry(store: &Arc<keyring_core::mock::Store>, root: &Path) -> keyring_core::Entry {
    use keyring_core::api::CredentialStoreApi as _;
    store.build("ksmc", &account(root), None).unwrap()
}

/// Every file under `dir`, with its bytes.
pub fn all_files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.push((p, bytes));
            }
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}
