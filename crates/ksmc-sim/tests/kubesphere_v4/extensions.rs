//! InstallPlans in 4.1.3 (§7.3): the host part, and the agent scheduled on the Clusters of
//! `spec.clusterScheduling.placement`.
use super::*;

fn install_plans(c: &kube::Client) -> Api<DynamicObject> {
    api(
        c,
        "kubesphere.io",
        "v1alpha1",
        "InstallPlan",
        "installplans",
    )
}

async fn state(plans: &Api<DynamicObject>, pointer: &str) -> Option<Value> {
    serde_json::to_value(plans.get("gatekeeper").await.unwrap())
        .unwrap()
        .pointer(pointer)
        .cloned()
}

#[tokio::test]
async fn an_install_plan_schedules_its_agent_on_the_placed_clusters_only() {
    let (estate, host, member) = imported().await;
    let plans = install_plans(&host);
    plans
        .create(
            &PostParams::default(),
            &object(json!({"apiVersion": "kubesphere.io/v1alpha1", "kind": "InstallPlan",
                "metadata": {"name": "gatekeeper"},
                "spec": {"extension": {"name": "gatekeeper", "version": "1.0.2"}, "enabled": true}})),
        )
        .await
        .unwrap();
    eventually("installed on the host, scheduled nowhere", || async {
        state(&plans, "/status/state").await == Some(json!("Installed"))
            && state(&plans, "/status/clusterSchedulingStatuses").await == Some(json!({}))
    })
    .await;

    let place = |clusters: Value| {
        let plans = plans.clone();
        async move {
            plans
                .patch(
                    "gatekeeper",
                    &PatchParams::default(),
                    &Patch::Merge(json!({"spec": {"clusterScheduling": {"placement": {"clusters": clusters}}}})),
                )
                .await
                .unwrap();
        }
    };
    place(json!(["member-1"])).await;
    eventually("the agent is installed on member-1", || async {
        state(&plans, "/status/clusterSchedulingStatuses/member-1/state").await
            == Some(json!("Installed"))
    })
    .await;
    let s = state(&plans, "/status/clusterSchedulingStatuses/member-1")
        .await
        .unwrap();
    assert_eq!(s["releaseName"], "gatekeeper-agent");
    assert_eq!(s["targetNamespace"], "extension-gatekeeper");
    assert_eq!(s["version"], "1.0.2");
    assert!(
        namespaces(&member)
            .get_opt("extension-gatekeeper")
            .await
            .unwrap()
            .is_some()
    );

    // Taken out of the placement: its entry goes; the host is not scheduled unless listed.
    place(json!(["host"])).await;
    eventually("scheduled on the host only", || async {
        let statuses = state(&plans, "/status/clusterSchedulingStatuses").await;
        statuses.as_ref().and_then(|s| s.get("member-1")).is_none()
            && statuses
                .as_ref()
                .and_then(|s| s.pointer("/host/state"))
                .is_some_and(|s| s == "Installed")
    })
    .await;
    drop(estate);
}
