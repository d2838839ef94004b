//! Workspaces and projects in 4.1.3 (§7.4):
//!
//! * WorkspaceTemplate controller (host only): pushes `Workspace` (v1beta1) to every Ready
//!   cluster the template places (`placement.clusters`, else `clusterSelector` on the
//!   Cluster's labels) and deletes it on Ready clusters it no longer places. On deletion it
//!   copies the template's `kubesphere.io/deletion-propagation` onto each Workspace before
//!   deleting it, and keeps its finalizer until every cluster is Ready and the Workspace is
//!   gone from all of them.
//! * Workspace controller (every cluster): finalizer `kubesphere.io/cascading-deletion`; on
//!   delete, `Orphan` or no annotation removes the workspace label from its namespaces (they
//!   stay), `Foreground`/`Background` deletes them.
//! * Namespace controller (every cluster): a namespace labelled with a workspace gets the
//!   finalizer, loses the legacy finalizer and **all** its ownerReferences ("Remove legacy
//!   ownerReferences", as `namespace_controller.go` does), and its creator gets an `admin`
//!   RoleBinding; an unlabelled namespace loses KubeSphere's Roles and RoleBindings and its
//!   Workspace ownerReferences.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::super::{
    WORKSPACE_LABEL, add_finalizer, deleting, get, label, list, modify, name_of, remove_finalizer,
    upsert,
};
use super::{CASCADING_DELETION, Ctx, DELETION_PROPAGATION};
use crate::cluster::SimCluster;
use crate::ops::{self, DeleteOptions};

const TENANT: &str = "tenant.kubesphere.io";
const IAM: &str = "iam.kubesphere.io";
const LEGACY_NS_FINALIZER: &str = "finalizers.kubesphere.io/namespaces";
const LEGACY_WS_FINALIZER: &str = "finalizers.tenant.kubesphere.io";
const LEGACY_WST_FINALIZER: &str = "finalizers.workspacetemplate.kubesphere.io";
const ORPHAN_FINALIZER: &str = "orphan.finalizers.kubesphere.io";

fn has_finalizer(o: &Value, f: &str) -> bool {
    o.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|l| l.iter().any(|x| x == f))
}

fn annotation<'a>(o: &'a Value, k: &str) -> Option<&'a str> {
    o.pointer("/metadata/annotations")
        .and_then(|a| a.get(k))
        .and_then(Value::as_str)
}

