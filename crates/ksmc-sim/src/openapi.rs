//! OpenAPI v3 documents, and the read-only `customresourcedefinitions` of
//! `apiextensions.k8s.io/v1`.
//!
//! kubectl `apply`, `create -f` and `replace` download `/openapi/v3` and then the document of
//! the object's group version. They send `fieldValidation=Strict` (and let the server validate)
//! when that document has a PATCH operation tagged with the kind's
//! `x-kubernetes-group-version-kind` and a parameter named `fieldValidation`
//! (cli-runtime `query_param_verifier_v3.go`); with no documents at all they fail with
//! `failed to download openapi`. `/openapi/v2` stays 404: kubectl ≥ 1.29 tolerates that, but
//! kubectl 1.27 and 1.28 build their validator from it and fail (see `tests/kubectl_versions.rs`).
//!
//! Schemas (`components.schemas`) carry `x-kubernetes-group-version-kind`, so `kubectl
//! explain` finds them: a custom resource's is its CRD's `openAPIV3Schema` for that version,
//! with `metadata` pointing at `ObjectMeta`, as the apiextensions server publishes it; a
//! built-in kind's is a shell (`apiVersion`, `kind`, `metadata`).
//!
//! One deliberate deviation: no PATCH operation lists `application/strategic-merge-patch+json`
//! in its request body, although the server accepts it for built-in kinds. When it is listed,
//! kubectl's client-side apply computes its strategic merge patch from the published schema
//! (`patcher.go`, `gvkSupportsPatchOpenAPIV3` → `buildStrategicMergePatchFromOpenAPIV3`) and
//! needs the full patch metadata of every field it meets (a field missing from the schema is an
//! error, printed as a warning); when it is not, kubectl falls back to the patch metadata
//! compiled into it, which is exactly the real API's.
//!
//! CustomResourceDefinitions are synthesised from [`ResourceType::crd`] of the served types,
//! so `kubectl get crd` and kubectl's CRD finder see the CRDs the simulator serves. They are
//! read-only (GET and LIST; writes and WATCH answer 405). [`crd_type`] is registered once, in
//! [`Registry::builtin`], so discovery and OpenAPI see the group like any other.

use hyper::{Method, StatusCode};
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::cluster::SimCluster;
use crate::http::{ApiError, Query, Reply, Wanted, json_response, ok_json};
use crate::resources::{Column, Registry, ResourceType};
use crate::selectors::{FieldSelector, LabelSelector};

/// The API group of CustomResourceDefinitions.
pub const CRD_GROUP: &str = "apiextensions.k8s.io";
const CRD_VERSION: &str = "v1";
const CRD_PLURAL: &str = "customresourcedefinitions";

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
const OWNER_REFERENCE: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference";
const PATCH: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
const DELETE_OPTIONS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
const STATUS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
const TIME: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";

const FIELD_VALIDATION_DOC: &str = "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.";

/// The `customresourcedefinitions` type: cluster-scoped, short name `crd`, printed as
/// `NAME  CREATED AT` like the real server's default table convertor.
#[must_use]
pub fn crd_type() -> ResourceType {
    ResourceType {
        group: CRD_GROUP.into(),
        versions: vec![CRD_VERSION.into()],
        kind: "CustomResourceDefinition".into(),
        list_kind: "CustomResourceDefinitionList".into(),
        plural: CRD_PLURAL.into(),
        singular: "customresourcedefinition".into(),
        namespaced: false,
        short_names: vec!["crd".into(), "crds".into()],
        categories: vec!["api-extensions".into()],
        columns: vec![Column {
            name: "Created At".into(),
            kind: "string".into(),
            format: String::new(),
            description: String::new(),
            priority: 0,
            json_path: ".metadata.creationTimestamp".into(),
        }],
        subresources: vec!["status".into()],
        builtin: true,
        crd: None,
    }
}

/// Every served group version as `(group, version)`, the core group (`""`, `v1`) first.
fn group_versions(registry: &Registry) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "v1".to_owned())];
    for (group, versions) in registry.groups() {
        out.extend(versions.into_iter().map(|v| (group.clone(), v)));
    }
    out
}

