//! Import rules, table-driven: every refusal has its own reason, every risky field needs its
//! acknowledgement, only the chosen context is kept, referenced files are inlined once.

mod vault_common;

use std::sync::Arc;

use ksmc_core::vault::import::{self, ImportSource, LoadedKubeconfig};
use ksmc_core::vault::{Acknowledgement, AddOptions, AuthKind, MemoryKeyStore, VaultError};
use serde_json::{Value, json};
use vault_common::*;

fn prepare_doc(doc: &Value) -> Result<import::PreparedImport, import::ImportError> {
    import::prepare(&ImportSource::Text(text(doc)), None)
}

fn exec_user(extra: Value) -> Value {
    let mut exec = json!({
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "aws",
        "args": ["eks", "get-token"],
    });
    for (k, v) in extra.as_object().unwrap() {
        exec[k] = v.clone();
    }
    json!({ "exec": exec })
}

#[test]
fn refusals_each_have_a_specific_reason() {
    let https = https_cluster();
    let server = |s: &str| {
        let mut c = https_cluster();
        c["server"] = json!(s);
        c
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "auth-provider",
            config(
                https.clone(),
                Some(json!({"auth-provider": {"name": "gcp", "config": {"cmd-path": "/bin/sh"}}})),
            ),
            "auth-provider",
        ),
        (
            "oidc auth-provider",
            config(
                https.clone(),
                Some(json!({"auth-provider": {"name": "oidc", "config": {"id-token": "x"}}})),
            ),
            "auth-provider",
        ),
        (
            "username and password",
            config(
                https.clone(),
                Some(json!({"username": "admin", "password": "pw"})),
            ),
            "basic-auth",
        ),
        (
            "password alone",
            config(https.clone(), Some(json!({"password": "pw"}))),
            "basic-auth",
        ),
        (
            "token file",
            config(https.clone(), Some(json!({"tokenFile": "/etc/hostname"}))),
            "token-file",
        ),
        (
            "plain http",
            config(server("http://10.1.2.3:6443"), Some(token_user("t"))),
            "plain-http",
        ),
        (
            "plain http to a name",
            config(server("http://k8s.example.com"), Some(token_user("t"))),
            "plain-http",
        ),
        (
            "userinfo",
            config(
                server("https://admin:pw@10.1.2.3:6443"),
                Some(token_user("t")),
            ),
            "server-userinfo",
        ),
        (
            "query",
            config(
                server("https://10.1.2.3:6443/?token=x"),
                Some(token_user("t")),
            ),
            "server-query-or-fragment",
        ),
        (
            "fragment",
            config(server("https://10.1.2.3:6443/#x"), Some(token_user("t"))),
            "server-query-or-fragment",
        ),
        (
            "other scheme",
            config(server("unix:///var/run/k8s.sock"), Some(token_user("t"))),
            "unsupported-scheme",
        ),
        (
            "no scheme",
            config(server("10.1.2.3:6443"), Some(token_user("t"))),
            "bad-server-url",
        ),
        (
            "no server",
            config(
                json!({"insecure-skip-tls-verify": false}),
                Some(token_user("t")),
            ),
            "no-server",
        ),
        (
            "exec LD_PRELOAD",
            config(
                https.clone(),
                Some(exec_user(
                    json!({"env": [{"name": "LD_PRELOAD", "value": "/tmp/x.so"}]}),
                )),
            ),
            "exec-env",
        ),
        (
            "exec DYLD_INSERT_LIBRARIES",
            config(
                https.clone(),
                Some(exec_user(
                    json!({"env": [{"name": "DYLD_INSERT_LIBRARIES", "value": "x"}]}),
                )),
            ),
            "exec-env",
        ),
        (
            "exec PATH",
            config(
                https.clone(),
                Some(exec_user(
                    json!({"env": [{"name": "PATH", "value": "/tmp"}]}),
                )),
            ),
            "exec-env",
        ),
        (
            "exec NODE_OPTIONS",
            config(
                https.clone(),
                Some(exec_user(
                    json!({"env": [{"name": "NODE_OPTIONS", "value": "-r x"}]}),
                )),
            ),
            "exec-env",
        ),
        (
            "exec PYTHONPATH",
            config(
                https.clone(),
                Some(exec_user(
                    json!({"env": [{"name": "PYTHONPATH", "value": "/tmp"}]}),
                )),
            ),
            "exec-env",
        ),
        (
            "exec BASH_ENV",
            config(
                https.clone(),
                Some(exec_user(
                    json!({"env": [{"name": "BASH_ENV", "value": "/tmp/x"}]}),
                )),
            ),
            "exec-env",
        ),
        (
            "exec v1alpha1",
            config(
                https.clone(),
                Some(exec_user(
                    json!({"apiVersion": "client.authentication.k8s.io/v1alpha1"}),
                )),
            ),
            "exec-api-version",
        ),
        (
            "exec without command",
            config(https.clone(), Some(exec_user(json!({"command": ""})))),
            "exec-no-command",
        ),
        (
            "exec relative command in pasted text",
            config(
                https.clone(),
                Some(exec_user(json!({"command": "./bin/get-token"}))),
            ),
            "exec-relative-command",
        ),
        (
            "certificate without key",
            config(
                https.clone(),
                Some(json!({"client-certificate-data": b64(&pem_cert(CA_BODY))})),
            ),
            "incomplete-client-certificate",
        ),
        (
            "relative CA path in pasted text",
            config(
                json!({"server": "https://10.1.2.3", "certificate-authority": "ca.crt"}),
                Some(token_user("t")),
            ),
            "file-reference",
        ),
        (
            "CA data not PEM",
            config(
                json!({"server": "https://10.1.2.3", "certificate-authority-data": b64("not pem")}),
                Some(token_user("t")),
            ),
            "bad-data",
        ),
        (
            "undefined user",
            {
                let mut d = config(https.clone(), Some(token_user("t")));
                d["contexts"][0]["context"]["user"] = json!("nobody");
                d
            },
            "user-not-found",
        ),
        (
            "undefined cluster",
            {
                let mut d = config(https.clone(), Some(token_user("t")));
                d["contexts"][0]["context"]["cluster"] = json!("nowhere");
                d
            },
            "cluster-not-found",
        ),
        (
            "no current context",
            {
                let mut d = config(https.clone(), Some(token_user("t")));
                d.as_object_mut().unwrap().remove("current-context");
                d
            },
            "no-current-context",
        ),
    ];
    for (what, doc, reason) in cases {
        let err = prepare_doc(&doc).expect_err(what);
        assert_eq!(err.reason(), reason, "{what}: {err}");
        // The vault maps it to an Invalid error with the same text.
        let app = ksmc_core::AppError::from(&VaultError::from(err.clone()));
        assert_eq!(app.kind, ksmc_core::ErrorKind::Invalid, "{what}");
        assert_eq!(app.message, err.to_string());
    }
}

