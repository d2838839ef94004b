//! What a workflow will do, as data: phases of typed steps, each with a description, the API
//! request, the kubectl equivalent and what it protects. A plan is built from live reads,
//! reviewed, hashed (a stale plan is refused at apply), and saved beside its journal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The on-disk format of plans; bumped when a plan written by an older ksmc must not be
/// applied by this one.
pub const PLAN_FORMAT: u32 = 1;

/// A namespace the run must keep, as it was when planned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KeptNamespace {
    /// The cluster's name in the estate.
    pub cluster: String,
    pub name: String,
    pub uid: String,
    /// Its `kubesphere.io/workspace` label when planned.
    pub workspace: Option<String>,
    /// UIDs of its ownerReferences that are not KubeSphere workspaces: they must survive.
    pub other_owners: Vec<String>,
}

/// What a step does. Every action re-reads the object and computes its write from what it
/// finds, so a step can be run again after a crash or a conflict without sending a stale body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Action {
    /// Remove the workspace label and only the Workspace/WorkspaceTemplate ownerReferences
    /// of one namespace, in one patch carrying its resourceVersion.
    UnbindNamespace {
        cluster: String,
        namespace: String,
        uid: String,
    },
    /// Wait `settle_seconds`, then re-read every kept namespace of `cluster`: none may have
    /// regained a workspace label or owner, started terminating, or gone.
    SettleAndVerifyUnbound {
        cluster: String,
        settle_seconds: u32,
    },
    /// Delete a workspace on a member keeping its namespaces: a local WorkspaceTemplate gets
    /// KubeSphere's orphan finalizer first; a KubeFed-made Workspace is deleted with
    /// `propagationPolicy: Orphan` and uid/resourceVersion preconditions.
    DeleteWorkspace {
        cluster: String,
        workspace: String,
        uid: String,
        template: bool,
    },
    /// Delete the `Cluster` object of a member on a host, and wait until it is gone.
    DeleteCluster {
        host: String,
        name: String,
        uid: String,
    },
    /// Set `clusterRole: member` and the host's jwtSecret in the member's
    /// ClusterConfiguration (the secret is read at apply time and never written down).
    ConfigureMember {
        member: String,
        host: String,
        set_role: bool,
        copy_jwt: bool,
    },
    /// Wait until the member's effective `kubesphere-config` is a member with the host's
    /// jwtSecret (ks-installer re-renders it).
    WaitMemberConfig { member: String, host: String },
    /// On the member: a ServiceAccount, its long-lived token Secret and a cluster-admin
    /// binding, for the kubeconfig the host will store.
    EnsureServiceAccount {
        member: String,
        namespace: String,
        name: String,
    },
    /// Create the `Cluster` on the host with a kubeconfig built from that ServiceAccount.
    CreateCluster {
        host: String,
        member: String,
        name: String,
        service_account: String,
        namespace: String,
    },
    /// Wait until the host's `Cluster` is `Ready` and `Federated`.
    WaitClusterReady { host: String, name: String },
    /// On the host, create the WorkspaceTemplate or add `cluster_name` to its placement.
    EnsureWorkspacePlacement {
        host: String,
        workspace: String,
        cluster_name: String,
        manager: String,
    },
    /// Wait until the Workspace exists on the member.
    WaitWorkspace { cluster: String, workspace: String },
    /// Label one namespace with its new workspace (resourceVersion precondition).
    BindNamespace {
        cluster: String,
        namespace: String,
        uid: String,
        workspace: String,
    },
    /// Wait until every kept namespace is owned by the Workspace it is labelled with, with its
    /// other owners intact.
    VerifyBound { cluster: String },
    /// Re-read every kept namespace: it exists with the same uid and is not terminating;
    /// with `unbound`, it also carries no workspace label or owner (one put back after the
    /// workspaces were deleted would let the garbage collector take it).
    VerifyInventory { cluster: String, unbound: bool },
    /// Remove one ownerReference (by owner uid) from a namespace, keeping its label.
    StripOwner {
        cluster: String,
        namespace: String,
        uid: String,
        owner_uid: String,
    },
    /// Create an object with a fixed name; one already there is done.
    CreateObject {
        cluster: String,
        resource: super::admin::ResourceRef,
        body: serde_json::Value,
    },
    /// Merge-patch an object (with its resourceVersion); done when the patch already holds.
    MergePatch {
        cluster: String,
        resource: super::admin::ResourceRef,
        name: String,
        patch: serde_json::Value,
    },
    /// KubeSphere 4.x: wait until an InstallPlan's agent is `Installed` on every cluster
    /// (`status.clusterSchedulingStatuses.<cluster>.state`); a timeout pauses the run.
    WaitExtension {
        host: String,
        install_plan: String,
        clusters: Vec<String>,
        timeout_seconds: u32,
    },
    /// KubeSphere 4.x: once a rebound project is labelled with `workspace` again, create each
    /// of its Roles and RoleBindings the plan snapshotted ([`Plan::project_access`]) that is
    /// missing; one already there is left as it is (reported when its content differs).
    RestoreProjectAccess {
        cluster: String,
        namespace: String,
        uid: String,
        workspace: String,
    },
}

