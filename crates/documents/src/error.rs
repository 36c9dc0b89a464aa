//! The typed errors of document extraction, with stable codes and German messages.
//!
//! `schreibstube-core` wraps this type as `CoreError::Document` and passes code and messages
//! through unchanged, so the UI, the CLI and scripts see the same codes whichever crate they use.
//! `file` is a file name (or an attachment path such as "brief.eml/anhang.pdf"), never a full
//! path and never document text.

use std::path::PathBuf;

use crate::display_name;

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("I/O error on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{file} is empty")]
    Empty { file: String },
    #[error("{file} is {size_mb} MB, more than the limit of {limit_mb} MB")]
    TooLarge { file: String, size_mb: u64, limit_mb: u64 },
    #[error("{file} is not a document format Schreibstube knows")]
    UnknownFormat { file: String },
    #[error("{file} is {format}, which Schreibstube cannot read yet")]
    Unsupported { file: String, format: String },
    #[error("{file} ({format}) is corrupt or truncated")]
    Corrupt { file: String, format: String },
    #[error("the PDF file {file} is password-protected")]
    PdfEncrypted { file: String },
    #[error("{file} would unpack to more than {limit_mb} MB or is compressed more than {max_ratio}:1 (zip bomb?)")]
    DecompressionLimit { file: String, limit_mb: u64, max_ratio: u64 },
    #[error("the text in {file} is in an unknown or broken encoding")]
    UndecodableText { file: String },
    #[error("the {format} reader failed on {file}")]
    ParserFailed { file: String, format: String },
    /// Text recognition cannot run (not installed, or switched off).
    #[error("OCR for {file} is unavailable: {}", reason.message_en())]
    OcrUnavailable { file: String, reason: OcrReason },
}

/// Why text recognition cannot run, in German and in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcrReason {
    /// `ExtractOptions::ocr` is false.
    SwitchedOff,
    /// Tesseract's German language data (`deu.traineddata`) was not found.
    NoGermanData,
    /// The `tesseract` program was not found.
    NoTesseract,
    /// `tesseract` was found but could not be started.
    StartFailed,
}

impl OcrReason {
    pub fn message_de(self) -> &'static str {
        match self {
            Self::SwitchedOff => "Die Texterkennung ist ausgeschaltet.",
            Self::NoGermanData => "Die deutschen Sprachdaten für Tesseract („deu“) fehlen.",
            Self::NoTesseract => "Das Programm Tesseract ist nicht installiert.",
            Self::StartFailed => "Tesseract konnte nicht gestartet werden.",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            Self::SwitchedOff => "Text recognition is switched off.",
            Self::NoGermanData => "The German language data for Tesseract (“deu”) is missing.",
            Self::NoTesseract => "The program Tesseract is not installed.",
            Self::StartFailed => "Tesseract could not be started.",
        }
    }
}

