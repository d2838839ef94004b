//! Import preflight against running ksmc-sim scenarios: each real KubeSphere validation failure
//! with its message and a fix.

use ksmc_core::fleet::{CheckStatus, PreflightReport, preflight, source_in_dir};
use ksmc_sim::{Estate, EstateOptions, Scenario};

async fn start(scenario: &Scenario) -> (Estate, tempfile::TempDir) {
    let estate = Estate::start(scenario, &EstateOptions::default())
        .await
        .expect("estate starts");
    let dir = tempfile::tempdir().expect("tempdir");
    estate.write_dir(dir.path()).expect("kubeconfigs written");
    (estate, dir)
}

async fn run(
    dir: &std::path::Path,
    host: &str,
    member: &str,
    name: Option<&str>,
) -> PreflightReport {
    let h = source_in_dir(dir, host).unwrap();
    let m = source_in_dir(dir, member).unwrap();
    preflight(&h, &m, name).await
}

fn status(r: &PreflightReport, id: &str) -> CheckStatus {
    r.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
        .status
}

fn message<'a>(r: &'a PreflightReport, id: &str) -> &'a str {
    &r.checks.iter().find(|c| c.id == id).unwrap().message
}

/// Ids of the checks that did not pass, with their status.
fn not_passed(r: &PreflightReport) -> Vec<(String, CheckStatus)> {
    r.checks
        .iter()
        .filter(|c| c.status != CheckStatus::Pass)
        .map(|c| (c.id.clone(), c.status))
        .collect()
}

