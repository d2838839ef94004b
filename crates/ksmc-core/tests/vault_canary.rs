//! The canary test: kubeconfigs carrying canary tokens, keys, exec arguments and environment
//! values, passwords and URLs go through import, list, connect, restart and remove. Then the
//! data directory, the TRACE logs, every error (Display and Debug) and every serialised
//! payload are scanned: no canary in plaintext. An exec plugin that would write a marker file
//! is imported, listed, reviewed and restarted over: it never runs until approved. Approved,
//! ksmc's runner runs it: its canary output is refused without being quoted, and a plugin
//! giving the simulator's real token connects without that token showing anywhere.

mod vault_common;

use std::io::Write as _;
use std::sync::{Arc, Mutex};

use ksmc_core::vault::import::{self, ImportSource, LoadedKubeconfig};
use ksmc_core::vault::{self, AddOptions, MemoryKeyStore, Vault};
use ksmc_core::{AppError, ErrorKind};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use serde_json::json;
use vault_common::*;

const TOKEN: &str = "CANARY-TOKEN-5d1e";
const KEY_BODY: &str = "CANARYxKEYxBODYx"; // base64 alphabet, inside a PEM private key
const EXEC_ARG: &str = "CANARY-EXEC-ARG-8c2b";
const EXEC_ENV: &str = "CANARY-EXEC-ENV-41aa";
const PASSWORD: &str = "CANARY-PASSWORD-77f0";
const PROVIDER_SECRET: &str = "CANARY-AUTHPROVIDER-0b9e";
const USERINFO: &str = "CANARY-USERINFO-3c3c";
const QUERY: &str = "CANARY-QUERY-9e1d";
const TOKEN_FILE_CONTENT: &str = "CANARY-TOKENFILE-a0a0";

fn canaries() -> Vec<String> {
    vec![
        TOKEN.into(),
        KEY_BODY.into(),
        b64(&pem_key(KEY_BODY)),
        EXEC_ARG.into(),
        EXEC_ENV.into(),
        PASSWORD.into(),
        PROVIDER_SECRET.into(),
        USERINFO.into(),
        QUERY.into(),
        TOKEN_FILE_CONTENT.into(),
    ]
}

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Scan {
    texts: Vec<(String, String)>,
    /// Secrets of this run besides the fixed canaries (the simulator's admin token).
    extra: Vec<String>,
}

impl Scan {
    fn add(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.texts.push((what.into(), text.into()));
    }

    fn error(&mut self, what: &str, e: &vault::VaultError) {
        self.add(format!("{what} (Display)"), e.to_string());
        self.add(format!("{what} (Debug)"), format!("{e:?}"));
        let app = AppError::from(e);
        self.add(
            format!("{what} (AppError)"),
            serde_json::to_string(&app).unwrap(),
        );
    }

    fn import_error(&mut self, what: &str, e: &import::ImportError) {
        self.add(format!("{what} (Display)"), e.to_string());
        self.add(format!("{what} (Debug)"), format!("{e:?}"));
    }

    fn assert_clean(&self) {
        for (what, text) in &self.texts {
            for canary in canaries().into_iter().chain(self.extra.iter().cloned()) {
                assert!(!text.contains(&canary), "{canary} in {what}: {text}");
            }
        }
    }
}

