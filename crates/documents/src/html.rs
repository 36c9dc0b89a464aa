//! HTML to blocks: web pages saved from the intranet, and the HTML bodies of e-mails.
//!
//! `scraper` (html5ever, the browser-grade parser from Servo) builds the tree, so broken HTML is
//! repaired the way a browser would. The tree is then walked *iteratively* (a deeply nested
//! page must not overflow the stack) and cut into blocks: headings, list items, table rows
//! ("cell | cell") and paragraphs; script, style and other invisible content is dropped.
//! Ready-made HTML-to-text converters render for a terminal (wrapping, "* " bullets, box
//! drawing for tables) and lose the block structure citations need.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::model::{BlockKind, Metadata};
use super::{text, Parsed, RawBlock, ReadError};

pub fn read(bytes: &[u8]) -> Result<Parsed, ReadError> {
    let decoded = text::decode(bytes)?;
    let mut parsed = to_blocks(&decoded.text);
    parsed.warnings.extend(decoded.warnings);
    Ok(parsed)
}

/// Elements whose content is never shown.
const HIDDEN: &[&str] = &["script", "style", "noscript", "template", "head", "svg", "math", "object", "iframe"];
/// Elements that end the running paragraph where they start and end.
const BLOCKS: &[&str] = &[
    "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "blockquote", "pre", "address",
    "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "caption", "form", "fieldset", "figure",
    "figcaption", "hr", "body", "center",
];

/// State of the walk: the running text, the open heading or list item, the open table row.
#[derive(Default)]
struct Walker {
    blocks: Vec<RawBlock>,
    buffer: String,
    /// Kinds of the open headings / list items, innermost last.
    context: Vec<(BlockKind, Option<u8>)>,
    /// Cells of the open table row (`None` outside a row) and the open cell.
    row: Option<Vec<String>>,
    cell: Option<String>,
    hidden: usize,
    pre: usize,
    title: Option<String>,
    in_title: bool,
}

impl Walker {
    fn target(&mut self) -> &mut String {
        match &mut self.cell {
            Some(cell) => cell,
            None => &mut self.buffer,
        }
    }

    fn push_text(&mut self, s: &str) {
        if self.pre > 0 {
            self.target().push_str(s);
            return;
        }
        let starts_with_space = s.starts_with(char::is_whitespace);
        let target = self.target();
        for (i, word) in s.split_whitespace().enumerate() {
            // Text nodes split by inline elements (<b>, <a>) join without a space unless the
            // source had one.
            if (i > 0 || starts_with_space) && !target.is_empty() && !target.ends_with([' ', '\n']) {
                target.push(' ');
            }
            target.push_str(word);
        }
        if s.ends_with(char::is_whitespace) && !target.is_empty() && !target.ends_with([' ', '\n']) {
            target.push(' ');
        }
    }

    fn line_break(&mut self) {
        let target = self.target();
        while target.ends_with(' ') {
            target.pop();
        }
        if !target.is_empty() {
            target.push('\n');
        }
    }

    /// Ends the running paragraph (inside a cell: a space keeps cell text together).
    fn flush(&mut self) {
        if let Some(cell) = &mut self.cell {
            if !cell.is_empty() && !cell.ends_with(' ') {
                cell.push(' ');
            }
            return;
        }
        let text = std::mem::take(&mut self.buffer);
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let (kind, level) = self.context.last().copied().unwrap_or((BlockKind::Paragraph, None));
        self.blocks.push(RawBlock { level, ..RawBlock::new(kind, text) });
    }

