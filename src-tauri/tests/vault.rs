//! The vault commands' adapter over ksmc-core's vault: list, rename, remove and exec review
//! with their errors as data, and no secret in any payload that would cross the IPC boundary.
//! The key lives in an in-memory store: no test touches a real keyring.

use std::sync::Arc;

use ksmc_core::ErrorKind;
use ksmc_core::vault::{
    AddOptions, ClusterState, ImportSource, KeyState, LoadedKubeconfig, MemoryKeyStore, Vault,
};
use ksmc_desktop_lib::state::{AppState, EstateChoice};

const TOKEN: &str = "canary-token-5f2c9d1e7a";
const EXEC_ARG: &str = "canary-exec-arg-81b3";

fn kubeconfig(name: &str, user: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: {name}\nclusters:\n- name: {name}\n  cluster:\n    server: https://127.0.0.1:6443\ncontexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: {name}\nusers:\n- name: {name}\n  user:\n{user}"
    )
}

fn add(vault: &Vault, yaml: &str, name: &str) {
    let loaded = LoadedKubeconfig::load(&ImportSource::Text(yaml.to_owned())).unwrap();
    let prepared = loaded.prepare(None).unwrap();
    vault
        .add(
            &prepared,
            &AddOptions {
                name: Some(name.to_owned()),
                ..AddOptions::default()
            },
        )
        .unwrap();
}

async fn state_with_vault() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::open(dir.path(), Arc::new(MemoryKeyStore::new())).unwrap();
    add(
        &vault,
        &kubeconfig("prod", &format!("    token: {TOKEN}\n")),
        "prod",
    );
    add(
        &vault,
        &kubeconfig(
            "eks",
            &format!(
                "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/true\n      args: [\"{EXEC_ARG}\"]\n"
            ),
        ),
        "eks",
    );
    let state = AppState::open(EstateChoice::Directory(dir.path().join("estate")))
        .await
        .unwrap()
        .using_vault(vault);
    (dir, state)
}

fn assert_no_secret(payload: &impl serde::Serialize) {
    let text = serde_json::to_string(payload).unwrap();
    assert!(!text.contains(TOKEN), "token in payload: {text}");
    assert!(!text.contains(EXEC_ARG), "exec argument in payload: {text}");
}

#[tokio::test]
async fn list_shows_records_states_and_the_keyring_without_secrets() {
    let (_dir, state) = state_with_vault().await;
    let listing = state.with_vault(|v| v.list()).await.unwrap();
    assert_eq!(listing.status.key, KeyState::Present);
    assert!(
        listing.status.session_only,
        "the memory store is not persistent"
    );
    assert_eq!(listing.status.clusters, 2);
    let names: Vec<_> = listing
        .clusters
        .iter()
        .map(|c| c.record.name.as_str())
        .collect();
    assert_eq!(names, ["prod", "eks"]);
    assert_eq!(listing.clusters[0].state, ClusterState::Ready);
    assert_eq!(listing.clusters[1].state, ClusterState::ApprovalRequired);
    assert_no_secret(&listing);

    let review = state.with_vault(|v| v.exec_review("eks")).await.unwrap();
    assert_eq!(review.command, "/bin/true");
    assert_eq!(review.arg_count, 1);
    assert!(!review.approved);
    assert_no_secret(&review);

    let fingerprint = review.fingerprint.clone().unwrap();
    let approved = state
        .with_vault(move |v| v.approve_exec("eks", &fingerprint))
        .await
        .unwrap();
    assert!(approved.exec.unwrap().approval.is_some());
    let listing = state.with_vault(|v| v.list()).await.unwrap();
    assert_eq!(listing.clusters[1].state, ClusterState::Ready);
}

#[tokio::test]
async fn rename_and_remove_report_errors_by_kind() {
    let (dir, state) = state_with_vault().await;

    let renamed = state
        .with_vault(|v| v.rename("prod", "production"))
        .await
        .unwrap();
    assert_eq!(renamed.name, "production");
    assert_no_secret(&renamed);

    let taken = state
        .with_vault(|v| v.rename("eks", "production"))
        .await
        .unwrap_err();
    assert_eq!(taken.kind, ErrorKind::Conflict);
    let invalid = state
        .with_vault(|v| v.rename("eks", "Not A Name"))
        .await
        .unwrap_err();
    assert_eq!(invalid.kind, ErrorKind::Invalid);
    let missing = state.with_vault(|v| v.remove("prod")).await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    for e in [&taken, &invalid, &missing] {
        assert_no_secret(e);
    }

    let removed = state.with_vault(|v| v.remove("production")).await.unwrap();
    assert_eq!(removed.name, "production");
    let listing = state.with_vault(|v| v.list()).await.unwrap();
    assert_eq!(listing.clusters.len(), 1);
    // The sealed file is gone with the record.
    let sealed = dir
        .path()
        .join("vault/clusters")
        .join(format!("{}.sealed", removed.id));
    assert!(!sealed.exists());
}

