//! WATCH: newline-delimited events over a chunked response, as kubectl and kube-rs expect.
//!
//! Initial ADDED events for `resourceVersion` unset or `0`, resumption from retained history
//! otherwise (410 Expired when too old), selector transitions as ADDED/DELETED, bookmarks,
//! `timeoutSeconds`, and `sendInitialEvents` with the `initial-events-end` bookmark.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::{Response, header};
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::Target;
use super::read::{as_version, selectors};
use crate::cluster::SimCluster;
use crate::http::{ApiError, Body, Query, Reply, Wanted, qualified};
use crate::resources::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::store::{Event, EventType};
use crate::table;
use crate::watches::WatchRecord;

/// Without `timeoutSeconds`, a watch stays open this long (the real server: 30–60 min).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
/// How often a bookmark is sent when the client allows them.
const BOOKMARK_EVERY: Duration = Duration::from_secs(5);

struct Filter {
    labels: LabelSelector,
    fields: FieldSelector,
    namespace: Option<String>,
}

impl Filter {
    fn matches(&self, object: &Value) -> bool {
        let ns_ok = self.namespace.as_deref().is_none_or(|want| {
            object
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                == Some(want)
        });
        ns_ok && self.labels.matches(object) && self.fields.matches(object)
    }
}

/// Encodes objects as the client asked: JSON objects, or one-row Tables (column definitions on
/// the first event only, as the real server does).
struct Encoder {
    ty: ResourceType,
    version: String,
    table: Option<&'static str>,
    columns_sent: bool,
}

impl Encoder {
    fn line(&mut self, kind: &str, object: &Value) -> Bytes {
        let object = as_version(&self.ty, &self.version, object.clone());
        let object = match self.table {
            Some(tv) if kind != "BOOKMARK" && kind != "ERROR" => {
                let rv = object["metadata"]["resourceVersion"].clone();
                let mut t = table::render(
                    &self.ty,
                    std::slice::from_ref(&object),
                    tv,
                    json!({"resourceVersion": rv}),
                    Timestamp::now(),
                );
                if self.columns_sent {
                    t["columnDefinitions"] = json!([]);
                }
                self.columns_sent = true;
                t
            }
            _ => object,
        };
        let mut line =
            serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap_or_default();
        line.push(b'\n');
        Bytes::from(line)
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object = json!({"kind": self.ty.kind, "apiVersion": self.ty.api_version(&self.version), "metadata": meta});
        let mut line =
            serde_json::to_vec(&json!({"type": "BOOKMARK", "object": object})).unwrap_or_default();
        line.push(b'\n');
        Bytes::from(line)
    }
}

fn expired_line(requested: u64, current: u64) -> Bytes {
    let status = ApiError {
        code: 410,
        reason: "Expired",
        message: format!("too old resource version: {requested} ({current})"),
        details: Value::Null,
    }
    .body();
    let mut line =
        serde_json::to_vec(&json!({"type": "ERROR", "object": status})).unwrap_or_default();
    line.push(b'\n');
    Bytes::from(line)
}

/// What a store event means for this watch, after selector transitions.
fn translate(filter: &Filter, event: &Event) -> Option<(&'static str, Value)> {
    let now = filter.matches(&event.object);
    match event.kind {
        EventType::Added => now.then(|| ("ADDED", event.object.clone())),
        EventType::Deleted => now.then(|| ("DELETED", event.object.clone())),
        EventType::Modified => {
            let before = event.previous.as_ref().is_some_and(|p| filter.matches(p));
            match (before, now) {
                (true, true) => Some(("MODIFIED", event.object.clone())),
                (false, true) => Some(("ADDED", event.object.clone())),
                (true, false) => {
                    // The old content, at the version of the change.
                    let mut old = event.previous.clone().unwrap_or(Value::Null);
                    old["metadata"]["resourceVersion"] = json!(event.resource_version.to_string());
                    Some(("DELETED", old))
                }
                (false, false) => None,
            }
        }
    }
}