#[test]
fn loopback_http_is_accepted_for_the_simulator() {
    for server in [
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "http://[::1]:8080",
    ] {
        let mut c = https_cluster();
        c["server"] = json!(server);
        let p = prepare_doc(&config(c, Some(token_user("t")))).expect(server);
        assert_eq!(p.server, server);
    }
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let big = format!("# {}\n", "x".repeat(1024 * 1024));
    let err = import::prepare(&ImportSource::Text(big.clone()), None).unwrap_err();
    assert_eq!(err.reason(), "too-large");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.kubeconfig");
    std::fs::write(&file, &big).unwrap();
    let err = import::prepare(&ImportSource::File(file), None).unwrap_err();
    assert_eq!(err.reason(), "too-large", "{err}");
    assert!(err.to_string().contains("refused unread"));
}

#[test]
fn not_a_kubeconfig_and_billion_laughs_are_refused_quickly() {
    let err = import::prepare(&ImportSource::Text("clusters: [: :".into()), None).unwrap_err();
    assert_eq!(err.reason(), "not-kubeconfig");
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        laughs.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    let started = std::time::Instant::now();
    let err = import::prepare(&ImportSource::Text(laughs), None).unwrap_err();
    assert_eq!(err.reason(), "not-kubeconfig");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn risky_fields_need_their_acknowledgement() {
    let cases: Vec<(&str, Value, Acknowledgement)> = vec![
        (
            "insecure-skip-tls-verify",
            config(
                json!({"server": "https://10.1.2.3", "insecure-skip-tls-verify": true}),
                Some(token_user("t")),
            ),
            Acknowledgement::InsecureSkipTlsVerify,
        ),
        (
            "as",
            config(https_cluster(), Some(json!({"token": "t", "as": "admin"}))),
            Acknowledgement::Impersonation,
        ),
        (
            "as-groups",
            config(
                https_cluster(),
                Some(json!({"token": "t", "as-groups": ["system:masters"]})),
            ),
            Acknowledgement::Impersonation,
        ),
        (
            "as-uid",
            config(https_cluster(), Some(json!({"token": "t", "as-uid": "1"}))),
            Acknowledgement::Impersonation,
        ),
        (
            "proxy-url",
            config(
                {
                    let mut c = https_cluster();
                    c["proxy-url"] = json!("http://proxy.example.com:3128");
                    c
                },
                Some(token_user("t")),
            ),
            Acknowledgement::ProxyUrl,
        ),
        (
            "tls-server-name",
            config(
                {
                    let mut c = https_cluster();
                    c["tls-server-name"] = json!("kubernetes.default");
                    c
                },
                Some(token_user("t")),
            ),
            Acknowledgement::TlsServerName,
        ),
    ];
    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    for (i, (what, doc, ack)) in cases.into_iter().enumerate() {
        let prepared = prepare_doc(&doc).expect(what);
        assert_eq!(prepared.needs_acknowledgement, vec![ack], "{what}");
        let name = format!("c{i}");
        let err = vault
            .add(
                &prepared,
                &AddOptions {
                    name: Some(name.clone()),
                    ..AddOptions::default()
                },
            )
            .unwrap_err();
        match &err {
            VaultError::NeedsAcknowledgement { missing, .. } => {
                assert_eq!(missing, &vec![ack], "{what}");
            }
            other => panic!("{what}: {other}"),
        }
        assert_eq!(err.reason(), "needs-acknowledgement");
        assert!(err.to_string().contains(ack.as_str()), "{err}");
        // Acknowledging something else is not enough.
        let others: Vec<Acknowledgement> = Acknowledgement::ALL
            .into_iter()
            .filter(|a| *a != ack)
            .collect();
        assert!(
            vault
                .add(
                    &prepared,
                    &AddOptions {
                        name: Some(name.clone()),
                        acknowledgements: others,
                        ..AddOptions::default()
                    }
                )
                .is_err()
        );
        let record = vault
            .add(
                &prepared,
                &AddOptions {
                    name: Some(name.clone()),
                    acknowledgements: vec![ack],
                    ..AddOptions::default()
                },
            )
            .expect(what);
        assert_eq!(record.acknowledgements, vec![ack], "{what}");
        let listed = vault.get(&name).unwrap();
        assert_eq!(listed.acknowledgements, vec![ack]);
    }
    // And they show up in the registry file, where the UI reads its badges.
    let registry = std::fs::read_to_string(root.path().join("vault/registry.json")).unwrap();
    for ack in Acknowledgement::ALL {
        assert!(registry.contains(ack.as_str()), "{ack:?}");
    }
}

#[test]
fn only_the_chosen_context_is_kept_and_files_are_inlined() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.crt"), pem_cert(CA_BODY)).unwrap();
    std::fs::write(dir.path().join("client.crt"), pem_cert("Q0xJRU5UQ0VSVA==")).unwrap();
    std::fs::write(dir.path().join("client.key"), pem_key("S0VZREFUQQ==")).unwrap();
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "a",
        "clusters": [
            {"name": "ca", "cluster": {"server": "https://10.0.0.1:6443", "certificate-authority": "ca.crt"}},
            {"name": "cb", "cluster": {"server": "https://10.0.0.2:6443", "certificate-authority": "ca.crt"}},
            {"name": "cc", "cluster": {"server": "https://10.0.0.3:6443"}},
        ],
        "users": [
            {"name": "ua", "user": {"token": "token-a"}},
            {"name": "ub", "user": {"client-certificate": "client.crt", "client-key": "client.key"}},
            {"name": "uc", "user": {"token": "token-c"}},
        ],
        "contexts": [
            {"name": "a", "context": {"cluster": "ca", "user": "ua"}},
            {"name": "b", "context": {"cluster": "cb", "user": "ub", "namespace": "kubesphere-system"}},
            {"name": "c", "context": {"cluster": "cc", "user": "uc"}},
        ],
        "preferences": {"colors": true},
        "extensions": [{"name": "x", "extension": {"y": 1}}],
    });
    let file = dir.path().join("estate.kubeconfig");
    std::fs::write(&file, text(&doc)).unwrap();
    let source = ImportSource::File(file.clone());

    let loaded = LoadedKubeconfig::load(&source).unwrap();
    let contexts = loaded.contexts();
    assert_eq!(
        contexts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert!(contexts[0].current);
    assert_eq!(contexts[1].server.as_deref(), Some("https://10.0.0.2:6443"));

    let prepared = loaded.prepare(Some("b")).unwrap();
    assert_eq!(prepared.context_name, "b");
    assert_eq!(prepared.auth_kind, AuthKind::ClientCertificate);
    assert_eq!(
        prepared.files_read,
        vec![
            dir.path().join("ca.crt"),
            dir.path().join("client.crt"),
            dir.path().join("client.key")
        ]
    );
    assert!(
        prepared
            .ca_fingerprint
            .as_ref()
            .unwrap()
            .starts_with("sha256:")
    );

    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    let record = vault.add(&prepared, &AddOptions::default()).unwrap();
    assert_eq!(record.name, "b");
    assert_eq!(record.context_name, "b");
    assert_eq!(record.server, "https://10.0.0.2:6443");
    assert_eq!(record.imported_from, file.display().to_string());

    // The files could change or vanish now: the vault has its own copy.
    std::fs::remove_file(dir.path().join("client.key")).unwrap();
    let stored = vault.kubeconfig("b").unwrap();
    assert_eq!(stored.contexts.len(), 1);
    assert_eq!(stored.clusters.len(), 1);
    assert_eq!(stored.auth_infos.len(), 1);
    assert_eq!(stored.current_context.as_deref(), Some("b"));
    assert!(stored.preferences.is_none() && stored.extensions.is_none());
    let json = serde_json::to_string(&stored).unwrap();
    for key in [
        "\"certificate-authority\"",
        "\"client-certificate\"",
        "\"client-key\"",
        "tokenFile",
        "ca.crt",
        "client.key",
        "token-a",
        "token-c",
        "10.0.0.1",
    ] {
        assert!(!json.contains(key), "{key} in {json}");
    }
    let cluster = stored.clusters[0].cluster.as_ref().unwrap();
    assert_eq!(
        cluster.certificate_authority_data.as_deref(),
        Some(b64(&pem_cert(CA_BODY)).as_str())
    );
    let user = stored.auth_infos[0].auth_info.as_ref().unwrap();
    assert_eq!(
        user.client_certificate_data.as_deref(),
        Some(b64(&pem_cert("Q0xJRU5UQ0VSVA==")).as_str())
    );
    assert!(user.client_key_data.is_some());
    assert_eq!(
        stored.contexts[0]
            .context
            .as_ref()
            .unwrap()
            .namespace
            .as_deref(),
        Some("kubesphere-system")
    );

    // The CA fingerprint is that of the certificate's DER.
    use sha2::Digest as _;
    let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, CA_BODY).unwrap();
    let want: String = sha2::Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(record.ca_fingerprint, Some(format!("sha256:{want}")));
}

