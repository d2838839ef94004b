//! The write log of one simulated cluster: every mutating request its API server *applied*, in
//! order, so a test can assert that a client wrote something exactly once.
//!
//! A request is logged when it is a POST, PUT, PATCH or DELETE served by the cluster's API
//! server that changed the store: not a dry run, not rejected (4xx/5xx), not a no-op (a patch
//! that changes nothing, a delete of an object already being deleted). A write whose answer an
//! `appliedButLost` fault drops is logged too — it was applied. Writes of the simulated
//! controllers and of the faults in [`crate::hazards`] are not requests and are not logged.
//!
//! ```no_run
//! # async fn demo(estate: &ksmc_sim::Estate) {
//! let prod = estate.cluster("prod-1").unwrap();
//! prod.clear_writes();
//! // … run the workflow …
//! let writes = prod.writes();
//! assert_eq!(writes.iter().filter(|w| w.method == "DELETE").count(), 1);
//! # }
//! ```
//!
//! The control endpoint serves it as `GET /clusters/<name>/writes` (`DELETE` clears it).

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

/// The most records a cluster keeps; older ones are dropped first.
pub const MAX_RECORDS: usize = 100_000;

/// One applied mutating request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct WriteRecord {
    /// `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// The request path without its query, e.g. `/api/v1/namespaces/demo`.
    pub path: String,
    /// The status code of the answer (sent or, under `appliedButLost`, dropped).
    pub status: u16,
}

impl WriteRecord {
    /// A record, for comparisons in tests.
    #[must_use]
    pub fn new(method: &str, path: &str, status: u16) -> Self {
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
        }
    }
}

impl std::fmt::Display for WriteRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.method, self.path, self.status)
    }
}

/// The ordered log, shared by the connections of one cluster.
#[derive(Debug, Default)]
pub struct WriteLog {
    records: Mutex<VecDeque<WriteRecord>>,
}

impl WriteLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<WriteRecord>> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Appends a record.
    pub fn push(&self, record: WriteRecord) {
        let mut records = self.lock();
        if records.len() == MAX_RECORDS {
            records.pop_front();
        }
        records.push_back(record);
    }

    /// The records, oldest first.
    #[must_use]
    pub fn records(&self) -> Vec<WriteRecord> {
        self.lock().iter().cloned().collect()
    }

    /// Takes the records, leaving the log empty.
    #[must_use]
    pub fn take(&self) -> Vec<WriteRecord> {
        self.lock().drain(..).collect()
    }

    /// How many records the log holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the log is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Empties the log.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

/// What a request's handler reports about its write, for the log and the hazards.
#[derive(Debug, Default)]
pub struct Effect {
    /// The write changed the store.
    pub applied: bool,
    /// For an updated object: its content before and after.
    pub change: Option<(Value, Value)>,
}

impl Effect {
    /// A write that changed the store.
    pub fn applied(&mut self) {
        self.applied = true;
    }

    /// An update that changed the store from `before` to `after`.
    pub fn updated(&mut self, before: Value, after: &Value) {
        self.applied = true;
        self.change = Some((before, after.clone()));
    }
}

impl crate::RunningCluster {
    /// The mutating requests this cluster applied, oldest first.
    #[must_use]
    pub fn writes(&self) -> Vec<WriteRecord> {
        self.cluster.writes()
    }

    /// Takes the mutating requests applied so far, leaving the log empty.
    #[must_use]
    pub fn take_writes(&self) -> Vec<WriteRecord> {
        self.cluster.writes.take()
    }

    /// Forgets the mutating requests applied so far.
    pub fn clear_writes(&self) {
        self.cluster.clear_writes();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_order_takes_and_clears() {
        let log = WriteLog::default();
        log.push(WriteRecord::new("POST", "/api/v1/namespaces", 201));
        log.push(WriteRecord::new("DELETE", "/api/v1/namespaces/a", 200));
        assert_eq!(
            log.records()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "POST /api/v1/namespaces 201",
                "DELETE /api/v1/namespaces/a 200"
            ]
        );
        assert_eq!(log.take().len(), 2);
        assert!(log.records().is_empty());
        for i in 0..=MAX_RECORDS {
            log.push(WriteRecord::new("PUT", &format!("/{i}"), 200));
        }
        let records = log.records();
        assert_eq!(records.len(), MAX_RECORDS);
        assert_eq!(records[0].path, "/1");
        log.clear();
        assert!(log.records().is_empty());
    }
}
