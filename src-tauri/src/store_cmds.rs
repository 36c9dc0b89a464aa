//! Commands over the encrypted store: history, settings with "locked" flags, DSGVO export and
//! deletion, the audit CSV, the policy's state, and the recovery after a lost key. The store is
//! opened on a thread of its own at start (the keychain may take a moment); until then the
//! commands answer `store_opening`. Every rule is the core's (`store::History`, `policy`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use schreibstube_core::policy::{EffectiveSettings, Policy, UserSettings};
use schreibstube_core::store::{History, HistoryStatus, Keychain, ResultTrace, StoredResult};
use schreibstube_core::{paths, CoreError, ErrorInfo};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::AppState;

/// The store once opened (None while it opens).
pub type SharedHistory = Arc<Mutex<Option<History>>>;

/// Tells the UI's history list to reload (a result was saved or deleted, the store opened).
pub const HISTORY_CHANGED: &str = "history-changed";

/// Saves a finished task result (a stopped one is a partial: not kept) with the documents it
/// rests on (none for free text), and tells the history panel; `what` names the task in the
/// log, never its content.
pub(crate) fn save_task_result(app: &AppHandle, history: &SharedHistory, cancelled: bool, entry: impl FnOnce() -> schreibstube_core::store::NewResult, docs: &[schreibstube_core::documents::Document], what: &str) {
    if cancelled {
        return;
    }
    // Built before the lock: naming the model may read the manifest and the hash cache.
    let entry = entry();
    match history.lock().unwrap().as_mut().map(|h| h.record_with_documents(&entry, docs)) {
        Some(Ok(Some(_))) => {
            let _ = app.emit(HISTORY_CHANGED, ());
        }
        // History switched off: nothing saved, nothing to reload.
        Some(Ok(None)) => {}
        Some(Err(e)) => tracing::warn!(code = e.code(), task = what, "result not saved"),
        None => tracing::warn!(task = what, "result not saved: store not open"),
    }
}

fn changed<T>(app: &AppHandle, r: Result<T, ErrorInfo>) -> Result<T, ErrorInfo> {
    if r.is_ok() {
        let _ = app.emit(HISTORY_CHANGED, ());
    }
    r
}

fn with<T>(state: &AppState, f: impl FnOnce(&mut History) -> Result<T, CoreError>) -> Result<T, ErrorInfo> {
    let mut guard = state.history.lock().unwrap();
    let history = guard.as_mut().ok_or_else(|| ErrorInfo::from(&CoreError::StoreOpening))?;
    f(history).map_err(|e| ErrorInfo::from(&e))
}

/// The store's state for the status bar and the privacy page; `opening` until it is open.
#[derive(Serialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum StoreStatus {
    Opening,
    Open(HistoryStatus),
}

pub fn status_of(state: &AppState) -> StoreStatus {
    state.history.lock().unwrap().as_ref().map_or(StoreStatus::Opening, |h| StoreStatus::Open(h.status()))
}

#[tauri::command]
pub fn store_status(state: State<'_, AppState>) -> StoreStatus {
    status_of(&state)
}

/// A history row without the full text (the list).
#[derive(Serialize)]
pub struct HistoryItem {
    id: i64,
    created_at: i64,
    task: String,
    title: String,
    model_name: String,
}

fn items(rows: Vec<StoredResult>) -> Vec<HistoryItem> {
    rows.into_iter()
        .map(|r| HistoryItem { id: r.id, created_at: r.created_at, task: r.task, title: r.title, model_name: r.provenance.model_name })
        .collect()
}

#[tauri::command]
pub fn history_list(state: State<'_, AppState>, limit: Option<usize>) -> Result<Vec<HistoryItem>, ErrorInfo> {
    with(&state, |h| {
        h.policy().ensure_enabled("history")?;
        Ok(items(h.store()?.list_results(limit.unwrap_or(200))?))
    })
}

#[tauri::command]
pub fn history_search(state: State<'_, AppState>, query: String, limit: Option<usize>) -> Result<Vec<HistoryItem>, ErrorInfo> {
    with(&state, |h| {
        h.policy().ensure_enabled("history")?;
        Ok(items(h.store()?.search(&query, limit.unwrap_or(200))?))
    })
}

