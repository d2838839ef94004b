//! Live views against a running ksmc-sim over HTTPS: the watches a screen starts, the
//! debounced notices they send, their states, resync after a gap, and that dropping the view
//! closes every watch on the server.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use ksmc_core::ClusterSource;
use ksmc_core::ErrorKind;
use ksmc_core::fleet::watch::{LiveNotice, LiveView, Screen, WatchKind, WatchState, WatchStatus};
use ksmc_sim::{Estate, EstateOptions, Partition, Scenario};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use serde_json::json;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

async fn start() -> (Estate, Vec<ClusterSource>) {
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .expect("estate starts");
    let sources = estate
        .clusters()
        .iter()
        .map(|c| ClusterSource::from_yaml(&c.entry.name, &estate.kubeconfig(c).unwrap()).unwrap())
        .collect();
    (estate, sources)
}

fn open(screen: &Screen, sources: &[ClusterSource]) -> (LiveView, UnboundedReceiver<LiveNotice>) {
    let (tx, rx) = unbounded_channel();
    let view = LiveView::open(screen, sources, Arc::new(tx)).expect("view opens");
    (view, rx)
}

fn status(cluster: &str, kind: WatchKind, state: WatchState) -> WatchStatus {
    WatchStatus {
        cluster: cluster.into(),
        kind,
        state,
    }
}

/// Waits until the view's states are exactly `want`.
async fn until_states(view: &LiveView, want: &[WatchStatus]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while view.states() != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "states {:?}, want {want:?}",
            view.states()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The next notice matching `want`, skipping others.
async fn next_matching(
    rx: &mut UnboundedReceiver<LiveNotice>,
    what: &str,
    want: impl Fn(&LiveNotice) -> bool,
) -> LiveNotice {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let n = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no notice: {what}"))
            .expect("sink open");
        if want(&n) {
            return n;
        }
    }
}

fn changed(cluster: &'static str, kind: WatchKind) -> impl Fn(&LiveNotice) -> bool {
    move |n| {
        *n == LiveNotice::Changed {
            cluster: cluster.into(),
            kind,
        }
    }
}

async fn client(estate: &Estate, name: &str) -> kube::Client {
    let running = estate.cluster(name).unwrap();
    ClusterSource::from_yaml(name, &estate.kubeconfig(running).unwrap())
        .unwrap()
        .client()
        .await
        .unwrap()
}

