//! The write log and the hazards (owners re-added, namespaces deleted by someone else), as a
//! kube-rs client and the control endpoint see them.

mod common;

use std::time::Duration;

use common::eventually;
use futures::{StreamExt as _, TryStreamExt as _};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use ksmc_sim::faults::FaultError;
use ksmc_sim::scenario::Fixture;
use ksmc_sim::{
    Estate, EstateOptions, Fault, FaultPlan, FaultRule, NamespaceDeletion, OwnerReAdd, Scenario,
    WriteRecord,
};
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

async fn start(options: EstateOptions) -> Estate {
    Estate::start(&Scenario::fresh(), &options)
        .await
        .expect("estate starts")
}

/// A kube-rs client that never retries, so one call is one request.
async fn client(estate: &Estate, cluster: &str) -> kube::Client {
    let yaml = estate.kubeconfig(estate.cluster(cluster).unwrap()).unwrap();
    let kc = kube::config::Kubeconfig::from_yaml(&yaml).unwrap();
    let mut cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    cfg.default_retry = false;
    kube::Client::try_from(cfg).unwrap()
}

fn object<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn w(method: &str, path: &str, status: u16) -> WriteRecord {
    WriteRecord::new(method, path, status)
}

/// One request to the control endpoint over a fresh connection.
async fn control(base: &str, method: &str, path: &str, body: &str) -> (u16, Value) {
    let authority = base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let code = head.split(' ').nth(1).unwrap().parse().unwrap();
    (code, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_write_log_holds_applied_writes_only_lost_answers_included() {
    let estate = start(EstateOptions {
        control_port: Some(0),
        ..EstateOptions::default()
    })
    .await;
    let host = estate.cluster("host").unwrap();
    let c = client(&estate, "host").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "w1");
    host.clear_writes();

    nss.create(
        &PostParams::default(),
        &object(json!({"metadata": {"name": "w1"}})),
    )
    .await
    .unwrap();
    // Rejected, dry-run and no-op writes change nothing and are not logged.
    nss.create(
        &PostParams::default(),
        &object(json!({"metadata": {"name": "w1"}})),
    )
    .await
    .unwrap_err();
    let dry = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    nss.create(&dry, &object(json!({"metadata": {"name": "w2"}})))
        .await
        .unwrap();
    let label = Patch::Merge(json!({"metadata": {"labels": {"a": "1"}}}));
    let labelled = nss
        .patch("w1", &PatchParams::default(), &label)
        .await
        .unwrap();
    nss.patch("w1", &PatchParams::default(), &label)
        .await
        .unwrap();
    let mut stale = labelled.clone();
    stale.metadata.resource_version = Some("1".into());
    nss.replace("w1", &PostParams::default(), &stale)
        .await
        .unwrap_err();
    nss.replace("w1", &PostParams::default(), &labelled)
        .await
        .unwrap();
    cms.create(
        &PostParams::default(),
        &object(json!({"metadata": {"name": "cm"}, "data": {"k": "v"}})),
    )
    .await
    .unwrap();
    cms.delete("cm", &DeleteParams::default()).await.unwrap();
    cms.delete("cm", &DeleteParams::default())
        .await
        .unwrap_err();
    nss.delete("w1", &DeleteParams::default()).await.unwrap();
    // Deleting a terminating namespace again is a 409, not a write.
    if nss.get_opt("w1").await.unwrap().is_some() {
        let _ = nss.delete("w1", &DeleteParams::default()).await;
    }
    // A write whose answer is lost was applied all the same.
    estate
        .set_faults(
            "host",
            FaultPlan::default().rule(
                FaultRule::new(Fault::AppliedButLost)
                    .methods(&["POST"])
                    .count(1),
            ),
        )
        .unwrap();
    nss.create(
        &PostParams::default(),
        &object(json!({"metadata": {"name": "lost"}})),
    )
    .await
    .unwrap_err();
    assert!(nss.get_opt("lost").await.unwrap().is_some());

    let expected = [
        w("POST", "/api/v1/namespaces", 201),
        w("PATCH", "/api/v1/namespaces/w1", 200),
        w("POST", "/api/v1/namespaces/w1/configmaps", 201),
        w("DELETE", "/api/v1/namespaces/w1/configmaps/cm", 200),
        w("DELETE", "/api/v1/namespaces/w1", 200),
        w("POST", "/api/v1/namespaces", 201),
    ];
    assert_eq!(host.writes(), expected);
    // Controllers wrote too (the namespace lifecycle), but they are not requests; the other
    // cluster saw nothing.
    assert!(estate.cluster("member-1").unwrap().writes().is_empty());

    let base = estate.control_url().unwrap();
    let (code, body) = control(&base, "GET", "/clusters/host/writes", "").await;
    assert_eq!(code, 200);
    assert_eq!(body, serde_json::to_value(&expected).unwrap());
    assert_eq!(
        body[1],
        json!({"method": "PATCH", "path": "/api/v1/namespaces/w1", "status": 200})
    );
    let (_, described) = control(&base, "GET", "/clusters/host", "").await;
    assert_eq!(described["writes"], 6);
    assert_eq!(host.take_writes().len(), 6);
    assert!(host.writes().is_empty());
    nss.patch("lost", &PatchParams::default(), &label)
        .await
        .unwrap();
    let (code, _) = control(&base, "DELETE", "/clusters/host/writes", "").await;
    assert_eq!(code, 200);
    assert!(host.writes().is_empty());
    estate.shutdown().await;
}

fn workspaces(c: &kube::Client) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk("tenant.kubesphere.io", "v1alpha1", "Workspace");
    Api::all_with(
        c.clone(),
        &ApiResource::from_gvk_with_plural(&gvk, "workspaces"),
    )
}

