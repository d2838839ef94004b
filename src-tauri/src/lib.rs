//! The ksmc desktop app: Tauri command adapters over ksmc-core, and the app state.

pub mod bench;
pub mod commands;
pub mod import;
pub mod live;
pub mod state;
pub mod window;

use tauri::Manager as _;

/// The typed command set; also the source of the generated TypeScript bindings.
#[must_use]
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            commands::estate_info,
            commands::open_estate,
            commands::demo_scenarios,
            commands::inspect_fleet,
            commands::vault_list,
            commands::vault_rename,
            commands::vault_remove,
            commands::vault_exec_review,
            commands::vault_approve_exec,
            commands::vault_contexts,
            commands::vault_add,
            commands::preflight_import,
            commands::plan_workflow,
            commands::apply_run,
            commands::resume_run,
            commands::cancel_run,
            commands::list_runs,
            commands::run_script,
            live::live_open,
            live::live_close,
            live::refresh_clusters,
            bench::ui_painted,
        ])
        .disable_serde_phases()
        // Plans carry request bodies as JSON values (`Action::CreateObject`, `MergePatch`):
        // the UI only shows them, so they are `unknown` there rather than a number union
        // Specta refuses (its i64 arm).
        .semantic_types(
            specta_typescript::semantic::Configuration::empty().define::<serde_json::Value>(
                |_| specta_typescript::define("unknown").into(),
                None,
                None,
            ),
        )
}

/// Writes the TypeScript bindings for the commands and their types.
///
/// # Errors
/// When the bindings cannot be rendered or written.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// This file is generated from Rust by tauri-specta. Do not edit.\n// Regenerate: KSMC_UPDATE_BINDINGS=1 cargo test -p ksmc-desktop --test bindings\n"),
            path,
        )
        .map_err(|e| e.to_string())
}

/// Starts the desktop app.
///
/// # Panics
/// When the window cannot be created (no display) or the estate cannot be opened.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KSMC_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    bench::mark("builder");
    let builder = specta_builder();
    let handler = builder.invoke_handler();
    let app = tauri::Builder::default()
        // Size, position and maximised state of the window, restored at the next start. Its
        // commands are not granted to the webview: only the Rust side saves and restores.
        .plugin(window::plugin())
        // The native file dialog for picking a kubeconfig: only `dialog:allow-open` is granted.
        .plugin(tauri_plugin_dialog::init())
        .manage(window::PendingSave::default())
        .manage(live::LiveViews::default())
        .on_window_event(window::on_window_event)
        .on_page_load(|_, payload| {
            bench::mark(match payload.event() {
                tauri::webview::PageLoadEvent::Started => "page-load-started",
                tauri::webview::PageLoadEvent::Finished => "page-load-finished",
            });
        })
        .invoke_handler(move |invoke| {
            if bench::enabled() {
                bench::mark(&format!("ipc:{}", invoke.message.command()));
            }
            handler(invoke)
        })
        .setup(|app| {
            bench::mark("setup");
            // The config's window exists now; its page loads once the event loop runs.
            if let Some(window) = app.get_webview_window("main") {
                window::configure_webview(&window);
            }
            // Nothing slow here: this runs on the main thread, which the window and WebKit
            // need to start. The demo's simulator starts in the background; the vault (and
            // its keyring) is opened on first use, off this thread.
            app.manage(state::AppState::starting(state::EstateChoice::from_env())?);
            bench::mark("setup-end");
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("error while starting ksmc");
    bench::mark("built");
    app.run(|_, event| {
        if matches!(event, tauri::RunEvent::Ready) {
            bench::mark("event-loop-ready");
        }
    });
}
