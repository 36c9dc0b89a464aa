//! Facts of an incoming letter or e-mail, found by code for the reply's fields: the sender's
//! name and address, their date, references and subject. Each comes with the passage it was
//! read from. Nothing is guessed: what the letter does not say stays empty (the reply shows a
//! `[Platzhalter]`), and the salutation is neutral unless the letter says "Herr" or "Frau".

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::documents::{Document, Position};
use crate::tasks::facts::{scan, FactKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Herr,
    Frau,
}

/// One value read from the incoming letter and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    pub value: String,
    pub source: Position,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incoming {
    /// The sender as named ("Max Mustermann"), without "Herr"/"Frau".
    pub name: Option<Found>,
    pub gender: Option<Gender>,
    /// Street and town lines of the sender's address.
    pub address: Option<Found>,
    /// The letter's own date, `TT.MM.JJJJ`.
    pub date: Option<Found>,
    /// The sender's reference ("Mein Zeichen", "Kundennummer").
    pub their_reference: Option<Found>,
    /// The authority's file number the sender quotes ("Ihr Zeichen", "Aktenzeichen").
    pub our_reference: Option<Found>,
    /// What the letter is about (its subject line).
    pub subject: Option<Found>,
    pub email: Option<Found>,
}

static POSTCODE_LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:D-)?[0-9]{5}\s+\p{Lu}").expect("valid regex"));
static STREET_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(stra(ss|ß)e|str\.|weg|platz|allee|gasse|ring|damm|ufer|markt|postfach)\b.*[0-9]|^postfach").expect("valid regex"));
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[\p{L} .\-]+,\s*)?(?:(?:den|am)\s+)?([0-9]{1,2}\.\s?(?:[0-9]{1,2}\.|[\p{L}]+\s)\s?[0-9]{2,4})\s*$").expect("valid regex")
});
static SALUTATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(Sehr geehrte|Guten Tag|Hallo|Liebe[rs]?\b)").expect("valid regex"));
static OUR_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:Ihr(?:e)?\s+(?:Zeichen|Aktenzeichen|Az\.?)|Aktenzeichen|Az\.)\s*:?\s*([A-Za-z0-9][A-Za-z0-9./\-]*[0-9][A-Za-z0-9./\-]*)").expect("valid regex"));
static THEIR_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:Mein(?:e)?\s+Zeichen|Unser\s+Zeichen|Kundennummer|Kunden-Nr\.?|Vorgangsnummer)\s*:?\s*([A-Za-z0-9][A-Za-z0-9./\-]*[0-9][A-Za-z0-9./\-]*)").expect("valid regex")
});
static SUBJECT_PREFIX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^(betreff|betr\.|thema|subject)\s*:\s*").expect("valid regex"));
/// A reference tacked on to a subject line: "Antrag auf Wohngeld – Ihr Zeichen: WG-1".
static SUBJECT_TAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\s*[-–,;]?\s*(?:Ihr|Mein|Unser)(?:e)?\s+(?:Zeichen|Aktenzeichen)\b.*$|\s*[-–,;]?\s*(?:Aktenzeichen|Az\.)\s*:?.*$").expect("valid regex"));
/// Authorities are recipients of a citizen's letter, never its sender.
static AUTHORITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(stadt|gemeinde|landkreis|kreis|amt|behörde|verwaltung|bürgerbüro|ministerium|landratsamt|jobcenter|rathaus)\b").expect("valid regex")
});

/// A line of the document with its block's position.
struct Line<'a> {
    text: &'a str,
    pos: &'a Position,
}

fn found(value: impl Into<String>, pos: &Position) -> Option<Found> {
    Some(Found { value: value.into(), source: pos.clone() })
}