/// `api/v1` or `apis/<group>/<version>`: the key of a group version in the index.
fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// A stable hash of a document, for the `?hash=` of its URL (the real server uses SHA-512;
/// clients only use it as a cache key).
fn hash(doc: &Value) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in serde_json::to_vec(doc).unwrap_or_default() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016X}")
}

/// `GET /openapi/v3`: every served group version with the URL of its document.
#[must_use]
pub fn index(registry: &Registry, kube_version: &str) -> Value {
    let mut paths = Map::new();
    for (group, version) in group_versions(registry) {
        if let Some(doc) = document(registry, &group, &version, kube_version) {
            let key = gv_path(&group, &version);
            let url = format!("/openapi/v3/{key}?hash={}", hash(&doc));
            paths.insert(key, json!({"serverRelativeURL": url}));
        }
    }
    json!({"paths": paths})
}

/// Serves `/openapi/v3` and the documents below it (`rest` is the path after `openapi/v3`).
///
/// # Errors
/// 404 for a group version the cluster does not serve.
pub fn serve(cluster: &SimCluster, rest: &[&str]) -> Reply {
    let kube_version = &cluster.version.git_version;
    let registry = &cluster.registry;
    let doc = match rest {
        [] => Some(index(registry, kube_version)),
        ["api", version] => document(registry, "", version, kube_version),
        ["apis", group, version] => document(registry, group, version, kube_version),
        _ => None,
    };
    doc.map(|d| ok_json(&d)).ok_or_else(ApiError::no_route)
}

/// The OpenAPI v3 document of one group version, or `None` when nothing is served there.
#[must_use]
pub fn document(
    registry: &Registry,
    group: &str,
    version: &str,
    kube_version: &str,
) -> Option<Value> {
    let types: Vec<&ResourceType> = registry.in_group_version(group, version).collect();
    if types.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    let mut schemas = common_schemas();
    for ty in types {
        let kind_schema = schema_name(ty, version, &ty.kind);
        let list_schema = schema_name(ty, version, &ty.list_kind);
        schemas.insert(kind_schema.clone(), kind_schema_of(ty, version));
        schemas.insert(
            list_schema.clone(),
            list_schema_of(ty, version, &kind_schema),
        );
        for (path, item) in resource_paths(ty, version, &kind_schema, &list_schema) {
            paths.insert(path, item);
        }
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": kube_version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"BearerToken": {"type": "apiKey", "description": "Bearer Token authentication", "name": "authorization", "in": "header"}},
        },
    }))
}

/// `io.k8s.api.core.v1.Namespace`, `io.kubesphere.tenant.v1alpha2.WorkspaceTemplate`, …
fn schema_name(ty: &ResourceType, version: &str, kind: &str) -> String {
    if ty.crd.is_some() {
        let reversed: Vec<&str> = ty.group.split('.').rev().collect();
        format!("{}.{version}.{kind}", reversed.join("."))
    } else if ty.group.is_empty() {
        format!("io.k8s.api.core.{version}.{kind}")
    } else if ty.group == CRD_GROUP {
        format!("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{version}.{kind}")
    } else {
        let short = ty.group.split('.').next().unwrap_or_default();
        format!("io.k8s.api.{short}.{version}.{kind}")
    }
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn metadata_property() -> Value {
    json!({
        "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        "allOf": [schema_ref(OBJECT_META)],
        "default": {},
    })
}

fn type_meta_properties() -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("apiVersion".into(), json!({"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"}));
    props.insert("kind".into(), json!({"type": "string", "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"}));
    props
}

/// The CRD's `openAPIV3Schema` for a version.
fn crd_version_schema(ty: &ResourceType, version: &str) -> Option<Value> {
    ty.crd
        .as_ref()?
        .pointer("/spec/versions")?
        .as_array()?
        .iter()
        .find(|v| v["name"] == version)?
        .pointer("/schema/openAPIV3Schema")
        .cloned()
}

