//! The unbind workflow under the simulator's faults and hazards: it ends verified, or in a
//! clear blocked/paused/failed state — never a lost namespace reported as success, never a
//! write applied twice.

mod workflow_common;

use ksmc_core::workflow::{self, ApplyOptions, RunStatus, WorkflowInput, access};
use ksmc_sim::faults::{Fault, FaultPlan, FaultRule};
use ksmc_sim::hazards::{NamespaceDeletion, OwnerReAdd};
use kube::api::{Api, DynamicObject};
use workflow_common::{Env, namespace, unbind_prod_1};

const KEPT: [&str; 5] = [
    "apps-backend",
    "apps-frontend",
    "apps-gitops",
    "data-warehouse",
    "scratch",
];

async fn workspace_exists(env: &Env, name: &str) -> bool {
    let api: Api<DynamicObject> = Api::all_with(env.client("prod-1").await, &access::workspaces());
    api.get_opt(name).await.unwrap().is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_that_rebinds_a_project_blocks_the_run_before_any_deletion() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let plan = workflow::plan_workflow(&unbind_prod_1(), &env.clusters)
        .await
        .unwrap();
    env.estate
        .set_faults(
            "prod-1",
            FaultPlan {
                re_add_owners: Some(OwnerReAdd {
                    delay_ms: 300,
                    namespaces: vec!["apps-frontend".into()],
                    count: Some(1),
                    ..OwnerReAdd::default()
                }),
                ..FaultPlan::default()
            },
        )
        .unwrap();
    let run = env.runs.create(&plan).unwrap();
    let report = env.apply(&run, true).await;
    assert_eq!(report.status, RunStatus::Blocked, "{report:#?}");
    let reason = report.reason.clone().unwrap();
    assert!(reason.contains("apps-frontend"), "{reason}");
    // Nothing was deleted: the workspaces and the old host's Cluster are still there.
    assert!(workspace_exists(&env, "ws-apps").await);
    let clusters: Api<DynamicObject> =
        Api::all_with(env.client("old-host").await, &access::kubesphere_clusters());
    assert!(clusters.get_opt("prod-1").await.unwrap().is_some());
    let prod = env.estate.cluster("prod-1").unwrap();
    assert!(
        prod.writes()
            .iter()
            .all(|w| w.method != "DELETE" || w.path.contains("/leases/")),
        "{:?}",
        prod.writes()
    );

    // The controller stops reverting (count exhausted); resume redoes the unbinding.
    let report = env.apply(&run, false).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let member = env.client("prod-1").await;
    for name in KEPT {
        assert!(namespace(&member, name).await.is_some(), "{name} kept");
    }
    assert!(!workspace_exists(&env, "ws-apps").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_namespace_deletion_fails_the_run_loudly() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let plan = workflow::plan_workflow(&unbind_prod_1(), &env.clusters)
        .await
        .unwrap();
    env.estate
        .set_faults(
            "prod-1",
            FaultPlan {
                delete_namespace: Some(NamespaceDeletion::new("data-warehouse", 3)),
                ..FaultPlan::default()
            },
        )
        .unwrap();
    let run = env.runs.create(&plan).unwrap();
    let report = env.apply(&run, true).await;
    assert_eq!(report.status, RunStatus::Failed, "{report:#?}");
    let reason = report.reason.unwrap();
    assert!(
        reason.contains("NAMESPACE LOST") && reason.contains("data-warehouse"),
        "{reason}"
    );
    assert!(
        workspace_exists(&env, "ws-apps").await,
        "nothing is deleted after a loss"
    );
    assert_eq!(run.summary().unwrap().status, RunStatus::Failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_throttling_and_lost_answers_end_verified_with_each_write_applied_once() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let plan = workflow::plan_workflow(&unbind_prod_1(), &env.clusters)
        .await
        .unwrap();
    let faults = FaultPlan::latency(5, 5)
        .rule(FaultRule::new(Fault::ServiceUnavailable).probability(0.15))
        .rule(
            FaultRule::new(Fault::TooManyRequests)
                .probability(0.1)
                .retry_after(3_600),
        )
        .rule(
            FaultRule::new(Fault::AppliedButLost)
                .probability(0.25)
                .methods(&["PATCH"]),
        )
        .rule(FaultRule::new(Fault::Conflict).probability(0.2))
        .rule(FaultRule::new(Fault::Reset).probability(0.05));
    env.estate.set_faults("prod-1", faults).unwrap();
    let prod = env.estate.cluster("prod-1").unwrap();
    prod.clear_writes();
    let run = env.runs.create(&plan).unwrap();
    let started = std::time::Instant::now();
    let mut report = None;
    for attempt in 0..8 {
        match workflow::apply(
            &env.clusters,
            &run,
            &ApplyOptions {
                check_stale: false,
                ..ApplyOptions::default()
            },
            &workflow::NoProgress,
        )
        .await
        {
            Ok(r) if r.status == RunStatus::Succeeded => {
                report = Some(r);
                break;
            }
            Ok(r) => assert!(
                matches!(r.status, RunStatus::Paused | RunStatus::Blocked),
                "attempt {attempt}: {r:#?}"
            ),
            // Taking the lease can fail under faults; nothing was written then.
            Err(e) => assert!(
                matches!(
                    e.kind,
                    ksmc_core::ErrorKind::Unreachable | ksmc_core::ErrorKind::Conflict
                ),
                "{e:?}"
            ),
        }
    }
    let report = report.expect("converges within a few resumes");
    assert_eq!(report.kept, 5);
    assert!(started.elapsed().as_secs() < 120);
    for ns in [
        "apps-frontend",
        "apps-backend",
        "apps-gitops",
        "data-warehouse",
    ] {
        let path = format!("/api/v1/namespaces/{ns}");
        let patches = prod
            .writes()
            .iter()
            .filter(|w| w.method == "PATCH" && w.path == path)
            .count();
        assert_eq!(patches, 1, "{ns} patched exactly once");
    }
    env.estate.clear_faults("prod-1").unwrap();
    let member = env.client("prod-1").await;
    for name in KEPT {
        let ns = namespace(&member, name).await.expect(name);
        assert!(ns.metadata.deletion_timestamp.is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_writer_at_a_time_and_a_lock_breaks_only_with_its_holder_id() {
    use ksmc_core::workflow::lease;
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let plan = workflow::plan_workflow(&unbind_prod_1(), &env.clusters)
        .await
        .unwrap();
    let run = env.runs.create(&plan).unwrap();
    // Another operator's run holds prod-1.
    lease::acquire(&env.clusters, "prod-1", "ksmc-run-someone-else")
        .await
        .unwrap();
    let err = workflow::apply(
        &env.clusters,
        &run,
        &ApplyOptions::default(),
        &workflow::NoProgress,
    )
    .await
    .expect_err("locked");
    assert_eq!(err.kind, ksmc_core::ErrorKind::Locked);
    assert!(
        err.message.contains("ksmc-run-someone-else"),
        "{}",
        err.message
    );
    assert!(!run.journal_path().exists(), "nothing started");
    // The old host's lease taken before the refusal was given back.
    assert_eq!(
        lease::holder(&env.clusters, "old-host").await.unwrap(),
        None
    );

    let wrong = lease::break_lease(&env.clusters, "prod-1", "ksmc-run-someone")
        .await
        .expect_err("wrong id");
    assert_eq!(wrong.kind, ksmc_core::ErrorKind::Invalid);
    assert!(
        lease::holder(&env.clusters, "prod-1")
            .await
            .unwrap()
            .is_some()
    );
    lease::break_lease(&env.clusters, "prod-1", "ksmc-run-someone-else")
        .await
        .unwrap();
    let report = env.apply(&run, true).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partition_mid_run_pauses_and_resume_completes() {
    use ksmc_sim::faults::Partition;
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let input = WorkflowInput::Unbind {
        member: "prod-1".into(),
        old_host: Some("old-host".into()),
        cluster_name: None,
        projects: None,
        settle_seconds: 2,
    };
    let plan = workflow::plan_workflow(&input, &env.clusters)
        .await
        .unwrap();
    let run = env.runs.create(&plan).unwrap();
    let cut = async {
        // Cut prod-1 off once the projects are unbound, during the settle window.
        workflow_common::wait_until("the unbind phase is done", || async {
            run.summary().is_ok_and(|s| s.steps_done >= 4)
        })
        .await;
        env.estate
            .set_partition("prod-1", Some(Partition::Reset))
            .unwrap();
    };
    let (report, ()) = tokio::join!(env.apply(&run, true), cut);
    assert_eq!(report.status, RunStatus::Paused, "{report:#?}");
    assert!(
        workspace_exists_after_heal(&env).await,
        "nothing deleted while cut off"
    );
    let report = env.apply(&run, false).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let member = env.client("prod-1").await;
    for name in KEPT {
        assert!(namespace(&member, name).await.is_some(), "{name}");
    }
}

async fn workspace_exists_after_heal(env: &Env) -> bool {
    env.estate.set_partition("prod-1", None).unwrap();
    workspace_exists(env, "ws-apps").await
}

/// Found by the soak (rebind seed 1012): a member answering 429 to the discovery of its tenant
/// API made a rebind FAILED, a state that asks for a human. A transient refusal pauses the run;
/// resume completes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_tenant_api_pauses_a_rebind_and_resume_completes() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    let input = WorkflowInput::Rebind {
        host: "old-host".into(),
        member: "prod-1".into(),
        cluster_name: None,
        bindings: [("scratch".to_owned(), "ws-data".to_owned())].into(),
    };
    let plan = workflow::plan_workflow(&input, &env.clusters)
        .await
        .expect("plan");
    let run = env.runs.create(&plan).unwrap();
    let limited = FaultRule::new(Fault::TooManyRequests)
        .path_prefix("/apis/tenant.kubesphere.io")
        .retry_after(3_600);
    env.estate
        .set_faults("prod-1", FaultPlan::latency(0, 0).rule(limited))
        .unwrap();
    let report = env.apply(&run, true).await;
    assert_eq!(report.status, RunStatus::Paused, "{report:?}");
    env.estate.clear_faults("prod-1").unwrap();
    let report = env.apply(&run, false).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    let ns = namespace(&env.client("prod-1").await, "scratch")
        .await
        .expect("kept");
    let labels = ns.metadata.labels.unwrap_or_default();
    assert_eq!(
        labels.get("kubesphere.io/workspace").map(String::as_str),
        Some("ws-data")
    );
}
