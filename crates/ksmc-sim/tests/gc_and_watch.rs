//! Garbage collection (how KubeSphere projects get lost) and watch semantics, with kube-rs.

mod common;

use common::{client, estate, eventually};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::watcher;
use serde_json::json;

fn workspaces(c: &kube::Client) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk("tenant.kubesphere.io", "v1alpha1", "Workspace");
    Api::all_with(c.clone(), &ApiResource::from_gvk(&gvk))
}

async fn workspace(c: &kube::Client, name: &str) -> String {
    let ws: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace",
        "metadata": {"name": name}, "spec": {"manager": "admin"}}))
    .unwrap();
    workspaces(c)
        .create(&PostParams::default(), &ws)
        .await
        .unwrap()
        .metadata
        .uid
        .unwrap()
}

/// A project as KubeSphere's namespace controller leaves it: labelled and owned by the workspace.
async fn project(c: &kube::Client, name: &str, ws: &str, uid: &str) {
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name,
        "labels": {"kubesphere.io/workspace": ws},
        "ownerReferences": [{"apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace", "name": ws,
            "uid": uid, "controller": true, "blockOwnerDeletion": true}]}})).unwrap();
    Api::<Namespace>::all(c.clone())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
}

#[tokio::test]
async fn deleting_a_workspace_collects_its_projects_unless_they_were_detached() {
    let estate = estate().await;
    let c = client(&estate, "member-1").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    let uid = workspace(&c, "ws1").await;
    project(&c, "lost", "ws1", &uid).await;
    project(&c, "kept", "ws1", &uid).await;
    // The documented detach: remove the label, then empty ownerReferences with a merge patch.
    nss.patch(
        "kept",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"kubesphere.io/workspace": null}}})),
    )
    .await
    .unwrap();
    nss.patch(
        "kept",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"ownerReferences": []}})),
    )
    .await
    .unwrap();

    workspaces(&c)
        .delete("ws1", &DeleteParams::background())
        .await
        .unwrap();
    eventually("the attached project is garbage-collected", || async {
        nss.get_opt("lost").await.unwrap().is_none()
    })
    .await;
    let kept = nss.get("kept").await.unwrap();
    assert!(kept.metadata.deletion_timestamp.is_none());
    assert_eq!(kept.status.unwrap().phase.as_deref(), Some("Active"));
    estate.shutdown().await;
}

#[tokio::test]
async fn orphan_and_foreground_propagation() {
    let estate = estate().await;
    let c = client(&estate, "member-1").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    let uid = workspace(&c, "wso").await;
    project(&c, "orphaned", "wso", &uid).await;
    workspaces(&c)
        .delete("wso", &DeleteParams::orphan())
        .await
        .unwrap();
    eventually("workspace gone", || async {
        workspaces(&c).get_opt("wso").await.unwrap().is_none()
    })
    .await;
    let o = nss.get("orphaned").await.unwrap();
    assert!(o.metadata.owner_references.is_none(), "reference stripped");
    assert!(o.metadata.deletion_timestamp.is_none());

    let uid = workspace(&c, "wsf").await;
    project(&c, "first", "wsf", &uid).await;
    workspaces(&c)
        .delete("wsf", &DeleteParams::foreground())
        .await
        .unwrap();
    // The owner stays readable, marked for deletion, until its blocking dependent is gone.
    let owner = workspaces(&c).get_opt("wsf").await.unwrap();
    if let Some(owner) = owner {
        assert!(owner.metadata.deletion_timestamp.is_some());
    }
    eventually("dependent and then owner gone", || async {
        nss.get_opt("first").await.unwrap().is_none()
            && workspaces(&c).get_opt("wsf").await.unwrap().is_none()
    })
    .await;
    estate.shutdown().await;
}

#[tokio::test]
async fn a_reference_to_a_missing_owner_uid_is_collected() {
    // kubesphere#4210: a re-created workspace with the same name has a new uid.
    let estate = estate().await;
    let c = client(&estate, "member-1").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    workspace(&c, "ws2").await;
    project(&c, "stale", "ws2", "00000000-0000-0000-0000-000000000000").await;
    eventually("stale project collected", || async {
        nss.get_opt("stale").await.unwrap().is_none()
    })
    .await;
    assert!(workspaces(&c).get_opt("ws2").await.unwrap().is_some());
    estate.shutdown().await;
}

