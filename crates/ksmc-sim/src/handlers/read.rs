//! GET of one object and LIST with selectors, pagination and Tables.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::Arc;

use hyper::{Response, StatusCode, header};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::Target;
use crate::cluster::SimCluster;
use crate::http::{ApiError, Body, Query, Reply, Wanted, full, json_response};
use crate::resources::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::store::{Page, Stored};
use crate::table;

/// Sets `apiVersion` to the version the client addressed (one stored object, many versions).
pub(super) fn as_version(ty: &ResourceType, version: &str, mut object: Value) -> Value {
    object["apiVersion"] = json!(ty.api_version(version));
    object["kind"] = json!(ty.kind);
    object
}

pub(super) fn get(cluster: &SimCluster, target: &Target<'_>, name: &str, wanted: Wanted) -> Reply {
    let ty = target.ty;
    let namespace = target.namespace.as_deref().unwrap_or_default();
    if ty.namespaced {
        ensure_namespace(cluster, namespace)?;
    }
    let object = cluster
        .store
        .get_shared(&ty.key(), namespace, name)
        .ok_or_else(|| ApiError::not_found(&ty.group, &ty.plural, name))?;
    Ok(match wanted {
        Wanted::Table(tv) => {
            let rv = object["metadata"]["resourceVersion"].clone();
            table_response(
                tv,
                &table::Table::new(
                    ty,
                    [object.value()],
                    tv,
                    json!({"resourceVersion": rv}),
                    Timestamp::now(),
                ),
            )
        }
        _ => {
            let mut body = Vec::new();
            let api_version = ty.api_version(&target.version);
            write_object(&mut body, ty, &target.version, &api_version, &object);
            json_bytes(body)
        }
    })
}

