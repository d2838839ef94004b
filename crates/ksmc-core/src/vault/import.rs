//! Import rules: what ksmc accepts from a kubeconfig, before anything is stored.
//!
//! The input comes from a file, pasted text, or the user's kubeconfig (the `KUBECONFIG` list,
//! else `~/.kube/config`, merged as kubectl merges them). Each input is capped at 1 MiB before
//! it is parsed, and parsed only by kube's parser. One context is chosen; only its cluster,
//! user and context are kept. CA, certificate and key files it references are read once (64 KiB
//! each, PEM only) and inlined, so the stored kubeconfig names no file except an exec command.
//!
//! Refused: `auth-provider`, username/password, `tokenFile`, `http://` servers other than
//! loopback, server URLs with userinfo, query or fragment, exec plugins of another API version
//! or with environment variables that change how programs load. Held until acknowledged:
//! `insecure-skip-tls-verify`, impersonation, `proxy-url`, `tls-server-name`. Exec plugins are
//! stored, never run here, and need an approval before use.
//!
//! Nothing here executes a program, connects anywhere, or puts a value of the kubeconfig (a
//! token, key, exec argument or environment value) in an error or a `Debug` output.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use kube::config::{
    AuthInfo, Cluster, Context, ExecConfig, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::kubeconfig::MAX_KUBECONFIG_BYTES;
use crate::vault::registry::{Acknowledgement, AuthKind};
use crate::vault::seal::sha256_hex;

/// CA, certificate and key files referenced by a kubeconfig larger than this are refused.
pub const MAX_REFERENCED_FILE_BYTES: u64 = 64 * 1024;

/// The exec credential API versions ksmc's runner will accept.
pub const EXEC_API_VERSIONS: [&str; 2] = [
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
];

/// Environment variables an exec plugin may not set: they change what gets loaded or run.
const DENIED_ENV_NAMES: [&str; 16] = [
    "PATH",
    "NODE_OPTIONS",
    "NODE_PATH",
    "BASH_ENV",
    "ENV",
    "RUBYOPT",
    "RUBYLIB",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "GCONV_PATH",
    "IFS",
    "SHELLOPTS",
    "PS4",
    "PROMPT_COMMAND",
    "GIT_EXEC_PATH",
];
const DENIED_ENV_PREFIXES: [&str; 4] = ["LD_", "DYLD_", "PYTHON", "PERL"];

/// Why an import was refused. Names fields, paths and context names; never values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{what} is larger than {limit_kib} KiB; refused unread")]
    TooLarge { what: String, limit_kib: u64 },
    #[error("cannot read {}: {cause}", .path.display())]
    Unreadable { path: PathBuf, cause: String },
    #[error("{what} is not a valid kubeconfig")]
    NotKubeconfig { what: String },
    #[error(
        "no kubeconfig found: KUBECONFIG names no existing file and ~/.kube/config does not exist"
    )]
    NoUserKubeconfig,
    #[error("{what} has no context")]
    NoContexts { what: String },
    #[error("{what} has no current-context; choose one of: {}", .available.join(", "))]
    NoCurrentContext {
        what: String,
        available: Vec<String>,
    },
    #[error("{what} has no context {name:?}; choose one of: {}", .available.join(", "))]
    ContextNotFound {
        what: String,
        name: String,
        available: Vec<String>,
    },
    #[error("context {context:?} names the cluster {cluster:?}, which is not defined")]
    ClusterNotFound { context: String, cluster: String },
    #[error("context {context:?} names the user {user:?}, which is not defined")]
    UserNotFound { context: String, user: String },
    #[error("cluster {cluster:?} has no server")]
    NoServer { cluster: String },
    #[error("the server URL of cluster {cluster:?} is not a valid https:// URL")]
    BadServerUrl { cluster: String },
    #[error(
        "the server URL of cluster {cluster:?} contains user information (user:password@); refused"
    )]
    ServerUserinfo { cluster: String },
    #[error("the server URL of cluster {cluster:?} has a query or a fragment; refused")]
    ServerQueryOrFragment { cluster: String },
    #[error(
        "cluster {cluster:?} is served over plain http:// at {host}; only https:// is accepted (plain http only on loopback)"
    )]
    PlainHttp { cluster: String, host: String },
    #[error(
        "the server URL of cluster {cluster:?} uses the scheme {scheme:?}; only https:// is accepted"
    )]
    UnsupportedScheme { cluster: String, scheme: String },
    #[error(
        "user {user:?} uses the auth-provider {provider:?}; auth-provider plugins are refused (they run commands and are removed from Kubernetes): use an exec plugin or a token"
    )]
    AuthProvider { user: String, provider: String },
    #[error(
        "user {user:?} uses a username and password (basic auth); refused: use a token or a client certificate"
    )]
    BasicAuth { user: String },
    #[error(
        "user {user:?} reads its token from a file (tokenFile); refused: put the token in the kubeconfig"
    )]
    TokenFile { user: String },
    #[error(
        "user {user:?} has a client certificate without its key, or a key without its certificate"
    )]
    IncompleteClientCertificate { user: String },
    #[error("the exec plugin of user {user:?} has no command")]
    ExecNoCommand { user: String },
    #[error(
        "the exec plugin of user {user:?} uses the API version {version:?}; only client.authentication.k8s.io/v1 and v1beta1 are accepted"
    )]
    ExecApiVersion { user: String, version: String },
    #[error(
        "the exec plugin of user {user:?} sets {}, which change how programs load or run; refused",
        .names.join(", ")
    )]
    ExecEnv { user: String, names: Vec<String> },
    #[error(
        "the exec plugin of user {user:?} has a malformed env entry (each needs a name and a value)"
    )]
    ExecEnvMalformed { user: String },
    #[error(
        "the exec command of user {user:?} is a relative path; in pasted text use an absolute path or a command name"
    )]
    ExecRelativeCommand { user: String },
    #[error("{field} refers to {}: {reason}", .path.display())]
    FileReference {
        field: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("{field} is not valid base64-encoded PEM data")]
    BadData { field: &'static str },
}

