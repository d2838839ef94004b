//! Unbind keeping projects, against the `migrate` scenario of ksmc-sim over HTTPS: the naive
//! orders lose namespaces in the simulator, ksmc's plan keeps every one.

mod workflow_common;

use k8s_openapi::api::core::v1::Namespace;
use ksmc_core::workflow::{
    self, Action, ApplyOptions, Collect, RunEvent, RunStatus, WorkflowInput, access,
};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use serde_json::json;
use workflow_common::{Env, namespace, ns_names, unbind_prod_1, wait_until};

const KEPT: [&str; 5] = [
    "apps-backend",
    "apps-frontend",
    "apps-gitops",
    "data-warehouse",
    "scratch",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbind_keeps_every_project_and_its_other_owners() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let plan = workflow::plan_workflow(&unbind_prod_1(), &env.clusters)
        .await
        .expect("plan");
    let mut kept: Vec<&str> = plan.inventory.iter().map(|n| n.name.as_str()).collect();
    kept.sort_unstable();
    assert_eq!(kept, KEPT, "every non-system namespace is kept");
    let unbinds: Vec<&str> = plan
        .steps()
        .filter_map(|s| match &s.action {
            Action::UnbindNamespace { namespace, .. } => Some(namespace.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        unbinds.len(),
        4,
        "scratch has nothing to unbind: {unbinds:?}"
    );
    // Order: unbind, settle, remove the Cluster, then delete workspaces, then verify.
    let kinds: Vec<&str> = plan
        .steps()
        .map(|s| match s.action {
            Action::UnbindNamespace { .. } => "unbind",
            Action::SettleAndVerifyUnbound { .. } => "settle",
            Action::DeleteCluster { .. } => "cluster",
            Action::DeleteWorkspace { .. } => "workspace",
            Action::VerifyInventory { .. } => "verify",
            _ => "other",
        })
        .collect();
    let mut dedup = kinds.clone();
    dedup.dedup();
    assert_eq!(
        dedup,
        ["unbind", "settle", "cluster", "workspace", "verify"]
    );
    let gitops = plan
        .steps()
        .find(|s| s.title.contains("apps-gitops"))
        .unwrap();
    assert!(
        gitops.kubectl[0].contains("argoproj.io/v1alpha1"),
        "the kubectl equivalent keeps the other owner: {}",
        gitops.kubectl[0]
    );
    assert!(
        plan.script()
            .contains("delete workspace ws-apps --cascade=orphan")
    );

    let run = env.runs.create(&plan).unwrap();
    let progress = Collect::default();
    let report = workflow::apply(&env.clusters, &run, &ApplyOptions::default(), &progress)
        .await
        .expect("apply");
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_eq!(report.kept, 5);
    assert_eq!(report.steps_done as usize, plan.len());
    let events = progress.events();
    assert!(matches!(events.first(), Some(RunEvent::Started { .. })));
    assert!(matches!(events.last(), Some(RunEvent::Finished { .. })));

    let member = env.client("prod-1").await;
    for name in KEPT {
        let ns = namespace(&member, name).await.expect("kept");
        assert!(ns.metadata.deletion_timestamp.is_none(), "{name}");
        let labels = ns.metadata.labels.clone().unwrap_or_default();
        assert!(!labels.contains_key("kubesphere.io/workspace"), "{name}");
        let owners = ns.metadata.owner_references.clone().unwrap_or_default();
        assert!(
            owners.iter().all(|r| r.kind != "Workspace"),
            "{name}: {owners:?}"
        );
    }
    let gitops = namespace(&member, "apps-gitops").await.unwrap();
    assert_eq!(
        gitops.metadata.owner_references.unwrap()[0].kind,
        "Application",
        "the non-KubeSphere owner survives"
    );
    let ks = namespace(&member, "kubesphere-system").await.unwrap();
    assert_eq!(
        ks.metadata.labels.unwrap()["kubesphere.io/workspace"],
        "system-workspace",
        "system namespaces are untouched"
    );
    let ws: Api<DynamicObject> = Api::all_with(member.clone(), &access::workspaces());
    let left: Vec<String> = ws
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|w| w.metadata.name)
        .collect();
    assert_eq!(left, ["system-workspace"]);
    let old = env.client("old-host").await;
    let clusters: Api<DynamicObject> = Api::all_with(old, &access::kubesphere_clusters());
    assert!(clusters.get_opt("prod-1").await.unwrap().is_none());
    // The lease is released.
    let leases: Api<k8s_openapi::api::coordination::v1::Lease> =
        Api::namespaced(member, "kube-system");
    assert!(leases.get_opt("ksmc-workflow").await.unwrap().is_none());

    // Applying the finished run again changes nothing and still verifies.
    let again = workflow::apply(
        &env.clusters,
        &run,
        &ApplyOptions {
            check_stale: false,
            ..ApplyOptions::default()
        },
        &workflow::NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(again.status, RunStatus::Succeeded);
    assert_eq!(again.writes, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_naive_orders_lose_projects_in_the_simulator() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let member = env.client("prod-1").await;
    let nss: Api<Namespace> = Api::all(member.clone());
    // Trap 1: clear ownerReferences but leave the label (the docs' patch alone): the
    // namespace controller puts the owner back.
    for name in ["apps-frontend", "apps-backend", "apps-gitops"] {
        nss.patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"ownerReferences": []}})),
        )
        .await
        .unwrap();
    }
    wait_until("the owner comes back", || async {
        namespace(&member, "apps-frontend")
            .await
            .and_then(|n| n.metadata.owner_references)
            .is_some_and(|o| o.iter().any(|r| r.kind == "Workspace"))
    })
    .await;
    // Trap 2: delete the workspace first (default propagation).
    let ws: Api<DynamicObject> = Api::all_with(member.clone(), &access::workspaces());
    ws.delete("ws-apps", &DeleteParams::default())
        .await
        .unwrap();
    wait_until("the projects are garbage-collected", || async {
        let names = ns_names(&member).await;
        !names
            .iter()
            .any(|n| n == "apps-frontend" || n == "apps-backend")
    })
    .await;
    let names = ns_names(&member).await;
    assert!(!names.contains(&"apps-frontend".to_owned()));
    assert!(
        names.contains(&"data-warehouse".to_owned()),
        "only ws-apps' projects are lost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_plan_is_refused_with_nothing_written() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let plan = workflow::plan_workflow(&unbind_prod_1(), &env.clusters)
        .await
        .unwrap();
    let run = env.runs.create(&plan).unwrap();
    let member = env.client("prod-1").await;
    let nss: Api<Namespace> = Api::all(member.clone());
    nss.patch(
        "scratch",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"kubesphere.io/workspace": "ws-data"}}})),
    )
    .await
    .unwrap();
    let err = workflow::apply(
        &env.clusters,
        &run,
        &ApplyOptions::default(),
        &workflow::NoProgress,
    )
    .await
    .expect_err("stale");
    assert_eq!(err.kind, ksmc_core::ErrorKind::StalePlan, "{err}");
    assert!(!run.journal_path().exists(), "no journal: nothing started");
    let ns = namespace(&member, "apps-frontend").await.unwrap();
    assert_eq!(
        ns.metadata.labels.unwrap()["kubesphere.io/workspace"],
        "ws-apps"
    );
    assert_eq!(run.summary().unwrap().status, RunStatus::Planned);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_before_any_request() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let cases = [
        (
            WorkflowInput::Unbind {
                member: "prod-1".into(),
                old_host: None,
                cluster_name: Some("Prod_1".into()),
                projects: None,
                settle_seconds: 1,
            },
            "cluster name \"Prod_1\" is not a valid name",
        ),
        (
            WorkflowInput::Unbind {
                member: "prod-1".into(),
                old_host: None,
                cluster_name: None,
                projects: Some(vec!["kube-system".into()]),
                settle_seconds: 1,
            },
            "kube-system is a system namespace",
        ),
        (
            WorkflowInput::Unbind {
                member: "prod-1".into(),
                old_host: None,
                cluster_name: None,
                projects: Some(vec!["nope".into()]),
                settle_seconds: 1,
            },
            "project nope does not exist on prod-1",
        ),
        (
            WorkflowInput::Unbind {
                member: "old-host".into(),
                old_host: None,
                cluster_name: None,
                projects: None,
                settle_seconds: 1,
            },
            "old-host is a host cluster",
        ),
        (
            WorkflowInput::Unbind {
                member: "nowhere".into(),
                old_host: None,
                cluster_name: None,
                projects: None,
                settle_seconds: 1,
            },
            "no cluster named \"nowhere\"",
        ),
    ];
    for (input, want) in cases {
        let err = workflow::plan_workflow(&input, &env.clusters)
            .await
            .expect_err(want);
        assert!(err.message.contains(want), "{} !~ {want}", err.message);
    }
}

