//! The desktop app in a real window: started by tauri-driver under the ambient X display
//! (Xvfb in CI), it must show the clusters of the built-in simulated estate, read through
//! Tauri command -> ksmc-core -> kube-rs -> ksmc-sim over HTTPS.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_driver(port: u16) -> Driver {
    let native = free_port();
    let child =
        Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()))
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver must be installed (bash .ci/setup installs it)");
    let deadline = Instant::now() + Duration::from_secs(20);
    // Both tauri-driver and the WebKitWebDriver behind it must listen before a session is
    // requested; a request that races them starts an app whose page never loads.
    for p in [port, native] {
        while std::net::TcpStream::connect(("127.0.0.1", p)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {p}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    Driver(child)
}

/// The text a user sees in an element, once it has any (rows fade in after the data arrives).
async fn visible_text(
    client: &fantoccini::Client,
    testid: &str,
) -> Result<String, fantoccini::error::CmdError> {
    let locator = format!("[data-testid='{testid}']");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // innerText (rendered text) through script: WebKitWebDriver's element-text atom drops
        // the text of some styled table cells.
        let text = client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
                vec![serde_json::json!(locator)],
            )
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !text.trim().is_empty() || Instant::now() > deadline {
            return Ok(text);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_lists_the_simulated_clusters() {
    let app = std::env::var("KSMC_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/debug/ksmc-desktop"));
    assert!(app.exists(), "build the app first: {}", app.display());
    let port = free_port();
    let _driver = start_driver(port);
    let caps: serde_json::Map<String, serde_json::Value> =
        serde_json::from_value(serde_json::json!({
            "browserName": "wry",
            "tauri:options": {"application": app},
        }))
        .unwrap();
    // tauri-driver answers before its WebKitWebDriver is ready: retry the session briefly.
    let deadline = Instant::now() + Duration::from_secs(30);
    let client = loop {
        let attempt = tokio::time::timeout(
            Duration::from_secs(30),
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await;
        match attempt {
            Ok(Ok(client)) => break client,
            Ok(Err(e)) if Instant::now() < deadline => {
                eprintln!("WebDriver session not ready yet: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Ok(Err(e)) => panic!("no WebDriver session with the app: {e}"),
            Err(_) => panic!("WebDriver session creation hung for 30 s"),
        }
    };

    let result = tokio::time::timeout(Duration::from_secs(90), async {
        client
            .wait()
            .at_most(Duration::from_secs(45))
            .for_element(Locator::Css("[data-testid='cluster-row-host']"))
            .await?;
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("[data-testid='cluster-row-member-1']"))
            .await?;
        let k8s = visible_text(&client, "k8s-version-host").await?;
        let ns = visible_text(&client, "ns-count-host").await?;
        let member_k8s = visible_text(&client, "k8s-version-member-1").await?;
        let badge = visible_text(&client, "demo-badge").await?;
        let row_text = visible_text(&client, "cluster-row-host").await?;
        // The fleet findings: member-1 is not configured as a member yet.
        let finding = visible_text(&client, "finding-role-none-member-1").await?;
        let png = client.screenshot().await?;
        Ok::<_, fantoccini::error::CmdError>((k8s, ns, member_k8s, badge, row_text, finding, png))
    })
    .await
    .expect("the window answered within 90 s");
    let _ = client.close().await;
    let (k8s, ns, member_k8s, badge, row_text, finding, png) = result.expect("the clusters appear");

    let shot_dir = repo().join("target/e2e");
    std::fs::create_dir_all(&shot_dir).unwrap();
    let shot = shot_dir.join("estate-window.png");
    std::fs::write(&shot, &png).unwrap();
    println!("screenshot of the window: {}", shot.display());

    assert_eq!(k8s.trim(), "v1.32.4", "host row: {row_text}");
    assert_eq!(ns.trim(), "8", "host row: {row_text}");
    assert_eq!(member_k8s.trim(), "v1.31.6");
    assert!(badge.to_uppercase().contains("DEMO"), "badge: {badge}");
    assert!(
        finding.contains("clusterRole none") && finding.contains("kubectl"),
        "finding with its fix: {finding}"
    );
    assert!(png.len() > 10_000, "a real screenshot, not a blank");
}
