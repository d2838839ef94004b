//! The vault: kubeconfigs sealed with a key held by the OS keyring, and the registry of the
//! clusters in it.
//!
//! Layout under the data root (`KSMC_HOME`, else the platform data directory of ksmc):
//!
//! ```text
//! vault/registry.json          non-secret metadata of every cluster (plain JSON, 0600)
//! vault/clusters/<id>.sealed   one sealed kubeconfig per cluster (0600, see `seal`)
//! vault/.lock                  advisory lock held by writers
//! vault-session/…              the same, for a session-only vault (key in memory only)
//! ```
//!
//! One random 256-bit data key per installation lives in the keyring (service `ksmc`, account
//! `vault-key-<installation id>`). It is read once per process and kept in memory (zeroed on
//! drop). When the keyring has no key but sealed clusters exist, no new key is made over them:
//! they show as locked until restored or removed. There is no plaintext fallback; the only
//! alternative to the keyring is an explicit session-only vault whose key dies with the process.
//!
//! Exec credential plugins are never run at import, listing or review. Once the user approves
//! the exact invocation (the absolute path the command resolves to, its arguments, environment
//! and API version; see [`Vault::approve_exec`]), opening the cluster runs it in ksmc's own
//! runner (`exec.rs`: stdin null, minimal environment, timeout killing its process group,
//! stdout cap, `ExecCredential` v1/v1beta1 only, credentials cached per process) and builds the
//! client from the token or certificate it printed; kube never sees the `exec` section. A
//! command that resolves elsewhere now (`PATH`) is not run: approval is required again.
//! `check.rs` is `vault test`: reachability, TLS, authentication and authorisation, each its
//! own result. The `Vault` type's methods are grouped by responsibility: `key.rs` (the data key
//! and the status), `records.rs` (the registry, adding), `listing.rs` (list, show, rename,
//! remove), `open.rs` (unsealing and opening clusters), `approval.rs` (exec reviews and
//! approvals); `inspect.rs` reads the facts of every cluster.
//!
//! Blocking: every method may wait for the keyring (bounded by its deadline) and the disk, and
//! opening an exec cluster may wait for its plugin (bounded by [`ExecLimits::timeout`]). Async
//! callers run them with `spawn_blocking`, or use the `async` methods.

mod approval;
mod check;
pub mod error;
mod exec;
pub(crate) mod fsio;
pub mod import;
mod inspect;
mod key;
pub mod keystore;
mod listing;
mod open;
mod records;
pub mod registry;
mod seal;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use approval::resolve_command;
pub use check::{Check, CheckName, CheckStatus, ClusterTestReport, test_cluster};
pub use error::{KeyringCause, KeyringError, VaultError};
pub use exec::{ExecFailure, ExecLimits};
pub use import::{ContextChoice, ImportError, ImportSource, LoadedKubeconfig, PreparedImport};
pub use inspect::inspect;
pub use keystore::{KEYRING_TIMEOUT, KeyStore, KeyringAccess, KeyringKeyStore, MemoryKeyStore};
pub use registry::{Acknowledgement, AuthKind, ClusterRecord, ExecApproval, ExecRecord};

use registry::Registry;
use seal::DataKey;

/// Overrides the data root (portable use, tests).
pub const KSMC_HOME: &str = "KSMC_HOME";

/// Whether the vault key is at hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum KeyState {
    /// The keyring holds the key.
    Present,
    /// No key yet and nothing sealed: the first import creates it.
    NotCreated,
    /// No key, but sealed clusters exist: they are locked; no new key is made over them.
    Missing,
    /// The keyring could not be asked (see the status' error).
    Unavailable,
}

/// The vault's state, for `vault status` and the desktop's keyring banner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub dir: String,
    /// Where the key is kept ("Secret Service (D-Bus)", "memory (session only)", …).
    pub store: String,
    pub session_only: bool,
    pub key: KeyState,
    pub clusters: u32,
    /// Clusters sealed with a key the keyring does not hold (all of them when it is missing).
    pub locked: u32,
    /// Why the keyring could not be used, with what to do.
    pub error: Option<AppError>,
}

/// Whether a cluster of the vault can be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ClusterState {
    Ready,
    /// Sealed with a key the keyring does not hold.
    Locked,
    /// Its exec plugin waits for approval.
    ApprovalRequired,
    /// The keyring could not be asked.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VaultEntry {
    #[serde(flatten)]
    pub record: ClusterRecord,
    pub state: ClusterState,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VaultListing {
    pub status: VaultStatus,
    pub clusters: Vec<VaultEntry>,
}

/// Choices made when adding a cluster.
#[derive(Clone, Debug, Default)]
pub struct AddOptions {
    /// The name in the vault; by default the context's name (or the file's stem).
    pub name: Option<String>,
    /// Free text; by default the context's name.
    pub display_name: Option<String>,
    /// Risky fields the user accepted.
    pub acknowledgements: Vec<Acknowledgement>,
}

/// What the user reviews before approving an exec plugin. Arguments and environment values
/// are not shown (they may be secrets); the fingerprint binds the approval to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExecReview {
    pub cluster: String,
    pub command: String,
    /// The absolute path the command resolves to now; `None` when it does not resolve.
    pub resolved_path: Option<String>,
    pub api_version: String,
    pub arg_count: u32,
    pub env_names: Vec<String>,
    /// Present when the command resolves; approving needs this exact value.
    pub fingerprint: Option<String>,
    pub approved: bool,
}