fn owner_names(ns: &Namespace) -> Vec<String> {
    ns.metadata
        .owner_references
        .iter()
        .flatten()
        .map(|r| format!("{}/{}/{}", r.kind, r.name, r.uid))
        .collect()
}

#[tokio::test]
async fn a_workspace_owner_a_client_removed_comes_back() {
    let estate = start(EstateOptions::default()).await;
    let c = client(&estate, "member-1").await;
    let ws = workspaces(&c)
        .create(
            &PostParams::default(),
            &object(
                json!({"apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace",
                "metadata": {"name": "local"}, "spec": {"manager": "admin"}}),
            ),
        )
        .await
        .unwrap();
    let uid = ws.metadata.uid.unwrap();
    let nss: Api<Namespace> = Api::all(c.clone());
    for name in ["proj", "other"] {
        nss.create(
            &PostParams::default(),
            &object(
                json!({"metadata": {"name": name, "labels": {"kubesphere.io/workspace": "local"}}}),
            ),
        )
        .await
        .unwrap();
    }
    let bound = vec![format!("Workspace/local/{uid}")];
    for name in ["proj", "other"] {
        eventually("bound by KubeSphere", || async {
            owner_names(&nss.get(name).await.unwrap()) == bound
        })
        .await;
    }
    let re_add = OwnerReAdd {
        delay_ms: 300,
        namespaces: vec!["pro*".into()],
        count: Some(1),
        ..OwnerReAdd::default()
    };
    estate
        .set_owner_re_add("member-1", Some(re_add.clone()))
        .unwrap();
    assert_eq!(
        estate.faults("member-1").unwrap().plan().re_add_owners,
        Some(re_add)
    );

    let proj = nss.get("proj").await.unwrap();
    let since = proj.metadata.resource_version.clone().unwrap();
    let watch = nss
        .watch(&WatchParams::default().fields("metadata.name=proj"), &since)
        .await
        .unwrap();
    // ksmc's unbind: the label and the ownerReferences in one merge patch.
    let unbind = Patch::Merge(
        json!({"metadata": {"labels": {"kubesphere.io/workspace": null}, "ownerReferences": []}}),
    );
    let mut unbound_rv = String::new();
    for name in ["other", "proj"] {
        let unbound = nss
            .patch(name, &PatchParams::default(), &unbind)
            .await
            .unwrap();
        assert!(owner_names(&unbound).is_empty());
        if name == "proj" {
            unbound_rv = unbound.metadata.resource_version.unwrap();
        }
    }
    assert_eq!(estate.hazard_stats("member-1").unwrap().re_adds_pending, 1);

    // 300 ms later the reference is back, label included, through a normal write.
    eventually("the owner re-added", || async {
        owner_names(&nss.get("proj").await.unwrap()) == bound
    })
    .await;
    let back = nss.get("proj").await.unwrap();
    assert_eq!(
        back.metadata.labels.as_ref().unwrap()["kubesphere.io/workspace"],
        "local"
    );
    let rv = |ns: &Namespace| {
        ns.metadata
            .resource_version
            .as_deref()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    assert!(rv(&back) > unbound_rv.parse::<u64>().unwrap());
    let events: Vec<WatchEvent<Namespace>> = watch
        .take_while(|e| {
            let done = matches!(e, Ok(WatchEvent::Modified(n)) if !owner_names(n).is_empty());
            futures::future::ready(!done)
        })
        .try_collect()
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, WatchEvent::Modified(n) if owner_names(n).is_empty())),
        "the watch saw the unbind first"
    );
    // Not in the write log: nobody sent that request.
    let writes = estate.cluster("member-1").unwrap().writes();
    assert_eq!(
        writes
            .iter()
            .filter(|w| w.path == "/api/v1/namespaces/proj" && w.method == "PATCH")
            .count(),
        1
    );

    // `other` does not match the names; and the count is used up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(owner_names(&nss.get("other").await.unwrap()).is_empty());
    nss.patch("proj", &PatchParams::default(), &unbind)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(owner_names(&nss.get("proj").await.unwrap()).is_empty());
    let stats = estate.hazard_stats("member-1").unwrap();
    assert_eq!((stats.owners_re_added, stats.re_adds_pending), (1, 0));

    // Stopped, nothing comes back.
    estate.set_owner_re_add("member-1", None).unwrap();
    assert!(
        estate
            .faults("member-1")
            .unwrap()
            .plan()
            .re_add_owners
            .is_none()
    );
    estate.shutdown().await;
}

