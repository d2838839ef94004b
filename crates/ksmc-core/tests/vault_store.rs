//! The vault's storage rules: one key per installation in the keyring, sealed files bound to
//! their cluster, atomic private writes, no new key over sealed clusters, keyring failures as
//! `KeyringUnavailable` with nothing written, calls serialised with a deadline.

mod vault_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ksmc_core::vault::import::{self, ImportSource};
use ksmc_core::vault::{
    AddOptions, ClusterState, KeyState, KeyStore, KeyringCause, KeyringError, MemoryKeyStore,
    Vault, VaultError,
};
use ksmc_core::{AppError, ErrorKind};
use serde_json::json;
use vault_common::*;
use zeroize::Zeroizing;

fn prepared(token: &str) -> import::PreparedImport {
    import::prepare(
        &ImportSource::Text(text(&config(https_cluster(), Some(token_user(token))))),
        None,
    )
    .unwrap()
}

fn named(name: &str) -> AddOptions {
    AddOptions {
        name: Some(name.into()),
        ..AddOptions::default()
    }
}

fn sealed_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(root.join("vault/clusters"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

#[test]
fn one_key_entry_seals_every_cluster_and_survives_a_restart() {
    let root = tempfile::tempdir().unwrap();
    let mock = mock_store();
    let vault = Vault::open(root.path(), mock_keyring(&mock)).unwrap();
    assert_eq!(vault.status().key, KeyState::NotCreated);
    vault.add(&prepared("token-one"), &named("one")).unwrap();
    vault.add(&prepared("token-two"), &named("two")).unwrap();

    // One entry, holding a 44-character base64 key.
    let entry = mock_entry(&mock, root.path());
    let key = entry.get_password().unwrap();
    assert_eq!(key.len(), 44);
    use keyring_core::api::CredentialStoreApi as _;
    assert_eq!(
        mock.search(&std::collections::HashMap::new())
            .unwrap()
            .len(),
        1
    );

    // A new process (new store connection) reads both back.
    drop(vault);
    let vault = Vault::open(root.path(), mock_keyring(&mock)).unwrap();
    let status = vault.status();
    assert_eq!(status.key, KeyState::Present);
    assert_eq!((status.clusters, status.locked), (2, 0));
    let stored = vault.kubeconfig("two").unwrap();
    let user = stored.auth_infos[0].auth_info.as_ref().unwrap();
    use secrecy::ExposeSecret as _;
    assert_eq!(user.token.as_ref().unwrap().expose_secret(), "token-two");
    let listing = vault.list().unwrap();
    assert!(
        listing
            .clusters
            .iter()
            .all(|c| c.state == ClusterState::Ready)
    );
    assert!(vault.open_cluster("one").is_ok());
}

#[test]
fn files_are_private_and_the_registry_holds_no_secret() {
    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    let record = vault
        .add(&prepared("token-private"), &named("one"))
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&root.path().join("vault")), 0o700);
        assert_eq!(mode(&root.path().join("vault/clusters")), 0o700);
        assert_eq!(mode(&root.path().join("vault/registry.json")), 0o600);
        let sealed = root
            .path()
            .join(format!("vault/clusters/{}.sealed", record.id));
        assert_eq!(mode(&sealed), 0o600);
    }
    let registry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.path().join("vault/registry.json")).unwrap())
            .unwrap();
    let c = &registry["clusters"][0];
    assert_eq!(c["name"], "one");
    assert_eq!(c["server"], "https://10.20.30.40:6443");
    assert_eq!(c["contextName"], "ctx");
    assert_eq!(c["authKind"], "token");
    assert!(c["caFingerprint"].as_str().unwrap().starts_with("sha256:"));
    assert!(c["addedAt"].as_str().unwrap().ends_with('Z'));
    assert!(c["lastSeenAt"].is_null());
    for (_, bytes) in all_files(root.path()) {
        assert!(!contains(&bytes, "token-private"));
    }
}

