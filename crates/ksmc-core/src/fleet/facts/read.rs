//! Reading one cluster's facts over the API (pages, deadlines, concurrency), and every
//! cluster's.

use std::time::Instant;

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::core::GroupVersionKind;
use serde_json::Value;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIGroup;

use super::config::{components, fingerprint, parse_effective_config, parse_role};
use super::lean::{Shape, list_lean, listed_lean};
use super::link::link_members;
use super::model::{
    ClusterFacts, EffectiveConfig, Extension, Fact, FactError, Generation, InstallPlan,
    KubeSphereFacts, Listed, User, Workspace, WorkspaceTemplate,
};
use super::objects::{
    extension, install_plan, labels_of, managed_cluster, project, str_at, template, user, workspace,
};
use super::{
    CLUSTER_NAME_ANNOTATION, HOST_CLUSTER_ANNOTATION, PARALLELISM, SRC_CC, SRC_CLUSTERS,
    SRC_CONFIG, SRC_EXTENSIONS, SRC_HOST_ANNOTATION, SRC_INSTALL_PLANS, SRC_KS_APISERVER,
    SRC_KUBE_SYSTEM, SRC_NAME_ANNOTATION, SRC_PROJECTS, SRC_TEMPLATES, SRC_TENANT_GROUP, SRC_USERS,
    SRC_VERSION, SRC_WORKSPACES, V4_TENANT, WORKSPACE_LABEL,
};
use crate::error::{AppError, ClusterError, ErrorKind};
use crate::facts::CALL_DEADLINE;
use crate::kubeconfig::ClusterSource;

pub(super) async fn deadline<T>(
    fut: impl Future<Output = Result<T, kube::Error>>,
) -> Result<T, ClusterError> {
    match tokio::time::timeout(CALL_DEADLINE, fut).await {
        Ok(result) => result.map_err(|e| ClusterError::from_kube(&e)),
        Err(_) => Err(ClusterError::Timeout(CALL_DEADLINE.as_secs())),
    }
}

pub(super) fn is_not_found(e: &ClusterError) -> bool {
    matches!(e, ClusterError::Api { code: 404, .. })
}

pub(super) fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

/// How many of one cluster's small reads (single objects, short lists) are in flight at a
/// time; the big lists (projects, users, workspaces) each have a lane of their own, so the
/// longest of them still sets the pace. A cluster thus has at most six requests in flight,
/// however its reads' answers interleave. With 3 lanes the dozen small reads of a cluster
/// take 3–4 round trips, beside a 2,000-project list's 4–5 pages. Over HTTP/2 (what ksmc's
/// clients offer, see `kubeconfig.rs`) they are streams of the cluster's one connection; a
/// server that speaks HTTP/1.1 only gets a connection per request in flight (hyper opens one
/// whenever a request finds none idle at that instant).
pub(super) const SHARED_LANES: usize = 3;

/// Which connections a read may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lane {
    /// A lane of its own: the big lists, read page after page, one request at a time.
    Own,
    /// One of the cluster's [`SHARED_LANES`].
    Shared,
}

/// One cluster's client and the lanes its reads take (see [`SHARED_LANES`]).
pub(super) struct Reader {
    pub client: kube::Client,
    shared: tokio::sync::Semaphore,
}

impl Reader {
    pub fn new(client: kube::Client) -> Self {
        Self {
            client,
            shared: tokio::sync::Semaphore::new(SHARED_LANES),
        }
    }

    /// Waits for a lane: the read holds it until its answer has been read whole.
    pub async fn lane(&self, lane: Lane) -> Option<tokio::sync::SemaphorePermit<'_>> {
        match lane {
            Lane::Own => None,
            // The semaphore is never closed.
            Lane::Shared => self.shared.acquire().await.ok(),
        }
    }

    /// One request on a shared lane, with the call deadline.
    pub async fn shared<T>(
        &self,
        fut: impl Future<Output = Result<T, kube::Error>>,
    ) -> Result<T, ClusterError> {
        let _lane = self.lane(Lane::Shared).await;
        let answer = deadline(fut).await;
        settle().await;
        answer
    }
}

