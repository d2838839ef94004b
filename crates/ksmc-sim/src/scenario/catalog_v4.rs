//! The KubeSphere 4.1.3 scenarios, and which scenario `--kubesphere 4.1` selects.

use serde_json::json;

use super::{
    ClusterPlan, Fixture, Link, Placement, Role, Scenario, ScenarioError, membership, platform_role,
};

const IAM: &str = "iam.kubesphere.io/v1beta1";

const HOST_JWT: &str = "Vb3kQw8ZpL1xNc6RtYh0Md5JsAe2GfUo";
const NEW_HOST_JWT: &str = "Kp9mTz4WqXb7Lc2NvRy5Hd8JfSa1GeUi";

fn user(name: &str) -> Fixture {
    Fixture::User {
        name: name.into(),
        email: format!("{name}@example.com"),
        federated: false,
    }
}

fn project_ns(name: &str, workspace: &str) -> Fixture {
    Fixture::Namespace {
        name: name.into(),
        labels: json!({"kubesphere.io/workspace": workspace}),
    }
}

impl Scenario {
    /// A newly installed KubeSphere 4.1.3 host and a plain Kubernetes cluster without
    /// KubeSphere: the starting point of a 4.1 import, which installs ks-core on it.
    #[must_use]
    pub fn fresh_v4() -> Self {
        Self {
            name: "fresh-v4".into(),
            clusters: vec![
                ClusterPlan::kubesphere_v4("host", Role::Host, "v1.32.4", HOST_JWT),
                ClusterPlan::plain_v4("member-1", "v1.31.6"),
            ],
            links: Vec::new(),
        }
    }

    /// The 4.1 migration case: `prod-1` is bound to the 4.1.3 `old-host`, with workspaces
    /// placed on it, projects in `ws-apps` and `ws-data` (one with an extra, non-KubeSphere
    /// owner), system namespaces in `system-workspace` and users on the host; `new-host` is a
    /// fresh 4.1.3 host with its own jwtSecret.
    #[must_use]
    pub fn migrate_v4() -> Self {
        let mut old = ClusterPlan::kubesphere_v4("old-host", Role::Host, "v1.30.9", HOST_JWT);
        old.fixtures = vec![
            Fixture::WorkspaceTemplate {
                name: "ws-apps".into(),
                placement: Placement::Clusters(vec!["prod-1".into()]),
            },
            Fixture::WorkspaceTemplate {
                name: "ws-data".into(),
                placement: Placement::Clusters(vec!["prod-1".into(), "host".into()]),
            },
            user("alice"),
            user("bob"),
            platform_role(IAM, "alice", "platform-regular"),
            platform_role(IAM, "bob", "platform-admin"),
            membership(IAM, "alice", "ws-apps", "regular"),
            membership(IAM, "bob", "ws-data", "viewer"),
        ];
        let mut member = ClusterPlan::kubesphere_v4("prod-1", Role::Member, "v1.30.9", HOST_JWT);
        member.fixtures = vec![
            project_ns("apps-frontend", "ws-apps"),
            project_ns("apps-backend", "ws-apps"),
            project_ns("data-warehouse", "ws-data"),
            Fixture::Namespace {
                name: "scratch".into(),
                labels: json!({}),
            },
            // A project another controller also owns (e.g. a GitOps Application), which it
            // added after KubeSphere's namespace controller had adopted the namespace.
            Fixture::Object(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {
                "name": "apps-gitops",
                "labels": {"kubesphere.io/workspace": "ws-apps"},
                "finalizers": ["kubesphere.io/cascading-deletion"],
                "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                    "name": "apps-gitops", "uid": "5b3c7e2a-0d4f-4c55-9a1e-6f0b8d2c9e71"}]}}),
            ),
        ];
        let new = ClusterPlan::kubesphere_v4("new-host", Role::Host, "v1.32.4", NEW_HOST_JWT);
        Self {
            name: "migrate-v4".into(),
            clusters: vec![old, member, new],
            links: vec![Link {
                host: "old-host".into(),
                member: "prod-1".into(),
                name: "prod-1".into(),
            }],
        }
    }

    /// The KubeSphere 4.1 variant of a scenario (`--kubesphere 4.1`).
    ///
    /// # Errors
    /// [`ScenarioError::Unsupported`] for a scenario without a 4.1 variant, naming those
    /// that have one; [`ScenarioError::Unknown`] for an unknown name.
    pub fn v4_variant(name: &str) -> Result<Self, ScenarioError> {
        match name {
            "fresh" | "fresh-v4" => Ok(Self::fresh_v4()),
            "migrate" | "migrate-v4" => Ok(Self::migrate_v4()),
            "v4" => Ok(Self::v4()),
            other if Self::NAMES.contains(&other) => Err(ScenarioError::Unsupported(format!(
                "scenario {other} has no KubeSphere 4.1 variant; with --kubesphere 4.1 use fresh (fresh-v4), migrate (migrate-v4) or v4"
            ))),
            other => Err(ScenarioError::Unknown(other.to_owned())),
        }
    }
}
