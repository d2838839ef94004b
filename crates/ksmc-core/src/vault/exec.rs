//! ksmc's own runner of exec credential plugins. kube's client is never handed an `exec`
//! section: the vault runs an approved plugin here and gives kube the token or client
//! certificate it printed, as static credentials.
//!
//! A run: the resolved absolute path (never a `PATH` lookup at spawn time), stdin null
//! (`interactiveMode` is treated as `Never`; `Always` is refused), a minimal inherited
//! environment (no `KUBECONFIG`, `KUBE_*`, loader variables…) with the plugin's own `env`
//! entries on top and `KUBERNETES_EXEC_INFO` as kubectl sets it, a fixed working directory (the
//! home directory), its own process group, a hard timeout that kills the whole group, and a cap
//! on stdout. Stderr is read and counted but never kept, logged or shown: plugins print tokens
//! and account details there. Only an `ExecCredential` of `client.authentication.k8s.io/v1` or
//! `v1beta1` (the version the kubeconfig asked for) with a token or a client certificate and key
//! is accepted.
//!
//! Credentials are cached per approved invocation for the life of the process: until their
//! `expirationTimestamp` minus a margin, or, without one, until the API server refuses them
//! (one forced re-run on a 401). Re-runs of one plugin are rate-limited.
//!
//! Nothing here puts an argument, an environment value, the plugin's output or a credential in
//! an error, a log line or a `Debug` output.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use tokio::io::AsyncReadExt as _;
use zeroize::Zeroizing;

use crate::vault::import::EXEC_API_VERSIONS;

/// The bounds of a plugin run and of the credential cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecLimits {
    /// A run that takes longer is killed (with its process group) and fails.
    pub timeout: Duration,
    /// More bytes on stdout than this: the run is killed and its output refused.
    pub max_stdout: usize,
    /// A credential is run for again this long before its `expirationTimestamp`.
    pub expiry_margin: Duration,
    /// One plugin is not run again sooner than this after its previous run (a failed run
    /// included), except once after the API server refused its credential.
    pub min_rerun_interval: Duration,
}

impl ExecLimits {
    /// 60 s, as the security requirements ask.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
    /// 1 MiB.
    pub const DEFAULT_MAX_STDOUT: usize = 1024 * 1024;
}

impl Default for ExecLimits {
    fn default() -> Self {
        Self {
            timeout: Self::DEFAULT_TIMEOUT,
            max_stdout: Self::DEFAULT_MAX_STDOUT,
            expiry_margin: Duration::from_secs(30),
            min_rerun_interval: Duration::from_secs(5),
        }
    }
}

/// Why a plugin run gave no credential. Carries no output, argument, environment value or
/// credential: only what ksmc observed about the run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExecFailure {
    #[error("it could not be started ({0})")]
    Spawn(String),
    #[error("it did not finish within {0} s and was killed")]
    Timeout(u64),
    #[error(
        "it wrote more than {limit_kib} KiB to standard output; it was killed and its output refused"
    )]
    OutputTooLarge { limit_kib: u64 },
    #[error("reading its output failed ({0})")]
    Io(String),
    #[error(
        "it ended with {status}{}",
        stderr_note(*.stderr_bytes)
    )]
    Exit { status: String, stderr_bytes: usize },
    #[error(
        "it asks for an interactive terminal (interactiveMode: Always), which ksmc never gives a plugin"
    )]
    Interactive,
    #[error("its output is not an ExecCredential ksmc accepts: {0}")]
    BadOutput(&'static str),
}

fn stderr_note(bytes: usize) -> String {
    if bytes == 0 {
        String::new()
    } else {
        format!(
            " (its {bytes}-byte error output is not shown: it may hold secrets; run the command in a terminal to read it)"
        )
    }
}

impl ExecFailure {
    /// A stable, machine-readable reason.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Spawn(_) => "spawn",
            Self::Timeout(_) => "timeout",
            Self::OutputTooLarge { .. } => "output-too-large",
            Self::Io(_) => "io",
            Self::Exit { .. } => "exit-status",
            Self::Interactive => "interactive",
            Self::BadOutput(_) => "bad-output",
        }
    }
}