/// Cancels the run as soon as the first step is done.
struct CancelAfterFirst(workflow::CancelFlag);

impl workflow::Progress for CancelAfterFirst {
    fn event(&self, event: RunEvent) {
        if matches!(event, RunEvent::StepDone { .. }) {
            self.0.cancel();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_between_steps_and_resume_finishes() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let plan = workflow::plan_workflow(&unbind_prod_1(), &env.clusters)
        .await
        .unwrap();
    let run = env.runs.create(&plan).unwrap();
    let flag = workflow::CancelFlag::default();
    let options = ApplyOptions {
        concurrency: 1,
        cancel: flag.clone(),
        ..ApplyOptions::default()
    };
    let report = workflow::apply(&env.clusters, &run, &options, &CancelAfterFirst(flag))
        .await
        .unwrap();
    assert_eq!(report.status, RunStatus::Cancelled, "{report:#?}");
    assert_eq!(report.steps_done, 1);
    let member = env.client("prod-1").await;
    let ws: Api<DynamicObject> = Api::all_with(member.clone(), &access::workspaces());
    assert!(
        ws.get_opt("ws-apps").await.unwrap().is_some(),
        "nothing deleted"
    );
    assert_eq!(run.summary().unwrap().status, RunStatus::Cancelled);

    // Another process asks to cancel through the run directory; resume clears it first.
    run.request_cancel().unwrap();
    let report = workflow::apply(
        &env.clusters,
        &run,
        &ApplyOptions {
            check_stale: false,
            ..ApplyOptions::default()
        },
        &workflow::NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    for name in KEPT {
        assert!(namespace(&member, name).await.is_some());
    }
}
