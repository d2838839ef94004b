//! A seed's fault schedule: request faults on every cluster, and on the member the hazards
//! that fit the workflow.

use ksmc_sim::faults::{Fault, FaultPlan, FaultRule};
use ksmc_sim::{Estate, NamespaceDeletion, OwnerReAdd};

use crate::Workflow;
use crate::estate::{CLUSTERS, KEPT, MEMBER};

/// A random fault plan for one cluster; `words` collects what was chosen.
fn fault_plan(rng: &mut fastrand::Rng, words: &mut Vec<String>, cluster: &str) -> FaultPlan {
    let latency = rng.u64(0..=10);
    let jitter = rng.u64(0..=10);
    let mut plan = FaultPlan::latency(latency, jitter);
    let mut chosen = vec![format!("{latency}±{jitter}ms")];
    for (fault, max, label) in [
        (Fault::ServiceUnavailable, 0.15, "503"),
        (Fault::InternalError, 0.05, "500"),
        (Fault::TooManyRequests, 0.1, "429"),
        (Fault::Reset, 0.05, "reset"),
        (Fault::AppliedButLost, 0.2, "lost"),
        (Fault::Conflict, 0.2, "409"),
    ] {
        if rng.bool() {
            let p = (rng.f64() * max * 100.0).round() / 100.0;
            if p > 0.0 {
                let mut rule = FaultRule::new(fault).probability(p);
                if fault == Fault::TooManyRequests {
                    rule = rule.retry_after(3_600);
                }
                plan = plan.rule(rule);
                chosen.push(format!("{label}@{p}"));
            }
        }
    }
    words.push(format!("{cluster}: {}", chosen.join(" ")));
    plan
}

/// Draws and sets the schedule of every cluster; returns it in words.
///
/// # Panics
/// When the simulator refuses a plan it should accept (not a finding of the soak).
pub(crate) fn set_faults(rng: &mut fastrand::Rng, estate: &Estate, workflow: Workflow) -> String {
    let mut words = Vec::new();
    for cluster in CLUSTERS {
        let mut plan = fault_plan(rng, &mut words, cluster);
        if cluster == MEMBER {
            // A controller re-binding a project undoes an unbinding; rebind unbinds nothing.
            if workflow != Workflow::Rebind && rng.f64() < 0.25 {
                plan.re_add_owners = Some(OwnerReAdd {
                    delay_ms: rng.u64(50..=400),
                    namespaces: vec![KEPT[rng.usize(0..4)].into()],
                    count: Some(1),
                    ..OwnerReAdd::default()
                });
                words.push("a controller re-binds one project once".into());
            }
            if rng.f64() < 0.15 {
                let victim = KEPT[rng.usize(0..KEPT.len())];
                let after = rng.u64(1..=5);
                plan.delete_namespace = Some(NamespaceDeletion::new(victim, after));
                words.push(format!("someone deletes {victim} after {after} writes"));
            }
        }
        estate.set_faults(cluster, plan).expect("valid fault plan");
    }
    words.join("; ")
}
