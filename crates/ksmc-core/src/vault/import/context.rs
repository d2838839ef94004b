//! Preparing one context: checked, minimised to its cluster, user and context, with the risky
//! fields that need an acknowledgement and the referenced files inlined.

use std::path::PathBuf;

use base64::Engine as _;
use kube::config::{
    AuthInfo, Cluster, Context, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext,
};
use zeroize::Zeroizing;

use crate::kubeconfig::MAX_KUBECONFIG_BYTES;
use crate::vault::registry::{Acknowledgement, AuthKind};
use crate::vault::seal::sha256_hex;

use super::load::read_capped;
use super::pem::{PemKind, first_der, pem_blocks};
use super::rules::check_server;
use super::{
    ExecSummary, ImportError, LoadedKubeconfig, MAX_REFERENCED_FILE_BYTES, PreparedImport,
};

impl LoadedKubeconfig {
    /// The context `context`, or the current context, checked, minimised and with its files
    /// inlined.
    ///
    /// # Errors
    /// The specific reason the context is refused.
    pub fn prepare(&self, context: Option<&str>) -> Result<PreparedImport, ImportError> {
        let kc = &self.kubeconfig;
        if kc.contexts.is_empty() {
            return Err(ImportError::NoContexts {
                what: self.what.clone(),
            });
        }
        let context_name = match context {
            Some(c) => c.to_owned(),
            None => kc
                .current_context
                .clone()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| ImportError::NoCurrentContext {
                    what: self.what.clone(),
                    available: self.context_names(),
                })?,
        };
        let ctx = kc
            .contexts
            .iter()
            .find(|c| c.name == context_name)
            .and_then(|c| c.context.as_ref())
            .ok_or_else(|| ImportError::ContextNotFound {
                what: self.what.clone(),
                name: context_name.clone(),
                available: self.context_names(),
            })?;
        let cluster_name = ctx.cluster.clone();
        let cluster = kc
            .clusters
            .iter()
            .find(|c| c.name == cluster_name)
            .and_then(|c| c.cluster.as_ref())
            .ok_or_else(|| ImportError::ClusterNotFound {
                context: context_name.clone(),
                cluster: cluster_name.clone(),
            })?;
        let server = cluster
            .server
            .clone()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| ImportError::NoServer {
                cluster: cluster_name.clone(),
            })?;
        check_server(&cluster_name, &server)?;

        let mut needs = Vec::new();
        if cluster.insecure_skip_tls_verify == Some(true) {
            needs.push(Acknowledgement::InsecureSkipTlsVerify);
        }
        if cluster.proxy_url.as_deref().is_some_and(|p| !p.is_empty()) {
            needs.push(Acknowledgement::ProxyUrl);
        }
        if cluster
            .tls_server_name
            .as_deref()
            .is_some_and(|p| !p.is_empty())
        {
            needs.push(Acknowledgement::TlsServerName);
        }

        let mut files_read = Vec::new();
        let ca_data = self.inline(
            "certificate-authority",
            cluster.certificate_authority_data.as_deref(),
            cluster.certificate_authority.as_deref(),
            PemKind::Certificate,
            &mut files_read,
        )?;
        let ca_fingerprint = ca_data
            .as_deref()
            .map(|d| first_der("certificate-authority-data", d, PemKind::Certificate))
            .transpose()?
            .map(|der| sha256_hex(&der));

        let minimal_cluster = Cluster {
            server: Some(server.clone()),
            insecure_skip_tls_verify: cluster.insecure_skip_tls_verify.filter(|v| *v),
            certificate_authority_data: ca_data.map(|d| d.to_string()),
            proxy_url: cluster.proxy_url.clone().filter(|p| !p.is_empty()),
            tls_server_name: cluster.tls_server_name.clone().filter(|p| !p.is_empty()),
            disable_compression: cluster.disable_compression,
            ..Cluster::default()
        };

        let (user_entry, auth_kind, exec) = match ctx.user.as_deref().filter(|u| !u.is_empty()) {
            None => (None, AuthKind::None, None),
            Some(user_name) => {
                let user = kc
                    .auth_infos
                    .iter()
                    .find(|a| a.name == user_name)
                    .ok_or_else(|| ImportError::UserNotFound {
                        context: context_name.clone(),
                        user: user_name.to_owned(),
                    })?
                    .auth_info
                    .clone()
                    .unwrap_or_default();
                let (minimal, kind, exec) =
                    self.check_user(user_name, &user, &mut needs, &mut files_read)?;
                (
                    Some(NamedAuthInfo {
                        name: user_name.to_owned(),
                        auth_info: Some(minimal),
                        other: Default::default(),
                    }),
                    kind,
                    exec,
                )
            }
        };

        let minimal = Kubeconfig {
            api_version: Some("v1".into()),
            kind: Some("Config".into()),
            clusters: vec![NamedCluster {
                name: cluster_name.clone(),
                cluster: Some(minimal_cluster),
                other: Default::default(),
            }],
            auth_infos: user_entry.into_iter().collect(),
            contexts: vec![NamedContext {
                name: context_name.clone(),
                context: Some(Context {
                    cluster: cluster_name,
                    user: ctx.user.clone().filter(|u| !u.is_empty()),
                    namespace: ctx.namespace.clone(),
                    extensions: None,
                    other: Default::default(),
                }),
                other: Default::default(),
            }],
            current_context: Some(context_name.clone()),
            ..Kubeconfig::default()
        };
        let serialized = Zeroizing::new(serde_json::to_vec(&minimal).map_err(|_| {
            ImportError::NotKubeconfig {
                what: self.what.clone(),
            }
        })?);
        if serialized.len() > MAX_KUBECONFIG_BYTES {
            return Err(ImportError::TooLarge {
                what: format!("context {context_name:?} with its files inlined"),
                limit_kib: (MAX_KUBECONFIG_BYTES / 1024) as u64,
            });
        }
        needs.sort();
        needs.dedup();
        Ok(PreparedImport {
            source_label: self.what.clone(),
            file_stem: self.file_stem.clone(),
            context_name,
            server,
            ca_fingerprint,
            auth_kind,
            needs_acknowledgement: needs,
            exec,
            files_read,
            serialized,
        })
    }

    fn check_user(
        &self,
        user_name: &str,
        user: &AuthInfo,
        needs: &mut Vec<Acknowledgement>,
        files_read: &mut Vec<PathBuf>,
    ) -> Result<(AuthInfo, AuthKind, Option<ExecSummary>), ImportError> {
        let user_err = || user_name.to_owned();
        if let Some(provider) = &user.auth_provider {
            return Err(ImportError::AuthProvider {
                user: user_err(),
                provider: provider.name.clone(),
            });
        }
        if user.username.as_deref().is_some_and(|u| !u.is_empty()) || user.password.is_some() {
            return Err(ImportError::BasicAuth { user: user_err() });
        }
        if user.token_file.as_deref().is_some_and(|t| !t.is_empty()) {
            return Err(ImportError::TokenFile { user: user_err() });
        }
        if user.impersonate.is_some()
            || user.impersonate_uid.is_some()
            || user.impersonate_groups.is_some()
            || user.impersonate_user_extra.is_some()
        {
            needs.push(Acknowledgement::Impersonation);
        }
        let cert = self.inline(
            "client-certificate",
            user.client_certificate_data.as_deref(),
            user.client_certificate.as_deref(),
            PemKind::Certificate,
            files_read,
        )?;
        let key_data = {
            use secrecy::ExposeSecret as _;
            user.client_key_data
                .as_ref()
                .map(|k| Zeroizing::new(k.expose_secret().to_owned()))
        };
        let key = self.inline(
            "client-key",
            key_data.as_deref().map(String::as_str),
            user.client_key.as_deref(),
            PemKind::PrivateKey,
            files_read,
        )?;
        if cert.is_some() != key.is_some() {
            return Err(ImportError::IncompleteClientCertificate { user: user_err() });
        }
        if let Some(c) = cert.as_deref() {
            first_der("client-certificate-data", c, PemKind::Certificate)?;
        }
        if let Some(k) = key.as_deref() {
            first_der("client-key-data", k, PemKind::PrivateKey)?;
        }
        let exec = user
            .exec
            .as_ref()
            .map(|e| self.check_exec(user_name, e))
            .transpose()?;
        let token = user
            .token
            .as_ref()
            .filter(|t| {
                use secrecy::ExposeSecret as _;
                !t.expose_secret().is_empty()
            })
            .cloned();
        let kind = if exec.is_some() {
            AuthKind::Exec
        } else if token.is_some() {
            AuthKind::Token
        } else if cert.is_some() {
            AuthKind::ClientCertificate
        } else {
            AuthKind::None
        };
        let minimal = AuthInfo {
            token,
            client_certificate_data: cert.map(|c| c.to_string()),
            client_key_data: key.map(|k| k.to_string().into()),
            impersonate: user.impersonate.clone(),
            impersonate_uid: user.impersonate_uid.clone(),
            impersonate_groups: user.impersonate_groups.clone(),
            impersonate_user_extra: user.impersonate_user_extra.clone(),
            exec: exec.as_ref().map(|(config, _)| config.clone()),
            ..AuthInfo::default()
        };
        Ok((minimal, kind, exec.map(|(_, summary)| summary)))
    }

    /// The inline data for a field: its `-data` form when present, else the referenced file,
    /// read now (at most 64 KiB, PEM only) and base64-encoded.
    fn inline(
        &self,
        field: &'static str,
        data: Option<&str>,
        path: Option<&str>,
        kind: PemKind,
        files_read: &mut Vec<PathBuf>,
    ) -> Result<Option<Zeroizing<String>>, ImportError> {
        if let Some(data) = data.filter(|d| !d.trim().is_empty()) {
            return Ok(Some(Zeroizing::new(data.trim().to_owned())));
        }
        let Some(path) = path.filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let path = PathBuf::from(path);
        if path.is_relative() {
            let reason = if self.pasted {
                "a relative path in pasted text has no directory to be relative to; use an absolute path or inline the data"
            } else {
                "not an absolute path"
            };
            return Err(ImportError::FileReference {
                field,
                path,
                reason: reason.into(),
            });
        }
        let bytes = read_capped(
            &path,
            MAX_REFERENCED_FILE_BYTES,
            &path.display().to_string(),
        )
        .map_err(|e| ImportError::FileReference {
            field,
            path: path.clone(),
            reason: match e {
                ImportError::TooLarge { .. } => {
                    format!("larger than {} KiB", MAX_REFERENCED_FILE_BYTES / 1024)
                }
                ImportError::Unreadable { cause, .. } => cause,
                other => other.to_string(),
            },
        })?;
        if pem_blocks(&bytes, kind).next().is_none() {
            return Err(ImportError::FileReference {
                field,
                path,
                reason: format!("not a PEM file with {}", kind.describe()),
            });
        }
        files_read.push(path);
        Ok(Some(Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(&*bytes),
        )))
    }
}