impl ImportError {
    /// A stable, machine-readable reason.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too-large",
            Self::Unreadable { .. } => "unreadable",
            Self::NotKubeconfig { .. } => "not-kubeconfig",
            Self::NoUserKubeconfig => "no-user-kubeconfig",
            Self::NoContexts { .. } => "no-contexts",
            Self::NoCurrentContext { .. } => "no-current-context",
            Self::ContextNotFound { .. } => "context-not-found",
            Self::ClusterNotFound { .. } => "cluster-not-found",
            Self::UserNotFound { .. } => "user-not-found",
            Self::NoServer { .. } => "no-server",
            Self::BadServerUrl { .. } => "bad-server-url",
            Self::ServerUserinfo { .. } => "server-userinfo",
            Self::ServerQueryOrFragment { .. } => "server-query-or-fragment",
            Self::PlainHttp { .. } => "plain-http",
            Self::UnsupportedScheme { .. } => "unsupported-scheme",
            Self::AuthProvider { .. } => "auth-provider",
            Self::BasicAuth { .. } => "basic-auth",
            Self::TokenFile { .. } => "token-file",
            Self::IncompleteClientCertificate { .. } => "incomplete-client-certificate",
            Self::ExecNoCommand { .. } => "exec-no-command",
            Self::ExecApiVersion { .. } => "exec-api-version",
            Self::ExecEnv { .. } => "exec-env",
            Self::ExecEnvMalformed { .. } => "exec-env-malformed",
            Self::ExecRelativeCommand { .. } => "exec-relative-command",
            Self::FileReference { .. } => "file-reference",
            Self::BadData { .. } => "bad-data",
        }
    }
}

/// Where a kubeconfig comes from.
#[derive(Clone)]
pub enum ImportSource {
    /// One file; relative paths in it are relative to its directory.
    File(PathBuf),
    /// Several files merged in order, as `KUBECONFIG` lists them.
    Files(Vec<PathBuf>),
    /// Pasted text; relative paths in it are refused.
    Text(String),
}

impl std::fmt::Debug for ImportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(p) => f.debug_tuple("File").field(p).finish(),
            Self::Files(p) => f.debug_tuple("Files").field(p).finish(),
            Self::Text(t) => write!(f, "Text({} bytes)", t.len()),
        }
    }
}

impl ImportSource {
    /// The user's kubeconfig as kubectl finds it: the files of `KUBECONFIG` that exist, else
    /// `~/.kube/config`.
    ///
    /// # Errors
    /// [`ImportError::NoUserKubeconfig`] when none exists.
    pub fn user_kubeconfig() -> Result<Self, ImportError> {
        let home = directories::BaseDirs::new().map(|d| d.home_dir().to_owned());
        user_kubeconfig_paths(std::env::var_os("KUBECONFIG"), home).map(Self::Files)
    }
}

