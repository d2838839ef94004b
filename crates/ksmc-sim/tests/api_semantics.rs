//! Kubernetes API semantics of the simulator, exercised with kube-rs over HTTPS.

mod common;

use common::{client, estate, eventually};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::json;

fn ns(name: &str) -> Namespace {
    serde_json::from_value(json!({"metadata": {"name": name}})).unwrap()
}

fn api_status(e: kube::Error) -> (u16, String, String) {
    match e {
        kube::Error::Api(s) => (s.code, s.reason, s.message),
        other => panic!("expected an API error, got {other}"),
    }
}

#[tokio::test]
async fn create_conflict_and_validation() {
    let estate = estate().await;
    let c = client(&estate, "host").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    let created = nss
        .create(&PostParams::default(), &ns("demo"))
        .await
        .unwrap();
    let meta = &created.metadata;
    assert!(meta.uid.is_some() && meta.creation_timestamp.is_some());
    assert_eq!(
        meta.labels.as_ref().unwrap()["kubernetes.io/metadata.name"],
        "demo"
    );
    assert_eq!(created.status.unwrap().phase.as_deref(), Some("Active"));

    let (code, reason, message) = api_status(
        nss.create(&PostParams::default(), &ns("demo"))
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (409, "AlreadyExists"));
    assert_eq!(message, "namespaces \"demo\" already exists");

    let (code, reason, message) = api_status(
        nss.create(&PostParams::default(), &ns("Not_Valid"))
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (422, "Invalid"));
    assert!(
        message.starts_with("Namespace \"Not_Valid\" is invalid: metadata.name: Invalid value"),
        "{message}"
    );

    // Dry run validates and answers but stores nothing.
    let dry = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    nss.create(&dry, &ns("ghost")).await.unwrap();
    assert!(nss.get_opt("ghost").await.unwrap().is_none());

    // A stale resourceVersion is a conflict; the current one succeeds.
    let mut current = nss.get("demo").await.unwrap();
    current
        .metadata
        .labels
        .as_mut()
        .unwrap()
        .insert("a".into(), "1".into());
    let updated = nss
        .replace("demo", &PostParams::default(), &current)
        .await
        .unwrap();
    let (code, _, message) = api_status(
        nss.replace("demo", &PostParams::default(), &current)
            .await
            .unwrap_err(),
    );
    assert_eq!(code, 409);
    assert!(
        message.contains("the object has been modified"),
        "{message}"
    );
    assert_ne!(
        updated.metadata.resource_version,
        current.metadata.resource_version
    );

    // generateName.
    let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "demo");
    let generated: ConfigMap =
        serde_json::from_value(json!({"metadata": {"generateName": "cfg-"}, "data": {"k": "v"}}))
            .unwrap();
    let made = cms
        .create(&PostParams::default(), &generated)
        .await
        .unwrap();
    let name = made.metadata.name.unwrap();
    assert!(name.starts_with("cfg-") && name.len() == 9, "{name}");

    // Creating in a missing namespace is 404.
    let nowhere: Api<ConfigMap> = Api::namespaced(c.clone(), "nowhere");
    let (code, _, message) = api_status(
        nowhere
            .create(&PostParams::default(), &generated)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code, message.as_str()),
        (404, "namespaces \"nowhere\" not found")
    );

    // Secrets fold stringData into data.
    let secrets: Api<Secret> = Api::namespaced(c.clone(), "demo");
    let s: Secret =
        serde_json::from_value(json!({"metadata": {"name": "s"}, "stringData": {"token": "abc"}}))
            .unwrap();
    let s = secrets.create(&PostParams::default(), &s).await.unwrap();
    assert_eq!(s.data.unwrap()["token"].0, b"abc");
    assert_eq!(s.type_.as_deref(), Some("Opaque"));
    estate.shutdown().await;
}

