//! Loading the model in the background while the window is already open, with a status the UI
//! can show at any moment.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use super::{Engine, EngineConfig};
use crate::error::{CoreError, ErrorInfo};
use crate::models::{self, ModelKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LoadState {
    Loading,
    Ready,
    Error,
}

/// The model's state as the status bar shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelStatus {
    pub state: LoadState,
    pub name: String,
    pub file: String,
    pub kind: ModelKind,
    /// 0..1 while loading.
    pub progress: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

impl ModelStatus {
    /// Before the loader has said anything (the UI may ask that early).
    pub fn starting() -> Self {
        Self { state: LoadState::Loading, name: String::new(), file: String::new(), kind: ModelKind::Base, progress: 0.0, error: None }
    }

    fn failed(name: String, file: String, e: &CoreError) -> Self {
        Self { state: LoadState::Error, name, file, kind: ModelKind::Base, progress: 0.0, error: Some(e.into()) }
    }
}

/// Where to find the model and how to run it.
#[derive(Debug, Clone, Default)]
pub struct LoadRequest {
    pub model: Option<PathBuf>,
    pub data_dir: PathBuf,
    pub threads: Option<usize>,
}

/// Resolves and loads the model on a new thread; `on_status` sees every change (progress is
/// reported in whole percent so the UI is not flooded). `on_loaded` receives the engine.
pub fn spawn(
    req: LoadRequest,
    on_status: impl Fn(ModelStatus) + Send + Sync + 'static,
    on_loaded: impl FnOnce(Arc<Engine>) + Send + 'static,
) {
    std::thread::spawn(move || {
        let resolved = match models::resolve(req.model.as_deref(), &req.data_dir) {
            Ok(r) => r,
            Err(e) => return on_status(ModelStatus::failed(String::new(), String::new(), &e)),
        };
        let file = resolved.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let name = resolved.entry.as_ref().map_or_else(|| file.clone(), |e| e.name.clone());
        let kind = resolved.entry.as_ref().map_or(ModelKind::Base, |e| e.kind);
        let loading = ModelStatus { state: LoadState::Loading, name: name.clone(), file: file.clone(), kind, progress: 0.0, error: None };
        on_status(loading.clone());

        let on_status = Arc::new(on_status);
        let progress_sink = Arc::clone(&on_status);
        let mut last_percent = 0u32;
        let mut config = EngineConfig::new(&resolved.path);
        config.threads = req.threads;
        let result = Engine::load(config, move |p| {
            let percent = (p * 100.0) as u32;
            if percent > last_percent {
                last_percent = percent;
                progress_sink(ModelStatus { progress: p.min(0.99), ..loading.clone() });
            }
        });
        match result {
            Ok(engine) => {
                let kind = engine.info().kind;
                // The engine is handed over before "ready" is announced, so a request sent the
                // moment the UI sees "ready" finds it.
                on_loaded(Arc::new(engine));
                on_status(ModelStatus { state: LoadState::Ready, name, file, kind, progress: 1.0, error: None });
            }
            Err(e) => {
                tracing::warn!(code = e.code(), "model failed to load");
                on_status(ModelStatus::failed(name, file, &e));
            }
        }
    });
}
