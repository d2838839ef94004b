//! The vault against a real Secret Service. Runs only with `KSMC_TEST_SECRET_SERVICE=1`, inside
//! a private D-Bus session with a throwaway, unlocked gnome-keyring (never the developer's):
//!
//! ```sh
//! export XDG_DATA_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
//! xvfb-run -a dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock \
//!   --components=secrets --daemonize; KSMC_TEST_SECRET_SERVICE=1 \
//!   cargo test -p ksmc-core --test vault_secret_service'
//! ```

#![cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]

mod vault_common;

use std::sync::Arc;

use ksmc_core::vault::import::{self, ImportSource};
use ksmc_core::vault::{AddOptions, KeyState, KeyringKeyStore, Vault};
use vault_common::*;

fn enabled() -> bool {
    if std::env::var_os("KSMC_TEST_SECRET_SERVICE").is_some_and(|v| v == "1") {
        return true;
    }
    eprintln!("skipped: set KSMC_TEST_SECRET_SERVICE=1 inside a throwaway D-Bus session");
    false
}

const TOKEN: &str = "CANARY-TOKEN-SECRET-SERVICE";

#[test]
fn the_key_lives_in_the_secret_service_and_survives_a_restart() {
    if !enabled() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let vault = Vault::open(root.path(), Arc::new(KeyringKeyStore::platform())).unwrap();
    assert_eq!(vault.store_description(), "Secret Service (D-Bus)");
    let status = vault.status();
    assert_eq!(status.key, KeyState::NotCreated, "{status:?}");
    let prepared = import::prepare(
        &ImportSource::Text(text(&config(https_cluster(), Some(token_user(TOKEN))))),
        None,
    )
    .unwrap();
    vault
        .add(
            &prepared,
            &AddOptions {
                name: Some("real".into()),
                ..AddOptions::default()
            },
        )
        .unwrap();

    // The one entry, read with keyring-core directly: a 44-character key, no canary.
    let store = zbus_secret_service_keyring_store::Store::new().unwrap();
    use keyring_core::api::CredentialStoreApi as _;
    let entry = store.build("ksmc", &account(root.path()), None).unwrap();
    let key = entry.get_password().unwrap();
    assert_eq!(key.len(), 44);
    assert!(!key.contains(TOKEN));

    // Another process (a new connection, nothing cached) opens the cluster.
    drop(vault);
    let vault = Vault::open(root.path(), Arc::new(KeyringKeyStore::platform())).unwrap();
    assert_eq!(vault.status().key, KeyState::Present);
    let stored = vault.kubeconfig("real").unwrap();
    use secrecy::ExposeSecret as _;
    assert_eq!(
        stored.auth_infos[0]
            .auth_info
            .as_ref()
            .unwrap()
            .token
            .as_ref()
            .unwrap()
            .expose_secret(),
        TOKEN
    );
    for (path, bytes) in all_files(root.path()) {
        assert!(!contains(&bytes, TOKEN), "{}", path.display());
    }

    // Deleting the entry locks the cluster; no new key is made over it.
    entry.delete_credential().unwrap();
    let vault = Vault::open(root.path(), Arc::new(KeyringKeyStore::platform())).unwrap();
    assert_eq!(vault.status().key, KeyState::Missing);
    assert_eq!(
        vault
            .add(&prepared, &AddOptions::default())
            .unwrap_err()
            .reason(),
        "key-missing"
    );
    assert!(matches!(
        entry.get_password(),
        Err(keyring_core::Error::NoEntry)
    ));

    // Clean up: an empty vault can forget its key.
    vault.remove("real").unwrap();
    vault.add(&prepared, &AddOptions::default()).unwrap();
    assert!(vault.forget_key().is_err(), "not while a cluster is sealed");
    vault.remove("ctx").unwrap();
    vault.forget_key().unwrap();
    assert!(matches!(
        entry.get_password(),
        Err(keyring_core::Error::NoEntry)
    ));
}
