//! ksmc's own exec credential-plugin runner against the simulated estate over HTTPS: plugins
//! are small shell scripts written here, printing an `ExecCredential` with the simulator's
//! admin token. An approved plugin makes its cluster reachable; an unapproved or changed one
//! never runs; a slow one is killed with its children; oversized or malformed output is
//! refused; stdin is at EOF; credentials are cached, re-run once on a 401 and rate-limited.
#![cfg(unix)]

mod vault_common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Namespace;
use ksmc_core::vault::{
    self, CheckName, CheckStatus, ClusterState, ExecFailure, ExecLimits, MemoryKeyStore, Vault,
    VaultError,
};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use serde_json::json;
use vault_common::*;

const CANARY_TOKEN: &str = "CANARY-EXEC-OUTPUT-TOKEN-71c4";
const CANARY_STDERR: &str = "CANARY-EXEC-STDERR-d00d";
const CANARY_ENV: &str = "CANARY-EXEC-ENV-VALUE-5a5a";

struct Env {
    estate: Estate,
    access: SimAccess,
    dir: tempfile::TempDir,
    _root: tempfile::TempDir,
    vault: Vault,
}

async fn env() -> Env {
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let access = sim_access(&estate, "host");
    let root = tempfile::tempdir().unwrap();
    let vault = memory_vault(root.path(), &Arc::new(MemoryKeyStore::new()));
    Env {
        estate,
        access,
        dir: tempfile::tempdir().unwrap(),
        _root: root,
        vault,
    }
}

impl Env {
    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Adds a cluster running `body` as its plugin (apiVersion v1), with extra exec fields.
    fn add_plugin(&self, name: &str, body: &str, extra: serde_json::Value) -> std::path::PathBuf {
        let plugin = script(self.dir.path(), &format!("{name}-plugin"), body);
        let mut exec = json!({"apiVersion": EXEC_V1, "command": plugin.to_str().unwrap()});
        for (k, v) in extra.as_object().unwrap() {
            exec[k] = v.clone();
        }
        add(&self.vault, name, &exec_doc(&self.access, exec));
        plugin
    }

    fn runs(&self, name: &str) -> usize {
        std::fs::read_to_string(self.path(&format!("{name}.runs")))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }

    /// A plugin body that counts its runs and prints the admin token.
    fn counting(&self, name: &str) -> String {
        format!(
            "echo run >> '{}'\n{}",
            self.path(&format!("{name}.runs")).display(),
            print_credential(EXEC_V1, &self.access.token)
        )
    }
}

async fn list_namespaces(source: &ksmc_core::ClusterSource) -> usize {
    let client = source.client().await.unwrap();
    let api: kube::Api<Namespace> = kube::Api::all(client);
    api.list(&Default::default()).await.unwrap().items.len()
}

