//! Key facts found by code, not by the model (DESIGN.md invariant 3): dates and deadlines,
//! amounts, Aktenzeichen, IBANs, phone numbers, e-mail addresses, parties and demands — each with
//! the positions of every block it occurs in.
//!
//! The same scanners serve the checker ([`super::checker`]), which looks for these kinds of
//! figures in the model's output and flags any no source contains.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::evidence::{fold, split_sentences};
use crate::documents::{Block, BlockKind, Position};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    Aktenzeichen,
    /// A deadline: a date after "bis zum", "Frist", "spätestens" …, or "innerhalb von zwei Wochen".
    Frist,
    Datum,
    Betrag,
    Beteiligter,
    Forderung,
    Iban,
    Telefon,
    Email,
}

impl FactKind {
    pub fn label_de(self) -> &'static str {
        match self {
            Self::Aktenzeichen => "Aktenzeichen",
            Self::Frist => "Frist",
            Self::Datum => "Datum",
            Self::Betrag => "Betrag",
            Self::Beteiligter => "Beteiligte",
            Self::Forderung => "Forderung",
            Self::Iban => "IBAN",
            Self::Telefon => "Telefon",
            Self::Email => "E-Mail",
        }
    }
}

/// One fact with every place it occurs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub kind: FactKind,
    /// As first written in the sources.
    pub value: String,
    /// Comparable form: ISO date, amount with two decimals, IBAN without spaces, digits of a phone.
    pub normalized: String,
    /// The sentence it stands in (shortened), so a reader sees what the date or amount is for.
    pub context: String,
    pub sources: Vec<Position>,
}

/// A match in a text: what, where (byte range) and its comparable form.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub kind: FactKind,
    pub value: String,
    pub normalized: String,
    pub start: usize,
    pub end: usize,
}

macro_rules! re {
    ($name:ident, $pattern:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| Regex::new($pattern).expect("valid regex"));
    };
}

