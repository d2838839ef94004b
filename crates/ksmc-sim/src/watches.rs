//! The watch log of one simulated cluster: every WATCH its API server streamed, and whether
//! the stream is still open, so a test can assert that a client closed its watches (or did not
//! open more than it needs).
//!
//! A watch is open from its first byte until its stream ends: the server's timeout, or the
//! client closing the connection (the stream's receiver is dropped). A watch answered with 410
//! Expired only is not logged: it never streamed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

/// The most records a cluster keeps; the oldest closed ones are dropped first.
pub const MAX_RECORDS: usize = 10_000;

/// One WATCH request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchRecord {
    /// The resource, as `namespaces` or `clusters.cluster.kubesphere.io`.
    pub resource: String,
    /// The `resourceVersion` it resumed from; `None` for a watch that started with the
    /// current objects.
    pub resource_version: Option<String>,
    /// Whether the stream is still open.
    pub open: bool,
}

#[derive(Debug, Default)]
struct Inner {
    records: Vec<(u64, WatchRecord)>,
    next: u64,
}

/// The log, shared by the connections of one cluster.
#[derive(Debug, Default)]
pub struct WatchLog {
    inner: Arc<Mutex<Inner>>,
    open: Arc<AtomicUsize>,
}

impl WatchLog {
    /// Logs a watch that starts streaming; it counts as open until the guard is dropped.
    pub fn started(&self, record: WatchRecord) -> WatchGuard {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.records.len() >= MAX_RECORDS
            && let Some(i) = inner.records.iter().position(|(_, r)| !r.open)
        {
            inner.records.remove(i);
        }
        let id = inner.next;
        inner.next += 1;
        inner.records.push((
            id,
            WatchRecord {
                open: true,
                ..record
            },
        ));
        self.open.fetch_add(1, Ordering::SeqCst);
        WatchGuard {
            id,
            inner: Arc::clone(&self.inner),
            open: Arc::clone(&self.open),
        }
    }

    /// How many watch streams are open now.
    #[must_use]
    pub fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Every logged watch, oldest first.
    #[must_use]
    pub fn records(&self) -> Vec<WatchRecord> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.records.iter().map(|(_, r)| r.clone()).collect()
    }

    /// Forgets the closed watches.
    pub fn clear_closed(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.records.retain(|(_, r)| r.open);
    }
}

/// Held by a watch's streaming task; dropping it marks the watch closed.
#[derive(Debug)]
pub struct WatchGuard {
    id: u64,
    inner: Arc<Mutex<Inner>>,
    open: Arc<AtomicUsize>,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, r)) = inner.records.iter_mut().find(|(id, _)| *id == self.id) {
            r.open = false;
        }
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_is_open_until_its_guard_drops() {
        let log = WatchLog::default();
        let record = WatchRecord {
            resource: "namespaces".into(),
            resource_version: None,
            open: false,
        };
        let a = log.started(record.clone());
        let b = log.started(record);
        assert_eq!(log.open(), 2);
        drop(a);
        assert_eq!(log.open(), 1);
        let records = log.records();
        assert!(!records[0].open && records[1].open);
        log.clear_closed();
        assert_eq!(log.records().len(), 1);
        drop(b);
        assert_eq!(log.open(), 0);
    }
}
