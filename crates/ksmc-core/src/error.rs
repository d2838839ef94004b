//! Errors of the core, and the error-as-data shape every shell (CLI, desktop) shows.

use serde::{Deserialize, Serialize};

/// What kind of failure, as the UI and CLI branch on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ErrorKind {
    NotFound,
    Unauthorized,
    Forbidden,
    Conflict,
    Invalid,
    Unreachable,
    Timeout,
    KeyringUnavailable,
    /// The estate changed since the plan was reviewed: plan again.
    StalePlan,
    /// Another ksmc run holds the estate's lock.
    Locked,
    /// A blocking preflight check failed: nothing was planned or written; fix what the
    /// checklist names (or let ksmc fix it), then plan again.
    PreflightFailed,
    Internal,
}

/// An error as data: kind, a human message that never contains a secret, and the HTTP status
/// where the cluster answered with one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    pub status: Option<u16>,
}

impl AppError {
    #[must_use]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            status: None,
        }
    }
}

/// Errors talking to one cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The kubeconfig could not be used. The message never quotes the file's content.
    #[error("{0}")]
    Kubeconfig(String),
    /// The API server answered with an error status.
    #[error("the API server answered {code} {reason}: {message}")]
    Api {
        code: u16,
        reason: String,
        message: String,
    },
    /// No answer: connection refused, TLS failure, DNS.
    #[error("cannot reach the API server: {0}")]
    Unreachable(String),
    /// No answer in time.
    #[error("the API server did not answer within {0} s")]
    Timeout(u64),
}

impl ClusterError {
    /// Maps a kube-rs error without leaking request bodies or credentials.
    #[must_use]
    pub fn from_kube(e: &kube::Error) -> Self {
        match e {
            kube::Error::Api(status) => Self::Api {
                code: status.code,
                reason: status.reason.clone(),
                message: status.message.clone(),
            },
            kube::Error::Auth(_) => {
                Self::Kubeconfig("the kubeconfig's credentials could not be loaded".into())
            }
            kube::Error::HyperError(_) | kube::Error::Service(_) => {
                Self::Unreachable(root_cause(e))
            }
            kube::Error::RustlsTls(_) => Self::Unreachable(format!("TLS: {}", root_cause(e))),
            other => Self::Unreachable(root_cause(other)),
        }
    }
}

/// The innermost cause, which names the actual failure (e.g. "Connection refused").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

impl From<&ClusterError> for AppError {
    fn from(e: &ClusterError) -> Self {
        let (kind, status) = match e {
            ClusterError::Kubeconfig(_) => (ErrorKind::Invalid, None),
            ClusterError::Api { code, .. } => (
                match code {
                    401 => ErrorKind::Unauthorized,
                    403 => ErrorKind::Forbidden,
                    404 => ErrorKind::NotFound,
                    409 => ErrorKind::Conflict,
                    400 | 422 => ErrorKind::Invalid,
                    _ => ErrorKind::Internal,
                },
                Some(*code),
            ),
            ClusterError::Unreachable(_) => (ErrorKind::Unreachable, None),
            ClusterError::Timeout(_) => (ErrorKind::Timeout, None),
        };
        Self {
            kind,
            message: e.to_string(),
            status,
        }
    }
}
