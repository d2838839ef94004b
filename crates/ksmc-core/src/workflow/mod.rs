//! Guided workflows: import, unbind keeping projects, rebind, migrate — one engine.
//!
//! Validate input → [`plan_workflow`] builds a [`Plan`] from live reads (typed steps, each with
//! the API request, the kubectl equivalent and what it protects) → the user reviews (or
//! exports [`Plan::script`]) → [`Runs::create`] saves it → [`apply`] runs it: a stale plan is
//! refused, a Lease per written cluster keeps one writer per estate, every write is journalled
//! before and after, carries a resourceVersion or uid precondition, and is recomputed from a
//! fresh read after a conflict; cancel stops between steps; [`apply`] on the same run resumes
//! after a crash. Every kept namespace is snapshotted before the first write and verified at
//! the end: a lost one fails the run loudly, never silently.
//!
//! KubeSphere 3.4 (`shared/docs/kubesphere-multicluster.md` §2–4) and 4.1 (§7): the plans
//! branch on the clusters' generation (4.x: no KubeFed, InstallPlans for components, project
//! roles and bindings kept through an unbind and restored after a rebind).

pub mod access;
pub mod admin;
pub mod engine;
pub mod extensions;
pub mod fixits;
pub mod import;
pub mod journal;
pub mod lease;
pub mod member;
pub mod plan;
pub mod project_access;
pub mod projects;
pub mod rebind;
pub mod runs;
pub mod steps;
pub mod unbind;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

pub use access::Clusters;
pub use engine::{ApplyOptions, CancelFlag, RunReport, apply};
pub use plan::{Action, KeptNamespace, Phase, Plan, Step, WorkflowInput};
pub use runs::{RunDir, RunStatus, RunSummary, Runs};

use crate::error::{AppError, ErrorKind};

/// Default settle window after unbinding, before anything is deleted.
pub const DEFAULT_SETTLE_SECONDS: u32 = 30;

/// What a run reports as it goes (the desktop forwards these over a channel, the CLI draws
/// progress, tests collect them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RunEvent {
    Started {
        run_id: String,
        total: u32,
        done: u32,
    },
    PhaseStarted {
        index: u32,
        title: String,
        steps: u32,
    },
    StepStarted {
        step: u32,
        title: String,
    },
    /// A step is waiting for a controller; the message says for what.
    StepWaiting {
        step: u32,
        message: String,
    },
    StepDone {
        step: u32,
    },
    Finished {
        report: RunReport,
    },
}

/// Where progress goes.
pub trait Progress: Send + Sync {
    fn event(&self, event: RunEvent);
}

/// Discards progress.
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&self, _: RunEvent) {}
}

/// Collects progress (tests, reports).
#[derive(Debug, Default)]
pub struct Collect(pub Mutex<Vec<RunEvent>>);

impl Progress for Collect {
    fn event(&self, event: RunEvent) {
        if let Ok(mut v) = self.0.lock() {
            v.push(event);
        }
    }
}

