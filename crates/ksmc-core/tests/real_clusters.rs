//! Opt-in: the read-only half of the suite against real clusters. Set
//! `KSMC_REAL_KUBECONFIG_DIR` to a directory of kubeconfigs (one per cluster, the file stem is
//! its name); otherwise the test says it is skipped. Nothing is written: fleet inspection runs,
//! and for every member a host manages an unbind is planned twice (planning only reads) and
//! must give the same plan.

use ksmc_core::kubeconfig::sources_in_dir;
use ksmc_core::workflow::{self, Clusters, WorkflowInput};

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
