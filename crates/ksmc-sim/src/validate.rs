//! Validation on write, with the messages of the real API server: RFC 1123 names, label keys
//! and values, ownerReferences, and custom resources against their CRD's OpenAPI schema.

use serde_json::Value;

use crate::http::Cause;
use crate::resources::ResourceType;

const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const QUALIFIED_NAME_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/// An RFC 1123 label: lower-case alphanumerics and '-', at most 63 characters.
#[must_use]
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// An RFC 1123 subdomain: dot-separated labels, at most 253 characters.
#[must_use]
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric())
}

fn key_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix
        && !is_dns_subdomain(p)
    {
        return Some(format!("prefix part {SUBDOMAIN_MSG}"));
    }
    if name.is_empty() || name.len() > 63 || !is_label_value(name) {
        return Some(QUALIFIED_NAME_MSG.to_owned());
    }
    None
}

/// The name rules of a resource type: namespaces are labels, everything else subdomains.
#[must_use]
pub fn name_cause(ty: &ResourceType, name: &str) -> Option<Cause> {
    let (ok, msg) = if ty.kind == "Namespace" {
        (is_dns_label(name), LABEL_MSG)
    } else {
        (is_dns_subdomain(name), SUBDOMAIN_MSG)
    };
    (!ok).then(|| Cause::invalid("metadata.name", &Value::String(name.to_owned()), msg))
}

/// Everything wrong with an object's metadata.
#[must_use]
pub fn metadata_causes(ty: &ResourceType, object: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    match object.pointer("/metadata/name").and_then(Value::as_str) {
        None | Some("") => causes.push(Cause {
            reason: "FieldValueRequired",
            field: "metadata.name".into(),
            message: "Required value: name or generateName is required".into(),
        }),
        Some(name) => causes.extend(name_cause(ty, name)),
    }
    for field in ["labels", "annotations"] {
        match object.pointer(&format!("/metadata/{field}")) {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    if let Some(problem) = key_problem(k) {
                        causes.push(Cause::invalid(
                            &format!("metadata.{field}"),
                            &Value::String(k.clone()),
                            &problem,
                        ));
                    }
                    let Some(text) = v.as_str() else {
                        causes.push(Cause::invalid(
                            &format!("metadata.{field}"),
                            v,
                            "must be a string",
                        ));
                        continue;
                    };
                    if field == "labels" && !is_label_value(text) {
                        causes.push(Cause::invalid("metadata.labels", v, LABEL_VALUE_MSG));
                    }
                }
            }
            Some(other) => causes.push(Cause::invalid(
                &format!("metadata.{field}"),
                other,
                "must be a map",
            )),
        }
    }
    if let Some(refs) = object.pointer("/metadata/ownerReferences") {
        causes.extend(owner_reference_causes(refs));
    }
    causes
}

fn owner_reference_causes(refs: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    let Some(list) = refs.as_array() else {
        return vec![Cause::invalid(
            "metadata.ownerReferences",
            refs,
            "must be a list",
        )];
    };
    let mut controllers = 0;
    for (i, r) in list.iter().enumerate() {
        for field in ["apiVersion", "kind", "name", "uid"] {
            if r.get(field)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                causes.push(Cause::required(&format!(
                    "metadata.ownerReferences[{i}].{field}"
                )));
            }
        }
        if r.get("controller").and_then(Value::as_bool) == Some(true) {
            controllers += 1;
        }
    }
    if controllers > 1 {
        causes.push(Cause::invalid(
            "metadata.ownerReferences",
            refs,
            "Only one reference can have Controller set to true",
        ));
    }
    causes
}

/// Validates a custom resource against its CRD schema: types, required fields and enums
/// give 422 causes; with `strict`, unknown fields are returned separately (400).
#[must_use]
pub fn schema_problems(
    ty: &ResourceType,
    version: &str,
    object: &Value,
) -> (Vec<Cause>, Vec<String>) {
    let Some(schema) = ty.crd.as_ref().and_then(|crd| {
        crd.pointer("/spec/versions")?
            .as_array()?
            .iter()
            .find(|v| v["name"] == version)?
            .pointer("/schema/openAPIV3Schema")
    }) else {
        return (Vec::new(), Vec::new());
    };
    let mut causes = Vec::new();
    let mut unknown = Vec::new();
    walk(schema, object, "", true, &mut causes, &mut unknown);
    (causes, unknown)
}

