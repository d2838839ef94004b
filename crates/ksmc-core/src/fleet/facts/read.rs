//! Reading one cluster's facts over the API (pages, deadlines, concurrency), and every
//! cluster's.

use std::time::Instant;

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::core::GroupVersionKind;
use serde_json::Value;

use super::config::{components, fingerprint, parse_effective_config, parse_role};
use super::link::link_members;
use super::model::{ClusterFacts, Fact, FactError, KubeSphereFacts, Listed, Project};
use super::objects::{labels_of, managed_cluster, project, str_at, template, user, workspace};
use super::{
    PAGE, PARALLELISM, SRC_CC, SRC_CLUSTERS, SRC_CONFIG, SRC_KUBE_SYSTEM, SRC_PROJECTS,
    SRC_TEMPLATES, SRC_USERS, SRC_VERSION, SRC_WORKSPACES, WORKSPACE_LABEL,
};
use crate::error::{AppError, ClusterError, ErrorKind};
use crate::facts::CALL_DEADLINE;
use crate::kubeconfig::ClusterSource;

async fn deadline<T>(fut: impl Future<Output = Result<T, kube::Error>>) -> Result<T, ClusterError> {
    match tokio::time::timeout(CALL_DEADLINE, fut).await {
        Ok(result) => result.map_err(|e| ClusterError::from_kube(&e)),
        Err(_) => Err(ClusterError::Timeout(CALL_DEADLINE.as_secs())),
    }
}

fn is_not_found(e: &ClusterError) -> bool {
    matches!(e, ClusterError::Api { code: 404, .. })
}

fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

/// Lists every object of a cluster-scoped type, page by page. `Ok(None)` when the type is not
/// served (CRD not installed).
async fn list_all(
    client: &kube::Client,
    ar: &ApiResource,
    params: ListParams,
) -> Result<Option<Vec<DynamicObject>>, ClusterError> {
    let api: Api<DynamicObject> = Api::all_with(client.clone(), ar);
    let mut params = params.limit(PAGE);
    let mut out = Vec::new();
    loop {
        let page = match deadline(api.list(&params)).await {
            Ok(p) => p,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        out.extend(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(Some(out)),
        }
    }
}

/// Projects: namespaces labelled `kubesphere.io/workspace`, page by page (metadata only).
async fn projects(client: &kube::Client) -> Result<Vec<Project>, ClusterError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let mut params = ListParams::default().labels(WORKSPACE_LABEL).limit(PAGE);
    let mut out = Vec::new();
    loop {
        let page = deadline(api.list_metadata(&params)).await?;
        out.extend(page.items.iter().map(|n| project(&n.metadata)));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(out),
        }
    }
}

async fn kubesphere(
    client: &kube::Client,
    errors: &mut Vec<FactError>,
) -> Result<Option<KubeSphereFacts>, ClusterError> {
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
    let (cc, cm) = futures::join!(
        deadline(cc_api.get_opt("ks-installer")),
        deadline(cm_api.get_opt("kubesphere-config"))
    );
    // A 404 on the CRD itself means "not installed".
    let cc = match cc {
        Err(e) if is_not_found(&e) => None,
        other => other?,
    };
    let cm = cm?;
    if cc.is_none() && cm.is_none() {
        return Ok(None);
    }
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
    let Some(cc) = cc else {
        return Ok(Some(KubeSphereFacts {
            version: None,
            configured_role: None,
            configured_jwt_fingerprint: None,
            effective,
            components: Vec::new(),
        }));
    };
    let version = str_at(&cc.data, "/status/core/version")
        .or_else(|| labels_of(&cc.metadata, "version").map(str::to_owned))
        .map(|v| Fact::new(v, SRC_CC));
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
    Ok(Some(KubeSphereFacts {
        version,
        configured_role: Some(Fact::new(role, SRC_CC)),
        configured_jwt_fingerprint,
        effective,
        components: components(&cc.data),
    }))
}

