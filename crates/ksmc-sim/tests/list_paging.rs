//! A namespaced LIST, whole and in pages, with and without selectors: exactly that
//! namespace's matching objects, in order, each once, with continue tokens on every page but
//! the last and `remainingItemCount` only when no selector filters (as kube-apiserver).

mod common;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::ListParams;
use serde_json::json;

/// Namespaces whose names prefix or follow one another, so that a walk bounded to one of
/// them is tested at both of its ends.
const NAMESPACES: [&str; 4] = ["a", "b", "b-x", "c"];
const PER_NAMESPACE: usize = 9;

/// `tier=web` on even objects, `tier=db` on those divisible by 3 but odd, no label otherwise.
fn tier(i: usize) -> Option<&'static str> {
    if i.is_multiple_of(2) {
        Some("web")
    } else if i.is_multiple_of(3) {
        Some("db")
    } else {
        None
    }
}

/// Every page of a list: (names, continue token, remainingItemCount) per page.
async fn pages(
    api: &Api<ConfigMap>,
    params: ListParams,
) -> Vec<(Vec<String>, Option<String>, Option<i64>)> {
    let mut out = Vec::new();
    let mut params = params;
    loop {
        let page = api.list(&params).await.expect("page answered");
        let names = page
            .items
            .iter()
            .map(|o| o.metadata.name.clone().unwrap_or_default())
            .collect();
        let token = page.metadata.continue_.clone().filter(|c| !c.is_empty());
        out.push((names, token.clone(), page.metadata.remaining_item_count));
        match token {
            Some(token) => params = params.continue_token(&token),
            None => return out,
        }
        assert!(out.len() < 50, "the pages never end");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespaced_list_pages_exactly_that_namespaces_matching_objects() {
    let estate = common::estate().await;
    let host = estate.cluster("host").expect("host");
    for ns in NAMESPACES {
        host.cluster
            .seed_namespace(ns, json!({}))
            .expect("namespace seeded");
        for i in 0..PER_NAMESPACE {
            let mut labels = json!({"app": format!("cm-{ns}")});
            if let Some(t) = tier(i) {
                labels["tier"] = json!(t);
            }
            host.cluster
                .seed(json!({
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": format!("cm-{i}"), "namespace": ns, "labels": labels},
                    "data": {"i": i.to_string()},
                }))
                .expect("configmap seeded");
        }
    }
    let client = common::client(&estate, "host").await;
    let names = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
        (0..PER_NAMESPACE)
            .filter(|i| keep(*i))
            .map(|i| format!("cm-{i}"))
            .collect()
    };

    for ns in ["b", "b-x", "a", "c"] {
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), ns);

        // No selector, pages of 4: 9 objects = 4 + 4 + 1, the count of the rest is this
        // namespace's alone.
        let got = pages(&api, ListParams::default().limit(4)).await;
        let all = names(&|_| true);
        assert_eq!(
            got.iter().map(|p| p.0.clone()).collect::<Vec<_>>(),
            vec![all[0..4].to_vec(), all[4..8].to_vec(), all[8..].to_vec()],
            "{ns}"
        );
        assert_eq!(
            got.iter().map(|p| p.2).collect::<Vec<_>>(),
            vec![Some(5), Some(1), None],
            "{ns}: remainingItemCount"
        );
        assert!(got[0].1.is_some() && got[1].1.is_some() && got[2].1.is_none());

        // A label selector, pages of 2: the 5 `tier=web` objects = 2 + 2 + 1, continue tokens
        // but no remainingItemCount.
        let web = pages(&api, ListParams::default().labels("tier=web").limit(2)).await;
        let want = names(&|i| tier(i) == Some("web"));
        assert_eq!(
            web.iter().map(|p| p.0.clone()).collect::<Vec<_>>(),
            vec![want[0..2].to_vec(), want[2..4].to_vec(), want[4..].to_vec()],
            "{ns}: tier=web"
        );
        assert!(web.iter().all(|p| p.2.is_none()), "{ns}: {web:?}");
        assert_eq!(
            web.iter().map(|p| p.1.is_some()).collect::<Vec<_>>(),
            vec![true, true, false]
        );

        // A page that ends exactly at the last match has no continue token.
        let db = pages(&api, ListParams::default().labels("tier=db").limit(2)).await;
        assert_eq!(db.len(), 1, "{ns}: {db:?}");
        assert_eq!(db[0].0, names(&|i| tier(i) == Some("db")));
        assert!(db[0].1.is_none());

        // Set-based and negated selectors, whole.
        let unlabelled = pages(&api, ListParams::default().labels("!tier")).await;
        assert_eq!(
            unlabelled[0].0,
            names(&|i| tier(i).is_none()),
            "{ns}: !tier"
        );
        let mine = pages(
            &api,
            ListParams::default().labels(&format!("app=cm-{ns},tier in (db,web)")),
        )
        .await;
        assert_eq!(
            mine[0].0,
            names(&|i| tier(i).is_some()),
            "{ns}: app,tier in"
        );
        let other = pages(&api, ListParams::default().labels("app=cm-b")).await;
        let want_other = if ns == "b" { all.clone() } else { Vec::new() };
        assert_eq!(other[0].0, want_other, "{ns}: app=cm-b");

        // Field selectors, with a label selector and paging.
        let one = pages(&api, ListParams::default().fields("metadata.name=cm-4")).await;
        assert_eq!(one[0].0, vec!["cm-4".to_owned()], "{ns}");
        let web_not_four = pages(
            &api,
            ListParams::default()
                .fields("metadata.name!=cm-4")
                .labels("tier=web")
                .limit(3),
        )
        .await;
        let want = names(&|i| tier(i) == Some("web") && i != 4);
        assert_eq!(
            web_not_four
                .iter()
                .flat_map(|p| p.0.clone())
                .collect::<Vec<_>>(),
            want,
            "{ns}: tier=web, name!=cm-4"
        );
        assert_eq!(web_not_four.len(), 2);
    }

    // Across all namespaces, a selector still pages through every namespace in order.
    let all: Api<ConfigMap> = Api::all(client);
    let web = pages(&all, ListParams::default().labels("tier=web").limit(7)).await;
    let got: Vec<String> = web.iter().flat_map(|p| p.0.clone()).collect();
    assert_eq!(got.len(), NAMESPACES.len() * 5);
    assert_eq!(web.len(), 3, "20 objects in pages of 7");
    estate.shutdown().await;
}
