//! A preflight failure in a real window on the `misconfigured` scenario: m-jwt runs with
//! another jwtSecret than host's. The overview's finding says so with the command that fixes
//! it; the import wizard's checklist fails that check (and only that one) with its fix;
//! planning its import without "let ksmc fix it" is refused with that check and how to fix
//! it; with the fix on, the plan carries the fix as its first phase. Before that, m-renamed
//! (imported before as `legacy-name`) typed under another Cluster name warns at once and fails
//! the recorded-name check; with the field cleared the default name passes it.
//! Screenshots go to target/e2e/.

mod common;

use std::time::Duration;

use common::{
    choose_language, js_click_on, launch, painted_shot, present, save_shots, select_in,
    visible_text, wait_for, wait_secs,
};
use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};

#[derive(Debug, Default)]
struct Seen {
    finding: String,
    /// Each check of the wizard's checklist as `id=status`.
    checklist: Vec<String>,
    jwt_check: String,
    error: String,
    fixed_plan: String,
    /// m-renamed under another name: the warning, then recorded-name's status.
    rename_warning: String,
    renamed_status: String,
    /// m-renamed under the default name: recorded-name's status.
    default_status: String,
    shots: Vec<(&'static str, Vec<u8>)>,
}

/// The finding about m-jwt's jwtSecret, scrolled into view.
async fn jwt_finding(client: &Client) -> Result<String, CmdError> {
    Ok(client
        .execute(
            "const e = document.querySelector(\"[data-testid='finding-jwt-mismatch-m-jwt']\"); if (e) e.scrollIntoView({block: 'center'}); return e ? e.innerText : '';",
            vec![],
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Runs the checklist and returns the status of one check.
async fn check_status(client: &Client, id: &str) -> Result<String, CmdError> {
    js_click_on(client, "preflight-button").await?;
    wait_secs(client, "preflight-checklist", 60).await?;
    let testid = format!("preflight-check-{id}");
    wait_secs(client, &testid, 60).await?;
    Ok(client
        .execute(
            "const e = document.querySelector(`[data-testid='${arguments[0]}']`); return e ? e.dataset.status : '';",
            vec![serde_json::json!(testid)],
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// m-renamed, which a host recorded as `legacy-name`: another typed name warns and fails the
/// recorded-name check; the field cleared, the default (the recorded name) passes it.
async fn renamed(client: &Client, seen: &mut Seen) -> Result<(), CmdError> {
    select_in(client, "field-member", "m-renamed").await?;
    let field = client
        .find(Locator::Css("[data-testid='field-cluster-name']"))
        .await?;
    field.send_keys("fresh-name").await?;
    wait_secs(client, "cluster-name-warning", 30).await?;
    seen.rename_warning = visible_text(client, "cluster-name-warning").await?;
    seen.renamed_status = check_status(client, "recorded-name").await?;
    seen.shots
        .push(("preflight-renamed.png", painted_shot(client).await?));
    // Select all, then delete: the field is empty and the plan uses the default name.
    field.send_keys("\u{E009}a\u{E003}").await?;
    seen.default_status = check_status(client, "recorded-name").await?;
    Ok(())
}

async fn drive(client: &Client) -> Result<Seen, CmdError> {
    let mut seen = Seen::default();
    wait_secs(client, "cluster-row-m-jwt", 60).await?;
    choose_language(client, "en").await?;
    seen.finding = jwt_finding(client).await?;
    seen.shots
        .push(("preflight-finding.png", painted_shot(client).await?));

    js_click_on(client, "nav-workflows").await?;
    wait_for(client, "wizard-form").await?;
    client
        .execute(
            "document.querySelector(\"[data-testid='wizard-kind'] input[value='import']\").click();",
            vec![],
        )
        .await?;
    wait_for(client, "field-host").await?;
    select_in(client, "field-host", "host").await?;
    renamed(client, &mut seen).await?;
    select_in(client, "field-member", "m-jwt").await?;
    // The checklist, before any plan.
    js_click_on(client, "preflight-button").await?;
    wait_secs(client, "preflight-checklist", 60).await?;
    seen.checklist = client
        .execute(
            "return [...document.querySelectorAll(\"[data-testid^='preflight-check-']\")].map(e => e.dataset.testid.slice(16) + '=' + e.dataset.status);",
            vec![],
        )
        .await?
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    seen.jwt_check = visible_text(client, "preflight-check-jwt-secret").await?;
    client
        .execute(
            "document.querySelector(\"[data-testid='preflight-check-jwt-secret']\").scrollIntoView({block: 'center'});",
            vec![],
        )
        .await?;
    seen.shots
        .push(("preflight-checklist.png", painted_shot(client).await?));
    // Without ksmc's fix: the preflight refuses, naming the check and its fix.
    let fix_on = client
        .execute(
            "return document.querySelector(\"[data-testid='field-fix']\").checked;",
            vec![],
        )
        .await?
        .as_bool()
        .unwrap_or(false);
    if fix_on {
        js_click_on(client, "field-fix").await?;
    }
    js_click_on(client, "plan-button").await?;
    wait_secs(client, "workflow-error", 60).await?;
    seen.error = visible_text(client, "workflow-error").await?;
    seen.shots
        .push(("preflight-failure.png", painted_shot(client).await?));

    // With the fix: the plan first gives m-jwt the host's jwtSecret.
    js_click_on(client, "field-fix").await?;
    js_click_on(client, "plan-button").await?;
    wait_secs(client, "plan-review", 60).await?;
    if present(client, "plan-phase-0").await? {
        seen.fixed_plan = visible_text(client, "plan-review").await?;
    }
    seen.shots
        .push(("preflight-fix-plan.png", painted_shot(client).await?));
    Ok(seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preflight_failure_shows_with_its_fix() {
    let session = launch("preflight", &[("KSMC_DEMO_SCENARIO", "misconfigured")]).await;
    let result = tokio::time::timeout(Duration::from_secs(200), drive(&session.client))
        .await
        .expect("the window answered within 200 s");
    let _ = session.client.clone().close().await;
    let seen = result.expect("the screens appear");
    save_shots(&seen.shots);

    assert!(
        seen.rename_warning.contains("legacy-name") && seen.rename_warning.contains("fresh-name"),
        "typing another name than the recorded one warns at once: {:?}",
        seen.rename_warning
    );
    assert_eq!(
        (seen.renamed_status.as_str(), seen.default_status.as_str()),
        ("fail", "pass"),
        "recorded-name under fresh-name, then under the default name"
    );
    assert!(
        seen.finding.contains("jwtSecret") && seen.finding.contains("kubectl"),
        "the finding with its fix: {}",
        seen.finding
    );
    let failed: Vec<&String> = seen
        .checklist
        .iter()
        .filter(|c| c.ends_with("=fail"))
        .collect();
    assert_eq!(
        failed,
        ["jwt-secret=fail"],
        "the checklist: {:?}",
        seen.checklist
    );
    assert!(
        seen.checklist.len() >= 10,
        "every check is listed: {:?}",
        seen.checklist
    );
    assert!(
        seen.jwt_check.contains("kubectl"),
        "the failing check shows its fix: {}",
        seen.jwt_check
    );
    assert!(
        seen.error.contains("preflight failed") && seen.error.contains("jwtSecret"),
        "{}",
        seen.error
    );
    assert!(
        seen.error.contains("fix"),
        "the refusal says how to fix it: {}",
        seen.error
    );
    assert!(
        seen.fixed_plan.contains("jwtSecret"),
        "the plan with the fix: {}",
        seen.fixed_plan
    );
}
