//! "Zahlen erklären": a table (CSV, XLSX, ODS) is analysed by code, never by the model.
//!
//! The first table row of a sheet is its header; the other rows are data. A column is numeric
//! when at least 80 % of its non-empty data cells are numbers ("1.234,56", "-12,5 %",
//! "1.234 €", "1234.5"); the first column that is not numeric names the rows. Two period
//! columns are compared — by default the last two numeric ones ("Ansatz 2025" → "Ansatz 2026").
//! Computed: per row the difference (B-A), the percentage change ((B-A)/A*100) and the share of
//! the total of B (B/Summe(B)*100); column totals; the largest increases and decreases. Rows
//! labelled "Summe", "Gesamt", "Insgesamt" or "Total" are already totals: they get their own
//! difference and change but are left out of the column totals and shares (no double count).
//!
//! Arithmetic is exact: numbers are fixed-point integers (`i128`, six decimal places), so sums
//! and differences of cent amounts carry no binary rounding. Percentages are rounded once, to one
//! decimal, half away from zero (12,25 → 12,3; -12,25 → -12,3). "1.234" (one dot, three digits
//! after it) is read the German way, as 1234.
//!
//! Every computed value carries its formula and its inputs with their positions (sheet and row),
//! so the UI and the checker can show where each figure comes from.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::documents::{Block, BlockKind, Document, Position};
use crate::error::{CoreError, Result};

/// Six decimal places of fixed-point.
const SCALE: i128 = 1_000_000;
const SCALE_DIGITS: u32 = 6;

/// An exact decimal number: `units` millionths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dec {
    units: i128,
}

impl Dec {
    pub const ZERO: Dec = Dec { units: 0 };

    /// From an integer and a number of decimal places: `from_scaled(12345, 2)` is 123,45.
    pub fn from_scaled(value: i128, decimals: u32) -> Option<Dec> {
        if decimals > SCALE_DIGITS {
            return None;
        }
        value.checked_mul(10i128.pow(SCALE_DIGITS - decimals)).map(|units| Dec { units })
    }

    pub fn checked_add(self, o: Dec) -> Option<Dec> {
        self.units.checked_add(o.units).map(|units| Dec { units })
    }

    pub fn checked_sub(self, o: Dec) -> Option<Dec> {
        self.units.checked_sub(o.units).map(|units| Dec { units })
    }

    pub fn is_zero(self) -> bool {
        self.units == 0
    }

    pub fn is_negative(self) -> bool {
        self.units < 0
    }

    pub fn abs(self) -> Dec {
        Dec { units: self.units.abs() }
    }

    /// `self / of * 100`, rounded to one decimal half away from zero; `None` when `of` is 0.
    pub fn percent_of(self, of: Dec) -> Option<Dec> {
        if of.is_zero() {
            return None;
        }
        // Tenths of a percent: self * 1000 / of, then back to a Dec with one decimal.
        let tenths = div_round_half_away(self.units.checked_mul(1000)?, of.units);
        Dec::from_scaled(tenths, 1)
    }

    pub fn to_f64(self) -> f64 {
        self.units as f64 / SCALE as f64
    }

    /// Plain form with a dot and no trailing zeros: "-1234.5", "0".
    pub fn exact(self) -> String {
        let sign = if self.units < 0 { "-" } else { "" };
        let a = self.units.unsigned_abs();
        let int = a / SCALE as u128;
        let frac = a % SCALE as u128;
        if frac == 0 {
            return format!("{sign}{int}");
        }
        let f = format!("{frac:06}");
        format!("{sign}{int}.{}", f.trim_end_matches('0'))
    }

    /// German form with thousands dots and `decimals` places (rounded half away from zero):
    /// `1234567.891` with 2 → "1.234.567,89".
    pub fn format_de(self, decimals: u32) -> String {
        let decimals = decimals.min(SCALE_DIGITS);
        let step = 10i128.pow(SCALE_DIGITS - decimals);
        let rounded = div_round_half_away(self.units, step);
        let sign = if rounded < 0 { "-" } else { "" };
        let a = rounded.unsigned_abs();
        let pow = 10u128.pow(decimals);
        let int = (a / pow).to_string();
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(c);
        }
        if decimals == 0 {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped},{:0width$}", a % pow, width = decimals as usize)
        }
    }
}