impl Action {
    /// The cluster this action writes to, if it writes.
    #[must_use]
    pub fn writes_to(&self) -> Option<&str> {
        match self {
            Self::UnbindNamespace { cluster, .. }
            | Self::DeleteWorkspace { cluster, .. }
            | Self::BindNamespace { cluster, .. }
            | Self::CreateObject { cluster, .. }
            | Self::StripOwner { cluster, .. }
            | Self::MergePatch { cluster, .. }
            | Self::RestoreProjectAccess { cluster, .. } => Some(cluster),
            Self::DeleteCluster { host, .. }
            | Self::CreateCluster { host, .. }
            | Self::EnsureWorkspacePlacement { host, .. } => Some(host),
            Self::ConfigureMember { member, .. } | Self::EnsureServiceAccount { member, .. } => {
                Some(member)
            }
            Self::SettleAndVerifyUnbound { .. }
            | Self::WaitMemberConfig { .. }
            | Self::WaitClusterReady { .. }
            | Self::WaitWorkspace { .. }
            | Self::WaitExtension { .. }
            | Self::VerifyBound { .. }
            | Self::VerifyInventory { .. } => None,
        }
    }
}

/// One step: the action and how it is shown for review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Position in the whole plan, from 0.
    pub id: u32,
    pub title: String,
    pub action: Action,
    /// The API request(s), e.g. `PATCH /api/v1/namespaces/x (merge, resourceVersion 12)`.
    pub request: String,
    /// What changes, one line each (`- label kubesphere.io/workspace=ws-apps`).
    pub changes: Vec<String>,
    /// The kubectl commands that do the same.
    pub kubectl: Vec<String>,
    /// Why this step is safe, or what it protects.
    pub protects: String,
}

/// Steps that belong together; a concurrent phase runs its steps in parallel (bounded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Phase {
    pub title: String,
    pub concurrent: bool,
    pub steps: Vec<Step>,
}