fn v(items: &[(&str, CheckStatus)]) -> Vec<(String, CheckStatus)> {
    items.iter().map(|(i, s)| ((*i).to_owned(), *s)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_misconfigured_member_fails_the_check_kubesphere_would_fail() {
    use CheckStatus::{Fail, Warn};
    let (estate, dir) = start(&Scenario::misconfigured()).await;
    let d = dir.path();

    let r = run(d, "host", "m-jwt", None).await;
    assert!(!r.ok);
    assert_eq!(not_passed(&r), v(&[("jwt-secret", Fail)]), "{r:#?}");
    assert!(message(&r, "jwt-secret").starts_with("failed to validate member cluster configuration, err: hostcluster Jwt is not equal to member cluster jwt, please edit the member cluster cluster config"));
    let fix = r
        .checks
        .iter()
        .find(|c| c.id == "jwt-secret")
        .unwrap()
        .fix
        .clone()
        .unwrap();
    assert_eq!(fix.fix_it.as_deref(), Some("copy-jwt-secret"));

    let r = run(d, "host", "m-role", None).await;
    assert_eq!(
        not_passed(&r),
        v(&[("member-role", Fail), ("access-token-max-age", Warn)]),
        "{r:#?}"
    );
    assert_eq!(
        message(&r, "member-role"),
        "failed to validate member cluster configuration, err: the clusterRole of the member cluster must be 'member' (it is none)"
    );

    let r = run(d, "host", "m-plain", None).await;
    assert_eq!(
        not_passed(&r),
        v(&[
            ("kubesphere-version", Fail),
            ("ks-apiserver", Fail),
            ("member-role", Fail),
            ("jwt-secret", Fail),
            ("access-token-max-age", CheckStatus::Skip)
        ]),
        "{r:#?}"
    );
    let ks = message(&r, "ks-apiserver");
    assert!(
        ks.starts_with("unable validate kubesphere endpoint, invalid response: "),
        "{ks}"
    );
    assert!(ks.ends_with(", please make sure ks-apiserver.kubesphere-system.svc of member cluster is up and running"), "{ks}");

    let r = run(d, "host", "m-dirty", None).await;
    assert_eq!(not_passed(&r), v(&[("clean-member", Fail)]), "{r:#?}");
    let clean = message(&r, "clean-member");
    assert!(clean.contains("The workspace old-ws is found in the target member cluster m-dirty, which is conflict with the workspace on host"), "{clean}");
    assert!(
        clean.contains("team-a") && clean.contains("alice"),
        "{clean}"
    );
    // What another language writes its sentences from: each kind of conflict's names.
    let check = r.checks.iter().find(|c| c.id == "clean-member").unwrap();
    let params: Vec<(&str, &str)> = check
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        params,
        [
            ("host", "host"),
            ("localWorkspaces", "team-a"),
            ("member", "m-dirty"),
            ("users", "alice"),
            ("variant", "conflicts"),
            ("workspaces", "old-ws"),
        ]
    );

    let r = run(d, "host", "m-renamed", None).await;
    assert_eq!(not_passed(&r), v(&[("recorded-name", Fail)]), "{r:#?}");
    assert!(message(&r, "recorded-name").contains("imported before as legacy-name"));
    let r = run(d, "host", "m-renamed", Some("legacy-name")).await;
    assert!(r.ok, "{r:#?}");
    assert!(not_passed(&r).is_empty());
    assert_eq!(r.name, "legacy-name");
    assert!(message(&r, "ks-apiserver").contains("v3.4.1"));

    // The wrong way round: a member is no host.
    let r = run(d, "m-jwt", "m-role", None).await;
    assert_eq!(status(&r, "host"), Fail);
    assert_eq!(status(&r, "not-imported"), CheckStatus::Skip);
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_prod_1_is_imported_already_on_old_host_and_needs_the_new_secret() {
    use CheckStatus::Fail;
    let (estate, dir) = start(&Scenario::migrate()).await;
    let key = ksmc_sim::resources::ResourceKey {
        group: "cluster.kubesphere.io".into(),
        plural: "clusters".into(),
    };
    for _ in 0..200 {
        if estate
            .cluster("old-host")
            .unwrap()
            .cluster
            .store
            .get(&key, "", "prod-1")
            .is_some_and(|c| c.pointer("/status/uid").is_some())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let d = dir.path();
    let r = run(d, "old-host", "prod-1", None).await;
    assert_eq!(
        not_passed(&r),
        v(&[("not-imported", Fail), ("name-free", Fail)]),
        "{r:#?}"
    );
    assert_eq!(
        message(&r, "not-imported"),
        "cluster prod-1 already exists (prod-1), MUST not import the same cluster twice"
    );

    let r = run(d, "new-host", "prod-1", None).await;
    assert_eq!(not_passed(&r), v(&[("jwt-secret", Fail)]), "{r:#?}");
    assert_eq!(
        message(&r, "recorded-name"),
        "imported before under the same name prod-1"
    );
    let r = run(d, "new-host", "prod-1", Some("prod-one")).await;
    assert_eq!(
        not_passed(&r),
        v(&[("jwt-secret", Fail), ("recorded-name", Fail)]),
        "{r:#?}"
    );
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_member_fails_the_kubeconfig_check_and_skips_the_rest() {
    let (estate, dir) = start(&Scenario::fresh()).await;
    let text = std::fs::read_to_string(dir.path().join("member-1.kubeconfig")).unwrap();
    let token = &estate.cluster("member-1").unwrap().cluster.admin_token;
    std::fs::write(
        dir.path().join("member-1.kubeconfig"),
        text.replace(token.as_str(), "wrong-token-canary"),
    )
    .unwrap();
    let r = run(dir.path(), "host", "member-1", None).await;
    assert!(!r.ok);
    assert_eq!(status(&r, "kubeconfig"), CheckStatus::Fail);
    assert!(
        message(&r, "kubeconfig").contains("401"),
        "{}",
        message(&r, "kubeconfig")
    );
    for id in [
        "not-imported",
        "ks-apiserver",
        "member-role",
        "jwt-secret",
        "clean-member",
    ] {
        assert_eq!(status(&r, id), CheckStatus::Skip, "{id}");
    }
    assert!(!serde_json::to_string(&r).unwrap().contains("canary"));
    estate.shutdown().await;
}
