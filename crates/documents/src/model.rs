//! The one model every format is read into.
//!
//! A [`Document`] is an ordered list of [`Block`]s, each carrying the [`Position`] a citation
//! will later point to (DESIGN.md invariant 2: a citation that points nowhere is a bug). The
//! serialised form is the contract with the CLI's `--json`, the UI and, later, the store; field
//! names are therefore part of the API.
//!
//! Numbering rules, the same for every format:
//! - `page` is 1-based and set only for paged formats (PDF, also a PDF inside an e-mail; a
//!   multi-page TIFF counts its pages too).
//! - `paragraph` is 1-based and counts every block (heading, paragraph, list item, table row,
//!   e-mail header) in reading order through one *part*: the file itself, or one attachment.
//!   It does not restart per page, so `paragraph` alone identifies a block within its part;
//!   each attachment is its own part and starts again at 1, just as a reader who opens the
//!   attachment would count.
//! - `attachment` is `None` for the file itself, otherwise the path of the attachment inside it:
//!   "anhang.pdf", or "weitergeleitet.eml/anhang.pdf" for an attachment of an attached e-mail.
//! - `row` is the 1-based record number of a table (the header line is row 1), `sheet` the
//!   sheet's name where a format has sheets.

use serde::{Deserialize, Serialize};

/// What the content of a file turned out to be (never guessed from its extension alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentType {
    Pdf,
    Docx,
    Odt,
    Txt,
    Markdown,
    Html,
    Eml,
    /// Outlook message (.msg, an OLE compound file).
    Msg,
    Csv,
    Xlsx,
    Ods,
    Rtf,
    /// A picture (PNG, JPEG, TIFF), read by OCR.
    Image,
}

impl DocumentType {
    /// The name users know the format by, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Docx => "DOCX",
            Self::Odt => "ODT",
            Self::Txt => "Text",
            Self::Markdown => "Markdown",
            Self::Html => "HTML",
            Self::Eml => "E-Mail",
            Self::Msg => "Outlook-Nachricht (MSG)",
            Self::Csv => "CSV",
            Self::Xlsx => "Excel (XLSX)",
            Self::Ods => "OpenDocument-Tabelle (ODS)",
            Self::Rtf => "RTF",
            Self::Image => "Bild",
        }
    }
}

/// Where the document came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// File name without its folder: folders can carry personal names and are not needed to cite.
    pub file_name: String,
    /// Hex sha256 of the file's bytes; citations are keyed by it, so a renamed file still matches.
    pub sha256: String,
    pub detected_type: DocumentType,
    pub size_bytes: u64,
}

/// What the file says about itself, where the format has it. Dates are kept as the file states
/// them, converted to ISO 8601 (`2024-03-15T10:30:00+01:00`) where the format's date is parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub title: Option<String>,
    pub author: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub subject: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Heading,
    Paragraph,
    ListItem,
    /// One table row, its cells joined by " | ".
    TableRow,
    /// "Von: …", "An: …", "Datum: …", "Betreff: …" of an e-mail.
    EmailHeader,
    /// A line read by OCR from an image or a scanned PDF page; `ocr_confidence` is then set.
    OcrLine,
}

/// The address of a block; see the module doc for the numbering rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    /// File name of the file the user gave (for an attachment: the file it came in).
    pub file: String,
    pub file_sha256: String,
    pub page: Option<u32>,
    pub paragraph: u32,
    pub attachment: Option<String>,
    pub sheet: Option<String>,
    pub row: Option<u32>,
}

impl Position {
    /// The German citation label, e.g. `Datei: akte.pdf · Seite 2 · Absatz 5`. The CLI prints
    /// it and the UI will show it, so both say the same (invariant 6).
    pub fn label_de(&self) -> String {
        let mut parts = vec![format!("Datei: {}", self.file)];
        if let Some(a) = &self.attachment {
            parts.push(format!("Anhang: {a}"));
        }
        if let Some(p) = self.page {
            parts.push(format!("Seite {p}"));
        }
        if let Some(s) = &self.sheet {
            parts.push(format!("Blatt: {s}"));
        }
        if let Some(r) = self.row {
            parts.push(format!("Zeile {r}"));
        }
        parts.push(format!("Absatz {}", self.paragraph));
        parts.join(" · ")
    }
}

/// One unit of text with its kind and position. Serialised flat (position fields beside `kind`
/// and `text`), as the CLI's JSON shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    /// Heading level (1 = top) for headings, `None` otherwise.
    pub level: Option<u8>,
    /// For OCR lines: Tesseract's confidence as a fraction 0.0–1.0 (the mean of the line's word
    /// confidences, which Tesseract gives as 0–100). `None` (JSON `null`) for text read from a
    /// text layer, where there is nothing to doubt.
    pub ocr_confidence: Option<f32>,
    #[serde(flatten)]
    pub position: Position,
}

/// An attachment found inside the file (e-mail attachments, .eml and .msg).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    /// The same path the blocks' `attachment` field carries.
    pub path: String,
    /// `None` where the attachment could not be read (a warning says why).
    pub detected_type: Option<DocumentType>,
    pub sha256: String,
    pub size_bytes: u64,
}

/// A file read into blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub source: Source,
    pub metadata: Metadata,
    pub blocks: Vec<Block>,
    /// German sentences about what could not be read (a page without text layer, an attachment
    /// in an unknown format). Never document text.
    pub warnings: Vec<String>,
    pub attachments: Vec<AttachmentInfo>,
}

impl Document {
    /// All text in reading order, blocks separated by a blank line.
    pub fn text(&self) -> String {
        self.blocks.iter().map(|b| b.text.as_str()).collect::<Vec<_>>().join("\n\n")
    }
}
