//! What the task commands (`summarize`, `explain`) share: loading the model (the IT policy's
//! allow-list first, then the engine, and the model's name and sha256 for the provenance), the
//! `--export` format, and saving the result to the history.

use std::path::{Path, PathBuf};

use schreibstube_core::llm::{Engine, EngineConfig};
use schreibstube_core::models;
use schreibstube_core::policy::Policy;
use schreibstube_core::tasks::summarize::ModelRef;
use schreibstube_core::export::Format;
use schreibstube_core::store::{History, NewResult};
use schreibstube_core::documents::Document;
use schreibstube_core::CoreError;

pub fn load(model: Option<&Path>, threads: Option<usize>, data_dir: &Path, policy: &Policy) -> Result<(Engine, ModelRef), CoreError> {
    let resolved = models::resolve_with_policy(model, data_dir, policy)?;
    let mut config = EngineConfig::new(&resolved.path);
    config.threads = threads;
    let engine = Engine::load(config, |_| {})?;
    let model = models::model_ref(&engine, data_dir)?;
    Ok((engine, model))
}

/// The format of `--export FILE`, checked before the long work starts.
pub fn export_format(path: Option<&PathBuf>) -> Result<Option<Format>, CoreError> {
    path.map(|p| {
        Format::from_path(p).ok_or_else(|| CoreError::InvalidParameter("--export braucht eine Datei mit der Endung .md, .docx oder .pdf".into()))
    })
    .transpose()
}

/// Saves the result like the app saves it, with the documents it came from (for `history
/// trace`); without a keychain the result is still printed, with one warning on stderr.
pub fn save(history: &mut History, entry: &NewResult, docs: &[Document]) {
    if let Err(e) = history.record_with_documents(entry, docs) {
        eprintln!("{}", history.warning_de().unwrap_or_else(|| format!("Verlauf wird nicht gespeichert: {}", e.message_de())));
    }
}
