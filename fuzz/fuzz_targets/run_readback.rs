//! A run read back on resume: `plan.json` and `journal.jsonl` as a crash, a full disk or a
//! hand edit may leave them. The input is the plan's bytes, a NUL, then the journal's bytes.
//! Reading must never panic or hang: a bad plan is a specific error, a damaged journal line is
//! counted and not trusted, and reopening a journal for appending keeps every record.

#![no_main]

use std::sync::OnceLock;

use ksmc_core::workflow::Runs;
use ksmc_core::workflow::engine::done_steps;
use ksmc_core::workflow::journal::Journal;
use ksmc_core::workflow::runs::status_of;
use libfuzzer_sys::fuzz_target;

const RUN_ID: &str = "run-fuzz";

fn root() -> &'static tempfile::TempDir {
    static ROOT: OnceLock<tempfile::TempDir> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = scratch_dir();
        std::fs::create_dir(dir.path().join(RUN_ID)).expect("run dir");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let (plan, journal) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let root = root();
    let dir = root.path().join(RUN_ID);
    std::fs::write(dir.join("plan.json"), plan).expect("write plan");
    std::fs::write(dir.join("journal.jsonl"), journal).expect("write journal");
    let run = Runs::new(root.path()).open(RUN_ID).expect("the run exists");

    let back = Journal::read(&run.journal_path()).expect("readable");
    let _ = status_of(&back.records);
    match run.plan() {
        Ok(plan) => {
            assert_eq!(plan.content_hash(), plan.hash);
            let done = done_steps(&plan, &back.records);
            assert!(done.len() <= back.records.len());
            let _ = plan.script();
            let _ = plan.written_clusters();
            let summary = run.summary().expect("a readable run has a summary");
            assert!(summary.steps_done as usize <= back.records.len());
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
    // Resume reopens the journal for appending: a torn tail is closed off, nothing is lost.
    Journal::open(&run.journal_path()).expect("reopens");
    let again = Journal::read(&run.journal_path()).expect("readable");
    assert_eq!(again.records, back.records);
});

/// A directory in memory when the machine has one (`/dev/shm`): the vault and the journal
/// fsync every write, which on a disk would make the fuzzer measure the disk.
fn scratch_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    let mut builder = tempfile::Builder::new();
    builder.prefix("ksmc-fuzz-");
    if shm.is_dir() {
        builder.tempdir_in(shm)
    } else {
        builder.tempdir()
    }
    .expect("tempdir")
}
