//! The import wizard in a real window on the `fresh` scenario: member-1 (KubeSphere installed,
//! not yet a member) is imported into host through the Workflows screen — choose, review the
//! plan with its preflight fixes, confirm the host write, watch the run, read its report — and
//! the topology then shows member-1 as a Ready member managed by host.
//! Screenshots go to target/e2e/.

mod common;

use std::time::{Duration, Instant};

use common::{
    choose_language, js_click_on, launch, painted_shot, present, save_shots, select_in,
    visible_text, visible_text_matching, wait_for, wait_secs,
};
use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};

#[derive(Debug, Default)]
struct Seen {
    member_before: String,
    plan_title: String,
    phases: String,
    typed_name: Option<String>,
    apply_enabled_before_confirm: bool,
    status: String,
    report: String,
    member_after: String,
    member_row: String,
    shots: Vec<(&'static str, Vec<u8>)>,
}

async fn drive(client: &Client) -> Result<Seen, CmdError> {
    let mut seen = Seen::default();
    wait_secs(client, "cluster-row-member-1", 60).await?;
    choose_language(client, "en").await?;
    seen.member_before = visible_text(client, "topology-node-member-1").await?;

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
    select_in(client, "field-member", "member-1").await?;
    seen.shots
        .push(("import-wizard.png", painted_shot(client).await?));
    js_click_on(client, "plan-button").await?;

    wait_secs(client, "plan-review", 60).await?;
    seen.plan_title = visible_text(client, "plan-title").await?;
    seen.phases = client
        .execute(
            "return [...document.querySelectorAll(\"[data-testid^='plan-phase-']\")].map(e => e.innerText).join('\\n');",
            vec![],
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    seen.shots
        .push(("import-review.png", painted_shot(client).await?));

    // The typed confirmation: the member's name if the plan asks for it, and the host write.
    let apply = client
        .find(Locator::Css("[data-testid='apply-button']"))
        .await?;
    seen.apply_enabled_before_confirm = apply.is_enabled().await?;
    if present(client, "confirm-name").await? {
        client
            .find(Locator::Css("[data-testid='confirm-name']"))
            .await?
            .send_keys("member-1")
            .await?;
        seen.typed_name = Some("member-1".into());
    }
    js_click_on(client, "confirm-host-host").await?;
    client
        .execute(
            "document.querySelector(\"[data-testid='confirm-panel']\").scrollIntoView({block: 'center'});",
            vec![],
        )
        .await?;
    seen.shots
        .push(("import-confirm.png", painted_shot(client).await?));
    js_click_on(client, "apply-button").await?;

    let deadline = Instant::now() + Duration::from_secs(180);
    while !present(client, "run-report").await? && Instant::now() < deadline {
        if present(client, "workflow-error").await? {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_for(client, "run-report").await?;
    seen.status = client
        .find(Locator::Css("[data-testid='report-status']"))
        .await?
        .attr("data-status")
        .await?
        .unwrap_or_default();
    seen.report = visible_text(client, "run-report").await?;
    seen.shots
        .push(("import-report.png", painted_shot(client).await?));

    // The estate, read again: member-1 is now a Ready member of host.
    js_click_on(client, "report-done").await?;
    js_click_on(client, "nav-estate").await?;
    wait_for(client, "topology-node-member-1").await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // Refresh until the host's Cluster object reports Ready (its controller joins it).
        client
            .execute(
                "const b = document.querySelector(\"button[aria-label='Refresh']\"); if (b) b.click();",
                vec![],
            )
            .await?;
        seen.member_after = visible_text_matching(client, "topology-node-member-1", |t| {
            t.contains("joined · Ready")
        })
        .await?;
        if seen.member_after.contains("joined · Ready") || Instant::now() > deadline {
            break;
        }
    }
    seen.member_row = visible_text(client, "cluster-row-member-1").await?;
    seen.shots
        .push(("import-topology.png", painted_shot(client).await?));
    Ok(seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_import_wizard_makes_member_1_a_ready_member() {
    let session = launch("import", &[("KSMC_DEMO_SCENARIO", "fresh")]).await;
    let result = tokio::time::timeout(Duration::from_secs(300), drive(&session.client))
        .await
        .expect("the wizard answered within 300 s");
    let _ = session.client.clone().close().await;
    let seen = result.expect("the screens appear");
    save_shots(&seen.shots);

    assert!(
        seen.member_before.contains("standalone"),
        "member-1 starts outside any host: {}",
        seen.member_before
    );
    assert!(
        seen.plan_title.contains("member-1") && seen.plan_title.contains("host"),
        "{}",
        seen.plan_title
    );
    assert!(!seen.phases.is_empty(), "the plan's phases are shown");
    assert!(
        !seen.apply_enabled_before_confirm,
        "a host write waits for its confirmation"
    );
    assert_eq!(seen.status, "succeeded", "report: {}", seen.report);
    assert!(
        seen.member_after.contains("joined · Ready"),
        "member-1 after the import: {}",
        seen.member_after
    );
    assert!(
        seen.member_row.to_lowercase().contains("member"),
        "{}",
        seen.member_row
    );
}
