//! Fleet facts and findings against running ksmc-sim scenarios, over HTTPS.

mod fleet_common;

use fleet_common::by_cluster;
use std::collections::BTreeMap;
use std::time::Duration;

use ksmc_core::ClusterRole;
use ksmc_core::fleet::facts::fingerprint;
use ksmc_core::fleet::{Severity, inspect_dir};
use ksmc_sim::kubesphere::installer::current_secret;
use ksmc_sim::{Estate, EstateOptions, Scenario};

async fn start(scenario: &Scenario, options: &EstateOptions) -> (Estate, tempfile::TempDir) {
    let estate = Estate::start(scenario, options)
        .await
        .expect("estate starts");
    let dir = tempfile::tempdir().expect("tempdir");
    estate.write_dir(dir.path()).expect("kubeconfigs written");
    (estate, dir)
}

fn expect(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(c, ids)| {
            (
                (*c).to_owned(),
                ids.iter().map(|s| (*s).to_owned()).collect(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misconfigured_facts_are_read_with_their_sources() {
    let (estate, dir) = start(&Scenario::misconfigured(), &EstateOptions::default()).await;
    let report = inspect_dir(dir.path()).await.expect("estate read");
    let get = |n: &str| report.clusters.iter().find(|c| c.name == n).unwrap();

    let host = get("host");
    assert!(host.error.is_none() && host.reachable && host.latency_ms.is_some());
    assert!(host.is_host());
    assert_eq!(host.kubernetes_version.as_ref().unwrap().value, "v1.32.4");
    let ks = host.kubesphere.as_ref().unwrap();
    assert_eq!(ks.version.as_ref().unwrap().value, "v3.4.1");
    assert_eq!(
        ks.version.as_ref().unwrap().source,
        "ClusterConfiguration kubesphere-system/ks-installer"
    );
    assert_eq!(
        ks.configured_role.as_ref().unwrap().value,
        ClusterRole::Host
    );
    let eff = ks.effective.as_ref().unwrap();
    assert_eq!(eff.source, "ConfigMap kubesphere-system/kubesphere-config");
    assert!(eff.multicluster_enabled);
    let host_secret = current_secret(&estate.cluster("host").unwrap().cluster).unwrap();
    assert_eq!(eff.jwt_fingerprint, fingerprint(&host_secret));
    let uid = estate
        .cluster("host")
        .unwrap()
        .cluster
        .store
        .get(
            &ksmc_sim::resources::ResourceKey {
                group: String::new(),
                plural: "namespaces".into(),
            },
            "",
            "kube-system",
        )
        .unwrap()["metadata"]["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(host.uid(), Some(uid.as_str()));
    let monitoring = ks
        .components
        .iter()
        .find(|c| c.name == "monitoring")
        .unwrap();
    assert!(monitoring.configured && monitoring.installed);
    let devops = ks.components.iter().find(|c| c.name == "devops").unwrap();
    assert!(!devops.configured && !devops.installed);
    let app_store = ks
        .components
        .iter()
        .find(|c| c.name == "openpitrix")
        .unwrap();
    assert!(!app_store.configured);
    // The host's own Cluster object, and its users and templates.
    let own = &host.clusters.all()[0];
    assert!(own.is_host && own.name == "host");
    assert_eq!(own.condition("Ready").unwrap().status, "True");
    assert_eq!(own.connection_type.as_deref(), Some("direct"));
    assert!(
        host.workspace_templates
            .all()
            .iter()
            .any(|t| t.name == "old-ws" && t.clusters == ["host"] && !t.placed_everywhere)
    );
    assert!(
        host.users
            .all()
            .iter()
            .any(|u| u.name == "alice" && !u.kubefed_managed)
    );
    assert!(
        host.projects
            .all()
            .iter()
            .any(|p| p.name == "kubesphere-system" && p.workspace == "system-workspace")
    );

    // Members: Cluster CRD absent there is "not installed", not an error.
    let jwt = get("m-jwt");
    assert!(jwt.fact_errors.is_empty(), "{:?}", jwt.fact_errors);
    assert_eq!(jwt.role(), ClusterRole::Member);
    assert_ne!(jwt.jwt_fingerprint(), host.jwt_fingerprint());
    assert_eq!(
        jwt.effective().unwrap().access_token_max_age.as_deref(),
        Some("0")
    );
    let role = get("m-role");
    assert_eq!(role.role(), ClusterRole::None);
    assert_eq!(
        role.effective().unwrap().access_token_max_age.as_deref(),
        Some("2h")
    );
    assert_eq!(role.jwt_fingerprint(), host.jwt_fingerprint());
    let plain = get("m-plain");
    assert!(plain.reachable && plain.kubesphere.is_none() && plain.fact_errors.is_empty());
    // (The simulator serves KubeSphere's CRDs on every cluster, so the lists are empty rather
    // than absent.)
    assert!(plain.clusters.all().is_empty() && plain.workspaces.all().is_empty());
    assert_eq!(
        get("m-renamed")
            .effective()
            .unwrap()
            .recorded_name
            .as_deref(),
        Some("legacy-name")
    );
    let dirty = get("m-dirty");
    let team_a = dirty
        .workspaces
        .all()
        .iter()
        .find(|w| w.name == "team-a")
        .unwrap();
    assert!(!team_a.kubefed_managed);
    assert!(
        dirty
            .workspaces
            .all()
            .iter()
            .any(|w| w.name == "old-ws" && w.kubefed_managed)
    );
    let web = dirty
        .projects
        .all()
        .iter()
        .find(|p| p.name == "team-a-web")
        .unwrap();
    assert_eq!(web.workspace, "team-a");
    assert_eq!(web.owner_references.len(), 1);
    assert_eq!(web.owner_references[0].uid, team_a.uid);

    // No secret anywhere in what is shown.
    let text = format!("{report:?}{}", serde_json::to_string(&report).unwrap());
    assert!(!text.contains(&host_secret));
    let other = current_secret(&estate.cluster("m-jwt").unwrap().cluster).unwrap();
    assert!(!text.contains(&other));
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misconfigured_findings_are_where_the_scenario_planted_them() {
    let (estate, dir) = start(&Scenario::misconfigured(), &EstateOptions::default()).await;
    let report = inspect_dir(dir.path()).await.unwrap();
    assert_eq!(
        by_cluster(&report),
        expect(&[
            ("host", &[]),
            (
                "m-dirty",
                &[
                    "member-local-workspace",
                    "member-user-conflict",
                    "workspace-conflict"
                ]
            ),
            ("m-jwt", &["jwt-mismatch"]),
            ("m-plain", &["no-kubesphere"]),
            ("m-renamed", &["earlier-import-name"]),
            ("m-role", &["role-none"]),
        ]),
        "{:#?}",
        report.findings
    );
    let find = |id: &str| report.findings.iter().find(|f| f.id == id).unwrap();
    let conflict = find("workspace-conflict");
    assert_eq!(conflict.severity, Severity::Error);
    assert_eq!(conflict.object.as_deref(), Some("Workspace old-ws"));
    assert!(conflict.explanation.starts_with(
        "The workspace old-ws is found in the target member cluster m-dirty, which is conflict with the workspace on host"
    ));
    assert_eq!(
        find("member-local-workspace").object.as_deref(),
        Some("Workspace team-a")
    );
    assert_eq!(
        find("member-user-conflict").object.as_deref(),
        Some("User alice")
    );
    let jwt = find("jwt-mismatch");
    assert_eq!(jwt.severity, Severity::Error);
    assert!(
        jwt.explanation
            .contains("hostcluster Jwt is not equal to member cluster jwt")
    );
    assert_eq!(jwt.fix.fix_it.as_deref(), Some("copy-jwt-secret"));
    assert!(jwt.fix.commands[0].contains("kubectl --kubeconfig host.kubeconfig"));
    assert!(jwt.fix.commands[1].contains(
        "kubectl --kubeconfig m-jwt.kubeconfig -n kubesphere-system patch cc ks-installer"
    ));
    assert!(find("earlier-import-name").title.contains("legacy-name"));
    assert!(
        find("role-none")
            .fix
            .commands
            .iter()
            .any(|c| c.contains("\"clusterRole\":\"member\""))
    );
    // Errors first.
    assert!(
        report
            .findings
            .windows(2)
            .all(|w| w[0].severity <= w[1].severity)
    );
    estate.shutdown().await;
}

/// Waits until `host` has Cluster `name` with Ready=True.
async fn wait_ready(estate: &Estate, host: &str, name: &str) {
    let key = ksmc_sim::resources::ResourceKey {
        group: "cluster.kubesphere.io".into(),
        plural: "clusters".into(),
    };
    for _ in 0..200 {
        let ready = estate
            .cluster(host)
            .unwrap()
            .cluster
            .store
            .get(&key, "", name)
            .is_some_and(|c| {
                c.pointer("/status/conditions")
                    .and_then(|v| v.as_array())
                    .is_some_and(|cs| {
                        cs.iter()
                            .any(|x| x["type"] == "Ready" && x["status"] == "True")
                    })
            });
        if ready {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("Cluster {name} on {host} never became Ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_is_clean_and_knows_who_manages_prod_1() {
    let (estate, dir) = start(&Scenario::migrate(), &EstateOptions::default()).await;
    wait_ready(&estate, "old-host", "prod-1").await;
    // Let the namespace controller bind the projects to the propagated workspaces.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let report = inspect_dir(dir.path()).await.unwrap();
    assert_eq!(
        by_cluster(&report),
        expect(&[("new-host", &[]), ("old-host", &[]), ("prod-1", &[])]),
        "{:#?}",
        report.findings
    );
    let get = |n: &str| report.clusters.iter().find(|c| c.name == n).unwrap();
    let prod = get("prod-1");
    let old = get("old-host");
    let mc = old
        .clusters
        .all()
        .iter()
        .find(|c| c.name == "prod-1")
        .unwrap();
    assert_eq!(mc.uid.as_deref(), prod.uid());
    assert!(!mc.is_host && mc.deleting_since.is_none());
    assert_eq!(mc.kubernetes_version.as_deref(), Some("v1.30.9"));
    assert_eq!(mc.kubesphere_version.as_deref(), Some("v3.4.1"));
    assert_eq!(
        prod.effective().unwrap().recorded_name.as_deref(),
        Some("prod-1")
    );
    assert!(get("new-host").is_host());
    assert_ne!(get("new-host").jwt_fingerprint(), prod.jwt_fingerprint());
    // The GitOps-owned project keeps its foreign owner beside the workspace binding.
    let gitops = prod
        .projects
        .all()
        .iter()
        .find(|p| p.name == "apps-gitops")
        .unwrap();
    assert!(
        gitops
            .owner_references
            .iter()
            .any(|r| r.kind == "Application")
    );
    let users: Vec<_> = prod
        .users
        .all()
        .iter()
        .filter(|u| u.kubefed_managed)
        .map(|u| u.name.as_str())
        .collect();
    assert!(
        users.contains(&"alice") && users.contains(&"bob"),
        "{users:?}"
    );
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cc_change_not_yet_rendered_is_found() {
    let mut options = EstateOptions::default();
    options.kubesphere.installer_delay = Duration::from_secs(3600);
    let (estate, dir) = start(&Scenario::fresh(), &options).await;
    let source =
        ksmc_core::ClusterSource::from_file(&dir.path().join("member-1.kubeconfig")).unwrap();
    let client = source.client().await.unwrap();
    let ar = kube::api::ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk(
            "installer.kubesphere.io",
            "v1alpha1",
            "ClusterConfiguration",
        ),
        "clusterconfigurations",
    );
    let api: kube::Api<kube::api::DynamicObject> =
        kube::Api::namespaced_with(client, "kubesphere-system", &ar);
    api.patch(
        "ks-installer",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(
            serde_json::json!({"spec": {"multicluster": {"clusterRole": "member"}}}),
        ),
    )
    .await
    .unwrap();
    let report = inspect_dir(dir.path()).await.unwrap();
    assert_eq!(
        by_cluster(&report),
        expect(&[
            ("host", &[]),
            ("member-1", &["config-not-rendered", "role-none"])
        ]),
        "{:#?}",
        report.findings
    );
    let f = report
        .findings
        .iter()
        .find(|f| f.id == "config-not-rendered")
        .unwrap();
    assert!(
        f.explanation
            .contains("member in the ClusterConfiguration, none in effect"),
        "{}",
        f.explanation
    );
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kubectl_created_cluster_that_cannot_join_is_not_ready_with_its_reason() {
    let (estate, dir) = start(&Scenario::misconfigured(), &EstateOptions::default()).await;
    // What `kubectl apply` of a Cluster does without the console's validation.
    let kubeconfig = estate
        .kubeconfig(estate.cluster("m-dirty").unwrap())
        .unwrap();
    use base64::Engine as _;
    let source = ksmc_core::ClusterSource::from_file(&dir.path().join("host.kubeconfig")).unwrap();
    let ar = kube::api::ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk("cluster.kubesphere.io", "v1alpha1", "Cluster"),
        "clusters",
    );
    let api: kube::Api<kube::api::DynamicObject> =
        kube::Api::all_with(source.client().await.unwrap(), &ar);
    let obj: kube::api::DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
        "metadata": {"name": "m-dirty"},
        "spec": {"joinFederation": true, "connection": {"type": "direct",
            "kubeconfig": base64::engine::general_purpose::STANDARD.encode(kubeconfig)}},
    }))
    .unwrap();
    api.create(&kube::api::PostParams::default(), &obj)
        .await
        .unwrap();
    let key = ksmc_sim::resources::ResourceKey {
        group: "cluster.kubesphere.io".into(),
        plural: "clusters".into(),
    };
    for _ in 0..200 {
        if estate
            .cluster("host")
            .unwrap()
            .cluster
            .store
            .get(&key, "", "m-dirty")
            .is_some_and(|c| c.pointer("/status/conditions").is_some())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let report = inspect_dir(dir.path()).await.unwrap();
    let nr = report
        .findings
        .iter()
        .find(|f| f.id == "cluster-not-ready")
        .expect("not ready found");
    assert_eq!(nr.cluster, "host");
    assert_eq!(nr.object.as_deref(), Some("Cluster m-dirty"));
    assert!(
        nr.explanation
            .contains("The workspace old-ws is found in the target member cluster m-dirty"),
        "{}",
        nr.explanation
    );
    estate.shutdown().await;
}