pub(crate) const MONTHS: &str = "Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember";
re!(DATE_NUMERIC, r"\b(0?[1-9]|[12][0-9]|3[01])\.(0?[1-9]|1[0-2])\.((?:19|20)?[0-9]{2})\b");
re!(DATE_ISO, r"\b((?:19|20)[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\b");
static DATE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\b(0?[1-9]|[12][0-9]|3[01])\.\s?({MONTHS})\s+((?:19|20)[0-9]{{2}})\b")).expect("valid regex")
});
re!(
    AMOUNT,
    r"(?:(?:€|EUR)\s?([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,([0-9]{1,2}|-{1,2}))?)|(?:\b([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,([0-9]{1,2}|-{1,2}))?\s?(?:€|EUR\b|Euro\b))"
);
re!(IBAN, r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b");
re!(EMAIL, r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b");
re!(PHONE, r"(?:\+49\s?|\b0)[0-9]{1,5}(?:[ /\-]?\(?[0-9]+\)?)*");
re!(
    AKTENZEICHEN,
    r"(?:\b[Aa]ktenzeichen|\bAz\.?|\bGz\.?|\b[Gg]eschäftszeichen|\b[Uu]nser Zeichen|\b[Ii]hr Zeichen|\b[Kk]assenzeichen|\b[Vv]organgsnummer)\s*:?\s*([A-ZÄÖÜ0-9][A-Za-zÄÖÜäöü0-9./\-]*(?: [A-ZÄÖÜ0-9][A-Za-zÄÖÜäöü0-9./\-]*)?)"
);
re!(
    RELATIVE_DEADLINE,
    r"(?i)\b(?:innerhalb|binnen)\s+(?:von\s+)?(?:einer|eines|einem|zwei|drei|vier|fünf|sechs|acht|zehn|vierzehn|[0-9]{1,3})\s+(?:Werktag(?:en|e)?|Tag(?:en|e)?|Woche(?:n)?|Monat(?:s|en|e)?)\b"
);
re!(PERSON, r"\b(?:Herrn?|Frau)\s+(?:Dr\.\s+|Prof\.\s+)?([A-ZÄÖÜ][a-zäöüß]+(?:[\s\-][A-ZÄÖÜ][a-zäöüß]+){0,2})");
re!(
    ROLE,
    r"\b(?:Antragsteller(?:in)?|Bauherr(?:in)?|Widerspruchsführer(?:in)?|Kläger(?:in)?|Beigeladene[rn]?|Eigentümer(?:in)?|Grundstückseigentümer(?:in)?)\s*:\s*([A-ZÄÖÜ][^\n,;:()]{2,60})"
);
re!(
    ORGANISATION,
    r"\b((?:[A-ZÄÖÜ][\wäöüß&.\-]*\s+){0,3}[A-ZÄÖÜ][\wäöüß&.\-]*\s+(?:GmbH(?:\s&\sCo\.\sKG)?|AG|KG|mbH|GbR|OHG|UG|e\.\s?V\.))"
);
re!(
    AUTHORITY,
    r"\b((?:Stadt|Gemeinde|Landkreis|Kreis|Stadtverwaltung|Bezirksamt|Landratsamt)\s+[A-ZÄÖÜ][\wäöüß\-]+(?:\s(?:am|an\sder|im)\s[A-ZÄÖÜ][\wäöüß\-]+)?)"
);
re!(
    DEMAND,
    r"(?i)\b(?:beantrag(?:e|en|t)|forder(?:e|n|t)|verlang(?:e|en|t)|ersuch(?:e|en)|bitte(?:n)?\s+(?:ich|wir)?\s*(?:Sie\s+)?(?:um|darum)|leg(?:e|en)\s+(?:(?:ich|wir)\s+)?(?:hiermit\s+)?(?:fristgerecht\s+)?Widerspruch|erhebe(?:n)?\s+(?:ich|wir)?\s*(?:hiermit\s+)?(?:Widerspruch|Einspruch|Klage))"
);
re!(DEADLINE_CUE, r"(?i)(?:frist|bis\s+zum|bis\s+spätestens|spätestens|bis|einzureichen|vorzulegen|fällig|zahlbar|endet|ablauf)\W*(?:\w+\W+){0,4}$");

/// Every dated, numbered or named thing code can find in `text`, in order of position.
/// Overlaps are resolved in favour of the earlier, longer and more specific match.
pub fn scan(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let mut push = |kind, value: &str, normalized: String, start, end| {
        found.push(Found { kind, value: value.to_owned(), normalized, start, end })
    };
    for m in IBAN.find_iter(text) {
        let compact: String = m.as_str().chars().filter(|c| !c.is_whitespace()).collect();
        if iban_valid(&compact) {
            push(FactKind::Iban, m.as_str(), compact, m.start(), m.end());
        }
    }
    for m in EMAIL.find_iter(text) {
        push(FactKind::Email, m.as_str(), m.as_str().to_lowercase(), m.start(), m.end());
    }
    for c in AKTENZEICHEN.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        let value = m.as_str().trim_end_matches(['.', ',', '/', '-']);
        if value.chars().any(|c| c.is_ascii_digit()) {
            push(FactKind::Aktenzeichen, value, fold(value), m.start(), m.start() + value.len());
        }
    }
    for c in DATE_NUMERIC.captures_iter(text) {
        let m = c.get(0).expect("match");
        let year = c[3].parse::<u32>().unwrap_or(0);
        let year = if c[3].len() == 2 { 2000 + year } else { year };
        if let Some(iso) = iso_date(year, c[2].parse().unwrap_or(0), c[1].parse().unwrap_or(0)) {
            push(date_kind(text, m.start()), m.as_str(), iso, m.start(), m.end());
        }
    }
    for c in DATE_WORDS.captures_iter(text) {
        let m = c.get(0).expect("match");
        let month = month_number(&c[2]);
        if let Some(iso) = iso_date(c[3].parse().unwrap_or(0), month, c[1].parse().unwrap_or(0)) {
            push(date_kind(text, m.start()), m.as_str(), iso, m.start(), m.end());
        }
    }
    for c in DATE_ISO.captures_iter(text) {
        let m = c.get(0).expect("match");
        if let Some(iso) = iso_date(c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0), c[3].parse().unwrap_or(0)) {
            push(date_kind(text, m.start()), m.as_str(), iso, m.start(), m.end());
        }
    }
    for m in RELATIVE_DEADLINE.find_iter(text) {
        push(FactKind::Frist, m.as_str(), fold(m.as_str()), m.start(), m.end());
    }
    for c in AMOUNT.captures_iter(text) {
        let m = c.get(0).expect("match");
        let (int, frac) = match (c.get(1), c.get(3)) {
            (Some(i), _) => (i.as_str(), c.get(2).map(|f| f.as_str())),
            (None, Some(i)) => (i.as_str(), c.get(4).map(|f| f.as_str())),
            _ => continue,
        };
        push(FactKind::Betrag, m.as_str().trim(), normalize_amount(int, frac), m.start(), m.end());
    }
    for m in PHONE.find_iter(text) {
        let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
        let labelled = {
            let before = &text[..m.start()];
            let tail: String = before.chars().rev().take(16).collect::<String>().chars().rev().collect();
            let tail = fold(&tail);
            ["tel", "fax", "mobil", "rufnummer", "durchwahl"].iter().any(|l| tail.contains(l))
        };
        let separated = m.as_str().starts_with('+') || m.as_str().contains(['/', ' ', '-']);
        // The tail of a longer digit run (an account number, a broken IBAN) is no phone number.
        let after_digits = text[..m.start()].trim_end().ends_with(|c: char| c.is_ascii_digit());
        if (6..=15).contains(&digits.len()) && (labelled || separated) && !after_digits {
            let normalized = digits.strip_prefix("49").filter(|_| m.as_str().starts_with('+')).map(|d| format!("0{d}")).unwrap_or(digits);
            push(FactKind::Telefon, m.as_str().trim(), normalized, m.start(), m.end());
        }
    }
    for c in PERSON.captures_iter(text) {
        let m = c.get(0).expect("match");
        push(FactKind::Beteiligter, m.as_str(), fold(&c[1]), m.start(), m.end());
    }
    for c in ROLE.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        let value = m.as_str().trim();
        push(FactKind::Beteiligter, value, fold(value), m.start(), m.start() + value.len());
    }
    for re in [&*ORGANISATION, &*AUTHORITY] {
        for c in re.captures_iter(text) {
            let m = c.get(1).expect("group 1");
            push(FactKind::Beteiligter, m.as_str(), fold(m.as_str()), m.start(), m.end());
        }
    }
    resolve_overlaps(found)
}

