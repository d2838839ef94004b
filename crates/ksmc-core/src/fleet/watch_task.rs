//! One watch of a live view: find the kind's API on the cluster, run `kube::runtime::watcher`
//! over metadata only, turn its events into debounced change notices, and back off on errors.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::core::PartialObjectMeta;
use kube::error::DiscoveryError;
use kube::runtime::watcher;
use tokio::time::Instant;

use super::watch::{DEBOUNCE, LiveNotice, LiveSink, States, WatchKind, WatchState};
use crate::error::ClusterError;
use crate::facts::CALL_DEADLINE;
use crate::kubeconfig::ClusterSource;

/// First wait after an error; doubled on each further error up to [`BACKOFF_MAX`].
const BACKOFF_MIN: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// What one task watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// The Clusters of a host: watched only where Cluster objects exist (members and plain
    /// clusters have none).
    HostClusters,
    Kind(WatchKind),
}

type Meta = PartialObjectMeta<DynamicObject>;

/// Runs one watch until it is aborted, or stops for good (kind not served, not a host).
pub(super) async fn run(
    source: ClusterSource,
    target: Target,
    sink: Arc<dyn LiveSink>,
    states: States,
) {
    let (kind, host_only) = match target {
        Target::HostClusters => (WatchKind::Clusters, true),
        Target::Kind(kind) => (kind, false),
    };
    let mut reporter = Reporter {
        cluster: source.name.clone(),
        kind,
        sink,
        states,
        state: None,
    };
    let mut backoff = Backoff::default();
    let (client, ar) = loop {
        match prepare(&source, kind, host_only).await {
            Ok(Some(ready)) => break ready,
            Ok(None) => {
                // A cluster that is not a host has no Clusters watch: say so only if it was
                // shown as reconnecting while that was not yet known.
                if !host_only || reporter.state.is_some() {
                    let why = if host_only {
                        "no Cluster objects: not a host"
                    } else {
                        "the cluster does not serve this kind"
                    };
                    reporter.set(WatchState::Stopped, Some(why.into()));
                }
                return;
            }
            Err(e) => {
                reporter.set(WatchState::Reconnecting, Some(e.to_string()));
                tokio::time::sleep(backoff.next_delay()).await;
            }
        }
    };
    watch(client, &ar, &mut reporter, &mut backoff).await;
}

/// A client and the kind's API; `None` when the kind is not served (or, for a host's
/// Clusters, when there are none).
async fn prepare(
    source: &ClusterSource,
    kind: WatchKind,
    host_only: bool,
) -> Result<Option<(kube::Client, ApiResource)>, ClusterError> {
    let client = source.watch_client().await?;
    let Some(ar) = discover(&client, kind).await? else {
        return Ok(None);
    };
    if host_only {
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
        let one = deadline(api.list_metadata(&ListParams::default().limit(1))).await?;
        if one.items.is_empty() {
            return Ok(None);
        }
    }
    Ok(Some((client, ar)))
}

/// The API of a kind in the version the cluster prefers (or, without it there, the most
/// stable one serving it); `None` when it is not served.
async fn discover(
    client: &kube::Client,
    kind: WatchKind,
) -> Result<Option<ApiResource>, ClusterError> {
    let (group, kind_name) = match kind {
        WatchKind::Namespaces => return Ok(Some(ApiResource::erase::<Namespace>(&()))),
        WatchKind::Clusters => ("cluster.kubesphere.io", "Cluster"),
        WatchKind::Workspaces => ("tenant.kubesphere.io", "Workspace"),
        WatchKind::WorkspaceTemplates => ("tenant.kubesphere.io", "WorkspaceTemplate"),
        WatchKind::Users => ("iam.kubesphere.io", "User"),
    };
    match tokio::time::timeout(CALL_DEADLINE, kube::discovery::group(client, group)).await {
        // The preferred version first, then any served one (3.x serves Workspace only in
        // v1alpha1 while v1alpha2 is preferred).
        Ok(Ok(g)) => Ok(g
            .recommended_kind(kind_name)
            .or_else(|| {
                g.resources_by_stability()
                    .into_iter()
                    .find(|(ar, _)| ar.kind == kind_name)
            })
            .map(|(ar, _)| ar)),
        Ok(Err(kube::Error::Discovery(DiscoveryError::MissingApiGroup(_)))) => Ok(None),
        Ok(Err(e)) => Err(ClusterError::from_kube(&e)),
        Err(_) => Err(ClusterError::Timeout(CALL_DEADLINE.as_secs())),
    }
}

async fn deadline<T>(fut: impl Future<Output = Result<T, kube::Error>>) -> Result<T, ClusterError> {
    match tokio::time::timeout(CALL_DEADLINE, fut).await {
        Ok(result) => result.map_err(|e| ClusterError::from_kube(&e)),
        Err(_) => Err(ClusterError::Timeout(CALL_DEADLINE.as_secs())),
    }
}

