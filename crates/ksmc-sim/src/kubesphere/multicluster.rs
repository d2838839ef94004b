//! The host side of multi-cluster (3.4): the cluster controller (join checks, conditions,
//! status, the member's recorded cluster name, host-only cleanup on delete), the Cluster
//! validating webhook, and user sync to members.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::{
    KUBEFED_MANAGED, SYSTEM_NS, add_finalizer, deleting, get, installer, label, list, modify,
    name_of, remove_finalizer, upsert,
};
use crate::cluster::{SimCluster, rfc3339};
use crate::http::ApiError;
use crate::network::{Network, decode_kubeconfig};
use crate::ops::{self, DeleteOptions};

const CLUSTER_FINALIZER: &str = "finalizer.cluster.kubesphere.io";
const HOST_LABEL: &str = "cluster-role.kubesphere.io/host";

/// Reaches the member a Cluster's kubeconfig points at, if reachable and authorised.
pub fn connect(network: &Network, cluster: &Value) -> Option<Arc<SimCluster>> {
    let kubeconfig = decode_kubeconfig(cluster.pointer("/spec/connection/kubeconfig")?.as_str()?)?;
    network.connect(&kubeconfig).ok()
}

fn kube_system_uid(member: &SimCluster) -> Option<String> {
    get(member, "", "namespaces", "", "kube-system")?
        .pointer("/metadata/uid")?
        .as_str()
        .map(str::to_owned)
}

/// The `validating-cluster.kubesphere.io` webhook on UPDATE of a Cluster: allowed when the
/// old `status.uid` is empty, or when the (new) kubeconfig reaches a cluster whose
/// `kube-system` UID is the recorded one.
///
/// # Errors
/// 403 with the webhook's denial text.
pub fn admit_cluster_update(host: &SimCluster, old: &Value, new: &Value) -> Result<(), ApiError> {
    let Some(recorded) = old
        .pointer("/status/uid")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    else {
        return Ok(());
    };
    if label(old, HOST_LABEL).is_some() {
        return Ok(());
    }
    let Some(network) = host.network.get() else {
        return Ok(());
    };
    let deny = |why: String| ApiError {
        code: 403,
        reason: "Forbidden",
        message: format!(
            "admission webhook \"validating-cluster.kubesphere.io\" denied the request: {why}"
        ),
        details: json!({}),
    };
    let kubeconfig = new
        .pointer("/spec/connection/kubeconfig")
        .and_then(Value::as_str)
        .and_then(decode_kubeconfig)
        .ok_or_else(|| deny("kubeconfig is empty".into()))?;
    let member = network
        .connect(&kubeconfig)
        .map_err(|e| deny(e.to_string()))?;
    if kube_system_uid(&member).as_deref() != Some(recorded) {
        return Err(deny(
            "this kubeconfig corresponds to a different cluster than the previous one, you need to make sure that kubeconfig is not from another cluster".into(),
        ));
    }
    Ok(())
}

fn condition(kind: &str, ok: bool, reason: &str, message: &str, now: &str) -> Value {
    json!({"type": kind, "status": if ok { "True" } else { "False" }, "reason": reason,
           "message": message, "lastUpdateTime": now, "lastTransitionTime": now})
}

/// Sets conditions, keeping `lastTransitionTime` when the status did not change.
fn set_conditions(cluster: &mut Value, new: &[Value]) {
    let old = cluster
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut merged: Vec<Value> = old
        .iter()
        .filter(|c| !new.iter().any(|n| n["type"] == c["type"]))
        .cloned()
        .collect();
    for n in new {
        let mut n = n.clone();
        if let Some(prev) = old.iter().find(|c| c["type"] == n["type"])
            && prev["status"] == n["status"]
            && prev["reason"] == n["reason"]
        {
            n["lastTransitionTime"] = prev["lastTransitionTime"].clone();
            n["lastUpdateTime"] = prev["lastUpdateTime"].clone();
        }
        merged.push(n);
    }
    if !cluster.get("status").is_some_and(Value::is_object) {
        cluster["status"] = json!({});
    }
    cluster["status"]["conditions"] = json!(merged);
}

fn federated(c: &Value) -> bool {
    c.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|x| x["type"] == "Federated" && x["status"] == "True")
        })
}

