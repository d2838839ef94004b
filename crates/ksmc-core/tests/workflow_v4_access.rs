//! Project access through unbind → rebind on KubeSphere 4.1.3 (ksmc-sim's `migrate-v4`):
//! 4.1's namespace controller deletes a project's Roles and RoleBindings once it has no
//! workspace label, which unbinding keeping projects does to every kept project. ksmc
//! snapshots them in the plan and restores them after the rebind.

mod workflow_common;

use std::time::Duration;

use ksmc_core::workflow::journal::{Journal, Record};
use ksmc_core::workflow::{self, Action, RunStatus, WorkflowInput};
use ksmc_sim::faults::{Fault, FaultPlan, FaultRule};
use kube::api::{Api, ApiResource, DynamicObject, PostParams};
use kube::core::GroupVersionKind;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use workflow_common::{Env, migrate_prod_1, namespace, unbind_prod_1, wait_until};

const IAM: &str = "iam.kubesphere.io/v1beta1";
const RBAC: &str = "rbac.authorization.k8s.io/v1";

fn resource(api_version: &str, kind: &str) -> ApiResource {
    let (group, version) = api_version.split_once('/').unwrap();
    let plural = if kind == "Role" {
        "roles"
    } else {
        "rolebindings"
    };
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

fn api(client: &kube::Client, ns: &str, api_version: &str, kind: &str) -> Api<DynamicObject> {
    Api::namespaced_with(client.clone(), ns, &resource(api_version, kind))
}

fn binding(api_version: &str, ns: &str, user: &str, role: &str) -> Value {
    let group = if api_version == IAM {
        "iam.kubesphere.io"
    } else {
        "rbac.authorization.k8s.io"
    };
    json!({"apiVersion": api_version, "kind": "RoleBinding",
        "metadata": {"name": format!("{user}-{role}"), "namespace": ns,
            "labels": {"iam.kubesphere.io/user-ref": user, "iam.kubesphere.io/role-ref": role}},
        "roleRef": {"apiGroup": group, "kind": "Role", "name": role},
        "subjects": [{"kind": "User", "apiGroup": group, "name": user}]})
}

async fn create(client: &kube::Client, body: Value) {
    let ns = body["metadata"]["namespace"].as_str().unwrap().to_owned();
    let object: DynamicObject = serde_json::from_value(body.clone()).unwrap();
    api(
        client,
        &ns,
        body["apiVersion"].as_str().unwrap(),
        body["kind"].as_str().unwrap(),
    )
    .create(&PostParams::default(), &object)
    .await
    .unwrap();
}

async fn get(
    client: &kube::Client,
    ns: &str,
    api_version: &str,
    kind: &str,
    name: &str,
) -> Option<Value> {
    api(client, ns, api_version, kind)
        .get_opt(name)
        .await
        .unwrap()
        .map(|o| serde_json::to_value(o).unwrap())
}

/// Members and a custom role in two kept projects, as the KubeSphere 4.1 console makes them,
/// plus one plain RBAC binding that is not KubeSphere's (4.1 keeps it, so ksmc leaves it
/// out).
async fn add_members(env: &Env) -> kube::Client {
    let member = env.client("prod-1").await;
    create(
        &member,
        json!({"apiVersion": IAM, "kind": "Role",
            "metadata": {"name": "pod-reader", "namespace": "apps-frontend",
                "annotations": {"kubesphere.io/creator": "admin",
                    "kubectl.kubernetes.io/last-applied-configuration": "{\"kind\":\"Role\"}"}},
            "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}]}),
    )
    .await;
    create(
        &member,
        binding(IAM, "apps-frontend", "alice", "pod-reader"),
    )
    .await;
    create(&member, binding(IAM, "apps-frontend", "bob", "viewer")).await;
    create(
        &member,
        binding(RBAC, "apps-frontend", "alice", "pod-reader"),
    )
    .await;
    create(&member, binding(IAM, "data-warehouse", "carol", "operator")).await;
    create(
        &member,
        json!({"apiVersion": RBAC, "kind": "RoleBinding",
            "metadata": {"name": "ci-deployer", "namespace": "apps-frontend"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
            "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "apps-frontend"}]}),
    )
    .await;
    member
}

/// `migrate-v4` with [`add_members`], and the plan of `input` on it.
async fn planned(input: WorkflowInput) -> (Env, kube::Client, workflow::Plan) {
    let env = Env::start(ksmc_sim::Scenario::migrate_v4()).await;
    let member = add_members(&env).await;
    let plan = workflow::plan_workflow(&input, &env.clusters)
        .await
        .unwrap();
    (env, member, plan)
}

/// (apiVersion, kind, namespace, name) of every object the plan snapshotted.
fn snapshotted(plan: &workflow::Plan) -> Vec<(String, String, String, String)> {
    plan.project_access
        .iter()
        .flat_map(|a| a.objects.iter())
        .map(|o| {
            (
                o["apiVersion"].as_str().unwrap().to_owned(),
                o["kind"].as_str().unwrap().to_owned(),
                o["metadata"]["namespace"].as_str().unwrap().to_owned(),
                o["metadata"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn key(api_version: &str, kind: &str, ns: &str, name: &str) -> (String, String, String, String) {
    (api_version.into(), kind.into(), ns.into(), name.into())
}

/// The objects the test added, each in the snapshot.
fn added() -> Vec<(String, String, String, String)> {
    vec![
        key(IAM, "Role", "apps-frontend", "pod-reader"),
        key(IAM, "RoleBinding", "apps-frontend", "alice-pod-reader"),
        key(IAM, "RoleBinding", "apps-frontend", "bob-viewer"),
        key(RBAC, "RoleBinding", "apps-frontend", "alice-pod-reader"),
        key(IAM, "RoleBinding", "data-warehouse", "carol-operator"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v4_unbind_keeps_project_access_in_its_plan_and_4_1_really_deletes_it() {
    let (env, member, plan) = planned(unbind_prod_1()).await;
    let objects = snapshotted(&plan);
    for k in added() {
        assert!(objects.contains(&k), "{k:?} not in {objects:#?}");
    }
    // Nothing that is not KubeSphere's.
    assert!(
        !objects.iter().any(|k| k.3 == "ci-deployer"),
        "{objects:#?}"
    );
    assert_eq!(objects.len(), added().len(), "{objects:#?}");
    // Roles first: a binding is restored after the role it refers to.
    let frontend = &plan
        .project_access
        .iter()
        .find(|a| a.namespace == "apps-frontend")
        .unwrap();
    assert_eq!(frontend.objects[0]["kind"], "Role");
    // Only what recreating needs.
    let text = serde_json::to_string(&plan.project_access).unwrap();
    for leaked in [
        "uid",
        "resourceVersion",
        "managedFields",
        "ownerReferences",
        "creationTimestamp",
        "last-applied-configuration",
        "status",
    ] {
        assert!(!text.contains(leaked), "{leaked} in {text}");
    }
    let role = &frontend.objects[0];
    assert_eq!(role["rules"][0]["resources"], json!(["pods", "pods/log"]));
    assert_eq!(
        role["metadata"]["annotations"],
        json!({"kubesphere.io/creator": "admin"})
    );
    // The review says it, and how to restore by hand.
    let warning = plan
        .warnings
        .iter()
        .find(|w| w.contains("removed by KubeSphere 4.1"))
        .unwrap_or_else(|| panic!("{:#?}", plan.warnings));
    assert!(
        warning.starts_with(
            "1 project role(s) and 4 member binding(s) on prod-1 (apps-frontend, data-warehouse)"
        ),
        "{warning}"
    );
    assert!(
        warning.contains("kubectl --kubeconfig prod-1.kubeconfig create -f -"),
        "{warning}"
    );
    assert!(
        !plan
            .steps()
            .any(|s| matches!(s.action, Action::RestoreProjectAccess { .. }))
    );

    // A rebind alone cannot know which run kept a project's access: it says so, and how.
    let rebind = workflow::plan_workflow(
        &WorkflowInput::Rebind {
            host: "old-host".into(),
            member: "prod-1".into(),
            cluster_name: None,
            bindings: [("scratch".to_owned(), "ws-data".to_owned())].into(),
        },
        &env.clusters,
    )
    .await
    .unwrap();
    assert!(
        rebind.warnings.iter().any(|w| w
            .contains("deleted the project roles and member bindings of scratch on prod-1")
            && w.contains("a rebind alone does not restore them")
            && w.contains("create -f -")),
        "{:#?}",
        rebind.warnings
    );
    assert!(restore_steps(&rebind).is_empty() && rebind.project_access.is_empty());

    let run = env.runs.create(&plan).unwrap();
    assert_eq!(
        run.plan().unwrap().project_access,
        plan.project_access,
        "kept in plan.json"
    );
    let report = env.apply(&run, true).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    // The hazard is real: 4.1's namespace controller deleted them all.
    for (api_version, kind, ns, name) in objects {
        let m = member.clone();
        wait_until(&format!("{kind} {ns}/{name} is deleted"), || {
            let (m, api_version, kind, ns, name) = (
                m.clone(),
                api_version.clone(),
                kind.clone(),
                ns.clone(),
                name.clone(),
            );
            async move { get(&m, &ns, &api_version, &kind, &name).await.is_none() }
        })
        .await;
    }
    assert!(
        get(&member, "apps-frontend", RBAC, "RoleBinding", "ci-deployer")
            .await
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v4_migration_restores_every_project_role_and_binding() {
    let (env, member, plan) = planned(migrate_prod_1()).await;
    let titles: Vec<&str> = plan.phases.iter().map(|p| p.title.as_str()).collect();
    let restore_at = titles
        .iter()
        .position(|t| *t == "Restore project access")
        .unwrap();
    assert_eq!(titles[restore_at - 1], "Bind projects", "{titles:?}");
    assert_eq!(titles[restore_at + 1..], ["Verify"], "{titles:?}");
    let restore = &plan.phases[restore_at];
    assert_eq!(
        restore.steps.len(),
        2,
        "one per rebound project with access"
    );
    for s in &restore.steps {
        assert_eq!(s.action.writes_to(), Some("prod-1"));
        assert!(
            s.kubectl[0].starts_with("kubectl --kubeconfig prod-1.kubeconfig create -f - <<'EOF'"),
            "{}",
            s.kubectl[0]
        );
    }
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("ksmc restores them when it rebinds")),
        "{:#?}",
        plan.warnings
    );
    assert!(plan.written_clusters().contains(&"prod-1".to_owned()));

    let report = env.plan_and_apply(&migrate_prod_1()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert!(report.notes.is_empty(), "{:#?}", report.notes);
    assert_restored(&member, &plan, None).await;
    for (ns, ws) in [("apps-frontend", "ws-apps"), ("data-warehouse", "ws-data")] {
        let n = namespace(&member, ns).await.expect(ns);
        assert_eq!(n.metadata.labels.unwrap()["kubesphere.io/workspace"], ws);
        assert!(n.metadata.deletion_timestamp.is_none());
    }
    // Still there a while later: 4.1's controller leaves a labelled project's access alone.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        get(
            &member,
            "apps-frontend",
            IAM,
            "RoleBinding",
            "alice-pod-reader"
        )
        .await
        .is_some()
    );
}

/// Every object the plan snapshotted is on the cluster with the snapshot's rules, roleRef and
/// subjects — but for `other`, made by someone else under the same name, which must be left
/// as it is.
async fn assert_restored(member: &kube::Client, plan: &workflow::Plan, other: Option<&Value>) {
    let id = |o: &Value| {
        (
            o["apiVersion"].clone(),
            o["metadata"]["namespace"].clone(),
            o["metadata"]["name"].clone(),
        )
    };
    for wanted in plan.project_access.iter().flat_map(|a| a.objects.iter()) {
        let (av, kind) = (
            wanted["apiVersion"].as_str().unwrap(),
            wanted["kind"].as_str().unwrap(),
        );
        let ns = wanted["metadata"]["namespace"].as_str().unwrap();
        let name = wanted["metadata"]["name"].as_str().unwrap();
        let found = get(member, ns, av, kind, name)
            .await
            .unwrap_or_else(|| panic!("{ns}/{name} was not restored"));
        let expected = other.filter(|o| id(o) == id(wanted)).unwrap_or(wanted);
        for field in ["rules", "roleRef", "subjects"] {
            assert_eq!(found.get(field), expected.get(field), "{ns}/{name} {field}");
        }
    }
}

/// The snapshotted object `ns`/`name` of `api_version` (kinds by name: all but one are
/// bindings, and the Role's name is unique).
fn get_from(plan: &workflow::Plan, api_version: &str, ns: &str, name: &str) -> Value {
    plan.project_access
        .iter()
        .flat_map(|a| a.objects.iter())
        .find(|o| {
            o["apiVersion"] == api_version
                && o["metadata"]["namespace"] == ns
                && o["metadata"]["name"] == name
        })
        .cloned()
        .unwrap()
}

fn restore_steps(plan: &workflow::Plan) -> Vec<u32> {
    plan.steps()
        .filter(|s| matches!(s.action, Action::RestoreProjectAccess { .. }))
        .map(|s| s.id)
        .collect()
}

/// Restore writes journalled with this answer, from every invocation.
fn restore_writes(run: &workflow::RunDir, steps: &[u32], answer: u16) -> usize {
    Journal::read(&run.journal_path())
        .unwrap()
        .records
        .iter()
        .filter(|r| matches!(r, Record::Result { step, status, .. } if steps.contains(step) && *status == answer))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_stopped_mid_restore_resumes_without_duplicates_or_losses() {
    let (env, member, plan) = planned(migrate_prod_1()).await;
    let run = env.runs.create(&plan).unwrap();
    let steps = restore_steps(&plan);
    // The member answers nothing to the restore of apps-frontend's Role (it is created, the
    // answer lost, as with a crash mid-write) and refuses (503) every binding created there,
    // so that project's restore stops after its Role; the run is then stopped (dropped
    // mid-step, as a kill would) once a refusal is recorded.
    let lost = FaultRule::new(Fault::AppliedButLost)
        .methods(&["POST"])
        .path_prefix("/apis/iam.kubesphere.io/v1beta1/namespaces/apps-frontend/roles")
        .count(1);
    let refused = FaultRule::new(Fault::ServiceUnavailable)
        .methods(&["POST"])
        .path_prefix("/apis/iam.kubesphere.io/v1beta1/namespaces/apps-frontend/rolebindings");
    env.estate
        .set_faults("prod-1", FaultPlan::latency(0, 0).rule(lost).rule(refused))
        .unwrap();
    let stop = async {
        for _ in 0..2400 {
            if restore_writes(&run, &steps, 503) > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no refused restore write within 60 s");
    };
    tokio::select! {
        report = env.apply(&run, true) => panic!("the run ended before it was stopped: {report:#?}"),
        () = stop => {}
    }
    env.estate.clear_faults("prod-1").unwrap();
    let mut missing = Vec::new();
    for k in added() {
        if get(&member, &k.2, &k.0, &k.1, &k.3).await.is_none() {
            missing.push(k);
        }
    }
    let role = key(IAM, "Role", "apps-frontend", "pod-reader");
    assert!(
        !missing.contains(&role) && missing.len() >= 3,
        "the Role restored, apps-frontend's bindings not; missing {missing:?}"
    );
    assert_eq!(run.summary().unwrap().status, RunStatus::Interrupted);

    // Meanwhile someone makes one of the missing objects, under its name, with other
    // content: ksmc never overwrites it, and says so.
    let (av, kind, ns, name) = missing[0].clone();
    let mut other = get_from(&plan, &av, &ns, &name);
    if kind == "Role" {
        other["rules"] = json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]);
    } else {
        other["roleRef"]["name"] = json!("admin");
    }
    create(&member, other.clone()).await;

    let report = env.apply(&run, false).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_restored(&member, &plan, Some(&other)).await;
    let field = if kind == "Role" { "rules" } else { "roleRef" };
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains(&format!("{ns}/{name}"))
                && n.contains(field)
                && n.contains("left it as it is")),
        "{:#?}",
        report.notes
    );
    // No duplicates: each object was created once, across both invocations.
    let posts: Vec<String> = env
        .estate
        .cluster("prod-1")
        .unwrap()
        .writes()
        .into_iter()
        .filter(|w| w.method == "POST" && w.status == 201 && w.path.contains("/roles"))
        .map(|w| w.path)
        .collect();
    assert_eq!(
        posts
            .iter()
            .filter(
                |p| p.ends_with("/apis/iam.kubesphere.io/v1beta1/namespaces/apps-frontend/roles")
            )
            .count(),
        2,
        "the test's create and ksmc's restore, once: {posts:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_3x_plan_has_no_snapshot_and_hashes_as_before() {
    let env = Env::start(ksmc_sim::Scenario::migrate()).await;
    for input in [unbind_prod_1(), migrate_prod_1()] {
        let plan = workflow::plan_workflow(&input, &env.clusters)
            .await
            .unwrap();
        assert!(plan.project_access.is_empty());
        assert!(restore_steps(&plan).is_empty());
        assert!(
            !plan.warnings.iter().any(|w| w.contains("KubeSphere 4.1")),
            "{:#?}",
            plan.warnings
        );
        let json = serde_json::to_value(&plan).unwrap();
        assert!(json.get("projectAccess").is_none());
        // The hash is what it was before snapshots existed.
        let legacy = json!({"format": plan.format, "input": plan.input, "inventory": plan.inventory,
            "warnings": plan.warnings, "phases": plan.phases});
        let digest = Sha256::digest(legacy.to_string().as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(plan.hash, hex);
    }
}
