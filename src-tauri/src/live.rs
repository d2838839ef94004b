//! Live views of the window's screens: `live_open` starts a core `LiveView` on the open
//! estate and streams its notices over a channel; `live_close` stops it. Every view of an
//! estate closes when the window switches to another estate. A notice names its cluster:
//! `refresh_clusters` reads just those clusters again and patches the estate's last report
//! (kept here by `inspect_fleet`), so a change on one member is not a whole-estate inspection.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use ksmc_core::AppError;
use ksmc_core::fleet::watch::{LiveNotice, LiveScreen, LiveSink, LiveView, Screen};
use ksmc_core::fleet::{FleetPatch, FleetReport, merge_clusters, read_clusters};
use tauri::ipc::Channel;

use crate::state::AppState;

/// The open live views, by id, and the open estate's last report, which refreshes patch.
#[derive(Debug, Default)]
pub struct LiveViews {
    next: AtomicU32,
    views: Arc<Mutex<BTreeMap<u32, Open>>>,
    /// The last whole report and the estate switch count it was read at.
    last: Mutex<Option<(u64, FleetReport)>>,
}

/// A view and the task that closes it when the estate switches.
#[derive(Debug)]
struct Open {
    _view: LiveView,
    on_switch: tokio::task::AbortHandle,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.on_switch.abort();
    }
}

impl LiveViews {
    /// Starts the watches `screen` needs on the open estate; notices go to `sink`.
    ///
    /// # Errors
    /// `Invalid` for a screen without its cluster (or the overview with one), `NotFound` for
    /// a cluster the estate lacks, or the estate's own error (unreadable directory, vault).
    pub async fn open(
        &self,
        state: &AppState,
        screen: LiveScreen,
        cluster: Option<String>,
        sink: Arc<dyn LiveSink>,
    ) -> Result<u32, AppError> {
        let screen = Screen::new(screen, cluster)?;
        // Subscribed before the estate is read: a switch from here on closes this view.
        let mut switched = state.estate_changes();
        switched.borrow_and_update();
        let clusters = state.clusters().await?;
        let sources: Vec<_> = clusters.sources().cloned().collect();
        let view = LiveView::open(&screen, &sources, sink)?;
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let views = Arc::clone(&self.views);
        let on_switch = tokio::spawn(async move {
            // A switch (or the state going away) ends the view.
            let _ = switched.changed().await;
            views
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&id);
        })
        .abort_handle();
        self.lock().insert(
            id,
            Open {
                _view: view,
                on_switch,
            },
        );
        Ok(id)
    }

    /// Stops a view's watches; `false` when it was already closed (e.g. by an estate switch).
    pub fn close(&self, id: u32) -> bool {
        self.lock().remove(&id).is_some()
    }

    /// How many views are open.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no view is open.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u32, Open>> {
        self.views.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Inspects every cluster of the open estate ([`AppState::inspect_fleet`]) and keeps the
    /// report for [`LiveViews::refresh`].
    ///
    /// # Errors
    /// As [`AppState::inspect_fleet`].
    pub async fn inspect(&self, state: &AppState) -> Result<FleetReport, AppError> {
        let switches = *state.estate_changes().borrow();
        let report = state.inspect_fleet().await?;
        *self.last() = Some((switches, report.clone()));
        Ok(report)
    }

    /// Reads the named clusters of the open estate again and merges them into the last
    /// report (findings recomputed over the whole estate); returns what changed. Without a
    /// report of the open estate, inspects every cluster and returns all of it.
    ///
    /// # Errors
    /// `Invalid` for no name, `NotFound` for a cluster the open estate lacks (nothing is read
    /// then), or the estate's own error (unreadable directory, vault).
    pub async fn refresh(
        &self,
        state: &AppState,
        clusters: &[String],
    ) -> Result<FleetPatch, AppError> {
        let switches = *state.estate_changes().borrow();
        let estate = state.clusters().await?;
        let sources: Vec<_> = estate.sources().cloned().collect();
        let fresh = read_clusters(&sources, clusters).await?;
        {
            let mut last = self.last();
            if let Some((_, report)) = last.as_mut().filter(|(at, _)| *at == switches) {
                return Ok(merge_clusters(report, fresh));
            }
        }
        Ok(FleetPatch::from(self.inspect(state).await?))
    }

    fn last(&self) -> std::sync::MutexGuard<'_, Option<(u64, FleetReport)>> {
        self.last.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Notices sent over a Tauri channel to the window that opened the view.
pub struct ChannelSink(pub Channel<LiveNotice>);

impl std::fmt::Debug for ChannelSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ChannelSink").field(&self.0.id()).finish()
    }
}

impl LiveSink for ChannelSink {
    fn notice(&self, notice: LiveNotice) {
        // A window that stopped listening closes its views; nothing to do meanwhile.
        if let Err(e) = self.0.send(notice) {
            tracing::debug!("live view channel closed: {e}");
        }
    }
}

/// Starts a live view of a screen (`cluster` for a cluster's detail) on the open estate;
/// change notices and watch states arrive on `on_notice`. Returns the view's id.
#[tauri::command]
#[specta::specta]
pub async fn live_open(
    state: tauri::State<'_, AppState>,
    views: tauri::State<'_, LiveViews>,
    screen: LiveScreen,
    cluster: Option<String>,
    on_notice: Channel<LiveNotice>,
) -> Result<u32, AppError> {
    views
        .open(&state, screen, cluster, Arc::new(ChannelSink(on_notice)))
        .await
}

/// Reads the named clusters of the open estate again (a live notice's) and patches the last
/// fleet report: replace the patch's clusters and every finding.
#[tauri::command]
#[specta::specta]
pub async fn refresh_clusters(
    state: tauri::State<'_, AppState>,
    views: tauri::State<'_, LiveViews>,
    clusters: Vec<String>,
) -> Result<FleetPatch, AppError> {
    views.refresh(&state, &clusters).await
}

/// Stops a live view's watches; `false` when it was already closed.
#[tauri::command]
#[specta::specta]
pub fn live_close(views: tauri::State<'_, LiveViews>, id: u32) -> bool {
    views.close(id)
}
