//! Opt-in: the suite against real clusters. Set `KSMC_REAL_KUBECONFIG_DIR` to a directory of
//! kubeconfigs (one per cluster, the file stem is its name); otherwise each test says it is
//! skipped. The first test writes nothing: fleet inspection runs, and for every member a host
//! manages an unbind is planned twice (planning only reads) and must give the same plan. The
//! second migrates a member of a disposable estate and needs more variables (see there).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use ksmc_core::kubeconfig::sources_in_dir;
use ksmc_core::workflow::{self, ApplyOptions, Clusters, RunStatus, Runs, WorkflowInput, access};
use kube::api::{Api, ListParams};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_clusters_inspect_and_plan_without_writing() {
    let Some(dir) = std::env::var_os("KSMC_REAL_KUBECONFIG_DIR") else {
        eprintln!("skipped: set KSMC_REAL_KUBECONFIG_DIR to run against real clusters");
        return;
    };
    let sources: Vec<_> = sources_in_dir(std::path::Path::new(&dir))
        .expect("kubeconfig directory")
        .into_iter()
        .map(|(p, s)| s.unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    let report = ksmc_core::fleet::inspect_sources(&sources).await;
    for c in &report.clusters {
        assert!(
            c.error.is_none(),
            "{} cannot be read: {:?}",
            c.name,
            c.error
        );
        eprintln!(
            "{}: {:?}, Kubernetes {}, KubeSphere {}",
            c.name,
            c.role(),
            c.kubernetes_version
                .as_ref()
                .map_or("-", |v| v.value.as_str()),
            c.kubesphere_version().unwrap_or("-")
        );
    }
    eprintln!("{} findings", report.findings.len());
    let clusters = Clusters::new(sources.clone());
    for member in report
        .clusters
        .iter()
        .filter(|c| !c.is_host() && c.role() == ksmc_core::ClusterRole::Member)
    {
        let input = WorkflowInput::Unbind {
            member: member.name.clone(),
            old_host: None,
            cluster_name: None,
            projects: None,
            settle_seconds: workflow::DEFAULT_SETTLE_SECONDS,
        };
        let first = workflow::plan_workflow(&input, &clusters).await;
        let second = workflow::plan_workflow(&input, &clusters).await;
        match (first, second) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.hash, b.hash, "planning {} is deterministic", member.name);
                eprintln!("{}: {}", member.name, a.title);
            }
            (Err(a), _) => eprintln!("{}: refused: {a}", member.name),
            (_, Err(b)) => panic!("{}: second plan failed: {b}", member.name),
        }
    }
}

/// The workspace label KubeSphere binds a project with.
const WORKSPACE_LABEL: &str = "kubesphere.io/workspace";

/// Every namespace of `cluster` by name: its uid and workspace label.
async fn projects(
    clusters: &Clusters,
    cluster: &str,
) -> BTreeMap<String, (String, Option<String>)> {
    let client = clusters.client(cluster).await.expect("client");
    let api: Api<Namespace> = Api::all(client);
    api.list(&ListParams::default())
        .await
        .unwrap_or_else(|e| panic!("{cluster}: list namespaces: {e}"))
        .items
        .into_iter()
        .map(|ns| {
            let ws = access::label(&ns.metadata, WORKSPACE_LABEL).map(str::to_owned);
            (
                ns.metadata.name.clone().unwrap_or_default(),
                (ns.metadata.uid.clone().unwrap_or_default(), ws),
            )
        })
        .collect()
}

/// Opt-in and WRITING: the migrate suite against a disposable real estate. Besides
/// `KSMC_REAL_KUBECONFIG_DIR` it needs `KSMC_REAL_MIGRATE=MEMBER:OLD_HOST:NEW_HOST` and, typed
/// like the app's confirmation, `KSMC_REAL_CONFIRM=MEMBER`; `KSMC_REAL_WORKSPACE_MAP=a=b,c=d`
/// renames workspaces on the new host. The member moves to the new host keeping its projects:
/// afterwards every namespace it had exists with the same uid, and every project is bound to
/// its (mapped) workspace. Without the variables it says it is skipped and writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_clusters_migrate_keeps_every_project() {
    let (Some(dir), Some(spec)) = (
        std::env::var_os("KSMC_REAL_KUBECONFIG_DIR"),
        std::env::var("KSMC_REAL_MIGRATE").ok(),
    ) else {
        eprintln!(
            "skipped: set KSMC_REAL_KUBECONFIG_DIR, KSMC_REAL_MIGRATE=MEMBER:OLD_HOST:NEW_HOST \
             and KSMC_REAL_CONFIRM=MEMBER to migrate a member of a disposable real estate"
        );
        return;
    };
    let [member, old_host, new_host] = spec.split(':').collect::<Vec<_>>()[..] else {
        panic!("KSMC_REAL_MIGRATE is MEMBER:OLD_HOST:NEW_HOST, got {spec:?}");
    };
    assert_eq!(
        std::env::var("KSMC_REAL_CONFIRM").ok().as_deref(),
        Some(member),
        "this test writes to real clusters: confirm with KSMC_REAL_CONFIRM={member}"
    );
    let workspace_map: BTreeMap<String, String> = std::env::var("KSMC_REAL_WORKSPACE_MAP")
        .unwrap_or_default()
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (a, b) = p
                .split_once('=')
                .unwrap_or_else(|| panic!("KSMC_REAL_WORKSPACE_MAP entry {p:?} is not a=b"));
            (a.to_owned(), b.to_owned())
        })
        .collect();
    let sources = sources_in_dir(std::path::Path::new(&dir))
        .expect("kubeconfig directory")
        .into_iter()
        .filter_map(|(_, s)| s.ok());
    let clusters = Clusters::new(sources);
    let before = projects(&clusters, member).await;

    let input = WorkflowInput::Migrate {
        member: member.into(),
        old_host: Some(old_host.into()),
        new_host: new_host.into(),
        cluster_name: None,
        projects: None,
        workspace_map: workspace_map.clone(),
        settle_seconds: workflow::DEFAULT_SETTLE_SECONDS,
    };
    let plan = workflow::plan_workflow(&input, &clusters)
        .await
        .unwrap_or_else(|e| panic!("plan refused: {e}"));
    eprintln!("{}: {} steps", plan.title, plan.steps().count());
    let home = tempfile::tempdir().expect("runs dir");
    let runs = Runs::new(&home.path().join("runs"));
    let run = runs.create(&plan).expect("run");
    let report = workflow::apply(
        &clusters,
        &run,
        &ApplyOptions::default(),
        &workflow::NoProgress,
    )
    .await
    .expect("apply");
    assert_eq!(
        report.status,
        RunStatus::Succeeded,
        "run {} ended {:?}; its journal: {}",
        run.id(),
        report.status,
        run.journal_path().display()
    );

    let after = projects(&clusters, member).await;
    for (name, (uid, workspace)) in &before {
        let (uid_after, workspace_after) = after
            .get(name)
            .unwrap_or_else(|| panic!("NAMESPACE LOST: {name}"));
        assert_eq!(uid, uid_after, "{name} was deleted and re-created");
        if let Some(ws) = workspace {
            let expected = workspace_map.get(ws).unwrap_or(ws);
            assert_eq!(
                workspace_after.as_ref(),
                Some(expected),
                "{name} is not bound to {expected} on {new_host}"
            );
        }
    }
    eprintln!(
        "{member}: {} namespaces kept (same uid), {} workspace labels as expected on {new_host}",
        before.len(),
        before.values().filter(|(_, w)| w.is_some()).count()
    );
}
