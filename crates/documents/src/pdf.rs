//! PDF text layer, page by page, with lopdf.
//!
//! lopdf is pure Rust, maintained, bounds stream decompression and object nesting, and reports
//! errors instead of panicking on the broken files we tried (`pdf-extract` has many open panic
//! issues; PDFium is not thread-safe and has no Debian package; MuPDF is AGPL). Its own
//! `extract_text` ends a line only at `ET`/`T*`, so lines set with `Td` inside one text object
//! run together ("…des Antrags.Wir bitten…"). This module therefore walks the page's content
//! stream itself, with lopdf's parser and font decoding, and tracks where each string is placed:
//! - a vertical move starts a new line, a larger one (more than ~1.35 line heights) a new
//!   paragraph — that is where "Absatz" numbers in PDFs come from;
//! - a horizontal jump on the same line beyond the text shown so far (estimated at 0.6 em per
//!   character, since glyph widths are not read) and `TJ` kerning below −150/1000 em become a
//!   space, so table columns and justified words stay apart.
//!
//! Pages without any text are scans: the page's largest image goes to OCR (`ocr.rs`) as it is
//! stored — JPEG (`DCTDecode`) and JPEG 2000 (`JPXDecode`) bytes unchanged, Flate-compressed or
//! raw pixels (8-bit gray or RGB, 1-bit black and white) wrapped into a PNM header — rather than
//! rasterising the page (no PDF renderer needed). CCITT fax images and other colour spaces are
//! reported as a warning. A password-protected file is reported as [`ReadError::Encrypted`].
//! Files encrypted with an empty user password ("may not be edited") open normally, as they do
//! in every viewer.

use std::collections::BTreeMap;

use lopdf::content::{Content, Operation};
use lopdf::{Document, Encoding, LoadOptions, Object, ObjectId};

use super::error::OcrReason;
use super::limits::Budget;
use super::model::Metadata;
use super::{ocr, Parsed, RawBlock, ReadError};

pub fn read(bytes: &[u8], budget: &Budget) -> Result<Parsed, ReadError> {
    let limit = usize::try_from(budget.remaining()).unwrap_or(usize::MAX);
    let options = LoadOptions { max_decompressed_size: Some(limit), ..Default::default() };
    let doc = Document::load_mem_with_options(bytes, options).map_err(map_error)?;
    // Loaded but still encrypted: the empty user password did not open it.
    if doc.is_encrypted() && !doc.was_encrypted() {
        return Err(ReadError::Encrypted);
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(ReadError::Corrupt);
    }

    let mut parsed = Parsed { metadata: metadata(&doc), ..Default::default() };
    if doc.xref_recovery.is_some() {
        parsed.warnings.push("Die PDF-Datei ist beschädigt und wurde repariert; einzelne Inhalte können fehlen.".to_owned());
    }
    let mut unreadable = 0;
    // Looked up at the first page with a scan, then kept for the file's other pages.
    let mut tesseract = None;
    for (&number, &page_id) in &pages {
        match page_paragraphs(&doc, page_id, limit, budget) {
            Ok(paragraphs) if paragraphs.is_empty() => match ocr_page(&doc, page_id, budget, &mut tesseract) {
                Ok(lines) if !lines.is_empty() => parsed.blocks.extend(ocr::blocks(lines, Some(number))),
                Ok(_) => parsed.warnings.push(format!("Seite {number} hat keine Textebene, und auf ihr wurde kein Text erkannt.")),
                Err(ReadError::Limit) => return Err(ReadError::Limit),
                Err(ReadError::OcrUnavailable(reason)) => parsed.warnings.push(format!(
                    "Seite {number} hat keine Textebene (gescannt?) und wurde nicht gelesen: {}",
                    reason.message_de()
                )),
                Err(_) => parsed.warnings.push(format!(
                    "Seite {number} hat keine Textebene, und ihr Bild konnte für die Texterkennung nicht gelesen werden."
                )),
            },
            Ok(paragraphs) => parsed
                .blocks
                .extend(paragraphs.into_iter().map(|text| RawBlock { page: Some(number), ..RawBlock::paragraph(text) })),
            Err(ReadError::Limit) => return Err(ReadError::Limit),
            Err(_) => {
                unreadable += 1;
                parsed.warnings.push(format!("Seite {number} ist beschädigt und konnte nicht gelesen werden."));
            }
        }
    }
    if unreadable == pages.len() {
        return Err(ReadError::Corrupt);
    }
    Ok(parsed)
}

