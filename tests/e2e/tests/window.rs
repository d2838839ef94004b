//! The desktop app in a real window: started by tauri-driver under the ambient X display
//! (Xvfb in CI), it must show the clusters of the built-in simulated estate, read through
//! Tauri command -> ksmc-core -> kube-rs -> ksmc-sim over HTTPS; open a cluster's details;
//! switch to Simplified Chinese; show the vault; and come back at the size it was left at.
//! Screenshots go to target/e2e/.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{
    TempDir, choose_language, click, connect, free_port, repo, shot, start_driver, visible_text,
    visible_text_matching, wait_for,
};
use fantoccini::Client;
use fantoccini::error::CmdError;

/// Everything read from the window, checked after the session is closed.
#[derive(Debug, Default)]
struct Seen {
    k8s: String,
    projects: String,
    member_k8s: String,
    badge: String,
    row_text: String,
    finding: String,
    host_node: String,
    member_node: String,
    /// A Mantine theme variable as computed: set only if the nonce'd style element was
    /// allowed by the strict CSP.
    themed: String,
    detail_title: String,
    detail_k8s: String,
    detail_source: String,
    host_objects: String,
    projects_count: String,
    zh_tab: String,
    zh_nav: String,
    zh_role: String,
    zh_header: String,
    vault_key: String,
    vault_note: String,
    shots: Vec<(&'static str, Vec<u8>)>,
}

async fn drive(client: &Client) -> Result<Seen, CmdError> {
    let mut seen = Seen::default();
    wait_for(client, "cluster-row-host").await?;
    wait_for(client, "cluster-row-member-1").await?;
    // A language chosen in an earlier run is remembered: start from English.
    choose_language(client, "en").await?;
    seen.k8s = visible_text(client, "k8s-version-host").await?;
    seen.projects = visible_text(client, "projects-host").await?;
    seen.member_k8s = visible_text(client, "k8s-version-member-1").await?;
    seen.badge = visible_text(client, "demo-badge").await?;
    seen.row_text = visible_text(client, "cluster-row-host").await?;
    // The fleet findings: member-1 is not configured as a member yet.
    seen.finding = visible_text(client, "finding-role-none-member-1").await?;
    seen.host_node = visible_text(client, "topology-node-host").await?;
    seen.member_node = visible_text(client, "topology-node-member-1").await?;
    seen.themed = client
        .execute(
            "return getComputedStyle(document.documentElement).getPropertyValue('--mantine-color-ks-6').trim();",
            vec![],
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    seen.shots.push(("estate-window.png", shot(client).await?));

    // The cluster detail, from the host's row.
    click(client, "open-cluster-host").await?;
    wait_for(client, "facts-table").await?;
    seen.detail_title = visible_text(client, "detail-title").await?;
    seen.detail_k8s = visible_text(client, "fact-kubernetes").await?;
    seen.detail_source = visible_text(client, "fact-effective-role").await?;
    seen.host_objects = visible_text(client, "host-objects").await?;
    seen.shots.push(("cluster-detail.png", shot(client).await?));
    click(client, "tab-projects").await?;
    wait_for(client, "projects-table").await?;
    seen.projects_count = visible_text(client, "projects-table-count").await?;
    seen.shots
        .push(("cluster-projects.png", shot(client).await?));

    // Simplified Chinese, at once, on the screen in use.
    choose_language(client, "zh-CN").await?;
    seen.zh_tab = visible_text_matching(client, "tab-projects", |t| t.contains("项目")).await?;
    seen.zh_nav = visible_text(client, "nav-estate").await?;
    click(client, "tab-workspaces").await?;
    wait_for(client, "workspaces-table").await?;
    seen.shots
        .push(("cluster-detail-zh-CN.png", shot(client).await?));
    click(client, "detail-back").await?;
    wait_for(client, "cluster-table").await?;
    seen.zh_role = visible_text_matching(client, "role-host", |t| t.contains("主集群")).await?;
    seen.zh_header = client
        .execute(
            "return [...document.querySelectorAll(\"[data-testid='cluster-table'] th[scope=col]\")].map(e => e.innerText).join('|');",
            vec![],
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    seen.shots.push(("estate-zh-CN.png", shot(client).await?));

    // The vault, apart from the demo estate.
    choose_language(client, "en").await?;
    click(client, "nav-vault").await?;
    wait_for(client, "keyring-status").await?;
    seen.vault_key = visible_text(client, "key-state").await?;
    seen.vault_note = visible_text(client, "vault-demo-note").await?;
    seen.shots.push(("vault.png", shot(client).await?));
    Ok(seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_shows_the_estate_a_cluster_chinese_and_the_vault() {
    let app = std::env::var("KSMC_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/debug/ksmc-desktop"));
    assert!(app.exists(), "build the app first: {}", app.display());
    let home = TempDir(std::env::temp_dir().join(format!("ksmc-e2e-{}", std::process::id())));
    std::fs::create_dir_all(&home.0).unwrap();
    let port = free_port();
    // The demo estate on `fresh` (without it, an empty vault opens on the welcome screen).
    let _driver = start_driver(port, &home.0, &[("KSMC_DEMO_SCENARIO", "fresh")]);
    let client = connect(port, &app).await;

    let result = tokio::time::timeout(Duration::from_secs(150), drive(&client))
        .await
        .expect("the window answered within 150 s");
    // Leave the window at another size, and close it as a user would: the app remembers.
    let resized = client.set_window_size(1040, 700).await;
    let left_at = client.get_window_size().await;
    // The app writes the state once the window has been still for half a second.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let _ = client.close_window().await;
    let _ = client.close().await;
    let seen = result.expect("the screens appear");
    let state_file = home.0.join("config/io.ksmc.desktop/.window-state.json");
    // Wait for the state written after the resize (an earlier save may already exist), so a
    // slow machine does not restart the app before the debounced save lands.
    let deadline = Instant::now() + Duration::from_secs(20);
    let saved_resize = || {
        std::fs::read_to_string(&state_file).is_ok_and(|t| t.contains("1040") && t.contains("700"))
    };
    while !saved_resize() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reopened = connect(port, &app).await;
    // The plugin restores the size as the window is set up: give it a moment on a slow machine.
    let mut restored = reopened.get_window_size().await;
    let settle = Instant::now() + Duration::from_secs(10);
    while restored.as_ref().is_ok_and(|r| *r != (1040, 700)) && Instant::now() < settle {
        tokio::time::sleep(Duration::from_millis(200)).await;
        restored = reopened.get_window_size().await;
    }
    let _ = reopened.close().await;

    let shot_dir = repo().join("target/e2e");
    std::fs::create_dir_all(&shot_dir).unwrap();
    for (name, png) in &seen.shots {
        let shot = shot_dir.join(name);
        std::fs::write(&shot, png).unwrap();
        println!("screenshot of the window: {}", shot.display());
        assert!(
            png.len() > 10_000,
            "{name} is a real screenshot, not a blank"
        );
    }

    // The estate, read from the simulator.
    assert_eq!(seen.k8s.trim(), "v1.32.4", "host row: {}", seen.row_text);
    assert_eq!(seen.projects.trim(), "4", "host row: {}", seen.row_text);
    assert_eq!(seen.member_k8s.trim(), "v1.31.6");
    assert!(
        seen.badge.to_uppercase().contains("DEMO"),
        "badge: {}",
        seen.badge
    );
    assert!(
        seen.finding.contains("clusterRole none") && seen.finding.contains("kubectl"),
        "finding with its fix: {}",
        seen.finding
    );
    assert!(
        seen.host_node.contains("host") && seen.host_node.contains("v1.32.4"),
        "host node: {}",
        seen.host_node
    );
    assert!(
        seen.member_node.contains("member-1") && seen.member_node.contains("standalone"),
        "member node: {}",
        seen.member_node
    );
    assert_eq!(
        seen.themed.to_lowercase(),
        "#00aa72",
        "Mantine's styles apply under the strict CSP"
    );

    // The cluster detail: facts with their sources, the host's Cluster objects, projects.
    assert_eq!(seen.detail_title.trim(), "host");
    assert!(
        seen.detail_k8s.contains("v1.32.4") && seen.detail_k8s.contains("GET /version"),
        "{}",
        seen.detail_k8s
    );
    assert!(
        seen.detail_source.contains("kubesphere-config"),
        "{}",
        seen.detail_source
    );
    assert!(seen.host_objects.contains("Ready"), "{}", seen.host_objects);
    assert_eq!(seen.projects_count.trim(), "4 of 4");

    // Simplified Chinese with KubeSphere's terms.
    assert!(seen.zh_tab.contains("项目"), "tab: {}", seen.zh_tab);
    assert!(seen.zh_nav.contains("集群总览"), "nav: {}", seen.zh_nav);
    assert_eq!(seen.zh_role.trim(), "主集群");
    assert!(
        seen.zh_header.contains("项目"),
        "headers: {}",
        seen.zh_header
    );

    // The window comes back at the size it was closed at.
    resized.expect("the window can be resized");
    let left_at = left_at.expect("window size");
    assert!(
        state_file.exists(),
        "window state saved to {}",
        state_file.display()
    );
    assert_eq!(
        restored.expect("window size after restart"),
        left_at,
        "restored size"
    );
    assert_ne!(left_at, (1200, 780), "the resize took effect");

    // The vault screen answers (whatever the keyring says) and keeps the demo apart.
    assert!(!seen.vault_key.trim().is_empty(), "key state shown");
    assert!(
        seen.vault_note.contains("never stored in the vault"),
        "{}",
        seen.vault_note
    );
}