/// `vault show`: one cluster as ksmc knows it without contacting it. No secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ClusterDetails {
    #[serde(flatten)]
    pub entry: VaultEntry,
    /// An exec cluster's plugin as it resolves now (no argument or environment value).
    pub exec_review: Option<ExecReview>,
    /// Why the plugin could not be reviewed (locked, keyring unavailable, damaged).
    pub exec_review_error: Option<AppError>,
    /// When this process holds a credential from the plugin: its expiry (RFC 3339), or
    /// `"none"` for a credential without one.
    pub cached_credential: Option<String>,
}

struct Inner {
    dir: PathBuf,
    installation_id: String,
    keyring: KeyringAccess,
    key: Mutex<Option<DataKey>>,
    exec_limits: Mutex<ExecLimits>,
}

/// The vault of one data root. Cheap to clone; clones share the cached key.
#[derive(Clone)]
pub struct Vault {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.inner.dir)
            .field("keyring", &self.inner.keyring)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// The data root: `KSMC_HOME` when set, else ksmc's platform data directory
    /// (`~/.local/share/ksmc` on Linux).
    ///
    /// # Errors
    /// [`VaultError::NoDataDir`] when neither is known.
    pub fn default_root() -> Result<PathBuf, VaultError> {
        if let Some(home) = std::env::var_os(KSMC_HOME).filter(|h| !h.is_empty()) {
            return Ok(PathBuf::from(home));
        }
        directories::ProjectDirs::from("io", "ksmc", "ksmc")
            .map(|d| d.data_dir().to_owned())
            .ok_or(VaultError::NoDataDir)
    }

    /// The vault under `root`, its key in the OS keyring (or `KSMC_HOME`'s root).
    ///
    /// # Errors
    /// When the directory or registry cannot be created or read.
    pub fn open_default(session_only: bool) -> Result<Self, VaultError> {
        let root = Self::default_root()?;
        if session_only {
            Self::open_session_only(&root)
        } else {
            Self::open(&root, Arc::new(KeyringKeyStore::platform()))
        }
    }

    /// The vault under `root/vault`, its key in `store`.
    ///
    /// # Errors
    /// When the directory or registry cannot be created or read.
    pub fn open(root: &Path, store: Arc<dyn KeyStore>) -> Result<Self, VaultError> {
        Self::open_in(&root.join("vault"), store, KEYRING_TIMEOUT)
    }

    /// As [`Vault::open`] with another keyring deadline (tests).
    ///
    /// # Errors
    /// As [`Vault::open`].
    pub fn open_with_timeout(
        root: &Path,
        store: Arc<dyn KeyStore>,
        timeout: Duration,
    ) -> Result<Self, VaultError> {
        Self::open_in(&root.join("vault"), store, timeout)
    }

    /// A session-only vault under `root/vault-session`: its key lives in memory and dies with
    /// the process, so what it seals is unreadable afterwards (such clusters show as locked).
    /// It never touches the OS keyring and never mixes with the keyring vault.
    ///
    /// # Errors
    /// As [`Vault::open`].
    pub fn open_session_only(root: &Path) -> Result<Self, VaultError> {
        Self::open_in(
            &root.join("vault-session"),
            Arc::new(MemoryKeyStore::new()),
            KEYRING_TIMEOUT,
        )
    }

    fn open_in(
        dir: &Path,
        store: Arc<dyn KeyStore>,
        timeout: Duration,
    ) -> Result<Self, VaultError> {
        fsio::ensure_private_dir(&dir.join("clusters"))
            .and_then(|()| fsio::ensure_private_dir(dir))
            .map_err(|e| VaultError::io("create", dir, e))?;
        let registry_path = dir.join("registry.json");
        let registry = match Registry::load(&registry_path)? {
            Some(r) => r,
            None => {
                let _lock = lock(dir)?;
                match Registry::load(&registry_path)? {
                    Some(r) => r,
                    None => {
                        let r = Registry::new();
                        r.save(&registry_path)?;
                        r
                    }
                }
            }
        };
        Ok(Self {
            inner: Arc::new(Inner {
                dir: dir.to_owned(),
                installation_id: registry.installation_id,
                keyring: KeyringAccess::new(store, timeout),
                key: Mutex::new(None),
                exec_limits: Mutex::new(ExecLimits::default()),
            }),
        })
    }

    /// The vault directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Where the key is kept ("Secret Service (D-Bus)", "memory (session only)", …).
    #[must_use]
    pub fn store_description(&self) -> String {
        self.inner.keyring.store().description()
    }

    /// The bounds of exec credential-plugin runs (shared by clones of this vault).
    #[must_use]
    pub fn exec_limits(&self) -> ExecLimits {
        self.inner
            .exec_limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Changes the bounds of exec credential-plugin runs (for this vault and its clones).
    pub fn set_exec_limits(&self, limits: ExecLimits) {
        *self
            .inner
            .exec_limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = limits;
    }

    /// Whether the key lives in memory only.
    #[must_use]
    pub fn is_session_only(&self) -> bool {
        !self.inner.keyring.store().persistent()
    }
}

fn lock(dir: &Path) -> Result<fsio::DirLock, VaultError> {
    fsio::DirLock::acquire(dir).map_err(|e| VaultError::io("lock", dir, e))
}
