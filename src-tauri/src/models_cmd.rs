//! Model import from disk (a USB stick, a share): the core checks size, free space, the
//! manifest's sha256 and the IT policy's allow-list; the shell only passes the path through.

use std::path::PathBuf;

use schreibstube_core::model_import::{self, ImportReport};
use schreibstube_core::models::Manifest;
use schreibstube_core::{paths, CoreError, ErrorInfo};
use tauri::State;

use crate::AppState;

/// Copies the GGUF at `path` into the models folder and describes it (name, size, licence,
/// context length, estimated RAM). Refused when the policy does not allow it.
#[tauri::command]
pub async fn model_import(state: State<'_, AppState>, path: PathBuf) -> Result<ImportReport, ErrorInfo> {
    state.policy.ensure_enabled("model_import").map_err(|e| ErrorInfo::from(&e))?;
    let policy = state.policy.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let manifest = Manifest::locate(Some(&paths::data_dir(None)))?;
        model_import::import_model(&path, &manifest, &policy)
    })
    .await
    .map_err(|_| ErrorInfo::from(&CoreError::Inference("import task failed".into())))?
    .map_err(|e| ErrorInfo::from(&e))
}
