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

/// A shell script made executable: `#!/bin/sh` and `body`.
#[cfg(unix)]
pub fn script(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The shell command printing an `ExecCredential` of `api_version` with `token`.
pub fn print_credential(api_version: &str, token: &str) -> String {
    let doc = json!({
        "kind": "ExecCredential",
        "apiVersion": api_version,
        "status": {"token": token},
    });
    format!("printf '%s' '{doc}'")
}

pub const EXEC_V1: &str = "client.authentication.k8s.io/v1";

/// The simulated cluster's server, CA data and admin token, read from its kubeconfig.
pub struct SimAccess {
    pub server: String,
    pub ca_data: String,
    pub token: String,
}

pub fn sim_access(estate: &ksmc_sim::Estate, cluster: &str) -> SimAccess {
    use secrecy::ExposeSecret as _;
    let running = estate.cluster(cluster).unwrap();
    let kc = kube::config::Kubeconfig::from_yaml(&estate.kubeconfig(running).unwrap()).unwrap();
    let c = kc.clusters[0].cluster.clone().unwrap();
    let token = kc.auth_infos[0]
        .auth_info
        .as_ref()
        .unwrap()
        .token
        .as_ref()
        .unwrap()
        .expose_secret()
        .to_owned();
    SimAccess {
        server: c.server.unwrap(),
        ca_data: c.certificate_authority_data.unwrap(),
        token,
    }
}

/// A kubeconfig for the simulated cluster whose user runs `exec`.
pub fn exec_doc(access: &SimAccess, exec: Value) -> Value {
    config(
        json!({"server": access.server, "certificate-authority-data": access.ca_data}),
        Some(json!({ "exec": exec })),
    )
}

/// Adds `doc` to the vault as `name`.
pub fn add(vault: &Vault, name: &str, doc: &Value) -> ksmc_core::vault::ClusterRecord {
    use ksmc_core::vault::import::{self, ImportSource};
    let prepared = import::prepare(&ImportSource::Text(text(doc)), None).unwrap();
    vault
        .add(
            &prepared,
            &ksmc_core::vault::AddOptions {
                name: Some(name.into()),
                ..Default::default()
            },
        )
        .unwrap()
}

/// Reviews and approves the exec plugin of `name` as it resolves now.
pub fn approve(vault: &Vault, name: &str) {
    let review = vault.exec_review(name).unwrap();
    vault
        .approve_exec(name, review.fingerprint.as_deref().unwrap())
        .unwrap();
}

/// A key store in a file: for tests whose vault is shared by several processes (the key of a
/// `MemoryKeyStore` dies with its process). Never the developer's keyring.
#[derive(Debug)]
pub struct FileKeyStore(pub std::path::PathBuf);

impl ksmc_core::vault::KeyStore for FileKeyStore {
    fn description(&self) -> String {
        "test key file".into()
    }
    fn persistent(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), ksmc_core::vault::KeyringError> {
        Ok(())
    }
    fn get(
        &self,
        account: &str,
    ) -> Result<Option<zeroize::Zeroizing<String>>, ksmc_core::vault::KeyringError> {
        Ok(std::fs::read_to_string(self.0.join(account))
            .ok()
            .map(zeroize::Zeroizing::new))
    }
    fn set(&self, account: &str, secret: &str) -> Result<(), ksmc_core::vault::KeyringError> {
        std::fs::write(self.0.join(account), secret).unwrap();
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), ksmc_core::vault::KeyringError> {
        let _ = std::fs::remove_file(self.0.join(account));
        Ok(())
    }
}

/// Whether a process is gone (or a zombie nobody reaped yet: it runs nothing).
#[cfg(target_os = "linux")]
pub fn process_gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}
