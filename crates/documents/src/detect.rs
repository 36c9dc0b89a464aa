//! What a file is, decided by its content.
//!
//! Staff rename files, mail programs append ".txt", scanners write ".pdf" for anything: the
//! extension is never trusted. Binary formats are told by their magic bytes; ZIP containers by
//! the entries inside (`word/document.xml` → DOCX, a `mimetype` entry → OpenDocument); text by
//! sniffing its first kilobytes (e-mail headers, HTML tags, a consistent CSV delimiter). The
//! extension is used only as a hint *among text formats* (".md" → Markdown, ".csv" lowers the
//! bar for a delimiter) and to name the format in an error about a broken ZIP.

use std::io::{Cursor, Read};

use super::model::DocumentType;
use super::text;

/// The verdict on a file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    Known(DocumentType),
    /// A format recognised but not read yet; the text names it for the user.
    Unsupported(&'static str),
    /// A container that is recognisable but broken (e.g. a truncated ZIP); names the format.
    Corrupt(&'static str),
    /// Neither a known format nor text.
    Unknown,
}

/// How many bytes of a text file the sniffers look at.
const SNIFF_BYTES: usize = 16 * 1024;

pub fn detect(bytes: &[u8], file_name: &str) -> Detected {
    let ext = extension(file_name);
    // Readers accept up to 1 KiB of junk before the PDF header; an e-mail whose first kilobyte
    // holds an attached PDF is still an e-mail.
    match find(&bytes[..bytes.len().min(1024)], b"%PDF-") {
        Some(0) => return Detected::Known(DocumentType::Pdf),
        Some(at) if !looks_like_email(&String::from_utf8_lossy(&bytes[..at])) => {
            return Detected::Known(DocumentType::Pdf)
        }
        _ => {}
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return detect_zip(bytes, &ext);
    }
    if let Some(detected) = binary_magic(bytes) {
        return detected;
    }
    match text::sniff_prefix(bytes, SNIFF_BYTES) {
        Some(prefix) => Detected::Known(detect_text(&prefix, &ext, bytes.len() <= SNIFF_BYTES)),
        None => Detected::Unknown,
    }
}

fn extension(file_name: &str) -> String {
    std::path::Path::new(file_name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Binary formats told by their magic bytes (ZIP and PDF aside).
fn binary_magic(bytes: &[u8]) -> Option<Detected> {
    Some(if bytes.starts_with(OLE) {
        detect_ole(bytes)
    } else if bytes.starts_with(b"{\\rtf") {
        Detected::Known(DocumentType::Rtf)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A])
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
        || bytes.starts_with(b"GIF87a")
        || bytes.starts_with(b"GIF89a")
    {
        Detected::Known(DocumentType::Image)
    } else {
        return None;
    })
}

/// OLE compound files (Office 97–2003, Outlook .msg) are told by the streams in their root:
/// an Outlook message has `__substg1.0_…` property streams, Word a `WordDocument`, Excel a
/// `Workbook` (or `Book`) stream.
fn detect_ole(bytes: &[u8]) -> Detected {
    // The cfb crate validates the header and sector chains; a panic on a hostile file is
    // contained here like any reader's.
    let names = std::panic::catch_unwind(|| {
        let file = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
        Some(file.read_root_storage().map(|e| e.name().to_owned()).take(10_000).collect::<Vec<_>>())
    });
    let Ok(Some(names)) = names else { return Detected::Corrupt("Microsoft Office 97–2003 / Outlook (OLE)") };
    let has = |n: &str| names.iter().any(|name| name == n);
    if names.iter().any(|n| n.starts_with("__substg1.0_") || n.starts_with("__properties_version1.0")) {
        Detected::Known(DocumentType::Msg)
    } else if has("WordDocument") {
        Detected::Unsupported("Word 97–2003 (DOC)")
    } else if has("Workbook") || has("Book") {
        Detected::Unsupported("Excel 97–2003 (XLS)")
    } else if has("PowerPoint Document") {
        Detected::Unsupported("PowerPoint 97–2003 (PPT)")
    } else {
        Detected::Unsupported("Microsoft Office 97–2003 (OLE)")
    }
}

/// Office and OpenDocument files are ZIP archives; the entries tell which.
fn detect_zip(bytes: &[u8], ext: &str) -> Detected {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Detected::Corrupt(match ext {
            "docx" => "DOCX",
            "odt" => "ODT",
            "xlsx" => "XLSX",
            "ods" => "ODS",
            _ => "ZIP",
        });
    };
    if archive.index_for_name("word/document.xml").is_some() {
        return Detected::Known(DocumentType::Docx);
    }
    if archive.index_for_name("xl/workbook.xml").is_some() {
        return Detected::Known(DocumentType::Xlsx);
    }
    if archive.index_for_name("ppt/presentation.xml").is_some() {
        return Detected::Unsupported("PowerPoint (PPTX)");
    }
    let mut mimetype = String::new();
    if let Ok(entry) = archive.by_name("mimetype") {
        // A mimetype entry is a few dozen bytes; never read more than that.
        let _ = entry.take(200).read_to_string(&mut mimetype);
    }
    let mimetype = mimetype.trim();
    if mimetype.starts_with("application/vnd.oasis.opendocument.text") {
        Detected::Known(DocumentType::Odt)
    } else if mimetype.starts_with("application/vnd.oasis.opendocument.spreadsheet") {
        Detected::Known(DocumentType::Ods)
    } else if mimetype.starts_with("application/vnd.oasis.opendocument.presentation") {
        Detected::Unsupported("OpenDocument-Präsentation (ODP)")
    } else if mimetype.starts_with("application/vnd.oasis.opendocument") {
        Detected::Unsupported("OpenDocument")
    } else {
        Detected::Unsupported("ZIP-Archiv")
    }
}

/// Chooses among the text formats. `prefix` is the decoded start of the file.
fn detect_text(prefix: &str, ext: &str, complete: bool) -> DocumentType {
    if looks_like_email(prefix) {
        DocumentType::Eml
    } else if looks_like_html(prefix, ext) {
        DocumentType::Html
    } else if super::table::sniff_delimiter(prefix, matches!(ext, "csv" | "tsv"), complete).is_some() {
        DocumentType::Csv
    } else if matches!(ext, "md" | "markdown" | "mdown" | "mkd") {
        DocumentType::Markdown
    } else {
        DocumentType::Txt
    }
}

/// Header names that mark an RFC 5322 message.
const MAIL_HEADERS: &[&str] = &[
    "from", "to", "cc", "bcc", "subject", "date", "received", "return-path", "message-id", "mime-version",
    "delivered-to", "reply-to", "content-type", "content-transfer-encoding", "sender", "x-mailer", "user-agent",
    "in-reply-to", "references", "dkim-signature", "authentication-results", "thread-topic", "x-original-to",
];

/// An e-mail starts with a block of `Name: value` lines (continuations indented) that holds at
/// least two known headers, one of them From, Received, Subject or Message-ID.
pub(crate) fn looks_like_email(prefix: &str) -> bool {
    let mut lines = prefix.lines().peekable();
    // An mbox export starts with a "From sender date" line.
    if lines.peek().is_some_and(|l| l.starts_with("From ")) {
        lines.next();
    }
    let mut known = 0;
    let mut key = false;
    let mut first = true;
    for line in lines {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) && !first {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else { return false };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return false;
        }
        let name = name.to_ascii_lowercase();
        if MAIL_HEADERS.contains(&name.as_str()) {
            known += 1;
            key |= matches!(name.as_str(), "from" | "received" | "subject" | "message-id");
        }
        first = false;
    }
    known >= 2 && key
}

