//! Refreshing some clusters of an estate's report (a live view's notice): only the named
//! clusters are read again, in full, and merged into the report; the facts that need two
//! clusters (user sync, access matrices) are linked again and the findings recomputed over
//! the whole estate, since they compare clusters (jwtSecret host vs member, duplicate UIDs,
//! users synced…). When nothing else changed meanwhile, the merged report equals a fresh
//! inspection of every cluster (`tests/fleet_refresh.rs`).
//!
//! Two steps, so a caller can read without holding its report: [`read_clusters`] (network)
//! then [`merge_clusters`] (CPU only); [`refresh_clusters`] does both.

use serde::Serialize;

use super::FleetReport;
use super::facts::{AccessMatrix, ClusterFacts, Depth, Listed, ManagedCluster, link_members};
use super::findings::{Finding, findings};
use super::scope::{find_source, read_all};
use crate::error::{AppError, ErrorKind};
use crate::kubeconfig::ClusterSource;

/// What a refresh changed in a report: apply it by replacing these clusters (by name) and
/// every finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FleetPatch {
    /// The clusters read again, and every other cluster whose linked facts changed (a host's
    /// user sync with a refreshed member, its access matrix).
    pub clusters: Vec<ClusterFacts>,
    /// Every finding of the estate, recomputed.
    pub findings: Vec<Finding>,
    /// Every cluster of the report after the merge, in its order: a cluster named here that
    /// the caller neither has nor finds in `clusters` means the caller's copy is too old.
    pub order: Vec<String>,
}

impl From<FleetReport> for FleetPatch {
    /// The whole report as a patch, for a caller without a report to patch.
    fn from(report: FleetReport) -> Self {
        Self {
            order: report.clusters.iter().map(|c| c.name.clone()).collect(),
            clusters: report.clusters,
            findings: report.findings,
        }
    }
}

/// Reads the clusters named in `names` (each once, in full, concurrently) from `sources`.
///
/// # Errors
/// `Invalid` when `names` is empty; `NotFound`, naming the estate's clusters, when a name is
/// not one of `sources` — nothing is read then.
pub async fn read_clusters(
    sources: &[ClusterSource],
    names: &[String],
) -> Result<Vec<ClusterFacts>, AppError> {
    if names.is_empty() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "name at least one cluster to refresh",
        ));
    }
    let mut targets: Vec<&ClusterSource> = Vec::with_capacity(names.len());
    for name in names {
        let source = find_source(sources, name)?;
        if !targets.iter().any(|t| t.name == source.name) {
            targets.push(source);
        }
    }
    Ok(read_all(targets, Depth::Full).await)
}

/// Merges freshly read clusters into `report` (replacing those of the same name, appending
/// others), links the facts across clusters again and recomputes every finding. Returns
/// what changed.
pub fn merge_clusters(report: &mut FleetReport, fresh: Vec<ClusterFacts>) -> FleetPatch {
    let names: Vec<String> = fresh.iter().map(|c| c.name.clone()).collect();
    for facts in fresh {
        match report.clusters.iter_mut().find(|c| c.name == facts.name) {
            Some(slot) => *slot = facts,
            None => report.clusters.push(facts),
        }
    }
    // What linking fills in on the clusters not read again, to tell which of them it changed.
    let before: Vec<Option<Linked>> = report
        .clusters
        .iter()
        .map(|c| (!names.contains(&c.name)).then(|| linked(c)))
        .collect();
    for c in &mut report.clusters {
        // Linking sets a host's user sync only where it finds the member: forget the old one.
        if let Some(items) = c.clusters.items.as_mut() {
            for mc in items {
                mc.users_synced = None;
            }
        }
    }
    link_members(&mut report.clusters);
    report.findings = findings(&report.clusters);
    let clusters = report
        .clusters
        .iter()
        .zip(before)
        .filter(|(c, before)| before.as_ref().is_none_or(|b| *b != linked(c)))
        .map(|(c, _)| c.clone())
        .collect();
    FleetPatch {
        clusters,
        findings: report.findings.clone(),
        order: report.clusters.iter().map(|c| c.name.clone()).collect(),
    }
}

/// [`read_clusters`] then [`merge_clusters`].
///
/// # Errors
/// As [`read_clusters`]; `report` is unchanged then.
pub async fn refresh_clusters(
    report: &mut FleetReport,
    sources: &[ClusterSource],
    names: &[String],
) -> Result<FleetPatch, AppError> {
    let fresh = read_clusters(sources, names).await?;
    Ok(merge_clusters(report, fresh))
}

/// The facts [`link_members`] fills in on a cluster.
#[derive(PartialEq)]
struct Linked {
    clusters: Listed<ManagedCluster>,
    matrix: Option<AccessMatrix>,
}

fn linked(c: &ClusterFacts) -> Linked {
    Linked {
        clusters: c.clusters.clone(),
        matrix: c.access.matrix.clone(),
    }
}
