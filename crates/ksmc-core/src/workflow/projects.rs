//! Steps on projects and workspaces: unbind, bind and strip one namespace (one patch each,
//! resourceVersion-checked), verify the kept namespaces, delete a member's workspace keeping
//! its projects, and place a workspace on a cluster.

use std::sync::atomic::{AtomicBool, Ordering};

use futures::TryFutureExt as _;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, Preconditions};
use serde_json::{Value, json};

use super::access::{
    CallError, V4_TENANT, call, json as to_json, label, templates_in, workspaces_in,
};
use super::member::{self, WORKSPACE_LABEL};
use super::plan::{Action, KeptNamespace, Plan, Step};
use super::steps::{Done, StepCtx, Stop, WAIT_LIMIT, app, get_opt, note, retry, wait};
use crate::error::AppError;

/// Whether an ownerReference is a KubeSphere workspace's.
#[must_use]
pub fn is_workspace_owner(
    r: &k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference,
) -> bool {
    r.api_version.starts_with("tenant.kubesphere.io/")
        && matches!(r.kind.as_str(), "Workspace" | "WorkspaceTemplate")
}

pub(crate) fn lost(ns: &KeptNamespace, why: &str) -> Stop {
    Stop::Failed(format!(
        "namespace {} on {} (uid {}) {why}: NAMESPACE LOST",
        ns.name, ns.cluster, ns.uid
    ))
}

/// Patches one kept namespace: reads it (by uid), asks `change` for the merge patch that
/// makes its post-condition hold (`None`: it already holds), and sends it with the
/// resourceVersion it read. A namespace gone, replaced or terminating is a lost namespace.
pub(crate) async fn patch_namespace(
    ctx: &StepCtx<'_>,
    step: &Step,
    cluster: &str,
    name: &str,
    uid: &str,
    change: impl Fn(&Namespace) -> Option<Value>,
) -> Result<(), Stop> {
    let api: Api<Namespace> = Api::all(ctx.client(cluster).await?);
    let what = format!("namespace {name} on {cluster}");
    let gone = AtomicBool::new(false);
    let (api, gone_ref, change) = (&api, &gone, &change);
    let result = retry(&what, || async move {
        let ns = get_opt(api, name).await?.filter(|n| {
            n.metadata.uid.as_deref() == Some(uid) && n.metadata.deletion_timestamp.is_none()
        });
        let Some(ns) = ns else {
            gone_ref.store(true, Ordering::SeqCst);
            return Ok(Done);
        };
        let Some(mut patch) = change(&ns) else {
            return Ok(Done);
        };
        let rv = ns.metadata.resource_version.clone();
        patch["metadata"]["resourceVersion"] = json!(rv);
        ctx.write(
            step,
            format!("PATCH /api/v1/namespaces/{name} (merge)"),
            rv,
            api.patch(name, &PatchParams::default(), &Patch::Merge(&patch)),
        )
        .await?;
        Ok(Done)
    })
    .await;
    if gone.load(Ordering::SeqCst) {
        let kept = ctx
            .plan
            .inventory
            .iter()
            .find(|n| n.cluster == cluster && n.name == name);
        return Err(kept.map_or_else(
            || Stop::Failed(format!("{what} is gone: NAMESPACE LOST")),
            |k| lost(k, "was deleted by someone else"),
        ));
    }
    result
}

/// The ownerReferences a patch keeps (`null` removes the field).
pub(crate) fn owners_value(
    keep: &[&k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference],
) -> Value {
    if keep.is_empty() {
        Value::Null
    } else {
        json!(keep)
    }
}

/// Removes the workspace label and only the workspace ownerReferences, in one write.
pub(crate) async fn unbind_namespace(
    ctx: &StepCtx<'_>,
    step: &Step,
    cluster: &str,
    name: &str,
    uid: &str,
) -> Result<(), Stop> {
    patch_namespace(ctx, step, cluster, name, uid, |ns| {
        let owners = ns.metadata.owner_references.clone().unwrap_or_default();
        let keep: Vec<_> = owners.iter().filter(|r| !is_workspace_owner(r)).collect();
        let labelled = label(&ns.metadata, WORKSPACE_LABEL).is_some();
        (labelled || keep.len() != owners.len()).then(|| {
            json!({"metadata": {"labels": {WORKSPACE_LABEL: null}, "ownerReferences": owners_value(&keep)}})
        })
    })
    .await
}

