//! Hardening: every command is declared in build.rs and granted by exactly one permission,
//! the CSP forbids eval and remote content, and devtools stay off.

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn commands_in_source() -> Vec<String> {
    // Commands live in commands.rs and in small modules of their own (bench.rs, live.rs).
    let src = read("src/commands.rs") + &read("src/bench.rs") + &read("src/live.rs");
    let mut names = Vec::new();
    let mut lines = src.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[tauri::command]" {
            for next in lines.by_ref() {
                if let Some(rest) = next
                    .trim()
                    .strip_prefix("pub async fn ")
                    .or_else(|| next.trim().strip_prefix("pub fn "))
                {
                    names.push(rest.split('(').next().unwrap().to_owned());
                    break;
                }
            }
        }
    }
    names
}

#[test]
fn every_command_is_declared_and_permitted() {
    let commands = commands_in_source();
    assert!(!commands.is_empty());
    let build = read("build.rs");
    let caps: serde_json::Value = serde_json::from_str(&read("capabilities/default.json")).unwrap();
    let perms: Vec<&str> = caps["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for c in &commands {
        assert!(
            build.contains(&format!("\"{c}\"")),
            "{c} not declared in build.rs"
        );
        let perm = format!("allow-{}", c.replace('_', "-"));
        assert!(perms.contains(&perm.as_str()), "{c} not granted ({perm})");
    }
    // Plugin permissions (`plugin:perm`): only opening the native file dialog; never the
    // shell, fs or http plugins, nor a plugin's default set.
    let (plugins, own): (Vec<&str>, Vec<&str>) = perms.iter().partition(|p| p.contains(':'));
    assert_eq!(plugins, ["dialog:allow-open"], "plugin permissions");
    assert_eq!(
        own.len(),
        commands.len(),
        "capability grants only the app's commands: {perms:?}"
    );
}

#[test]
fn csp_is_strict_and_devtools_are_off() {
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let csp = &conf["app"]["security"]["csp"];
    let all: String = csp
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    for token in all.split_whitespace() {
        let remote = (token.starts_with("http:") && token != "http://ipc.localhost")
            || token.starts_with("https:")
            || token == "*";
        let unsafe_source = token == "'unsafe-eval'" || token == "'unsafe-inline'";
        assert!(!remote && !unsafe_source, "CSP allows {token}: {all}");
    }
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
    for w in conf["app"]["windows"].as_array().unwrap() {
        assert_ne!(w["devtools"], true);
    }
    assert_eq!(conf["app"]["withGlobalTauri"], false);
}
