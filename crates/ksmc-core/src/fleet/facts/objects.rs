//! Kubernetes and KubeSphere objects as facts (what is kept of each, and nothing more).

use kube::api::DynamicObject;
use kube::core::ObjectMeta;
use serde_json::Value;

use super::HOST_CLUSTER_LABEL;
use super::lean::{LeanUser, MetaOnly};
use super::model::{
    ClusterInstall, Condition, Extension, Fact, FactError, InstallPlan, ManagedCluster, OwnerRef,
    Project, User, Workspace, WorkspaceTemplate,
};
use crate::error::{AppError, ErrorKind};

pub(super) fn labels_of<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

pub(super) fn str_at(v: &Value, p: &str) -> Option<String> {
    v.pointer(p).and_then(Value::as_str).map(str::to_owned)
}

pub(super) fn managed_cluster(o: &DynamicObject, errors: &mut Vec<FactError>) -> ManagedCluster {
    let d = &o.data;
    let conditions = d
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| Condition {
                    kind: str_at(c, "/type").unwrap_or_default(),
                    status: str_at(c, "/status").unwrap_or_default(),
                    reason: str_at(c, "/reason").filter(|s| !s.is_empty()),
                    message: str_at(c, "/message").filter(|s| !s.is_empty()),
                    last_update_time: str_at(c, "/lastUpdateTime"),
                })
                .collect()
        })
        .unwrap_or_default();
    ManagedCluster {
        name: o.metadata.name.clone().unwrap_or_default(),
        is_host: labels_of(&o.metadata, HOST_CLUSTER_LABEL).is_some(),
        connection_type: str_at(d, "/spec/connection/type"),
        join_federation: d
            .pointer("/spec/joinFederation")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        conditions,
        kubernetes_version: str_at(d, "/status/kubernetesVersion"),
        kubesphere_version: str_at(d, "/status/kubeSphereVersion"),
        uid: str_at(d, "/status/uid").filter(|s| !s.is_empty()),
        deleting_since: o
            .metadata
            .deletion_timestamp
            .as_ref()
            .map(|t| t.0.to_string()),
        finalizers: o.metadata.finalizers.clone().unwrap_or_default(),
        cert_expires: cert_expires(o, errors),
        users_synced: None,
    }
}

/// The client certificate's expiry of a member Cluster's kubeconfig (the host's own Cluster
/// is skipped, as KubeSphere's controller does).
fn cert_expires(o: &DynamicObject, errors: &mut Vec<FactError>) -> Option<Fact<String>> {
    if labels_of(&o.metadata, HOST_CLUSTER_LABEL).is_some() {
        return None;
    }
    let name = o.metadata.name.as_deref().unwrap_or_default();
    let b64 = o
        .data
        .pointer("/spec/connection/kubeconfig")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())?;
    let field = format!("Cluster {name} spec.connection.kubeconfig");
    match super::super::cert::kubeconfig_client_cert(b64) {
        Ok(cert) => cert.map(|c| {
            Fact::new(
                c.not_after.to_string(),
                &format!("{field}: client-certificate-data of user {}", c.user),
            )
        }),
        Err(why) => {
            errors.push(FactError {
                source: field,
                error: AppError::new(ErrorKind::Invalid, why),
            });
            None
        }
    }
}

pub(super) fn workspace(o: MetaOnly) -> Workspace {
    let kubefed_managed = o.metadata.labels.kubefed_managed;
    Workspace {
        name: o.metadata.name,
        uid: o.metadata.uid,
        kubefed_managed,
    }
}

pub(super) fn template(o: &DynamicObject, _: &mut Vec<FactError>) -> WorkspaceTemplate {
    WorkspaceTemplate {
        name: o.metadata.name.clone().unwrap_or_default(),
        placed_everywhere: o.data.pointer("/spec/placement/clusterSelector").is_some(),
        clusters: o
            .data
            .pointer("/spec/placement/clusters")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|c| str_at(c, "/name")).collect())
            .unwrap_or_default(),
    }
}

pub(super) fn user(o: LeanUser) -> User {
    let kubefed_managed = o.metadata.labels.kubefed_managed;
    User {
        name: o.metadata.name,
        email: o.spec.email,
        kubefed_managed,
    }
}

pub(super) fn project(o: MetaOnly) -> Project {
    let meta = o.metadata;
    let workspace = meta.labels.workspace.unwrap_or_default();
    let kubefed_managed = meta.labels.kubefed_managed;
    let kubefed_host_namespace = meta.labels.kubefed_host_namespace;
    Project {
        workspace,
        owner_references: meta
            .owner_references
            .into_iter()
            .map(|r| OwnerRef {
                api_version: r.api_version,
                kind: r.kind,
                name: r.name,
                uid: r.uid,
                controller: r.controller.unwrap_or(false),
            })
            .collect(),
        kubefed_managed,
        kubefed_host_namespace,
        name: meta.name,
    }
}

pub(super) fn extension(o: &DynamicObject, _: &mut Vec<FactError>) -> Extension {
    Extension {
        name: o.metadata.name.clone().unwrap_or_default(),
        state: str_at(&o.data, "/status/state").filter(|s| !s.is_empty()),
        installed_version: str_at(&o.data, "/status/installedVersion").filter(|s| !s.is_empty()),
    }
}

/// The longest a condition message is kept.
const MESSAGE_CHARS: usize = 300;

/// The message of the latest condition (by `lastTransitionTime`) that is not True.
fn failing_message(status: &Value) -> Option<String> {
    let conditions = status.get("conditions")?.as_array()?;
    let latest = conditions
        .iter()
        .filter(|c| c.get("status").and_then(Value::as_str) != Some("True"))
        .max_by_key(|c| str_at(c, "/lastTransitionTime").unwrap_or_default())?;
    let text = str_at(latest, "/message")
        .filter(|m| !m.is_empty())
        .or_else(|| str_at(latest, "/reason"))?;
    Some(text.chars().take(MESSAGE_CHARS).collect())
}

pub(super) fn install_plan(o: &DynamicObject, _: &mut Vec<FactError>) -> InstallPlan {
    let d = &o.data;
    let empty = Value::Null;
    let status = d.get("status").unwrap_or(&empty);
    let mut clusters: Vec<ClusterInstall> = status
        .get("clusterSchedulingStatuses")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(cluster, s)| ClusterInstall {
                    cluster: cluster.clone(),
                    state: str_at(s, "/state").filter(|x| !x.is_empty()),
                    version: str_at(s, "/version").filter(|x| !x.is_empty()),
                    target_namespace: str_at(s, "/targetNamespace").filter(|x| !x.is_empty()),
                    message: failing_message(s),
                })
                .collect()
        })
        .unwrap_or_default();
    clusters.sort_by(|a, b| a.cluster.cmp(&b.cluster));
    let placement = d.pointer("/spec/clusterScheduling/placement");
    InstallPlan {
        name: o.metadata.name.clone().unwrap_or_default(),
        extension: str_at(d, "/spec/extension/name").unwrap_or_default(),
        version: str_at(d, "/spec/extension/version").filter(|x| !x.is_empty()),
        enabled: d
            .pointer("/spec/enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        state: str_at(status, "/state").filter(|x| !x.is_empty()),
        message: failing_message(status),
        placed_clusters: placement
            .and_then(|p| p.get("clusters"))
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        placed_by_selector: placement
            .and_then(|p| p.get("clusterSelector"))
            .is_some_and(|s| !s.is_null()),
        clusters,
    }
}
