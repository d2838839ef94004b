fn main() {
    // Every app command is declared here, so each needs an explicit permission in
    // capabilities/ (tauri-build generates `allow-<command>` for each).
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&["list_clusters", "inspect_fleet"]),
    ))
    .expect("tauri-build failed");
}