fn kind_schema_of(ty: &ResourceType, version: &str) -> Value {
    let gvk = json!([{"group": ty.group, "kind": ty.kind, "version": version}]);
    match crd_version_schema(ty, version) {
        Some(mut schema) => {
            if !schema.get("properties").is_some_and(Value::is_object) {
                schema["properties"] = json!({});
            }
            let props = schema["properties"]
                .as_object_mut()
                .expect("properties is an object");
            for (k, v) in type_meta_properties() {
                props.entry(k).or_insert(v);
            }
            props.insert("metadata".into(), metadata_property());
            schema["type"] = json!("object");
            schema["x-kubernetes-group-version-kind"] = gvk;
            schema
        }
        None => {
            let mut props = type_meta_properties();
            props.insert("metadata".into(), metadata_property());
            json!({
                "description": format!("{} (simulated: only the fields every object has are described).", ty.kind),
                "type": "object",
                "properties": props,
                "x-kubernetes-preserve-unknown-fields": true,
                "x-kubernetes-group-version-kind": gvk,
            })
        }
    }
}

fn list_schema_of(ty: &ResourceType, version: &str, kind_schema: &str) -> Value {
    let mut props = type_meta_properties();
    props.insert(
        "items".into(),
        json!({"type": "array", "description": format!("List of {}.", ty.plural), "items": {"allOf": [schema_ref(kind_schema)], "default": {}}}),
    );
    props.insert(
        "metadata".into(),
        json!({"description": "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds", "allOf": [schema_ref(LIST_META)], "default": {}}),
    );
    json!({
        "description": format!("{} is a list of {}", ty.list_kind, ty.kind),
        "type": "object",
        "required": ["items"],
        "properties": props,
        "x-kubernetes-group-version-kind": [{"group": ty.group, "kind": ty.list_kind, "version": version}],
    })
}

fn common_schemas() -> Map<String, Value> {
    let mut m = Map::new();
    let string = json!({"type": "string"});
    m.insert(TIME.into(), json!({"description": "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.", "type": "string", "format": "date-time"}));
    m.insert(OWNER_REFERENCE.into(), json!({
        "description": "OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.",
        "type": "object",
        "required": ["apiVersion", "kind", "name", "uid"],
        "properties": {
            "apiVersion": string, "kind": string, "name": string, "uid": string,
            "blockOwnerDeletion": {"type": "boolean"}, "controller": {"type": "boolean"},
        },
        "x-kubernetes-map-type": "atomic",
    }));
    m.insert(OBJECT_META.into(), json!({
        "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
        "type": "object",
        "properties": {
            "annotations": {"type": "object", "additionalProperties": {"type": "string", "default": ""}},
            "creationTimestamp": {"allOf": [schema_ref(TIME)]},
            "deletionGracePeriodSeconds": {"type": "integer", "format": "int64"},
            "deletionTimestamp": {"allOf": [schema_ref(TIME)]},
            "finalizers": {"type": "array", "items": {"type": "string", "default": ""}, "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge"},
            "generateName": string,
            "generation": {"type": "integer", "format": "int64"},
            "labels": {"type": "object", "additionalProperties": {"type": "string", "default": ""}},
            "managedFields": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}, "x-kubernetes-list-type": "atomic"},
            "name": string,
            "namespace": string,
            "ownerReferences": {"type": "array", "items": {"allOf": [schema_ref(OWNER_REFERENCE)], "default": {}}, "x-kubernetes-list-map-keys": ["uid"], "x-kubernetes-list-type": "map", "x-kubernetes-patch-merge-key": "uid", "x-kubernetes-patch-strategy": "merge"},
            "resourceVersion": string,
            "selfLink": string,
            "uid": string,
        },
    }));
    m.insert(LIST_META.into(), json!({
        "description": "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
        "type": "object",
        "properties": {"continue": string, "remainingItemCount": {"type": "integer", "format": "int64"}, "resourceVersion": string, "selfLink": string},
    }));
    m.insert(PATCH.into(), json!({"description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.", "type": "object"}));
    m.insert(DELETE_OPTIONS.into(), json!({
        "description": "DeleteOptions may be provided when deleting an API object.",
        "type": "object",
        "properties": {
            "apiVersion": string, "kind": string,
            "dryRun": {"type": "array", "items": {"type": "string", "default": ""}, "x-kubernetes-list-type": "atomic"},
            "gracePeriodSeconds": {"type": "integer", "format": "int64"},
            "orphanDependents": {"type": "boolean"},
            "preconditions": {"type": "object", "properties": {"resourceVersion": string, "uid": string}},
            "propagationPolicy": string,
        },
    }));
    m.insert(STATUS.into(), json!({
        "description": "Status is a return value for calls that don't return other objects.",
        "type": "object",
        "properties": {
            "apiVersion": string, "kind": string, "code": {"type": "integer", "format": "int32"},
            "details": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            "message": string, "metadata": {"allOf": [schema_ref(LIST_META)], "default": {}},
            "reason": string, "status": string,
        },
    }));
    m
}

