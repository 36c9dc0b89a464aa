//! The assistant's tasks: what to ask the model and how to check its answer. Each task turns user
//! input into [`crate::llm::GenerateRequest`]s; the shell and the CLI only pass input through.

pub mod free_text;