/// Reads what the reply needs from `doc`.
pub fn read(doc: &Document) -> Incoming {
    let lines: Vec<Line> = doc
        .blocks
        .iter()
        .flat_map(|b| b.text.lines().map(str::trim).filter(|l| !l.is_empty()).map(move |l| Line { text: l, pos: &b.position }))
        .collect();
    let mut out = Incoming::default();
    let salutation_at = lines.iter().position(|l| SALUTATION.is_match(l.text));
    // The letterhead part: everything before the salutation (or the first 20 lines).
    let head_end = salutation_at.unwrap_or(lines.len().min(20));
    let head = &lines[..head_end];

    // Address blocks end in a postcode line; the first that is not an authority is the sender's.
    for (i, l) in head.iter().enumerate() {
        if !POSTCODE_LINE.is_match(l.text) {
            continue;
        }
        let start = i.saturating_sub(3);
        let block: Vec<&Line> = head[start..=i].iter().filter(|b| !DATE_LINE.is_match(b.text) && !b.text.contains(':')).collect();
        let Some(name_idx) = block.iter().position(|b| !STREET_LINE.is_match(b.text) && !POSTCODE_LINE.is_match(b.text)) else { continue };
        // Lines after the name: street (if any) and postcode line.
        let name_line = block[name_idx].text;
        if AUTHORITY.is_match(name_line) {
            continue;
        }
        let rest: Vec<&str> = block[name_idx + 1..].iter().map(|b| b.text).filter(|t| STREET_LINE.is_match(t) || POSTCODE_LINE.is_match(t)).collect();
        if rest.is_empty() {
            continue;
        }
        let (gender, name) = split_title(name_line);
        out.gender = gender;
        out.name = found(name, block[name_idx].pos);
        out.address = found(rest.join("\n"), block[name_idx].pos);
        break;
    }

    for l in head {
        if out.date.is_none() {
            if let Some(c) = DATE_LINE.captures(l.text) {
                if let Some(f) = scan(&c[1]).into_iter().find(|f| matches!(f.kind, FactKind::Datum | FactKind::Frist)) {
                    out.date = found(iso_to_de(&f.normalized), l.pos);
                }
            }
        }
    }

    for l in &lines[..lines.len().min(head_end + 3)] {
        if out.our_reference.is_none() {
            if let Some(c) = OUR_REF.captures(l.text) {
                out.our_reference = found(c[1].trim_end_matches(['.', ',']), l.pos);
            }
        }
        if out.their_reference.is_none() {
            if let Some(c) = THEIR_REF.captures(l.text) {
                out.their_reference = found(c[1].trim_end_matches(['.', ',']), l.pos);
            }
        }
    }

    // Subject: a "Betreff:" line, else the line just above the salutation (DIN 5008's place).
    let subject_line = head.iter().find(|l| SUBJECT_PREFIX.is_match(l.text)).or_else(|| {
        // Above the salutation, past reference lines ("Mein Zeichen: …").
        let starts_with_ref = |t: &str| [&*OUR_REF, &*THEIR_REF].iter().any(|r| r.find(t).is_some_and(|m| m.start() == 0));
        let above = salutation_at.map_or(0, |s| s);
        lines[..above].iter().rev().find(|l| !starts_with_ref(l.text)).filter(|l| {
            !DATE_LINE.is_match(l.text) && !POSTCODE_LINE.is_match(l.text) && !STREET_LINE.is_match(l.text) && l.text.chars().count() <= 150
        })
    });
    if let Some(l) = subject_line {
        let s = SUBJECT_PREFIX.replace(l.text, "");
        let s = SUBJECT_TAIL.replace(&s, "").trim().trim_end_matches(['.', ':']).to_owned();
        if !s.is_empty() {
            out.subject = found(s, l.pos);
        }
    }

    // E-mail: the sender's address, the first one in the letter (the head comes first).
    if let Some((l, f)) = lines.iter().find_map(|l| scan(l.text).into_iter().find(|f| f.kind == FactKind::Email).map(|f| (l, f))) {
        out.email = found(f.value, l.pos);
    }
    // E-mails: the sender named in the header when no postal address was found.
    if out.name.is_none() {
        if let Some(author) = doc.metadata.author.as_deref() {
            let name = author.split('<').next().unwrap_or("").trim().trim_matches('"').trim();
            if !name.is_empty() && !name.contains('@') {
                let (gender, name) = split_title(name);
                out.gender = gender;
                if let Some(first) = doc.blocks.first() {
                    out.name = found(name, &first.position);
                }
            }
        }
    }
    // The signature names the sender with a title where the letterhead did not ("Herr Max Muster").
    if out.gender.is_none() {
        if let Some(name) = &out.name {
            let last = name.value.split_whitespace().last().unwrap_or_default();
            for l in &lines {
                for (word, g) in [("Herr ", Gender::Herr), ("Frau ", Gender::Frau)] {
                    if l.text.starts_with(word) && l.text.ends_with(last) && !last.is_empty() && !SALUTATION.is_match(l.text) {
                        out.gender = Some(g);
                    }
                }
            }
        }
    }
    out
}

/// "Frau Dr. Erika Muster" → (Frau, "Dr. Erika Muster"); "Herrn …" (the address form) as "Herr".
pub(crate) fn split_title(line: &str) -> (Option<Gender>, String) {
    let line = line.trim();
    for (word, g) in [("Herrn ", Gender::Herr), ("Herr ", Gender::Herr), ("Frau ", Gender::Frau)] {
        if let Some(rest) = line.strip_prefix(word) {
            return (Some(g), rest.trim().to_owned());
        }
    }
    (None, line.to_owned())
}

fn iso_to_de(iso: &str) -> String {
    let mut p = iso.split('-');
    match (p.next(), p.next(), p.next()) {
        (Some(y), Some(m), Some(d)) => format!("{d}.{m}.{y}"),
        _ => iso.to_owned(),
    }
}

