//! Running the real kubectl against `ksmc-sim serve`, shared by the `kubectl_*` tests
//! (included with `#[path]`; as a test target of its own it has no tests).
//!
//! kubectl must be on PATH (the README's setup installs it): a missing kubectl fails the
//! tests, so a green run always means kubectl was really used. Every command has a deadline,
//! and each simulator gets its own `KUBECACHEDIR`/`HOME`, so no discovery cache leaks between
//! runs.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long one kubectl command may take.
pub const COMMAND_DEADLINE: Duration = Duration::from_secs(60);

/// A running `ksmc-sim serve` and a kubectl cache for it.
#[derive(Debug)]
pub struct Sim {
    child: Option<Child>,
    pub dir: tempfile::TempDir,
    pub cache: tempfile::TempDir,
}

/// What a command printed and how it exited.
#[derive(Debug, Clone)]
pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Stdout, after asserting the command succeeded.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, Some(0), "command failed: {self:?}");
        &self.stdout
    }

    /// Stderr (trimmed), after asserting the command failed with exit status 1.
    #[track_caller]
    pub fn err(&self) -> &str {
        assert_eq!(self.code, Some(1), "command should fail with 1: {self:?}");
        self.stderr.trim()
    }

    /// Stdout lines, after asserting success.
    #[track_caller]
    pub fn lines(&self) -> Vec<String> {
        self.ok().lines().map(str::to_owned).collect()
    }
}

impl Sim {
    /// Starts `ksmc-sim serve --scenario <scenario>` and waits for its `estate.json`.
    pub fn start(scenario: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_ksmc-sim"))
            .args(["serve", "--scenario", scenario, "--dir"])
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
        // estate.json is written last; give a slow machine a moment to finish writing it.
        std::thread::sleep(Duration::from_millis(50));
        Self {
            child: Some(child),
            dir,
            cache: tempfile::tempdir().unwrap(),
        }
    }

    pub fn kubeconfig(&self, cluster: &str) -> PathBuf {
        self.dir.path().join(format!("{cluster}.kubeconfig"))
    }

