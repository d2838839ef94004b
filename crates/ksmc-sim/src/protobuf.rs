//! Decoding the protobuf request bodies kubectl ≥ 1.32 sends for `create namespace`,
//! `create configmap` and `create secret` (a 415 would be fatal: kubectl does not fall back).
//! Only the fields these objects carry are declared; replies are always JSON.

use base64::Engine as _;
use prost::Message;
use serde_json::{Map, Value, json};

const MAGIC: &[u8] = b"k8s\0";

#[derive(Clone, PartialEq, Message)]
struct TypeMeta {
    #[prost(string, optional, tag = "1")]
    api_version: Option<String>,
    #[prost(string, optional, tag = "2")]
    kind: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Unknown {
    #[prost(message, optional, tag = "1")]
    type_meta: Option<TypeMeta>,
    #[prost(bytes = "vec", optional, tag = "2")]
    raw: Option<Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
struct OwnerReference {
    #[prost(string, optional, tag = "1")]
    kind: Option<String>,
    #[prost(string, optional, tag = "3")]
    name: Option<String>,
    #[prost(string, optional, tag = "4")]
    uid: Option<String>,
    #[prost(string, optional, tag = "5")]
    api_version: Option<String>,
    #[prost(bool, optional, tag = "6")]
    controller: Option<bool>,
    #[prost(bool, optional, tag = "7")]
    block_owner_deletion: Option<bool>,
}

#[derive(Clone, PartialEq, Message)]
struct ObjectMeta {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "2")]
    generate_name: Option<String>,
    #[prost(string, optional, tag = "3")]
    namespace: Option<String>,
    #[prost(string, optional, tag = "6")]
    resource_version: Option<String>,
    #[prost(btree_map = "string, string", tag = "11")]
    labels: std::collections::BTreeMap<String, String>,
    #[prost(btree_map = "string, string", tag = "12")]
    annotations: std::collections::BTreeMap<String, String>,
    #[prost(message, repeated, tag = "13")]
    owner_references: Vec<OwnerReference>,
    #[prost(string, repeated, tag = "14")]
    finalizers: Vec<String>,
}

#[derive(Clone, PartialEq, Message)]
struct NamespaceSpec {
    #[prost(string, repeated, tag = "1")]
    finalizers: Vec<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Namespace {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(message, optional, tag = "2")]
    spec: Option<NamespaceSpec>,
}

#[derive(Clone, PartialEq, Message)]
struct ConfigMap {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(btree_map = "string, string", tag = "2")]
    data: std::collections::BTreeMap<String, String>,
    #[prost(btree_map = "string, bytes", tag = "3")]
    binary_data: std::collections::BTreeMap<String, Vec<u8>>,
    #[prost(bool, optional, tag = "4")]
    immutable: Option<bool>,
}

#[derive(Clone, PartialEq, Message)]
struct Secret {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(btree_map = "string, bytes", tag = "2")]
    data: std::collections::BTreeMap<String, Vec<u8>>,
    #[prost(string, optional, tag = "3")]
    type_: Option<String>,
    #[prost(btree_map = "string, string", tag = "4")]
    string_data: std::collections::BTreeMap<String, String>,
    #[prost(bool, optional, tag = "5")]
    immutable: Option<bool>,
}

/// Errors decoding a protobuf body.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtobufError {
    #[error("missing the k8s protobuf envelope")]
    NoEnvelope,
    #[error("malformed protobuf: {0}")]
    Malformed(String),
    #[error("protobuf bodies are accepted for Namespace, ConfigMap and Secret, not {0}")]
    Unsupported(String),
}

fn meta_json(meta: Option<ObjectMeta>) -> Value {
    let meta = meta.unwrap_or_default();
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            m.insert(k.into(), json!(v));
        }
    };
    put("name", meta.name);
    put("generateName", meta.generate_name);
    put("namespace", meta.namespace);
    put("resourceVersion", meta.resource_version);
    if !meta.labels.is_empty() {
        m.insert("labels".into(), json!(meta.labels));
    }
    if !meta.annotations.is_empty() {
        m.insert("annotations".into(), json!(meta.annotations));
    }
    if !meta.finalizers.is_empty() {
        m.insert("finalizers".into(), json!(meta.finalizers));
    }
    if !meta.owner_references.is_empty() {
        let refs: Vec<Value> = meta
            .owner_references
            .into_iter()
            .map(|r| {
                json!({"apiVersion": r.api_version, "kind": r.kind, "name": r.name, "uid": r.uid,
                       "controller": r.controller, "blockOwnerDeletion": r.block_owner_deletion})
            })
            .collect();
        m.insert("ownerReferences".into(), json!(refs));
    }
    Value::Object(m)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes a `k8s\0`-prefixed protobuf body into the object's JSON form.
