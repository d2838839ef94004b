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
    let (list_rv, after) = match query.get("continue").filter(|c| !c.is_empty()) {
        Some(token) => decode_continue(token)?,
        None => (0, None),
    };
    let limit = query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let (items, rv, remaining) = cluster.store.select(
        &ty.key(),
        target.namespace.as_deref(),
        after.as_ref(),
        limit,
        |o| labels.matches(o) && fields.matches(o),
    );
    // Every page reports the resourceVersion of the first.
    let list_rv = if after.is_some() { list_rv } else { rv };
    let page: Vec<Value> = items
        .into_iter()
        .map(|o| as_version(ty, &target.version, o))
        .collect();
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
        meta["remainingItemCount"] = json!(remaining);
    }
    Ok(match wanted {
        Wanted::Table(tv) => {
            table_response(tv, &table::render(ty, &page, tv, meta, Timestamp::now()))
        }
        _ => {
            let mut list = json!({
                "kind": ty.list_kind,
                "apiVersion": ty.api_version(&target.version),
                "metadata": meta,
            });
            // Moved in, not copied: a LIST of 10,000 objects must stay cheap.
            list["items"] = Value::Array(page);
            ok_json(&list)
        }
    })
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
