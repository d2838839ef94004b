//! The workflow commands' adapter against the in-process demo estate (`migrate` scenario):
//! plan an unbind, apply it with progress over a Tauri channel, list the run, export its
//! script; a cancel before the first step stops the run, and resume carries it on.

use std::sync::{Arc, Mutex};

use ksmc_core::workflow::{RunEvent, RunStatus, Runs, WorkflowInput};
use ksmc_desktop_lib::state::{AppState, ChannelProgress, EstateChoice};
use tauri::ipc::{Channel, InvokeResponseBody};

fn unbind() -> WorkflowInput {
    WorkflowInput::Unbind {
        member: "prod-1".into(),
        old_host: Some("old-host".into()),
        cluster_name: None,
        projects: None,
        settle_seconds: 1,
    }
}

/// A channel that keeps every event it is sent, decoded as the UI would.
fn collecting() -> (Channel<RunEvent>, Arc<Mutex<Vec<RunEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let channel = Channel::new(move |body| {
        let InvokeResponseBody::Json(text) = body else {
            panic!("progress is JSON");
        };
        sink.lock()
            .unwrap()
            .push(serde_json::from_str(&text).expect("a RunEvent"));
        Ok(())
    });
    (channel, events)
}

async fn demo(runs: &tempfile::TempDir) -> AppState {
    AppState::open(EstateChoice::Demo("migrate".into()))
        .await
        .expect("demo estate")
        .using_runs(Runs::new(runs.path()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_and_apply_an_unbind_with_progress_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let state = demo(&dir).await;
    let plan = state.plan_workflow(&unbind()).await.expect("plan");
    assert!(!plan.is_empty());
    assert!(!plan.inventory.is_empty(), "projects to keep");
    let runs = state.list_runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, plan.id);
    assert_eq!(runs[0].status, RunStatus::Planned);
    let script = state.run_script(&plan.id).unwrap();
    assert!(script.starts_with("#!/bin/sh") && script.contains("kubectl"));

    let (channel, events) = collecting();
    let report = state
        .apply_run(&plan.id, false, ChannelProgress(channel))
        .await
        .expect("applied");
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_eq!(report.kept as usize, plan.inventory.len());
    assert_eq!(report.steps_done as usize, plan.len());

    let events = events.lock().unwrap().clone();
    assert!(
        matches!(events.first(), Some(RunEvent::Started { run_id, .. }) if *run_id == plan.id),
        "{events:?}"
    );
    assert!(
        matches!(events.last(), Some(RunEvent::Finished { report: r }) if *r == report),
        "the report comes last"
    );
    // Every step of the plan starts and ends, phases in order, each step done after it started.
    let mut phases = Vec::new();
    for (i, e) in events.iter().enumerate() {
        match e {
            RunEvent::PhaseStarted { index, .. } => phases.push(*index),
            RunEvent::StepDone { step } => assert!(
                events[..i]
                    .iter()
                    .any(|s| matches!(s, RunEvent::StepStarted { step: x, .. } if x == step)),
                "step {step} done before it started"
            ),
            _ => {}
        }
    }
    assert!(phases.windows(2).all(|w| w[0] < w[1]), "{phases:?}");
    let done = events
        .iter()
        .filter(|e| matches!(e, RunEvent::StepDone { .. }))
        .count();
    assert_eq!(done, plan.len());
    assert_eq!(state.list_runs().unwrap()[0].status, RunStatus::Succeeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_stops_before_a_step_and_resumes_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let state = demo(&dir).await;
    let plan = state.plan_workflow(&unbind()).await.expect("plan");
    // Cancel while it runs (the Cancel button), as soon as its first step starts.
    let (channel, _) = collecting();
    let state = Arc::new(state);
    let id = plan.id.clone();
    let canceller = Arc::clone(&state);
    let cancel = Channel::new(move |body| {
        let InvokeResponseBody::Json(text) = body else {
            return Ok(());
        };
        if text.contains("\"stepStarted\"") {
            canceller.cancel_run(&id).unwrap();
        }
        channel.send(serde_json::from_str(&text).unwrap())
    });
    let report = state
        .apply_run(&plan.id, false, ChannelProgress(cancel))
        .await
        .expect("applied");
    assert_eq!(report.status, RunStatus::Cancelled, "{report:#?}");
    assert!(report.steps_done < report.steps_total);
    assert_eq!(state.list_runs().unwrap()[0].status, RunStatus::Cancelled);

    let (channel, events) = collecting();
    let report = state
        .apply_run(&plan.id, true, ChannelProgress(channel))
        .await
        .expect("resumed");
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert!(matches!(
        events.lock().unwrap().first(),
        Some(RunEvent::Started { done, .. }) if *done > 0
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_runs_and_invalid_input_are_errors_as_data() {
    let dir = tempfile::tempdir().unwrap();
    let state = demo(&dir).await;
    let err = state.run_script("nope").unwrap_err();
    assert_eq!(err.kind, ksmc_core::ErrorKind::NotFound);
    let err = state
        .plan_workflow(&WorkflowInput::Unbind {
            member: "no-such-cluster".into(),
            old_host: None,
            cluster_name: None,
            projects: None,
            settle_seconds: 1,
        })
        .await
        .unwrap_err();
    assert!(!err.message.is_empty());
    assert!(state.list_runs().unwrap().is_empty(), "nothing saved");
}
