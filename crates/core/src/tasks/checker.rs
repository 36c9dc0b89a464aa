//! The checker: every number, date, amount, Aktenzeichen, IBAN, phone number, e-mail address and
//! proper name in a generated text is looked up in the sources; what no source contains is
//! flagged ("nicht in den Quellen gefunden"). Pure code, so it works with any model.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::evidence::{fold, split_sentences};
use super::facts::{scan, FactKind};

/// A claim in the output that no source supports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsupported {
    /// The text as the output has it.
    pub text: String,
    /// `datum`, `frist`, `betrag`, `aktenzeichen`, `iban`, `telefon`, `email`, `name`, `zahl`.
    pub kind: String,
    /// Index of the output sentence it stands in (see [`split_sentences`]).
    pub sentence: usize,
}

/// What the sources contain, prepared for look-ups.
pub struct Sources {
    normalized: HashSet<(FactKind, String)>,
    numbers: HashSet<String>,
    folded_text: String,
}

pub(crate) static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?\b|\b[0-9]+(?:[.,][0-9]+)?\b").expect("valid regex"));
/// Two or three capitalised words in a row: "Peter Schmidt", "Bau Meier GmbH".
static NAME_SEQUENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-ZÄÖÜ][a-zäöüß]+(?:[ \-][A-ZÄÖÜ][a-zäöüß]+){1,2}\b").expect("valid regex"));
/// A token mixing digits with letters or separators, like an Aktenzeichen without its label.
static CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:[A-Za-zÄÖÜ]+[-/.]?[0-9][A-Za-z0-9./\-]*|[0-9]+[-/][0-9A-Za-z][A-Za-z0-9./\-]*)").expect("valid regex"));

impl Sources {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut normalized = HashSet::new();
        let mut numbers = HashSet::new();
        let mut folded_text = String::new();
        for t in texts {
            for f in scan(t) {
                // A date stated as deadline in one place may be named plainly in the output.
                let kind = if f.kind == FactKind::Frist && !f.normalized.chars().any(char::is_alphabetic) { FactKind::Datum } else { f.kind };
                normalized.insert((kind, f.normalized));
            }
            for m in NUMBER.find_iter(t) {
                numbers.insert(number_key(m.as_str()));
            }
            folded_text.push_str(&fold(&collapse_spaces(t)));
            folded_text.push('\n');
        }
        Self { normalized, numbers, folded_text }
    }

    pub(crate) fn contains_fact(&self, kind: FactKind, normalized: &str) -> bool {
        let kind = if kind == FactKind::Frist && !normalized.chars().any(char::is_alphabetic) { FactKind::Datum } else { kind };
        match kind {
            // "250 Euro" in the output and "250,00 €" in the source are the same amount; a bare
            // "250" in a source table counts as well.
            FactKind::Betrag => {
                self.normalized.contains(&(kind, normalized.to_owned()))
                    || self.numbers.contains(&number_key(&normalized.replace('.', ",")))
            }
            FactKind::Beteiligter | FactKind::Forderung | FactKind::Aktenzeichen => self.folded_text.contains(normalized),
            FactKind::Frist if normalized.chars().any(char::is_alphabetic) => self.folded_text.contains(normalized),
            _ => self.normalized.contains(&(kind, normalized.to_owned())),
        }
    }

    fn contains_text(&self, text: &str) -> bool {
        self.folded_text.contains(&fold(&collapse_spaces(text)))
    }
}