/// The files kubectl would merge, given the value of `KUBECONFIG` and the home directory.
///
/// # Errors
/// [`ImportError::NoUserKubeconfig`] when none of them exists.
pub fn user_kubeconfig_paths(
    kubeconfig_env: Option<OsString>,
    home: Option<PathBuf>,
) -> Result<Vec<PathBuf>, ImportError> {
    let listed: Vec<PathBuf> = kubeconfig_env
        .as_deref()
        .map(|v| {
            std::env::split_paths(v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    let candidates = if listed.is_empty() {
        home.map(|h| vec![h.join(".kube").join("config")])
            .unwrap_or_default()
    } else {
        listed
    };
    let mut seen = Vec::new();
    for p in candidates {
        if p.is_file() && !seen.contains(&p) {
            seen.push(p);
        }
    }
    if seen.is_empty() {
        return Err(ImportError::NoUserKubeconfig);
    }
    Ok(seen)
}

/// A context the user can choose, with what it points at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ContextChoice {
    pub name: String,
    pub cluster: String,
    pub user: Option<String>,
    pub server: Option<String>,
    pub namespace: Option<String>,
    pub current: bool,
}

/// A parsed (and, for several files, merged) kubeconfig, not yet checked.
pub struct LoadedKubeconfig {
    what: String,
    /// The stem of the file, when the source is one file (a default cluster name).
    file_stem: Option<String>,
    kubeconfig: Kubeconfig,
    /// Pasted text: relative paths have no base directory.
    pasted: bool,
}

impl std::fmt::Debug for LoadedKubeconfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedKubeconfig")
            .field("what", &self.what)
            .field("contexts", &self.context_names())
            .finish_non_exhaustive()
    }
}