#[tokio::test]
async fn the_estate_info_reads_no_cluster() {
    let (dir, state) = state_with_vault().await;
    let info = state.estate_info();
    assert_eq!(info.source, ksmc_core::EstateSource::Directory);
    assert_eq!(info.label, dir.path().join("estate").display().to_string());
}

#[tokio::test]
async fn add_from_pasted_text_returns_no_secret_and_gates_acknowledgements() {
    use ksmc_core::vault::Acknowledgement;
    use ksmc_desktop_lib::import::{self, AddChoice, KubeconfigSource};

    const PASTE_TOKEN: &str = "canary-paste-token-3e7b0c";
    let (_dir, state) = state_with_vault().await;
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: a\n  cluster:\n    server: https://127.0.0.1:6443\n- name: b\n  cluster:\n    server: https://127.0.0.2:6443\n    insecure-skip-tls-verify: true\n- name: c\n  cluster:\n    server: http://10.1.2.3:80\ncontexts:\n- name: a\n  context:\n    cluster: a\n    user: u\n- name: b\n  context:\n    cluster: b\n    user: u\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    token: {PASTE_TOKEN}\n"
    );
    let source = KubeconfigSource::Text { text };
    assert!(!format!("{source:?}").contains(PASTE_TOKEN));

    let preview = import::contexts(&source).unwrap();
    let json = serde_json::to_string(&preview).unwrap();
    assert!(!json.contains(PASTE_TOKEN), "token in the preview: {json}");
    let by = |n: &str| preview.contexts.iter().find(|c| c.name == n).unwrap();
    assert!(by("a").refusal.is_none() && by("a").needs_acknowledgement.is_empty());
    assert_eq!(
        by("b").needs_acknowledgement,
        vec![Acknowledgement::InsecureSkipTlsVerify]
    );
    assert_eq!(by("c").refusal.as_ref().unwrap().reason, "plain-http");

    let choices = vec![
        AddChoice {
            context: "a".into(),
            name: "alpha".into(),
        },
        AddChoice {
            context: "b".into(),
            name: "beta".into(),
        },
    ];
    // Without the acknowledgement, b is refused and a is added.
    let src = source.clone();
    let ch = choices.clone();
    let outcomes = state
        .with_vault(move |v| import::add(v, &src, &ch, &[]))
        .await
        .unwrap();
    let json = serde_json::to_string(&outcomes).unwrap();
    assert!(!json.contains(PASTE_TOKEN), "token in the outcome: {json}");
    assert!(outcomes[0].record.is_some());
    assert_eq!(
        outcomes[1].refusal.as_ref().unwrap().reason,
        "needs-acknowledgement"
    );

    // Acknowledged, b is added.
    let src = source.clone();
    let ch = vec![choices[1].clone()];
    let outcomes = state
        .with_vault(move |v| import::add(v, &src, &ch, &[Acknowledgement::InsecureSkipTlsVerify]))
        .await
        .unwrap();
    let json = serde_json::to_string(&outcomes).unwrap();
    assert!(!json.contains(PASTE_TOKEN), "token in the outcome: {json}");
    assert_eq!(outcomes[0].record.as_ref().unwrap().name, "beta");

    let listing = state.with_vault(|v| v.list()).await.unwrap();
    let json = serde_json::to_string(&listing).unwrap();
    assert!(!json.contains(PASTE_TOKEN), "token in the listing: {json}");
    assert_eq!(listing.status.clusters, 4);

    // A name already taken is refused with its reason, and errors carry no secret either.
    let src = source.clone();
    let outcomes = state
        .with_vault(move |v| import::add(v, &src, &[choices[0].clone()], &[]))
        .await
        .unwrap();
    assert_eq!(outcomes[0].refusal.as_ref().unwrap().reason, "name-taken");
    assert!(
        !serde_json::to_string(&outcomes)
            .unwrap()
            .contains(PASTE_TOKEN)
    );
}
