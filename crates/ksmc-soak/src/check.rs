//! The invariants checked after every seed.

use k8s_openapi::api::core::v1::Namespace;
use ksmc_core::workflow::{Clusters, RunStatus};
use ksmc_sim::Estate;
use kube::api::Api;

use crate::Workflow;
use crate::estate::{KEPT, MEMBER, expected_workspace, patches_per_namespace};

async fn namespaces(client: &kube::Client) -> Result<Vec<Namespace>, String> {
    Api::<Namespace>::all(client.clone())
        .list(&Default::default())
        .await
        .map(|l| l.items)
        .map_err(|e| format!("cannot list namespaces: {e}"))
}

/// What the hazards of the member did during the seed.
pub(crate) struct Hazards {
    pub deleted: bool,
    pub re_added: u64,
}

/// The first invariant the seed broke, if any.
pub(crate) async fn check(
    clusters: &Clusters,
    estate: &Estate,
    workflow: Workflow,
    status: Option<RunStatus>,
    hazards: &Hazards,
) -> Option<String> {
    if hazards.deleted {
        return match status {
            Some(RunStatus::Failed) => None,
            Some(RunStatus::Succeeded) => {
                Some("SILENT SUCCESS: a kept namespace was deleted, yet the run succeeded".into())
            }
            other => Some(format!(
                "after a deletion the run ended {other:?}, not Failed"
            )),
        };
    }
    if status != Some(RunStatus::Succeeded) {
        return Some(format!(
            "without faults the run ended {status:?}, not Succeeded"
        ));
    }
    let client = match clusters.source(MEMBER) {
        Ok(s) => match s.client().await {
            Ok(c) => c,
            Err(e) => return Some(e.to_string()),
        },
        Err(e) => return Some(e.message),
    };
    let found = match namespaces(&client).await {
        Ok(f) => f,
        Err(e) => return Some(e),
    };
    for name in KEPT {
        let Some(ns) = found
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(name))
        else {
            return Some(format!("NAMESPACE LOST: {name}"));
        };
        if ns.metadata.deletion_timestamp.is_some() {
            return Some(format!("{name} is terminating"));
        }
        if let Some(why) = binding_violation(workflow, name, ns) {
            return Some(why);
        }
    }
    // No write applied twice beyond what the re-binding hazard undid.
    let writes = estate
        .cluster(MEMBER)
        .map(|c| c.writes())
        .unwrap_or_default();
    let per_ns = patches_per_namespace(workflow);
    for name in KEPT {
        let path = format!("/api/v1/namespaces/{name}");
        let n = writes
            .iter()
            .filter(|w| w.method == "PATCH" && w.path == path)
            .count() as u64;
        if n > per_ns + hazards.re_added {
            return Some(format!("{name} was patched {n} times (expected {per_ns})"));
        }
    }
    None
}

/// Whether a kept namespace has the binding and owners the workflow promises.
fn binding_violation(workflow: Workflow, name: &str, ns: &Namespace) -> Option<String> {
    let label = ns
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get("kubesphere.io/workspace"))
        .cloned();
    let owners = ns.metadata.owner_references.clone().unwrap_or_default();
    if name == "apps-gitops" && !owners.iter().any(|r| r.kind == "Application") {
        return Some("apps-gitops lost its Application owner".into());
    }
    if name == "scratch" && workflow != Workflow::Rebind {
        return None;
    }
    match expected_workspace(workflow, name) {
        None => (label.is_some() || owners.iter().any(|r| r.kind == "Workspace"))
            .then(|| format!("{name} is still bound after unbind")),
        Some(want) => (label.as_deref() != Some(want)
            || !owners
                .iter()
                .any(|r| r.kind == "Workspace" && r.name == want))
        .then(|| format!("{name} is not bound to {want} (label {label:?})")),
    }
}
