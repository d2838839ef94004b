//! Vault clusters read against the simulated estate over HTTPS: the decrypted kubeconfigs go
//! straight into `ClusterSource` and give the same facts as the kubeconfig files.

mod vault_common;

use std::sync::Arc;

use ksmc_core::vault::import::{self, ImportSource};
use ksmc_core::vault::{self, AddOptions, MemoryKeyStore};
use ksmc_core::{ClusterRole, ErrorKind};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use vault_common::*;

#[tokio::test(flavor = "multi_thread")]
async fn vault_clusters_give_the_same_facts_as_their_files() {
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    estate.write_dir(dir.path()).unwrap();
    let from_files = ksmc_core::estate::inspect_dir(dir.path()).await.unwrap();

    let root = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::new());
    let vault = memory_vault(root.path(), &store);
    // One from its file, the others pasted.
    for (i, running) in estate.clusters().iter().enumerate() {
        let source = if i == 0 {
            ImportSource::File(dir.path().join(&running.entry.kubeconfig))
        } else {
            ImportSource::Text(estate.kubeconfig(running).unwrap())
        };
        let prepared = import::prepare(&source, None).unwrap();
        assert!(prepared.needs_acknowledgement.is_empty());
        vault.add(&prepared, &AddOptions::default()).unwrap();
    }

    let from_vault = vault::inspect(&vault).await.unwrap();
    assert!(from_vault.label.starts_with("vault "));
    assert_eq!(from_vault.clusters.len(), from_files.clusters.len());
    for (got, want) in from_vault.clusters.iter().zip(&from_files.clusters) {
        let mut want = want.clone();
        // Latency differs from call to call.
        want.latency_ms = got.latency_ms;
        assert_eq!(got, &want);
    }
    assert!(from_vault.clusters.iter().all(|c| c.error.is_none()));

    // Seen just now, with the role read from the cluster.
    let host = vault.get("host").unwrap();
    assert!(host.last_seen_at.is_some());
    assert_eq!(host.role_hint, Some(ClusterRole::Host));

    // After the estate is gone, each cluster shows its own error; the vault is intact.
    estate.shutdown().await;
    let view = vault::inspect(&vault).await.unwrap();
    assert!(
        view.clusters.iter().all(|c| c
            .error
            .as_ref()
            .is_some_and(|e| e.kind == ErrorKind::Unreachable)),
        "{view:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn locked_clusters_are_rows_with_keyring_errors() {
    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .unwrap();
    let root = tempfile::tempdir().unwrap();
    {
        let session = ksmc_core::vault::Vault::open_session_only(root.path()).unwrap();
        for running in estate.clusters() {
            let prepared = import::prepare(
                &ImportSource::Text(estate.kubeconfig(running).unwrap()),
                None,
            )
            .unwrap();
            session.add(&prepared, &AddOptions::default()).unwrap();
        }
        assert_eq!(
            vault::inspect(&session)
                .await
                .unwrap()
                .clusters
                .iter()
                .filter(|c| c.error.is_none())
                .count(),
            estate.clusters().len()
        );
    }
    // A new session: its key is new, the earlier clusters are locked.
    let session = ksmc_core::vault::Vault::open_session_only(root.path()).unwrap();
    let view = vault::inspect(&session).await.unwrap();
    assert_eq!(view.clusters.len(), estate.clusters().len());
    for c in &view.clusters {
        let e = c.error.as_ref().unwrap();
        assert_eq!(e.kind, ErrorKind::KeyringUnavailable, "{e:?}");
        assert!(e.message.contains("locked"), "{e:?}");
    }
    // The role recorded when last seen stays visible.
    assert!(view.clusters.iter().any(|c| c.role == ClusterRole::Host));
    estate.shutdown().await;
}