#[tokio::test]
async fn every_patch_kind() {
    let estate = estate().await;
    let c = client(&estate, "member-1").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    let owned: Namespace = serde_json::from_value(json!({"metadata": {"name": "p1",
        "labels": {"kubesphere.io/workspace": "ws1"},
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "does-not-matter-here"}]}})).unwrap();
    // The owner is a kind/uid that never exists: the GC would collect it, so use an
    // unserved kind to keep it (unknown kinds cannot be verified).
    let mut owned_json = serde_json::to_value(&owned).unwrap();
    owned_json["metadata"]["ownerReferences"][0]["apiVersion"] = json!("example.com/v1");
    owned_json["metadata"]["ownerReferences"][0]["kind"] = json!("Thing");
    let owned: Namespace = serde_json::from_value(owned_json).unwrap();
    nss.create(&PostParams::default(), &owned).await.unwrap();
    let pp = PatchParams::default();

    // Strategic merge: ownerReferences: [] is a no-op (merge by uid)...
    let p = nss
        .patch(
            "p1",
            &pp,
            &Patch::Strategic(json!({"metadata": {"ownerReferences": []}})),
        )
        .await
        .unwrap();
    assert_eq!(p.metadata.owner_references.map(|r| r.len()), Some(1));
    // ...while a merge patch empties the list.
    let p = nss
        .patch(
            "p1",
            &pp,
            &Patch::Merge(json!({"metadata": {"ownerReferences": []}})),
        )
        .await
        .unwrap();
    assert!(p.metadata.owner_references.is_none());
    // JSON patch removes a label.
    let p = nss
        .patch(
            "p1",
            &pp,
            &Patch::<()>::Json(
                serde_json::from_value(
                    json!([{"op": "remove", "path": "/metadata/labels/kubesphere.io~1workspace"}]),
                )
                .unwrap(),
            ),
        )
        .await
        .unwrap();
    assert!(
        !p.metadata
            .labels
            .unwrap()
            .contains_key("kubesphere.io/workspace")
    );
    // Server-side apply creates and merges labels.
    let apply = PatchParams::apply("ksmc-test").force();
    let p = nss
        .patch("p2", &apply, &Patch::Apply(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "p2", "labels": {"team": "a"}}})))
        .await
        .unwrap();
    assert_eq!(p.metadata.labels.unwrap()["team"], "a");
    let p = nss
        .patch("p2", &apply, &Patch::Apply(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "p2", "annotations": {"x": "y"}}})))
        .await
        .unwrap();
    assert_eq!(p.metadata.annotations.unwrap()["x"], "y");

    // Strategic merge on a custom resource is 415, as on the real server.
    let gvk = GroupVersionKind::gvk("tenant.kubesphere.io", "v1alpha1", "Workspace");
    let ar = ApiResource::from_gvk(&gvk);
    let ws: Api<DynamicObject> = Api::all_with(c.clone(), &ar);
    let (code, reason, _) = api_status(
        ws.patch(
            "system-workspace",
            &pp,
            &Patch::Strategic(json!({"metadata": {"labels": {"a": "b"}}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (415, "UnsupportedMediaType"));
    let merged = ws
        .patch(
            "system-workspace",
            &pp,
            &Patch::Merge(json!({"metadata": {"labels": {"a": "b"}}})),
        )
        .await
        .unwrap();
    assert_eq!(merged.metadata.labels.unwrap()["a"], "b");
    estate.shutdown().await;
}

#[tokio::test]
async fn selectors_and_pagination() {
    let estate = estate().await;
    let c = client(&estate, "host").await;
    let nss: Api<Namespace> = Api::all(c);
    for i in 0..5 {
        let n: Namespace = serde_json::from_value(json!({"metadata": {"name": format!("ws-proj-{i}"), "labels": {"kubesphere.io/workspace": if i % 2 == 0 { "ws1" } else { "ws2" }}}})).unwrap();
        nss.create(&PostParams::default(), &n).await.unwrap();
    }
    let names = |l: kube::core::ObjectList<Namespace>| -> Vec<String> {
        l.items
            .into_iter()
            .map(|n| n.metadata.name.unwrap())
            .collect()
    };
    let ws1 = nss
        .list(&ListParams::default().labels("kubesphere.io/workspace=ws1"))
        .await
        .unwrap();
    assert_eq!(names(ws1), ["ws-proj-0", "ws-proj-2", "ws-proj-4"]);
    let set = nss
        .list(&ListParams::default().labels("kubesphere.io/workspace in (ws2),!missing"))
        .await
        .unwrap();
    assert_eq!(names(set), ["ws-proj-1", "ws-proj-3"]);
    let by_name = nss
        .list(&ListParams::default().fields("metadata.name=ws-proj-3"))
        .await
        .unwrap();
    assert_eq!(names(by_name), ["ws-proj-3"]);
    let bad = nss
        .list(&ListParams::default().labels("a in b"))
        .await
        .unwrap_err();
    assert_eq!(api_status(bad).0, 400);
    // Pages of 2 cover everything exactly once.
    let mut seen = Vec::new();
    let mut lp = ListParams::default().limit(2);
    loop {
        let page = nss.list(&lp).await.unwrap();
        let token = page.metadata.continue_.clone();
        seen.extend(names(page));
        match token.filter(|t| !t.is_empty()) {
            Some(t) => lp = lp.continue_token(&t),
            None => break,
        }
    }
    let all = names(nss.list(&ListParams::default()).await.unwrap());
    assert_eq!(seen, all);
    assert_eq!(all.len(), 8 + 5);
    // Without a selector a page says how many items remain; with one, as the API server,
    // only that there are more (a continue token) until the last match.
    let first = nss.list(&ListParams::default().limit(2)).await.unwrap();
    assert_eq!(first.metadata.remaining_item_count, Some(8 + 5 - 2));
    let mut seen = Vec::new();
    let mut lp = ListParams::default()
        .labels("kubesphere.io/workspace=ws1")
        .limit(1);
    loop {
        let page = nss.list(&lp).await.unwrap();
        assert_eq!(page.metadata.remaining_item_count, None);
        let token = page.metadata.continue_.clone();
        seen.extend(names(page));
        match token.filter(|t| !t.is_empty()) {
            Some(t) => lp = lp.continue_token(&t),
            None => break,
        }
    }
    assert_eq!(seen, ["ws-proj-0", "ws-proj-2", "ws-proj-4"]);
    estate.shutdown().await;
}

#[tokio::test]
async fn namespace_deletion_terminates_then_purges_contents() {
    let estate = estate().await;
    let c = client(&estate, "host").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    nss.create(&PostParams::default(), &ns("doomed"))
        .await
        .unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "doomed");
    let held: ConfigMap = serde_json::from_value(
        json!({"metadata": {"name": "held", "finalizers": ["example.com/hold"]}}),
    )
    .unwrap();
    cms.create(&PostParams::default(), &held).await.unwrap();
    cms.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "free"}})).unwrap(),
    )
    .await
    .unwrap();

    let first = nss
        .delete("doomed", &DeleteParams::background())
        .await
        .unwrap();
    let terminating = first.left().expect("namespace returned while terminating");
    assert_eq!(
        terminating.status.unwrap().phase.as_deref(),
        Some("Terminating")
    );
    // New content is refused while terminating.
    let (code, _, message) = api_status(
        cms.create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "late"}})).unwrap(),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(code, 403);
    assert!(
        message.contains("because it is being terminated"),
        "{message}"
    );
    // The free configmap goes; the held one waits for its finalizer.
    eventually("free configmap collected", || async {
        cms.get_opt("free").await.unwrap().is_none()
    })
    .await;
    let h = cms.get("held").await.unwrap();
    assert!(h.metadata.deletion_timestamp.is_some());
    assert!(nss.get_opt("doomed").await.unwrap().is_some());
    // Releasing the finalizer lets the configmap and then the namespace go.
    cms.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    eventually("namespace purged", || async {
        nss.get_opt("doomed").await.unwrap().is_none()
    })
    .await;
    estate.shutdown().await;
}