/// What the user asked for; the plan is rebuilt from it to detect a stale plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    tag = "workflow",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum WorkflowInput {
    /// Unbind a member from its host, keeping its projects.
    Unbind {
        member: String,
        /// The host the member is bound to; `None` when it is gone.
        old_host: Option<String>,
        /// The member's `Cluster` name on that host (default: the name the member recorded).
        cluster_name: Option<String>,
        /// Projects to keep (default: every non-system namespace).
        projects: Option<Vec<String>>,
        settle_seconds: u32,
    },
    /// Import a member into a host.
    Import {
        host: String,
        member: String,
        cluster_name: Option<String>,
        /// Apply the member fix-its (role, jwtSecret) the preflight asks for.
        fix: bool,
    },
    /// Label projects into workspaces of the host, creating or placing the workspaces.
    Rebind {
        host: String,
        member: String,
        cluster_name: Option<String>,
        /// namespace → workspace.
        bindings: BTreeMap<String, String>,
    },
    /// Unbind from the old host, import into the new host, rebind every kept project.
    Migrate {
        member: String,
        old_host: Option<String>,
        new_host: String,
        cluster_name: Option<String>,
        projects: Option<Vec<String>>,
        /// Old workspace → new workspace (default: the same name).
        workspace_map: BTreeMap<String, String>,
        settle_seconds: u32,
    },
    /// Create a workspace on the host, or add clusters to its placement.
    Workspace {
        host: String,
        workspace: String,
        /// Cluster names (as the host knows them).
        placement: Vec<String>,
        manager: String,
    },
    /// Create a user on the host with a platform role.
    User {
        host: String,
        user: String,
        email: String,
        role: String,
    },
    /// Invite a user into a workspace with a workspace role.
    Invite {
        host: String,
        workspace: String,
        user: String,
        role: String,
    },
    /// The member fix-its: clusterRole member and/or the host's jwtSecret, then the wait for
    /// ks-installer.
    FixMember {
        host: String,
        member: String,
        set_role: bool,
        copy_jwt: bool,
    },
    /// Remove a dangling workspace ownerReference from a project (the garbage-collection
    /// hazard), keeping the project in its workspace.
    StripOwner {
        cluster: String,
        namespace: String,
        owner_uid: String,
    },
    /// Enable a pluggable component on several clusters together. KubeSphere 3.x: `host` is
    /// empty and `clusters` are estate clusters, each switched on in its ClusterConfiguration.
    /// KubeSphere 4.x: `host` is the host whose InstallPlan of the extension `component`
    /// schedules it, and `clusters` are Cluster names as that host knows them.
    Component {
        clusters: Vec<String>,
        component: String,
        #[serde(default)]
        host: Option<String>,
    },
}

impl WorkflowInput {
    /// The workflow's short name (`unbind`, `import`, …).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Unbind { .. } => "unbind",
            Self::Import { .. } => "import",
            Self::Rebind { .. } => "rebind",
            Self::Migrate { .. } => "migrate",
            Self::Workspace { .. } => "workspace",
            Self::User { .. } => "user",
            Self::Invite { .. } => "invite",
            Self::Component { .. } => "component",
            Self::FixMember { .. } => "fix-member",
            Self::StripOwner { .. } => "strip-owner",
        }
    }
}

/// A reviewed, hashable plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub format: u32,
    pub id: String,
    pub input: WorkflowInput,
    pub title: String,
    pub created_at: String,
    /// Every namespace the run must keep, snapshotted before the first write.
    pub inventory: Vec<KeptNamespace>,
    /// Things the reviewer should know that are not steps.
    pub warnings: Vec<String>,
    pub phases: Vec<Phase>,
    /// KubeSphere 4.x: the Roles and RoleBindings of kept projects that 4.1's namespace
    /// controller deletes once they leave their workspace, as they were when planned (only
    /// what recreating them needs). Empty, and absent from the JSON and the hash, otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub project_access: Vec<super::project_access::ProjectAccess>,
    /// SHA-256 over input, inventory, warnings, phases and project access: what was reviewed.
    pub hash: String,
}

impl Plan {
    /// Builds a plan, numbering its steps and computing its hash.
    #[must_use]
    pub fn new(
        input: WorkflowInput,
        title: String,
        inventory: Vec<KeptNamespace>,
        warnings: Vec<String>,
        mut phases: Vec<Phase>,
    ) -> Self {
        for (id, step) in phases
            .iter_mut()
            .flat_map(|p| p.steps.iter_mut())
            .enumerate()
        {
            step.id = u32::try_from(id).unwrap_or(u32::MAX);
        }
        let mut plan = Self {
            format: PLAN_FORMAT,
            id: uuid::Uuid::new_v4().to_string(),
            input,
            title,
            created_at: jiff::Timestamp::now().to_string(),
            inventory,
            warnings,
            phases,
            project_access: Vec::new(),
            hash: String::new(),
        };
        plan.hash = plan.content_hash();
        plan
    }

    /// The plan with its snapshot of project access (rehashed).
    #[must_use]
    pub fn with_project_access(
        mut self,
        access: Vec<super::project_access::ProjectAccess>,
    ) -> Self {
        self.project_access = access;
        self.hash = self.content_hash();
        self
    }

