//! Label selectors (the full set-based grammar) and field selectors (`metadata.name`,
//! `metadata.namespace`, and `status.phase` for namespaces).

use serde_json::Value;

use crate::store::Summary;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<Requirement>);

/// A selector that could not be parsed; the server answers 400 BadRequest with this text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse requirement: {0}")]
pub struct SelectorError(pub String);

impl LabelSelector {
    /// Parses `k=v,k!=v,k in (a,b),k notin (a),k,!k`.
    ///
    /// # Errors
    /// On a malformed requirement.
    pub fn parse(raw: &str) -> Result<Self, SelectorError> {
        let mut reqs = Vec::new();
        for part in split_top_level(raw) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            reqs.push(parse_requirement(part)?);
        }
        Ok(Self(reqs))
    }

    /// Whether an object's labels satisfy every requirement.
    #[must_use]
    pub fn matches(&self, object: &Value) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let labels = object
            .get("metadata")
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object);
        self.matches_with(|k| labels.and_then(|l| l.get(k)).and_then(Value::as_str))
    }

    /// [`LabelSelector::matches`] on the labels a stored object's [`Summary`] holds.
    #[must_use]
    pub fn matches_summary(&self, summary: &Summary) -> bool {
        self.matches_with(|k| summary.label(k))
    }

    /// Whether labels, as `get` reads them, satisfy every requirement.
    fn matches_with<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }

    /// Whether this is the empty selector, which matches everything.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(raw: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in raw.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&raw[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&raw[start..]);
    parts
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 317
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn parse_set(rest: &str, whole: &str) -> Result<Vec<String>, SelectorError> {
    let inner = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| SelectorError(whole.to_owned()))?;
    Ok(inner
        .split(',')
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect())
}

fn parse_requirement(part: &str) -> Result<Requirement, SelectorError> {
    let err = || SelectorError(part.to_owned());
    if let Some(key) = part.strip_prefix('!') {
        let key = key.trim();
        return if valid_key(key) {
            Ok(Requirement::DoesNotExist(key.to_owned()))
        } else {
            Err(err())
        };
    }
    if let Some((k, v)) = part.split_once("!=") {
        return Ok(Requirement::NotEquals(
            checked(k, part)?,
            v.trim().to_owned(),
        ));
    }
    if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(Requirement::Equals(checked(k, part)?, v.trim().to_owned()));
    }
    let mut words = part.splitn(2, char::is_whitespace);
    let key = words.next().unwrap_or_default();
    let rest = words.next().unwrap_or_default().trim_start();
    if rest.is_empty() {
        return Ok(Requirement::Exists(checked(key, part)?));
    }
    if let Some(set) = rest.strip_prefix("notin") {
        return Ok(Requirement::NotIn(
            checked(key, part)?,
            parse_set(set, part)?,
        ));
    }
    if let Some(set) = rest.strip_prefix("in") {
        return Ok(Requirement::In(checked(key, part)?, parse_set(set, part)?));
    }
    Err(err())
}

fn checked(key: &str, whole: &str) -> Result<String, SelectorError> {
    let key = key.trim();
    if valid_key(key) {
        Ok(key.to_owned())
    } else {
        Err(SelectorError(whole.to_owned()))
    }
}

/// A field a field selector can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Namespace,
    /// `status.phase`, namespaces only.
    Phase,
}

impl Field {
    /// The field's value in `object` ("" when absent).
    fn read(self, object: &Value) -> &str {
        let (outer, inner) = match self {
            Self::Name => ("metadata", "name"),
            Self::Namespace => ("metadata", "namespace"),
            Self::Phase => ("status", "phase"),
        };
        object
            .get(outer)
            .and_then(|o| o.get(inner))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// A parsed field selector: `field=value`, `field==value`, `field!=value`, comma = AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(Field, bool, String)>);

impl FieldSelector {
    /// Parses a field selector for a resource of the given kind.
    ///
    /// # Errors
    /// On a malformed term or a field the resource does not support.
    pub fn parse(raw: &str, kind: &str) -> Result<Self, SelectorError> {
        let mut terms = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (f, true, v)
            } else {
                return Err(SelectorError(part.to_owned()));
            };
            let field = match field.trim() {
                "metadata.name" => Field::Name,
                "metadata.namespace" => Field::Namespace,
                "status.phase" if kind == "Namespace" => Field::Phase,
                other => {
                    return Err(SelectorError(format!("field label not supported: {other}")));
                }
            };
            terms.push((field, equal, value.trim().to_owned()));
        }
        Ok(Self(terms))
    }

    /// Whether the object satisfies every term.
    #[must_use]
    pub fn matches(&self, object: &Value) -> bool {
        self.0
            .iter()
            .all(|(field, equal, value)| (field.read(object) == value) == *equal)
    }

    /// Whether this is the empty selector, which matches everything.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ns(labels: Value) -> Value {
        json!({"metadata": {"name": "demo", "labels": labels}, "status": {"phase": "Active"}})
    }

    #[test]
    fn label_grammar() {
        let ws1 = ns(json!({"kubesphere.io/workspace": "ws1", "env": "prod"}));
        let bare = ns(json!({}));
        let cases = [
            ("kubesphere.io/workspace=ws1", true, false),
            ("kubesphere.io/workspace==ws1", true, false),
            ("kubesphere.io/workspace!=ws1", false, true),
            ("kubesphere.io/workspace in (ws1,ws2)", true, false),
            ("kubesphere.io/workspace notin (ws1)", false, true),
            ("kubesphere.io/workspace", true, false),
            ("!kubesphere.io/workspace", false, true),
            (
                "env=prod,kubesphere.io/workspace in (ws2, ws1)",
                true,
                false,
            ),
            ("", true, true),
        ];
        for (sel, want_ws1, want_bare) in cases {
            let s = LabelSelector::parse(sel).unwrap();
            assert_eq!(s.matches(&ws1), want_ws1, "{sel} on ws1");
            assert_eq!(s.matches(&bare), want_bare, "{sel} on bare");
        }
        assert!(LabelSelector::parse("a in b").is_err());
        assert!(LabelSelector::parse("a b c").is_err());
        assert!(LabelSelector::parse("=x").is_err());
    }

    #[test]
    fn field_selectors() {
        let o = ns(json!({}));
        assert!(
            FieldSelector::parse("metadata.name=demo", "Namespace")
                .unwrap()
                .matches(&o)
        );
        assert!(
            !FieldSelector::parse("metadata.name!=demo", "Namespace")
                .unwrap()
                .matches(&o)
        );
        assert!(
            FieldSelector::parse("status.phase=Active", "Namespace")
                .unwrap()
                .matches(&o)
        );
        let err = FieldSelector::parse("spec.foo=1", "ConfigMap").unwrap_err();
        assert!(
            err.to_string()
                .contains("field label not supported: spec.foo")
        );
    }
}