/// The watcher's events as notices, until the task is aborted or the kind disappears.
async fn watch(
    client: kube::Client,
    ar: &ApiResource,
    reporter: &mut Reporter,
    backoff: &mut Backoff,
) {
    let api: Api<Meta> = Api::all_with(client.clone(), ar);
    let probe: Api<DynamicObject> = Api::all_with(client, ar);
    // `any_semantic`: the first list may be served from the API server's cache.
    let stream = watcher(api, watcher::Config::default().any_semantic());
    let mut stream = std::pin::pin!(stream);
    let mut listed_once = false;
    let mut debounce = Debounce::new();
    loop {
        tokio::select! {
            item = stream.next() => match item {
                None => return,
                Some(Ok(event)) => {
                    backoff.reset();
                    match event {
                        watcher::Event::Init | watcher::Event::InitApply(_) => {}
                        watcher::Event::InitDone => {
                            reporter.set(WatchState::Live, None);
                            // A list after the first one follows a gap (410, a lost
                            // connection): what changed meanwhile is unknown, so re-read.
                            if listed_once {
                                debounce.hit(reporter);
                            }
                            listed_once = true;
                        }
                        watcher::Event::Apply(_) | watcher::Event::Delete(_) => {
                            reporter.set(WatchState::Live, None);
                            debounce.hit(reporter);
                        }
                    }
                }
                Some(Err(watcher::Error::WatchError(status))) if status.code == 410 => {
                    // Expired: the watcher lists again at once; InitDone reports the resync.
                    tracing::debug!(cluster = %reporter.cluster, kind = ?reporter.kind, "watch expired; relisting");
                }
                Some(Err(e)) => {
                    debounce.flush(reporter);
                    if is_gone(&e) {
                        reporter.set(WatchState::Stopped, Some("the cluster no longer serves this kind".into()));
                        return;
                    }
                    reporter.set(WatchState::Reconnecting, Some(message(&e)));
                    // The watcher resumes silently once the server answers again, so ask
                    // the server before polling it: an answer is what shows the watch is back.
                    loop {
                        tokio::time::sleep(backoff.next_delay()).await;
                        match deadline(probe.list_metadata(&ListParams::default().limit(1))).await {
                            Ok(_) => break,
                            Err(ClusterError::Api { code: 404, .. }) => {
                                reporter.set(WatchState::Stopped, Some("the cluster no longer serves this kind".into()));
                                return;
                            }
                            Err(e) => tracing::debug!(cluster = %reporter.cluster, error = %e, "still reconnecting"),
                        }
                    }
                    if listed_once {
                        reporter.set(WatchState::Live, None);
                    }
                }
            },
            () = tokio::time::sleep_until(debounce.next_allowed), if debounce.pending => {
                debounce.fire(reporter);
            }
        }
    }
}

/// The initial list answered 404: the kind's CRD was removed.
fn is_gone(e: &watcher::Error) -> bool {
    matches!(e, watcher::Error::InitialListFailed(kube::Error::Api(s)) if s.code == 404)
}

/// A watcher error as text without secrets (status texts and connection causes only).
fn message(e: &watcher::Error) -> String {
    match e {
        watcher::Error::InitialListFailed(k)
        | watcher::Error::WatchStartFailed(k)
        | watcher::Error::WatchFailed(k) => ClusterError::from_kube(k).to_string(),
        watcher::Error::WatchError(s) => ClusterError::Api {
            code: s.code,
            reason: s.reason.clone(),
            message: s.message.clone(),
        }
        .to_string(),
        watcher::Error::NoResourceVersion => e.to_string(),
    }
}

/// Sends one watch's notices and keeps its entry of the view's states.
struct Reporter {
    cluster: String,
    kind: WatchKind,
    sink: Arc<dyn LiveSink>,
    states: States,
    state: Option<WatchState>,
}

impl Reporter {
    /// Records and reports a new state; the same state again is not reported.
    fn set(&mut self, state: WatchState, message: Option<String>) {
        if self.state == Some(state) {
            return;
        }
        self.state = Some(state);
        self.states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((self.cluster.clone(), self.kind), state);
        self.sink.notice(LiveNotice::State {
            cluster: self.cluster.clone(),
            kind: self.kind,
            state,
            message,
        });
    }

    fn changed(&self) {
        self.sink.notice(LiveNotice::Changed {
            cluster: self.cluster.clone(),
            kind: self.kind,
        });
    }
}

/// At most one change notice per [`DEBOUNCE`]: the first change at once, later ones folded
/// into one notice at the end of the interval.
struct Debounce {
    next_allowed: Instant,
    pending: bool,
}

impl Debounce {
    fn new() -> Self {
        Self {
            next_allowed: Instant::now(),
            pending: false,
        }
    }

    fn hit(&mut self, reporter: &Reporter) {
        if !self.pending && Instant::now() >= self.next_allowed {
            self.fire(reporter);
        } else {
            self.pending = true;
        }
    }

    fn fire(&mut self, reporter: &Reporter) {
        self.pending = false;
        self.next_allowed = Instant::now() + DEBOUNCE;
        reporter.changed();
    }

    /// Sends a folded notice now (before a pause in which the timer cannot fire).
    fn flush(&mut self, reporter: &Reporter) {
        if self.pending {
            self.fire(reporter);
        }
    }
}

/// Exponential backoff with ±20 % jitter, so many views do not retry in step.
struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { next: BACKOFF_MIN }
    }
}

impl Backoff {
    fn next_delay(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(BACKOFF_MAX);
        let jitter = f64::from(getrandom::u32().unwrap_or(0) % 401) / 1000.0 + 0.8;
        base.mul_f64(jitter)
    }

    fn reset(&mut self) {
        self.next = BACKOFF_MIN;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_cap_with_jitter_and_resets() {
        let mut b = Backoff::default();
        let first = b.next_delay();
        assert!(first >= BACKOFF_MIN.mul_f64(0.8) && first <= BACKOFF_MIN.mul_f64(1.2));
        for _ in 0..20 {
            assert!(b.next_delay() <= BACKOFF_MAX.mul_f64(1.2));
        }
        assert_eq!(b.next, BACKOFF_MAX);
        b.reset();
        assert_eq!(b.next, BACKOFF_MIN);
    }
}