fn looks_like_html(prefix: &str, ext: &str) -> bool {
    let start = prefix.trim_start_matches('\u{feff}').trim_start();
    if !start.starts_with('<') {
        return false;
    }
    let head: String = start.chars().take(4096).collect::<String>().to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return true;
    }
    const TAGS: &[&str] = &["<html", "<head", "<body", "<p>", "<p ", "<div", "<table", "<br", "<h1", "<h2", "<meta", "<title"];
    matches!(ext, "html" | "htm" | "xhtml") || TAGS.iter().any(|t| head.contains(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_needs_known_headers_at_the_start() {
        assert!(looks_like_email("From: a@b.de\r\nSubject: Hallo\r\n\r\nText"));
        assert!(looks_like_email("Received: from x\n\tby y\nFrom: a@b.de\nTo: c@d.de\n\nText"));
        assert!(!looks_like_email("Betreff: Antrag\nDatum: 1.2.2024\n\nText"));
        assert!(!looks_like_email("Subject: nur eine Zeile ohne weitere Kopfzeilen\n\nText"));
        assert!(!looks_like_email("Sehr geehrte Damen und Herren,\nFrom: a@b.de\nSubject: x"));
    }

    #[test]
    fn html_by_tags_not_by_angle_brackets_alone() {
        assert!(looks_like_html("<!DOCTYPE html><html><body>x</body></html>", "txt"));
        assert!(looks_like_html("  <div><p>Hallo</p></div>", ""));
        assert!(!looks_like_html("<Aktenzeichen 123> bitte angeben", "txt"));
        assert!(!looks_like_html("Hallo <b>Welt</b>", "html"));
    }

    #[test]
    fn magic_bytes_win_over_the_extension() {
        assert_eq!(detect(b"%PDF-1.7\n...", "brief.docx"), Detected::Known(DocumentType::Pdf));
        assert_eq!(detect(b"\r\n%PDF-1.4\n...", "x"), Detected::Known(DocumentType::Pdf));
        let mail = b"From: a@b.de\r\nSubject: PDF anbei\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 ...";
        assert_eq!(detect(mail, "anhang.pdf"), Detected::Known(DocumentType::Eml));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n\0\0", "scan.pdf"), Detected::Known(DocumentType::Image));
        assert_eq!(detect(b"{\\rtf1\\ansi Hallo}", "brief.txt"), Detected::Known(DocumentType::Rtf));
        assert_eq!(detect(&[OLE, &[0; 100]].concat(), "x.msg"), Detected::Corrupt("Microsoft Office 97–2003 / Outlook (OLE)"));
        assert_eq!(detect(b"PK\x03\x04 truncated", "a.docx"), Detected::Corrupt("DOCX"));
        assert_eq!(detect(b"Hallo Welt", "x.md"), Detected::Known(DocumentType::Markdown));
        assert_eq!(detect(b"Hallo Welt", "x.pdf"), Detected::Known(DocumentType::Txt));
    }
}
