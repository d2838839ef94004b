//! Cluster facts read over HTTPS from a running ksmc-sim estate.

use ksmc_core::estate::inspect_dir;
use ksmc_core::facts::count_namespaces;
use ksmc_core::{ClusterRole, ClusterSource, ErrorKind, EstateSource};
use ksmc_sim::{Estate, EstateOptions, Scenario};

async fn fresh() -> (Estate, tempfile::TempDir) {
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .expect("estate starts");
    let dir = tempfile::tempdir().expect("tempdir");
    estate.write_dir(dir.path()).expect("kubeconfigs written");
    (estate, dir)
}

#[tokio::test]
async fn inspects_every_cluster_of_a_directory() {
    let (estate, dir) = fresh().await;
    let view = inspect_dir(dir.path()).await.expect("estate read");
    assert_eq!(view.source, EstateSource::Directory);
    let names: Vec<&str> = view.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["host", "member-1"], "host first");
    let host = &view.clusters[0];
    assert_eq!(host.error, None);
    assert_eq!(host.role, ClusterRole::Host);
    assert_eq!(host.kubernetes_version.as_deref(), Some("v1.32.4"));
    assert_eq!(host.kubesphere_version.as_deref(), Some("v3.4.1"));
    let host_ns = estate
        .cluster("host")
        .unwrap()
        .cluster
        .store
        .list(
            &ksmc_sim::resources::ResourceKey {
                group: String::new(),
                plural: "namespaces".into(),
            },
            None,
        )
        .0
        .len();
    assert_eq!(host.namespace_count, Some(u32::try_from(host_ns).unwrap()));
    assert!(host.server.starts_with("https://127.0.0.1:"));
    assert!(host.latency_ms.is_some());
    let member = &view.clusters[1];
    assert_eq!(member.role, ClusterRole::None);
    assert_eq!(member.kubernetes_version.as_deref(), Some("v1.31.6"));
    estate.shutdown().await;
}

#[tokio::test]
async fn counts_namespaces_across_pages() {
    let (estate, dir) = fresh().await;
    let member = &estate.cluster("member-1").unwrap().cluster;
    for i in 0..1203 {
        member
            .seed_namespace(&format!("project-{i:04}"), serde_json::json!({}))
            .unwrap();
    }
    let source = ClusterSource::from_file(&dir.path().join("member-1.kubeconfig")).unwrap();
    let client = source.client().await.unwrap();
    // 7 system namespaces from the scenario + 1203 projects, over three pages of 500.
    assert_eq!(count_namespaces(&client).await.unwrap(), 1210);
    estate.shutdown().await;
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_not_echoed() {
    let (estate, dir) = fresh().await;
    let path = dir.path().join("host.kubeconfig");
    let text = std::fs::read_to_string(&path).unwrap();
    let token = &estate.cluster("host").unwrap().cluster.admin_token;
    std::fs::write(&path, text.replace(token.as_str(), "not-the-token-canary")).unwrap();
    let view = inspect_dir(dir.path()).await.unwrap();
    let host = view.clusters.iter().find(|c| c.name == "host").unwrap();
    let err = host.error.as_ref().expect("host unreadable");
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert_eq!(err.status, Some(401));
    assert!(!err.message.contains("canary"));
    assert_eq!(host.namespace_count, None);
    // The other cluster is still read.
    let member = view.clusters.iter().find(|c| c.name == "member-1").unwrap();
    assert!(member.error.is_none());
    estate.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_cluster_is_reported_as_such() {
    let (estate, dir) = fresh().await;
    let server = estate.cluster("member-1").unwrap().entry.server.clone();
    estate.shutdown().await;
    let view = inspect_dir(dir.path()).await.unwrap();
    let member = view.clusters.iter().find(|c| c.server == server).unwrap();
    assert_eq!(member.error.as_ref().unwrap().kind, ErrorKind::Unreachable);
}

#[tokio::test]
async fn a_malformed_kubeconfig_is_one_bad_row_not_a_failure() {
    let (estate, dir) = fresh().await;
    std::fs::write(
        dir.path().join("broken.yaml"),
        "apiVersion: v1\nusers: [ {name: x, user: {token: secret-canary}\n",
    )
    .unwrap();
    let view = inspect_dir(dir.path()).await.unwrap();
    assert_eq!(view.clusters.len(), 3);
    let broken = view.clusters.iter().find(|c| c.name == "broken").unwrap();
    let err = broken.error.as_ref().unwrap();
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert!(
        err.message.contains("not a valid kubeconfig"),
        "{}",
        err.message
    );
    assert!(!err.message.contains("secret-canary"));
    estate.shutdown().await;
}

#[test]
fn credential_plugins_and_oversized_files_are_refused() {
    let exec = r"
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: [-c, 'echo pwned']}}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
";
    let err = ClusterSource::from_yaml("exec", exec).unwrap_err();
    assert!(err.to_string().contains("credential plugin"), "{err}");
    let huge = "#".repeat(ksmc_core::kubeconfig::MAX_KUBECONFIG_BYTES + 1);
    let err = ClusterSource::from_yaml("huge", &huge).unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
    let token_file = exec
        .replace("{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: [-c, 'echo pwned']}}", "{tokenFile: /etc/shadow}");
    let err = ClusterSource::from_yaml("tf", &token_file).unwrap_err();
    assert!(err.to_string().contains("tokenFile"), "{err}");
    let basic = exec.replace("{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: [-c, 'echo pwned']}}", "{username: admin, password: hunter2-canary}");
    let err = ClusterSource::from_yaml("basic", &basic).unwrap_err();
    assert!(
        err.to_string().contains("username and password") && !err.to_string().contains("canary"),
        "{err}"
    );
    let ok = exec.replace("{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: [-c, 'echo pwned']}}", "{token: secret-canary}");
    let source = ClusterSource::from_yaml("ok", &ok).unwrap();
    assert!(
        !format!("{source:?}").contains("canary"),
        "Debug redacts credentials"
    );
    let no_context = "apiVersion: v1\nkind: Config\nclusters: []\n";
    let err = ClusterSource::from_yaml("empty", no_context).unwrap_err();
    assert!(err.to_string().contains("no current-context"), "{err}");
}

#[tokio::test]
async fn an_empty_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = inspect_dir(dir.path()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert!(err.message.contains("no kubeconfig"));
}