impl Collect {
    #[must_use]
    pub fn events(&self) -> Vec<RunEvent> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

/// Builds the plan of a workflow from live reads. Deterministic for the same estate, which is
/// how [`apply`] detects a stale plan.
///
/// # Errors
/// A specific refusal (invalid name, unsafe state, failed preflight, unreachable cluster);
/// nothing is written.
pub async fn plan_workflow(input: &WorkflowInput, clusters: &Clusters) -> Result<Plan, AppError> {
    // KubeSphere 4.x unbinds: the project roles and bindings 4.1 deletes (project_access.rs).
    let mut access = Vec::new();
    let (title, parts) = match input {
        WorkflowInput::Unbind {
            member,
            old_host,
            cluster_name,
            projects,
            settle_seconds,
        } => {
            let mut parts = unbind::plan(
                clusters,
                member,
                old_host.as_deref(),
                cluster_name.as_deref(),
                projects.as_deref(),
                *settle_seconds,
            )
            .await?;
            access = project_access::snapshot(clusters, member, &parts.inventory).await?;
            parts
                .warnings
                .extend(project_access::warnings(member, &access, &BTreeSet::new()));
            let from = old_host
                .as_deref()
                .map_or(String::new(), |h| format!(" from {h}"));
            (
                format!(
                    "Unbind {member}{from}, keeping {} namespaces",
                    parts.inventory.len()
                ),
                parts,
            )
        }
        WorkflowInput::Import {
            host,
            member,
            cluster_name,
            fix,
        } => {
            let parts =
                import::plan(clusters, host, member, cluster_name.as_deref(), *fix, &[]).await?;
            (
                format!("Import {member} into {host} as {}", parts.cluster_name),
                parts,
            )
        }
        WorkflowInput::Rebind {
            host,
            member,
            cluster_name,
            bindings,
        } => {
            let parts = rebind::plan(
                clusters,
                host,
                member,
                cluster_name.as_deref(),
                bindings,
                false,
            )
            .await?;
            (
                format!(
                    "Rebind {} project{} of {member} on {host}",
                    bindings.len(),
                    if bindings.len() == 1 { "" } else { "s" }
                ),
                parts,
            )
        }
        WorkflowInput::Migrate {
            member,
            old_host,
            new_host,
            cluster_name,
            projects,
            workspace_map,
            settle_seconds,
        } => {
            let (title, parts, snapshot) = migrate(
                clusters,
                member,
                old_host.as_deref(),
                new_host,
                cluster_name.as_deref(),
                projects.as_deref(),
                workspace_map,
                *settle_seconds,
            )
            .await?;
            access = snapshot;
            (title, parts)
        }
        WorkflowInput::Workspace {
            host,
            workspace,
            placement,
            manager,
        } => (
            format!(
                "Workspace {workspace} on {host}, placed on {}",
                placement.join(", ")
            ),
            admin::plan_workspace(clusters, host, workspace, placement, manager).await?,
        ),
        WorkflowInput::User {
            host,
            user,
            email,
            role,
        } => (
            format!("Create user {user} ({role}) on {host}"),
            admin::plan_user(clusters, host, user, email, role).await?,
        ),
        WorkflowInput::Invite {
            host,
            workspace,
            user,
            role,
        } => (
            format!("Invite {user} into {workspace} as {role}"),
            admin::plan_invite(clusters, host, workspace, user, role).await?,
        ),
        WorkflowInput::Component {
            clusters: targets,
            component,
            host: None,
        } => (
            format!("Enable {component} on {}", targets.join(", ")),
            admin::plan_component(clusters, targets, component).await?,
        ),
        WorkflowInput::Component {
            clusters: targets,
            component,
            host: Some(host),
        } => (
            format!(
                "Enable extension {component} of {host} on {}",
                targets.join(", ")
            ),
            extensions::plan_extension(clusters, host, targets, component).await?,
        ),
        WorkflowInput::FixMember {
            host,
            member,
            set_role,
            copy_jwt,
        } => (
            format!("Configure {member} as a member of {host}"),
            fixits::plan_member(clusters, host, member, *set_role, *copy_jwt).await?,
        ),
        WorkflowInput::StripOwner {
            cluster,
            namespace,
            owner_uid,
        } => (
            format!("Remove a dangling workspace owner from {namespace} on {cluster}"),
            fixits::plan_strip_owner(clusters, cluster, namespace, owner_uid).await?,
        ),
    };
    Ok(Plan::new(
        input.clone(),
        title,
        parts.inventory,
        parts.warnings,
        parts.phases,
    )
    .with_project_access(access))
}

#[allow(clippy::too_many_arguments)]
async fn migrate(
    clusters: &Clusters,
    member: &str,
    old_host: Option<&str>,
    new_host: &str,
    cluster_name: Option<&str>,
    projects: Option<&[String]>,
    workspace_map: &BTreeMap<String, String>,
    settle_seconds: u32,
) -> Result<(String, unbind::Parts, Vec<project_access::ProjectAccess>), AppError> {
    if old_host == Some(new_host) {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "the new host is the old host; use rebind to move projects between its workspaces",
        ));
    }
    let mut unbound = unbind::plan(
        clusters,
        member,
        old_host,
        cluster_name,
        projects,
        settle_seconds,
    )
    .await?;
    let access = project_access::snapshot(clusters, member, &unbound.inventory).await?;
    let name = unbound.cluster_name.clone();
    let imported = import::plan(
        clusters,
        new_host,
        member,
        Some(&name),
        true,
        &["clean-member", "managed-elsewhere"],
    )
    .await?;
    // Each kept project goes to the workspace of the same (or the mapped) name.
    let bindings: BTreeMap<String, String> = unbound
        .inventory
        .iter()
        .filter_map(|n| {
            let ws = n.workspace.as_ref()?;
            let to = workspace_map.get(ws).unwrap_or(ws);
            Some((n.name.clone(), to.clone()))
        })
        .collect();
    let mut warnings = std::mem::take(&mut unbound.warnings);
    warnings.extend(project_access::warnings(
        member,
        &access,
        &bindings.keys().map(String::as_str).collect(),
    ));
    warnings.extend(imported.warnings);
    let mut phases = std::mem::take(&mut unbound.phases);
    phases.extend(imported.phases);
    if bindings.is_empty() {
        warnings.push(format!(
            "no kept project of {member} belonged to a workspace; nothing to rebind"
        ));
    } else {
        let mut rebound =
            rebind::plan(clusters, new_host, member, Some(&name), &bindings, true).await?;
        // Access comes back once the projects are labelled again, before the last checks.
        let verify = rebound.phases.pop();
        phases.extend(rebound.phases);
        phases.extend(project_access::restore_phase(
            member,
            &access,
            &unbound.inventory,
            &bindings,
        ));
        phases.extend(verify);
    }
    let kept = unbound.inventory.len();
    let from = old_host.map_or(String::new(), |h| format!(" from {h}"));
    Ok((
        format!("Migrate {member}{from} to {new_host} as {name}, keeping {kept} namespaces"),
        unbind::Parts {
            inventory: unbound.inventory,
            warnings,
            phases,
            cluster_name: name,
        },
        access,
    ))
}
