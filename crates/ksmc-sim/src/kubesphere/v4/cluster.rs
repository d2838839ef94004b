//! The 4.1.3 host cluster controller (`pkg/controller/cluster/cluster_controller.go`, §7.2)
//! and user sync (§5.2).
//!
//! * The host's own Cluster is created when missing (it is the host itself: no kubeconfig is
//!   needed to reach it here).
//! * A member is reached with its kubeconfig through the estate's [`Network`]; when that
//!   fails, `Ready=False` carries the error (4.1 does this; 3.4 did not).
//! * `status.uid` is the member's `kube-system` UID.
//! * Unless the member is the host itself, ks-core is installed on it with Helm (after
//!   [`crate::kubesphere::Settings::installer_delay`]), with the host's jwtSecret, when
//!   `KSCoreReady` is missing or `spec.config` changed; then `KSCoreReady=True`
//!   ("KS Core is available now"). The member needs no KubeSphere beforehand.
//! * `Ready` follows ks-apiserver's `/kapis/version` on the member; the cluster's name and the
//!   host's name are recorded in annotations on the member's `kubesphere-system`.
//! * Deleting a Cluster removes it from every WorkspaceTemplate placement (the templates then
//!   take their Workspaces off it), removes the name annotations if the member is Ready, and
//!   removes the finalizer. ks-core stays installed on the member.
//!
//! Not modelled: the Cluster validating webhook in 4.1 (not re-checked upstream), the
//! `Schedulable` condition (a declared type no 4.1.3 controller was seen to write), cluster
//! labels (`cluster.kubesphere.io/label-ids`), `granted-clusters` and the cluster-admin
//! binding of the Cluster's creator.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::super::{
    SYSTEM_NS, add_finalizer, deleting, get, label, list, modify, name_of, remove_finalizer, upsert,
};
use super::{
    CLUSTER_NAME_ANNOTATION, CONFIG_HASH_ANNOTATION, CoreValues, Ctx, HOST_CLUSTER_ANNOTATION,
    HOST_LABEL, host_cluster_name, install_ks_core, jwt_secret,
};
use crate::cluster::{SimCluster, rfc3339};
use crate::network::{NetError, decode_kubeconfig};
use crate::ops::{self, DeleteOptions};

const GROUP: &str = "cluster.kubesphere.io";
const FINALIZER: &str = "finalizer.cluster.kubesphere.io";
const USER_FINALIZER: &str = "finalizers.kubesphere.io/users";

fn condition<'a>(c: &'a Value, kind: &str) -> Option<&'a Value> {
    c.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|x| x["type"] == kind)
}

/// Whether a Cluster's `Ready` condition is True.
#[must_use]
pub fn is_ready(c: &Value) -> bool {
    condition(c, "Ready").is_some_and(|x| x["status"] == "True")
}

/// Sets one condition; its times only move when status, reason or message change (so a
/// resync that finds nothing new writes nothing).
fn set_condition(c: &mut Value, kind: &str, ok: bool, reason: &str, message: &str) {
    let now = rfc3339(Timestamp::now());
    let mut next = json!({"type": kind, "status": if ok { "True" } else { "False" },
        "lastUpdateTime": now, "lastTransitionTime": now, "reason": reason, "message": message});
    if let Some(prev) = condition(c, kind)
        && prev["status"] == next["status"]
        && prev["reason"] == next["reason"]
        && prev["message"] == next["message"]
    {
        next = prev.clone();
    }
    if !c.get("status").is_some_and(Value::is_object) {
        c["status"] = json!({});
    }
    let mut list: Vec<Value> = c
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    match list.iter_mut().find(|x| x["type"] == kind) {
        Some(slot) => *slot = next,
        None => list.push(next),
    }
    c["status"]["conditions"] = json!(list);
}

fn set_ready(ctx: &Ctx, name: &str, result: Result<(), String>) {
    let _ = modify(
        &ctx.cluster,
        GROUP,
        "clusters",
        "",
        name,
        |o| match &result {
            Ok(()) => set_condition(o, "Ready", true, "Ready", "Cluster is available now"),
            Err(e) => set_condition(o, "Ready", false, "Ready", e),
        },
    );
}

