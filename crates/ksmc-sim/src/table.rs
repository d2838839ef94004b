//! Server-side `Table` rendering (what `kubectl get` prints), with ages humanised the way
//! apimachinery's `duration.HumanDuration` does.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

use crate::resources::{Column, ResourceType};

/// A `meta.k8s.io` Table that borrows the objects' metadata: serialised as it is (a LIST of
/// thousands of objects copies no metadata), or made into a [`Value`] by [`render`].
#[derive(Debug)]
pub struct Table<'a> {
    api_version: String,
    columns: Vec<Value>,
    list_meta: Value,
    rows: Vec<(Vec<Value>, &'a Value)>,
}

static NO_METADATA: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| json!({}));

impl<'a> Table<'a> {
    /// The Table of the given version listing `objects`.
    pub fn new(
        ty: &ResourceType,
        objects: impl IntoIterator<Item = &'a Value>,
        table_version: &str,
        list_meta: Value,
        now: Timestamp,
    ) -> Self {
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
        let rows = objects
            .into_iter()
            .map(|o| {
                let mut cells = vec![o.pointer("/metadata/name").cloned().unwrap_or(Value::Null)];
                cells.extend(ty.columns.iter().map(|c| cell(c, o, now)));
                (cells, o.get("metadata").unwrap_or(&NO_METADATA))
            })
            .collect();
        Self {
            api_version: format!("meta.k8s.io/{table_version}"),
            columns,
            list_meta,
            rows,
        }
    }

    /// The Table as compact JSON.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl Serialize for Table<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        // Keys in the order a `serde_json::Value` writes them, so both give the same bytes.
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("apiVersion", &self.api_version)?;
        map.serialize_entry("columnDefinitions", &self.columns)?;
        map.serialize_entry("kind", "Table")?;
        map.serialize_entry("metadata", &self.list_meta)?;
        map.serialize_entry("rows", &Rows(self))?;
        map.end()
    }
}

struct Rows<'b, 'a>(&'b Table<'a>);

#[derive(Serialize)]
struct Row<'b> {
    cells: &'b [Value],
    object: PartialObjectMetadata<'b>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartialObjectMetadata<'b> {
    api_version: &'b str,
    kind: &'static str,
    metadata: &'b Value,
}

impl Serialize for Rows<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let table = self.0;
        serializer.collect_seq(table.rows.iter().map(|(cells, metadata)| Row {
            cells,
            object: PartialObjectMetadata {
                api_version: &table.api_version,
                kind: "PartialObjectMetadata",
                metadata,
            },
        }))
    }
}

/// Renders objects as a `meta.k8s.io` Table of the given version.
#[must_use]
pub fn render<'a>(
    ty: &ResourceType,
    objects: impl IntoIterator<Item = &'a Value>,
    table_version: &str,
    list_meta: Value,
    now: Timestamp,
) -> Value {
    serde_json::to_value(Table::new(ty, objects, table_version, list_meta, now))
        .unwrap_or(Value::Null)
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
        let t = render(ty, [&ns], "v1", json!({"resourceVersion": "7"}), now);
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
        assert_eq!(
            t["rows"][0]["object"],
            json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata", "metadata": ns["metadata"]})
        );
        // Written directly, the Table is byte for byte the Value's JSON.
        let direct = Table::new(ty, [&ns], "v1", json!({"resourceVersion": "7"}), now).to_json();
        assert_eq!(direct, serde_json::to_vec(&t).unwrap());
    }
}
