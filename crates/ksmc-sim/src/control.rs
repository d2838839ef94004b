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
//! | `PUT /clusters/<name>/re-add-owners` | re-add Workspace ownerReferences a client removes: a JSON [`OwnerReAdd`] (an empty body takes the defaults) |
//! | `DELETE /clusters/<name>/re-add-owners` | stop re-adding them |
//! | `PUT /clusters/<name>/namespace-deletion` | delete a namespace after some applied writes: a JSON [`NamespaceDeletion`] |
//! | `DELETE /clusters/<name>/namespace-deletion` | disarm it |
//! | `DELETE /clusters/<name>/namespaces/<ns>` | delete a namespace now, as someone else would: `{"deleted": true}` or 404 |
//! | `GET /clusters/<name>/writes` | the mutating requests the cluster applied, oldest first ([`crate::writes`]) |
//! | `DELETE /clusters/<name>/writes` | forget them |
//!
//! Plans and the `re-add-owners` and `namespace-deletion` routes answer with the cluster's plan;
//! `GET /clusters/<name>` also gives the counters of its faults and hazards.
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

use crate::cluster::SimCluster;
use crate::estate::{EstateError, RunningCluster};
use crate::faults::{ClusterFaults, FaultPlan, Partition};
use crate::hazards::{NamespaceDeletion, OwnerReAdd};
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
    pub cluster: Arc<SimCluster>,
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
                (_, ["re-add-owners" | "namespace-deletion" | "writes"]) => {
                    hazard(target, &method, rest[0], &body)
                        .unwrap_or_else(|| not_allowed(&method, &path))
                }
                (&Method::DELETE, ["namespaces", ns]) => {
                    if crate::hazards::delete_namespace(&target.cluster, ns) {
                        ok(&json!({"deleted": true}))
                    } else {
                        error(
                            StatusCode::NOT_FOUND,
                            &format!("no namespace {ns:?} that is not already terminating"),
                        )
                    }
                }
                (_, [] | ["faults" | "partition"] | ["namespaces", _]) => {
                    not_allowed(&method, &path)
                }
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

/// The `re-add-owners`, `namespace-deletion` and `writes` routes of one cluster.
/// `None` for a method the route does not serve.
fn hazard(
    target: &ControlTarget,
    method: &Method,
    route: &str,
    body: &[u8],
) -> Option<Response<Body>> {
    let hazards = target.faults.hazards();
    let empty = body.iter().all(u8::is_ascii_whitespace);
    Some(match (method, route) {
        (&Method::GET, "writes") => ok(&json!(target.cluster.writes())),
        (&Method::DELETE, "writes") => {
            target.cluster.clear_writes();
            ok(&json!([]))
        }
        (&Method::PUT, "re-add-owners") => {
            let parsed = if empty {
                Ok(OwnerReAdd::default())
            } else {
                serde_json::from_slice::<OwnerReAdd>(body)
            };
            let plan = parsed.map(|r| FaultPlan {
                re_add_owners: Some(r),
                ..FaultPlan::default()
            });
            match checked(plan) {
                Ok(plan) => hazards.set_owner_re_add(plan.re_add_owners),
                Err(why) => return Some(error(StatusCode::BAD_REQUEST, &why)),
            }
            ok(&plan_json(target))
        }
        (&Method::DELETE, "re-add-owners") => {
            hazards.set_owner_re_add(None);
            ok(&plan_json(target))
        }
        (&Method::PUT, "namespace-deletion") => {
            let plan = serde_json::from_slice::<NamespaceDeletion>(body).map(|d| FaultPlan {
                delete_namespace: Some(d),
                ..FaultPlan::default()
            });
            match checked(plan) {
                Ok(plan) => hazards.set_namespace_deletion(plan.delete_namespace),
                Err(why) => return Some(error(StatusCode::BAD_REQUEST, &why)),
            }
            ok(&plan_json(target))
        }
        (&Method::DELETE, "namespace-deletion") => {
            hazards.set_namespace_deletion(None);
            ok(&plan_json(target))
        }
        _ => return None,
    })
}

/// A parsed and validated plan, or why not (answered with 400).
fn checked(plan: serde_json::Result<FaultPlan>) -> Result<FaultPlan, String> {
    let plan = plan.map_err(|e| format!("invalid body: {e}"))?;
    plan.validate().map_err(|e| e.to_string())?;
    Ok(plan)
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
        "hazards": target.faults.hazards().stats(),
        "writes": target.cluster.writes.len(),
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
            cluster: c.cluster.clone(),
        })
        .collect();
    tasks.spawn(serve(listener, targets, shutdown.clone()));
    Ok(addr)
}
