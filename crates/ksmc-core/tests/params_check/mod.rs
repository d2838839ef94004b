//! What every finding's params must hold, checked on the findings of core's unit tests (from
//! hand-made facts) and of `fleet_params.rs` (from ksmc-sim's scenarios): the values its
//! English text names, so a shell can render the finding in another language.

use std::collections::BTreeMap;

/// Params that are no value of the English text: the variant, the count of names not listed
/// (`…More`), the error kind, and the days left (the text says "within a day").
fn in_text(key: &str) -> bool {
    !matches!(key, "variant" | "kind" | "days") && !key.ends_with("More")
}

/// Words of an object that are kinds or fixed places, not names.
const FIXED: &[&str] = &[
    "Cluster",
    "Workspace",
    "User",
    "Namespace",
    "InstallPlan",
    "component",
    "ConfigMap",
    "ClusterConfiguration",
    "on",
    "kubesphere-system",
];

/// `Err` says what is wrong with the params of a finding `id` about `cluster` and `object`,
/// whose English title, explanation and fix summary are `text`.
pub fn check(
    id: &str,
    cluster: &str,
    object: Option<&str>,
    text: &[&str],
    params: &BTreeMap<String, String>,
) -> Result<(), String> {
    let all = text.join("\n");
    if params.is_empty() {
        return Err(format!("{id}: no params"));
    }
    for (k, v) in params {
        if v.is_empty() {
            return Err(format!("{id}: param {k} is empty"));
        }
        if in_text(k) && !all.contains(v.as_str()) {
            return Err(format!("{id}: param {k}={v:?} is not in its text: {all}"));
        }
    }
    let named = |name: &str| params.values().any(|v| v == name);
    for word in object.unwrap_or_default().split_whitespace() {
        let word = word.trim_matches(|c| c == '(' || c == ')');
        if !FIXED.contains(&word) && !word.contains('/') && !named(word) {
            return Err(format!(
                "{id}: object {object:?} names {word}, no param holds it"
            ));
        }
    }
    if text.first().is_some_and(|t| t.contains(cluster)) && !named(cluster) {
        return Err(format!(
            "{id}: the title names {cluster}, no param holds it"
        ));
    }
    Ok(())
}
