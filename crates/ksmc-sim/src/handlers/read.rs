//! GET of one object and LIST with selectors, pagination and Tables.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::{Response, StatusCode};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::Target;
use crate::cluster::SimCluster;
use crate::http::{ApiError, Body, Query, Reply, Wanted, json_response, ok_json};
use crate::resources::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
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

pub(super) fn ensure_namespace(cluster: &SimCluster, namespace: &str) -> Result<(), ApiError> {
    cluster
        .store
        .get(&crate::ops::namespaces_key(), "", namespace)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("", "namespaces", namespace))
}

pub(super) fn table_response(table_version: &str, body: &Value) -> Response<Body> {
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
