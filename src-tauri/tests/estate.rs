//! The open estate, switched at runtime: the vault's clusters (a session-only vault holding
//! the kubeconfigs of a running ksmc-sim estate) are inspected and planned on; the demo opens
//! on a scenario of the catalog and is stopped when left; its runs stay apart from real ones;
//! an unknown scenario and a run in flight refuse the switch and change nothing.

use std::sync::Arc;
use std::time::Duration;

use ksmc_core::vault::{AddOptions, ImportSource, LoadedKubeconfig, MemoryKeyStore, Vault};
use ksmc_core::workflow::{Progress, RunEvent, RunStatus, Runs, WorkflowInput};
use ksmc_core::{ErrorKind, EstateSource};
use ksmc_desktop_lib::state::{AppState, EstateChoice, demo_scenarios};
use ksmc_sim::{Estate, EstateOptions, Scenario};

/// A running `fresh` estate whose clusters are sealed in a session-only vault, plus one
/// cluster whose exec plugin was never approved (unusable until it is).
async fn vault_of_sim(dir: &std::path::Path) -> (Estate, Vault) {
    let estate = Estate::start(
        &Scenario::by_name("fresh").unwrap(),
        &EstateOptions::default(),
    )
    .await
    .expect("simulated estate");
    let vault = Vault::open(dir, Arc::new(MemoryKeyStore::new())).unwrap();
    for running in estate.clusters() {
        let yaml = estate.kubeconfig(running).unwrap();
        let loaded = LoadedKubeconfig::load(&ImportSource::Text(yaml)).unwrap();
        let name = running.entry.name.clone();
        vault
            .add(
                &loaded.prepare(None).unwrap(),
                &AddOptions {
                    name: Some(name),
                    ..AddOptions::default()
                },
            )
            .expect("a simulated cluster goes into the vault");
    }
    let exec = "apiVersion: v1\nkind: Config\ncurrent-context: eks\nclusters:\n- name: eks\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: eks\n  context:\n    cluster: eks\n    user: eks\nusers:\n- name: eks\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/true\n";
    let loaded = LoadedKubeconfig::load(&ImportSource::Text(exec.into())).unwrap();
    vault
        .add(
            &loaded.prepare(None).unwrap(),
            &AddOptions {
                name: Some("eks".into()),
                ..AddOptions::default()
            },
        )
        .unwrap();
    (estate, vault)
}

async fn vault_state(dir: &tempfile::TempDir) -> (Estate, AppState) {
    let (estate, vault) = vault_of_sim(&dir.path().join("vault")).await;
    let state = AppState::open(EstateChoice::Vault)
        .await
        .unwrap()
        .using_vault(vault)
        .using_runs(Runs::new(&dir.path().join("runs")));
    (estate, state)
}

fn names(report: &ksmc_core::fleet::FleetReport) -> Vec<String> {
    let mut names: Vec<String> = report.clusters.iter().map(|c| c.name.clone()).collect();
    names.sort();
    names
}