fn query_param(name: &str, kind: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "description": description, "schema": {"type": kind, "uniqueItems": true}})
}

fn write_params(with_force: bool) -> Vec<Value> {
    let mut params = vec![
        query_param(
            "dryRun",
            "string",
            "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
        ),
        query_param(
            "fieldManager",
            "string",
            "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.",
        ),
        query_param("fieldValidation", "string", FIELD_VALIDATION_DOC),
    ];
    if with_force {
        params.push(query_param(
            "force",
            "boolean",
            "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.",
        ));
    }
    params
}

fn list_params() -> Vec<Value> {
    [
        ("allowWatchBookmarks", "boolean"),
        ("continue", "string"),
        ("fieldSelector", "string"),
        ("labelSelector", "string"),
        ("limit", "integer"),
        ("resourceVersion", "string"),
        ("resourceVersionMatch", "string"),
        ("sendInitialEvents", "boolean"),
        ("timeoutSeconds", "integer"),
        ("watch", "boolean"),
    ]
    .into_iter()
    .map(|(name, kind)| query_param(name, kind, name))
    .collect()
}

fn delete_params() -> Vec<Value> {
    vec![
        query_param(
            "dryRun",
            "string",
            "When present, indicates that modifications should not be persisted.",
        ),
        query_param(
            "gracePeriodSeconds",
            "integer",
            "The duration in seconds before the object should be deleted.",
        ),
        query_param(
            "orphanDependents",
            "boolean",
            "Deprecated: please use the PropagationPolicy.",
        ),
        query_param(
            "propagationPolicy",
            "string",
            "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'.",
        ),
    ]
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "description": description, "required": true, "schema": {"type": "string", "uniqueItems": true}})
}

fn pretty_param() -> Value {
    query_param(
        "pretty",
        "string",
        "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
    )
}

/// `CoreV1`, `TenantKubesphereIoV1alpha2`, `RbacAuthorizationV1`…: the middle of an operationId.
fn operation_scope(ty: &ResourceType, version: &str) -> String {
    let mut out = String::new();
    let group = if ty.group.is_empty() {
        "core".to_owned()
    } else {
        ty.group
            .strip_suffix(".k8s.io")
            .unwrap_or(&ty.group)
            .to_owned()
    };
    for word in group.split(['.', '-']).chain(std::iter::once(version)) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

struct Op<'a> {
    ty: &'a ResourceType,
    version: &'a str,
    action: &'static str,
    id: String,
    description: String,
    params: Vec<Value>,
    body: Option<Value>,
    response: Value,
}

impl Op<'_> {
    fn render(self) -> Value {
        let tag = operation_scope(self.ty, self.version);
        let mut op = json!({
            "tags": [tag],
            "description": self.description,
            "operationId": self.id,
            "parameters": self.params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": self.response.clone()}, "application/yaml": {"schema": self.response}}},
                "401": {"description": "Unauthorized"},
            },
            "x-kubernetes-action": self.action,
            "x-kubernetes-group-version-kind": {"group": self.ty.group, "version": self.version, "kind": self.ty.kind},
        });
        if let Some(body) = self.body {
            op["requestBody"] = body;
        }
        op
    }
}

/// The PATCH body types, without strategic merge patch (see the module documentation).
fn patch_body() -> Value {
    let mut content = Map::new();
    for t in [
        "application/apply-patch+yaml",
        "application/json-patch+json",
        "application/merge-patch+json",
    ] {
        content.insert(t.into(), json!({"schema": schema_ref(PATCH)}));
    }
    json!({"content": content, "required": true})
}