/// One cluster without KubeSphere (no namespace controller to interfere), holding a project
/// bound to a Workspace and a ConfigMap owner it keeps.
fn plain_cluster_with_a_project() -> Scenario {
    let mut plan = ksmc_sim::scenario::ClusterPlan::kubesphere(
        "plain",
        ksmc_sim::Role::None,
        "v1.32.4",
        "secret",
    );
    plan.kubesphere_version = None;
    plan.fixtures = vec![
        Fixture::Workspace {
            name: "ws".into(),
            federated: false,
        },
        Fixture::Project {
            name: "proj".into(),
            workspace: "ws".into(),
            extra_owners: vec![
                json!({"apiVersion": "example.com/v1", "kind": "Keeper", "name": "k", "uid": "keeper-uid"}),
            ],
        },
    ];
    Scenario {
        name: "plain".into(),
        clusters: vec![plan],
        links: Vec::new(),
    }
}

#[tokio::test]
async fn an_owner_removed_by_a_merge_patch_is_put_back_after_the_delay() {
    let estate = Estate::start(&plain_cluster_with_a_project(), &EstateOptions::default())
        .await
        .unwrap();
    estate
        .set_owner_re_add("plain", Some(OwnerReAdd::default()))
        .unwrap();
    let nss: Api<Namespace> = Api::all(client(&estate, "plain").await);
    let before = nss.get("proj").await.unwrap();
    let owners = owner_names(&before);
    assert_eq!(owners.len(), 2, "{owners:?}");
    assert!(owners[0].starts_with("Workspace/ws/"), "{owners:?}");

    // Only the non-workspace owner is kept: the merge patch replaces the list.
    let keeper = json!([{"apiVersion": "example.com/v1", "kind": "Keeper", "name": "k", "uid": "keeper-uid"}]);
    let started = std::time::Instant::now();
    let patched = nss
        .patch(
            "proj",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"ownerReferences": keeper}})),
        )
        .await
        .unwrap();
    assert_eq!(owner_names(&patched), ["Keeper/k/keeper-uid"]);
    eventually("the workspace owner is back", || async {
        owner_names(&nss.get("proj").await.unwrap()).len() == 2
    })
    .await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    let back = nss.get("proj").await.unwrap();
    let mut expected = owners.clone();
    expected.rotate_left(1);
    assert_eq!(owner_names(&back), expected, "appended after the kept one");
    let workspace_ref = &back.metadata.owner_references.as_ref().unwrap()[1];
    assert_eq!(
        (workspace_ref.controller, workspace_ref.block_owner_deletion),
        (Some(true), Some(true))
    );
    // The label was never removed, so it is not touched.
    assert_eq!(back.metadata.labels, before.metadata.labels);

    // Unlimited by default: removed again, back again.
    nss.patch(
        "proj",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"ownerReferences": keeper}})),
    )
    .await
    .unwrap();
    eventually("back a second time", || async {
        owner_names(&nss.get("proj").await.unwrap()).len() == 2
    })
    .await;
    assert_eq!(estate.hazard_stats("plain").unwrap().owners_re_added, 2);
    estate.shutdown().await;
}