/// Keeps the first of overlapping matches in priority order (the order `scan` pushed them:
/// IBAN and e-mail before dates, dates before amounts and phones), then sorts by position.
fn resolve_overlaps(found: Vec<Found>) -> Vec<Found> {
    let mut kept: Vec<Found> = Vec::with_capacity(found.len());
    for f in found {
        if !kept.iter().any(|k| f.start < k.end && k.start < f.end) {
            kept.push(f);
        }
    }
    kept.sort_by_key(|f| (f.start, f.end));
    kept
}

/// A date is a deadline when a cue ("bis zum", "Frist", "spätestens", …) stands just before it.
fn date_kind(text: &str, start: usize) -> FactKind {
    let from = text[..start].char_indices().rev().nth(60).map_or(0, |(i, _)| i);
    if DEADLINE_CUE.is_match(&text[from..start]) {
        FactKind::Frist
    } else {
        FactKind::Datum
    }
}

fn month_number(name: &str) -> u32 {
    match name {
        "Januar" | "Jänner" => 1,
        "Februar" => 2,
        "März" | "Maerz" => 3,
        "April" => 4,
        "Mai" => 5,
        "Juni" => 6,
        "Juli" => 7,
        "August" => 8,
        "September" => 9,
        "Oktober" => 10,
        "November" => 11,
        "Dezember" => 12,
        _ => 0,
    }
}

