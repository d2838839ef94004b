//! Patch media types: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and the strategic
//! merge patch of built-in kinds, with the list semantics that matter for ksmc.

use serde_json::{Map, Value};

/// The patch types the API server understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Merge,
    Json,
    Strategic,
    Apply,
}

impl PatchType {
    /// From the request's `Content-Type`.
    #[must_use]
    pub fn from_content_type(ct: &str) -> Option<Self> {
        match ct.split(';').next().unwrap_or_default().trim() {
            "application/merge-patch+json" => Some(Self::Merge),
            "application/json-patch+json" => Some(Self::Json),
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => Some(Self::Apply),
            _ => None,
        }
    }
}

/// Applies an RFC 7386 merge patch.
pub fn merge(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
}

/// Applies an RFC 6902 JSON patch.
///
/// # Errors
/// When the body is not a patch or an operation fails (the server answers 422 / 400).
pub fn json(target: &mut Value, patch: &Value) -> Result<(), String> {
    let ops: json_patch::Patch =
        serde_json::from_value(patch.clone()).map_err(|e| format!("invalid JSON patch: {e}"))?;
    json_patch::patch(target, &ops).map_err(|e| e.to_string())
}

/// Applies a strategic merge patch to a built-in object. Maps merge (null deletes), lists
/// replace, except: `metadata.ownerReferences` merge by `uid` (so `[]` is a no-op),
/// `metadata.finalizers` merge as a set, `$patch: replace|delete` and
/// `$deleteFromPrimitiveList/<key>` directives are honoured.
pub fn strategic(target: &mut Value, patch: &Value) {
    strategic_at(target, patch, "");
}

fn strategic_at(target: &mut Value, patch: &Value, path: &str) {
    let Some(patch_map) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    match patch_map.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            let mut clean = patch_map.clone();
            clean.remove("$patch");
            *target = Value::Object(clean);
            return;
        }
        Some("delete") => {
            *target = Value::Object(Map::new());
            return;
        }
        _ => {}
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let target_map = target.as_object_mut().expect("just made an object");
    for (key, value) in patch_map {
        if key == "$patch" || key.starts_with("$setElementOrder/") || key == "$retainKeys" {
            continue;
        }
        if let Some(list_key) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(existing)), Some(remove)) =
                (target_map.get_mut(list_key), value.as_array())
            {
                existing.retain(|v| !remove.contains(v));
            }
            continue;
        }
        let child_path = format!("{path}/{key}");
        if value.is_null() {
            target_map.remove(key);
            continue;
        }
        match (child_path.as_str(), value) {
            ("/metadata/ownerReferences", Value::Array(items)) => {
                let existing = target_map
                    .entry(key.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                merge_list_by_key(existing, items, "uid");
                if existing.as_array().is_some_and(Vec::is_empty) {
                    target_map.remove(key);
                }
            }
            ("/metadata/finalizers", Value::Array(items)) => {
                let existing = target_map
                    .entry(key.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Some(list) = existing.as_array_mut() {
                    for item in items {
                        if !list.contains(item) {
                            list.push(item.clone());
                        }
                    }
                }
            }
            (_, Value::Object(_)) => {
                let slot = target_map.entry(key.clone()).or_insert(Value::Null);
                strategic_at(slot, value, &child_path);
            }
            _ => {
                target_map.insert(key.clone(), value.clone());
            }
        }
    }
}

fn merge_list_by_key(existing: &mut Value, items: &[Value], key: &str) {
    let Some(list) = existing.as_array_mut() else {
        *existing = Value::Array(items.to_vec());
        return;
    };
    if items
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        *list = items
            .iter()
            .filter(|i| i.get("$patch").is_none())
            .cloned()
            .collect();
        return;
    }
    for item in items {
        let id = item.get(key).cloned();
        let position = list.iter().position(|e| e.get(key) == id.as_ref());
        match (item.get("$patch").and_then(Value::as_str), position) {
            (Some("delete"), Some(p)) => {
                list.remove(p);
            }
            (Some("delete"), None) => {}
            (_, Some(p)) => strategic_at(&mut list[p], item, ""),
            (_, None) => list.push(item.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ns() -> Value {
        json!({"metadata": {"name": "demo",
            "labels": {"kubesphere.io/workspace": "ws1", "keep": "x"},
            "finalizers": ["a"],
            "ownerReferences": [{"uid": "u1", "name": "ws1", "kind": "Workspace", "apiVersion": "tenant.kubesphere.io/v1alpha1"}]}})
    }

    #[test]
    fn merge_patch_empties_owner_references_but_strategic_does_not() {
        let mut a = ns();
        merge(&mut a, &json!({"metadata": {"ownerReferences": []}}));
        assert_eq!(a["metadata"]["ownerReferences"], json!([]));
        let mut b = ns();
        strategic(&mut b, &json!({"metadata": {"ownerReferences": []}}));
        assert_eq!(b["metadata"]["ownerReferences"][0]["uid"], "u1");
        strategic(
            &mut b,
            &json!({"metadata": {"ownerReferences": [{"$patch": "delete", "uid": "u1"}]}}),
        );
        assert!(b["metadata"].get("ownerReferences").is_none());
    }

    #[test]
    fn strategic_labels_finalizers_and_directives() {
        let mut o = ns();
        strategic(
            &mut o,
            &json!({"metadata": {"labels": {"kubesphere.io/workspace": null, "new": "y"}, "finalizers": ["b", "a"]}}),
        );
        assert_eq!(o["metadata"]["labels"], json!({"keep": "x", "new": "y"}));
        assert_eq!(o["metadata"]["finalizers"], json!(["a", "b"]));
        strategic(
            &mut o,
            &json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}),
        );
        assert_eq!(o["metadata"]["finalizers"], json!(["b"]));
        strategic(
            &mut o,
            &json!({"metadata": {"labels": {"$patch": "replace", "only": "z"}}}),
        );
        assert_eq!(o["metadata"]["labels"], json!({"only": "z"}));
    }

    #[test]
    fn json_patch_applies_and_reports_failures() {
        let mut o = ns();
        json(
            &mut o,
            &json!([{"op": "remove", "path": "/metadata/labels/keep"}]),
        )
        .unwrap();
        assert!(o["metadata"]["labels"].get("keep").is_none());
        assert!(json(&mut o, &json!([{"op": "remove", "path": "/nope"}])).is_err());
        assert!(json(&mut o, &json!({"op": "add"})).is_err());
    }

    #[test]
    fn content_types() {
        assert_eq!(
            PatchType::from_content_type("application/merge-patch+json; charset=utf-8"),
            Some(PatchType::Merge)
        );
        assert_eq!(PatchType::from_content_type("application/json"), None);
    }
}