/// Everything needed to run one approved plugin. Its `Debug` shows the program only.
pub(crate) struct ExecPlan {
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<Zeroizing<String>>,
    pub(crate) env: Vec<(String, Zeroizing<String>)>,
    pub(crate) api_version: String,
    pub(crate) interactive_always: bool,
    /// The `KUBERNETES_EXEC_INFO` value.
    pub(crate) exec_info: Zeroizing<String>,
}

impl std::fmt::Debug for ExecPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecPlan")
            .field("program", &self.program)
            .field("api_version", &self.api_version)
            .field("args", &self.args.len())
            .field("env", &self.env.iter().map(|(n, _)| n).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// `KUBERNETES_EXEC_INFO` as kubectl sets it: never interactive (stdin is null), and the
/// cluster's connection details when the kubeconfig asks for them (`provideClusterInfo`).
pub(crate) fn exec_info(api_version: &str, cluster: Option<&kube::config::Cluster>) -> String {
    let mut spec = serde_json::json!({"interactive": false});
    if let Some(c) = cluster {
        let mut info = serde_json::Map::new();
        if let Some(server) = &c.server {
            info.insert("server".into(), server.clone().into());
        }
        if let Some(name) = &c.tls_server_name {
            info.insert("tls-server-name".into(), name.clone().into());
        }
        if c.insecure_skip_tls_verify == Some(true) {
            info.insert("insecure-skip-tls-verify".into(), true.into());
        }
        if let Some(ca) = &c.certificate_authority_data {
            // Both are base64 of the PEM bundle.
            info.insert("certificate-authority-data".into(), ca.clone().into());
        }
        if let Some(proxy) = &c.proxy_url {
            info.insert("proxy-url".into(), proxy.clone().into());
        }
        spec["cluster"] = serde_json::Value::Object(info);
    }
    serde_json::json!({
        "kind": "ExecCredential",
        "apiVersion": api_version,
        "spec": spec,
    })
    .to_string()
}

/// What a plugin gave. Its `Debug` shows which kind of credential and the expiry only.
pub(crate) struct Credential {
    pub(crate) token: Option<SecretString>,
    /// PEM.
    pub(crate) client_certificate: Option<Zeroizing<String>>,
    /// PEM.
    pub(crate) client_key: Option<SecretString>,
    pub(crate) expires: Option<jiff::Timestamp>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("token", &self.token.is_some())
            .field("client_certificate", &self.client_certificate.is_some())
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// Good for use now and for the margin ahead.
    fn fresh(&self, margin: Duration) -> bool {
        self.expires.is_none_or(|t| {
            let margin = jiff::SignedDuration::try_from(margin).unwrap_or_default();
            jiff::Timestamp::now()
                .checked_add(margin)
                .is_ok_and(|m| m < t)
        })
    }

    /// Past its expiry.
    fn expired(&self) -> bool {
        self.expires.is_some_and(|t| jiff::Timestamp::now() >= t)
    }
}

#[derive(Deserialize)]
struct RawCredential {
    kind: Option<String>,
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    status: Option<RawStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStatus {
    token: Option<SecretString>,
    client_certificate_data: Option<String>,
    client_key_data: Option<SecretString>,
    expiration_timestamp: Option<String>,
}

/// Checks a plugin's stdout. Never quotes it (serde's messages can).
fn parse(stdout: &[u8], expected_api_version: &str) -> Result<Credential, ExecFailure> {
    let raw: RawCredential = serde_json::from_slice(stdout)
        .map_err(|_| ExecFailure::BadOutput("it is not a JSON ExecCredential object"))?;
    if raw.kind.as_deref() != Some("ExecCredential") {
        return Err(ExecFailure::BadOutput("its kind is not ExecCredential"));
    }
    let version = raw.api_version.as_deref().unwrap_or_default();
    if !EXEC_API_VERSIONS.contains(&version) {
        return Err(ExecFailure::BadOutput(
            "its apiVersion is not client.authentication.k8s.io/v1 or v1beta1",
        ));
    }
    if version != expected_api_version {
        return Err(ExecFailure::BadOutput(
            "its apiVersion is not the one the kubeconfig asked for",
        ));
    }
    let status = raw
        .status
        .ok_or(ExecFailure::BadOutput("it has no status"))?;
    let token = status.token.filter(|t| !t.expose_secret().is_empty());
    let cert = status
        .client_certificate_data
        .filter(|c| !c.trim().is_empty())
        .map(Zeroizing::new);
    let key = status
        .client_key_data
        .filter(|k| !k.expose_secret().trim().is_empty());
    if cert.is_some() != key.is_some() {
        return Err(ExecFailure::BadOutput(
            "it has a client certificate without its key, or a key without its certificate",
        ));
    }
    if token.is_none() && cert.is_none() {
        return Err(ExecFailure::BadOutput(
            "it has neither a token nor a client certificate and key",
        ));
    }
    let expires = status
        .expiration_timestamp
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<jiff::Timestamp>().map_err(|_| {
                ExecFailure::BadOutput("its expirationTimestamp is not an RFC 3339 time")
            })
        })
        .transpose()?;
    Ok(Credential {
        token,
        client_certificate: cert,
        client_key: key,
        expires,
    })
}