fn read_capped(path: &Path, limit: u64, what: &str) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let unreadable = |e: std::io::Error| ImportError::Unreadable {
        path: path.to_owned(),
        cause: e.kind().to_string(),
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let too_large = || ImportError::TooLarge {
        what: what.to_owned(),
        limit_kib: limit / 1024,
    };
    if file.metadata().map_err(unreadable)?.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

fn parse(what: &str, text: &str) -> Result<Kubeconfig, ImportError> {
    if text.len() > MAX_KUBECONFIG_BYTES {
        return Err(ImportError::TooLarge {
            what: what.to_owned(),
            limit_kib: (MAX_KUBECONFIG_BYTES / 1024) as u64,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // kube's parser only; its error may quote the input, so it is not shown.
    Kubeconfig::from_yaml(text).map_err(|_| ImportError::NotKubeconfig {
        what: what.to_owned(),
    })
}

fn absolutize(dir: &Path, path: &mut Option<String>) {
    if let Some(p) = path.as_mut()
        && !p.is_empty()
        && Path::new(p.as_str()).is_relative()
    {
        let relative = p.strip_prefix("./").unwrap_or(p.as_str());
        *p = dir.join(relative).to_string_lossy().into_owned();
    }
}

/// Makes the file references of one file absolute against its directory, as kubectl does.
fn resolve_relative_paths(kubeconfig: &mut Kubeconfig, dir: &Path) {
    for named in &mut kubeconfig.clusters {
        if let Some(cluster) = named.cluster.as_mut() {
            absolutize(dir, &mut cluster.certificate_authority);
        }
    }
    for named in &mut kubeconfig.auth_infos {
        if let Some(user) = named.auth_info.as_mut() {
            absolutize(dir, &mut user.client_certificate);
            absolutize(dir, &mut user.client_key);
            absolutize(dir, &mut user.token_file);
            if let Some(exec) = user.exec.as_mut()
                && exec
                    .command
                    .as_deref()
                    .is_some_and(|c| c.contains('/') || c.contains(std::path::MAIN_SEPARATOR))
            {
                absolutize(dir, &mut exec.command);
            }
        }
    }
}

impl LoadedKubeconfig {
    /// Reads and parses the source; for several files, merges them (the first to define a
    /// name or the current context wins).
    ///
    /// # Errors
    /// When an input is over 1 MiB, unreadable, or not a kubeconfig.
    pub fn load(source: &ImportSource) -> Result<Self, ImportError> {
        match source {
            ImportSource::Text(text) => Ok(Self {
                what: "the pasted kubeconfig".into(),
                file_stem: None,
                kubeconfig: parse("the pasted kubeconfig", text)?,
                pasted: true,
            }),
            ImportSource::File(path) => Self::load_files(std::slice::from_ref(path)),
            ImportSource::Files(paths) => Self::load_files(paths),
        }
    }

    fn load_files(paths: &[PathBuf]) -> Result<Self, ImportError> {
        let mut merged: Option<Kubeconfig> = None;
        for path in paths {
            let what = path.display().to_string();
            let bytes = read_capped(path, MAX_KUBECONFIG_BYTES as u64, &what)?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| ImportError::NotKubeconfig { what: what.clone() })?;
            let mut kubeconfig = parse(&what, text)?;
            let dir = path
                .parent()
                .map(Path::to_owned)
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or_else(|| PathBuf::from("."));
            let dir = std::path::absolute(&dir).unwrap_or(dir);
            resolve_relative_paths(&mut kubeconfig, &dir);
            merged = Some(match merged {
                None => kubeconfig,
                Some(m) => m
                    .merge(kubeconfig)
                    .map_err(|_| ImportError::NotKubeconfig { what: what.clone() })?,
            });
        }
        Ok(Self {
            file_stem: match paths {
                [one] => one.file_stem().map(|s| s.to_string_lossy().into_owned()),
                _ => None,
            },
            what: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            kubeconfig: merged.unwrap_or_default(),
            pasted: false,
        })
    }

    fn context_names(&self) -> Vec<String> {
        self.kubeconfig
            .contexts
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// The contexts to choose from.
    #[must_use]
    pub fn contexts(&self) -> Vec<ContextChoice> {
        let current = self.kubeconfig.current_context.as_deref();
        self.kubeconfig
            .contexts
            .iter()
            .filter_map(|named| {
                let ctx = named.context.as_ref()?;
                let server = self
                    .kubeconfig
                    .clusters
                    .iter()
                    .find(|c| c.name == ctx.cluster)
                    .and_then(|c| c.cluster.as_ref())
                    .and_then(|c| c.server.clone())
                    .filter(|s| server_is_displayable(s));
                Some(ContextChoice {
                    name: named.name.clone(),
                    cluster: ctx.cluster.clone(),
                    user: ctx.user.clone(),
                    server,
                    namespace: ctx.namespace.clone(),
                    current: current == Some(named.name.as_str()),
                })
            })
            .collect()
    }

    /// The context `context`, or the current context, checked, minimised and with its files
    /// inlined.
    ///
    /// # Errors
    /// The specific reason the context is refused.
    pub fn prepare(&self, context: Option<&str>) -> Result<PreparedImport, ImportError> {
        let kc = &self.kubeconfig;
        if kc.contexts.is_empty() {
            return Err(ImportError::NoContexts {
                what: self.what.clone(),
            });
        }
        let context_name = match context {
            Some(c) => c.to_owned(),
            None => kc
                .current_context
                .clone()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| ImportError::NoCurrentContext {
                    what: self.what.clone(),
                    available: self.context_names(),
                })?,
        };
        let ctx = kc
            .contexts
            .iter()
            .find(|c| c.name == context_name)
            .and_then(|c| c.context.as_ref())
            .ok_or_else(|| ImportError::ContextNotFound {
                what: self.what.clone(),
                name: context_name.clone(),
                available: self.context_names(),
            })?;
        let cluster_name = ctx.cluster.clone();
        let cluster = kc
            .clusters
            .iter()
            .find(|c| c.name == cluster_name)
            .and_then(|c| c.cluster.as_ref())
            .ok_or_else(|| ImportError::ClusterNotFound {
                context: context_name.clone(),
                cluster: cluster_name.clone(),
            })?;
        let server = cluster
            .server
            .clone()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| ImportError::NoServer {
                cluster: cluster_name.clone(),
            })?;
        check_server(&cluster_name, &server)?;

        let mut needs = Vec::new();
        if cluster.insecure_skip_tls_verify == Some(true) {
            needs.push(Acknowledgement::InsecureSkipTlsVerify);
        }
        if cluster.proxy_url.as_deref().is_some_and(|p| !p.is_empty()) {
            needs.push(Acknowledgement::ProxyUrl);
        }
        if cluster
            .tls_server_name
            .as_deref()
            .is_some_and(|p| !p.is_empty())
        {
            needs.push(Acknowledgement::TlsServerName);
        }

        let mut files_read = Vec::new();
        let ca_data = self.inline(
            "certificate-authority",
            cluster.certificate_authority_data.as_deref(),
            cluster.certificate_authority.as_deref(),
            PemKind::Certificate,
            &mut files_read,
        )?;
        let ca_fingerprint = ca_data
            .as_deref()
            .map(|d| first_der("certificate-authority-data", d, PemKind::Certificate))
            .transpose()?
            .map(|der| sha256_hex(&der));

        let minimal_cluster = Cluster {
            server: Some(server.clone()),
            insecure_skip_tls_verify: cluster.insecure_skip_tls_verify.filter(|v| *v),
            certificate_authority_data: ca_data.map(|d| d.to_string()),
            proxy_url: cluster.proxy_url.clone().filter(|p| !p.is_empty()),
            tls_server_name: cluster.tls_server_name.clone().filter(|p| !p.is_empty()),
            disable_compression: cluster.disable_compression,
            ..Cluster::default()
        };

        let (user_entry, auth_kind, exec) = match ctx.user.as_deref().filter(|u| !u.is_empty()) {
            None => (None, AuthKind::None, None),
            Some(user_name) => {
                let user = kc
                    .auth_infos
                    .iter()
                    .find(|a| a.name == user_name)
                    .ok_or_else(|| ImportError::UserNotFound {
                        context: context_name.clone(),
                        user: user_name.to_owned(),
                    })?
                    .auth_info
                    .clone()
                    .unwrap_or_default();
                let (minimal, kind, exec) =
                    self.check_user(user_name, &user, &mut needs, &mut files_read)?;
                (
                    Some(NamedAuthInfo {
                        name: user_name.to_owned(),
                        auth_info: Some(minimal),
                        other: Default::default(),
                    }),
                    kind,
                    exec,
                )
            }
        };

        let minimal = Kubeconfig {
            api_version: Some("v1".into()),
            kind: Some("Config".into()),
            clusters: vec![NamedCluster {
                name: cluster_name.clone(),
                cluster: Some(minimal_cluster),
                other: Default::default(),
            }],
            auth_infos: user_entry.into_iter().collect(),
            contexts: vec![NamedContext {
                name: context_name.clone(),
                context: Some(Context {
                    cluster: cluster_name,
                    user: ctx.user.clone().filter(|u| !u.is_empty()),
                    namespace: ctx.namespace.clone(),
                    extensions: None,
                    other: Default::default(),
                }),
                other: Default::default(),
            }],
            current_context: Some(context_name.clone()),
            ..Kubeconfig::default()
        };
        let serialized = Zeroizing::new(serde_json::to_vec(&minimal).map_err(|_| {
            ImportError::NotKubeconfig {
                what: self.what.clone(),
            }
        })?);
        if serialized.len() > MAX_KUBECONFIG_BYTES {
            return Err(ImportError::TooLarge {
                what: format!("context {context_name:?} with its files inlined"),
                limit_kib: (MAX_KUBECONFIG_BYTES / 1024) as u64,
            });
        }
        needs.sort();
        needs.dedup();
        Ok(PreparedImport {
            source_label: self.what.clone(),
            file_stem: self.file_stem.clone(),
            context_name,
            server,
            ca_fingerprint,
            auth_kind,
            needs_acknowledgement: needs,
            exec,
            files_read,
            serialized,
        })
    }

    fn check_user(
        &self,
        user_name: &str,
        user: &AuthInfo,
        needs: &mut Vec<Acknowledgement>,
        files_read: &mut Vec<PathBuf>,
    ) -> Result<(AuthInfo, AuthKind, Option<ExecSummary>), ImportError> {
        let user_err = || user_name.to_owned();
        if let Some(provider) = &user.auth_provider {
            return Err(ImportError::AuthProvider {
                user: user_err(),
                provider: provider.name.clone(),
            });
        }
        if user.username.as_deref().is_some_and(|u| !u.is_empty()) || user.password.is_some() {
            return Err(ImportError::BasicAuth { user: user_err() });
        }
        if user.token_file.as_deref().is_some_and(|t| !t.is_empty()) {
            return Err(ImportError::TokenFile { user: user_err() });
        }
        if user.impersonate.is_some()
            || user.impersonate_uid.is_some()
            || user.impersonate_groups.is_some()
            || user.impersonate_user_extra.is_some()
        {
            needs.push(Acknowledgement::Impersonation);
        }
        let cert = self.inline(
            "client-certificate",
            user.client_certificate_data.as_deref(),
            user.client_certificate.as_deref(),
            PemKind::Certificate,
            files_read,
        )?;
        let key_data = {
            use secrecy::ExposeSecret as _;
            user.client_key_data
                .as_ref()
                .map(|k| Zeroizing::new(k.expose_secret().to_owned()))
        };
        let key = self.inline(
            "client-key",
            key_data.as_deref().map(String::as_str),
            user.client_key.as_deref(),
            PemKind::PrivateKey,
            files_read,
        )?;
        if cert.is_some() != key.is_some() {
            return Err(ImportError::IncompleteClientCertificate { user: user_err() });
        }
        if let Some(c) = cert.as_deref() {
            first_der("client-certificate-data", c, PemKind::Certificate)?;
        }
        if let Some(k) = key.as_deref() {
            first_der("client-key-data", k, PemKind::PrivateKey)?;
        }
        let exec = user
            .exec
            .as_ref()
            .map(|e| self.check_exec(user_name, e))
            .transpose()?;
        let token = user
            .token
            .as_ref()
            .filter(|t| {
                use secrecy::ExposeSecret as _;
                !t.expose_secret().is_empty()
            })
            .cloned();
        let kind = if exec.is_some() {
            AuthKind::Exec
        } else if token.is_some() {
            AuthKind::Token
        } else if cert.is_some() {
            AuthKind::ClientCertificate
        } else {
            AuthKind::None
        };
        let minimal = AuthInfo {
            token,
            client_certificate_data: cert.map(|c| c.to_string()),
            client_key_data: key.map(|k| k.to_string().into()),
            impersonate: user.impersonate.clone(),
            impersonate_uid: user.impersonate_uid.clone(),
            impersonate_groups: user.impersonate_groups.clone(),
            impersonate_user_extra: user.impersonate_user_extra.clone(),
            exec: exec.as_ref().map(|(config, _)| config.clone()),
            ..AuthInfo::default()
        };
        Ok((minimal, kind, exec.map(|(_, summary)| summary)))
    }

    fn check_exec(
        &self,
        user_name: &str,
        exec: &ExecConfig,
    ) -> Result<(ExecConfig, ExecSummary), ImportError> {
        let user = || user_name.to_owned();
        let version = exec.api_version.clone().unwrap_or_default();
        if !EXEC_API_VERSIONS.contains(&version.as_str()) {
            return Err(ImportError::ExecApiVersion {
                user: user(),
                version,
            });
        }
        let command = exec
            .command
            .clone()
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| ImportError::ExecNoCommand { user: user() })?;
        let has_separator = command.contains('/') || command.contains(std::path::MAIN_SEPARATOR);
        if has_separator && Path::new(&command).is_relative() {
            // Files have had their relative commands resolved; only pasted text gets here.
            return Err(ImportError::ExecRelativeCommand { user: user() });
        }
        let mut env_names = Vec::new();
        let mut denied = Vec::new();
        for entry in exec.env.iter().flatten() {
            let name = entry
                .get("name")
                .filter(|n| !n.is_empty())
                .ok_or_else(|| ImportError::ExecEnvMalformed { user: user() })?;
            if !entry.contains_key("value") {
                return Err(ImportError::ExecEnvMalformed { user: user() });
            }
            if is_denied_env(name) {
                denied.push(name.clone());
            }
            env_names.push(name.clone());
        }
        if !denied.is_empty() {
            return Err(ImportError::ExecEnv {
                user: user(),
                names: denied,
            });
        }
        let minimal = ExecConfig {
            api_version: Some(version.clone()),
            command: Some(command.clone()),
            args: exec.args.clone(),
            env: exec.env.as_ref().map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        e.iter()
                            .filter(|(k, _)| *k == "name" || *k == "value")
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect::<HashMap<_, _>>()
                    })
                    .collect()
            }),
            drop_env: None,
            install_hint: exec.install_hint.clone(),
            interactive_mode: exec.interactive_mode.clone(),
            provide_cluster_info: exec.provide_cluster_info,
            cluster: None,
            other: Default::default(),
        };
        let arg_count = u32::try_from(exec.args.as_ref().map_or(0, Vec::len)).unwrap_or(u32::MAX);
        Ok((
            minimal,
            ExecSummary {
                command,
                api_version: version,
                arg_count,
                env_names,
            },
        ))
    }

    /// The inline data for a field: its `-data` form when present, else the referenced file,
    /// read now (at most 64 KiB, PEM only) and base64-encoded.
    fn inline(
        &self,
        field: &'static str,
        data: Option<&str>,
        path: Option<&str>,
        kind: PemKind,
        files_read: &mut Vec<PathBuf>,
    ) -> Result<Option<Zeroizing<String>>, ImportError> {
        if let Some(data) = data.filter(|d| !d.trim().is_empty()) {
            return Ok(Some(Zeroizing::new(data.trim().to_owned())));
        }
        let Some(path) = path.filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let path = PathBuf::from(path);
        if path.is_relative() {
            let reason = if self.pasted {
                "a relative path in pasted text has no directory to be relative to; use an absolute path or inline the data"
            } else {
                "not an absolute path"
            };
            return Err(ImportError::FileReference {
                field,
                path,
                reason: reason.into(),
            });
        }
        let bytes = read_capped(
            &path,
            MAX_REFERENCED_FILE_BYTES,
            &path.display().to_string(),
        )
        .map_err(|e| ImportError::FileReference {
            field,
            path: path.clone(),
            reason: match e {
                ImportError::TooLarge { .. } => {
                    format!("larger than {} KiB", MAX_REFERENCED_FILE_BYTES / 1024)
                }
                ImportError::Unreadable { cause, .. } => cause,
                other => other.to_string(),
            },
        })?;
        if pem_blocks(&bytes, kind).next().is_none() {
            return Err(ImportError::FileReference {
                field,
                path,
                reason: format!("not a PEM file with {}", kind.describe()),
            });
        }
        files_read.push(path);
        Ok(Some(Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(&*bytes),
        )))
    }
}

