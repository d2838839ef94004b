//! Request routing and the resource handlers of one simulated cluster.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode, header};
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::cluster::SimCluster;
use crate::discovery;
use crate::http::{ApiError, Body, Query, Reply, Wanted, full, json_response, negotiate, ok_json};
use crate::resources::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::table;

/// Where a resource request points, after routing.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub ty: &'a ResourceType,
    /// The version the client addressed.
    pub version: String,
    /// The namespace in the path (`None` for cluster scope or an all-namespaces list).
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

/// Serves one request.
pub async fn handle(cluster: &SimCluster, req: Request<Incoming>) -> Response<Body> {
    let wanted = negotiate(
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    let query = Query::parse(req.uri().query());
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let method = req.method().clone();
    let result = match (method.clone(), segments.as_slice()) {
        (Method::GET, ["version"]) => Ok(ok_json(&cluster.version.body())),
        (Method::GET, ["healthz" | "livez" | "readyz"]) => Ok(plain("ok")),
        (Method::GET, ["api"]) => discovery::core_versions(wanted, &cluster.registry),
        (Method::GET, ["apis"]) => discovery::groups(wanted, &cluster.registry),
        (Method::GET, ["apis", group]) => discovery::group(&cluster.registry, group)
            .map(|v| ok_json(&v))
            .ok_or_else(ApiError::no_route),
        (Method::GET, ["api", "v1"]) => discovery::resource_list(&cluster.registry, "", "v1")
            .map(|v| ok_json(&v))
            .ok_or_else(ApiError::no_route),
        (Method::GET, ["apis", group, version]) => {
            discovery::resource_list(&cluster.registry, group, version)
                .map(|v| ok_json(&v))
                .ok_or_else(ApiError::no_route)
        }
        (_, ["api", "v1", rest @ ..]) => match route(cluster, "", "v1", rest) {
            Some(target) => resource(cluster, &method, &target, &query, wanted, req).await,
            None => Err(ApiError::no_route()),
        },
        (_, ["apis", group, version, rest @ ..]) => match route(cluster, group, version, rest) {
            Some(target) => resource(cluster, &method, &target, &query, wanted, req).await,
            None => Err(ApiError::no_route()),
        },
        _ => Err(ApiError::no_route()),
    };
    let response = result.unwrap_or_else(ApiError::into_response);
    tracing::debug!(cluster = %cluster.name, %method, %path, status = %response.status(), "request");
    response
}

fn plain(text: &'static str) -> Response<Body> {
    let mut r = Response::new(full(text));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// Resolves the path below `/api/v1` or `/apis/<g>/<v>` to a resource target.
fn route<'a>(
    cluster: &'a SimCluster,
    group: &str,
    version: &str,
    rest: &[&str],
) -> Option<Target<'a>> {
    let find = |plural: &str| cluster.registry.find(group, version, plural);
    let target = |ty, namespace: Option<&str>, name: Option<&str>, sub: Option<&str>| Target {
        ty,
        version: version.to_owned(),
        namespace: namespace.map(str::to_owned),
        name: name.map(str::to_owned),
        subresource: sub.map(str::to_owned),
    };
    match rest {
        ["namespaces", ns, plural, tail @ ..] if group_has_namespaced(find(plural)) => {
            let ty = find(plural)?;
            match tail {
                [] => Some(target(ty, Some(ns), None, None)),
                [name] => Some(target(ty, Some(ns), Some(name), None)),
                [name, sub] if ty.subresources.iter().any(|s| s == sub) => {
                    Some(target(ty, Some(ns), Some(name), Some(sub)))
                }
                _ => None,
            }
        }
        [plural] => Some(target(find(plural)?, None, None, None)),
        [plural, name] => {
            let ty = find(plural)?;
            (!ty.namespaced).then(|| target(ty, None, Some(name), None))
        }
        [plural, name, sub] => {
            let ty = find(plural)?;
            (!ty.namespaced && ty.subresources.iter().any(|s| s == sub))
                .then(|| target(ty, None, Some(name), Some(sub)))
        }
        _ => None,
    }
}

fn group_has_namespaced(ty: Option<&ResourceType>) -> bool {
    ty.is_some_and(|t| t.namespaced)
}

