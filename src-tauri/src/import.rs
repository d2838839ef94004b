//! Adding clusters from the app: the contexts of a kubeconfig (pasted text or the user's own)
//! with what each needs before it can be added, and adding several at once. The pasted text
//! is a secret: it is read here and never returned, logged, or quoted in an error (the core's
//! import errors name fields, paths and context names, never values).

use ksmc_core::AppError;
use ksmc_core::vault::import::{ImportError, ImportSource, LoadedKubeconfig};
use ksmc_core::vault::{Acknowledgement, AddOptions, AuthKind, ClusterRecord, Vault, VaultError};
use serde::{Deserialize, Serialize};

/// Where the kubeconfig to add comes from.
#[derive(Clone, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum KubeconfigSource {
    /// Pasted text (a secret: never sent back).
    Text { text: String },
    /// The user's kubeconfig: the `KUBECONFIG` list, else `~/.kube/config`.
    User,
    /// A kubeconfig file picked in the native file dialog (an absolute path); Rust reads it.
    File { path: String },
}

impl std::fmt::Debug for KubeconfigSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Text { text } => write!(f, "Text({} bytes)", text.len()),
            Self::User => f.write_str("User"),
            Self::File { path } => f.debug_tuple("File").field(path).finish(),
        }
    }
}

impl KubeconfigSource {
    fn import_source(&self) -> Result<ImportSource, ImportError> {
        match self {
            Self::Text { text } => Ok(ImportSource::Text(text.clone())),
            Self::User => ImportSource::user_kubeconfig(),
            Self::File { path } => {
                let path = std::path::PathBuf::from(path);
                if path.is_absolute() {
                    Ok(ImportSource::File(path))
                } else {
                    Err(ImportError::Unreadable {
                        path,
                        cause: "not an absolute path".into(),
                    })
                }
            }
        }
    }
}

/// Why something was refused: the stable reason and the core's message (no secret value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type)]
pub struct Refusal {
    pub reason: String,
    pub error: AppError,
}

impl Refusal {
    fn from_vault(e: &VaultError) -> Self {
        Self {
            reason: e.reason().to_owned(),
            error: AppError::from(e),
        }
    }
}

/// One context of the kubeconfig and what adding it needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ContextPreview {
    pub name: String,
    pub cluster: String,
    pub server: Option<String>,
    pub current: bool,
    pub auth_kind: Option<AuthKind>,
    /// Risky fields that must be acknowledged to add it.
    pub needs_acknowledgement: Vec<Acknowledgement>,
    /// Its exec plugin's command: stored, pending approval before it ever runs.
    pub exec_command: Option<String>,
    /// Why it cannot be added, when the vault refuses it.
    pub refusal: Option<Refusal>,
}

/// The contexts of a kubeconfig, for the picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ContextsPreview {
    pub contexts: Vec<ContextPreview>,
}

/// One context to add, under a name.
#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct AddChoice {
    pub context: String,
    pub name: String,
}

/// What happened to one context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type)]
pub struct AddOutcome {
    pub context: String,
    pub record: Option<ClusterRecord>,
    pub refusal: Option<Refusal>,
}

/// Lists the contexts of `source` with what each needs (acknowledgements, exec approval) or
/// why it is refused. Stores nothing.
///
/// # Errors
/// When the kubeconfig cannot be read or parsed (no secret in the message).
pub fn contexts(source: &KubeconfigSource) -> Result<ContextsPreview, VaultError> {
    let loaded = LoadedKubeconfig::load(&source.import_source()?)?;
    let contexts = loaded
        .contexts()
        .into_iter()
        .map(|c| {
            let mut preview = ContextPreview {
                name: c.name.clone(),
                cluster: c.cluster,
                server: c.server,
                current: c.current,
                auth_kind: None,
                needs_acknowledgement: Vec::new(),
                exec_command: None,
                refusal: None,
            };
            match loaded.prepare(Some(&c.name)) {
                Ok(p) => {
                    preview.auth_kind = Some(p.auth_kind);
                    preview.needs_acknowledgement = p.needs_acknowledgement.clone();
                    preview.exec_command = p.exec.as_ref().map(|e| e.command.clone());
                }
                Err(e) => preview.refusal = Some(Refusal::from_vault(&VaultError::from(e))),
            }
            preview
        })
        .collect();
    Ok(ContextsPreview { contexts })
}

/// Adds each chosen context under its name, with the acknowledgements the user ticked.
/// Each context succeeds or is refused on its own.
///
/// # Errors
/// When the kubeconfig cannot be read or parsed.
pub fn add(
    vault: &Vault,
    source: &KubeconfigSource,
    choices: &[AddChoice],
    acknowledgements: &[Acknowledgement],
) -> Result<Vec<AddOutcome>, VaultError> {
    let loaded = LoadedKubeconfig::load(&source.import_source()?)?;
    Ok(choices
        .iter()
        .map(|choice| {
            let result = loaded
                .prepare(Some(&choice.context))
                .map_err(VaultError::from)
                .and_then(|prepared| {
                    vault.add(
                        &prepared,
                        &AddOptions {
                            name: Some(choice.name.clone()),
                            display_name: None,
                            acknowledgements: acknowledgements.to_vec(),
                        },
                    )
                });
            match result {
                Ok(record) => AddOutcome {
                    context: choice.context.clone(),
                    record: Some(record),
                    refusal: None,
                },
                Err(e) => AddOutcome {
                    context: choice.context.clone(),
                    record: None,
                    refusal: Some(Refusal::from_vault(&e)),
                },
            }
        })
        .collect())
}
