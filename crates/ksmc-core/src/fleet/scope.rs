//! Inspecting one cluster of an estate (`ksmc inspect --cluster C`): C in full, and of the
//! other clusters only what C's findings need.
//!
//! - Every other cluster is read to [`Depth::Identity`] (a handful of small requests each,
//!   nothing that grows with its projects or users): that is enough to know the hosts and
//!   which host registered C (matched by kube-system UID, as KubeSphere does).
//! - C is a member (or would-be member): its host is read in full — the one whose Cluster
//!   object records C's kube-system UID, else the estate's only host — so the findings that
//!   compare the two (jwtSecret, recorded name, workspaces and users that conflict, users not
//!   synced, components) are the same as in a whole-estate inspection.
//! - C is a host: the clusters its Cluster objects register (its members) are read in full, so
//!   its user-sync facts are complete.
//!
//! The report holds C alone, and the findings about C: those filed under C, and those a host
//! files about C's Cluster object (`object` = `Cluster <its name on that host>`).

use futures::StreamExt as _;

use super::facts::{ClusterFacts, Depth, PARALLELISM, gather_on_task, gather_to, link_members};
use super::findings::findings;
use super::{FleetReport, inspect_sources};
use crate::error::{AppError, ErrorKind};
use crate::kubeconfig::ClusterSource;

/// Inspects the estate (`sources`, and `unreadable` rows for kubeconfigs that did not
/// parse), or only the cluster named `only`.
///
/// # Errors
/// `NotFound`, naming the estate's clusters, when `only` is not one of them.
pub async fn inspect_estate(
    sources: &[ClusterSource],
    unreadable: Vec<ClusterFacts>,
    only: Option<&str>,
) -> Result<FleetReport, AppError> {
    let Some(name) = only else {
        let mut report = inspect_sources(sources).await;
        if !unreadable.is_empty() {
            report.clusters.extend(unreadable);
            report.findings = findings(&report.clusters);
        }
        return Ok(report);
    };
    if let Some(target) = sources.iter().find(|s| s.name == name) {
        return Ok(inspect_one(sources, target).await);
    }
    let known = sources
        .iter()
        .map(|s| s.name.as_str())
        .chain(unreadable.iter().map(|c| c.name.as_str()));
    let error = not_found(name, known);
    let row = unreadable
        .into_iter()
        .find(|c| c.name == name)
        .ok_or(error)?;
    let findings = findings(std::slice::from_ref(&row));
    Ok(FleetReport {
        clusters: vec![row],
        findings,
    })
}

/// The source of the cluster named `name`.
///
/// # Errors
/// `NotFound`, naming the estate's clusters, when there is none of that name.
pub fn find_source<'a>(
    sources: &'a [ClusterSource],
    name: &str,
) -> Result<&'a ClusterSource, AppError> {
    sources
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| not_found(name, sources.iter().map(|s| s.name.as_str())))
}

/// "No cluster named …", naming the `known` ones.
pub fn not_found<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> AppError {
    let mut known: Vec<&str> = known.collect();
    known.sort_unstable();
    AppError::new(
        ErrorKind::NotFound,
        format!(
            "no cluster named {name:?} in this estate (known: {})",
            known.join(", ")
        ),
    )
}

/// Reads `sources` to `depth`, at most [`PARALLELISM`] at a time, keeping their order.
/// (The reads are made before the stream: a stream holding a closure over `&ClusterSource` is
/// not provably `Send` where a caller needs it, e.g. a Tauri command.)
pub(super) async fn read_all(sources: Vec<&ClusterSource>, depth: Depth) -> Vec<ClusterFacts> {
    let reads: Vec<_> = sources
        .into_iter()
        .map(|s| gather_on_task(s, depth))
        .collect();
    futures::stream::iter(reads)
        .buffered(PARALLELISM)
        .collect()
        .await
}

async fn inspect_one(sources: &[ClusterSource], target: &ClusterSource) -> FleetReport {
    let others: Vec<&ClusterSource> = sources.iter().filter(|s| s.name != target.name).collect();
    let (c, mut rest) = futures::join!(
        gather_to(target, Depth::Full),
        read_all(others.clone(), Depth::Identity)
    );
    let needed = needed(&c, &rest);
    let full = read_all(needed.iter().map(|&i| others[i]).collect(), Depth::Full).await;
    for (i, facts) in needed.iter().zip(full) {
        rest[*i] = facts;
    }
    let mut all = Vec::with_capacity(rest.len() + 1);
    all.push(c);
    all.extend(rest);
    link_members(&mut all);
    let name = all[0].name.clone();
    let objects = cluster_objects(&all);
    let findings = findings(&all)
        .into_iter()
        .filter(|f| {
            f.cluster == name
                || objects
                    .iter()
                    .any(|(host, object)| f.cluster == *host && f.object.as_ref() == Some(object))
        })
        .collect();
    all.truncate(1);
    FleetReport {
        clusters: all,
        findings,
    }
}

/// Which of the other clusters (read to identity) C's findings need in full.
fn needed(c: &ClusterFacts, rest: &[ClusterFacts]) -> Vec<usize> {
    if c.is_host() {
        let uids: Vec<&str> = c
            .clusters
            .all()
            .iter()
            .filter(|mc| !mc.is_host)
            .filter_map(|mc| mc.uid.as_deref())
            .collect();
        return (0..rest.len())
            .filter(|&i| rest[i].uid().is_some_and(|u| uids.contains(&u)))
            .collect();
    }
    let hosts: Vec<usize> = (0..rest.len()).filter(|&i| rest[i].is_host()).collect();
    let registering: Vec<usize> = hosts
        .iter()
        .copied()
        .filter(|&i| registers(&rest[i], c.uid()))
        .collect();
    if registering.is_empty() && hosts.len() == 1 {
        hosts
    } else {
        registering
    }
}

fn registers(host: &ClusterFacts, uid: Option<&str>) -> bool {
    uid.is_some_and(|uid| {
        host.clusters
            .all()
            .iter()
            .any(|mc| !mc.is_host && mc.uid.as_deref() == Some(uid))
    })
}

/// `(host, "Cluster <name>")` for every host's Cluster object that registers `all[0]`.
fn cluster_objects(all: &[ClusterFacts]) -> Vec<(String, String)> {
    let Some(uid) = all[0].uid() else {
        return Vec::new();
    };
    all.iter()
        .skip(1)
        .filter(|h| h.is_host())
        .flat_map(|h| {
            h.clusters
                .all()
                .iter()
                .filter(|mc| !mc.is_host && mc.uid.as_deref() == Some(uid))
                .map(|mc| (h.name.clone(), format!("Cluster {}", mc.name)))
        })
        .collect()
}
