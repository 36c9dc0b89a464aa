fn main() {
    // Permissions are generated for exactly these commands (allow-app-info, …); the capability in
    // capabilities/default.json grants them to the main window and nothing else.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_info",
            "model_status",
            "generate",
            "cancel",
            "add_documents",
            "add_document_bytes",
            "add_sample_document",
            "remove_document",
            "get_document",
            "summarize",
            "export_summary",
            "export_explanation",
            "model_import",
            "explain",
            "templates_list",
            "draft_prefill",
            "draft",
            "draft_regenerate",
            "draft_check",
            "export_letter",
            "store_status",
            "history_list",
            "history_search",
            "history_get",
            "history_delete",
            "history_trace",
            "history_as_document",
            "settings_get",
            "settings_set",
            "data_export",
            "data_delete_all",
            "audit_export",
            "policy_status",
            "store_start_fresh",
        ]),
    ))
    .expect("tauri build configuration");
}
