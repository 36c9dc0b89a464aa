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
//! of a sheet) are counted, and repeated non-empty content is expanded only up to a cap.

use std::collections::BTreeMap;
use std::io::{self, Cursor};

use calamine::{DataRef, Reader, Xlsx};

use super::limits::{Budget, LimitedReader};
use super::model::BlockKind;
use super::office::{self, attr, for_each_event, xml_text, Xml};
use super::{Parsed, RawBlock, ReadError};

/// Repeated non-empty rows or cells beyond this are not expanded (a warning says so).
const MAX_REPEAT: u32 = 1000;
/// Gaps between cells are shown as empty cells up to this width; wider gaps are closed.
const MAX_GAP: u32 = 64;

/// Unpacks every entry of the archive once through the budget and ratio limits.
fn check_archive(bytes: &[u8], budget: &Budget) -> Result<(), ReadError> {
    let mut archive = office::open(bytes)?;
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

/// Collects the rows of one sheet and charges their text to the budget: shared strings let a
/// small file repeat one long text in a million cells.
struct Rows<'b> {
    blocks: Vec<RawBlock>,
    budget: &'b Budget,
    warnings: Vec<String>,
}

impl Rows<'_> {
    fn push(&mut self, sheet: &str, row: u32, cells: &[String]) -> Result<(), ReadError> {
        let end = cells.iter().rposition(|c| !c.trim().is_empty()).map_or(0, |i| i + 1);
        if end == 0 {
            return Ok(());
        }
        let text = cells[..end].iter().map(|c| c.trim()).collect::<Vec<_>>().join(" | ");
        if !self.budget.take(text.len() as u64) {
            return Err(ReadError::Limit);
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
    check_archive(bytes, budget)?;
    let metadata = office::ooxml_metadata(&mut office::open(bytes)?, budget)?;
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
                rows.push(&name, r + 1, &fill_gaps(cells))?;
            }
            current.get_or_insert_with(|| (row, BTreeMap::new())).1.insert(col, text);
        }
        if let Some((r, cells)) = current {
            rows.push(&name, r + 1, &fill_gaps(cells))?;
        }
    }
    Ok(Parsed { metadata, blocks: rows.blocks, warnings: rows.warnings, ..Default::default() })
}

/// Cells by column → the row's cells from column A, gaps as empty cells (up to [`MAX_GAP`]).
fn fill_gaps(cells: BTreeMap<u32, String>) -> Vec<String> {
    let mut out = Vec::with_capacity(cells.len());
    let mut next = 0u32;
    for (col, text) in cells {
        let gap = col.saturating_sub(next).min(MAX_GAP);
        out.extend((0..gap).map(|_| String::new()));
        out.push(text);
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
        let mut expanded = Vec::new();
        let last = cells.iter().rposition(|(t, _)| !t.trim().is_empty()).map_or(0, |i| i + 1);
        for (text, n) in &cells[..last] {
            if *n > MAX_REPEAT {
                *capped = true;
            }
            expanded.extend((0..(*n).min(MAX_REPEAT)).map(|_| text.clone()));
        }
        let name = sheet.as_deref().unwrap_or("");
        let mut result = Ok(());
        if last > 0 {
            if repeat > MAX_REPEAT {
                *capped = true;
            }
            for i in 0..repeat.min(MAX_REPEAT) {
                result = rows.push(name, next_row.saturating_add(i), &expanded);
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let filled = fill_gaps(cells);
        assert_eq!(filled[..3], ["a", "", "c"]);
        assert_eq!(filled.len(), 3 + MAX_GAP as usize + 1);
    }
}