fn assert_dir_clean(root: &std::path::Path, extra: &[String]) {
    let files = all_files(root);
    assert!(!files.is_empty());
    for (path, bytes) in files {
        for canary in canaries().into_iter().chain(extra.iter().cloned()) {
            assert!(!contains(&bytes, &canary), "{canary} in {}", path.display());
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_canary_reaches_disk_logs_errors_or_payloads() {
    let logs = Logs::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let host = estate.cluster("host").unwrap();
    let sim: kube::config::Kubeconfig =
        kube::config::Kubeconfig::from_yaml(&estate.kubeconfig(host).unwrap()).unwrap();
    let sim_cluster = sim.clusters[0].cluster.clone().unwrap();
    let sim_server = sim_cluster.server.clone().unwrap();
    let sim_ca = sim_cluster.certificate_authority_data.clone().unwrap();

    let files = tempfile::tempdir().unwrap();
    let marker = files.path().join("exec-ran");
    let token_file = files.path().join("token");
    std::fs::write(&token_file, TOKEN_FILE_CONTENT).unwrap();
    let mut scan = Scan {
        texts: Vec::new(),
        extra: Vec::new(),
    };

    // Accepted: a canary token against the simulator (which answers 401), a client
    // certificate with a canary key, an exec plugin with canary arguments and environment.
    let token_doc = config(
        json!({"server": sim_server, "certificate-authority-data": sim_ca}),
        Some(token_user(TOKEN)),
    );
    let cert_doc = config(
        https_cluster(),
        Some(json!({
            "client-certificate-data": b64(&pem_cert(CA_BODY)),
            "client-key-data": b64(&pem_key(KEY_BODY)),
        })),
    );
    let exec_doc = config(
        https_cluster(),
        Some(json!({"exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "/bin/sh",
            "args": ["-c", format!("touch {}; echo {EXEC_ARG}", marker.display())],
            "env": [{"name": "PLUGIN_SECRET", "value": EXEC_ENV}],
        }})),
    );
    let exec_file = files.path().join("exec.kubeconfig");
    std::fs::write(&exec_file, text(&exec_doc)).unwrap();

    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    for (name, source) in [
        ("token", ImportSource::Text(text(&token_doc))),
        ("cert", ImportSource::Text(text(&cert_doc))),
        ("exec", ImportSource::File(exec_file.clone())),
    ] {
        let loaded = LoadedKubeconfig::load(&source).unwrap();
        scan.add(format!("{name} source Debug"), format!("{source:?}"));
        scan.add(format!("{name} loaded Debug"), format!("{loaded:?}"));
        scan.add(
            format!("{name} contexts"),
            serde_json::to_string(&loaded.contexts()).unwrap(),
        );
        let prepared = loaded.prepare(None).unwrap();
        scan.add(format!("{name} prepared Debug"), format!("{prepared:?}"));
        let record = vault
            .add(
                &prepared,
                &AddOptions {
                    name: Some(name.into()),
                    ..AddOptions::default()
                },
            )
            .unwrap();
        scan.add(
            format!("{name} record"),
            serde_json::to_string(&record).unwrap(),
        );
        scan.add(format!("{name} record Debug"), format!("{record:?}"));
    }

    // Refused, each carrying a canary.
    let refused = [
        config(
            https_cluster(),
            Some(json!({"username": "admin", "password": PASSWORD})),
        ),
        config(
            https_cluster(),
            Some(
                json!({"auth-provider": {"name": "oidc", "config": {"client-secret": PROVIDER_SECRET, "id-token": PROVIDER_SECRET}}}),
            ),
        ),
        config(
            json!({"server": format!("https://admin:{USERINFO}@10.0.0.1:6443")}),
            Some(token_user(TOKEN)),
        ),
        config(
            json!({"server": format!("http://admin:{USERINFO}@10.0.0.1:6443")}),
            Some(token_user(TOKEN)),
        ),
        config(
            json!({"server": format!("https://10.0.0.1:6443/?token={QUERY}")}),
            Some(token_user(TOKEN)),
        ),
        config(
            https_cluster(),
            Some(json!({"tokenFile": token_file.to_str().unwrap()})),
        ),
        config(
            https_cluster(),
            Some(json!({"exec": {
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": "/bin/sh",
                "args": [EXEC_ARG],
                "env": [{"name": "LD_PRELOAD", "value": EXEC_ENV}],
            }})),
        ),
        config(
            https_cluster(),
            Some(json!({"exec": {
                "apiVersion": "client.authentication.k8s.io/v1alpha1",
                "command": "/bin/sh",
                "args": [EXEC_ARG],
            }})),
        ),
    ];
    for (i, doc) in refused.iter().enumerate() {
        let source = ImportSource::Text(text(doc));
        let loaded = LoadedKubeconfig::load(&source).unwrap();
        scan.add(format!("refused {i} loaded Debug"), format!("{loaded:?}"));
        scan.add(
            format!("refused {i} contexts"),
            serde_json::to_string(&loaded.contexts()).unwrap(),
        );
        let err = loaded.prepare(None).unwrap_err();
        scan.import_error(&format!("refused {i}"), &err);
        scan.error(&format!("refused {i} as vault error"), &err.into());
    }
    let not_yaml = format!("users: [{TOKEN}: {PASSWORD}");
    let err = import::prepare(&ImportSource::Text(not_yaml), None).unwrap_err();
    scan.import_error("not yaml", &err);

    // List, status, connect (the simulator refuses the canary token), review and approve the
    // exec plugin (which still does not run).
    scan.add(
        "listing",
        serde_json::to_string(&vault.list().unwrap()).unwrap(),
    );
    scan.add("status", serde_json::to_string(&vault.status()).unwrap());
    scan.add("vault Debug", format!("{vault:?}"));
    let view = vault::inspect(&vault).await.unwrap();
    scan.add("estate view", serde_json::to_string(&view).unwrap());
    let token_row = view.clusters.iter().find(|c| c.name == "token").unwrap();
    assert_eq!(
        token_row.error.as_ref().unwrap().kind,
        ErrorKind::Unauthorized,
        "{token_row:?}"
    );
    for name in ["token", "cert", "exec"] {
        match vault.open_cluster(name) {
            Ok(source) => {
                // The kube-rs client is built (and would connect) from the decrypted source.
                let _ = source.client().await;
            }
            Err(e) => scan.error(&format!("open {name}"), &e),
        }
    }
    let review = vault.exec_review("exec").unwrap();
    scan.add("exec review", serde_json::to_string(&review).unwrap());
    assert!(!marker.exists(), "the exec plugin ran without approval");

    // Restart.
    drop(vault);
    let vault = memory_vault(root.path(), &store);
    scan.add(
        "listing after restart",
        serde_json::to_string(&vault.list().unwrap()).unwrap(),
    );
    let view = vault::inspect(&vault).await.unwrap();
    scan.add(
        "estate view after restart",
        serde_json::to_string(&view).unwrap(),
    );
    scan.error(
        "open unapproved exec after restart",
        &vault.open_cluster("exec").unwrap_err(),
    );
    assert!(!marker.exists(), "the exec plugin ran without approval");
    assert_dir_clean(root.path(), &scan.extra);

    // Approved, the plugin runs in ksmc's runner: it prints a canary argument instead of an
    // ExecCredential, which is refused without being quoted (blocking and async APIs).
    let approved = vault
        .approve_exec("exec", review.fingerprint.as_deref().unwrap())
        .unwrap();
    scan.add("approved record", serde_json::to_string(&approved).unwrap());
    let err = vault.open_cluster("exec").unwrap_err();
    assert_eq!(err.reason(), "exec-failed", "{err}");
    scan.error("open approved exec", &err);
    assert!(marker.exists(), "the approved plugin ran");
    scan.error(
        "open approved exec (async)",
        &vault.open_cluster_async("exec").await.unwrap_err(),
    );

    // A plugin giving the simulator's real token (and canaries on stderr) connects; the
    // token shows nowhere.
    let sim_token = {
        use secrecy::ExposeSecret as _;
        sim.auth_infos[0]
            .auth_info
            .as_ref()
            .unwrap()
            .token
            .as_ref()
            .unwrap()
            .expose_secret()
            .to_owned()
    };
    scan.extra.push(sim_token.clone());
    let plugin = script(
        files.path(),
        "get-token",
        &format!(
            "echo {EXEC_ENV} {TOKEN} >&2\n{}",
            print_credential(EXEC_V1, &sim_token)
        ),
    );
    let good_doc = config(
        json!({"server": sim_server, "certificate-authority-data": sim_ca}),
        Some(json!({"exec": {
            "apiVersion": EXEC_V1,
            "command": plugin.to_str().unwrap(),
            "args": [EXEC_ARG],
            "env": [{"name": "PLUGIN_SECRET", "value": EXEC_ENV}],
        }})),
    );
    let record = add(&vault, "exec-ok", &good_doc);
    scan.add("exec-ok record", serde_json::to_string(&record).unwrap());
    approve(&vault, "exec-ok");
    let source = vault.open_cluster_async("exec-ok").await.unwrap();
    scan.add("exec-ok source Debug", format!("{source:?}"));
    let view = vault::inspect(&vault).await.unwrap();
    scan.add(
        "estate view with exec",
        serde_json::to_string(&view).unwrap(),
    );
    let row = view.clusters.iter().find(|c| c.name == "exec-ok").unwrap();
    assert!(row.error.is_none(), "{row:?}");
    let report = vault::test_cluster(&vault, "exec-ok").await.unwrap();
    assert!(report.ok, "{report:?}");
    scan.add(
        "exec-ok test report",
        serde_json::to_string(&report).unwrap(),
    );
    scan.add(
        "exec-ok details",
        serde_json::to_string(&vault.show("exec-ok").unwrap()).unwrap(),
    );
    scan.add(
        "listing with exec",
        serde_json::to_string(&vault.list().unwrap()).unwrap(),
    );
    let report = vault::test_cluster(&vault, "token").await.unwrap();
    scan.add("token test report", serde_json::to_string(&report).unwrap());
    assert_dir_clean(root.path(), &scan.extra);

    // A vault whose key is gone (the next session of a session-only vault).
    let other = Vault::open(root.path(), Arc::new(MemoryKeyStore::new())).unwrap();
    for name in ["token", "cert", "exec"] {
        scan.error(
            &format!("locked {name}"),
            &other.open_cluster(name).unwrap_err(),
        );
    }

    // Remove.
    for name in ["token", "cert", "exec", "exec-ok"] {
        let removed = vault.remove(name).unwrap();
        scan.add(
            format!("removed {name}"),
            serde_json::to_string(&removed).unwrap(),
        );
    }
    assert_dir_clean(root.path(), &scan.extra);
    estate.shutdown().await;

    std::io::stdout().flush().unwrap();
    let logs = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "logs were captured"
    );
    assert!(logs.contains("added a cluster to the vault"), "{logs}");
    scan.add("TRACE logs", logs);
    scan.assert_clean();
}
