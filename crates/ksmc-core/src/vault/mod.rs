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
//! own result.
//!
//! Blocking: every method may wait for the keyring (bounded by its deadline) and the disk, and
//! opening an exec cluster may wait for its plugin (bounded by [`ExecLimits::timeout`]). Async
//! callers run them with `spawn_blocking`, or use the `async` methods.

mod check;
pub mod error;
mod exec;
pub(crate) mod fsio;
pub mod import;
pub mod keystore;
pub mod registry;
mod seal;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use kube::config::Kubeconfig;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::AppError;
use crate::facts::{ClusterRole, ClusterSummary, EstateSource, EstateView, summarize_all};
use crate::kubeconfig::ClusterSource;

pub use check::{Check, CheckName, CheckStatus, ClusterTestReport, test_cluster};
pub use error::{KeyringCause, KeyringError, VaultError};
pub use exec::{ExecFailure, ExecLimits};
pub use import::{ContextChoice, ImportError, ImportSource, LoadedKubeconfig, PreparedImport};
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

    fn registry_path(&self) -> PathBuf {
        self.inner.dir.join("registry.json")
    }

    fn sealed_path(&self, id: &str) -> PathBuf {
        self.inner.dir.join("clusters").join(format!("{id}.sealed"))
    }

    fn registry(&self) -> Result<Registry, VaultError> {
        Ok(
            Registry::load(&self.registry_path())?.unwrap_or_else(|| Registry {
                installation_id: self.inner.installation_id.clone(),
                ..Registry::new()
            }),
        )
    }

    fn account(&self) -> String {
        format!("vault-key-{}", self.inner.installation_id)
    }

    /// The key, from memory or the keyring; `None` when the keyring has none.
    fn current_key(&self) -> Result<Option<DataKey>, VaultError> {
        if let Some(key) = self
            .inner
            .key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            return Ok(Some(key.clone()));
        }
        let account = self.account();
        let text = self.inner.keyring.call(move |s| s.get(&account))?;
        let Some(text) = text else {
            return Ok(None);
        };
        let key = DataKey::from_text(&text).ok_or_else(|| {
            KeyringError::new(
                KeyringCause::BadEntry,
                "the entry does not hold a 256-bit key",
            )
        })?;
        *self
            .inner
            .key
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(key.clone());
        Ok(Some(key))
    }

    /// The key to seal with, created when there is none and nothing is sealed yet. The caller
    /// holds the directory lock.
    fn key_for_sealing(&self, registry: &Registry) -> Result<DataKey, VaultError> {
        if let Some(key) = self.current_key()? {
            return Ok(key);
        }
        if self.inner.keyring.store().persistent() && !registry.clusters.is_empty() {
            return Err(VaultError::KeyMissing {
                sealed: registry.clusters.len(),
            });
        }
        let key = DataKey::generate().map_err(|_| VaultError::Random)?;
        let account = self.account();
        let text = key.to_text();
        self.inner.keyring.call(move |s| s.set(&account, &text))?;
        // Read it back: a store that silently drops the key must not leave blobs unreadable.
        let account = self.account();
        let back = self.inner.keyring.call(move |s| s.get(&account))?;
        let kept = back
            .as_deref()
            .and_then(|t| DataKey::from_text(t))
            .is_some_and(|k| k.id() == key.id());
        if !kept {
            return Err(KeyringError::new(
                KeyringCause::Platform,
                "the keyring did not keep the vault key",
            )
            .into());
        }
        tracing::info!(store = %self.inner.keyring.store().description(), "created the vault key");
        *self
            .inner
            .key
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(key.clone());
        Ok(key)
    }

    /// Asks the keyring for the key (creating none) and tells how things stand.
    #[must_use]
    pub fn status(&self) -> VaultStatus {
        match self.registry() {
            Ok(registry) => self.status_of(&registry).0,
            Err(e) => VaultStatus {
                dir: self.inner.dir.display().to_string(),
                store: self.inner.keyring.store().description(),
                session_only: self.is_session_only(),
                key: KeyState::Unavailable,
                clusters: 0,
                locked: 0,
                error: Some(AppError::from(&e)),
            },
        }
    }

    fn status_of(&self, registry: &Registry) -> (VaultStatus, Option<DataKey>) {
        let clusters = u32::try_from(registry.clusters.len()).unwrap_or(u32::MAX);
        let mut status = VaultStatus {
            dir: self.inner.dir.display().to_string(),
            store: self.inner.keyring.store().description(),
            session_only: self.is_session_only(),
            key: KeyState::Unavailable,
            clusters,
            locked: 0,
            error: None,
        };
        let key = match self.current_key() {
            Ok(Some(key)) => {
                status.key = KeyState::Present;
                let id = key.id();
                status.locked =
                    u32::try_from(registry.clusters.iter().filter(|c| c.key_id != id).count())
                        .unwrap_or(u32::MAX);
                Some(key)
            }
            Ok(None) if clusters == 0 || !self.inner.keyring.store().persistent() => {
                // A session-only store starts empty: earlier sessions' clusters are locked,
                // and the first import makes this session's key.
                status.key = KeyState::NotCreated;
                status.locked = clusters;
                None
            }
            Ok(None) => {
                status.key = KeyState::Missing;
                status.locked = clusters;
                status.error = Some(AppError::from(&VaultError::KeyMissing {
                    sealed: registry.clusters.len(),
                }));
                None
            }
            Err(e) => {
                status.error = Some(AppError::from(&e));
                None
            }
        };
        (status, key)
    }

    /// Every cluster with its state. Never fails because of the keyring: then the states are
    /// `Unknown` and the status says why.
    ///
    /// # Errors
    /// When the registry cannot be read.
    pub fn list(&self) -> Result<VaultListing, VaultError> {
        let registry = self.registry()?;
        let (status, key) = self.status_of(&registry);
        let key_id = key.as_ref().map(DataKey::id);
        let clusters = registry
            .clusters
            .into_iter()
            .map(|record| {
                let state = match (&key_id, status.key) {
                    (Some(id), _) if *id != record.key_id => ClusterState::Locked,
                    (Some(_), _) => match (&record.exec, &key) {
                        (Some(exec), Some(key)) => self.exec_state(&record, exec, key),
                        _ => ClusterState::Ready,
                    },
                    (None, KeyState::Missing | KeyState::NotCreated) => ClusterState::Locked,
                    (None, _) => ClusterState::Unknown,
                };
                VaultEntry { record, state }
            })
            .collect();
        Ok(VaultListing { status, clusters })
    }

    /// An exec cluster's state: approval required when never approved, or when the approved
    /// invocation is not what the command resolves to now (`PATH` changed, binary gone).
    fn exec_state(&self, record: &ClusterRecord, exec: &ExecRecord, key: &DataKey) -> ClusterState {
        let Some(approval) = &exec.approval else {
            return ClusterState::ApprovalRequired;
        };
        match self
            .unseal(record, key)
            .and_then(|text| self.review_of(record, key, &text))
        {
            Ok(review) if review.fingerprint.as_deref() != Some(approval.fingerprint.as_str()) => {
                ClusterState::ApprovalRequired
            }
            // Damaged files show their error when opened.
            _ => ClusterState::Ready,
        }
    }

    /// Everything ksmc knows about one cluster without contacting it: its record, its state
    /// and, for an exec cluster, the plugin as it resolves now. No secret.
    ///
    /// # Errors
    /// [`VaultError::NotFound`], or when the registry cannot be read. The keyring's errors
    /// are part of the answer (`exec_review_error`), not a failure.
    pub fn show(&self, name: &str) -> Result<ClusterDetails, VaultError> {
        let listing = self.list()?;
        let entry = listing
            .clusters
            .into_iter()
            .find(|e| e.record.name == name)
            .ok_or_else(|| VaultError::NotFound(name.to_owned()))?;
        let (exec, exec_error) = if entry.record.exec.is_some() {
            match self.exec_review(name) {
                Ok(review) => (Some(review), None),
                Err(e) => (None, Some(AppError::from(&e))),
            }
        } else {
            (None, None)
        };
        let credential = match entry.record.exec.as_ref().and_then(|e| e.approval.as_ref()) {
            Some(approval) if exec.as_ref().is_some_and(|r| r.approved) => {
                exec::cached_expiry(&approval.fingerprint)
            }
            _ => None,
        };
        Ok(ClusterDetails {
            entry,
            exec_review: exec,
            exec_review_error: exec_error,
            cached_credential: credential,
        })
    }

    /// One cluster's record.
    ///
    /// # Errors
    /// [`VaultError::NotFound`], or when the registry cannot be read.
    pub fn get(&self, name: &str) -> Result<ClusterRecord, VaultError> {
        self.registry()?
            .find(name)
            .cloned()
            .ok_or_else(|| VaultError::NotFound(name.to_owned()))
    }

    /// Seals a prepared import and records it.
    ///
    /// # Errors
    /// [`VaultError::NeedsAcknowledgement`] when a risky field is not acknowledged; an invalid
    /// or taken name; the keyring's errors (nothing is written then); disk errors.
    pub fn add(
        &self,
        prepared: &PreparedImport,
        options: &AddOptions,
    ) -> Result<ClusterRecord, VaultError> {
        let name = match &options.name {
            Some(n) => n.clone(),
            None => default_name(prepared)?,
        };
        if !registry::is_valid_name(&name) {
            return Err(VaultError::InvalidName(name));
        }
        let display_name = options
            .display_name
            .clone()
            .unwrap_or_else(|| prepared.context_name.clone());
        registry::check_display_name(&display_name)?;
        let missing: Vec<Acknowledgement> = prepared
            .needs_acknowledgement
            .iter()
            .copied()
            .filter(|a| !options.acknowledgements.contains(a))
            .collect();
        if !missing.is_empty() {
            return Err(VaultError::NeedsAcknowledgement {
                cluster: name,
                missing,
            });
        }

        let _lock = lock(&self.inner.dir)?;
        let mut registry = self.registry()?;
        self.remove_orphans(&registry);
        if registry.find(&name).is_some() {
            return Err(VaultError::NameTaken(name));
        }
        let key = self.key_for_sealing(&registry)?;
        let id = uuid::Uuid::new_v4().to_string();
        let sealed =
            seal::seal(&key, &id, prepared.serialized()).map_err(|_| VaultError::Random)?;
        let path = self.sealed_path(&id);
        fsio::write_atomic(&path, &sealed).map_err(|e| VaultError::io("write", &path, e))?;
        let record = ClusterRecord {
            id,
            name,
            display_name,
            role_hint: None,
            server: prepared.server.clone(),
            context_name: prepared.context_name.clone(),
            ca_fingerprint: prepared.ca_fingerprint.clone(),
            auth_kind: prepared.auth_kind,
            acknowledgements: prepared.needs_acknowledgement.clone(),
            exec: prepared.exec.as_ref().map(|e| ExecRecord {
                command: e.command.clone(),
                api_version: e.api_version.clone(),
                arg_count: e.arg_count,
                env_names: e.env_names.clone(),
                approval: None,
            }),
            imported_from: prepared.source_label.clone(),
            added_at: registry::now(),
            last_seen_at: None,
            key_id: key.id(),
        };
        registry.clusters.push(record.clone());
        if let Err(e) = registry.save(&self.registry_path()) {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        tracing::info!(cluster = %record.name, id = %record.id, "added a cluster to the vault");
        Ok(record)
    }

    /// Removes sealed files no record points at (a crash between the two writes of `add`)
    /// and temp files of interrupted writes. The caller holds the lock.
    fn remove_orphans(&self, registry: &Registry) {
        let clusters = self.inner.dir.join("clusters");
        fsio::remove_stale_temps(&clusters);
        fsio::remove_stale_temps(&self.inner.dir);
        let Ok(entries) = std::fs::read_dir(&clusters) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(stem) = path
                .extension()
                .filter(|x| *x == "sealed")
                .and(path.file_stem())
            else {
                continue;
            };
            let stem = stem.to_string_lossy();
            if !registry.clusters.iter().any(|c| c.id == stem) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }

    /// Deletes a cluster's sealed file and its metadata. Needs no key (locked clusters can be
    /// removed).
    ///
    /// # Errors
    /// [`VaultError::NotFound`]; disk errors.
    pub fn remove(&self, name: &str) -> Result<ClusterRecord, VaultError> {
        let _lock = lock(&self.inner.dir)?;
        let mut registry = self.registry()?;
        let index = registry
            .clusters
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| VaultError::NotFound(name.to_owned()))?;
        let record = registry.clusters.remove(index);
        registry.save(&self.registry_path())?;
        let path = self.sealed_path(&record.id);
        match std::fs::remove_file(&path) {
            Ok(()) => fsio::sync_dir(path.parent()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(VaultError::io("remove", &path, e)),
        }
        tracing::info!(cluster = %record.name, "removed a cluster from the vault");
        Ok(record)
    }

    /// Renames a cluster. The sealed file is bound to the id, not the name: nothing is
    /// re-sealed and no key is needed.
    ///
    /// # Errors
    /// Not found, an invalid or taken name; disk errors.
    pub fn rename(&self, old: &str, new: &str) -> Result<ClusterRecord, VaultError> {
        if !registry::is_valid_name(new) {
            return Err(VaultError::InvalidName(new.to_owned()));
        }
        let _lock = lock(&self.inner.dir)?;
        let mut registry = self.registry()?;
        if old != new && registry.find(new).is_some() {
            return Err(VaultError::NameTaken(new.to_owned()));
        }
        let record = registry
            .find_mut(old)
            .ok_or_else(|| VaultError::NotFound(old.to_owned()))?;
        if record.display_name == record.name {
            new.clone_into(&mut record.display_name);
        }
        new.clone_into(&mut record.name);
        let record = record.clone();
        registry.save(&self.registry_path())?;
        Ok(record)
    }

    /// Decrypts a cluster's kubeconfig. It stays in memory (zeroed on drop).
    fn unseal(
        &self,
        record: &ClusterRecord,
        key: &DataKey,
    ) -> Result<Zeroizing<String>, VaultError> {
        if record.key_id != key.id() {
            return Err(VaultError::Locked(record.name.clone()));
        }
        let path = self.sealed_path(&record.id);
        let sealed = std::fs::read(&path).map_err(|e| VaultError::io("read", &path, e))?;
        let plain = seal::open(key, &record.id, &sealed)
            .map_err(|_| VaultError::Integrity(record.name.clone()))?;
        let text =
            std::str::from_utf8(&plain).map_err(|_| VaultError::Integrity(record.name.clone()))?;
        Ok(Zeroizing::new(text.to_owned()))
    }

    /// Unseals a cluster and checks its exec approval: a source ready to use, or an approved
    /// plugin still to run. Runs nothing.
    fn prepare(&self, record: &ClusterRecord, key: &DataKey) -> Result<Opened, VaultError> {
        let text = self.unseal(record, key)?;
        let Some(exec) = &record.exec else {
            return Ok(Opened::Ready(ClusterSource::from_yaml(
                &record.name,
                &text,
            )?));
        };
        let Some(approval) = &exec.approval else {
            return Err(VaultError::ApprovalRequired {
                cluster: record.name.clone(),
                command: exec.command.clone(),
            });
        };
        let kubeconfig =
            Kubeconfig::from_yaml(&text).map_err(|_| VaultError::Integrity(record.name.clone()))?;
        let review = self.review_of_kubeconfig(record, key, &kubeconfig)?;
        if review.fingerprint.as_deref() != Some(approval.fingerprint.as_str()) {
            return Err(approval_changed(record, exec, approval, &review));
        }
        let plan = exec_plan(record, &kubeconfig, &approval.resolved_path)?;
        Ok(Opened::Exec(PendingExec {
            name: record.name.clone(),
            command: exec.command.clone(),
            cache_key: approval.fingerprint.clone(),
            kubeconfig,
            plan,
        }))
    }

    /// Runs (or takes from the cache) an approved plugin's credential and builds the source
    /// with it in place of the `exec` section.
    async fn finish(
        &self,
        pending: &PendingExec,
        want: exec::Want,
    ) -> Result<(ClusterSource, u64), VaultError> {
        let limits = self.exec_limits();
        let (credential, generation) =
            exec::credential(&pending.cache_key, &pending.plan, &limits, want)
                .await
                .map_err(|u| pending.unavailable(u))?;
        let source = with_credential(&pending.name, &pending.kubeconfig, &credential)?;
        Ok((source, generation))
    }

    fn prepare_named(&self, name: &str) -> Result<Opened, VaultError> {
        let registry = self.registry()?;
        let record = registry
            .find(name)
            .ok_or_else(|| VaultError::NotFound(name.to_owned()))?;
        let key = match self.key_or_locked(&registry) {
            Ok(key) => key,
            // A session-only vault starts without a key: what earlier sessions sealed is locked.
            Err(VaultError::KeyMissing { .. }) if self.is_session_only() => {
                return Err(VaultError::Locked(record.name.clone()));
            }
            Err(e) => return Err(e),
        };
        self.prepare(record, &key)
    }

    async fn prepare_named_async(&self, name: &str) -> Result<Opened, VaultError> {
        let vault = self.clone();
        let name = name.to_owned();
        tokio::task::spawn_blocking(move || vault.prepare_named(&name))
            .await
            .map_err(|_| VaultError::Task)?
    }

    fn key_or_locked(&self, registry: &Registry) -> Result<DataKey, VaultError> {
        self.current_key()?.ok_or(VaultError::KeyMissing {
            sealed: registry.clusters.len(),
        })
    }

    /// A cluster's kubeconfig, decrypted into a [`ClusterSource`] (never written anywhere).
    /// For a cluster whose exec plugin is approved (the exact path it resolves to now, its
    /// arguments, environment and API version), the plugin is run by ksmc's runner (or its
    /// cached credential used) and the source carries the credential it gave instead of the
    /// `exec` section. Blocking, like every method here; inside a Tokio runtime prefer
    /// [`Vault::open_cluster_async`].
    ///
    /// # Errors
    /// Not found; the keyring's errors; locked; integrity; [`VaultError::ApprovalRequired`]
    /// (never approved) or [`VaultError::ApprovalChanged`] (the plugin resolves differently
    /// now), in which case nothing was run; the plugin's failure.
    pub fn open_cluster(&self, name: &str) -> Result<ClusterSource, VaultError> {
        match self.prepare_named(name)? {
            Opened::Ready(source) => Ok(source),
            Opened::Exec(pending) => {
                exec::block_on_isolated(self.finish(&pending, exec::Want::Cached))
                    .map_err(|f| pending.unavailable(exec::Unavailable::Failed(f)))?
                    .map(|(source, _)| source)
            }
        }
    }

    /// As [`Vault::open_cluster`], without blocking the async runtime.
    ///
    /// # Errors
    /// As [`Vault::open_cluster`].
    pub async fn open_cluster_async(&self, name: &str) -> Result<ClusterSource, VaultError> {
        self.open_tracked(name).await.map(|(source, _)| source)
    }

    /// Opens a cluster and tells which credential generation of its exec plugin it uses.
    async fn open_tracked(&self, name: &str) -> Result<(ClusterSource, Option<u64>), VaultError> {
        match self.prepare_named_async(name).await? {
            Opened::Ready(source) => Ok((source, None)),
            Opened::Exec(pending) => {
                let (source, generation) = self.finish(&pending, exec::Want::Cached).await?;
                Ok((source, Some(generation)))
            }
        }
    }

    /// After the API server answered 401 to a cluster opened from the vault: for an exec
    /// cluster, runs its plugin again (once; a second refusal within the re-run interval gives
    /// [`VaultError::ReauthRequired`]) and opens it with the new credential. Other clusters
    /// are opened again as they are (their stored credential is what it is).
    ///
    /// # Errors
    /// As [`Vault::open_cluster`]; [`VaultError::ReauthRequired`].
    pub async fn reopen_after_unauthorized(&self, name: &str) -> Result<ClusterSource, VaultError> {
        self.reopen_tracked(name, None)
            .await
            .map(|(source, _)| source)
    }

    async fn reopen_tracked(
        &self,
        name: &str,
        refused: Option<u64>,
    ) -> Result<(ClusterSource, Option<u64>), VaultError> {
        match self.prepare_named_async(name).await? {
            Opened::Ready(source) => Ok((source, None)),
            Opened::Exec(pending) => {
                let refused = match refused {
                    Some(g) => g,
                    None => exec::current_generation(&pending.cache_key).await,
                };
                let (source, generation) = self
                    .finish(&pending, exec::Want::RefreshAfter(refused))
                    .await?;
                Ok((source, Some(generation)))
            }
        }
    }

    /// A cluster's stored (minimised) kubeconfig, decrypted. It holds the credentials: never
    /// serialise it into logs, errors or IPC payloads. For the exec runner and for tests.
    ///
    /// # Errors
    /// Not found; the keyring's errors; locked; integrity.
    pub fn kubeconfig(&self, name: &str) -> Result<Kubeconfig, VaultError> {
        let registry = self.registry()?;
        let record = registry
            .find(name)
            .ok_or_else(|| VaultError::NotFound(name.to_owned()))?;
        let key = self.key_or_locked(&registry)?;
        let text = self.unseal(record, &key)?;
        Kubeconfig::from_yaml(&text).map_err(|_| VaultError::Integrity(record.name.clone()))
    }

    /// Deletes the vault key from the keyring. Only an empty vault may lose its key (clusters
    /// sealed with it would become unreadable): remove them first. For uninstalling and tests.
    ///
    /// # Errors
    /// [`VaultError::NotEmpty`]; the keyring's errors.
    pub fn forget_key(&self) -> Result<(), VaultError> {
        let _lock = lock(&self.inner.dir)?;
        let registry = self.registry()?;
        if !registry.clusters.is_empty() {
            return Err(VaultError::NotEmpty(registry.clusters.len()));
        }
        let account = self.account();
        self.inner.keyring.call(move |s| s.delete(&account))?;
        *self
            .inner
            .key
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
        Ok(())
    }

    /// Every cluster with its source or why it cannot be used; the key is asked for once.
    /// Approved exec plugins run concurrently (see [`Vault::open_cluster`]).
    ///
    /// # Errors
    /// When the registry cannot be read.
    #[allow(clippy::type_complexity)]
    pub fn open_all(
        &self,
    ) -> Result<Vec<(ClusterRecord, Result<ClusterSource, VaultError>)>, VaultError> {
        let prepared = self.prepare_all()?;
        if !prepared
            .iter()
            .any(|(_, o)| matches!(o, Ok(Opened::Exec(_))))
        {
            return Ok(prepared
                .into_iter()
                .map(|(record, opened)| (record, opened.and_then(Opened::ready)))
                .collect());
        }
        let done =
            exec::block_on_isolated(self.finish_all(prepared)).map_err(|_| VaultError::Task)?;
        Ok(done
            .into_iter()
            .map(|(record, source)| (record, source.map(|(s, _)| s)))
            .collect())
    }

    /// Every cluster unsealed and checked; nothing run.
    #[allow(clippy::type_complexity)]
    fn prepare_all(&self) -> Result<Vec<(ClusterRecord, Result<Opened, VaultError>)>, VaultError> {
        let registry = self.registry()?;
        if registry.clusters.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.key_or_locked(&registry);
        Ok(registry
            .clusters
            .iter()
            .map(|record| {
                let opened = match &key {
                    Ok(key) => self.prepare(record, key),
                    Err(e) => Err(clone_key_error(e, record)),
                };
                (record.clone(), opened)
            })
            .collect())
    }

    /// Runs the pending plugins concurrently.
    #[allow(clippy::type_complexity)]
    async fn finish_all(
        &self,
        prepared: Vec<(ClusterRecord, Result<Opened, VaultError>)>,
    ) -> Vec<(
        ClusterRecord,
        Result<(ClusterSource, Option<u64>), VaultError>,
    )> {
        futures::future::join_all(prepared.into_iter().map(|(record, opened)| async move {
            let source = match opened {
                Ok(Opened::Ready(s)) => Ok((s, None)),
                Ok(Opened::Exec(pending)) => self
                    .finish(&pending, exec::Want::Cached)
                    .await
                    .map(|(s, g)| (s, Some(g))),
                Err(e) => Err(e),
            };
            (record, source)
        }))
        .await
    }

    /// Records that clusters were read successfully just now, with their role.
    ///
    /// # Errors
    /// When the registry cannot be written.
    pub fn mark_seen(&self, seen: &[(String, ClusterRole)]) -> Result<(), VaultError> {
        if seen.is_empty() {
            return Ok(());
        }
        let _lock = lock(&self.inner.dir)?;
        let mut registry = self.registry()?;
        let now = registry::now();
        for (name, role) in seen {
            if let Some(record) = registry.find_mut(name) {
                record.last_seen_at = Some(now.clone());
                if *role != ClusterRole::Unknown {
                    record.role_hint = Some(*role);
                }
            }
        }
        registry.save(&self.registry_path())
    }

    fn review_of(
        &self,
        record: &ClusterRecord,
        key: &DataKey,
        text: &str,
    ) -> Result<ExecReview, VaultError> {
        let kubeconfig =
            Kubeconfig::from_yaml(text).map_err(|_| VaultError::Integrity(record.name.clone()))?;
        self.review_of_kubeconfig(record, key, &kubeconfig)
    }

    fn review_of_kubeconfig(
        &self,
        record: &ClusterRecord,
        key: &DataKey,
        kubeconfig: &Kubeconfig,
    ) -> Result<ExecReview, VaultError> {
        let exec =
            exec_config(kubeconfig).ok_or_else(|| VaultError::Integrity(record.name.clone()))?;
        let command = exec.command.clone().unwrap_or_default();
        let api_version = exec.api_version.clone().unwrap_or_default();
        let resolved = resolve_command(&command).map(|p| p.to_string_lossy().into_owned());
        let args = exec.args.clone().unwrap_or_default();
        let env: Vec<(String, String)> = exec
            .env
            .iter()
            .flatten()
            .map(|e| {
                (
                    e.get("name").cloned().unwrap_or_default(),
                    e.get("value").cloned().unwrap_or_default(),
                )
            })
            .collect();
        let fingerprint = resolved.as_ref().map(|path| {
            let mut parts: Vec<&[u8]> = vec![
                record.id.as_bytes(),
                path.as_bytes(),
                api_version.as_bytes(),
                b"args",
            ];
            parts.extend(args.iter().map(String::as_bytes));
            parts.push(b"env");
            for (n, v) in &env {
                parts.push(n.as_bytes());
                parts.push(v.as_bytes());
            }
            key.fingerprint(&parts)
        });
        let approved = record
            .exec
            .as_ref()
            .and_then(|e| e.approval.as_ref())
            .is_some_and(|a| Some(&a.fingerprint) == fingerprint.as_ref());
        Ok(ExecReview {
            cluster: record.name.clone(),
            command,
            resolved_path: resolved,
            api_version,
            arg_count: u32::try_from(args.len()).unwrap_or(u32::MAX),
            env_names: env.into_iter().map(|(n, _)| n).collect(),
            fingerprint,
            approved,
        })
    }

    /// What approving a cluster's exec plugin would approve. Runs nothing.
    ///
    /// # Errors
    /// Not found; not an exec cluster; the keyring's errors; locked; integrity.
    pub fn exec_review(&self, name: &str) -> Result<ExecReview, VaultError> {
        let registry = self.registry()?;
        let record = registry
            .find(name)
            .ok_or_else(|| VaultError::NotFound(name.to_owned()))?;
        if record.exec.is_none() {
            return Err(VaultError::Import(ImportError::ExecNoCommand {
                user: record.context_name.clone(),
            }));
        }
        let key = self.key_or_locked(&registry)?;
        let text = self.unseal(record, &key)?;
        self.review_of(record, &key, &text)
    }

    /// Approves a cluster's exec plugin as reviewed: `fingerprint` must be the one
    /// [`Vault::exec_review`] shows now (so a plugin changed in between is not approved).
    ///
    /// # Errors
    /// As [`Vault::exec_review`]; [`VaultError::ApprovalMismatch`].
    pub fn approve_exec(&self, name: &str, fingerprint: &str) -> Result<ClusterRecord, VaultError> {
        let _lock = lock(&self.inner.dir)?;
        let review = self.exec_review(name)?;
        let (Some(current), Some(path)) = (&review.fingerprint, &review.resolved_path) else {
            return Err(VaultError::ApprovalMismatch(name.to_owned()));
        };
        if current != fingerprint {
            return Err(VaultError::ApprovalMismatch(name.to_owned()));
        }
        let mut registry = self.registry()?;
        let record = registry
            .find_mut(name)
            .ok_or_else(|| VaultError::NotFound(name.to_owned()))?;
        if let Some(exec) = record.exec.as_mut() {
            exec.approval = Some(ExecApproval {
                resolved_path: path.clone(),
                fingerprint: current.clone(),
                approved_at: registry::now(),
            });
        }
        let record = record.clone();
        registry.save(&self.registry_path())?;
        Ok(record)
    }
}

