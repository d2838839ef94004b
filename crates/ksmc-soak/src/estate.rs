//! The estate a seed runs on, the workflow's input, and what each kept namespace must look like
//! afterwards.

use std::collections::BTreeMap;

use ksmc_core::workflow::WorkflowInput;
use ksmc_sim::Scenario;
use ksmc_sim::scenario::Fixture;
use serde_json::json;

use crate::Workflow;

pub(crate) const MEMBER: &str = "prod-1";
pub(crate) const CLUSTERS: [&str; 3] = ["old-host", MEMBER, "new-host"];
pub(crate) const KEPT: [&str; 5] = [
    "apps-backend",
    "apps-frontend",
    "apps-gitops",
    "data-warehouse",
    "scratch",
];
/// The workspace the rebind soak creates on the host for `scratch`.
const NEW_WORKSPACE: &str = "ws-scratch";

/// ksmc-sim's `migrate` estate; for rebind, with every project of the member unbound (no
/// workspace label, so no Workspace owner) while the member stays joined to `old-host`, as an
/// unbind or a half-done manual move leaves it.
pub(crate) fn scenario(workflow: Workflow) -> Scenario {
    let mut scenario = Scenario::migrate();
    if workflow == Workflow::Rebind {
        for cluster in &mut scenario.clusters {
            if cluster.name != MEMBER {
                continue;
            }
            for fixture in &mut cluster.fixtures {
                match fixture {
                    Fixture::Namespace { labels, .. } => *labels = json!({}),
                    Fixture::Object(object) => {
                        if let Some(meta) = object["metadata"].as_object_mut() {
                            meta.remove("labels");
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    scenario
}

/// The workspace `namespace` must be bound to after the workflow (`None`: unbound; not
/// checked for `scratch` outside rebind, where the workflows leave it as it was).
pub(crate) fn expected_workspace(workflow: Workflow, namespace: &str) -> Option<&'static str> {
    match (workflow, namespace) {
        (Workflow::Unbind, _) => None,
        (Workflow::Rebind, "scratch") => Some(NEW_WORKSPACE),
        (_, n) if n.starts_with("apps-") => Some("ws-apps"),
        _ => Some("ws-data"),
    }
}

pub(crate) fn input(workflow: Workflow) -> WorkflowInput {
    match workflow {
        Workflow::Unbind => WorkflowInput::Unbind {
            member: MEMBER.into(),
            old_host: Some("old-host".into()),
            cluster_name: None,
            projects: None,
            settle_seconds: 1,
        },
        Workflow::Rebind => WorkflowInput::Rebind {
            host: "old-host".into(),
            member: MEMBER.into(),
            cluster_name: None,
            bindings: KEPT
                .iter()
                .map(|n| {
                    let ws = expected_workspace(workflow, n).unwrap_or_default();
                    ((*n).to_owned(), ws.to_owned())
                })
                .collect(),
        },
        Workflow::Migrate => WorkflowInput::Migrate {
            member: MEMBER.into(),
            old_host: Some("old-host".into()),
            new_host: "new-host".into(),
            cluster_name: None,
            projects: None,
            workspace_map: BTreeMap::new(),
            settle_seconds: 1,
        },
    }
}

/// How many times the workflow patches each kept namespace (before hazards undo any).
pub(crate) fn patches_per_namespace(workflow: Workflow) -> u64 {
    match workflow {
        Workflow::Unbind | Workflow::Rebind => 1,
        Workflow::Migrate => 2,
    }
}
