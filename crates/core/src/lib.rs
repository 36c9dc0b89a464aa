//! Schreibstube's engine. Everything the app decides lives here; the desktop shell (`src-tauri`)
//! and the command line (`crates/cli`) only translate. See ARCHITECTURE.md for the map.

pub mod diagnostics;
pub mod documents;
pub mod error;
pub mod export;
pub mod letters;
pub mod llm;
pub mod logging;
pub mod model_import;
pub mod models;
pub mod paths;
pub mod policy;
pub mod store;
pub mod tasks;

pub use error::{CoreError, ErrorInfo, Result};