#[test]
fn swapped_sealed_files_fail_integrity_and_return_nothing() {
    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    let a = vault.add(&prepared("token-a"), &named("a")).unwrap();
    let b = vault.add(&prepared("token-b"), &named("b")).unwrap();
    let pa = root.path().join(format!("vault/clusters/{}.sealed", a.id));
    let pb = root.path().join(format!("vault/clusters/{}.sealed", b.id));
    let (ba, bb) = (std::fs::read(&pa).unwrap(), std::fs::read(&pb).unwrap());
    std::fs::write(&pa, &bb).unwrap();
    std::fs::write(&pb, &ba).unwrap();
    for name in ["a", "b"] {
        let err = vault.open_cluster(name).unwrap_err();
        assert!(matches!(err, VaultError::Integrity(_)), "{err}");
        assert!(vault.kubeconfig(name).is_err());
    }
    // A flipped byte too.
    let mut damaged = ba.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 0x01;
    std::fs::write(&pa, &damaged).unwrap();
    assert_eq!(vault.open_cluster("a").unwrap_err().reason(), "integrity");
}

#[test]
fn an_interrupted_write_leaves_the_previous_file_readable() {
    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    let a = vault.add(&prepared("token-a"), &named("a")).unwrap();
    let sealed = root.path().join(format!("vault/clusters/{}.sealed", a.id));
    let before = std::fs::read(&sealed).unwrap();
    // A crash between writing the temp file and renaming it leaves a partial temp file
    // beside the real ones; the registry's temp likewise.
    let temp = root
        .path()
        .join(format!("vault/clusters/.{}.sealed.0badc0ffee00.tmp", a.id));
    std::fs::write(&temp, &before[..before.len() / 2]).unwrap();
    std::fs::write(
        root.path().join("vault/.registry.json.0badc0ffee00.tmp"),
        b"{\"schema\": 1, \"clus",
    )
    .unwrap();
    // An orphan sealed file (sealed, then the registry write did not happen).
    let orphan = root.path().join("vault/clusters/orphan.sealed");
    std::fs::write(&orphan, b"KSMCVLT1").unwrap();

    let vault = memory_vault(root.path(), &store);
    assert!(vault.open_cluster("a").is_ok());
    assert_eq!(std::fs::read(&sealed).unwrap(), before);
    // The next write cleans up.
    vault.add(&prepared("token-b"), &named("b")).unwrap();
    assert!(!temp.exists() && !orphan.exists());
    assert!(vault.open_cluster("a").is_ok() && vault.open_cluster("b").is_ok());
}

#[test]
fn a_missing_key_never_makes_a_new_key_over_sealed_clusters() {
    let root = tempfile::tempdir().unwrap();
    let mock = mock_store();
    let vault = Vault::open(root.path(), mock_keyring(&mock)).unwrap();
    vault.add(&prepared("token-a"), &named("a")).unwrap();
    vault.add(&prepared("token-b"), &named("b")).unwrap();
    let files_before: Vec<_> = sealed_files(root.path())
        .into_iter()
        .map(|p| std::fs::read(&p).unwrap())
        .collect();

    // The keyring loses the entry (keychain reset, another machine); restart.
    mock_entry(&mock, root.path()).delete_credential().unwrap();
    let vault = Vault::open(root.path(), mock_keyring(&mock)).unwrap();
    let status = vault.status();
    assert_eq!(status.key, KeyState::Missing);
    assert_eq!((status.clusters, status.locked), (2, 2));
    assert_eq!(
        status.error.as_ref().unwrap().kind,
        ErrorKind::KeyringUnavailable
    );
    let listing = vault.list().unwrap();
    assert!(
        listing
            .clusters
            .iter()
            .all(|c| c.state == ClusterState::Locked)
    );
    let err = vault.open_cluster("a").unwrap_err();
    assert_eq!(err.reason(), "key-missing");
    let err = vault.add(&prepared("token-c"), &named("c")).unwrap_err();
    assert_eq!(err.reason(), "key-missing", "{err}");
    assert!(matches!(
        mock_entry(&mock, root.path()).get_password(),
        Err(keyring_core::Error::NoEntry)
    ));
    let files_after: Vec<_> = sealed_files(root.path())
        .into_iter()
        .map(|p| std::fs::read(&p).unwrap())
        .collect();
    assert_eq!(files_before, files_after, "sealed files untouched");

    // Removing the locked clusters needs no key; then a new key can be made.
    vault.remove("a").unwrap();
    vault.remove("b").unwrap();
    assert!(sealed_files(root.path()).is_empty());
    vault.add(&prepared("token-c"), &named("c")).unwrap();
    assert!(vault.open_cluster("c").is_ok());
}

