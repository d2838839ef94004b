//! Every finding of ksmc-sim's scenarios carries the language-neutral params its English text
//! names (`params_check`), so does every import preflight check, and `ui/src/features/fleet/findings.fixture.json` holds those real
//! findings with each id's declared params, for the UI's translation tests;
//! `ui/src/features/workflows/preflight.fixture.json` likewise holds one real check of each form
//! the scenarios reach, with each check id's declared params.
//! `KSMC_UPDATE_FIXTURES=1` rewrites the fixture; otherwise this test fails when it is stale
//! (ids, declared params and variants, and each finding's id, cluster, object and param keys;
//! values such as UIDs and fingerprints differ from run to run).

mod params_check;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ksmc_core::fleet::findings::{IDS, PARAMS, VARIANT};
use ksmc_core::fleet::preflight::{CHECK_IDS, CHECK_PARAMS};
use ksmc_core::fleet::{Finding, FleetReport, inspect_dir, preflight, source_in_dir};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use serde_json::{Value, json};

async fn inspect(scenario: &Scenario, done: impl Fn(&FleetReport) -> bool) -> Vec<Finding> {
    let estate = Estate::start(scenario, &EstateOptions::default())
        .await
        .expect("estate starts");
    let dir = tempfile::tempdir().expect("tempdir");
    estate.write_dir(dir.path()).expect("kubeconfigs written");
    let mut last = None;
    for _ in 0..100 {
        let report = inspect_dir(dir.path()).await.expect("estate read");
        if done(&report) {
            estate.shutdown().await;
            return report.findings;
        }
        last = Some(report);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the estate never settled: {last:#?}");
}

fn has(report: &FleetReport, ids: &[&str]) -> bool {
    ids.iter()
        .all(|id| report.findings.iter().any(|f| f.id == *id))
}

/// What the check compares: a finding without its run-dependent values.
fn shape(f: &Value) -> Value {
    let params = f["params"].as_object().expect("params");
    json!({
        "id": f["id"],
        "cluster": f["cluster"],
        "object": f["object"],
        "keys": params.keys().collect::<Vec<_>>(),
        "variant": params.get(VARIANT),
    })
}

fn shapes(fixture: &Value) -> Value {
    let findings = fixture["findings"].as_array().expect("findings");
    json!({
        "ids": fixture["ids"],
        "params": fixture["params"],
        "findings": findings.iter().map(shape).collect::<Vec<_>>(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_findings_carry_their_params_and_the_ui_fixture_is_current() {
    let mut all = inspect(&Scenario::misconfigured(), |r| {
        has(r, &["jwt-mismatch", "role-none", "workspace-conflict"])
    })
    .await;
    all.extend(inspect(&Scenario::fresh(), |r| has(r, &["role-none"])).await);
    all.extend(
        inspect(&Scenario::by_name("v4").unwrap(), |r| {
            has(r, &["extension-failed", "member-local-workspace"])
        })
        .await,
    );
    assert!(all.len() >= 9, "{all:#?}");
    for f in &all {
        let text = [f.title.as_str(), &f.explanation, &f.fix.summary];
        params_check::check(&f.id, &f.cluster, f.object.as_deref(), &text, &f.params)
            .unwrap_or_else(|e| panic!("{e}\n{f:#?}"));
    }
    // No secret: the jwtSecret finding speaks of fingerprints (12 hex digits) only.
    let jwt = all.iter().find(|f| f.id == "jwt-mismatch").unwrap();
    for k in ["fingerprint", "hostFingerprint"] {
        let fp = &jwt.params[k];
        assert!(
            fp.len() == 12 && fp.chars().all(|c| c.is_ascii_hexdigit()),
            "{k}={fp}"
        );
    }

    let fixture = json!({
        "ids": IDS,
        "params": declared(PARAMS),
        "findings": all,
    });
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/src/features/fleet/findings.fixture.json");
    let Some(stored) = write_or_read(&path, &fixture) else {
        return;
    };
    assert_eq!(
        shapes(&stored),
        shapes(&fixture),
        "{} is stale: run KSMC_UPDATE_FIXTURES=1 cargo test -p ksmc-core --test fleet_params",
        path.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_preflight_check_carries_its_form_and_the_values_its_message_names() {
    let ids: Vec<&str> = CHECK_PARAMS.iter().map(|(id, ..)| *id).collect();
    assert_eq!(ids, CHECK_IDS);
    let mut forms = std::collections::BTreeSet::new();
    // One real check of each form, for the UI's fixture.
    let mut examples = std::collections::BTreeMap::new();
    for (scenario, pairs) in [
        (
            Scenario::misconfigured(),
            &["m-role", "m-jwt", "m-plain", "m-dirty", "m-renamed"][..],
        ),
        (Scenario::fresh(), &["member-1"][..]),
        (Scenario::fresh_v4(), &["member-1"][..]),
    ] {
        let estate = Estate::start(&scenario, &EstateOptions::default())
            .await
            .expect("estate starts");
        let dir = tempfile::tempdir().expect("tempdir");
        estate.write_dir(dir.path()).expect("kubeconfigs written");
        let host = source_in_dir(dir.path(), "host").unwrap();
        for member in pairs {
            let m = source_in_dir(dir.path(), member).unwrap();
            // Under its own name, and under another one (name-free, recorded-name).
            for name in [None, Some("other-name")] {
                let report = preflight(&host, &m, name).await;
                for c in &report.checks {
                    let form = c.params.get(VARIANT).unwrap_or_else(|| panic!("{c:#?}"));
                    forms.insert(format!("{}/{form}", c.id));
                    examples
                        .entry(format!("{}/{form}", c.id))
                        .or_insert_with(|| c.clone());
                    let text = format!(
                        "{}\n{}",
                        c.message,
                        c.fix.as_ref().map_or("", |f| f.summary.as_str())
                    );
                    for (k, v) in &c.params {
                        assert!(
                            k == VARIANT || v.is_empty() || text.contains(v.as_str()),
                            "{}: param {k}={v:?} is not in its text: {text}",
                            c.id
                        );
                    }
                }
            }
        }
        estate.shutdown().await;
    }
    // The forms these estates reach, at least.
    let reached = [
        "connection/direct",
        "host/pass",
        "kubeconfig/pass",
        "not-imported/pass",
        "name-free/pass",
        "member-role/fail",
        "member-role/skipV4",
        "jwt-secret/fail",
        "jwt-secret/pass",
        "kubesphere-version/missing",
        "kubesphere-version/installsV4",
        "clean-member/conflicts",
        "recorded-name/fail",
    ];
    for form in reached {
        assert!(forms.contains(form), "{form} not reached: {forms:?}");
    }

    let fixture = json!({
        "ids": CHECK_IDS,
        "params": declared(CHECK_PARAMS),
        "checks": examples.values().collect::<Vec<_>>(),
    });
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/src/features/workflows/preflight.fixture.json");
    let Some(stored) = write_or_read(&path, &fixture) else {
        return;
    };
    let stale = format!(
        "{} is stale: run KSMC_UPDATE_FIXTURES=1 cargo test -p ksmc-core --test fleet_params",
        path.display()
    );
    // The declarations exactly; the checks only as far as they are stable from run to run
    // (the forms every run reaches).
    assert_eq!(stored["ids"], fixture["ids"], "{stale}");
    assert_eq!(stored["params"], fixture["params"], "{stale}");
    let stored_forms: std::collections::BTreeSet<String> = stored["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            format!(
                "{}/{}",
                c["id"].as_str().unwrap_or(""),
                c["params"][VARIANT].as_str().unwrap_or("")
            )
        })
        .collect();
    for form in reached {
        assert!(stored_forms.contains(form), "{form}: {stale}");
    }
}

/// Each id's declared param keys and variants, as the UI's tests read them.
fn declared(table: &[(&str, &[&str], &[&str])]) -> serde_json::Map<String, Value> {
    table
        .iter()
        .map(|(id, keys, variants)| {
            (
                (*id).to_owned(),
                json!({"keys": keys, "variants": variants}),
            )
        })
        .collect()
}

/// With `KSMC_UPDATE_FIXTURES` set, writes `fixture` to `path` (and gives `None`); otherwise
/// the stored fixture, to compare with it.
fn write_or_read(path: &Path, fixture: &Value) -> Option<Value> {
    if std::env::var_os("KSMC_UPDATE_FIXTURES").is_some() {
        let text = serde_json::to_string_pretty(fixture).unwrap() + "\n";
        std::fs::write(path, text).expect("fixture written");
        return None;
    }
    let text =
        std::fs::read_to_string(path).expect("the fixture (KSMC_UPDATE_FIXTURES=1 writes it)");
    Some(serde_json::from_str(&text).expect("fixture is JSON"))
}
