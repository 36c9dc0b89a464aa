//! A plain A4 PDF of text lines, written with lopdf: Helvetica and Helvetica-Bold (PDF standard
//! fonts, nothing embedded, nothing fetched) in WinAnsiEncoding, which holds German's umlauts, ß,
//! € and the typographic quotes. Lines are wrapped with the fonts' own character widths;
//! "Seite x von y" stands at the foot of every page.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Object, Stream};

use crate::error::{CoreError, Result};

/// One paragraph of the document.
pub struct Para {
    pub text: String,
    pub style: ParaStyle,
}

/// One bar of a bar chart: its label and value text beside a bar from `start` to `end`, both as
/// fractions (0..1) of the chart's width, the zero line at `zero`.
pub struct ChartBar {
    pub label: String,
    pub start: f32,
    pub end: f32,
    pub negative: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ParaStyle {
    Title,
    Heading,
    /// Bold, like the AI mark.
    Strong,
    Normal,
    /// A list entry with a hanging indent.
    Bullet,
    Small,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN_L: f32 = 70.0; // ≈ 25 mm (DIN 5008's left margin)
const MARGIN_R: f32 = 57.0; // ≈ 20 mm
const TOP: f32 = 785.0;
const BOTTOM: f32 = 70.0;

impl ParaStyle {
    fn size(self) -> f32 {
        match self {
            Self::Title => 16.0,
            Self::Heading => 12.5,
            Self::Small => 8.5,
            _ => 10.5,
        }
    }
    fn bold(self) -> bool {
        matches!(self, Self::Title | Self::Heading | Self::Strong)
    }
    fn space_before(self) -> f32 {
        match self {
            Self::Title => 0.0,
            Self::Heading => 12.0,
            _ => 5.0,
        }
    }
}

/// Helvetica's advance widths (per 1000 em) from its AFM; bold is wider for a few glyphs.
/// Unlisted characters take 556 (the digit width), a safe middle.
fn width(c: char, bold: bool) -> f32 {
    let w = match c {
        ' ' | '!' | ',' | '.' | '/' | ':' | ';' | 'I' | 'f' | 't' | '[' | ']' | '\\' => 278.0,
        '(' | ')' | '-' | 'r' | '`' | '´' | '‚' | '‘' | '’' | '•' => 333.0,
        '"' | '„' | '“' | '”' => 355.0,
        'i' | 'j' | 'l' | '\'' | '|' => 222.0,
        'm' => 833.0,
        'w' | 'C' | 'D' | 'H' | 'N' | 'R' | 'U' | 'Ü' => 722.0,
        'M' => 833.0,
        'W' => 944.0,
        'A' | 'B' | 'E' | 'K' | 'P' | 'S' | 'V' | 'X' | 'Y' | 'Ä' | '&' => 667.0,
        'F' | 'T' | 'Z' => 611.0,
        'G' | 'O' | 'Q' | 'Ö' => 778.0,
        'J' | 'c' | 'k' | 's' | 'v' | 'x' | 'y' | 'z' => 500.0,
        'L' | '_' | '—' => 556.0,
        '%' => 889.0,
        '@' => 1015.0,
        '–' => 556.0,
        '€' => 556.0,
        'ß' => 611.0,
        _ => 556.0,
    };
    // Bold glyphs are up to ~11 % wider; assume the widest to never run past the margin.
    if bold {
        w * 1.11
    } else {
        w
    }
}

pub(super) fn text_width(s: &str, size: f32, bold: bool) -> f32 {
    s.chars().map(|c| width(c, bold)).sum::<f32>() * size / 1000.0
}

/// Greedy word wrap within `max` points; a word longer than a line is cut by characters.
pub(super) fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if text_width(&candidate, size, bold) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest = word.to_owned();
        while text_width(&rest, size, bold) > max {
            let mut cut = String::new();
            for c in rest.chars() {
                if text_width(&format!("{cut}{c}"), size, bold) > max {
                    break;
                }
                cut.push(c);
            }
            if cut.is_empty() {
                break;
            }
            rest = rest[cut.len()..].to_owned();
            lines.push(cut);
        }
        line = rest;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

pub(super) fn encode(s: &str) -> Vec<u8> {
    // Characters outside Windows-1252 become "?" (encoding_rs writes numeric references instead).
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let mut buf = [0u8; 4];
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
        if unmappable {
            out.push(b'?');
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

/// A laid-out line: baseline y, font size, bold, indent, text.
type Line = (f32, f32, bool, f32, String);

/// A laid-out bar: y of its bottom, x from and to (points), negative.
type Rect = (f32, f32, f32, bool);

/// Lays out `paras` on A4 pages and returns the PDF bytes. `title` and `keywords` go into the
/// document information; `creator` names the program.
fn failed(e: impl std::fmt::Display) -> CoreError {
    CoreError::ExportFailed { format: "PDF", detail: e.to_string() }
}

/// A PDF's document information.
pub(crate) struct Info<'a> {
    pub title: &'a str,
    /// The AI note.
    pub subject: &'a str,
    pub keywords: &'a str,
    /// ISO 8601, UTC.
    pub created: &'a str,
    /// More entries, e.g. a letter's review state.
    pub extra: &'a [(&'a str, &'a str)],
}

/// What every PDF of the app shares (reports and letters): Helvetica as `F1` and Helvetica-Bold
/// as `F2` in WinAnsiEncoding, the pages' tree, the catalog in German, the document information
/// (with the AI note), compressed.
pub(crate) struct Writer {
    pub doc: lopdf::Document,
    pages_id: lopdf::ObjectId,
    fonts: lopdf::Dictionary,
    kids: Vec<Object>,
}

impl Writer {
    pub fn new() -> Self {
        let mut doc = lopdf::Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let font = |doc: &mut lopdf::Document, name: &str| {
            doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => name, "Encoding" => "WinAnsiEncoding" })
        };
        let (regular, bold) = (font(&mut doc, "Helvetica"), font(&mut doc, "Helvetica-Bold"));
        Self { doc, pages_id, fonts: dictionary! { "F1" => regular, "F2" => bold }, kids: Vec::new() }
    }

    /// Adds a page drawn by `ops`.
    pub fn page(&mut self, ops: Vec<Operation>) -> Result<()> {
        let content = Content { operations: ops }.encode().map_err(failed)?;
        let content_id = self.doc.add_object(Stream::new(dictionary! {}, content));
        let page = self.doc.add_object(dictionary! { "Type" => "Page", "Parent" => self.pages_id, "Contents" => content_id });
        self.kids.push(page.into());
        Ok(())
    }

    /// The document with its pages of `size` (points), the given images (`XObject`) and its
    /// document information.
    pub fn finish(mut self, size: (f32, f32), xobjects: Option<lopdf::Dictionary>, info: &Info<'_>) -> Result<Vec<u8>> {
        let mut resources = dictionary! { "Font" => self.fonts };
        if let Some(x) = xobjects {
            resources.set("XObject", x);
        }
        let resources = self.doc.add_object(resources);
        let count = self.kids.len() as i64;
        self.doc.objects.insert(
            self.pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => self.kids, "Count" => count, "Resources" => resources,
                "MediaBox" => vec![0.into(), 0.into(), size.0.into(), size.1.into()],
            }),
        );
        let catalog = self.doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => self.pages_id, "Lang" => Object::string_literal("de-DE") });
        self.doc.trailer.set("Root", catalog);
        let digits: String = info.created.chars().filter(char::is_ascii_digit).take(14).collect();
        let mut dict = dictionary! {
            "Title" => lopdf::text_string(info.title),
            "Subject" => lopdf::text_string(info.subject),
            "Keywords" => lopdf::text_string(info.keywords),
            "Creator" => lopdf::text_string("Schreibstube (KI-Unterstützung)"),
            "CreationDate" => Object::string_literal(format!("D:{digits}Z")),
        };
        for (k, v) in info.extra {
            dict.set(*k, lopdf::text_string(v));
        }
        let info = self.doc.add_object(dict);
        self.doc.trailer.set("Info", info);
        self.doc.compress();
        let mut out = Vec::new();
        self.doc.save_to(&mut out).map_err(failed)?;
        Ok(out)
    }
}

