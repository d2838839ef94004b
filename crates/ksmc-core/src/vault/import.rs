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
//!
//! `import/`: `load.rs` reading and parsing with their limits, `context.rs` preparing one
//! context, `rules.rs` the refusals of server URLs and exec plugins, `pem.rs` PEM data.

mod context;
mod load;
mod pem;
mod rules;

use std::path::PathBuf;

use kube::config::Kubeconfig;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::vault::registry::{Acknowledgement, AuthKind};

pub use load::user_kubeconfig_paths;

/// CA, certificate and key files referenced by a kubeconfig larger than this are refused.
pub const MAX_REFERENCED_FILE_BYTES: u64 = 64 * 1024;

/// The exec credential API versions ksmc's runner will accept.
pub const EXEC_API_VERSIONS: [&str; 2] = [
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
];

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
