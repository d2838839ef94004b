//! The 4.1 scenarios as they start, `--kubesphere 4.1`, and the real kubectl on the 4.1 kinds.
use super::*;

#[tokio::test]
async fn fresh_v4_is_a_4_1_host_and_a_plain_cluster() {
    let estate = start(Scenario::fresh_v4()).await;
    let host = client(&estate, "host").await;
    let member = client(&estate, "member-1").await;

    let c = config(&host).await.unwrap();
    assert_eq!(c["multicluster"]["clusterRole"], "host");
    assert_eq!(c["multicluster"]["hostClusterName"], "host");
    assert_eq!(c["authentication"]["issuer"]["accessTokenMaxAge"], "2h");
    assert_eq!(
        c["authentication"]["issuer"]["jwtSecret"]
            .as_str()
            .unwrap()
            .len(),
        32
    );
    assert!(c["authentication"].get("jwtSecret").is_none());
    // No ks-installer in 4.1: the ClusterConfiguration kind is not even served.
    let cc = api(
        &host,
        "installer.kubesphere.io",
        "v1alpha1",
        "ClusterConfiguration",
        "clusterconfigurations",
    );
    assert!(cc.list(&ListParams::default()).await.is_err());

    let v = ks_apiserver(&host, "/kapis/version").await.unwrap();
    assert_eq!(
        (
            v["gitVersion"].as_str(),
            v["gitMajor"].as_str(),
            v["gitMinor"].as_str()
        ),
        (Some("v4.1.3"), Some("4"), Some("1"))
    );
    assert_eq!(v["kubernetes"]["gitVersion"], "v1.32.4");
    let z = ks_apiserver(
        &host,
        "/kapis/config.kubesphere.io/v1alpha2/configs/configz",
    )
    .await
    .unwrap();
    assert_eq!(z["multicluster"]["clusterRole"], "host");
    assert!(z["authentication"]["issuer"].get("jwtSecret").is_none());

    // The host's own Cluster is Ready; its name is on its kubesphere-system.
    let own = clusters(&host).get("host").await.unwrap();
    assert!(is_true(&own, "Ready"));
    assert_eq!(own.data["status"]["kubeSphereVersion"], "v4.1.3");
    let ks_system = namespaces(&host).get("kube-system").await.unwrap();
    assert_eq!(
        own.data["status"]["uid"].as_str(),
        ks_system.metadata.uid.as_deref()
    );
    eventually("host name annotations", || async {
        let ns = namespaces(&host).get("kubesphere-system").await.unwrap();
        let a = ns.metadata.annotations.unwrap_or_default();
        a.get("cluster.kubesphere.io/name").map(String::as_str) == Some("host")
            && a.get("cluster.kubesphere.io/host-cluster")
                .map(String::as_str)
                == Some("host")
    })
    .await;
    // system-workspace is pushed to the host, and its system namespaces are adopted.
    eventually("system-workspace on host", || async {
        workspaces(&host)
            .get_opt("system-workspace")
            .await
            .unwrap()
            .is_some()
    })
    .await;
    let ks = namespaces(&host).get("kube-system").await.unwrap();
    assert_eq!(labels(&ks)["kubesphere.io/workspace"], "system-workspace");
    eventually("kube-system finalized", || async {
        let ns = namespaces(&host).get("kube-system").await.unwrap();
        ns.metadata
            .finalizers
            .unwrap_or_default()
            .contains(&"kubesphere.io/cascading-deletion".to_owned())
    })
    .await;
    // Deleting the host Cluster re-creates it (createHostClusterIfNotExists).
    clusters(&host)
        .delete("host", &DeleteParams::default())
        .await
        .unwrap();
    eventually("host Cluster re-created", || async {
        clusters(&host)
            .get_opt("host")
            .await
            .unwrap()
            .is_some_and(|c| c.metadata.deletion_timestamp.is_none())
    })
    .await;

    // member-1 has no KubeSphere at all.
    assert!(config(&member).await.is_none());
    let err = ks_apiserver(&member, "/kapis/version").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("services \"ks-apiserver\" not found"),
        "{err}"
    );
    assert!(
        workspaces(&member)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    estate.shutdown().await;
}

