//! Spreadsheets: Excel (XLSX) and OpenDocument (ODS). One `table_row` block per non-empty row,
//! cells joined by " | " (as for CSV), `sheet` = the sheet's name, `row` = the row number the
//! spreadsheet shows (1-based; empty rows are skipped but counted).
//!
//! XLSX is read with `calamine`, but not with its whole-sheet `Range`: that is a dense
//! rectangle, so two cells at A1 and XFD1048576 would ask for 17 billion cells (an allocation
//! failure aborts the process; no `catch_unwind` helps). Its streaming cell reader is used
//! instead, and before calamine sees the archive every entry is unpacked once through the
//! limiting reader of `limits.rs` (calamine, like the `zip` crate, has no size limits of its
//! own), so a zip bomb is refused with the same error as a DOCX bomb.
//!
//! XLSX stores values, not what the cell shows: numbers come out the German way (decimal
//! comma, "1234,5"), dates as "15.03.2024", times as "10:30", booleans as "WAHR"/"FALSCH".
//! Number formats (thousands separators, currency) are not applied.
//!
//! ODS is read like ODT (zip + quick-xml, streaming, `office.rs`): its cells carry the text the
//! cell displays (`<text:p>1.234,56 €</text:p>`), so amounts come out exactly as shown.
//! Repeated rows and cells (`number-rows-repeated`, LibreOffice's way of storing the empty rest
//! of a sheet) are counted, and repeated non-empty content is expanded only up to a cap; runs of
//! empty cells inside a row are closed to the width XLSX gaps are.
//!
//! Cell text is charged to the budget where it is made (a shared string copied into a cell, an
//! ODS cell repeated), before the row's text is built: a few kilobytes of either can stand for
//! gigabytes of text.

use std::collections::BTreeMap;
use std::io::{self, Cursor};

use calamine::{DataRef, Reader, Xlsx};

use super::limits::{Budget, LimitedReader};
use super::model::BlockKind;
use super::office::{self, attr, for_each_event, xml_text, Archive, Xml};
use super::{Parsed, RawBlock, ReadError};

/// Repeated non-empty rows or cells beyond this are not expanded (a warning says so).
const MAX_REPEAT: u32 = 1000;
/// Gaps between cells are shown as empty cells up to this width; wider gaps are closed.
const MAX_GAP: u32 = 64;

/// Unpacks every entry of the archive once through the budget and ratio limits.
fn check_archive(archive: &mut Archive<'_>, budget: &Budget) -> Result<(), ReadError> {
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|_| ReadError::Corrupt)?;
        let compressed = entry.compressed_size();
        let mut reader = LimitedReader::new(entry, budget, compressed);
        if io::copy(&mut reader, &mut io::sink()).is_err() {
            return Err(if reader.exceeded { ReadError::Limit } else { ReadError::Corrupt });
        }
    }
    Ok(())
}

/// Between the cells of a row's text.
const SEPARATOR: &str = " | ";

/// Collects the rows of one sheet. The text of the cells is charged to the budget where it is
/// made, before it takes memory: shared strings let a small XLSX repeat one long text in a
/// million cells, and an ODS cell repeats its text up to [`MAX_REPEAT`] times.
struct Rows<'b> {
    blocks: Vec<RawBlock>,
    budget: &'b Budget,
    warnings: Vec<String>,
}

