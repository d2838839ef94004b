//! ksmc-sim's `v4` scenario (the desktop's KubeSphere 4.x demo), through ksmc-core over
//! HTTPS: inspecting it finds exactly the two planted findings, and an installed extension
//! is enabled on the member that lacks its agent through the component workflow, to
//! `Installed`.

mod workflow_common;

mod fleet_common;

use fleet_common::by_cluster;
use std::collections::BTreeMap;
use std::time::Duration;

use ksmc_core::fleet::facts::ClusterFacts;
use ksmc_core::fleet::{FleetReport, Severity, inspect_dir};
use ksmc_core::workflow::{self, Action, RunStatus, WorkflowInput};
use kube::api::{Api, DynamicObject};
use serde_json::{Value, json};
use workflow_common::{Env, namespace};

fn get<'a>(report: &'a FleetReport, name: &str) -> &'a ClusterFacts {
    report
        .clusters
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name} in the report"))
}

fn planted() -> BTreeMap<String, Vec<String>> {
    [
        ("host", vec!["extension-failed"]),
        ("member-1", vec![]),
        ("member-2", vec!["member-local-workspace"]),
    ]
    .into_iter()
    .map(|(c, ids)| (c.to_owned(), ids.into_iter().map(str::to_owned).collect()))
    .collect()
}

/// The state of `extension`'s agent on `cluster`, as the host's InstallPlan says.
fn agent_state<'a>(host: &'a ClusterFacts, extension: &str, cluster: &str) -> Option<&'a str> {
    host.install_plans
        .all()
        .iter()
        .find(|p| p.extension == extension)?
        .clusters
        .iter()
        .find(|c| c.cluster == cluster)?
        .state
        .as_deref()
}

/// The estate as the scenario promises once the controllers settled: member-1 has
/// example-monitoring's agent, both members have their workspaces.
fn settled(r: &FleetReport) -> bool {
    let has = |c: &str, ws: &[&str]| {
        ws.iter()
            .all(|w| get(r, c).workspaces.all().iter().any(|x| x.name == *w))
    };
    r.clusters.iter().all(|c| c.error.is_none())
        && agent_state(get(r, "host"), "example-monitoring", "member-1") == Some("Installed")
        && has("member-1", &["ws-apps", "ws-data"])
        && has("member-2", &["ws-data", "ws-web"])
}

