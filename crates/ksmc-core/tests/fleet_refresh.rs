//! Refreshing one cluster of a report against a running ksmc-sim over HTTPS: after a change
//! on one cluster, re-reading that cluster alone and merging it gives the same facts and
//! findings as a fresh inspection of every cluster, and the other clusters are not read
//! (the simulator counts each cluster's requests).

use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use ksmc_core::ClusterSource;
use ksmc_core::ErrorKind;
use ksmc_core::fleet::{FleetReport, inspect_sources, refresh_clusters};
use ksmc_sim::{Estate, EstateOptions, FaultPlan, Partition, Scenario};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, PostParams};
use kube::core::GroupVersionKind;
use serde_json::json;

async fn start(scenario: &Scenario) -> (Estate, Vec<ClusterSource>) {
    let options = EstateOptions {
        // Any latency makes the fault layer count every request of each cluster.
        faults: FaultPlan::latency(1, 0),
        ..EstateOptions::default()
    };
    let estate = Estate::start(scenario, &options)
        .await
        .expect("estate starts");
    let sources = estate
        .clusters()
        .iter()
        .map(|c| ClusterSource::from_yaml(&c.entry.name, &estate.kubeconfig(c).unwrap()).unwrap())
        .collect();
    (estate, sources)
}

fn requests(estate: &Estate) -> Vec<(String, u64)> {
    estate
        .clusters()
        .iter()
        .map(|c| (c.entry.name.clone(), c.faults.stats().requests))
        .collect()
}

/// Requests each cluster served between two readings of [`requests`].
fn served(before: &[(String, u64)], after: &[(String, u64)]) -> Vec<(String, u64)> {
    before
        .iter()
        .zip(after)
        .map(|((name, b), (_, a))| (name.clone(), a - b))
        .collect()
}

/// The report without what differs between two reads of the same state (round trips).
fn normalised(mut report: FleetReport) -> FleetReport {
    for c in &mut report.clusters {
        c.latency_ms = None;
    }
    report
}

/// A fresh inspection once the simulator's controllers have settled (two inspections in a
/// row agree).
async fn settled(sources: &[ClusterSource]) -> FleetReport {
    let mut last = normalised(inspect_sources(sources).await);
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let next = normalised(inspect_sources(sources).await);
        if next == last {
            return next;
        }
        last = next;
    }
    panic!("the estate did not settle");
}

fn source<'a>(sources: &'a [ClusterSource], name: &str) -> &'a ClusterSource {
    sources.iter().find(|s| s.name == name).unwrap()
}

fn ids(report: &FleetReport, cluster: &str) -> Vec<String> {
    let mut ids: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.cluster == cluster)
        .map(|f| f.id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn labelled(name: &str, workspace: &str) -> Namespace {
    serde_json::from_value(json!({"metadata": {
        "name": name, "labels": {"kubesphere.io/workspace": workspace}}}))
    .unwrap()
}

fn dynamic(group: &str, version: &str, kind: &str) -> ApiResource {
    ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind))
}

