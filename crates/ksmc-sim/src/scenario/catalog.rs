//! The named scenarios.

use serde_json::json;

use super::{ClusterPlan, Fixture, Link, Placement, Role, Scenario, membership, platform_role};

const IAM: &str = "iam.kubesphere.io/v1alpha2";

const HOST_JWT: &str = "hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd";
const OTHER_JWT: &str = "Qm4tZx8RkVb2Lw6NcYp0Hs3JfAe9GdUo";
const NEW_HOST_JWT: &str = "Zr7yWq2NpXc5Vb8MkLa1Jd4Hf6Gs3Te0";

/// The size of the `big` scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BigSize {
    pub members: usize,
    /// Namespaces per member.
    pub namespaces: usize,
    pub users: usize,
    pub workspaces: usize,
}

impl Default for BigSize {
    fn default() -> Self {
        Self {
            members: 20,
            namespaces: 2000,
            users: 1000,
            workspaces: 300,
        }
    }
}

fn user(name: &str, federated: bool) -> Fixture {
    Fixture::User {
        name: name.into(),
        email: format!("{name}@example.com"),
        federated,
    }
}

fn project(name: &str, workspace: &str) -> Fixture {
    Fixture::Project {
        name: name.into(),
        workspace: workspace.into(),
        extra_owners: Vec::new(),
    }
}

impl Scenario {
    /// A newly installed KubeSphere 3.4 host and a second KubeSphere 3.4 cluster that has
    /// not been configured as a member yet: the starting point of an import.
    #[must_use]
    pub fn fresh() -> Self {
        Self {
            name: "fresh".into(),
            clusters: vec![
                ClusterPlan::kubesphere("host", Role::Host, "v1.32.4", HOST_JWT),
                ClusterPlan::kubesphere("member-1", Role::None, "v1.31.6", OTHER_JWT),
            ],
            links: Vec::new(),
        }
    }

    /// A host and would-be members with everything preflight must catch: a wrong role, a
    /// different jwtSecret, no KubeSphere at all, user resources already present, and a
    /// cluster name recorded by an earlier import.
    #[must_use]
    pub fn misconfigured() -> Self {
        let mut role_none = ClusterPlan::kubesphere("m-role", Role::None, "v1.31.6", HOST_JWT);
        role_none.fixtures.push(Fixture::Namespace {
            name: "sandbox".into(),
            labels: json!({}),
        });
        let jwt = ClusterPlan::kubesphere("m-jwt", Role::Member, "v1.30.9", OTHER_JWT);
        let mut plain = ClusterPlan::kubesphere("m-plain", Role::None, "v1.29.12", HOST_JWT);
        plain.kubesphere_version = None;
        let mut dirty = ClusterPlan::kubesphere("m-dirty", Role::Member, "v1.31.6", HOST_JWT);
        dirty.fixtures = vec![
            Fixture::Workspace {
                name: "team-a".into(),
                federated: false,
            },
            project("team-a-web", "team-a"),
            project("team-a-db", "team-a"),
            Fixture::Workspace {
                name: "old-ws".into(),
                federated: true,
            },
            user("alice", false),
        ];
        let mut renamed = ClusterPlan::kubesphere("m-renamed", Role::Member, "v1.31.6", HOST_JWT);
        renamed.recorded_name = Some("legacy-name".into());
        let mut host = ClusterPlan::kubesphere("host", Role::Host, "v1.32.4", HOST_JWT);
        host.fixtures = vec![
            user("alice", false),
            Fixture::WorkspaceTemplate {
                name: "old-ws".into(),
                placement: Placement::Clusters(vec!["host".into()]),
            },
        ];
        Self {
            name: "misconfigured".into(),
            clusters: vec![host, role_none, jwt, plain, dirty, renamed],
            links: Vec::new(),
        }
    }

