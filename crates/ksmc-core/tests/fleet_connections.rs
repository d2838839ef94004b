//! A cluster's reads under latency: its small reads share a few lanes while its big lists
//! (projects, users, workspaces) each keep one, page after page. The lanes delay reads; they
//! must drop none and stall none. The simulator also counts the TLS handshakes (new
//! connections) an inspection costs: one per cluster, since ksmc's clients speak HTTP/2.

use ksmc_core::ClusterSource;
use ksmc_core::fleet::inspect_sources;
use ksmc_sim::scenario::BigSize;
use ksmc_sim::{Estate, EstateOptions, FaultPlan, Scenario};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fact_arrives_through_the_lanes_and_each_cluster_opens_connections() {
    let size = BigSize {
        members: 1,
        namespaces: 1_200,
        users: 600,
        workspaces: 20,
    };
    let options = EstateOptions {
        // With latency every read of a cluster is in flight at once, as over a real network.
        faults: FaultPlan::latency(20, 0),
        ..EstateOptions::default()
    };
    let estate = Estate::start(&Scenario::big(&size), &options)
        .await
        .expect("estate starts");
    let sources: Vec<ClusterSource> = estate
        .clusters()
        .iter()
        .map(|c| ClusterSource::from_yaml(&c.entry.name, &estate.kubeconfig(c).unwrap()).unwrap())
        .collect();
    let handshakes = |estate: &Estate| -> Vec<(String, u64)> {
        estate
            .clusters()
            .iter()
            .map(|c| (c.entry.name.clone(), c.faults.tls_handshakes()))
            .collect()
    };
    let before = handshakes(&estate);
    let report = inspect_sources(&sources).await;
    let after = handshakes(&estate);

    // Every fact arrived: the lanes delay reads, they drop none.
    for c in &report.clusters {
        assert!(c.error.is_none(), "{}: {:?}", c.name, c.error);
        assert!(c.fact_errors.is_empty(), "{}: {:?}", c.name, c.fact_errors);
    }
    let member = report
        .clusters
        .iter()
        .find(|c| c.name == "member-01")
        .unwrap();
    assert!(member.projects.all().len() >= 1_200);
    assert!(member.users.all().len() >= 600);
    assert!(member.workspaces.all().len() >= 20);
    assert!(member.access.global_role_bindings.items.is_some());

    // Each cluster was reached over one connection: ksmc's clients offer HTTP/2 by ALPN,
    // the simulator (as kube-apiserver) accepts it, and a cluster's concurrent reads are
    // streams of that connection.
    for (((name, b), (_, a)), c) in before.iter().zip(&after).zip(estate.clusters()) {
        let opened = a - b;
        let requests = c.faults.stats().requests;
        assert!(requests > 1, "{name}: {requests} requests");
        assert_eq!(
            opened, 1,
            "{name}: {opened} TLS handshakes for {requests} requests"
        );
    }

    // The count is of connections, not requests: one client's requests share its one
    // connection, one after another or in flight together (20 ms each here).
    let host = estate.cluster("host").unwrap();
    let source = sources.iter().find(|s| s.name == "host").unwrap();
    let client = source.client().await.unwrap();
    let h0 = host.faults.tls_handshakes();
    for _ in 0..4 {
        client.apiserver_version().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(host.faults.tls_handshakes() - h0, 1);
    let h1 = host.faults.tls_handshakes();
    let together = futures::future::join_all((0..3).map(|_| client.apiserver_version())).await;
    assert!(together.iter().all(Result::is_ok));
    assert_eq!(host.faults.tls_handshakes() - h1, 0);
    // kube's own builder offers HTTP/1.1 only: requests in flight together need a
    // connection each there.
    let kubeconfig =
        kube::config::Kubeconfig::from_yaml(&estate.kubeconfig(host).unwrap()).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    let http1 = kube::Client::try_from(config).unwrap();
    let h2 = host.faults.tls_handshakes();
    let together = futures::future::join_all((0..3).map(|_| http1.apiserver_version())).await;
    assert!(together.iter().all(Result::is_ok));
    assert!(host.faults.tls_handshakes() - h2 >= 2);
    estate.shutdown().await;
}
