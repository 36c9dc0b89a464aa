//! The desktop shell: Tauri commands and events over `schreibstube-core`. It translates between
//! the web UI and the core and decides nothing itself (see docs/ipc.md for the contract).

mod akte;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use schreibstube_core::llm::loader::{self, LoadRequest, ModelStatus};
use schreibstube_core::llm::{CancelToken, Engine, GenEvent, GenStats};
use schreibstube_core::tasks::free_text::{self, FreeTextOptions};
use schreibstube_core::{paths, CoreError, ErrorInfo};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, State};

/// Shared state: the engine once loaded, the model status, the running generations.
#[derive(Default)]
pub struct AppState {
    engine: RwLock<Option<Arc<Engine>>>,
    status: Mutex<Option<ModelStatus>>,
    running: Arc<Mutex<HashMap<u64, CancelToken>>>,
    documents: Arc<akte::Documents>,
}

/// A generation event as the UI receives it (tagged by `kind`).
#[derive(Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UiGenEvent {
    Started { request_id: u64, prompt_tokens: usize },
    Progress { request_id: u64, done: usize, total: usize },
    Token { request_id: u64, text: String },
    Done { request_id: u64, stats: GenStats },
    Error { request_id: u64, code: String, message_de: String, message_en: String },
}

#[derive(Serialize)]
pub struct AppInfo {
    version: &'static str,
    model: ModelStatus,
}

#[tauri::command]
fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo { version: env!("CARGO_PKG_VERSION"), model: current_status(&state) }
}

#[tauri::command]
fn model_status(state: State<'_, AppState>) -> ModelStatus {
    current_status(&state)
}

fn current_status(state: &AppState) -> ModelStatus {
    state.status.lock().unwrap().clone().unwrap_or_else(ModelStatus::starting)
}

#[tauri::command]
fn generate(
    state: State<'_, AppState>,
    prompt: String,
    params: Option<FreeTextOptions>,
    on_event: Channel<UiGenEvent>,
) -> Result<u64, ErrorInfo> {
    let engine = state.engine.read().unwrap().clone().ok_or_else(|| ErrorInfo::from(&CoreError::ModelNotReady))?;
    let request = free_text::request(&prompt, &params.unwrap_or_default());
    let generation = engine.generate(request).map_err(|e| ErrorInfo::from(&e))?;
    let id = generation.id;
    state.running.lock().unwrap().insert(id, generation.cancel.clone());

    let mut events = generation.events;
    let running = Arc::clone(&state.running);
    tauri::async_runtime::spawn(async move {
        while let Some(event) = events.recv().await {
            let (ui, last) = match event {
                GenEvent::Started { prompt_tokens } => (UiGenEvent::Started { request_id: id, prompt_tokens }, false),
                GenEvent::Progress { done, total } => (UiGenEvent::Progress { request_id: id, done, total }, false),
                GenEvent::Token(text) => (UiGenEvent::Token { request_id: id, text }, false),
                GenEvent::Done(stats) => (UiGenEvent::Done { request_id: id, stats }, true),
                GenEvent::Error(e) => {
                    let info = ErrorInfo::from(&*e);
                    (UiGenEvent::Error { request_id: id, code: info.code, message_de: info.message_de, message_en: info.message_en }, true)
                }
            };
            // A closed window simply stops listening; the generation then runs to its end.
            let _ = on_event.send(ui);
            if last {
                break;
            }
        }
        running.lock().unwrap().remove(&id);
    });
    Ok(id)
}

/// Stops a generation or a summary; a request that has already finished is not an error.
#[tauri::command]
fn cancel(state: State<'_, AppState>, request_id: u64) {
    if let Some(token) = state.running.lock().unwrap().get(&request_id) {
        token.cancel();
    }
}

pub fn run() {
    init_logging();
    schreibstube_core::diagnostics::install_panic_hook();
    tauri::Builder::default()
        .manage(AppState::default())
        .invoke_handler(tauri::generate_handler![
            app_info,
            model_status,
            generate,
            cancel,
            akte::add_documents,
            akte::add_document_bytes,
            akte::add_sample_document,
            akte::remove_document,
            akte::get_document,
            akte::summarize,
            akte::export_summary,
        ])
        .setup(|app| {
            start_model_load(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Schreibstube konnte nicht gestartet werden: {e}");
            std::process::exit(1);
        });
}

/// The window opens at once; the model loads behind it and reports through `model-status`.
fn start_model_load(app: AppHandle) {
    let request = LoadRequest {
        model: std::env::var_os("SCHREIBSTUBE_MODEL").map(Into::into),
        data_dir: paths::data_dir(None),
        threads: std::env::var("SCHREIBSTUBE_THREADS").ok().and_then(|t| t.parse().ok()),
    };
    let status_app = app.clone();
    loader::spawn(
        request,
        move |status| {
            *status_app.state::<AppState>().status.lock().unwrap() = Some(status.clone());
            let _ = status_app.emit("model-status", status);
        },
        move |engine| {
            *app.state::<AppState>().engine.write().unwrap() = Some(engine);
        },
    );
}

fn init_logging() {
    // llama.cpp's log lines arrive as tracing events (target llama-cpp-2); keep them at warn.
    let filter = std::env::var("SCHREIBSTUBE_LOG").unwrap_or_else(|_| "warn,llama-cpp-2=error".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}
