//! The migrate wizard in a real window on the `migrate` scenario: prod-1 moves from old-host
//! to new-host through the Workflows screen — choose, review every step, type the member's
//! name and confirm each host, watch the run, read its report — and every project it kept is
//! bound again on the new host (ws-data mapped to ws-analytics). The run shows in Activity.
//! Screenshots go to target/e2e/.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{
    TempDir, choose_language, connect, css, free_port, js_click_on, repo, select_in, shot,
    start_driver, visible_text, wait_for, wait_secs,
};
use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};

/// `(project, workspace)` of every row of the open cluster's projects table.
async fn projects(client: &Client) -> Result<Vec<(String, String)>, CmdError> {
    let rows = client
        .execute(
            "return [...document.querySelectorAll(\"[data-testid='projects-table-row']\")].map(r => [...r.querySelectorAll('[role=cell]')].slice(0, 2).map(c => c.innerText.trim()));",
            vec![],
        )
        .await?;
    Ok(rows
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            let r = r.as_array()?;
            Some((
                r.first()?.as_str()?.to_owned(),
                r.get(1)?.as_str()?.to_owned(),
            ))
        })
        .collect())
}

async fn projects_of(client: &Client, cluster: &str) -> Result<Vec<(String, String)>, CmdError> {
    js_click_on(client, "nav-estate").await?;
    wait_for(client, &format!("open-cluster-{cluster}")).await?;
    js_click_on(client, &format!("open-cluster-{cluster}")).await?;
    wait_for(client, "tab-projects").await?;
    js_click_on(client, "tab-projects").await?;
    wait_for(client, "projects-table-row").await?;
    projects(client).await
}

#[derive(Debug, Default)]
struct Seen {
    before: Vec<(String, String)>,
    after: Vec<(String, String)>,
    plan_title: String,
    steps_in_review: u64,
    kubectl: String,
    apply_enabled_before_confirm: bool,
    progress_seen: bool,
    status: String,
    report: String,
    activity: String,
    shots: Vec<(&'static str, Vec<u8>)>,
}

async fn drive(client: &Client) -> Result<Seen, CmdError> {
    let mut seen = Seen::default();
    wait_for(client, "cluster-row-prod-1").await?;
    choose_language(client, "en").await?;
    seen.before = projects_of(client, "prod-1").await?;

    js_click_on(client, "nav-workflows").await?;
    wait_for(client, "wizard-form").await?;
    select_in(client, "field-member", "prod-1").await?;
    select_in(client, "field-host", "new-host").await?;
    // ws-data → ws-analytics; the other workspaces keep their names.
    let index = client
        .execute(
            "return [...document.querySelectorAll(\"[data-testid^='workspace-map-from-']\")].findIndex(e => e.value === 'ws-data');",
            vec![],
        )
        .await?
        .as_i64()
        .unwrap_or(-1);
    assert!(index >= 0, "ws-data is offered in the workspace map");
    let target = client
        .find(Locator::Css(&css(&format!("workspace-map-to-{index}"))))
        .await?;
    // End, then Backspace over the old value, then the new one: keys a controlled input sees.
    let erase = format!("\u{E010}{}", "\u{E003}".repeat(12));
    target.send_keys(&format!("{erase}ws-analytics")).await?;
    let settle = client.find(Locator::Css(&css("field-settle"))).await?;
    settle.send_keys(&format!("{erase}1")).await?;
    seen.shots
        .push(("workflow-wizard.png", shot(client).await?));
    js_click_on(client, "plan-button").await?;

    wait_secs(client, "plan-review", 60).await?;
    seen.plan_title = visible_text(client, "plan-title").await?;
    seen.steps_in_review = client
        .execute(
            "return document.querySelectorAll(\"[data-testid^='plan-step-']\").length;",
            vec![],
        )
        .await?
        .as_u64()
        .unwrap_or(0);
    // The kubectl equivalent of the first step, unfolded.
    js_click_on(client, "step-kubectl-toggle").await?;
    wait_for(client, "step-kubectl").await?;
    seen.kubectl = visible_text(client, "step-kubectl").await?;
    seen.shots
        .push(("workflow-review.png", shot(client).await?));

    let apply = client.find(Locator::Css(&css("apply-button"))).await?;
    seen.apply_enabled_before_confirm = apply.is_enabled().await?;
    client
        .find(Locator::Css(&css("confirm-name")))
        .await?
        .send_keys("prod-1")
        .await?;
    js_click_on(client, "confirm-host-old-host").await?;
    js_click_on(client, "confirm-host-new-host").await?;
    client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
            vec![serde_json::json!(css("confirm-panel"))],
        )
        .await?;
    seen.shots
        .push(("workflow-confirm.png", shot(client).await?));
    js_click_on(client, "apply-button").await?;