fn is_denied_env(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    DENIED_ENV_NAMES.contains(&upper.as_str())
        || DENIED_ENV_PREFIXES.iter().any(|p| upper.starts_with(p))
}

/// Whether a server URL may be shown (no userinfo, query or fragment that could hold secrets).
fn server_is_displayable(server: &str) -> bool {
    !server.contains('@') && !server.contains('?') && !server.contains('#')
}

fn check_server(cluster: &str, server: &str) -> Result<(), ImportError> {
    let cluster = || cluster.to_owned();
    let server = server.trim();
    let Some((scheme, rest)) = server.split_once("://") else {
        return Err(ImportError::BadServerUrl { cluster: cluster() });
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.contains('@') {
        return Err(ImportError::ServerUserinfo { cluster: cluster() });
    }
    if rest.contains('?') || rest.contains('#') {
        return Err(ImportError::ServerQueryOrFragment { cluster: cluster() });
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(ImportError::UnsupportedScheme {
            cluster: cluster(),
            scheme: scheme.chars().take(16).collect(),
        });
    }
    if authority.is_empty()
        || authority
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ImportError::BadServerUrl { cluster: cluster() });
    }
    let host = host_of(authority);
    if scheme == "http" && !is_loopback(host) {
        return Err(ImportError::PlainHttp {
            cluster: cluster(),
            host: host.to_owned(),
        });
    }
    Ok(())
}