/// The variables a plugin inherits from ksmc's environment; everything else (`KUBECONFIG`,
/// `KUBE_*`, `LD_*`, language runtimes' options, ksmc's own settings…) is not passed.
const INHERITED_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "XDG_RUNTIME_DIR",
    "DBUS_SESSION_BUS_ADDRESS",
    // Browser-based logins (kubelogin, gcloud) open a window.
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XAUTHORITY",
    "BROWSER",
    // Reaching the identity provider.
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    // Windows.
    "SYSTEMROOT",
    "SYSTEMDRIVE",
    "WINDIR",
    "COMSPEC",
    "PATHEXT",
    "USERPROFILE",
    "USERNAME",
    "HOMEDRIVE",
    "HOMEPATH",
    "APPDATA",
    "LOCALAPPDATA",
    "PROGRAMDATA",
    "PROGRAMFILES",
    "TEMP",
    "TMP",
];

fn inherited_env() -> Vec<(OsString, OsString)> {
    std::env::vars_os()
        .filter(|(name, _)| {
            name.to_str().is_some_and(|n| {
                INHERITED_ENV
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(n))
                    || n.starts_with("LC_")
            })
        })
        .collect()
}

fn working_dir() -> PathBuf {
    directories::BaseDirs::new()
        .map(|d| d.home_dir().to_owned())
        .filter(|h| h.is_dir())
        .unwrap_or_else(|| PathBuf::from(std::path::MAIN_SEPARATOR_STR))
}

