//! Supply-chain rules read from the workspace's Cargo.lock: no YAML parser other than kube's
//! (serde_yaml and serde_yml are unmaintained or unsound), and Tauri at a 2.x release with the
//! fix for CVE-2026-42184 (≥ 2.11.1), not the 3.0 alphas.

fn lock() -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
    let text = std::fs::read_to_string(path).expect("Cargo.lock");
    let mut out = Vec::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_owned());
        } else if let Some(v) = line.strip_prefix("version = ")
            && let Some(n) = name.take()
        {
            out.push((n, v.trim_matches('"').to_owned()));
        }
    }
    out
}

fn version(v: &str) -> (u64, u64, u64) {
    let core = v.split(['-', '+']).next().unwrap_or(v);
    let mut parts = core.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

#[test]
fn no_banned_yaml_crates() {
    let packages = lock();
    assert!(packages.len() > 100, "Cargo.lock was read");
    for banned in ["serde_yaml", "serde_yml"] {
        assert!(
            !packages.iter().any(|(n, _)| n == banned),
            "{banned} is in Cargo.lock"
        );
    }
}

#[test]
fn tauri_is_a_patched_2x() {
    let tauri: Vec<_> = lock().into_iter().filter(|(n, _)| n == "tauri").collect();
    assert_eq!(tauri.len(), 1, "{tauri:?}");
    let v = version(&tauri[0].1);
    assert!(
        v.0 == 2 && (v.1, v.2) >= (11, 1),
        "tauri {} is not 2.x ≥ 2.11.1",
        tauri[0].1
    );
    assert!(!tauri[0].1.contains('-'), "a pre-release: {}", tauri[0].1);
}
