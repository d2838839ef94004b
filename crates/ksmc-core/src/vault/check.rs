//! `vault test`: connect to one cluster of the vault and tell, as distinct and actionable
//! results, whether its credentials can be had, the server can be reached, TLS verifies, the
//! server accepts the credentials, and they may list namespaces and read `kubesphere-system`.
//!
//! Every detail is ksmc's own text or the API server's status message; never a credential.

use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
use serde::{Deserialize, Serialize};

use crate::facts::ClusterRole;
use crate::vault::{Acknowledgement, AuthKind, ClusterRecord, Vault, VaultError};

/// One request's deadline.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);
/// The TCP connection's deadline.
const CONNECT_DEADLINE: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum CheckName {
    /// The stored credentials can be unsealed (and an exec plugin run).
    Credentials,
    /// A TCP connection to the server's address.
    Reachability,
    /// The TLS handshake, verified against the kubeconfig's CA.
    Tls,
    /// The API server accepts the credentials.
    Authentication,
    /// RBAC lets them list namespaces and read `kubesphere-system`.
    Authorization,
    /// KubeSphere is installed (`kubesphere-system` exists).
    Kubesphere,
}

impl CheckName {
    pub const ALL: [Self; 6] = [
        Self::Credentials,
        Self::Reachability,
        Self::Tls,
        Self::Authentication,
        Self::Authorization,
        Self::Kubesphere,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Credentials => "credentials",
            Self::Reachability => "reachability",
            Self::Tls => "tls",
            Self::Authentication => "authentication",
            Self::Authorization => "authorization",
            Self::Kubesphere => "kubesphere",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Passed,
    /// Works, with something to know (e.g. TLS not verified, KubeSphere not installed).
    Warning,
    Failed,
    /// Not checked: an earlier check failed.
    Skipped,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub name: CheckName,
    pub status: CheckStatus,
    pub detail: String,
    /// What to do about a failure or a warning.
    pub fix: Option<String>,
}

/// What `vault test` found, check by check, in the order they were made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ClusterTestReport {
    pub cluster: String,
    pub server: String,
    /// No check failed (warnings allowed).
    pub ok: bool,
    pub kubernetes_version: Option<String>,
    /// How many times the exec plugin was run again after a 401 (0 or 1).
    pub exec_reruns: u32,
    pub checks: Vec<Check>,
}

impl ClusterTestReport {
    /// The result of one check.
    #[must_use]
    pub fn check(&self, name: CheckName) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    fn push(
        &mut self,
        name: CheckName,
        status: CheckStatus,
        detail: impl Into<String>,
        fix: Option<String>,
    ) {
        self.checks.push(Check {
            name,
            status,
            detail: detail.into(),
            fix,
        });
    }

    fn pass(&mut self, name: CheckName, detail: impl Into<String>) {
        self.push(name, CheckStatus::Passed, detail, None);
    }

    fn fail(&mut self, name: CheckName, detail: impl Into<String>, fix: impl Into<String>) {
        self.push(name, CheckStatus::Failed, detail, Some(fix.into()));
    }

    /// Marks every check not made yet as skipped, and settles `ok`.
    fn finish(mut self) -> Self {
        for name in CheckName::ALL {
            if self.check(name).is_none() {
                self.push(
                    name,
                    CheckStatus::Skipped,
                    "not checked: an earlier check failed",
                    None,
                );
            }
        }
        self.checks
            .sort_by_key(|c| CheckName::ALL.iter().position(|n| *n == c.name));
        self.ok = self.checks.iter().all(|c| c.status != CheckStatus::Failed);
        self
    }
}

