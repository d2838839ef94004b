//! Fleet inspection: facts of every cluster of an estate, the findings they imply, and the
//! import preflight (issue 5).

pub mod cert;
pub mod facts;
pub mod findings;
pub mod preflight;
pub mod refresh;
pub mod scope;
pub mod watch;
mod watch_task;

use std::path::Path;

use serde::Serialize;

use crate::error::{AppError, ErrorKind};
use crate::kubeconfig::{ClusterSource, sources_in_dir};

pub use facts::{ClusterFacts, gather, gather_all};
pub use findings::{Finding, Fix, Severity, findings};
pub use preflight::{Check, CheckStatus, PreflightReport, evaluate, preflight};
pub use refresh::{FleetPatch, merge_clusters, read_clusters, refresh_clusters};
pub use scope::inspect_estate;

/// An estate's facts and findings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FleetReport {
    pub clusters: Vec<ClusterFacts>,
    pub findings: Vec<Finding>,
}

/// Inspects already parsed sources.
pub async fn inspect_sources(sources: &[ClusterSource]) -> FleetReport {
    let clusters = gather_all(sources).await;
    let findings = findings(&clusters);
    FleetReport { clusters, findings }
}

/// Inspects every kubeconfig of a directory; a file that does not parse is a cluster row with
/// its error.
///
/// # Errors
/// When the directory cannot be read or holds no kubeconfig.
pub async fn inspect_dir(dir: &Path) -> Result<FleetReport, AppError> {
    let entries = sources_in_dir(dir).map_err(|e| AppError::from(&e))?;
    let mut sources = Vec::new();
    let mut broken = Vec::new();
    for (path, source) in entries {
        match source {
            Ok(s) => sources.push(s),
            Err(e) => broken.push(ClusterFacts::unreadable(
                &path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                AppError {
                    kind: ErrorKind::Invalid,
                    ..AppError::from(&e)
                },
            )),
        }
    }
    let mut clusters = gather_all(&sources).await;
    clusters.extend(broken);
    let findings = findings(&clusters);
    Ok(FleetReport { clusters, findings })
}

/// Finds a cluster's source by ksmc name in a directory.
///
/// # Errors
/// When the directory cannot be read, or the cluster is not there or does not parse.
pub fn source_in_dir(dir: &Path, name: &str) -> Result<ClusterSource, AppError> {
    let entries = sources_in_dir(dir).map_err(|e| AppError::from(&e))?;
    let mut known = Vec::new();
    for (path, source) in entries {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem == name {
            return source.map_err(|e| AppError::from(&e));
        }
        known.push(stem);
    }
    Err(AppError::new(
        ErrorKind::NotFound,
        format!(
            "no kubeconfig for cluster {name} in {} (found: {})",
            dir.display(),
            known.join(", ")
        ),
    ))
}
