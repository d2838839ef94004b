//! KubeSphere 4.1.3 behaviour (`shared/docs/kubesphere-multicluster.md` §1.5, §3.2, §5.2,
//! §7): no ks-installer and no ClusterConfiguration; ks-core is a Helm release whose
//! `kubesphere-config` holds `authentication.issuer.jwtSecret`, `multicluster.clusterRole` and
//! `multicluster.hostClusterName`. The host's cluster controller installs ks-core on a member
//! with the host's jwtSecret (the member needs no KubeSphere beforehand) and records the
//! cluster's name in annotations on the member's `kubesphere-system`; workspaces are pushed
//! directly (no KubeFed); namespaces are no longer tied to workspaces by ownerReferences, and
//! deleting a workspace keeps its projects unless `kubesphere.io/deletion-propagation` asks
//! for `Foreground`/`Background`.
//!
//! A cluster is a 4.1 cluster when its registry serves the 4.1 kinds
//! ([`crate::resources::Registry::kubesphere_v41`]); its controllers run once ks-core is
//! installed on it (its `kubesphere-config` is in the 4.1 form).

pub mod cluster;
pub mod crds;
pub mod extensions;
pub mod iam;
pub mod kinds;
pub mod kscore;
pub mod tenant;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::{broadcast, watch};

use super::{Settings, get, list, name_of};
use crate::cluster::SimCluster;
use crate::network::Network;
use crate::store::{Event, EventType};

pub use self::kscore::{
    CHART_VERSION, CoreValues, KS_CORE_VERSION, configz, install_ks_core, render_config, version,
};

/// The 4.1.3 finalizer on WorkspaceTemplates, Workspaces and Namespaces.
pub const CASCADING_DELETION: &str = "kubesphere.io/cascading-deletion";
/// How deleting a workspace treats its namespaces: `Orphan` or empty keeps them (without the
/// workspace label), `Foreground`/`Background` deletes them.
pub const DELETION_PROPAGATION: &str = "kubesphere.io/deletion-propagation";
/// On a member's `kubesphere-system` Namespace: its Cluster name on the host.
pub const CLUSTER_NAME_ANNOTATION: &str = "cluster.kubesphere.io/name";
/// On a member's `kubesphere-system` Namespace: the host's `hostClusterName`.
pub const HOST_CLUSTER_ANNOTATION: &str = "cluster.kubesphere.io/host-cluster";
/// On a Cluster: the hash of the `spec.config` ks-core was last installed with.
pub const CONFIG_HASH_ANNOTATION: &str = "kubesphere.io/config-hash";
/// The label of the host's own Cluster.
pub const HOST_LABEL: &str = "cluster-role.kubesphere.io/host";

/// Whether a cluster is a 4.1 cluster (serves the 4.1 kinds), KubeSphere installed or not.
#[must_use]
pub fn is_v4(cluster: &SimCluster) -> bool {
    super::ty(cluster, "kubesphere.io", "installplans").is_some()
}

/// The 4.1 configuration in effect, when ks-core is installed.
#[must_use]
pub fn effective_config(cluster: &SimCluster) -> Option<Value> {
    super::effective_config(cluster).filter(|c| c.pointer("/authentication/issuer").is_some())
}

/// Whether ks-core (KubeSphere 4.1) is installed, so that its controllers run.
#[must_use]
pub fn installed(cluster: &SimCluster) -> bool {
    effective_config(cluster).is_some()
}

fn config_str(cluster: &SimCluster, pointer: &str) -> Option<String> {
    effective_config(cluster)?
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `multicluster.clusterRole`.
#[must_use]
pub fn role(cluster: &SimCluster) -> Option<String> {
    config_str(cluster, "/multicluster/clusterRole")
}

/// Whether the cluster runs the host-only controllers (cluster, workspace template, user sync).
#[must_use]
pub fn is_host(cluster: &SimCluster) -> bool {
    role(cluster).as_deref() == Some("host")
}

/// `authentication.issuer.jwtSecret`.
#[must_use]
pub fn jwt_secret(cluster: &SimCluster) -> Option<String> {
    config_str(cluster, "/authentication/issuer/jwtSecret")
}

/// `multicluster.hostClusterName` (default `host`).
#[must_use]
pub fn host_cluster_name(cluster: &SimCluster) -> String {
    config_str(cluster, "/multicluster/hostClusterName")
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "host".to_owned())
}

/// What one cluster's 4.1 controllers share.
#[derive(Debug)]
pub struct Ctx {
    pub cluster: Arc<SimCluster>,
    pub network: Arc<Network>,
    pub settings: Settings,
    /// Clusters whose ks-core install is in progress (the real controller's install lock).
    installing: Mutex<HashSet<String>>,
}

impl Ctx {
    /// Takes the install lock of a Cluster; false when an install is already running.
    fn lock_install(&self, name: &str) -> bool {
        self.installing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_owned())
    }

    fn unlock_install(&self, name: &str) {
        self.installing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(name);
    }
}

