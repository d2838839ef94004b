//! KubeSphere 3.4 behaviour, modelled from the source (see
//! `shared/docs/kubesphere-multicluster.md`): ks-installer re-rendering `kubesphere-config`,
//! the host's cluster controller and Cluster webhook, workspace propagation, the namespace
//! and workspace controllers, and user sync to members. KubeSphere 4.1.3 clusters run the
//! controllers of [`v4`] instead.

pub mod installer;
pub mod multicluster;
pub mod tenant;
pub mod v4;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{broadcast, watch};

use crate::cluster::SimCluster;
use crate::http::ApiError;
use crate::network::Network;
use crate::ops::{self, Part};
use crate::resources::{ResourceKey, ResourceType};
use crate::store::{Event, EventType};

/// Timing of the simulated controllers.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How long ks-installer takes to apply a ClusterConfiguration change (4.1: how long the
    /// host's Helm install of ks-core on a member takes).
    pub installer_delay: Duration,
    /// How often the host re-syncs every Cluster (the real default is 120 s).
    pub resync: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            installer_delay: Duration::from_millis(300),
            resync: Duration::from_secs(5),
        }
    }
}

pub(crate) const SYSTEM_NS: &str = "kubesphere-system";
pub(crate) const WORKSPACE_LABEL: &str = "kubesphere.io/workspace";
pub(crate) const KUBEFED_MANAGED: &str = "kubefed.io/managed";

pub(crate) fn key(group: &str, plural: &str) -> ResourceKey {
    ResourceKey {
        group: group.into(),
        plural: plural.into(),
    }
}

pub(crate) fn ty(cluster: &SimCluster, group: &str, plural: &str) -> Option<ResourceType> {
    cluster.registry.by_key(&key(group, plural)).cloned()
}

pub(crate) fn get(
    cluster: &SimCluster,
    group: &str,
    plural: &str,
    ns: &str,
    name: &str,
) -> Option<Value> {
    cluster.store.get(&key(group, plural), ns, name)
}

pub(crate) fn list(cluster: &SimCluster, group: &str, plural: &str) -> Vec<Value> {
    cluster.store.list(&key(group, plural), None).0
}

pub(crate) fn name_of(o: &Value) -> String {
    o.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn label<'a>(o: &'a Value, k: &str) -> Option<&'a str> {
    o.pointer("/metadata/labels")
        .and_then(|l| l.get(k))
        .and_then(Value::as_str)
}

pub(crate) fn deleting(o: &Value) -> bool {
    o.pointer("/metadata/deletionTimestamp").is_some()
}

/// Updates an object through the same path as an API write (so webhooks and finalizer rules
/// apply), computing the new content from the stored one.
pub(crate) fn modify(
    cluster: &SimCluster,
    group: &str,
    plural: &str,
    ns: &str,
    name: &str,
    change: impl FnOnce(&mut Value),
) -> Result<Value, ApiError> {
    let ty = ty(cluster, group, plural).ok_or_else(ApiError::no_route)?;
    ops::update_with(cluster, &ty, ns, name, Part::Main, None, false, |cur| {
        let mut next = cur.clone();
        change(&mut next);
        Ok(next)
    })
}

/// Creates an object, or merges `desired` into the existing one.
pub(crate) fn upsert(
    cluster: &SimCluster,
    group: &str,
    plural: &str,
    desired: Value,
) -> Result<Value, ApiError> {
    let ty = ty(cluster, group, plural).ok_or_else(ApiError::no_route)?;
    let ns = desired
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let name = name_of(&desired);
    if cluster.store.get(&ty.key(), &ns, &name).is_some() {
        ops::update_with(cluster, &ty, &ns, &name, Part::Main, None, false, |cur| {
            let mut next = cur.clone();
            json_patch::merge(&mut next, &desired);
            Ok(next)
        })
    } else {
        let namespace = ty.namespaced.then_some(ns.as_str());
        ops::create(cluster, &ty, namespace, desired, None, false)
    }
}

pub(crate) fn add_finalizer(o: &mut Value, f: &str) {
    let list = o["metadata"]
        .as_object_mut()
        .map(|m| m.entry("finalizers").or_insert_with(|| json!([])));
    if let Some(Value::Array(list)) = list
        && !list.iter().any(|x| x == f)
    {
        list.push(json!(f));
    }
}

pub(crate) fn remove_finalizer(o: &mut Value, f: &str) {
    if let Some(list) = o
        .pointer_mut("/metadata/finalizers")
        .and_then(Value::as_array_mut)
    {
        list.retain(|x| x != f);
    }
}

