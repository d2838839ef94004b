//! Steps between a host and a member: configure the member, give the host a ServiceAccount
//! kubeconfig, create or delete the `Cluster`, and wait for KubeSphere's controllers.
//! (`shared/docs/kubesphere-multicluster.md` §2–4.)
//!
//! The host's jwtSecret and the ServiceAccount token are read at apply time, used for one
//! request body, and dropped (zeroized); they are never journalled, logged or returned.

use std::time::Duration;

use base64::Engine as _;
use futures::TryFutureExt as _;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
use kube::ResourceExt as _;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams, Preconditions};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::access::{
    CallError, call, cluster_configurations, json as to_json, kubesphere_clusters,
};
use super::plan::Step;
use super::steps::{Done, StepCtx, Stop, WAIT_LIMIT};
use crate::ClusterRole;
use crate::error::{AppError, ErrorKind};
use crate::fleet::facts::{fingerprint, parse_effective_config};

pub const WORKSPACE_LABEL: &str = "kubesphere.io/workspace";
pub const SYSTEM_WORKSPACE: &str = "system-workspace";
pub const KUBEFED_MANAGED: &str = "kubefed.io/managed";
/// KubeSphere's tenant API adds it to delete a workspace keeping its projects.
pub const ORPHAN_FINALIZER: &str = "orphan.finalizers.kubesphere.io";
/// KubeSphere 4.x: what deleting a workspace does to its labelled namespaces.
pub const DELETION_PROPAGATION: &str = "kubesphere.io/deletion-propagation";
const SYSTEM_NS: &str = "kubesphere-system";

fn fatal(kind: ErrorKind, message: String) -> CallError {
    CallError::Fatal(AppError::new(kind, message))
}

/// A WorkspaceTemplate as KubeSphere's console creates it, placed on one cluster.
#[must_use]
pub fn workspace_template(name: &str, cluster: &str, manager: &str, tenant: &str) -> Value {
    let version = if tenant == super::access::V4_TENANT {
        tenant
    } else {
        "v1alpha2"
    };
    json!({
        "apiVersion": format!("tenant.kubesphere.io/{version}"),
        "kind": "WorkspaceTemplate",
        "metadata": {"name": name, "annotations": {"kubesphere.io/creator": manager}},
        "spec": {
            "template": {"spec": {"manager": manager}},
            "placement": {"clusters": [{"name": cluster}]},
        },
    })
}

/// Why a workspace must not receive projects: it is being deleted, or deleting it would
/// delete its namespaces.
#[must_use]
pub fn template_refusal(t: &Value) -> Option<String> {
    if t.pointer("/metadata/deletionTimestamp").is_some() {
        return Some(
            "the workspace is being deleted; projects bound to it would be deleted with it".into(),
        );
    }
    match t
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(DELETION_PROPAGATION))
        .and_then(Value::as_str)
    {
        Some(p) if p != "Orphan" => Some(format!(
            "its {DELETION_PROPAGATION} annotation is {p}: deleting it would delete every project labelled with it"
        )),
        _ => None,
    }
}

/// Whether a template places its workspace on `cluster` (`clusterSelector: {}` means all).
#[must_use]
pub fn template_places(t: &Value, cluster: &str) -> bool {
    if t.pointer("/spec/placement/clusterSelector")
        .and_then(Value::as_object)
        .is_some_and(serde_json::Map::is_empty)
    {
        return true;
    }
    t.pointer("/spec/placement/clusters")
        .and_then(Value::as_array)
        .is_some_and(|l| l.iter().any(|c| c["name"] == cluster))
}

