//! Word (DOCX) and OpenDocument text (ODT): ZIP archives of XML.
//!
//! Both are read with `zip` + `quick-xml` as a stream of XML events, every entry through the
//! limiting reader of `limits.rs`. Whole-document readers (`docx-rs`) were measured to take
//! 1.5 GB of memory on a 335 KB DOCX whose XML unpacks to 300 MiB; this reader refuses it at the
//! budget and otherwise holds one entry's XML plus the blocks.
//!
//! What becomes a block:
//! - DOCX `w:p`: a heading if its style is a heading ("heading 1" in `styles.xml` — the name is
//!   English in every Word language, the id is not: German Word writes `berschrift1` — or the
//!   style or paragraph has an outline level), a list item if it is numbered (`w:numPr`),
//!   otherwise a paragraph. Table rows (`w:tr`) become one block, cells joined by " | ";
//!   tables in cells are flattened into the cell. Deleted text of tracked changes (`w:delText`)
//!   and the duplicate fallback of text boxes (`mc:Fallback`) are skipped.
//! - ODT `text:h` (heading with `text:outline-level`), `text:p`, paragraphs inside
//!   `text:list-item` (list items), `table:table-row`. Footnotes, comments and tracked
//!   deletions are skipped. `text:s`, `text:tab` and `text:line-break` become spaces, tabs and
//!   line breaks.
//!
//! Neither format stores pages (Word and LibreOffice lay them out when displaying), so `page`
//! stays `None`; citations use the paragraph number.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Cursor;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

use super::limits::{Budget, LimitError, LimitedReader, MAX_ZIP_ENTRIES, RATIO_GRACE_BYTES};
use super::model::{BlockKind, Metadata};
use super::{Parsed, RawBlock, ReadError};

pub(crate) type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

pub(crate) fn open(bytes: &[u8]) -> Result<Archive<'_>, ReadError> {
    let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::Corrupt)?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(ReadError::Limit);
    }
    Ok(archive)
}

/// One entry's bytes, read through the budget; `None` if the archive has no such entry.
pub(crate) fn read_entry(archive: &mut Archive<'_>, name: &str, budget: &Budget) -> Result<Option<Vec<u8>>, ReadError> {
    let Some(index) = archive.index_for_name(name) else { return Ok(None) };
    let entry = archive.by_index(index).map_err(|_| ReadError::Corrupt)?;
    // The declared sizes are only a cheap early "no": the limiting reader counts real bytes.
    let (declared, compressed) = (entry.size(), entry.compressed_size());
    if declared > budget.remaining()
        || (declared > RATIO_GRACE_BYTES && declared > compressed.max(1).saturating_mul(budget.opts.max_ratio))
    {
        return Err(ReadError::Limit);
    }
    LimitedReader::new(entry, budget, compressed).read_all().map(Some).map_err(|e| match e {
        LimitError::Exceeded => ReadError::Limit,
        LimitError::Corrupt => ReadError::Corrupt,
    })
}

/// XML parts are UTF-8 (rarely UTF-16 with BOM).
pub(crate) fn xml_text(bytes: &[u8]) -> Result<Cow<'_, str>, ReadError> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        return if errors { Err(ReadError::Corrupt) } else { Ok(text) };
    }
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|_| ReadError::Corrupt)
}

pub(crate) fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(Cow::into_owned))
}