#[test]
fn a_replaced_key_locks_what_the_old_key_sealed() {
    let root = tempfile::tempdir().unwrap();
    let mock = mock_store();
    let vault = Vault::open(root.path(), mock_keyring(&mock)).unwrap();
    vault.add(&prepared("token-a"), &named("a")).unwrap();
    mock_entry(&mock, root.path())
        .set_password("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        .unwrap();
    let vault = Vault::open(root.path(), mock_keyring(&mock)).unwrap();
    assert_eq!(vault.status().locked, 1);
    assert_eq!(
        vault.list().unwrap().clusters[0].state,
        ClusterState::Locked
    );
    assert_eq!(vault.open_cluster("a").unwrap_err().reason(), "locked");
    // New imports use the key the keyring has.
    vault.add(&prepared("token-b"), &named("b")).unwrap();
    assert!(vault.open_cluster("b").is_ok());

    // An entry that is not a key at all.
    mock_entry(&mock, root.path())
        .set_password("hello")
        .unwrap();
    let vault = Vault::open(root.path(), mock_keyring(&mock)).unwrap();
    let status = vault.status();
    assert_eq!(status.key, KeyState::Unavailable);
    assert!(status.error.unwrap().message.contains("not a vault key"));
}

#[test]
fn keyring_failures_are_keyring_unavailable_and_write_nothing() {
    let canary = "CANARY-KEYRING-BYTES";
    type MakeError = Box<dyn Fn() -> keyring_core::Error>;
    let cases: Vec<(&str, MakeError, KeyringCause)> = vec![
        (
            "locked",
            Box::new(|| {
                keyring_core::Error::NoStorageAccess(
                    "org.freedesktop.Secret.Error.IsLocked: Cannot create an item in a locked collection".into(),
                )
            }),
            KeyringCause::Locked,
        ),
        (
            "no session bus",
            Box::new(|| {
                keyring_core::Error::PlatformFailure(
                    "zbus error: Failed to connect to address unix:path=/run/user/0/bus: No such file or directory".into(),
                )
            }),
            KeyringCause::NoService,
        ),
        (
            "platform failure",
            Box::new(|| keyring_core::Error::PlatformFailure("I/O error".into())),
            KeyringCause::Platform,
        ),
        (
            "bad encoding",
            Box::new(move || keyring_core::Error::BadEncoding(canary.as_bytes().to_vec())),
            KeyringCause::BadEntry,
        ),
        (
            "bad data format",
            Box::new(move || {
                keyring_core::Error::BadDataFormat(canary.as_bytes().to_vec(), "bad".into())
            }),
            KeyringCause::BadEntry,
        ),
        (
            "no default store",
            Box::new(|| keyring_core::Error::NoDefaultStore),
            KeyringCause::NoService,
        ),
    ];
    for (what, make, cause) in cases {
        let root = tempfile::tempdir().unwrap();
        let mock = mock_store();
        let vault = Vault::open(root.path(), mock_keyring(&mock)).unwrap();
        let entry = mock_entry(&mock, root.path());
        let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
        cred.set_error(make());
        let err = vault
            .add(&prepared("CANARY-TOKEN-KEYRING"), &named("a"))
            .unwrap_err();
        let VaultError::Keyring(k) = &err else {
            panic!("{what}: {err}");
        };
        assert_eq!(k.cause, cause, "{what}: {err}");
        let app = AppError::from(&err);
        assert_eq!(app.kind, ErrorKind::KeyringUnavailable, "{what}");
        assert!(app.message.starts_with("keyring unavailable: "), "{app:?}");
        assert!(
            app.message.contains("session-only") || app.message.contains("remove"),
            "{app:?}"
        );
        for text in [app.message.clone(), format!("{err:?}"), format!("{app:?}")] {
            assert!(!text.contains(canary), "{what}: {text}");
            assert!(!text.contains("CANARY-TOKEN-KEYRING"), "{what}: {text}");
        }
        assert!(sealed_files(root.path()).is_empty(), "{what}");
        assert!(vault.list().unwrap().clusters.is_empty(), "{what}");
        for (path, bytes) in all_files(root.path()) {
            assert!(
                !contains(&bytes, "CANARY-TOKEN-KEYRING"),
                "{what}: {}",
                path.display()
            );
        }
        // The error was one call's; the next attempt works.
        vault.add(&prepared("token"), &named("a")).expect(what);
    }
}

#[test]
fn a_failed_store_start_is_retried_not_cached() {
    let root = tempfile::tempdir().unwrap();
    let mock = mock_store();
    let attempts = Arc::new(AtomicUsize::new(0));
    let store = {
        let mock = mock.clone();
        let attempts = attempts.clone();
        Arc::new(ksmc_core::vault::KeyringKeyStore::with_factory(
            "flaky",
            move || {
                if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(keyring_core::Error::PlatformFailure(
                        "Failed to connect to address unix:path=/run/user/0/bus".into(),
                    ))
                } else {
                    let s: Arc<keyring_core::CredentialStore> = mock.clone();
                    Ok(s)
                }
            },
        ))
    };
    let vault = Vault::open(root.path(), store).unwrap();
    let status = vault.status();
    assert_eq!(status.key, KeyState::Unavailable);
    assert!(
        status
            .error
            .unwrap()
            .message
            .contains("no OS keyring is reachable")
    );
    // The keyring comes up; no restart needed.
    assert_eq!(vault.status().key, KeyState::NotCreated);
    vault.add(&prepared("t"), &named("a")).unwrap();
}

