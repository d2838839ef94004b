//! The `v4` scenario (the desktop's KubeSphere 4.x demo) starts in the state it promises, read
//! over HTTPS with kube-rs: a 4.1.3 host with two joined members, three InstallPlans (one
//! scheduled on member-1 only, one host-only, one failed), workspaces pushed to the members
//! their templates place, v1beta1 users with bindings pushed to the members, and a workspace
//! created on member-2 itself.

mod common;

use std::collections::BTreeSet;

use common::{client, eventually};
use k8s_openapi::api::core::v1::Namespace;
use ksmc_sim::scenario::ScenarioFlags;
use ksmc_sim::{Estate, EstateOptions, Scenario};
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::{Value, json};

fn dynamic(c: &kube::Client, gv: &str, kind: &str, plural: &str) -> Api<DynamicObject> {
    let (group, version) = gv.split_once('/').unwrap();
    Api::all_with(
        c.clone(),
        &ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural),
    )
}

async fn names(api: &Api<DynamicObject>) -> BTreeSet<String> {
    api.list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|o| o.metadata.name)
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

async fn value(api: &Api<DynamicObject>, name: &str) -> Value {
    serde_json::to_value(api.get(name).await.unwrap()).unwrap()
}

fn condition<'a>(o: &'a Value, ty: &str) -> Option<&'a str> {
    o.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)?
        .get("status")?
        .as_str()
}

