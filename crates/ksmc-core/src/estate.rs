//! Opening an estate: a directory of kubeconfigs read into cluster summaries.

use std::path::Path;

use crate::error::{AppError, ClusterError, ErrorKind};
use crate::facts::{ClusterRole, ClusterSummary, EstateSource, EstateView, summarize_all};
use crate::kubeconfig::{ClusterSource, sources_in_dir};

/// Reads every kubeconfig in `dir` and the facts of each cluster. A kubeconfig that cannot be
/// parsed shows as a cluster row with its error, so one bad file hides nothing else.
///
/// # Errors
/// When the directory cannot be read or holds no kubeconfig.
pub async fn inspect_dir(dir: &Path) -> Result<EstateView, AppError> {
    let entries = sources_in_dir(dir).map_err(|e| AppError::from(&e))?;
    let mut sources = Vec::new();
    let mut broken = Vec::new();
    for (path, source) in entries {
        match source {
            Ok(s) => sources.push(s),
            Err(e) => broken.push(unreadable(&path, &e)),
        }
    }
    let mut clusters = summarize_all(&sources).await;
    clusters.extend(broken);
    Ok(EstateView {
        source: EstateSource::Directory,
        label: dir.display().to_string(),
        clusters,
    })
}

/// Reads the facts of already parsed sources (e.g. the built-in demo estate).
pub async fn inspect_sources(
    source: EstateSource,
    label: &str,
    sources: &[ClusterSource],
) -> EstateView {
    EstateView {
        source,
        label: label.to_owned(),
        clusters: summarize_all(sources).await,
    }
}

fn unreadable(path: &Path, e: &ClusterError) -> ClusterSummary {
    ClusterSummary {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        server: String::new(),
        role: ClusterRole::Unknown,
        kubernetes_version: None,
        kubesphere_version: None,
        namespace_count: None,
        latency_ms: None,
        error: Some(AppError {
            kind: ErrorKind::Invalid,
            ..AppError::from(e)
        }),
    }
}