/// Lets the connection of the answer just read go back to the client's pool (hyper returns it
/// from a task of its own) before the lane is passed on, so that the next read more often
/// reuses it than opens a connection, and a TLS handshake, of its own (over HTTP/1.1, at
/// 20 ms per request about 10% fewer handshakes; not a guarantee).
pub(super) async fn settle() {
    tokio::task::yield_now().await;
}

/// Lists every object of a cluster-scoped type, page by page, on a shared lane. `Ok(None)`
/// when the type is not served (CRD not installed).
async fn list_all(
    reader: &Reader,
    ar: &ApiResource,
    params: ListParams,
) -> Result<Option<Vec<DynamicObject>>, ClusterError> {
    list_lean(reader, ar, params, Shape::Full, Lane::Shared).await
}

/// What KubeSphere's own objects say, before the generation is known: the
/// ClusterConfiguration (3.x), `kubesphere-config`, and the `kubesphere-system` Namespace's
/// annotations (4.x).
#[derive(Debug)]
struct KubeSphereObjects {
    cc: Option<DynamicObject>,
    effective: Option<EffectiveConfig>,
    config_present: bool,
    annotations: BTreeMap<String, String>,
}

async fn kubesphere_objects(
    reader: &Reader,
    errors: &mut Vec<FactError>,
) -> Result<KubeSphereObjects, ClusterError> {
    let client = &reader.client;
    let cc_api: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "kubesphere-system",
        &resource(
            "installer.kubesphere.io",
            "v1alpha1",
            "ClusterConfiguration",
            "clusterconfigurations",
        ),
    );
    let cm_api: Api<k8s_openapi::api::core::v1::ConfigMap> =
        Api::namespaced(client.clone(), "kubesphere-system");
    let ns_api: Api<Namespace> = Api::all(client.clone());
    let (cc, cm, ns) = futures::join!(
        reader.shared(cc_api.get_opt("ks-installer")),
        reader.shared(cm_api.get_opt("kubesphere-config")),
        reader.shared(ns_api.get_metadata_opt("kubesphere-system"))
    );
    // A 404 on the CRD itself means "not installed".
    let cc = match cc {
        Err(e) if is_not_found(&e) => None,
        other => other?,
    };
    let cm = cm?;
    let annotations = match ns {
        Ok(ns) => ns.and_then(|n| n.metadata.annotations).unwrap_or_default(),
        Err(e) => {
            errors.push(FactError {
                source: "Namespace kubesphere-system".into(),
                error: AppError::from(&e),
            });
            BTreeMap::new()
        }
    };
    let config_present = cm.is_some();
    let effective = cm.and_then(|cm| {
        let yaml = cm.data.as_ref()?.get("kubesphere.yaml")?;
        match parse_effective_config(yaml) {
            Ok(c) => Some(c),
            Err(message) => {
                errors.push(FactError {
                    source: SRC_CONFIG.into(),
                    error: AppError::new(ErrorKind::Invalid, message),
                });
                None
            }
        }
    });
    Ok(KubeSphereObjects {
        cc,
        effective,
        config_present,
        annotations,
    })
}

