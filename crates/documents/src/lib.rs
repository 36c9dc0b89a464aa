//! Reading the files of a case into one [`Document`] model with positions.
//!
//! A crate of its own (`schreibstube-documents`) without llama.cpp, so that the fuzz targets
//! (`fuzz/`) and the benchmark build it quickly; `schreibstube-core` re-exports it as
//! `schreibstube_core::documents` and wraps [`DocumentError`] as `CoreError::Document`.
//!
//! Every task starts from a document, and every later citation points at a [`Position`] born
//! here, so this module's two jobs are: get the text out of each format, and number it the same
//! way for all of them (see `model.rs` for the rules).
//!
//! The pipeline for one file:
//! 1. size check (before reading), empty check, sha256;
//! 2. [`detect`] by content, never by extension;
//! 3. the format's reader, each behind `catch_unwind` (a third-party parser that panics on a
//!    malformed file becomes [`DocumentError::ParserFailed`], not a crashed app — invariant 4), and
//!    all archive/stream decompression bounded by [`ExtractOptions`] (`limits.rs`);
//! 4. readers return [`RawBlock`]s without final positions; this module numbers paragraphs,
//!    attaches file, sha256 and attachment path, and recurses into e-mail attachments.
//!
//! Readers, one crate each (chosen for being maintained and for not panicking or ballooning on
//! hostile input; see the issue notes for the ones rejected):
//! `pdf.rs` (lopdf), `office.rs` (zip + quick-xml, streaming, for DOCX and ODT), `sheet.rs`
//! (calamine's streaming cell reader for XLSX; quick-xml for ODS), `text.rs` (chardetng +
//! encoding_rs), `html.rs` (scraper/html5ever), `email.rs` (mail-parser 0.11), `msg.rs`
//! (msg_parser, Outlook .msg), `table.rs` (csv), `rtf.rs` (rtf-parser), `ocr.rs` (Tesseract 5
//! as a subprocess, for images and scanned PDF pages).
//!
//! Errors and warnings never contain document text, and nothing here logs it (invariant 5):
//! logs get the type, sizes, counts and error codes only.

mod detect;
mod email;
pub mod error;
mod html;
mod limits;
pub mod model;
mod msg;
mod ocr;
mod office;
mod pdf;
mod rtf;
mod sheet;
mod table;
mod text;

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};

pub use detect::Detected;
pub use limits::ExtractOptions;
pub use model::{AttachmentInfo, Block, BlockKind, Document, DocumentType, Metadata, Position, Source};

pub use error::{DocumentError, OcrReason, Result};
use limits::{Budget, MAX_ATTACHMENT_DEPTH, MIB};

