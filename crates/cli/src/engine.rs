//! Loading the model for a task command: the IT policy's allow-list first, then the engine, and
//! the model's name and sha256 for the result's provenance.

use std::path::Path;

use schreibstube_core::llm::{Engine, EngineConfig};
use schreibstube_core::models;
use schreibstube_core::policy::Policy;
use schreibstube_core::tasks::summarize::ModelRef;
use schreibstube_core::CoreError;

pub fn load(model: Option<&Path>, threads: Option<usize>, data_dir: &Path, policy: &Policy) -> Result<(Engine, ModelRef), CoreError> {
    let resolved = models::resolve_with_policy(model, data_dir, policy)?;
    let mut config = EngineConfig::new(&resolved.path);
    config.threads = threads;
    let engine = Engine::load(config, |_| {})?;
    let info = engine.info();
    let model = ModelRef {
        name: resolved.entry.as_ref().map_or(info.name.clone(), |e| e.name.clone()),
        file: info.file.clone(),
        sha256: models::sha256_cached(&resolved.path, data_dir)?,
    };
    Ok((engine, model))
}
