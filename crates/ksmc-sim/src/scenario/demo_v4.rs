//! `v4`: a KubeSphere 4.1.3 estate on which every 4.x flow ksmc offers can be tried —
//! extensions scheduled on members through the host's InstallPlans, workspaces placed on
//! members, users and invites in `iam.kubesphere.io/v1beta1` — with two things wrong that a
//! 4.x administrator meets.
//!
//! **The extension names are illustrative.** KubeSphere 4.x installs extensions from an
//! extension repository, not from ks-core, and their real names are UNCONFIRMED
//! (`shared/docs/kubesphere-multicluster.md` §7.3, §10 item 7). The `example-*` names below
//! were chosen so that nobody mistakes them for KubeSphere's own; only the InstallPlan and
//! Extension objects follow 4.1.3's API.

use serde_json::{Value, json};

use super::{ClusterPlan, Fixture, Link, Placement, Role, Scenario, membership, platform_role};

const IAM: &str = "iam.kubesphere.io/v1beta1";
const JWT: &str = "Qs7nWd2KxLp9Rv4TbYe6Hm1JcZa8FgUo";

/// Installed on the host and scheduled on `member-1`, whose agent the host's InstallPlan
/// controller installs once `member-1` is Ready; not on `member-2`.
const MONITORING: &str = "example-monitoring";
/// Installed on the host only (no cluster scheduling).
const LOGGING: &str = "example-logging";
/// Its Helm install failed on the host (`InstallFailed`): the planted `extension-failed`.
const DEVOPS: &str = "example-devops";
/// The planted `member-local-workspace`: created on `member-2` itself, known to no template.
const LOCAL_WORKSPACE: &str = "ws-sandbox";

fn user(name: &str) -> Fixture {
    Fixture::User {
        name: name.into(),
        email: format!("{name}@example.com"),
        federated: false,
    }
}

fn project(name: &str, workspace: &str) -> Fixture {
    Fixture::Project {
        name: name.into(),
        workspace: workspace.into(),
        extra_owners: Vec::new(),
    }
}

/// The Extension as the Extension Center leaves it after installing (or failing to).
fn extension(name: &str, version: &str, state: &str) -> Fixture {
    Fixture::Object(json!({
        "apiVersion": "kubesphere.io/v1alpha1", "kind": "Extension",
        "metadata": {"name": name, "labels": {"kubesphere.io/repository": "example-repository"}},
        "spec": {"displayName": {"en": name}, "description": {"en": "An illustrative extension of ksmc's demo estate."}},
        "status": {"state": state, "installedVersion": version, "recommendedVersion": version},
    }))
}

/// The host's InstallPlan of an extension; `status` `None` leaves it to the simulated
/// InstallPlan controller (installed on the host at once, then scheduled).
fn install_plan(name: &str, version: &str, placed: &[&str], status: Option<Value>) -> Fixture {
    let mut plan = json!({
        "apiVersion": "kubesphere.io/v1alpha1", "kind": "InstallPlan",
        "metadata": {"name": name, "annotations": {"kubesphere.io/creator": "admin"}},
        "spec": {"extension": {"name": name, "version": version}, "enabled": true,
                 "upgradeStrategy": "Manual"},
    });
    if !placed.is_empty() {
        plan["spec"]["clusterScheduling"] = json!({"placement": {"clusters": placed}});
    }
    if let Some(status) = status {
        plan["status"] = status;
    }
    Fixture::Object(plan)
}

impl Scenario {
    /// A KubeSphere 4.1.3 `host` with `member-1` and `member-2` joined (the host installed
    /// ks-core on both with its jwtSecret). Three extensions (illustrative names, see the
    /// module's documentation) have InstallPlans on the host: `example-monitoring` scheduled
    /// on `member-1` (its agent gets installed there, `member-2` has none),
    /// `example-logging` on the host only, and `example-devops`, whose install failed on the
    /// host. Workspaces `ws-apps`
    /// (member-1), `ws-data` (both members) and `ws-web` (member-2) hold projects on the
    /// members; users alice, bob and carol have platform roles and workspace memberships in
    /// `iam.kubesphere.io/v1beta1`. Planted, and nothing else wrong: `extension-failed`
    /// (InstallPlan `example-devops` on the host) and `member-local-workspace` (Workspace
    /// `ws-sandbox` created on `member-2`).
    #[must_use]
    pub fn v4() -> Self {
        let failed = json!({
            "state": "InstallFailed", "releaseName": DEVOPS,
            "targetNamespace": format!("extension-{DEVOPS}"),
            "conditions": [{"type": "Installed", "status": "False", "reason": "InstallFailed",
                "message": "helm install example-devops: timed out waiting for the condition (the Helm job did not finish within 5m0s)",
                "lastTransitionTime": "2026-01-12T09:30:00Z"}],
            "clusterSchedulingStatuses": {},
        });
        let mut host = ClusterPlan::kubesphere_v4("host", Role::Host, "v1.32.4", JWT);
        host.fixtures = vec![
            Fixture::WorkspaceTemplate {
                name: "ws-apps".into(),
                placement: Placement::Clusters(vec!["member-1".into()]),
            },
            Fixture::WorkspaceTemplate {
                name: "ws-data".into(),
                placement: Placement::Clusters(vec!["member-1".into(), "member-2".into()]),
            },
            Fixture::WorkspaceTemplate {
                name: "ws-web".into(),
                placement: Placement::Clusters(vec!["member-2".into()]),
            },
            user("alice"),
            user("bob"),
            user("carol"),
            platform_role(IAM, "alice", "platform-regular"),
            platform_role(IAM, "bob", "platform-admin"),
            platform_role(IAM, "carol", "platform-regular"),
            membership(IAM, "alice", "ws-apps", "admin"),
            membership(IAM, "alice", "ws-data", "regular"),
            membership(IAM, "carol", "ws-web", "viewer"),
            extension(MONITORING, "1.1.0", "Installed"),
            extension(LOGGING, "1.0.2", "Installed"),
            extension(DEVOPS, "1.2.0", "InstallFailed"),
            install_plan(MONITORING, "1.1.0", &["member-1"], None),
            install_plan(LOGGING, "1.0.2", &[], None),
            install_plan(DEVOPS, "1.2.0", &[], Some(failed)),
        ];
        let mut member1 = ClusterPlan::kubesphere_v4("member-1", Role::Member, "v1.31.6", JWT);
        member1.fixtures = vec![
            project("apps-frontend", "ws-apps"),
            project("apps-backend", "ws-apps"),
            project("data-pipeline", "ws-data"),
        ];
        let mut member2 = ClusterPlan::kubesphere_v4("member-2", Role::Member, "v1.30.9", JWT);
        member2.fixtures = vec![
            project("data-reports", "ws-data"),
            project("web-shop", "ws-web"),
            // Created with kubectl on member-2 itself: no template of the host places it.
            Fixture::Workspace {
                name: LOCAL_WORKSPACE.into(),
                federated: false,
            },
        ];
        let link = |member: &str| Link {
            host: "host".into(),
            member: member.into(),
            name: member.into(),
        };
        Self {
            name: "v4".into(),
            clusters: vec![host, member1, member2],
            links: vec![link("member-1"), link("member-2")],
        }
    }
}