/// KubeSphere's facts once the generation is known; `None` without a ClusterConfiguration
/// and without `kubesphere-config`. `ks_apiserver` is what ks-apiserver answered (asked on
/// 4.x only).
fn kubesphere(
    objects: KubeSphereObjects,
    generation: Generation,
    ks_apiserver: Option<Result<String, String>>,
    errors: &mut Vec<FactError>,
) -> Option<KubeSphereFacts> {
    let KubeSphereObjects {
        cc,
        effective,
        config_present,
        annotations,
    } = objects;
    if cc.is_none() && !config_present {
        return None;
    }
    let annotation = |key: &str, source: &str| {
        annotations
            .get(key)
            .filter(|v| !v.is_empty())
            .map(|v| Fact::new(v.clone(), source))
    };
    let managed_by = annotation(HOST_CLUSTER_ANNOTATION, SRC_HOST_ANNOTATION);
    let (version, recorded_name) = match generation {
        Generation::V4 => {
            let version = match ks_apiserver {
                Some(Ok(v)) if !v.is_empty() => Some(Fact::new(v, SRC_KS_APISERVER)),
                Some(Ok(_)) => None,
                Some(Err(message)) => {
                    errors.push(FactError {
                        source: SRC_KS_APISERVER.into(),
                        error: AppError::new(ErrorKind::Unreachable, message),
                    });
                    None
                }
                None => None,
            };
            (
                version,
                annotation(CLUSTER_NAME_ANNOTATION, SRC_NAME_ANNOTATION),
            )
        }
        Generation::V3 => (
            cc.as_ref().and_then(|cc| {
                str_at(&cc.data, "/status/core/version")
                    .or_else(|| labels_of(&cc.metadata, "version").map(str::to_owned))
                    .map(|v| Fact::new(v, SRC_CC))
            }),
            effective
                .as_ref()
                .and_then(|e| e.recorded_name.clone())
                .map(|n| Fact::new(n, &format!("{SRC_CONFIG} multicluster.clusterName"))),
        ),
    };
    let generation = Fact::new(generation, SRC_TENANT_GROUP);
    let Some(cc) = cc.filter(|_| generation.value == Generation::V3) else {
        return Some(KubeSphereFacts {
            generation,
            version,
            configured_role: None,
            configured_jwt_fingerprint: None,
            effective,
            recorded_name,
            managed_by,
            components: Vec::new(),
        });
    };
    let role = parse_role(
        cc.data
            .pointer("/spec/multicluster/clusterRole")
            .and_then(Value::as_str),
    );
    let configured_jwt_fingerprint = cc
        .data
        .pointer("/spec/authentication/jwtSecret")
        .and_then(Value::as_str)
        .and_then(fingerprint);
    Some(KubeSphereFacts {
        generation,
        version,
        configured_role: Some(Fact::new(role, SRC_CC)),
        configured_jwt_fingerprint,
        effective,
        recorded_name,
        managed_by,
        components: components(&cc.data),
    })
}