/// OCR of a page without text: its largest image, as Tesseract can decode it. Tesseract is
/// looked up at the first page that has an image (`tesseract` keeps the answer for the other
/// pages); without it the image is not decoded.
fn ocr_page(
    doc: &Document,
    page_id: ObjectId,
    budget: &Budget,
    tesseract: &mut Option<Result<ocr::Tesseract, OcrReason>>,
) -> Result<Vec<ocr::OcrLine>, ReadError> {
    let images = doc.get_page_images(page_id).map_err(|_| ReadError::Corrupt)?;
    let Some(image) = images.iter().max_by_key(|i| i.width.saturating_mul(i.height)) else {
        return Ok(Vec::new());
    };
    let tesseract = tesseract
        .get_or_insert_with(|| ocr::Tesseract::locate(&budget.opts))
        .as_ref()
        .map_err(|&reason| ReadError::OcrUnavailable(reason))?;
    let (width, height) = (u64::try_from(image.width).unwrap_or(0), u64::try_from(image.height).unwrap_or(0));
    if width == 0 || height == 0 {
        return Err(ReadError::Corrupt);
    }
    let filters: Vec<&str> = image.filters.iter().flatten().map(String::as_str).collect();
    let encoded = match filters.as_slice() {
        ["DCTDecode"] | ["JPXDecode"] => image.content.to_vec(),
        [] | ["FlateDecode"] => {
            let bpc = image.bits_per_component.unwrap_or(8);
            let channels: u64 = match image.color_space.as_deref() {
                Some("DeviceGray" | "CalGray") => 1,
                Some("DeviceRGB" | "CalRGB") => 3,
                _ if image.origin_dict.get(b"ImageMask").and_then(Object::as_bool).unwrap_or(false) => 1,
                _ => return Err(ReadError::Corrupt),
            };
            let row_bytes = if bpc == 1 && channels == 1 { width.div_ceil(8) } else if bpc == 8 { width * channels } else {
                return Err(ReadError::Corrupt);
            };
            let size = row_bytes.saturating_mul(height);
            if !budget.take(size) {
                return Err(ReadError::Limit);
            }
            let stream = doc.get_object(image.id).and_then(Object::as_stream).map_err(|_| ReadError::Corrupt)?;
            let pixels = if filters.is_empty() {
                stream.content.clone()
            } else {
                stream.decompressed_content_with_limit(usize::try_from(size).unwrap_or(usize::MAX).saturating_add(1024)).map_err(|_| ReadError::Corrupt)?
            };
            let pixels = pixels.get(..usize::try_from(size).map_err(|_| ReadError::Limit)?).ok_or(ReadError::Corrupt)?;
            pnm(pixels, width, height, channels, bpc == 1)
        }
        _ => return Err(ReadError::Corrupt),
    };
    let dpi = page_width_pt(doc, page_id).map(|pt| (width as f64 * 72.0 / pt).round() as u32);
    tesseract.recognize(&encoded, dpi)
}

/// Raw pixels with a Netpbm header, which leptonica reads: P4 (1 bit, 1 = black, so PDF's
/// 0 = black is inverted), P5 (gray), P6 (RGB).
fn pnm(pixels: &[u8], width: u64, height: u64, channels: u64, bilevel: bool) -> Vec<u8> {
    let magic = if bilevel { "P4" } else if channels == 1 { "P5" } else { "P6" };
    let mut out = format!("{magic}\n{width} {height}\n").into_bytes();
    if bilevel {
        out.extend(pixels.iter().map(|b| !b));
    } else {
        out.extend_from_slice(b"255\n");
        out.extend_from_slice(pixels);
    }
    out
}

/// The page's width in points (MediaBox, inherited from the page tree where needed).
fn page_width_pt(doc: &Document, page_id: ObjectId) -> Option<f64> {
    let mut dict = doc.get_dictionary(page_id).ok()?;
    for _ in 0..32 {
        if let Ok(b) = dict.get(b"MediaBox").and_then(|o| doc.dereference(o)).and_then(|(_, o)| o.as_array()) {
            let n = |i: usize| b.get(i).and_then(|o| o.as_float().ok());
            let w = f64::from(n(2)? - n(0)?).abs();
            return (w > 1.0).then_some(w);
        }
        dict = doc.get_dictionary(dict.get(b"Parent").and_then(Object::as_reference).ok()?).ok()?;
    }
    None
}