fn failure(e: &VaultError) -> &ExecFailure {
    match e {
        VaultError::ExecFailed { failure, .. } => failure,
        other => panic!("not an exec failure: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_approved_plugin_connects_and_an_unapproved_one_never_runs() {
    let env = env().await;
    let body = format!(
        "n=$(cat | wc -c)\necho $n > '{stdin}'\nenv > '{env_file}'\npwd > '{cwd}'\necho {CANARY_STDERR} >&2\n{}",
        env.counting("prod"),
        stdin = env.path("stdin-bytes").display(),
        env_file = env.path("plugin-env").display(),
        cwd = env.path("cwd").display(),
    );
    env.add_plugin(
        "prod",
        &body,
        json!({"env": [{"name": "PLUGIN_SETTING", "value": CANARY_ENV}], "provideClusterInfo": true}),
    );

    // Not approved: an error naming what to do, and the plugin did not run.
    let err = env.vault.open_cluster_async("prod").await.unwrap_err();
    assert_eq!(err.reason(), "approval-required", "{err}");
    assert_eq!(env.runs("prod"), 0);
    assert_eq!(
        env.vault.list().unwrap().clusters[0].state,
        ClusterState::ApprovalRequired
    );
    let view = vault::inspect(&env.vault).await.unwrap();
    assert_eq!(
        view.clusters[0].error.as_ref().unwrap().kind,
        ksmc_core::ErrorKind::Forbidden
    );
    let report = vault::test_cluster(&env.vault, "prod").await.unwrap();
    assert!(!report.ok);
    let creds = report.check(CheckName::Credentials).unwrap();
    assert_eq!(creds.status, CheckStatus::Failed);
    assert!(
        creds.fix.as_ref().unwrap().contains("approve-exec prod"),
        "{creds:?}"
    );
    assert_eq!(env.runs("prod"), 0);

    approve(&env.vault, "prod");
    assert_eq!(
        env.vault.list().unwrap().clusters[0].state,
        ClusterState::Ready
    );
    let source = env.vault.open_cluster_async("prod").await.unwrap();
    assert!(list_namespaces(&source).await > 0);
    assert_eq!(env.runs("prod"), 1);
    for text in [format!("{source:?}"), format!("{:?}", env.vault)] {
        assert!(!text.contains(&env.access.token), "{text}");
        assert!(!text.contains(CANARY_ENV), "{text}");
    }

    // stdin was at EOF at once; the environment is the minimal one plus the plugin's own and
    // KUBERNETES_EXEC_INFO as kubectl sets it; the working directory is fixed.
    let stdin = std::fs::read_to_string(env.path("stdin-bytes")).unwrap();
    assert_eq!(stdin.trim(), "0");
    let plugin_env = std::fs::read_to_string(env.path("plugin-env")).unwrap();
    assert!(plugin_env.contains(&format!("PLUGIN_SETTING={CANARY_ENV}")));
    let info_line = plugin_env
        .lines()
        .find_map(|l| l.strip_prefix("KUBERNETES_EXEC_INFO="))
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(info_line).unwrap();
    assert_eq!(info["kind"], "ExecCredential");
    assert_eq!(info["apiVersion"], EXEC_V1);
    assert_eq!(info["spec"]["interactive"], false);
    assert_eq!(
        info["spec"]["cluster"]["server"],
        env.access.server.as_str()
    );
    assert_eq!(
        info["spec"]["cluster"]["certificate-authority-data"],
        env.access.ca_data.as_str()
    );
    for line in plugin_env.lines() {
        let name = line.split('=').next().unwrap();
        assert!(
            !name.starts_with("KUBE") || name == "KUBERNETES_EXEC_INFO",
            "{name} was passed"
        );
        assert!(
            !name.starts_with("CARGO") && !name.starts_with("RUST"),
            "{name} was passed"
        );
    }
    let home = directories::BaseDirs::new().unwrap().home_dir().to_owned();
    assert_eq!(
        std::fs::read_to_string(env.path("cwd")).unwrap().trim(),
        home.to_str().unwrap()
    );

    // A credential without expiry is kept for the life of the process: no re-run, from the
    // async, the blocking and the estate APIs alike.
    env.vault.open_cluster_async("prod").await.unwrap();
    let v = env.vault.clone();
    let blocking = tokio::task::spawn_blocking(move || v.open_cluster("prod"))
        .await
        .unwrap()
        .unwrap();
    assert!(list_namespaces(&blocking).await > 0);
    let view = vault::inspect(&env.vault).await.unwrap();
    assert!(view.clusters[0].error.is_none(), "{view:?}");
    assert_eq!(view.clusters[0].role, ksmc_core::ClusterRole::Host);
    let report = vault::test_cluster(&env.vault, "prod").await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.exec_reruns, 0);
    assert_eq!(env.runs("prod"), 1);
    let details = env.vault.show("prod").unwrap();
    assert_eq!(details.cached_credential.as_deref(), Some("none"));
    assert!(details.exec_review.unwrap().approved);
    env.estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_plugin_is_killed_with_its_children() {
    let env = env().await;
    let body = format!(
        "echo $$ > '{pid}'\nsleep 120 &\necho $! > '{child}'\nwait",
        pid = env.path("pid").display(),
        child = env.path("child").display()
    );
    env.add_plugin("slow", &body, json!({}));
    approve(&env.vault, "slow");
    assert_eq!(ExecLimits::default().timeout, Duration::from_secs(60));
    env.vault.set_exec_limits(ExecLimits {
        timeout: Duration::from_secs(1),
        ..ExecLimits::default()
    });
    let started = Instant::now();
    let err = env.vault.open_cluster_async("slow").await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(failure(&err), &ExecFailure::Timeout(1), "{err}");
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert_eq!(
        ksmc_core::AppError::from(&err).kind,
        ksmc_core::ErrorKind::Timeout
    );
    let read_pid = |f: &str| -> u32 {
        std::fs::read_to_string(env.path(f))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let (pid, child) = (read_pid("pid"), read_pid("child"));
    // The plugin and the process it started are gone.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !(process_gone(pid) && process_gone(child)) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(process_gone(pid), "the plugin {pid} survived");
    assert!(process_gone(child), "its child {child} survived");
    env.estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_and_malformed_output_is_refused_without_quoting_it() {
    let env = env().await;
    let v1beta1 = "client.authentication.k8s.io/v1beta1";
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "huge",
            format!(
                "head -c 2097152 /dev/zero | tr '\\0' a\n{}",
                print_credential(EXEC_V1, &env.access.token)
            ),
            "output-too-large",
        ),
        (
            "kind",
            format!(
                "printf '%s' '{}'",
                json!({"kind": "Secret", "apiVersion": EXEC_V1, "status": {"token": CANARY_TOKEN}})
            ),
            "bad-output",
        ),
        (
            "alpha",
            print_credential("client.authentication.k8s.io/v1alpha1", CANARY_TOKEN),
            "bad-output",
        ),
        (
            "other-version",
            print_credential(v1beta1, CANARY_TOKEN),
            "bad-output",
        ),
        (
            "no-credential",
            format!(
                "printf '%s' '{}'",
                json!({"kind": "ExecCredential", "apiVersion": EXEC_V1, "status": {"expirationTimestamp": "2030-01-01T00:00:00Z"}})
            ),
            "bad-output",
        ),
        ("not-json", format!("echo {CANARY_TOKEN}"), "bad-output"),
        (
            "fails",
            format!("echo {CANARY_STDERR} >&2\necho {CANARY_TOKEN}\nexit 3"),
            "exit-status",
        ),
    ];
    for (name, body, _) in &cases {
        env.add_plugin(name, body, json!({}));
        approve(&env.vault, name);
    }
    // v1beta1 is accepted when the kubeconfig asks for it.
    let plugin = script(
        env.dir.path(),
        "beta-plugin",
        &print_credential(v1beta1, &env.access.token),
    );
    add(
        &env.vault,
        "beta",
        &exec_doc(
            &env.access,
            json!({"apiVersion": v1beta1, "command": plugin.to_str().unwrap()}),
        ),
    );
    approve(&env.vault, "beta");
    let source = env.vault.open_cluster_async("beta").await.unwrap();
    assert!(list_namespaces(&source).await > 0);

    for (name, _, reason) in &cases {
        let err = env.vault.open_cluster_async(name).await.unwrap_err();
        assert_eq!(failure(&err).reason(), *reason, "{name}: {err}");
        let texts = [
            err.to_string(),
            format!("{err:?}"),
            serde_json::to_string(&ksmc_core::AppError::from(&err)).unwrap(),
        ];
        for t in texts {
            for canary in [CANARY_TOKEN, CANARY_STDERR, env.access.token.as_str()] {
                assert!(!t.contains(canary), "{name}: {canary} in {t}");
            }
        }
        if *name == "fails" {
            // The error says stderr was not shown, and how long it was.
            assert!(
                err.to_string().contains("-byte error output is not shown"),
                "{err}"
            );
        }
        if *name == "huge" {
            assert!(err.to_string().contains("1024 KiB"), "{err}");
        }
    }
    env.estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_are_cached_until_their_expiry_and_reruns_are_rate_limited() {
    let env = env().await;
    let expiry = env.path("expiry");
    let body = format!(
        "echo run >> '{runs}'\nprintf '{{\"kind\":\"ExecCredential\",\"apiVersion\":\"{EXEC_V1}\",\"status\":{{\"token\":\"{token}\",\"expirationTimestamp\":\"%s\"}}}}' \"$(cat '{expiry}')\"",
        runs = env.path("exp.runs").display(),
        token = env.access.token,
        expiry = expiry.display(),
    );
    env.add_plugin("exp", &body, json!({}));
    approve(&env.vault, "exp");
    env.vault.set_exec_limits(ExecLimits {
        expiry_margin: Duration::from_secs(1),
        min_rerun_interval: Duration::from_secs(2),
        ..ExecLimits::default()
    });
    let at = |secs: i64| {
        (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(secs))
            .round(jiff::Unit::Second)
            .unwrap()
            .to_string()
    };

    std::fs::write(&expiry, at(3)).unwrap();
    env.vault.open_cluster_async("exp").await.unwrap();
    env.vault.open_cluster_async("exp").await.unwrap();
    assert_eq!(env.runs("exp"), 1, "fresh: cached");
    // Within the margin of its expiry: run again.
    tokio::time::sleep(Duration::from_millis(2700)).await;
    let source = env.vault.open_cluster_async("exp").await.unwrap();
    assert_eq!(env.runs("exp"), 2);
    assert!(list_namespaces(&source).await > 0);

    // A plugin handing out already expired credentials is not run in a loop.
    std::fs::write(&expiry, at(-60)).unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    env.vault.open_cluster_async("exp").await.unwrap();
    assert_eq!(env.runs("exp"), 3);
    let err = env.vault.open_cluster_async("exp").await.unwrap_err();
    assert_eq!(err.reason(), "exec-rate-limited", "{err}");
    assert_eq!(env.runs("exp"), 3);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    env.vault.open_cluster_async("exp").await.unwrap();
    assert_eq!(env.runs("exp"), 4);

    // A failing plugin is not re-run within the interval either: its failure is repeated.
    let fail_body = format!("echo run >> '{}'\nexit 1", env.path("bad.runs").display());
    env.add_plugin("bad", &fail_body, json!({}));
    approve(&env.vault, "bad");
    for _ in 0..3 {
        let err = env.vault.open_cluster_async("bad").await.unwrap_err();
        assert_eq!(failure(&err).reason(), "exit-status");
    }
    assert_eq!(env.runs("bad"), 1);
    env.estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_credential_reruns_the_plugin_once() {
    let env = env().await;
    // The first run gives a token the server refuses, later runs the admin token.
    let runs = env.path("flip.runs");
    let body = format!(
        "echo run >> '{runs}'\nif [ $(wc -l < '{runs}') -eq 1 ]; then {wrong}; else {right}; fi",
        runs = runs.display(),
        wrong = print_credential(EXEC_V1, CANARY_TOKEN),
        right = print_credential(EXEC_V1, &env.access.token),
    );
    env.add_plugin("flip", &body, json!({}));
    approve(&env.vault, "flip");
    let report = vault::test_cluster(&env.vault, "flip").await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.exec_reruns, 1);
    assert!(
        report
            .check(CheckName::Authentication)
            .unwrap()
            .detail
            .contains("again"),
        "{report:?}"
    );
    assert_eq!(env.runs("flip"), 2);

    // Always refused: two runs, then the refusal is reported; no loop.
    env.add_plugin(
        "refused",
        &format!(
            "echo run >> '{}'\n{}",
            env.path("refused.runs").display(),
            print_credential(EXEC_V1, CANARY_TOKEN)
        ),
        json!({}),
    );
    approve(&env.vault, "refused");
    let report = vault::test_cluster(&env.vault, "refused").await.unwrap();
    assert!(!report.ok);
    let auth = report.check(CheckName::Authentication).unwrap();
    assert_eq!(auth.status, CheckStatus::Failed, "{report:?}");
    assert!(auth.detail.contains("401"), "{auth:?}");
    assert_eq!(env.runs("refused"), 2);
    assert!(
        !serde_json::to_string(&report)
            .unwrap()
            .contains(CANARY_TOKEN)
    );
    // The estate view asks again at once: refused without another run.
    let view = vault::inspect(&env.vault).await.unwrap();
    let row = view.clusters.iter().find(|c| c.name == "refused").unwrap();
    let e = row.error.as_ref().unwrap();
    assert_eq!(e.kind, ksmc_core::ErrorKind::Unauthorized, "{e:?}");
    assert!(e.message.contains("even after running it again"), "{e:?}");
    assert_eq!(env.runs("refused"), 2);
    // The re-opened `flip` is fine in the same view.
    assert!(
        view.clusters
            .iter()
            .find(|c| c.name == "flip")
            .unwrap()
            .error
            .is_none()
    );
    env.estate.shutdown().await;
}

/// Approve with `PATH=a:…`, then prepend `b` holding a same-named plugin: approval required,
/// and `b`'s plugin never runs. The real `PATH` of real processes: this test runs its halves
/// in child processes (`path_child`), sharing the vault through a key file.
#[tokio::test(flavor = "multi_thread")]
async fn a_plugin_resolving_elsewhere_through_path_needs_approval_again() {
    let env = env().await;
    let a = env.dir.path().join("a");
    let b = env.dir.path().join("b");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let name = "ksmc-test-get-token";
    script(
        &a,
        name,
        &format!(
            "env > '{}'\n{}",
            env.path("path-env").display(),
            env.counting("path")
        ),
    );
    script(
        &b,
        name,
        &format!(
            "touch '{}'\n{}",
            env.path("b-ran").display(),
            print_credential(EXEC_V1, &env.access.token)
        ),
    );
    let root = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let shared = Vault::open(root.path(), Arc::new(FileKeyStore(keys.path().to_owned()))).unwrap();
    add(
        &shared,
        "path",
        &exec_doc(&env.access, json!({"apiVersion": EXEC_V1, "command": name})),
    );

    let system_path = std::env::var("PATH").unwrap_or_default();
    let (root_dir, keys_dir) = (root.path().to_owned(), keys.path().to_owned());
    let child = move |mode: &str, path: String| {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "path_child", "--nocapture", "--test-threads=1"])
            .env("KSMC_TEST_PATH_CHILD", mode)
            .env("KSMC_TEST_ROOT", &root_dir)
            .env("KSMC_TEST_KEYS", &keys_dir)
            .env("PATH", path)
            // Never passed on to a plugin.
            .env("KUBECONFIG", "/nonexistent/kubeconfig")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{mode}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let with_a = format!("{}:{system_path}", a.display());
    let with_b = format!("{}:{with_a}", b.display());
    let (c1, c2) = (with_a.clone(), with_b.clone());
    tokio::task::spawn_blocking(move || {
        child("approve", c1);
        child("changed", c2);
    })
    .await
    .unwrap();
    assert_eq!(env.runs("path"), 1, "a's plugin ran once, when approved");
    assert!(!env.path("b-ran").exists(), "b's plugin ran");
    // The child process had KUBECONFIG set; its plugin did not get it.
    let plugin_env = std::fs::read_to_string(env.path("path-env")).unwrap();
    assert!(!plugin_env.contains("KUBECONFIG"), "{plugin_env}");
    assert!(
        plugin_env.contains(&format!("PATH={with_a}")),
        "{plugin_env}"
    );
    let record = shared.get("path").unwrap();
    assert_eq!(
        record.exec.unwrap().approval.unwrap().resolved_path,
        a.join(name).to_str().unwrap()
    );
    env.estate.shutdown().await;
}

/// The halves of the test above, run in child processes with their own `PATH`.
#[tokio::test(flavor = "multi_thread")]
async fn path_child() {
    let Ok(mode) = std::env::var("KSMC_TEST_PATH_CHILD") else {
        return;
    };
    let root = std::env::var("KSMC_TEST_ROOT").unwrap();
    let keys = std::env::var("KSMC_TEST_KEYS").unwrap();
    let vault = Vault::open(
        std::path::Path::new(&root),
        Arc::new(FileKeyStore(keys.into())),
    )
    .unwrap();
    match mode.as_str() {
        "approve" => {
            approve(&vault, "path");
            let source = vault.open_cluster_async("path").await.unwrap();
            assert!(list_namespaces(&source).await > 0);
        }
        "changed" => {
            let err = vault.open_cluster_async("path").await.unwrap_err();
            assert_eq!(err.reason(), "approval-changed", "{err}");
            assert!(err.to_string().contains("now resolves to"), "{err}");
            assert_eq!(
                ksmc_core::AppError::from(&err).kind,
                ksmc_core::ErrorKind::Forbidden
            );
            assert_eq!(
                vault.list().unwrap().clusters[0].state,
                ClusterState::ApprovalRequired
            );
            let review = vault.exec_review("path").unwrap();
            assert!(!review.approved);
        }
        other => panic!("unknown mode {other}"),
    }
}