#[test]
fn referenced_files_must_be_small_pem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.crt"), pem_cert(&"A".repeat(70 * 1024))).unwrap();
    std::fs::write(dir.path().join("plain.txt"), "just text").unwrap();
    for (file, want) in [
        ("big.crt", "larger than 64 KiB"),
        ("plain.txt", "not a PEM file"),
        ("missing.crt", "not found"),
    ] {
        let doc = config(
            json!({"server": "https://10.1.2.3", "certificate-authority": file}),
            Some(token_user("t")),
        );
        let path = dir.path().join("k.kubeconfig");
        std::fs::write(&path, text(&doc)).unwrap();
        let err = import::prepare(&ImportSource::File(path), None).unwrap_err();
        assert_eq!(err.reason(), "file-reference", "{file}: {err}");
        assert!(err.to_string().contains(want), "{file}: {err}");
    }
}

#[test]
fn the_user_kubeconfig_is_merged_as_kubectl_merges() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let second_dir = dir.path().join("second");
    std::fs::create_dir_all(&second_dir).unwrap();
    std::fs::write(second_dir.join("ca.crt"), pem_cert(CA_BODY)).unwrap();
    // The first file sets current-context and defines cluster "shared"; the second defines
    // "shared" too (ignored), its own context, and a CA file relative to its own directory.
    std::fs::write(
        &first,
        text(&json!({
            "current-context": "one",
            "clusters": [{"name": "shared", "cluster": {"server": "https://10.0.0.1"}}],
            "users": [{"name": "u1", "user": {"token": "t1"}}],
            "contexts": [{"name": "one", "context": {"cluster": "shared", "user": "u1"}}],
        })),
    )
    .unwrap();
    std::fs::write(
        second_dir.join("config"),
        text(&json!({
            "current-context": "two",
            "clusters": [
                {"name": "shared", "cluster": {"server": "https://10.9.9.9"}},
                {"name": "other", "cluster": {"server": "https://10.0.0.2", "certificate-authority": "ca.crt"}},
            ],
            "users": [{"name": "u2", "user": {"token": "t2"}}],
            "contexts": [
                {"name": "two", "context": {"cluster": "other", "user": "u2"}},
                {"name": "three", "context": {"cluster": "shared", "user": "u2"}},
            ],
        })),
    )
    .unwrap();
    let env = std::env::join_paths([&first, &second_dir.join("config")]).unwrap();
    let paths = import::user_kubeconfig_paths(Some(env), None).unwrap();
    let source = ImportSource::Files(paths);
    let loaded = LoadedKubeconfig::load(&source).unwrap();
    let names: Vec<_> = loaded
        .contexts()
        .into_iter()
        .map(|c| (c.name, c.current))
        .collect();
    assert_eq!(
        names,
        [
            ("one".into(), true),
            ("two".into(), false),
            ("three".into(), false)
        ]
    );
    assert_eq!(loaded.prepare(None).unwrap().server, "https://10.0.0.1");
    assert_eq!(
        loaded.prepare(Some("three")).unwrap().server,
        "https://10.0.0.1"
    );
    let two = loaded.prepare(Some("two")).unwrap();
    assert_eq!(two.files_read, vec![second_dir.join("ca.crt")]);
    let err = loaded.prepare(Some("four")).unwrap_err();
    assert_eq!(err.reason(), "context-not-found");
    assert!(err.to_string().contains("one, two, three"), "{err}");
}