/// Reads one list; a failure other than "not installed" is kept as a fact error, and so is
/// an item the mapping could not read entirely.
async fn listed<T>(
    client: &kube::Client,
    ar: ApiResource,
    source: &str,
    map: fn(&DynamicObject, &mut Vec<FactError>) -> T,
) -> (Listed<T>, Vec<FactError>) {
    let mut errors = Vec::new();
    match list_all(client, &ar, ListParams::default()).await {
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

/// Reads the facts of one cluster. Never fails: a failure is recorded in `error` (cluster
/// unreadable) or `fact_errors` (one fact unreadable).
pub async fn gather(source: &ClusterSource) -> ClusterFacts {
    let mut facts = ClusterFacts::empty(&source.name, &source.server);
    if let Err(e) = fill(source, &mut facts).await {
        tracing::info!(cluster = %source.name, error = %e, "cluster could not be read");
        facts.error = Some(AppError::from(&e));
    }
    facts
}

async fn fill(source: &ClusterSource, facts: &mut ClusterFacts) -> Result<(), ClusterError> {
    let client = source.client().await?;
    let started = Instant::now();
    let version = deadline(client.apiserver_version()).await?;
    facts.reachable = true;
    facts.latency_ms = Some(u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX));
    facts.kubernetes_version = Some(Fact::new(version.git_version, SRC_VERSION));

    let ns_api: Api<Namespace> = Api::all(client.clone());
    let mut errors = Vec::new();
    let (kube_system, ks, clusters, workspaces, templates, users, projects) = futures::join!(
        deadline(ns_api.get_metadata_opt("kube-system")),
        kubesphere(&client, &mut errors),
        listed(
            &client,
            resource("cluster.kubesphere.io", "v1alpha1", "Cluster", "clusters"),
            SRC_CLUSTERS,
            managed_cluster
        ),
        listed(
            &client,
            resource(
                "tenant.kubesphere.io",
                "v1alpha1",
                "Workspace",
                "workspaces"
            ),
            SRC_WORKSPACES,
            workspace
        ),
        listed(
            &client,
            resource(
                "tenant.kubesphere.io",
                "v1alpha2",
                "WorkspaceTemplate",
                "workspacetemplates"
            ),
            SRC_TEMPLATES,
            template
        ),
        listed(
            &client,
            resource("iam.kubesphere.io", "v1alpha2", "User", "users"),
            SRC_USERS,
            user
        ),
        projects(&client),
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
    match ks {
        Ok(k) => facts.kubesphere = k,
        Err(e) => errors.push(FactError {
            source: SRC_CC.into(),
            error: AppError::from(&e),
        }),
    }
    facts.clusters = clusters.0;
    facts.workspaces = workspaces.0;
    facts.workspace_templates = templates.0;
    facts.users = users.0;
    errors.extend(
        [clusters.1, workspaces.1, templates.1, users.1]
            .into_iter()
            .flatten(),
    );
    match projects {
        Ok(p) => {
            facts.projects = Listed {
                items: Some(p),
                source: SRC_PROJECTS.into(),
            };
        }
        Err(e) => errors.push(FactError {
            source: SRC_PROJECTS.into(),
            error: AppError::from(&e),
        }),
    }
    facts.fact_errors = errors;
    Ok(())
}

/// Reads every cluster, at most [`PARALLELISM`] at a time, keeping the sources' order, then
/// adds the facts that need two clusters (see [`link_members`]).
pub async fn gather_all(sources: &[ClusterSource]) -> Vec<ClusterFacts> {
    let mut all: Vec<ClusterFacts> = futures::stream::iter(sources.iter().map(gather))
        .buffered(PARALLELISM)
        .collect()
        .await;
    link_members(&mut all);
    all
}

/// What the member's ks-apiserver answers through the Kubernetes service proxy
/// (`GET …/services/:ks-apiserver:/proxy/kapis/version`, as the host's validation does).
///
/// # Errors
/// The message KubeSphere's validation would give, when the answer is not 200 with JSON.
pub async fn ks_apiserver_version(source: &ClusterSource) -> Result<String, String> {
    const PATH: &str =
        "/api/v1/namespaces/kubesphere-system/services/:ks-apiserver:/proxy/kapis/version";
    let invalid = |body: &str| {
        format!(
            "unable validate kubesphere endpoint, invalid response: {body} , please make sure ks-apiserver.kubesphere-system.svc of member cluster is up and running"
        )
    };
    let client = source.client().await.map_err(|e| invalid(&e.to_string()))?;
    let request = http::Request::get(PATH)
        .body(Vec::new())
        .map_err(|e| invalid(&e.to_string()))?;
    let text = match tokio::time::timeout(CALL_DEADLINE, client.request_text(request)).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => return Err(invalid(&ClusterError::from_kube(&e).to_string())),
        Err(_) => return Err(invalid("no answer in time")),
    };
    let v: Value = serde_json::from_str(&text).map_err(|_| invalid("not JSON"))?;
    Ok(str_at(&v, "/gitVersion").unwrap_or_default())
}
