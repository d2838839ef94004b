//! Object operations with the API server's semantics, shared by the REST handlers and the
//! simulated controllers: create, update (with subresources), delete (finalizers,
//! propagation, preconditions, dry run).

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::cluster::{SimCluster, apply_create_defaults, rfc3339};
use crate::http::{ApiError, Cause};
use crate::resources::{ResourceKey, ResourceType};
use crate::store::{Applied, Change, StoreError};
use crate::validate;

/// How dependents are treated when their owner is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    #[default]
    Background,
    Foreground,
    Orphan,
}

impl Propagation {
    /// From `propagationPolicy` (or the legacy `orphanDependents`).
    ///
    /// # Errors
    /// An unknown policy.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        match s {
            "Background" => Ok(Self::Background),
            "Foreground" => Ok(Self::Foreground),
            "Orphan" => Ok(Self::Orphan),
            other => Err(ApiError::bad_request(format!(
                "propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
            ))),
        }
    }
}

/// `DeleteOptions`.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    pub propagation: Propagation,
    pub dry_run: bool,
    pub precondition_uid: Option<String>,
    pub precondition_rv: Option<String>,
}

/// Custom-resource schema checks for a write: the version written and `fieldValidation`.
#[derive(Debug, Clone, Copy)]
pub struct SchemaCheck<'a> {
    pub version: &'a str,
    pub strict: bool,
}

/// The storage key of namespaces.
#[must_use]
pub fn namespaces_key() -> ResourceKey {
    ResourceKey {
        group: String::new(),
        plural: "namespaces".into(),
    }
}

fn meta_str<'a>(o: &'a Value, field: &str) -> Option<&'a str> {
    o.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
}

fn finalizers(o: &Value) -> Vec<String> {
    o.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether an object being deleted may go now: no finalizers left (for a namespace, none in
/// `spec.finalizers` either).
fn removable(o: &Value) -> bool {
    o.pointer("/metadata/deletionTimestamp").is_some()
        && finalizers(o).is_empty()
        && o.pointer("/spec/finalizers")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
}

fn check_schema(
    ty: &ResourceType,
    object: &Value,
    name: &str,
    schema: Option<SchemaCheck<'_>>,
) -> Result<(), ApiError> {
    let Some(check) = schema else { return Ok(()) };
    let (causes, unknown) = validate::schema_problems(ty, check.version, object);
    if check.strict && !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .map(|f| format!("unknown field \"{f}\""))
            .collect();
        return Err(ApiError::bad_request(format!(
            "strict decoding error: {}",
            list.join(", ")
        )));
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(&ty.group, &ty.kind, name, &causes))
    }
}

/// The namespace must exist and not be terminating.
fn check_namespace(
    cluster: &SimCluster,
    ty: &ResourceType,
    ns: &str,
    name: &str,
) -> Result<(), ApiError> {
    let namespace = cluster
        .store
        .get(&namespaces_key(), "", ns)
        .ok_or_else(|| ApiError::not_found("", "namespaces", ns))?;
    if namespace.pointer("/metadata/deletionTimestamp").is_some() {
        return Err(ApiError::forbidden(
            &ty.group,
            &ty.plural,
            name,
            &format!(
                "unable to create new content in namespace {ns} because it is being terminated"
            ),
        ));
    }
    Ok(())
}