    /// The migration case: `prod-1` is bound to `old-host`, with workspaces, projects (one
    /// with an extra, non-KubeSphere owner), system namespaces and synced users; `new-host`
    /// is a fresh host with its own jwtSecret.
    #[must_use]
    pub fn migrate() -> Self {
        let mut old = ClusterPlan::kubesphere("old-host", Role::Host, "v1.30.9", HOST_JWT);
        old.fixtures = vec![
            Fixture::WorkspaceTemplate {
                name: "ws-apps".into(),
                placement: Placement::Clusters(vec!["prod-1".into()]),
            },
            Fixture::WorkspaceTemplate {
                name: "ws-data".into(),
                placement: Placement::Clusters(vec!["prod-1".into(), "host".into()]),
            },
            user("alice", false),
            user("bob", false),
            // alice works in ws-apps (prod-1); bob administers the platform and looks at
            // ws-data (prod-1 and the host).
            platform_role(IAM, "alice", "platform-regular"),
            platform_role(IAM, "bob", "platform-admin"),
            membership(IAM, "alice", "ws-apps", "regular"),
            membership(IAM, "bob", "ws-data", "viewer"),
        ];
        let mut member = ClusterPlan::kubesphere("prod-1", Role::Member, "v1.30.9", HOST_JWT);
        member.fixtures = vec![
            Fixture::Namespace {
                name: "apps-frontend".into(),
                labels: json!({"kubesphere.io/workspace": "ws-apps"}),
            },
            Fixture::Namespace {
                name: "apps-backend".into(),
                labels: json!({"kubesphere.io/workspace": "ws-apps"}),
            },
            Fixture::Namespace {
                name: "data-warehouse".into(),
                labels: json!({"kubesphere.io/workspace": "ws-data"}),
            },
            Fixture::Namespace {
                name: "scratch".into(),
                labels: json!({}),
            },
            // A project that another controller also owns (e.g. a GitOps Application).
            Fixture::Object(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {
                "name": "apps-gitops",
                "labels": {"kubesphere.io/workspace": "ws-apps"},
                "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                    "name": "apps-gitops", "uid": "5b3c7e2a-0d4f-4c55-9a1e-6f0b8d2c9e71"}]}}),
            ),
        ];
        let new = ClusterPlan::kubesphere("new-host", Role::Host, "v1.32.4", NEW_HOST_JWT);
        Self {
            name: "migrate".into(),
            clusters: vec![old, member, new],
            links: vec![Link {
                host: "old-host".into(),
                member: "prod-1".into(),
                name: "prod-1".into(),
            }],
        }
    }

    /// A host with many joined members, each with many projects across many workspaces, and
    /// many synced users: for benchmarks and scale tests. Seeded in its converged state.
    #[must_use]
    pub fn big(size: &BigSize) -> Self {
        let workspaces: Vec<String> = (0..size.workspaces.max(1))
            .map(|i| format!("ws-{i:04}"))
            .collect();
        let users: Vec<String> = (0..size.users).map(|i| format!("user-{i:05}")).collect();
        let mut host = ClusterPlan::kubesphere("host", Role::Host, "v1.32.4", HOST_JWT);
        host.fixtures
            .extend(workspaces.iter().map(|w| Fixture::WorkspaceTemplate {
                name: w.clone(),
                placement: Placement::All,
            }));
        host.fixtures.extend(users.iter().map(|u| user(u, false)));
        let mut clusters = vec![host];
        let mut links = Vec::new();
        for m in 0..size.members {
            let name = format!("member-{:02}", m + 1);
            let mut plan = ClusterPlan::kubesphere(&name, Role::Member, "v1.31.6", HOST_JWT);
            plan.recorded_name = Some(name.clone());
            plan.fixtures
                .extend(workspaces.iter().map(|w| Fixture::Workspace {
                    name: w.clone(),
                    federated: true,
                }));
            plan.fixtures.extend(
                (0..size.namespaces)
                    .map(|i| project(&format!("proj-{i:05}"), &workspaces[i % workspaces.len()])),
            );
            plan.fixtures.extend(users.iter().map(|u| user(u, true)));
            links.push(Link {
                host: "host".into(),
                member: name.clone(),
                name: name.clone(),
            });
            clusters.push(plan);
        }
        Self {
            name: "big".into(),
            clusters,
            links,
        }
    }
}