#[tokio::test]
async fn delete_options_dry_run_and_preconditions() {
    let estate = estate().await;
    let c = client(&estate, "host").await;
    let cms: Api<ConfigMap> = Api::namespaced(c, "default");
    let cm = cms
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "c"}})).unwrap(),
        )
        .await
        .unwrap();
    cms.delete(
        "c",
        &DeleteParams {
            dry_run: true,
            ..DeleteParams::default()
        },
    )
    .await
    .unwrap();
    assert!(
        cms.get_opt("c").await.unwrap().is_some(),
        "dry-run delete kept it"
    );
    let wrong = DeleteParams {
        preconditions: Some(kube::api::Preconditions {
            uid: Some("nope".into()),
            resource_version: None,
        }),
        ..DeleteParams::default()
    };
    let (code, _, message) = api_status(cms.delete("c", &wrong).await.unwrap_err());
    assert_eq!(code, 409);
    assert!(
        message.contains("Precondition failed: UID in precondition: nope"),
        "{message}"
    );
    let right = DeleteParams {
        preconditions: Some(kube::api::Preconditions {
            uid: cm.metadata.uid.clone(),
            resource_version: None,
        }),
        ..DeleteParams::default()
    };
    let gone = cms.delete("c", &right).await.unwrap();
    assert!(
        gone.is_right(),
        "configmaps answer a finished delete with a Status"
    );
    assert!(cms.get_opt("c").await.unwrap().is_none());
    estate.shutdown().await;
}