pub(super) async fn watch(
    cluster: &SimCluster,
    target: &Target<'_>,
    query: &Query,
    wanted: Wanted,
) -> Reply {
    let ty = target.ty.clone();
    let (labels, fields) = selectors(query, &ty)?;
    let filter = Filter {
        labels,
        fields,
        namespace: target.namespace.clone(),
    };
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let bookmarks = query.flag("allowWatchBookmarks");
    let send_initial = query.flag("sendInitialEvents");
    let requested: Option<u64> = match query.get("resourceVersion") {
        None | Some("" | "0") => None,
        Some(rv) => Some(rv.parse().map_err(|_| {
            ApiError::bad_request(format!("resourceVersion: Invalid value: \"{rv}\""))
        })?),
    };
    let mut encoder = Encoder {
        ty: ty.clone(),
        version: target.version.clone(),
        table: match wanted {
            Wanted::Table(tv) => Some(tv),
            _ => None,
        },
        columns_sent: false,
    };

    let mut first: Vec<Bytes> = Vec::new();
    let mut last_rv;
    let mut rx: broadcast::Receiver<Event>;
    match requested {
        None => {
            let (items, rv, receiver) = cluster
                .store
                .list_and_subscribe(&ty.key(), target.namespace.as_deref());
            for o in items.iter().filter(|o| filter.matches(o)) {
                first.push(encoder.line("ADDED", o));
            }
            if send_initial {
                first.push(encoder.bookmark(rv, true));
            }
            last_rv = rv;
            rx = receiver;
        }
        Some(rv) => match cluster.store.subscribe_since(rv) {
            Ok((past, receiver)) => {
                last_rv = rv;
                for e in past.iter().filter(|e| e.resource == ty.key()) {
                    if let Some((kind, obj)) = translate(&filter, e) {
                        first.push(encoder.line(kind, &obj));
                    }
                    last_rv = e.resource_version;
                }
                last_rv = last_rv.max(rv);
                rx = receiver;
            }
            Err(expired) => {
                let line = expired_line(expired.requested, cluster.store.resource_version());
                return Ok(stream_response(wanted, vec![line], None));
            }
        },
    }

    let (tx, out) = mpsc::channel::<Bytes>(256);
    let key = ty.key();
    let current_rv = cluster.store.resource_version();
    let logged = cluster.watches.started(WatchRecord {
        resource: qualified(&ty.group, &ty.plural),
        resource_version: requested.map(|rv| rv.to_string()),
        open: true,
    });
    tokio::spawn(async move {
        // Open for as long as this task streams: until the timeout or the client goes away.
        let _logged = logged;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut tick = tokio::time::interval(BOOKMARK_EVERY);
        tick.tick().await;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => break,
                () = tx.closed() => return,
                _ = tick.tick(), if bookmarks => {
                    if tx.send(encoder.bookmark(last_rv, false)).await.is_err() { return; }
                }
                received = rx.recv() => match received {
                    Ok(event) => {
                        if event.resource != key || event.resource_version <= last_rv {
                            continue;
                        }
                        last_rv = event.resource_version;
                        if let Some((kind, obj)) = translate(&filter, &event)
                            && tx.send(encoder.line(kind, &obj)).await.is_err() { return; }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let _ = tx.send(expired_line(last_rv, current_rv)).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
            }
        }
        if bookmarks {
            let _ = tx.send(encoder.bookmark(last_rv, false)).await;
        }
    });
    Ok(stream_response(wanted, first, Some(out)))
}

fn stream_response(
    wanted: Wanted,
    first: Vec<Bytes>,
    rest: Option<mpsc::Receiver<Bytes>>,
) -> Response<Body> {
    let initial = futures::stream::iter(first);
    let live = futures::stream::unfold(rest, |rx| async move {
        let mut rx = rx?;
        let next = rx.recv().await?;
        Some((next, Some(rx)))
    });
    let frames = futures::StreamExt::map(futures::StreamExt::chain(initial, live), |b| {
        Ok::<_, Infallible>(Frame::data(b))
    });
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
    let content_type = match wanted {
        Wanted::Table(tv) => format!("application/json;as=Table;v={tv};g=meta.k8s.io"),
        _ => "application/json".to_owned(),
    };
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_str(&content_type)
            .unwrap_or(header::HeaderValue::from_static("application/json")),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache, private"),
    );
    response
}
