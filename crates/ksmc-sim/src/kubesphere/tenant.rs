//! Workspaces and projects: the namespace controller (workspace label ⇄ controller
//! ownerReference), the workspace controller, and WorkspaceTemplate propagation (KubeFed on a
//! host, a local Workspace elsewhere).

use std::sync::Arc;

use serde_json::{Value, json};

use super::{
    KUBEFED_MANAGED, WORKSPACE_LABEL, add_finalizer, deleting, get, is_host, label, list, modify,
    name_of, remove_finalizer, upsert,
};
use crate::cluster::SimCluster;
use crate::network::Network;
use crate::ops::{self, DeleteOptions, Propagation};

const NS_FINALIZER: &str = "finalizers.kubesphere.io/namespaces";
const WS_FINALIZER: &str = "finalizers.tenant.kubesphere.io";
const WST_FINALIZER: &str = "finalizers.workspacetemplate.kubesphere.io";
/// Added by the tenant API when a workspace is deleted keeping its projects.
pub const ORPHAN_FINALIZER: &str = "orphan.finalizers.kubesphere.io";

fn is_workspace_ref(r: &Value) -> bool {
    r["apiVersion"]
        .as_str()
        .is_some_and(|a| a.starts_with("tenant.kubesphere.io/"))
        && matches!(r["kind"].as_str(), Some("Workspace" | "WorkspaceTemplate"))
}

/// The KubeSphere namespace controller for one namespace.
pub fn reconcile_namespace(cluster: &SimCluster, ns: &Value) {
    let name = name_of(ns);
    if deleting(ns) {
        if ns
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| f.iter().any(|x| x == NS_FINALIZER))
        {
            let _ = modify(cluster, "", "namespaces", "", &name, |o| {
                remove_finalizer(o, NS_FINALIZER)
            });
        }
        return;
    }
    let federated = label(ns, KUBEFED_MANAGED) == Some("true");
    let workspace = label(ns, WORKSPACE_LABEL).map(str::to_owned);
    let owner = workspace
        .as_deref()
        .filter(|_| !federated)
        .and_then(|ws| get(cluster, "tenant.kubesphere.io", "workspaces", "", ws));
    let _ = modify(cluster, "", "namespaces", "", &name, |o| {
        add_finalizer(o, NS_FINALIZER);
        o["metadata"]["labels"]["kubesphere.io/namespace"] = json!(name);
        if federated {
            return;
        }
        let refs = o["metadata"]
            .as_object_mut()
            .map(|m| m.entry("ownerReferences").or_insert_with(|| json!([])));
        let Some(Value::Array(refs)) = refs else {
            return;
        };
        let controlled_by_workspace = refs.iter().any(is_workspace_ref);
        match (&workspace, &owner) {
            // Labelled, the Workspace exists and is not being deleted: bind.
            (Some(_), Some(ws)) if !deleting(ws) => {
                refs.retain(|r| !is_workspace_ref(r));
                refs.push(json!({
                    "apiVersion": "tenant.kubesphere.io/v1alpha1",
                    "kind": "Workspace",
                    "name": name_of(ws),
                    "uid": ws["metadata"]["uid"],
                    "controller": true,
                    "blockOwnerDeletion": true,
                }));
            }
            // Labelled but the workspace is absent: keep the label; unbind if bound.
            (Some(_), None) if !controlled_by_workspace => {}
            // Unlabelled, or the workspace is gone or going: unbind.
            _ => refs.retain(|r| !is_workspace_ref(r)),
        }
        if refs.is_empty() {
            o["metadata"]
                .as_object_mut()
                .map(|m| m.remove("ownerReferences"));
        }
    });
}

/// The workspace controller: a finalizer, and binding the namespaces labelled with it.
pub fn reconcile_workspace(cluster: &SimCluster, name: &str) {
    let Some(ws) = get(cluster, "tenant.kubesphere.io", "workspaces", "", name) else {
        return;
    };
    if deleting(&ws) {
        let _ = modify(
            cluster,
            "tenant.kubesphere.io",
            "workspaces",
            "",
            name,
            |o| remove_finalizer(o, WS_FINALIZER),
        );
        return;
    }
    let _ = modify(
        cluster,
        "tenant.kubesphere.io",
        "workspaces",
        "",
        name,
        |o| add_finalizer(o, WS_FINALIZER),
    );
    for ns in list(cluster, "", "namespaces") {
        if label(&ns, WORKSPACE_LABEL) == Some(name) {
            reconcile_namespace(cluster, &ns);
        }
    }
}

