//! Big LISTs on keep-alive HTTPS connections, sequential and concurrent, each answered within a
//! deadline: the simulator must never leave a LIST unanswered (every test stands on it).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use kube::api::ListParams;
use serde_json::json;

const SEEDED: usize = 3_000;
/// Generous for a debug build on a loaded 2-core machine; a lost answer waits forever.
const DEADLINE: Duration = Duration::from_secs(120);

async fn full_list(api: &Api<Namespace>) -> usize {
    api.list(&ListParams::default())
        .await
        .expect("LIST answered")
        .items
        .len()
}

async fn paged_names(api: &Api<Namespace>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut params = ListParams::default().limit(500);
    loop {
        let page = api.list(&params).await.expect("page answered");
        for ns in &page.items {
            assert!(
                names.insert(ns.metadata.name.clone().unwrap_or_default()),
                "a namespace appeared on two pages"
            );
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return names,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_lists_on_keep_alive_connections_are_always_answered() {
    let estate = common::estate().await;
    let host = estate.cluster("host").expect("host");
    for i in 0..SEEDED {
        host.cluster
            .seed_namespace(
                &format!("big-{i:05}"),
                json!({"kubesphere.io/workspace": "ws"}),
            )
            .expect("seeded");
    }
    let client = common::client(&estate, "host").await;
    let api: Api<Namespace> = Api::all(client);
    let expected = full_list(&api).await;
    assert!(expected >= SEEDED, "only {expected} namespaces listed");

    let work = async {
        // Sequential whole LISTs and paged walks reuse the client's keep-alive connections.
        for round in 0..8 {
            assert_eq!(full_list(&api).await, expected, "round {round}");
            let names = paged_names(&api).await;
            assert_eq!(names.len(), expected, "paged walk {round}");
        }
        // Concurrent big LISTs: several connections busy with multi-megabyte answers at once.
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let api = api.clone();
                tokio::spawn(async move {
                    for _ in 0..4 {
                        assert_eq!(full_list(&api).await, expected);
                        assert_eq!(paged_names(&api).await.len(), expected);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("concurrent lister");
        }
    };
    tokio::time::timeout(DEADLINE, work)
        .await
        .expect("every LIST answered within the deadline");
    estate.shutdown().await;
}