fn walk(
    schema: &Value,
    value: &Value,
    path: &str,
    top: bool,
    causes: &mut Vec<Cause>,
    unknown: &mut Vec<String>,
) {
    if value.is_null() && schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let preserve = schema
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true);
    let field = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            _ => true,
        };
        if !ok {
            causes.push(Cause {
                reason: "FieldValueTypeInvalid",
                field: path.to_owned(),
                message: format!(
                    "Invalid value: \"{}\": {path} in body must be of type {t}: \"{}\"",
                    json_type(value),
                    json_type(value)
                ),
            });
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
        causes.push(Cause {
            reason: "FieldValueNotSupported",
            field: path.to_owned(),
            message: format!(
                "Unsupported value: {value}: supported values: {}",
                list.join(", ")
            ),
        });
    }
    if let Some(map) = value.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(req) {
                causes.push(Cause::required(&field(req)));
            }
        }
        for (k, v) in map {
            // metadata is validated by the server itself, apiVersion/kind by routing.
            if top && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            match (
                props.and_then(|p| p.get(k)),
                schema.get("additionalProperties"),
            ) {
                (Some(sub), _) => walk(sub, v, &field(k), false, causes, unknown),
                (None, Some(extra)) if extra.is_object() => {
                    walk(extra, v, &field(k), false, causes, unknown);
                }
                (None, Some(Value::Bool(true))) => {}
                (None, _) if preserve || props.is_none() && schema.get("type").is_none() => {}
                (None, _) => unknown.push(field(k)),
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            walk(items, v, &format!("{path}[{i}]"), false, causes, unknown);
        }
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::Registry;
    use serde_json::json;

    #[test]
    fn names_follow_rfc_1123() {
        assert!(is_dns_label("demo-1"));
        assert!(!is_dns_label("Demo"));
        assert!(!is_dns_label("-x"));
        assert!(!is_dns_label(&"a".repeat(64)));
        assert!(is_dns_subdomain("a.b-c.d"));
        assert!(!is_dns_subdomain("a..b"));
        let reg = Registry::kubesphere_v34();
        let ns = reg.find("", "v1", "namespaces").unwrap();
        let cause = name_cause(ns, "Bad_Name").unwrap();
        assert_eq!(cause.field, "metadata.name");
        assert!(
            cause
                .message
                .starts_with("Invalid value: \"Bad_Name\": a lowercase RFC 1123 label")
        );
        let cm = reg.find("", "v1", "configmaps").unwrap();
        assert!(name_cause(cm, "a.b").is_none());
    }

    #[test]
    fn labels_and_owner_references_are_checked() {
        let reg = Registry::builtin();
        let ns = reg.find("", "v1", "namespaces").unwrap();
        let bad = json!({"metadata": {"name": "x", "labels": {"ok/key": "-bad", "a b": "v"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "a", "uid": "1", "controller": true},
                                {"apiVersion": "v1", "kind": "X", "name": "b", "controller": true}]}});
        let causes = metadata_causes(ns, &bad);
        let fields: Vec<&str> = causes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "metadata.labels",
                "metadata.labels",
                "metadata.ownerReferences[1].uid",
                "metadata.ownerReferences"
            ]
        );
        assert!(
            metadata_causes(
                ns,
                &json!({"metadata": {"name": "ok", "labels": {"kubesphere.io/workspace": "ws1"}}})
            )
            .is_empty()
        );
    }

    #[test]
    fn custom_resources_follow_their_schema() {
        let reg = Registry::kubesphere_v34();
        let wst = reg
            .find("tenant.kubesphere.io", "v1alpha2", "workspacetemplates")
            .unwrap();
        let good = json!({"apiVersion": "tenant.kubesphere.io/v1alpha2", "kind": "WorkspaceTemplate",
            "metadata": {"name": "ws1"}, "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "member-1"}]}}});
        assert_eq!(schema_problems(wst, "v1alpha2", &good), (vec![], vec![]));
        let bad = json!({"metadata": {"name": "ws1"}, "spec": {"placement": {"clusters": "member-1"}, "foo": 1}});
        let (causes, unknown) = schema_problems(wst, "v1alpha2", &bad);
        let fields: Vec<&str> = causes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["spec.template", "spec.placement.clusters"]);
        assert!(causes[1].message.contains("must be of type array"));
        assert_eq!(unknown, ["spec.foo"]);
        let cc = reg
            .find(
                "installer.kubesphere.io",
                "v1alpha1",
                "clusterconfigurations",
            )
            .unwrap();
        let free =
            json!({"metadata": {"name": "ks-installer"}, "spec": {"anything": {"goes": true}}});
        assert_eq!(schema_problems(cc, "v1alpha1", &free), (vec![], vec![]));
    }
}
