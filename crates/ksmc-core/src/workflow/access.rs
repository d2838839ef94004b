//! How workflows reach clusters: one client per estate cluster (kube's own retry off), every
//! call under a deadline, errors sorted into what the engine does next.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIGroup;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::core::GroupVersionKind;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::error::{AppError, ClusterError, ErrorKind};
use crate::kubeconfig::ClusterSource;

/// Deadline of one API call.
pub const CALL_DEADLINE: Duration = Duration::from_secs(30);
/// Attempts of one step before it pauses the run.
pub const ATTEMPTS: u32 = 8;

/// What a failed call means for the step.
#[derive(Debug, Clone)]
pub enum CallError {
    /// 409 on a write carrying a precondition: re-read and recompute.
    Conflict,
    /// 409 AlreadyExists on a create: read what is there.
    AlreadyExists,
    NotFound,
    /// Worth another attempt after a pause: 429, 5xx, no answer, deadline.
    Transient(String),
    /// Retrying will not help: 400/401/403/422, a webhook's denial.
    Fatal(AppError),
}

impl CallError {
    pub fn from_kube(e: &kube::Error) -> Self {
        if let kube::Error::Api(s) = e {
            return match s.code {
                409 if s.reason == "AlreadyExists" => Self::AlreadyExists,
                409 => Self::Conflict,
                404 => Self::NotFound,
                429 | 500 | 502 | 503 | 504 => {
                    Self::Transient(format!("{} {}: {}", s.code, s.reason, s.message))
                }
                _ => Self::Fatal(AppError::from(&ClusterError::from_kube(e))),
            };
        }
        Self::Transient(ClusterError::from_kube(e).to_string())
    }

    /// Text for the journal and the report (never a body or a credential).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Conflict => "409 Conflict (the object changed)".into(),
            Self::AlreadyExists => "409 AlreadyExists".into(),
            Self::NotFound => "404 NotFound".into(),
            Self::Transient(m) => m.clone(),
            Self::Fatal(e) => e.message.clone(),
        }
    }

    /// The HTTP status for the journal (0: no answer).
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::Conflict | Self::AlreadyExists => 409,
            Self::NotFound => 404,
            Self::Transient(m) => m
                .split_whitespace()
                .next()
                .and_then(|c| c.parse().ok())
                .unwrap_or(0),
            Self::Fatal(e) => e.status.unwrap_or(0),
        }
    }
}

/// Runs one call under [`CALL_DEADLINE`].
pub async fn call<T>(fut: impl Future<Output = Result<T, kube::Error>>) -> Result<T, CallError> {
    match tokio::time::timeout(CALL_DEADLINE, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(CallError::from_kube(&e)),
        Err(_) => Err(CallError::Transient(format!(
            "no answer within {} s",
            CALL_DEADLINE.as_secs()
        ))),
    }
}

/// The pause before attempt `n` (from 1): 200 ms doubling to 5 s, with jitter.
#[must_use]
pub fn backoff(n: u32) -> Duration {
    let base = 200u64.saturating_mul(1 << n.min(5)).min(5_000);
    let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) % (base / 5 + 1);
    Duration::from_millis(base + jitter)
}

/// The clusters a run may touch, by estate name, with their clients built on first use.
pub struct Clusters {
    sources: BTreeMap<String, ClusterSource>,
    clients: Mutex<BTreeMap<String, kube::Client>>,
    tenant: Mutex<BTreeMap<String, &'static str>>,
}

