//! POST, PUT, PATCH and DELETE: request bodies decoded, options parsed, then one operation
//! of [`crate::ops`].

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::{Request, StatusCode, header};
use serde_json::{Value, json};

use super::read::as_version;
use super::{RequestBody, Target};
use crate::cluster::SimCluster;
use crate::http::{ApiError, Query, Reply, json_response, ok_json};
use crate::ops::{self, DeleteOptions, Part, Propagation, SchemaCheck};
use crate::patch::{self, PatchType};
use crate::protobuf;
use crate::writes::Effect;

/// The API server's request size limit.
const MAX_BODY: usize = 3 * 1024 * 1024;

async fn read_body<B: RequestBody>(req: Request<B>) -> Result<(String, Bytes), ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    let body = Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|_| ApiError {
            code: 413,
            reason: "RequestEntityTooLarge",
            message: "the request body is too large".into(),
            details: json!({}),
        })?
        .to_bytes();
    Ok((content_type, body))
}

/// Decodes an object body: JSON (also when no Content-Type was sent), YAML, or the
/// protobuf envelope kubectl ≥ 1.32 sends for namespaces, configmaps and secrets.
fn decode_object(content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    match media {
        "application/vnd.kubernetes.protobuf" => protobuf::decode(body)
            .map_err(|e| ApiError::bad_request(format!("failed to decode protobuf body: {e}"))),
        "application/yaml" | "application/apply-patch+yaml" => serde_saphyr::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}"))),
        _ if body.is_empty() => Ok(json!({})),
        _ => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!(
                "the body of the request could not be decoded as JSON: {e}"
            ))
        }),
    }
}

fn dry_run(query: &Query) -> Result<bool, ApiError> {
    match query.get("dryRun") {
        None | Some("") => Ok(false),
        Some("All") => Ok(true),
        Some(other) => Err(ApiError::bad_request(format!(
            "Invalid dry run value: \"{other}\": supported values: \"All\""
        ))),
    }
}

fn schema<'a>(target: &'a Target<'_>, query: &Query) -> Option<SchemaCheck<'a>> {
    (!target.ty.builtin).then(|| SchemaCheck {
        version: &target.version,
        strict: query.get("fieldValidation") == Some("Strict"),
    })
}

fn part(target: &Target<'_>) -> Part {
    match target.subresource.as_deref() {
        Some("status") => Part::Status,
        Some("finalize") => Part::Finalize,
        _ => Part::Main,
    }
}

fn created(target: &Target<'_>, object: Value) -> Reply {
    Ok(json_response(
        StatusCode::CREATED,
        "application/json",
        &as_version(target.ty, &target.version, object),
    ))
}

pub(super) async fn create(
    cluster: &SimCluster,
    target: &Target<'_>,
    query: &Query,
    req: Request<impl RequestBody>,
    effect: &mut Effect,
) -> Reply {
    let (content_type, body) = read_body(req).await?;
    let object = decode_object(&content_type, &body)?;
    let dry = dry_run(query)?;
    let stored = ops::create(
        cluster,
        target.ty,
        target.namespace.as_deref(),
        object,
        schema(target, query),
        dry,
    )?;
    if !dry {
        effect.applied();
    }
    created(target, stored)
}

/// Reports what an update did.
fn track(effect: &mut Effect, updated: ops::Updated) -> Value {
    if let Some(previous) = updated.previous {
        effect.updated(previous, &updated.object);
    }
    updated.object
}

pub(super) async fn replace(
    cluster: &SimCluster,
    target: &Target<'_>,
    name: &str,
    query: &Query,
    req: Request<impl RequestBody>,
    effect: &mut Effect,
) -> Reply {
    let (content_type, body) = read_body(req).await?;
    let object = decode_object(&content_type, &body)?;
    let ty = target.ty;
    if !ty.builtin
        && object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        return Err(ApiError::invalid(
            &ty.group,
            &ty.kind,
            name,
            &[crate::http::Cause {
                reason: "FieldValueInvalid",
                field: "metadata.resourceVersion".into(),
                message: "Invalid value: 0x0: must be specified for an update".into(),
            }],
        ));
    }
    let updated = ops::update_tracked(
        cluster,
        ty,
        target.namespace.as_deref().unwrap_or_default(),
        name,
        part(target),
        schema(target, query),
        dry_run(query)?,
        |_| Ok(object),
    )?;
    let stored = track(effect, updated);
    Ok(ok_json(&as_version(ty, &target.version, stored)))
}

const ACCEPTED_PATCHES: &str =
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