/// Labels a namespace with its new workspace.
pub(crate) async fn bind_namespace(
    ctx: &StepCtx<'_>,
    step: &Step,
    cluster: &str,
    name: &str,
    uid: &str,
    workspace: &str,
) -> Result<(), Stop> {
    patch_namespace(ctx, step, cluster, name, uid, |ns| {
        (label(&ns.metadata, WORKSPACE_LABEL) != Some(workspace))
            .then(|| json!({"metadata": {"labels": {WORKSPACE_LABEL: workspace}}}))
    })
    .await
}

/// Removes the one ownerReference whose owner is gone.
pub(crate) async fn strip_owner(
    ctx: &StepCtx<'_>,
    step: &Step,
    cluster: &str,
    name: &str,
    uid: &str,
    owner_uid: &str,
) -> Result<(), Stop> {
    patch_namespace(ctx, step, cluster, name, uid, |ns| {
        let owners = ns.metadata.owner_references.clone().unwrap_or_default();
        let keep: Vec<_> = owners.iter().filter(|r| r.uid != owner_uid).collect();
        (keep.len() != owners.len())
            .then(|| json!({"metadata": {"ownerReferences": owners_value(&keep)}}))
    })
    .await
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Exists, not terminating, other owners intact.
    Exists,
    /// And without a workspace label or owner.
    Unbound,
}

/// Re-reads every kept namespace of `cluster` (fresh list, not a cache).
pub(crate) async fn verify(ctx: &StepCtx<'_>, cluster: &str, expect: Expect) -> Result<(), Stop> {
    let client = ctx.client(cluster).await?;
    let found = std::sync::Mutex::new(Vec::new());
    let (client_ref, found_ref) = (&client, &found);
    retry(&format!("namespaces of {cluster}"), || async move {
        let list = list_namespaces(client_ref).await?;
        if let Ok(mut f) = found_ref.lock() {
            *f = list;
        }
        Ok(Done)
    })
    .await?;
    let found = found.into_inner().unwrap_or_default();
    let mut lost_names = Vec::new();
    let mut reverted = Vec::new();
    for kept in ctx.plan.kept_on(cluster) {
        let Some(ns) = found
            .iter()
            .find(|n| n.metadata.uid.as_deref() == Some(kept.uid.as_str()))
        else {
            lost_names.push(kept.name.clone());
            continue;
        };
        if ns.metadata.deletion_timestamp.is_some() {
            lost_names.push(format!("{} (terminating)", kept.name));
            continue;
        }
        let owners = ns.metadata.owner_references.clone().unwrap_or_default();
        for other in &kept.other_owners {
            if !owners.iter().any(|r| &r.uid == other) {
                reverted.push(format!("{} lost its owner {other}", kept.name));
            }
        }
        if expect == Expect::Unbound {
            if let Some(ws) = label(&ns.metadata, WORKSPACE_LABEL) {
                reverted.push(format!(
                    "{} is labelled {WORKSPACE_LABEL}={ws} again",
                    kept.name
                ));
            }
            if let Some(r) = owners.iter().find(|r| is_workspace_owner(r)) {
                reverted.push(format!(
                    "{} is owned by {} {} again",
                    kept.name, r.kind, r.name
                ));
            }
        }
    }
    if !lost_names.is_empty() {
        return Err(Stop::Failed(format!(
            "NAMESPACE LOST on {cluster}: {}",
            lost_names.join(", ")
        )));
    }
    if !reverted.is_empty() {
        return Err(Stop::Blocked(format!(
            "a controller reverted the unbinding on {cluster}, so nothing will be deleted: {}",
            reverted.join("; ")
        )));
    }
    Ok(())
}

/// Every namespace of a cluster, in pages.
pub async fn list_namespaces(client: &kube::Client) -> Result<Vec<Namespace>, CallError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let mut out = Vec::new();
    let mut params = ListParams::default().limit(500);
    loop {
        let page = call(api.list(&params)).await?;
        out.extend(page.items);
        match page.metadata.continue_ {
            Some(c) if !c.is_empty() => params = params.continue_token(&c),
            _ => return Ok(out),
        }
    }
}

/// The namespaces the plan binds on `cluster`, with their workspace.
pub(crate) fn bindings<'a>(
    plan: &'a Plan,
    cluster: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> {
    plan.steps().filter_map(move |s| match &s.action {
        Action::BindNamespace {
            cluster: c,
            namespace,
            uid,
            workspace,
        } if c == cluster => Some((namespace.as_str(), uid.as_str(), workspace.as_str())),
        _ => None,
    })
}