async fn resource(
    cluster: &SimCluster,
    method: &Method,
    target: &Target<'_>,
    query: &Query,
    wanted: Wanted,
    _req: Request<Incoming>,
) -> Reply {
    match (method, &target.name) {
        (&Method::GET, None) => list(cluster, target, query, wanted),
        (&Method::GET, Some(name)) => get(cluster, target, name, wanted),
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// Sets `apiVersion` to the version the client addressed (one stored object, many versions).
fn as_version(ty: &ResourceType, version: &str, mut object: Value) -> Value {
    object["apiVersion"] = json!(ty.api_version(version));
    object["kind"] = json!(ty.kind);
    object
}

fn get(cluster: &SimCluster, target: &Target<'_>, name: &str, wanted: Wanted) -> Reply {
    let ty = target.ty;
    let namespace = target.namespace.as_deref().unwrap_or_default();
    if ty.namespaced {
        ensure_namespace(cluster, namespace)?;
    }
    let object = cluster
        .store
        .get(&ty.key(), namespace, name)
        .ok_or_else(|| ApiError::not_found(&ty.group, &ty.plural, name))?;
    let object = as_version(ty, &target.version, object);
    Ok(match wanted {
        Wanted::Table(tv) => {
            let rv = object["metadata"]["resourceVersion"].clone();
            table_response(
                tv,
                &table::render(
                    ty,
                    std::slice::from_ref(&object),
                    tv,
                    json!({"resourceVersion": rv}),
                    Timestamp::now(),
                ),
            )
        }
        _ => ok_json(&object),
    })
}

fn ensure_namespace(cluster: &SimCluster, namespace: &str) -> Result<(), ApiError> {
    let ns_key = crate::resources::ResourceKey {
        group: String::new(),
        plural: "namespaces".into(),
    };
    cluster
        .store
        .get(&ns_key, "", namespace)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("", "namespaces", namespace))
}

fn table_response(table_version: &str, body: &Value) -> Response<Body> {
    json_response(
        StatusCode::OK,
        &format!("application/json;as=Table;v={table_version};g=meta.k8s.io"),
        body,
    )
}

/// The selectors of a list or watch request.
pub fn selectors(
    query: &Query,
    ty: &ResourceType,
) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let labels = LabelSelector::parse(query.get("labelSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let fields = FieldSelector::parse(query.get("fieldSelector").unwrap_or_default(), &ty.kind)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok((labels, fields))
}

fn list(cluster: &SimCluster, target: &Target<'_>, query: &Query, wanted: Wanted) -> Reply {
    let ty = target.ty;
    let (labels, fields) = selectors(query, ty)?;
    let (items, rv) = cluster.store.list(&ty.key(), target.namespace.as_deref());
    let matching: Vec<Value> = items
        .into_iter()
        .filter(|o| labels.matches(o) && fields.matches(o))
        .map(|o| as_version(ty, &target.version, o))
        .collect();
    let (page, list_rv, next) = paginate(matching, rv, query)?;
    let mut meta = json!({"resourceVersion": list_rv.to_string()});
    if let Some((token, remaining)) = next {
        meta["continue"] = json!(token);
        meta["remainingItemCount"] = json!(remaining);
    }
    Ok(match wanted {
        Wanted::Table(tv) => {
            table_response(tv, &table::render(ty, &page, tv, meta, Timestamp::now()))
        }
        _ => ok_json(&json!({
            "kind": ty.list_kind,
            "apiVersion": ty.api_version(&target.version),
            "metadata": meta,
            "items": page,
        })),
    })
}

type Page = (Vec<Value>, u64, Option<(String, usize)>);

/// Applies `limit` and `continue`. Every page reports the resourceVersion of the first.
fn paginate(items: Vec<Value>, rv: u64, query: &Query) -> Result<Page, ApiError> {
    let (list_rv, start_after) = match query.get("continue").filter(|c| !c.is_empty()) {
        Some(token) => decode_continue(token)?,
        None => (rv, None),
    };
    let key = |o: &Value| {
        format!(
            "{}/{}",
            o.pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or_default(),
            o.pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
        )
    };
    let mut rest: Vec<Value> = match &start_after {
        Some(after) => items.into_iter().filter(|o| key(o) > *after).collect(),
        None => items,
    };
    let limit = query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    match limit {
        Some(limit) if rest.len() > limit => {
            let remaining = rest.len() - limit;
            rest.truncate(limit);
            let last = rest.last().map(key).unwrap_or_default();
            let token = URL_SAFE_NO_PAD.encode(format!("{list_rv}\n{last}"));
            Ok((rest, list_rv, Some((token, remaining))))
        }
        _ => Ok((rest, list_rv, None)),
    }
}

fn decode_continue(token: &str) -> Result<(u64, Option<String>), ApiError> {
    let expired = || {
        ApiError {
        code: 410,
        reason: "Expired",
        message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.".into(),
        details: Value::Null,
    }
    };
    let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| expired())?;
    let text = String::from_utf8(raw).map_err(|_| expired())?;
    let (rv, after) = text.split_once('\n').ok_or_else(expired)?;
    Ok((rv.parse().map_err(|_| expired())?, Some(after.to_owned())))
}