/// Integer division rounded half away from zero.
fn div_round_half_away(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.unsigned_abs() >= d.unsigned_abs() {
        q + if (n < 0) == (d < 0) { 1 } else { -1 }
    } else {
        q
    }
}

/// A number read from a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedNumber {
    pub value: Dec,
    /// Decimal places as written ("1.234,50" → 2).
    pub decimals: u32,
    pub unit: Option<&'static str>,
}

static GROUPED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[0-9]{1,3}(?:\.[0-9]{3})+$").expect("valid regex"));

/// Reads "1.234,56", "-12,5 %", "1.234 €", "EUR 1.234", "+3", "1234.5", "−7" (Unicode minus).
/// Returns `None` for anything else (text, dates, "n. v.", "-").
pub fn parse_number(cell: &str) -> Option<ParsedNumber> {
    let mut s: String = cell.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}').collect();
    let mut unit = None;
    for (affix, u) in [("€", "€"), ("EUR", "€"), ("%", "%")] {
        if let Some(r) = s.strip_suffix(affix).or_else(|| s.strip_prefix(affix)) {
            s = r.to_owned();
            unit = Some(u);
            break;
        }
    }
    let (negative, body) = match s.chars().next()? {
        '-' | '−' | '–' => (true, &s[s.chars().next()?.len_utf8()..]),
        '+' => (false, &s[1..]),
        _ => (false, s.as_str()),
    };
    if body.is_empty() || !body.starts_with(|c: char| c.is_ascii_digit()) || !body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let (int, frac) = if let Some((int, frac)) = body.split_once(',') {
        let int = if int.contains('.') {
            if !GROUPED.is_match(int) {
                return None;
            }
            int.replace('.', "")
        } else {
            int.to_owned()
        };
        (int, frac.to_owned())
    } else if GROUPED.is_match(body) {
        (body.replace('.', ""), String::new())
    } else if let Some((int, frac)) = body.split_once('.') {
        (int.to_owned(), frac.to_owned())
    } else {
        (body.to_owned(), String::new())
    };
    if frac.len() > SCALE_DIGITS as usize || !frac.chars().all(|c| c.is_ascii_digit()) || int.is_empty() || int.len() > 24 {
        return None;
    }
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    let decimals = frac.len() as u32;
    let value = Dec::from_scaled(if negative { -digits } else { digits }, decimals)?;
    Some(ParsedNumber { value, decimals, unit })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// Sum of a column (rows labelled as totals left out).
    Summe,
    /// B - A for one row.
    Differenz,
    /// (B - A) / A * 100 for one row.
    Veraenderung,
    /// B / Summe(B) * 100 for one row.
    Anteil,
    /// One of the three largest increases (B - A > 0), ranked.
    GroessterAnstieg,
    /// One of the three largest decreases (B - A < 0), ranked.
    GroessterRueckgang,
}

/// An input of a computed value: a cell, with where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureInput {
    /// The formula's name for it: "A", "B".
    pub name: String,
    pub column: String,
    pub row: String,
    /// The cell as written in the file.
    pub text: String,
    /// Exact value, plain form ("1234.5").
    pub value: String,
    pub position: Position,
}

/// One computed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Stable within one analysis: "differenz:3" (3 = data row index), "summe:Ansatz 2026".
    pub id: String,
    pub kind: FigureKind,
    /// German description: "Feuerwehr: Veränderung von Ansatz 2025 zu Ansatz 2026".
    pub label: String,
    /// The row it belongs to (None for column totals).
    pub row: Option<String>,
    /// For charts; the exact value is `exact`.
    pub value: f64,
    pub exact: String,
    /// German, with sign for changes and unit: "+150.000 €", "+12,5 %", "37,4 %".
    pub display: String,
    /// "B-A", "(B-A)/A*100", "B/Summe(B)*100", "Summe(B)".
    pub formula: String,
    pub inputs: Vec<FigureInput>,
}

/// What a table is and what was compared (an explanation keeps this with its figures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableInfo {
    pub file: String,
    pub sheet: Option<String>,
    pub columns: Vec<String>,
    pub label_column: Option<String>,
    pub numeric_columns: Vec<String>,
    /// The earlier period column (A) and the later one (B).
    pub from: String,
    pub to: String,
    pub data_rows: usize,
    /// How percentages are rounded, in German, for the reader.
    pub rounding: String,
}