fn map_error(e: lopdf::Error) -> ReadError {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => ReadError::Limit,
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword | lopdf::Error::UnsupportedSecurityHandler(_) => {
            ReadError::Encrypted
        }
        _ => ReadError::Corrupt,
    }
}

/// Title, author, subject and dates of the document information dictionary.
fn metadata(doc: &Document) -> Metadata {
    let Ok(info) = doc.trailer.get_deref(b"Info", doc).and_then(Object::as_dict) else {
        return Metadata::default();
    };
    let text = |key: &[u8]| {
        info.get_deref(key, doc)
            .ok()
            .and_then(|o| lopdf::decode_text_string(o).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    Metadata {
        title: text(b"Title"),
        author: text(b"Author"),
        subject: text(b"Subject"),
        created: text(b"CreationDate").map(|d| pdf_date(&d)),
        modified: text(b"ModDate").map(|d| pdf_date(&d)),
    }
}

/// `D:20240315103000+01'00'` → `2024-03-15T10:30:00+01:00`; anything unparsable is kept as is.
fn pdf_date(raw: &str) -> String {
    let s = raw.strip_prefix("D:").unwrap_or(raw);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return raw.to_owned();
    }
    let part = |from: usize, len: usize, default: &str| digits.get(from..from + len).unwrap_or(default).to_owned();
    let mut out = format!(
        "{}-{}-{}T{}:{}:{}",
        part(0, 4, "0000"),
        part(4, 2, "01"),
        part(6, 2, "01"),
        part(8, 2, "00"),
        part(10, 2, "00"),
        part(12, 2, "00")
    );
    let tz = &s[digits.len()..];
    match tz.chars().next() {
        Some('Z') => out.push('Z'),
        Some(sign @ ('+' | '-')) => {
            let tz_digits: String = tz.chars().filter(char::is_ascii_digit).collect();
            let hh = tz_digits.get(0..2).unwrap_or("00");
            let mm = tz_digits.get(2..4).unwrap_or("00");
            out.push_str(&format!("{sign}{hh}:{mm}"));
        }
        _ => {}
    }
    out
}

/// A 2-D affine matrix `[a b c d e f]` as PDF writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn from_operands(ops: &[Object]) -> Option<Matrix> {
        let v: Vec<f32> = ops.iter().filter_map(|o| o.as_float().ok()).collect();
        let m: [f32; 6] = v.try_into().ok()?;
        m.iter().all(|x| x.is_finite()).then_some(Matrix(m))
    }

    /// `self × other` (apply `self` first, then `other`).
    fn then(self, other: Matrix) -> Matrix {
        let [a1, b1, c1, d1, e1, f1] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a1 * a2 + b1 * c2,
            a1 * b2 + b1 * d2,
            c1 * a2 + d1 * c2,
            c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2,
            e1 * b2 + f1 * d2 + f2,
        ])
    }

    fn translate(tx: f32, ty: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }
}

/// Text placement state while walking one page's content stream.
struct Walker<'m, 'e> {
    encodings: &'m BTreeMap<Vec<u8>, Encoding<'e>>,
    encoding: Option<&'m Encoding<'e>>,
    font_size: f32,
    leading: f32,
    ctm: Matrix,
    ctm_stack: Vec<Matrix>,
    tm: Matrix,
    tlm: Matrix,
    /// Set by any operator that moves the text position; cleared when text is shown.
    moved: bool,
    /// Where the last shown run started (device space), its font size and characters since.
    run_start: Option<(f32, f32)>,
    run_chars: usize,
    last_size: f32,
    last_line_gap: Option<f32>,
    paragraphs: Vec<String>,
    current: String,
}

impl<'m, 'e> Walker<'m, 'e> {
    fn new(encodings: &'m BTreeMap<Vec<u8>, Encoding<'e>>) -> Self {
        Self {
            encodings,
            encoding: None,
            font_size: 12.0,
            leading: 0.0,
            ctm: Matrix::IDENTITY,
            ctm_stack: Vec::new(),
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            moved: true,
            run_start: None,
            run_chars: 0,
            last_size: 12.0,
            last_line_gap: None,
            paragraphs: Vec::new(),
            current: String::new(),
        }
    }

    fn next_line(&mut self, tx: f32, ty: f32) {
        self.tlm = Matrix::translate(tx, ty).then(self.tlm);
        self.tm = self.tlm;
        self.moved = true;
    }