/// The Workspace a template places on a cluster.
fn workspace_from(template: &Value, federated: bool) -> Value {
    let name = name_of(template);
    let mut labels = template
        .pointer("/spec/template/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    labels[KUBEFED_MANAGED] = json!(if federated { "true" } else { "false" });
    json!({
        "apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace",
        "metadata": {"name": name, "labels": labels},
        "spec": template.pointer("/spec/template/spec").cloned().unwrap_or_else(|| json!({})),
    })
}

/// Names of the clusters a template is placed on (`clusterSelector: {}` means all).
fn placement(template: &Value, clusters: &[String]) -> Vec<String> {
    if template
        .pointer("/spec/placement/clusterSelector")
        .is_some_and(|s| s.as_object().is_some_and(serde_json::Map::is_empty))
    {
        return clusters.to_vec();
    }
    template
        .pointer("/spec/placement/clusters")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|c| c["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Joined clusters of a host (by Cluster name) that it can reach.
pub fn joined_clusters(
    host: &Arc<SimCluster>,
    network: &Network,
) -> Vec<(String, Arc<SimCluster>)> {
    let mut out = Vec::new();
    for c in list(host, "cluster.kubesphere.io", "clusters") {
        let name = name_of(&c);
        if label(&c, "cluster-role.kubesphere.io/host").is_some() {
            out.push((name, host.clone()));
            continue;
        }
        let ready = c
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|cs| {
                cs.iter()
                    .any(|x| x["type"] == "Federated" && x["status"] == "True")
            });
        if !ready || deleting(&c) {
            continue;
        }
        if let Some(member) = super::multicluster::connect(network, &c) {
            out.push((name, member));
        }
    }
    out
}

fn delete_workspace(cluster: &SimCluster, name: &str, propagation: Propagation) {
    if let Some(ty) = super::ty(cluster, "tenant.kubesphere.io", "workspaces") {
        let options = DeleteOptions {
            propagation,
            ..DeleteOptions::default()
        };
        let _ = ops::delete(cluster, &ty, "", name, &options);
    }
}

/// The WorkspaceTemplate controller.
pub fn reconcile_template(cluster: &Arc<SimCluster>, network: &Network, name: &str) {
    let Some(template) = get(
        cluster,
        "tenant.kubesphere.io",
        "workspacetemplates",
        "",
        name,
    ) else {
        return;
    };
    let host = is_host(cluster);
    let orphan = template
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|x| x == ORPHAN_FINALIZER));
    let targets: Vec<(String, Arc<SimCluster>)> = if host {
        joined_clusters(cluster, network)
    } else {
        vec![(cluster.name.clone(), cluster.clone())]
    };
    if deleting(&template) {
        let propagation = if orphan {
            Propagation::Orphan
        } else {
            Propagation::Background
        };
        if host && !orphan {
            // kubesphere#4364: host namespaces of the workspace are deleted explicitly.
            if let Some(ty) = super::ty(cluster, "", "namespaces") {
                for ns in list(cluster, "", "namespaces") {
                    if label(&ns, WORKSPACE_LABEL) == Some(name) {
                        let _ =
                            ops::delete(cluster, &ty, "", &name_of(&ns), &DeleteOptions::default());
                    }
                }
            }
        }
        for (_, target) in &targets {
            delete_workspace(target, name, propagation);
        }
        let _ = modify(
            cluster,
            "tenant.kubesphere.io",
            "workspacetemplates",
            "",
            name,
            |o| {
                remove_finalizer(o, WST_FINALIZER);
                remove_finalizer(o, ORPHAN_FINALIZER);
            },
        );
        return;
    }
    let _ = modify(
        cluster,
        "tenant.kubesphere.io",
        "workspacetemplates",
        "",
        name,
        |o| {
            add_finalizer(o, WST_FINALIZER);
            if host {
                o["metadata"]["labels"][KUBEFED_MANAGED] = json!("false");
            }
        },
    );
    if !host {
        let _ = upsert(
            cluster,
            "tenant.kubesphere.io",
            "workspaces",
            workspace_from(&template, false),
        );
        return;
    }
    let names: Vec<String> = targets.iter().map(|(n, _)| n.clone()).collect();
    let placed = placement(&template, &names);
    for (cluster_name, target) in &targets {
        // The host is a KubeFed member too: every propagated copy is KubeFed-managed.
        if placed.contains(cluster_name) {
            let _ = upsert(
                target,
                "tenant.kubesphere.io",
                "workspaces",
                workspace_from(&template, true),
            );
        } else if get(target, "tenant.kubesphere.io", "workspaces", "", name)
            .is_some_and(|w| label(&w, KUBEFED_MANAGED) == Some("true"))
        {
            // KubeFed removes what is no longer placed there (kubesphere#3169).
            delete_workspace(target, name, Propagation::Background);
        }
    }
}
