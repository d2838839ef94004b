//! The Access and Components screens and the command palette in the real window, on the
//! demo estate's `migrate` scenario: who reaches which cluster (read from ksmc-sim's role
//! bindings), the App Store's host-only rule, and Ctrl+K. Screenshots go to target/e2e/.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{
    TempDir, choose_language, click, connect, free_port, repo, shot, start_driver, visible_text,
    wait_for,
};
use fantoccini::Client;
use fantoccini::error::CmdError;

#[derive(Debug, Default)]
struct Seen {
    alice_prod: String,
    alice_host: String,
    bob_host: String,
    host_column: String,
    app_store_member: String,
    palette_option: String,
    zh_title: String,
    shots: Vec<(&'static str, Vec<u8>)>,
}

/// Ctrl+K as the keyboard sends it (the palette listens on the document).
const CTRL_K: &str = "document.documentElement.dispatchEvent(new KeyboardEvent('keydown', {key: 'k', code: 'KeyK', ctrlKey: true, bubbles: true}));";

async fn drive(client: &Client) -> Result<Seen, CmdError> {
    let mut seen = Seen::default();
    wait_for(client, "nav-access").await?;
    choose_language(client, "en").await?;
    click(client, "nav-access").await?;
    wait_for(client, "access-matrix-old-host").await?;
    seen.alice_prod = visible_text(client, "access-cell-alice-prod-1").await?;
    seen.alice_host = visible_text(client, "access-cell-alice-host").await?;
    seen.bob_host = visible_text(client, "access-cell-bob-host").await?;
    seen.host_column = visible_text(client, "access-column-host").await?;
    seen.shots.push(("access.png", shot(client).await?));
    common::js_click_on(client, "access-action-workspace").await?;
    wait_for(client, "access-dialog").await?;
    common::js_click_on(client, "access-place-host").await?;
    wait_for(client, "access-host-warning").await?;
    seen.shots
        .push(("access-workspace.png", shot(client).await?));
    client
        .execute(
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));",
            vec![],
        )
        .await?;
    common::js_click_on(client, "nav-components").await?;
    wait_for(client, "components-matrix").await?;
    seen.app_store_member = visible_text(client, "components-cell-openpitrix-prod-1").await?;
    seen.shots.push(("components.png", shot(client).await?));
    client.execute(CTRL_K, vec![]).await?;
    wait_for(client, "palette-input").await?;
    client
        .find(fantoccini::Locator::Css(&common::css("palette-input")))
        .await?
        .send_keys("prod")
        .await?;
    seen.palette_option = visible_text(client, "palette-cluster-prod-1").await?;
    seen.shots.push(("palette.png", shot(client).await?));
    client
        .find(fantoccini::Locator::Css(&common::css("palette-input")))
        .await?
        .send_keys("\u{E007}")
        .await?;
    // Enter opened the cluster.
    wait_for(client, "detail-back").await?;
    // The same screen in Simplified Chinese.
    choose_language(client, "zh-CN").await?;
    common::js_click_on(client, "nav-access").await?;
    wait_for(client, "access-matrix-old-host").await?;
    seen.zh_title = visible_text(client, "access-screen").await?;
    seen.shots.push(("access-zh-CN.png", shot(client).await?));
    choose_language(client, "en").await?;
    Ok(seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn access_components_and_the_palette_in_the_window() {
    let app = std::env::var("KSMC_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/debug/ksmc-desktop"));
    assert!(app.exists(), "build the app first: {}", app.display());
    let home =
        TempDir(std::env::temp_dir().join(format!("ksmc-e2e-access-{}", std::process::id())));
    std::fs::create_dir_all(&home.0).unwrap();
    let port = free_port();
    let _driver = start_driver(port, &home.0, &[("KSMC_DEMO_SCENARIO", "migrate")]);
    let client = connect(port, &app).await;
    let result = tokio::time::timeout(Duration::from_secs(150), drive(&client))
        .await
        .expect("the window answered within 150 s");
    let _ = client.close().await;
    let seen = result.expect("the screens appear");

    let dir = repo().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, png) in &seen.shots {
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        println!("screenshot of the window: {}", path.display());
        assert!(png.len() > 10_000, "{name} is a real screenshot");
    }
    // Read from ksmc-sim's bindings: alice is a regular member of ws-apps (placed on prod-1
    // only); bob is platform-admin and a viewer of ws-data (placed on the host too).
    assert!(seen.alice_prod.contains("ws-apps · regular"), "{seen:#?}");
    assert_eq!(seen.alice_host.trim(), "—", "{seen:#?}");
    assert!(
        seen.bob_host.contains("platform-admin") && seen.bob_host.contains("ws-data · viewer"),
        "{seen:#?}"
    );
    assert!(seen.host_column.contains("host"), "{seen:#?}");
    assert!(seen.app_store_member.contains("host only"), "{seen:#?}");
    assert!(seen.palette_option.contains("prod-1"), "{seen:#?}");
    assert!(seen.zh_title.contains("企业空间"), "{seen:#?}");
}
