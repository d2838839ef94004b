//! Refusal rules: server URLs, and exec plugins (API version, command, environment).

use std::collections::HashMap;
use std::path::Path;

use kube::config::ExecConfig;

use super::{EXEC_API_VERSIONS, ExecSummary, ImportError, LoadedKubeconfig};

/// Environment variables an exec plugin may not set: they change what gets loaded or run.
const DENIED_ENV_NAMES: [&str; 16] = [
    "PATH",
    "NODE_OPTIONS",
    "NODE_PATH",
    "BASH_ENV",
    "ENV",
    "RUBYOPT",
    "RUBYLIB",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "GCONV_PATH",
    "IFS",
    "SHELLOPTS",
    "PS4",
    "PROMPT_COMMAND",
    "GIT_EXEC_PATH",
];
const DENIED_ENV_PREFIXES: [&str; 4] = ["LD_", "DYLD_", "PYTHON", "PERL"];

impl LoadedKubeconfig {
    pub(super) fn check_exec(
        &self,
        user_name: &str,
        exec: &ExecConfig,
    ) -> Result<(ExecConfig, ExecSummary), ImportError> {
        let user = || user_name.to_owned();
        let version = exec.api_version.clone().unwrap_or_default();
        if !EXEC_API_VERSIONS.contains(&version.as_str()) {
            return Err(ImportError::ExecApiVersion {
                user: user(),
                version,
            });
        }
        let command = exec
            .command
            .clone()
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| ImportError::ExecNoCommand { user: user() })?;
        let has_separator = command.contains('/') || command.contains(std::path::MAIN_SEPARATOR);
        if has_separator && Path::new(&command).is_relative() {
            // Files have had their relative commands resolved; only pasted text gets here.
            return Err(ImportError::ExecRelativeCommand { user: user() });
        }
        let mut env_names = Vec::new();
        let mut denied = Vec::new();
        for entry in exec.env.iter().flatten() {
            let name = entry
                .get("name")
                .filter(|n| !n.is_empty())
                .ok_or_else(|| ImportError::ExecEnvMalformed { user: user() })?;
            if !entry.contains_key("value") {
                return Err(ImportError::ExecEnvMalformed { user: user() });
            }
            if is_denied_env(name) {
                denied.push(name.clone());
            }
            env_names.push(name.clone());
        }
        if !denied.is_empty() {
            return Err(ImportError::ExecEnv {
                user: user(),
                names: denied,
            });
        }
        let minimal = ExecConfig {
            api_version: Some(version.clone()),
            command: Some(command.clone()),
            args: exec.args.clone(),
            env: exec.env.as_ref().map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        e.iter()
                            .filter(|(k, _)| *k == "name" || *k == "value")
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect::<HashMap<_, _>>()
                    })
                    .collect()
            }),
            drop_env: None,
            install_hint: exec.install_hint.clone(),
            interactive_mode: exec.interactive_mode.clone(),
            provide_cluster_info: exec.provide_cluster_info,
            cluster: None,
            other: Default::default(),
        };
        let arg_count = u32::try_from(exec.args.as_ref().map_or(0, Vec::len)).unwrap_or(u32::MAX);
        Ok((
            minimal,
            ExecSummary {
                command,
                api_version: version,
                arg_count,
                env_names,
            },
        ))
    }
}

fn is_denied_env(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    DENIED_ENV_NAMES.contains(&upper.as_str())
        || DENIED_ENV_PREFIXES.iter().any(|p| upper.starts_with(p))
}

/// Whether a server URL may be shown (no userinfo, query or fragment that could hold secrets).
pub(super) fn server_is_displayable(server: &str) -> bool {
    !server.contains('@') && !server.contains('?') && !server.contains('#')
}

pub(super) fn check_server(cluster: &str, server: &str) -> Result<(), ImportError> {
    let cluster = || cluster.to_owned();
    let server = server.trim();
    let Some((scheme, rest)) = server.split_once("://") else {
        return Err(ImportError::BadServerUrl { cluster: cluster() });
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.contains('@') {
        return Err(ImportError::ServerUserinfo { cluster: cluster() });
    }
    if rest.contains('?') || rest.contains('#') {
        return Err(ImportError::ServerQueryOrFragment { cluster: cluster() });
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(ImportError::UnsupportedScheme {
            cluster: cluster(),
            scheme: scheme.chars().take(16).collect(),
        });
    }
    if authority.is_empty()
        || authority
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ImportError::BadServerUrl { cluster: cluster() });
    }
    let host = host_of(authority);
    if scheme == "http" && !is_loopback(host) {
        return Err(ImportError::PlainHttp {
            cluster: cluster(),
            host: host.to_owned(),
        });
    }
    Ok(())
}

/// The host of an authority (`[::1]:6443` → `::1`, `10.0.0.1:6443` → `10.0.0.1`).
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority.rsplit_once(':').map_or(authority, |(h, _)| h)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls() {
        assert!(check_server("c", "https://10.0.0.1:6443").is_ok());
        assert!(check_server("c", "https://k8s.example.com").is_ok());
        assert!(check_server("c", "http://127.0.0.1:8080").is_ok());
        assert!(check_server("c", "http://[::1]:8080").is_ok());
        assert!(check_server("c", "http://localhost:8080/").is_ok());
        assert_eq!(
            check_server("c", "http://10.0.0.1:8080")
                .unwrap_err()
                .reason(),
            "plain-http"
        );
        assert_eq!(
            check_server("c", "https://u:p@10.0.0.1")
                .unwrap_err()
                .reason(),
            "server-userinfo"
        );
        assert_eq!(
            check_server("c", "http://u:p@10.0.0.1")
                .unwrap_err()
                .reason(),
            "server-userinfo"
        );
        assert_eq!(
            check_server("c", "https://h/?token=x")
                .unwrap_err()
                .reason(),
            "server-query-or-fragment"
        );
        assert_eq!(
            check_server("c", "ftp://h").unwrap_err().reason(),
            "unsupported-scheme"
        );
        assert_eq!(
            check_server("c", "h:6443").unwrap_err().reason(),
            "bad-server-url"
        );
    }

    #[test]
    fn denied_env_names() {
        for n in [
            "LD_PRELOAD",
            "ld_library_path",
            "DYLD_INSERT_LIBRARIES",
            "PATH",
            "PYTHONPATH",
            "NODE_OPTIONS",
            "BASH_ENV",
            "PERL5LIB",
        ] {
            assert!(is_denied_env(n), "{n}");
        }
        for n in ["AWS_PROFILE", "KUBECONFIG_X", "HOME", "MY_PATH"] {
            assert!(!is_denied_env(n), "{n}");
        }
    }
}