/// The host's own Cluster, as the controller creates it when missing.
fn host_cluster(name: &str) -> Value {
    json!({
        "apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
        "metadata": {
            "name": name,
            "labels": {HOST_LABEL: "", "kubesphere.io/managed": "true"},
            "annotations": {
                "kubesphere.io/description": "The description was created by KubeSphere automatically. It is recommended that you use the Host Cluster to manage clusters only and deploy workloads on Member Clusters.",
                "kubesphere.io/creator": "admin",
            },
        },
        "spec": {"provider": "kubesphere", "connection": {"type": "direct"}},
    })
}

/// `createHostClusterIfNotExists`: the Cluster named `hostClusterName` exists and is labelled
/// the host.
pub fn ensure_host_cluster(ctx: &Ctx) {
    let host = &ctx.cluster;
    let name = host_cluster_name(host);
    match get(host, GROUP, "clusters", "", &name) {
        None => {
            let _ = upsert(host, GROUP, "clusters", host_cluster(&name));
        }
        Some(c) if label(&c, HOST_LABEL).is_none() && !deleting(&c) => {
            let _ = modify(host, GROUP, "clusters", "", &name, |o| {
                o["metadata"]["labels"][HOST_LABEL] = json!("");
            });
        }
        Some(_) => {}
    }
}

fn kubeconfig(c: &Value) -> Option<String> {
    c.pointer("/spec/connection/kubeconfig")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .and_then(decode_kubeconfig)
}

/// The cluster a Cluster object designates: the host itself for the host Cluster, otherwise
/// whatever its kubeconfig reaches. `Ok(None)` when there is no kubeconfig yet.
fn target(ctx: &Ctx, c: &Value) -> Result<Option<Arc<SimCluster>>, String> {
    let name = name_of(c);
    if label(c, HOST_LABEL).is_some() {
        return Ok(Some(ctx.cluster.clone()));
    }
    let Some(kc) = kubeconfig(c) else {
        return Ok(None);
    };
    match ctx.network.connect(&kc) {
        Ok(member) => Ok(Some(member)),
        Err(NetError::Kubeconfig(e)) => Err(format!(
            "failed to get cluster client for {name}: invalid kubeconfig: {e}"
        )),
        Err(e) => Err(format!(
            "failed to get kube-system namespace for {name}: {e}"
        )),
    }
}

/// The cluster behind a Ready Cluster, or `None`.
pub fn ready_target(ctx: &Ctx, c: &Value) -> Option<Arc<SimCluster>> {
    if !is_ready(c) {
        return None;
    }
    target(ctx, c).ok().flatten()
}

fn kube_system_uid(member: &SimCluster) -> Option<String> {
    get(member, "", "namespaces", "", "kube-system")?
        .pointer("/metadata/uid")?
        .as_str()
        .map(str::to_owned)
}