/// The configuration in effect: `kubesphere-system/kubesphere-config` `kubesphere.yaml`.
#[must_use]
pub fn effective_config(cluster: &SimCluster) -> Option<Value> {
    let cm = get(cluster, "", "configmaps", SYSTEM_NS, "kubesphere-config")?;
    serde_saphyr::from_str(cm.pointer("/data/kubesphere.yaml")?.as_str()?).ok()
}

/// Whether this cluster runs the host-side multi-cluster controllers.
#[must_use]
pub fn is_host(cluster: &SimCluster) -> bool {
    effective_config(cluster).is_some_and(|c| {
        c.pointer("/multicluster/enable").and_then(Value::as_bool) == Some(true)
            && c.pointer("/multicluster/clusterRole")
                .and_then(Value::as_str)
                == Some("host")
    })
}

/// Whether KubeSphere is installed (its controllers run).
#[must_use]
pub fn installed(cluster: &SimCluster) -> bool {
    get(
        cluster,
        "installer.kubesphere.io",
        "clusterconfigurations",
        SYSTEM_NS,
        "ks-installer",
    )
    .is_some()
}

/// Runs the KubeSphere controllers of one cluster until `stop` turns true.
pub async fn run(
    cluster: Arc<SimCluster>,
    network: Arc<Network>,
    settings: Settings,
    mut stop: watch::Receiver<bool>,
) {
    if v4::is_v4(&cluster) {
        return v4::run(cluster, network, settings, stop).await;
    }
    let mut rx = cluster.store.subscribe();
    let mut tick = tokio::time::interval(settings.resync);
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = tick.tick() => resync(&cluster, &network),
            received = rx.recv() => match received {
                Ok(event) => dispatch(&cluster, &network, settings, &event),
                Err(broadcast::error::RecvError::Lagged(_)) => full_resync(&cluster, &network),
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

/// Periodic work: the host re-syncs every Cluster (reachability, status), as the real
/// controller does every `clusterControllerResyncPeriod`.
fn resync(cluster: &Arc<SimCluster>, network: &Arc<Network>) {
    if installed(cluster) && is_host(cluster) {
        for c in list(cluster, "cluster.kubesphere.io", "clusters") {
            multicluster::reconcile_cluster(cluster, network, &name_of(&c));
        }
    }
}

/// After missed events: everything, once.
fn full_resync(cluster: &Arc<SimCluster>, network: &Arc<Network>) {
    if !installed(cluster) {
        return;
    }
    for ns in list(cluster, "", "namespaces") {
        tenant::reconcile_namespace(cluster, &ns);
    }
    resync(cluster, network);
}

fn dispatch(cluster: &Arc<SimCluster>, network: &Arc<Network>, settings: Settings, event: &Event) {
    let r = &event.resource;
    let o = &event.object;
    match (r.group.as_str(), r.plural.as_str()) {
        ("installer.kubesphere.io", "clusterconfigurations")
            if event.kind != EventType::Deleted =>
        {
            let spec_changed = event
                .previous
                .as_ref()
                .is_none_or(|p| p.get("spec") != o.get("spec"));
            if spec_changed && name_of(o) == "ks-installer" {
                let cluster = cluster.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(settings.installer_delay).await;
                    installer::render(&cluster);
                });
            }
        }
        _ if !installed(cluster) => {}
        ("", "namespaces") if event.kind != EventType::Deleted => {
            tenant::reconcile_namespace(cluster, o)
        }
        ("tenant.kubesphere.io", "workspaces") if event.kind != EventType::Deleted => {
            tenant::reconcile_workspace(cluster, &name_of(o));
        }
        ("tenant.kubesphere.io", "workspacetemplates") if event.kind != EventType::Deleted => {
            tenant::reconcile_template(cluster, network, &name_of(o));
        }
        ("cluster.kubesphere.io", "clusters")
            if event.kind != EventType::Deleted && is_host(cluster) =>
        {
            multicluster::reconcile_cluster(cluster, network, &name_of(o));
        }
        ("iam.kubesphere.io", "users") => {
            if is_host(cluster) && label(o, KUBEFED_MANAGED) != Some("true") {
                multicluster::sync_user(cluster, network, event.kind == EventType::Deleted, o);
            }
            if event.kind != EventType::Deleted && deleting(o) {
                let _ = modify(
                    cluster,
                    "iam.kubesphere.io",
                    "users",
                    "",
                    &name_of(o),
                    |u| {
                        remove_finalizer(u, "finalizers.kubesphere.io/users");
                    },
                );
            }
        }
        _ => {}
    }
}