/// Reads one file. The name in positions and messages is the file name, not the whole path.
pub fn extract_file(path: impl AsRef<Path>, opts: &ExtractOptions) -> Result<Document> {
    let path = path.as_ref();
    let name = display_name(path);
    let meta = std::fs::metadata(path).map_err(|e| DocumentError::io(path, e))?;
    if meta.is_dir() {
        return Err(DocumentError::io(path, std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory")));
    }
    check_size(&name, meta.len(), opts)?;
    let file = std::fs::File::open(path).map_err(|e| DocumentError::io(path, e))?;
    // The file may have grown since `metadata`: never read more than the limit allows.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(opts.max_file_bytes.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| DocumentError::io(path, e))?;
    extract_bytes(&name, &bytes, opts)
}

/// Reads a file already in memory (drag and drop, tests). `file_name` is used for positions and
/// messages, and as a hint among text formats only.
pub fn extract_bytes(file_name: &str, bytes: &[u8], opts: &ExtractOptions) -> Result<Document> {
    check_size(file_name, bytes.len() as u64, opts)?;
    let started = Instant::now();
    let sha256 = sha256_hex(bytes);
    let budget = Budget::new(opts);
    let mut out = Assembly { file: file_name.to_owned(), sha256: sha256.clone(), ..Default::default() };
    let result = read_part(&mut out, &budget, file_name, None, bytes, 0);
    match &result {
        Ok((ty, _)) => tracing::info!(
            doc_type = ty.label(),
            size_bytes = bytes.len(),
            blocks = out.blocks.len(),
            warnings = out.warnings.len(),
            ms = started.elapsed().as_millis() as u64,
            "document extracted"
        ),
        Err(e) => tracing::info!(code = e.code(), size_bytes = bytes.len(), "document not extracted"),
    }
    let (detected_type, metadata) = result?;
    Ok(Document {
        source: Source { file_name: file_name.to_owned(), sha256, detected_type, size_bytes: bytes.len() as u64 },
        metadata,
        blocks: out.blocks,
        warnings: out.warnings,
        attachments: out.attachments,
    })
}

/// One file of a batch and what became of it.
#[derive(Debug)]
pub struct BatchItem {
    pub path: PathBuf,
    pub result: Result<Document>,
}

/// Reads several files; one that fails never loses the others. Files are read one after the
/// other: office PCs have two to four cores, and the model needs them more.
pub fn extract_batch<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>, opts: &ExtractOptions) -> Vec<BatchItem> {
    paths
        .into_iter()
        .map(|p| {
            let path = p.as_ref().to_path_buf();
            let result = extract_file(&path, opts);
            BatchItem { path, result }
        })
        .collect()
}

/// What a format reader produces: blocks in reading order, without final positions.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub metadata: Metadata,
    pub blocks: Vec<RawBlock>,
    pub warnings: Vec<String>,
    /// Files inside this one (e-mail attachments), read recursively by this module.
    pub attachments: Vec<RawAttachment>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawBlock {
    pub kind: BlockKind,
    pub text: String,
    pub level: Option<u8>,
    pub page: Option<u32>,
    pub sheet: Option<String>,
    pub row: Option<u32>,
    pub ocr_confidence: Option<f32>,
}

impl RawBlock {
    pub fn new(kind: BlockKind, text: impl Into<String>) -> Self {
        Self { kind, text: text.into(), level: None, page: None, sheet: None, row: None, ocr_confidence: None }
    }
    pub fn paragraph(text: impl Into<String>) -> Self {
        Self::new(BlockKind::Paragraph, text)
    }
    pub fn heading(level: u8, text: impl Into<String>) -> Self {
        Self { level: Some(level), ..Self::new(BlockKind::Heading, text) }
    }
}

#[derive(Debug)]
pub(crate) struct RawAttachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// How a reader failed, before the file name and format are attached in [`read_error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadError {
    Corrupt,
    Encrypted,
    Limit,
    Undecodable,
    /// OCR is needed but cannot run; the reason says why.
    OcrUnavailable(OcrReason),
}

/// The blocks and notes of one file and its attachments, collected in reading order.
#[derive(Default)]
struct Assembly {
    file: String,
    sha256: String,
    blocks: Vec<Block>,
    warnings: Vec<String>,
    attachments: Vec<AttachmentInfo>,
}

