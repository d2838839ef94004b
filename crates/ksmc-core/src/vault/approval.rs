//! Exec plugin reviews and approvals: what a plugin resolves to now, its fingerprint, and the
//! plan the runner gets once it is approved.

use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;
use zeroize::Zeroizing;

use super::registry;
use super::seal::DataKey;
use super::{
    ClusterRecord, ExecApproval, ExecRecord, ExecReview, ImportError, Vault, VaultError, exec, lock,
};

impl Vault {
    pub(super) fn review_of(
        &self,
        record: &ClusterRecord,
        key: &DataKey,
        text: &str,
    ) -> Result<ExecReview, VaultError> {
        let kubeconfig =
            Kubeconfig::from_yaml(text).map_err(|_| VaultError::Integrity(record.name.clone()))?;
        self.review_of_kubeconfig(record, key, &kubeconfig)
    }

    pub(super) fn review_of_kubeconfig(
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

/// The exec section of a stored (minimised) kubeconfig: its one user's.
fn exec_config(kubeconfig: &Kubeconfig) -> Option<&kube::config::ExecConfig> {
    kubeconfig
        .auth_infos
        .first()
        .and_then(|a| a.auth_info.as_ref())
        .and_then(|a| a.exec.as_ref())
}

/// Why an approval no longer holds, as precisely as the record tells.
pub(super) fn approval_changed(
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
pub(super) fn exec_plan(
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
