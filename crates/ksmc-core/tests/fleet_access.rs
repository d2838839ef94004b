//! Who reaches which cluster, read from ksmc-sim over HTTPS: platform and workspace role
//! bindings on the host, workspace placement and the members' user copies (KubeSphere 3.4's
//! `migrate` and 4.1.3's `migrate-v4`), and the matrix following an invite applied through
//! the workflow engine.

mod workflow_common;

use ksmc_core::fleet::facts::{AccessMatrix, ClusterFacts, UserAccess};
use ksmc_core::fleet::{FleetReport, inspect_dir};
use ksmc_core::workflow::{RunStatus, WorkflowInput};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject};
use kube::core::GroupVersionKind;
use workflow_common::Env;

async fn inspect_until(env: &Env, what: &str, done: impl Fn(&FleetReport) -> bool) -> FleetReport {
    let mut last = None;
    for _ in 0..100 {
        let report = inspect_dir(env.dir.path()).await.expect("estate read");
        if done(&report) {
            return report;
        }
        last = Some(report);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{what} never held: {last:#?}");
}

fn cluster<'a>(report: &'a FleetReport, name: &str) -> &'a ClusterFacts {
    report.clusters.iter().find(|c| c.name == name).unwrap()
}

fn matrix<'a>(report: &'a FleetReport, host: &str) -> &'a AccessMatrix {
    cluster(report, host)
        .access
        .matrix
        .as_ref()
        .unwrap_or_else(|| panic!("{host} has no access matrix"))
}

fn row<'a>(m: &'a AccessMatrix, user: &str) -> &'a UserAccess {
    m.users.iter().find(|u| u.user == user).unwrap()
}

/// (cluster name on the host, reachable, workspaces that give it, synced) per column.
fn cells(m: &AccessMatrix, user: &str) -> Vec<(String, bool, Vec<String>, Option<bool>)> {
    m.clusters
        .iter()
        .zip(&row(m, user).cells)
        .map(|(c, cell)| {
            (
                c.name.clone(),
                cell.reachable(),
                cell.workspaces
                    .iter()
                    .map(|w| format!("{}:{}", w.workspace, w.role))
                    .collect(),
                cell.synced,
            )
        })
        .collect()
}

fn users_synced(report: &FleetReport) -> bool {
    let names: Vec<&str> = cluster(report, "prod-1")
        .users
        .all()
        .iter()
        .filter(|u| u.kubefed_managed)
        .map(|u| u.name.as_str())
        .collect();
    names.contains(&"alice") && names.contains(&"bob")
}

fn s(v: &str) -> String {
    v.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memberships_placement_and_copies_decide_who_reaches_which_cluster() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let report = inspect_until(&env, "users synced to prod-1", users_synced).await;

    let old = matrix(&report, "old-host");
    let columns: Vec<(&str, Option<&str>, bool)> = old
        .clusters
        .iter()
        .map(|c| (c.name.as_str(), c.estate_name.as_deref(), c.is_host))
        .collect();
    assert_eq!(
        columns,
        [
            ("host", Some("old-host"), true),
            ("prod-1", Some("prod-1"), false)
        ]
    );
    let users: Vec<&str> = old.users.iter().map(|u| u.user.as_str()).collect();
    assert_eq!(users, ["admin", "alice", "bob"]);
    // The installer's binding writes apiGroup with its version; admin is platform-admin.
    assert_eq!(row(old, "admin").platform_roles, ["platform-admin"]);
    assert_eq!(
        cells(old, "admin"),
        [
            (s("host"), true, vec![], None),
            (s("prod-1"), true, vec![], Some(true))
        ],
        "prod-1 has its own admin (KubeFed does not copy it)"
    );
    // alice: a regular user in ws-apps, placed on prod-1 only.
    assert_eq!(row(old, "alice").platform_roles, ["platform-regular"]);
    assert_eq!(
        cells(old, "alice"),
        [
            (s("host"), false, vec![], None),
            (s("prod-1"), true, vec![s("ws-apps:regular")], Some(true))
        ]
    );
    // bob: platform-admin, and a viewer of ws-data, placed on prod-1 and the host.
    assert_eq!(
        cells(old, "bob"),
        [
            (s("host"), true, vec![s("ws-data:viewer")], None),
            (s("prod-1"), true, vec![s("ws-data:viewer")], Some(true))
        ]
    );
    assert_eq!(
        row(old, "bob").cells[1].platform_role.as_deref(),
        Some("platform-admin")
    );
    // new-host manages only itself and has only its admin; a member has no matrix.
    let new = matrix(&report, "new-host");
    assert_eq!(new.clusters.len(), 1);
    assert_eq!(
        new.users.iter().map(|u| &u.user).collect::<Vec<_>>(),
        ["admin"]
    );
    assert!(cluster(&report, "prod-1").access.matrix.is_none());
    let bindings = &cluster(&report, "old-host").access.workspace_role_bindings;
    assert_eq!(bindings.source, "workspacerolebindings.iam.kubesphere.io");

    // Invited into ws-data through the workflow engine, alice reaches the host too.
    let invite = WorkflowInput::Invite {
        host: "old-host".into(),
        workspace: "ws-data".into(),
        user: "alice".into(),
        role: "viewer".into(),
    };
    let run = env.plan_and_apply(&invite).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:#?}");
    // alice's copy disappears from prod-1: she can no longer log in there.
    let copies: Api<DynamicObject> = Api::all_with(
        env.client("prod-1").await,
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("iam.kubesphere.io", "v1alpha2", "User"),
            "users",
        ),
    );
    copies
        .delete("alice", &DeleteParams::default())
        .await
        .unwrap();
    let report = inspect_until(&env, "alice's copy gone", |r| {
        !cluster(r, "prod-1")
            .users
            .all()
            .iter()
            .any(|u| u.name == "alice")
    })
    .await;
    let old = matrix(&report, "old-host");
    assert_eq!(
        cells(old, "alice"),
        [
            (s("host"), true, vec![s("ws-data:viewer")], None),
            (
                s("prod-1"),
                true,
                vec![s("ws-apps:regular"), s("ws-data:viewer")],
                Some(false)
            )
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_kubesphere_4_1_bindings_are_v1beta1_and_no_user_is_copied() {
    let env = Env::start(ksmc_sim::Scenario::migrate_v4()).await;
    let report = inspect_until(&env, "the manager bindings of ws-apps and ws-data", |r| {
        cluster(r, "old-host")
            .access
            .matrix
            .as_ref()
            .is_some_and(|m| {
                m.users
                    .iter()
                    .find(|u| u.user == "admin")
                    .is_some_and(|u| u.memberships.len() >= 2)
            })
    })
    .await;
    let old = matrix(&report, "old-host");
    assert_eq!(
        cells(old, "alice"),
        [
            (s("host"), false, vec![], None),
            (s("prod-1"), true, vec![s("ws-apps:regular")], None)
        ]
    );
    assert_eq!(row(old, "bob").platform_roles, ["platform-admin"]);
    assert!(row(old, "bob").cells.iter().all(|c| c.reachable()));
    // The 4.1 WorkspaceTemplate controller binds the manager as `<ws>-admin`.
    let admin = row(old, "admin");
    for ws in ["ws-apps", "ws-data"] {
        assert!(
            admin
                .memberships
                .iter()
                .any(|m| m.workspace == ws && m.role == "admin"),
            "{admin:#?}"
        );
    }
}