/// Reads one part (the file, or an attachment at `attachment`) and appends its blocks.
fn read_part(
    out: &mut Assembly,
    budget: &Budget,
    label: &str,
    attachment: Option<&str>,
    bytes: &[u8],
    depth: usize,
) -> Result<(DocumentType, Metadata)> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty { file: label.to_owned() });
    }
    let ty = match detect::detect(bytes, label) {
        Detected::Known(ty) => ty,
        Detected::Unsupported(format) => {
            return Err(DocumentError::Unsupported { file: label.to_owned(), format: format.to_owned() })
        }
        Detected::Corrupt(format) => {
            return Err(DocumentError::Corrupt { file: label.to_owned(), format: format.to_owned() })
        }
        Detected::Unknown => return Err(DocumentError::UnknownFormat { file: label.to_owned() }),
    };
    let parsed = guarded(label, ty, || parse(ty, bytes, budget))?.map_err(|e| read_error(e, label, ty, budget))?;

    let mut paragraph = 0;
    for raw in parsed.blocks {
        let text = raw.text.trim();
        if text.is_empty() {
            continue;
        }
        paragraph += 1;
        out.blocks.push(Block {
            kind: raw.kind,
            text: text.to_owned(),
            level: raw.level,
            ocr_confidence: raw.ocr_confidence,
            position: Position {
                file: out.file.clone(),
                file_sha256: out.sha256.clone(),
                page: raw.page,
                paragraph,
                attachment: attachment.map(str::to_owned),
                sheet: raw.sheet,
                row: raw.row,
            },
        });
    }
    let prefix = |w: String| match attachment {
        Some(a) => format!("Anhang „{a}“: {w}"),
        None => w,
    };
    out.warnings.extend(parsed.warnings.into_iter().map(prefix));
    if paragraph == 0 && parsed.attachments.is_empty() && !out.warnings.iter().any(|w| w.contains("keine Textebene")) {
        out.warnings.push(prefix("Das Dokument enthält keinen lesbaren Text.".to_owned()));
    }

    let mut used_names: Vec<String> = Vec::new();
    for (index, att) in parsed.attachments.into_iter().enumerate() {
        let name = unique_name(&att.name, index, &mut used_names);
        let path = match attachment {
            Some(parent) => format!("{parent}/{name}"),
            None => name,
        };
        let info = |detected_type| AttachmentInfo {
            path: path.clone(),
            detected_type,
            sha256: sha256_hex(&att.bytes),
            size_bytes: att.bytes.len() as u64,
        };
        if depth + 1 > MAX_ATTACHMENT_DEPTH {
            out.warnings.push(format!("Anhang „{path}“ ist zu tief verschachtelt und wurde nicht gelesen."));
            out.attachments.push(info(None));
            continue;
        }
        match read_part(out, budget, &path, Some(&path), &att.bytes, depth + 1) {
            Ok((ty, _)) => out.attachments.push(info(Some(ty))),
            Err(e) => {
                // An unreadable attachment is a note on the e-mail, not a failed e-mail.
                out.warnings.push(format!("Anhang „{path}“ wurde nicht gelesen: {}", e.message_de()));
                out.attachments.push(info(None));
            }
        }
    }
    Ok((ty, parsed.metadata))
}

fn parse(ty: DocumentType, bytes: &[u8], budget: &Budget) -> std::result::Result<Parsed, ReadError> {
    match ty {
        DocumentType::Pdf => pdf::read(bytes, budget),
        DocumentType::Docx => office::read_docx(bytes, budget),
        DocumentType::Odt => office::read_odt(bytes, budget),
        DocumentType::Txt => text::read_txt(bytes),
        DocumentType::Markdown => text::read_markdown(bytes),
        DocumentType::Html => html::read(bytes),
        DocumentType::Eml => email::read(bytes),
        DocumentType::Msg => msg::read(bytes, budget),
        DocumentType::Csv => table::read_csv(bytes),
        DocumentType::Xlsx => sheet::read_xlsx(bytes, budget),
        DocumentType::Ods => sheet::read_ods(bytes, budget),
        DocumentType::Rtf => rtf::read(bytes),
        DocumentType::Image => ocr::read_image(bytes, budget),
    }
}

/// Runs a reader so that a panic inside it (ours or a dependency's) becomes a typed error.
fn guarded<T>(label: &str, ty: DocumentType, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        tracing::error!(doc_type = ty.label(), "document reader panicked; file skipped");
        DocumentError::ParserFailed { file: label.to_owned(), format: ty.label().to_owned() }
    })
}

fn read_error(e: ReadError, label: &str, ty: DocumentType, budget: &Budget) -> DocumentError {
    let file = label.to_owned();
    match e {
        ReadError::Corrupt => DocumentError::Corrupt { file, format: ty.label().to_owned() },
        ReadError::Encrypted => DocumentError::PdfEncrypted { file },
        ReadError::Limit => DocumentError::DecompressionLimit {
            file,
            limit_mb: budget.opts.max_decompressed_bytes / MIB,
            max_ratio: budget.opts.max_ratio,
        },
        ReadError::Undecodable => DocumentError::UndecodableText { file },
        ReadError::OcrUnavailable(reason) => DocumentError::OcrUnavailable { file, reason },
    }
}