/// Creates an object, as `POST` does: generateName, validation, defaults, dry run.
///
/// # Errors
/// 404 for a missing namespace, 403 for a terminating one, 409 AlreadyExists, 422 Invalid,
/// 400 for unknown fields under strict validation.
pub fn create(
    cluster: &SimCluster,
    ty: &ResourceType,
    namespace: Option<&str>,
    mut object: Value,
    schema: Option<SchemaCheck<'_>>,
    dry_run: bool,
) -> Result<Value, ApiError> {
    if !object.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request must be an object",
        ));
    }
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = json!({});
    }
    let meta = object["metadata"]
        .as_object_mut()
        .expect("metadata is an object");
    for server_owned in [
        "uid",
        "resourceVersion",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
        "managedFields",
    ] {
        meta.remove(server_owned);
    }
    if meta
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
        && let Some(prefix) = meta.get("generateName").and_then(Value::as_str)
    {
        let name = generate_name(prefix);
        meta.insert("name".into(), json!(name));
    }
    match (namespace, meta.get("namespace").and_then(Value::as_str)) {
        (Some(url), Some(body)) if url != body => {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        (Some(url), _) => {
            meta.insert("namespace".into(), json!(url));
        }
        (None, _) => {
            meta.remove("namespace");
        }
    }
    let name = meta_str(&object, "name").unwrap_or_default().to_owned();
    let causes = validate::metadata_causes(ty, &object);
    if !causes.is_empty() {
        return Err(ApiError::invalid(&ty.group, &ty.kind, &name, &causes));
    }
    check_schema(ty, &object, &name, schema)?;
    if let Some(ns) = namespace {
        check_namespace(cluster, ty, ns, &name)?;
    }
    if ty.kind == "Secret" {
        fold_string_data(&mut object);
        if object
            .get("type")
            .is_none_or(|t| t.as_str().is_none_or(str::is_empty))
        {
            object["type"] = json!("Opaque");
        }
    }
    normalize(&mut object);
    object["apiVersion"] = json!(ty.api_version(ty.preferred_version()));
    object["kind"] = json!(ty.kind);
    apply_create_defaults(ty, &mut object, Timestamp::now());
    if dry_run {
        if cluster
            .store
            .get(&ty.key(), namespace.unwrap_or_default(), &name)
            .is_some()
        {
            return Err(ApiError::already_exists(&ty.group, &ty.plural, &name));
        }
        return Ok(object);
    }
    cluster
        .store
        .create(&ty.key(), object)
        .map_err(|e| match e {
            StoreError::AlreadyExists => ApiError::already_exists(&ty.group, &ty.plural, &name),
            other => ApiError::internal(other.to_string()),
        })
}

/// Drops empty metadata collections, as Go's `omitempty` does on the real server, so that
/// `ownerReferences: []` on an object without owners changes nothing.
fn normalize(object: &mut Value) {
    if let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut)
        && spec
            .get("finalizers")
            .is_some_and(|f| f.as_array().is_some_and(Vec::is_empty))
    {
        spec.remove("finalizers");
    }
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in ["labels", "annotations", "finalizers", "ownerReferences"] {
            let empty = match meta.get(field) {
                Some(Value::Null) => true,
                Some(Value::Object(m)) => m.is_empty(),
                Some(Value::Array(a)) => a.is_empty(),
                _ => false,
            };
            if empty {
                meta.remove(field);
            }
        }
    }
}

/// Secrets accept `stringData`, merged into base64 `data`.
fn fold_string_data(object: &mut Value) {
    use base64::Engine as _;
    let Some(Value::Object(string_data)) =
        object.as_object_mut().and_then(|o| o.remove("stringData"))
    else {
        return;
    };
    if !object.get("data").is_some_and(Value::is_object) {
        object["data"] = json!({});
    }
    for (k, v) in string_data {
        let text = v.as_str().unwrap_or_default();
        object["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(text));
    }
}

/// `prefix` + 5 random characters from the API server's alphabet.
fn generate_name(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let suffix: String = bytes
        .iter()
        .take(5)
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    let max_prefix = 253 - 5;
    let prefix: String = prefix.chars().take(max_prefix).collect();
    format!("{prefix}{suffix}")
}

/// Which part of the object a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The main resource: status is kept where a status subresource exists.
    Main,
    /// `/status`: only status changes.
    Status,
    /// `/finalize` (namespaces): only `spec.finalizers` changes.
    Finalize,
}

/// Updates an object by computing its new content from the stored one, with the API
/// server's rules: resourceVersion precondition, immutable fields, subresources,
/// finalizer rules, validation; removes the object when its last finalizer goes.
///
/// # Errors
/// 404, 409 Conflict, 422 Invalid, or what `change` returns.
#[allow(clippy::too_many_arguments)]
pub fn update_with(
    cluster: &SimCluster,
    ty: &ResourceType,
    namespace: &str,
    name: &str,
    part: Part,
    schema: Option<SchemaCheck<'_>>,
    dry_run: bool,
    change: impl FnOnce(&Value) -> Result<Value, ApiError>,
) -> Result<Value, ApiError> {
    update_tracked(cluster, ty, namespace, name, part, schema, dry_run, change).map(|u| u.object)
}

/// What [`update_tracked`] did.
#[derive(Debug, Clone)]
pub struct Updated {
    /// The object as stored now (as it would be, on a dry run; as last stored, when removed).
    pub object: Value,
    /// The object before the write, when the write changed the store.
    pub previous: Option<Value>,
}