/// The salutation: with "Herr"/"Frau" when the letter says so, else neutral with the full name,
/// else "Sehr geehrte Damen und Herren,". Always ends with a comma (DIN 5008).
pub fn salutation(name: Option<&str>, gender: Option<Gender>) -> String {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    match (name, gender) {
        (Some(n), Some(g)) => {
            // "Dr. Erika Muster" → "Frau Dr. Muster": title and surname.
            let words: Vec<&str> = n.split_whitespace().collect();
            let titles: Vec<&str> = words.iter().copied().filter(|w| w.ends_with('.')).collect();
            let surname = words.last().copied().unwrap_or(n);
            let title = if titles.is_empty() { String::new() } else { format!("{} ", titles.join(" ")) };
            match g {
                Gender::Herr => format!("Sehr geehrter Herr {title}{surname},"),
                Gender::Frau => format!("Sehr geehrte Frau {title}{surname},"),
            }
        }
        (Some(n), None) => format!("Guten Tag {n},"),
        (None, _) => "Sehr geehrte Damen und Herren,".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::{extract_bytes, ExtractOptions};

    const LETTER: &str = "Max Mustermann\nLindenstraße 12\n12345 Musterstadt\n\nStadt Musterstadt\nBürgeramt – Wohngeldstelle\nMarktplatz 1\n12345 Musterstadt\n\nMusterstadt, 18.11.2026\n\nAntrag auf Wohngeld – Ihr Zeichen: WG-2026-0815\nMein Zeichen: MM-17\n\nSehr geehrte Damen und Herren,\n\nhiermit beantrage ich Wohngeld. Meine E-Mail: max.mustermann@example.org\n\nMit freundlichen Grüßen\nMax Mustermann\n";

    #[test]
    fn a_citizens_letter_gives_sender_date_references_and_subject() {
        let doc = extract_bytes("antrag.txt", LETTER.as_bytes(), &ExtractOptions::default()).unwrap();
        let i = read(&doc);
        assert_eq!(i.name.as_ref().unwrap().value, "Max Mustermann");
        assert_eq!(i.address.as_ref().unwrap().value, "Lindenstraße 12\n12345 Musterstadt");
        assert_eq!(i.date.as_ref().unwrap().value, "18.11.2026");
        assert_eq!(i.our_reference.as_ref().unwrap().value, "WG-2026-0815");
        assert_eq!(i.their_reference.as_ref().unwrap().value, "MM-17");
        assert_eq!(i.subject.as_ref().unwrap().value, "Antrag auf Wohngeld");
        assert_eq!(i.email.as_ref().unwrap().value, "max.mustermann@example.org");
        assert_eq!(i.gender, None);
        assert_eq!(salutation(Some("Max Mustermann"), i.gender), "Guten Tag Max Mustermann,");
    }

    #[test]
    fn titles_give_the_formal_salutation() {
        let text = LETTER.replace("Max Mustermann\nLindenstraße", "Frau Dr. Erika Muster\nLindenstraße");
        let doc = extract_bytes("antrag.txt", text.as_bytes(), &ExtractOptions::default()).unwrap();
        let i = read(&doc);
        assert_eq!(i.gender, Some(Gender::Frau));
        assert_eq!(i.name.as_ref().unwrap().value, "Dr. Erika Muster");
        assert_eq!(salutation(Some("Dr. Erika Muster"), i.gender), "Sehr geehrte Frau Dr. Muster,");
        assert_eq!(salutation(None, None), "Sehr geehrte Damen und Herren,");
    }

    #[test]
    fn a_note_without_address_leaves_fields_empty() {
        let doc = extract_bytes("notiz.txt", "Bitte um Rückruf wegen der Hundesteuer.".as_bytes(), &ExtractOptions::default()).unwrap();
        let i = read(&doc);
        assert_eq!(i, Incoming::default());
    }
}

#[cfg(test)]
mod email_tests {
    use super::*;
    use crate::documents::{extract_bytes, ExtractOptions};

    /// An e-mail has no postal address: the sender comes from its From header.
    #[test]
    fn an_email_gives_the_sender_from_its_header() {
        let eml = "From: Erika Muster <erika.muster@example.org>\r\nTo: buergeramt@musterstadt.example\r\nSubject: Anfrage Anwohnerparkausweis\r\n\
Date: Tue, 17 Nov 2026 09:12:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSehr geehrte Damen und Herren,\r\n\r\nwie lange dauert die Bearbeitung meines Antrags?\r\n\r\nViele Grüße\r\nErika Muster\r\n";
        let doc = extract_bytes("anfrage.eml", eml.as_bytes(), &ExtractOptions::default()).unwrap();
        let i = read(&doc);
        assert_eq!(i.name.as_ref().map(|f| f.value.as_str()), Some("Erika Muster"), "{:?} / {:?}", doc.metadata, doc.text());
        assert_eq!(i.email.as_ref().map(|f| f.value.as_str()), Some("erika.muster@example.org"));
        assert_eq!(i.gender, None);
        assert_eq!(i.address, None);
    }
}