fn clone_key_error(e: &VaultError, record: &ClusterRecord) -> VaultError {
    match e {
        VaultError::Keyring(k) => VaultError::Keyring(k.clone()),
        // No key in the keyring: every cluster is locked.
        _ => VaultError::Locked(record.name.clone()),
    }
}

/// A cluster unsealed and checked: ready, or waiting for its approved plugin to run.
enum Opened {
    Ready(ClusterSource),
    Exec(PendingExec),
}

impl Opened {
    /// The source of a cluster that needs no plugin run.
    fn ready(self) -> Result<ClusterSource, VaultError> {
        match self {
            Self::Ready(source) => Ok(source),
            Self::Exec(_) => Err(VaultError::Task),
        }
    }
}

/// An approved exec cluster whose plugin is still to run. Holds the unsealed kubeconfig:
/// its `Debug` shows the name and command only.
struct PendingExec {
    name: String,
    command: String,
    /// The approval's fingerprint: one cache entry per exact approved invocation.
    cache_key: String,
    kubeconfig: Kubeconfig,
    plan: exec::ExecPlan,
}

impl std::fmt::Debug for PendingExec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingExec")
            .field("name", &self.name)
            .field("command", &self.command)
            .finish_non_exhaustive()
    }
}

impl PendingExec {
    fn unavailable(&self, why: exec::Unavailable) -> VaultError {
        match why {
            exec::Unavailable::Failed(failure) => VaultError::ExecFailed {
                cluster: self.name.clone(),
                command: self.command.clone(),
                failure,
            },
            exec::Unavailable::RateLimited(wait) => VaultError::ExecRateLimited {
                cluster: self.name.clone(),
                retry_in_secs: wait.as_secs().max(1),
            },
            exec::Unavailable::ReauthRequired => VaultError::ReauthRequired {
                cluster: self.name.clone(),
                command: self.command.clone(),
            },
        }
    }
}