pub(crate) async fn verify_bound(
    ctx: &StepCtx<'_>,
    step: &Step,
    cluster: &str,
) -> Result<(), Stop> {
    let client = ctx.client(cluster).await?;
    let ws_api = ctx
        .clusters
        .workspaces(cluster)
        .await
        .map_err(|e| app(&e))?;
    let v4 = ctx
        .clusters
        .tenant_version(cluster)
        .await
        .map_err(|e| app(&e))?
        == V4_TENANT;
    wait(ctx, step, WAIT_LIMIT, || async {
        let found = match list_namespaces(&client).await {
            Ok(f) => f,
            Err(e) => return note(e),
        };
        let mut pending = Vec::new();
        for (name, uid, workspace) in bindings(ctx.plan, cluster) {
            let Some(ns) = found.iter().find(|n| n.metadata.uid.as_deref() == Some(uid)) else {
                return Err(Stop::Failed(format!(
                    "NAMESPACE LOST on {cluster}: {name} (uid {uid})"
                )));
            };
            if ns.metadata.deletion_timestamp.is_some() {
                return Err(Stop::Failed(format!(
                    "NAMESPACE LOST on {cluster}: {name} is terminating"
                )));
            }
            let ws_uid = match get_opt(&ws_api, workspace).await {
                Ok(w) => w.and_then(|w| w.metadata.uid),
                Err(e) => return note(e),
            };
            // 3.x binds with a controller ownerReference; 4.1.3 only by the label.
            let owned = ns.metadata.owner_references.iter().flatten().any(|r| {
                r.kind == "Workspace" && r.name == workspace && Some(&r.uid) == ws_uid.as_ref()
            }) || (v4 && ws_uid.is_some() && label(&ns.metadata, WORKSPACE_LABEL) == Some(workspace));
            if !owned {
                pending.push(format!("{name}→{workspace}"));
            }
        }
        if pending.is_empty() {
            Ok(Ok(()))
        } else {
            Ok(Err(format!(
                "waiting for the namespace controller to set the workspace owner on {} project(s): {}",
                pending.len(),
                pending.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            )))
        }
    })
    .await?;
    verify(ctx, cluster, Expect::Exists).await
}

pub(crate) async fn delete_workspace(
    ctx: &StepCtx<'_>,
    step: &Step,
    cluster: &str,
    workspace: &str,
    uid: &str,
    template: bool,
) -> Result<(), Stop> {
    let client = ctx.client(cluster).await?;
    // Tripwire: no kept namespace may be labelled with or owned by this workspace now.
    let found = list_namespaces(&client)
        .await
        .map_err(|e| Stop::Paused(e.describe()))?;
    for kept in ctx.plan.kept_on(cluster) {
        if let Some(ns) = found
            .iter()
            .find(|n| n.metadata.uid.as_deref() == Some(kept.uid.as_str()))
        {
            let owned = ns
                .metadata
                .owner_references
                .iter()
                .flatten()
                .any(|r| is_workspace_owner(r) && r.name == workspace);
            if owned || label(&ns.metadata, WORKSPACE_LABEL) == Some(workspace) {
                return Err(Stop::Blocked(format!(
                    "namespace {} is bound to workspace {workspace} again; deleting the workspace now would delete it, so ksmc stopped before the deletion",
                    kept.name
                )));
            }
        }
    }
    let tenant = ctx
        .clusters
        .tenant_version(cluster)
        .await
        .map_err(|e| app(&e))?;
    let (resource, kind) = if template {
        (templates_in(tenant), "workspacetemplates")
    } else {
        (workspaces_in(tenant), "workspaces")
    };
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    retry(&format!("{kind}/{workspace} on {cluster}"), || async {
        let Some(obj) = get_opt(&api, workspace).await? else {
            return Ok(Done);
        };
        if obj.metadata.uid.as_deref() != Some(uid) || obj.metadata.deletion_timestamp.is_some() {
            return Ok(Done);
        }
        let rv = obj.metadata.resource_version.clone();
        let mut rv_now = rv.clone();
        let propagation = obj
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(member::DELETION_PROPAGATION))
            .cloned();
        if tenant == V4_TENANT && propagation.as_deref() != Some("Orphan") {
            // KubeSphere 4.x deletes the labelled namespaces unless this says Orphan.
            let patch = json!({"metadata": {"resourceVersion": rv, "annotations": {member::DELETION_PROPAGATION: "Orphan"}}});
            let patched = ctx
                .write(
                    step,
                    format!("PATCH /apis/tenant.kubesphere.io/{tenant}/{kind}/{workspace} (merge: {}=Orphan)", member::DELETION_PROPAGATION),
                    rv.clone(),
                    api.patch(workspace, &PatchParams::default(), &Patch::Merge(&patch)),
                )
                .await?;
            rv_now = patched.metadata.resource_version;
        } else if template {
            let mut finalizers = obj.metadata.finalizers.clone().unwrap_or_default();
            if !finalizers.iter().any(|f| f == member::ORPHAN_FINALIZER) {
                finalizers.push(member::ORPHAN_FINALIZER.into());
                let patch = json!({"metadata": {"resourceVersion": rv_now, "finalizers": finalizers}});
                let patched = ctx
                    .write(
                        step,
                        format!("PATCH /apis/tenant.kubesphere.io/v1alpha2/workspacetemplates/{workspace} (merge: + finalizer {})", member::ORPHAN_FINALIZER),
                        rv_now.clone(),
                        api.patch(workspace, &PatchParams::default(), &Patch::Merge(&patch)),
                    )
                    .await?;
                rv_now = patched.metadata.resource_version;
            }
        }
        let params = DeleteParams {
            propagation_policy: Some(kube::api::PropagationPolicy::Orphan),
            preconditions: Some(Preconditions {
                uid: Some(uid.to_owned()),
                resource_version: rv_now.clone(),
            }),
            ..DeleteParams::default()
        };
        ctx.write(
            step,
            format!("DELETE /apis/tenant.kubesphere.io/{}/{kind}/{workspace} (Orphan, preconditions uid+resourceVersion)", resource.version),
            rv_now,
            api.delete(workspace, &params).map_ok(|e| e.left()),
        )
        .await?;
        Ok(Done)
    })
    .await?;
    // Gone from the member (the template's controller deletes the local Workspace too).
    let ws_api: Api<DynamicObject> = Api::all_with(client, &workspaces_in(tenant));
    wait(ctx, step, WAIT_LIMIT, || async {
        for a in [&api, &ws_api] {
            match get_opt(a, workspace).await {
                Ok(None) => {}
                Ok(Some(o)) => {
                    let fin = o.metadata.finalizers.unwrap_or_default().join(", ");
                    return Ok(Err(format!(
                        "{workspace} is terminating (finalizers: {fin})"
                    )));
                }
                Err(e) => return note(e),
            }
        }
        Ok(Ok(()))
    })
    .await
}