/// A store that takes `delay` per call and records how many calls overlap.
#[derive(Debug, Default)]
struct SlowStore {
    delay: Duration,
    inside: AtomicUsize,
    max_inside: AtomicUsize,
    calls: AtomicUsize,
    inner: MemoryKeyStore,
}

impl SlowStore {
    fn enter(&self) {
        let now = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_inside.fetch_max(now, Ordering::SeqCst);
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        self.inside.fetch_sub(1, Ordering::SeqCst);
    }
}

impl KeyStore for SlowStore {
    fn description(&self) -> String {
        "slow".into()
    }
    fn persistent(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), KeyringError> {
        self.enter();
        Ok(())
    }
    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, KeyringError> {
        self.enter();
        self.inner.get(account)
    }
    fn set(&self, account: &str, secret: &str) -> Result<(), KeyringError> {
        self.enter();
        self.inner.set(account, secret)
    }
    fn delete(&self, account: &str) -> Result<(), KeyringError> {
        self.enter();
        self.inner.delete(account)
    }
}

#[test]
fn a_hanging_keyring_times_out_and_later_calls_fail_fast() {
    let root = tempfile::tempdir().unwrap();
    let slow = Arc::new(SlowStore {
        delay: Duration::from_secs(3),
        ..SlowStore::default()
    });
    let vault =
        Vault::open_with_timeout(root.path(), slow.clone(), Duration::from_millis(300)).unwrap();
    let started = Instant::now();
    let err = vault.add(&prepared("t"), &named("a")).unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "{took:?}");
    let VaultError::Keyring(k) = &err else {
        panic!("{err}")
    };
    assert_eq!(k.cause, KeyringCause::Timeout);
    assert!(err.to_string().contains("unlock"), "{err}");
    assert_eq!(AppError::from(&err).kind, ErrorKind::KeyringUnavailable);

    // While that call is stuck, others do not queue behind it.
    let started = Instant::now();
    let status = vault.status();
    assert!(started.elapsed() < Duration::from_millis(200));
    assert_eq!(status.key, KeyState::Unavailable);
    assert!(status.error.unwrap().message.contains("has not returned"));
    assert!(sealed_files(root.path()).is_empty());

    // Once it returns, the keyring works again.
    std::thread::sleep(Duration::from_secs(3));
    let vault =
        Vault::open_with_timeout(root.path(), slow.clone(), Duration::from_secs(10)).unwrap();
    assert!(matches!(
        vault.status().key,
        KeyState::NotCreated | KeyState::Present
    ));
}