impl Rows<'_> {
    /// Adds one row from runs of equal cells `(text, times)`, up to its last non-empty cell,
    /// cells trimmed and joined by " | ". The cells' text is charged by the caller; the
    /// separators are charged here, before the row's text is built.
    fn push(&mut self, sheet: &str, row: u32, runs: &[(&str, u32)]) -> Result<(), ReadError> {
        let end = runs.iter().rposition(|(t, n)| *n > 0 && !t.trim().is_empty()).map_or(0, |i| i + 1);
        if end == 0 {
            return Ok(());
        }
        let runs = &runs[..end];
        let cells = runs.iter().map(|(_, n)| u64::from(*n)).fold(0u64, u64::saturating_add);
        let separators = cells.saturating_sub(1).saturating_mul(SEPARATOR.len() as u64);
        if !self.budget.take(separators) {
            return Err(ReadError::Limit);
        }
        let cell_bytes = runs
            .iter()
            .map(|(t, n)| (t.trim().len() as u64).saturating_mul(u64::from(*n)))
            .fold(0u64, u64::saturating_add);
        let mut text = String::with_capacity(usize::try_from(cell_bytes.saturating_add(separators)).unwrap_or(0));
        let mut first = true;
        for (cell, n) in runs {
            let cell = cell.trim();
            for _ in 0..*n {
                if !first {
                    text.push_str(SEPARATOR);
                }
                text.push_str(cell);
                first = false;
            }
        }
        self.blocks.push(RawBlock {
            sheet: Some(sheet.to_owned()),
            row: Some(row),
            ..RawBlock::new(BlockKind::TableRow, text)
        });
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// XLSX

pub fn read_xlsx(bytes: &[u8], budget: &Budget) -> Result<Parsed, ReadError> {
    let mut archive = office::open(bytes)?;
    check_archive(&mut archive, budget)?;
    let metadata = office::ooxml_metadata(&mut archive, budget)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| ReadError::Corrupt)?;
    let mut rows = Rows { blocks: Vec::new(), budget, warnings: Vec::new() };
    for name in workbook.sheet_names() {
        let mut reader = match workbook.worksheet_cells_reader(&name) {
            Ok(r) => r,
            Err(_) => {
                rows.warnings.push(format!("Das Tabellenblatt „{name}“ ist beschädigt und wurde übersprungen."));
                continue;
            }
        };
        // Cells arrive in the sheet's order (row by row); collect one row at a time.
        let mut current: Option<(u32, BTreeMap<u32, String>)> = None;
        loop {
            let cell = match reader.next_cell() {
                Ok(Some(cell)) => cell,
                Ok(None) => break,
                Err(_) => {
                    rows.warnings.push(format!("Das Tabellenblatt „{name}“ ist ab einer Stelle beschädigt und wurde dort abgeschnitten."));
                    break;
                }
            };
            let (row, col) = cell.get_position();
            let text = cell_text(cell.get_value());
            if text.trim().is_empty() {
                continue;
            }
            if current.as_ref().is_some_and(|(r, _)| *r != row) {
                let (r, cells) = current.take().unwrap_or_default();
                rows.push(&name, r + 1, &fill_gaps(&cells))?;
            }
            // Each cell holds its own copy of a shared string: charge it before it is kept.
            if !budget.take(text.len() as u64) {
                return Err(ReadError::Limit);
            }
            current.get_or_insert_with(|| (row, BTreeMap::new())).1.insert(col, text);
        }
        if let Some((r, cells)) = current {
            rows.push(&name, r + 1, &fill_gaps(&cells))?;
        }
    }
    Ok(Parsed { metadata, blocks: rows.blocks, warnings: rows.warnings, ..Default::default() })
}

/// Cells by column → the row's cells from column A as runs for [`Rows::push`], each gap one
/// run of empty cells (up to [`MAX_GAP`]).
fn fill_gaps(cells: &BTreeMap<u32, String>) -> Vec<(&str, u32)> {
    let mut out = Vec::with_capacity(cells.len() * 2);
    let mut next = 0u32;
    for (&col, text) in cells {
        let gap = col.saturating_sub(next).min(MAX_GAP);
        if gap > 0 {
            out.push(("", gap));
        }
        out.push((text.as_str(), 1));
        next = col.saturating_add(1);
    }
    out
}

fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => german_number(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(true) => "WAHR".to_owned(),
        DataRef::Bool(false) => "FALSCH".to_owned(),
        DataRef::DateTime(dt) => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            let value = dt.as_f64();
            if dt.is_duration() {
                let total = (value * 86_400.0).round() as i64;
                format!("{}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60)
            } else if value < 1.0 {
                format!("{hh:02}:{mm:02}")
            } else if hh == 0 && mm == 0 && ss == 0 {
                format!("{d:02}.{m:02}.{y:04}")
            } else {
                format!("{d:02}.{m:02}.{y:04} {hh:02}:{mm:02}")
            }
        }
        DataRef::DateTimeIso(s) => german_iso_date(s),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// 1234.5 → "1234,5"; 3.0 → "3". Rust's shortest round-trip form, so 0.1 stays "0,1".
fn german_number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string().replace('.', ",")
    }
}

/// "2024-03-15" (or "2024-03-15T10:30:00") → "15.03.2024" ("15.03.2024 10:30"); else as is.
fn german_iso_date(s: &str) -> String {
    let (date, time) = s.split_once('T').unwrap_or((s, ""));
    let parts: Vec<&str> = date.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            let time = time.get(..5).filter(|t| *t != "00:00").map(|t| format!(" {t}")).unwrap_or_default();
            format!("{d}.{m}.{y}{time}")
        }
        _ => s.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// ODS

pub fn read_ods(bytes: &[u8], budget: &Budget) -> Result<Parsed, ReadError> {
    let mut archive = office::open(bytes)?;
    let content = office::read_entry(&mut archive, "content.xml", budget)?.ok_or(ReadError::Corrupt)?;
    let metadata = office::odf_metadata(&mut archive, budget)?;
    let mut rows = Rows { blocks: Vec::new(), budget, warnings: Vec::new() };

    // State of the walk: the sheet, the next row number, the row and cell being read.
    let mut sheet: Option<String> = None;
    let mut next_row = 1u32;
    let mut row: Option<(u32, Vec<(String, u32)>)> = None;
    let mut cell: Option<(String, u32)> = None;
    let (mut skip, mut table_depth, mut capped) = (0usize, 0usize, false);
    let mut failed = None;

    let end_row = |sheet: &Option<String>, next_row: &mut u32, row: (u32, Vec<(String, u32)>), rows: &mut Rows<'_>, capped: &mut bool| {
        let (repeat, cells) = row;
        let (runs, cell_bytes) = ods_runs(&cells, capped);
        let name = sheet.as_deref().unwrap_or("");
        let mut result = Ok(());
        if !runs.is_empty() {
            if repeat > MAX_REPEAT {
                *capped = true;
            }
            for i in 0..repeat.min(MAX_REPEAT) {
                // Every copy of the row is new text: its cells are charged before `push` writes
                // them (`push` charges the separators).
                result = if rows.budget.take(cell_bytes) {
                    rows.push(name, next_row.saturating_add(i), &runs)
                } else {
                    Err(ReadError::Limit)
                };
                if result.is_err() {
                    break;
                }
            }
        }
        *next_row = next_row.saturating_add(repeat);
        result
    };

    for_each_event(&xml_text(&content)?, |ev| {
        if failed.is_some() {
            return;
        }
        if skip > 0 {
            match ev {
                Xml::Start(_, name) if office::ODT_SKIP.contains(&name.as_str()) => skip += 1,
                Xml::End(name) if office::ODT_SKIP.contains(&name.as_str()) => skip -= 1,
                _ => {}
            }
            return;
        }
        let repeat = |e: &quick_xml::events::BytesStart<'_>, key: &str| {
            attr(e, key).and_then(|v| v.parse::<u32>().ok()).unwrap_or(1).max(1)
        };
        match ev {
            Xml::Start(e, name) => match name.as_str() {
                n if office::ODT_SKIP.contains(&n) => skip = 1,
                "table" => {
                    table_depth += 1;
                    if table_depth == 1 {
                        sheet = attr(&e, "name");
                        next_row = 1;
                    }
                }
                "table-row" if table_depth == 1 => row = Some((repeat(&e, "number-rows-repeated"), Vec::new())),
                "table-cell" | "covered-table-cell" if table_depth == 1 => {
                    cell = Some((String::new(), repeat(&e, "number-columns-repeated")))
                }
                "p" | "h" => {
                    if let Some((text, _)) = cell.as_mut().filter(|(t, _)| !t.is_empty()) {
                        text.push(' ');
                    }
                }
                _ => {}
            },
            Xml::Empty(e, name) => match name.as_str() {
                "table-row" if table_depth == 1 => {
                    if let Err(err) = end_row(&sheet, &mut next_row, (repeat(&e, "number-rows-repeated"), Vec::new()), &mut rows, &mut capped) {
                        failed = Some(err);
                    }
                }
                "table-cell" | "covered-table-cell" if table_depth == 1 => {
                    if let Some((_, cells)) = row.as_mut() {
                        cells.push((String::new(), repeat(&e, "number-columns-repeated")));
                    }
                }
                "s" => {
                    if let Some((text, _)) = cell.as_mut() {
                        text.extend(std::iter::repeat_n(' ', repeat(&e, "c").min(100) as usize));
                    }
                }
                "tab" | "line-break" => {
                    if let Some((text, _)) = cell.as_mut() {
                        text.push(' ');
                    }
                }
                _ => {}
            },
            Xml::Text(t) => {
                if let Some((text, _)) = cell.as_mut() {
                    text.push_str(&t);
                }
            }
            Xml::End(name) => match name.as_str() {
                "table" => table_depth = table_depth.saturating_sub(1),
                "table-cell" | "covered-table-cell" if table_depth == 1 => {
                    if let (Some(c), Some((_, cells))) = (cell.take(), row.as_mut()) {
                        cells.push(c);
                    }
                }
                "table-row" if table_depth == 1 => {
                    if let Some(r) = row.take() {
                        if let Err(err) = end_row(&sheet, &mut next_row, r, &mut rows, &mut capped) {
                            failed = Some(err);
                        }
                    }
                }
                _ => {}
            },
        }
    })?;
    if let Some(err) = failed {
        return Err(err);
    }
    if capped {
        rows.warnings.push(format!(
            "Wiederholte Zeilen oder Zellen wurden nur bis zu {MAX_REPEAT}-mal übernommen."
        ));
    }
    Ok(Parsed { metadata, blocks: rows.blocks, warnings: rows.warnings, ..Default::default() })
}