/// Connects to one cluster of the vault and checks it step by step (see the module). On
/// success its last-seen time is recorded.
///
/// # Errors
/// Only when the cluster is not in the vault or the registry cannot be read; every other
/// problem is a failed check of the report.
pub async fn test_cluster(vault: &Vault, name: &str) -> Result<ClusterTestReport, VaultError> {
    let v = vault.clone();
    let n = name.to_owned();
    let record = tokio::task::spawn_blocking(move || v.get(&n))
        .await
        .map_err(|_| VaultError::Task)??;
    let mut report = ClusterTestReport {
        cluster: record.name.clone(),
        server: record.server.clone(),
        ok: false,
        kubernetes_version: None,
        exec_reruns: 0,
        checks: Vec::new(),
    };

    let opened = vault.open_tracked(name).await;
    let (source, generation) = match opened {
        Ok(opened) => {
            report.pass(CheckName::Credentials, credentials_detail(&record));
            opened
        }
        Err(e) => {
            report.fail(
                CheckName::Credentials,
                e.to_string(),
                credentials_fix(&e, name),
            );
            // The address is known without the credentials.
            reachability(&record, &mut report).await;
            return Ok(report.finish());
        }
    };

    if !reachability(&record, &mut report).await {
        return Ok(report.finish());
    }

    let mut client = match source.client().await {
        Ok(c) => c,
        Err(e) => {
            report.fail(
                CheckName::Tls,
                e.to_string(),
                "the CA or client certificate in the stored kubeconfig cannot be used: import the cluster again from a working kubeconfig",
            );
            return Ok(report.finish());
        }
    };

    match deadline(client.apiserver_version()).await {
        Ok(info) => {
            report.kubernetes_version = Some(info.git_version);
            tls_passed(&record, &mut report);
        }
        // An HTTP answer came over the verified connection.
        Err(Failure::Kube(kube::Error::Api(_))) => tls_passed(&record, &mut report),
        Err(Failure::Timeout) => {
            report.fail(
                CheckName::Tls,
                format!(
                    "the server accepted the connection but no TLS handshake or answer came within {} s",
                    REQUEST_DEADLINE.as_secs()
                ),
                "check that this address is the API server (not a load balancer without backends) and that no firewall or proxy holds the connection",
            );
            return Ok(report.finish());
        }
        Err(Failure::Kube(e)) => {
            let cause = root_cause(&e);
            report.fail(
                CheckName::Tls,
                format!("TLS failed: {cause}"),
                tls_fix(&cause),
            );
            return Ok(report.finish());
        }
    }

    let mut listed = deadline(list_namespaces(&client)).await;
    if is_status(&listed, 401)
        && let Some(generation) = generation
    {
        // The plugin's credential was refused: run it again, once.
        report.exec_reruns = 1;
        match vault.reopen_tracked(name, Some(generation)).await {
            Ok((again, _)) => match again.client().await {
                Ok(c) => {
                    client = c;
                    listed = deadline(list_namespaces(&client)).await;
                    if report.kubernetes_version.is_none() {
                        report.kubernetes_version = deadline(client.apiserver_version())
                            .await
                            .ok()
                            .map(|i| i.git_version);
                    }
                }
                Err(e) => {
                    report.fail(
                        CheckName::Authentication,
                        e.to_string(),
                        "import the cluster again from a working kubeconfig",
                    );
                    return Ok(report.finish());
                }
            },
            Err(e) => {
                report.fail(
                    CheckName::Authentication,
                    e.to_string(),
                    credentials_fix(&e, name),
                );
                return Ok(report.finish());
            }
        }
    }
    let reran = if report.exec_reruns > 0 {
        " (after running the credential plugin again)"
    } else {
        ""
    };
    match listed {
        Ok(()) => report.pass(
            CheckName::Authentication,
            format!("the API server accepted the credentials{reran}"),
        ),
        Err(Failure::Kube(kube::Error::Api(s))) if s.code == 401 => {
            report.fail(
                CheckName::Authentication,
                format!(
                    "the API server refused the credentials (401 {}){reran}",
                    s.reason
                ),
                unauthorized_fix(&record),
            );
            return Ok(report.finish());
        }
        Err(Failure::Kube(kube::Error::Api(s))) if s.code == 403 => {
            if s.message.contains("system:anonymous") {
                report.fail(
                    CheckName::Authentication,
                    "the API server took the requests as anonymous: it accepted no credential of the kubeconfig",
                    unauthorized_fix(&record),
                );
                return Ok(report.finish());
            }
            report.pass(
                CheckName::Authentication,
                format!("the API server accepted the credentials{reran}"),
            );
            report.fail(
                CheckName::Authorization,
                format!("cannot list namespaces: {}", s.message),
                RBAC_FIX,
            );
            return Ok(report.finish());
        }
        Err(e) => {
            report.fail(
                CheckName::Authentication,
                format!("listing namespaces failed: {}", e.text()),
                "retry; if it persists, check the server's health",
            );
            return Ok(report.finish());
        }
    }

    let namespaces: Api<Namespace> = Api::all(client.clone());
    match deadline(namespaces.get_opt("kubesphere-system")).await {
        Ok(Some(_)) => {
            report.pass(
                CheckName::Authorization,
                "can list namespaces and read namespace kubesphere-system",
            );
            report.pass(CheckName::Kubesphere, "namespace kubesphere-system exists");
        }
        Ok(None) => {
            report.pass(
                CheckName::Authorization,
                "can list namespaces and read namespaces",
            );
            report.push(
                CheckName::Kubesphere,
                CheckStatus::Warning,
                "there is no namespace kubesphere-system: KubeSphere is not installed on this cluster",
                Some("install KubeSphere, or use it as a plain Kubernetes cluster (a KubeSphere 4.1 host can import it as a member)".into()),
            );
        }
        Err(Failure::Kube(kube::Error::Api(s))) if s.code == 403 => {
            report.fail(
                CheckName::Authorization,
                format!(
                    "can list namespaces but cannot read namespace kubesphere-system: {}",
                    s.message
                ),
                RBAC_FIX,
            );
        }
        Err(e) => {
            report.fail(
                CheckName::Authorization,
                format!("reading namespace kubesphere-system failed: {}", e.text()),
                "retry; if it persists, check the server's health",
            );
        }
    }

    let report = report.finish();
    if report.ok {
        let v = vault.clone();
        let seen = vec![(record.name.clone(), ClusterRole::Unknown)];
        match tokio::task::spawn_blocking(move || v.mark_seen(&seen)).await {
            Ok(Ok(())) => {}
            _ => tracing::warn!(cluster = %record.name, "cannot record when the cluster was seen"),
        }
    }
    Ok(report)
}