/// Runs a plugin once.
pub(crate) async fn run(plan: &ExecPlan, limits: &ExecLimits) -> Result<Credential, ExecFailure> {
    if plan.interactive_always {
        return Err(ExecFailure::Interactive);
    }
    let mut cmd = tokio::process::Command::new(&plan.program);
    cmd.args(plan.args.iter().map(|a| a.as_str()))
        .env_clear()
        .envs(inherited_env())
        .env("KUBERNETES_EXEC_INFO", plan.exec_info.as_str())
        .envs(plan.env.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .current_dir(working_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| ExecFailure::Spawn(e.kind().to_string()))?;
    let group = child.id();
    tracing::debug!(program = %plan.program.display(), "running an approved credential plugin");

    let outcome =
        tokio::time::timeout(limits.timeout, collect(&mut child, limits.max_stdout)).await;
    let result = match outcome {
        Err(_) => {
            kill_group(&mut child, group).await;
            Err(ExecFailure::Timeout(limits.timeout.as_secs().max(1)))
        }
        Ok(Err(e)) => {
            kill_group(&mut child, group).await;
            Err(e)
        }
        Ok(Ok((stdout, stderr_bytes, status))) => {
            if status.success() {
                parse(&stdout, &plan.api_version)
            } else {
                Err(ExecFailure::Exit {
                    status: status.to_string(),
                    stderr_bytes,
                })
            }
        }
    };
    tracing::debug!(
        program = %plan.program.display(),
        ms = started.elapsed().as_millis() as u64,
        ok = result.is_ok(),
        failure = result.as_ref().err().map(ExecFailure::reason),
        "credential plugin finished"
    );
    result
}

/// Reads stdout (capped) and stderr (counted, discarded) to their ends, then waits.
async fn collect(
    child: &mut tokio::process::Child,
    cap: usize,
) -> Result<(Zeroizing<Vec<u8>>, usize, std::process::ExitStatus), ExecFailure> {
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out = async move {
        // Allocated once: a growing buffer would leave copies of the output behind.
        let mut buf = Zeroizing::new(Vec::with_capacity(cap.min(64 * 1024) + 1));
        let Some(mut stdout) = stdout else {
            return Ok(buf);
        };
        let mut chunk = Zeroizing::new([0u8; 8192]);
        loop {
            let n = stdout
                .read(&mut chunk[..])
                .await
                .map_err(|e| ExecFailure::Io(e.kind().to_string()))?;
            if n == 0 {
                return Ok(buf);
            }
            if buf.len() + n > cap {
                return Err(ExecFailure::OutputTooLarge {
                    limit_kib: (cap / 1024) as u64,
                });
            }
            if buf.len() + n > buf.capacity() {
                let mut bigger = Zeroizing::new(Vec::with_capacity(cap + 1));
                bigger.extend_from_slice(&buf);
                buf = bigger;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    let err = async move {
        let Some(mut stderr) = stderr else {
            return Ok(0);
        };
        let mut chunk = Zeroizing::new([0u8; 8192]);
        let mut total = 0usize;
        loop {
            match stderr.read(&mut chunk[..]).await {
                Ok(0) | Err(_) => return Ok(total),
                Ok(n) => total = total.saturating_add(n),
            }
        }
    };
    let (stdout, stderr_bytes) = futures::future::try_join(out, err).await?;
    let status = child
        .wait()
        .await
        .map_err(|e| ExecFailure::Io(e.kind().to_string()))?;
    Ok((stdout, stderr_bytes, status))
}

/// Kills the plugin and every process it started in its group, and reaps it.
async fn kill_group(child: &mut tokio::process::Child, group: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = group
        .and_then(|g| i32::try_from(g).ok())
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = group;
    let _ = child.start_kill();
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
}

/// Why no credential came from the cache or a run.
#[derive(Debug)]
pub(crate) enum Unavailable {
    Failed(ExecFailure),
    /// Run too recently; nothing usable is cached.
    RateLimited(Duration),
    /// The API server refused a credential, and the plugin was already re-run for a refusal
    /// moments ago.
    ReauthRequired,
}

/// What a caller wants from the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// A cached credential when it is still fresh, else a run.
    Cached,
    /// The API server refused the credential of this generation: run again (once).
    RefreshAfter(u64),
}

#[derive(Default)]
struct Entry {
    credential: Option<Arc<Credential>>,
    generation: u64,
    last_run: Option<Instant>,
    last_forced: Option<Instant>,
    last_failure: Option<ExecFailure>,
}

type Slots = Mutex<HashMap<String, Arc<tokio::sync::Mutex<Entry>>>>;

fn static_slots() -> &'static Slots {
    static SLOTS: OnceLock<Slots> = OnceLock::new();
    SLOTS.get_or_init(Slots::default)
}

/// Per approved invocation (its fingerprint), for the life of the process.
fn slot(key: &str) -> Arc<tokio::sync::Mutex<Entry>> {
    static_slots()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key.to_owned())
        .or_default()
        .clone()
}

fn existing_slot(key: &str) -> Option<Arc<tokio::sync::Mutex<Entry>>> {
    static_slots()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(key)
        .cloned()
}

/// The generation of the credential cached for an invocation (0: none yet).
pub(crate) async fn current_generation(key: &str) -> u64 {
    match existing_slot(key) {
        Some(slot) => slot.lock().await.generation,
        None => 0,
    }
}

/// The expiry of the credential this process holds for an invocation: RFC 3339, or `"none"`
/// for one without expiry. `None` when nothing is cached (or a run is under way).
pub(crate) fn cached_expiry(key: &str) -> Option<String> {
    let slot = existing_slot(key)?;
    let entry = slot.try_lock().ok()?;
    let credential = entry.credential.as_ref()?;
    Some(
        credential
            .expires
            .map_or_else(|| "none".to_owned(), |t| t.to_string()),
    )
}

/// A credential for an approved invocation: cached, or from a run. Runs of one invocation are
/// serialised (concurrent callers wait for one run) and rate-limited.
pub(crate) async fn credential(
    key: &str,
    plan: &ExecPlan,
    limits: &ExecLimits,
    want: Want,
) -> Result<(Arc<Credential>, u64), Unavailable> {
    let slot = slot(key);
    let mut entry = slot.lock().await;
    let now = Instant::now();
    match want {
        Want::Cached => {
            if let Some(c) = &entry.credential
                && c.fresh(limits.expiry_margin)
            {
                return Ok((c.clone(), entry.generation));
            }
            if let Some(last) = entry.last_run
                && now.duration_since(last) < limits.min_rerun_interval
            {
                if let Some(c) = &entry.credential
                    && !c.expired()
                {
                    return Ok((c.clone(), entry.generation));
                }
                if let Some(f) = &entry.last_failure {
                    return Err(Unavailable::Failed(f.clone()));
                }
                return Err(Unavailable::RateLimited(
                    limits.min_rerun_interval - now.duration_since(last),
                ));
            }
        }
        Want::RefreshAfter(generation) => {
            if generation != entry.generation
                && let Some(c) = &entry.credential
            {
                // Someone else ran it again since.
                return Ok((c.clone(), entry.generation));
            }
            if entry
                .last_forced
                .is_some_and(|t| now.duration_since(t) < limits.min_rerun_interval)
            {
                return Err(Unavailable::ReauthRequired);
            }
            entry.last_forced = Some(now);
            entry.credential = None;
        }
    }
    entry.last_run = Some(now);
    match run(plan, limits).await {
        Ok(c) => {
            let c = Arc::new(c);
            entry.credential = Some(c.clone());
            entry.generation += 1;
            entry.last_failure = None;
            Ok((c, entry.generation))
        }
        Err(f) => {
            entry.credential = None;
            entry.last_failure = Some(f.clone());
            Err(Unavailable::Failed(f))
        }
    }
}

/// Runs a future to completion on a runtime of its own, on a thread of its own: for the
/// blocking API of the vault, which may be called inside or outside a Tokio runtime.
pub(crate) fn block_on_isolated<F>(future: F) -> Result<F::Output, ExecFailure>
where
    F: std::future::Future + Send,
    F::Output: Send,
{
    std::thread::scope(|s| {
        let handle = s.spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| rt.block_on(future))
        });
        match handle.join() {
            Ok(result) => result.map_err(|e| ExecFailure::Spawn(e.kind().to_string())),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_checks() {
        let v1 = "client.authentication.k8s.io/v1";
        let ok = br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#;
        let c = parse(ok, v1).unwrap();
        assert!(c.token.is_some() && c.expires.is_some());
        assert!(!format!("{c:?}").contains("\"t\""));
        for (out, why) in [
            (&b"not json"[..], "JSON"),
            (br#"{"kind":"Secret","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t"}}"#, "kind"),
            (br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1","status":{"token":"t"}}"#, "v1beta1"),
            (br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"t"}}"#, "asked for"),
            (br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1"}"#, "no status"),
            (br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":""}}"#, "neither"),
            (br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"clientCertificateData":"c"}}"#, "without its key"),
            (br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t","expirationTimestamp":"soon"}}"#, "RFC 3339"),
        ] {
            let e = parse(out, v1).unwrap_err();
            assert!(e.to_string().contains(why), "{e}");
        }
    }

    #[test]
    fn freshness() {
        let at = |secs: i64| Credential {
            token: Some("t".to_owned().into()),
            client_certificate: None,
            client_key: None,
            expires: Some(jiff::Timestamp::now() + jiff::SignedDuration::from_secs(secs)),
        };
        assert!(at(120).fresh(Duration::from_secs(30)));
        assert!(!at(20).fresh(Duration::from_secs(30)));
        assert!(!at(20).expired());
        assert!(at(-1).expired());
        let forever = Credential {
            expires: None,
            ..at(0)
        };
        assert!(forever.fresh(Duration::from_secs(3600)) && !forever.expired());
    }

    #[test]
    fn exec_info_is_what_kubectl_sets() {
        let info: serde_json::Value =
            serde_json::from_str(&exec_info("client.authentication.k8s.io/v1", None)).unwrap();
        assert_eq!(
            info,
            serde_json::json!({"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1", "spec": {"interactive": false}})
        );
        let cluster = kube::config::Cluster {
            server: Some("https://10.0.0.1:6443".into()),
            certificate_authority_data: Some("Q0E=".into()),
            ..Default::default()
        };
        let info: serde_json::Value = serde_json::from_str(&exec_info(
            "client.authentication.k8s.io/v1beta1",
            Some(&cluster),
        ))
        .unwrap();
        assert_eq!(info["spec"]["cluster"]["server"], "https://10.0.0.1:6443");
        assert_eq!(
            info["spec"]["cluster"]["certificate-authority-data"],
            "Q0E="
        );
    }
}
