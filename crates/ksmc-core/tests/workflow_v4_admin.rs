//! Users, invites and components on KubeSphere 4.1.3 (ksmc-sim's `migrate-v4`): the IAM
//! objects are written in `iam.kubesphere.io/v1beta1` with the names and labels 4.1's API
//! gives them, and a component is one InstallPlan on the host scheduled to members.

mod workflow_common;

use ksmc_core::workflow::{self, Action, RunStatus, WorkflowInput};
use kube::api::{Api, DynamicObject, PostParams};
use serde_json::{Value, json};
use workflow_common::{Env, namespace, wait_until};

fn dynamic(group_version: &str, kind: &str, plural: &str) -> kube::api::ApiResource {
    let (g, v) = group_version.split_once('/').unwrap();
    kube::api::ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk(g, v, kind),
        plural,
    )
}

fn writes(env: &Env, cluster: &str) -> Vec<String> {
    env.estate
        .cluster(cluster)
        .unwrap()
        .cluster
        .writes()
        .iter()
        .map(|w| format!("{} {}", w.method, w.path))
        .collect()
}

fn user(name: &str, email: &str) -> WorkflowInput {
    WorkflowInput::User {
        host: "old-host".into(),
        user: name.into(),
        email: email.into(),
        role: "platform-regular".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_invites_on_a_4x_host_are_written_as_v1beta1() {
    let env = Env::start(ksmc_sim::Scenario::migrate_v4()).await;
    let dup = workflow::plan_workflow(&user("carol", "alice@example.com"), &env.clusters)
        .await
        .unwrap_err();
    assert_eq!(dup.message, "user email: alice@example.com already exists");

    let plan = workflow::plan_workflow(&user("carol", "carol@example.com"), &env.clusters)
        .await
        .unwrap();
    let requests: Vec<&str> = plan.steps().map(|s| s.request.as_str()).collect();
    assert_eq!(
        requests,
        [
            "POST /apis/iam.kubesphere.io/v1beta1/users",
            "POST /apis/iam.kubesphere.io/v1beta1/globalrolebindings"
        ]
    );
    // The kubectl equivalent creates the same v1beta1 objects.
    for s in plan.steps() {
        assert!(
            s.kubectl[0].contains("\"apiVersion\": \"iam.kubesphere.io/v1beta1\""),
            "{}",
            s.kubectl[0]
        );
    }

    env.estate
        .cluster("old-host")
        .unwrap()
        .cluster
        .clear_writes();
    let run = env.runs.create(&plan).unwrap();
    let report = env.apply(&run, true).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let w = writes(&env, "old-host");
    assert!(
        w.contains(&"POST /apis/iam.kubesphere.io/v1beta1/users".to_owned()),
        "{w:?}"
    );
    assert!(
        w.contains(&"POST /apis/iam.kubesphere.io/v1beta1/globalrolebindings".to_owned()),
        "{w:?}"
    );

    let host = env.client("old-host").await;
    let grb: Api<DynamicObject> = Api::all_with(
        host.clone(),
        &dynamic(
            "iam.kubesphere.io/v1beta1",
            "GlobalRoleBinding",
            "globalrolebindings",
        ),
    );
    let b = serde_json::to_value(grb.get("carol-platform-regular").await.unwrap()).unwrap();
    assert_eq!(b["apiVersion"], "iam.kubesphere.io/v1beta1");
    assert_eq!(
        b.pointer("/metadata/labels/iam.kubesphere.io~1user-ref"),
        Some(&json!("carol"))
    );
    assert_eq!(
        b.pointer("/metadata/labels/iam.kubesphere.io~1role-ref"),
        Some(&json!("platform-regular"))
    );
    assert_eq!(
        b["subjects"],
        json!([{"kind": "User", "apiGroup": "iam.kubesphere.io", "name": "carol"}])
    );
    assert_eq!(
        b["roleRef"],
        json!({"apiGroup": "iam.kubesphere.io", "kind": "GlobalRole", "name": "platform-regular"})
    );

    // 4.1's user controller acts on the new user: its finalizer, and its kubeconfig Secret
    // pushed to the Ready member (no User copy there).
    let users: Api<DynamicObject> = Api::all_with(
        host.clone(),
        &dynamic("iam.kubesphere.io/v1beta1", "User", "users"),
    );
    wait_until("the user controller adopts carol", || async {
        users
            .get("carol")
            .await
            .unwrap()
            .metadata
            .finalizers
            .unwrap_or_default()
            .contains(&"finalizers.kubesphere.io/users".to_owned())
    })
    .await;
    let member = env.client("prod-1").await;
    let secrets: Api<k8s_openapi::api::core::v1::Secret> =
        Api::namespaced(member.clone(), "kubesphere-system");
    wait_until("carol's kubeconfig is pushed to prod-1", || async {
        secrets
            .get_opt("kubeconfig-carol")
            .await
            .unwrap()
            .is_some_and(|s| {
                s.metadata
                    .labels
                    .unwrap_or_default()
                    .get("kubesphere.io/username")
                    .map(String::as_str)
                    == Some("carol")
            })
    })
    .await;
    let member_users: Api<DynamicObject> = Api::all_with(
        member.clone(),
        &dynamic("iam.kubesphere.io/v1beta1", "User", "users"),
    );
    assert!(member_users.get_opt("carol").await.unwrap().is_none());
    // The globalrolebinding controller pushes the binding as written.
    let member_grb: Api<DynamicObject> = Api::all_with(
        member.clone(),
        &dynamic(
            "iam.kubesphere.io/v1beta1",
            "GlobalRoleBinding",
            "globalrolebindings",
        ),
    );
    wait_until("carol's platform role is pushed to prod-1", || async {
        member_grb
            .get_opt("carol-platform-regular")
            .await
            .unwrap()
            .is_some_and(|b| {
                let v = serde_json::to_value(b).unwrap();
                v["roleRef"]["name"] == "platform-regular"
                    && v.pointer("/metadata/labels/iam.kubesphere.io~1role-ref")
                        == Some(&json!("platform-regular"))
            })
    })
    .await;

    let invite = WorkflowInput::Invite {
        host: "old-host".into(),
        workspace: "ws-apps".into(),
        user: "carol".into(),
        role: "regular".into(),
    };
    let plan = workflow::plan_workflow(&invite, &env.clusters)
        .await
        .unwrap();
    assert_eq!(
        plan.steps().next().unwrap().request,
        "POST /apis/iam.kubesphere.io/v1beta1/workspacerolebindings"
    );
    let run = env.runs.create(&plan).unwrap();
    let report = env.apply(&run, true).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let wrb: Api<DynamicObject> = Api::all_with(
        host,
        &dynamic(
            "iam.kubesphere.io/v1beta1",
            "WorkspaceRoleBinding",
            "workspacerolebindings",
        ),
    );
    let b = serde_json::to_value(wrb.get("carol-ws-apps-regular").await.unwrap()).unwrap();
    assert_eq!(
        b.pointer("/metadata/labels").unwrap(),
        &json!({"iam.kubesphere.io/user-ref": "carol", "iam.kubesphere.io/role-ref": "ws-apps-regular",
            "kubesphere.io/workspace": "ws-apps"})
    );
    assert_eq!(b["roleRef"]["name"], "ws-apps-regular");
    assert_eq!(b["subjects"][0]["apiGroup"], "iam.kubesphere.io");
    // ws-apps is placed on prod-1: the workspacerolebinding controller pushes it there.
    let member_wrb: Api<DynamicObject> = Api::all_with(
        member,
        &dynamic(
            "iam.kubesphere.io/v1beta1",
            "WorkspaceRoleBinding",
            "workspacerolebindings",
        ),
    );
    wait_until("carol's membership is pushed to prod-1", || async {
        member_wrb
            .get_opt("carol-ws-apps-regular")
            .await
            .unwrap()
            .is_some_and(|b| {
                b.metadata
                    .labels
                    .unwrap_or_default()
                    .get("kubesphere.io/workspace")
                    .map(String::as_str)
                    == Some("ws-apps")
            })
    })
    .await;
    // Invited again with the same role: nothing to do.
    let again = workflow::plan_workflow(&invite, &env.clusters)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_on_a_3x_host_stay_v1alpha2() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let plan = workflow::plan_workflow(&user("carol", "carol@example.com"), &env.clusters)
        .await
        .unwrap();
    let steps: Vec<_> = plan.steps().collect();
    assert_eq!(
        steps[0].request,
        "POST /apis/iam.kubesphere.io/v1alpha2/users"
    );
    let Action::CreateObject { body, .. } = &steps[1].action else {
        panic!("{:?}", steps[1].action)
    };
    assert_eq!(
        body,
        &json!({"apiVersion": "iam.kubesphere.io/v1alpha2", "kind": "GlobalRoleBinding",
            "metadata": {"name": "carol-platform-regular", "labels": {"iam.kubesphere.io/user-ref": "carol"}},
            "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "carol"}],
            "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "GlobalRole", "name": "platform-regular"}})
    );
}

const EXT: &str = "whizard-monitoring";

fn install_plans(client: kube::Client) -> Api<DynamicObject> {
    Api::all_with(
        client,
        &dynamic("kubesphere.io/v1alpha1", "InstallPlan", "installplans"),
    )
}

/// An extension installed on the host (as the Extension Center leaves it), with `extra`
/// merged into the InstallPlan; waits for the sim's InstallPlan controller.
async fn install(env: &Env, extra: Value) -> Api<DynamicObject> {
    let plans = install_plans(env.client("old-host").await);
    let mut body = json!({"apiVersion": "kubesphere.io/v1alpha1", "kind": "InstallPlan",
        "metadata": {"name": EXT},
        "spec": {"extension": {"name": EXT, "version": "1.1.0"}, "enabled": true, "upgradeStrategy": "Manual"}});
    json_patch::merge(&mut body, &extra);
    plans
        .create(
            &PostParams::default(),
            &serde_json::from_value(body).unwrap(),
        )
        .await
        .unwrap();
    wait_until("the extension is installed on the host", || async {
        serde_json::to_value(plans.get(EXT).await.unwrap())
            .unwrap()
            .pointer("/status/state")
            == Some(&json!("Installed"))
    })
    .await;
    plans
}

fn schedule(clusters: &[&str], extension: &str) -> WorkflowInput {
    WorkflowInput::Component {
        clusters: clusters.iter().map(|s| (*s).to_owned()).collect(),
        component: extension.into(),
        host: Some("old-host".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installed_extension_is_scheduled_on_members_from_the_hosts_install_plan() {
    let env = Env::start(ksmc_sim::Scenario::migrate_v4()).await;
    let not_installed = workflow::plan_workflow(&schedule(&["prod-1"], EXT), &env.clusters)
        .await
        .unwrap_err();
    assert_eq!(
        not_installed.message,
        "extension whizard-monitoring is not installed on old-host (it has no InstallPlan there): install it from the host's Extension Center first; only installed extensions can be scheduled to member clusters"
    );
    let plans = install(&env, json!({})).await;
    let unknown = workflow::plan_workflow(&schedule(&["nowhere"], EXT), &env.clusters)
        .await
        .unwrap_err();
    assert_eq!(unknown.message, "old-host manages no cluster named nowhere");
    // The 3.x form (no host) names what to do on a 4.x cluster.
    let v3_form = workflow::plan_workflow(
        &WorkflowInput::Component {
            clusters: vec!["old-host".into()],
            component: "devops".into(),
            host: None,
        },
        &env.clusters,
    )
    .await
    .unwrap_err();
    assert!(v3_form.message.contains("runs KubeSphere 4.x"), "{v3_form}");

    let plan = workflow::plan_workflow(&schedule(&["prod-1"], EXT), &env.clusters)
        .await
        .unwrap();
    let steps: Vec<_> = plan.steps().collect();
    assert_eq!(steps.len(), 2, "{plan:#?}");
    let Action::MergePatch { patch, name, .. } = &steps[0].action else {
        panic!("{:?}", steps[0].action)
    };
    assert_eq!(name, EXT);
    assert_eq!(
        patch,
        &json!({"spec": {"clusterScheduling": {"placement": {"clusters": ["prod-1"]}}}})
    );
    assert_eq!(
        steps[0].kubectl,
        [format!(
            "kubectl --kubeconfig old-host.kubeconfig patch installplans.kubesphere.io {EXT} --type merge -p '{{\"spec\":{{\"clusterScheduling\":{{\"placement\":{{\"clusters\":[\"prod-1\"]}}}}}}}}'"
        )]
    );
    assert!(matches!(
        &steps[1].action,
        Action::WaitExtension { clusters, .. } if clusters == &["prod-1".to_owned()]
    ));
    assert_eq!(
        steps[1].kubectl,
        [format!(
            "kubectl --kubeconfig old-host.kubeconfig wait installplan.kubesphere.io/{EXT} --for=jsonpath='{{.status.clusterSchedulingStatuses.prod-1.state}}'=Installed --timeout=600s"
        )]
    );

    env.estate
        .cluster("old-host")
        .unwrap()
        .cluster
        .clear_writes();
    let run = env.runs.create(&plan).unwrap();
    let report = env.apply(&run, true).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let w: Vec<String> = writes(&env, "old-host")
        .into_iter()
        .filter(|w| !w.contains("/leases"))
        .collect();
    assert_eq!(
        w,
        [format!(
            "PATCH /apis/kubesphere.io/v1alpha1/installplans/{EXT}"
        )]
    );
    let p = serde_json::to_value(plans.get(EXT).await.unwrap()).unwrap();
    assert_eq!(
        p.pointer("/status/clusterSchedulingStatuses/prod-1/state"),
        Some(&json!("Installed"))
    );
    assert!(
        namespace(&env.client("prod-1").await, "extension-whizard-monitoring")
            .await
            .is_some()
    );
    let again = workflow::plan_workflow(&schedule(&["prod-1"], EXT), &env.clusters)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:#?}");
    assert!(
        again
            .warnings
            .iter()
            .any(|w| w.contains("already installed")),
        "{:?}",
        again.warnings
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_extension_or_a_failed_agent_install_is_refused_or_blocks() {
    let env = Env::start(ksmc_sim::Scenario::migrate_v4()).await;
    // Installed and scheduled on prod-1 earlier, where its agent's install failed.
    let plans = install(
        &env,
        json!({"spec": {"clusterScheduling": {"placement": {"clusters": ["prod-1"]}}},
            "status": {"clusterSchedulingStatuses": {"prod-1": {"state": "InstallFailed",
                "releaseName": "whizard-monitoring-agent",
                "conditions": [{"type": "Installed", "status": "False", "reason": "InstallFailed",
                    "message": "image pull failed", "lastTransitionTime": "2025-01-01T00:00:00Z"}]}}}}),
    )
    .await;
    let plan = workflow::plan_workflow(&schedule(&["prod-1"], EXT), &env.clusters)
        .await
        .unwrap();
    // Nothing to patch, only the wait, which stops on KubeSphere's failure.
    let steps: Vec<_> = plan.steps().collect();
    assert_eq!(steps.len(), 1, "{plan:#?}");
    let run = env.runs.create(&plan).unwrap();
    let report = env.apply(&run, true).await;
    assert_eq!(report.status, RunStatus::Blocked, "{report:#?}");
    let text = report.reason.clone().unwrap_or_default();
    assert!(
        text.contains("InstallFailed on prod-1: image pull failed"),
        "{text}"
    );

    let mut p = plans.get(EXT).await.unwrap();
    p.data["spec"]["enabled"] = json!(false);
    plans
        .replace(EXT, &PostParams::default(), &p)
        .await
        .unwrap();
    let disabled = workflow::plan_workflow(&schedule(&["prod-1"], EXT), &env.clusters)
        .await
        .unwrap_err();
    assert!(
        disabled
            .message
            .starts_with("extension whizard-monitoring is disabled on old-host"),
        "{disabled}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_member_pauses_the_wait_and_resume_finishes_it() {
    let env = Env::start(ksmc_sim::Scenario::migrate_v4()).await;
    let plans = install(&env, json!({})).await;
    // The host cannot reach prod-1: its agent cannot be installed for now.
    env.estate.network().set_reachable("prod-1", false);
    let mut plan = workflow::plan_workflow(&schedule(&["prod-1"], EXT), &env.clusters)
        .await
        .unwrap();
    for phase in &mut plan.phases {
        for step in &mut phase.steps {
            if let Action::WaitExtension {
                timeout_seconds, ..
            } = &mut step.action
            {
                *timeout_seconds = 2;
            }
        }
    }
    // A shorter wait than the default, re-hashed as the planner would.
    plan.hash = plan.content_hash();
    let run = env.runs.create(&plan).unwrap();
    let report = env.apply(&run, false).await;
    assert_eq!(report.status, RunStatus::Paused, "{report:#?}");
    assert!(
        format!("{report:?}").contains("not done after 2 s"),
        "{report:#?}"
    );
    // The placement was written; only the agent is missing.
    let p = serde_json::to_value(plans.get(EXT).await.unwrap()).unwrap();
    assert_eq!(
        p.pointer("/spec/clusterScheduling/placement/clusters"),
        Some(&json!(["prod-1"]))
    );

    env.estate.network().set_reachable("prod-1", true);
    let mut status = RunStatus::Paused;
    for _ in 0..10 {
        let report = env.apply(&run, false).await;
        status = report.status;
        if status == RunStatus::Succeeded {
            break;
        }
        assert_eq!(status, RunStatus::Paused, "{report:#?}");
    }
    assert_eq!(status, RunStatus::Succeeded);
    let p = serde_json::to_value(plans.get(EXT).await.unwrap()).unwrap();
    assert_eq!(
        p.pointer("/status/clusterSchedulingStatuses/prod-1/state"),
        Some(&json!("Installed"))
    );
}
