//! KubeSphere's configuration: `kubesphere.yaml` of `kubesphere-config`, the
//! ClusterConfiguration's components, and the jwtSecret fingerprint.

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::SRC_CONFIG;
use super::model::{Component, EffectiveConfig};
use crate::facts::ClusterRole;

/// The fingerprint ksmc shows for a jwtSecret: the first 12 hex digits of its SHA-256.
/// `None` for an empty secret.
#[must_use]
pub fn fingerprint(secret: &str) -> Option<String> {
    if secret.is_empty() {
        return None;
    }
    let digest = Sha256::digest(secret.as_bytes());
    Some(digest.iter().take(6).map(|b| format!("{b:02x}")).collect())
}

/// Parses a role string as KubeSphere writes it.
#[must_use]
pub fn parse_role(s: Option<&str>) -> ClusterRole {
    match s {
        Some("host") => ClusterRole::Host,
        Some("member") => ClusterRole::Member,
        Some("none" | "") | None => ClusterRole::None,
        Some(_) => ClusterRole::Unknown,
    }
}

/// Reads `kubesphere.yaml` into the facts ksmc keeps. The jwtSecret is hashed and dropped.
///
/// # Errors
/// When the text is not YAML.
pub fn parse_effective_config(yaml: &str) -> Result<EffectiveConfig, String> {
    let doc: Value = serde_saphyr::from_str(yaml)
        .map_err(|_| "kubesphere.yaml in kubesphere-config is not valid YAML".to_owned())?;
    let text = |p: &str| {
        doc.pointer(p)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    // 3.x keeps it under authentication; 4.1 under authentication.issuer.
    let jwt = doc
        .pointer("/authentication/jwtSecret")
        .or_else(|| doc.pointer("/authentication/issuer/jwtSecret"))
        .and_then(Value::as_str)
        .and_then(fingerprint);
    let max_age = doc
        .pointer("/authentication/oauthOptions/accessTokenMaxAge")
        .or_else(|| doc.pointer("/authentication/issuer/accessTokenMaxAge"))
        .and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
    Ok(EffectiveConfig {
        cluster_role: parse_role(
            doc.pointer("/multicluster/clusterRole")
                .and_then(Value::as_str),
        ),
        multicluster_enabled: doc
            .pointer("/multicluster/enable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        jwt_fingerprint: jwt,
        access_token_max_age: max_age,
        recorded_name: text("/multicluster/clusterName"),
        host_cluster_name: text("/multicluster/hostClusterName"),
        source: SRC_CONFIG.to_owned(),
    })
}

/// Whether an `accessTokenMaxAge` means "never expires" (what a member needs).
#[must_use]
pub fn is_zero_duration(v: &str) -> bool {
    let digits = v.trim().trim_end_matches(|c: char| c.is_ascii_alphabetic());
    !digits.is_empty() && digits.chars().all(|c| c == '0' || c == '.')
}

/// Components from a ClusterConfiguration: `<x>.enabled` in spec, `status.<x>.status`.
#[must_use]
pub fn components(cc: &Value) -> Vec<Component> {
    let spec = cc.get("spec").cloned().unwrap_or_default();
    let status = cc.get("status").cloned().unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    if let Some(map) = spec.as_object() {
        for (k, v) in map {
            if v.get("enabled").and_then(Value::as_bool).is_some() {
                names.push(k.clone());
            }
        }
    }
    if spec.pointer("/openpitrix/store/enabled").is_some() {
        names.push("openpitrix".into());
    }
    if let Some(map) = status.as_object() {
        for (k, v) in map {
            if v.get("status").is_some() && k != "core" {
                names.push(k.clone());
            }
        }
    }
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let configured = if name == "openpitrix" {
                spec.pointer("/openpitrix/store/enabled")
                    .and_then(Value::as_bool)
                    == Some(true)
            } else if name == "monitoring" {
                // Always installed in 3.4 (no switch of its own).
                spec.pointer("/monitoring/enabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(true)
            } else {
                spec.pointer(&format!("/{name}/enabled"))
                    .and_then(Value::as_bool)
                    == Some(true)
            };
            let installed = status
                .pointer(&format!("/{name}/status"))
                .and_then(Value::as_str)
                == Some("enabled");
            Component {
                name,
                configured,
                installed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "authentication:\n  jwtSecret: hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd\n  oauthOptions:\n    accessTokenMaxAge: 0\nmulticluster:\n  clusterRole: member\n  enable: false\n  clusterName: member1\n";

    #[test]
    fn effective_config_keeps_a_fingerprint_not_the_secret() {
        let c = parse_effective_config(YAML).unwrap();
        assert_eq!(c.cluster_role, ClusterRole::Member);
        assert!(!c.multicluster_enabled);
        assert_eq!(c.access_token_max_age.as_deref(), Some("0"));
        assert_eq!(c.recorded_name.as_deref(), Some("member1"));
        let fp = c.jwt_fingerprint.clone().unwrap();
        assert_eq!(fp.len(), 12);
        assert_eq!(
            Some(fp.clone()),
            fingerprint("hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd")
        );
        assert_ne!(Some(fp), fingerprint("Qm4tZx8RkVb2Lw6NcYp0Hs3JfAe9GdUo"));
        let shown = format!("{c:?} {}", serde_json::to_string(&c).unwrap());
        assert!(!shown.contains("hUsPzb"), "{shown}");
        assert_eq!(fingerprint(""), None);
    }

    #[test]
    fn host_config_and_bad_yaml() {
        let c = parse_effective_config(
            "authentication:\n  jwtSecret: x\n  oauthOptions:\n    accessTokenMaxAge: 2h\nmulticluster:\n  clusterRole: host\n  enable: true\n",
        )
        .unwrap();
        assert_eq!(c.cluster_role, ClusterRole::Host);
        assert!(c.multicluster_enabled);
        assert_eq!(c.access_token_max_age.as_deref(), Some("2h"));
        let err = parse_effective_config("authentication: [jwtSecret: secret-canary").unwrap_err();
        assert!(!err.contains("canary"));
    }

    #[test]
    fn zero_durations() {
        for z in ["0", "0s", "0h"] {
            assert!(is_zero_duration(z), "{z}");
        }
        for nz in ["2h", "1", "30m", ""] {
            assert!(!is_zero_duration(nz), "{nz}");
        }
    }

    #[test]
    fn components_configured_and_installed() {
        let cc = serde_json::json!({
            "spec": {"openpitrix": {"store": {"enabled": true}}, "devops": {"enabled": true},
                     "logging": {"enabled": false}, "monitoring": {}},
            "status": {"core": {"status": "enabled"}, "monitoring": {"status": "enabled"},
                       "logging": {"status": "enabled"}},
        });
        let c = components(&cc);
        let get = |n: &str| c.iter().find(|x| x.name == n).cloned().unwrap();
        assert_eq!(
            get("openpitrix"),
            Component {
                name: "openpitrix".into(),
                configured: true,
                installed: false
            }
        );
        assert_eq!(
            get("devops"),
            Component {
                name: "devops".into(),
                configured: true,
                installed: false
            }
        );
        assert_eq!(
            get("logging"),
            Component {
                name: "logging".into(),
                configured: false,
                installed: true
            }
        );
        assert!(get("monitoring").configured && get("monitoring").installed);
        assert!(c.iter().all(|x| x.name != "core"));
    }
}
