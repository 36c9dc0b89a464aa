//! The Akte (case file) commands: documents in, summaries out. Extraction and summarising are
//! the core's; this module keeps the read documents for the session and forwards events.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use schreibstube_core::documents::{self, Document, DocumentType};
use schreibstube_core::llm::CancelToken;
use schreibstube_core::tasks::summarize::{self, FailedFile, SummaryEvent, SummaryOptions, SummaryResult};
use schreibstube_core::export::{self, Format};
use schreibstube_core::{paths, CoreError, ErrorInfo};
use serde::Serialize;
use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::State;

use crate::AppState;

/// The samples of the first-run guide, bundled into the app: (id, file name, bytes).
const SAMPLES: &[(&str, &str, &[u8])] = &[
    ("akte", "Beispielakte-Bauantrag.pdf", include_bytes!("../../assets/samples/akte-bauantrag.pdf")),
    ("haushalt", "Beispiel-Haushalt-2026.csv", include_bytes!("../../assets/samples/haushalt-2026.csv")),
    ("bescheid", "Beispiel-Bescheid-Hundesteuer.txt", include_bytes!("../../assets/samples/bescheid-hundesteuer.txt")),
    ("antrag", "Beispiel-Antrag-Wohngeld.txt", include_bytes!("../../assets/samples/antrag-wohngeld.txt")),
];

/// Documents read in this session, by id. In memory only: what is kept lives in the store.
#[derive(Default)]
pub struct Documents {
    next_id: AtomicU64,
    docs: Mutex<Vec<(u64, Arc<Document>)>>,
}

/// What the file list shows of a document; its text comes with [`get_document`].
#[derive(Serialize)]
pub struct DocumentInfo {
    id: u64,
    file_name: String,
    /// Citations name their file by this hash.
    sha256: String,
    detected_type: DocumentType,
    /// Pages for paged formats, else `None`.
    pages: Option<u32>,
    blocks: usize,
    attachments: usize,
    warnings: Vec<String>,
}

/// One file of an "add" call: read, or why not (German and English reason).
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AddResult {
    Added { document: DocumentInfo },
    Failed { file_name: String, error: ErrorInfo },
}

impl Documents {
    fn add(&self, doc: Document) -> DocumentInfo {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let info = DocumentInfo {
            id,
            file_name: doc.source.file_name.clone(),
            sha256: doc.source.sha256.clone(),
            detected_type: doc.source.detected_type,
            pages: doc.blocks.iter().filter(|b| b.position.attachment.is_none()).filter_map(|b| b.position.page).max(),
            blocks: doc.blocks.len(),
            attachments: doc.attachments.len(),
            warnings: doc.warnings.clone(),
        };
        self.docs.lock().unwrap().push((id, Arc::new(doc)));
        info
    }

    fn get(&self, id: u64) -> Option<Arc<Document>> {
        self.docs.lock().unwrap().iter().find(|(i, _)| *i == id).map(|(_, d)| Arc::clone(d))
    }
}

fn added(result: schreibstube_core::Result<Document>, file_name: String, docs: &Documents) -> AddResult {
    match result {
        Ok(doc) => AddResult::Added { document: docs.add(doc) },
        Err(e) => AddResult::Failed { file_name, error: ErrorInfo::from(&e) },
    }
}

/// Files dropped on the window (the webview's drag-and-drop gives paths).
#[tauri::command]
pub async fn add_documents(state: State<'_, AppState>, paths: Vec<PathBuf>) -> Result<Vec<AddResult>, ErrorInfo> {
    let docs = Arc::clone(&state.documents);
    let options = extract_options(&state);
    tauri::async_runtime::spawn_blocking(move || {
        paths
            .into_iter()
            .map(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                added(documents::extract_file(&p, &options), name, &docs)
            })
            .collect()
    })
    .await
    .map_err(|_| ErrorInfo::from(&CoreError::Inference("extraction task failed".into())))
}