/// The exec section of a stored (minimised) kubeconfig: its one user's.
fn exec_config(kubeconfig: &Kubeconfig) -> Option<&kube::config::ExecConfig> {
    kubeconfig
        .auth_infos
        .first()
        .and_then(|a| a.auth_info.as_ref())
        .and_then(|a| a.exec.as_ref())
}

/// Why an approval no longer holds, as precisely as the record tells.
fn approval_changed(
    record: &ClusterRecord,
    exec: &ExecRecord,
    approval: &ExecApproval,
    review: &ExecReview,
) -> VaultError {
    let change = match review.resolved_path.as_deref() {
        None => format!(
            "{} no longer resolves to an executable file (approved: {})",
            exec.command, approval.resolved_path
        ),
        Some(now) if now != approval.resolved_path => format!(
            "{} now resolves to {now}, not to the approved {}",
            exec.command, approval.resolved_path
        ),
        Some(_) => "its arguments, environment or API version are not the ones approved".into(),
    };
    VaultError::ApprovalChanged {
        cluster: record.name.clone(),
        command: exec.command.clone(),
        change,
    }
}

/// What the runner needs, from the stored kubeconfig and the approved path.
fn exec_plan(
    record: &ClusterRecord,
    kubeconfig: &Kubeconfig,
    program: &str,
) -> Result<exec::ExecPlan, VaultError> {
    let config =
        exec_config(kubeconfig).ok_or_else(|| VaultError::Integrity(record.name.clone()))?;
    let api_version = config.api_version.clone().unwrap_or_default();
    let cluster = config
        .provide_cluster_info
        .then(|| kubeconfig.clusters.first().and_then(|c| c.cluster.as_ref()))
        .flatten();
    Ok(exec::ExecPlan {
        program: PathBuf::from(program),
        args: config
            .args
            .iter()
            .flatten()
            .map(|a| Zeroizing::new(a.clone()))
            .collect(),
        env: config
            .env
            .iter()
            .flatten()
            .filter_map(|e| {
                Some((
                    e.get("name")?.clone(),
                    Zeroizing::new(e.get("value")?.clone()),
                ))
            })
            .collect(),
        interactive_always: config.interactive_mode
            == Some(kube::config::ExecInteractiveMode::Always),
        exec_info: Zeroizing::new(exec::exec_info(&api_version, cluster)),
        api_version,
    })
}