/// Refreshes `names` in `report` and checks it against a fresh inspection and the request
/// counts: no other cluster was read (`names` were, when they answer).
async fn refresh_and_compare(
    estate: &Estate,
    sources: &[ClusterSource],
    report: &mut FleetReport,
    names: &[&str],
) -> ksmc_core::fleet::FleetPatch {
    let fresh = settled(sources).await;
    let before = requests(estate);
    let names: Vec<String> = names.iter().map(|&n| n.to_owned()).collect();
    let patch = refresh_clusters(report, sources, &names)
        .await
        .expect("refresh");
    for (cluster, count) in served(&before, &requests(estate)) {
        if names.contains(&cluster) {
            let reachable = estate
                .cluster(&cluster)
                .unwrap()
                .faults
                .partition()
                .is_none();
            assert!(!reachable || count > 0, "{cluster} was not read again");
        } else {
            assert_eq!(count, 0, "{cluster} was read again ({count} requests)");
        }
    }
    let merged = normalised(report.clone());
    for (got, want) in merged.clusters.iter().zip(&fresh.clusters) {
        assert_eq!(got, want, "facts of {}", want.name);
    }
    assert_eq!(merged.findings, fresh.findings);
    assert_eq!(merged, fresh);
    patch
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refreshed_member_merges_into_the_same_report_as_a_fresh_inspection() {
    let (estate, sources) = start(&Scenario::migrate()).await;
    let mut report = settled(&sources).await;
    let member = source(&sources, "prod-1").client().await.unwrap();

    // On prod-1: a new project, a project of a workspace it lacks, a project deleted, a
    // jwtSecret other than its host's, and a synced user's copy removed.
    let nss: Api<Namespace> = Api::all(member.clone());
    nss.create(&PostParams::default(), &labelled("apps-new", "ws-apps"))
        .await
        .unwrap();
    nss.create(
        &PostParams::default(),
        &labelled("ghost-project", "ws-ghost"),
    )
    .await
    .unwrap();
    nss.delete("apps-backend", &DeleteParams::default())
        .await
        .unwrap();
    // The jwtSecret KubeSphere runs with: `kubesphere-config` as ks-installer would render it.
    let cms: Api<ConfigMap> = Api::namespaced(member.clone(), "kubesphere-system");
    let mut config = cms.get("kubesphere-config").await.unwrap();
    let data = config.data.as_mut().unwrap();
    let yaml = data.get_mut("kubesphere.yaml").unwrap();
    let host_jwt = yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("jwtSecret:"))
        .unwrap()
        .trim()
        .to_owned();
    *yaml = yaml.replace(&host_jwt, "another-secret-0123456789abcdef");
    cms.replace("kubesphere-config", &PostParams::default(), &config)
        .await
        .unwrap();
    let users: Api<DynamicObject> = Api::all_with(
        member.clone(),
        &dynamic("iam.kubesphere.io", "v1alpha2", "User"),
    );
    users
        .delete("alice", &DeleteParams::default())
        .await
        .unwrap();

    let old = report.clone();
    let patch = refresh_and_compare(&estate, &sources, &mut report, &["prod-1"]).await;
    // The changes are there, and so are the cross-cluster findings they imply.
    let prod = report.clusters.iter().find(|c| c.name == "prod-1").unwrap();
    let projects: Vec<&str> = prod
        .projects
        .all()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert!(projects.contains(&"apps-new") && projects.contains(&"ghost-project"));
    assert!(!projects.contains(&"apps-backend"), "{projects:?}");
    let all = |r: &FleetReport| {
        r.findings
            .iter()
            .map(|f| format!("{} {}", f.cluster, f.id))
            .collect::<Vec<_>>()
    };
    assert!(
        ids(&report, "prod-1").contains(&"jwt-mismatch".to_owned()),
        "{:?}",
        all(&report)
    );
    assert!(
        !ids(&old, "prod-1").contains(&"jwt-mismatch".to_owned()),
        "{:?}",
        all(&old)
    );
    // The host's user sync with prod-1 changed: the patch carries old-host too, not new-host.
    let sync = |r: &FleetReport| {
        r.clusters
            .iter()
            .find(|c| c.name == "old-host")
            .unwrap()
            .clusters
            .all()
            .iter()
            .find_map(|mc| mc.users_synced.clone())
            .unwrap()
    };
    assert_eq!(sync(&report).missing, vec!["alice".to_owned()]);
    assert!(sync(&old).missing.is_empty());
    let mut patched: Vec<&str> = patch.clusters.iter().map(|c| c.name.as_str()).collect();
    patched.sort_unstable();
    assert_eq!(patched, ["old-host", "prod-1"]);
    assert_eq!(patch.findings, report.findings);
    assert_eq!(patch.order, ["old-host", "prod-1", "new-host"]);

    // prod-1 unreachable: its row has the error, and the host's user sync with it is gone.
    estate
        .cluster("prod-1")
        .unwrap()
        .faults
        .set_partition(Some(Partition::Reset));
    let patch = refresh_and_compare(&estate, &sources, &mut report, &["prod-1"]).await;
    assert!(
        report
            .clusters
            .iter()
            .find(|c| c.name == "prod-1")
            .unwrap()
            .error
            .is_some()
    );
    assert!(ids(&report, "prod-1").contains(&"cluster-unreadable".to_owned()));
    assert!(patch.clusters.iter().any(|c| c.name == "old-host"));
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refreshed_host_and_member_merge_like_a_fresh_inspection() {
    let (estate, sources) = start(&Scenario::migrate()).await;
    let mut report = settled(&sources).await;
    // A user created on the host (KubeFed copies it to prod-1), and a Cluster label changed.
    let host = source(&sources, "old-host").client().await.unwrap();
    let users: Api<DynamicObject> = Api::all_with(
        host.clone(),
        &dynamic("iam.kubesphere.io", "v1alpha2", "User"),
    );
    let carol: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "iam.kubesphere.io/v1alpha2", "kind": "User",
        "metadata": {"name": "carol"}, "spec": {"email": "carol@example.com"}}))
    .unwrap();
    users.create(&PostParams::default(), &carol).await.unwrap();
    let patch = refresh_and_compare(&estate, &sources, &mut report, &["old-host", "prod-1"]).await;
    let mut patched: Vec<&str> = patch.clusters.iter().map(|c| c.name.as_str()).collect();
    patched.sort_unstable();
    assert_eq!(patched, ["old-host", "prod-1"]);
    let users = |name: &str| {
        report
            .clusters
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .users
            .all()
            .iter()
            .map(|u| u.name.clone())
            .collect::<Vec<_>>()
    };
    assert!(users("old-host").contains(&"carol".to_owned()));
    assert!(users("prod-1").contains(&"carol".to_owned()));
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_names_are_refused_before_any_read_and_change_nothing() {
    let (estate, sources) = start(&Scenario::fresh()).await;
    let mut report = inspect_sources(&sources).await;
    let kept = report.clone();
    let before = requests(&estate);
    let e = refresh_clusters(&mut report, &sources, &["member-1".into(), "nope".into()])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(
        e.message.contains("\"nope\"") && e.message.contains("host, member-1"),
        "{e}"
    );
    let e = refresh_clusters(&mut report, &sources, &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(report, kept);
    assert!(
        served(&before, &requests(&estate))
            .iter()
            .all(|(_, n)| *n == 0)
    );

    // A name given twice is read once.
    let before = requests(&estate);
    refresh_clusters(&mut report, &sources, &["member-1".into()])
        .await
        .unwrap();
    let once = served(&before, &requests(&estate));
    let before = requests(&estate);
    refresh_clusters(
        &mut report,
        &sources,
        &["member-1".into(), "member-1".into()],
    )
    .await
    .unwrap();
    assert_eq!(served(&before, &requests(&estate)), once);
    estate.shutdown().await;
}
