//! Errors of the vault, as data. No variant carries a secret: keyring errors are reduced to a
//! cause and the store's own description (never `keyring_core::Error`, whose `BadEncoding` and
//! `BadDataFormat` hold the raw secret), import errors name fields and paths, never values.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{AppError, ClusterError, ErrorKind};
use crate::vault::exec::ExecFailure;
use crate::vault::import::ImportError;
use crate::vault::registry::Acknowledgement;

/// Why the OS keyring could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum KeyringCause {
    /// No keyring service could be reached (no Secret Service on the session D-Bus, no
    /// session bus at all, or no store for this platform).
    NoService,
    /// The keyring is locked, the unlock prompt was dismissed, or access was denied.
    Locked,
    /// The keyring did not answer in time (often: an unlock prompt nobody answered).
    Timeout,
    /// An earlier keyring request has not returned yet; ksmc does not queue behind it.
    Busy,
    /// The entry holding the vault key is not a key ksmc wrote.
    BadEntry,
    /// Any other failure of the platform store.
    Platform,
}

/// The OS keyring failed. `detail` is the store's own explanation (a D-Bus or OS error text),
/// never secret material.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", keyring_message(*.cause, .detail))]
pub struct KeyringError {
    pub cause: KeyringCause,
    pub detail: String,
}

impl KeyringError {
    #[must_use]
    pub fn new(cause: KeyringCause, detail: impl Into<String>) -> Self {
        Self {
            cause,
            detail: detail.into(),
        }
    }

    pub(crate) fn timeout(after: Duration) -> Self {
        Self::new(
            KeyringCause::Timeout,
            format!("no answer within {} s", after.as_secs()),
        )
    }

    /// Maps a keyring-core error without ever formatting its secret-bearing variants.
    pub(crate) fn from_keyring(e: &keyring_core::Error) -> Self {
        use keyring_core::Error as E;
        match e {
            E::NoStorageAccess(inner) => Self::new(KeyringCause::Locked, inner.to_string()),
            E::PlatformFailure(inner) => {
                let text = inner.to_string();
                let cause = if looks_unreachable(&text) {
                    KeyringCause::NoService
                } else {
                    KeyringCause::Platform
                };
                Self::new(cause, text)
            }
            E::NoDefaultStore => Self::new(KeyringCause::NoService, "no credential store"),
            E::BadEncoding(_) => Self::new(
                KeyringCause::BadEntry,
                "the stored value is not text (not written by ksmc)",
            ),
            E::BadDataFormat(..) => {
                Self::new(KeyringCause::BadEntry, "the stored value is malformed")
            }
            E::BadStoreFormat(reason) => Self::new(KeyringCause::Platform, reason.clone()),
            E::TooLong(attr, limit) => Self::new(
                KeyringCause::Platform,
                format!("{attr} is longer than the platform limit of {limit}"),
            ),
            E::Invalid(attr, reason) => Self::new(
                KeyringCause::Platform,
                format!("{attr} is invalid: {reason}"),
            ),
            E::Ambiguous(entries) => Self::new(
                KeyringCause::BadEntry,
                format!(
                    "{} keyring items match the vault key; remove the extra ones",
                    entries.len()
                ),
            ),
            E::NotSupportedByStore(what) => Self::new(KeyringCause::Platform, what.clone()),
            E::NoEntry => Self::new(KeyringCause::Platform, "no entry"),
            _ => Self::new(KeyringCause::Platform, "unexpected keyring error"),
        }
    }
}

fn looks_unreachable(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "failed to connect",
        "no such file or directory",
        "connection refused",
        "serviceunknown",
        "service unknown",
        "was not provided by any .service files",
    ]
    .iter()
    .any(|needle| t.contains(needle))
}

