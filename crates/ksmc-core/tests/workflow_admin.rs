//! Workspace, user and component actions against the `migrate` scenario of ksmc-sim.

mod workflow_common;

use ksmc_core::workflow::{self, RunStatus, WorkflowInput, access};
use kube::api::{Api, DynamicObject};
use serde_json::Value;
use workflow_common::{Env, wait_until};

fn dynamic(group_version: &str, kind: &str, plural: &str) -> kube::api::ApiResource {
    let (g, v) = group_version.split_once('/').unwrap();
    kube::api::ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk(g, v, kind),
        plural,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workspace_created_on_the_host_appears_on_its_member() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let input = |placement: &[&str]| WorkflowInput::Workspace {
        host: "old-host".into(),
        workspace: "team-x".into(),
        placement: placement.iter().map(|s| (*s).to_owned()).collect(),
        manager: "admin".into(),
    };
    let err = workflow::plan_workflow(&input(&["nowhere"]), &env.clusters)
        .await
        .unwrap_err();
    assert!(
        err.message.contains("manages no cluster named nowhere"),
        "{err}"
    );
    let with_host = workflow::plan_workflow(&input(&["prod-1", "host"]), &env.clusters)
        .await
        .unwrap();
    assert!(
        with_host
            .warnings
            .iter()
            .any(|w| w.contains("host cluster")),
        "{:?}",
        with_host.warnings
    );
    let report = env.plan_and_apply(&input(&["prod-1"])).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let member = env.client("prod-1").await;
    let ws: Api<DynamicObject> = Api::all_with(member, &access::workspaces());
    wait_until("team-x is placed on prod-1", || async {
        ws.get_opt("team-x").await.unwrap().is_some()
    })
    .await;
    // Placing it again changes nothing.
    let again = workflow::plan_workflow(&input(&["prod-1"]), &env.clusters)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_created_and_invited_with_kubespheres_names() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let dup = workflow::plan_workflow(
        &WorkflowInput::User {
            host: "old-host".into(),
            user: "carol".into(),
            email: "alice@example.com".into(),
            role: "platform-regular".into(),
        },
        &env.clusters,
    )
    .await
    .unwrap_err();
    assert_eq!(dup.message, "user email: alice@example.com already exists");
    let bad = workflow::plan_workflow(
        &WorkflowInput::User {
            host: "old-host".into(),
            user: "carol".into(),
            email: "carol".into(),
            role: "platform-regular".into(),
        },
        &env.clusters,
    )
    .await
    .unwrap_err();
    assert_eq!(bad.message, "invalid email address:carol");

    let report = env
        .plan_and_apply(&WorkflowInput::User {
            host: "old-host".into(),
            user: "carol".into(),
            email: "carol@example.com".into(),
            role: "platform-regular".into(),
        })
        .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let host = env.client("old-host").await;
    let grb: Api<DynamicObject> = Api::all_with(
        host.clone(),
        &dynamic(
            "iam.kubesphere.io/v1alpha2",
            "GlobalRoleBinding",
            "globalrolebindings",
        ),
    );
    let b = serde_json::to_value(grb.get("carol-platform-regular").await.unwrap()).unwrap();
    assert_eq!(b.pointer("/roleRef/name").unwrap(), "platform-regular");

    let report = env
        .plan_and_apply(&WorkflowInput::Invite {
            host: "old-host".into(),
            workspace: "ws-apps".into(),
            user: "carol".into(),
            role: "regular".into(),
        })
        .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let wrb: Api<DynamicObject> = Api::all_with(
        host,
        &dynamic(
            "iam.kubesphere.io/v1alpha2",
            "WorkspaceRoleBinding",
            "workspacerolebindings",
        ),
    );
    let b = serde_json::to_value(wrb.get("carol-ws-apps-regular").await.unwrap()).unwrap();
    assert_eq!(b.pointer("/roleRef/name").unwrap(), "ws-apps-regular");
    assert_eq!(
        b.pointer("/metadata/labels/iam.kubesphere.io~1user-ref")
            .unwrap(),
        "carol"
    );
    let other = workflow::plan_workflow(
        &WorkflowInput::Invite {
            host: "old-host".into(),
            workspace: "ws-apps".into(),
            user: "carol".into(),
            role: "viewer".into(),
        },
        &env.clusters,
    )
    .await
    .unwrap_err();
    assert!(
        other
            .message
            .contains("already has binding carol-ws-apps-regular")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn components_are_enabled_together_and_the_app_store_on_the_host_only() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let store = workflow::plan_workflow(
        &WorkflowInput::Component {
            clusters: vec!["old-host".into(), "prod-1".into()],
            component: "appstore".into(),
            host: None,
        },
        &env.clusters,
    )
    .await
    .unwrap_err();
    assert!(store.message.contains("host only"), "{store}");
    let input = WorkflowInput::Component {
        clusters: vec!["old-host".into(), "prod-1".into()],
        component: "devops".into(),
        host: None,
    };
    let report = env.plan_and_apply(&input).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_eq!(report.writes, 2);
    for cluster in ["old-host", "prod-1"] {
        let cc: Api<DynamicObject> = Api::namespaced_with(
            env.client(cluster).await,
            "kubesphere-system",
            &access::cluster_configurations(),
        );
        let v = serde_json::to_value(cc.get("ks-installer").await.unwrap()).unwrap();
        assert_eq!(
            v.pointer("/spec/devops/enabled").and_then(Value::as_bool),
            Some(true),
            "{cluster}"
        );
    }
    let again = env.plan_and_apply(&input).await;
    assert_eq!(again.writes, 0, "already enabled: nothing to write");
}
