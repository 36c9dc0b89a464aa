//! The desktop shell: Tauri commands and events over `schreibstube-core`. It translates between
//! the web UI and the core and decides nothing itself (see docs/ipc.md for the contract).

mod akte;
mod explain_cmd;
mod letter_cmd;
mod models_cmd;
mod store_cmds;
mod task;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use schreibstube_core::llm::loader::{self, LoadRequest, ModelStatus};
use schreibstube_core::llm::{CancelToken, Engine, GenEvent, GenStats, StopReason};
use schreibstube_core::policy::Policy;
use schreibstube_core::store::{History, NewResult, Provenance};
use schreibstube_core::tasks::free_text::{self, FreeTextOptions};
use schreibstube_core::{logging, models, paths, CoreError, ErrorInfo};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, State};

/// Shared state: the engine once loaded, the model status, the running generations, the IT
/// policy (read once at start) and the store (history) once opened.
#[derive(Default)]
pub struct AppState {
    engine: RwLock<Option<Arc<Engine>>>,
    status: Mutex<Option<ModelStatus>>,
    running: Arc<Mutex<HashMap<u64, CancelToken>>>,
    documents: Arc<akte::Documents>,
    policy: Policy,
    history: store_cmds::SharedHistory,
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
    store: store_cmds::StoreStatus,
}

/// The loaded model as a task result names it (provenance): name, file and sha256 (cached).
pub(crate) fn model_ref(engine: &Engine) -> schreibstube_core::tasks::summarize::ModelRef {
    models::model_ref(engine, &paths::data_dir(None)).unwrap_or_else(|e| {
        // The result is still saved; its provenance then lacks the hash.
        tracing::warn!(code = e.code(), "model file not hashed");
        let info = engine.info();
        schreibstube_core::tasks::summarize::ModelRef { name: info.name.clone(), file: info.file.clone(), sha256: String::new() }
    })
}