/// The template's placement list with `cluster` added.
#[must_use]
pub fn placement_with(t: &Value, cluster: &str) -> Value {
    let mut list = t
        .pointer("/spec/placement/clusters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    list.push(json!({"name": cluster}));
    Value::Array(list)
}

/// Reads a cluster's effective `kubesphere.yaml`.
async fn kubesphere_yaml(client: &kube::Client) -> Result<Option<String>, CallError> {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), SYSTEM_NS);
    match call(api.get("kubesphere-config")).await {
        Ok(cm) => Ok(cm.data.and_then(|d| d.get("kubesphere.yaml").cloned())),
        Err(CallError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The host's jwtSecret from its effective configuration, zeroized on drop.
async fn host_jwt(client: &kube::Client, host: &str) -> Result<Zeroizing<String>, CallError> {
    let yaml = Zeroizing::new(kubesphere_yaml(client).await?.ok_or_else(|| {
        fatal(
            ErrorKind::NotFound,
            format!("{host} has no kubesphere-config"),
        )
    })?);
    let doc: Value = serde_saphyr::from_str(&yaml).map_err(|_| {
        fatal(
            ErrorKind::Invalid,
            format!("{host}'s kubesphere.yaml is not valid YAML"),
        )
    })?;
    doc.pointer("/authentication/jwtSecret")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(|s| Zeroizing::new(s.to_owned()))
        .ok_or_else(|| {
            fatal(
                ErrorKind::Invalid,
                format!("{host} has no jwtSecret in kubesphere-config"),
            )
        })
}

/// Sets the member's role and/or the host's jwtSecret in its ClusterConfiguration.
pub async fn configure(
    ctx: &StepCtx<'_>,
    step: &Step,
    member: &str,
    host: &str,
    set_role: bool,
    copy_jwt: bool,
) -> Result<(), Stop> {
    let mclient = ctx.client(member).await?;
    let hclient = ctx.client(host).await?;
    let api: Api<DynamicObject> =
        Api::namespaced_with(mclient, SYSTEM_NS, &cluster_configurations());
    super::steps::retry(&format!("ClusterConfiguration ks-installer on {member}"), || async {
        let cc = call(api.get("ks-installer")).await?;
        let value = to_json(&cc);
        let role = value
            .pointer("/spec/multicluster/clusterRole")
            .and_then(Value::as_str)
            .unwrap_or("none");
        if role == "host" {
            return Err(fatal(
                ErrorKind::Conflict,
                format!("{member} is configured as a host; KubeSphere does not support turning a host into a member, so ksmc will not"),
            ));
        }
        let mut spec = serde_json::Map::new();
        let mut fields = Vec::new();
        if set_role && role != "member" {
            spec.insert("multicluster".into(), json!({"clusterRole": "member"}));
            fields.push("spec.multicluster.clusterRole=member");
        }
        let jwt = host_jwt(&hclient, host).await?;
        let current = value
            .pointer("/spec/authentication/jwtSecret")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if copy_jwt && current != jwt.as_str() {
            spec.insert("authentication".into(), json!({"jwtSecret": jwt.as_str()}));
            fields.push("spec.authentication.jwtSecret=<the host's, not shown>");
        }
        if spec.is_empty() {
            return Ok(Done);
        }
        let rv = cc.metadata.resource_version.clone();
        let patch = Zeroizing::new(
            json!({"metadata": {"resourceVersion": rv}, "spec": spec}).to_string(),
        );
        drop(spec);
        let body: Value = serde_json::from_str(&patch).unwrap_or(Value::Null);
        ctx.write(
            step,
            format!(
                "PATCH /apis/installer.kubesphere.io/v1alpha1/namespaces/kubesphere-system/clusterconfigurations/ks-installer (merge: {})",
                fields.join(", ")
            ),
            rv,
            api.patch("ks-installer", &PatchParams::default(), &Patch::Merge(&body)),
        )
        .await?;
        Ok(Done)
    })
    .await
}

/// Waits until ks-installer has rendered the member's role and the host's jwtSecret.
pub async fn wait_config(
    ctx: &StepCtx<'_>,
    step: &Step,
    member: &str,
    host: &str,
) -> Result<(), Stop> {
    let mclient = ctx.client(member).await?;
    let hclient = ctx.client(host).await?;
    let want = host_jwt(&hclient, host)
        .await
        .map_err(|e| Stop::Paused(e.describe()))
        .map(|j| fingerprint(&j))?;
    super::steps::wait(ctx, step, WAIT_LIMIT, || async {
        let yaml = match kubesphere_yaml(&mclient).await {
            Ok(Some(y)) => Zeroizing::new(y),
            Ok(None) => return Ok(Err(format!("{member} has no kubesphere-config yet"))),
            Err(e) => return super::steps::note(e),
        };
        let Ok(config) = parse_effective_config(&yaml) else {
            return Ok(Err(format!("{member}'s kubesphere.yaml is not readable yet")));
        };
        if config.cluster_role == ClusterRole::Member && config.jwt_fingerprint == want {
            Ok(Ok(()))
        } else {
            Ok(Err(format!(
                "waiting for ks-installer on {member} to render the new configuration (role {:?}, jwtSecret fingerprint {})",
                config.cluster_role,
                config.jwt_fingerprint.as_deref().unwrap_or("none")
            )))
        }
    })
    .await
}

/// A create whose object is already there counts as done (an earlier attempt made it).
fn created<T>(outcome: Result<T, CallError>) -> Result<Done, CallError> {
    match outcome {
        Ok(_) | Err(CallError::AlreadyExists) => Ok(Done),
        Err(e) => Err(e),
    }
}

/// The ServiceAccount, its token Secret and its cluster-admin binding on the member.
pub async fn ensure_service_account(
    ctx: &StepCtx<'_>,
    step: &Step,
    member: &str,
    namespace: &str,
    name: &str,
) -> Result<(), Stop> {
    let client = ctx.client(member).await?;
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let bindings: Api<ClusterRoleBinding> = Api::all(client);
    let token_secret = format!("{name}-token");
    super::steps::retry(&format!("ServiceAccount {namespace}/{name} on {member}"), || async {
        if super::steps::get_opt(&sas, name).await?.is_none() {
            let sa: ServiceAccount = serde_json::from_value(json!({
                "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/managed-by": "ksmc"}}
            })).map_err(|e| fatal(ErrorKind::Internal, e.to_string()))?;
            created(
                ctx.write(step, format!("POST /api/v1/namespaces/{namespace}/serviceaccounts"), None, sas.create(&PostParams::default(), &sa))
                    .await,
            )?;
        }
        if super::steps::get_opt(&secrets, &token_secret).await?.is_none() {
            let secret: Secret = serde_json::from_value(json!({
                "metadata": {"name": token_secret, "namespace": namespace,
                    "annotations": {"kubernetes.io/service-account.name": name},
                    "labels": {"app.kubernetes.io/managed-by": "ksmc"}},
                "type": "kubernetes.io/service-account-token",
            })).map_err(|e| fatal(ErrorKind::Internal, e.to_string()))?;
            created(
                ctx.write(step, format!("POST /api/v1/namespaces/{namespace}/secrets (type service-account-token)"), None, secrets.create(&PostParams::default(), &secret))
                    .await,
            )?;
        }
        if super::steps::get_opt(&bindings, name).await?.is_none() {
            let binding: ClusterRoleBinding = serde_json::from_value(json!({
                "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "ksmc"}},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}],
            })).map_err(|e| fatal(ErrorKind::Internal, e.to_string()))?;
            created(
                ctx.write(step, "POST /apis/rbac.authorization.k8s.io/v1/clusterrolebindings".into(), None, bindings.create(&PostParams::default(), &binding))
                    .await,
            )?;
        }
        Ok(Done)
    })
    .await?;
    super::steps::wait(ctx, step, Duration::from_secs(60), || async {
        match super::steps::get_opt(&secrets, &token_secret).await {
            Ok(Some(s)) if s.data.as_ref().is_some_and(|d| d.contains_key("token")) => Ok(Ok(())),
            Ok(_) => Ok(Err(format!(
                "waiting for Kubernetes to put a token into {namespace}/{token_secret}"
            ))),
            Err(e) => super::steps::note(e),
        }
    })
    .await
}

