//! One writer per estate: a `coordination.k8s.io/v1` Lease `kube-system/ksmc-workflow` on
//! every cluster a run writes to, holding the run's holder id. A live lease of another holder
//! refuses the run; an expired one is taken over (with its resourceVersion); breaking a live
//! one needs its holder id typed exactly.

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::api::{Api, DeleteParams, PostParams, Preconditions};
use serde_json::json;

use super::access::{CallError, Clusters, call};
use crate::error::{AppError, ErrorKind};

pub const LEASE_NAME: &str = "ksmc-workflow";
pub const LEASE_NAMESPACE: &str = "kube-system";
/// How long a lease lives without renewal.
pub const LEASE_SECONDS: i32 = 120;

fn now() -> MicroTime {
    MicroTime(jiff::Timestamp::now())
}

fn expired(lease: &Lease) -> bool {
    let Some(spec) = &lease.spec else { return true };
    let (Some(renewed), Some(secs)) = (&spec.renew_time, spec.lease_duration_seconds) else {
        return true;
    };
    let until = renewed.0 + jiff::SignedDuration::from_secs(i64::from(secs));
    until < jiff::Timestamp::now()
}

fn locked(cluster: &str, holder: &str) -> AppError {
    AppError::new(
        ErrorKind::Locked,
        format!(
            "{cluster} is locked by another ksmc run (holder {holder}); wait for it to finish, or if it is dead, break the lock by typing its holder id: ksmc runs unlock {cluster} --holder {holder}"
        ),
    )
}

fn call_error(cluster: &str, e: &CallError) -> AppError {
    match e {
        CallError::Fatal(a) => a.clone(),
        other => AppError::new(
            ErrorKind::Unreachable,
            format!(
                "cannot take the ksmc lock on {cluster}: {}",
                other.describe()
            ),
        ),
    }
}

/// Takes (or renews) the lease on `cluster` for `holder`.
///
/// # Errors
/// [`ErrorKind::Conflict`] when another holder's lease is live; the cluster's error otherwise.
pub async fn acquire(clusters: &Clusters, cluster: &str, holder: &str) -> Result<(), AppError> {
    let api: Api<Lease> = Api::namespaced(clusters.client(cluster).await?, LEASE_NAMESPACE);
    for _ in 0..5 {
        let current = match call(api.get(LEASE_NAME)).await {
            Ok(l) => Some(l),
            Err(CallError::NotFound) => None,
            Err(e) => return Err(call_error(cluster, &e)),
        };
        let mut lease: Lease = serde_json::from_value(json!({
            "metadata": {"name": LEASE_NAME, "namespace": LEASE_NAMESPACE},
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": LEASE_SECONDS},
        }))
        .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        if let Some(spec) = lease.spec.as_mut() {
            spec.renew_time = Some(now());
            spec.acquire_time = Some(now());
        }
        let outcome = match current {
            None => call(api.create(&PostParams::default(), &lease)).await,
            Some(cur) => {
                let theirs = cur
                    .spec
                    .as_ref()
                    .and_then(|s| s.holder_identity.clone())
                    .unwrap_or_default();
                if theirs != holder && !theirs.is_empty() && !expired(&cur) {
                    return Err(locked(cluster, &theirs));
                }
                if theirs == holder
                    && let (Some(spec), Some(old)) = (lease.spec.as_mut(), cur.spec.as_ref())
                {
                    spec.acquire_time.clone_from(&old.acquire_time);
                }
                lease.metadata.resource_version = cur.metadata.resource_version;
                call(api.replace(LEASE_NAME, &PostParams::default(), &lease)).await
            }
        };
        match outcome {
            Ok(_) => return Ok(()),
            Err(CallError::Conflict | CallError::AlreadyExists) => {}
            Err(e) => return Err(call_error(cluster, &e)),
        }
    }
    Err(AppError::new(
        ErrorKind::Conflict,
        format!("the ksmc lock on {cluster} kept changing; another run is starting"),
    ))
}

/// Releases the lease if `holder` holds it.
pub async fn release(clusters: &Clusters, cluster: &str, holder: &str) {
    let Ok(client) = clusters.client(cluster).await else {
        return;
    };
    let api: Api<Lease> = Api::namespaced(client, LEASE_NAMESPACE);
    if let Ok(cur) = call(api.get(LEASE_NAME)).await
        && cur.spec.as_ref().and_then(|s| s.holder_identity.as_deref()) == Some(holder)
    {
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: cur.metadata.uid,
                resource_version: cur.metadata.resource_version,
            }),
            ..DeleteParams::default()
        };
        let _ = call(api.delete(LEASE_NAME, &params)).await;
    }
}

/// Who holds the lease on `cluster`, if anyone (expired leases included, marked).
///
/// # Errors
/// The cluster's error.
pub async fn holder(
    clusters: &Clusters,
    cluster: &str,
) -> Result<Option<(String, bool)>, AppError> {
    let api: Api<Lease> = Api::namespaced(clusters.client(cluster).await?, LEASE_NAMESPACE);
    match call(api.get(LEASE_NAME)).await {
        Ok(l) => Ok(l
            .spec
            .as_ref()
            .and_then(|s| s.holder_identity.clone())
            .map(|h| (h, expired(&l)))),
        Err(CallError::NotFound) => Ok(None),
        Err(e) => Err(call_error(cluster, &e)),
    }
}

/// Breaks the lease on `cluster` when `typed` is exactly its holder id.
///
/// # Errors
/// [`ErrorKind::Invalid`] when the id does not match; [`ErrorKind::NotFound`] when unlocked.
pub async fn break_lease(clusters: &Clusters, cluster: &str, typed: &str) -> Result<(), AppError> {
    match holder(clusters, cluster).await? {
        None => Err(AppError::new(
            ErrorKind::NotFound,
            format!("{cluster} is not locked"),
        )),
        Some((h, _)) if h != typed => Err(AppError::new(
            ErrorKind::Invalid,
            format!(
                "the holder id typed does not match the lock on {cluster}; nothing was changed"
            ),
        )),
        Some((h, _)) => {
            release(clusters, cluster, &h).await;
            Ok(())
        }
    }
}
