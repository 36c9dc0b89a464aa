//! "Ergebnis erklären": the core's `tasks::explain` over a document read in this session; events
//! on a Channel, stopped by `cancel`, a finished explanation saved to the history.

use schreibstube_core::tasks::explain::{self, ExplainEvent, ExplainOptions, ExplainResult};
use schreibstube_core::ErrorInfo;
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

crate::task::task_event!(UiExplainEvent, ExplainResult);

#[tauri::command]
pub fn explain(
    app: AppHandle,
    state: State<'_, AppState>,
    document_id: u64,
    options: Option<ExplainOptions>,
    on_event: Channel<UiExplainEvent>,
) -> Result<u64, ErrorInfo> {
    let doc = crate::akte::document(&state, document_id)?;
    let options = options.unwrap_or_default();
    crate::task::spawn(app, &state, vec![doc], on_event, move |t| {
        explain::explain(t.engine, crate::model_ref(t.engine), t.docs, &options, t.cancel, |ev| {
            t.send(match ev {
                ExplainEvent::Stage { stage } => UiExplainEvent::Stage { request_id: t.id, stage },
                ExplainEvent::Token { text } => UiExplainEvent::Token { request_id: t.id, text },
                ExplainEvent::Revision { round, failing } => UiExplainEvent::Revision { request_id: t.id, round, failing },
            })
        })
    })
}