/// The kubeconfig the host will store: the member's server and CA, the ServiceAccount token.
fn service_account_kubeconfig(
    name: &str,
    server: &str,
    ca: &str,
    token: &str,
) -> Zeroizing<String> {
    let config = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority-data": ca}}],
        "users": [{"name": name, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
    });
    // JSON is YAML; KubeSphere parses it with clientcmd.
    Zeroizing::new(config.to_string())
}

/// Creates the `Cluster` on the host (or finds it already there for this member).
pub async fn create_cluster(
    ctx: &StepCtx<'_>,
    step: &Step,
    host: &str,
    member: &str,
    name: &str,
    namespace: &str,
    service_account: &str,
) -> Result<(), Stop> {
    let hclient = ctx.client(host).await?;
    let mclient = ctx.client(member).await?;
    let source = ctx
        .clusters
        .source(member)
        .map_err(|e| Stop::Failed(e.message))?;
    let api: Api<DynamicObject> = Api::all_with(hclient, &kubesphere_clusters());
    let secrets: Api<Secret> = Api::namespaced(mclient, namespace);
    let server = source.server.clone();
    let ca = source.ca_data().ok_or_else(|| {
        Stop::Failed(format!(
            "{member}'s kubeconfig has no inline certificate-authority-data; the host needs the CA to verify the member"
        ))
    })?;
    super::steps::retry(&format!("Cluster {name} on {host}"), || async {
        if let Some(existing) = super::steps::get_opt(&api, name).await? {
            let value = to_json(&existing);
            let points_here = value
                .pointer("/spec/connection/kubernetesAPIEndpoint")
                .and_then(Value::as_str)
                .is_some_and(|e| e.trim_end_matches('/') == server.trim_end_matches('/'))
                || existing
                    .annotations()
                    .get("ksmc.io/member-server")
                    .is_some_and(|s| s == &server);
            if points_here {
                return Ok(Done);
            }
            return Err(fatal(
                ErrorKind::Conflict,
                format!("a Cluster named {name} already exists on {host} for another cluster"),
            ));
        }
        let secret = call(secrets.get(&format!("{service_account}-token"))).await?;
        let token = secret
            .data
            .as_ref()
            .and_then(|d| d.get("token"))
            .map(|t| Zeroizing::new(String::from_utf8_lossy(&t.0).into_owned()))
            .ok_or_else(|| fatal(ErrorKind::NotFound, format!("the token of {namespace}/{service_account} is not ready")))?;
        let kubeconfig = service_account_kubeconfig(name, &server, &ca, &token);
        let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(kubeconfig.as_bytes()));
        let body: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
            "metadata": {"name": name, "annotations": {
                "kubesphere.io/creator": "ksmc",
                "ksmc.io/member-server": server,
            }},
            "spec": {"joinFederation": true, "provider": "kubesphere",
                "connection": {"type": "direct", "kubeconfig": encoded.as_str()}},
        }))
        .map_err(|e| fatal(ErrorKind::Internal, e.to_string()))?;
        match ctx
            .write(
                step,
                format!("POST /apis/cluster.kubesphere.io/v1alpha1/clusters (name {name}; kubeconfig of ServiceAccount {namespace}/{service_account}, token not shown)"),
                None,
                api.create(&PostParams::default(), &body),
            )
            .await
        {
            Ok(_) => Ok(Done),
            // Created by an earlier attempt whose answer was lost: the next read verifies.
            Err(CallError::AlreadyExists) => Err(CallError::Conflict),
            Err(e) => Err(e),
        }
    })
    .await
}

