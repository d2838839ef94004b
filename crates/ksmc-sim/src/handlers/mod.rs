//! Request routing and the resource handlers of one simulated cluster.

#[doc(hidden)]
pub mod fuzz;
mod read;
mod watch;
mod write;

use hyper::{Method, Request, Response, header};

use crate::cluster::SimCluster;
use crate::discovery;
use crate::http::{ApiError, Body, Query, Reply, Wanted, full, negotiate, ok_json};
use crate::kapis;
use crate::openapi;
use crate::resources::ResourceType;
use crate::writes::Effect;

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

/// A request body the handlers can read: hyper's `Incoming` from the socket, or bytes in
/// memory (the fuzz entry, [`fuzz::raw_request`]).
pub trait RequestBody: hyper::body::Body<Data = bytes::Bytes, Error: Into<BoxError>> {}
impl<B: hyper::body::Body<Data = bytes::Bytes, Error: Into<BoxError>>> RequestBody for B {}
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves one request.
pub async fn handle(cluster: &SimCluster, req: Request<impl RequestBody>) -> Response<Body> {
    let wanted = negotiate(
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    let query = Query::parse(req.uri().query());
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let method = req.method().clone();
    let mut effect = Effect::default();
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
        (Method::GET, ["openapi", "v3", rest @ ..]) => openapi::serve(cluster, rest),
        // kubectl 1.27/1.28 build their validator from v2: an empty document lets them go on
        // (they still send fieldValidation=Strict, so the server validates).
        (Method::GET, ["openapi", "v2"]) => Ok(openapi_v2_stub()),
        (_, ["apis", group, "v1", plural, rest @ ..]) if openapi::is_crds(group, plural) => {
            openapi::serve_crds(cluster, &method, rest, &query, wanted)
        }
        (_, ["api", "v1", "namespaces", ns, "services", rest @ ..]) if kapis::is_proxy(rest) => {
            kapis::service_proxy(cluster, &method, ns, rest)
        }
        (_, ["api", "v1", rest @ ..]) => match route(cluster, "", "v1", rest) {
            Some(target) => {
                resource(cluster, &method, &target, &query, wanted, req, &mut effect).await
            }
            None => Err(ApiError::no_route()),
        },
        (_, ["apis", group, version, rest @ ..]) => match route(cluster, group, version, rest) {
            Some(target) => {
                resource(cluster, &method, &target, &query, wanted, req, &mut effect).await
            }
            None => Err(ApiError::no_route()),
        },
        _ => Err(ApiError::no_route()),
    };
    let response = result.unwrap_or_else(ApiError::into_response);
    tracing::debug!(cluster = %cluster.name, %method, %path, status = %response.status(), "request");
    if effect.applied {
        cluster.record_write(method.as_str(), &path, response.status().as_u16(), effect);
    }
    response
}

fn openapi_v2_stub() -> Response<Body> {
    let mut r = Response::new(full(""));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(
            "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
        ),
    );
    r
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
    req: Request<impl RequestBody>,
    effect: &mut Effect,
) -> Reply {
    match (method, &target.name) {
        (&Method::GET, None) if query.flag("watch") => {
            watch::watch(cluster, target, query, wanted).await
        }
        (&Method::GET, None) => read::list(cluster, target, query, wanted),
        (&Method::GET, Some(name)) => read::get(cluster, target, name, wanted),
        (&Method::POST, None) => write::create(cluster, target, query, req, effect).await,
        (&Method::PUT, Some(name)) => {
            write::replace(cluster, target, name, query, req, effect).await
        }
        (&Method::PATCH, Some(name)) => {
            write::patch(cluster, target, name, query, req, effect).await
        }
        (&Method::DELETE, Some(name)) => {
            write::delete(cluster, target, name, query, req, effect).await
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}