const RBAC_FIX: &str = "ksmc needs a cluster-admin identity: bind this user to the cluster-admin ClusterRole (or import a cluster-admin kubeconfig)";

enum Failure {
    Kube(kube::Error),
    Timeout,
}

impl Failure {
    fn text(&self) -> String {
        match self {
            Self::Kube(e) => crate::error::ClusterError::from_kube(e).to_string(),
            Self::Timeout => format!("no answer within {} s", REQUEST_DEADLINE.as_secs()),
        }
    }
}

fn is_status<T>(result: &Result<T, Failure>, code: u16) -> bool {
    matches!(result, Err(Failure::Kube(kube::Error::Api(s))) if s.code == code)
}

async fn deadline<T>(
    request: impl std::future::Future<Output = Result<T, kube::Error>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(REQUEST_DEADLINE, request).await {
        Ok(result) => result.map_err(Failure::Kube),
        Err(_) => Err(Failure::Timeout),
    }
}

async fn list_namespaces(client: &kube::Client) -> Result<(), kube::Error> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces.list(&ListParams::default().limit(1)).await?;
    Ok(())
}

fn credentials_detail(record: &ClusterRecord) -> String {
    match (&record.auth_kind, &record.exec) {
        (AuthKind::Exec, Some(exec)) => format!(
            "the approved credential plugin {} gave a credential",
            exec.command
        ),
        (AuthKind::Token, _) => "a bearer token, unsealed".into(),
        (AuthKind::ClientCertificate, _) => "a client certificate and key, unsealed".into(),
        _ => "no credentials: requests are anonymous".into(),
    }
}

fn credentials_fix(e: &VaultError, name: &str) -> String {
    match e {
        VaultError::ApprovalRequired { .. } | VaultError::ApprovalChanged { .. } => format!(
            "review the plugin with `ksmc vault approve-exec {name}`, then approve it with the fingerprint shown"
        ),
        VaultError::ExecFailed { .. } | VaultError::ReauthRequired { .. } => {
            "run the plugin's command in a terminal to see why it fails (a login may have expired), then retry".into()
        }
        VaultError::ExecRateLimited { .. } => "wait a few seconds and retry".into(),
        VaultError::Locked(_) | VaultError::Integrity(_) => format!(
            "remove the cluster (`ksmc vault remove {name}`) and import its kubeconfig again"
        ),
        VaultError::KeyMissing { .. } => format!(
            "restore the vault key in the OS keyring, or remove the cluster (`ksmc vault remove {name}`) and import it again"
        ),
        VaultError::Keyring(_) => "see `ksmc vault status` for the keyring's state".into(),
        _ => "see the message".into(),
    }
}

/// A TCP connection to the server's address. `false` when it failed (the report says why).
async fn reachability(record: &ClusterRecord, report: &mut ClusterTestReport) -> bool {
    if record.acknowledgements.contains(&Acknowledgement::ProxyUrl) {
        report.push(
            CheckName::Reachability,
            CheckStatus::Passed,
            "not checked directly: requests go through the kubeconfig's proxy (the TLS check below covers the way through it)",
            None,
        );
        return true;
    }
    let Some((host, port)) = host_port(&record.server) else {
        report.fail(
            CheckName::Reachability,
            format!("the server URL {} has no host", record.server),
            "import a kubeconfig with a valid server URL",
        );
        return false;
    };
    let unreachable_fix = "check the server address, that the API server is running, and your network (VPN, firewall)";
    let addrs: Vec<std::net::SocketAddr> = match tokio::time::timeout(
        CONNECT_DEADLINE,
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(addrs)) => addrs.collect(),
        Ok(Err(_)) | Err(_) => {
            report.fail(
                CheckName::Reachability,
                format!("cannot resolve the host name {host}"),
                "check the server address and your DNS (a VPN may be needed)",
            );
            return false;
        }
    };
    let mut last = String::from("no address");
    for addr in &addrs {
        match tokio::time::timeout(CONNECT_DEADLINE, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => {
                report.pass(
                    CheckName::Reachability,
                    format!("{host}:{port} accepts connections ({addr})"),
                );
                return true;
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = format!("{addr} refused the connection: nothing listens there");
            }
            Ok(Err(e)) => last = format!("{addr}: {e}"),
            Err(_) => {
                last = format!(
                    "{addr} did not answer within {} s",
                    CONNECT_DEADLINE.as_secs()
                );
            }
        }
    }
    report.fail(
        CheckName::Reachability,
        format!("cannot connect to {host}:{port}: {last}"),
        unreachable_fix,
    );
    false
}