impl std::fmt::Debug for Clusters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clusters")
            .field("names", &self.sources.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Clusters {
    #[must_use]
    pub fn new(sources: impl IntoIterator<Item = ClusterSource>) -> Self {
        Self {
            sources: sources.into_iter().map(|s| (s.name.clone(), s)).collect(),
            clients: Mutex::new(BTreeMap::new()),
            tenant: Mutex::new(BTreeMap::new()),
        }
    }

    /// Every cluster's kubeconfig, by name.
    pub fn sources(&self) -> impl Iterator<Item = &ClusterSource> {
        self.sources.values()
    }

    /// The kubeconfig of a cluster.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when the estate has no cluster of that name.
    pub fn source(&self, name: &str) -> Result<&ClusterSource, AppError> {
        self.sources.get(name).ok_or_else(|| {
            AppError::new(
                ErrorKind::NotFound,
                format!(
                    "no cluster named {name:?} in this estate (known: {})",
                    self.sources.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    }

    /// The client of a cluster.
    ///
    /// # Errors
    /// When the cluster is unknown or its kubeconfig cannot make a client.
    pub async fn client(&self, name: &str) -> Result<kube::Client, AppError> {
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(name) {
            return Ok(c.clone());
        }
        let client = self
            .source(name)?
            .workflow_client()
            .await
            .map_err(|e| AppError::from(&e))?;
        clients.insert(name.to_owned(), client.clone());
        Ok(client)
    }
}

impl Clusters {
    /// The version of `tenant.kubesphere.io` a cluster prefers: `v1beta1` on KubeSphere 4.x
    /// (Workspace and WorkspaceTemplate both), else the 3.x pair `v1alpha1`/`v1alpha2`.
    ///
    /// # Errors
    /// When the cluster cannot be asked.
    pub async fn tenant_version(&self, cluster: &str) -> Result<&'static str, AppError> {
        if let Some(v) = self.tenant.lock().await.get(cluster) {
            return Ok(v);
        }
        let client = self.client(cluster).await?;
        let request = http::Request::get("/apis/tenant.kubesphere.io")
            .body(Vec::new())
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        let group: Result<APIGroup, CallError> = call(client.request(request)).await;
        let version = match group {
            Ok(g) => {
                let preferred = g.preferred_version.map(|v| v.version);
                if preferred.as_deref() == Some(V4_TENANT) {
                    V4_TENANT
                } else {
                    "v1alpha"
                }
            }
            Err(CallError::NotFound) => "v1alpha",
            Err(e) => {
                return Err(AppError::new(
                    ErrorKind::Unreachable,
                    format!("cannot read {cluster}'s tenant API: {}", e.describe()),
                ));
            }
        };
        self.tenant.lock().await.insert(cluster.to_owned(), version);
        Ok(version)
    }

    /// Workspaces on a cluster, in the version it serves.
    ///
    /// # Errors
    /// As [`Clusters::tenant_version`].
    pub async fn workspaces(&self, cluster: &str) -> Result<Api<DynamicObject>, AppError> {
        let v = self.tenant_version(cluster).await?;
        Ok(Api::all_with(
            self.client(cluster).await?,
            &workspaces_in(v),
        ))
    }

    /// WorkspaceTemplates on a cluster, in the version it serves.
    ///
    /// # Errors
    /// As [`Clusters::tenant_version`].
    pub async fn templates(&self, cluster: &str) -> Result<Api<DynamicObject>, AppError> {
        let v = self.tenant_version(cluster).await?;
        Ok(Api::all_with(self.client(cluster).await?, &templates_in(v)))
    }
}

/// The storage version of `tenant.kubesphere.io` on KubeSphere 4.x.
pub const V4_TENANT: &str = "v1beta1";

/// Workspace in the tenant version `v` (`v1beta1`, or anything else for 3.x's `v1alpha1`).
#[must_use]
pub fn workspaces_in(v: &str) -> ApiResource {
    if v == V4_TENANT {
        resource("tenant.kubesphere.io", V4_TENANT, "Workspace", "workspaces")
    } else {
        workspaces()
    }
}

/// WorkspaceTemplate in the tenant version `v` (3.x: `v1alpha2`).
#[must_use]
pub fn templates_in(v: &str) -> ApiResource {
    if v == V4_TENANT {
        resource(
            "tenant.kubesphere.io",
            V4_TENANT,
            "WorkspaceTemplate",
            "workspacetemplates",
        )
    } else {
        workspace_templates()
    }
}

fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

/// `tenant.kubesphere.io/v1alpha1` Workspace (cluster-scoped).
#[must_use]
pub fn workspaces() -> ApiResource {
    resource(
        "tenant.kubesphere.io",
        "v1alpha1",
        "Workspace",
        "workspaces",
    )
}

/// `tenant.kubesphere.io/v1alpha2` WorkspaceTemplate (cluster-scoped).
#[must_use]
pub fn workspace_templates() -> ApiResource {
    resource(
        "tenant.kubesphere.io",
        "v1alpha2",
        "WorkspaceTemplate",
        "workspacetemplates",
    )
}

/// `cluster.kubesphere.io/v1alpha1` Cluster (cluster-scoped).
#[must_use]
pub fn kubesphere_clusters() -> ApiResource {
    resource("cluster.kubesphere.io", "v1alpha1", "Cluster", "clusters")
}

/// `installer.kubesphere.io/v1alpha1` ClusterConfiguration (namespaced).
#[must_use]
pub fn cluster_configurations() -> ApiResource {
    resource(
        "installer.kubesphere.io",
        "v1alpha1",
        "ClusterConfiguration",
        "clusterconfigurations",
    )
}

/// Reads `obj.metadata.labels[key]`.
#[must_use]
pub fn label<'a>(meta: &'a kube::core::ObjectMeta, key: &str) -> Option<&'a str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

/// A dynamic object's JSON.
#[must_use]
pub fn json(obj: &DynamicObject) -> Value {
    serde_json::to_value(obj).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) >= Duration::from_millis(400));
        assert!(backoff(1) < Duration::from_millis(600));
        for n in 5..40 {
            assert!(backoff(n) <= Duration::from_millis(6_000));
        }
    }

    #[test]
    fn statuses_sort_into_what_to_do() {
        let api = |code: u16, reason: &str| {
            kube::Error::Api(
                kube::core::Status::failure("m", reason)
                    .with_code(code)
                    .boxed(),
            )
        };
        assert!(matches!(
            CallError::from_kube(&api(409, "Conflict")),
            CallError::Conflict
        ));
        assert!(matches!(
            CallError::from_kube(&api(409, "AlreadyExists")),
            CallError::AlreadyExists
        ));
        assert!(matches!(
            CallError::from_kube(&api(503, "ServiceUnavailable")),
            CallError::Transient(_)
        ));
        assert!(matches!(
            CallError::from_kube(&api(403, "Forbidden")),
            CallError::Fatal(AppError {
                kind: ErrorKind::Forbidden,
                ..
            })
        ));
        assert_eq!(
            CallError::from_kube(&api(429, "TooManyRequests")).status(),
            429
        );
    }
}
