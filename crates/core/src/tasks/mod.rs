//! The assistant's tasks: what to ask the model and how to check its answer. Each task turns user
//! input into [`crate::llm::GenerateRequest`]s; the shell and the CLI only pass input through.
//!
//! Shared by all tasks: `evidence` (sentences, BM25 over source blocks), `facts` (dates, amounts,
//! Aktenzeichen … found by code) and `checker` (flags output figures no source contains);
//! `figures` (table analysis by code) and `readability` (German scores, Leichte-Sprache rules)
//! serve `explain`.

pub mod checker;
pub mod draft;
pub mod evidence;
pub mod explain;
pub mod facts;
pub mod figures;
pub mod free_text;
pub mod readability;
pub mod summarize;

use crate::documents::Document;
use crate::store::{NewResult, Provenance};

/// The history entry of a task's result (what the app and the CLI save, invariant 6). Inputs
/// appear in the provenance by their files' sha256, never by content; the title names the files.
pub(crate) fn history_entry(
    task: &str,
    title_prefix: &str,
    docs: &[Document],
    body: &str,
    data: serde_json::Value,
    model: &summarize::ModelRef,
    parameters: serde_json::Value,
) -> NewResult {
    let mut provenance = Provenance::new(&model.name, &model.sha256, parameters, &[]);
    provenance.input_sha256 = docs.iter().map(|d| d.source.sha256.clone()).collect();
    let files: Vec<&str> = docs.iter().map(|d| d.source.file_name.as_str()).collect();
    NewResult {
        task: task.into(),
        title: NewResult::title_from(&format!("{title_prefix}: {}", files.join(", "))),
        body: body.to_owned(),
        data,
        provenance,
    }
}