/// A `metav1.LabelSelector` (`matchLabels`, `matchExpressions`) against labels.
#[must_use]
pub fn selector_matches(selector: &Value, labels: &Map<String, Value>) -> bool {
    let value = |k: &str| labels.get(k).and_then(Value::as_str);
    let by_label = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .is_none_or(|m| m.iter().all(|(k, v)| value(k) == v.as_str()));
    let by_expression = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .is_none_or(|list| {
            list.iter().all(|e| {
                let key = e["key"].as_str().unwrap_or_default();
                let values: Vec<&str> = e["values"]
                    .as_array()
                    .map(|v| v.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                match e["operator"].as_str() {
                    Some("In") => value(key).is_some_and(|v| values.contains(&v)),
                    Some("NotIn") => value(key).is_none_or(|v| !values.contains(&v)),
                    Some("Exists") => value(key).is_some(),
                    Some("DoesNotExist") => value(key).is_none(),
                    _ => false,
                }
            })
        });
    by_label && by_expression
}

/// `WorkspaceTemplateMatchTargetCluster`: the listed clusters, else the cluster selector.
#[must_use]
pub fn places(template: &Value, cluster: &Value) -> bool {
    let name = name_of(cluster);
    if let Some(list) = template
        .pointer("/spec/placement/clusters")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
    {
        return list.iter().any(|c| c["name"] == name.as_str());
    }
    selector_selects(template.pointer("/spec/placement/clusterSelector"), cluster)
}

/// Whether a placement's `clusterSelector` (absent or not an object: no) selects a Cluster by
/// its labels; workspace templates and InstallPlans place clusters alike.
#[must_use]
pub fn selector_selects(selector: Option<&Value>, cluster: &Value) -> bool {
    match selector {
        Some(selector) if selector.is_object() => {
            let empty = Map::new();
            let labels = cluster
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            selector_matches(selector, labels)
        }
        _ => false,
    }
}

/// The Workspace a template puts on a cluster.
fn workspace_from(template: &Value) -> Value {
    let mut meta = json!({"name": name_of(template)});
    for field in ["labels", "annotations"] {
        if let Some(m) = template
            .pointer(&format!("/spec/template/metadata/{field}"))
            .filter(|m| m.is_object())
        {
            meta[field] = m.clone();
        }
    }
    json!({
        "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "Workspace", "metadata": meta,
        "spec": template.pointer("/spec/template/spec").cloned().unwrap_or_else(|| json!({})),
    })
}

fn delete_object(cluster: &SimCluster, group: &str, plural: &str, ns: &str, name: &str) {
    if let Some(ty) = super::super::ty(cluster, group, plural) {
        let _ = ops::delete(cluster, &ty, ns, name, &DeleteOptions::default());
    }
}

/// The WorkspaceTemplate controller (host).
pub fn reconcile_template(ctx: &Arc<Ctx>, name: &str) {
    let host = &ctx.cluster;
    let Some(template) = get(host, TENANT, "workspacetemplates", "", name) else {
        return;
    };
    if deleting(&template) {
        delete_template(ctx, &template);
        return;
    }
    let _ = modify(host, TENANT, "workspacetemplates", "", name, |o| {
        remove_finalizer(o, LEGACY_WST_FINALIZER);
        add_finalizer(o, CASCADING_DELETION);
    });
    if let Some(manager) = template
        .pointer("/spec/template/spec/manager")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
    {
        let role = format!("{name}-admin");
        let _ = upsert(
            host,
            IAM,
            "workspacerolebindings",
            json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "WorkspaceRoleBinding",
                "metadata": {"name": role, "labels": {WORKSPACE_LABEL: name,
                    "iam.kubesphere.io/user-ref": manager, "iam.kubesphere.io/role-ref": role}},
                "roleRef": {"apiGroup": IAM, "kind": "WorkspaceRole", "name": role},
                "subjects": [{"kind": "User", "apiGroup": IAM, "name": manager}]}),
        );
    }
    for (cluster, target) in super::cluster::clusters(ctx) {
        let Some(target) = target else { continue };
        if places(&template, &cluster) {
            let _ = upsert(&target, TENANT, "workspaces", workspace_from(&template));
        } else if get(&target, TENANT, "workspaces", "", name).is_some_and(|w| !deleting(&w)) {
            delete_object(&target, TENANT, "workspaces", "", name);
        }
    }
}

/// A template being deleted: each Ready cluster's Workspace gets the template's
/// deletion-propagation annotation and is deleted; the finalizer goes once every cluster is
/// Ready and has no Workspace left.
fn delete_template(ctx: &Arc<Ctx>, template: &Value) {
    let host = &ctx.cluster;
    let name = name_of(template);
    let policy = annotation(template, DELETION_PROPAGATION).map(str::to_owned);
    let mut pending = false;
    for (_, target) in super::cluster::clusters(ctx) {
        let Some(target) = target else {
            pending = true;
            continue;
        };
        let Some(ws) = get(&target, TENANT, "workspaces", "", &name) else {
            continue;
        };
        pending = true;
        if deleting(&ws) {
            continue;
        }
        let _ = modify(
            &target,
            TENANT,
            "workspaces",
            "",
            &name,
            |o| match &policy {
                Some(p) => o["metadata"]["annotations"][DELETION_PROPAGATION] = json!(p),
                None => {
                    if let Some(a) = o
                        .pointer_mut("/metadata/annotations")
                        .and_then(Value::as_object_mut)
                    {
                        a.remove(DELETION_PROPAGATION);
                    }
                }
            },
        );
        delete_object(&target, TENANT, "workspaces", "", &name);
    }
    if !pending {
        let _ = modify(host, TENANT, "workspacetemplates", "", &name, |o| {
            for f in [CASCADING_DELETION, LEGACY_WST_FINALIZER, ORPHAN_FINALIZER] {
                remove_finalizer(o, f);
            }
        });
    }
}

fn labelled(cluster: &SimCluster, workspace: &str) -> Vec<String> {
    list(cluster, "", "namespaces")
        .iter()
        .filter(|ns| label(ns, WORKSPACE_LABEL) == Some(workspace))
        .map(name_of)
        .collect()
}