/// `checkWorkspaces`: a KubeFed-managed Workspace on the member whose host template does not
/// place it on this cluster is a conflict.
fn workspace_conflict(host: &SimCluster, member: &SimCluster, name: &str) -> Option<String> {
    for ws in list(member, "tenant.kubesphere.io", "workspaces") {
        if label(&ws, KUBEFED_MANAGED) != Some("true") {
            continue;
        }
        let ws_name = name_of(&ws);
        let Some(template) = get(
            host,
            "tenant.kubesphere.io",
            "workspacetemplates",
            "",
            &ws_name,
        ) else {
            continue;
        };
        let all = template
            .pointer("/spec/placement/clusterSelector")
            .is_some();
        let placed = template
            .pointer("/spec/placement/clusters")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().any(|c| c["name"] == name));
        if !all && !placed {
            return Some(format!(
                "The workspace {ws_name} is found in the target member cluster {name}, which is conflict with the workspace on host"
            ));
        }
    }
    None
}

fn configz(member: &SimCluster) -> Value {
    let status = get(
        member,
        "installer.kubesphere.io",
        "clusterconfigurations",
        SYSTEM_NS,
        "ks-installer",
    )
    .and_then(|cc| cc.get("status").cloned())
    .unwrap_or_default();
    let mut out = serde_json::Map::new();
    if let Some(map) = status.as_object() {
        for (k, v) in map {
            if let Some(s) = v.get("status").and_then(Value::as_str) {
                out.insert(k.clone(), json!(s == "enabled"));
            }
        }
    }
    Value::Object(out)
}