/// A `200 application/json` response of JSON already written.
fn json_bytes(body: Vec<u8>) -> Response<Body> {
    let mut response = Response::new(full(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// Appends a stored object as the client addressed it: its cached JSON (see
/// [`Stored::json`]), or, for another served version, a copy with that `apiVersion`.
/// `api_version` is `ty.api_version(version)`, made once per list.
fn write_object(
    out: &mut Vec<u8>,
    ty: &ResourceType,
    version: &str,
    api_version: &str,
    object: &Stored,
) {
    let summary = object.summary();
    if summary.api_version() == Some(api_version) && summary.kind() == Some(ty.kind.as_str()) {
        out.extend_from_slice(object.json());
    } else {
        let versioned = as_version(ty, version, object.value().clone());
        out.extend_from_slice(&serde_json::to_vec(&versioned).unwrap_or_default());
    }
}

pub(super) fn ensure_namespace(cluster: &SimCluster, namespace: &str) -> Result<(), ApiError> {
    cluster
        .store
        .get(&crate::ops::namespaces_key(), "", namespace)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("", "namespaces", namespace))
}

pub(super) fn table_response(
    table_version: &str,
    body: &(impl serde::Serialize + ?Sized),
) -> Response<Body> {
    json_response(
        StatusCode::OK,
        &format!("application/json;as=Table;v={table_version};g=meta.k8s.io"),
        body,
    )
}

/// The selectors of a list or watch request.
pub(super) fn selectors(
    query: &Query,
    ty: &ResourceType,
) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let labels = LabelSelector::parse(query.get("labelSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let fields = FieldSelector::parse(query.get("fieldSelector").unwrap_or_default(), &ty.kind)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok((labels, fields))
}

pub(super) fn list(
    cluster: &SimCluster,
    target: &Target<'_>,
    query: &Query,
    wanted: Wanted,
) -> Reply {
    let ty = target.ty;
    let (labels, fields) = selectors(query, ty)?;
    let (list_rv, after) = match query.get("continue").filter(|c| !c.is_empty()) {
        Some(token) => decode_continue(token)?,
        None => (0, None),
    };
    let limit = query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    // With a selector the API server does not know how many items remain (it omits
    // remainingItemCount), only that one more matches: the walk stops matching once it has
    // found one past the page.
    let selective = ["labelSelector", "fieldSelector"]
        .iter()
        .any(|k| query.get(k).is_some_and(|s| !s.is_empty()));
    let span = Page {
        namespace: target.namespace.as_deref(),
        after: after.as_ref(),
        limit,
        count_rest: !selective,
    };
    // The page shares the stored objects: a LIST of 10,000 objects copies none of them.
    let (page, rv, remaining) = cluster.store.select_page(&ty.key(), &span, |o| {
        labels.matches_summary(o.summary()) && (fields.is_empty() || fields.matches(o))
    });
    // Every page reports the resourceVersion of the first.
    let list_rv = if after.is_some() { list_rv } else { rv };
    let mut meta = json!({"resourceVersion": list_rv.to_string()});
    if remaining > 0
        && let Some(last) = page.last()
    {
        let field = |f: &str| {
            last.pointer(&format!("/metadata/{f}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let token = URL_SAFE_NO_PAD.encode(format!(
            "{list_rv}\n{}\n{}",
            field("namespace"),
            field("name")
        ));
        meta["continue"] = json!(token);
        if !selective {
            meta["remainingItemCount"] = json!(remaining);
        }
    }
    Ok(match wanted {
        Wanted::Table(tv) => {
            // Written from the stored metadata, not a copy of it.
            let objects = page.iter().map(|o| o.value());
            table_response(
                tv,
                &table::Table::new(ty, objects, tv, meta, Timestamp::now()),
            )
        }
        _ => json_bytes(list_json(ty, &target.version, &meta, &page)),
    })
}

/// A `…List` as JSON, written from the stored objects' own JSON (made once per object
/// version, see [`Stored::json`]), with the keys in the order a `serde_json::Value` writes them.
fn list_json(ty: &ResourceType, version: &str, meta: &Value, page: &[Arc<Stored>]) -> Vec<u8> {
    let api_version = ty.api_version(version);
    let text = |s: &str| serde_json::to_vec(s).unwrap_or_default();
    let size: usize = page.iter().map(|o| o.json().len() + 1).sum();
    let mut out = Vec::with_capacity(size + 256);
    out.extend_from_slice(b"{\"apiVersion\":");
    out.extend_from_slice(&text(&api_version));
    out.extend_from_slice(b",\"items\":[");
    for (i, object) in page.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_object(&mut out, ty, version, &api_version, object);
    }
    out.extend_from_slice(b"],\"kind\":");
    out.extend_from_slice(&text(&ty.list_kind));
    out.extend_from_slice(b",\"metadata\":");
    out.extend_from_slice(&serde_json::to_vec(meta).unwrap_or_default());
    out.push(b'}');
    out
}

fn decode_continue(token: &str) -> Result<(u64, Option<(String, String)>), ApiError> {
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
    let mut parts = text.splitn(3, '\n');
    let (Some(rv), Some(ns), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(expired());
    };
    Ok((
        rv.parse().map_err(|_| expired())?,
        Some((ns.to_owned(), name.to_owned())),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_list_is_the_stored_json_with_the_addressed_version() {
        let mut ty = crate::openapi::crd_type();
        ty.group = "example.com".into();
        ty.versions = vec!["v2".into(), "v1".into()];
        let store = Store::new();
        for name in ["a", "b"] {
            store
                .create(
                    &ty.key(),
                    json!({"apiVersion": "example.com/v2", "kind": ty.kind, "metadata": {"name": name}, "spec": {"x": "é\"q"}}),
                )
                .unwrap();
        }
        let (page, _, _) = store.select_shared(&ty.key(), None, None, None, |_| true);
        let meta = json!({"resourceVersion": "7"});
        for version in ["v2", "v1"] {
            let body: Value =
                serde_json::from_slice(&list_json(&ty, version, &meta, &page)).unwrap();
            let expected: Vec<Value> = page
                .iter()
                .map(|o| as_version(&ty, version, o.value().clone()))
                .collect();
            assert_eq!(
                body,
                json!({"apiVersion": format!("example.com/{version}"), "kind": ty.list_kind,
                       "metadata": meta, "items": expected})
            );
            assert_eq!(
                body["items"][1]["apiVersion"],
                format!("example.com/{version}")
            );
        }
        // The whole list, byte for byte, is what serde_json writes for the same Value.
        let owned: Vec<Value> = page.iter().map(|o| o.value().clone()).collect();
        let value = json!({"apiVersion": "example.com/v2", "kind": ty.list_kind, "metadata": meta, "items": owned});
        assert_eq!(
            list_json(&ty, "v2", &meta, &page),
            serde_json::to_vec(&value).unwrap()
        );
        let empty = list_json(&ty, "v2", &meta, &[]);
        assert_eq!(
            serde_json::from_slice::<Value>(&empty).unwrap()["items"],
            json!([])
        );
    }
}