/// The workspace controller.
pub fn reconcile_workspace(cluster: &SimCluster, name: &str) {
    let Some(ws) = get(cluster, TENANT, "workspaces", "", name) else {
        return;
    };
    if !deleting(&ws) {
        if !has_finalizer(&ws, CASCADING_DELETION) {
            let _ = modify(cluster, TENANT, "workspaces", "", name, |o| {
                remove_finalizer(o, LEGACY_WS_FINALIZER);
                add_finalizer(o, CASCADING_DELETION);
            });
        }
        return;
    }
    if !has_finalizer(&ws, CASCADING_DELETION) {
        return;
    }
    match annotation(&ws, DELETION_PROPAGATION).unwrap_or_default() {
        "" | "Orphan" => {
            for ns in labelled(cluster, name) {
                let _ = modify(cluster, "", "namespaces", "", &ns, |o| {
                    if let Some(l) = o
                        .pointer_mut("/metadata/labels")
                        .and_then(Value::as_object_mut)
                    {
                        l.remove(WORKSPACE_LABEL);
                    }
                });
            }
        }
        "Foreground" | "Background" => {
            for ns in labelled(cluster, name) {
                delete_object(cluster, "", "namespaces", "", &ns);
            }
        }
        // 4.1.3 does nothing to the namespaces for an unknown policy.
        _ => {}
    }
    let _ = modify(cluster, TENANT, "workspaces", "", name, |o| {
        remove_finalizer(o, CASCADING_DELETION);
    });
}

fn is_workspace_ref(r: &Value) -> bool {
    r["kind"] == "Workspace"
}

/// The namespace controller.
pub fn reconcile_namespace(cluster: &SimCluster, ns: &Value) {
    let name = name_of(ns);
    if deleting(ns) {
        if has_finalizer(ns, CASCADING_DELETION) {
            let _ = modify(cluster, "", "namespaces", "", &name, |o| {
                remove_finalizer(o, CASCADING_DELETION);
            });
        }
        return;
    }
    let workspace = label(ns, WORKSPACE_LABEL).is_some();
    if workspace && !has_finalizer(ns, CASCADING_DELETION) {
        if let Some(creator) = annotation(ns, "kubesphere.io/creator") {
            let _ = upsert(
                cluster,
                IAM,
                "rolebindings",
                json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "RoleBinding",
                    "metadata": {"name": format!("{creator}-admin"), "namespace": name,
                        "labels": {"iam.kubesphere.io/user-ref": creator, "iam.kubesphere.io/role-ref": "admin"}},
                    "roleRef": {"apiGroup": IAM, "kind": "Role", "name": "admin"},
                    "subjects": [{"kind": "User", "apiGroup": IAM, "name": creator}]}),
            );
        }
        let _ = modify(cluster, "", "namespaces", "", &name, |o| {
            remove_finalizer(o, LEGACY_NS_FINALIZER);
            // "Remove legacy ownerReferences": every one of them.
            if let Some(m) = o["metadata"].as_object_mut() {
                m.remove("ownerReferences");
            }
            add_finalizer(o, CASCADING_DELETION);
        });
        return;
    }
    if !workspace {
        clean_up(cluster, ns);
    }
}

/// An unlabelled namespace: KubeSphere's Roles and RoleBindings in it are deleted (and the
/// RBAC ones it labels as its own), and Workspace ownerReferences removed.
fn clean_up(cluster: &SimCluster, ns: &Value) {
    let name = name_of(ns);
    for plural in ["roles", "rolebindings"] {
        for o in super::kscore::list_in(cluster, IAM, plural, &name) {
            delete_object(cluster, IAM, plural, &name, &name_of(&o));
        }
        for o in super::kscore::list_in(cluster, "rbac.authorization.k8s.io", plural, &name) {
            let kubesphere = ["iam.kubesphere.io/user-ref", "iam.kubesphere.io/role-ref"]
                .iter()
                .any(|k| label(&o, k).is_some());
            if kubesphere {
                delete_object(
                    cluster,
                    "rbac.authorization.k8s.io",
                    plural,
                    &name,
                    &name_of(&o),
                );
            }
        }
    }
    let owned = ns
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| refs.iter().any(is_workspace_ref));
    if owned {
        let _ = modify(cluster, "", "namespaces", "", &name, |o| {
            if let Some(refs) = o
                .pointer_mut("/metadata/ownerReferences")
                .and_then(Value::as_array_mut)
            {
                refs.retain(|r| !is_workspace_ref(r));
            }
        });
    }
}
