//! Where runs live: `<data root>/runs/<run id>/` with `plan.json`, `journal.jsonl`,
//! `report.json` and a `cancel` marker another process may drop.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::journal::{Journal, Record};
use super::plan::Plan;
use crate::error::{AppError, ErrorKind};

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum RunStatus {
    /// Planned, never applied.
    Planned,
    /// Started and not finished: running now, or the process died (resume it).
    Interrupted,
    /// Every step done, every kept namespace verified.
    Succeeded,
    /// Stopped before anything unsafe; needs a look, then resume.
    Blocked,
    /// A transient failure outlasted the retries; resume.
    Paused,
    /// Needs a human: a lost namespace, a refused write.
    Failed,
    Cancelled,
}

impl RunStatus {
    /// Whether `resume` can carry it on.
    #[must_use]
    pub fn resumable(self) -> bool {
        matches!(
            self,
            Self::Planned | Self::Interrupted | Self::Blocked | Self::Paused | Self::Cancelled
        )
    }
}

/// One line of `ksmc runs list`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub id: String,
    pub workflow: String,
    pub title: String,
    pub created_at: String,
    pub status: RunStatus,
    pub steps_done: u32,
    pub steps_total: u32,
    /// Why it stopped, when it did.
    pub reason: Option<String>,
}

/// The runs directory.
#[derive(Clone, Debug)]
pub struct Runs {
    root: PathBuf,
}

fn io(what: &str, path: &Path, e: &std::io::Error) -> AppError {
    AppError::new(
        ErrorKind::Internal,
        format!("cannot {what} {}: {e}", path.display()),
    )
}

impl Runs {
    #[must_use]
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
        }
    }

    /// `<KSMC_HOME or the platform data dir>/runs`.
    ///
    /// # Errors
    /// When no data directory is known.
    pub fn open_default() -> Result<Self, AppError> {
        let root = crate::vault::Vault::default_root()
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        Ok(Self::new(&root.join("runs")))
    }

    /// Saves a reviewed plan as a new run.
    ///
    /// # Errors
    /// When the directory cannot be written, or a run with this id exists.
    pub fn create(&self, plan: &Plan) -> Result<RunDir, AppError> {
        crate::vault::fsio::ensure_private_dir(&self.root)
            .map_err(|e| io("create", &self.root, &e))?;
        let dir = self.root.join(&plan.id);
        std::fs::create_dir(&dir).map_err(|e| io("create", &dir, &e))?;
        let text = serde_json::to_vec_pretty(plan)
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        crate::vault::fsio::write_atomic(&dir.join("plan.json"), &text)
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        Ok(RunDir {
            dir,
            id: plan.id.clone(),
        })
    }

    /// An existing run; `id` may be a unique prefix.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when no run (or more than one) matches.
    pub fn open(&self, id: &str) -> Result<RunDir, AppError> {
        let matches: Vec<String> = self
            .ids()
            .into_iter()
            .filter(|r| r.starts_with(id) && !id.is_empty())
            .collect();
        match matches.as_slice() {
            [one] => Ok(RunDir {
                dir: self.root.join(one),
                id: one.clone(),
            }),
            [] => Err(AppError::new(
                ErrorKind::NotFound,
                format!("no run {id:?} under {}", self.root.display()),
            )),
            _ => Err(AppError::new(
                ErrorKind::Invalid,
                format!("{id:?} matches {} runs; give more of the id", matches.len()),
            )),
        }
    }

    fn ids(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join("plan.json").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    }

    /// Every run, newest first. Unreadable runs are skipped.
    #[must_use]
    pub fn list(&self) -> Vec<RunSummary> {
        let mut out: Vec<RunSummary> = self
            .ids()
            .into_iter()
            .filter_map(|id| {
                RunDir {
                    dir: self.root.join(&id),
                    id,
                }
                .summary()
                .ok()
            })
            .collect();
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        out
    }
}

/// One run's directory.
#[derive(Clone, Debug)]
pub struct RunDir {
    dir: PathBuf,
    id: String,
}

impl RunDir {
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    #[must_use]
    pub fn journal_path(&self) -> PathBuf {
        self.dir.join("journal.jsonl")
    }

    #[must_use]
    pub fn report_path(&self) -> PathBuf {
        self.dir.join("report.json")
    }