#[test]
fn exec_plugins_are_stored_with_a_pending_approval() {
    let doc = config(
        https_cluster(),
        Some(exec_user(
            json!({"env": [{"name": "AWS_PROFILE", "value": "prod"}]}),
        )),
    );
    let prepared = prepare_doc(&doc).unwrap();
    assert_eq!(prepared.auth_kind, AuthKind::Exec);
    let exec = prepared.exec.as_ref().unwrap();
    assert_eq!(exec.command, "aws");
    assert_eq!(exec.arg_count, 2);
    assert_eq!(exec.env_names, ["AWS_PROFILE"]);

    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    let record = vault.add(&prepared, &AddOptions::default()).unwrap();
    let exec = record.exec.unwrap();
    assert!(exec.approval.is_none());
    let listing = vault.list().unwrap();
    assert_eq!(
        listing.clusters[0].state,
        ksmc_core::vault::ClusterState::ApprovalRequired
    );
    let err = vault.open_cluster("ctx").unwrap_err();
    assert_eq!(err.reason(), "approval-required", "{err}");
    assert_eq!(
        ksmc_core::AppError::from(&err).kind,
        ksmc_core::ErrorKind::Forbidden
    );
}

#[test]
fn approving_an_exec_plugin_binds_path_args_and_env() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = dir.path().join("get-token");
    std::fs::write(&plugin, "#!/bin/sh\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let doc = config(
        https_cluster(),
        Some(exec_user(json!({"command": plugin.to_str().unwrap()}))),
    );
    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    vault
        .add(&prepare_doc(&doc).unwrap(), &AddOptions::default())
        .unwrap();
    let review = vault.exec_review("ctx").unwrap();
    assert_eq!(review.resolved_path.as_deref(), plugin.to_str());
    assert_eq!(review.arg_count, 2);
    assert!(!review.approved);
    let fingerprint = review.fingerprint.clone().unwrap();
    assert_eq!(
        vault.approve_exec("ctx", "0000").unwrap_err().reason(),
        "approval-mismatch"
    );
    let record = vault.approve_exec("ctx", &fingerprint).unwrap();
    assert_eq!(
        record.exec.unwrap().approval.unwrap().resolved_path,
        plugin.to_str().unwrap()
    );
    assert!(vault.exec_review("ctx").unwrap().approved);
    // Approved: ksmc's runner runs it (outside any async runtime here); it exits 1.
    let err = vault.open_cluster("ctx").unwrap_err();
    assert_eq!(err.reason(), "exec-failed", "{err}");
    assert!(err.to_string().contains("exit status: 1"), "{err}");
    // The binary disappears: the approval no longer holds, and nothing is run.
    std::fs::remove_file(&plugin).unwrap();
    let err = vault.open_cluster("ctx").unwrap_err();
    assert_eq!(err.reason(), "approval-changed", "{err}");
    assert!(
        err.to_string()
            .contains("no longer resolves to an executable file"),
        "{err}"
    );
    assert_eq!(
        vault.list().unwrap().clusters[0].state,
        ksmc_core::vault::ClusterState::ApprovalRequired
    );
}

