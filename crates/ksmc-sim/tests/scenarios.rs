//! The named scenarios start in the state they promise.

mod common;

use common::client;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use ksmc_sim::scenario::BigSize;
use ksmc_sim::{Estate, EstateOptions, Scenario};
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::Value;

fn dynamic(
    c: &kube::Client,
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
) -> Api<DynamicObject> {
    Api::all_with(
        c.clone(),
        &ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural),
    )
}

async fn config(c: &kube::Client) -> Option<Value> {
    let cm = Api::<ConfigMap>::namespaced(c.clone(), "kubesphere-system")
        .get_opt("kubesphere-config")
        .await
        .unwrap()?;
    serde_saphyr::from_str(&cm.data.unwrap()["kubesphere.yaml"]).ok()
}

fn ready(c: &DynamicObject) -> bool {
    c.data
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|x| x["type"] == "Ready" && x["status"] == "True")
        })
}

#[tokio::test]
async fn migrate_starts_with_a_member_bound_to_the_old_host() {
    let estate = Estate::start(&Scenario::migrate(), &EstateOptions::default())
        .await
        .unwrap();
    let old = client(&estate, "old-host").await;
    let new = client(&estate, "new-host").await;
    let member = client(&estate, "prod-1").await;

    let bound = dynamic(
        &old,
        "cluster.kubesphere.io",
        "v1alpha1",
        "Cluster",
        "clusters",
    )
    .get("prod-1")
    .await
    .unwrap();
    assert!(ready(&bound));
    let new_clusters = dynamic(
        &new,
        "cluster.kubesphere.io",
        "v1alpha1",
        "Cluster",
        "clusters",
    )
    .list(&ListParams::default())
    .await
    .unwrap();
    assert_eq!(
        new_clusters
            .items
            .iter()
            .map(|c| c.metadata.name.clone().unwrap())
            .collect::<Vec<_>>(),
        ["host"]
    );
    assert_eq!(
        config(&member).await.unwrap()["multicluster"]["clusterName"],
        "prod-1"
    );
    assert_ne!(
        config(&old).await.unwrap()["authentication"]["jwtSecret"],
        config(&new).await.unwrap()["authentication"]["jwtSecret"]
    );

    let ws = dynamic(
        &member,
        "tenant.kubesphere.io",
        "v1alpha1",
        "Workspace",
        "workspaces",
    );
    let apps = ws.get("ws-apps").await.unwrap();
    assert_eq!(
        apps.metadata.labels.as_ref().unwrap()["kubefed.io/managed"],
        "true"
    );
    assert!(ws.get_opt("ws-data").await.unwrap().is_some());

    let nss: Api<Namespace> = Api::all(member.clone());
    let owner_kinds = |n: &Namespace| -> Vec<String> {
        n.metadata
            .owner_references
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|r| format!("{}/{}", r.kind, r.name))
            .collect()
    };
    assert_eq!(
        owner_kinds(&nss.get("apps-frontend").await.unwrap()),
        ["Workspace/ws-apps"]
    );
    assert_eq!(
        owner_kinds(&nss.get("data-warehouse").await.unwrap()),
        ["Workspace/ws-data"]
    );
    let gitops = owner_kinds(&nss.get("apps-gitops").await.unwrap());
    assert!(
        gitops.contains(&"Application/apps-gitops".to_owned())
            && gitops.contains(&"Workspace/ws-apps".to_owned()),
        "{gitops:?}"
    );
    assert!(owner_kinds(&nss.get("scratch").await.unwrap()).is_empty());
    assert_eq!(
        nss.get("kubesphere-system")
            .await
            .unwrap()
            .metadata
            .labels
            .unwrap()["kubesphere.io/workspace"],
        "system-workspace"
    );

    let users = dynamic(&member, "iam.kubesphere.io", "v1alpha2", "User", "users");
    for u in ["alice", "bob"] {
        let copy = users.get(u).await.unwrap();
        assert_eq!(
            copy.metadata.labels.unwrap()["kubefed.io/managed"],
            "true",
            "{u} synced"
        );
    }
    estate.shutdown().await;
}

#[tokio::test]
async fn misconfigured_has_one_problem_per_member() {
    let estate = Estate::start(&Scenario::misconfigured(), &EstateOptions::default())
        .await
        .unwrap();
    let host_jwt =
        config(&client(&estate, "host").await).await.unwrap()["authentication"]["jwtSecret"]
            .clone();
    let role = config(&client(&estate, "m-role").await).await.unwrap();
    assert_eq!(role["multicluster"]["clusterRole"], "none");
    assert_eq!(role["authentication"]["jwtSecret"], host_jwt);
    let jwt = config(&client(&estate, "m-jwt").await).await.unwrap();
    assert_eq!(jwt["multicluster"]["clusterRole"], "member");
    assert_ne!(jwt["authentication"]["jwtSecret"], host_jwt);
    let plain = client(&estate, "m-plain").await;
    assert!(config(&plain).await.is_none());
    assert!(
        Api::<Namespace>::all(plain)
            .get_opt("kubesphere-system")
            .await
            .unwrap()
            .is_none()
    );
    let renamed = config(&client(&estate, "m-renamed").await).await.unwrap();
    assert_eq!(renamed["multicluster"]["clusterName"], "legacy-name");
    let dirty = client(&estate, "m-dirty").await;
    let p = Api::<Namespace>::all(dirty.clone())
        .get("team-a-web")
        .await
        .unwrap();
    assert_eq!(p.metadata.owner_references.unwrap()[0].name, "team-a");
    assert!(
        dynamic(&dirty, "iam.kubesphere.io", "v1alpha2", "User", "users")
            .get_opt("alice")
            .await
            .unwrap()
            .is_some()
    );
    estate.shutdown().await;
}

#[tokio::test]
async fn big_scales_to_its_size_and_every_member_is_ready() {
    let size = BigSize {
        members: 3,
        namespaces: 120,
        users: 15,
        workspaces: 7,
    };
    let estate = Estate::start(&Scenario::big(&size), &EstateOptions::default())
        .await
        .unwrap();
    let host = client(&estate, "host").await;
    let clusters = dynamic(
        &host,
        "cluster.kubesphere.io",
        "v1alpha1",
        "Cluster",
        "clusters",
    )
    .list(&ListParams::default())
    .await
    .unwrap();
    assert_eq!(clusters.items.len(), 4);
    assert!(clusters.items.iter().all(ready));
    let m = client(&estate, "member-02").await;
    let projects = Api::<Namespace>::all(m.clone())
        .list(
            &ListParams::default()
                .labels("kubesphere.io/workspace,kubesphere.io/workspace!=system-workspace"),
        )
        .await
        .unwrap();
    assert_eq!(projects.items.len(), 120);
    assert!(projects.items.iter().all(|n| {
        n.metadata
            .owner_references
            .as_ref()
            .is_some_and(|r| r.len() == 1)
    }));
    let users = dynamic(&m, "iam.kubesphere.io", "v1alpha2", "User", "users")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(
        users.items.len(),
        15 + 1,
        "synced users plus the local admin"
    );
    assert_eq!(
        dynamic(
            &m,
            "tenant.kubesphere.io",
            "v1alpha1",
            "Workspace",
            "workspaces"
        )
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .len(),
        7 + 1
    );
    estate.shutdown().await;
}