/// The version of `tenant.kubesphere.io` the cluster prefers, `None` when the group is not
/// served (as `workflow::access::Clusters::tenant_version` detects KubeSphere 4.x).
async fn tenant_preferred(reader: &Reader) -> Result<Option<String>, ClusterError> {
    let request = http::Request::get("/apis/tenant.kubesphere.io")
        .body(Vec::new())
        .map_err(|e| ClusterError::Unreachable(e.to_string()))?;
    match reader
        .shared(reader.client.request::<APIGroup>(request))
        .await
    {
        Ok(g) => Ok(g.preferred_version.map(|v| v.version)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// What depends on the generation: workspaces, templates and users in the version the
/// cluster serves, and on 4.x extensions, InstallPlans and ks-apiserver's version.
#[derive(Debug)]
struct Tenant {
    generation: Generation,
    workspaces: (Listed<Workspace>, Vec<FactError>),
    templates: (Listed<WorkspaceTemplate>, Vec<FactError>),
    users: (Listed<User>, Vec<FactError>),
    extensions: (Listed<Extension>, Vec<FactError>),
    install_plans: (Listed<InstallPlan>, Vec<FactError>),
    access: (super::access::AccessFacts, Vec<FactError>),
    ks_apiserver: Option<Result<String, String>>,
    errors: Vec<FactError>,
}

async fn tenant(reader: &Reader, depth: Depth) -> Tenant {
    let mut errors = Vec::new();
    let generation = match tenant_preferred(reader).await {
        Ok(Some(v)) if v == V4_TENANT => Generation::V4,
        Ok(_) => Generation::V3,
        Err(e) => {
            errors.push(FactError {
                source: SRC_TENANT_GROUP.into(),
                error: AppError::from(&e),
            });
            Generation::V3
        }
    };
    let (ws, tmpl, iam) = match generation {
        Generation::V4 => (V4_TENANT, V4_TENANT, "v1beta1"),
        Generation::V3 => ("v1alpha1", "v1alpha2", "v1alpha2"),
    };
    let v4 = generation == Generation::V4;
    let full = depth == Depth::Full;
    let (workspaces, templates, users, extensions, install_plans, access, ks_apiserver) = futures::join!(
        lean_if(
            full,
            reader,
            resource("tenant.kubesphere.io", ws, "Workspace", "workspaces"),
            ListParams::default(),
            Shape::Metadata,
            SRC_WORKSPACES,
            workspace
        ),
        listed_if(
            full,
            reader,
            resource(
                "tenant.kubesphere.io",
                tmpl,
                "WorkspaceTemplate",
                "workspacetemplates"
            ),
            SRC_TEMPLATES,
            template
        ),
        lean_if(
            full,
            reader,
            resource("iam.kubesphere.io", iam, "User", "users"),
            ListParams::default(),
            Shape::Full,
            SRC_USERS,
            user
        ),
        listed_if(
            v4 && full,
            reader,
            resource("kubesphere.io", "v1alpha1", "Extension", "extensions"),
            SRC_EXTENSIONS,
            extension
        ),
        listed_if(
            v4 && full,
            reader,
            resource("kubesphere.io", "v1alpha1", "InstallPlan", "installplans"),
            SRC_INSTALL_PLANS,
            install_plan
        ),
        async {
            if full {
                super::access::read(reader, iam).await
            } else {
                (super::access::AccessFacts::absent(), Vec::new())
            }
        },
        async {
            if v4 && full {
                let _lane = reader.lane(Lane::Shared).await;
                Some(ks_apiserver_answer(&reader.client).await)
            } else {
                None
            }
        }
    );
    Tenant {
        generation,
        workspaces,
        templates,
        users,
        extensions,
        install_plans,
        access,
        ks_apiserver,
        errors,
    }
}

/// Reads one list; a failure other than "not installed" is kept as a fact error, and so is
/// an item the mapping could not read entirely.
pub(super) async fn listed<T>(
    reader: &Reader,
    ar: ApiResource,
    source: &str,
    map: fn(&DynamicObject, &mut Vec<FactError>) -> T,
) -> (Listed<T>, Vec<FactError>) {
    let mut errors = Vec::new();
    match list_all(reader, &ar, ListParams::default()).await {
        Ok(items) => {
            let items = items.map(|l| l.iter().map(|o| map(o, &mut errors)).collect());
            (
                Listed {
                    items,
                    source: source.to_owned(),
                },
                errors,
            )
        }
        Err(e) => {
            errors.push(FactError {
                source: source.to_owned(),
                error: AppError::from(&e),
            });
            (Listed::absent(source), errors)
        }
    }
}

/// [`listed`] when `read`, else absent without a request.
async fn listed_if<T>(
    read: bool,
    reader: &Reader,
    ar: ApiResource,
    source: &str,
    map: fn(&DynamicObject, &mut Vec<FactError>) -> T,
) -> (Listed<T>, Vec<FactError>) {
    if read {
        listed(reader, ar, source, map).await
    } else {
        (Listed::absent(source), Vec::new())
    }
}

/// [`listed_lean`] on a lane of its own when `read`, else absent without a request.
async fn lean_if<L: serde::de::DeserializeOwned, T>(
    read: bool,
    reader: &Reader,
    ar: ApiResource,
    params: ListParams,
    shape: Shape,
    source: &str,
    map: fn(L) -> T,
) -> (Listed<T>, Vec<FactError>) {
    if read {
        listed_lean(reader, ar, params, shape, source, map).await
    } else {
        (Listed::absent(source), Vec::new())
    }
}

/// How much of a cluster is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// Every fact.
    Full,
    /// What places a cluster in the estate, and nothing that grows with its contents:
    /// reachability and version, kube-system UID, KubeSphere's configuration (role,
    /// jwtSecret fingerprint, recorded name, components) and, on a host, its Cluster
    /// objects. Workspaces, templates, users, projects, extensions and access are absent.
    Identity,
}

/// Reads the facts of one cluster. Never fails: a failure is recorded in `error` (cluster
/// unreadable) or `fact_errors` (one fact unreadable).
pub async fn gather(source: &ClusterSource) -> ClusterFacts {
    gather_to(source, Depth::Full).await
}

/// [`gather`] to a [`Depth`].
pub async fn gather_to(source: &ClusterSource, depth: Depth) -> ClusterFacts {
    let mut facts = ClusterFacts::empty(&source.name, &source.server);
    // Boxed: the reads are many nested futures, too large to move around on the stack.
    if let Err(e) = Box::pin(fill(source, &mut facts, depth)).await {
        tracing::info!(cluster = %source.name, error = %e, "cluster could not be read");
        facts.error = Some(AppError::from(&e));
    }
    facts
}

async fn fill(
    source: &ClusterSource,
    facts: &mut ClusterFacts,
    depth: Depth,
) -> Result<(), ClusterError> {
    let reader = Reader::new(source.client().await?);
    let client = &reader.client;
    let started = Instant::now();
    let version = deadline(client.apiserver_version()).await?;
    settle().await;
    facts.reachable = true;
    facts.latency_ms = Some(u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX));
    facts.kubernetes_version = Some(Fact::new(version.git_version, SRC_VERSION));

    let ns_api: Api<Namespace> = Api::all(client.clone());
    let mut errors = Vec::new();
    // The tenant group first: the reads that depend on it wait for its answer.
    let (tenant, kube_system, objects, clusters, projects) = futures::join!(
        tenant(&reader, depth),
        reader.shared(ns_api.get_metadata_opt("kube-system")),
        kubesphere_objects(&reader, &mut errors),
        listed(
            &reader,
            resource("cluster.kubesphere.io", "v1alpha1", "Cluster", "clusters"),
            SRC_CLUSTERS,
            managed_cluster
        ),
        lean_if(
            depth == Depth::Full,
            &reader,
            ApiResource::erase::<Namespace>(&()),
            ListParams::default().labels(WORKSPACE_LABEL),
            Shape::Metadata,
            SRC_PROJECTS,
            project
        ),
    );
    match kube_system {
        Ok(ns) => {
            facts.kube_system_uid = ns
                .and_then(|n| n.metadata.uid)
                .map(|u| Fact::new(u, SRC_KUBE_SYSTEM));
        }
        Err(e) => errors.push(FactError {
            source: SRC_KUBE_SYSTEM.into(),
            error: AppError::from(&e),
        }),
    }
    let Tenant {
        generation,
        workspaces,
        templates,
        users,
        extensions,
        install_plans,
        access,
        ks_apiserver,
        errors: tenant_errors,
    } = tenant;
    errors.extend(tenant_errors);
    match objects {
        Ok(o) => facts.kubesphere = kubesphere(o, generation, ks_apiserver, &mut errors),
        Err(e) => errors.push(FactError {
            source: SRC_CC.into(),
            error: AppError::from(&e),
        }),
    }
    facts.clusters = clusters.0;
    facts.workspaces = workspaces.0;
    facts.workspace_templates = templates.0;
    facts.users = users.0;
    facts.extensions = extensions.0;
    facts.install_plans = install_plans.0;
    facts.access = access.0;
    facts.projects = projects.0;
    errors.extend(
        [
            clusters.1,
            workspaces.1,
            templates.1,
            users.1,
            extensions.1,
            install_plans.1,
            access.1,
            projects.1,
        ]
        .into_iter()
        .flatten(),
    );
    facts.fact_errors = errors;
    Ok(())
}

/// Reads every cluster, at most [`PARALLELISM`] at a time, keeping the sources' order, then
/// adds the facts that need two clusters (see [`link_members`]).
pub async fn gather_all(sources: &[ClusterSource]) -> Vec<ClusterFacts> {
    let reads: Vec<_> = sources
        .iter()
        .map(|s| gather_on_task(s, Depth::Full))
        .collect();
    let mut all: Vec<ClusterFacts> = futures::stream::iter(reads)
        .buffered(PARALLELISM)
        .collect()
        .await;
    link_members(&mut all);
    all
}

/// [`gather_to`] on a task of its own. Polled beside the other clusters' reads inside one
/// future, every cluster's decoding and bookkeeping ran on whichever thread polled that
/// future — one core for the whole estate; as tasks they spread over the runtime's workers.
/// The task starts when the returned future is first polled and is aborted when that future is
/// dropped (an inspection given up); a panic in it is the caller's panic, as before.
pub fn gather_on_task(
    source: &ClusterSource,
    depth: Depth,
) -> impl Future<Output = ClusterFacts> + Send + 'static {
    let source = source.clone();
    // Spawned when first polled, so that a caller's bound on reads at a time still holds.
    async move {
        let mut task = AbortOnDrop(tokio::spawn(async move { gather_to(&source, depth).await }));
        match (&mut task.0).await {
            Ok(facts) => facts,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only a runtime shutting down cancels it, and nothing awaits the answer then.
            Err(e) => panic!("the read of a cluster was cancelled: {e}"),
        }
    }
}

