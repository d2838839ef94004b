//! Kubeconfig import with untrusted bytes: the pasted-text path of `ksmc vault add` and the
//! desktop's `vault_contexts`/`vault_add` (load → contexts → prepare each context → seal into
//! a vault → reopen), and `ClusterSource::from_yaml` (kubeconfig directories). No input may
//! panic or hang; a refused input is a specific error; anything the vault accepted must reopen.

#![no_main]

use std::sync::{Arc, OnceLock};

use ksmc_core::ClusterSource;
use ksmc_core::vault::{
    Acknowledgement, AddOptions, ImportSource, LoadedKubeconfig, MemoryKeyStore, Vault, VaultError,
};
use libfuzzer_sys::fuzz_target;

fn vault() -> &'static Vault {
    static VAULT: OnceLock<(tempfile::TempDir, Vault)> = OnceLock::new();
    &VAULT
        .get_or_init(|| {
            let dir = scratch_dir();
            let vault = Vault::open(dir.path(), Arc::new(MemoryKeyStore::new())).expect("vault");
            (dir, vault)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    // Files are checked as UTF-8; pasted text arrives as a string.
    let text = String::from_utf8_lossy(data).into_owned();
    if let Err(e) = ClusterSource::from_yaml("fuzz", &text) {
        assert!(!e.to_string().is_empty());
    }
    let loaded = match LoadedKubeconfig::load(&ImportSource::Text(text)) {
        Ok(l) => l,
        Err(e) => {
            assert!(!e.to_string().is_empty() && !e.reason().is_empty());
            return;
        }
    };
    let mut wanted: Vec<Option<String>> = vec![None];
    wanted.extend(loaded.contexts().into_iter().take(4).map(|c| Some(c.name)));
    for context in wanted {
        let prepared = match loaded.prepare(context.as_deref()) {
            Ok(p) => p,
            Err(e) => {
                assert!(!e.to_string().is_empty() && !e.reason().is_empty());
                continue;
            }
        };
        let options = AddOptions {
            name: Some("fuzz".into()),
            display_name: Some("fuzz".into()),
            acknowledgements: Acknowledgement::ALL.to_vec(),
        };
        let vault = vault();
        vault
            .add(&prepared, &options)
            .expect("a prepared import is stored");
        match vault.open_cluster("fuzz") {
            Ok(_) => assert!(prepared.exec.is_none()),
            Err(VaultError::ApprovalRequired { .. }) => assert!(prepared.exec.is_some()),
            Err(e) => panic!("a stored kubeconfig does not reopen: {e}"),
        }
        vault.remove("fuzz").expect("removed");
    }
});

/// A directory in memory when the machine has one (`/dev/shm`): the vault and the journal
/// fsync every write, which on a disk would make the fuzzer measure the disk.
fn scratch_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    let mut builder = tempfile::Builder::new();
    builder.prefix("ksmc-fuzz-");
    if shm.is_dir() {
        builder.tempdir_in(shm)
    } else {
        builder.tempdir()
    }
    .expect("tempdir")
}