async fn inspect_settled(env: &Env) -> FleetReport {
    let mut last = None;
    for _ in 0..100 {
        let report = inspect_dir(env.dir.path()).await.expect("estate read");
        if settled(&report) {
            return report;
        }
        last = Some(report);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the v4 estate never settled: {last:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspecting_v4_finds_exactly_the_planted_findings() {
    let env = Env::start(ksmc_sim::Scenario::by_name("v4").unwrap()).await;
    let report = inspect_settled(&env).await;

    assert_eq!(by_cluster(&report), planted(), "{:#?}", report.findings);
    assert_eq!(report.findings.len(), 2, "{:#?}", report.findings);

    // extension-failed: the host's InstallPlan example-devops, with KubeSphere's message.
    let f = report
        .findings
        .iter()
        .find(|f| f.id == "extension-failed")
        .unwrap();
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.object.as_deref(), Some("InstallPlan example-devops"));
    assert_eq!(f.title, "Extension example-devops is InstallFailed on host");
    assert!(
        f.explanation
            .contains("timed out waiting for the condition"),
        "{f:#?}"
    );
    assert!(
        f.fix.commands[0]
            .starts_with("kubectl --kubeconfig host.kubeconfig get installplan example-devops"),
        "{:?}",
        f.fix.commands
    );
    // member-local-workspace: ws-sandbox, created on member-2, known to no template.
    let f = report
        .findings
        .iter()
        .find(|f| f.id == "member-local-workspace")
        .unwrap();
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.object.as_deref(), Some("Workspace ws-sandbox"));
    assert_eq!(
        f.fix.commands,
        ["kubectl --kubeconfig host.kubeconfig get workspacetemplate ws-sandbox"]
    );

    // The facts the 4.x screens show.
    let host = get(&report, "host");
    assert!(host.is_host() && host.is_v4());
    let mut members: Vec<&str> = host
        .clusters
        .all()
        .iter()
        .filter(|m| !m.is_host)
        .map(|m| m.name.as_str())
        .collect();
    members.sort_unstable();
    assert_eq!(members, ["member-1", "member-2"]);
    for m in ["member-1", "member-2"] {
        let c = get(&report, m);
        assert!(c.is_v4() && !c.is_host(), "{m}");
        assert_eq!(c.kubesphere_version(), Some("v4.1.3"));
        assert_eq!(c.jwt_fingerprint(), host.jwt_fingerprint(), "{m}");
        assert!(c.install_plans.all().is_empty(), "{m}");
    }
    let plans: Vec<(&str, Option<&str>, &[String])> = host
        .install_plans
        .all()
        .iter()
        .map(|p| {
            (
                p.extension.as_str(),
                p.state.as_deref(),
                p.placed_clusters.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        plans,
        [
            ("example-devops", Some("InstallFailed"), &[][..]),
            ("example-logging", Some("Installed"), &[][..]),
            (
                "example-monitoring",
                Some("Installed"),
                &["member-1".to_owned()][..]
            ),
        ]
    );
    assert_eq!(
        agent_state(host, "example-monitoring", "member-2"),
        None,
        "member-2 has no agent"
    );
    let mut users: Vec<&str> = host.users.all().iter().map(|u| u.name.as_str()).collect();
    users.sort_unstable();
    assert_eq!(users, ["admin", "alice", "bob", "carol"]);
    env.estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enabling_an_extension_on_member_2_installs_its_agent() {
    let env = Env::start(ksmc_sim::Scenario::by_name("v4").unwrap()).await;
    inspect_settled(&env).await;
    let input = WorkflowInput::Component {
        clusters: vec!["member-2".into()],
        component: "example-monitoring".into(),
        host: Some("host".into()),
    };
    let plan = workflow::plan_workflow(&input, &env.clusters)
        .await
        .expect("plan");
    let steps: Vec<_> = plan.steps().collect();
    assert_eq!(steps.len(), 2, "{plan:#?}");
    let Action::MergePatch { patch, name, .. } = &steps[0].action else {
        panic!("{:?}", steps[0].action)
    };
    assert_eq!(name, "example-monitoring");
    // member-1 stays scheduled; member-2 is added.
    assert_eq!(
        patch,
        &json!({"spec": {"clusterScheduling": {"placement": {"clusters": ["member-1", "member-2"]}}}})
    );
    assert!(matches!(
        &steps[1].action,
        Action::WaitExtension { clusters, .. } if clusters == &["member-2".to_owned()]
    ));

    let run = env.runs.create(&plan).unwrap();
    let report = env.apply(&run, true).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");

    let plans: Api<DynamicObject> = Api::all_with(
        env.client("host").await,
        &kube::api::ApiResource::from_gvk_with_plural(
            &kube::core::GroupVersionKind::gvk("kubesphere.io", "v1alpha1", "InstallPlan"),
            "installplans",
        ),
    );
    let p: Value = serde_json::to_value(plans.get("example-monitoring").await.unwrap()).unwrap();
    for m in ["member-1", "member-2"] {
        assert_eq!(
            p.pointer(&format!("/status/clusterSchedulingStatuses/{m}/state")),
            Some(&json!("Installed")),
            "{m}: {p:#}"
        );
    }
    assert!(
        namespace(
            &env.client("member-2").await,
            "extension-example-monitoring"
        )
        .await
        .is_some()
    );

    // Seen by inspection too, and nothing new is wrong.
    let after = inspect_dir(env.dir.path()).await.unwrap();
    assert_eq!(
        agent_state(get(&after, "host"), "example-monitoring", "member-2"),
        Some("Installed")
    );
    assert_eq!(by_cluster(&after), planted(), "{:#?}", after.findings);

    // Enabling it again has nothing to do.
    let again = workflow::plan_workflow(&input, &env.clusters)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:#?}");
    env.estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_the_member_local_workspace_on_the_host_clears_its_finding() {
    let env = Env::start(ksmc_sim::Scenario::by_name("v4").unwrap()).await;
    inspect_settled(&env).await;
    let input = WorkflowInput::Workspace {
        host: "host".into(),
        workspace: "ws-sandbox".into(),
        placement: vec!["member-2".into()],
        manager: "admin".into(),
    };
    let report = env.plan_and_apply(&input).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");

    // The template is a 4.x one, and the host takes the member's workspace over.
    let templates: Api<DynamicObject> = Api::all_with(
        env.client("host").await,
        &kube::api::ApiResource::from_gvk_with_plural(
            &kube::core::GroupVersionKind::gvk(
                "tenant.kubesphere.io",
                "v1beta1",
                "WorkspaceTemplate",
            ),
            "workspacetemplates",
        ),
    );
    let t: Value = serde_json::to_value(templates.get("ws-sandbox").await.unwrap()).unwrap();
    assert_eq!(
        t.pointer("/spec/placement/clusters"),
        Some(&json!([{"name": "member-2"}])),
        "{t:#}"
    );
    let after = inspect_dir(env.dir.path()).await.unwrap();
    let mut expected = planted();
    expected.insert("member-2".into(), Vec::new());
    assert_eq!(by_cluster(&after), expected, "{:#?}", after.findings);
    assert!(
        get(&after, "member-2")
            .workspaces
            .all()
            .iter()
            .any(|w| w.name == "ws-sandbox")
    );
    env.estate.shutdown().await;
}
