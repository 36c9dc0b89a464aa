//! CSV tables, as German offices export them.
//!
//! German Excel writes `;` as the delimiter (because `,` is the decimal separator) and
//! Windows-1252; others write `,` or tabs and UTF-8. The delimiter is sniffed, the encoding
//! comes from `text.rs`, and the `csv` crate does the quoting. Cells are kept as written:
//! "1.234,56 €" stays a string; numbers are never reinterpreted here (invariant 3: amounts are
//! for deterministic code to read, later, from the original text).
//!
//! One `table_row` block per record, cells joined by " | ", `row` = the 1-based record number
//! (the header line is row 1), which is the row number a spreadsheet shows for the same file.

use super::model::BlockKind;
use super::{text, Parsed, RawBlock, ReadError};

const DELIMITERS: [u8; 3] = [b';', b'\t', b','];

/// The delimiter if `sample` looks like a table: at least two records with the same number
/// (≥ 2) of fields. Without a .csv/.tsv name, a comma table needs three records or three
/// columns, so that two lines of prose with a comma each are not taken for a table.
/// `complete` says whether `sample` is the whole file; if not, its last line may be cut off and
/// is not looked at.
pub fn sniff_delimiter(sample: &str, csv_name: bool, complete: bool) -> Option<u8> {
    let sample = match sample.rfind('\n') {
        Some(i) if !complete => &sample[..i],
        _ => sample,
    };
    DELIMITERS.into_iter().find(|&d| {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        let mut counts = Vec::new();
        for record in reader.records().take(20) {
            match record {
                Ok(r) => counts.push(r.len()),
                Err(_) => return false,
            }
        }
        let Some(&first) = counts.first() else { return false };
        let consistent = counts.len() >= 2 && first >= 2 && counts.iter().all(|&c| c == first);
        consistent && (csv_name || d != b',' || counts.len() >= 3 || first >= 3)
    })
}

pub fn read_csv(bytes: &[u8]) -> Result<Parsed, ReadError> {
    let decoded = text::decode(bytes)?;
    let text = decoded.text.trim_start_matches('\u{feff}');
    let head: String = text.chars().take(16 * 1024).collect();
    let delimiter = sniff_delimiter(&head, true, head.len() == text.len()).unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut blocks = Vec::new();
    let mut warnings = decoded.warnings;
    let mut record = csv::StringRecord::new();
    // The csv crate skips blank lines; a spreadsheet shows them as empty rows. Count them (a
    // record's position is where reading began, before the skipped lines) so that `row` is the
    // row number the user sees when opening the file.
    let mut row = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => {
                warnings.push(format!("Die Tabelle ist ab Zeile {} fehlerhaft und wurde dort abgeschnitten.", row + 1));
                break;
            }
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let skipped = text.get(start..).map_or(0, |rest| rest.bytes().take_while(|&b| b == b'\n').count());
        row += 1 + skipped as u64;
        let cells: Vec<&str> = record.iter().map(str::trim).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let row = u32::try_from(row).unwrap_or(u32::MAX);
        blocks.push(RawBlock { row: Some(row), ..RawBlock::new(BlockKind::TableRow, cells.join(" | ")) });
    }
    Ok(Parsed { blocks, warnings, ..Default::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_german_and_english_tables_but_not_prose() {
        assert_eq!(sniff_delimiter("Name;Betrag\nMüller;1.234,56 €", false, true), Some(b';'));
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n", false, true), Some(b','));
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n", false, true), Some(b'\t'));
        assert_eq!(sniff_delimiter("Sehr geehrte Damen und Herren,\nwir danken, dass Sie\n", false, true), None);
        assert_eq!(sniff_delimiter("Eine Zeile ohne Trenner\nNoch eine\n", true, true), None);
        // A cut-off sample: its last line may be incomplete and is not counted.
        assert_eq!(sniff_delimiter("a;b\n1;2\n3", false, true), None);
        assert_eq!(sniff_delimiter("a;b\n1;2\n3", false, false), Some(b';'));
    }

    #[test]
    fn decimal_commas_stay_text_and_rows_are_numbered() {
        let csv = "Name;Betrag;Datum\r\n\"Müller; Anna\";1.234,56 €;03.04.2024\r\n;;\r\n\r\nGroß;0,50 €;31.12.2024\r\n";
        let parsed = read_csv(csv.as_bytes()).unwrap();
        let rows: Vec<_> = parsed.blocks.iter().map(|b| (b.row, b.text.as_str())).collect();
        assert_eq!(
            rows,
            vec![
                (Some(1), "Name | Betrag | Datum"),
                (Some(2), "Müller; Anna | 1.234,56 € | 03.04.2024"),
                (Some(5), "Groß | 0,50 € | 31.12.2024"),
            ]
        );
    }
}
