//! The TypeScript bindings in ui/src/ipc/bindings.ts must match the Rust commands and types.

use std::path::Path;

#[test]
fn typescript_bindings_are_up_to_date() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/ipc/bindings.ts");
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("bindings.ts");
    ksmc_desktop_lib::export_bindings(&fresh).expect("bindings export");
    let fresh_text = std::fs::read_to_string(&fresh).unwrap();
    assert!(
        fresh_text.contains("inspectFleet") && fresh_text.contains("vaultList"),
        "the command is exported"
    );
    if std::env::var_os("KSMC_UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh_text).unwrap();
        return;
    }
    let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        committed_text == fresh_text,
        "ui/src/ipc/bindings.ts is stale: run `KSMC_UPDATE_BINDINGS=1 cargo test -p ksmc-desktop --test bindings`"
    );
}
