//! The data key: read from the keyring once and cached, created when nothing is sealed yet,
//! forgotten only by an empty vault; and the status it gives the vault.

use std::sync::PoisonError;

use crate::error::AppError;

use super::registry::Registry;
use super::seal::DataKey;
use super::{KeyState, KeyringCause, KeyringError, Vault, VaultError, VaultStatus, lock};

impl Vault {
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
    pub(super) fn key_for_sealing(&self, registry: &Registry) -> Result<DataKey, VaultError> {
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

    pub(super) fn key_or_locked(&self, registry: &Registry) -> Result<DataKey, VaultError> {
        self.current_key()?.ok_or(VaultError::KeyMissing {
            sealed: registry.clusters.len(),
        })
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

    pub(super) fn status_of(&self, registry: &Registry) -> (VaultStatus, Option<DataKey>) {
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
}