/// One sync of one Cluster on the host.
pub fn reconcile_cluster(host: &Arc<SimCluster>, network: &Arc<Network>, name: &str) {
    let Some(c) = get(host, "cluster.kubesphere.io", "clusters", "", name) else {
        return;
    };
    if deleting(&c) {
        // Unbind: host-side cleanup only; nothing on the member is touched.
        if let Some(ty) = super::ty(host, "", "secrets") {
            let _ = ops::delete(
                host,
                &ty,
                "kube-federation-system",
                &format!("{name}-secret"),
                &DeleteOptions::default(),
            );
        }
        // The finalizer removal is an UPDATE, so the webhook may deny it (member gone).
        let _ = modify(host, "cluster.kubesphere.io", "clusters", "", name, |o| {
            remove_finalizer(o, CLUSTER_FINALIZER)
        });
        return;
    }
    let _ = modify(host, "cluster.kubesphere.io", "clusters", "", name, |o| {
        add_finalizer(o, CLUSTER_FINALIZER)
    });
    if label(&c, HOST_LABEL).is_some() {
        return;
    }
    if c.pointer("/spec/joinFederation").and_then(Value::as_bool) != Some(true) {
        return;
    }
    // 3.4.1: an unreachable member leaves the conditions as they were.
    let Some(member) = connect(network, &c) else {
        return;
    };
    let now = rfc3339(Timestamp::now());
    let newly_joined = !federated(&c);
    if newly_joined {
        if let Some(conflict) = workspace_conflict(host, &member, name) {
            let _ = modify(host, "cluster.kubesphere.io", "clusters", "", name, |o| {
                set_conditions(
                    o,
                    &[
                        condition(
                            "Federated",
                            false,
                            &conflict,
                            "Cluster can not join federation control plane",
                            &now,
                        ),
                        condition(
                            "Ready",
                            false,
                            "Cluster join federation control plane failed",
                            "Cluster is Not Ready now",
                            &now,
                        ),
                    ],
                );
            });
            return;
        }
        join(host, &member, name);
    }
    let server = member_server(network, &c);
    let nodes = list(&member, "", "nodes").len();
    let ks_version = get(
        &member,
        "installer.kubesphere.io",
        "clusterconfigurations",
        SYSTEM_NS,
        "ks-installer",
    )
    .and_then(|cc| {
        cc.pointer("/status/core/version")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let uid = kube_system_uid(&member);
    let configz = configz(&member);
    let version = member.version.git_version.clone();
    let _ = modify(host, "cluster.kubesphere.io", "clusters", "", name, |o| {
        set_conditions(
            o,
            &[
                condition(
                    "Federated",
                    true,
                    "",
                    "Cluster has joined federation control plane successfully",
                    &now,
                ),
                condition("Ready", true, "Ready", "Cluster is available now", &now),
            ],
        );
        o["status"]["kubernetesVersion"] = json!(version);
        o["status"]["nodeCount"] = json!(nodes);
        o["status"]["configz"] = configz;
        if let Some(v) = ks_version {
            o["status"]["kubeSphereVersion"] = json!(v);
        }
        if let Some(u) = uid {
            o["status"]["uid"] = json!(u);
        }
        if let Some(s) = server {
            o["spec"]["connection"]["kubernetesAPIEndpoint"] = json!(s);
        }
    });
    installer::set_cluster_name(&member, name);
    if !newly_joined {
        return;
    }
    // On joining, KubeFed propagates what is placed there; later changes come as events.
    for template in list(host, "tenant.kubesphere.io", "workspacetemplates") {
        super::tenant::reconcile_template(host, network, &name_of(&template));
    }
    for user in list(host, "iam.kubesphere.io", "users") {
        if label(&user, KUBEFED_MANAGED) != Some("true") {
            let _ = upsert(&member, "iam.kubesphere.io", "users", member_copy(&user));
        }
    }
}

fn member_server(network: &Network, c: &Value) -> Option<String> {
    let kubeconfig = decode_kubeconfig(c.pointer("/spec/connection/kubeconfig")?.as_str()?)?;
    let doc: Value = serde_saphyr::from_str(&kubeconfig).ok()?;
    let _ = network;
    doc.pointer("/clusters/0/cluster/server")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// KubeFed join: the objects it leaves on the member and on the host.
fn join(host: &SimCluster, member: &SimCluster, name: &str) {
    let sa = format!("{name}-kubesphere");
    let role = format!("kubefed-controller-manager:{sa}");
    let _ = upsert(
        member,
        "",
        "namespaces",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-federation-system"}}),
    );
    let _ = upsert(
        member,
        "",
        "serviceaccounts",
        json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": sa, "namespace": "kube-federation-system"}}),
    );
    let _ = upsert(
        member,
        "rbac.authorization.k8s.io",
        "clusterroles",
        json!({"apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole", "metadata": {"name": role}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}),
    );
    let _ = upsert(
        member,
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        json!({"apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding", "metadata": {"name": role},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": "kube-federation-system"}]}),
    );
    let _ = upsert(
        host,
        "",
        "secrets",
        json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": format!("{name}-secret"), "namespace": "kube-federation-system"}}),
    );
}

/// A host User as KubeFed propagates it.
fn member_copy(user: &Value) -> Value {
    let mut labels = user
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    labels[KUBEFED_MANAGED] = json!("true");
    json!({"apiVersion": "iam.kubesphere.io/v1alpha2", "kind": "User",
        "metadata": {"name": name_of(user), "labels": labels},
        "spec": user.get("spec").cloned().unwrap_or_else(|| json!({})),
        "status": user.get("status").cloned().unwrap_or_else(|| json!({}))})
}

/// User sync: host Users are copied to every joined member; deleting one deletes the copies.
pub fn sync_user(host: &Arc<SimCluster>, network: &Arc<Network>, deleted: bool, user: &Value) {
    let name = name_of(user);
    if !deleted && !deleting(user) {
        let _ = modify(host, "iam.kubesphere.io", "users", "", &name, |o| {
            o["metadata"]["labels"][KUBEFED_MANAGED] = json!("false");
        });
    }
    for (_, member) in super::tenant::joined_clusters(host, network) {
        if Arc::ptr_eq(&member, host) {
            continue;
        }
        if deleted || deleting(user) {
            if let Some(ty) = super::ty(&member, "iam.kubesphere.io", "users")
                && get(&member, "iam.kubesphere.io", "users", "", &name)
                    .is_some_and(|u| label(&u, KUBEFED_MANAGED) == Some("true"))
            {
                let _ = ops::delete(&member, &ty, "", &name, &DeleteOptions::default());
            }
        } else {
            let _ = upsert(&member, "iam.kubesphere.io", "users", member_copy(user));
        }
    }
}