fn server(c: &Value) -> Option<String> {
    let doc: Value = serde_saphyr::from_str(&kubeconfig(c)?).ok()?;
    doc.pointer("/clusters/0/cluster/server")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A stable hash of `spec.config` (the real controller hashes it the same way each time).
fn config_hash(c: &Value) -> String {
    let config = c
        .pointer("/spec/config")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in config.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn needs_ks_core(c: &Value) -> bool {
    condition(c, "KSCoreReady").is_none()
        || c.pointer(&format!(
            "/metadata/annotations/{}",
            CONFIG_HASH_ANNOTATION.replace('/', "~1")
        ))
        .and_then(Value::as_str)
            != Some(config_hash(c).as_str())
}

/// `installKSCoreInMemberCluster`, after the install delay, then `KSCoreReady=True`.
fn start_install(ctx: &Arc<Ctx>, name: &str) {
    if !ctx.lock_install(name) {
        return;
    }
    let ctx = ctx.clone();
    let name = name.to_owned();
    tokio::spawn(async move {
        tokio::time::sleep(ctx.settings.installer_delay).await;
        let host = &ctx.cluster;
        let installed = get(host, GROUP, "clusters", "", &name)
            .filter(|c| !deleting(c))
            .and_then(|c| target(&ctx, &c).ok().flatten())
            .zip(jwt_secret(host))
            .is_some_and(|(member, jwt)| {
                let mut values = CoreValues::new("member", &jwt);
                values.host_cluster_name = member_host_name(&member);
                values.version =
                    super::version(host).unwrap_or_else(|| super::KS_CORE_VERSION.to_owned());
                install_ks_core(&member, &values).is_ok()
            });
        if installed {
            let _ = modify(host, GROUP, "clusters", "", &name, |o| {
                set_condition(
                    o,
                    "KSCoreReady",
                    true,
                    "KSCoreReady",
                    "KS Core is available now",
                );
                let hash = config_hash(o);
                o["metadata"]["annotations"][CONFIG_HASH_ANNOTATION] = json!(hash);
            });
        }
        ctx.unlock_install(&name);
    });
}

/// The member's `hostClusterName` value: kept from its configuration, else the default.
fn member_host_name(member: &SimCluster) -> String {
    super::effective_config(member)
        .and_then(|c| {
            c.pointer("/multicluster/hostClusterName")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "host".to_owned())
}

/// `syncClusterName`: annotations on the member's `kubesphere-system`.
fn sync_cluster_name(member: &SimCluster, name: &str, host_name: &str) {
    if get(member, "", "namespaces", "", SYSTEM_NS).is_none() {
        return;
    }
    let _ = modify(member, "", "namespaces", "", SYSTEM_NS, |ns| {
        ns["metadata"]["annotations"][CLUSTER_NAME_ANNOTATION] = json!(name);
        ns["metadata"]["annotations"][HOST_CLUSTER_ANNOTATION] = json!(host_name);
    });
}

/// One reconcile of one Cluster on the host.
pub fn reconcile(ctx: &Arc<Ctx>, name: &str) {
    let host = &ctx.cluster;
    let Some(c) = get(host, GROUP, "clusters", "", name) else {
        return;
    };
    if deleting(&c) {
        delete(ctx, &c);
        return;
    }
    let _ = modify(host, GROUP, "clusters", "", name, |o| {
        add_finalizer(o, FINALIZER);
    });
    let member = match target(ctx, &c) {
        Ok(Some(member)) => member,
        Ok(None) => return,
        Err(e) => return set_ready(ctx, name, Err(e)),
    };
    let Some(uid) = kube_system_uid(&member) else {
        return set_ready(
            ctx,
            name,
            Err(format!(
                "failed to get kube-system namespace for {name}: namespaces \"kube-system\" not found"
            )),
        );
    };
    let endpoint = server(&c);
    let _ = modify(host, GROUP, "clusters", "", name, |o| {
        if o.pointer("/status/uid").and_then(Value::as_str) != Some(uid.as_str()) {
            if !o.get("status").is_some_and(Value::is_object) {
                o["status"] = json!({});
            }
            o["status"]["uid"] = json!(uid);
        }
        if let Some(e) = &endpoint
            && o.pointer("/spec/connection/kubernetesAPIEndpoint")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        {
            o["spec"]["connection"]["kubernetesAPIEndpoint"] = json!(e);
        }
    });
    let is_self = Arc::ptr_eq(&member, host);
    if !is_self && needs_ks_core(&c) {
        start_install(ctx, name);
        return;
    }
    let nodes = list(&member, "", "nodes").len();
    let k8s = member.version.git_version.clone();
    let ks = super::version(&member);
    let _ = modify(host, GROUP, "clusters", "", name, |o| {
        match &ks {
            Some(v) => {
                o["status"]["kubeSphereVersion"] = json!(v);
                set_condition(o, "Ready", true, "Ready", "Cluster is available now");
            }
            None => set_condition(
                o,
                "Ready",
                false,
                "Ready",
                "services \"ks-apiserver\" not found",
            ),
        }
        o["status"]["kubernetesVersion"] = json!(k8s);
        o["status"]["nodeCount"] = json!(nodes);
    });
    sync_cluster_name(&member, name, &host_cluster_name(host));
}

/// The deletion branch: unbind templates, clean the member's name annotations (only when
/// Ready), remove the finalizer.
fn delete(ctx: &Arc<Ctx>, c: &Value) {
    let host = &ctx.cluster;
    let name = name_of(c);
    let has_finalizer = c
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|x| x == FINALIZER));
    if !has_finalizer {
        return;
    }
    let mut unbound = Vec::new();
    for t in list(host, "tenant.kubesphere.io", "workspacetemplates") {
        let placed = t
            .pointer("/spec/placement/clusters")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().any(|x| x["name"] == name.as_str()));
        if placed {
            let t_name = name_of(&t);
            let _ = modify(
                host,
                "tenant.kubesphere.io",
                "workspacetemplates",
                "",
                &t_name,
                |o| {
                    if let Some(l) = o
                        .pointer_mut("/spec/placement/clusters")
                        .and_then(Value::as_array_mut)
                    {
                        l.retain(|x| x["name"] != name.as_str());
                    }
                },
            );
            unbound.push(t_name);
        }
    }
    // The templates take their Workspaces off the cluster while it is still known.
    for t in &unbound {
        super::tenant::reconcile_template(ctx, t);
    }
    if let Some(member) = ready_target(ctx, c)
        && get(&member, "", "namespaces", "", SYSTEM_NS).is_some()
    {
        let _ = modify(&member, "", "namespaces", "", SYSTEM_NS, |ns| {
            if let Some(a) = ns
                .pointer_mut("/metadata/annotations")
                .and_then(Value::as_object_mut)
            {
                a.remove(CLUSTER_NAME_ANNOTATION);
                a.remove(HOST_CLUSTER_ANNOTATION);
            }
        });
    }
    let _ = modify(host, GROUP, "clusters", "", &name, |o| {
        remove_finalizer(o, FINALIZER);
    });
}