fn gone(nss: &Api<Namespace>, name: &'static str) -> impl FnMut() -> GoneCheck {
    let nss = nss.clone();
    move || {
        let nss = nss.clone();
        Box::pin(async move { nss.get_opt(name).await.unwrap().is_none() })
    }
}

type GoneCheck = std::pin::Pin<Box<dyn Future<Output = bool> + Send>>;

#[tokio::test]
async fn a_namespace_is_deleted_by_someone_else_after_k_writes() {
    let estate = start(EstateOptions::default()).await;
    let c = client(&estate, "host").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    nss.create(
        &PostParams::default(),
        &object(json!({"metadata": {"name": "victim"}})),
    )
    .await
    .unwrap();
    let victims: Api<ConfigMap> = Api::namespaced(c.clone(), "victim");
    victims
        .create(
            &PostParams::default(),
            &object(json!({"metadata": {"name": "data"}})),
        )
        .await
        .unwrap();
    estate
        .set_namespace_deletion("host", Some(NamespaceDeletion::new("victim", 3)))
        .unwrap();
    assert_eq!(
        estate.faults("host").unwrap().plan().delete_namespace,
        Some(NamespaceDeletion::new("victim", 3))
    );
    let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
    for i in 0..2 {
        cms.create(
            &PostParams::default(),
            &object(json!({"metadata": {"name": format!("cm-{i}")}})),
        )
        .await
        .unwrap();
    }
    // A dry run is not an applied write.
    let dry = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    cms.create(&dry, &object(json!({"metadata": {"name": "dry"}})))
        .await
        .unwrap();
    let victim = nss.get("victim").await.unwrap();
    assert!(victim.metadata.deletion_timestamp.is_none());
    assert_eq!(
        estate
            .hazard_stats("host")
            .unwrap()
            .writes_since_deletion_set,
        2
    );

    // The third applied write sets it off before its answer comes back.
    cms.create(
        &PostParams::default(),
        &object(json!({"metadata": {"name": "cm-2"}})),
    )
    .await
    .unwrap();
    if let Some(victim) = nss.get_opt("victim").await.unwrap() {
        assert!(victim.metadata.deletion_timestamp.is_some());
    }
    eventually("the namespace is gone", gone(&nss, "victim")).await;
    // Its contents went with it.
    assert!(
        victims
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(estate.hazard_stats("host").unwrap().namespace_deleted);
    // It fires once: re-created, the namespace stays.
    nss.create(
        &PostParams::default(),
        &object(json!({"metadata": {"name": "victim"}})),
    )
    .await
    .unwrap();
    cms.delete("cm-0", &DeleteParams::default()).await.unwrap();
    assert!(
        nss.get("victim")
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_none()
    );

    // The direct call.
    assert_eq!(
        estate.delete_namespace_externally("host", "victim"),
        Ok(true)
    );
    assert_eq!(
        estate.delete_namespace_externally("host", "victim"),
        Ok(false)
    );
    eventually("deleted directly", gone(&nss, "victim")).await;
    assert_eq!(
        estate.delete_namespace_externally("host", "victim"),
        Ok(false)
    );
    assert_eq!(
        estate.delete_namespace_externally("nowhere", "victim"),
        Err(FaultError::UnknownCluster("nowhere".into()))
    );
    assert!(
        estate
            .set_namespace_deletion("host", Some(NamespaceDeletion::new("Not_A_Name", 1)))
            .is_err()
    );
    estate.shutdown().await;
}

#[tokio::test]
async fn hazards_set_at_start_and_through_the_control_endpoint() {
    // At start, through the plan every cluster gets: kube-public goes at once.
    let plan = FaultPlan {
        delete_namespace: Some(NamespaceDeletion::new("kube-public", 0)),
        ..FaultPlan::default()
    };
    let estate = start(EstateOptions {
        faults: plan,
        control_port: Some(0),
        ..EstateOptions::default()
    })
    .await;
    for cluster in ["host", "member-1"] {
        let nss: Api<Namespace> = Api::all(client(&estate, cluster).await);
        eventually("kube-public deleted", gone(&nss, "kube-public")).await;
    }
    let base = estate.control_url().unwrap();
    let c = client(&estate, "host").await;
    let nss: Api<Namespace> = Api::all(c.clone());

    let (code, plan) = control(
        &base,
        "PUT",
        "/clusters/host/namespace-deletion",
        r#"{"namespace": "target", "afterWrites": 1}"#,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(
        plan["deleteNamespace"],
        json!({"namespace": "target", "afterWrites": 1})
    );
    nss.create(
        &PostParams::default(),
        &object(json!({"metadata": {"name": "target"}})),
    )
    .await
    .unwrap();
    eventually("deleted after one write", gone(&nss, "target")).await;
    let (_, described) = control(&base, "GET", "/clusters/host", "").await;
    assert_eq!(described["hazards"]["namespaceDeleted"], true);
    let (code, plan) = control(&base, "DELETE", "/clusters/host/namespace-deletion", "").await;
    assert_eq!((code, plan.get("deleteNamespace")), (200, None));

    let (code, plan) = control(&base, "PUT", "/clusters/host/re-add-owners", "").await;
    assert_eq!(code, 200);
    assert_eq!(plan["reAddOwners"], json!({"delayMs": 200}));
    let (code, _) = control(
        &base,
        "PUT",
        "/clusters/host/re-add-owners",
        r#"{"delayMs": 100, "nmespaces": []}"#,
    )
    .await;
    assert_eq!(code, 400);
    let (code, plan) = control(
        &base,
        "PUT",
        "/clusters/host/faults",
        r#"{"reAddOwners": {"delayMs": 50, "count": 2, "restoreLabel": false}}"#,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(
        plan["reAddOwners"],
        json!({"delayMs": 50, "count": 2, "restoreLabel": false})
    );
    assert_eq!(
        estate.faults("host").unwrap().plan().re_add_owners,
        Some(OwnerReAdd {
            delay_ms: 50,
            count: Some(2),
            restore_label: false,
            ..OwnerReAdd::default()
        })
    );
    let (code, plan) = control(&base, "DELETE", "/clusters/host/re-add-owners", "").await;
    assert_eq!((code, plan.get("reAddOwners")), (200, None));

    nss.create(
        &PostParams::default(),
        &object(json!({"metadata": {"name": "now"}})),
    )
    .await
    .unwrap();
    let (code, body) = control(&base, "DELETE", "/clusters/host/namespaces/now", "").await;
    assert_eq!((code, body), (200, json!({"deleted": true})));
    eventually("deleted through the control endpoint", gone(&nss, "now")).await;
    let (code, _) = control(&base, "DELETE", "/clusters/host/namespaces/now", "").await;
    assert_eq!(code, 404);
    let (code, _) = control(&base, "POST", "/clusters/host/writes", "").await;
    assert_eq!(code, 405);
    estate.shutdown().await;
}