#[tokio::test]
async fn migrate_v4_starts_with_a_member_bound_to_the_old_host() {
    let estate = start(Scenario::migrate_v4()).await;
    let old = client(&estate, "old-host").await;
    let new = client(&estate, "new-host").await;
    let member = client(&estate, "prod-1").await;

    let bound = clusters(&old).get("prod-1").await.unwrap();
    assert!(is_true(&bound, "Ready") && is_true(&bound, "KSCoreReady"));
    let names: Vec<String> = clusters(&new)
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.metadata.name.unwrap())
        .collect();
    assert_eq!(names, ["host"]);
    let (mc, oc, nc) = (
        config(&member).await.unwrap(),
        config(&old).await.unwrap(),
        config(&new).await.unwrap(),
    );
    assert_eq!(mc["multicluster"]["clusterRole"], "member");
    assert_eq!(
        mc["authentication"]["issuer"]["jwtSecret"],
        oc["authentication"]["issuer"]["jwtSecret"]
    );
    assert_ne!(
        nc["authentication"]["issuer"]["jwtSecret"],
        oc["authentication"]["issuer"]["jwtSecret"]
    );
    let ks = namespaces(&member).get("kubesphere-system").await.unwrap();
    assert_eq!(
        ks.metadata.annotations.unwrap()["cluster.kubesphere.io/name"],
        "prod-1"
    );

    eventually("workspaces pushed to prod-1", || async {
        let list = workspaces(&member)
            .list(&ListParams::default())
            .await
            .unwrap();
        let mut names: Vec<String> = list
            .items
            .into_iter()
            .map(|w| w.metadata.name.unwrap())
            .collect();
        names.sort();
        names == ["system-workspace", "ws-apps", "ws-data"]
    })
    .await;
    let gitops = namespaces(&member).get("apps-gitops").await.unwrap();
    assert_eq!(labels(&gitops)["kubesphere.io/workspace"], "ws-apps");
    let owners = gitops.metadata.owner_references.unwrap();
    assert_eq!((owners.len(), owners[0].kind.as_str()), (1, "Application"));
    for ns in ["apps-frontend", "apps-backend", "data-warehouse"] {
        let n = namespaces(&member).get(ns).await.unwrap();
        assert!(n.metadata.owner_references.is_none(), "{ns}");
        assert_eq!(
            n.metadata.finalizers.unwrap(),
            ["kubesphere.io/cascading-deletion"]
        );
    }
    for ns in ["kube-system", "kubesphere-system", "default"] {
        let n = namespaces(&member).get(ns).await.unwrap();
        assert_eq!(
            labels(&n)["kubesphere.io/workspace"],
            "system-workspace",
            "{ns}"
        );
    }
    assert!(
        !labels(&namespaces(&member).get("scratch").await.unwrap())
            .contains_key("kubesphere.io/workspace")
    );
    // ws-data is also placed on the old host itself.
    assert!(workspaces(&old).get_opt("ws-data").await.unwrap().is_some());
    assert!(workspaces(&old).get_opt("ws-apps").await.unwrap().is_none());
    let users = api(&old, "iam.kubesphere.io", "v1beta1", "User", "users")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(users.items.len(), 3);
    let manifest = estate.manifest();
    assert_eq!(manifest.scenario, "migrate-v4");
    assert!(
        manifest
            .clusters
            .iter()
            .all(|c| c.kubesphere_version.as_deref() == Some("v4.1.3"))
    );
    estate.shutdown().await;
}

#[test]
fn the_kubesphere_flag_selects_the_4_1_variant_or_refuses_clearly() {
    let flags = |v: &str| ScenarioFlags {
        kubesphere: v.into(),
        members: 1,
        namespaces: 1,
        users: 1,
        workspaces: 1,
    };
    assert_eq!(flags("4.1").scenario("fresh").unwrap().name, "fresh-v4");
    assert_eq!(flags("4.1").scenario("migrate").unwrap().name, "migrate-v4");
    assert_eq!(
        flags("3.4").scenario("migrate-v4").unwrap().name,
        "migrate-v4"
    );
    assert_eq!(flags("3.4").scenario("fresh").unwrap().name, "fresh");
    let err = flags("4.1")
        .scenario("misconfigured")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("misconfigured has no KubeSphere 4.1 variant")
            && err.contains("fresh-v4")
            && err.contains("migrate-v4"),
        "{err}"
    );
    let err = flags("4.2").scenario("fresh").unwrap_err().to_string();
    assert!(err.contains("KubeSphere 4.2 is not simulated"), "{err}");
    assert!(Scenario::NAMES.contains(&"fresh-v4") && Scenario::NAMES.contains(&"migrate-v4"));
}

#[test]
fn kubectl_prints_the_4_1_kinds() {
    let sim = support::Sim::start("fresh-v4");
    sim.eventually("system-workspace pushed", Duration::from_secs(15), || {
        sim.jsonpath(
            "host",
            &["workspaces.tenant.kubesphere.io", "system-workspace"],
            "{.metadata.name}",
        )
        .is_some()
    });
    let table = support::rows(
        sim.kubectl("host", &["get", "workspaces.tenant.kubesphere.io"])
            .ok(),
    );
    assert_eq!(table[0], ["NAME", "AGE"]);
    assert_eq!(table[1][0], "system-workspace");
    assert_eq!(table.len(), 2, "{table:?}");
    let clusters = support::rows(
        sim.kubectl("host", &["get", "clusters.cluster.kubesphere.io"])
            .ok(),
    );
    assert_eq!(
        clusters,
        [
            vec!["NAME", "PROVIDER", "VERSION"],
            vec!["host", "kubesphere", "v1.32.4"]
        ]
    );
    // The preferred version is v1beta1.
    let wst = sim.kubectl(
        "host",
        &[
            "get",
            "workspacetemplates",
            "system-workspace",
            "-o",
            "jsonpath={.apiVersion}",
        ],
    );
    assert_eq!(wst.ok(), "tenant.kubesphere.io/v1beta1");
    let names = sim
        .kubectl(
            "host",
            &[
                "api-resources",
                "--api-group=tenant.kubesphere.io",
                "-o",
                "name",
            ],
        )
        .lines();
    assert_eq!(
        names,
        [
            "workspaces.tenant.kubesphere.io",
            "workspacetemplates.tenant.kubesphere.io"
        ]
    );
    assert!(
        sim.kubectl("host", &["get", "cc", "-A"])
            .err()
            .contains("the server doesn't have a resource type \"cc\"")
    );
    let version = sim.kubectl(
        "host",
        &[
            "get",
            "--raw",
            "/api/v1/namespaces/kubesphere-system/services/:ks-apiserver:/proxy/kapis/version",
        ],
    );
    assert!(
        version.ok().contains("\"gitVersion\":\"v4.1.3\""),
        "{version:?}"
    );
    let missing = sim.kubectl(
        "member-1",
        &[
            "get",
            "--raw",
            "/api/v1/namespaces/kubesphere-system/services/:ks-apiserver:/proxy/kapis/version",
        ],
    );
    assert_eq!(
        missing.err(),
        "Error from server (NotFound): services \"ks-apiserver\" not found"
    );
}