/// The stored kubeconfig with its `exec` section replaced by the credential the plugin gave;
/// kube's client never sees an `exec` section.
fn with_credential(
    name: &str,
    kubeconfig: &Kubeconfig,
    credential: &exec::Credential,
) -> Result<ClusterSource, VaultError> {
    use base64::Engine as _;
    use secrecy::ExposeSecret as _;
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut kubeconfig = kubeconfig.clone();
    for named in &mut kubeconfig.auth_infos {
        if let Some(user) = named.auth_info.as_mut() {
            user.exec = None;
            if let Some(token) = &credential.token {
                user.token = Some(token.expose_secret().to_owned().into());
            }
            if let (Some(cert), Some(key)) =
                (&credential.client_certificate, &credential.client_key)
            {
                user.client_certificate_data = Some(b64(cert));
                user.client_key_data = Some(b64(key.expose_secret()).into());
            }
        }
    }
    let text = Zeroizing::new(
        serde_json::to_string(&kubeconfig).map_err(|_| VaultError::Integrity(name.to_owned()))?,
    );
    Ok(ClusterSource::from_yaml(name, &text)?)
}

fn lock(dir: &Path) -> Result<fsio::DirLock, VaultError> {
    fsio::DirLock::acquire(dir).map_err(|e| VaultError::io("lock", dir, e))
}

