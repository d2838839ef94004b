//! Server-side `Table` rendering (what `kubectl get` prints), with ages humanised the way
//! apimachinery's `duration.HumanDuration` does.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::resources::{Column, ResourceType};

/// Renders objects as a `meta.k8s.io` Table of the given version.
#[must_use]
pub fn render(
    ty: &ResourceType,
    objects: &[Value],
    table_version: &str,
    list_meta: Value,
    now: Timestamp,
) -> Value {
    let mut columns = vec![json!({
        "name": "Name",
        "type": "string",
        "format": "name",
        "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        "priority": 0,
    })];
    columns.extend(ty.columns.iter().map(|c| {
        json!({
            "name": c.name,
            "type": if c.kind == "date" { "string" } else { c.kind.as_str() },
            "format": c.format,
            "description": c.description,
            "priority": c.priority,
        })
    }));
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let mut cells = vec![o.pointer("/metadata/name").cloned().unwrap_or(Value::Null)];
            cells.extend(ty.columns.iter().map(|c| cell(c, o, now)));
            json!({
                "cells": cells,
                "object": {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": format!("meta.k8s.io/{table_version}"),
                    "metadata": o.get("metadata").cloned().unwrap_or_else(|| json!({})),
                }
            })
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": format!("meta.k8s.io/{table_version}"),
        "metadata": list_meta,
        "columnDefinitions": columns,
        "rows": rows,
    })
}

/// One cell: the column's JSONPath evaluated on the object; dates become ages.
fn cell(column: &Column, object: &Value, now: Timestamp) -> Value {
    if let Some(field) = column.json_path.strip_prefix('#') {
        // Count of entries in a map or list (ConfigMap/Secret "Data", ServiceAccount "Secrets").
        let n = match object.get(field) {
            Some(Value::Object(m)) => m.len(),
            Some(Value::Array(a)) => a.len(),
            _ => 0,
        };
        return json!(n);
    }
    match column.json_path.as_str() {
        "@nodeStatus" => return json!(node_status(object)),
        "@nodeRoles" => return json!(node_roles(object)),
        _ => {}
    }
    let pointer = column.json_path.replace('.', "/");
    let value = object.pointer(&pointer).cloned().unwrap_or(Value::Null);
    if column.kind == "date" {
        return match value.as_str().and_then(|s| s.parse::<Timestamp>().ok()) {
            Some(t) => json!(human_duration(now.duration_since(t).as_secs())),
            None => json!("<unknown>"),
        };
    }
    value
}

fn node_status(node: &Value) -> String {
    let ready = node
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
        .is_some_and(|c| c["status"] == "True");
    if ready { "Ready" } else { "NotReady" }.into()
}

fn node_roles(node: &Value) -> String {
    let roles: Vec<&str> = node
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|labels| {
            labels
                .keys()
                .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                .collect()
        })
        .unwrap_or_default();
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.join(",")
    }
}

/// apimachinery's `duration.HumanDuration`, on whole seconds.
#[must_use]
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    let s = seconds.max(0);
    let minutes = s / 60;
    let hours = s / 3600;
    let days = hours / 24;
    let years = days / 365;
    if s < 60 * 2 {
        format!("{s}s")
    } else if minutes < 10 {
        let sec = s % 60;
        if sec == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{sec}s")
        }
    } else if minutes < 60 * 3 {
        format!("{minutes}m")
    } else if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            format!("{days}d")
        } else {
            format!("{days}d{h}h")
        }
    } else if hours < 24 * 365 * 2 {
        format!("{days}d")
    } else if hours < 24 * 365 * 8 {
        let d = days % 365;
        if d == 0 {
            format!("{years}y")
        } else {
            format!("{years}y{d}d")
        }
    } else {
        format!("{years}y")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::Registry;

    #[test]
    fn human_duration_matches_apimachinery() {
        let cases = [
            (0, "0s"),
            (119, "119s"),
            (120, "2m"),
            (125, "2m5s"),
            (600, "10m"),
            (179 * 60, "179m"),
            (3 * 3600 + 5 * 60, "3h5m"),
            (8 * 3600, "8h"),
            (47 * 3600, "47h"),
            (50 * 3600, "2d2h"),
            (8 * 86400, "8d"),
            (2 * 365 * 86400 + 3 * 86400, "2y3d"),
            (9 * 365 * 86400, "9y"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(secs), want, "{secs}s");
        }
    }

    #[test]
    fn namespace_table_has_status_and_age() {
        let reg = Registry::builtin();
        let ty = reg.find("", "v1", "namespaces").unwrap();
        let now: Timestamp = "2026-11-27T10:00:00Z".parse().unwrap();
        let ns = json!({"metadata": {"name": "demo", "creationTimestamp": "2026-11-27T09:00:00Z"}, "status": {"phase": "Active"}});
        let t = render(ty, &[ns], "v1", json!({"resourceVersion": "7"}), now);
        let names: Vec<&str> = t["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Name", "Status", "Age"]);
        assert_eq!(t["rows"][0]["cells"], json!(["demo", "Active", "60m"]));
        assert_eq!(t["rows"][0]["object"]["metadata"]["name"], "demo");
        assert_eq!(t["metadata"]["resourceVersion"], "7");
    }
}