/// Every Cluster with the cluster behind it when Ready (`None` otherwise).
pub fn clusters(ctx: &Ctx) -> Vec<(Value, Option<Arc<SimCluster>>)> {
    list(&ctx.cluster, GROUP, "clusters")
        .into_iter()
        .map(|c| {
            let t = ready_target(ctx, &c);
            (c, t)
        })
        .collect()
}

/// User sync in 4.1 (§5.2): no User copies; a `kubesphere-system/kubeconfig-<user>` Secret
/// on every Ready cluster, deleted with the user (whose finalizer waits for every cluster).
pub fn sync_user(ctx: &Ctx, user: &Value, deleted: bool) {
    let host = &ctx.cluster;
    let name = name_of(user);
    let secret = format!("kubeconfig-{name}");
    let gone = deleted || deleting(user);
    let mut all_done = true;
    for (_, target) in clusters(ctx) {
        let Some(target) = target else {
            all_done = false;
            continue;
        };
        if get(&target, "", "namespaces", "", SYSTEM_NS).is_none() {
            continue;
        }
        let existing = get(&target, "", "secrets", SYSTEM_NS, &secret);
        if gone {
            if existing.is_some()
                && let Some(ty) = super::super::ty(&target, "", "secrets")
            {
                let _ = ops::delete(&target, &ty, SYSTEM_NS, &secret, &DeleteOptions::default());
            }
        } else if existing.is_none_or(|s| {
            s.pointer("/metadata/labels/kubesphere.io~1username") != Some(&json!(name))
        }) {
            let _ = upsert(
                &target,
                "",
                "secrets",
                json!({"apiVersion": "v1", "kind": "Secret", "type": "config.kubesphere.io/kubeconfig",
                    "metadata": {"name": secret, "namespace": SYSTEM_NS, "labels": {"kubesphere.io/username": name}}}),
            );
        }
    }
    if deleted {
        return;
    }
    let _ = modify(host, "iam.kubesphere.io", "users", "", &name, |o| {
        if !gone {
            add_finalizer(o, USER_FINALIZER);
        } else if all_done {
            remove_finalizer(o, USER_FINALIZER);
        }
    });
}
