//! The run journal: an append-only file of checksummed JSON lines, fsynced before the write it
//! announces is sent. Concurrent appenders share one fsync (group commit), so a phase of a
//! thousand namespace patches does not pay a thousand disk flushes one after another.
//!
//! The journal holds intent, never secrets: object names, uids, resourceVersions, status
//! codes and error texts that ksmc itself wrote without credentials.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::{AppError, ErrorKind};

/// One journal record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Record {
    /// The run began applying the plan with this hash.
    Started {
        plan_hash: String,
        holder: String,
    },
    /// A write is about to be sent.
    Intent {
        step: u32,
        request: String,
        precondition: Option<String>,
    },
    /// What the write got back (`status` 0 when no answer came).
    Result {
        step: u32,
        status: u16,
        resource_version: Option<String>,
        error: Option<String>,
    },
    /// Something the step found and left alone that the operator should know (e.g. a Role
    /// it would have restored exists with other rules); shown in the run's report.
    Note {
        step: u32,
        text: String,
    },
    /// The step's post-condition holds.
    StepDone {
        step: u32,
        writes: u32,
    },
    /// The run stopped at this step without doing anything unsafe.
    Blocked {
        step: u32,
        reason: String,
    },
    /// A transient failure stopped the run; resume retries the step.
    Paused {
        step: u32,
        reason: String,
    },
    /// A failure that needs a human (a lost namespace, a refused write).
    Failed {
        step: u32,
        reason: String,
    },
    Cancelled {
        before_step: u32,
    },
    /// Every step done and every invariant verified.
    Succeeded {
        kept: u32,
    },
}

#[derive(Serialize, Deserialize)]
struct Line {
    seq: u64,
    at: String,
    record: Record,
    sum: String,
}

fn checksum(seq: u64, at: &str, record: &Record) -> String {
    let body = serde_json::json!({"seq": seq, "at": at, "record": record}).to_string();
    let digest = Sha256::digest(body.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn io_error(path: &Path, e: &std::io::Error) -> AppError {
    AppError::new(
        ErrorKind::Internal,
        format!("cannot write the run journal {}: {e}", path.display()),
    )
}

struct State {
    file: File,
    next_seq: u64,
}

/// An open journal.
pub struct Journal {
    path: PathBuf,
    state: Arc<Mutex<State>>,
    /// The highest sequence number known to be on disk.
    synced: Arc<Mutex<u64>>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// What reading a journal back found.
#[derive(Debug, Default)]
pub struct ReadBack {
    pub records: Vec<Record>,
    /// Lines that were torn or failed their checksum (only the tail of a crashed write is
    /// expected here; their steps are treated as unknown and re-read).
    pub damaged: usize,
}

impl Journal {
    /// Opens (creating) the journal at `path` for appending.
    ///
    /// # Errors
    /// When the file cannot be opened.
    pub fn open(path: &Path) -> Result<Self, AppError> {
        let existing = Self::read(path)?;
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|e| io_error(path, &e))?;
        // A crash mid-line leaves a torn tail; start the next record on a line of its own.
        let torn = std::fs::read(path)
            .map_err(|e| io_error(path, &e))?
            .last()
            .is_some_and(|b| *b != b'\n');
        if torn {
            file.write_all(b"\n").map_err(|e| io_error(path, &e))?;
        }
        let next_seq = (existing.records.len() + existing.damaged) as u64;
        Ok(Self {
            path: path.to_owned(),
            state: Arc::new(Mutex::new(State { file, next_seq })),
            synced: Arc::new(Mutex::new(next_seq)),
        })
    }

    /// Reads every record back; a missing file is an empty journal.
    ///
    /// # Errors
    /// When the file exists but cannot be read.
    pub fn read(path: &Path) -> Result<ReadBack, AppError> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ReadBack::default()),
            Err(e) => {
                return Err(AppError::new(
                    ErrorKind::Internal,
                    format!("cannot read the run journal {}: {e}", path.display()),
                ));
            }
        };
        let mut out = ReadBack::default();
        for line in BufReader::new(file).split(b'\n') {
            let Ok(line) = line else {
                out.damaged += 1;
                continue;
            };
            if line.is_empty() {
                continue;
            }
            match serde_json::from_slice::<Line>(&line) {
                Ok(l) if l.sum == checksum(l.seq, &l.at, &l.record) => out.records.push(l.record),
                _ => out.damaged += 1,
            }
        }
        Ok(out)
    }

    /// Appends records and returns once they are on disk. Appenders that arrive while another
    /// flushes are covered by the next single fsync.
    ///
    /// # Errors
    /// When writing or syncing fails: the caller must not send the write it announces.
    pub async fn append(&self, records: &[Record]) -> Result<(), AppError> {
        let (mine, file) = {
            let mut state = self.state.lock().map_err(|_| poisoned())?;
            let mut buf = Vec::new();
            for record in records {
                let seq = state.next_seq;
                state.next_seq += 1;
                let at = jiff::Timestamp::now().to_string();
                let sum = checksum(seq, &at, record);
                let line = Line {
                    seq,
                    at,
                    record: record.clone(),
                    sum,
                };
                serde_json::to_writer(&mut buf, &line).map_err(|e| {
                    AppError::new(ErrorKind::Internal, format!("journal record: {e}"))
                })?;
                buf.push(b'\n');
            }
            state
                .file
                .write_all(&buf)
                .map_err(|e| io_error(&self.path, &e))?;
            let file = state
                .file
                .try_clone()
                .map_err(|e| io_error(&self.path, &e))?;
            (state.next_seq, file)
        };
        let path = self.path.clone();
        let synced = self.synced.clone();
        let state = self.state.clone();
        // One flush at a time; whoever holds the lock syncs everything written so far.
        tokio::task::spawn_blocking(move || -> Result<(), AppError> {
            let mut done = synced.lock().map_err(|_| poisoned())?;
            if *done >= mine {
                return Ok(());
            }
            let upto = state.lock().map_err(|_| poisoned())?.next_seq;
            file.sync_data().map_err(|e| io_error(&path, &e))?;
            *done = upto;
            Ok(())
        })
        .await
        .map_err(|_| AppError::new(ErrorKind::Internal, "the journal flush was interrupted"))??;
        crash_point(records.len());
        Ok(())
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Test hook for crash-and-resume tests: with `KSMC_CRASH_AFTER_RECORDS=n` in the
/// environment, the process aborts (no unwinding, no cleanup: like `kill -9`) right after the
/// journal record that brings this process's count to `n` or more is on disk.
pub const CRASH_ENV: &str = "KSMC_CRASH_AFTER_RECORDS";

fn crash_point(appended: usize) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    static LIMIT: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    let limit = LIMIT.get_or_init(|| std::env::var(CRASH_ENV).ok()?.parse().ok());
    if let Some(limit) = limit {
        let seen = COUNT.fetch_add(appended as u64, Ordering::SeqCst) + appended as u64;
        if seen >= *limit {
            std::process::abort();
        }
    }
}