/// The analysis of one table: what it is (flattened into the same JSON object) and the figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableFigures {
    #[serde(flatten)]
    pub table: TableInfo,
    pub figures: Vec<Figure>,
}

impl TableFigures {
    pub fn of_kind(&self, kind: FigureKind) -> impl Iterator<Item = &Figure> {
        self.figures.iter().filter(move |f| f.kind == kind)
    }
}

/// Which columns to compare; header names, matched case-insensitively. `None`: the last two
/// numeric columns.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FigureOptions {
    pub from: Option<String>,
    pub to: Option<String>,
}

pub const ROUNDING_DE: &str = "Prozentwerte sind auf eine Nachkommastelle gerundet (kaufmännisch, ab 5 vom Nullpunkt weg); Summen und Differenzen sind exakt.";

/// Whether a document is a table at all (every block a table row).
pub fn is_table(doc: &Document) -> bool {
    !doc.blocks.is_empty() && doc.blocks.iter().all(|b| b.kind == BlockKind::TableRow)
}

struct Row<'a> {
    label: String,
    cells: Vec<&'a str>,
    block: &'a Block,
    is_total: bool,
}

/// Analyses the first sheet of `doc` that has at least two numeric columns (or one, then only
/// totals and shares). A document without table rows, or without numeric columns, is
/// [`CoreError::NotATable`] / [`CoreError::NoNumericColumns`].
pub fn analyze(doc: &Document, opts: &FigureOptions) -> Result<TableFigures> {
    let file = doc.source.file_name.clone();
    let rows: Vec<&Block> = doc.blocks.iter().filter(|b| b.kind == BlockKind::TableRow).collect();
    if rows.is_empty() {
        return Err(CoreError::NotATable(file));
    }
    // Sheets in their order in the file.
    let mut sheets: Vec<(Option<String>, Option<String>, Vec<&Block>)> = Vec::new();
    for b in rows {
        let key = (b.position.attachment.clone(), b.position.sheet.clone());
        match sheets.iter_mut().find(|(a, s, _)| (a, s) == (&key.0, &key.1)) {
            Some(entry) => entry.2.push(b),
            None => sheets.push((key.0, key.1, vec![b])),
        }
    }
    let mut last_err = CoreError::NotATable(file.clone());
    for (_, sheet, blocks) in &sheets {
        match analyze_sheet(&file, sheet.clone(), blocks, opts) {
            Ok(t) => return Ok(t),
            Err(e) => last_err = e,
        }
    }
    Err(last_err)
}

const TOTAL_LABELS: &[&str] = &["summe", "gesamt", "insgesamt", "total", "gesamtsumme", "zwischensumme"];

/// Headers of columns that hold numbers which are names, not amounts: a Produkt "11.1", a
/// Kostenstelle, an account. Summing or comparing them would be nonsense.
const IDENTIFIER_HEADERS: &[&str] = &[
    "nr", "nr.", "nummer", "produkt", "produktnummer", "kennziffer", "konto", "sachkonto", "schlüssel", "schluessel",
    "kostenstelle", "kostenträger", "gliederung", "haushaltsstelle", "id", "code", "plz", "postleitzahl", "kennzahl", "az",
    "aktenzeichen", "lfd. nr.", "lfd.", "pos", "pos.", "position",
];

fn is_identifier_header(header: &str) -> bool {
    let folded = header.trim().to_lowercase();
    IDENTIFIER_HEADERS.contains(&folded.as_str()) || folded.split_whitespace().any(|w| matches!(w, "nr" | "nr." | "nummer" | "id"))
}

pub(crate) fn is_total_label(cell: &str) -> bool {
    let folded = cell.trim().to_lowercase();
    TOTAL_LABELS.iter().any(|t| folded == *t || folded.starts_with(&format!("{t} ")) || folded.starts_with(&format!("{t}:")))
}