///
/// # Errors
/// When the envelope or message is malformed, or the kind is not supported.
pub fn decode(body: &[u8]) -> Result<Value, ProtobufError> {
    let payload = body.strip_prefix(MAGIC).ok_or(ProtobufError::NoEnvelope)?;
    let unknown = Unknown::decode(payload).map_err(|e| ProtobufError::Malformed(e.to_string()))?;
    let type_meta = unknown.type_meta.unwrap_or_default();
    let kind = type_meta.kind.unwrap_or_default();
    let api_version = type_meta.api_version.unwrap_or_else(|| "v1".into());
    let raw = unknown.raw.unwrap_or_default();
    let bad = |e: prost::DecodeError| ProtobufError::Malformed(e.to_string());
    let mut object = match kind.as_str() {
        "Namespace" => {
            let ns = Namespace::decode(raw.as_slice()).map_err(bad)?;
            let mut o = json!({"metadata": meta_json(ns.metadata)});
            if let Some(spec) = ns.spec.filter(|s| !s.finalizers.is_empty()) {
                o["spec"] = json!({"finalizers": spec.finalizers});
            }
            o
        }
        "ConfigMap" => {
            let cm = ConfigMap::decode(raw.as_slice()).map_err(bad)?;
            let mut o = json!({"metadata": meta_json(cm.metadata)});
            if !cm.data.is_empty() {
                o["data"] = json!(cm.data);
            }
            if !cm.binary_data.is_empty() {
                let bin: Map<String, Value> = cm
                    .binary_data
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(b64(v))))
                    .collect();
                o["binaryData"] = Value::Object(bin);
            }
            if let Some(i) = cm.immutable {
                o["immutable"] = json!(i);
            }
            o
        }
        "Secret" => {
            let s = Secret::decode(raw.as_slice()).map_err(bad)?;
            let mut o = json!({"metadata": meta_json(s.metadata)});
            if !s.data.is_empty() {
                let data: Map<String, Value> = s
                    .data
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(b64(v))))
                    .collect();
                o["data"] = Value::Object(data);
            }
            if !s.string_data.is_empty() {
                o["stringData"] = json!(s.string_data);
            }
            if let Some(t) = s.type_ {
                o["type"] = json!(t);
            }
            if let Some(i) = s.immutable {
                o["immutable"] = json!(i);
            }
            o
        }
        other => return Err(ProtobufError::Unsupported(other.to_owned())),
    };
    object["apiVersion"] = json!(api_version);
    object["kind"] = json!(kind);
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(kind: &str, raw: Vec<u8>) -> Vec<u8> {
        let mut body = MAGIC.to_vec();
        Unknown {
            type_meta: Some(TypeMeta {
                api_version: Some("v1".into()),
                kind: Some(kind.into()),
            }),
            raw: Some(raw),
        }
        .encode(&mut body)
        .unwrap();
        body
    }

    #[test]
    fn decodes_a_secret_and_a_namespace() {
        let secret = Secret {
            metadata: Some(ObjectMeta {
                name: Some("s1".into()),
                namespace: Some("demo".into()),
                ..ObjectMeta::default()
            }),
            data: [("a".to_owned(), b"b".to_vec())].into(),
            type_: Some("Opaque".into()),
            ..Secret::default()
        };
        let v = decode(&envelope("Secret", secret.encode_to_vec())).unwrap();
        assert_eq!(v["metadata"]["name"], "s1");
        assert_eq!(v["data"]["a"], "Yg==");
        assert_eq!(v["type"], "Opaque");
        assert_eq!(v["kind"], "Secret");
        let ns = Namespace {
            metadata: Some(ObjectMeta {
                name: Some("proj2".into()),
                labels: [("x".to_owned(), "y".to_owned())].into(),
                ..ObjectMeta::default()
            }),
            spec: None,
        };
        let v = decode(&envelope("Namespace", ns.encode_to_vec())).unwrap();
        assert_eq!(
            v["metadata"],
            json!({"name": "proj2", "labels": {"x": "y"}})
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(decode(b"{}"), Err(ProtobufError::NoEnvelope));
        assert!(matches!(
            decode(&envelope("Pod", vec![])),
            Err(ProtobufError::Unsupported(k)) if k == "Pod"
        ));
        assert!(matches!(
            decode(b"k8s\0\xff\xff"),
            Err(ProtobufError::Malformed(_))
        ));
    }
}
