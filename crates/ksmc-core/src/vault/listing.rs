//! Listing, showing, renaming and removing clusters: nothing here needs to run a plugin.

use crate::error::AppError;

use super::registry;
use super::seal::DataKey;
use super::{
    ClusterDetails, ClusterRecord, ClusterState, ExecRecord, KeyState, Vault, VaultEntry,
    VaultError, VaultListing, exec, fsio, lock,
};

impl Vault {
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
}
