//! Importing a cluster into a 4.1 host (ks-core installed with the host's jwtSecret), Ready
//! from reachability, deleting the Cluster, and user sync.
use super::*;

#[tokio::test]
async fn importing_a_plain_cluster_installs_ks_core_with_the_host_jwt() {
    let estate = start(Scenario::fresh_v4()).await;
    let host = client(&estate, "host").await;
    let member = client(&estate, "member-1").await;
    let kc = estate
        .kubeconfig(estate.cluster("member-1").unwrap())
        .unwrap();
    create_cluster(&host, "member-1", &kc).await;
    wait_ready(&host, "member-1").await;

    let c = clusters(&host).get("member-1").await.unwrap();
    let ready = condition(&c, "Ready").unwrap();
    assert_eq!(
        (ready["reason"].as_str(), ready["message"].as_str()),
        (Some("Ready"), Some("Cluster is available now"))
    );
    assert_eq!(
        condition(&c, "KSCoreReady").unwrap()["message"],
        "KS Core is available now"
    );
    let member_ks = namespaces(&member).get("kube-system").await.unwrap();
    assert_eq!(
        c.data["status"]["uid"].as_str(),
        member_ks.metadata.uid.as_deref()
    );
    assert_eq!(c.data["status"]["kubeSphereVersion"], "v4.1.3");
    assert_eq!(c.data["status"]["kubernetesVersion"], "v1.31.6");
    assert!(
        c.metadata
            .finalizers
            .unwrap()
            .contains(&"finalizer.cluster.kubesphere.io".to_owned())
    );
    assert!(
        c.data["spec"]["connection"]["kubernetesAPIEndpoint"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    // ks-core on the member, as a member, with the host's jwtSecret.
    let host_jwt = config(&host).await.unwrap()["authentication"]["issuer"]["jwtSecret"].clone();
    let mc = config(&member).await.unwrap();
    assert_eq!(mc["authentication"]["issuer"]["jwtSecret"], host_jwt);
    assert_eq!(mc["authentication"]["issuer"]["accessTokenMaxAge"], "0s");
    assert_eq!(mc["multicluster"]["clusterRole"], "member");
    assert_eq!(mc["multicluster"]["hostClusterName"], "host");
    let releases = Api::<Secret>::namespaced(member.clone(), "kubesphere-system")
        .list(&ListParams::default().labels("owner=helm,name=ks-core,status=deployed"))
        .await
        .unwrap();
    assert_eq!(releases.items.len(), 1);
    assert_eq!(
        releases.items[0].type_.as_deref(),
        Some("helm.sh/release.v1")
    );
    assert_eq!(
        ks_apiserver(&member, "/kapis/version").await.unwrap()["gitVersion"],
        "v4.1.3"
    );

    // The member records its name; system-workspace and the admin's kubeconfig arrive.
    let ns = namespaces(&member).get("kubesphere-system").await.unwrap();
    let a = ns.metadata.annotations.unwrap_or_default();
    assert_eq!(a["cluster.kubesphere.io/name"], "member-1");
    assert_eq!(a["cluster.kubesphere.io/host-cluster"], "host");
    eventually("pushed to member", || async {
        let ws = workspaces(&member)
            .get_opt("system-workspace")
            .await
            .unwrap();
        let secret = Api::<Secret>::namespaced(member.clone(), "kubesphere-system")
            .get_opt("kubeconfig-admin")
            .await
            .unwrap();
        ws.is_some()
            && secret.is_some_and(|s| s.type_.as_deref() == Some("config.kubesphere.io/kubeconfig"))
    })
    .await;
    // The member's own controllers now run: its system namespaces carry the 4.1.3 finalizer.
    eventually("member namespace controller", || async {
        let ns = namespaces(&member).get("kube-system").await.unwrap();
        labels(&ns)
            .get("kubesphere.io/workspace")
            .map(String::as_str)
            == Some("system-workspace")
            && ns
                .metadata
                .finalizers
                .unwrap_or_default()
                .contains(&"kubesphere.io/cascading-deletion".to_owned())
    })
    .await;
    // The member has no workspace templates of its own, and is not a host.
    assert!(
        templates(&member)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        clusters(&member)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    estate.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_or_refused_member_is_not_ready_with_the_error() {
    let (estate, host, _member) = imported().await;
    estate.network().set_reachable("member-1", false);
    eventually("Ready=False with the connection error", || async {
        let c = clusters(&host).get("member-1").await.unwrap();
        condition(&c, "Ready").is_some_and(|r| {
            r["status"] == "False"
                && r["message"].as_str().is_some_and(|m| {
                    m.starts_with(
                        "failed to get kube-system namespace for member-1: Get \"https://",
                    ) && m.ends_with("connect: connection refused")
                })
        })
    })
    .await;
    estate.network().set_reachable("member-1", true);
    eventually("Ready again", || async {
        is_true(&clusters(&host).get("member-1").await.unwrap(), "Ready")
    })
    .await;

    // A kubeconfig with a wrong token never gets ks-core.
    let kc = estate
        .kubeconfig(estate.cluster("member-1").unwrap())
        .unwrap();
    let token = estate
        .cluster("member-1")
        .unwrap()
        .cluster
        .admin_token
        .clone();
    create_cluster(&host, "bad", &kc.replace(&token, "wrong")).await;
    eventually("Unauthorized", || async {
        let c = clusters(&host).get("bad").await.unwrap();
        condition(&c, "Ready").is_some_and(|r| {
            r["status"] == "False"
                && r["message"] == "failed to get kube-system namespace for bad: Unauthorized"
        }) && condition(&c, "KSCoreReady").is_none()
    })
    .await;
    estate.shutdown().await;
}

#[tokio::test]
async fn deleting_a_cluster_unbinds_templates_and_clears_the_recorded_name() {
    let (estate, host, member) = imported().await;
    create_template(
        &host,
        "ws-c",
        json!({"clusters": [{"name": "member-1"}, {"name": "host"}]}),
    )
    .await;
    eventually("ws-c on member", || async {
        workspaces(&member).get_opt("ws-c").await.unwrap().is_some()
    })
    .await;
    labelled_project(&member, "c-app", "ws-c").await;

    clusters(&host)
        .delete("member-1", &DeleteParams::default())
        .await
        .unwrap();
    eventually("Cluster gone", || async {
        clusters(&host).get_opt("member-1").await.unwrap().is_none()
    })
    .await;
    let t = templates(&host).get("ws-c").await.unwrap();
    assert_eq!(
        t.data["spec"]["placement"]["clusters"],
        json!([{"name": "host"}])
    );
    let ns = namespaces(&member).get("kubesphere-system").await.unwrap();
    let a = ns.metadata.annotations.unwrap_or_default();
    assert!(
        !a.contains_key("cluster.kubesphere.io/name")
            && !a.contains_key("cluster.kubesphere.io/host-cluster"),
        "{a:?}"
    );
    // The member's copy of the workspace is taken off; its project stays, unlabelled.
    eventually("member workspace removed", || async {
        workspaces(&member).get_opt("ws-c").await.unwrap().is_none()
    })
    .await;
    let app = namespaces(&member).get("c-app").await.unwrap();
    assert!(
        app.metadata.deletion_timestamp.is_none()
            && !labels(&app).contains_key("kubesphere.io/workspace")
    );
    // ks-core stays on the member.
    assert_eq!(
        config(&member).await.unwrap()["multicluster"]["clusterRole"],
        "member"
    );
    estate.shutdown().await;
}

#[tokio::test]
async fn users_get_a_kubeconfig_secret_on_every_ready_cluster() {
    let (estate, host, member) = imported().await;
    let users = api(&host, "iam.kubesphere.io", "v1beta1", "User", "users");
    users
        .create(
            &PostParams::default(),
            &object(
                json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
                "metadata": {"name": "carol"}, "spec": {"email": "carol@example.com"}}),
            ),
        )
        .await
        .unwrap();
    let secrets = Api::<Secret>::namespaced(member.clone(), "kubesphere-system");
    eventually("kubeconfig-carol on member", || async {
        secrets
            .get_opt("kubeconfig-carol")
            .await
            .unwrap()
            .is_some_and(|s| {
                s.metadata
                    .labels
                    .unwrap_or_default()
                    .get("kubesphere.io/username")
                    .map(String::as_str)
                    == Some("carol")
            })
    })
    .await;
    // No User objects are copied in 4.1.
    let member_users = api(&member, "iam.kubesphere.io", "v1beta1", "User", "users");
    assert!(member_users.get_opt("carol").await.unwrap().is_none());
    users
        .delete("carol", &DeleteParams::default())
        .await
        .unwrap();
    eventually("user and secrets gone", || async {
        users.get_opt("carol").await.unwrap().is_none()
            && secrets.get_opt("kubeconfig-carol").await.unwrap().is_none()
    })
    .await;
    estate.shutdown().await;
}
