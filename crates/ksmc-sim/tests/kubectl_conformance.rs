//! The real kubectl is the referee: it must accept the simulator unchanged.
//!
//! Needs `kubectl` on PATH (the README's setup installs it); the test fails, rather than
//! skipping, when it is missing, so a green run always means kubectl was really used.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Sim {
    child: Child,
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Sim {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_ksmc-sim"))
            .args(["serve", "--scenario", "fresh", "--dir"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ksmc-sim starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !dir.path().join("estate.json").exists() {
            assert!(Instant::now() < deadline, "estate.json not written in time");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            dir,
            cache: tempfile::tempdir().unwrap(),
        }
    }

    fn kubeconfig(&self, cluster: &str) -> PathBuf {
        self.dir.path().join(format!("{cluster}.kubeconfig"))
    }

    fn kubectl(&self, cluster: &str, args: &[&str]) -> Output {
        kubectl(&self.kubeconfig(cluster), self.cache.path(), args)
    }

    fn terminate(mut self) -> Output {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < deadline,
                "ksmc-sim did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child.wait_with_output().unwrap()
    }
}

fn kubectl(kubeconfig: &Path, cache: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .env("KUBECACHEDIR", cache)
        .env("HOME", cache)
        .output()
        .expect("kubectl must be installed (see README: bash .ci/setup)")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "kubectl failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

#[test]
fn kubectl_reads_namespaces_tables_and_errors_then_sim_stops_on_sigterm() {
    let sim = Sim::start();

    // `kubectl get ns` over HTTPS with the CA and bearer token from the kubeconfig.
    let table = rows(&stdout(&sim.kubectl("host", &["get", "ns"])));
    assert_eq!(table[0], ["NAME", "STATUS", "AGE"]);
    let names: Vec<&str> = table[1..].iter().map(|r| r[0].as_str()).collect();
    assert!(
        names.contains(&"kubesphere-system") && names.contains(&"default"),
        "{names:?}"
    );
    assert!(
        table[1..]
            .iter()
            .all(|r| r[1] == "Active" && r[2].ends_with('s'))
    );

    // Label selectors and chunked lists.
    let labelled = rows(&stdout(&sim.kubectl(
        "host",
        &[
            "get",
            "ns",
            "-l",
            "kubesphere.io/workspace=system-workspace",
            "--chunk-size=2",
            "-o",
            "name",
        ],
    )));
    assert_eq!(labelled.len(), 4, "{labelled:?}");
    assert!(labelled.iter().all(|r| r[0].starts_with("namespace/")));

    // A single object, JSON output.
    let ns: serde_json::Value = serde_json::from_str(&stdout(
        &sim.kubectl("member-1", &["get", "ns", "kube-system", "-o", "json"]),
    ))
    .unwrap();
    assert_eq!(
        ns["metadata"]["labels"]["kubernetes.io/metadata.name"],
        "kube-system"
    );

    // Server-side printer columns of a KubeSphere CRD.
    let clusters = rows(&stdout(
        &sim.kubectl("host", &["get", "clusters.cluster.kubesphere.io"]),
    ));
    assert_eq!(
        clusters[0],
        ["NAME", "FEDERATED", "PROVIDER", "ACTIVE", "VERSION"]
    );
    assert_eq!(
        clusters[1],
        ["host", "true", "kubesphere", "true", "v1.32.4"]
    );
    let cc = stdout(&sim.kubectl(
        "member-1",
        &[
            "get",
            "cc",
            "ks-installer",
            "-n",
            "kubesphere-system",
            "-o",
            "jsonpath={.spec.multicluster.clusterRole}",
        ],
    ));
    assert_eq!(cc, "none");

    // Errors are printed as the real server's.
    let missing = sim.kubectl("host", &["get", "ns", "nope"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr).trim(),
        "Error from server (NotFound): namespaces \"nope\" not found"
    );

    // A wrong token is refused.
    let bad = sim.dir.path().join("bad.kubeconfig");
    let text = std::fs::read_to_string(sim.kubeconfig("host")).unwrap();
    let token_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("token:"))
        .unwrap();
    std::fs::write(&bad, text.replace(token_line, "    token: wrong")).unwrap();
    let denied = kubectl(&bad, sim.cache.path(), &["get", "ns"]);
    assert!(!denied.status.success());
    assert!(
        String::from_utf8_lossy(&denied.stderr).contains("Unauthorized")
            || String::from_utf8_lossy(&denied.stderr).contains("logged in")
    );

    let out = sim.terminate();
    assert!(out.status.success(), "exit status {:?}", out.status);
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped"));
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        printed.contains("host")
            && printed.contains("member-1")
            && printed.contains("https://127.0.0.1:")
    );
}

#[test]
fn an_unknown_scenario_is_refused_with_the_known_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ksmc-sim"))
        .args(["serve", "--scenario", "nope", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown scenario \"nope\"") && err.contains("fresh"),
        "{err}"
    );
    assert!(!dir.path().join("estate.json").exists());
}
