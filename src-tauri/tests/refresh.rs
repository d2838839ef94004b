//! `refresh_clusters` on the demo estate: it patches the report `inspect_fleet` kept, refuses
//! bad names without reading, and after an estate switch (no report of the new estate kept)
//! answers the whole new report.

use ksmc_core::ErrorKind;
use ksmc_desktop_lib::live::LiveViews;
use ksmc_desktop_lib::state::{AppState, EstateChoice};

fn names(clusters: &[ksmc_core::fleet::ClusterFacts]) -> Vec<&str> {
    clusters.iter().map(|c| c.name.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshes_patch_the_kept_report_and_follow_an_estate_switch() {
    let state = AppState::open(EstateChoice::Demo("fresh".into()))
        .await
        .expect("demo estate");
    let views = LiveViews::default();
    let report = views.inspect(&state).await.expect("inspected");

    let patch = views
        .refresh(&state, &["member-1".into()])
        .await
        .expect("refreshed");
    assert_eq!(names(&patch.clusters), ["member-1"]);
    assert_eq!(patch.findings, report.findings);
    assert_eq!(patch.order, names(&report.clusters));

    let e = views
        .refresh(&state, &["nope".into()])
        .await
        .expect_err("an unknown cluster");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains("host, member-1"), "{e:?}");
    let e = views.refresh(&state, &[]).await.expect_err("no cluster");
    assert_eq!(e.kind, ErrorKind::Invalid);

    // Another estate: the report kept is of the old one, so the refresh answers all of it.
    state
        .open_estate(EstateChoice::Demo("migrate".into()))
        .await
        .expect("switched");
    let patch = views
        .refresh(&state, &["prod-1".into()])
        .await
        .expect("refreshed after the switch");
    let mut all = names(&patch.clusters);
    all.sort_unstable();
    assert_eq!(all, ["new-host", "old-host", "prod-1"]);
    assert_eq!(patch.order.len(), 3);
    // From now on the new estate's report is kept and patched.
    let patch = views
        .refresh(&state, &["prod-1".into()])
        .await
        .expect("refreshed");
    assert_eq!(names(&patch.clusters), ["prod-1"]);
}
