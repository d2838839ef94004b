//! The workflows on KubeSphere 4.1.3 (ksmc-sim's `fresh-v4` and `migrate-v4`): projects are
//! bound by label, a workspace deleted without `deletion-propagation: Orphan` may delete its
//! projects, and the host installs ks-core on a member itself.

mod workflow_common;

use ksmc_core::workflow::{self, Action, RunStatus, WorkflowInput, access};
use kube::api::{Api, DynamicObject};
use serde_json::Value;
use workflow_common::{Env, migrate_prod_1, namespace, unbind_prod_1};

const KEPT: [&str; 5] = [
    "apps-backend",
    "apps-frontend",
    "apps-gitops",
    "data-warehouse",
    "scratch",
];

fn condition(c: &DynamicObject, kind: &str) -> Option<String> {
    let v = serde_json::to_value(c).unwrap();
    v.pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|x| x["type"] == kind)
        .and_then(|x| x["status"].as_str().map(str::to_owned))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v4_unbind_keeps_every_project_and_marks_workspaces_orphan() {
    let env = Env::start(ksmc_sim::Scenario::migrate_v4()).await;
    let input = unbind_prod_1();
    let plan = workflow::plan_workflow(&input, &env.clusters)
        .await
        .unwrap();
    assert!(
        plan.steps()
            .any(|s| matches!(s.action, Action::DeleteCluster { .. })),
        "{plan:#?}"
    );
    let report = env.plan_and_apply(&input).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let member = env.client("prod-1").await;
    for name in KEPT {
        let ns = namespace(&member, name).await.expect(name);
        assert!(ns.metadata.deletion_timestamp.is_none(), "{name}");
        assert!(
            !ns.metadata
                .labels
                .clone()
                .unwrap_or_default()
                .contains_key("kubesphere.io/workspace"),
            "{name}"
        );
    }
    let gitops = namespace(&member, "apps-gitops").await.unwrap();
    assert!(
        gitops
            .metadata
            .owner_references
            .unwrap_or_default()
            .iter()
            .any(|r| r.kind == "Application")
    );
    let ws: Api<DynamicObject> = Api::all_with(member, &access::workspaces_in(access::V4_TENANT));
    let left: Vec<String> = ws
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|w| w.metadata.name)
        .collect();
    assert_eq!(left, ["system-workspace"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v4_import_lets_the_host_install_ks_core_on_a_plain_cluster() {
    let env = Env::start(ksmc_sim::Scenario::fresh_v4()).await;
    let input = WorkflowInput::Import {
        host: "host".into(),
        member: "member-1".into(),
        cluster_name: None,
        fix: false,
    };
    let plan = workflow::plan_workflow(&input, &env.clusters)
        .await
        .expect("no fix-its needed on 4.1");
    assert!(
        !plan
            .steps()
            .any(|s| matches!(s.action, Action::ConfigureMember { .. })),
        "the 4.1 host pushes the jwtSecret itself"
    );
    let report = env.plan_and_apply(&input).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let host = env.client("host").await;
    let clusters: Api<DynamicObject> = Api::all_with(host, &access::kubesphere_clusters());
    let c = clusters.get("member-1").await.unwrap();
    assert_eq!(condition(&c, "KSCoreReady").as_deref(), Some("True"));
    assert_eq!(condition(&c, "Ready").as_deref(), Some("True"));
    // Importing it again is refused as KubeSphere 4.1's validation refuses it.
    let again = workflow::plan_workflow(
        &WorkflowInput::Import {
            host: "host".into(),
            member: "member-1".into(),
            cluster_name: Some("other-name".into()),
            fix: false,
        },
        &env.clusters,
    )
    .await
    .unwrap_err();
    assert_eq!(again.kind, ksmc_core::ErrorKind::PreflightFailed, "{again}");
    assert!(
        again
            .message
            .contains("MUST not import the same cluster twice")
            || again.message.contains("managed by another host"),
        "{again}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v4_migration_rebinds_every_project_by_label() {
    let env = Env::start(ksmc_sim::Scenario::migrate_v4()).await;
    let report = env.plan_and_apply(&migrate_prod_1()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let member = env.client("prod-1").await;
    for (ns, ws) in [
        ("apps-frontend", "ws-apps"),
        ("apps-backend", "ws-apps"),
        ("apps-gitops", "ws-apps"),
        ("data-warehouse", "ws-data"),
    ] {
        let n = namespace(&member, ns).await.expect(ns);
        assert_eq!(
            n.metadata.labels.clone().unwrap()["kubesphere.io/workspace"],
            ws
        );
        assert!(n.metadata.deletion_timestamp.is_none());
    }
    let new_host = env.client("new-host").await;
    let clusters: Api<DynamicObject> = Api::all_with(new_host, &access::kubesphere_clusters());
    let c = clusters.get("prod-1").await.unwrap();
    assert_eq!(condition(&c, "Ready").as_deref(), Some("True"));
    assert!(namespace(&member, "scratch").await.is_some());
}
