//! `vault test` against the simulated estate over HTTPS: each problem is reported by the
//! check it belongs to — a refused token as authentication, a stopped server as
//! reachability, a certificate from another CA as TLS, a cluster without KubeSphere as a
//! warning — and nothing after a failed check is claimed to work.

mod vault_common;

use std::sync::Arc;

use ksmc_core::vault::{self, CheckName, CheckStatus, ClusterTestReport, MemoryKeyStore, Vault};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use serde_json::json;
use vault_common::*;

const WRONG_TOKEN: &str = "CANARY-WRONG-TOKEN-4e4e";

fn status(report: &ClusterTestReport, name: CheckName) -> CheckStatus {
    report.check(name).unwrap().status
}

fn token_doc(access: &SimAccess, ca_data: &str, token: &str) -> serde_json::Value {
    config(
        json!({"server": access.server, "certificate-authority-data": ca_data}),
        Some(token_user(token)),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn each_problem_is_reported_by_its_own_check() {
    // `member-1` without KubeSphere: a plain Kubernetes cluster.
    let mut scenario = Scenario::fresh();
    scenario.clusters[1].kubesphere_version = None;
    let estate = Estate::start(&scenario, &EstateOptions::default())
        .await
        .unwrap();
    let host = sim_access(&estate, "host");
    let plain = sim_access(&estate, "member-1");
    let root = tempfile::tempdir().unwrap();
    let vault: Vault = memory_vault(root.path(), &Arc::new(MemoryKeyStore::new()));
    let other_ca = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()])
        .unwrap()
        .cert
        .pem();
    add(
        &vault,
        "good",
        &token_doc(&host, &host.ca_data, &host.token),
    );
    add(
        &vault,
        "plain",
        &token_doc(&plain, &plain.ca_data, &plain.token),
    );
    add(
        &vault,
        "wrong-token",
        &token_doc(&host, &host.ca_data, WRONG_TOKEN),
    );
    add(
        &vault,
        "other-ca",
        &token_doc(&host, &b64(&other_ca), &host.token),
    );

    let good = vault::test_cluster(&vault, "good").await.unwrap();
    assert!(good.ok, "{good:?}");
    assert!(
        good.checks.iter().all(|c| c.status == CheckStatus::Passed),
        "{good:?}"
    );
    assert!(good.kubernetes_version.is_some());
    let tls = good.check(CheckName::Tls).unwrap();
    assert!(tls.detail.contains("sha256:"), "{tls:?}");
    assert!(
        good.check(CheckName::Authorization)
            .unwrap()
            .detail
            .contains("kubesphere-system"),
        "{good:?}"
    );
    // Seen just now.
    assert!(vault.get("good").unwrap().last_seen_at.is_some());

    let plain_report = vault::test_cluster(&vault, "plain").await.unwrap();
    assert!(plain_report.ok, "a warning is no failure: {plain_report:?}");
    let ks = plain_report.check(CheckName::Kubesphere).unwrap();
    assert_eq!(ks.status, CheckStatus::Warning);
    assert!(ks.detail.contains("not installed"), "{ks:?}");

    let wrong = vault::test_cluster(&vault, "wrong-token").await.unwrap();
    assert!(!wrong.ok);
    assert_eq!(status(&wrong, CheckName::Reachability), CheckStatus::Passed);
    assert_eq!(status(&wrong, CheckName::Tls), CheckStatus::Passed);
    let auth = wrong.check(CheckName::Authentication).unwrap();
    assert_eq!(auth.status, CheckStatus::Failed, "{wrong:?}");
    assert!(auth.detail.contains("401"), "{auth:?}");
    assert!(auth.fix.as_ref().unwrap().contains("token"), "{auth:?}");
    assert_eq!(
        status(&wrong, CheckName::Authorization),
        CheckStatus::Skipped
    );
    assert_eq!(status(&wrong, CheckName::Kubesphere), CheckStatus::Skipped);
    assert!(vault.get("wrong-token").unwrap().last_seen_at.is_none());

    let other = vault::test_cluster(&vault, "other-ca").await.unwrap();
    assert!(!other.ok);
    assert_eq!(status(&other, CheckName::Reachability), CheckStatus::Passed);
    let tls = other.check(CheckName::Tls).unwrap();
    assert_eq!(tls.status, CheckStatus::Failed, "{other:?}");
    assert!(tls.detail.contains("certificate"), "{tls:?}");
    assert!(
        tls.fix.as_ref().unwrap().contains("not signed by the CA"),
        "{tls:?}"
    );
    assert_eq!(
        status(&other, CheckName::Authentication),
        CheckStatus::Skipped
    );

    let err = vault::test_cluster(&vault, "nope").await.unwrap_err();
    assert_eq!(err.reason(), "not-found");

    for report in [&good, &plain_report, &wrong, &other] {
        let text = serde_json::to_string(report).unwrap();
        for secret in [WRONG_TOKEN, host.token.as_str(), plain.token.as_str()] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    // The server stops: unreachable, said as such.
    estate.shutdown().await;
    let down = vault::test_cluster(&vault, "good").await.unwrap();
    assert!(!down.ok);
    assert_eq!(status(&down, CheckName::Credentials), CheckStatus::Passed);
    let reach = down.check(CheckName::Reachability).unwrap();
    assert_eq!(reach.status, CheckStatus::Failed, "{down:?}");
    assert!(reach.detail.contains("refused the connection"), "{reach:?}");
    assert_eq!(status(&down, CheckName::Tls), CheckStatus::Skipped);
}

#[test]
fn a_locked_cluster_fails_its_credentials_check_and_still_tells_reachability() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
            .await
            .unwrap();
        let host = sim_access(&estate, "host");
        let root = tempfile::tempdir().unwrap();
        {
            let session = Vault::open_session_only(root.path()).unwrap();
            add(
                &session,
                "host",
                &token_doc(&host, &host.ca_data, &host.token),
            );
        }
        // The next session's key is another: the cluster is locked.
        let session = Vault::open_session_only(root.path()).unwrap();
        let report = vault::test_cluster(&session, "host").await.unwrap();
        assert!(!report.ok);
        let creds = report.check(CheckName::Credentials).unwrap();
        assert_eq!(creds.status, CheckStatus::Failed);
        assert!(creds.detail.contains("locked"), "{creds:?}");
        assert!(
            creds.fix.as_ref().unwrap().contains("vault remove host"),
            "{creds:?}"
        );
        assert_eq!(
            status(&report, CheckName::Reachability),
            CheckStatus::Passed
        );
        assert_eq!(status(&report, CheckName::Tls), CheckStatus::Skipped);
        estate.shutdown().await;
    });
}
