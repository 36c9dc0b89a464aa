//! "Ergebnis erklären": the core's `tasks::explain` over a document read in this session; events
//! on a Channel, stopped by `cancel`, a finished explanation saved to the history.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use schreibstube_core::documents::Document;
use schreibstube_core::llm::CancelToken;
use schreibstube_core::tasks::explain::{self, ExplainEvent, ExplainOptions, ExplainResult};
use schreibstube_core::{CoreError, ErrorInfo};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::AppState;

/// An explanation event as the UI receives it (tagged by `kind`).
#[derive(Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UiExplainEvent {
    Stage { request_id: u64, stage: &'static str },
    Token { request_id: u64, text: String },
    Revision { request_id: u64, round: usize, failing: usize },
    Done { request_id: u64, result: Box<ExplainResult> },
    Error { request_id: u64, error: ErrorInfo },
}

static NEXT: AtomicU64 = AtomicU64::new(2 << 32);

#[tauri::command]
pub fn explain(
    app: AppHandle,
    state: State<'_, AppState>,
    document_id: u64,
    options: Option<ExplainOptions>,
    on_event: Channel<UiExplainEvent>,
) -> Result<u64, ErrorInfo> {
    state.policy.ensure_enabled("explain").map_err(|e| ErrorInfo::from(&e))?;
    let engine = state.engine.read().unwrap().clone().ok_or_else(|| ErrorInfo::from(&CoreError::ModelNotReady))?;
    let doc: Document = crate::akte::document(&state, document_id)
        .map(|d| (*d).clone())
        .ok_or_else(|| ErrorInfo::from(&CoreError::InvalidParameter(format!("Dokument {document_id} ist nicht geöffnet"))))?;
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let cancel = CancelToken::default();
    state.running.lock().unwrap().insert(id, cancel.clone());
    let running = Arc::clone(&state.running);
    let history = Arc::clone(&state.history);
    let options = options.unwrap_or_default();
    tauri::async_runtime::spawn_blocking(move || {
        let model = crate::model_ref(&engine);
        let docs = [doc];
        let send = |ev| {
            let _ = on_event.send(ev);
        };
        let outcome = explain::explain(&engine, model, &docs, &options, &cancel, |ev| {
            send(match ev {
                ExplainEvent::Stage { stage } => UiExplainEvent::Stage { request_id: id, stage },
                ExplainEvent::Token { text } => UiExplainEvent::Token { request_id: id, text },
                ExplainEvent::Revision { round, failing } => UiExplainEvent::Revision { request_id: id, round, failing },
            })
        });
        if let Ok(result) = &outcome {
            crate::store_cmds::save_task_result(&app, &history, result.cancelled, || result.to_history(&docs), &docs, "explanation");
        }
        send(match outcome {
            Ok(result) => UiExplainEvent::Done { request_id: id, result: Box::new(result) },
            Err(e) => UiExplainEvent::Error { request_id: id, error: ErrorInfo::from(&e) },
        });
        running.lock().unwrap().remove(&id);
    });
    Ok(id)
}