fn object_body(kind_schema: &str) -> Value {
    json!({"content": {"*/*": {"schema": schema_ref(kind_schema)}}, "required": true})
}

/// The paths of one resource: collection, item, subresources, and the all-namespaces list.
fn resource_paths(
    ty: &ResourceType,
    version: &str,
    kind_schema: &str,
    list_schema: &str,
) -> Vec<(String, Value)> {
    let prefix = if ty.group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{}/{version}", ty.group)
    };
    let scope = operation_scope(ty, version);
    let namespaced = if ty.namespaced { "Namespaced" } else { "" };
    let kind = &ty.kind;
    let id = |verb: &str, suffix: &str| format!("{verb}{scope}{namespaced}{kind}{suffix}");
    let op = |action: &'static str, id: String, description: String, params, body, response| {
        Op {
            ty,
            version,
            action,
            id,
            description,
            params,
            body,
            response,
        }
        .render()
    };
    let (collection, mut path_params) = if ty.namespaced {
        (
            format!("{prefix}/namespaces/{{namespace}}/{}", ty.plural),
            vec![path_param(
                "namespace",
                "object name and auth scope, such as for teams and projects",
            )],
        )
    } else {
        (format!("{prefix}/{}", ty.plural), Vec::new())
    };
    let mut out = Vec::new();
    let mut collection_item = json!({
        "get": op("list", id("list", ""), format!("list or watch objects of kind {kind}"), list_params(), None, schema_ref(list_schema)),
        "post": op("post", id("create", ""), format!("create a {kind}"), write_params(false), Some(object_body(kind_schema)), schema_ref(kind_schema)),
        "delete": op("deletecollection", format!("delete{scope}Collection{namespaced}{kind}"), format!("delete collection of {kind}"), [list_params(), delete_params()].concat(), Some(json!({"content": {"*/*": {"schema": schema_ref(DELETE_OPTIONS)}}})), schema_ref(STATUS)),
        "parameters": path_params.iter().cloned().chain(std::iter::once(pretty_param())).collect::<Vec<_>>(),
    });
    if ty.kind == "Namespace" {
        // Namespaces cannot be deleted as a collection.
        collection_item.as_object_mut().map(|m| m.remove("delete"));
    }
    out.push((collection.clone(), collection_item));
    path_params.push(path_param("name", &format!("name of the {kind}")));
    let item_params: Vec<Value> = path_params
        .iter()
        .cloned()
        .chain(std::iter::once(pretty_param()))
        .collect();
    out.push((
        format!("{collection}/{{name}}"),
        json!({
            "get": op("get", id("read", ""), format!("read the specified {kind}"), Vec::new(), None, schema_ref(kind_schema)),
            "put": op("put", id("replace", ""), format!("replace the specified {kind}"), write_params(false), Some(object_body(kind_schema)), schema_ref(kind_schema)),
            "patch": op("patch", id("patch", ""), format!("partially update the specified {kind}"), write_params(true), Some(patch_body()), schema_ref(kind_schema)),
            "delete": op("delete", id("delete", ""), format!("delete a {kind}"), delete_params(), Some(json!({"content": {"*/*": {"schema": schema_ref(DELETE_OPTIONS)}}})), schema_ref(STATUS)),
            "parameters": item_params,
        }),
    ));
    for sub in &ty.subresources {
        let mut chars = sub.chars();
        let title: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let mut item = json!({
            "put": op("put", id("replace", &title), format!("replace {sub} of the specified {kind}"), write_params(false), Some(object_body(kind_schema)), schema_ref(kind_schema)),
            "parameters": item_params.clone(),
        });
        if sub != "finalize" {
            item["get"] = op(
                "get",
                id("read", &title),
                format!("read {sub} of the specified {kind}"),
                Vec::new(),
                None,
                schema_ref(kind_schema),
            );
            item["patch"] = op(
                "patch",
                id("patch", &title),
                format!("partially update {sub} of the specified {kind}"),
                write_params(true),
                Some(patch_body()),
                schema_ref(kind_schema),
            );
        }
        out.push((format!("{collection}/{{name}}/{sub}"), item));
    }
    if ty.namespaced {
        out.push((
            format!("{prefix}/{}", ty.plural),
            json!({
                "get": op("list", format!("list{scope}{kind}ForAllNamespaces"), format!("list or watch objects of kind {kind}"), list_params(), None, schema_ref(list_schema)),
                "parameters": [pretty_param()],
            }),
        ));
    }
    out
}