pub(super) async fn patch(
    cluster: &SimCluster,
    target: &Target<'_>,
    name: &str,
    query: &Query,
    req: Request<impl RequestBody>,
    effect: &mut Effect,
) -> Reply {
    let ty = target.ty;
    let (content_type, body) = read_body(req).await?;
    let accepted = if ty.builtin {
        format!("{ACCEPTED_PATCHES}, application/strategic-merge-patch+json")
    } else {
        ACCEPTED_PATCHES.to_owned()
    };
    let unknown_format = || {
        ApiError::unsupported_media_type(format!(
            "the body of the request was in an unknown format - accepted media types include: {accepted}"
        ))
    };
    let kind = PatchType::from_content_type(&content_type).ok_or_else(unknown_format)?;
    if kind == PatchType::Strategic && !ty.builtin {
        return Err(unknown_format());
    }
    let body: Value = match kind {
        PatchType::Apply => decode_object("application/apply-patch+yaml", &body)?,
        _ => serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?,
    };
    let namespace = target.namespace.as_deref().unwrap_or_default();
    let dry = dry_run(query)?;
    if kind == PatchType::Apply {
        if query.get("fieldManager").is_none_or(str::is_empty) {
            return Err(ApiError::bad_request(
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
            ));
        }
        if cluster.store.get(&ty.key(), namespace, name).is_none() {
            let mut object = body;
            // A YAML scalar or list, or a non-object metadata, is no object to create.
            let Some(meta) = object
                .as_object_mut()
                .map(|o| o.entry("metadata").or_insert_with(|| json!({})))
                .and_then(Value::as_object_mut)
            else {
                return Err(ApiError::bad_request(
                    "error decoding YAML: an apply patch must be an object with object metadata",
                ));
            };
            meta.insert("name".into(), json!(name));
            let stored = ops::create(
                cluster,
                ty,
                target.namespace.as_deref(),
                object,
                schema(target, query),
                dry,
            )?;
            if !dry {
                effect.applied();
            }
            return created(target, stored);
        }
    }
    let updated = ops::update_tracked(
        cluster,
        ty,
        namespace,
        name,
        part(target),
        schema(target, query),
        dry,
        |current| {
            let mut next = current.clone();
            match kind {
                PatchType::Merge => patch::merge(&mut next, &body),
                PatchType::Strategic => patch::strategic(&mut next, &body),
                PatchType::Json => patch::json(&mut next, &body).map_err(|e| ApiError {
                    code: 422,
                    reason: "Invalid",
                    message: e,
                    details: json!({}),
                })?,
                PatchType::Apply => {
                    let mut applied = body.clone();
                    if let Some(meta) = applied.get_mut("metadata").and_then(Value::as_object_mut) {
                        meta.remove("resourceVersion");
                        meta.remove("managedFields");
                    }
                    patch::merge(&mut next, &applied);
                }
            }
            Ok(next)
        },
    )?;
    let stored = track(effect, updated);
    Ok(ok_json(&as_version(ty, &target.version, stored)))
}

fn delete_options(query: &Query, body: &Value) -> Result<DeleteOptions, ApiError> {
    let mut options = DeleteOptions::default();
    let policy = body
        .get("propagationPolicy")
        .and_then(Value::as_str)
        .or_else(|| query.get("propagationPolicy"));
    if let Some(p) = policy {
        options.propagation = Propagation::parse(p)?;
    } else if body.get("orphanDependents").and_then(Value::as_bool) == Some(true)
        || query.get("orphanDependents") == Some("true")
    {
        options.propagation = Propagation::Orphan;
    }
    let body_dry = body
        .get("dryRun")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v == "All"));
    options.dry_run = body_dry || dry_run(query)?;
    options.precondition_uid = body
        .pointer("/preconditions/uid")
        .and_then(Value::as_str)
        .map(str::to_owned);
    options.precondition_rv = body
        .pointer("/preconditions/resourceVersion")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(options)
}

pub(super) async fn delete(
    cluster: &SimCluster,
    target: &Target<'_>,
    name: &str,
    query: &Query,
    req: Request<impl RequestBody>,
    effect: &mut Effect,
) -> Reply {
    let (content_type, body) = read_body(req).await?;
    let body = decode_object(&content_type, &body)?;
    let options = delete_options(query, &body)?;
    let ty = target.ty;
    let deleted = ops::delete(
        cluster,
        ty,
        target.namespace.as_deref().unwrap_or_default(),
        name,
        &options,
    )?;
    if deleted.changed {
        effect.applied();
    }
    // Built-in kinds other than namespaces answer a finished delete with a Status.
    if deleted.gone && ty.builtin && ty.kind != "Namespace" {
        return Ok(ok_json(&json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {
                "name": name,
                "kind": ty.plural,
                "uid": deleted.object.pointer("/metadata/uid").cloned().unwrap_or(Value::Null),
            },
        })));
    }
    Ok(ok_json(&as_version(ty, &target.version, deleted.object)))
}
