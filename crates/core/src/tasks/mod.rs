//! The assistant's tasks: what to ask the model and how to check its answer. Each task turns user
//! input into [`crate::llm::GenerateRequest`]s; the shell and the CLI only pass input through.
//!
//! Shared by all tasks: `evidence` (sentences, BM25 over source blocks), `facts` (dates, amounts,
//! Aktenzeichen … found by code) and `checker` (flags output figures no source contains);
//! `figures` (table analysis by code) and `readability` (German scores, Leichte-Sprache rules)
//! serve `explain`.

pub mod checker;
pub mod evidence;
pub mod explain;
pub mod facts;
pub mod figures;
pub mod free_text;
pub mod readability;
pub mod summarize;