/// The CustomResourceDefinition objects of the types this cluster serves from CRD manifests,
/// ordered by name, as the apiextensions server reports them once they are established.
#[must_use]
pub fn crd_objects(cluster: &SimCluster) -> Vec<Value> {
    let installed = cluster
        .store
        .get(&crate::ops::namespaces_key(), "", "kube-system")
        .and_then(|ns| ns.pointer("/metadata/creationTimestamp").cloned())
        .unwrap_or_else(|| json!(crate::cluster::rfc3339(Timestamp::now())));
    let mut out: Vec<Value> = cluster
        .registry
        .types()
        .iter()
        .filter_map(|ty| crd_object(ty, &installed))
        .collect();
    out.sort_by(|a, b| {
        a["metadata"]["name"]
            .as_str()
            .cmp(&b["metadata"]["name"].as_str())
    });
    out
}

fn crd_object(ty: &ResourceType, created: &Value) -> Option<Value> {
    let manifest = ty.crd.as_ref()?;
    let name = format!("{}.{}", ty.plural, ty.group);
    let mut spec = manifest.get("spec").cloned().unwrap_or_else(|| json!({}));
    if spec.get("conversion").is_none() {
        spec["conversion"] = json!({"strategy": "None"});
    }
    let stored: Vec<Value> = spec
        .get("versions")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| v["storage"] == json!(true))
                .map(|v| v["name"].clone())
                .collect()
        })
        .unwrap_or_default();
    let mut accepted = json!({
        "kind": ty.kind, "listKind": ty.list_kind, "plural": ty.plural, "singular": ty.singular,
    });
    if !ty.short_names.is_empty() {
        accepted["shortNames"] = json!(ty.short_names);
    }
    if !ty.categories.is_empty() {
        accepted["categories"] = json!(ty.categories);
    }
    let mut metadata = json!({
        "name": name,
        "uid": stable_uid(&name),
        "resourceVersion": "1",
        "generation": 1,
        "creationTimestamp": created,
    });
    if let Some(annotations) = manifest.pointer("/metadata/annotations") {
        metadata["annotations"] = annotations.clone();
    }
    if let Some(labels) = manifest.pointer("/metadata/labels") {
        metadata["labels"] = labels.clone();
    }
    Some(json!({
        "apiVersion": format!("{CRD_GROUP}/{CRD_VERSION}"),
        "kind": "CustomResourceDefinition",
        "metadata": metadata,
        "spec": spec,
        "status": {
            "acceptedNames": accepted,
            "conditions": [
                {"type": "NamesAccepted", "status": "True", "lastTransitionTime": created, "reason": "NoConflicts", "message": "no conflicts found"},
                {"type": "Established", "status": "True", "lastTransitionTime": created, "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"},
            ],
            "storedVersions": stored,
        },
    }))
}