#[test]
fn default_names_and_relative_exec_commands_of_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = config(
        https_cluster(),
        Some(exec_user(json!({"command": "./bin/get-token"}))),
    );
    doc["contexts"][0]["name"] = json!("kubernetes-admin@kubernetes");
    doc["current-context"] = json!("kubernetes-admin@kubernetes");
    let file = dir.path().join("prod.kubeconfig");
    std::fs::write(&file, text(&doc)).unwrap();

    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    let prepared = import::prepare(&ImportSource::File(file), None).unwrap();
    // The context's name is no cluster name; the file's stem is.
    let record = vault.add(&prepared, &AddOptions::default()).unwrap();
    assert_eq!(record.name, "prod");
    assert_eq!(record.display_name, "kubernetes-admin@kubernetes");
    // A relative exec command is resolved against the file's directory, as kubectl does.
    let command = record.exec.unwrap().command;
    assert_eq!(
        std::path::Path::new(&command),
        dir.path().join("bin/get-token")
    );

    // Pasted, there is no file name to fall back on.
    doc["users"][0]["user"] = token_user("t");
    let pasted = prepare_doc(&doc).unwrap();
    let err = vault.add(&pasted, &AddOptions::default()).unwrap_err();
    assert_eq!(err.reason(), "invalid-name");
}