    /// `estate.json`.
    pub fn manifest(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.dir.path().join("estate.json")).unwrap())
            .unwrap()
    }

    /// `kubectl <args> --kubeconfig <cluster>` with the PATH kubectl (the gcloud dispatcher,
    /// which picks the kubectl matching the cluster's version).
    pub fn kubectl(&self, cluster: &str, args: &[&str]) -> Out {
        self.kubectl_with(Path::new("kubectl"), cluster, args, None)
    }

    /// As [`Sim::kubectl`], with `stdin` fed to the command (for `-f -`).
    pub fn kubectl_in(&self, cluster: &str, args: &[&str], stdin: &str) -> Out {
        self.kubectl_with(Path::new("kubectl"), cluster, args, Some(stdin))
    }

    /// A given kubectl binary.
    pub fn kubectl_with(
        &self,
        bin: &Path,
        cluster: &str,
        args: &[&str],
        stdin: Option<&str>,
    ) -> Out {
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .arg("--kubeconfig")
            .arg(self.kubeconfig(cluster));
        self.env(&mut cmd);
        run(cmd, stdin, COMMAND_DEADLINE)
    }

    /// Runs a shell command line verbatim with `KUBECONFIG` pointing at `cluster`, as an
    /// administrator pasting a documented command would.
    pub fn sh(&self, cluster: &str, script: &str) -> Out {
        let mut cmd = Command::new("bash");
        cmd.args(["-c", script])
            .env("KUBECONFIG", self.kubeconfig(cluster));
        self.env(&mut cmd);
        run(cmd, None, COMMAND_DEADLINE)
    }

    /// Starts a long-running kubectl (a watch); its stdout is collected line by line.
    pub fn spawn_kubectl(&self, cluster: &str, args: &[&str]) -> Background {
        let mut cmd = Command::new("kubectl");
        cmd.args(args)
            .arg("--kubeconfig")
            .arg(self.kubeconfig(cluster));
        self.env(&mut cmd);
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl must be installed (see README: bash .ci/setup)");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Background {
            child,
            lines,
            reader: Some(reader),
        }
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env("KUBECACHEDIR", self.cache.path())
            .env("HOME", self.cache.path())
            .env_remove("KUBECTL_EXTERNAL_DIFF");
    }

    /// One field of an object via `-o jsonpath`, or `None` when the object does not exist.
    pub fn jsonpath(&self, cluster: &str, what: &[&str], path: &str) -> Option<String> {
        let expr = format!("jsonpath={path}");
        let mut args = vec!["get"];
        args.extend_from_slice(what);
        args.extend_from_slice(&["-o", &expr]);
        let out = self.kubectl(cluster, &args);
        match out.code {
            Some(0) => Some(out.stdout),
            _ if out.stderr.contains("(NotFound)") => None,
            _ => panic!("kubectl get failed: {out:?}"),
        }
    }

    /// Polls `check` until it holds or `within` passes.
    #[track_caller]
    pub fn eventually(&self, what: &str, within: Duration, mut check: impl FnMut() -> bool) {
        let deadline = Instant::now() + within;
        while !check() {
            assert!(Instant::now() < deadline, "timed out waiting for: {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until an object's resourceVersion stays the same for a moment: the simulated
    /// controllers (namespace controller, GC) have finished reacting to the last change.
    pub fn settle(&self, cluster: &str, what: &[&str]) {
        let mut last = self.jsonpath(cluster, what, "{.metadata.resourceVersion}");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let now = self.jsonpath(cluster, what, "{.metadata.resourceVersion}");
            if now == last || Instant::now() > deadline {
                return;
            }
            last = now;
        }
    }

    /// Stops the simulator with SIGTERM and returns what it printed.
    pub fn terminate(mut self) -> std::process::Output {
        let child = self.child.take().unwrap();
        let pid = child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success());
        let mut child = child;
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < deadline,
                "ksmc-sim did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().unwrap()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A kubectl running in the background.
#[derive(Debug)]
pub struct Background {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    /// The lines printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Waits until a printed line satisfies `pred`.
    #[track_caller]
    pub fn wait_for(&self, what: &str, within: Duration, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + within;
        while !self.lines().iter().any(|l| pred(l)) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; printed so far: {:#?}",
                self.lines()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the command and returns every line it printed and its stderr.
    pub fn stop(mut self) -> (Vec<String>, String) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        (self.lines(), err)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a command to completion with a deadline; kills it and fails the test when it hangs.
pub fn run(mut cmd: Command, stdin: Option<&str>, deadline: Duration) -> Out {
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{cmd:?} cannot start ({e}); kubectl must be installed (see README: bash .ci/setup)"
            )
        });
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(input.as_bytes()).unwrap();
    }
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let end = Instant::now() + deadline;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{cmd:?} did not finish within {deadline:?}; stdout: {:?} stderr: {:?}",
                out_reader.join().unwrap_or_default(),
                err_reader.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Out {
        code: status.code(),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

/// The versioned kubectl binaries beside the one on PATH (`kubectl.1.27` … `kubectl.1.33`),
/// as `(minor, path)`; versions whose binary is absent are left out.
pub fn versioned_kubectls() -> Vec<(u32, PathBuf)> {
    let on_path = Command::new("bash")
        .args(["-c", "readlink -f \"$(command -v kubectl)\""])
        .output()
        .expect("bash runs");
    let target = PathBuf::from(String::from_utf8_lossy(&on_path.stdout).trim());
    let Some(dir) = target.parent() else {
        return Vec::new();
    };
    (27..=33)
        .map(|minor| (minor, dir.join(format!("kubectl.1.{minor}"))))
        .filter(|(_, p)| p.is_file())
        .collect()
}

/// Rows of a table printed by kubectl, split on whitespace.
pub fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

/// Whether `text` matches a tiny pattern language: `*` matches any run of characters
/// (used for ages and generated names in expected output).
pub fn like(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(pos) = rest.find(part) else {
                return false;
            };
            rest = &rest[pos + part.len()..];
        }
    }
    rest.is_empty()
}