    /// The hash of what a reviewer sees (not the id or the time).
    #[must_use]
    pub fn content_hash(&self) -> String {
        let mut content = serde_json::json!({
            "format": self.format,
            "input": self.input,
            "inventory": self.inventory,
            "warnings": self.warnings,
            "phases": self.phases,
        });
        // Only 4.x plans have a snapshot; every other plan hashes as before.
        if !self.project_access.is_empty() {
            content["projectAccess"] = serde_json::json!(self.project_access);
        }
        let digest = Sha256::digest(content.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Every step in order.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.phases.iter().flat_map(|p| p.steps.iter())
    }

    /// Number of steps.
    #[must_use]
    pub fn len(&self) -> usize {
        self.phases.iter().map(|p| p.steps.len()).sum()
    }

    /// Whether the plan has no step (nothing to do).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The clusters the plan writes to, sorted.
    #[must_use]
    pub fn written_clusters(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .steps()
            .filter_map(|s| s.action.writes_to().map(str::to_owned))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The kept namespaces of one cluster.
    pub fn kept_on<'a>(&'a self, cluster: &'a str) -> impl Iterator<Item = &'a KeptNamespace> {
        self.inventory.iter().filter(move |n| n.cluster == cluster)
    }

    /// The plan as a reviewable shell script of kubectl commands (one kubeconfig per cluster,
    /// named `<cluster>.kubeconfig`, as `ksmc-sim` writes them).
    #[must_use]
    pub fn script(&self) -> String {
        let mut out = format!(
            "#!/bin/sh\n# {}\n# ksmc plan {} ({}), hash {}\n# Review every command before running it. Steps marked 'wait' must finish before the next.\nset -eu\n",
            self.title,
            self.id,
            self.input.name(),
            self.hash
        );
        for warning in &self.warnings {
            out.push_str(&format!("# NOTE: {warning}\n"));
        }
        for phase in &self.phases {
            out.push_str(&format!("\n# == {} ==\n", phase.title));
            for step in &phase.steps {
                out.push_str(&format!("# {}. {}\n", step.id + 1, step.title));
                for line in &step.kubectl {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(title: &str, action: Action) -> Step {
        Step {
            id: 99,
            title: title.into(),
            action,
            request: String::new(),
            changes: Vec::new(),
            kubectl: vec![format!("kubectl {title}")],
            protects: String::new(),
        }
    }

    fn plan(settle: u32) -> Plan {
        Plan::new(
            WorkflowInput::Unbind {
                member: "m".into(),
                old_host: None,
                cluster_name: None,
                projects: None,
                settle_seconds: settle,
            },
            "t".into(),
            Vec::new(),
            vec!["careful".into()],
            vec![Phase {
                title: "p".into(),
                concurrent: true,
                steps: vec![
                    step(
                        "a",
                        Action::UnbindNamespace {
                            cluster: "m".into(),
                            namespace: "a".into(),
                            uid: "1".into(),
                        },
                    ),
                    step(
                        "b",
                        Action::VerifyInventory {
                            unbound: false,
                            cluster: "m".into(),
                        },
                    ),
                ],
            }],
        )
    }

    #[test]
    fn steps_are_numbered_and_hash_ignores_id_and_time() {
        let a = plan(30);
        let b = plan(30);
        assert_eq!(a.steps().map(|s| s.id).collect::<Vec<_>>(), [0, 1]);
        assert_ne!(a.id, b.id);
        assert_eq!(a.hash, b.hash);
        assert_ne!(a.hash, plan(31).hash, "a changed input is a different plan");
        assert_eq!(a.written_clusters(), ["m"]);
    }

    #[test]
    fn plan_round_trips_and_script_lists_commands_in_order() {
        let a = plan(30);
        let text = serde_json::to_string(&a).unwrap();
        let back: Plan = serde_json::from_str(&text).unwrap();
        assert_eq!(back, a);
        assert_eq!(back.content_hash(), a.hash);
        let script = a.script();
        let ia = script.find("kubectl a").unwrap();
        let ib = script.find("kubectl b").unwrap();
        assert!(ia < ib);
        assert!(script.contains("# NOTE: careful"));
        assert!(script.starts_with("#!/bin/sh"));
    }
}
