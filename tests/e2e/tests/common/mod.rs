//! What the real-window tests share: tauri-driver and the WebDriver session, and reading the
//! window as a user sees it.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A directory removed when the test ends.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// tauri-driver, with the app's environment: a throwaway home and `envs` (e.g. the demo
/// scenario).
pub fn start_driver(port: u16, home: &Path, envs: &[(&str, &str)]) -> Driver {
    let native = free_port();
    let child =
        Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()))
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            // The app's vault and its remembered window state live in a throwaway directory,
            // never the developer's own.
            .env("KSMC_HOME", home.join("ksmc"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .envs(envs.iter().copied())
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

pub async fn connect(port: u16, app: &Path) -> Client {
    let caps: serde_json::Map<String, serde_json::Value> =
        serde_json::from_value(serde_json::json!({
            "browserName": "wry",
            "tauri:options": {"application": app},
        }))
        .unwrap();
    // tauri-driver answers before its WebKitWebDriver is ready: retry the session briefly.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let attempt = tokio::time::timeout(
            Duration::from_secs(30),
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await;
        match attempt {
            Ok(Ok(client)) => return client,
            Ok(Err(e)) if Instant::now() < deadline => {
                eprintln!("WebDriver session not ready yet: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Ok(Err(e)) => panic!("no WebDriver session with the app: {e}"),
            Err(_) => panic!("WebDriver session creation hung for 30 s"),
        }
    }
}

pub fn css(testid: &str) -> String {
    format!("[data-testid='{testid}']")
}

/// The text a user sees in an element, once it has any (content fades in after data arrives).
pub async fn visible_text(client: &Client, testid: &str) -> Result<String, CmdError> {
    visible_text_matching(client, testid, |t| !t.trim().is_empty()).await
}

/// The element's rendered text once `ok` accepts it, or what it was at the deadline.
pub async fn visible_text_matching(
    client: &Client,
    testid: &str,
    ok: impl Fn(&str) -> bool,
) -> Result<String, CmdError> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // innerText (rendered text) through script: WebKitWebDriver's element-text atom drops
        // the text of some styled table cells.
        let text = client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
                vec![serde_json::json!(css(testid))],
            )
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if ok(&text) || Instant::now() > deadline {
            return Ok(text);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn wait_for(client: &Client, testid: &str) -> Result<(), CmdError> {
    client
        .wait()
        .at_most(Duration::from_secs(45))
        .for_element(Locator::Css(&css(testid)))
        .await
        .map(drop)
}

pub async fn click(client: &Client, testid: &str) -> Result<(), CmdError> {
    client.find(Locator::Css(&css(testid))).await?.click().await
}

/// A screenshot once WebKit has painted the last change (a sticky header can lag a frame).
pub async fn shot(client: &Client) -> Result<Vec<u8>, CmdError> {
    tokio::time::sleep(Duration::from_millis(400)).await;
    client.screenshot().await
}

pub async fn choose_language(client: &Client, language: &str) -> Result<(), CmdError> {
    client
        .find(Locator::Css(&css("language-switch")))
        .await?
        .select_by_value(language)
        .await
}

/// The debug app (`KSMC_APP` overrides it).
pub fn app_path() -> PathBuf {
    let app = std::env::var("KSMC_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/debug/ksmc-desktop"));
    assert!(app.exists(), "build the app first: {}", app.display());
    app
}

/// One app under tauri-driver with its own throwaway home (so its vault starts empty) and
/// `envs`; the driver and the home go when it is dropped.
pub struct Session {
    pub client: Client,
    pub port: u16,
    _driver: Driver,
    _home: TempDir,
}

pub async fn launch(tag: &str, envs: &[(&str, &str)]) -> Session {
    let app = app_path();
    let home = TempDir(std::env::temp_dir().join(format!("ksmc-e2e-{tag}-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&home.0);
    std::fs::create_dir_all(&home.0).unwrap();
    let port = free_port();
    // The vault's data directory too, so no developer's vault is ever opened.
    let data = home.0.join("data");
    let data = data.to_string_lossy().into_owned();
    let mut all = vec![("XDG_DATA_HOME", data.as_str())];
    all.extend_from_slice(envs);
    let driver = start_driver(port, &home.0, &all);
    let client = connect(port, &app).await;
    Session {
        client,
        port,
        _driver: driver,
        _home: home,
    }
}

/// Clicks through script, as a user's click lands: Mantine draws its own controls over the
/// inputs, and the sticky top bar can cover what WebDriver scrolls to.
pub async fn js_click_on(client: &Client, testid: &str) -> Result<(), CmdError> {
    client
        .execute(
            "document.querySelector(arguments[0]).click();",
            vec![serde_json::json!(css(testid))],
        )
        .await
        .map(drop)
}

/// Chooses `value` in a native select.
pub async fn select_in(client: &Client, testid: &str, value: &str) -> Result<(), CmdError> {
    client
        .find(Locator::Css(&css(testid)))
        .await?
        .select_by_value(value)
        .await
}

/// Waits up to `secs` for an element.
pub async fn wait_secs(client: &Client, testid: &str, secs: u64) -> Result<(), CmdError> {
    client
        .wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::Css(&css(testid)))
        .await
        .map(drop)
}

/// Whether an element is in the page now.
pub async fn present(client: &Client, testid: &str) -> Result<bool, CmdError> {
    Ok(client
        .execute(
            "return document.querySelector(arguments[0]) !== null;",
            vec![serde_json::json!(css(testid))],
        )
        .await?
        .as_bool()
        .unwrap_or(false))
}

/// The rendered text of the whole window.
pub async fn page_text(client: &Client) -> Result<String, CmdError> {
    Ok(client
        .execute("return document.body.innerText;", vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Writes screenshots to target/e2e/ and checks each is a real picture, not a blank.
pub fn save_shots(shots: &[(&str, Vec<u8>)]) {
    let dir = repo().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, png) in shots {
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        println!("screenshot of the window: {}", path.display());
        assert!(
            png.len() > 10_000,
            "{name} is a real screenshot, not a blank"
        );
    }
}

/// A screenshot once the page has painted two more frames: under load WebKit can show an
/// older frame for a while after the DOM changed.
pub async fn painted_shot(client: &Client) -> Result<Vec<u8>, CmdError> {
    client
        .execute_async(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)));",
            vec![],
        )
        .await?;
    shot(client).await
}