/// The host of an authority (`[::1]:6443` → `::1`, `10.0.0.1:6443` → `10.0.0.1`).
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority.rsplit_once(':').map_or(authority, |(h, _)| h)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[derive(Clone, Copy, Debug)]
enum PemKind {
    Certificate,
    PrivateKey,
}

impl PemKind {
    fn describe(self) -> &'static str {
        match self {
            Self::Certificate => "a certificate",
            Self::PrivateKey => "a private key",
        }
    }

    fn matches(self, label: &str) -> bool {
        match self {
            Self::Certificate => label == "CERTIFICATE",
            Self::PrivateKey => label.ends_with("PRIVATE KEY"),
        }
    }
}

/// The base64 bodies of the PEM blocks of a kind.
fn pem_blocks(pem: &[u8], kind: PemKind) -> impl Iterator<Item = Zeroizing<String>> + '_ {
    let text = std::str::from_utf8(pem).unwrap_or("");
    let mut lines = text.lines();
    std::iter::from_fn(move || {
        loop {
            let line = lines.next()?.trim();
            let Some(label) = line
                .strip_prefix("-----BEGIN ")
                .and_then(|l| l.strip_suffix("-----"))
            else {
                continue;
            };
            let mut body = Zeroizing::new(String::new());
            let mut closed = false;
            for l in lines.by_ref() {
                let l = l.trim();
                if l.starts_with("-----END ") {
                    closed = true;
                    break;
                }
                body.push_str(l);
            }
            if closed && kind.matches(label) {
                return Some(body);
            }
        }
    })
}

