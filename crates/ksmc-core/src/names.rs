//! Kubernetes name rules (apimachinery's `IsDNS1123Label` / `IsDNS1123Subdomain`), checked
//! in core before any request so that a bad name is a field error, not a 422 half-way
//! through a workflow.

use crate::error::{AppError, ErrorKind};

/// Longest DNS-1123 label (namespace, workspace and cluster names).
pub const LABEL_MAX: usize = 63;
/// Longest DNS-1123 subdomain.
pub const SUBDOMAIN_MAX: usize = 253;

fn label_ok(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= LABEL_MAX
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// Checks a DNS-1123 label: at most 63 lowercase ASCII letters, digits and `-`, starting and
/// ending with a letter or digit. `what` names the field in the error ("namespace", …).
///
/// # Errors
/// [`ErrorKind::Invalid`] naming the field and the rule broken.
pub fn check_label(what: &str, name: &str) -> Result<(), AppError> {
    if label_ok(name) {
        return Ok(());
    }
    Err(AppError::new(
        ErrorKind::Invalid,
        format!(
            "{what} {name:?} is not a valid name: use at most {LABEL_MAX} lowercase letters, digits and '-', starting and ending with a letter or digit"
        ),
    ))
}

/// Checks a DNS-1123 subdomain: dot-separated labels, at most 253 characters.
///
/// # Errors
/// [`ErrorKind::Invalid`] naming the field and the rule broken.
pub fn check_subdomain(what: &str, name: &str) -> Result<(), AppError> {
    if name.len() <= SUBDOMAIN_MAX && name.split('.').all(label_ok) {
        return Ok(());
    }
    Err(AppError::new(
        ErrorKind::Invalid,
        format!(
            "{what} {name:?} is not a valid name: use at most {SUBDOMAIN_MAX} lowercase letters, digits, '-' and '.'"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_apimachinery() {
        for ok in ["a", "ws-apps", "prod-1", "0abc", &"a".repeat(63)] {
            assert!(check_label("namespace", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "A",
            "a_b",
            "a.b",
            "ѕcratch", // Cyrillic look-alike
            &"a".repeat(64),
        ] {
            let e = check_label("namespace", bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Invalid);
            assert!(e.message.starts_with("namespace "), "{}", e.message);
        }
    }

    #[test]
    fn subdomains_allow_dots_not_empty_labels() {
        assert!(check_subdomain("cluster", "a.b-c.d").is_ok());
        assert!(check_subdomain("cluster", "a..b").is_err());
        assert!(check_subdomain("cluster", &"a".repeat(254)).is_err());
    }
}
