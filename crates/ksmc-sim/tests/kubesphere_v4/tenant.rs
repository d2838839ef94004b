//! Workspaces and projects in 4.1.3: cascade semantics, the namespace controller, and
//! WorkspaceTemplate placement and deletion.
use super::*;

#[tokio::test]
async fn deleting_a_workspace_keeps_its_projects_unless_background_is_asked_for() {
    let estate = start(Scenario::fresh_v4()).await;
    let host = client(&estate, "host").await;
    for ws in ["ws-keep", "ws-drop"] {
        workspaces(&host)
            .create(
                &PostParams::default(),
                &object(
                    json!({"apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "Workspace",
                    "metadata": {"name": ws}, "spec": {"manager": "admin"}}),
                ),
            )
            .await
            .unwrap();
    }
    labelled_project(&host, "keep-1", "ws-keep").await;
    labelled_project(&host, "drop-1", "ws-drop").await;
    labelled_project(&host, "drop-2", "ws-drop").await;
    eventually("workspaces and projects adopted", || async {
        let ws = workspaces(&host).get("ws-drop").await.unwrap();
        let ns = namespaces(&host).get("drop-2").await.unwrap();
        ws.metadata.finalizers.unwrap_or_default() == ["kubesphere.io/cascading-deletion"]
            && ns.metadata.finalizers.unwrap_or_default() == ["kubesphere.io/cascading-deletion"]
    })
    .await;

    // No annotation: the projects stay, without the workspace label.
    workspaces(&host)
        .delete("ws-keep", &DeleteParams::default())
        .await
        .unwrap();
    eventually("ws-keep gone", || async {
        workspaces(&host)
            .get_opt("ws-keep")
            .await
            .unwrap()
            .is_none()
    })
    .await;
    let kept = namespaces(&host).get("keep-1").await.unwrap();
    assert!(kept.metadata.deletion_timestamp.is_none());
    assert!(!labels(&kept).contains_key("kubesphere.io/workspace"));

    // Background: the trap — every project of the workspace is deleted.
    set_annotation(
        &workspaces(&host),
        "ws-drop",
        "kubesphere.io/deletion-propagation",
        "Background",
    )
    .await;
    workspaces(&host)
        .delete("ws-drop", &DeleteParams::default())
        .await
        .unwrap();
    eventually("projects of ws-drop deleted", || async {
        namespaces(&host).get_opt("drop-1").await.unwrap().is_none()
            && namespaces(&host).get_opt("drop-2").await.unwrap().is_none()
            && workspaces(&host)
                .get_opt("ws-drop")
                .await
                .unwrap()
                .is_none()
    })
    .await;
    assert!(namespaces(&host).get_opt("keep-1").await.unwrap().is_some());
    estate.shutdown().await;
}

#[tokio::test]
async fn the_namespace_controller_drops_legacy_owners_and_cleans_unlabelled_projects() {
    let estate = start(Scenario::fresh_v4()).await;
    let host = client(&estate, "host").await;
    let ws = workspaces(&host)
        .create(
            &PostParams::default(),
            &object(json!({"apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "Workspace",
                "metadata": {"name": "ws1", "finalizers": ["finalizers.tenant.kubesphere.io"]}, "spec": {}})),
        )
        .await
        .unwrap();
    let ws_ref = json!({"apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace", "name": "ws1",
        "uid": ws.metadata.uid, "controller": true, "blockOwnerDeletion": true});
    // Another (live, cluster-scoped) owner, so that the garbage collector leaves it alone.
    let keeper = Api::<ClusterRole>::all(host.clone())
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "keeper"}})).unwrap(),
        )
        .await
        .unwrap();
    let cm_owner = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "name": "keeper", "uid": keeper.metadata.uid});
    eventually("legacy workspace finalizer replaced", || async {
        workspaces(&host)
            .get("ws1")
            .await
            .unwrap()
            .metadata
            .finalizers
            .unwrap_or_default()
            == ["kubesphere.io/cascading-deletion"]
    })
    .await;

    // Labelled, with a 3.4-era ownerReference and finalizer: 4.1.3 removes every owner.
    namespaces(&host)
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "legacy",
                "labels": {"kubesphere.io/workspace": "ws1"},
                "annotations": {"kubesphere.io/creator": "alice"},
                "finalizers": ["finalizers.kubesphere.io/namespaces"],
                "ownerReferences": [ws_ref, cm_owner]}}))
            .unwrap(),
        )
        .await
        .unwrap();
    eventually("adopted the 4.1.3 way", || async {
        let ns = namespaces(&host).get("legacy").await.unwrap();
        ns.metadata.finalizers.unwrap_or_default() == ["kubesphere.io/cascading-deletion"]
            && ns.metadata.owner_references.unwrap_or_default().is_empty()
    })
    .await;
    let bindings = api(
        &host,
        "iam.kubesphere.io",
        "v1beta1",
        "RoleBinding",
        "rolebindings",
    );
    let creator = Api::<DynamicObject>::namespaced_with(
        host.clone(),
        "legacy",
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("iam.kubesphere.io", "v1beta1", "RoleBinding"),
            "rolebindings",
        ),
    );
    let rb = creator.get("alice-admin").await.unwrap();
    assert_eq!(rb.data["roleRef"]["name"], "admin");
    assert_eq!(
        bindings
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    // Unlabelled with a Workspace owner: KubeSphere's bindings go, and so does that owner.
    namespaces(&host)
        .patch(
            "legacy",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"metadata": {"labels": {"kubesphere.io/workspace": null},
                "ownerReferences": [ws_ref, cm_owner]}}),
            ),
        )
        .await
        .unwrap();
    eventually("cleaned up", || async {
        let ns = namespaces(&host).get("legacy").await.unwrap();
        let owners: Vec<String> = ns
            .metadata
            .owner_references
            .unwrap_or_default()
            .into_iter()
            .map(|o| o.kind)
            .collect();
        owners == ["ClusterRole"] && creator.get_opt("alice-admin").await.unwrap().is_none()
    })
    .await;
    estate.shutdown().await;
}

