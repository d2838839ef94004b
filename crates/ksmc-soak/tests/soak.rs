//! A bounded soak for CI: a few seeds of each workflow under random faults, kills and resumes.

use ksmc_soak::{Workflow, run_seed};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_few_seeds_of_each_workflow_hold_every_invariant() {
    for (seed, workflow) in [
        (11, Workflow::Unbind),
        (12, Workflow::Migrate),
        (13, Workflow::Unbind),
        (14, Workflow::Migrate),
        (15, Workflow::Rebind),
        (16, Workflow::Rebind),
    ] {
        let outcome = run_seed(seed, workflow, 6).await;
        assert!(outcome.violation.is_none(), "{outcome:#?}");
    }
}
