//! The Akte (case file) commands: documents in, summaries out. Extraction and summarising are
//! the core's; this module keeps the read documents for the session and forwards events.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use schreibstube_core::documents::{self, Document, DocumentType};
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
    let options = extract_options(&state)?;
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
    read_bytes(&state, name, bytes.clone()).await
}

/// A sample of the first-run guide (`akte`, the default; `haushalt`, a budget table; `bescheid`,
/// a notice; `antrag`, a citizen's letter to answer), to try the tasks without own documents.
#[tauri::command]
pub async fn add_sample_document(state: State<'_, AppState>, which: Option<String>) -> Result<AddResult, ErrorInfo> {
    let which = which.as_deref().unwrap_or("akte");
    let (_, name, bytes) = SAMPLES.iter().find(|(id, _, _)| *id == which).unwrap_or(&SAMPLES[0]);
    read_bytes(&state, (*name).into(), bytes.to_vec()).await
}

/// "Früheres Ergebnis" in the explain screen: the text of a stored result becomes a session
/// document (`Ergebnis-<id>.txt`), so the task commands work on it like on any file.
#[tauri::command]
pub async fn history_as_document(state: State<'_, AppState>, id: i64) -> Result<AddResult, ErrorInfo> {
    let body = crate::store_cmds::stored_result(&state, id)?.body;
    read_bytes(&state, format!("Ergebnis-{id}.txt"), body.into_bytes()).await
}

/// Reads a file's bytes off the async threads (extraction may take a while) into the session.
async fn read_bytes(state: &AppState, name: String, bytes: Vec<u8>) -> Result<AddResult, ErrorInfo> {
    let docs = Arc::clone(&state.documents);
    let options = extract_options(state)?;
    tauri::async_runtime::spawn_blocking(move || added(documents::extract_bytes(&name, &bytes, &options), name, &docs))
        .await
        .map_err(|_| ErrorInfo::from(&CoreError::Inference("extraction task failed".into())))
}

/// The file-size cap in force (the merged settings where the store is open, else the policy's);
/// refused when the IT has switched reading documents off.
fn extract_options(state: &AppState) -> Result<documents::ExtractOptions, ErrorInfo> {
    match state.history.lock().unwrap().as_ref() {
        Some(h) => h.extract_options(),
        None => state.policy.extract_options(),
    }
    .map_err(|e| ErrorInfo::from(&e))
}

/// The document read under `id`, for the other task commands.
pub(crate) fn document(state: &AppState, id: u64) -> Result<Arc<Document>, ErrorInfo> {
    state
        .documents
        .get(id)
        .ok_or_else(|| ErrorInfo::from(&CoreError::InvalidParameter(format!("Dokument {id} ist nicht geöffnet"))))
}

#[tauri::command]
pub fn remove_document(state: State<'_, AppState>, id: u64) {
    state.documents.docs.lock().unwrap().retain(|(i, _)| *i != id);
}

/// The whole document (blocks with positions) for the document pane.
#[tauri::command]
pub fn get_document(state: State<'_, AppState>, id: u64) -> Result<Document, ErrorInfo> {
    document(&state, id).map(|d| (*d).clone())
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

crate::task::task_event!(UiSummaryEvent, SummaryResult);

/// Summarises the given documents; events stream on `on_event`, `cancel(request_id)` stops.
/// A document no longer open is reported as a failed file, like one that could not be read.
#[tauri::command]
pub fn summarize(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    document_ids: Vec<u64>,
    options: Option<SummaryOptions>,
    on_event: Channel<UiSummaryEvent>,
) -> Result<u64, ErrorInfo> {
    let mut docs = Vec::new();
    let mut failed = Vec::new();
    for id in document_ids {
        match document(&state, id) {
            Ok(d) => docs.push(d),
            Err(error) => failed.push(FailedFile { file: format!("Dokument {id}"), error }),
        }
    }
    let options = options.unwrap_or_default();
    crate::task::spawn(app, &state, docs, on_event, move |t| {
        summarize::summarize(t.engine, crate::model_ref(t.engine), t.docs, failed, &options, t.cancel, |ev| {
            t.send(match ev {
                SummaryEvent::Progress(progress) => UiSummaryEvent::Progress { request_id: t.id, progress },
                SummaryEvent::Partial { chunk, text } => UiSummaryEvent::Partial { request_id: t.id, chunk, text },
                SummaryEvent::Token { text } => UiSummaryEvent::Token { request_id: t.id, text },
            })
        })
    })
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
        let path = paths::export_file(name, format.extension()).map_err(|e| ErrorInfo::from(&e))?;
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