/// A file chosen in the file picker: its bytes as the raw request body, its name in the
/// `x-file-name` header (URI-encoded).
#[tauri::command]
pub async fn add_document_bytes(state: State<'_, AppState>, request: Request<'_>) -> Result<AddResult, ErrorInfo> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(ErrorInfo::from(&CoreError::InvalidParameter("Dateiinhalt fehlt".into())));
    };
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_else(|| "Datei".into());
    let bytes = bytes.clone();
    let docs = Arc::clone(&state.documents);
    let options = extract_options(&state);
    tauri::async_runtime::spawn_blocking(move || added(documents::extract_bytes(&name, &bytes, &options), name, &docs))
        .await
        .map_err(|_| ErrorInfo::from(&CoreError::Inference("extraction task failed".into())))
}

/// A sample of the first-run guide (`akte`, the default; `haushalt`, a budget table; `bescheid`,
/// a notice; `antrag`, a citizen's letter to answer), to try the tasks without own documents.
#[tauri::command]
pub fn add_sample_document(state: State<'_, AppState>, which: Option<String>) -> AddResult {
    let which = which.as_deref().unwrap_or("akte");
    let (_, name, bytes) = SAMPLES.iter().find(|(id, _, _)| *id == which).unwrap_or(&SAMPLES[0]);
    added(documents::extract_bytes(name, bytes, &extract_options(&state)), (*name).into(), &state.documents)
}

/// "Früheres Ergebnis" in the explain screen: the text of a stored result becomes a session
/// document (`Ergebnis-<id>.txt`), so the task commands work on it like on any file.
#[tauri::command]
pub fn history_as_document(state: State<'_, AppState>, id: i64) -> Result<AddResult, ErrorInfo> {
    let (body, options) = {
        let guard = state.history.lock().unwrap();
        let h = guard.as_ref().ok_or_else(|| ErrorInfo::from(&CoreError::StoreOpening))?;
        let found = h
            .policy()
            .ensure_enabled("history")
            .and_then(|()| h.store()?.get_result(id)?.ok_or(CoreError::HistoryEntryNotFound(id)))
            .map_err(|e| ErrorInfo::from(&e))?;
        (found.body, h.extract_options())
    };
    let name = format!("Ergebnis-{id}.txt");
    Ok(added(documents::extract_bytes(&name, body.as_bytes(), &options), name, &state.documents))
}

/// The file-size cap in force: the merged settings where the store is open, else the policy's.
fn extract_options(state: &AppState) -> schreibstube_core::documents::ExtractOptions {
    match state.history.lock().unwrap().as_ref() {
        Some(h) => h.extract_options(),
        None => state.policy.extract_options(),
    }
}

/// The document read under `id`, for the other task commands.
pub(crate) fn document(state: &AppState, id: u64) -> Option<Arc<Document>> {
    state.documents.get(id)
}

#[tauri::command]
pub fn remove_document(state: State<'_, AppState>, id: u64) {
    state.documents.docs.lock().unwrap().retain(|(i, _)| *i != id);
}

/// The whole document (blocks with positions) for the document pane.
#[tauri::command]
pub fn get_document(state: State<'_, AppState>, id: u64) -> Result<Document, ErrorInfo> {
    state
        .documents
        .get(id)
        .map(|d| (*d).clone())
        .ok_or_else(|| ErrorInfo::from(&CoreError::InvalidParameter(format!("Dokument {id} ist nicht geöffnet"))))
}

/// A summary event as the UI receives it (tagged by `kind`).
#[derive(Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UiSummaryEvent {
    Progress { request_id: u64, progress: summarize::Progress },
    Partial { request_id: u64, chunk: usize, text: String },
    Token { request_id: u64, text: String },
    Done { request_id: u64, result: Box<SummaryResult> },
    Error { request_id: u64, error: ErrorInfo },
}

static NEXT_SUMMARY: AtomicU64 = AtomicU64::new(1 << 32);

