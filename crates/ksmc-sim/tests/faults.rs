//! Fault injection as a kube-rs client sees it: Status errors, resets, lost responses,
//! partitions, latency, reproducible sequences and the control endpoint.

use std::time::{Duration, Instant};

use futures::{StreamExt as _, TryStreamExt as _};
use k8s_openapi::api::core::v1::Namespace;
use ksmc_sim::faults::{FaultError, FaultStats};
use ksmc_sim::{Estate, EstateOptions, Fault, FaultPlan, FaultRule, Partition, Scenario};
use kube::api::{Api, PostParams, WatchEvent, WatchParams};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

async fn start(options: EstateOptions) -> Estate {
    Estate::start(&Scenario::fresh(), &options)
        .await
        .expect("estate starts")
}

/// A kube-rs client without kube's default retry of 429/503, so each request is one attempt.
async fn client(estate: &Estate, cluster: &str, timeout: Option<Duration>) -> kube::Client {
    let running = estate.cluster(cluster).expect("cluster exists");
    let yaml = estate.kubeconfig(running).unwrap();
    let kc = kube::config::Kubeconfig::from_yaml(&yaml).unwrap();
    let mut cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    cfg.default_retry = false;
    if let Some(t) = timeout {
        cfg.connect_timeout = Some(t);
        cfg.read_timeout = Some(t);
    }
    kube::Client::try_from(cfg).unwrap()
}

fn namespaces(client: &kube::Client) -> Api<Namespace> {
    Api::all(client.clone())
}

fn ns(name: &str) -> Namespace {
    serde_json::from_value(json!({"metadata": {"name": name}})).unwrap()
}

