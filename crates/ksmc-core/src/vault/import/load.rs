//! Reading and parsing: the user's kubeconfig files, the size caps, relative paths made
//! absolute, files merged as kubectl merges them, and the contexts to choose from.

use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;
use zeroize::Zeroizing;

use crate::kubeconfig::MAX_KUBECONFIG_BYTES;

use super::rules::server_is_displayable;
use super::{ContextChoice, ImportError, ImportSource, LoadedKubeconfig};

/// The files kubectl would merge, given the value of `KUBECONFIG` and the home directory.
///
/// # Errors
/// [`ImportError::NoUserKubeconfig`] when none of them exists.
pub fn user_kubeconfig_paths(
    kubeconfig_env: Option<OsString>,
    home: Option<PathBuf>,
) -> Result<Vec<PathBuf>, ImportError> {
    let listed: Vec<PathBuf> = kubeconfig_env
        .as_deref()
        .map(|v| {
            std::env::split_paths(v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    let candidates = if listed.is_empty() {
        home.map(|h| vec![h.join(".kube").join("config")])
            .unwrap_or_default()
    } else {
        listed
    };
    let mut seen = Vec::new();
    for p in candidates {
        if p.is_file() && !seen.contains(&p) {
            seen.push(p);
        }
    }
    if seen.is_empty() {
        return Err(ImportError::NoUserKubeconfig);
    }
    Ok(seen)
}

pub(super) fn read_capped(
    path: &Path,
    limit: u64,
    what: &str,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let unreadable = |e: std::io::Error| ImportError::Unreadable {
        path: path.to_owned(),
        cause: e.kind().to_string(),
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let too_large = || ImportError::TooLarge {
        what: what.to_owned(),
        limit_kib: limit / 1024,
    };
    if file.metadata().map_err(unreadable)?.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

fn parse(what: &str, text: &str) -> Result<Kubeconfig, ImportError> {
    if text.len() > MAX_KUBECONFIG_BYTES {
        return Err(ImportError::TooLarge {
            what: what.to_owned(),
            limit_kib: (MAX_KUBECONFIG_BYTES / 1024) as u64,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // kube's parser only; its error may quote the input, so it is not shown.
    Kubeconfig::from_yaml(text).map_err(|_| ImportError::NotKubeconfig {
        what: what.to_owned(),
    })
}

fn absolutize(dir: &Path, path: &mut Option<String>) {
    if let Some(p) = path.as_mut()
        && !p.is_empty()
        && Path::new(p.as_str()).is_relative()
    {
        let relative = p.strip_prefix("./").unwrap_or(p.as_str());
        *p = dir.join(relative).to_string_lossy().into_owned();
    }
}

/// Makes the file references of one file absolute against its directory, as kubectl does.
fn resolve_relative_paths(kubeconfig: &mut Kubeconfig, dir: &Path) {
    for named in &mut kubeconfig.clusters {
        if let Some(cluster) = named.cluster.as_mut() {
            absolutize(dir, &mut cluster.certificate_authority);
        }
    }
    for named in &mut kubeconfig.auth_infos {
        if let Some(user) = named.auth_info.as_mut() {
            absolutize(dir, &mut user.client_certificate);
            absolutize(dir, &mut user.client_key);
            absolutize(dir, &mut user.token_file);
            if let Some(exec) = user.exec.as_mut()
                && exec
                    .command
                    .as_deref()
                    .is_some_and(|c| c.contains('/') || c.contains(std::path::MAIN_SEPARATOR))
            {
                absolutize(dir, &mut exec.command);
            }
        }
    }
}

impl LoadedKubeconfig {
    /// Reads and parses the source; for several files, merges them (the first to define a
    /// name or the current context wins).
    ///
    /// # Errors
    /// When an input is over 1 MiB, unreadable, or not a kubeconfig.
    pub fn load(source: &ImportSource) -> Result<Self, ImportError> {
        match source {
            ImportSource::Text(text) => Ok(Self {
                what: "the pasted kubeconfig".into(),
                file_stem: None,
                kubeconfig: parse("the pasted kubeconfig", text)?,
                pasted: true,
            }),
            ImportSource::File(path) => Self::load_files(std::slice::from_ref(path)),
            ImportSource::Files(paths) => Self::load_files(paths),
        }
    }

    fn load_files(paths: &[PathBuf]) -> Result<Self, ImportError> {
        let mut merged: Option<Kubeconfig> = None;
        for path in paths {
            let what = path.display().to_string();
            let bytes = read_capped(path, MAX_KUBECONFIG_BYTES as u64, &what)?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| ImportError::NotKubeconfig { what: what.clone() })?;
            let mut kubeconfig = parse(&what, text)?;
            let dir = path
                .parent()
                .map(Path::to_owned)
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or_else(|| PathBuf::from("."));
            let dir = std::path::absolute(&dir).unwrap_or(dir);
            resolve_relative_paths(&mut kubeconfig, &dir);
            merged = Some(match merged {
                None => kubeconfig,
                Some(m) => m
                    .merge(kubeconfig)
                    .map_err(|_| ImportError::NotKubeconfig { what: what.clone() })?,
            });
        }
        Ok(Self {
            file_stem: match paths {
                [one] => one.file_stem().map(|s| s.to_string_lossy().into_owned()),
                _ => None,
            },
            what: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            kubeconfig: merged.unwrap_or_default(),
            pasted: false,
        })
    }

    pub(super) fn context_names(&self) -> Vec<String> {
        self.kubeconfig
            .contexts
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// The contexts to choose from.
    #[must_use]
    pub fn contexts(&self) -> Vec<ContextChoice> {
        let current = self.kubeconfig.current_context.as_deref();
        self.kubeconfig
            .contexts
            .iter()
            .filter_map(|named| {
                let ctx = named.context.as_ref()?;
                let server = self
                    .kubeconfig
                    .clusters
                    .iter()
                    .find(|c| c.name == ctx.cluster)
                    .and_then(|c| c.cluster.as_ref())
                    .and_then(|c| c.server.clone())
                    .filter(|s| server_is_displayable(s));
                Some(ContextChoice {
                    name: named.name.clone(),
                    cluster: ctx.cluster.clone(),
                    user: ctx.user.clone(),
                    server,
                    namespace: ctx.namespace.clone(),
                    current: current == Some(named.name.as_str()),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_merge_order_for_the_user_kubeconfig() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::write(&a, "x").unwrap();
        std::fs::write(&b, "x").unwrap();
        let missing = dir.path().join("missing");
        let env = std::env::join_paths([&missing, &b, &a, &b]).unwrap();
        assert_eq!(
            user_kubeconfig_paths(Some(env), None).unwrap(),
            vec![b.clone(), a.clone()]
        );
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".kube")).unwrap();
        assert_eq!(
            user_kubeconfig_paths(None, Some(home.clone())).unwrap_err(),
            ImportError::NoUserKubeconfig
        );
        std::fs::write(home.join(".kube/config"), "x").unwrap();
        assert_eq!(
            user_kubeconfig_paths(Some(OsString::new()), Some(home.clone())).unwrap(),
            vec![home.join(".kube/config")]
        );
    }
}