impl DocumentError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "io",
            Self::Empty { .. } => "document_empty",
            Self::TooLarge { .. } => "document_too_large",
            Self::UnknownFormat { .. } => "document_unknown_format",
            Self::Unsupported { .. } => "document_unsupported",
            Self::Corrupt { .. } => "document_corrupt",
            Self::PdfEncrypted { .. } => "pdf_encrypted",
            Self::DecompressionLimit { .. } => "document_decompression_limit",
            Self::UndecodableText { .. } => "document_undecodable_text",
            Self::ParserFailed { .. } => "document_parser_failed",
            Self::OcrUnavailable { .. } => "ocr_unavailable",
        }
    }

    pub fn message_de(&self) -> String {
        match self {
            Self::Io { path, source } => match source.kind() {
                std::io::ErrorKind::NotFound => format!("Die Datei „{}“ wurde nicht gefunden.", display_name(path)),
                std::io::ErrorKind::PermissionDenied => format!("Keine Berechtigung für „{}“.", display_name(path)),
                _ => format!("Die Datei „{}“ konnte nicht gelesen werden.", display_name(path)),
            },
            Self::Empty { file } => format!("Die Datei „{file}“ ist leer."),
            Self::TooLarge { file, size_mb, limit_mb } => format!(
                "Die Datei „{file}“ ist {size_mb} MB groß; höchstens {limit_mb} MB können gelesen werden. Bitte teilen Sie die Datei auf."
            ),
            Self::UnknownFormat { file } => format!(
                "Die Datei „{file}“ hat kein bekanntes Dokumentformat. Sie ist beschädigt oder keine Text-, PDF-, Office- oder E-Mail-Datei."
            ),
            Self::Unsupported { file, format } => format!(
                "Die Datei „{file}“ ist ein Dokument im Format {format}. Dieses Format kann Schreibstube noch nicht lesen."
            ),
            Self::Corrupt { file, format } => format!(
                "Die Datei „{file}“ ({format}) ist beschädigt oder unvollständig und kann nicht gelesen werden."
            ),
            Self::PdfEncrypted { file } => format!(
                "Die PDF-Datei „{file}“ ist passwortgeschützt. Bitte speichern Sie sie ohne Kennwort (z. B. über „Drucken als PDF“) und öffnen Sie sie erneut."
            ),
            Self::DecompressionLimit { file, limit_mb, max_ratio } => format!(
                "Die Datei „{file}“ wurde aus Sicherheitsgründen nicht geöffnet: Entpackt wäre sie größer als {limit_mb} MB oder mehr als {max_ratio}-fach komprimiert (Verdacht auf eine „Zip-Bombe“)."
            ),
            Self::UndecodableText { file } => format!(
                "Der Text in „{file}“ ist in einer unbekannten oder fehlerhaften Zeichenkodierung gespeichert. Bitte speichern Sie die Datei als UTF-8."
            ),
            Self::ParserFailed { file, format } => format!(
                "Beim Lesen von „{file}“ ({format}) ist ein interner Fehler aufgetreten. Die Datei wurde übersprungen; die übrigen Dateien sind nicht betroffen."
            ),
            Self::OcrUnavailable { file, reason } => format!(
                "Die Texterkennung für „{file}“ ist nicht verfügbar: {} Bitte lassen Sie von Ihrer IT das Paket „tesseract-ocr-deu“ installieren (oder führen Sie „make setup“ aus).",
                reason.message_de()
            ),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Self::Io { path, source } => match source.kind() {
                std::io::ErrorKind::NotFound => format!("The file “{}” was not found.", display_name(path)),
                std::io::ErrorKind::PermissionDenied => format!("No permission for “{}”.", display_name(path)),
                _ => format!("The file “{}” could not be read.", display_name(path)),
            },
            Self::Empty { file } => format!("The file “{file}” is empty."),
            Self::TooLarge { file, size_mb, limit_mb } => format!(
                "The file “{file}” is {size_mb} MB; at most {limit_mb} MB can be read. Please split it."
            ),
            Self::UnknownFormat { file } => format!(
                "The file “{file}” has no known document format. It is damaged or not a text, PDF, Office or e-mail file."
            ),
            Self::Unsupported { file, format } => format!(
                "The file “{file}” is a {format} document. Schreibstube cannot read this format yet."
            ),
            Self::Corrupt { file, format } => format!("The file “{file}” ({format}) is damaged or incomplete and cannot be read."),
            Self::PdfEncrypted { file } => format!(
                "The PDF file “{file}” is password-protected. Please save it without a password (e.g. “Print to PDF”) and open it again."
            ),
            Self::DecompressionLimit { file, limit_mb, max_ratio } => format!(
                "The file “{file}” was not opened for safety: unpacked it would exceed {limit_mb} MB or is compressed more than {max_ratio}:1 (suspected zip bomb)."
            ),
            Self::UndecodableText { file } => format!(
                "The text in “{file}” uses an unknown or broken character encoding. Please save the file as UTF-8."
            ),
            Self::ParserFailed { file, format } => format!(
                "An internal error occurred while reading “{file}” ({format}). The file was skipped; other files are not affected."
            ),
            Self::OcrUnavailable { file, reason } => format!(
                "Text recognition for “{file}” is unavailable: {} Please ask your IT to install the package “tesseract-ocr-deu” (or run “make setup”).",
                reason.message_en()
            ),
        }
    }

    /// The I/O error behind this one, for callers that treat I/O errors their own way.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}

pub type Result<T, E = DocumentError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ocr_reason_is_in_the_language_of_the_message() {
        let e = DocumentError::OcrUnavailable { file: "scan.png".to_owned(), reason: OcrReason::NoGermanData };
        assert_eq!(e.code(), "ocr_unavailable");
        assert_eq!(
            e.message_de(),
            "Die Texterkennung für „scan.png“ ist nicht verfügbar: Die deutschen Sprachdaten für Tesseract („deu“) fehlen. Bitte lassen Sie von Ihrer IT das Paket „tesseract-ocr-deu“ installieren (oder führen Sie „make setup“ aus)."
        );
        assert_eq!(
            e.message_en(),
            "Text recognition for “scan.png” is unavailable: The German language data for Tesseract (“deu”) is missing. Please ask your IT to install the package “tesseract-ocr-deu” (or run “make setup”)."
        );
        assert_eq!(e.to_string(), "OCR for scan.png is unavailable: The German language data for Tesseract (“deu”) is missing.");
    }
}