    fn end_paragraph(&mut self) {
        let text = std::mem::take(&mut self.current);
        let text = text.trim();
        if !text.is_empty() {
            self.paragraphs.push(text.to_owned());
        }
    }

    /// Decides, before a string is shown, whether it continues the line, starts a new line or a
    /// new paragraph.
    fn place(&mut self) {
        let trm = self.tm.then(self.ctm);
        let (x, y) = (trm.0[4], trm.0[5]);
        let scale = (trm.0[2] * trm.0[2] + trm.0[3] * trm.0[3]).sqrt();
        let size = (self.font_size.abs() * scale).max(1.0);
        if let Some((x0, y0)) = self.run_start {
            if !self.moved {
                return;
            }
            let dy = (y - y0).abs();
            if dy > 0.5 * size.min(self.last_size) {
                let line = match self.last_line_gap {
                    Some(g) if g >= 0.9 * size && g <= 1.6 * size => g,
                    _ => 1.2 * size.max(self.last_size),
                };
                if dy > 1.35 * line {
                    self.end_paragraph();
                } else {
                    while self.current.ends_with(' ') {
                        self.current.pop();
                    }
                    self.current.push('\n');
                    self.last_line_gap = Some(dy);
                }
            } else {
                // Same line: a jump past the text shown so far is a gap between words or columns.
                let shown = self.run_chars as f32 * 0.6 * self.last_size;
                if (x - x0 > shown + 0.3 * size || x < x0) && !self.current.ends_with([' ', '\n']) {
                    self.current.push(' ');
                }
            }
        }
        self.run_start = Some((x, y));
        self.run_chars = 0;
        self.last_size = size;
        self.moved = false;
    }

