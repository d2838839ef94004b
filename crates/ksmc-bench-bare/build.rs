fn main() {
    // Its only command, declared so the capability can grant it (`allow-ui-painted`).
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["ui_painted"])),
    )
    .expect("tauri-build failed");
}