/// An ODS row's cells `(text, number-columns-repeated)` as runs for [`Rows::push`], trailing
/// empty cells dropped, and what one copy of the row's cell text costs in bytes. A non-empty
/// cell is repeated at most [`MAX_REPEAT`] times (`capped` is set beyond); a run of empty cells
/// is closed to [`MAX_GAP`], as gaps in XLSX rows are.
fn ods_runs<'c>(cells: &'c [(String, u32)], capped: &mut bool) -> (Vec<(&'c str, u32)>, u64) {
    let mut runs: Vec<(&str, u32)> = Vec::with_capacity(cells.len());
    let mut bytes = 0u64;
    for (text, n) in cells {
        let text = text.trim();
        if text.is_empty() {
            match runs.last_mut() {
                Some(("", gap)) => *gap = gap.saturating_add(*n).min(MAX_GAP),
                _ => runs.push(("", (*n).min(MAX_GAP))),
            }
            continue;
        }
        if *n > MAX_REPEAT {
            *capped = true;
        }
        let times = (*n).min(MAX_REPEAT);
        bytes = bytes.saturating_add((text.len() as u64).saturating_mul(u64::from(times)));
        runs.push((text, times));
    }
    if runs.last().is_some_and(|(t, _)| t.is_empty()) {
        runs.pop();
    }
    (runs, bytes)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::limits::{allocations, ExtractOptions, MIB};

    #[test]
    fn numbers_and_dates_the_german_way() {
        assert_eq!(german_number(1234.5), "1234,5");
        assert_eq!(german_number(3.0), "3");
        assert_eq!(german_number(0.1), "0,1");
        assert_eq!(german_iso_date("2024-03-15"), "15.03.2024");
        assert_eq!(german_iso_date("2024-03-15T10:30:00"), "15.03.2024 10:30");
        assert_eq!(german_iso_date("kein Datum"), "kein Datum");
    }

    #[test]
    fn gaps_become_empty_cells_up_to_a_cap() {
        let cells = BTreeMap::from([(0, "a".to_owned()), (2, "c".to_owned()), (1000, "z".to_owned())]);
        let filled = fill_gaps(&cells);
        assert_eq!(filled[..3], [("a", 1), ("", 1), ("c", 1)]);
        assert_eq!(filled.iter().map(|(_, n)| n).sum::<u32>(), 3 + MAX_GAP + 1);
        assert_eq!(filled, [("a", 1), ("", 1), ("c", 1), ("", MAX_GAP), ("z", 1)]);
    }

    /// A zip of the entries; `mimetype` (OpenDocument wants it first) is stored, the rest deflated.
    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        use zip::write::SimpleFileOptions;
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            let method = if *name == "mimetype" { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
            writer.start_file(*name, SimpleFileOptions::default().compression_method(method)).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn ods(table: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="A">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
        );
        zip(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content.as_bytes())])
    }

    /// Runs `read` and returns its result with what it allocated on this thread.
    fn measured<T>(read: impl FnOnce() -> T) -> (T, u64) {
        let before = allocations::on_this_thread();
        let result = read();
        (result, allocations::on_this_thread() - before)
    }

    #[test]
    fn a_row_of_repeated_long_cells_is_refused_before_it_is_built() {
        // 100 cells of 2.4 KB, each repeated 1000 times, in one row: 240 KB of XML that deflates
        // to a few KB, but 240 MB of cell text (and as much again joined) — more than the 64 MiB
        // budget, which must say so before that memory is taken.
        let cell = format!(
            r#"<table:table-cell table:number-columns-repeated="1000"><text:p>{}</text:p></table:table-cell>"#,
            "Gebühr für die Straße ".repeat(100)
        );
        let bytes = ods(&format!("<table:table-row>{}</table:table-row>", cell.repeat(100)));
        assert!(bytes.len() < 32 * 1024, "{} bytes", bytes.len());
        let opts = ExtractOptions { max_decompressed_bytes: 64 * MIB, ..Default::default() };
        let started = std::time::Instant::now();
        let (result, allocated) = measured(|| crate::extract_bytes("bombe.ods", &bytes, &opts));
        assert_eq!(result.unwrap_err().code(), "document_decompression_limit");
        assert!(allocated < 4 * MIB, "{} MiB allocated", allocated / MIB);
        assert!(started.elapsed().as_secs() < 5);

        // The same row with 5 such cells fits: its text is built and charged once.
        let bytes = ods(&format!("<table:table-row>{}</table:table-row>", cell.repeat(5)));
        let budget = Budget::new(&opts);
        let parsed = read_ods(&bytes, &budget).unwrap();
        let text = &parsed.blocks[0].text;
        assert_eq!(text.matches(SEPARATOR).count(), 5 * 1000 - 1);
        let charged = opts.max_decompressed_bytes - budget.remaining();
        assert!(charged >= text.len() as u64 && charged < text.len() as u64 + 2 * MIB, "{charged} for {}", text.len());
    }

    #[test]
    fn repeated_rows_are_charged_per_copy_and_empty_runs_closed() {
        // A 1 MB row repeated 1000 times is 1 GB of text.
        let cell = format!(
            r#"<table:table-cell table:number-columns-repeated="1000"><text:p>{}</text:p></table:table-cell>"#,
            "x".repeat(1000)
        );
        let bytes = ods(&format!(r#"<table:table-row table:number-rows-repeated="1000">{cell}</table:table-row>"#));
        let opts = ExtractOptions { max_decompressed_bytes: 64 * MIB, ..Default::default() };
        let (result, allocated) = measured(|| read_ods(&bytes, &Budget::new(&opts)));
        assert_eq!(result.unwrap_err(), ReadError::Limit);
        assert!(allocated < 128 * MIB, "{} MiB allocated", allocated / MIB);

        // Empty cells between two are closed to MAX_GAP, as in XLSX; trailing ones are dropped.
        let row = r#"<table:table-row><table:table-cell><text:p>a</text:p></table:table-cell><table:table-cell table:number-columns-repeated="5000"/><table:table-cell><text:p> </text:p></table:table-cell><table:table-cell><text:p>b</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16000"/></table:table-row>"#;
        let parsed = read_ods(&ods(row), &Budget::new(&ExtractOptions::default())).unwrap();
        let gap = vec![""; MAX_GAP as usize].join(SEPARATOR);
        assert_eq!(parsed.blocks[0].text, format!("a{SEPARATOR}{gap}{SEPARATOR}b"));
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    /// An XLSX whose one row shows the one shared string `shared` in `cells` cells.
    fn xlsx(shared: &str, cells: u32) -> Vec<u8> {
        const SSML: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
        let cells: String = (0..cells).map(|i| format!(r#"<c r="{}1" t="s"><v>0</v></c>"#, column(i))).collect();
        let sst = format!(r#"<sst xmlns="{SSML}" count="1" uniqueCount="1"><si><t>{shared}</t></si></sst>"#);
        let sheet = format!(r#"<worksheet xmlns="{SSML}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>"#);
        let workbook = format!(r#"<workbook xmlns="{SSML}" xmlns:r="{REL}"><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>"#);
        let wb_rels = format!(
            r#"<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
        );
        let rels = format!(r#"<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
        zip(&[
            ("[Content_Types].xml", br#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#),
            ("_rels/.rels", rels.as_bytes()),
            ("xl/workbook.xml", workbook.as_bytes()),
            ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
            ("xl/sharedStrings.xml", sst.as_bytes()),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
            ("docProps/core.xml", r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Gebühren</dc:title></cp:coreProperties>"#.as_bytes()),
        ])
    }

    /// 0 → "A", 27 → "AB".
    fn column(mut i: u32) -> String {
        let mut name = String::new();
        loop {
            name.insert(0, char::from(b'A' + (i % 26) as u8));
            if i < 26 {
                return name;
            }
            i = i / 26 - 1;
        }
    }

    #[test]
    fn a_shared_string_in_many_cells_is_refused_before_it_is_copied() {
        assert_eq!((column(0).as_str(), column(27).as_str(), column(702).as_str()), ("A", "AB", "AAA"));
        // One 100 KB shared string in 2000 cells of one row: 200 MB of copies.
        let shared = "Gebühr ".repeat(12_500);
        let bytes = xlsx(&shared, 2000);
        assert!(bytes.len() < 32 * 1024, "{} bytes", bytes.len());
        let opts = ExtractOptions { max_decompressed_bytes: 16 * MIB, ..Default::default() };
        let (result, allocated) = measured(|| read_xlsx(&bytes, &Budget::new(&opts)));
        assert_eq!(result.unwrap_err(), ReadError::Limit);
        assert!(allocated < 64 * MIB, "{} MiB allocated", allocated / MIB);

        // 20 cells fit; the row's text is charged once (besides the unpacked archive).
        let budget = Budget::new(&opts);
        let parsed = read_xlsx(&xlsx(&shared, 20), &budget).unwrap();
        let text = &parsed.blocks[0].text;
        assert_eq!(text.matches(SEPARATOR).count(), 19);
        assert_eq!(parsed.metadata.title.as_deref(), Some("Gebühren"));
        let charged = opts.max_decompressed_bytes - budget.remaining();
        assert!(charged >= text.len() as u64 && charged < text.len() as u64 + MIB, "{charged} for {}", text.len());
    }
}