fn keyring_message(cause: KeyringCause, detail: &str) -> String {
    let (what, todo) = match cause {
        KeyringCause::NoService => (
            "no OS keyring is reachable",
            "start your desktop keyring (GNOME Keyring, KWallet or another Secret Service) in this session and retry, or use session-only mode",
        ),
        KeyringCause::Locked => (
            "the OS keyring is locked or refused access",
            "unlock your keyring (or allow ksmc in its prompt) and retry, or use session-only mode",
        ),
        KeyringCause::Timeout => (
            "the OS keyring did not answer",
            "it may be waiting for you to unlock it in a prompt; unlock it and retry, or use session-only mode",
        ),
        KeyringCause::Busy => (
            "an earlier request to the OS keyring has not returned",
            "answer or dismiss the keyring's prompt, or restart ksmc",
        ),
        KeyringCause::BadEntry => (
            "the OS keyring entry of the ksmc vault is not a vault key",
            "remove the entry named \"ksmc\" from your keyring; clusters sealed with the old key must be imported again",
        ),
        KeyringCause::Platform => ("the OS keyring failed", "retry, or use session-only mode"),
    };
    format!("keyring unavailable: {what} ({detail}); {todo}")
}

/// Errors of the vault and its cluster registry.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The kubeconfig was refused at import.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The kubeconfig uses fields that need an explicit acknowledgement.
    #[error("{} uses {}, which ksmc accepts only with your explicit acknowledgement", .cluster, join_acks(.missing))]
    NeedsAcknowledgement {
        cluster: String,
        missing: Vec<Acknowledgement>,
    },
    #[error(
        "{0:?} is not a valid cluster name: use lowercase letters, digits and '-', start and end with a letter or digit, at most 63 characters"
    )]
    InvalidName(String),
    #[error("display name is invalid: {0}")]
    InvalidDisplayName(&'static str),
    #[error("a cluster named {0:?} is already in the vault")]
    NameTaken(String),
    #[error("no cluster named {0:?} in the vault")]
    NotFound(String),
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// No key in the keyring while sealed clusters exist: never replaced by a new key.
    #[error(
        "keyring unavailable: the vault key is missing from the OS keyring while {sealed} sealed cluster(s) exist; restore the keyring entry, or remove those clusters and import them again (a new key is never created over sealed clusters)"
    )]
    KeyMissing { sealed: usize },
    /// The cluster was sealed with a key the keyring no longer holds.
    #[error(
        "{0} is locked: it was sealed with a key the OS keyring no longer holds; remove it and import it again"
    )]
    Locked(String),
    /// The sealed file does not decrypt: swapped, truncated, corrupted or tampered with.
    #[error(
        "the sealed kubeconfig of {0} failed its integrity check (swapped, damaged or tampered with); remove it and import it again"
    )]
    Integrity(String),
    /// The cluster's exec credential plugin has not been approved (or changed since).
    #[error(
        "{cluster} runs the credential plugin {command}; approve it first (ksmc runs a plugin only after you approve its exact path, arguments and environment)"
    )]
    ApprovalRequired { cluster: String, command: String },
    /// The approval presented does not match the plugin as it resolves now.
    #[error(
        "the credential plugin of {0} changed since it was shown to you (path, arguments or environment); review it again"
    )]
    ApprovalMismatch(String),
    /// The plugin was approved, but what it would run now is not what was approved (the
    /// command resolves to another file through `PATH`, or to none): it was not run.
    #[error(
        "{cluster} runs the credential plugin {command}, which changed since you approved it: {change}; it was not run: review and approve it again"
    )]
    ApprovalChanged {
        cluster: String,
        command: String,
        change: String,
    },
    /// The approved plugin ran and gave no usable credential.
    #[error("the credential plugin {command} of {cluster} gave no credential: {failure}")]
    ExecFailed {
        cluster: String,
        command: String,
        failure: ExecFailure,
    },
    /// The plugin ran moments ago; it is not run again so soon.
    #[error(
        "the credential plugin of {cluster} ran moments ago without giving a usable credential; retry in {retry_in_secs} s"
    )]
    ExecRateLimited { cluster: String, retry_in_secs: u64 },
    /// The API server refused the plugin's credential again right after a fresh run.
    #[error(
        "the API server refused the credential from {cluster}'s plugin {command} even after running it again; check the account it logs in with (run the command in a terminal), then retry"
    )]
    ReauthRequired { cluster: String, command: String },
    /// An internal task of the vault failed (a worker thread or runtime could not run).
    #[error("an internal task of the vault failed")]
    Task,
    /// The stored kubeconfig could not be used.
    #[error(transparent)]
    Kubeconfig(#[from] ClusterError),
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the vault registry {} is damaged: {reason}", .path.display())]
    Registry { path: PathBuf, reason: String },
    #[error("the vault still holds {0} cluster(s); remove them first")]
    NotEmpty(usize),
    #[error("no data directory: set KSMC_HOME or HOME")]
    NoDataDir,
    #[error("the system random number generator failed")]
    Random,
}