fn iso_date(year: u32, month: u32, day: u32) -> Option<String> {
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// "1.234" + "5" → "1234.50"; "-" or "--" as cents (German "12,-") → ".00".
pub fn normalize_amount(int: &str, frac: Option<&str>) -> String {
    let int: String = int.chars().filter(char::is_ascii_digit).collect();
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = match frac {
        Some(f) if f.chars().all(|c| c.is_ascii_digit()) => format!("{f:0<2}"),
        _ => "00".to_owned(),
    };
    format!("{int}.{frac}")
}

fn iban_valid(iban: &str) -> bool {
    if !(15..=34).contains(&iban.len()) {
        return false;
    }
    let rearranged = iban[4..].chars().chain(iban[..4].chars());
    let mut rest: u32 = 0;
    for c in rearranged {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        for d in if v >= 10 { vec![v / 10, v % 10] } else { vec![v] } {
            rest = (rest * 10 + d) % 97;
        }
    }
    rest == 1
}

/// Sentences that ask for something ("Ich beantrage …", "Wir bitten um …", "Hiermit lege ich
/// Widerspruch ein").
pub fn demands(text: &str) -> Vec<String> {
    split_sentences(text).into_iter().filter(|s| DEMAND.is_match(s)).collect()
}

/// The facts of a set of blocks, merged by kind and comparable value, with all their positions.
pub fn extract<'a>(blocks: impl IntoIterator<Item = &'a Block>) -> Vec<Fact> {
    let mut merged: BTreeMap<(FactKind, String), Fact> = BTreeMap::new();
    let mut order: Vec<(FactKind, String)> = Vec::new();
    let mut add = |kind: FactKind, value: &str, normalized: String, context: String, pos: &Position| {
        let key = (kind, normalized.clone());
        let fact = merged.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            Fact { kind, value: value.to_owned(), normalized, context, sources: Vec::new() }
        });
        if !fact.sources.contains(pos) {
            fact.sources.push(pos.clone());
        }
    };
    for block in blocks {
        for f in scan(&block.text) {
            add(f.kind, &f.value, f.normalized, context_of(&block.text, f.start, f.end), &block.position);
        }
        if block.kind == BlockKind::EmailHeader {
            if let Some(from) = block.text.strip_prefix("Von:").or_else(|| block.text.strip_prefix("From:")) {
                let name = from.split('<').next().unwrap_or("").trim().trim_matches('"');
                if !name.is_empty() && !name.contains('@') {
                    add(FactKind::Beteiligter, name, fold(name), block.text.clone(), &block.position);
                }
            }
        }
        for sentence in demands(&block.text) {
            let value = shorten(&sentence, 240);
            add(FactKind::Forderung, &value, fold(&value), value.clone(), &block.position);
        }
    }
    let mut facts: Vec<Fact> = order.into_iter().filter_map(|k| merged.remove(&k)).collect();
    // Kinds in a fixed order (Aktenzeichen first, …), first occurrence within a kind.
    facts.sort_by_key(|f| f.kind);
    facts
}

/// The sentence around `start..end`, at most 200 characters.
fn context_of(text: &str, start: usize, end: usize) -> String {
    let mut offset = 0;
    for sentence in split_sentences(text) {
        if let Some(i) = text[offset..].find(&sentence) {
            let s = offset + i;
            let e = s + sentence.len();
            offset = e;
            if s <= start && end <= e {
                return shorten(&sentence, 200);
            }
        }
    }
    shorten(text, 200)
}

