//! A running `migrate` estate, its kubeconfig directory, a private KSMC_HOME, and the real
//! `ksmc` binary run against them.
#![allow(dead_code)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use k8s_openapi::api::core::v1::Namespace;
use ksmc_core::ClusterSource;
use ksmc_sim::{Estate, EstateOptions, Scenario, WriteRecord};
use kube::api::Api;
use serde_json::Value;

/// Every non-system project of `prod-1` in the migrate scenario: all are kept.
pub const KEPT: [&str; 5] = [
    "apps-backend",
    "apps-frontend",
    "apps-gitops",
    "data-warehouse",
    "scratch",
];

pub const CLUSTERS: [&str; 3] = ["new-host", "old-host", "prod-1"];

pub struct Env {
    pub estate: Estate,
    pub kubeconfigs: tempfile::TempDir,
    pub home: tempfile::TempDir,
}

impl Env {
    /// The `migrate` scenario: prod-1 bound to old-host, and a fresh new-host.
    pub async fn start() -> Self {
        Self::start_scenario(&Scenario::migrate()).await
    }

    pub async fn start_scenario(scenario: &Scenario) -> Self {
        let estate = Estate::start(scenario, &EstateOptions::default())
            .await
            .expect("estate");
        let kubeconfigs = tempfile::tempdir().unwrap();
        estate.write_dir(kubeconfigs.path()).unwrap();
        Self {
            estate,
            kubeconfigs,
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub fn kdir(&self) -> String {
        self.kubeconfigs.path().to_str().unwrap().to_owned()
    }

    /// Runs `ksmc` with this env's KSMC_HOME.
    pub async fn ksmc(&self, args: &[&str]) -> Output {
        self.ksmc_with(args, &[], None).await
    }

    /// Runs `ksmc` with extra environment and, optionally, text on stdin.
    pub async fn ksmc_with(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: Option<&str>,
    ) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ksmc"));
        self.prepare(&mut cmd, args, env);
        run(cmd, stdin).await
    }

    /// Runs `ksmc` with core dumps off (for runs that abort on purpose).
    pub async fn ksmc_crashing(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "ulimit -c 0 2>/dev/null; exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_ksmc"));
        self.prepare(&mut cmd, args, env);
        run(cmd, None).await
    }

    /// Starts `ksmc` in the background (stdin closed, output captured).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ksmc"));
        self.prepare(&mut cmd, args, &[]);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ksmc runs")
    }

    fn prepare(&self, cmd: &mut Command, args: &[&str], env: &[(&str, &str)]) {
        cmd.args(args)
            .env("KSMC_HOME", self.home.path())
            .env_remove("KSMC_CRASH_AFTER_RECORDS")
            .env_remove("KSMC_LOG");
        for (k, v) in env {
            cmd.env(k, v);
        }
    }

    pub async fn client(&self, name: &str) -> kube::Client {
        ClusterSource::from_file(&self.kubeconfigs.path().join(format!("{name}.kubeconfig")))
            .unwrap()
            .client()
            .await
            .unwrap()
    }

    /// `ksmc runs list --json`.
    pub async fn runs(&self) -> Vec<Value> {
        let out = self.ksmc(&["runs", "list", "--json"]).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("runs list --json")
    }

    pub async fn run_status(&self, id: &str) -> String {
        self.runs()
            .await
            .into_iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("run {id} is listed"))["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn journal(&self, id: &str) -> String {
        std::fs::read_to_string(self.home.path().join("runs").join(id).join("journal.jsonl"))
            .unwrap_or_default()
    }

    pub fn clear_writes(&self) {
        for c in CLUSTERS {
            self.estate.cluster(c).unwrap().clear_writes();
        }
    }

    /// The writes each cluster applied, without ksmc's own lock (a resumed run takes it again),
    /// sorted: what the workflow did, whatever the order of its concurrent steps.
    pub fn workflow_writes(&self) -> Vec<(String, Vec<WriteRecord>)> {
        CLUSTERS
            .iter()
            .map(|c| {
                let mut w: Vec<WriteRecord> = self
                    .estate
                    .cluster(c)
                    .unwrap()
                    .writes()
                    .into_iter()
                    .filter(|w| !w.path.contains("/leases"))
                    .collect();
                w.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
                ((*c).to_owned(), w)
            })
            .collect()
    }
}

async fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
    let input = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        cmd.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("ksmc runs");
        if let Some(text) = input {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

/// Waits for a background `ksmc`.
pub async fn wait(child: std::process::Child) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap()
}

/// Stdout and stderr, for assertion messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub async fn namespace(client: &kube::Client, name: &str) -> Option<Namespace> {
    Api::<Namespace>::all(client.clone())
        .get_opt(name)
        .await
        .unwrap()
}

/// Every kept project of prod-1 exists with its uid, is not terminating, has no workspace
/// label or Workspace owner, and kept its other owners.
pub async fn assert_kept_and_unbound(env: &Env, uids: &[(String, String)]) {
    let member = env.client("prod-1").await;
    for name in KEPT {
        let ns = namespace(&member, name)
            .await
            .unwrap_or_else(|| panic!("{name} was lost"));
        if let Some((_, uid)) = uids.iter().find(|(n, _)| n == name) {
            assert_eq!(
                ns.metadata.uid.as_ref(),
                Some(uid),
                "{name} is the same namespace"
            );
        }
        assert!(
            ns.metadata.deletion_timestamp.is_none(),
            "{name} is terminating"
        );
        let labels = ns.metadata.labels.clone().unwrap_or_default();
        assert!(
            !labels.contains_key("kubesphere.io/workspace"),
            "{name}: {labels:?}"
        );
        let owners = ns.metadata.owner_references.clone().unwrap_or_default();
        assert!(
            owners
                .iter()
                .all(|r| r.kind != "Workspace" && r.kind != "WorkspaceTemplate"),
            "{name}: {owners:?}"
        );
    }
    let gitops = namespace(&member, "apps-gitops").await.unwrap();
    let owners = gitops.metadata.owner_references.unwrap_or_default();
    assert_eq!(owners.len(), 1, "{owners:?}");
    assert_eq!(
        owners[0].kind, "Application",
        "the non-KubeSphere owner survives"
    );
    let ks = namespace(&member, "kubesphere-system").await.unwrap();
    assert_eq!(
        ks.metadata.labels.unwrap()["kubesphere.io/workspace"],
        "system-workspace",
        "system namespaces are untouched"
    );
}

/// The uid of each kept project before anything ran.
pub async fn kept_uids(env: &Env) -> Vec<(String, String)> {
    let member = env.client("prod-1").await;
    let mut out = Vec::new();
    for name in KEPT {
        let ns = namespace(&member, name).await.expect(name);
        out.push((name.to_owned(), ns.metadata.uid.unwrap()));
    }
    out
}

/// The clusters on which a ksmc lock (`kube-system/ksmc-workflow` Lease) is held, with its
/// holder.
pub async fn locks(env: &Env) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in CLUSTERS {
        let api: Api<k8s_openapi::api::coordination::v1::Lease> =
            Api::namespaced(env.client(c).await, "kube-system");
        if let Some(l) = api.get_opt("ksmc-workflow").await.unwrap() {
            let holder = l.spec.and_then(|s| s.holder_identity).unwrap_or_default();
            out.push((c.to_owned(), holder));
        }
    }
    out
}
