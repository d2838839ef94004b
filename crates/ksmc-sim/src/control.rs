//! The control endpoint: a small plain-HTTP API on loopback to read and change the faults of
//! each cluster while the estate runs (`estate.json` gives its address as `control`).
//!
//! | request | effect |
//! |---|---|
//! | `GET /clusters` | every cluster with its server, plan and counters |
//! | `GET /clusters/<name>/faults` | the cluster's plan |
//! | `PUT /clusters/<name>/faults` | replace the plan (a JSON [`FaultPlan`]); restarts its random sequence |
//! | `DELETE /clusters/<name>/faults` | remove every fault, partition included |
//! | `PUT /clusters/<name>/partition` | partition the cluster: `{"mode": "hang"}` (default) or `{"mode": "reset"}` |
//! | `DELETE /clusters/<name>/partition` | lift the partition, keeping the rest of the plan |
//! | `PUT /faults`, `DELETE /faults` | the same for every cluster |
//!
//! ```text
//! curl -X PUT "$CONTROL/clusters/host/faults" -d '{"rules":[{"fault":"serviceUnavailable","probability":0.3}]}'
//! ```

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::estate::{EstateError, RunningCluster};
use crate::faults::{ClusterFaults, FaultPlan, Partition};
use crate::http::{Body, json_response};

/// The largest request body the control endpoint reads.
const MAX_BODY: usize = 1024 * 1024;

/// One cluster as the control endpoint sees it.
#[derive(Debug, Clone)]
pub struct ControlTarget {
    pub name: String,
    /// The cluster's API server URL.
    pub server: String,
    pub faults: Arc<ClusterFaults>,
}

/// Serves the control API until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    targets: Vec<ControlTarget>,
    mut shutdown: watch::Receiver<bool>,
) {
    let targets = Arc::new(targets);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let targets = targets.clone();
                let service = service_fn(move |req| {
                    let targets = targets.clone();
                    async move { Ok::<_, Infallible>(handle(&targets, req).await) }
                });
                connections.spawn(async move {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartitionRequest {
    #[serde(default = "hang")]
    mode: Partition,
}

fn hang() -> Partition {
    Partition::Hang
}

async fn handle(targets: &[ControlTarget], req: Request<Incoming>) -> Response<Body> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let body = match read_body(req).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let all: Vec<&ControlTarget> = targets.iter().collect();
    let one = |name: &str| targets.iter().find(|t| t.name == name);
    let response = match (&method, segments.as_slice()) {
        (&Method::GET, ["clusters"]) => ok(&Value::Array(targets.iter().map(describe).collect())),
        (&Method::PUT, ["faults"]) => set_plan(&all, &body),
        (&Method::DELETE, ["faults"]) => clear(&all),
        (_, ["clusters", name, rest @ ..]) => match one(name) {
            None => error(StatusCode::NOT_FOUND, &format!("no cluster named {name:?}")),
            Some(target) => match (&method, rest) {
                (&Method::GET, []) => ok(&describe(target)),
                (&Method::GET, ["faults"]) => ok(&plan_json(target)),
                (&Method::PUT, ["faults"]) => set_plan(&[target], &body),
                (&Method::DELETE, ["faults"]) => clear(&[target]),
                (&Method::PUT, ["partition"]) => partition(&[target], &body),
                (&Method::DELETE, ["partition"]) => {
                    target.faults.set_partition(None);
                    ok(&plan_json(target))
                }
                (_, [] | ["faults" | "partition"]) => not_allowed(&method, &path),
                _ => error(StatusCode::NOT_FOUND, &format!("no route {path}")),
            },
        },
        (_, ["clusters" | "faults"]) => not_allowed(&method, &path),
        _ => error(StatusCode::NOT_FOUND, &format!("no route {path}")),
    };
    tracing::info!(%method, %path, status = %response.status(), "control request");
    response
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, Response<Body>> {
    Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .map_err(|_| {
            error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is too large",
            )
        })
}

fn set_plan(targets: &[&ControlTarget], body: &[u8]) -> Response<Body> {
    let plan: FaultPlan = match serde_json::from_slice(body) {
        Ok(plan) => plan,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("not a fault plan: {e}")),
    };
    if let Err(e) = plan.validate() {
        return error(StatusCode::BAD_REQUEST, &e.to_string());
    }
    for t in targets {
        t.faults.set_plan(plan.clone());
    }
    answer(targets)
}

fn clear(targets: &[&ControlTarget]) -> Response<Body> {
    for t in targets {
        t.faults.clear();
    }
    answer(targets)
}

fn partition(targets: &[&ControlTarget], body: &[u8]) -> Response<Body> {
    let request: PartitionRequest = if body.iter().all(u8::is_ascii_whitespace) {
        PartitionRequest { mode: hang() }
    } else {
        match serde_json::from_slice(body) {
            Ok(request) => request,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("expected {{\"mode\": \"hang\" | \"reset\"}}: {e}"),
                );
            }
        }
    };
    for t in targets {
        t.faults.set_partition(Some(request.mode));
    }
    answer(targets)
}

fn not_allowed(method: &Method, path: &str) -> Response<Body> {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("{method} is not served on {path}"),
    )
}

/// One cluster's plan, or every cluster's description.
fn answer(targets: &[&ControlTarget]) -> Response<Body> {
    match targets {
        [one] => ok(&plan_json(one)),
        many => ok(&Value::Array(many.iter().map(|t| describe(t)).collect())),
    }
}

fn plan_json(target: &ControlTarget) -> Value {
    serde_json::to_value(target.faults.plan()).unwrap_or(Value::Null)
}

fn describe(target: &ControlTarget) -> Value {
    json!({
        "name": target.name,
        "server": target.server,
        "faults": plan_json(target),
        "stats": target.faults.stats(),
    })
}

fn ok(body: &Value) -> Response<Body> {
    json_response(StatusCode::OK, "application/json", body)
}

fn error(status: StatusCode, message: &str) -> Response<Body> {
    json_response(status, "application/json", &json!({"error": message}))
}

/// Binds the control endpoint on `bind:port` and serves it among the estate's tasks.
///
/// # Errors
/// When the port cannot be bound.
pub async fn start(
    bind: IpAddr,
    port: u16,
    clusters: &[RunningCluster],
    tasks: &mut JoinSet<()>,
    shutdown: &watch::Receiver<bool>,
) -> Result<SocketAddr, EstateError> {
    let addr = SocketAddr::new(bind, port);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| EstateError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EstateError::Bind { addr, source })?;
    let targets = clusters
        .iter()
        .map(|c| ControlTarget {
            name: c.entry.name.clone(),
            server: c.entry.server.clone(),
            faults: c.faults.clone(),
        })
        .collect();
    tasks.spawn(serve(listener, targets, shutdown.clone()));
    Ok(addr)
}