/// A UUID-shaped uid that stays the same for the same name (the objects are synthesised on
/// every request).
fn stable_uid(name: &str) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x8422_2325_cbf2_9ce4;
    for byte in name.bytes() {
        a = (a ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        b = (b ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    uuid::Uuid::from_u64_pair(a, b).to_string()
}

/// Whether `/apis/<group>/v1/<plural>` addresses CustomResourceDefinitions.
#[must_use]
pub fn is_crds(group: &str, plural: &str) -> bool {
    group == CRD_GROUP && plural == CRD_PLURAL
}

/// Serves `/apis/apiextensions.k8s.io/v1/customresourcedefinitions[/<name>[/status]]`
/// (`rest` is the path after `customresourcedefinitions`).
///
/// # Errors
/// 404 for an unknown name, 400 for a bad selector, 405 for writes and WATCH.
pub fn serve_crds(
    cluster: &SimCluster,
    method: &Method,
    rest: &[&str],
    query: &Query,
    wanted: Wanted,
) -> Reply {
    let ty = crd_type();
    let rv = cluster.store.resource_version().to_string();
    match (method, rest) {
        (&Method::GET, []) if query.flag("watch") => Err(ApiError::method_not_allowed()),
        (&Method::GET, []) => {
            let labels = LabelSelector::parse(query.get("labelSelector").unwrap_or_default())
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
            let fields =
                FieldSelector::parse(query.get("fieldSelector").unwrap_or_default(), &ty.kind)
                    .map_err(|e| ApiError::bad_request(e.to_string()))?;
            let items: Vec<Value> = crd_objects(cluster)
                .into_iter()
                .filter(|o| labels.matches(o) && fields.matches(o))
                .collect();
            let meta = json!({"resourceVersion": rv});
            Ok(match wanted {
                Wanted::Table(tv) => table(&ty, &items, tv, meta),
                _ => ok_json(&json!({
                    "apiVersion": format!("{CRD_GROUP}/{CRD_VERSION}"),
                    "kind": ty.list_kind,
                    "metadata": meta,
                    "items": items,
                })),
            })
        }
        (&Method::GET, [name] | [name, "status"]) => {
            let object = crd_objects(cluster)
                .into_iter()
                .find(|o| o["metadata"]["name"] == *name)
                .ok_or_else(|| ApiError::not_found(CRD_GROUP, CRD_PLURAL, name))?;
            Ok(match wanted {
                Wanted::Table(tv) => table(
                    &ty,
                    std::slice::from_ref(&object),
                    tv,
                    json!({"resourceVersion": "1"}),
                ),
                _ => ok_json(&object),
            })
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

fn table(
    ty: &ResourceType,
    items: &[Value],
    tv: &str,
    meta: Value,
) -> hyper::Response<crate::http::Body> {
    json_response(
        StatusCode::OK,
        &format!("application/json;as=Table;v={tv};g=meta.k8s.io"),
        &crate::table::render(ty, items, tv, meta, Timestamp::now()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::VersionInfo;

    fn patch_ops<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
        doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|p| p.get("patch"))
            .filter(|op| op["x-kubernetes-group-version-kind"]["kind"] == kind)
            .collect()
    }

    #[test]
    fn index_lists_every_served_group_version_with_a_hashed_url() {
        let reg = Registry::kubesphere_v34();
        let idx = index(&reg, "v1.32.4");
        let paths = idx["paths"].as_object().unwrap();
        for key in [
            "api/v1",
            "apis/rbac.authorization.k8s.io/v1",
            "apis/tenant.kubesphere.io/v1alpha1",
            "apis/tenant.kubesphere.io/v1alpha2",
            "apis/installer.kubesphere.io/v1alpha1",
            "apis/apiextensions.k8s.io/v1",
        ] {
            let url = paths[key]["serverRelativeURL"].as_str().unwrap_or_default();
            assert!(
                url.starts_with(&format!("/openapi/v3/{key}?hash=")),
                "{key}: {url}"
            );
        }
        // The core group, then every group version the registry serves (CRDs included).
        assert_eq!(
            paths.len(),
            1 + reg.groups().iter().map(|(_, v)| v.len()).sum::<usize>()
        );
    }

    #[test]
    fn patch_operations_carry_gvk_and_field_validation_and_cr_patch_types() {
        let reg = Registry::kubesphere_v34();
        let core = document(&reg, "", "v1", "v1.32.4").unwrap();
        let ns_patches = patch_ops(&core, "Namespace");
        // The namespace itself and its status subresource.
        assert_eq!(ns_patches.len(), 2);
        let item = &core["paths"]["/api/v1/namespaces/{name}"]["patch"];
        assert_eq!(
            item["x-kubernetes-group-version-kind"],
            json!({"group": "", "version": "v1", "kind": "Namespace"})
        );
        let params: Vec<&str> = item["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(params.contains(&"fieldValidation"), "{params:?}");
        // Deliberately absent, so that kubectl apply uses its compiled-in patch metadata.
        assert!(
            item["requestBody"]["content"]
                .get("application/strategic-merge-patch+json")
                .is_none()
        );
        assert!(
            item["requestBody"]["content"]
                .get("application/json-patch+json")
                .is_some()
        );
        assert!(
            core["paths"]["/api/v1/namespaces/{namespace}/configmaps/{name}"]["patch"].is_object()
        );
        assert_eq!(
            core["components"]["schemas"]["io.k8s.api.core.v1.Namespace"]["x-kubernetes-group-version-kind"],
            json!([{"group": "", "kind": "Namespace", "version": "v1"}])
        );

        let tenant = document(&reg, "tenant.kubesphere.io", "v1alpha2", "v1.32.4").unwrap();
        let wst = &tenant["paths"]["/apis/tenant.kubesphere.io/v1alpha2/workspacetemplates/{name}"]
            ["patch"];
        assert_eq!(
            wst["operationId"],
            "patchTenantKubesphereIoV1alpha2WorkspaceTemplate"
        );
        assert!(
            wst["requestBody"]["content"]
                .get("application/strategic-merge-patch+json")
                .is_none()
        );
        assert!(
            wst["requestBody"]["content"]
                .get("application/merge-patch+json")
                .is_some()
        );
        let schema =
            &tenant["components"]["schemas"]["io.kubesphere.tenant.v1alpha2.WorkspaceTemplate"];
        assert_eq!(
            schema["x-kubernetes-group-version-kind"],
            json!([{"group": "tenant.kubesphere.io", "kind": "WorkspaceTemplate", "version": "v1alpha2"}])
        );
        assert!(schema["properties"]["spec"]["properties"]["placement"].is_object());
        assert_eq!(
            schema["properties"]["metadata"]["allOf"][0]["$ref"],
            format!("#/components/schemas/{OBJECT_META}")
        );
        assert!(document(&reg, "tenant.kubesphere.io", "v9", "v1.32.4").is_none());
    }

    #[test]
    fn crds_are_synthesised_from_the_served_types() {
        let cluster = SimCluster::new("c", Registry::kubesphere_v34(), VersionInfo::new("v1.32.4"));
        let crds = crd_objects(&cluster);
        let names: Vec<&str> = crds
            .iter()
            .map(|c| c["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 9);
        assert!(
            names.contains(&"workspacetemplates.tenant.kubesphere.io"),
            "{names:?}"
        );
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        let cc = crds
            .iter()
            .find(|c| c["metadata"]["name"] == "clusterconfigurations.installer.kubesphere.io")
            .unwrap();
        assert_eq!(cc["status"]["acceptedNames"]["shortNames"], json!(["cc"]));
        assert_eq!(cc["status"]["storedVersions"], json!(["v1alpha1"]));
        assert_eq!(cc["status"]["conditions"][1]["type"], "Established");
        // Stable across requests.
        assert_eq!(
            crd_objects(&cluster)[0]["metadata"]["uid"],
            crds[0]["metadata"]["uid"]
        );
        assert_ne!(crds[0]["metadata"]["uid"], crds[1]["metadata"]["uid"]);
        assert!(
            crd_objects(&SimCluster::new(
                "b",
                Registry::builtin(),
                VersionInfo::new("v1.32.4")
            ))
            .is_empty()
        );
    }

    #[test]
    fn the_builtin_registry_serves_crds_and_leases_once() {
        for reg in [Registry::builtin(), Registry::kubesphere_v34()] {
            let crds: Vec<&ResourceType> = reg
                .types()
                .iter()
                .filter(|t| t.group == CRD_GROUP)
                .collect();
            assert_eq!(crds.len(), 1);
            assert!(crds[0].short_names.contains(&"crd".to_owned()));
            assert!(
                reg.groups()
                    .iter()
                    .any(|(g, v)| g == CRD_GROUP && v == &["v1"])
            );
            let lease = reg
                .find("coordination.k8s.io", "v1", "leases")
                .expect("leases served");
            assert!(lease.namespaced && lease.builtin);
        }
        let doc = document(&Registry::builtin(), "coordination.k8s.io", "v1", "v1.32.4").unwrap();
        assert_eq!(
            doc["components"]["schemas"]["io.k8s.api.coordination.v1.Lease"]["x-kubernetes-group-version-kind"],
            json!([{"group": "coordination.k8s.io", "kind": "Lease", "version": "v1"}])
        );
        assert!(
            doc["paths"]["/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}"]
                ["put"]
                .is_object()
        );
    }
}
