//! The simulator's request parsing: raw HTTP/1.1 request bytes served by ksmc-sim's API server
//! (`ksmc_sim::handlers::fuzz::raw_request`) on a KubeSphere 3.4 cluster with a few projects.
//! No request may panic the server, hang it, or answer 500.

#![no_main]

use std::sync::OnceLock;

use ksmc_sim::cluster::SimCluster;
use ksmc_sim::handlers::fuzz::raw_request;
use ksmc_sim::scenario::{ClusterPlan, Fixture, Role};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

/// A member with projects, a workspace and a user: enough for every route to find objects.
fn plan() -> &'static ClusterPlan {
    static PLAN: OnceLock<ClusterPlan> = OnceLock::new();
    PLAN.get_or_init(|| {
        let mut plan = ClusterPlan::kubesphere("fuzz", Role::Member, "v1.30.9", "jwt");
        plan.fixtures = vec![
            Fixture::Workspace {
                name: "ws-apps".into(),
                federated: true,
            },
            Fixture::Project {
                name: "apps".into(),
                workspace: "ws-apps".into(),
                extra_owners: vec![],
            },
            Fixture::Namespace {
                name: "scratch".into(),
                labels: json!({"team": "a"}),
            },
            Fixture::User {
                name: "alice".into(),
                email: "alice@example.com".into(),
                federated: true,
            },
        ];
        plan
    })
}

fuzz_target!(|data: &[u8]| {
    // A fresh cluster and runtime per input: a crash reproduces from its input alone, and a
    // watch's stream task ends with its runtime.
    let cluster: SimCluster = plan().build().expect("the cluster builds");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Some(status) = runtime.block_on(raw_request(&cluster, data)) {
        assert!(status != 500, "the simulator answered 500");
    }
});