fn check_size(name: &str, size: u64, opts: &ExtractOptions) -> Result<()> {
    if size == 0 {
        return Err(DocumentError::Empty { file: name.to_owned() });
    }
    if size > opts.max_file_bytes {
        return Err(DocumentError::TooLarge {
            file: name.to_owned(),
            size_mb: size.div_ceil(MIB),
            limit_mb: opts.max_file_bytes / MIB,
        });
    }
    Ok(())
}

/// The file name of `path` (the whole path if it has none), for positions and messages.
fn display_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Attachment names become path segments: no slashes, no empty names, no duplicates.
fn unique_name(name: &str, index: usize, used: &mut Vec<String>) -> String {
    let clean: String = name.trim().chars().map(|c| if matches!(c, '/' | '\\') || c.is_control() { '_' } else { c }).collect();
    let base = if clean.is_empty() { format!("anhang-{}", index + 1) } else { clean };
    let mut candidate = base.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{base} ({n})");
        n += 1;
    }
    used.push(candidate.clone());
    candidate
}

/// Entry points for the fuzz targets (`fuzz/`): one reader on arbitrary bytes, behind the same
/// `catch_unwind` as in [`extract_bytes`], with small limits so that a run explores parsing
/// rather than allocation. Not an API.
#[doc(hidden)]
pub mod fuzzing {
    use super::*;

    /// Limits for fuzzing: 16 MiB of output, OCR off (it is a subprocess, fuzzed elsewhere).
    pub fn options() -> ExtractOptions {
        ExtractOptions { max_file_bytes: 16 * MIB, max_decompressed_bytes: 16 * MIB, ocr: false, ..Default::default() }
    }

    /// Runs the reader of `ty` on `bytes`; `Err` only for a contained panic.
    pub fn read_as(ty: DocumentType, bytes: &[u8]) -> Result<usize> {
        let budget = Budget::new(&options());
        let parsed = guarded("fuzz", ty, || parse(ty, bytes, &budget))?;
        Ok(parsed.map(|p| p.blocks.len()).unwrap_or(0))
    }

    /// Format detection alone.
    pub fn detect(bytes: &[u8], file_name: &str) -> Detected {
        detect::detect(bytes, file_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_reader_becomes_a_typed_error() {
        let err = guarded("kaputt.pdf", DocumentType::Pdf, || -> u32 { panic!("boom") }).unwrap_err();
        assert_eq!(err.code(), "document_parser_failed");
        assert!(err.message_de().contains("„kaputt.pdf“ (PDF)"), "{}", err.message_de());
        assert!(!err.message_de().contains("boom"));
        assert_eq!(guarded("gut.pdf", DocumentType::Pdf, || 7).unwrap(), 7);
    }

    /// What `make fuzz` with FUZZ_PANICS=1 found in third-party parsers. msg_parser 0.3 panics
    /// on a property stream name cut inside a UTF-8 character: `msg.rs` now refuses such
    /// names first (`document_corrupt`); the panic itself would have been contained. (It also
    /// found a `debug_assert!` in mail-parser 0.11, "Invalid part ID", compiled out of release
    /// builds.)
    #[test]
    fn parser_panics_found_by_fuzzing_are_typed_errors() {
        let bytes = include_bytes!("../tests/data/fuzz-msg-parser-panic.msg");
        let err = extract_bytes("fuzz.msg", bytes, &ExtractOptions::default()).unwrap_err();
        assert_eq!(err.code(), "document_corrupt");
        assert!(fuzzing::read_as(DocumentType::Msg, bytes).is_ok(), "no panic left to contain");
    }

    #[test]
    fn attachment_names_are_safe_path_segments() {
        let mut used = Vec::new();
        assert_eq!(unique_name("a/b.pdf", 0, &mut used), "a_b.pdf");
        assert_eq!(unique_name("a/b.pdf", 1, &mut used), "a_b.pdf (2)");
        assert_eq!(unique_name("  ", 2, &mut used), "anhang-3");
    }
}