fn default_name(prepared: &PreparedImport) -> Result<String, VaultError> {
    let context = prepared.context_name.to_ascii_lowercase();
    if registry::is_valid_name(&context) {
        return Ok(context);
    }
    match prepared.file_stem.as_deref().map(str::to_ascii_lowercase) {
        Some(stem) if registry::is_valid_name(&stem) => Ok(stem),
        _ => Err(VaultError::InvalidName(prepared.context_name.clone())),
    }
}

/// The absolute path a command would run from, without running it: absolute commands as they
/// are, bare names looked up in the absolute entries of `PATH` (like Go's `exec.LookPath`
/// refusing results relative to the working directory).
#[must_use]
pub fn resolve_command(command: &str) -> Option<PathBuf> {
    let path = Path::new(command);
    if path.is_absolute() {
        return is_executable(path).then(|| path.to_owned());
    }
    if command.contains('/') || command.contains(std::path::MAIN_SEPARATOR) {
        return None;
    }
    let search = std::env::var_os("PATH")?;
    std::env::split_paths(&search)
        .filter(|dir| dir.is_absolute())
        .flat_map(|dir| {
            let plain = dir.join(command);
            let exe = dir.join(format!("{command}.exe"));
            [plain, exe]
        })
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Reads the facts of every cluster in the vault. Clusters that cannot be opened (locked,
/// keyring unavailable, exec not approved or failing, damaged) are rows with their error;
/// clusters read successfully get their last-seen time and role recorded. An exec cluster the
/// API server answers 401 gets its plugin run again once, and is read again.
pub async fn inspect(vault: &Vault) -> Result<EstateView, AppError> {
    let v = vault.clone();
    let prepared = tokio::task::spawn_blocking(move || v.prepare_all())
        .await
        .map_err(|e| AppError::new(crate::ErrorKind::Internal, e.to_string()))?
        .map_err(|e| AppError::from(&e))?;
    let opened = vault.finish_all(prepared).await;
    let mut sources = Vec::new();
    let mut generations = std::collections::HashMap::new();
    let mut broken = Vec::new();
    for (record, source) in opened {
        match source {
            Ok((s, generation)) => {
                if let Some(g) = generation {
                    generations.insert(s.name.clone(), g);
                }
                sources.push(s);
            }
            Err(e) => broken.push(ClusterSummary {
                name: record.name.clone(),
                server: record.server.clone(),
                role: record.role_hint.unwrap_or(ClusterRole::Unknown),
                kubernetes_version: None,
                kubesphere_version: None,
                namespace_count: None,
                latency_ms: None,
                error: Some(AppError::from(&e)),
            }),
        }
    }
    let mut clusters = summarize_all(&sources).await;
    // One re-run of the plugin for exec clusters whose credential was refused.
    let mut retried = false;
    for summary in &mut clusters {
        let unauthorized = summary
            .error
            .as_ref()
            .is_some_and(|e| e.kind == crate::ErrorKind::Unauthorized);
        let Some(&generation) = generations.get(&summary.name).filter(|_| unauthorized) else {
            continue;
        };
        retried = true;
        match vault.reopen_tracked(&summary.name, Some(generation)).await {
            Ok((source, _)) => {
                if let Some(again) = summarize_all(std::slice::from_ref(&source)).await.pop() {
                    *summary = again;
                }
            }
            Err(e) => summary.error = Some(AppError::from(&e)),
        }
    }
    if retried {
        // summarize_all's order: hosts, members, the rest; by name.
        let rank = |r: ClusterRole| match r {
            ClusterRole::Host => 0,
            ClusterRole::Member => 1,
            ClusterRole::None => 2,
            ClusterRole::Unknown => 3,
        };
        clusters.sort_by(|a, b| rank(a.role).cmp(&rank(b.role)).then(a.name.cmp(&b.name)));
    }
    let seen: Vec<(String, ClusterRole)> = clusters
        .iter()
        .filter(|c| c.error.is_none())
        .map(|c| (c.name.clone(), c.role))
        .collect();
    let v = vault.clone();
    match tokio::task::spawn_blocking(move || v.mark_seen(&seen)).await {
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot record when clusters were seen"),
        Err(e) => tracing::warn!(error = %e, "cannot record when clusters were seen"),
        Ok(Ok(())) => {}
    }
    clusters.extend(broken);
    Ok(EstateView {
        source: EstateSource::Vault,
        label: format!("vault {}", vault.dir().display()),
        clusters,
    })
}
