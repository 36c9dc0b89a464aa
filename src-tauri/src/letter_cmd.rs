//! "Brief entwerfen": templates, prefill, the draft (events on a Channel, stopped by `cancel`),
//! one paragraph written again, the check after edits, and the export — all decided by the
//! core's `tasks::draft` and `export::letter`; the sender profile is the settings' one.

use std::sync::Arc;

use schreibstube_core::documents::Document;
use schreibstube_core::export::letter::{write_letter, LetterDoc, LetterFormat};
use schreibstube_core::export::now_iso;
use schreibstube_core::letters::template::{self, Template};
use schreibstube_core::policy::SenderProfile;
use schreibstube_core::tasks::draft::{self, DraftEvent, DraftOptions, DraftResult, Prefill};
use schreibstube_core::{paths, CoreError, ErrorInfo};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::AppState;

/// A draft event as the UI receives it (tagged by `kind`).
#[derive(Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UiDraftEvent {
    Stage { request_id: u64, stage: &'static str },
    Paragraph { request_id: u64, id: String },
    Token { request_id: u64, id: String, text: String },
    Done { request_id: u64, result: Box<DraftResult> },
    Error { request_id: u64, error: ErrorInfo },
}

fn err(e: CoreError) -> ErrorInfo {
    ErrorInfo::from(&e)
}

fn templates_of(state: &AppState) -> Result<Vec<Template>, ErrorInfo> {
    template::load_all(state.policy.templates_dir.as_deref()).map_err(err)
}

fn find_template(state: &AppState, id: &str) -> Result<Template, ErrorInfo> {
    template::find(id, state.policy.templates_dir.as_deref()).map_err(err)
}

/// The profile in force: the settings where the store is open, else the policy's.
fn profile(state: &AppState) -> SenderProfile {
    match state.history.lock().unwrap().as_ref() {
        Some(h) => h.settings().sender.profile(),
        None => state.policy.sender.clone(),
    }
}

/// The incoming letter, if one was given: a document read in this session.
fn docs(state: &AppState, document_id: Option<u64>) -> Result<Vec<Arc<Document>>, ErrorInfo> {
    document_id.map(|id| crate::akte::document(state, id)).into_iter().collect()
}

/// The templates; each one's `fields` are all its fields, the standard ones included.
#[tauri::command]
pub fn templates_list(state: State<'_, AppState>) -> Result<Vec<serde_json::Value>, ErrorInfo> {
    state.policy.ensure_enabled("draft").map_err(err)?;
    Ok(templates_of(&state)?.iter().map(Template::listing).collect())
}

#[tauri::command]
pub fn draft_prefill(state: State<'_, AppState>, document_id: Option<u64>, options: DraftOptions) -> Result<Prefill, ErrorInfo> {
    let template = find_template(&state, &options.template)?;
    let docs: Vec<Document> = docs(&state, document_id)?.iter().map(|d| (**d).clone()).collect();
    draft::prefill(&template, &docs, &options, &profile(&state)).map_err(err)
}

crate::task::task_event!(UiDraftEvent, DraftResult);

/// A draft event of the core as the UI receives it.
fn ui_event(id: u64, ev: DraftEvent) -> UiDraftEvent {
    match ev {
        DraftEvent::Stage { stage } => UiDraftEvent::Stage { request_id: id, stage },
        DraftEvent::Paragraph { id: p } => UiDraftEvent::Paragraph { request_id: id, id: p },
        DraftEvent::Token { id: p, text } => UiDraftEvent::Token { request_id: id, id: p, text },
    }
}

#[tauri::command]
pub fn draft(app: AppHandle, state: State<'_, AppState>, document_id: Option<u64>, options: DraftOptions, on_event: Channel<UiDraftEvent>) -> Result<u64, ErrorInfo> {
    let template = find_template(&state, &options.template)?;
    let docs = docs(&state, document_id)?;
    let profile = profile(&state);
    crate::task::spawn(app, &state, docs, on_event, move |t| {
        draft::draft(t.engine, crate::model_ref(t.engine), &template, t.docs, &profile, &options, t.cancel, |ev| t.send(ui_event(t.id, ev)))
    })
}

#[tauri::command]
pub fn draft_regenerate(
    app: AppHandle,
    state: State<'_, AppState>,
    document_id: Option<u64>,
    result: DraftResult,
    paragraph_id: String,
    on_event: Channel<UiDraftEvent>,
) -> Result<u64, ErrorInfo> {
    let template = find_template(&state, &result.template_id)?;
    let docs = docs(&state, document_id)?;
    let profile = profile(&state);
    crate::task::spawn(app, &state, docs, on_event, move |t| {
        draft::regenerate(t.engine, &template, t.docs, &profile, &result, &paragraph_id, t.cancel, |ev| t.send(ui_event(t.id, ev)))
    })
}

/// The consistency check and placeholder scan again, after the clerk edited the letter.
#[tauri::command]
pub fn draft_check(mut result: DraftResult) -> DraftResult {
    result.recheck();
    result
}

/// Saves the letter in the export folder; `reviewed` (confirmed by the clerk) leaves the
/// visible mark out and is refused while placeholders remain.
#[tauri::command]
pub async fn export_letter(state: State<'_, AppState>, mut result: DraftResult, format: LetterFormat, reviewed: bool) -> Result<String, ErrorInfo> {
    // The logo is read from disk: only the path in the settings counts, never one the page sends.
    result.letter.sender.logo = profile(&state).logo;
    tauri::async_runtime::spawn_blocking(move || {
        let path = paths::export_file(&format!("Brief-{}", result.template_id), format.extension()).map_err(err)?;
        let doc = LetterDoc { letter: &result.letter, reviewed, model: &result.model, template_name: &result.template_name, created: now_iso() };
        write_letter(&doc, format, &path).map_err(err)?;
        tracing::info!(format = format.extension(), reviewed, "letter exported");
        Ok(path.display().to_string())
    })
    .await
    .map_err(|_| err(CoreError::Inference("export task failed".into())))?
}
