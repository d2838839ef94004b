//! Live views: while the desktop keeps a screen open, the few watches that screen needs, as
//! debounced change notices ("cluster X's namespaces changed") and a state per watch.
//!
//! Every watch is a `kube::runtime::watcher` over metadata only (`PartialObjectMeta`): no
//! reflector store, no object kept — an event becomes a notice and is dropped. The estate
//! overview watches the Clusters of each host (the clusters that hold Cluster objects) and
//! the namespaces of every cluster; a cluster's detail screen watches that cluster's
//! namespaces, workspaces, workspace templates and users. Dropping the [`LiveView`] aborts
//! every watch task, which closes their connections.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use super::watch_task::{Target, run};
use crate::error::{AppError, ErrorKind};
use crate::kubeconfig::ClusterSource;

/// At most one change notice per cluster and kind in this interval.
pub const DEBOUNCE: Duration = Duration::from_millis(500);

/// Which screen a live view serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum LiveScreen {
    /// The estate overview (topology, cluster table, findings).
    Overview,
    /// One cluster's detail.
    Cluster,
}

/// A screen and, for a cluster's detail, which cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Cluster(String),
}

impl Screen {
    /// The screen of `live_open(screen, cluster?)`.
    ///
    /// # Errors
    /// `Invalid` when a cluster's detail names no cluster, or the overview names one.
    pub fn new(screen: LiveScreen, cluster: Option<String>) -> Result<Self, AppError> {
        match (screen, cluster) {
            (LiveScreen::Overview, None) => Ok(Self::Overview),
            (LiveScreen::Cluster, Some(c)) if !c.is_empty() => Ok(Self::Cluster(c)),
            (LiveScreen::Overview, Some(c)) => Err(AppError::new(
                ErrorKind::Invalid,
                format!("the overview's live view is for the whole estate, not cluster {c}"),
            )),
            (LiveScreen::Cluster, _) => Err(AppError::new(
                ErrorKind::Invalid,
                "a cluster's live view needs the cluster's name",
            )),
        }
    }
}

/// What a watch watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum WatchKind {
    /// `clusters.cluster.kubesphere.io` on a host.
    Clusters,
    Namespaces,
    /// `workspaces.tenant.kubesphere.io`.
    Workspaces,
    /// `workspacetemplates.tenant.kubesphere.io`.
    WorkspaceTemplates,
    /// `users.iam.kubesphere.io`.
    Users,
}

/// How a watch is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum WatchState {
    /// Listed and watching.
    Live,
    /// Failed; retrying with backoff.
    Reconnecting,
    /// Ended for good: the cluster does not serve the kind.
    Stopped,
}

/// What a live view reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum LiveNotice {
    /// Objects of `kind` on `cluster` changed (or were listed again after a gap): re-read.
    Changed { cluster: String, kind: WatchKind },
    /// A watch changed state; `message` says why it is reconnecting or stopped (never a
    /// secret: the API server's or the connection's error text).
    State {
        cluster: String,
        kind: WatchKind,
        state: WatchState,
        message: Option<String>,
    },
}

/// Where notices go: a Tauri channel in the desktop, an mpsc channel in tests.
pub trait LiveSink: Send + Sync + 'static {
    fn notice(&self, notice: LiveNotice);
}

impl LiveSink for tokio::sync::mpsc::UnboundedSender<LiveNotice> {
    fn notice(&self, notice: LiveNotice) {
        // Nobody listening any more is not an error: the view is being closed.
        let _ = self.send(notice);
    }
}

/// One watch's current state, as [`LiveView::states`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchStatus {
    pub cluster: String,
    pub kind: WatchKind,
    pub state: WatchState,
}

/// The states of a view's watches, shared with their tasks.
pub(super) type States = Arc<Mutex<BTreeMap<(String, WatchKind), WatchState>>>;

/// The watches of one open screen. Dropping it aborts them all.
#[derive(Debug)]
pub struct LiveView {
    tasks: JoinSet<()>,
    states: States,
}

impl LiveView {
    /// Starts the watches `screen` needs over `sources`, reporting to `sink`.
    ///
    /// # Errors
    /// `NotFound` when a cluster's detail names a cluster the estate does not have.
    pub fn open(
        screen: &Screen,
        sources: &[ClusterSource],
        sink: Arc<dyn LiveSink>,
    ) -> Result<Self, AppError> {
        let targets: Vec<(ClusterSource, Target)> = match screen {
            Screen::Overview => sources
                .iter()
                .flat_map(|s| {
                    [
                        (s.clone(), Target::HostClusters),
                        (s.clone(), Target::Kind(WatchKind::Namespaces)),
                    ]
                })
                .collect(),
            Screen::Cluster(name) => {
                let source = sources.iter().find(|s| &s.name == name).ok_or_else(|| {
                    let known: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
                    AppError::new(
                        ErrorKind::NotFound,
                        format!(
                            "no cluster {name} in the open estate (clusters: {})",
                            known.join(", ")
                        ),
                    )
                })?;
                [
                    WatchKind::Namespaces,
                    WatchKind::Workspaces,
                    WatchKind::WorkspaceTemplates,
                    WatchKind::Users,
                ]
                .into_iter()
                .map(|k| (source.clone(), Target::Kind(k)))
                .collect()
            }
        };
        let states = States::default();
        let mut tasks = JoinSet::new();
        for (source, target) in targets {
            tasks.spawn(run(source, target, Arc::clone(&sink), Arc::clone(&states)));
        }
        Ok(Self { tasks, states })
    }

    /// Every started watch's state, by cluster and kind (a cluster found not to be a host has
    /// no Clusters watch).
    #[must_use]
    pub fn states(&self) -> Vec<WatchStatus> {
        self.states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|((cluster, kind), state)| WatchStatus {
                cluster: cluster.clone(),
                kind: *kind,
                state: *state,
            })
            .collect()
    }
}

impl Drop for LiveView {
    fn drop(&mut self) {
        self.tasks.abort_all();
    }
}