fn shorten(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max_chars - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(FactKind, String)> {
        scan(text).into_iter().map(|f| (f.kind, f.normalized)).collect()
    }

    #[test]
    fn dates_deadlines_and_amounts() {
        let found = kinds("Ihr Antrag vom 3.2.2025 ist eingegangen. Bitte zahlen Sie 1.234,50 € bis zum 15. März 2025.");
        assert_eq!(
            found,
            vec![
                (FactKind::Datum, "2025-02-03".into()),
                (FactKind::Betrag, "1234.50".into()),
                (FactKind::Frist, "2025-03-15".into()),
            ]
        );
        assert_eq!(kinds("Gebühr: EUR 80,- und 12 Euro"), vec![(FactKind::Betrag, "80.00".into()), (FactKind::Betrag, "12.00".into())]);
        assert!(kinds("am 31.02.2025").is_empty(), "no such day");
        assert_eq!(kinds("Stand 2025-04-30"), vec![(FactKind::Datum, "2025-04-30".into())]);
        assert_eq!(kinds("innerhalb von zwei Wochen")[0].0, FactKind::Frist);
    }

    #[test]
    fn identifiers() {
        assert_eq!(kinds("Az.: BA-2025-0815, bitte angeben"), vec![(FactKind::Aktenzeichen, "ba-2025-0815".into())]);
        assert_eq!(kinds("Aktenzeichen 63/123/2025."), vec![(FactKind::Aktenzeichen, "63/123/2025".into())]);
        assert_eq!(kinds("IBAN DE89 3704 0044 0532 0130 00"), vec![(FactKind::Iban, "DE89370400440532013000".into())]);
        assert!(kinds("DE89 3704 0044 0532 0130 01").is_empty(), "checksum fails");
        assert_eq!(kinds("Tel. 0621 293-4567"), vec![(FactKind::Telefon, "06212934567".into())]);
        assert_eq!(kinds("Telefon: +49 621 2934567"), vec![(FactKind::Telefon, "06212934567".into())]);
        assert_eq!(kinds("Mail an info@stadt-musterstadt.de."), vec![(FactKind::Email, "info@stadt-musterstadt.de".into())]);
        assert!(kinds("Es waren 2025 Personen").is_empty(), "a bare number is no phone");
    }

    #[test]
    fn parties_and_demands() {
        let found = kinds("Sehr geehrte Frau Erika Musterfrau, die Bau GmbH und die Stadt Musterstadt");
        assert_eq!(
            found,
            vec![
                (FactKind::Beteiligter, "erika musterfrau".into()),
                (FactKind::Beteiligter, "bau gmbh".into()),
                (FactKind::Beteiligter, "stadt musterstadt".into()),
            ]
        );
        let d = demands("Ich lege hiermit Widerspruch ein. Das Wetter ist gut. Wir bitten um Fristverlängerung.");
        assert_eq!(d, vec!["Ich lege hiermit Widerspruch ein.", "Wir bitten um Fristverlängerung."]);
    }

    #[test]
    fn extract_merges_and_keeps_positions() {
        let pos = |page| Position {
            file: "akte.pdf".into(),
            file_sha256: "00".into(),
            page: Some(page),
            paragraph: page,
            attachment: None,
            sheet: None,
            row: None,
        };
        let block = |page, text: &str| Block { kind: BlockKind::Paragraph, text: text.into(), level: None, ocr_confidence: None, position: pos(page) };
        let blocks = [block(1, "Die Frist endet am 30.04.2025."), block(3, "Wir erinnern an die Frist bis 30.04.2025.")];
        let facts = extract(&blocks);
        assert_eq!(facts.len(), 1);
        assert_eq!(facts[0].kind, FactKind::Frist);
        assert_eq!(facts[0].sources.iter().map(|p| p.page).collect::<Vec<_>>(), vec![Some(1), Some(3)]);
        assert_eq!(facts[0].context, "Die Frist endet am 30.04.2025.");
    }
}