/// Aborts its task when dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What the member's ks-apiserver answers through the Kubernetes service proxy
/// (`GET …/services/:ks-apiserver:/proxy/kapis/version`, as the host's validation does).
///
/// # Errors
/// The message KubeSphere's validation would give, when the answer is not 200 with JSON.
pub async fn ks_apiserver_version(source: &ClusterSource) -> Result<String, String> {
    let client = source
        .client()
        .await
        .map_err(|e| invalid_ks_apiserver(&e.to_string()))?;
    ks_apiserver_answer(&client).await
}

fn invalid_ks_apiserver(body: &str) -> String {
    format!(
        "unable validate kubesphere endpoint, invalid response: {body} , please make sure ks-apiserver.kubesphere-system.svc of member cluster is up and running"
    )
}

async fn ks_apiserver_answer(client: &kube::Client) -> Result<String, String> {
    const PATH: &str =
        "/api/v1/namespaces/kubesphere-system/services/:ks-apiserver:/proxy/kapis/version";
    let request = http::Request::get(PATH)
        .body(Vec::new())
        .map_err(|e| invalid_ks_apiserver(&e.to_string()))?;
    let text = match tokio::time::timeout(CALL_DEADLINE, client.request_text(request)).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            return Err(invalid_ks_apiserver(
                &ClusterError::from_kube(&e).to_string(),
            ));
        }
        Err(_) => return Err(invalid_ks_apiserver("no answer in time")),
    };
    let v: Value = serde_json::from_str(&text).map_err(|_| invalid_ks_apiserver("not JSON"))?;
    Ok(str_at(&v, "/gitVersion").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A cluster that accepts connections and never answers: a read of it waits for the
    /// call deadline, unless the inspection it belongs to is dropped first.
    #[tokio::test]
    async fn dropping_a_read_on_its_own_task_stops_it() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let source = ClusterSource::from_yaml(
            "silent",
            &format!(
                "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    token: t\n"
            ),
        )
        .unwrap();
        let read = gather_on_task(&source, Depth::Full);
        let (mut conn, _) = tokio::time::timeout(Duration::from_secs(5), async {
            tokio::select! {
                accepted = listener.accept() => accepted.unwrap(),
                () = async { read.await; unreachable!("a silent cluster answered") } => unreachable!(),
            }
        })
        .await
        .expect("the read connects while it is polled");
        // The `select!` above dropped the read once the connection was accepted: its task must
        // go, and with it the connection, long before the call deadline.
        let mut buf = [0u8; 4096];
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match tokio::io::AsyncReadExt::read(&mut conn, &mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(
            closed.is_ok(),
            "the connection stayed open after the read was dropped"
        );
    }
}