fn resolve_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// The events of an XML part, with text and entity references already resolved to text and
/// unbalanced or truncated XML reported as corrupt.
pub(crate) enum Xml<'a> {
    Start(BytesStart<'a>, String),
    Empty(BytesStart<'a>, String),
    End(String),
    Text(Cow<'a, str>),
}

pub(crate) fn for_each_event<'a>(xml: &'a str, mut f: impl FnMut(Xml<'a>)) -> Result<(), ReadError> {
    let mut reader = Reader::from_str(xml);
    let mut depth: usize = 0;
    loop {
        match reader.read_event().map_err(|_| ReadError::Corrupt)? {
            Event::Start(e) => {
                depth += 1;
                let name = e.local_name().as_ref().to_owned();
                f(Xml::Start(e, name));
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                f(Xml::Empty(e, name));
            }
            Event::End(e) => {
                depth = depth.checked_sub(1).ok_or(ReadError::Corrupt)?;
                f(Xml::End(e.local_name().as_ref().to_owned()));
            }
            Event::Text(t) => f(Xml::Text(t.xml10_content())),
            Event::CData(t) => f(Xml::Text(t.xml10_content())),
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() { r.resolve_char_ref().ok().flatten() } else { resolve_entity(&r) };
                if let Some(c) = c {
                    f(Xml::Text(Cow::Owned(c.to_string())));
                }
            }
            Event::Eof if depth == 0 => return Ok(()),
            Event::Eof => return Err(ReadError::Corrupt),
            _ => {}
        }
    }
}

/// Paragraphs being read (text boxes nest paragraphs in paragraphs) and the open table row.
#[derive(Default)]
struct Emitter {
    blocks: Vec<RawBlock>,
    table_depth: usize,
    row: Option<Vec<String>>,
    cell: Option<String>,
}

impl Emitter {
    /// A finished paragraph: into the open cell, or a block of its own.
    fn paragraph(&mut self, text: &str, kind: BlockKind, level: Option<u8>) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        match &mut self.cell {
            Some(cell) => {
                if !cell.is_empty() {
                    cell.push(' ');
                }
                cell.push_str(text);
            }
            None => self.blocks.push(RawBlock { level, ..RawBlock::new(kind, text) }),
        }
    }

    fn start_table(&mut self) {
        self.table_depth += 1;
    }
    fn end_table(&mut self) {
        self.table_depth = self.table_depth.saturating_sub(1);
    }
    fn start_row(&mut self) {
        if self.table_depth == 1 {
            self.row = Some(Vec::new());
        }
    }
    fn start_cell(&mut self) {
        if self.table_depth == 1 && self.row.is_some() {
            self.cell = Some(String::new());
        }
    }
    fn end_cell(&mut self) {
        if self.table_depth == 1 {
            if let (Some(cell), Some(row)) = (self.cell.take(), self.row.as_mut()) {
                row.push(cell);
            }
        }
    }
    fn end_row(&mut self) {
        if self.table_depth == 1 {
            if let Some(cells) = self.row.take() {
                if cells.iter().any(|c| !c.trim().is_empty()) {
                    self.blocks.push(RawBlock::new(BlockKind::TableRow, cells.join(" | ")));
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Field {
    Title,
    Author,
    Subject,
    Created,
    Modified,
}

/// Dublin Core style metadata (`docProps/core.xml`, `meta.xml`): the first text of each element
/// named in `fields`.
fn read_metadata(xml: &str, fields: &[(&str, Field)]) -> Metadata {
    let mut meta = Metadata::default();
    let mut current: Option<Field> = None;
    let mut buffer = String::new();
    let _ = for_each_event(xml, |ev| match ev {
        Xml::Start(_, name) => {
            current = fields.iter().find(|(n, _)| *n == name).map(|(_, f)| *f);
            buffer.clear();
        }
        Xml::Text(t) if current.is_some() => buffer.push_str(&t),
        Xml::End(_) => {
            if let Some(field) = current.take() {
                let slot = match field {
                    Field::Title => &mut meta.title,
                    Field::Author => &mut meta.author,
                    Field::Subject => &mut meta.subject,
                    Field::Created => &mut meta.created,
                    Field::Modified => &mut meta.modified,
                };
                let value = buffer.trim();
                if slot.is_none() && !value.is_empty() {
                    *slot = Some(value.to_owned());
                }
            }
        }
        _ => {}
    });
    meta
}

// ---------------------------------------------------------------------------------------------
// DOCX

/// What a paragraph style means for us.
#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline_level: Option<u8>,
    numbered: bool,
}

fn heading_level_from_name(name: &str) -> Option<u8> {
    let lower = name.to_lowercase();
    if lower == "title" || lower == "titel" {
        return Some(1);
    }
    for prefix in ["heading", "überschrift", "berschrift"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            if let Ok(n) = rest.trim().parse::<u8>() {
                return (1..=9).contains(&n).then_some(n);
            }
        }
    }
    None
}

fn read_styles(xml: &str) -> HashMap<String, Style> {
    let mut styles = HashMap::new();
    let mut current: Option<(String, Style)> = None;
    let _ = for_each_event(xml, |ev| match ev {
        Xml::Start(e, name) | Xml::Empty(e, name) => match name.as_str() {
            "style" => current = attr(&e, "styleId").map(|id| (id, Style::default())),
            "name" => {
                if let (Some((_, s)), Some(v)) = (current.as_mut(), attr(&e, "val")) {
                    s.name = v;
                }
            }
            "basedOn" => {
                if let Some((_, s)) = current.as_mut() {
                    s.based_on = attr(&e, "val");
                }
            }
            "outlineLvl" => {
                if let Some((_, s)) = current.as_mut() {
                    s.outline_level = attr(&e, "val").and_then(|v| v.parse().ok());
                }
            }
            "numPr" => {
                if let Some((_, s)) = current.as_mut() {
                    s.numbered = true;
                }
            }
            _ => {}
        },
        Xml::End(name) if name == "style" => {
            if let Some((id, s)) = current.take() {
                styles.insert(id, s);
            }
        }
        _ => {}
    });
    styles
}

/// (heading level, numbered) of a style, following `basedOn` a few steps.
fn style_meaning(styles: &HashMap<String, Style>, id: &str) -> (Option<u8>, bool) {
    let mut level = None;
    let mut numbered = false;
    let mut next = Some(id.to_owned());
    for _ in 0..10 {
        let Some(id) = next.take() else { break };
        match styles.get(&id) {
            Some(s) => {
                level = level
                    .or_else(|| heading_level_from_name(&s.name))
                    .or_else(|| s.outline_level.filter(|&l| l < 9).map(|l| l + 1));
                numbered |= s.numbered;
                next = s.based_on.clone();
            }
            // No styles.xml entry: the id itself, as Word writes it in English and German.
            None => level = level.or_else(|| heading_level_from_name(&id)),
        }
    }
    (level, numbered)
}

#[derive(Default)]
struct DocxPara {
    text: String,
    style: Option<String>,
    numbered: bool,
    outline_level: Option<u8>,
}

/// `docProps/core.xml` of an Office Open XML file (DOCX, XLSX).
pub(crate) fn ooxml_metadata(archive: &mut Archive<'_>, budget: &Budget) -> Result<Metadata, ReadError> {
    Ok(match read_entry(archive, "docProps/core.xml", budget)? {
        Some(xml) => read_metadata(
            &xml_text(&xml)?,
            &[
                ("title", Field::Title),
                ("creator", Field::Author),
                ("subject", Field::Subject),
                ("created", Field::Created),
                ("modified", Field::Modified),
            ],
        ),
        None => Metadata::default(),
    })
}

pub fn read_docx(bytes: &[u8], budget: &Budget) -> Result<Parsed, ReadError> {
    let mut archive = open(bytes)?;
    let document = read_entry(&mut archive, "word/document.xml", budget)?.ok_or(ReadError::Corrupt)?;
    let styles = match read_entry(&mut archive, "word/styles.xml", budget)? {
        Some(xml) => read_styles(&xml_text(&xml)?),
        None => HashMap::new(),
    };
    let metadata = ooxml_metadata(&mut archive, budget)?;

    let mut out = Emitter::default();
    let mut paras: Vec<DocxPara> = Vec::new();
    let (mut in_text, mut in_ppr, mut skip) = (false, false, 0usize);
    for_each_event(&xml_text(&document)?, |ev| {
        if skip > 0 {
            match ev {
                Xml::Start(_, name) if name == "Fallback" => skip += 1,
                Xml::End(name) if name == "Fallback" => skip -= 1,
                _ => {}
            }
            return;
        }
        match ev {
            Xml::Start(e, name) => match name.as_str() {
                "Fallback" => skip = 1,
                "p" => paras.push(DocxPara::default()),
                "pPr" => in_ppr = true,
                "t" => in_text = true,
                "tbl" => out.start_table(),
                "tr" => out.start_row(),
                "tc" => out.start_cell(),
                _ => docx_marker(&mut paras, &e, &name, in_ppr),
            },
            Xml::Empty(e, name) => docx_marker(&mut paras, &e, &name, in_ppr),
            Xml::Text(t) if in_text => {
                if let Some(p) = paras.last_mut() {
                    p.text.push_str(&t);
                }
            }
            Xml::End(name) => match name.as_str() {
                "t" => in_text = false,
                "pPr" => in_ppr = false,
                "p" => {
                    if let Some(p) = paras.pop() {
                        let (style_level, style_numbered) =
                            p.style.as_deref().map_or((None, false), |id| style_meaning(&styles, id));
                        let level = style_level.or(p.outline_level.filter(|&l| l < 9).map(|l| l + 1));
                        let (kind, level) = match level {
                            Some(l) => (BlockKind::Heading, Some(l)),
                            None if p.numbered || style_numbered => (BlockKind::ListItem, None),
                            None => (BlockKind::Paragraph, None),
                        };
                        out.paragraph(&p.text, kind, level);
                    }
                }
                "tc" => out.end_cell(),
                "tr" => out.end_row(),
                "tbl" => out.end_table(),
                _ => {}
            },
            _ => {}
        }
    })?;
    Ok(Parsed { metadata, blocks: out.blocks, ..Default::default() })
}

/// Paragraph properties and the run elements that stand for characters.
fn docx_marker(paras: &mut [DocxPara], e: &BytesStart<'_>, name: &str, in_ppr: bool) {
    let Some(p) = paras.last_mut() else { return };
    match name {
        "pStyle" if in_ppr => p.style = attr(e, "val"),
        "numPr" if in_ppr => p.numbered = true,
        "outlineLvl" if in_ppr => p.outline_level = attr(e, "val").and_then(|v| v.parse().ok()),
        // `w:tab` inside `w:pPr` defines tab stops; in a run it is a tab character.
        "tab" if !in_ppr => p.text.push('\t'),
        "br" | "cr" if !in_ppr => p.text.push('\n'),
        "noBreakHyphen" => p.text.push('-'),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// ODT

#[derive(Default)]
struct OdtPara {
    text: String,
    kind: Option<(BlockKind, Option<u8>)>,
}

/// Subtrees whose text is not part of the running text.
pub(crate) const ODT_SKIP: &[&str] = &["note", "annotation", "tracked-changes", "sequence-decls", "variable-decls", "user-field-decls"];

/// `meta.xml` of an OpenDocument file (text or spreadsheet).
pub(crate) fn odf_metadata(archive: &mut Archive<'_>, budget: &Budget) -> Result<Metadata, ReadError> {
    Ok(match read_entry(archive, "meta.xml", budget)? {
        Some(xml) => read_metadata(
            &xml_text(&xml)?,
            &[
                ("title", Field::Title),
                ("initial-creator", Field::Author),
                ("creator", Field::Author),
                ("subject", Field::Subject),
                ("creation-date", Field::Created),
                ("date", Field::Modified),
            ],
        ),
        None => Metadata::default(),
    })
}

pub fn read_odt(bytes: &[u8], budget: &Budget) -> Result<Parsed, ReadError> {
    let mut archive = open(bytes)?;
    let content = read_entry(&mut archive, "content.xml", budget)?.ok_or(ReadError::Corrupt)?;
    let metadata = odf_metadata(&mut archive, budget)?;

    let mut out = Emitter::default();
    let mut paras: Vec<OdtPara> = Vec::new();
    let (mut list_items, mut skip, mut in_body) = (0usize, 0usize, false);
    for_each_event(&xml_text(&content)?, |ev| {
        if skip > 0 {
            match ev {
                Xml::Start(_, name) if ODT_SKIP.contains(&name.as_str()) => skip += 1,
                Xml::End(name) if ODT_SKIP.contains(&name.as_str()) => skip -= 1,
                _ => {}
            }
            return;
        }
        match ev {
            Xml::Start(e, name) => match name.as_str() {
                n if ODT_SKIP.contains(&n) => skip = 1,
                "body" => in_body = true,
                "h" => {
                    let level = attr(&e, "outline-level").and_then(|l| l.parse().ok()).unwrap_or(1);
                    paras.push(OdtPara { kind: Some((BlockKind::Heading, Some(level))), ..Default::default() });
                }
                "p" => {
                    let kind = (list_items > 0).then_some((BlockKind::ListItem, None));
                    paras.push(OdtPara { kind, ..Default::default() });
                }
                "list-item" | "list-header" => list_items += 1,
                "table" => out.start_table(),
                "table-row" => out.start_row(),
                "table-cell" => out.start_cell(),
                _ => odt_marker(&mut paras, &e, &name),
            },
            Xml::Empty(e, name) => odt_marker(&mut paras, &e, &name),
            Xml::Text(t) if in_body => {
                if let Some(p) = paras.last_mut() {
                    // ODF collapses white space in text (extra spaces are `text:s`).
                    for (i, part) in t.split([' ', '\n', '\r', '\t']).enumerate() {
                        if i > 0 && !p.text.ends_with(' ') {
                            p.text.push(' ');
                        }
                        p.text.push_str(part);
                    }
                }
            }
            Xml::End(name) => match name.as_str() {
                "body" => in_body = false,
                "h" | "p" => {
                    if let Some(p) = paras.pop() {
                        let (kind, level) = p.kind.unwrap_or((BlockKind::Paragraph, None));
                        out.paragraph(&p.text, kind, level);
                    }
                }
                "list-item" | "list-header" => list_items = list_items.saturating_sub(1),
                "table-cell" => out.end_cell(),
                "table-row" => out.end_row(),
                "table" => out.end_table(),
                _ => {}
            },
            _ => {}
        }
    })?;
    Ok(Parsed { metadata, blocks: out.blocks, ..Default::default() })
}

fn odt_marker(paras: &mut [OdtPara], e: &BytesStart<'_>, name: &str) {
    let Some(p) = paras.last_mut() else { return };
    match name {
        "s" => {
            let n = attr(e, "c").and_then(|c| c.parse::<usize>().ok()).unwrap_or(1).min(100);
            p.text.extend(std::iter::repeat_n(' ', n));
        }
        "tab" => p.text.push('\t'),
        "line-break" => p.text.push('\n'),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_and_english_heading_styles() {
        assert_eq!(heading_level_from_name("heading 2"), Some(2));
        assert_eq!(heading_level_from_name("Überschrift 1"), Some(1));
        assert_eq!(heading_level_from_name("berschrift3"), Some(3));
        assert_eq!(heading_level_from_name("Title"), Some(1));
        assert_eq!(heading_level_from_name("Normal"), None);
        assert_eq!(heading_level_from_name("Heading Char"), None);
    }

    #[test]
    fn unbalanced_xml_is_corrupt() {
        assert!(matches!(for_each_event("<a><b>text</b>", |_| {}), Err(ReadError::Corrupt)));
        assert!(for_each_event("<a><b>text</b></a>", |_| {}).is_ok());
    }
}