#[test]
fn keyring_calls_never_overlap() {
    let root = tempfile::tempdir().unwrap();
    let slow = Arc::new(SlowStore {
        delay: Duration::from_millis(30),
        ..SlowStore::default()
    });
    let vault =
        Vault::open_with_timeout(root.path(), slow.clone(), Duration::from_secs(20)).unwrap();
    // Every status() reads the keyring (no key yet, so nothing is cached).
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let v = vault.clone();
            std::thread::spawn(move || {
                for _ in 0..3 {
                    assert_eq!(v.status().key, KeyState::NotCreated);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(slow.calls.load(Ordering::SeqCst), 24);
    assert_eq!(slow.max_inside.load(Ordering::SeqCst), 1);
}

#[test]
fn names_rename_and_remove() {
    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    for bad in ["", "Host", "-a", "a-", "a_b", "a.b", &"a".repeat(64), "ä"] {
        let err = vault.add(&prepared("t"), &named(bad)).unwrap_err();
        assert_eq!(err.reason(), "invalid-name", "{bad:?}");
    }
    let r = vault.add(&prepared("t"), &AddOptions::default()).unwrap();
    assert_eq!((r.name.as_str(), r.display_name.as_str()), ("ctx", "ctx"));
    let err = vault
        .add(&prepared("t"), &AddOptions::default())
        .unwrap_err();
    assert_eq!(err.reason(), "name-taken");
    assert_eq!(AppError::from(&err).kind, ErrorKind::Conflict);
    let err = vault
        .add(
            &prepared("t"),
            &AddOptions {
                name: Some("x".into()),
                display_name: Some("bad\u{7}".into()),
                ..AddOptions::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.reason(), "invalid-display-name");

    vault.add(&prepared("t2"), &named("other")).unwrap();
    assert_eq!(
        vault.rename("ctx", "other").unwrap_err().reason(),
        "name-taken"
    );
    assert_eq!(
        vault.rename("ctx", "Bad").unwrap_err().reason(),
        "invalid-name"
    );
    assert_eq!(vault.rename("nope", "x").unwrap_err().reason(), "not-found");
    let renamed = vault.rename("ctx", "prod-host").unwrap();
    assert_eq!(renamed.name, "prod-host");
    assert_eq!(renamed.display_name, "prod-host");
    // Same sealed file, still opens under the new name.
    assert!(vault.open_cluster("prod-host").is_ok());
    assert_eq!(vault.open_cluster("ctx").unwrap_err().reason(), "not-found");

    let removed = vault.remove("prod-host").unwrap();
    assert!(
        !root
            .path()
            .join(format!("vault/clusters/{}.sealed", removed.id))
            .exists()
    );
    assert_eq!(vault.remove("prod-host").unwrap_err().reason(), "not-found");
    assert_eq!(
        vault.list().unwrap().clusters.len(),
        1,
        "the other cluster stays"
    );
}

#[test]
fn a_session_only_vault_is_separate_and_forgets_its_key() {
    let root = tempfile::tempdir().unwrap();
    let vault = Vault::open_session_only(root.path()).unwrap();
    assert!(vault.is_session_only());
    assert!(vault.dir().ends_with("vault-session"));
    vault.add(&prepared("t"), &named("a")).unwrap();
    assert!(vault.open_cluster("a").is_ok());
    let status = vault.status();
    assert!(status.session_only);
    assert_eq!(status.store, "memory (session only)");

    // The next session has a new key: the old cluster is locked, new ones can be added.
    let next = Vault::open_session_only(root.path()).unwrap();
    assert_eq!(next.list().unwrap().clusters[0].state, ClusterState::Locked);
    assert_eq!(next.status().key, KeyState::NotCreated);
    next.add(&prepared("t"), &named("b")).unwrap();
    let listing = next.list().unwrap();
    let states: Vec<_> = listing
        .clusters
        .iter()
        .map(|c| (c.record.name.as_str(), c.state))
        .collect();
    assert_eq!(
        states,
        [("a", ClusterState::Locked), ("b", ClusterState::Ready)]
    );
    assert_eq!(next.open_cluster("a").unwrap_err().reason(), "locked");

    // The keyring vault beside it is untouched.
    let store = Arc::new(MemoryKeyStore::new());
    assert!(
        memory_vault(root.path(), &store)
            .list()
            .unwrap()
            .clusters
            .is_empty()
    );
    let _ = json!(null);
}
