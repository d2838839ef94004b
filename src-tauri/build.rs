fn main() {
    // Every app command is declared here, so each needs an explicit permission in
    // capabilities/ (tauri-build generates `allow-<command>` for each).
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "estate_info",
            "open_estate",
            "demo_scenarios",
            "inspect_fleet",
            "vault_list",
            "vault_rename",
            "vault_remove",
            "vault_exec_review",
            "vault_approve_exec",
            "vault_contexts",
            "vault_add",
            "preflight_import",
            "plan_workflow",
            "apply_run",
            "resume_run",
            "cancel_run",
            "list_runs",
            "run_script",
            "live_open",
            "live_close",
            "refresh_clusters",
            "ui_painted",
        ]),
    ))
    .expect("tauri-build failed");
}