pub(crate) async fn ensure_placement(
    ctx: &StepCtx<'_>,
    step: &Step,
    host: &str,
    workspace: &str,
    cluster_name: &str,
    manager: &str,
) -> Result<(), Stop> {
    let tenant = ctx
        .clusters
        .tenant_version(host)
        .await
        .map_err(|e| app(&e))?;
    let api = ctx.clusters.templates(host).await.map_err(|e| app(&e))?;
    let what = format!("workspace {workspace} on {host}");
    let refused = std::sync::Mutex::new(None);
    let (api_ref, refused_ref) = (&api, &refused);
    let result = retry(&what, || async move {
        let api = api_ref;
        let Some(obj) = get_opt(api, workspace).await? else {
            let body: DynamicObject = serde_json::from_value(member::workspace_template(
                workspace,
                cluster_name,
                manager,
                tenant,
            ))
            .map_err(|e| CallError::Fatal(AppError::new(crate::ErrorKind::Internal, e.to_string())))?;
            ctx.write(
                step,
                "POST /apis/tenant.kubesphere.io/v1alpha2/workspacetemplates".into(),
                None,
                api.create(&kube::api::PostParams::default(), &body),
            )
            .await?;
            return Ok(Done);
        };
        let value = to_json(&obj);
        if let Some(why) = member::template_refusal(&value) {
            if let Ok(mut r) = refused_ref.lock() {
                *r = Some(why);
            }
            return Ok(Done);
        }
        if member::template_places(&value, cluster_name) {
            return Ok(Done);
        }
        let rv = obj.metadata.resource_version.clone();
        let patch = json!({
            "metadata": {"resourceVersion": rv},
            "spec": {"placement": {"clusters": member::placement_with(&value, cluster_name)}},
        });
        ctx.write(
            step,
            format!("PATCH /apis/tenant.kubesphere.io/v1alpha2/workspacetemplates/{workspace} (merge: placement + {cluster_name}, resourceVersion)"),
            rv,
            api.patch(workspace, &PatchParams::default(), &Patch::Merge(&patch)),
        )
        .await?;
        Ok(Done)
    })
    .await;
    if let Some(why) = refused.into_inner().ok().flatten() {
        return Err(Stop::Blocked(format!("{what}: {why}")));
    }
    result
}