    fn open(&mut self, name: &str) {
        if name == "title" {
            self.in_title = true;
        }
        if HIDDEN.contains(&name) {
            self.hidden += 1;
        }
        if self.hidden > 0 {
            return;
        }
        match name {
            "br" => self.line_break(),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.flush();
                let level = name[1..].parse().ok();
                self.context.push((BlockKind::Heading, level));
            }
            "li" => {
                self.flush();
                self.context.push((BlockKind::ListItem, None));
            }
            // A table inside a cell is flattened into the cell.
            "tr" if self.row.is_none() => {
                self.flush();
                self.row = Some(Vec::new());
            }
            "td" | "th" if self.row.is_some() && self.cell.is_none() => self.cell = Some(String::new()),
            _ if BLOCKS.contains(&name) => {
                if name == "pre" {
                    self.pre += 1;
                }
                self.flush();
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        if name == "title" {
            self.in_title = false;
        }
        if HIDDEN.contains(&name) {
            self.hidden = self.hidden.saturating_sub(1);
            return;
        }
        if self.hidden > 0 {
            return;
        }
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" => {
                self.flush();
                self.context.pop();
            }
            "td" | "th" => {
                if let (Some(cell), Some(row)) = (self.cell.take(), self.row.as_mut()) {
                    row.push(cell.trim().to_owned());
                }
            }
            "tr" if self.cell.is_none() => {
                if let Some(cells) = self.row.take() {
                    if cells.iter().any(|c| !c.is_empty()) {
                        self.blocks.push(RawBlock::new(BlockKind::TableRow, cells.join(" | ")));
                    }
                }
            }
            "tr" => {}
            _ if BLOCKS.contains(&name) => {
                self.flush();
                if name == "pre" {
                    self.pre = self.pre.saturating_sub(1);
                }
            }
            _ => {}
        }
    }
}

/// Parses HTML text into blocks and the `<title>`.
pub fn to_blocks(html: &str) -> Parsed {
    let doc = Html::parse_document(html);
    let mut w = Walker::default();
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => w.open(el.name()),
                Node::Text(t) if w.in_title => {
                    let title = t.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !title.is_empty() {
                        w.title.get_or_insert(title);
                    }
                }
                Node::Text(t) if w.hidden == 0 => w.push_text(t),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    w.close(el.name());
                }
            }
        }
    }
    w.cell = None;
    w.flush();
    Parsed { metadata: Metadata { title: w.title.take(), ..Default::default() }, blocks: w.blocks, ..Default::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lists_tables_and_paragraphs() {
        let html = r#"<!DOCTYPE html><html><head><title>Bescheid über Gebühren</title>
            <style>p { color: red }</style><script>var geheim = 1;</script></head>
            <body><h1>Gebührenbescheid</h1>
            <p>Sehr geehrte Frau <b>Müller</b>,<br>bitte zahlen Sie 12,50&nbsp;€.</p>
            <ul><li>Frist: 31.03.2024</li><li>Aktenzeichen <i>B-12</i></li></ul>
            <table><tr><th>Posten</th><th>Betrag</th></tr><tr><td>Gebühr</td><td>1.234,56 €</td></tr></table>
            <div>Mit freundlichen Grüßen<div>Straßenverkehrsamt</div></div></body></html>"#;
        let parsed = to_blocks(html);
        let got: Vec<_> = parsed.blocks.iter().map(|b| (b.kind, b.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (BlockKind::Heading, "Gebührenbescheid"),
                (BlockKind::Paragraph, "Sehr geehrte Frau Müller,\nbitte zahlen Sie 12,50 €."),
                (BlockKind::ListItem, "Frist: 31.03.2024"),
                (BlockKind::ListItem, "Aktenzeichen B-12"),
                (BlockKind::TableRow, "Posten | Betrag"),
                (BlockKind::TableRow, "Gebühr | 1.234,56 €"),
                (BlockKind::Paragraph, "Mit freundlichen Grüßen"),
                (BlockKind::Paragraph, "Straßenverkehrsamt"),
            ]
        );
        assert_eq!(parsed.blocks[0].level, Some(1));
        assert_eq!(parsed.metadata.title.as_deref(), Some("Bescheid über Gebühren"));
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let html = format!("{}Tief{}", "<div>".repeat(10_000), "</div>".repeat(10_000));
        let parsed = to_blocks(&html);
        assert_eq!(parsed.blocks.len(), 1);
        assert_eq!(parsed.blocks[0].text, "Tief");
    }
}