/// One line of text at (`x`, `y`) points in `F1`, or `F2` when `bold`.
pub(crate) fn text(ops: &mut Vec<Operation>, x: f32, y: f32, size: f32, bold: bool, s: &str) {
    ops.push(Operation::new("BT", vec![]));
    ops.push(Operation::new("Tf", vec![if bold { "F2" } else { "F1" }.into(), size.into()]));
    ops.push(Operation::new("Td", vec![x.into(), y.into()]));
    ops.push(Operation::new("Tj", vec![Object::string_literal(encode(s))]));
    ops.push(Operation::new("ET", vec![]));
}

pub fn render(paras: &[Para], chart: Option<(&str, &[ChartBar])>, title: &str, subject: &str, keywords: &str, created: &str) -> Result<Vec<u8>> {
    let max = PAGE_W - MARGIN_L - MARGIN_R;
    let mut placed: Vec<Vec<Line>> = vec![Vec::new()];
    let mut bars: Vec<Vec<Rect>> = vec![Vec::new()];
    let mut y = TOP;
    // The chart goes after the first paragraphs (title, mark, notes) of its report: at its index.
    let chart_at = paras.iter().position(|p| p.style == ParaStyle::Heading).unwrap_or(paras.len());
    for (k, p) in paras.iter().enumerate() {
        if k == chart_at {
            if let Some((heading, chart)) = chart {
                // Label and value on the left 45 %, the bar on the right 55 % of the line.
                let (size, lead) = (9.0, 15.0);
                y -= 12.0 + lead;
                placed.last_mut().expect("a page").push((y, 12.5, true, 0.0, heading.to_owned()));
                let bar_x = MARGIN_L + max * 0.45;
                let bar_w = max * 0.55;
                for b in chart {
                    if y - lead < BOTTOM {
                        placed.push(Vec::new());
                        bars.push(Vec::new());
                        y = TOP;
                    }
                    y -= lead;
                    let label = wrap(&b.label, size, false, max * 0.43).into_iter().next().unwrap_or_default();
                    placed.last_mut().expect("a page").push((y, size, false, 0.0, label));
                    bars.last_mut().expect("a page").push((y - 2.0, bar_x + bar_w * b.start, bar_x + bar_w * b.end, b.negative));
                }
            }
        }
        let size = p.style.size();
        let bold = p.style.bold();
        let lead = size * 1.35;
        let indent = if p.style == ParaStyle::Bullet { 12.0 } else { 0.0 };
        y -= p.style.space_before();
        for (i, line) in wrap(&p.text, size, bold, max - indent).into_iter().enumerate() {
            if y - lead < BOTTOM {
                placed.push(Vec::new());
                bars.push(Vec::new());
                y = TOP;
            }
            y -= lead;
            let x_indent = if p.style == ParaStyle::Bullet && i == 0 { 0.0 } else { indent };
            let line = if p.style == ParaStyle::Bullet && i == 0 { format!("•  {line}") } else { line };
            placed.last_mut().expect("a page").push((y, size, bold, x_indent, line));
        }
    }

    let mut pdf = Writer::new();
    let total = placed.len();
    for (n, (lines, rects)) in placed.into_iter().zip(bars).enumerate() {
        let mut ops = Vec::new();
        for (y, x0, x1, negative) in rects {
            // Dark blue up, dark red down: the app's colours, both dark enough on white.
            let (r, g, b) = if negative { (0.64, 0.14, 0.10) } else { (0.12, 0.31, 0.47) };
            ops.push(Operation::new("rg", vec![r.into(), g.into(), b.into()]));
            ops.push(Operation::new("re", vec![x0.into(), y.into(), (x1 - x0).max(0.8).into(), 9.into()]));
            ops.push(Operation::new("f", vec![]));
        }
        ops.push(Operation::new("rg", vec![0.into(), 0.into(), 0.into()]));
        for (y, size, bold, indent, line) in lines {
            text(&mut ops, MARGIN_L + indent, y, size, bold, &line);
        }
        let foot = format!("Seite {} von {}", n + 1, total);
        text(&mut ops, PAGE_W - MARGIN_R - text_width(&foot, 8.5, false), 40.0, 8.5, false, &foot);
        pdf.page(ops)?;
    }
    pdf.finish((PAGE_W, PAGE_H), None, &Info { title, subject, keywords, created, extra: &[] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_word_and_the_width() {
        let text = "Die Gebühr für die Baugenehmigung beträgt 1.250,00 € und ist bis zum 15.03.2025 zu zahlen. ".repeat(6);
        let lines = wrap(&text, 10.5, false, 300.0);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| text_width(l, 10.5, false) <= 300.0));
        assert_eq!(lines.join(" ").split_whitespace().count(), text.split_whitespace().count());
        let long = wrap(&"x".repeat(200), 10.5, false, 100.0);
        assert!(long.len() > 1 && long.iter().all(|l| text_width(l, 10.5, false) <= 100.0));
    }

    #[test]
    fn umlauts_and_euro_are_windows_1252() {
        assert_eq!(encode("äöüß €„“"), vec![0xE4, 0xF6, 0xFC, 0xDF, b' ', 0x80, 0x84, 0x93]);
        assert_eq!(encode("→"), vec![b'?']);
    }
}
