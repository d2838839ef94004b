//! `ksmc vault …` and `ksmc cluster list --vault` end to end: the real binary, `KSMC_HOME` in a
//! temp dir, the session-only vault (never the OS keyring), a keyring-less environment, and —
//! with `KSMC_TEST_SECRET_SERVICE=1` in a throwaway D-Bus session — the real Secret Service.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use ksmc_sim::{Estate, EstateOptions, Scenario};
use serde_json::Value;

/// Runs ksmc with `KSMC_HOME=home`; `extra_env` is set as well.
fn ksmc_env(home: &Path, args: &[&str], extra_env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ksmc"));
    cmd.args(args)
        .env("KSMC_HOME", home)
        .env_remove("KUBECONFIG")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("ksmc runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ksmc(home: &Path, args: &[&str]) -> Output {
    ksmc_env(home, args, &[], None)
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn session_only_add_list_cluster_list_remove() {
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    let file = dir.path().join("host.kubeconfig");

    let out = blocking({
        let (h, file) = (h.clone(), file.clone());
        move || {
            ksmc(
                &h,
                &[
                    "vault",
                    "add",
                    "--session-only",
                    "--file",
                    file.to_str().unwrap(),
                    "--json",
                ],
            )
        }
    })
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let added = json_of(&out);
    assert_eq!(added["added"][0]["name"], "host");
    assert_eq!(added["added"][0]["authKind"], "token");
    assert_eq!(added["failed"], Value::Array(vec![]));

    // The human form says what happened and that the key is gone afterwards.
    let member = dir.path().join("member-1.kubeconfig");
    let out = blocking({
        let (h, member) = (h.clone(), member.clone());
        move || {
            ksmc(
                &h,
                &[
                    "vault",
                    "add",
                    "--session-only",
                    "--file",
                    member.to_str().unwrap(),
                ],
            )
        }
    })
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("added member-1 (context member-1"), "{text}");
    assert!(text.contains("session-only"), "{text}");

    // A new process has a new in-memory key: the clusters are locked.
    let out = blocking({
        let h = h.clone();
        move || ksmc(&h, &["vault", "list", "--session-only", "--json"])
    })
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let listing = json_of(&out);
    assert_eq!(listing["status"]["sessionOnly"], true);
    assert_eq!(listing["status"]["store"], "memory (session only)");
    let clusters = listing["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 2);
    assert!(clusters.iter().all(|c| c["state"] == "locked"), "{listing}");
    assert!(clusters.iter().all(|c| {
        c["server"]
            .as_str()
            .unwrap()
            .starts_with("https://127.0.0.1:")
    }));

    let out = blocking({
        let h = h.clone();
        move || {
            ksmc(
                &h,
                &["cluster", "list", "--vault", "--session-only", "--json"],
            )
        }
    })
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let view = json_of(&out);
    for c in view["clusters"].as_array().unwrap() {
        assert_eq!(c["error"]["kind"], "KeyringUnavailable", "{c}");
        assert!(c["error"]["message"].as_str().unwrap().contains("locked"));
    }

    let out = blocking({
        let h = h.clone();
        move || {
            ksmc(
                &h,
                &["vault", "rename", "member-1", "edge", "--session-only"],
            )
        }
    })
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = blocking({
        let h = h.clone();
        move || ksmc(&h, &["vault", "remove", "host", "--session-only", "--json"])
    })
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_of(&out)["removed"]["name"], "host");
    let out = blocking({
        let h = h.clone();
        move || ksmc(&h, &["vault", "list", "--session-only"])
    })
    .await;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].split_whitespace().eq([
            "NAME", "STATE", "ROLE", "AUTH", "SERVER", "ACKS", "LAST", "SEEN"
        ]),
        "{text}"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].trim_start().starts_with("edge "), "{text}");

    let out = blocking({
        let h = h.clone();
        move || ksmc(&h, &["vault", "remove", "host", "--session-only"])
    })
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no cluster named \"host\""),
        "{}",
        stderr(&out)
    );

    // Nothing of the kubeconfigs is in plaintext under KSMC_HOME, and the keyring vault
    // was never created.
    let token = std::fs::read_to_string(&file).unwrap();
    let token = token
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .unwrap()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_owned();
    assert!(token.len() > 8);
    for path in walk(home.path()) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "{}",
            path.display()
        );
    }
    assert!(!home.path().join("vault").exists());
    estate.shutdown().await;
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

const BASIC_AUTH: &str = r#"
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443
users:
- name: admin
  user:
    username: admin
    password: CANARY-CLI-PASSWORD
contexts:
- name: prod
  context:
    cluster: prod
    user: admin
"#;

const TWO_CONTEXTS: &str = r#"
apiVersion: v1
kind: Config
current-context: alpha
clusters:
- name: a
  cluster:
    server: https://10.0.0.1:6443
    insecure-skip-tls-verify: true