fn join_acks(acks: &[Acknowledgement]) -> String {
    acks.iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl VaultError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }

    /// A stable, machine-readable reason (for `--json` output and the UI).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Import(e) => e.reason(),
            Self::NeedsAcknowledgement { .. } => "needs-acknowledgement",
            Self::InvalidName(_) => "invalid-name",
            Self::InvalidDisplayName(_) => "invalid-display-name",
            Self::NameTaken(_) => "name-taken",
            Self::NotFound(_) => "not-found",
            Self::Keyring(_) => "keyring-unavailable",
            Self::KeyMissing { .. } => "key-missing",
            Self::Locked(_) => "locked",
            Self::Integrity(_) => "integrity",
            Self::ApprovalRequired { .. } => "approval-required",
            Self::ApprovalMismatch(_) => "approval-mismatch",
            Self::ApprovalChanged { .. } => "approval-changed",
            Self::ExecFailed { .. } => "exec-failed",
            Self::ExecRateLimited { .. } => "exec-rate-limited",
            Self::ReauthRequired { .. } => "reauth-required",
            Self::Task => "task",
            Self::Kubeconfig(_) => "kubeconfig",
            Self::Io { .. } => "io",
            Self::Registry { .. } => "registry",
            Self::NotEmpty(_) => "not-empty",
            Self::NoDataDir => "no-data-dir",
            Self::Random => "random",
        }
    }
}

impl From<&VaultError> for AppError {
    fn from(e: &VaultError) -> Self {
        let kind = match e {
            VaultError::Import(_)
            | VaultError::NeedsAcknowledgement { .. }
            | VaultError::InvalidName(_)
            | VaultError::InvalidDisplayName(_)
            | VaultError::Kubeconfig(_) => ErrorKind::Invalid,
            VaultError::NameTaken(_) | VaultError::NotEmpty(_) => ErrorKind::Conflict,
            VaultError::NotFound(_) => ErrorKind::NotFound,
            VaultError::Keyring(_) | VaultError::KeyMissing { .. } | VaultError::Locked(_) => {
                ErrorKind::KeyringUnavailable
            }
            // Until ErrorKind has ApprovalRequired: the plugin is not allowed to run.
            VaultError::ApprovalRequired { .. }
            | VaultError::ApprovalChanged { .. }
            | VaultError::ApprovalMismatch(_) => ErrorKind::Forbidden,
            VaultError::ExecFailed {
                failure: ExecFailure::Timeout(_),
                ..
            } => ErrorKind::Timeout,
            VaultError::ExecFailed { .. }
            | VaultError::ExecRateLimited { .. }
            | VaultError::ReauthRequired { .. } => ErrorKind::Unauthorized,
            VaultError::Integrity(_)
            | VaultError::Task
            | VaultError::Io { .. }
            | VaultError::Registry { .. }
            | VaultError::NoDataDir
            | VaultError::Random => ErrorKind::Internal,
        };
        AppError::new(kind, e.to_string())
    }
}

impl From<VaultError> for AppError {
    fn from(e: VaultError) -> Self {
        Self::from(&e)
    }
}