fn api_error(e: kube::Error) -> kube::core::Status {
    match e {
        kube::Error::Api(s) => *s,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Fails unless the error happened below HTTP (no Status came back).
fn transport_error(e: &kube::Error) {
    assert!(
        !matches!(e, kube::Error::Api(_)),
        "expected a transport error, got {e:?}"
    );
}

/// Whether a namespace is in the cluster's store (looked at from inside, not over HTTP).
fn exists(estate: &Estate, cluster: &str, namespace: &str) -> bool {
    let store = &estate.cluster(cluster).unwrap().cluster.store;
    store
        .get(&ksmc_sim::ops::namespaces_key(), "", namespace)
        .is_some()
}

fn plan(rule: FaultRule) -> FaultPlan {
    FaultPlan::default().rule(rule)
}

fn stats(estate: &Estate, cluster: &str) -> FaultStats {
    estate.faults(cluster).unwrap().stats()
}

#[tokio::test]
async fn status_faults_come_back_as_api_errors() {
    let estate = start(EstateOptions::default()).await;
    let nss = namespaces(&client(&estate, "host", None).await);
    nss.get("default").await.expect("no fault yet");

    estate
        .set_faults(
            "host",
            plan(FaultRule::new(Fault::ServiceUnavailable).count(1))
                .rule(FaultRule::new(Fault::InternalError).count(1)),
        )
        .unwrap();
    let unavailable = api_error(nss.get("default").await.unwrap_err());
    assert_eq!(
        (unavailable.code, unavailable.reason.as_str()),
        (503, "ServiceUnavailable")
    );
    assert!(unavailable.is_failure());
    let internal = api_error(nss.get("default").await.unwrap_err());
    assert_eq!(
        (internal.code, internal.reason.as_str()),
        (500, "InternalError")
    );
    nss.get("default").await.expect("both rules are used up");
    assert_eq!(
        stats(&estate, "host"),
        FaultStats {
            requests: 3,
            injected: 2,
            fired: vec![1, 1]
        }
    );
    // The other cluster never had faults.
    let member = namespaces(&client(&estate, "member-1", None).await);
    member.get("default").await.unwrap();
}

#[tokio::test]
async fn too_many_requests_carries_retry_after() {
    let estate = start(EstateOptions::default()).await;
    let c = client(&estate, "host", None).await;
    estate
        .set_faults(
            "host",
            plan(FaultRule::new(Fault::TooManyRequests).retry_after(3)),
        )
        .unwrap();
    let status = api_error(namespaces(&c).get("default").await.unwrap_err());
    assert_eq!(
        (status.code, status.reason.as_str()),
        (429, "TooManyRequests")
    );
    assert_eq!(status.details.unwrap().retry_after_seconds, 3);

    // The header itself, as kube's retry policy reads it.
    let request = hyper::Request::get("/api/v1/namespaces/default")
        .body(kube::client::Body::empty())
        .unwrap();
    let response = c.send(request).await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "3");

    // kube's default client retries a 429 after Retry-After and then succeeds.
    estate
        .set_faults(
            "host",
            plan(
                FaultRule::new(Fault::TooManyRequests)
                    .retry_after(1)
                    .count(1),
            ),
        )
        .unwrap();
    let running = estate.cluster("host").unwrap();
    let kc = kube::config::Kubeconfig::from_yaml(&estate.kubeconfig(running).unwrap()).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    assert!(cfg.default_retry);
    let retrying = kube::Client::try_from(cfg).unwrap();
    let began = Instant::now();
    namespaces(&retrying).get("default").await.unwrap();
    assert!(
        began.elapsed() >= Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
    assert_eq!(stats(&estate, "host").injected, 1);
}

#[tokio::test]
async fn reset_is_a_transport_error() {
    let estate = start(EstateOptions::default()).await;
    let nss = namespaces(&client(&estate, "host", None).await);
    nss.get("default").await.unwrap();
    estate
        .set_faults("host", plan(FaultRule::new(Fault::Reset).count(1)))
        .unwrap();
    transport_error(&nss.get("default").await.unwrap_err());
    nss.get("default").await.expect("the next connection works");
}

#[tokio::test]
async fn applied_but_lost_leaves_the_object_created() {
    let estate = start(EstateOptions::default()).await;
    let nss = namespaces(&client(&estate, "host", None).await);
    estate
        .set_faults(
            "host",
            plan(
                FaultRule::new(Fault::AppliedButLost)
                    .path_prefix("/api/v1/namespaces")
                    .count(1),
            ),
        )
        .unwrap();
    // Reads are not writes: untouched.
    nss.get("default").await.unwrap();
    let err = nss
        .create(&PostParams::default(), &ns("lost-response"))
        .await
        .unwrap_err();
    transport_error(&err);
    let created = nss
        .get("lost-response")
        .await
        .expect("the write was applied");
    assert!(created.metadata.uid.is_some());
    // A client that retries the create learns it already happened.
    let again = api_error(
        nss.create(&PostParams::default(), &ns("lost-response"))
            .await
            .unwrap_err(),
    );
    assert_eq!((again.code, again.reason.as_str()), (409, "AlreadyExists"));
}

#[tokio::test]
async fn injected_conflict_refuses_writes_only() {
    let estate = start(EstateOptions::default()).await;
    let nss = namespaces(&client(&estate, "host", None).await);
    estate
        .set_faults("host", plan(FaultRule::new(Fault::Conflict)))
        .unwrap();
    nss.get("default").await.expect("reads pass");
    let conflict = api_error(
        nss.create(&PostParams::default(), &ns("refused"))
            .await
            .unwrap_err(),
    );
    assert_eq!((conflict.code, conflict.reason.as_str()), (409, "Conflict"));
    assert!(
        conflict
            .message
            .starts_with("Operation cannot be fulfilled on namespaces"),
        "{}",
        conflict.message
    );
    assert_eq!(api_error(nss.get("refused").await.unwrap_err()).code, 404);
    estate.clear_faults("host").unwrap();
    nss.create(&PostParams::default(), &ns("refused"))
        .await
        .unwrap();
}

#[tokio::test]
async fn hanging_partition_times_out_and_recovers() {
    let estate = start(EstateOptions::default()).await;
    let timeout = Duration::from_millis(400);
    let pooled = namespaces(&client(&estate, "host", Some(timeout)).await);
    pooled.get("default").await.unwrap();

    estate.set_partition("host", Some(Partition::Hang)).unwrap();
    // A write on an open connection gets no answer and does not reach the cluster.
    let began = Instant::now();
    transport_error(
        &pooled
            .create(&PostParams::default(), &ns("cut-off"))
            .await
            .unwrap_err(),
    );
    assert!(began.elapsed() >= timeout, "failed before its deadline");
    assert!(!exists(&estate, "host", "cut-off"));
    let began = Instant::now();
    transport_error(&pooled.get("default").await.unwrap_err());
    assert!(began.elapsed() >= timeout, "failed before its deadline");
    // A new connection cannot get through either.
    let fresh = namespaces(&client(&estate, "host", Some(timeout)).await);
    let began = Instant::now();
    transport_error(&fresh.get("default").await.unwrap_err());
    assert!(began.elapsed() >= timeout, "failed before its deadline");
    // Another cluster is not partitioned.
    namespaces(&client(&estate, "member-1", Some(timeout)).await)
        .get("default")
        .await
        .unwrap();

    estate.set_partition("host", None).unwrap();
    pooled.get("default").await.expect("healed");
    fresh.get("default").await.expect("healed");
}

#[tokio::test]
async fn resetting_partition_fails_fast_and_recovers() {
    let estate = start(EstateOptions::default()).await;
    let nss = namespaces(&client(&estate, "host", Some(Duration::from_secs(5))).await);
    nss.get("default").await.unwrap();
    estate
        .set_partition("host", Some(Partition::Reset))
        .unwrap();
    // A write on an open connection is reset and does not reach the cluster.
    transport_error(
        &nss.create(&PostParams::default(), &ns("cut-off"))
            .await
            .unwrap_err(),
    );
    assert!(!exists(&estate, "host", "cut-off"));
    for _ in 0..2 {
        let began = Instant::now();
        transport_error(&nss.get("default").await.unwrap_err());
        assert!(
            began.elapsed() < Duration::from_secs(2),
            "a reset is immediate"
        );
    }
    assert_eq!(
        estate.faults("host").unwrap().plan().partition,
        Some(Partition::Reset)
    );
    estate.set_partition("host", None).unwrap();
    nss.get("default").await.expect("healed");
}

type Events = futures::stream::BoxStream<'static, kube::Result<WatchEvent<Namespace>>>;

/// The name of the next namespace event, or `None` when none comes within `wait`.
async fn next_event(events: &mut Events, wait: Duration) -> Option<String> {
    match tokio::time::timeout(wait, events.try_next()).await {
        Err(_) => None,
        Ok(Ok(Some(WatchEvent::Added(n) | WatchEvent::Modified(n) | WatchEvent::Deleted(n)))) => {
            n.metadata.name
        }
        Ok(other) => panic!("expected a namespace event, got {other:?}"),
    }
}

#[tokio::test]
async fn hanging_partition_stalls_an_open_watch() {
    let estate = start(EstateOptions::default()).await;
    let nss = namespaces(&client(&estate, "host", None).await);
    let rv = nss
        .list_metadata(&Default::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut events: Events = nss
        .watch(&WatchParams::default().timeout(60), &rv)
        .await
        .unwrap()
        .boxed();
    let host = estate.cluster("host").unwrap().cluster.clone();
    host.seed_namespace("before", json!({})).unwrap();
    // The simulated controllers may touch the namespace too: wait until the stream is quiet.
    let mut seen = Vec::new();
    while let Some(name) = next_event(&mut events, Duration::from_millis(300)).await {
        seen.push(name);
    }
    assert!(seen.iter().any(|n| n == "before"), "{seen:?}");

    estate.set_partition("host", Some(Partition::Hang)).unwrap();
    host.seed_namespace("during", json!({})).unwrap();
    if let Some(crossed) = next_event(&mut events, Duration::from_millis(400)).await {
        panic!("an event about {crossed} crossed the partition");
    }
    estate.set_partition("host", None).unwrap();
    assert_eq!(
        next_event(&mut events, Duration::from_secs(5))
            .await
            .as_deref(),
        Some("during"),
        "the watch resumes when the partition is lifted"
    );
}

#[tokio::test]
async fn latency_is_at_least_what_is_configured() {
    let options = EstateOptions {
        faults: FaultPlan::latency(150, 50),
        ..EstateOptions::default()
    };
    let estate = start(options).await;
    for cluster in ["host", "member-1"] {
        let nss = namespaces(&client(&estate, cluster, None).await);
        for _ in 0..3 {
            let began = Instant::now();
            nss.get("default").await.unwrap();
            let took = began.elapsed();
            assert!(took >= Duration::from_millis(150), "{cluster}: {took:?}");
        }
    }
    estate.clear_faults("host").unwrap();
    let nss = namespaces(&client(&estate, "host", None).await);
    nss.get("default").await.unwrap();
    let began = Instant::now();
    nss.get("default").await.unwrap();
    assert!(began.elapsed() < Duration::from_millis(150), "cleared");
}

/// The status codes of 40 GETs against a plan failing half of them, under `seed`.
async fn sequence(seed: u64) -> Vec<u16> {
    let estate = start(EstateOptions {
        seed,
        faults: plan(FaultRule::new(Fault::ServiceUnavailable).probability(0.5)),
        ..EstateOptions::default()
    })
    .await;
    let nss = namespaces(&client(&estate, "host", None).await);
    let mut codes = Vec::new();
    for _ in 0..40 {
        codes.push(match nss.get("default").await {
            Ok(_) => 200,
            Err(e) => api_error(e).code,
        });
    }
    codes
}

#[tokio::test]
async fn the_same_seed_gives_the_same_fault_sequence() {
    let first = sequence(7).await;
    assert_eq!(sequence(7).await, first);
    assert_ne!(sequence(8).await, first);
    let failed = first.iter().filter(|c| **c == 503).count();
    assert!((8..=32).contains(&failed), "{failed} of 40 failed at p=0.5");
}

/// One request to the control endpoint over a fresh connection.
async fn control(base: &str, method: &str, path: &str, body: &str) -> (u16, Value) {
    let authority = base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let code = head.split(' ').nth(1).unwrap().parse().unwrap();
    (code, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_control_endpoint_changes_faults_at_runtime() {
    let estate = start(EstateOptions {
        control_port: Some(0),
        ..EstateOptions::default()
    })
    .await;
    let base = estate.control_url().expect("control endpoint served");
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("estate.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["control"], base.as_str());

    let nss = namespaces(&client(&estate, "host", Some(Duration::from_secs(5))).await);
    nss.get("default").await.unwrap();

    let (code, body) = control(
        &base,
        "PUT",
        "/clusters/host/faults",
        r#"{"rules": [{"fault": "serviceUnavailable", "methods": ["GET"]}]}"#,
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["rules"][0]["fault"], "serviceUnavailable");
    assert_eq!(api_error(nss.get("default").await.unwrap_err()).code, 503);

    let (_, clusters) = control(&base, "GET", "/clusters", "").await;
    let host = &clusters.as_array().unwrap()[0];
    assert_eq!(host["name"], "host");
    assert_eq!(host["stats"]["injected"], 1);
    assert_eq!(clusters[1]["faults"]["rules"], Value::Null);

    let (code, body) = control(
        &base,
        "PUT",
        "/clusters/host/partition",
        r#"{"mode": "reset"}"#,
    )
    .await;
    assert_eq!((code, &body["partition"]), (200, &json!("reset")));
    transport_error(&nss.get("default").await.unwrap_err());
    let (code, body) = control(&base, "DELETE", "/clusters/host/partition", "").await;
    assert_eq!(code, 200);
    assert_eq!(body["partition"], Value::Null);
    assert_eq!(
        body["rules"][0]["fault"], "serviceUnavailable",
        "rules kept"
    );
    assert_eq!(api_error(nss.get("default").await.unwrap_err()).code, 503);

    let (code, _) = control(&base, "DELETE", "/clusters/host/faults", "").await;
    assert_eq!(code, 200);
    nss.get("default").await.expect("faults cleared");

    let (code, body) = control(
        &base,
        "PUT",
        "/clusters/host/faults",
        r#"{"rules": [{"fault": "reset", "probability": 2}]}"#,
    )
    .await;
    assert_eq!(code, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("probability"));
    let (code, _) = control(&base, "PUT", "/clusters/host/faults", r#"{"latncyMs": 5}"#).await;
    assert_eq!(code, 400);
    let (code, _) = control(&base, "PUT", "/clusters/nowhere/faults", "{}").await;
    assert_eq!(code, 404);
    let (code, _) = control(&base, "POST", "/clusters", "").await;
    assert_eq!(code, 405);
    nss.get("default")
        .await
        .expect("refused plans change nothing");

    let (code, _) = control(&base, "PUT", "/faults", r#"{"latencyMs": 120}"#).await;
    assert_eq!(code, 200);
    let member = namespaces(&client(&estate, "member-1", None).await);
    let began = Instant::now();
    member.get("default").await.unwrap();
    assert!(began.elapsed() >= Duration::from_millis(120));
    let (code, _) = control(&base, "DELETE", "/faults", "").await;
    assert_eq!(code, 200);
    assert!(estate.faults("member-1").unwrap().plan().is_empty());
}

#[tokio::test]
async fn the_estate_api_refuses_unknown_clusters_and_invalid_plans() {
    let estate = start(EstateOptions::default()).await;
    assert!(estate.control_url().is_none());
    assert!(estate.manifest().control.is_none());
    assert_eq!(
        estate.set_faults("nowhere", FaultPlan::default()),
        Err(FaultError::UnknownCluster("nowhere".into()))
    );
    let invalid = plan(FaultRule::new(Fault::Reset).probability(-0.5));
    assert!(matches!(
        estate.set_faults("host", invalid),
        Err(FaultError::Invalid(_))
    ));
    assert!(estate.faults("host").unwrap().plan().is_empty());
}
