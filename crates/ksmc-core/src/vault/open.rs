//! Opening clusters: unsealing their kubeconfigs into sources, running approved exec plugins
//! (or taking their cached credentials) in their place.

use kube::config::Kubeconfig;
use zeroize::Zeroizing;

use crate::kubeconfig::ClusterSource;

use super::approval::{approval_changed, exec_plan};
use super::seal::{self, DataKey};
use super::{ClusterRecord, Vault, VaultError, exec};

impl Vault {
    /// Decrypts a cluster's kubeconfig. It stays in memory (zeroed on drop).
    pub(super) fn unseal(
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
    pub(super) async fn open_tracked(
        &self,
        name: &str,
    ) -> Result<(ClusterSource, Option<u64>), VaultError> {
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

    pub(super) async fn reopen_tracked(
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

    /// [`Vault::open_all`] split in two: the usable clusters' sources, and the name of each
    /// other cluster with why it cannot be used (locked, exec not approved, refused).
    ///
    /// # Errors
    /// When the registry cannot be read.
    #[allow(clippy::type_complexity)]
    pub fn open_usable(
        &self,
    ) -> Result<(Vec<ClusterSource>, Vec<(String, VaultError)>), VaultError> {
        let mut sources = Vec::new();
        let mut unusable = Vec::new();
        for (record, source) in self.open_all()? {
            match source {
                Ok(s) => sources.push(s),
                Err(e) => unusable.push((record.name, e)),
            }
        }
        Ok((sources, unusable))
    }

    /// Every cluster unsealed and checked; nothing run.
    #[allow(clippy::type_complexity)]
    pub(super) fn prepare_all(
        &self,
    ) -> Result<Vec<(ClusterRecord, Result<Opened, VaultError>)>, VaultError> {
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
    pub(super) async fn finish_all(
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
}

fn clone_key_error(e: &VaultError, record: &ClusterRecord) -> VaultError {
    match e {
        VaultError::Keyring(k) => VaultError::Keyring(k.clone()),
        // No key in the keyring: every cluster is locked.
        _ => VaultError::Locked(record.name.clone()),
    }
}

/// A cluster unsealed and checked: ready, or waiting for its approved plugin to run.
pub(super) enum Opened {
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
pub(super) struct PendingExec {
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