#[tokio::test]
async fn templates_push_workspaces_to_placed_clusters_and_take_them_back() {
    let (estate, host, member) = imported().await;
    create_template(&host, "ws-a", json!({"clusters": [{"name": "member-1"}]})).await;
    eventually("ws-a on member-1 only", || async {
        let on_member = workspaces(&member).get_opt("ws-a").await.unwrap();
        on_member.is_some_and(|w| {
            w.data["spec"]["manager"] == "admin"
                && w.metadata
                    .labels
                    .unwrap_or_default()
                    .get("team")
                    .map(String::as_str)
                    == Some("ws-a")
                && w.metadata.finalizers.unwrap_or_default() == ["kubesphere.io/cascading-deletion"]
        })
    })
    .await;
    assert!(workspaces(&host).get_opt("ws-a").await.unwrap().is_none());
    let t = templates(&host).get("ws-a").await.unwrap();
    assert_eq!(
        t.metadata.finalizers.unwrap(),
        ["kubesphere.io/cascading-deletion"]
    );
    let wrb = api(
        &host,
        "iam.kubesphere.io",
        "v1beta1",
        "WorkspaceRoleBinding",
        "workspacerolebindings",
    );
    assert_eq!(
        wrb.get("ws-a-admin").await.unwrap().data["subjects"][0]["name"],
        "admin"
    );

    // Projects on the member keep going when the template stops placing it there.
    labelled_project(&member, "a-web", "ws-a").await;
    templates(&host)
        .patch("ws-a", &PatchParams::default(), &Patch::Merge(json!({"spec": {"placement": {"clusters": null, "clusterSelector": {"matchLabels": {"env": "prod"}}}}})))
        .await
        .unwrap();
    eventually("ws-a removed from member-1", || async {
        workspaces(&member).get_opt("ws-a").await.unwrap().is_none()
    })
    .await;
    let web = namespaces(&member).get("a-web").await.unwrap();
    assert!(
        web.metadata.deletion_timestamp.is_none()
            && !labels(&web).contains_key("kubesphere.io/workspace")
    );

    // A cluster selector on the Cluster's labels places it again.
    clusters(&host)
        .patch(
            "member-1",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"env": "prod"}}})),
        )
        .await
        .unwrap();
    eventually("ws-a back by selector", || async {
        workspaces(&member).get_opt("ws-a").await.unwrap().is_some()
    })
    .await;
    assert!(workspaces(&host).get_opt("ws-a").await.unwrap().is_none());
    estate.shutdown().await;
}

#[tokio::test]
async fn deleting_a_template_propagates_its_annotation_and_waits_for_unready_members() {
    let (estate, host, member) = imported().await;
    create_template(
        &host,
        "ws-b",
        json!({"clusters": [{"name": "member-1"}, {"name": "host"}]}),
    )
    .await;
    eventually("ws-b on both", || async {
        workspaces(&member).get_opt("ws-b").await.unwrap().is_some()
            && workspaces(&host).get_opt("ws-b").await.unwrap().is_some()
    })
    .await;
    labelled_project(&member, "b-db", "ws-b").await;
    labelled_project(&host, "b-host", "ws-b").await;
    set_annotation(
        &templates(&host),
        "ws-b",
        "kubesphere.io/deletion-propagation",
        "Background",
    )
    .await;

    // With member-1 unreachable the template waits.
    estate.network().set_reachable("member-1", false);
    eventually("member-1 not Ready", || async {
        !is_true(&clusters(&host).get("member-1").await.unwrap(), "Ready")
    })
    .await;
    templates(&host)
        .delete("ws-b", &DeleteParams::default())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let t = templates(&host)
        .get_opt("ws-b")
        .await
        .unwrap()
        .expect("template waits for member-1");
    assert!(t.metadata.deletion_timestamp.is_some());
    let on_member = workspaces(&member).get("ws-b").await.unwrap();
    assert!(on_member.metadata.deletion_timestamp.is_none());
    // The host's copy went at once, annotated, and with it its project.
    eventually("host side done", || async {
        workspaces(&host).get_opt("ws-b").await.unwrap().is_none()
            && namespaces(&host).get_opt("b-host").await.unwrap().is_none()
    })
    .await;

    estate.network().set_reachable("member-1", true);
    eventually(
        "template and member copy gone, member project deleted",
        || async {
            templates(&host).get_opt("ws-b").await.unwrap().is_none()
                && workspaces(&member).get_opt("ws-b").await.unwrap().is_none()
                && namespaces(&member).get_opt("b-db").await.unwrap().is_none()
        },
    )
    .await;
    estate.shutdown().await;
}
