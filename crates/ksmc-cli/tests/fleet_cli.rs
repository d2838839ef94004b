//! `ksmc fleet inspect` and `ksmc fleet preflight` end to end: the real binary against a
//! running ksmc-sim estate.

use std::process::{Command, Output};

use ksmc_sim::{Estate, EstateOptions, Scenario};

async fn ksmc(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_ksmc"))
            .args(&args)
            .output()
            .expect("ksmc runs")
    })
    .await
    .unwrap()
}

fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

async fn misconfigured() -> (Estate, tempfile::TempDir, String) {
    let estate = Estate::start(&Scenario::misconfigured(), &EstateOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    let d = dir.path().to_str().unwrap().to_owned();
    (estate, dir, d)
}

#[tokio::test(flavor = "multi_thread")]
async fn inspect_prints_facts_and_findings_and_exits_2_on_errors() {
    let (estate, _dir, d) = misconfigured().await;
    let out = ksmc(args(&[
        "fleet",
        "inspect",
        "--kubeconfig-dir",
        &d,
        "--json",
    ]))
    .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 6);
    let host = clusters.iter().find(|c| c["name"] == "host").unwrap();
    assert_eq!(host["kubesphere"]["effective"]["clusterRole"], "host");
    assert_eq!(
        host["kubesphere"]["effective"]["source"],
        "ConfigMap kubesphere-system/kubesphere-config"
    );
    assert_eq!(
        host["kubesphere"]["effective"]["jwtFingerprint"]
            .as_str()
            .unwrap()
            .len(),
        12
    );
    let findings = report["findings"].as_array().unwrap();
    let mut ids: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["cluster"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            ("m-dirty", "member-local-workspace"),
            ("m-dirty", "member-user-conflict"),
            ("m-dirty", "workspace-conflict"),
            ("m-jwt", "jwt-mismatch"),
            ("m-plain", "no-kubesphere"),
            ("m-renamed", "earlier-import-name"),
            ("m-role", "role-none"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(findings[0]["severity"], "error");
    let secret =
        ksmc_sim::kubesphere::installer::current_secret(&estate.cluster("host").unwrap().cluster)
            .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret));

    let out = ksmc(args(&["fleet", "inspect", "--kubeconfig-dir", &d])).await;
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].split_whitespace().eq([
            "NAME",
            "ROLE",
            "CC-ROLE",
            "KUBERNETES",
            "KUBESPHERE",
            "JWT",
            "RECORDED-AS",
            "CLUSTERS",
            "WORKSPACES",
            "PROJECTS",
            "USERS",
            "LATENCY",
            "STATUS"
        ]),
        "{text}"
    );
    let plain: Vec<&str> = lines
        .iter()
        .find(|l| l.trim_start().starts_with("m-plain"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        &plain[..5],
        ["m-plain", "no-ks", "-", "v1.29.12", "-"],
        "{text}"
    );
    let header = lines
        .iter()
        .position(|l| l.trim_start().starts_with("SEVERITY"))
        .expect("findings table");
    assert!(
        lines[header]
            .split_whitespace()
            .eq(["SEVERITY", "ID", "CLUSTER", "OBJECT", "FINDING", "FIX"])
    );
    let jwt: Vec<&str> = lines
        .iter()
        .find(|l| l.contains("jwt-mismatch"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(&jwt[..3], ["error", "jwt-mismatch", "m-jwt"], "{text}");
    assert!(!text.contains(&secret));
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn preflight_exits_2_on_a_failed_check_and_0_when_all_pass() {
    let (estate, _dir, d) = misconfigured().await;
    let out = ksmc(args(&[
        "fleet",
        "preflight",
        "--kubeconfig-dir",
        &d,
        "--host",
        "host",
        "--member",
        "m-jwt",
    ]))
    .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Import m-jwt into host as m-jwt"),
        "{text}"
    );
    let fail: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(fail.len(), 1, "{text}");
    assert!(
        fail[0].contains("jwt-secret")
            && fail[0].contains("hostcluster Jwt is not equal to member cluster jwt"),
        "{text}"
    );
    assert!(text.contains("patch cc ks-installer"), "{text}");
    assert!(
        text.ends_with("Not ready: fix the failed checks first.\n"),
        "{text}"
    );

    let out = ksmc(args(&[
        "fleet",
        "preflight",
        "--kubeconfig-dir",
        &d,
        "--host",
        "host",
        "--member",
        "m-renamed",
        "--name",
        "legacy-name",
        "--json",
    ]))
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["name"], "legacy-name");
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), ksmc_core::fleet::preflight::CHECK_IDS.len());
    assert!(checks.iter().all(|c| c["status"] == "pass"), "{report:#}");

    let out = ksmc(args(&[
        "fleet",
        "preflight",
        "--kubeconfig-dir",
        &d,
        "--host",
        "host",
        "--member",
        "nope",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no kubeconfig for cluster nope"));
    estate.shutdown().await;
}
