//! Reading the files of a case: the crate `schreibstube-documents` (crates/documents), re-exported
//! here with its errors as [`CoreError`], so the app and the CLI see one error type. The reader
//! lives in a crate of its own, without llama.cpp, so that it can be fuzzed (fuzz/) and
//! benchmarked in seconds; see its crate doc for the pipeline and the formats.

use std::path::{Path, PathBuf};

pub use schreibstube_documents::model;
pub use schreibstube_documents::{
    AttachmentInfo, Block, BlockKind, Detected, Document, DocumentError, DocumentType, ExtractOptions, Metadata,
    Position, Source,
};

use crate::{CoreError, ErrorInfo, Result};

/// Reads one file; see [`schreibstube_documents::extract_file`].
pub fn extract_file(path: impl AsRef<Path>, opts: &ExtractOptions) -> Result<Document> {
    schreibstube_documents::extract_file(path, opts).map_err(CoreError::from)
}

/// Reads a file already in memory; see [`schreibstube_documents::extract_bytes`].
pub fn extract_bytes(file_name: &str, bytes: &[u8], opts: &ExtractOptions) -> Result<Document> {
    schreibstube_documents::extract_bytes(file_name, bytes, opts).map_err(CoreError::from)
}

/// One file of a batch and what became of it.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub path: PathBuf,
    pub result: std::result::Result<Document, ErrorInfo>,
}

/// Reads several files; one that fails never loses the others.
pub fn extract_batch<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>, opts: &ExtractOptions) -> Vec<BatchItem> {
    schreibstube_documents::extract_batch(paths, opts)
        .into_iter()
        .map(|item| BatchItem { path: item.path, result: item.result.map_err(|e| ErrorInfo::from(&CoreError::from(e))) })
        .collect()
}
