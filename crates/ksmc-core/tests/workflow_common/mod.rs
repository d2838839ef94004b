//! A running ksmc-sim estate, its clusters for workflows, and a runs directory.
#![allow(dead_code)]

use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use ksmc_core::kubeconfig::sources_in_dir;
use ksmc_core::workflow::{Clusters, Runs};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use kube::api::Api;

pub struct Env {
    pub estate: Estate,
    pub dir: tempfile::TempDir,
    pub runs: Runs,
    pub clusters: Clusters,
}

impl Env {
    pub async fn start(scenario: Scenario) -> Self {
        Self::start_with(scenario, EstateOptions::default()).await
    }

    pub async fn start_with(scenario: Scenario, options: EstateOptions) -> Self {
        let estate = Estate::start(&scenario, &options).await.expect("estate");
        let dir = tempfile::tempdir().unwrap();
        estate.write_dir(dir.path()).unwrap();
        let sources = sources_in_dir(dir.path())
            .unwrap()
            .into_iter()
            .map(|(_, s)| s.unwrap());
        let clusters = Clusters::new(sources);
        let runs = Runs::new(&dir.path().join("runs"));
        Self {
            estate,
            dir,
            runs,
            clusters,
        }
    }

    /// A plain client (kube's default retries) for checking from outside.
    pub async fn client(&self, name: &str) -> kube::Client {
        self.clusters.source(name).unwrap().client().await.unwrap()
    }
}

/// Unbind `prod-1` from `old-host`, keeping every project (the `migrate` scenarios), settling 1 s.
pub fn unbind_prod_1() -> ksmc_core::workflow::WorkflowInput {
    ksmc_core::workflow::WorkflowInput::Unbind {
        member: "prod-1".into(),
        old_host: Some("old-host".into()),
        cluster_name: None,
        projects: None,
        settle_seconds: 1,
    }
}

/// Migrate `prod-1` from `old-host` to `new-host`, every project to the workspace of the same
/// name, settling 1 s.
pub fn migrate_prod_1() -> ksmc_core::workflow::WorkflowInput {
    ksmc_core::workflow::WorkflowInput::Migrate {
        member: "prod-1".into(),
        old_host: Some("old-host".into()),
        new_host: "new-host".into(),
        cluster_name: None,
        projects: None,
        workspace_map: std::collections::BTreeMap::new(),
        settle_seconds: 1,
    }
}

pub async fn namespace(client: &kube::Client, name: &str) -> Option<Namespace> {
    Api::<Namespace>::all(client.clone())
        .get_opt(name)
        .await
        .unwrap()
}

pub async fn ns_names(client: &kube::Client) -> Vec<String> {
    Api::<Namespace>::all(client.clone())
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect()
}

pub async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

impl Env {
    /// Plans `input`, saves the run and applies it (stale check on).
    pub async fn plan_and_apply(
        &self,
        input: &ksmc_core::workflow::WorkflowInput,
    ) -> ksmc_core::workflow::RunReport {
        let plan = ksmc_core::workflow::plan_workflow(input, &self.clusters)
            .await
            .expect("plan");
        let run = self.runs.create(&plan).unwrap();
        self.apply(&run, true).await
    }

    /// Applies (or resumes, without the stale check) a saved run.
    pub async fn apply(
        &self,
        run: &ksmc_core::workflow::RunDir,
        check_stale: bool,
    ) -> ksmc_core::workflow::RunReport {
        ksmc_core::workflow::apply(
            &self.clusters,
            run,
            &ksmc_core::workflow::ApplyOptions {
                check_stale,
                ..ksmc_core::workflow::ApplyOptions::default()
            },
            &ksmc_core::workflow::NoProgress,
        )
        .await
        .expect("apply starts")
    }
}
