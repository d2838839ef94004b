//! `ksmc cluster list` end to end: the real binary against a running ksmc-sim estate.

use std::process::Command;

use ksmc_sim::{Estate, EstateOptions, Scenario};

fn ksmc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ksmc"))
        .args(args)
        .output()
        .expect("ksmc runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_clusters_as_json_and_table() {
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    let dir_arg = dir.path().to_str().unwrap().to_owned();

    let out = tokio::task::spawn_blocking({
        let d = dir_arg.clone();
        move || ksmc(&["cluster", "list", "--kubeconfig-dir", &d, "--json"])
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["source"], "directory");
    let clusters = view["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 2);
    assert_eq!(clusters[0]["name"], "host");
    assert_eq!(clusters[0]["role"], "host");
    assert_eq!(clusters[0]["kubernetesVersion"], "v1.32.4");
    assert_eq!(clusters[0]["namespaceCount"], 8);
    assert_eq!(clusters[1]["name"], "member-1");
    assert_eq!(clusters[1]["kubernetesVersion"], "v1.31.6");
    assert_eq!(clusters[1]["namespaceCount"], 7);

    let out = tokio::task::spawn_blocking(move || {
        ksmc(&["cluster", "list", "--kubeconfig-dir", &dir_arg])
    })
    .await
    .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].split_whitespace().eq([
            "NAME",
            "ROLE",
            "KUBERNETES",
            "KUBESPHERE",
            "NAMESPACES",
            "LATENCY",
            "SERVER",
            "STATUS"
        ]),
        "{text}"
    );
    let host: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(
        &host[..5],
        ["host", "host", "v1.32.4", "v3.4.1", "8"],
        "{text}"
    );
    assert_eq!(host.last(), Some(&"ok"));
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_cluster_sets_exit_code_2_and_says_why() {
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    estate.shutdown().await;
    let d = dir.path().to_str().unwrap().to_owned();
    let out =
        tokio::task::spawn_blocking(move || ksmc(&["cluster", "list", "--kubeconfig-dir", &d]))
            .await
            .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Unreachable: cannot reach the API server"),
        "{text}"
    );
}

#[test]
fn a_missing_directory_fails_with_a_clear_message() {
    let out = ksmc(&["cluster", "list", "--kubeconfig-dir", "/nonexistent/ksmc"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("cannot read directory /nonexistent/ksmc"),
        "{err}"
    );
}