    // Progress, then the report.
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut progress_shot = false;
    loop {
        let state = client
            .execute(
                "return document.querySelector(\"[data-testid='run-report']\") ? 'report' : document.querySelector(\"[data-testid='progress-step-0']\") ? 'progress' : document.querySelector(\"[data-testid='workflow-error']\") ? 'error' : '';",
                vec![],
            )
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if state == "progress" {
            seen.progress_seen = true;
            if !progress_shot {
                progress_shot = true;
                seen.shots
                    .push(("workflow-progress.png", client.screenshot().await?));
            }
        }
        if state == "report" || state == "error" || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    wait_for(client, "run-report").await?;
    seen.status = client
        .find(Locator::Css(&css("report-status")))
        .await?
        .attr("data-status")
        .await?
        .unwrap_or_default();
    seen.report = visible_text(client, "run-report").await?;
    seen.shots
        .push(("workflow-report.png", shot(client).await?));

    js_click_on(client, "report-done").await?;
    seen.after = projects_of(client, "prod-1").await?;
    seen.shots
        .push(("workflow-after-projects.png", shot(client).await?));

    js_click_on(client, "nav-activity").await?;
    wait_for(client, "activity-table").await?;
    seen.activity = visible_text(client, "activity-table").await?;
    seen.shots.push(("activity.png", shot(client).await?));
    Ok(seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_migrate_wizard_moves_prod_1_and_rebinds_every_project() {
    let app = std::env::var("KSMC_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/debug/ksmc-desktop"));
    assert!(app.exists(), "build the app first: {}", app.display());
    let home =
        TempDir(std::env::temp_dir().join(format!("ksmc-e2e-migrate-{}", std::process::id())));
    std::fs::create_dir_all(&home.0).unwrap();
    let port = free_port();
    let _driver = start_driver(port, &home.0, &[("KSMC_DEMO_SCENARIO", "migrate")]);
    let client = connect(port, &app).await;
    let result = tokio::time::timeout(Duration::from_secs(300), drive(&client))
        .await
        .expect("the workflow answered within 300 s");
    let _ = client.close().await;
    let seen = result.expect("the screens appear");

    let shot_dir = repo().join("target/e2e");
    std::fs::create_dir_all(&shot_dir).unwrap();
    for (name, png) in &seen.shots {
        let path = shot_dir.join(name);
        std::fs::write(&path, png).unwrap();
        println!("screenshot of the window: {}", path.display());
        assert!(png.len() > 10_000, "{name} is a real screenshot");
    }

    // The review: the plan the core built, every step shown, kubectl alongside.
    assert!(
        seen.plan_title
            .contains("Migrate prod-1 from old-host to new-host"),
        "{}",
        seen.plan_title
    );
    assert!(seen.steps_in_review > 5, "{} steps", seen.steps_in_review);
    assert!(seen.kubectl.contains("kubectl"), "{}", seen.kubectl);
    assert!(
        !seen.apply_enabled_before_confirm,
        "a destructive run waits for its confirmation"
    );
    assert!(seen.progress_seen, "progress per step was shown");

    // The report: succeeded, every kept namespace verified.
    assert_eq!(seen.status, "succeeded", "report: {}", seen.report);

    // Every project prod-1 had is there, bound again (ws-data mapped to ws-analytics).
    let kept: Vec<(String, String)> = seen
        .before
        .iter()
        .filter(|(_, ws)| ws != "system-workspace")
        .map(|(name, ws)| {
            let to = if ws == "ws-data" { "ws-analytics" } else { ws };
            (name.clone(), to.to_owned())
        })
        .collect();
    assert!(!kept.is_empty(), "prod-1 had projects: {:?}", seen.before);
    for project in &kept {
        assert!(
            seen.after.contains(project),
            "{project:?} rebound; after: {:?}",
            seen.after
        );
    }
    assert!(
        seen.activity.contains("Migrate prod-1") && seen.activity.contains("Succeeded"),
        "{}",
        seen.activity
    );
}
