//! Fix-its from fleet findings, planned and applied through the workflow engine against the
//! `misconfigured` scenario: the finding is gone afterwards.

mod workflow_common;

use ksmc_core::fleet::inspect_sources;
use ksmc_core::workflow::{self, ApplyOptions, RunStatus, WorkflowInput};
use workflow_common::Env;

async fn findings(env: &Env) -> Vec<(String, String, Option<WorkflowInput>)> {
    let sources: Vec<_> = ["host", "m-role", "m-jwt"]
        .iter()
        .map(|n| env.clusters.source(n).unwrap().clone())
        .collect();
    inspect_sources(&sources)
        .await
        .findings
        .into_iter()
        .map(|f| (f.id, f.cluster, f.fix.workflow))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_findings_carry_a_workflow_that_removes_them() {
    let env = Env::start(ksmc_sim::Scenario::misconfigured()).await;
    let before = findings(&env).await;
    for (id, cluster) in [("jwt-mismatch", "m-jwt"), ("role-none", "m-role")] {
        let (_, _, workflow) = before
            .iter()
            .find(|(i, c, _)| i == id && c == cluster)
            .unwrap_or_else(|| panic!("{id} on {cluster}: {before:?}"));
        let input = workflow.clone().expect("a fix-it workflow");
        assert!(
            matches!(input, WorkflowInput::FixMember { .. }),
            "{input:?}"
        );
        let plan = workflow::plan_workflow(&input, &env.clusters)
            .await
            .unwrap();
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
    }
    let after = findings(&env).await;
    for (id, cluster) in [("jwt-mismatch", "m-jwt"), ("role-none", "m-role")] {
        assert!(
            !after.iter().any(|(i, c, _)| i == id && c == cluster),
            "{id} on {cluster} is fixed: {after:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_its_refuse_what_the_docs_forbid() {
    let env = Env::start(ksmc_sim::Scenario::misconfigured()).await;
    let err = workflow::plan_workflow(
        &WorkflowInput::FixMember {
            host: "m-jwt".into(),
            member: "host".into(),
            set_role: true,
            copy_jwt: true,
        },
        &env.clusters,
    )
    .await
    .unwrap_err();
    assert!(
        err.message
            .contains("does not support turning a host into a member"),
        "{err}"
    );
    let err = workflow::plan_workflow(
        &WorkflowInput::StripOwner {
            cluster: "m-dirty".into(),
            namespace: "team-a-web".into(),
            owner_uid: "not-there".into(),
        },
        &env.clusters,
    )
    .await
    .unwrap_err();
    assert!(
        err.message.contains("has no workspace ownerReference"),
        "{err}"
    );
}