/// The claims in `output` that `sources` do not contain, in order of appearance.
pub fn check(output: &str, sources: &Sources) -> Vec<Unsupported> {
    let mut flagged = Vec::new();
    for (i, sentence) in split_sentences(output).iter().enumerate() {
        let found = scan(sentence);
        let covered = |s: usize, e: usize| found.iter().any(|f| s < f.end && f.start < e);
        let mut flag = |text: &str, kind: &str| {
            let u = Unsupported { text: text.to_owned(), kind: kind.to_owned(), sentence: i };
            if !flagged.contains(&u) {
                flagged.push(u);
            }
        };
        for f in &found {
            if !sources.contains_fact(f.kind, &f.normalized) {
                flag(&f.value, kind_name(f.kind));
            }
        }
        let codes: Vec<regex::Match> = CODE.find_iter(sentence).collect();
        for m in &codes {
            let code = m.as_str().trim_end_matches(['.', '/', '-']);
            if !covered(m.start(), m.end()) && !sources.contains_text(code) {
                flag(code, "aktenzeichen");
            }
        }
        for m in NUMBER.find_iter(sentence) {
            if covered(m.start(), m.end()) || codes.iter().any(|c| m.start() < c.end() && c.start() < m.end()) {
                continue;
            }
            if !sources.numbers.contains(&number_key(m.as_str())) {
                flag(m.as_str(), "zahl");
            }
        }
        let first_word_end = sentence.find(char::is_whitespace).unwrap_or(sentence.len());
        for m in NAME_SEQUENCE.find_iter(sentence) {
            if covered(m.start(), m.end()) {
                continue;
            }
            // A sentence's first word is capitalised anyway; judge the rest of the sequence.
            let text = if m.start() == 0 && m.end() > first_word_end {
                sentence[first_word_end..m.end()].trim_start()
            } else {
                m.as_str()
            };
            if text.contains([' ', '-']) && !sources.contains_text(text) {
                flag(text, "name");
            }
        }
    }
    flagged
}

fn kind_name(kind: FactKind) -> &'static str {
    match kind {
        FactKind::Aktenzeichen => "aktenzeichen",
        FactKind::Frist => "frist",
        FactKind::Datum => "datum",
        FactKind::Betrag => "betrag",
        FactKind::Beteiligter => "name",
        FactKind::Forderung => "forderung",
        FactKind::Iban => "iban",
        FactKind::Telefon => "telefon",
        FactKind::Email => "email",
    }
}

/// "1.234,50" and "1234,5" meet as "1234,5"; "007" as "7".
pub(crate) fn number_key(s: &str) -> String {
    let grouped = s.contains('.') && s.split('.').skip(1).all(|g| g.len() == 3 || g.contains(','));
    let s = if grouped { s.replace('.', "") } else { s.replace('.', ",") };
    let (int, frac) = s.split_once(',').unwrap_or((&s, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    match (int.is_empty(), frac.is_empty()) {
        (true, true) => "0".into(),
        (_, true) => int.into(),
        (true, false) => format!("0,{frac}"),
        (false, false) => format!("{int},{frac}"),
    }
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "Stadt Musterstadt, Bauaufsicht. Aktenzeichen BA-2025-0815. Frau Erika Musterfrau beantragt am \
        03.02.2025 eine Baugenehmigung. Die Gebühr beträgt 1.250,00 € und ist bis zum 15.03.2025 zu zahlen. \
        Rückfragen unter Tel. 0621 293-4567. Das Grundstück hat 3 Stellplätze.";

    fn flags(output: &str) -> Vec<(String, String)> {
        check(output, &Sources::new([SOURCE])).into_iter().map(|u| (u.kind, u.text)).collect()
    }

    #[test]
    fn supported_claims_pass() {
        let out = "Frau Erika Musterfrau hat am 3. Februar 2025 eine Baugenehmigung beantragt (Az. BA-2025-0815). \
                   Sie muss 1250 Euro bis zum 15.03.2025 zahlen. Es gibt 3 Stellplätze in der Stadt Musterstadt.";
        assert_eq!(flags(out), Vec::<(String, String)>::new());
    }

    #[test]
    fn invented_date_amount_code_number_and_name_are_flagged() {
        let out = "Die Frist endet am 20.03.2025. Die Gebühr beträgt 980 €. Das Verfahren BA-2024-0001 läuft. \
                   Es gibt 7 Stellplätze. Herr Peter Schmidt widerspricht.";
        assert_eq!(
            flags(out),
            vec![
                ("frist".into(), "20.03.2025".into()),
                ("betrag".into(), "980 €".into()),
                ("aktenzeichen".into(), "BA-2024-0001".into()),
                ("zahl".into(), "7".into()),
                ("name".into(), "Herr Peter Schmidt".into()),
            ]
        );
    }

    #[test]
    fn number_keys() {
        assert_eq!(number_key("1.250,00"), "1250");
        assert_eq!(number_key("1250"), "1250");
        assert_eq!(number_key("12,50"), "12,5");
        assert_eq!(number_key("3.5"), "3,5");
        assert_eq!(number_key("007"), "7");
    }
}