#[tauri::command]
pub fn history_get(state: State<'_, AppState>, id: i64) -> Result<StoredResult, ErrorInfo> {
    stored_result(&state, id)
}

/// A stored result, where the policy allows the history.
pub(crate) fn stored_result(state: &AppState, id: i64) -> Result<StoredResult, ErrorInfo> {
    with(state, |h| {
        h.policy().ensure_enabled("history")?;
        h.store()?.get_result(id)?.ok_or(CoreError::HistoryEntryNotFound(id))
    })
}

/// "Wie ist das entstanden?" for a stored result: sentences with their sources in the documents
/// kept with it, unsupported claims, provenance, input files.
#[tauri::command]
pub fn history_trace(state: State<'_, AppState>, id: i64) -> Result<ResultTrace, ErrorInfo> {
    with(&state, |h| {
        h.policy().ensure_enabled("history")?;
        h.trace(id)
    })
}

#[tauri::command]
pub fn history_delete(app: AppHandle, state: State<'_, AppState>, id: i64) -> Result<(), ErrorInfo> {
    changed(&app, with(&state, |h| if h.store_mut()?.delete_result(id)? { Ok(()) } else { Err(CoreError::HistoryEntryNotFound(id)) }))
}

/// What the settings page shows: every setting with its `locked` flag, and the stored user
/// values it edits.
#[derive(Serialize)]
pub struct SettingsView {
    effective: EffectiveSettings,
    user: UserSettings,
}

#[tauri::command]
pub fn settings_get(state: State<'_, AppState>) -> Result<SettingsView, ErrorInfo> {
    with(&state, |h| Ok(SettingsView { effective: h.settings(), user: h.store()?.user_settings()? }))
}

#[tauri::command]
pub fn settings_set(app: AppHandle, state: State<'_, AppState>, user: UserSettings) -> Result<SettingsView, ErrorInfo> {
    // A shorter retention or history switched off deletes at once.
    changed(&app, with(&state, |h| {
        let effective = h.set_user_settings(&user)?;
        Ok(SettingsView { effective, user })
    }))
}

/// "Meine Daten exportieren": the ZIP's path.
#[tauri::command]
pub fn data_export(state: State<'_, AppState>) -> Result<PathBuf, ErrorInfo> {
    with(&state, |h| {
        h.policy().ensure_enabled("export")?;
        let path = paths::export_file("schreibstube-export", "zip")?;
        h.store()?.export_zip(&path)?;
        Ok(path)
    })
}

/// "Alle Daten löschen": `confirmed` is the user's explicit yes in the dialog.
#[tauri::command]
pub fn data_delete_all(app: AppHandle, state: State<'_, AppState>, confirmed: bool) -> Result<(), ErrorInfo> {
    changed(&app, with(&state, |h| h.store_mut()?.delete_all(confirmed)))
}

/// The audit log as a CSV file: its path.
#[tauri::command]
pub fn audit_export(state: State<'_, AppState>) -> Result<PathBuf, ErrorInfo> {
    with(&state, |h| {
        let path = paths::export_file("schreibstube-protokoll", "csv")?;
        let file = std::fs::File::create(&path).map_err(|e| CoreError::Io { path: path.clone(), source: e })?;
        h.store()?.write_audit_csv(std::io::BufWriter::new(file))?;
        Ok(path)
    })
}

#[derive(Serialize)]
pub struct PolicyStatus {
    /// Whether a policy file was found.
    present: bool,
    /// Where it is looked for.
    path: PathBuf,
    policy: Policy,
}

/// The IT policy: whether there is one, where, and what it fixes.
#[tauri::command]
pub fn policy_status(state: State<'_, AppState>) -> PolicyStatus {
    PolicyStatus {
        present: state.policy.source.is_some(),
        path: schreibstube_core::policy::policy_path(),
        policy: state.policy.clone(),
    }
}

/// After a lost key, on the user's confirmation: the old file is moved aside (kept) and a
/// fresh store opened. Returns where the old file is.
#[tauri::command]
pub fn store_start_fresh(app: AppHandle, state: State<'_, AppState>, confirmed: bool) -> Result<PathBuf, ErrorInfo> {
    changed(&app, with(&state, |h| h.start_fresh(&Keychain::default(), confirmed)))
}