/// The host and port of an `https://` (or loopback `http://`) server URL.
fn host_port(server: &str) -> Option<(String, u16)> {
    let uri: http::Uri = server.parse().ok()?;
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    Some((host.to_owned(), port))
}

fn tls_passed(record: &ClusterRecord, report: &mut ClusterTestReport) {
    if record
        .acknowledgements
        .contains(&Acknowledgement::InsecureSkipTlsVerify)
    {
        report.push(
            CheckName::Tls,
            CheckStatus::Warning,
            "connected, but the server's certificate is not verified (insecure-skip-tls-verify, acknowledged)",
            Some("add the cluster's CA (certificate-authority-data) to the kubeconfig and import it again without insecure-skip-tls-verify".into()),
        );
        return;
    }
    if record.server.starts_with("http://") {
        report.push(
            CheckName::Tls,
            CheckStatus::Warning,
            "plain HTTP on loopback: no TLS",
            None,
        );
        return;
    }
    let detail = match &record.ca_fingerprint {
        Some(fp) => {
            format!("the server's certificate is verified against the kubeconfig's CA ({fp})")
        }
        None => "the server's certificate is verified (no CA in the kubeconfig: the trusted roots)"
            .into(),
    };
    report.pass(CheckName::Tls, detail);
}

fn tls_fix(cause: &str) -> String {
    let c = cause.to_ascii_lowercase();
    if c.contains("unknownissuer") || c.contains("unknown issuer") || c.contains("badsignature") {
        "the server's certificate is not signed by the CA in the kubeconfig: import a kubeconfig with the cluster's current certificate-authority-data".into()
    } else if c.contains("notvalidforname") || c.contains("not valid for name") {
        "the server's certificate does not name this address: use the address it was issued for (or set tls-server-name and acknowledge it)".into()
    } else if c.contains("expired") {
        "the server's certificate has expired (or this machine's clock is wrong): renew the API server's certificate".into()
    } else {
        "check that this address serves the Kubernetes API over HTTPS and that no proxy intercepts TLS".into()
    }
}

fn unauthorized_fix(record: &ClusterRecord) -> String {
    match record.auth_kind {
        AuthKind::Exec => "the plugin's credential is refused: run the plugin's command in a terminal to check the account it logs in with".into(),
        AuthKind::Token => "the token is expired, revoked or for another cluster: import a kubeconfig with a valid token (then remove this one)".into(),
        AuthKind::ClientCertificate => "the client certificate is expired or not trusted by this cluster: import a kubeconfig with a valid certificate".into(),
        AuthKind::None => "the kubeconfig has no credentials: import one with a token, a client certificate or an exec plugin".into(),
    }
}

/// The innermost cause of a kube error (names the actual failure, e.g. the TLS alert).
fn root_cause(e: &kube::Error) -> String {
    let mut current: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_of_server_urls() {
        assert_eq!(
            host_port("https://10.0.0.1:6443"),
            Some(("10.0.0.1".into(), 6443))
        );
        assert_eq!(
            host_port("https://k8s.example.com/prefix"),
            Some(("k8s.example.com".into(), 443))
        );
        assert_eq!(host_port("http://[::1]:8080"), Some(("::1".into(), 8080)));
        assert_eq!(host_port("not a url"), None);
    }

    #[test]
    fn tls_fixes_name_the_cause() {
        assert!(tls_fix("invalid peer certificate: UnknownIssuer").contains("not signed"));
        assert!(tls_fix("invalid peer certificate: NotValidForName").contains("address"));
        assert!(tls_fix("invalid peer certificate: Expired").contains("expired"));
        assert!(tls_fix("received corrupt message").contains("HTTPS"));
    }

    #[test]
    fn finishing_skips_what_was_not_checked_and_settles_ok() {
        let mut report = ClusterTestReport {
            cluster: "c".into(),
            server: "https://h".into(),
            ok: true,
            kubernetes_version: None,
            exec_reruns: 0,
            checks: Vec::new(),
        };
        report.pass(CheckName::Credentials, "ok");
        report.fail(CheckName::Reachability, "down", "fix");
        let report = report.finish();
        assert!(!report.ok);
        assert_eq!(report.checks.len(), CheckName::ALL.len());
        assert_eq!(
            report.check(CheckName::Tls).unwrap().status,
            CheckStatus::Skipped
        );
        assert_eq!(report.checks[1].name, CheckName::Reachability);
    }
}