/// The DER of the first block of `kind` in base64-encoded PEM data.
fn first_der(
    field: &'static str,
    data: &str,
    kind: PemKind,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let engine = base64::engine::general_purpose::STANDARD;
    let compact: Zeroizing<String> = Zeroizing::new(data.split_whitespace().collect());
    let pem = Zeroizing::new(
        engine
            .decode(compact.as_bytes())
            .map_err(|_| ImportError::BadData { field })?,
    );
    let body = pem_blocks(&pem, kind)
        .next()
        .ok_or(ImportError::BadData { field })?;
    engine
        .decode(body.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| ImportError::BadData { field })
}

/// What is known about an exec plugin at import, without secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecSummary {
    pub command: String,
    pub api_version: String,
    pub arg_count: u32,
    pub env_names: Vec<String>,
}

/// A checked, minimised kubeconfig ready to be sealed. Its `Debug` shows no secret.
pub struct PreparedImport {
    pub source_label: String,
    /// The file's stem when imported from one file (the fallback cluster name).
    pub file_stem: Option<String>,
    pub context_name: String,
    pub server: String,
    pub ca_fingerprint: Option<String>,
    pub auth_kind: AuthKind,
    /// The risky fields present, which must be acknowledged to add it.
    pub needs_acknowledgement: Vec<Acknowledgement>,
    pub exec: Option<ExecSummary>,
    /// The referenced files that were read and inlined (to show the user).
    pub files_read: Vec<PathBuf>,
    /// The minimised kubeconfig (JSON, which kube's YAML parser reads back).
    serialized: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for PreparedImport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedImport")
            .field("source_label", &self.source_label)
            .field("file_stem", &self.file_stem)
            .field("context_name", &self.context_name)
            .field("server", &self.server)
            .field("ca_fingerprint", &self.ca_fingerprint)
            .field("auth_kind", &self.auth_kind)
            .field("needs_acknowledgement", &self.needs_acknowledgement)
            .field("exec", &self.exec)
            .field("files_read", &self.files_read)
            .finish_non_exhaustive()
    }
}

