//! The 4.1.3 InstallPlan controller, host part and cluster scheduling
//! (`shared/docs/kubesphere-multicluster.md` §7.3; `ks@v4.1.3:pkg/controller/extension/
//! installplan_controller.go`, `syncClusterAgentStatus`).
//!
//! * An enabled InstallPlan without a state is installed on the host at once: `status.state`
//!   `Installed`, release `<extension>` in `extension-<extension>`.
//! * Its agent part goes to every Cluster its `spec.clusterScheduling.placement` selects
//!   (`clusters`, a list of Cluster names, else `clusterSelector`) that is Ready: the
//!   cluster's `status.clusterSchedulingStatuses.<cluster>` starts `Installing` (release
//!   `<extension>-agent`), and after [`crate::kubesphere::Settings::installer_delay`] the
//!   Helm install reaches the member (through the estate's network: a partitioned member
//!   stays `Installing`), creates the target namespace there and turns `Installed`.
//! * A cluster taken out of the placement has its entry removed (the agent is uninstalled;
//!   its namespace is left, as Helm leaves a namespace it did not create).
//!
//! Not modelled: ExtensionVersions and the Helm job objects, `spec.config` and `overrides`,
//! upgrades, failures (a fixture or a test writes `InstallFailed` itself), disabling.

use std::sync::Arc;

use serde_json::{Value, json};

use super::super::{deleting, get, list, modify, name_of, upsert};
use super::Ctx;
use super::cluster::ready_target;
use super::tenant::selector_selects;

const GROUP: &str = "kubesphere.io";
const PLURAL: &str = "installplans";
/// The state the scheduling of a cluster ends in when its agent is installed.
pub const INSTALLED: &str = "Installed";
/// The state while the agent's Helm install runs.
pub const INSTALLING: &str = "Installing";

fn extension(plan: &Value) -> String {
    plan.pointer("/spec/extension/name")
        .and_then(Value::as_str)
        .map_or_else(|| name_of(plan), str::to_owned)
}

fn target_namespace(plan: &Value) -> String {
    format!("extension-{}", extension(plan))
}

/// Whether the plan's placement selects a Cluster (the listed names, else the selector).
#[must_use]
pub fn schedules(plan: &Value, cluster: &Value) -> bool {
    let placement = plan.pointer("/spec/clusterScheduling/placement");
    let name = name_of(cluster);
    if let Some(list) = placement
        .and_then(|p| p.get("clusters"))
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
    {
        return list.iter().any(|c| c.as_str() == Some(name.as_str()));
    }
    selector_selects(placement.and_then(|p| p.get("clusterSelector")), cluster)
}

fn ensure_status(o: &mut Value) {
    if !o.get("status").is_some_and(Value::is_object) {
        o["status"] = json!({});
    }
    if !o["status"]
        .get("clusterSchedulingStatuses")
        .is_some_and(Value::is_object)
    {
        o["status"]["clusterSchedulingStatuses"] = json!({});
    }
}

/// Reconciles one InstallPlan on a host.
pub fn reconcile(ctx: &Arc<Ctx>, name: &str) {
    let host = &ctx.cluster;
    let Some(plan) = get(host, GROUP, PLURAL, "", name) else {
        return;
    };
    let enabled = plan
        .pointer("/spec/enabled")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if deleting(&plan) || !enabled {
        return;
    }
    let ext = extension(&plan);
    let namespace = target_namespace(&plan);
    let version = plan
        .pointer("/spec/extension/version")
        .cloned()
        .unwrap_or(Value::Null);
    let clusters = list(host, "cluster.kubesphere.io", "clusters");
    let wanted: Vec<String> = clusters
        .iter()
        .filter(|c| schedules(&plan, c))
        .map(name_of)
        .collect();
    let mut start = Vec::new();
    let _ = modify(host, GROUP, PLURAL, "", name, |o| {
        start.clear();
        ensure_status(o);
        if o.pointer("/status/state").is_none() {
            o["status"]["state"] = json!(INSTALLED);
            o["status"]["releaseName"] = json!(ext);
            o["status"]["targetNamespace"] = json!(namespace);
        }
        let statuses = o["status"]["clusterSchedulingStatuses"]
            .as_object_mut()
            .expect("ensured");
        statuses.retain(|c, _| wanted.contains(c));
        for c in &clusters {
            let cname = name_of(c);
            if !wanted.contains(&cname) || statuses.contains_key(&cname) {
                continue;
            }
            if ready_target(ctx, c).is_some() {
                statuses.insert(
                    cname.clone(),
                    json!({"state": INSTALLING, "releaseName": format!("{ext}-agent"),
                        "targetNamespace": namespace, "version": version}),
                );
                start.push(cname);
            }
        }
    });
    for cluster in start {
        start_agent_install(ctx, name, &cluster);
    }
}

/// The agent's Helm install on one cluster, after the install delay.
fn start_agent_install(ctx: &Arc<Ctx>, plan: &str, cluster: &str) {
    let ctx = ctx.clone();
    let plan = plan.to_owned();
    let cluster = cluster.to_owned();
    tokio::spawn(async move {
        tokio::time::sleep(ctx.settings.installer_delay).await;
        let host = &ctx.cluster;
        let Some(current) = get(host, GROUP, PLURAL, "", &plan) else {
            return;
        };
        let pointer = format!(
            "/status/clusterSchedulingStatuses/{}/state",
            cluster.replace('~', "~0").replace('/', "~1")
        );
        if current.pointer(&pointer).and_then(Value::as_str) != Some(INSTALLING) {
            return;
        }
        // The host reaches the member again for the install: a partitioned member stays
        // `Installing` until a later reconcile.
        let Some(member) = get(host, "cluster.kubesphere.io", "clusters", "", &cluster)
            .and_then(|c| ready_target(&ctx, &c))
        else {
            return;
        };
        let namespace = target_namespace(&current);
        if get(&member, "", "namespaces", "", &namespace).is_none() {
            let _ = upsert(
                &member,
                "",
                "namespaces",
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}),
            );
        }
        let _ = modify(host, GROUP, PLURAL, "", &plan, |o| {
            if let Some(s) = o
                .pointer_mut(&pointer)
                .filter(|s| s.as_str() == Some(INSTALLING))
            {
                *s = json!(INSTALLED);
            }
        });
    });
}

/// Every InstallPlan, on a resync: a member that became reachable gets its agent.
pub fn resync(ctx: &Arc<Ctx>) {
    for plan in list(&ctx.cluster, GROUP, PLURAL) {
        reconcile(ctx, &name_of(&plan));
    }
}

/// Re-queues the plans stuck `Installing` on a cluster (after a resync finds it reachable).
pub fn retry_installing(ctx: &Arc<Ctx>) {
    for plan in list(&ctx.cluster, GROUP, PLURAL) {
        let Some(statuses) = plan
            .pointer("/status/clusterSchedulingStatuses")
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (cluster, s) in statuses {
            if s.get("state").and_then(Value::as_str) == Some(INSTALLING) {
                start_agent_install(ctx, &name_of(&plan), cluster);
            }
        }
    }
}
