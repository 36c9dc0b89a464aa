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
pub fn render(paras: &[Para], chart: Option<(&str, &[ChartBar])>, title: &str, subject: &str, keywords: &str, created_pdf_date: &str) -> Result<Vec<u8>> {
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

    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let regular = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let bold_font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => regular, "F2" => bold_font } });
    let total = placed.len();
    let mut kids: Vec<Object> = Vec::new();
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
        for (y, size, bold, indent, text) in lines {
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("Tf", vec![if bold { "F2" } else { "F1" }.into(), size.into()]));
            ops.push(Operation::new("Td", vec![(MARGIN_L + indent).into(), y.into()]));
            ops.push(Operation::new("Tj", vec![Object::string_literal(encode(&text))]));
            ops.push(Operation::new("ET", vec![]));
        }
        let foot = format!("Seite {} von {}", n + 1, total);
        let fw = text_width(&foot, 8.5, false);
        ops.push(Operation::new("BT", vec![]));
        ops.push(Operation::new("Tf", vec!["F1".into(), 8.5.into()]));
        ops.push(Operation::new("Td", vec![(PAGE_W - MARGIN_R - fw).into(), 40.into()]));
        ops.push(Operation::new("Tj", vec![Object::string_literal(encode(&foot))]));
        ops.push(Operation::new("ET", vec![]));
        let content = Content { operations: ops }.encode().map_err(|e| CoreError::ExportFailed { format: "PDF", detail: e.to_string() })?;
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        kids.push(doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id }).into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), PAGE_W.into(), PAGE_H.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id, "Lang" => Object::string_literal("de-DE") });
    doc.trailer.set("Root", catalog);
    let info = doc.add_object(dictionary! {
        "Title" => lopdf::text_string(title),
        "Subject" => lopdf::text_string(subject),
        "Keywords" => lopdf::text_string(keywords),
        "Creator" => lopdf::text_string("Schreibstube (KI-Unterstützung)"),
        "CreationDate" => Object::string_literal(created_pdf_date),
    });
    doc.trailer.set("Info", info);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| CoreError::ExportFailed { format: "PDF", detail: e.to_string() })?;
    Ok(out)
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
