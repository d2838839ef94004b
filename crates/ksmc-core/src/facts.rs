//! Cluster facts: what each cluster is, read concurrently, each cluster's failure kept apart.

use std::time::{Duration, Instant};

use futures::future::join_all;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::core::GroupVersionKind;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, ClusterError};
use crate::kubeconfig::ClusterSource;

/// Every call to a cluster ends within this.
pub const CALL_DEADLINE: Duration = Duration::from_secs(20);

/// Reading one cluster's summary ends within this, retries included.
pub const SUMMARY_DEADLINE: Duration = Duration::from_secs(30);

/// A cluster's KubeSphere multi-cluster role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum ClusterRole {
    Host,
    Member,
    /// KubeSphere installed, multi-cluster not configured.
    None,
    /// KubeSphere not found, or its configuration unreadable.
    Unknown,
}

/// What one cluster is, as far as it could be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ClusterSummary {
    pub name: String,
    pub server: String,
    pub role: ClusterRole,
    pub kubernetes_version: Option<String>,
    pub kubesphere_version: Option<String>,
    pub namespace_count: Option<u32>,
    /// Round trip of the `/version` call, in milliseconds.
    pub latency_ms: Option<u32>,
    /// Why the cluster could not be read; the facts above are then absent.
    pub error: Option<AppError>,
}

/// Where the estate on screen comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum EstateSource {
    /// The built-in simulated estate.
    Demo,
    /// A directory of kubeconfigs.
    Directory,
    /// The clusters sealed in the vault.
    Vault,
}

/// The clusters of an estate with their facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EstateView {
    pub source: EstateSource,
    pub label: String,
    pub clusters: Vec<ClusterSummary>,
}

async fn with_deadline<T>(
    fut: impl Future<Output = Result<T, kube::Error>>,
) -> Result<T, ClusterError> {
    match tokio::time::timeout(CALL_DEADLINE, fut).await {
        Ok(result) => result.map_err(|e| ClusterError::from_kube(&e)),
        Err(_) => Err(ClusterError::Timeout(CALL_DEADLINE.as_secs())),
    }
}

/// Counts namespaces, page by page.
///
/// # Errors
/// When a page cannot be read.
pub async fn count_namespaces(client: &kube::Client) -> Result<u32, ClusterError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let mut params = ListParams::default().limit(500);
    let mut count: u32 = 0;
    loop {
        let page = with_deadline(api.list_metadata(&params)).await?;
        count = count.saturating_add(u32::try_from(page.items.len()).unwrap_or(u32::MAX));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(count),
        }
    }
}

/// Role and version from the ks-installer ClusterConfiguration (KubeSphere 3.x).
/// `Ok(None)` when there is none (KubeSphere absent, or 4.x).
///
/// # Errors
/// When the cluster answers with an error other than "not found".
pub async fn kubesphere_identity(
    client: &kube::Client,
) -> Result<Option<(ClusterRole, Option<String>)>, ClusterError> {
    let gvk = GroupVersionKind::gvk(
        "installer.kubesphere.io",
        "v1alpha1",
        "ClusterConfiguration",
    );
    let resource = ApiResource::from_gvk_with_plural(&gvk, "clusterconfigurations");
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "kubesphere-system", &resource);
    let Some(cc) = with_deadline(api.get_opt("ks-installer")).await? else {
        return Ok(None);
    };
    let role = match cc
        .data
        .pointer("/spec/multicluster/clusterRole")
        .and_then(|v| v.as_str())
    {
        Some("host") => ClusterRole::Host,
        Some("member") => ClusterRole::Member,
        Some("none") | None => ClusterRole::None,
        Some(_) => ClusterRole::Unknown,
    };
    let version = cc
        .data
        .pointer("/status/core/version")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .or_else(|| {
            cc.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("version").cloned())
        });
    Ok(Some((role, version)))
}

/// Reads the summary of one cluster. Never fails: a failure is recorded in `error`.
pub async fn summarize(source: &ClusterSource) -> ClusterSummary {
    let mut summary = ClusterSummary {
        name: source.name.clone(),
        server: source.server.clone(),
        role: ClusterRole::Unknown,
        kubernetes_version: None,
        kubesphere_version: None,
        namespace_count: None,
        latency_ms: None,
        error: None,
    };
    // kube-rs retries 429/503 with backoff; the whole read of one cluster still ends in time.
    let outcome = match tokio::time::timeout(SUMMARY_DEADLINE, fill(source, &mut summary)).await {
        Ok(result) => result,
        Err(_) => Err(ClusterError::Timeout(SUMMARY_DEADLINE.as_secs())),
    };
    if let Err(e) = outcome {
        tracing::info!(cluster = %source.name, error = %e, "cluster could not be read");
        summary.error = Some(AppError::from(&e));
    }
    summary
}

async fn fill(source: &ClusterSource, summary: &mut ClusterSummary) -> Result<(), ClusterError> {
    let client = source.client().await?;
    let started = Instant::now();
    let version = with_deadline(client.apiserver_version()).await?;
    summary.latency_ms = Some(u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX));
    summary.kubernetes_version = Some(version.git_version);
    let (namespaces, identity) =
        futures::join!(count_namespaces(&client), kubesphere_identity(&client));
    summary.namespace_count = Some(namespaces?);
    if let Some((role, ks_version)) = identity? {
        summary.role = role;
        summary.kubesphere_version = ks_version;
    }
    Ok(())
}

/// Reads every cluster concurrently; hosts first, then members, then the rest, by name.
pub async fn summarize_all(sources: &[ClusterSource]) -> Vec<ClusterSummary> {
    let mut all = join_all(sources.iter().map(summarize)).await;
    all.sort_by(|a, b| {
        role_rank(a.role)
            .cmp(&role_rank(b.role))
            .then(a.name.cmp(&b.name))
    });
    all
}

fn role_rank(role: ClusterRole) -> u8 {
    match role {
        ClusterRole::Host => 0,
        ClusterRole::Member => 1,
        ClusterRole::None => 2,
        ClusterRole::Unknown => 3,
    }
}