fn condition<'a>(cluster: &'a Value, kind: &str) -> Option<&'a Value> {
    cluster
        .pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c["type"] == kind)
}

/// Waits until the host's Cluster is Ready and Federated, reporting the conditions.
pub async fn wait_ready(
    ctx: &StepCtx<'_>,
    step: &Step,
    host: &str,
    name: &str,
) -> Result<(), Stop> {
    let client = ctx.client(host).await?;
    let api: Api<DynamicObject> = Api::all_with(client, &kubesphere_clusters());
    super::steps::wait(ctx, step, WAIT_LIMIT, || async {
        let c = match super::steps::get_opt(&api, name).await {
            Ok(Some(c)) => to_json(&c),
            Ok(None) => {
                return Err(Stop::Failed(format!(
                    "Cluster {name} disappeared from {host}"
                )));
            }
            Err(e) => return super::steps::note(e),
        };
        let status = |k: &str| {
            condition(&c, k)
                .and_then(|x| x["status"].as_str())
                .unwrap_or("Unknown")
                .to_owned()
        };
        if let Some(f) = condition(&c, "Federated").filter(|f| f["status"] == "False") {
            return Err(Stop::Blocked(format!(
                "Cluster {name} cannot join: {} ({})",
                f["reason"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or("")
            )));
        }
        // 3.x joins KubeFed (Federated); 4.x installs ks-core on the member (KSCoreReady).
        let joined = status("Federated") == "True" || status("KSCoreReady") == "True";
        if status("Ready") == "True" && joined {
            Ok(Ok(()))
        } else {
            let reason = condition(&c, "Ready")
                .and_then(|r| r["message"].as_str())
                .unwrap_or("");
            Ok(Err(format!(
                "Cluster {name}: Federated {}, KSCoreReady {}, Ready {} {reason}",
                status("Federated"),
                status("KSCoreReady"),
                status("Ready")
            )))
        }
    })
    .await
}

/// Deletes the member's Cluster on its old host and waits until it is gone.
pub async fn delete_cluster(
    ctx: &StepCtx<'_>,
    step: &Step,
    host: &str,
    name: &str,
    uid: &str,
) -> Result<(), Stop> {
    let client = ctx.client(host).await?;
    let api: Api<DynamicObject> = Api::all_with(client, &kubesphere_clusters());
    super::steps::retry(&format!("Cluster {name} on {host}"), || async {
        let Some(c) = super::steps::get_opt(&api, name).await? else {
            return Ok(Done);
        };
        if c.metadata.uid.as_deref() != Some(uid) || c.metadata.deletion_timestamp.is_some() {
            return Ok(Done);
        }
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: Some(uid.to_owned()),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        ctx.write(
            step,
            format!(
                "DELETE /apis/cluster.kubesphere.io/v1alpha1/clusters/{name} (precondition uid)"
            ),
            None,
            api.delete(name, &params).map_ok(|e| e.left()),
        )
        .await?;
        Ok(Done)
    })
    .await?;
    super::steps::wait(ctx, step, Duration::from_secs(120), || async {
        match super::steps::get_opt(&api, name).await {
            Ok(None) => Ok(Ok(())),
            Ok(Some(c)) if c.metadata.uid.as_deref() != Some(uid) => Ok(Ok(())),
            Ok(Some(_)) => Ok(Err(format!(
                "Cluster {name} is terminating on {host}; the host's cluster controller removes its finalizer (if the member were unreachable, the cluster.kubesphere.io webhook would block that: kubesphere#6072)"
            ))),
            Err(e) => super::steps::note(e),
        }
    })
    .await
}

/// `spec.multicluster.clusterRole` of the cluster's ClusterConfiguration, when it has one.
pub async fn cluster_role(client: &kube::Client) -> Option<String> {
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), SYSTEM_NS, &cluster_configurations());
    let cc = call(api.get("ks-installer")).await.ok()?;
    to_json(&cc)
        .pointer("/spec/multicluster/clusterRole")
        .and_then(Value::as_str)
        .map(str::to_owned)
}