/// The loopback port of a cluster of the demo estate, from its fleet row.
fn port_of(report: &ksmc_core::fleet::FleetReport, cluster: &str) -> u16 {
    let server = &report
        .clusters
        .iter()
        .find(|c| c.name == cluster)
        .unwrap()
        .server;
    server.rsplit(':').next().unwrap().parse().expect(server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vault_estate_reads_and_plans_on_the_vaults_clusters() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, state) = vault_state(&dir).await;
    let info = state.estate_info();
    assert_eq!(info.source, EstateSource::Vault);
    assert_eq!(info.scenario, None);

    let report = state.inspect_fleet().await.expect("vault estate inspected");
    assert_eq!(names(&report), ["eks", "host", "member-1"]);
    let host = report.clusters.iter().find(|c| c.name == "host").unwrap();
    assert!(host.reachable && host.error.is_none(), "{:?}", host.error);
    // The unapproved exec plugin is reported on its row, not fatal for the others.
    let eks = report.clusters.iter().find(|c| c.name == "eks").unwrap();
    let error = eks.error.as_ref().expect("eks cannot be used yet");
    assert!(error.message.contains("approv"), "{}", error.message);
    assert!(
        report.findings.iter().any(|f| f.cluster == "member-1"),
        "member-1 is not a member yet: a finding says so"
    );

    // Workflows run on the vault's clusters; their runs are real ones.
    let plan = state
        .plan_workflow(&WorkflowInput::Import {
            host: "host".into(),
            member: "member-1".into(),
            cluster_name: None,
            fix: true,
        })
        .await
        .expect("import planned on the vault's clusters");
    assert!(!plan.is_empty());
    assert_eq!(Runs::new(&dir.path().join("runs")).list().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_to_the_demo_and_back_stops_the_simulator_and_keeps_runs_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, state) = vault_state(&dir).await;
    let mut changes = state.estate_changes();
    assert!(demo_scenarios().contains(&"migrate".to_owned()));

    let info = state
        .open_estate(EstateChoice::Demo("migrate".into()))
        .await
        .expect("demo opened");
    assert_eq!(info.source, EstateSource::Demo);
    assert_eq!(info.scenario.as_deref(), Some("migrate"));
    assert_eq!(state.estate_info(), info);
    assert!(changes.has_changed().unwrap(), "live views are told");
    assert_eq!(*changes.borrow_and_update(), 1);
    let demo = state.inspect_fleet().await.unwrap();
    assert_eq!(names(&demo), ["new-host", "old-host", "prod-1"]);
    let port = port_of(&demo, "prod-1");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());

    // A demo run is listed on the demo only, never among the real runs.
    let plan = state
        .plan_workflow(&WorkflowInput::Unbind {
            member: "prod-1".into(),
            old_host: Some("old-host".into()),
            cluster_name: None,
            projects: None,
            settle_seconds: 1,
        })
        .await
        .unwrap();
    assert_eq!(state.list_runs().unwrap().len(), 1);
    assert!(Runs::new(&dir.path().join("runs")).list().is_empty());

    let info = state.open_estate(EstateChoice::Vault).await.unwrap();
    assert_eq!(info.source, EstateSource::Vault);
    assert_eq!(*changes.borrow_and_update(), 2);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the demo's simulated servers stopped when it was left"
    );
    assert!(
        state.list_runs().unwrap().is_empty(),
        "demo runs stay apart"
    );
    let err = state.run_script(&plan.id).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{}", err.message);
    assert_eq!(
        names(&state.inspect_fleet().await.unwrap()),
        ["eks", "host", "member-1"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_scenario_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, state) = vault_state(&dir).await;
    let changes = state.estate_changes();
    let err = state
        .open_estate(EstateChoice::Demo("prod".into()))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert!(
        err.message.contains("unknown scenario \"prod\"") && err.message.contains("fresh"),
        "{}",
        err.message
    );
    assert_eq!(state.estate_info().source, EstateSource::Vault);
    assert!(!changes.has_changed().unwrap());
}

/// Tells the test once the run has started.
struct Started(std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>);

impl Progress for Started {
    fn event(&self, event: RunEvent) {
        if matches!(event, RunEvent::Started { .. })
            && let Some(tx) = self.0.lock().unwrap().take()
        {
            let _ = tx.send(());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_in_flight_refuses_the_switch() {
    let state = Arc::new(
        AppState::open(EstateChoice::Demo("migrate".into()))
            .await
            .unwrap(),
    );
    let plan = state
        .plan_workflow(&WorkflowInput::Unbind {
            member: "prod-1".into(),
            old_host: Some("old-host".into()),
            cluster_name: None,
            projects: None,
            settle_seconds: 3,
        })
        .await
        .unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let running = Arc::clone(&state);
    let id = plan.id.clone();
    let run = tokio::spawn(async move {
        running
            .apply_run(&id, false, Started(std::sync::Mutex::new(Some(tx))))
            .await
    });
    tokio::time::timeout(Duration::from_secs(30), rx)
        .await
        .expect("the run started")
        .unwrap();
    let err = state.open_estate(EstateChoice::Vault).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Locked);
    assert!(err.message.contains(&plan.id), "{}", err.message);
    assert_eq!(state.estate_info().source, EstateSource::Demo);

    let report = run.await.unwrap().expect("the run went on");
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    // Once it is done, the switch goes through.
    let info = state
        .open_estate(EstateChoice::Demo("fresh".into()))
        .await
        .unwrap();
    assert_eq!(info.scenario.as_deref(), Some("fresh"));
}
