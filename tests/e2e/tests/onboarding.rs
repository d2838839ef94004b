//! A first run in a real window: an empty vault opens on the welcome screen, which offers to
//! add the first host or to open the demo estate; opening the demo shows its simulated
//! clusters with the "Demo estate — simulated" badge in the top bar of every screen.
//! Screenshots go to target/e2e/.

mod common;

use std::time::Duration;

use common::{
    choose_language, js_click_on, launch, painted_shot, present, save_shots, visible_text,
    wait_for, wait_secs,
};
use fantoccini::Client;
use fantoccini::error::CmdError;

#[derive(Debug, Default)]
struct Seen {
    welcome: String,
    badge_before: bool,
    estate_label: String,
    add_dialog: bool,
    badge: String,
    scenario: String,
    rows: bool,
    welcome_after: bool,
    vault_badge: String,
    shots: Vec<(&'static str, Vec<u8>)>,
}

async fn drive(client: &Client) -> Result<Seen, CmdError> {
    let mut seen = Seen::default();
    wait_secs(client, "welcome-screen", 60).await?;
    choose_language(client, "en").await?;
    wait_for(client, "welcome-screen").await?;
    wait_for(client, "estate-label").await?;
    seen.welcome = visible_text(client, "welcome-screen").await?;
    seen.badge_before = present(client, "demo-badge").await?;
    seen.estate_label = visible_text(client, "estate-label").await?;
    seen.shots
        .push(("onboarding-welcome.png", painted_shot(client).await?));

    // "Add your first host" opens the add dialog (closed again: the vault stays empty).
    js_click_on(client, "onboarding-add").await?;
    wait_for(client, "add-source-form").await?;
    seen.add_dialog = true;
    seen.shots
        .push(("onboarding-add.png", painted_shot(client).await?));
    client
        .execute(
            "[...document.querySelectorAll(\"[data-testid='add-source-form'] button\")].find(b => b.innerText.trim() === 'Cancel').click();",
            vec![],
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Open the demo estate on the default scenario (fresh).
    js_click_on(client, "scenario-fresh").await?;
    js_click_on(client, "demo-open").await?;
    wait_secs(client, "cluster-row-member-1", 60).await?;
    seen.badge = visible_text(client, "demo-badge").await?;
    seen.scenario = visible_text(client, "demo-scenario").await?;
    seen.rows = present(client, "cluster-row-host").await?;
    seen.welcome_after = present(client, "welcome-screen").await?;
    seen.shots
        .push(("onboarding-demo.png", painted_shot(client).await?));

    // The badge stays on every screen.
    js_click_on(client, "nav-vault").await?;
    wait_for(client, "vault-demo-note").await?;
    seen.vault_badge = visible_text(client, "demo-badge").await?;
    Ok(seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_vault_welcomes_and_opens_the_demo_estate() {
    let session = launch("onboarding", &[]).await;
    let result = tokio::time::timeout(Duration::from_secs(150), drive(&session.client))
        .await
        .expect("the window answered within 150 s");
    let _ = session.client.clone().close().await;
    let seen = result.expect("the screens appear");
    save_shots(&seen.shots);

    assert!(seen.welcome.contains("Welcome to ksmc"), "{}", seen.welcome);
    assert!(
        seen.welcome.contains("Add your first host")
            && seen.welcome.contains("Open the demo estate"),
        "{}",
        seen.welcome
    );
    assert!(!seen.badge_before, "no demo badge on the user's own estate");
    assert!(
        seen.estate_label.contains("My clusters"),
        "{}",
        seen.estate_label
    );
    assert!(seen.add_dialog);
    assert_eq!(seen.badge.trim(), "Demo estate — simulated");
    assert_eq!(seen.scenario.trim(), "fresh");
    assert!(seen.rows, "the demo's clusters are shown");
    assert!(!seen.welcome_after, "the welcome gives way to the overview");
    assert_eq!(seen.vault_badge.trim(), "Demo estate — simulated");
}
