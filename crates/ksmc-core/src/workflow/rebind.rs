//! Planning "rebind" (`kubesphere-multicluster.md` §4.5): on the host, create the workspace or
//! add the member to its placement; wait for the Workspace on the member; label each project;
//! verify the namespace controller set the new owner.

use std::collections::{BTreeMap, BTreeSet};

use kube::api::{Api, DynamicObject};

use super::access::{Clusters, json, kubesphere_clusters, label};
use super::member::{WORKSPACE_LABEL, template_places, template_refusal};
use super::plan::{Action, KeptNamespace, Phase};
use super::steps::{get_opt, is_workspace_owner, list_namespaces};
use super::unbind::{Parts, read_error, recorded_name, step};
use crate::error::{AppError, ErrorKind};
use crate::fleet::findings::kubectl;

/// The workspace manager of workspaces ksmc creates.
pub const DEFAULT_MANAGER: &str = "admin";

/// Plans binding `bindings` (namespace → workspace) of `member` into workspaces of `host`.
/// `after_import` is set inside a migration: the Cluster and the unbinding happen in earlier
/// phases of the same plan, so their absence now is expected.
///
/// # Errors
/// A specific refusal; nothing is written.
pub async fn plan(
    clusters: &Clusters,
    host: &str,
    member: &str,
    cluster_name: Option<&str>,
    bindings: &BTreeMap<String, String>,
    after_import: bool,
) -> Result<Parts, AppError> {
    if bindings.is_empty() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "no project to rebind: give namespace=workspace pairs",
        ));
    }
    for (ns, ws) in bindings {
        crate::names::check_label("project", ns)?;
        crate::names::check_label("workspace", ws)?;
        if ws == super::member::SYSTEM_WORKSPACE {
            return Err(AppError::new(
                ErrorKind::Invalid,
                format!("{ns}: projects are never bound to system-workspace by ksmc"),
            ));
        }
    }
    let mclient = clusters.client(member).await?;
    let hclient = clusters.client(host).await?;
    let name = match cluster_name {
        Some(n) => n.to_owned(),
        None => recorded_name(&mclient)
            .await
            .unwrap_or_else(|| member.to_owned()),
    };
    if !after_import {
        let api: Api<DynamicObject> = Api::all_with(hclient.clone(), &kubesphere_clusters());
        if get_opt(&api, &name)
            .await
            .map_err(|e| read_error(host, &e))?
            .is_none()
        {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!(
                    "{host} has no Cluster named {name}: import {member} into {host} first (ksmc import)"
                ),
            ));
        }
    }
    let all = list_namespaces(&mclient)
        .await
        .map_err(|e| read_error(member, &e))?;
    let tenant = clusters.tenant_version(host).await?;
    let templates = clusters.templates(host).await?;
    let mut inventory = Vec::new();
    let mut bind_steps = Vec::new();
    let mut unlabelled = Vec::new();
    for (ns_name, ws) in bindings {
        let Some(ns) = all
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(ns_name))
        else {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!("project {ns_name} does not exist on {member}"),
            ));
        };
        if super::unbind::is_system(ns) {
            return Err(AppError::new(
                ErrorKind::Invalid,
                format!("{ns_name} is a system namespace"),
            ));
        }
        if ns.metadata.deletion_timestamp.is_some() {
            return Err(AppError::new(
                ErrorKind::Conflict,
                format!("namespace {ns_name} on {member} is terminating"),
            ));
        }
        let uid = ns.metadata.uid.clone().unwrap_or_default();
        let current = label(&ns.metadata, WORKSPACE_LABEL);
        if current.is_none() {
            unlabelled.push(ns_name.as_str());
        }
        inventory.push(KeptNamespace {
            cluster: member.to_owned(),
            name: ns_name.clone(),
            uid: uid.clone(),
            workspace: current.map(str::to_owned),
            other_owners: ns
                .metadata
                .owner_references
                .iter()
                .flatten()
                .filter(|r| !is_workspace_owner(r))
                .map(|r| r.uid.clone())
                .collect(),
        });
        let change = match current {
            Some(c) if c == ws && !after_import => continue,
            Some(c) if !after_import => format!("~ label {WORKSPACE_LABEL}: {c} → {ws}"),
            _ => format!("+ label {WORKSPACE_LABEL}={ws}"),
        };
        bind_steps.push(step(
            format!("Bind project {ns_name} to workspace {ws}"),
            Action::BindNamespace { cluster: member.to_owned(), namespace: ns_name.clone(), uid, workspace: ws.clone() },
            format!("PATCH /api/v1/namespaces/{ns_name} (merge, with resourceVersion)"),
            vec![change],
            vec![format!("{} label namespace {ns_name} {WORKSPACE_LABEL}={ws} --overwrite", kubectl(member))],
            "Only the label is written; KubeSphere's namespace controller on the member sets the owner to the member's Workspace.",
        ));
    }
    let workspaces: BTreeSet<&String> = bindings.values().collect();
    let mut place_steps = Vec::new();
    let mut wait_steps = Vec::new();
    for ws in workspaces {
        let found = get_opt(&templates, ws)
            .await
            .map_err(|e| read_error(host, &e))?;
        let (changes, cmd) = match &found {
            None => (
                vec![format!(
                    "+ WorkspaceTemplate {ws} (manager {DEFAULT_MANAGER}, placement [{name}])"
                )],
                format!(
                    "{} create -f - <<'EOF'\n{}\nEOF",
                    kubectl(host),
                    serde_json::to_string_pretty(&super::member::workspace_template(
                        ws,
                        &name,
                        DEFAULT_MANAGER,
                        tenant,
                    ))
                    .unwrap_or_default()
                ),
            ),
            Some(t) => {
                let value = json(t);
                if let Some(why) = template_refusal(&value) {
                    return Err(AppError::new(
                        ErrorKind::Conflict,
                        format!("workspace {ws} on {host}: {why}"),
                    ));
                }
                if template_places(&value, &name) {
                    (
                        vec![format!("= WorkspaceTemplate {ws} already places {name}")],
                        format!("{} get workspacetemplate {ws}", kubectl(host)),
                    )
                } else {
                    (
                        vec![format!("~ WorkspaceTemplate {ws}: placement + {name}")],
                        format!(
                            "{} patch workspacetemplate {ws} --type json -p '[{{\"op\":\"add\",\"path\":\"/spec/placement/clusters/-\",\"value\":{{\"name\":\"{name}\"}}}}]'",
                            kubectl(host)
                        ),
                    )
                }
            }
        };
        place_steps.push(step(
            format!("Place workspace {ws} on {name}"),
            Action::EnsureWorkspacePlacement { host: host.to_owned(), workspace: ws.clone(), cluster_name: name.clone(), manager: DEFAULT_MANAGER.into() },
            "POST or PATCH /apis/tenant.kubesphere.io/v1alpha2/workspacetemplates (resourceVersion)".into(),
            changes,
            vec![cmd],
            "Refused if the workspace is being deleted or would delete its projects when deleted.",
        ));
        wait_steps.push(step(
            format!("Wait for workspace {ws} on {member}"),
            Action::WaitWorkspace {
                cluster: member.to_owned(),
                workspace: ws.clone(),
            },
            format!("GET /apis/tenant.kubesphere.io/v1alpha1/workspaces/{ws}"),
            Vec::new(),
            vec![format!(
                "{} wait --for=create workspace/{ws} --timeout=180s",
                kubectl(member)
            )],
            "Projects are labelled only once their Workspace exists on the member.",
        ));
    }
    let phases = vec![
        Phase {
            title: format!("Workspaces on {host}"),
            concurrent: false,
            steps: place_steps,
        },
        Phase {
            title: format!("Workspaces on {member}"),
            concurrent: false,
            steps: wait_steps,
        },
        Phase {
            title: "Bind projects".into(),
            concurrent: true,
            steps: bind_steps,
        },
        Phase {
            title: "Verify".into(),
            concurrent: false,
            steps: vec![step(
                format!("Verify every project of {member} is owned by its new workspace"),
                Action::VerifyBound {
                    cluster: member.to_owned(),
                },
                "GET /api/v1/namespaces (fresh list, polled)".into(),
                Vec::new(),
                vec![format!("{} get ns -L {WORKSPACE_LABEL}", kubectl(member))],
                "Each project ends labelled, owned by the member's Workspace, not terminating, with its other owners.",
            )],
        },
    ];
    let mut warnings = Vec::new();
    // The host's generation is its members' (a 4.x host manages 4.x members).
    if !after_import && !unlabelled.is_empty() && tenant == super::access::V4_TENANT {
        // A rebind alone does not know which run unbound the projects (plans are built from
        // the estate, not from the runs directory), so it cannot restore their access itself.
        warnings.push(format!(
            "KubeSphere 4.1 deleted the project roles and member bindings of {} on {member} when they left their workspace, and a rebind alone does not restore them; if a ksmc unbind removed them, that run's plan kept them — after this run, restore them with (RUN_ID: that run's id in `ksmc runs list`): {}",
            unlabelled.join(", "),
            super::project_access::manual_restore_command(member)
        ));
    }
    Ok(Parts {
        inventory,
        warnings,
        phases,
        cluster_name: name,
    })
}