#[tauri::command]
fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo { version: env!("CARGO_PKG_VERSION"), model: current_status(&state), store: store_cmds::status_of(&state) }
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
    app: AppHandle,
    state: State<'_, AppState>,
    prompt: String,
    params: Option<FreeTextOptions>,
    on_event: Channel<UiGenEvent>,
) -> Result<u64, ErrorInfo> {
    state.policy.ensure_enabled("free_text").map_err(|e| ErrorInfo::from(&e))?;
    let engine = state.engine.read().unwrap().clone().ok_or_else(|| ErrorInfo::from(&CoreError::ModelNotReady))?;
    let params = params.unwrap_or_default();
    let request = free_text::request(&prompt, &params);
    let generation = engine.generate(request).map_err(|e| ErrorInfo::from(&e))?;
    let id = generation.id;
    state.running.lock().unwrap().insert(id, generation.cancel.clone());

    let mut events = generation.events;
    let running = Arc::clone(&state.running);
    let history = Arc::clone(&state.history);
    tauri::async_runtime::spawn(async move {
        let mut text = String::new();
        while let Some(event) = events.recv().await {
            let (ui, last) = match event {
                GenEvent::Started { prompt_tokens } => (UiGenEvent::Started { request_id: id, prompt_tokens }, false),
                GenEvent::Progress { done, total } => (UiGenEvent::Progress { request_id: id, done, total }, false),
                GenEvent::Token(piece) => {
                    text.push_str(&piece);
                    (UiGenEvent::Token { request_id: id, text: piece }, false)
                }
                GenEvent::Done(stats) => {
                    // Saved exactly as the CLI saves it (core: History::record), off the async
                    // threads: the first save may hash the model file. A stopped answer is not
                    // a result.
                    let (history, engine, prompt, text, params) =
                        (Arc::clone(&history), Arc::clone(&engine), prompt.clone(), std::mem::take(&mut text), params.clone());
                    let (stats_json, cancelled) = (serde_json::to_value(&stats).unwrap_or_default(), stats.stop_reason == StopReason::Cancelled);
                    let app = app.clone();
                    tauri::async_runtime::spawn_blocking(move || {
                        let entry = || free_text_result(&engine, &prompt, text, &params, stats_json);
                        store_cmds::save_task_result(&app, &history, cancelled, entry, &[], "free_text");
                    });
                    (UiGenEvent::Done { request_id: id, stats }, true)
                }
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

/// A free-text answer as the history keeps it, the same as the CLI's (core: `NewResult`).
fn free_text_result(engine: &Engine, prompt: &str, text: String, params: &FreeTextOptions, stats: serde_json::Value) -> NewResult {
    let model = model_ref(engine);
    let parameters = serde_json::to_value(params).unwrap_or_default();
    NewResult {
        task: "free_text".into(),
        title: NewResult::title_from(prompt),
        body: text,
        data: serde_json::json!({ "prompt": prompt, "stats": stats }),
        provenance: Provenance::new(&model.name, &model.sha256, parameters, &[prompt]),
    }
}

/// Stops a generation or a summary; a request that has already finished is not an error.
#[tauri::command]
fn cancel(state: State<'_, AppState>, request_id: u64) {
    if let Some(token) = state.running.lock().unwrap().get(&request_id) {
        token.cancel();
    }
}

pub fn run() {
    let data_dir = paths::data_dir(None);
    logging::init(&data_dir, logging::Stderr::On);
    schreibstube_core::diagnostics::install_panic_hook();
    // No policy file: no restrictions. A broken one: the app does not run unrestricted.
    let policy = match Policy::load() {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(code = e.code(), "invalid IT policy; not starting");
            eprintln!("{}", e.message_de());
            std::process::exit(1);
        }
    };
    let state = AppState { policy, ..AppState::default() };
    tauri::Builder::default()
        .manage(state)
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
            akte::export_explanation,
            models_cmd::model_import,
            explain_cmd::explain,
            letter_cmd::templates_list,
            letter_cmd::draft_prefill,
            letter_cmd::draft,
            letter_cmd::draft_regenerate,
            letter_cmd::draft_check,
            letter_cmd::export_letter,
            store_cmds::store_status,
            store_cmds::history_list,
            store_cmds::history_search,
            store_cmds::history_get,
            store_cmds::history_delete,
            store_cmds::history_trace,
            akte::history_as_document,
            store_cmds::settings_get,
            store_cmds::settings_set,
            store_cmds::data_export,
            store_cmds::data_delete_all,
            store_cmds::audit_export,
            store_cmds::policy_status,
            store_cmds::store_start_fresh,
        ])
        .setup(|app| {
            start_model_load(app.handle().clone());
            open_store(app.handle().clone());
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

/// Opens the store on a thread of its own (the keychain may take a moment; its blocking calls
/// must not run on the async runtime), applies retention at once, and then daily.
fn open_store(app: AppHandle) {
    let shared = Arc::clone(&app.state::<AppState>().history);
    let policy = app.state::<AppState>().policy.clone();
    std::thread::spawn(move || {
        // History::open applies retention once it is open.
        let history = History::open(&paths::data_dir(None), policy);
        *shared.lock().unwrap() = Some(history);
        // The panels that asked while it was opening look again.
        let _ = app.emit(store_cmds::HISTORY_CHANGED, ());
        tauri::async_runtime::spawn(async move {
            let day = std::time::Duration::from_secs(24 * 60 * 60);
            let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + day, day);
            loop {
                interval.tick().await;
                let shared = Arc::clone(&shared);
                let _ = tauri::async_runtime::spawn_blocking(move || {
                    if let Some(h) = shared.lock().unwrap().as_mut() {
                        if let Err(e) = h.apply_retention() {
                            tracing::warn!(code = e.code(), "daily retention failed");
                        }
                    }
                })
                .await;
            }
        });
    });
}
