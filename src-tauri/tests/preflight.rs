//! The `preflight_import` adapter against the in-process demo estate: the checklist of an
//! import, read live from the open estate's clusters, failed checks as data, no secret in it.

use ksmc_core::ErrorKind;
use ksmc_core::fleet::{CheckStatus, PreflightReport};
use ksmc_desktop_lib::state::{AppState, EstateChoice};

async fn demo(scenario: &str) -> AppState {
    AppState::open(EstateChoice::Demo(scenario.into()))
        .await
        .expect("demo estate")
}

fn with(report: &PreflightReport, status: CheckStatus) -> Vec<&str> {
    report
        .checks
        .iter()
        .filter(|c| c.status == status)
        .map(|c| c.id.as_str())
        .collect()
}

/// The jwtSecrets ksmc-sim's v3 scenarios plant (host's and the others'): only their
/// fingerprints may cross the IPC boundary.
const SECRETS: [&str; 2] = [
    "hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd",
    "Qm4tZx8RkVb2Lw6NcYp0Hs3JfAe9GdUo",
];

fn no_secret(report: &PreflightReport) {
    let json = serde_json::to_string(report).unwrap();
    for s in SECRETS {
        assert!(!json.contains(s), "a jwtSecret in the payload");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misconfigured_members_fail_the_checks_they_break() {
    let state = demo("misconfigured").await;
    let role = state
        .preflight_import("host", "m-role", "m-role")
        .await
        .expect("report");
    assert!(!role.ok);
    assert_eq!(
        (role.host.as_str(), role.member.as_str()),
        ("host", "m-role")
    );
    assert_eq!(with(&role, CheckStatus::Fail), ["member-role"]);
    let failed = role.checks.iter().find(|c| c.id == "member-role").unwrap();
    assert!(failed.fix.is_some(), "a failed check says how to fix it");
    assert_eq!(
        failed.params.get("variant").map(String::as_str),
        Some("fail")
    );

    let jwt = state
        .preflight_import("host", "m-jwt", "renamed")
        .await
        .expect("report");
    assert!(!jwt.ok);
    assert_eq!(jwt.name, "renamed");
    assert_eq!(with(&jwt, CheckStatus::Fail), ["jwt-secret"]);
    no_secret(&role);
    no_secret(&jwt);

    let unknown = state
        .preflight_import("host", "nope", "nope")
        .await
        .expect_err("no such cluster");
    assert_eq!(unknown.kind, ErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_member_needs_its_role_and_the_hosts_jwt_secret() {
    let state = demo("fresh").await;
    let report = state
        .preflight_import("host", "member-1", "member-1")
        .await
        .expect("report");
    assert!(!report.ok);
    assert_eq!(
        report.checks.len(),
        ksmc_core::fleet::preflight::CHECK_IDS.len()
    );
    assert_eq!(
        with(&report, CheckStatus::Fail),
        ["member-role", "jwt-secret"]
    );
    assert_eq!(with(&report, CheckStatus::Warn), ["access-token-max-age"]);
    assert!(with(&report, CheckStatus::Pass).contains(&"name-free"));
    no_secret(&report);
}
