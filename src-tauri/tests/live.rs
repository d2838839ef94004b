//! Live views of the open estate: opened on the demo estate they report their watches live,
//! `live_close` stops them, bad screens are refused, and switching the estate closes them.

use std::sync::Arc;
use std::time::Duration;

use ksmc_core::ErrorKind;
use ksmc_core::fleet::watch::{LiveNotice, LiveScreen, WatchKind, WatchState};
use ksmc_desktop_lib::live::LiveViews;
use ksmc_desktop_lib::state::{AppState, EstateChoice};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

async fn live_namespaces(rx: &mut UnboundedReceiver<LiveNotice>, cluster: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let n = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the namespaces watch goes live")
            .expect("sink open");
        if let LiveNotice::State {
            cluster: c,
            kind: WatchKind::Namespaces,
            state: WatchState::Live,
            ..
        } = n
            && c == cluster
        {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_views_open_close_and_end_with_the_estate() {
    let state = AppState::open(EstateChoice::Demo("fresh".into()))
        .await
        .expect("demo estate");
    let views = LiveViews::default();

    let (tx, _rx) = unbounded_channel();
    let err = views
        .open(&state, LiveScreen::Cluster, None, Arc::new(tx.clone()))
        .await
        .expect_err("a cluster screen without its cluster");
    assert_eq!(err.kind, ErrorKind::Invalid);
    let err = views
        .open(
            &state,
            LiveScreen::Cluster,
            Some("nope".into()),
            Arc::new(tx),
        )
        .await
        .expect_err("an unknown cluster");
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(views.is_empty(), "a refused view leaves nothing open");

    let (tx, mut rx) = unbounded_channel();
    let overview = views
        .open(&state, LiveScreen::Overview, None, Arc::new(tx))
        .await
        .unwrap();
    live_namespaces(&mut rx, "member-1").await;
    let (tx, mut rx) = unbounded_channel();
    let detail = views
        .open(
            &state,
            LiveScreen::Cluster,
            Some("host".into()),
            Arc::new(tx),
        )
        .await
        .unwrap();
    live_namespaces(&mut rx, "host").await;
    assert_ne!(overview, detail);
    assert_eq!(views.len(), 2);

    assert!(views.close(detail));
    assert!(!views.close(detail), "closing twice is a no-op");
    assert_eq!(views.len(), 1);

    // Switching the estate closes the views of the old one.
    state
        .open_estate(EstateChoice::Demo("fresh".into()))
        .await
        .expect("switch");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !views.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "views still open after the switch"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!views.close(overview));
}