    /// The plan as reviewed.
    ///
    /// # Errors
    /// When `plan.json` is missing, unreadable, of another format, or altered since saved.
    pub fn plan(&self) -> Result<Plan, AppError> {
        let path = self.dir.join("plan.json");
        let text = std::fs::read(&path).map_err(|e| io("read", &path, &e))?;
        let plan: Plan = serde_json::from_slice(&text).map_err(|e| {
            AppError::new(
                ErrorKind::Invalid,
                format!("{} is not a ksmc plan: {e}", path.display()),
            )
        })?;
        if plan.format != super::plan::PLAN_FORMAT {
            return Err(AppError::new(
                ErrorKind::Invalid,
                format!(
                    "{} was written in plan format {}; this ksmc applies format {}",
                    path.display(),
                    plan.format,
                    super::plan::PLAN_FORMAT
                ),
            ));
        }
        if plan.content_hash() != plan.hash {
            return Err(AppError::new(
                ErrorKind::Invalid,
                format!(
                    "{} was changed after it was planned (its hash does not match); plan again",
                    path.display()
                ),
            ));
        }
        Ok(plan)
    }

    /// Asks a running apply (in any process) to stop before its next step.
    ///
    /// # Errors
    /// When the marker cannot be written.
    pub fn request_cancel(&self) -> Result<(), AppError> {
        let path = self.dir.join("cancel");
        std::fs::write(&path, b"cancel\n").map_err(|e| io("write", &path, &e))
    }

    #[must_use]
    pub fn cancel_requested(&self) -> bool {
        self.dir.join("cancel").exists()
    }

    /// An exclusive OS lock on the run for as long as the returned file lives: one process
    /// applies a run at a time (another resume of the same run would hold the same estate
    /// lease). The OS drops the lock when the process dies.
    ///
    /// # Errors
    /// [`ErrorKind::Locked`] when another process holds it.
    pub fn lock(&self) -> Result<std::fs::File, AppError> {
        let path = self.dir.join("apply.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io("open", &path, &e))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(AppError::new(
                ErrorKind::Locked,
                format!(
                    "run {} is being applied by another ksmc process on this machine; wait for it, or stop it with: ksmc cancel {}",
                    self.id,
                    &self.id[..self.id.len().min(8)]
                ),
            )),
            Err(std::fs::TryLockError::Error(e)) => Err(io("lock", &path, &e)),
        }
    }

    /// Whether a process on this machine is applying the run now.
    #[must_use]
    pub fn is_running(&self) -> bool {
        std::fs::File::open(self.dir.join("apply.lock"))
            .is_ok_and(|f| matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)))
    }

    /// Clears a cancel request (resume does this).
    pub fn clear_cancel(&self) {
        let _ = std::fs::remove_file(self.dir.join("cancel"));
    }

    /// Status and progress from the journal.
    ///
    /// # Errors
    /// When the plan or journal cannot be read.
    pub fn summary(&self) -> Result<RunSummary, AppError> {
        let plan = self.plan()?;
        let records = Journal::read(&self.journal_path())?.records;
        let (status, reason) = status_of(&records);
        let mut done: Vec<u32> = records
            .iter()
            .filter_map(|r| match r {
                Record::StepDone { step, .. } => Some(*step),
                _ => None,
            })
            .collect();
        done.sort_unstable();
        done.dedup();
        Ok(RunSummary {
            id: self.id.clone(),
            workflow: plan.input.name().to_owned(),
            title: plan.title.clone(),
            created_at: plan.created_at.clone(),
            status,
            steps_done: u32::try_from(done.len()).unwrap_or(u32::MAX),
            steps_total: u32::try_from(plan.len()).unwrap_or(u32::MAX),
            reason,
        })
    }
}

/// The status the journal's records say.
#[must_use]
pub fn status_of(records: &[Record]) -> (RunStatus, Option<String>) {
    let mut status = (RunStatus::Planned, None);
    for r in records {
        status = match r {
            Record::Started { .. } => (RunStatus::Interrupted, None),
            Record::Succeeded { .. } => (RunStatus::Succeeded, None),
            Record::Blocked { reason, .. } => (RunStatus::Blocked, Some(reason.clone())),
            Record::Paused { reason, .. } => (RunStatus::Paused, Some(reason.clone())),
            Record::Failed { reason, .. } => (RunStatus::Failed, Some(reason.clone())),
            Record::Cancelled { .. } => (RunStatus::Cancelled, None),
            _ => continue,
        };
    }
    status
}