/// [`update_with`], also telling whether the store changed and from what.
///
/// # Errors
/// As [`update_with`].
#[allow(clippy::too_many_arguments)]
pub fn update_tracked(
    cluster: &SimCluster,
    ty: &ResourceType,
    namespace: &str,
    name: &str,
    part: Part,
    schema: Option<SchemaCheck<'_>>,
    dry_run: bool,
    change: impl FnOnce(&Value) -> Result<Value, ApiError>,
) -> Result<Updated, ApiError> {
    let mut preview = None;
    let mut before = None;
    // KubeSphere's Cluster webhook; decided before taking the store lock it would need.
    let cluster_webhook = ty.group == "cluster.kubesphere.io"
        && ty.plural == "clusters"
        && crate::kubesphere::is_host(cluster);
    let applied = cluster.store.apply(&ty.key(), namespace, name, |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&ty.group, &ty.plural, name))?;
        before = Some(current.clone());
        let mut next = change(current)?;
        if !next.is_object() {
            return Err(ApiError::bad_request("the body of the request must be an object"));
        }
        if let Some(body_name) = meta_str(&next, "name")
            && body_name != name {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({body_name}) does not match the name on the URL ({name})"
                )));
            }
        let current_rv = meta_str(current, "resourceVersion").unwrap_or_default();
        if let Some(rv) = meta_str(&next, "resourceVersion")
            && rv != current_rv {
                return Err(ApiError::stale(&ty.group, &ty.plural, name));
            }
        next = merge_parts(ty, current, next, part);
        // Server-owned metadata is kept from the stored object.
        for field in ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            match current["metadata"].get(field) {
                Some(v) => next["metadata"][field] = v.clone(),
                None => {
                    next["metadata"].as_object_mut().map(|m| m.remove(field));
                }
            }
        }
        next["apiVersion"] = current["apiVersion"].clone();
        next["kind"] = current["kind"].clone();
        if !ty.builtin && part == Part::Main && spec_changed(current, &next) {
            let generation = current["metadata"]["generation"].as_i64().unwrap_or(1);
            next["metadata"]["generation"] = json!(generation + 1);
        }
        if current.pointer("/metadata/deletionTimestamp").is_some() {
            let before = finalizers(current);
            let added: Vec<String> = finalizers(&next)
                .into_iter()
                .filter(|f| !before.contains(f))
                .collect();
            if !added.is_empty() {
                return Err(ApiError::invalid(&ty.group, &ty.kind, name, &[Cause {
                    reason: "FieldValueForbidden",
                    field: "metadata.finalizers".into(),
                    message: format!("Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers {added:?}"),
                }]));
            }
        }
        let causes = validate::metadata_causes(ty, &next);
        if !causes.is_empty() {
            return Err(ApiError::invalid(&ty.group, &ty.kind, name, &causes));
        }
        check_schema(ty, &next, name, schema)?;
        if cluster_webhook {
            crate::kubesphere::multicluster::admit_cluster_update(cluster, current, &next)?;
        }
        if ty.kind == "Secret" {
            fold_string_data(&mut next);
        }
        normalize(&mut next);
        if dry_run {
            // Report what would be stored, store nothing.
            preview = Some(next);
            return Ok(Change::Keep);
        }
        Ok(if removable(&next) { Change::Remove } else { Change::Put(next) })
    })?;
    let previous = match applied {
        Applied::Unchanged(_) => None,
        _ => before,
    };
    let object = match (preview, applied) {
        (Some(p), _) => p,
        (None, Applied::Written(o) | Applied::Removed(o) | Applied::Unchanged(Some(o))) => o,
        (None, Applied::Unchanged(None)) => Value::Null,
    };
    Ok(Updated { object, previous })
}

fn spec_changed(current: &Value, next: &Value) -> bool {
    let strip = |o: &Value| {
        let mut o = o.clone();
        if let Some(m) = o.as_object_mut() {
            m.remove("metadata");
            m.remove("status");
        }
        o
    };
    strip(current) != strip(next)
}

fn has_status_subresource(ty: &ResourceType) -> bool {
    ty.subresources.iter().any(|s| s == "status")
}