fn analyze_sheet(file: &str, sheet: Option<String>, blocks: &[&Block], opts: &FigureOptions) -> Result<TableFigures> {
    if blocks.len() < 2 {
        return Err(CoreError::NotATable(file.to_owned()));
    }
    // Cells are joined by " | "; splitting at '|' also handles a row whose empty last cell left
    // a trailing "|" after whitespace was trimmed.
    let header: Vec<String> = blocks[0].text.split('|').map(|c| c.trim().to_owned()).collect();
    let data: Vec<Vec<&str>> = blocks[1..].iter().map(|b| b.text.split('|').map(str::trim).collect()).collect();
    let width = data.iter().map(Vec::len).chain([header.len()]).max().unwrap_or(0);
    let columns: Vec<String> = (0..width)
        .map(|c| header.get(c).filter(|h| !h.is_empty()).cloned().unwrap_or_else(|| format!("Spalte {}", c + 1)))
        .collect();
    let cell = |r: &Vec<&'_ str>, c: usize| -> String { r.get(c).copied().unwrap_or("").to_owned() };
    let numeric: Vec<usize> = (0..width)
        .filter(|&c| !is_identifier_header(&columns[c]))
        .filter(|&c| {
            let filled: Vec<String> = data.iter().map(|r| cell(r, c)).filter(|s| !s.is_empty()).collect();
            let numbers = filled.iter().filter(|s| parse_number(s).is_some()).count();
            numbers > 0 && numbers * 5 >= filled.len() * 4
        })
        .collect();
    if numeric.is_empty() {
        return Err(CoreError::NoNumericColumns(file.to_owned()));
    }
    // The row's name: the first non-numeric column holding words ("Bezeichnung" rather than a
    // "Produkt" column of codes like "11.1"), else the first non-numeric column.
    let wordy = |c: usize| {
        let filled: Vec<String> = data.iter().map(|r| cell(r, c)).filter(|s| !s.is_empty()).collect();
        !filled.is_empty() && filled.iter().filter(|s| parse_number(s).is_none()).count() * 2 > filled.len()
    };
    let label_col = (0..width)
        .find(|&c| !numeric.contains(&c) && wordy(c))
        .or_else(|| (0..width).find(|c| !numeric.contains(c)));
    let rows: Vec<Row> = blocks[1..]
        .iter()
        .zip(&data)
        .enumerate()
        .map(|(i, (b, cells))| {
            // A total row may name itself in any text cell ("Summe" under "Produkt", the label empty).
            let total_cell = (0..width).filter(|c| !numeric.contains(c)).map(|c| cell(cells, c)).find(|t| is_total_label(t));
            let label = label_col
                .map(|c| cell(cells, c))
                .filter(|l| !l.is_empty())
                .or_else(|| total_cell.clone())
                .unwrap_or_else(|| format!("Zeile {}", b.position.row.unwrap_or(i as u32 + 2)));
            let is_total = is_total_label(&label) || total_cell.is_some();
            Row { label, cells: cells.clone(), block: b, is_total }
        })
        .collect();

    let find_col = |name: &Option<String>| -> Result<Option<usize>> {
        match name {
            None => Ok(None),
            Some(n) => numeric
                .iter()
                .copied()
                .find(|&c| columns[c].eq_ignore_ascii_case(n.trim()) || columns[c].to_lowercase() == n.trim().to_lowercase())
                .map(Some)
                .ok_or_else(|| CoreError::InvalidParameter(format!("die Spalte „{n}“ ist keine Zahlenspalte dieser Tabelle"))),
        }
    };
    let to = find_col(&opts.to)?.unwrap_or(*numeric.last().expect("non-empty"));
    let from = match find_col(&opts.from)? {
        Some(c) => Some(c),
        None => numeric.iter().rev().copied().find(|&c| c < to).or_else(|| numeric.iter().copied().find(|&c| c != to)),
    };

    let mut figures = Vec::new();
    let num = |r: &Row, c: usize| r.cells.get(c).and_then(|s| parse_number(s));
    let input = |name: &str, r: &Row, c: usize, n: &ParsedNumber| FigureInput {
        name: name.to_owned(),
        column: columns[c].clone(),
        row: r.label.clone(),
        text: r.cells.get(c).copied().unwrap_or("").to_owned(),
        value: n.value.exact(),
        position: r.block.position.clone(),
    };
    let col_decimals = |c: usize| rows.iter().filter_map(|r| num(r, c)).map(|n| n.decimals).max().unwrap_or(0);
    let col_unit = |c: usize| rows.iter().filter_map(|r| num(r, c)).find_map(|n| n.unit);
    let with_unit = |s: String, unit: Option<&str>| match unit {
        Some("%") => format!("{s} %"),
        Some(u) => format!("{s} {u}"),
        None => s,
    };

    // Column totals for every numeric column.
    let mut total_to = None;
    for &c in &numeric {
        let mut sum = Dec::ZERO;
        let mut inputs = Vec::new();
        let mut ok = true;
        for r in rows.iter().filter(|r| !r.is_total) {
            if let Some(n) = num(r, c) {
                match sum.checked_add(n.value) {
                    Some(s) => sum = s,
                    None => ok = false,
                }
                inputs.push(input(&columns[c], r, c, &n));
            }
        }
        // A percent column's sum means nothing.
        if !ok || inputs.is_empty() || col_unit(c) == Some("%") {
            continue;
        }
        if c == to {
            total_to = Some(sum);
        }
        figures.push(Figure {
            id: format!("summe:{}", columns[c]),
            kind: FigureKind::Summe,
            label: format!("Summe {}", columns[c]),
            row: None,
            value: sum.to_f64(),
            exact: sum.exact(),
            display: with_unit(sum.format_de(col_decimals(c)), col_unit(c)),
            formula: format!("Summe({})", columns[c]),
            inputs,
        });
    }

    let mut changes: Vec<(Dec, usize)> = Vec::new();
    if let Some(from) = from {
        let decimals = col_decimals(from).max(col_decimals(to));
        let unit = col_unit(to).or(col_unit(from));
        let diff_unit = if unit == Some("%") { Some("Prozentpunkte") } else { unit };
        for (i, r) in rows.iter().enumerate() {
            let (Some(a), Some(b)) = (num(r, from), num(r, to)) else { continue };
            let inputs = vec![input("A", r, from, &a), input("B", r, to, &b)];
            let Some(d) = b.value.checked_sub(a.value) else { continue };
            let sign = if d.is_negative() { "" } else { "+" };
            figures.push(Figure {
                id: format!("differenz:{i}"),
                kind: FigureKind::Differenz,
                label: format!("{}: Differenz {} zu {}", r.label, columns[from], columns[to]),
                row: Some(r.label.clone()),
                value: d.to_f64(),
                exact: d.exact(),
                display: with_unit(format!("{sign}{}", d.format_de(decimals)), diff_unit),
                formula: "B-A".into(),
                inputs: inputs.clone(),
            });
            if !r.is_total {
                changes.push((d, i));
            }
            // A change against 0 has no percentage.
            if let Some(p) = d.percent_of(a.value.abs()) {
                let sign = if p.is_negative() { "" } else { "+" };
                figures.push(Figure {
                    id: format!("veraenderung:{i}"),
                    kind: FigureKind::Veraenderung,
                    label: format!("{}: Veränderung {} zu {}", r.label, columns[from], columns[to]),
                    row: Some(r.label.clone()),
                    value: p.to_f64(),
                    exact: p.exact(),
                    display: format!("{sign}{} %", p.format_de(1)),
                    formula: "(B-A)/|A|*100".into(),
                    inputs,
                });
            }
        }
    }

    // Shares of the total of B, for rows with a non-negative value and a positive total.
    if let Some(total) = total_to.filter(|t| *t > Dec::ZERO) {
        // The same for every row: computed once, not per row (each reads the whole column).
        let unit = col_unit(to);
        let total_text = with_unit(total.format_de(col_decimals(to)), unit);
        for (i, r) in rows.iter().enumerate() {
            if r.is_total {
                continue;
            }
            let Some(b) = num(r, to).filter(|b| !b.value.is_negative()) else { continue };
            let Some(p) = b.value.percent_of(total) else { continue };
            figures.push(Figure {
                id: format!("anteil:{i}"),
                kind: FigureKind::Anteil,
                label: format!("{}: Anteil an der Summe {}", r.label, columns[to]),
                row: Some(r.label.clone()),
                value: p.to_f64(),
                exact: p.exact(),
                display: format!("{} %", p.format_de(1)),
                formula: "B/Summe(B)*100".into(),
                inputs: vec![
                    input("B", r, to, &b),
                    FigureInput {
                        name: "Summe(B)".into(),
                        column: columns[to].clone(),
                        row: "Summe".into(),
                        text: total_text.clone(),
                        value: total.exact(),
                        position: r.block.position.clone(),
                    },
                ],
            });
        }
    }

    // The three largest increases and decreases (by difference), ranked.
    let ranked = |up: bool| {
        let mut v: Vec<&(Dec, usize)> = changes.iter().filter(|(d, _)| if up { *d > Dec::ZERO } else { d.is_negative() }).collect();
        v.sort_by(|a, b| if up { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) }.then(a.1.cmp(&b.1)));
        v.into_iter().take(3).map(|&(_, i)| i).collect::<Vec<_>>()
    };
    for (up, kind, word) in [(true, FigureKind::GroessterAnstieg, "Anstieg"), (false, FigureKind::GroessterRueckgang, "Rückgang")] {
        for (rank, i) in ranked(up).into_iter().enumerate() {
            let Some(diff) = figures.iter().find(|f| f.id == format!("differenz:{i}")).cloned() else { continue };
            // Ranks in words: a model that echoes the label brings no stray digit into the text.
            let place = ["Größter", "Zweitgrößter", "Drittgrößter"][rank];
            figures.push(Figure {
                id: format!("{}:{}", if up { "anstieg" } else { "rueckgang" }, rank + 1),
                kind,
                label: format!("{place} {word}: {}", rows[i].label),
                ..diff
            });
        }
    }

    Ok(TableFigures {
        table: TableInfo {
            file: file.to_owned(),
            sheet,
            label_column: label_col.map(|c| columns[c].clone()),
            numeric_columns: numeric.iter().map(|&c| columns[c].clone()).collect(),
            from: from.map(|c| columns[c].clone()).unwrap_or_default(),
            to: columns[to].clone(),
            columns,
            data_rows: rows.len(),
            rounding: ROUNDING_DE.to_owned(),
        },
        figures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_columns_and_total_rows_in_any_text_cell() {
        assert!(is_identifier_header("Produkt"));
        assert!(is_identifier_header("Lfd. Nr."));
        assert!(!is_identifier_header("Ansatz 2026"));
        assert!(is_total_label("Summe"));
        assert!(is_total_label("Gesamt: alle Produkte"));
        assert!(!is_total_label("Summenbildung"));
    }

    fn d(s: &str) -> Dec {
        parse_number(s).unwrap_or_else(|| panic!("{s} parses")).value
    }

    #[test]
    fn german_and_plain_numbers() {
        assert_eq!(d("1.234,56").exact(), "1234.56");
        assert_eq!(d("-12,5 %").exact(), "-12.5");
        assert_eq!(parse_number("-12,5 %").unwrap().unit, Some("%"));
        assert_eq!(d("1.234 €").exact(), "1234");
        assert_eq!(d("1234.5").exact(), "1234.5");
        assert_eq!(d("1.234.567").exact(), "1234567");
        assert_eq!(d("−7").exact(), "-7");
        assert_eq!(d("EUR 12,00").exact(), "12");
        for bad in ["", "-", "n. v.", "03.02.2025", "1.23,4", "abc", "12a"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn german_formatting_and_rounding() {
        assert_eq!(d("1234567,891").format_de(2), "1.234.567,89");
        assert_eq!(d("-1000").format_de(0), "-1.000");
        assert_eq!(d("0,5").format_de(0), "1");
        assert_eq!(d("-0,5").format_de(0), "-1");
        // (B-A)/A*100 with half away from zero: 12,25 % → 12,3 %, -12,25 % → -12,3 %.
        assert_eq!(d("49").percent_of(d("400")).unwrap().exact(), "12.3");
        assert_eq!(d("-49").percent_of(d("400")).unwrap().exact(), "-12.3");
        assert_eq!(d("1").percent_of(d("3")).unwrap().exact(), "33.3");
        assert_eq!(d("2").percent_of(d("3")).unwrap().exact(), "66.7");
        assert!(d("1").percent_of(Dec::ZERO).is_none());
    }
}