fn namespace(name: &str) -> Namespace {
    serde_json::from_value(json!({"metadata": {"name": name}})).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_watches_host_clusters_and_namespaces_and_notices_changes() {
    let (estate, sources) = start().await;
    let (view, mut rx) = open(&Screen::Overview, &sources);
    // member-1 holds no Cluster objects: it is not a host and gets no Clusters watch.
    until_states(
        &view,
        &[
            status("host", WatchKind::Clusters, WatchState::Live),
            status("host", WatchKind::Namespaces, WatchState::Live),
            status("member-1", WatchKind::Namespaces, WatchState::Live),
        ],
    )
    .await;
    let host = estate.cluster("host").unwrap().cluster.clone();
    let member = estate.cluster("member-1").unwrap().cluster.clone();
    assert_eq!(host.watches.open(), 2, "{:?}", host.watches.records());
    assert_eq!(member.watches.open(), 1, "{:?}", member.watches.records());

    // A namespace created, then deleted, on the member.
    let nss: Api<Namespace> = Api::all(client(&estate, "member-1").await);
    nss.create(&PostParams::default(), &namespace("live-a"))
        .await
        .unwrap();
    next_matching(
        &mut rx,
        "namespace created",
        changed("member-1", WatchKind::Namespaces),
    )
    .await;
    nss.delete("live-a", &DeleteParams::default())
        .await
        .unwrap();
    next_matching(
        &mut rx,
        "namespace deleted",
        changed("member-1", WatchKind::Namespaces),
    )
    .await;

    // A condition of the host's Cluster changes.
    let clusters: Api<DynamicObject> = Api::all_with(
        client(&estate, "host").await,
        &ApiResource::from_gvk(&GroupVersionKind::gvk(
            "cluster.kubesphere.io",
            "v1alpha1",
            "Cluster",
        )),
    );
    let condition = json!({"status": {"conditions": [{
        "type": "Ready", "status": "False", "reason": "Probe",
        "message": "live view test", "lastUpdateTime": "2026-11-27T10:00:00Z",
        "lastTransitionTime": "2026-11-27T10:00:00Z"}]}});
    // KubeSphere's Cluster CRD has no status subresource: its controller updates the object.
    clusters
        .patch("host", &PatchParams::default(), &Patch::Merge(condition))
        .await
        .unwrap();
    next_matching(
        &mut rx,
        "Cluster condition",
        changed("host", WatchKind::Clusters),
    )
    .await;

    // Dropping the view closes every watch on the servers.
    drop(view);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while host.watches.open() + member.watches.open() > 0 {
        assert!(tokio::time::Instant::now() < deadline, "watches still open");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_changes_is_folded_into_at_most_two_notices() {
    let (estate, sources) = start().await;
    let (view, mut rx) = open(&Screen::Cluster("member-1".into()), &sources);
    until_states(
        &view,
        &[
            status("member-1", WatchKind::Namespaces, WatchState::Live),
            status("member-1", WatchKind::Workspaces, WatchState::Live),
            status("member-1", WatchKind::WorkspaceTemplates, WatchState::Live),
            status("member-1", WatchKind::Users, WatchState::Live),
        ],
    )
    .await;
    let member = estate.cluster("member-1").unwrap().cluster.clone();
    for i in 0..20 {
        member
            .seed_namespace(&format!("burst-{i}"), json!({}))
            .unwrap();
    }
    // One notice at once, one for the rest at the end of the 500 ms window, then silence.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut notices = Vec::new();
    while let Ok(n) = rx.try_recv() {
        notices.push(n);
    }
    let count = notices
        .iter()
        .filter(|n| changed("member-1", WatchKind::Namespaces)(n))
        .count();
    assert!((1..=2).contains(&count), "{notices:?}");
    assert!(
        !notices.iter().any(
            |n| matches!(n, LiveNotice::Changed { kind, .. } if *kind != WatchKind::Namespaces)
        ),
        "{notices:?}"
    );
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_detail_watches_its_tenancy_and_refuses_an_unknown_cluster() {
    let (estate, sources) = start().await;
    let (tx, _rx) = unbounded_channel::<LiveNotice>();
    let err = LiveView::open(&Screen::Cluster("nope".into()), &sources, Arc::new(tx))
        .expect_err("unknown cluster");
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("nope") && err.message.contains("member-1"));

    let (view, mut rx) = open(&Screen::Cluster("host".into()), &sources);
    until_states(
        &view,
        &[
            status("host", WatchKind::Namespaces, WatchState::Live),
            status("host", WatchKind::Workspaces, WatchState::Live),
            status("host", WatchKind::WorkspaceTemplates, WatchState::Live),
            status("host", WatchKind::Users, WatchState::Live),
        ],
    )
    .await;
    let host = estate.cluster("host").unwrap().cluster.clone();
    let resources: Vec<String> = host
        .watches
        .records()
        .into_iter()
        .filter(|r| r.open)
        .map(|r| r.resource)
        .collect();
    for want in [
        "namespaces",
        "workspaces.tenant.kubesphere.io",
        "workspacetemplates.tenant.kubesphere.io",
        "users.iam.kubesphere.io",
    ] {
        assert!(resources.iter().any(|r| r == want), "{resources:?}");
    }
    assert_eq!(resources.len(), 4, "{resources:?}");
    host.seed(json!({
        "apiVersion": "iam.kubesphere.io/v1alpha2", "kind": "User",
        "metadata": {"name": "live-user"}, "spec": {"email": "live@example.com"}}))
        .unwrap();
    next_matching(&mut rx, "user created", changed("host", WatchKind::Users)).await;
    drop(view);
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_connection_reconnects_and_an_expired_version_resyncs() {
    let (estate, sources) = start().await;
    let (view, mut rx) = open(&Screen::Cluster("member-1".into()), &sources);
    let live = [
        status("member-1", WatchKind::Namespaces, WatchState::Live),
        status("member-1", WatchKind::Workspaces, WatchState::Live),
        status("member-1", WatchKind::WorkspaceTemplates, WatchState::Live),
        status("member-1", WatchKind::Users, WatchState::Live),
    ];
    until_states(&view, &live).await;
    let running = estate.cluster("member-1").unwrap();
    let member = running.cluster.clone();

    // The connection is cut: every watch reports it is reconnecting.
    running.faults.set_partition(Some(Partition::Reset));
    next_matching(&mut rx, "reconnecting", |n| {
        matches!(
            n,
            LiveNotice::State {
                kind: WatchKind::Namespaces,
                state: WatchState::Reconnecting,
                message: Some(_),
                ..
            }
        )
    })
    .await;
    // Meanwhile a namespace appears and the history is compacted: resuming is 410 Expired.
    member.seed_namespace("while-away", json!({})).unwrap();
    member.store.compact();
    running.faults.set_partition(None);

    next_matching(&mut rx, "live again", |n| {
        matches!(
            n,
            LiveNotice::State {
                kind: WatchKind::Namespaces,
                state: WatchState::Live,
                ..
            }
        )
    })
    .await;
    // The relist after 410 reports a change: what happened during the gap is unknown.
    next_matching(
        &mut rx,
        "resync",
        changed("member-1", WatchKind::Namespaces),
    )
    .await;
    until_states(&view, &live).await;
    // The relist (a LIST) reports Live and the change; the watch stream opens just after it.
    let namespace_watches = || {
        member
            .watches
            .records()
            .iter()
            .filter(|r| r.resource == "namespaces")
            .count()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while namespace_watches() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        namespace_watches() >= 2,
        "the namespaces watch was opened again"
    );
    estate.shutdown().await;
}
