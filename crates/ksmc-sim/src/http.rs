//! HTTP plumbing shared by the handlers: body type, JSON and Status responses, query parsing
//! and content negotiation.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::{Response, StatusCode, header};
use serde_json::{Value, json};

/// Response body: a full JSON document or a stream of watch events.
pub type Body = BoxBody<Bytes, Infallible>;

/// A handler's result: a response, or a Kubernetes `Status` error.
pub type Reply = Result<Response<Body>, ApiError>;

/// A full body from bytes.
#[must_use]
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

/// A JSON response with the given status and content type.
#[must_use]
pub fn json_response(
    status: StatusCode,
    content_type: &str,
    body: &(impl serde::Serialize + ?Sized),
) -> Response<Body> {
    let mut resp = Response::new(full(serde_json::to_vec(body).unwrap_or_default()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_str(content_type)
            .unwrap_or(header::HeaderValue::from_static("application/json")),
    );
    resp
}

/// A plain `200 application/json` response.
#[must_use]
pub fn ok_json(body: &Value) -> Response<Body> {
    json_response(StatusCode::OK, "application/json", body)
}

/// A Kubernetes API error, rendered as a `Status` object exactly as the real server does, so
/// that kubectl prints the same line (`Error from server (NotFound): ...`).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    /// `404 NotFound` for a named object: `namespaces "x" not found`.
    #[must_use]
    pub fn not_found(group: &str, plural: &str, name: &str) -> Self {
        let qualified = qualified(group, plural);
        Self {
            code: 404,
            reason: "NotFound",
            message: format!("{qualified} \"{name}\" not found"),
            details: json!({"name": name, "group": group, "kind": plural}),
        }
    }

    /// `404 NotFound` for a path the server does not serve.
    #[must_use]
    pub fn no_route() -> Self {
        Self {
            code: 404,
            reason: "NotFound",
            message: "the server could not find the requested resource".into(),
            details: json!({}),
        }
    }

    /// `401 Unauthorized`.
    #[must_use]
    pub fn unauthorized() -> Self {
        Self {
            code: 401,
            reason: "Unauthorized",
            message: "Unauthorized".into(),
            details: Value::Null,
        }
    }

    /// `400 BadRequest` with a message.
    #[must_use]
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            code: 400,
            reason: "BadRequest",
            message: message.into(),
            details: Value::Null,
        }
    }

    /// `405 MethodNotAllowed`.
    #[must_use]
    pub fn method_not_allowed() -> Self {
        Self {
            code: 405,
            reason: "MethodNotAllowed",
            message: "the server does not allow this method on the requested resource".into(),
            details: json!({}),
        }
    }

    /// `409 AlreadyExists`.
    #[must_use]
    pub fn already_exists(group: &str, plural: &str, name: &str) -> Self {
        Self {
            code: 409,
            reason: "AlreadyExists",
            message: format!("{} \"{name}\" already exists", qualified(group, plural)),
            details: json!({"name": name, "group": group, "kind": plural}),
        }
    }

    /// `409 Conflict` with the text the real server uses for a stale resourceVersion.
    #[must_use]
    pub fn conflict(group: &str, plural: &str, name: &str, why: &str) -> Self {
        Self {
            code: 409,
            reason: "Conflict",
            message: format!(
                "Operation cannot be fulfilled on {} \"{name}\": {why}",
                qualified(group, plural)
            ),
            details: json!({"name": name, "group": group, "kind": plural}),
        }
    }

    /// The stale-object conflict.
    #[must_use]
    pub fn stale(group: &str, plural: &str, name: &str) -> Self {
        Self::conflict(
            group,
            plural,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// `403 Forbidden`.
    #[must_use]
    pub fn forbidden(group: &str, plural: &str, name: &str, why: &str) -> Self {
        Self {
            code: 403,
            reason: "Forbidden",
            message: format!(
                "{} \"{name}\" is forbidden: {why}",
                qualified(group, plural)
            ),
            details: json!({"name": name, "group": group, "kind": plural}),
        }
    }

    /// `422 Invalid` with field causes; kubectl prints the causes.
    #[must_use]
    pub fn invalid(group: &str, kind: &str, name: &str, causes: &[Cause]) -> Self {
        let parts: Vec<String> = causes
            .iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect();
        let joined = if parts.len() == 1 {
            parts[0].clone()
        } else {
            format!("[{}]", parts.join(", "))
        };
        Self {
            code: 422,
            reason: "Invalid",
            message: format!("{} \"{name}\" is invalid: {joined}", qualified(group, kind)),
            details: json!({
                "name": name, "group": group, "kind": kind,
                "causes": causes.iter().map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field})).collect::<Vec<_>>(),
            }),
        }
    }

    /// `415 UnsupportedMediaType`.
    #[must_use]
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self {
            code: 415,
            reason: "UnsupportedMediaType",
            message: message.into(),
            details: json!({}),
        }
    }

    /// `500 InternalError`.
    #[must_use]
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: 500,
            reason: "InternalError",
            message: message.into(),
            details: json!({}),
        }
    }

    /// The `Status` body.
    #[must_use]
    pub fn body(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if !self.details.is_null() {
            status["details"] = self.details.clone();
        }
        status
    }

    /// The HTTP response carrying the `Status`.
    #[must_use]
    pub fn into_response(self) -> Response<Body> {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(status, "application/json", &self.body())
    }
}