impl PreparedImport {
    pub(crate) fn serialized(&self) -> &[u8] {
        &self.serialized
    }
}

/// Loads `source` and prepares one context (the current one when `context` is `None`).
///
/// # Errors
/// As [`LoadedKubeconfig::load`] and [`LoadedKubeconfig::prepare`].
pub fn prepare(
    source: &ImportSource,
    context: Option<&str>,
) -> Result<PreparedImport, ImportError> {
    LoadedKubeconfig::load(source)?.prepare(context)
}

/// The contexts of `source`, for a picker.
///
/// # Errors
/// As [`LoadedKubeconfig::load`].
pub fn contexts(source: &ImportSource) -> Result<Vec<ContextChoice>, ImportError> {
    Ok(LoadedKubeconfig::load(source)?.contexts())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls() {
        assert!(check_server("c", "https://10.0.0.1:6443").is_ok());
        assert!(check_server("c", "https://k8s.example.com").is_ok());
        assert!(check_server("c", "http://127.0.0.1:8080").is_ok());
        assert!(check_server("c", "http://[::1]:8080").is_ok());
        assert!(check_server("c", "http://localhost:8080/").is_ok());
        assert_eq!(
            check_server("c", "http://10.0.0.1:8080")
                .unwrap_err()
                .reason(),
            "plain-http"
        );
        assert_eq!(
            check_server("c", "https://u:p@10.0.0.1")
                .unwrap_err()
                .reason(),
            "server-userinfo"
        );
        assert_eq!(
            check_server("c", "http://u:p@10.0.0.1")
                .unwrap_err()
                .reason(),
            "server-userinfo"
        );
        assert_eq!(
            check_server("c", "https://h/?token=x")
                .unwrap_err()
                .reason(),
            "server-query-or-fragment"
        );
        assert_eq!(
            check_server("c", "ftp://h").unwrap_err().reason(),
            "unsupported-scheme"
        );
        assert_eq!(
            check_server("c", "h:6443").unwrap_err().reason(),
            "bad-server-url"
        );
    }

    #[test]
    fn denied_env_names() {
        for n in [
            "LD_PRELOAD",
            "ld_library_path",
            "DYLD_INSERT_LIBRARIES",
            "PATH",
            "PYTHONPATH",
            "NODE_OPTIONS",
            "BASH_ENV",
            "PERL5LIB",
        ] {
            assert!(is_denied_env(n), "{n}");
        }
        for n in ["AWS_PROFILE", "KUBECONFIG_X", "HOME", "MY_PATH"] {
            assert!(!is_denied_env(n), "{n}");
        }
    }

    #[test]
    fn kubectl_merge_order_for_the_user_kubeconfig() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::write(&a, "x").unwrap();
        std::fs::write(&b, "x").unwrap();
        let missing = dir.path().join("missing");
        let env = std::env::join_paths([&missing, &b, &a, &b]).unwrap();
        assert_eq!(
            user_kubeconfig_paths(Some(env), None).unwrap(),
            vec![b.clone(), a.clone()]
        );
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".kube")).unwrap();
        assert_eq!(
            user_kubeconfig_paths(None, Some(home.clone())).unwrap_err(),
            ImportError::NoUserKubeconfig
        );
        std::fs::write(home.join(".kube/config"), "x").unwrap();
        assert_eq!(
            user_kubeconfig_paths(Some(OsString::new()), Some(home.clone())).unwrap(),
            vec![home.join(".kube/config")]
        );
    }
}