fn poisoned() -> AppError {
    AppError::new(ErrorKind::Internal, "the run journal lock was poisoned")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_round_trip_and_a_torn_tail_is_counted_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let j = Journal::open(&path).unwrap();
        j.append(&[Record::Started {
            plan_hash: "h".into(),
            holder: "x".into(),
        }])
        .await
        .unwrap();
        j.append(&[
            Record::Intent {
                step: 0,
                request: "PATCH /api/v1/namespaces/a".into(),
                precondition: Some("7".into()),
            },
            Record::Result {
                step: 0,
                status: 200,
                resource_version: Some("8".into()),
                error: None,
            },
        ])
        .await
        .unwrap();
        drop(j);
        // A crash mid-line, and a line whose content was altered.
        let mut text = std::fs::read_to_string(&path).unwrap();
        text = text.replacen("\"status\":200", "\"status\":201", 1);
        text.push_str("{\"seq\":3,\"at\":\"x\",\"rec");
        std::fs::write(&path, text).unwrap();
        let back = Journal::read(&path).unwrap();
        assert_eq!(back.records.len(), 2);
        assert_eq!(back.damaged, 2);
        assert!(matches!(back.records[1], Record::Intent { step: 0, .. }));
        // Reopening continues the sequence after what is there.
        let j = Journal::open(&path).unwrap();
        j.append(&[Record::StepDone { step: 0, writes: 1 }])
            .await
            .unwrap();
        assert_eq!(Journal::read(&path).unwrap().records.len(), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_appends_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let j = std::sync::Arc::new(Journal::open(&path).unwrap());
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let j = j.clone();
                tokio::spawn(async move {
                    j.append(&[Record::StepDone { step: i, writes: 0 }])
                        .await
                        .unwrap();
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let back = Journal::read(&path).unwrap();
        assert_eq!(back.records.len(), 64);
        assert_eq!(back.damaged, 0);
    }
}