/// Runs the KubeSphere 4.1 controllers of one cluster until `stop` turns true.
pub async fn run(
    cluster: Arc<SimCluster>,
    network: Arc<Network>,
    settings: Settings,
    mut stop: watch::Receiver<bool>,
) {
    let ctx = Arc::new(Ctx {
        cluster,
        network,
        settings,
        installing: Mutex::default(),
    });
    let mut rx = ctx.cluster.store.subscribe();
    full_resync(&ctx);
    let mut tick = tokio::time::interval(settings.resync);
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = tick.tick() => resync(&ctx),
            received = rx.recv() => match received {
                Ok(event) => dispatch(&ctx, &event),
                Err(broadcast::error::RecvError::Lagged(_)) => full_resync(&ctx),
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

/// Periodic work on a host: the host Cluster exists, every Cluster, template and user is
/// synced (reachability, pending deletions, members that became Ready).
fn resync(ctx: &Arc<Ctx>) {
    let c = &ctx.cluster;
    if !is_host(c) {
        return;
    }
    cluster::ensure_host_cluster(ctx);
    for o in list(c, "cluster.kubesphere.io", "clusters") {
        cluster::reconcile(ctx, &name_of(&o));
    }
    sync_placed(ctx);
    extensions::retry_installing(ctx);
}

/// Templates, users, role bindings and InstallPlans, to every Ready cluster.
fn sync_placed(ctx: &Arc<Ctx>) {
    let c = &ctx.cluster;
    for t in list(c, "tenant.kubesphere.io", "workspacetemplates") {
        tenant::reconcile_template(ctx, &name_of(&t));
    }
    for u in list(c, "iam.kubesphere.io", "users") {
        cluster::sync_user(ctx, &u, false);
    }
    for b in list(c, "iam.kubesphere.io", "globalrolebindings") {
        iam::sync_global_role_binding(ctx, &b);
    }
    for b in list(c, "iam.kubesphere.io", "workspacerolebindings") {
        iam::sync_workspace_role_binding(ctx, &b);
    }
    extensions::resync(ctx);
}

/// Everything, once: at start, after missed events, and when ks-core has just been installed.
fn full_resync(ctx: &Arc<Ctx>) {
    let c = &ctx.cluster;
    if !installed(c) {
        return;
    }
    for ns in list(c, "", "namespaces") {
        tenant::reconcile_namespace(c, &ns);
    }
    for ws in list(c, "tenant.kubesphere.io", "workspaces") {
        tenant::reconcile_workspace(c, &name_of(&ws));
    }
    resync(ctx);
}

fn ready(o: Option<&Value>) -> bool {
    o.is_some_and(cluster::is_ready)
}

fn dispatch(ctx: &Arc<Ctx>, event: &Event) {
    let c = &ctx.cluster;
    let r = &event.resource;
    let o = &event.object;
    let deleted = event.kind == EventType::Deleted;
    if r.group.is_empty()
        && r.plural == "configmaps"
        && event.kind == EventType::Added
        && name_of(o) == "kubesphere-config"
    {
        // ks-core was just installed: its controllers start with a full sync.
        full_resync(ctx);
        return;
    }
    if !installed(c) {
        return;
    }
    match (r.group.as_str(), r.plural.as_str()) {
        ("", "namespaces") if !deleted => tenant::reconcile_namespace(c, o),
        ("tenant.kubesphere.io", "workspaces") => {
            if !deleted {
                tenant::reconcile_workspace(c, &name_of(o));
            } else if is_host(c)
                && get(
                    c,
                    "tenant.kubesphere.io",
                    "workspacetemplates",
                    "",
                    &name_of(o),
                )
                .is_some()
            {
                // A template being deleted waits for its workspaces to go.
                tenant::reconcile_template(ctx, &name_of(o));
            }
        }
        ("tenant.kubesphere.io", "workspacetemplates") if !deleted && is_host(c) => {
            tenant::reconcile_template(ctx, &name_of(o));
        }
        ("cluster.kubesphere.io", "clusters") if !deleted && is_host(c) => {
            cluster::reconcile(ctx, &name_of(o));
            // Templates and users follow a cluster turning Ready (or not).
            if ready(event.previous.as_ref()) != ready(Some(o)) {
                sync_placed(ctx);
            }
        }
        ("iam.kubesphere.io", "users") if is_host(c) => cluster::sync_user(ctx, o, deleted),
        ("iam.kubesphere.io", "globalrolebindings") if !deleted && is_host(c) => {
            iam::sync_global_role_binding(ctx, o);
        }
        ("iam.kubesphere.io", "workspacerolebindings") if !deleted && is_host(c) => {
            iam::sync_workspace_role_binding(ctx, o);
        }
        ("kubesphere.io", "installplans") if !deleted && is_host(c) => {
            extensions::reconcile(ctx, &name_of(o));
        }
        _ => {}
    }
}
