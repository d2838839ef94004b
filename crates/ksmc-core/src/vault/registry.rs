//! The vault's non-secret metadata: one plain JSON file (`registry.json`) beside the sealed
//! kubeconfigs. Nothing in it is secret; it is what `vault list` shows without the key.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::facts::ClusterRole;
use crate::vault::error::VaultError;
use crate::vault::fsio;

/// Version of `registry.json` and of the sealed-file format.
pub const SCHEMA_VERSION: u32 = 1;

/// A risky kubeconfig field the user accepted explicitly for one cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Acknowledgement {
    /// `insecure-skip-tls-verify: true`: the server's certificate is not checked.
    InsecureSkipTlsVerify,
    /// `as`, `as-uid`, `as-groups`, `as-user-extra`: requests impersonate another identity.
    Impersonation,
    /// `proxy-url`: traffic goes through a proxy.
    ProxyUrl,
    /// `tls-server-name`: the certificate is checked against another name than the server's.
    TlsServerName,
}

impl Acknowledgement {
    pub const ALL: [Self; 4] = [
        Self::InsecureSkipTlsVerify,
        Self::Impersonation,
        Self::ProxyUrl,
        Self::TlsServerName,
    ];

    /// The name used on the command line, in JSON and in messages.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InsecureSkipTlsVerify => "insecure-skip-tls-verify",
            Self::Impersonation => "impersonation",
            Self::ProxyUrl => "proxy-url",
            Self::TlsServerName => "tls-server-name",
        }
    }
}

impl std::str::FromStr for Acknowledgement {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown acknowledgement {s:?}; one of: {}",
                    Self::ALL.map(Self::as_str).join(", ")
                )
            })
    }
}

/// How the stored kubeconfig authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum AuthKind {
    Token,
    ClientCertificate,
    Exec,
    None,
}

/// The exec credential plugin of a cluster, as far as it is not secret, and its approval.
/// Arguments and environment values may hold secrets: they stay sealed; what binds an approval
/// to them is a keyed fingerprint (HMAC with the vault key), useless without the key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExecRecord {
    /// The command as stored: absolute, or a bare name looked up in `PATH` when run.
    pub command: String,
    /// `client.authentication.k8s.io/v1` or `v1beta1`.
    pub api_version: String,
    pub arg_count: u32,
    /// Names of the environment variables it sets (values stay sealed).
    pub env_names: Vec<String>,
    /// Set once approved: the fingerprint of exactly what was approved, and when.
    pub approval: Option<ExecApproval>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExecApproval {
    /// The absolute path the command resolved to when approved.
    pub resolved_path: String,
    /// Keyed fingerprint of (cluster id, resolved path, args, env, apiVersion).
    pub fingerprint: String,
    pub approved_at: String,
}

/// One cluster of the vault: everything about it that is not secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ClusterRecord {
    /// Random id; binds the sealed file to this record (AEAD associated data).
    pub id: String,
    /// Unique name in the vault (an RFC 1123 label).
    pub name: String,
    pub display_name: String,
    /// The KubeSphere role last read from the cluster.
    pub role_hint: Option<ClusterRole>,
    pub server: String,
    pub context_name: String,
    /// `sha256:<hex>` of the first CA certificate's DER, when the kubeconfig carries a CA.
    pub ca_fingerprint: Option<String>,
    pub auth_kind: AuthKind,
    pub acknowledgements: Vec<Acknowledgement>,
    pub exec: Option<ExecRecord>,
    /// Where it was imported from (the file or files, or `the pasted kubeconfig`).
    pub imported_from: String,
    /// RFC 3339.
    pub added_at: String,
    /// RFC 3339, the last time its facts were read successfully.
    pub last_seen_at: Option<String>,
    /// Which vault key sealed it (a keyed id, not the key).
    pub key_id: String,
}

/// `registry.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Registry {
    pub schema: u32,
    /// Names this installation's keyring entry, so a moved data directory finds its key.
    pub installation_id: String,
    pub clusters: Vec<ClusterRecord>,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Self {
            schema: SCHEMA_VERSION,
            installation_id: uuid::Uuid::new_v4().to_string(),
            clusters: Vec::new(),
        }
    }

    pub(crate) fn load(path: &Path) -> Result<Option<Self>, VaultError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(VaultError::io("read", path, e)),
        };
        let registry: Self = serde_json::from_slice(&bytes).map_err(|e| VaultError::Registry {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        if registry.schema != SCHEMA_VERSION {
            return Err(VaultError::Registry {
                path: path.to_owned(),
                reason: format!(
                    "schema {} is not supported by this version of ksmc (expects {SCHEMA_VERSION})",
                    registry.schema
                ),
            });
        }
        Ok(Some(registry))
    }

    pub(crate) fn save(&self, path: &Path) -> Result<(), VaultError> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| VaultError::Registry {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        bytes.push(b'\n');
        fsio::write_atomic(path, &bytes).map_err(|e| VaultError::io("write", path, e))
    }

    pub(crate) fn find(&self, name: &str) -> Option<&ClusterRecord> {
        self.clusters.iter().find(|c| c.name == name)
    }

    pub(crate) fn find_mut(&mut self, name: &str) -> Option<&mut ClusterRecord> {
        self.clusters.iter_mut().find(|c| c.name == name)
    }
}

/// Cluster names: an RFC 1123 label (lowercase alphanumerics and '-', at most 63).
#[must_use]
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

pub(crate) fn check_display_name(display: &str) -> Result<(), VaultError> {
    if display.trim().is_empty() {
        return Err(VaultError::InvalidDisplayName("it is empty"));
    }
    if display.chars().count() > 128 {
        return Err(VaultError::InvalidDisplayName(
            "it is longer than 128 characters",
        ));
    }
    if display.chars().any(char::is_control) {
        return Err(VaultError::InvalidDisplayName(
            "it contains control characters",
        ));
    }
    Ok(())
}

/// Now, to the second, RFC 3339.
pub(crate) fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map_or_else(|_| jiff::Timestamp::now().to_string(), |t| t.to_string())
}