#[tokio::test]
async fn leases_create_get_replace_with_conflicts_and_delete() {
    let estate = estate().await;
    let c = client(&estate, "host").await;
    let leases: Api<Lease> = Api::namespaced(c.clone(), "kube-system");
    // A kubeadm control plane's leader-election leases are there from the start.
    let names: Vec<String> = leases
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|l| l.metadata.name)
        .collect();
    assert_eq!(names, ["kube-controller-manager", "kube-scheduler"]);

    let lock: Lease = serde_json::from_value(json!({
        "metadata": {"name": "ksmc-lock", "labels": {"app": "ksmc"}},
        "spec": {"holderIdentity": "ksmc-a", "leaseDurationSeconds": 30,
                 "acquireTime": "2026-01-02T03:04:05.123456Z", "renewTime": "2026-01-02T03:04:05.123456Z"},
    }))
    .unwrap();
    let created = leases.create(&PostParams::default(), &lock).await.unwrap();
    assert_eq!(created.metadata.namespace.as_deref(), Some("kube-system"));
    assert!(created.metadata.uid.is_some() && created.metadata.resource_version.is_some());
    let (code, reason, _) = api_status(
        leases
            .create(&PostParams::default(), &lock)
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (409, "AlreadyExists"));

    let fetched = leases.get("ksmc-lock").await.unwrap();
    let spec = fetched.spec.clone().unwrap();
    assert_eq!(spec.holder_identity.as_deref(), Some("ksmc-a"));
    assert_eq!(spec.lease_duration_seconds, Some(30));
    assert_eq!(spec.acquire_time, lock.spec.as_ref().unwrap().acquire_time);

    // Taking the lease over with the current resourceVersion succeeds; a second writer that
    // read the same version loses with 409 Conflict.
    let mut take_over = fetched.clone();
    take_over.spec.as_mut().unwrap().holder_identity = Some("ksmc-b".into());
    let taken = leases
        .replace("ksmc-lock", &PostParams::default(), &take_over)
        .await
        .unwrap();
    assert_ne!(
        taken.metadata.resource_version,
        fetched.metadata.resource_version
    );
    let mut late = fetched.clone();
    late.spec.as_mut().unwrap().holder_identity = Some("ksmc-c".into());
    let (code, reason, message) = api_status(
        leases
            .replace("ksmc-lock", &PostParams::default(), &late)
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert_eq!(
        message,
        "Operation cannot be fulfilled on leases.coordination.k8s.io \"ksmc-lock\": the object has been modified; please apply your changes to the latest version and try again"
    );
    let now = leases.get("ksmc-lock").await.unwrap();
    assert_eq!(now.spec.unwrap().holder_identity.as_deref(), Some("ksmc-b"));

    // Selectors work on leases like on any other kind.
    let mine = leases
        .list(&ListParams::default().labels("app=ksmc"))
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 1);

    leases
        .delete("ksmc-lock", &DeleteParams::default())
        .await
        .unwrap()
        .map_right(|status| {
            assert_eq!(
                status.status,
                Some(kube::core::response::StatusSummary::Success)
            )
        });
    assert!(leases.get_opt("ksmc-lock").await.unwrap().is_none());
    let (code, _, message) = api_status(
        leases
            .delete("ksmc-lock", &DeleteParams::default())
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code, message.as_str()),
        (404, "leases.coordination.k8s.io \"ksmc-lock\" not found")
    );
    estate.shutdown().await;
}