    fn show(&mut self, operands: &[Object]) {
        self.place();
        let Some(encoding) = self.encoding else { return };
        for operand in operands {
            match operand {
                Object::String(bytes, _) => {
                    if let Ok(s) = encoding.bytes_to_string(bytes) {
                        self.run_chars += s.chars().count();
                        self.current.push_str(&s);
                    }
                }
                Object::Array(items) => {
                    for item in items {
                        match item {
                            Object::String(bytes, _) => {
                                if let Ok(s) = encoding.bytes_to_string(bytes) {
                                    self.run_chars += s.chars().count();
                                    self.current.push_str(&s);
                                }
                            }
                            // Kerning in 1/1000 em; a large negative one is a word space.
                            other => {
                                if other.as_float().is_ok_and(|k| k < -150.0) && !self.current.ends_with(' ') {
                                    self.current.push(' ');
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn op(&mut self, op: &Operation) {
        let num = |i: usize| op.operands.get(i).and_then(|o| o.as_float().ok()).filter(|v| v.is_finite());
        match op.operator.as_str() {
            "q" if self.ctm_stack.len() < 64 => self.ctm_stack.push(self.ctm),
            "Q" => self.ctm = self.ctm_stack.pop().unwrap_or(Matrix::IDENTITY),
            "cm" => {
                if let Some(m) = Matrix::from_operands(&op.operands) {
                    self.ctm = m.then(self.ctm);
                    self.moved = true;
                }
            }
            "BT" => {
                self.tm = Matrix::IDENTITY;
                self.tlm = Matrix::IDENTITY;
                self.moved = true;
            }
            "Tf" => {
                self.encoding = op.operands.first().and_then(|o| o.as_name().ok()).and_then(|n| self.encodings.get(n));
                if let Some(size) = num(1) {
                    self.font_size = size;
                }
            }
            "TL" => self.leading = num(0).unwrap_or(self.leading),
            "Td" => self.next_line(num(0).unwrap_or(0.0), num(1).unwrap_or(0.0)),
            "TD" => {
                let ty = num(1).unwrap_or(0.0);
                self.leading = -ty;
                self.next_line(num(0).unwrap_or(0.0), ty);
            }
            "Tm" => {
                if let Some(m) = Matrix::from_operands(&op.operands) {
                    self.tm = m;
                    self.tlm = m;
                    self.moved = true;
                }
            }
            "T*" => self.next_line(0.0, -self.leading),
            "Tj" | "TJ" => self.show(&op.operands),
            "'" => {
                self.next_line(0.0, -self.leading);
                self.show(&op.operands);
            }
            "\"" => {
                self.next_line(0.0, -self.leading);
                self.show(op.operands.get(2..).unwrap_or(&[]));
            }
            _ => {}
        }
    }
}

/// The page's text as paragraphs; empty if the page has no text layer.
fn page_paragraphs(doc: &Document, page_id: ObjectId, limit: usize, budget: &Budget) -> Result<Vec<String>, ReadError> {
    let fonts = doc.get_page_fonts(page_id).map_err(map_error)?;
    let mut encodings = BTreeMap::new();
    for (name, font) in fonts {
        match font.get_font_encoding_with_limit(doc, limit) {
            Ok(encoding) => {
                encodings.insert(name, encoding);
            }
            Err(e @ lopdf::Error::Decompress(_)) => return Err(map_error(e)),
            // A font whose encoding cannot be read: its text is skipped, the page is not.
            Err(_) => {}
        }
    }
    let content = doc.get_page_content_with_limit(page_id, limit).map_err(map_error)?;
    if !budget.take(content.len() as u64) {
        return Err(ReadError::Limit);
    }
    let content = Content::decode(&content).map_err(map_error)?;
    let mut walker = Walker::new(&encodings);
    for op in &content.operations {
        walker.op(op);
    }
    walker.end_paragraph();
    Ok(walker.paragraphs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_become_iso() {
        assert_eq!(pdf_date("D:20240315103000+01'00'"), "2024-03-15T10:30:00+01:00");
        assert_eq!(pdf_date("D:20240315103000Z"), "2024-03-15T10:30:00Z");
        assert_eq!(pdf_date("D:2024"), "2024-01-01T00:00:00");
        assert_eq!(pdf_date("gestern"), "gestern");
    }

    /// A PDF whose pages show one 5000 × 5000 gray scan each (25 MB of pixels, Flate-compressed
    /// to a few KB) and no text.
    fn scanned_pdf(pages: usize) -> Vec<u8> {
        use lopdf::{dictionary, Stream};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let mut image = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 5000, "Height" => 5000,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            vec![255; 5000 * 5000],
        );
        image.compress().unwrap();
        let image_id = doc.add_object(image);
        let resources_id = doc.add_object(dictionary! { "XObject" => dictionary! { "Im1" => image_id } });
        let content = b"q 595 0 0 842 0 0 cm /Im1 Do Q".to_vec();
        let kids: Vec<Object> = (0..pages)
            .map(|_| {
                let content_id = doc.add_object(Stream::new(dictionary! {}, content.clone()));
                doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id }).into()
            })
            .collect();
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => kids, "Count" => pages as i64, "Resources" => resources_id,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            }),
        );
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn without_ocr_scanned_pages_are_warnings_and_not_decoded() {
        let bytes = scanned_pdf(3);
        // 3 × 25 MB of pixels would exceed this budget: decoded for nothing, the file would fail.
        let opts = crate::ExtractOptions {
            max_decompressed_bytes: 32 * crate::limits::MIB,
            tessdata_dir: Some(std::env::temp_dir().join("gibt-es-nicht")),
            ..Default::default()
        };
        let budget = Budget::new(&opts);
        let parsed = read(&bytes, &budget).unwrap();
        assert!(parsed.blocks.is_empty());
        let reason = "Die deutschen Sprachdaten für Tesseract („deu“) fehlen.";
        let expected: Vec<String> =
            (1..=3).map(|n| format!("Seite {n} hat keine Textebene (gescannt?) und wurde nicht gelesen: {reason}")).collect();
        assert_eq!(parsed.warnings, expected);
        assert!(budget.remaining() > 31 * crate::limits::MIB, "the scans were not decoded");

        // OCR switched off: the same, with its own reason.
        let parsed = read(&bytes, &Budget::new(&crate::ExtractOptions { ocr: false, ..opts })).unwrap();
        assert_eq!(
            parsed.warnings[0],
            "Seite 1 hat keine Textebene (gescannt?) und wurde nicht gelesen: Die Texterkennung ist ausgeschaltet."
        );
        assert_eq!(parsed.warnings.len(), 3);
    }

    #[test]
    fn matrices_compose_in_pdf_order() {
        let scale = Matrix([2.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        let shift = Matrix::translate(10.0, 20.0);
        // Scale first, then shift: the origin lands on (10, 20).
        assert_eq!(scale.then(shift).0[4..], [10.0, 20.0]);
        // Shift first, then scale: (20, 40).
        assert_eq!(shift.then(scale).0[4..], [20.0, 40.0]);
    }
}