/// Summarises the given documents; events stream on `on_event`, `cancel(request_id)` stops.
#[tauri::command]
pub fn summarize(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    document_ids: Vec<u64>,
    options: Option<SummaryOptions>,
    on_event: Channel<UiSummaryEvent>,
) -> Result<u64, ErrorInfo> {
    state.policy.ensure_enabled("summary").map_err(|e| ErrorInfo::from(&e))?;
    let engine = state.engine.read().unwrap().clone().ok_or_else(|| ErrorInfo::from(&CoreError::ModelNotReady))?;
    let history = Arc::clone(&state.history);
    let mut docs = Vec::new();
    let mut failed = Vec::new();
    for id in document_ids {
        match state.documents.get(id) {
            Some(d) => docs.push(d),
            None => failed.push(FailedFile {
                file: format!("Dokument {id}"),
                error: ErrorInfo::from(&CoreError::InvalidParameter(format!("Dokument {id} ist nicht geöffnet"))),
            }),
        }
    }
    let id = NEXT_SUMMARY.fetch_add(1, Ordering::Relaxed);
    let cancel = CancelToken::default();
    state.running.lock().unwrap().insert(id, cancel.clone());
    let running = Arc::clone(&state.running);
    let options = options.unwrap_or_default();
    tauri::async_runtime::spawn_blocking(move || {
        let model = crate::model_ref(&engine);
        let docs: Vec<Document> = docs.iter().map(|d| (**d).clone()).collect();
        let send = |ev| {
            let _ = on_event.send(ev);
        };
        let outcome = summarize::summarize(&engine, model, &docs, failed, &options, &cancel, |ev| {
            send(match ev {
                SummaryEvent::Progress(progress) => UiSummaryEvent::Progress { request_id: id, progress },
                SummaryEvent::Partial { chunk, text } => UiSummaryEvent::Partial { request_id: id, chunk, text },
                SummaryEvent::Token { text } => UiSummaryEvent::Token { request_id: id, text },
            })
        });
        if let Ok(result) = &outcome {
            crate::store_cmds::save_task_result(&app, &history, result.cancelled, || result.to_history(&docs), &docs, "summary");
        }
        send(match outcome {
            Ok(result) => UiSummaryEvent::Done { request_id: id, result: Box::new(result) },
            Err(e) => UiSummaryEvent::Error { request_id: id, error: ErrorInfo::from(&e) },
        });
        running.lock().unwrap().remove(&id);
    });
    Ok(id)
}

/// Saves a summary as Markdown, DOCX or PDF in the export folder (`paths::export_dir`, e.g.
/// ~/Dokumente/Schreibstube) and returns the file's path for the UI to show.
#[tauri::command]
pub async fn export_summary(result: SummaryResult, format: Format) -> Result<String, ErrorInfo> {
    save_report(export::Report::from_summary(&result), "Zusammenfassung", format).await
}

/// Saves an explanation (with its computed figures) like [`export_summary`].
#[tauri::command]
pub async fn export_explanation(result: schreibstube_core::tasks::explain::ExplainResult, format: Format) -> Result<String, ErrorInfo> {
    save_report(export::Report::from_explanation(&result), "Erklaerung", format).await
}

async fn save_report(report: export::Report, name: &'static str, format: Format) -> Result<String, ErrorInfo> {
    tauri::async_runtime::spawn_blocking(move || {
        let dir = paths::export_dir();
        std::fs::create_dir_all(&dir).map_err(|e| ErrorInfo::from(&CoreError::Io { path: dir.clone(), source: e }))?;
        let stamp: String = export::now_iso().chars().filter(char::is_ascii_digit).collect();
        let path = dir.join(format!("{name}-{}-{}.{}", &stamp[..8], &stamp[8..14], format.extension()));
        export::write_report(&report, format, &path).map_err(|e| ErrorInfo::from(&e))?;
        Ok(path.display().to_string())
    })
    .await
    .map_err(|_| ErrorInfo::from(&CoreError::Inference("export task failed".into())))?
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    // Only the name is kept: a path a page might send is cut to its last part.
    let name = String::from_utf8_lossy(&out).into_owned();
    name.rsplit(['/', '\\']).next().unwrap_or_default().to_owned()
}