#[tokio::test]
async fn watch_reports_selector_transitions_and_resumes() {
    let estate = estate().await;
    let c = client(&estate, "host").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    let wp = WatchParams::default()
        .labels("kubesphere.io/workspace=ws1")
        .timeout(20);
    let mut stream = nss.watch(&wp, "0").await.unwrap().boxed();

    nss.create(
        &PostParams::default(),
        &serde_json::from_value(
            json!({"metadata": {"name": "w1", "labels": {"kubesphere.io/workspace": "ws1"}}}),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    nss.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "other"}})).unwrap(),
    )
    .await
    .unwrap();
    nss.patch(
        "other",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"kubesphere.io/workspace": "ws1"}}})),
    )
    .await
    .unwrap();
    nss.patch(
        "w1",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"kubesphere.io/workspace": null}}})),
    )
    .await
    .unwrap();

    let mut seen = Vec::new();
    while seen.len() < 3 {
        match stream.try_next().await.unwrap().expect("stream open") {
            WatchEvent::Added(n) => seen.push(format!("ADDED {}", n.metadata.name.unwrap())),
            // KubeSphere's namespace controller also touches them (finalizer, label).
            WatchEvent::Modified(_) => {}
            WatchEvent::Deleted(n) => seen.push(format!("DELETED {}", n.metadata.name.unwrap())),
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(e) => panic!("{e:?}"),
        }
    }
    // "other" starts matching (ADDED), "w1" stops matching (DELETED).
    assert_eq!(seen, ["ADDED w1", "ADDED other", "DELETED w1"]);

    // Resuming from a resourceVersion replays only later events.
    let rv = nss
        .get("w1")
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    nss.patch(
        "other",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"annotations": {"x": "1"}}})),
    )
    .await
    .unwrap();
    let mut resumed = nss
        .watch(&WatchParams::default().timeout(5), &rv)
        .await
        .unwrap()
        .boxed();
    match resumed.try_next().await.unwrap().unwrap() {
        WatchEvent::Modified(n) => assert_eq!(n.metadata.name.as_deref(), Some("other")),
        other => panic!("expected MODIFIED, got {other:?}"),
    }
    estate.shutdown().await;
}

#[tokio::test]
async fn kube_runtime_watcher_sees_the_world() {
    let estate = estate().await;
    let c = client(&estate, "host").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    let events = watcher(nss.clone(), watcher::Config::default().labels("team=a"));
    let mut events = std::pin::pin!(events);
    nss.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "t1", "labels": {"team": "a"}}}))
            .unwrap(),
    )
    .await
    .unwrap();
    let mut applied = Vec::new();
    while applied.is_empty() {
        match events.try_next().await.unwrap().unwrap() {
            watcher::Event::Apply(n) | watcher::Event::InitApply(n) => {
                applied.push(n.metadata.name.unwrap())
            }
            _ => {}
        }
    }
    assert_eq!(applied, ["t1"]);
    // Streaming lists need the initial-events-end bookmark.
    let streaming = watcher(
        nss.clone(),
        watcher::Config::default()
            .labels("team=a")
            .streaming_lists(),
    );
    let mut streaming = std::pin::pin!(streaming);
    let mut done = false;
    let mut names = Vec::new();
    while !done {
        match tokio::time::timeout(std::time::Duration::from_secs(10), streaming.try_next())
            .await
            .expect("streaming list progresses")
            .unwrap()
            .unwrap()
        {
            watcher::Event::InitApply(n) => names.push(n.metadata.name.unwrap()),
            watcher::Event::InitDone => done = true,
            _ => {}
        }
    }
    assert_eq!(names, ["t1"]);
    estate.shutdown().await;
}

#[tokio::test]
async fn the_watch_log_sees_streams_close_and_compaction_expires_old_versions() {
    let estate = estate().await;
    let host = estate.cluster("host").unwrap().cluster.clone();
    let c = client(&estate, "host").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    let rv = nss
        .list_metadata(&Default::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let stream = nss
        .watch(&WatchParams::default().timeout(30), &rv)
        .await
        .unwrap()
        .boxed();
    let records = host.watches.records();
    let last = records.last().expect("the watch is logged");
    assert_eq!(last.resource, "namespaces");
    assert_eq!(last.resource_version.as_deref(), Some(rv.as_str()));
    assert!(last.open);
    assert_eq!(host.watches.open(), 1);
    // The client going away closes the stream on the server.
    drop(stream);
    drop(nss);
    drop(c);
    eventually("the server sees the watch closed", || async {
        host.watches.open() == 0
    })
    .await;

    // After a compaction, resuming from the old version is 410 Expired (kube-rs relists).
    let c = client(&estate, "host").await;
    let nss: Api<Namespace> = Api::all(c.clone());
    nss.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "after"}})).unwrap(),
    )
    .await
    .unwrap();
    host.store.compact();
    let mut old = nss
        .watch(&WatchParams::default().timeout(5), &rv)
        .await
        .unwrap()
        .boxed();
    match old.try_next().await.unwrap().unwrap() {
        WatchEvent::Error(e) => assert_eq!(e.code, 410),
        other => panic!("expected 410 Expired, got {other:?}"),
    }
    estate.shutdown().await;
}