fn merge_parts(ty: &ResourceType, current: &Value, mut next: Value, part: Part) -> Value {
    match part {
        Part::Main => {
            if has_status_subresource(ty) {
                match current.get("status") {
                    Some(s) => next["status"] = s.clone(),
                    None => {
                        next.as_object_mut().map(|m| m.remove("status"));
                    }
                }
            }
            if ty.kind == "Namespace" {
                // spec.finalizers change only through /finalize.
                match current.pointer("/spec/finalizers") {
                    Some(f) => next["spec"]["finalizers"] = f.clone(),
                    None => {
                        if let Some(spec) = next.get_mut("spec").and_then(Value::as_object_mut) {
                            spec.remove("finalizers");
                        }
                    }
                }
            }
            next
        }
        Part::Status => {
            let mut merged = current.clone();
            match next.get("status") {
                Some(s) => merged["status"] = s.clone(),
                None => {
                    merged.as_object_mut().map(|m| m.remove("status"));
                }
            }
            if let Some(rv) = next.pointer("/metadata/resourceVersion") {
                merged["metadata"]["resourceVersion"] = rv.clone();
            }
            merged
        }
        Part::Finalize => {
            let mut merged = current.clone();
            merged["spec"]["finalizers"] = next
                .pointer("/spec/finalizers")
                .cloned()
                .unwrap_or_else(|| json!([]));
            merged
        }
    }
}

/// What a delete did.
#[derive(Debug, Clone)]
pub struct Deleted {
    /// The object as last stored (or as it would be, on a dry run).
    pub object: Value,
    /// Gone for good (no finalizers held it).
    pub gone: bool,
    /// The store changed (not a dry run, not an object already being deleted).
    pub changed: bool,
}

/// Deletes an object as `DELETE` does.
///
/// # Errors
/// 404, 409 on a failed precondition or a namespace already terminating.
pub fn delete(
    cluster: &SimCluster,
    ty: &ResourceType,
    namespace: &str,
    name: &str,
    options: &DeleteOptions,
) -> Result<Deleted, ApiError> {
    let mut preview = None;
    let applied = cluster.store.apply(&ty.key(), namespace, name, |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&ty.group, &ty.plural, name))?;
        if let Some(uid) = &options.precondition_uid {
            let actual = meta_str(current, "uid").unwrap_or_default();
            if uid != actual {
                return Err(ApiError::conflict(&ty.group, &ty.plural, name, &format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {actual}"
                )));
            }
        }
        if let Some(rv) = &options.precondition_rv {
            let actual = meta_str(current, "resourceVersion").unwrap_or_default();
            if rv != actual {
                return Err(ApiError::conflict(&ty.group, &ty.plural, name, &format!(
                    "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {actual}"
                )));
            }
        }
        if current.pointer("/metadata/deletionTimestamp").is_some() {
            if ty.kind == "Namespace" {
                return Err(ApiError::conflict(&ty.group, &ty.plural, name,
                    "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system."));
            }
            preview = Some(current.clone());
            return Ok(Change::Keep);
        }
        let mut next = current.clone();
        let mut held = !finalizers(current).is_empty();
        let extra = match options.propagation {
            Propagation::Foreground => Some("foregroundDeletion"),
            Propagation::Orphan => Some("orphan"),
            Propagation::Background => None,
        };
        if let Some(f) = extra {
            let mut list = finalizers(current);
            if !list.iter().any(|x| x == f) {
                list.push(f.to_owned());
            }
            next["metadata"]["finalizers"] = json!(list);
            held = true;
        }
        if ty.kind == "Namespace" {
            held = true;
            next["status"] = json!({"phase": "Terminating"});
        }
        if !held {
            preview = Some(current.clone());
            return Ok(if options.dry_run { Change::Keep } else { Change::Remove });
        }
        next["metadata"]["deletionTimestamp"] = json!(rfc3339(Timestamp::now()));
        next["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        preview = Some(next.clone());
        Ok(if options.dry_run { Change::Keep } else { Change::Put(next) })
    })?;
    let object = preview.unwrap_or(Value::Null);
    let gone = matches!(applied, Applied::Removed(_))
        || (options.dry_run && object.pointer("/metadata/deletionTimestamp").is_none());
    let changed = !matches!(applied, Applied::Unchanged(_));
    Ok(Deleted {
        object: match applied {
            Applied::Unchanged(_) => object,
            Applied::Written(o) | Applied::Removed(o) => o,
        },
        gone,
        changed,
    })
}
