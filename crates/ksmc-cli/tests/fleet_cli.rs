//! `ksmc inspect`, `ksmc findings` and `ksmc preflight import` (and the older `ksmc fleet
//! inspect|preflight`) end to end: the real binary against a running ksmc-sim estate.

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
    misconfigured_with(&EstateOptions::default()).await
}

async fn misconfigured_with(options: &EstateOptions) -> (Estate, tempfile::TempDir, String) {
    let estate = Estate::start(&Scenario::misconfigured(), options)
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
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "no cluster named \"nope\" in this estate (known: host, m-dirty, m-jwt, m-plain, m-renamed, m-role)"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    estate.shutdown().await;
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `(cluster, id)` of every finding of a JSON list, sorted.
fn finding_ids(list: &serde_json::Value) -> Vec<(String, String)> {
    let mut ids: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["cluster"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    ids.sort();
    ids
}

fn requests(estate: &Estate, cluster: &str) -> u64 {
    estate.cluster(cluster).unwrap().faults.stats().requests
}

#[tokio::test(flavor = "multi_thread")]
async fn inspect_cluster_reads_c_its_host_and_only_the_identity_of_the_others() {
    // 1 ms of latency turns on the simulator's request counters.
    let options = EstateOptions {
        faults: ksmc_sim::FaultPlan::latency(1, 0),
        ..EstateOptions::default()
    };
    let (estate, _dir, d) = misconfigured_with(&options).await;
    // A whole inspection, for the request counts of a full read.
    let before = requests(&estate, "m-dirty");
    let out = ksmc(args(&["inspect", "--kubeconfig-dir", &d, "--json"])).await;
    assert_eq!(out.status.code(), Some(2));
    let full_read = requests(&estate, "m-dirty") - before;

    let (dirty0, host0) = (requests(&estate, "m-dirty"), requests(&estate, "host"));
    let out = ksmc(args(&[
        "inspect",
        "--kubeconfig-dir",
        &d,
        "--cluster",
        "m-jwt",
        "--json",
    ]))
    .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{report:#}");
    assert_eq!(clusters[0]["name"], "m-jwt");
    assert!(clusters[0]["users"]["items"].is_array(), "{report:#}");
    // The jwtSecret comparison needs the host: it was read, and the finding is there.
    assert_eq!(
        finding_ids(&report["findings"]),
        [("m-jwt".to_owned(), "jwt-mismatch".to_owned())]
    );
    let (dirty, host) = (
        requests(&estate, "m-dirty") - dirty0,
        requests(&estate, "host") - host0,
    );
    assert!(
        dirty > 0 && dirty < full_read,
        "m-dirty: {dirty} requests for its identity, {full_read} for a full read"
    );
    assert!(
        host >= full_read,
        "host read in full: {host} vs {full_read}"
    );

    // m-dirty's own findings, and only them; the text form shows one cluster row.
    let out = ksmc(args(&[
        "inspect",
        "--kubeconfig-dir",
        &d,
        "--cluster",
        "m-dirty",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(rows[0].trim_start().starts_with("m-dirty"), "{text}");
    assert!(
        text.contains("member-user-conflict") && !text.contains("jwt-mismatch"),
        "{text}"
    );

    // The host of this estate has no member yet and nothing wrong of its own.
    let out = ksmc(args(&[
        "inspect",
        "--kubeconfig-dir",
        &d,
        "--cluster",
        "host",
        "--json",
    ]))
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = json_of(&out);
    assert_eq!(report["clusters"].as_array().unwrap().len(), 1);
    assert_eq!(report["findings"], serde_json::json!([]));

    let out = ksmc(args(&[
        "inspect",
        "--kubeconfig-dir",
        &d,
        "--cluster",
        "nope",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "no cluster named \"nope\" in this estate (known: host, m-dirty, m-jwt, m-plain, m-renamed, m-role)"
        ),
        "{err}"
    );
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn inspect_cluster_on_a_member_keeps_the_hosts_findings_about_its_cluster_object() {
    let estate = Estate::start(&Scenario::migrate(), &EstateOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    let d = dir.path().to_str().unwrap().to_owned();
    // old-host loses its link to prod-1 (its controller then leaves the conditions alone),
    // and its Cluster prod-1 is not Ready: a finding filed under old-host about prod-1.
    estate.network().set_reachable("prod-1", false);
    let host = &estate.cluster("old-host").unwrap().cluster;
    let key = ksmc_sim::resources::ResourceKey {
        group: "cluster.kubesphere.io".into(),
        plural: "clusters".into(),
    };
    let mut cluster = host.store.get(&key, "", "prod-1").expect("Cluster prod-1");
    cluster["status"]["conditions"] = serde_json::json!([
        {"type": "Ready", "status": "False", "reason": "Unreachable", "message": "no route"}
    ]);
    host.store.update(&key, cluster, None).unwrap();

    let whole = ksmc(args(&["findings", "--kubeconfig-dir", &d, "--json"])).await;
    let scoped = ksmc(args(&[
        "findings",
        "--kubeconfig-dir",
        &d,
        "--cluster",
        "prod-1",
        "--json",
    ]))
    .await;
    assert_eq!(scoped.status.code(), Some(2));
    let all = finding_ids(&json_of(&whole));
    assert!(
        all.contains(&("old-host".to_owned(), "cluster-not-ready".to_owned())),
        "{all:?}"
    );
    let mine = json_of(&scoped);
    let not_ready: Vec<&serde_json::Value> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "cluster-not-ready")
        .collect();
    assert_eq!(not_ready.len(), 1, "{mine:#}");
    assert_eq!(not_ready[0]["cluster"], "old-host");
    assert_eq!(not_ready[0]["object"], "Cluster prod-1");
    // Every finding of the whole estate about prod-1 is in the scoped list, and nothing else.
    let expected: Vec<(String, String)> = json_of(&whole)
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["cluster"] == "prod-1" || f["object"] == "Cluster prod-1")
        .map(|f| {
            (
                f["cluster"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(finding_ids(&mine), expected);
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn findings_lists_with_fixes_filters_by_severity_and_sets_the_exit_code() {
    let (estate, _dir, d) = misconfigured().await;
    let out = ksmc(args(&["findings", "--kubeconfig-dir", &d, "--json"])).await;
    assert_eq!(out.status.code(), Some(2));
    let list = json_of(&out);
    assert_eq!(finding_ids(&list).len(), 7, "{list:#}");
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|f| !f["fix"]["summary"].as_str().unwrap().is_empty())
    );
    let warnings = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "error")
        .count();
    assert!(warnings > 0, "{list:#}");

    let out = ksmc(args(&[
        "findings",
        "--kubeconfig-dir",
        &d,
        "--severity",
        "error",
        "--json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2));
    let errors = json_of(&out);
    let errors = errors.as_array().unwrap();
    assert_eq!(errors.len(), 7 - warnings);
    assert!(errors.iter().all(|f| f["severity"] == "error"));

    // Only warnings for m-dirty's users: exit 0 when nothing listed is an error.
    let out = ksmc(args(&[
        "findings",
        "--kubeconfig-dir",
        &d,
        "--cluster",
        "m-dirty",
    ]))
    .await;
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .split_whitespace()
            .eq(["SEVERITY", "ID", "CLUSTER", "OBJECT", "FINDING", "FIX"]),
        "{text}"
    );
    assert!(
        text.lines().skip(1).all(|l| l.contains("m-dirty")),
        "{text}"
    );

    let (fresh, _fdir, f) = {
        let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        estate.write_dir(dir.path()).unwrap();
        let f = dir.path().to_str().unwrap().to_owned();
        (estate, dir, f)
    };
    // fresh: member-1 is not a member yet, a warning; no error, so exit 0.
    let out = ksmc(args(&["findings", "--kubeconfig-dir", &f, "--json"])).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        finding_ids(&json_of(&out)),
        [("member-1".to_owned(), "role-none".to_owned())]
    );
    let out = ksmc(args(&[
        "findings",
        "--kubeconfig-dir",
        &f,
        "--severity",
        "error",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "No findings.");

    let out = ksmc(args(&[
        "findings",
        "--kubeconfig-dir",
        &d,
        "--severity",
        "bad",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'bad'"));
    fresh.shutdown().await;
    estate.shutdown().await;
}

/// Patches member-1's ClusterConfiguration as a preflight fix says: clusterRole member and
/// the host's jwtSecret.
async fn configure_member(estate: &Estate, dir: &std::path::Path) {
    let secret =
        ksmc_sim::kubesphere::installer::current_secret(&estate.cluster("host").unwrap().cluster)
            .unwrap();
    let source = ksmc_core::ClusterSource::from_file(&dir.join("member-1.kubeconfig")).unwrap();
    let ar = kube::api::ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk(
            "installer.kubesphere.io",
            "v1alpha1",
            "ClusterConfiguration",
        ),
        "clusterconfigurations",
    );
    let api: kube::Api<kube::api::DynamicObject> =
        kube::Api::namespaced_with(source.client().await.unwrap(), "kubesphere-system", &ar);
    api.patch(
        "ks-installer",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(serde_json::json!({"spec": {
            "multicluster": {"clusterRole": "member"},
            "authentication": {"jwtSecret": secret},
        }})),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn preflight_import_passes_on_fresh_and_fails_with_the_fix_on_misconfigured() {
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    let f = dir.path().to_str().unwrap().to_owned();
    let import = args(&[
        "preflight",
        "import",
        "--kubeconfig-dir",
        &f,
        "--host",
        "host",
        "--member",
        "member-1",
        "--name",
        "member-1",
    ]);
    // fresh: member-1 has KubeSphere but is not configured as a member yet.
    let out = ksmc(import.clone()).await;
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.starts_with("Import member-1 into host as member-1"),
        "{text}"
    );
    assert!(text.contains("\"clusterRole\":\"member\""), "{text}");
    assert!(
        text.ends_with("Not ready: fix the failed checks first.\n"),
        "{text}"
    );

    // The fix applied, the installer renders it, and every check passes.
    configure_member(&estate, dir.path()).await;
    let mut text = String::new();
    for _ in 0..100 {
        let out = ksmc(import.clone()).await;
        text = String::from_utf8(out.stdout).unwrap();
        if out.status.code() == Some(0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!text.contains("FAIL"), "{text}");
    assert!(text.ends_with("Ready to import.\n"), "{text}");
    estate.shutdown().await;

    let (estate, _dir, d) = misconfigured().await;
    let out = ksmc(args(&[
        "preflight",
        "import",
        "--kubeconfig-dir",
        &d,
        "--host",
        "host",
        "--member",
        "m-role",
        "--name",
        "edge",
        "--json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2));
    let report = json_of(&out);
    assert_eq!(report["ok"], false);
    assert_eq!(report["name"], "edge");
    let failed: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert!(!failed.is_empty(), "{report:#}");
    assert!(
        failed.iter().all(|c| c["fix"]["summary"].is_string()),
        "{report:#}"
    );
    assert!(
        failed
            .iter()
            .flat_map(|c| c["fix"]["commands"].as_array().unwrap())
            .any(|c| c.as_str().unwrap().contains("clusterRole")),
        "{report:#}"
    );
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fleet_commands_take_the_vault_and_show_locked_clusters_as_rows() {
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let run = |a: Vec<String>| {
        let home = home.path().to_owned();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_ksmc"))
                .args(&a)
                .env("KSMC_HOME", &home)
                .env_remove("KUBECONFIG")
                .output()
                .expect("ksmc runs")
        })
    };
    for name in ["host", "member-1"] {
        let file = dir.path().join(format!("{name}.kubeconfig"));
        let out = run(args(&[
            "vault",
            "add",
            "--session-only",
            "--file",
            file.to_str().unwrap(),
        ]))
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A new process has a new in-memory key: each cluster is a row with its error.
    let out = run(args(&["inspect", "--vault", "--session-only", "--json"]))
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    let mut names: Vec<&str> = report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["error"]["kind"], "KeyringUnavailable", "{c}");
            c["name"].as_str().unwrap()
        })
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["host", "member-1"]);
    assert_eq!(
        finding_ids(&report["findings"]),
        [
            ("host".to_owned(), "cluster-unreadable".to_owned()),
            ("member-1".to_owned(), "cluster-unreadable".to_owned())
        ]
    );

    let out = run(args(&[
        "findings",
        "--vault",
        "--session-only",
        "--cluster",
        "member-1",
        "--json",
    ]))
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        finding_ids(&json_of(&out)),
        [("member-1".to_owned(), "cluster-unreadable".to_owned())]
    );

    let out = run(args(&[
        "inspect",
        "--vault",
        "--session-only",
        "--cluster",
        "edge",
    ]))
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no cluster named \"edge\" in this estate (known: host, member-1)")
    );

    let out = run(args(&[
        "preflight",
        "import",
        "--vault",
        "--session-only",
        "--host",
        "host",
        "--member",
        "member-1",
    ]))
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cluster host cannot be used"), "{err}");

    // --vault and --kubeconfig-dir are one or the other.
    let out = run(args(&[
        "inspect",
        "--vault",
        "--kubeconfig-dir",
        dir.path().to_str().unwrap(),
    ]))
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
    estate.shutdown().await;
}