async fn has_namespace(c: &kube::Client, name: &str) -> bool {
    Api::<Namespace>::all(c.clone())
        .get_opt(name)
        .await
        .unwrap()
        .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_starts_with_two_joined_members_extensions_workspaces_and_users() {
    let estate = Estate::start(&Scenario::by_name("v4").unwrap(), &EstateOptions::default())
        .await
        .unwrap();
    let host = client(&estate, "host").await;
    let m1 = client(&estate, "member-1").await;
    let m2 = client(&estate, "member-2").await;

    // Both members joined: Ready, ks-core installed by the host, their names recorded.
    let clusters = dynamic(
        &host,
        "cluster.kubesphere.io/v1alpha1",
        "Cluster",
        "clusters",
    );
    assert_eq!(
        names(&clusters).await,
        set(&["host", "member-1", "member-2"])
    );
    for (member, c) in [("member-1", &m1), ("member-2", &m2)] {
        let cluster = value(&clusters, member).await;
        assert_eq!(condition(&cluster, "Ready"), Some("True"), "{cluster:#}");
        assert_eq!(
            condition(&cluster, "KSCoreReady"),
            Some("True"),
            "{cluster:#}"
        );
        let ns = Api::<Namespace>::all(c.clone())
            .get("kubesphere-system")
            .await
            .unwrap();
        let annotations = ns.metadata.annotations.unwrap_or_default();
        assert_eq!(
            annotations
                .get("cluster.kubesphere.io/name")
                .map(String::as_str),
            Some(member)
        );
        assert_eq!(
            annotations
                .get("cluster.kubesphere.io/host-cluster")
                .map(String::as_str),
            Some("host")
        );
    }

    // Three extensions with InstallPlans on the host; only example-monitoring is scheduled,
    // and its agent reaches member-1 (not member-2).
    let plans = dynamic(
        &host,
        "kubesphere.io/v1alpha1",
        "InstallPlan",
        "installplans",
    );
    assert_eq!(
        names(&plans).await,
        set(&["example-devops", "example-logging", "example-monitoring"])
    );
    eventually(
        "example-monitoring's agent installed on member-1",
        || async {
            value(&plans, "example-monitoring")
                .await
                .pointer("/status/clusterSchedulingStatuses/member-1/state")
                == Some(&json!("Installed"))
        },
    )
    .await;
    let monitoring = value(&plans, "example-monitoring").await;
    assert_eq!(
        monitoring.pointer("/status/state"),
        Some(&json!("Installed"))
    );
    assert_eq!(
        monitoring.pointer("/spec/clusterScheduling/placement/clusters"),
        Some(&json!(["member-1"]))
    );
    assert_eq!(
        monitoring
            .pointer("/status/clusterSchedulingStatuses")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["member-1".to_owned()])
    );
    assert!(has_namespace(&m1, "extension-example-monitoring").await);
    assert!(!has_namespace(&m2, "extension-example-monitoring").await);

    let logging = value(&plans, "example-logging").await;
    assert_eq!(logging.pointer("/status/state"), Some(&json!("Installed")));
    assert!(
        logging
            .pointer("/status/clusterSchedulingStatuses")
            .and_then(Value::as_object)
            .is_some_and(serde_json::Map::is_empty),
        "{logging:#}"
    );
    let devops = value(&plans, "example-devops").await;
    assert_eq!(devops.pointer("/spec/enabled"), Some(&json!(true)));
    assert_eq!(
        devops.pointer("/status/state"),
        Some(&json!("InstallFailed"))
    );
    assert!(
        devops
            .pointer("/status/conditions/0/message")
            .and_then(Value::as_str)
            .is_some_and(|m| m.contains("timed out")),
        "{devops:#}"
    );
    let extensions = dynamic(&host, "kubesphere.io/v1alpha1", "Extension", "extensions");
    let states: Vec<(String, Value)> = {
        let mut v = Vec::new();
        for n in names(&extensions).await {
            let e = value(&extensions, &n).await;
            v.push((n, e.pointer("/status/state").cloned().unwrap_or_default()));
        }
        v
    };
    assert_eq!(
        states,
        [
            ("example-devops".to_owned(), json!("InstallFailed")),
            ("example-logging".to_owned(), json!("Installed")),
            ("example-monitoring".to_owned(), json!("Installed")),
        ]
    );
    // Members serve the 4.1 kinds but hold no InstallPlans of their own.
    for c in [&m1, &m2] {
        let p = dynamic(c, "kubesphere.io/v1alpha1", "InstallPlan", "installplans");
        assert!(names(&p).await.is_empty());
    }

    // Workspaces pushed (v1beta1) to the members their templates place; ws-sandbox exists
    // on member-2 only, created there.
    let ws =
        |c: &kube::Client| dynamic(c, "tenant.kubesphere.io/v1beta1", "Workspace", "workspaces");
    eventually("workspaces pushed to both members", || async {
        names(&ws(&m1)).await == set(&["system-workspace", "ws-apps", "ws-data"])
            && names(&ws(&m2)).await
                == set(&["system-workspace", "ws-data", "ws-sandbox", "ws-web"])
    })
    .await;
    let templates = dynamic(
        &host,
        "tenant.kubesphere.io/v1beta1",
        "WorkspaceTemplate",
        "workspacetemplates",
    );
    assert_eq!(
        names(&templates).await,
        set(&["system-workspace", "ws-apps", "ws-data", "ws-web"])
    );

    // Projects on the members, bound by label only (4.1.3 keeps no workspace owner).
    for (c, expected) in [
        (
            &m1,
            vec![
                ("apps-backend", "ws-apps"),
                ("apps-frontend", "ws-apps"),
                ("data-pipeline", "ws-data"),
            ],
        ),
        (
            &m2,
            vec![("data-reports", "ws-data"), ("web-shop", "ws-web")],
        ),
    ] {
        for (ns, workspace) in expected {
            let n = Api::<Namespace>::all(c.clone()).get(ns).await.unwrap();
            assert_eq!(
                n.metadata
                    .labels
                    .unwrap_or_default()
                    .get("kubesphere.io/workspace")
                    .map(String::as_str),
                Some(workspace),
                "{ns}"
            );
            assert!(n.metadata.owner_references.unwrap_or_default().is_empty());
        }
    }

    // Users on the host in iam v1beta1, none copied to members; their platform roles pushed
    // to both members, workspace memberships to the members of the workspace.
    let users = dynamic(&host, "iam.kubesphere.io/v1beta1", "User", "users");
    assert!(set(&["admin", "alice", "bob", "carol"]).is_subset(&names(&users).await));
    for c in [&m1, &m2] {
        let u = dynamic(c, "iam.kubesphere.io/v1beta1", "User", "users");
        assert!(!names(&u).await.contains("alice"));
    }
    let grb = |c: &kube::Client| {
        dynamic(
            c,
            "iam.kubesphere.io/v1beta1",
            "GlobalRoleBinding",
            "globalrolebindings",
        )
    };
    let wrb = |c: &kube::Client| {
        dynamic(
            c,
            "iam.kubesphere.io/v1beta1",
            "WorkspaceRoleBinding",
            "workspacerolebindings",
        )
    };
    eventually("role bindings pushed to the members", || async {
        let platform = set(&[
            "alice-platform-regular",
            "bob-platform-admin",
            "carol-platform-regular",
        ]);
        platform.is_subset(&names(&grb(&m1)).await)
            && platform.is_subset(&names(&grb(&m2)).await)
            && set(&["alice-ws-apps-admin", "alice-ws-data-regular"])
                .is_subset(&names(&wrb(&m1)).await)
            && set(&["alice-ws-data-regular", "carol-ws-web-viewer"])
                .is_subset(&names(&wrb(&m2)).await)
    })
    .await;
    // A membership goes only where its workspace is placed.
    assert!(!names(&wrb(&m1)).await.contains("carol-ws-web-viewer"));
    assert!(!names(&wrb(&m2)).await.contains("alice-ws-apps-admin"));

    // The failed install stays failed: the controller does not retry it on a resync.
    assert_eq!(
        value(&plans, "example-devops")
            .await
            .pointer("/status/state"),
        Some(&json!("InstallFailed"))
    );
    estate.shutdown().await;
}

#[test]
fn v4_is_listed_and_picked_with_either_kubesphere_flag() {
    assert!(Scenario::NAMES.contains(&"v4"));
    for version in ["3.4", "4.1"] {
        let flags = ScenarioFlags {
            kubesphere: version.into(),
            members: 1,
            namespaces: 1,
            users: 1,
            workspaces: 1,
        };
        let s = flags.scenario("v4").unwrap();
        assert_eq!(s.name, "v4", "--kubesphere {version}");
        assert_eq!(
            s.clusters
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["host", "member-1", "member-2"]
        );
        assert!(
            s.clusters
                .iter()
                .all(|c| c.release == ksmc_sim::scenario::Release::V41)
        );
    }
}
