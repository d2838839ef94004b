//! The registry on disk and its records: adding a cluster (sealing its kubeconfig), the
//! clean-up of interrupted adds, and the last-seen times.

use std::path::PathBuf;

use crate::facts::ClusterRole;

use super::registry::{self, Registry};
use super::{
    Acknowledgement, AddOptions, ClusterRecord, ExecRecord, PreparedImport, Vault, VaultError,
    fsio, lock, seal,
};

impl Vault {
    pub(super) fn registry_path(&self) -> PathBuf {
        self.inner.dir.join("registry.json")
    }

    pub(super) fn sealed_path(&self, id: &str) -> PathBuf {
        self.inner.dir.join("clusters").join(format!("{id}.sealed"))
    }

    pub(super) fn registry(&self) -> Result<Registry, VaultError> {
        Ok(
            Registry::load(&self.registry_path())?.unwrap_or_else(|| Registry {
                installation_id: self.inner.installation_id.clone(),
                ..Registry::new()
            }),
        )
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