- name: b
  cluster:
    server: https://10.0.0.2:6443
    proxy-url: http://proxy.example.com:3128
users:
- name: u
  user:
    token: CANARY-CLI-TOKEN
contexts:
- name: alpha
  context:
    cluster: a
    user: u
- name: beta
  context:
    cluster: b
    user: u
"#;

#[test]
fn refusals_and_acknowledgements_from_the_command_line() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();

    let out = ksmc_env(
        h,
        &["vault", "add", "--session-only", "--stdin", "--json"],
        &[],
        Some(BASIC_AUTH),
    );
    assert_eq!(out.status.code(), Some(1));
    let body = json_of(&out);
    assert_eq!(body["failed"][0]["reason"], "basic-auth", "{body}");
    assert_eq!(body["failed"][0]["error"]["kind"], "Invalid");
    assert!(
        stderr(&out).contains("username and password"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("CANARY") && !body.to_string().contains("CANARY"));

    let file = h.join("two.kubeconfig");
    std::fs::write(&file, TWO_CONTEXTS).unwrap();
    let f = file.to_str().unwrap();

    let out = ksmc(h, &["vault", "contexts", "--file", f, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let contexts = json_of(&out);
    assert_eq!(contexts[0]["name"], "alpha");
    assert_eq!(contexts[0]["current"], true);
    assert_eq!(contexts[1]["server"], "https://10.0.0.2:6443");

    // Without acknowledgements both contexts are held back, each saying what is needed.
    let out = ksmc(
        h,
        &[
            "vault",
            "add",
            "--session-only",
            "--file",
            f,
            "--context",
            "alpha",
            "--context",
            "beta",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let body = json_of(&out);
    assert_eq!(body["added"], Value::Array(vec![]));
    assert_eq!(body["failed"][0]["reason"], "needs-acknowledgement");
    assert!(
        body["failed"][0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("insecure-skip-tls-verify")
    );
    assert!(
        body["failed"][1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("proxy-url")
    );

    let out = ksmc(
        h,
        &[
            "vault",
            "add",
            "--session-only",
            "--file",
            f,
            "--context",
            "alpha",
            "--context",
            "beta",
            "--ack",
            "insecure-skip-tls-verify,proxy-url",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let body = json_of(&out);
    assert_eq!(body["added"][0]["name"], "alpha");
    assert_eq!(
        body["added"][0]["acknowledgements"][0],
        "insecure-skip-tls-verify"
    );
    assert_eq!(body["added"][1]["name"], "beta");
    assert_eq!(body["added"][1]["acknowledgements"][0], "proxy-url");

    let out = ksmc(
        h,
        &[
            "vault",
            "add",
            "--session-only",
            "--file",
            f,
            "--ack",
            "nonsense",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "clap refuses it");
    assert!(
        stderr(&out).contains("unknown acknowledgement"),
        "{}",
        stderr(&out)
    );

    let out = ksmc(
        h,
        &[
            "vault",
            "add",
            "--session-only",
            "--file",
            f,
            "--context",
            "alpha",
            "--context",
            "beta",
            "--name",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("one context"), "{}", stderr(&out));

    let out = ksmc(
        h,
        &[
            "vault",
            "add",
            "--session-only",
            "--file",
            f,
            "--context",
            "gamma",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("choose one of: alpha, beta"),
        "{}",
        stderr(&out)
    );

    for path in walk(h) {
        let bytes = std::fs::read(&path).unwrap();
        if path == file {
            continue;
        }
        assert!(
            !bytes.windows(10).any(|w| w == b"CANARY-CLI"),
            "{}",
            path.display()
        );
    }
}

#[test]
fn from_the_user_kubeconfig() {
    let home = tempfile::tempdir().unwrap();
    let user_home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(user_home.path().join(".kube")).unwrap();
    std::fs::write(user_home.path().join(".kube/config"), TWO_CONTEXTS).unwrap();
    let hh = user_home.path().to_str().unwrap();
    let out = ksmc_env(
        home.path(),
        &[
            "vault",
            "add",
            "--session-only",
            "--from-kubeconfig",
            "--context",
            "beta",
            "--ack",
            "proxy-url",
            "--json",
        ],
        &[("HOME", hh)],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let body = json_of(&out);
    assert_eq!(body["added"][0]["name"], "beta");
    assert_eq!(
        body["added"][0]["importedFrom"],
        user_home.path().join(".kube/config").to_str().unwrap()
    );

    // KUBECONFIG wins over ~/.kube/config.
    let other = home.path().join("other");
    std::fs::write(&other, BASIC_AUTH).unwrap();
    let out = ksmc_env(
        home.path(),
        &["vault", "contexts", "--from-kubeconfig", "--json"],
        &[("HOME", hh), ("KUBECONFIG", other.to_str().unwrap())],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_of(&out)[0]["name"], "prod");
}

/// With no reachable Secret Service, commands that need the key say so and write nothing;
/// commands that do not need it still work.
#[cfg(target_os = "linux")]
#[test]
fn without_a_keyring_the_cause_and_the_remedy_are_named() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let no_bus: &[(&str, &str)] = &[
        (
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/ksmc-test-bus",
        ),
        ("XDG_RUNTIME_DIR", "/nonexistent/ksmc-test-runtime"),
        ("DISPLAY", ""),
    ];
    let out = ksmc_env(h, &["vault", "status", "--json"], no_bus, None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let status = json_of(&out);
    assert_eq!(status["key"], "unavailable");
    assert_eq!(status["error"]["kind"], "KeyringUnavailable");
    let message = status["error"]["message"].as_str().unwrap();
    assert!(message.contains("no OS keyring is reachable"), "{message}");
    assert!(message.contains("session-only"), "{message}");

    let file = h.join("k.kubeconfig");
    std::fs::write(
        &file,
        TWO_CONTEXTS.replace("    insecure-skip-tls-verify: true\n", ""),
    )
    .unwrap();
    let out = ksmc_env(
        h,
        &["vault", "add", "--file", file.to_str().unwrap(), "--json"],
        no_bus,
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let body = json_of(&out);
    assert_eq!(body["failed"][0]["reason"], "keyring-unavailable", "{body}");
    assert!(
        stderr(&out).contains("keyring unavailable"),
        "{}",
        stderr(&out)
    );
    let sealed: Vec<_> = std::fs::read_dir(h.join("vault/clusters"))
        .unwrap()
        .collect();
    assert!(sealed.is_empty());

    let out = ksmc_env(h, &["vault", "list"], no_bus, None);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The whole flow against the real Secret Service, across processes. Only with
/// `KSMC_TEST_SECRET_SERVICE=1` inside a throwaway D-Bus session (see `.ci/run`).
#[tokio::test(flavor = "multi_thread")]
async fn with_the_secret_service_cluster_list_reads_vault_clusters() {
    if std::env::var_os("KSMC_TEST_SECRET_SERVICE").is_none_or(|v| v != "1") {
        eprintln!("skipped: set KSMC_TEST_SECRET_SERVICE=1 inside a throwaway D-Bus session");
        return;
    }
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    let from_dir = blocking({
        let d = dir.path().to_str().unwrap().to_owned();
        let h = dir.path().to_owned();
        move || ksmc(&h, &["cluster", "list", "--kubeconfig-dir", &d, "--json"])
    })
    .await;
    assert!(from_dir.status.success(), "{}", stderr(&from_dir));
    let from_dir = json_of(&from_dir);

    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    for running in estate.clusters() {
        let file = dir.path().join(&running.entry.kubeconfig);
        let out = blocking({
            let h = h.clone();
            move || ksmc(&h, &["vault", "add", "--file", file.to_str().unwrap()])
        })
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = blocking({
        let h = h.clone();
        move || ksmc(&h, &["vault", "status", "--json"])
    })
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let status = json_of(&out);
    assert_eq!(status["key"], "present");
    assert_eq!(status["store"], "Secret Service (D-Bus)");

    let out = blocking({
        let h = h.clone();
        move || ksmc(&h, &["cluster", "list", "--vault", "--json"])
    })
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let view = json_of(&out);
    let strip = |v: &Value| {
        v["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].clone(),
                    c["role"].clone(),
                    c["kubernetesVersion"].clone(),
                    c["kubesphereVersion"].clone(),
                    c["namespaceCount"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&view), strip(&from_dir));

    let out = blocking({
        let h = h.clone();
        move || ksmc(&h, &["vault", "list", "--json"])
    })
    .await;
    let listing = json_of(&out);
    for c in listing["clusters"].as_array().unwrap() {
        assert_eq!(c["state"], "ready");
        assert!(c["lastSeenAt"].is_string());
    }

    // Clean up the throwaway keyring too.
    for running in estate.clusters() {
        let name = running.entry.name.clone();
        let out = blocking({
            let h = h.clone();
            move || ksmc(&h, &["vault", "remove", &name])
        })
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = blocking(move || ksmc(&h, &["vault", "forget-key"])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    estate.shutdown().await;
}

/// `vault show`, `vault test` and an exec plugin approved and run across processes, against
/// the real Secret Service: the plugin runs only as approved, and a `PATH` that resolves its
/// name elsewhere needs approval again (the other binary never runs). Only with
/// `KSMC_TEST_SECRET_SERVICE=1` inside a throwaway D-Bus session (see `.ci/run`).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn with_the_secret_service_show_test_and_exec_plugins() {
    use std::os::unix::fs::PermissionsExt as _;
    if std::env::var_os("KSMC_TEST_SECRET_SERVICE").is_none_or(|v| v != "1") {
        eprintln!("skipped: set KSMC_TEST_SECRET_SERVICE=1 inside a throwaway D-Bus session");
        return;
    }
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    let host_file = dir.path().join("host.kubeconfig");
    let host_yaml = std::fs::read_to_string(&host_file).unwrap();
    let token = host_yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .unwrap()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_owned();

    // Two plugins of one name: a/ prints the admin token, b/ leaves a marker.
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let plugin = "ksmc-cli-test-token";
    for (d, body) in [
        (
            &a,
            format!(
                "printf '%s' '{{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"status\":{{\"token\":\"{token}\"}}}}'"
            ),
        ),
        (
            &b,
            format!("touch '{}'", dir.path().join("b-ran").display()),
        ),
    ] {
        std::fs::create_dir_all(d).unwrap();
        let p = d.join(plugin);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let exec_file = dir.path().join("exec.kubeconfig");
    std::fs::write(
        &exec_file,
        host_yaml.replace(
            &format!("token: {token}"),
            &format!(
                "exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {plugin}"
            ),
        ),
    )
    .unwrap();
    let bad_file = dir.path().join("bad.kubeconfig");
    std::fs::write(&bad_file, host_yaml.replace(&token, "CANARY-CLI-BAD-TOKEN")).unwrap();

    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    let system_path = std::env::var("PATH").unwrap_or_default();
    let path_a = format!("{}:{system_path}", a.display());
    let path_b = format!("{}:{path_a}", b.display());
    let run = move |args: Vec<String>, path: String| {
        let h = h.clone();
        async move {
            blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                ksmc_env(&h, &args, &[("PATH", &path)], None)
            })
            .await
        }
    };
    let argv = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();

    for (name, file) in [
        ("host", &host_file),
        ("bad", &bad_file),
        ("exec", &exec_file),
    ] {
        let mut args = argv("vault add --name");
        args.extend([name.to_owned(), "--file".into(), file.display().to_string()]);
        let out = run(args, path_a.clone()).await;
        assert!(out.status.success(), "{}", stderr(&out));
    }

    let out = run(argv("vault test host --json"), path_a.clone()).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json_of(&out)["ok"], true);
    let out = run(argv("vault show host --json"), path_a.clone()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = json_of(&out);
    assert_eq!(shown["state"], "ready");
    assert!(shown["lastSeenAt"].is_string(), "{shown}");

    let out = run(argv("vault test bad"), path_a.clone()).await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.lines()
            .any(|l| l.starts_with("FAIL") && l.contains("authentication")),
        "{text}"
    );
    assert!(!text.contains("CANARY-CLI-BAD-TOKEN"));

    // Not approved: refused, nothing run.
    let out = run(argv("vault test exec --json"), path_a.clone()).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["checks"][0]["status"], "failed");
    let out = run(argv("vault approve-exec exec --json"), path_a.clone()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let review = json_of(&out);
    assert_eq!(
        review["resolvedPath"],
        a.join(plugin).to_str().unwrap(),
        "{review}"
    );
    let mut approve = argv("vault approve-exec exec --fingerprint");
    approve.push(review["fingerprint"].as_str().unwrap().to_owned());
    let out = run(approve, path_a.clone()).await;
    assert!(out.status.success(), "{}", stderr(&out));

    // Approved: another process runs it and connects.
    let out = run(argv("vault test exec --json"), path_a.clone()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(argv("cluster list --vault --json"), path_a.clone()).await;
    let view = json_of(&out);
    let row = view["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "exec")
        .unwrap()
        .clone();
    assert!(row["error"].is_null(), "{row}");

    // PATH now finds another file of that name first: approval needed again, b never runs.
    let out = run(argv("vault test exec --json"), path_b.clone()).await;
    assert_eq!(out.status.code(), Some(1));
    let report = json_of(&out);
    assert!(
        report["checks"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("now resolves to"),
        "{report}"
    );
    let out = run(argv("vault list --json"), path_b.clone()).await;
    let listing = json_of(&out);
    let exec_row = listing["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "exec")
        .unwrap()
        .clone();
    assert_eq!(exec_row["state"], "approval-required");
    let out = run(argv("vault show exec"), path_b.clone()).await;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("no longer"), "{text}");
    assert!(!dir.path().join("b-ran").exists(), "b's plugin ran");
    assert!(!text.contains(&token));

    for name in ["host", "bad", "exec"] {
        let out = run(
            vec!["vault".into(), "remove".into(), name.into()],
            path_a.clone(),
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = run(argv("vault forget-key"), path_a.clone()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    estate.shutdown().await;
}