/// One field-level reason of a 422.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// `FieldValueInvalid`, `FieldValueRequired`, …
    pub reason: &'static str,
    /// e.g. `metadata.name`.
    pub field: String,
    /// e.g. `Invalid value: "X": a lowercase RFC 1123 label must …`.
    pub message: String,
}

impl Cause {
    #[must_use]
    pub fn invalid(field: &str, value: &Value, detail: &str) -> Self {
        let shown = match value {
            Value::String(s) => format!("\"{s}\""),
            other => other.to_string(),
        };
        Self {
            reason: "FieldValueInvalid",
            field: field.to_owned(),
            message: format!("Invalid value: {shown}: {detail}"),
        }
    }

    #[must_use]
    pub fn required(field: &str) -> Self {
        Self {
            reason: "FieldValueRequired",
            field: field.to_owned(),
            message: "Required value".into(),
        }
    }
}

/// `plural.group`, or `plural` for the core group.
#[must_use]
pub fn qualified(group: &str, plural: &str) -> String {
    if group.is_empty() {
        plural.to_owned()
    } else {
        format!("{plural}.{group}")
    }
}

/// Query parameters, form-decoded. Empty pairs (kube-rs sends `?&limit=1`) are ignored.
#[derive(Debug, Default, Clone)]
pub struct Query(Vec<(String, String)>);

impl Query {
    #[must_use]
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            raw.unwrap_or_default()
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean flag such as `watch=true` or `watch=1`.
    #[must_use]
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1"))
    }
}

/// Percent-decoding with `+` as space, as Go's form encoding sends it.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                if let Ok(b) = u8::from_str_radix(hex, 16) {
                    out.push(b);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What representation the client asked for in `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// `as=Table` in `meta.k8s.io` `v1` or `v1beta1`.
    Table(&'static str),
    /// Aggregated discovery, `apidiscovery.k8s.io` `v2` or `v2beta1`.
    AggregatedDiscovery(&'static str),
    Json,
}

/// Picks the first representation in `Accept` the simulator can produce, in the client's order.
#[must_use]
pub fn negotiate(accept: Option<&str>) -> Wanted {
    for part in accept.unwrap_or_default().split(',') {
        let params: Vec<&str> = part.split(';').map(str::trim).collect();
        let has = |p: &str| params.contains(&p);
        if has("as=Table") && has("g=meta.k8s.io") {
            if has("v=v1") {
                return Wanted::Table("v1");
            }
            if has("v=v1beta1") {
                return Wanted::Table("v1beta1");
            }
        }
        if has("as=APIGroupDiscoveryList") && has("g=apidiscovery.k8s.io") {
            if has("v=v2") {
                return Wanted::AggregatedDiscovery("v2");
            }
            if has("v=v2beta1") {
                return Wanted::AggregatedDiscovery("v2beta1");
            }
        }
        if params
            .first()
            .is_some_and(|m| *m == "application/json" || *m == "*/*" || *m == "application/*")
        {
            return Wanted::Json;
        }
    }
    Wanted::Json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decodes_form_encoding_and_skips_empty_pairs() {
        let q = Query::parse(Some(
            "&labelSelector=kubesphere.io%2Fworkspace+in+%28ws1%2Cws2%29&limit=500&watch=1",
        ));
        assert_eq!(
            q.get("labelSelector"),
            Some("kubesphere.io/workspace in (ws1,ws2)")
        );
        assert_eq!(q.get("limit"), Some("500"));
        assert!(q.flag("watch"));
        assert!(!q.flag("missing"));
        assert_eq!(Query::parse(Some("a=%zz%4")).get("a"), Some("%zz%4"));
    }

    #[test]
    fn negotiation_follows_client_order() {
        let tbl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(negotiate(Some(tbl)), Wanted::Table("v1"));
        let agg_old = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert_eq!(
            negotiate(Some(agg_old)),
            Wanted::AggregatedDiscovery("v2beta1")
        );
        assert_eq!(
            negotiate(Some("application/vnd.kubernetes.protobuf,application/json")),
            Wanted::Json
        );
        assert_eq!(negotiate(None), Wanted::Json);
    }

    #[test]
    fn status_body_matches_kubernetes_layout() {
        let body = ApiError::not_found("", "namespaces", "x").body();
        assert_eq!(body["message"], "namespaces \"x\" not found");
        assert_eq!(body["reason"], "NotFound");
        assert_eq!(body["code"], 404);
        assert_eq!(body["details"]["kind"], "namespaces");
        let crd = ApiError::not_found("tenant.kubesphere.io", "workspacetemplates", "nope");
        assert_eq!(
            crd.message,
            "workspacetemplates.tenant.kubesphere.io \"nope\" not found"
        );
    }
}
