//! Reading the facts of every cluster in the vault.

use crate::error::AppError;
use crate::facts::{ClusterRole, ClusterSummary, EstateSource, EstateView, summarize_all};

use super::Vault;

/// Reads the facts of every cluster in the vault. Clusters that cannot be opened (locked,
/// keyring unavailable, exec not approved or failing, damaged) are rows with their error;
/// clusters read successfully get their last-seen time and role recorded. An exec cluster the
/// API server answers 401 gets its plugin run again once, and is read again.
pub async fn inspect(vault: &Vault) -> Result<EstateView, AppError> {
    let v = vault.clone();
    let prepared = tokio::task::spawn_blocking(move || v.prepare_all())
        .await
        .map_err(|e| AppError::new(crate::ErrorKind::Internal, e.to_string()))?
        .map_err(|e| AppError::from(&e))?;
    let opened = vault.finish_all(prepared).await;
    let mut sources = Vec::new();
    let mut generations = std::collections::HashMap::new();
    let mut broken = Vec::new();
    for (record, source) in opened {
        match source {
            Ok((s, generation)) => {
                if let Some(g) = generation {
                    generations.insert(s.name.clone(), g);
                }
                sources.push(s);
            }
            Err(e) => broken.push(ClusterSummary {
                name: record.name.clone(),
                server: record.server.clone(),
                role: record.role_hint.unwrap_or(ClusterRole::Unknown),
                kubernetes_version: None,
                kubesphere_version: None,
                namespace_count: None,
                latency_ms: None,
                error: Some(AppError::from(&e)),
            }),
        }
    }
    let mut clusters = summarize_all(&sources).await;
    // One re-run of the plugin for exec clusters whose credential was refused.
    let mut retried = false;
    for summary in &mut clusters {
        let unauthorized = summary
            .error
            .as_ref()
            .is_some_and(|e| e.kind == crate::ErrorKind::Unauthorized);
        let Some(&generation) = generations.get(&summary.name).filter(|_| unauthorized) else {
            continue;
        };
        retried = true;
        match vault.reopen_tracked(&summary.name, Some(generation)).await {
            Ok((source, _)) => {
                if let Some(again) = summarize_all(std::slice::from_ref(&source)).await.pop() {
                    *summary = again;
                }
            }
            Err(e) => summary.error = Some(AppError::from(&e)),
        }
    }
    if retried {
        // summarize_all's order: hosts, members, the rest; by name.
        let rank = |r: ClusterRole| match r {
            ClusterRole::Host => 0,
            ClusterRole::Member => 1,
            ClusterRole::None => 2,
            ClusterRole::Unknown => 3,
        };
        clusters.sort_by(|a, b| rank(a.role).cmp(&rank(b.role)).then(a.name.cmp(&b.name)));
    }
    let seen: Vec<(String, ClusterRole)> = clusters
        .iter()
        .filter(|c| c.error.is_none())
        .map(|c| (c.name.clone(), c.role))
        .collect();
    let v = vault.clone();
    match tokio::task::spawn_blocking(move || v.mark_seen(&seen)).await {
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot record when clusters were seen"),
        Err(e) => tracing::warn!(error = %e, "cannot record when clusters were seen"),
        Ok(Ok(())) => {}
    }
    clusters.extend(broken);
    Ok(EstateView {
        source: EstateSource::Vault,
        label: format!("vault {}", vault.dir().display()),
        clusters,
    })
}
