//! Import and migrate against ksmc-sim: a fresh member joins a host with ksmc's fix-its and
//! its own ServiceAccount; `prod-1` moves from `old-host` to `new-host` with every project
//! rebound and nothing lost.

mod workflow_common;

use std::collections::BTreeMap;

use ksmc_core::workflow::{self, Action, ApplyOptions, RunStatus, WorkflowInput, access};
use kube::api::{Api, DynamicObject};
use serde_json::Value;
use workflow_common::{Env, namespace};

fn ready(cluster: &DynamicObject) -> bool {
    let v = serde_json::to_value(cluster).unwrap();
    v.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_fixes_the_member_and_joins_it_with_its_own_service_account() {
    let env = Env::start(ksmc_sim::Scenario::fresh()).await;
    let input = WorkflowInput::Import {
        host: "host".into(),
        member: "member-1".into(),
        cluster_name: None,
        fix: false,
    };
    let err = workflow::plan_workflow(&input, &env.clusters)
        .await
        .expect_err("needs fixes");
    assert_eq!(err.kind, ksmc_core::ErrorKind::PreflightFailed, "{err}");
    assert!(err.message.contains("--fix"), "{}", err.message);
    assert!(
        !err.message.contains("hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd"),
        "no jwtSecret in errors"
    );

    let input = WorkflowInput::Import {
        host: "host".into(),
        member: "member-1".into(),
        cluster_name: None,
        fix: true,
    };
    let plan = workflow::plan_workflow(&input, &env.clusters)
        .await
        .expect("plan");
    assert!(plan.steps().any(|s| matches!(
        s.action,
        Action::ConfigureMember {
            set_role: true,
            copy_jwt: true,
            ..
        }
    )));
    let plan_text = serde_json::to_string(&plan).unwrap();
    assert!(!plan_text.contains("hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd"));
    let run = env.runs.create(&plan).unwrap();
    let report = workflow::apply(
        &env.clusters,
        &run,
        &ApplyOptions::default(),
        &workflow::NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");

    let host = env.client("host").await;
    let clusters: Api<DynamicObject> = Api::all_with(host, &access::kubesphere_clusters());
    let c = clusters.get("member-1").await.unwrap();
    assert!(ready(&c));
    // The host stores a ServiceAccount token, never the admin credential ksmc used.
    let v = serde_json::to_value(&c).unwrap();
    let kubeconfig = ksmc_sim::network::decode_kubeconfig(
        v.pointer("/spec/connection/kubeconfig")
            .and_then(Value::as_str)
            .unwrap(),
    )
    .unwrap();
    let admin = std::fs::read_to_string(env.dir.path().join("member-1.kubeconfig")).unwrap();
    let admin_token = admin
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .unwrap()
        .trim_matches('"');
    assert!(!kubeconfig.contains(admin_token));
    let journal = std::fs::read_to_string(run.journal_path()).unwrap();
    for secret in [admin_token, "hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd"] {
        assert!(!journal.contains(secret), "journal leaks a secret");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_moves_the_member_and_rebinds_every_project() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let input = WorkflowInput::Migrate {
        member: "prod-1".into(),
        old_host: Some("old-host".into()),
        new_host: "new-host".into(),
        cluster_name: None,
        projects: None,
        workspace_map: BTreeMap::from([("ws-data".to_owned(), "ws-analytics".to_owned())]),
        settle_seconds: 1,
    };
    let plan = workflow::plan_workflow(&input, &env.clusters)
        .await
        .expect("plan");
    let run = env.runs.create(&plan).unwrap();
    let report = workflow::apply(
        &env.clusters,
        &run,
        &ApplyOptions::default(),
        &workflow::NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");

    let member = env.client("prod-1").await;
    let new_host = env.client("new-host").await;
    let ws_api: Api<DynamicObject> = Api::all_with(member.clone(), &access::workspaces());
    for (ns, ws) in [
        ("apps-frontend", "ws-apps"),
        ("apps-backend", "ws-apps"),
        ("apps-gitops", "ws-apps"),
        ("data-warehouse", "ws-analytics"),
    ] {
        let n = namespace(&member, ns).await.expect(ns);
        assert_eq!(
            n.metadata.labels.clone().unwrap()["kubesphere.io/workspace"],
            ws
        );
        let w = ws_api.get(ws).await.unwrap();
        let owners = n.metadata.owner_references.unwrap();
        assert!(
            owners
                .iter()
                .any(|r| r.kind == "Workspace" && Some(&r.uid) == w.metadata.uid.as_ref()),
            "{ns} is owned by the new {ws}"
        );
        if ns == "apps-gitops" {
            assert!(owners.iter().any(|r| r.kind == "Application"));
        }
    }
    assert!(namespace(&member, "scratch").await.is_some());
    let clusters: Api<DynamicObject> =
        Api::all_with(new_host.clone(), &access::kubesphere_clusters());
    assert!(ready(&clusters.get("prod-1").await.unwrap()));
    let templates: Api<DynamicObject> = Api::all_with(new_host, &access::workspace_templates());
    for ws in ["ws-apps", "ws-analytics"] {
        let t = serde_json::to_value(templates.get(ws).await.unwrap()).unwrap();
        assert_eq!(
            t.pointer("/spec/placement/clusters/0/name").unwrap(),
            "prod-1"
        );
    }
    assert!(ws_api.get_opt("ws-data").await.unwrap().is_none());
}
