//! Letters: the domain of "Brief entwerfen" without the model. Templates (Textbausteine, TOML),
//! the incoming letter's facts, deadlines computed by code, and the [`Letter`] — a reply laid
//! out by DIN 5008's parts (return line, address, information block, subject, salutation, body,
//! closing, signature, enclosures). `tasks::draft` fills it; `export::letter` prints it.

pub mod deadline;
pub mod incoming;
pub mod template;

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::policy::SenderProfile;

/// DIN 5008:2020's two layouts: Form B (default, 45 mm letterhead) and Form A (27 mm).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LetterForm {
    A,
    #[default]
    B,
}

/// How the model writes its parts; fixed passages keep their wording whatever the tone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tone {
    #[default]
    Foermlich,
    Buergernah,
    LeichteSprache,
}

impl Tone {
    pub fn how_de(self) -> &'static str {
        match self {
            Self::Foermlich => "sachlich und förmlich, wie ein Schreiben einer Behörde, in der Sie-Form",
            Self::Buergernah => "freundlich und bürgernah in einfacher Sprache: kurze Sätze, keine Amtssprache, die Person direkt mit „Sie“ angesprochen",
            Self::LeichteSprache => "in Leichter Sprache: sehr kurze Sätze, eine Aussage pro Satz, kein Passiv, keine Fremdwörter",
        }
    }
}

/// Where a paragraph's words come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The template's text, placeholders filled by code.
    Fixed,
    /// Written by the language model.
    Model,
    /// Changed by the clerk.
    Edited,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    /// The template part's id.
    pub id: String,
    pub label: String,
    pub origin: Origin,
    /// A fixed legal passage: exported verbatim, never edited.
    pub legal: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoLine {
    pub label: String,
    pub value: String,
}

/// A reply as DIN 5008 lays it out; every renderer (DOCX, ODT, PDF, text) prints exactly this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Letter {
    pub form: LetterForm,
    pub sender: SenderProfile,
    /// The small line above the address: "Stadt Musterstadt · Marktplatz 1 · 12345 Musterstadt".
    pub return_line: String,
    /// Name and address lines of the recipient.
    pub recipient: Vec<String>,
    /// The information block: Ihr Zeichen, Ihre Nachricht vom, Unser Zeichen, Name, Telefon,
    /// E-Mail, Datum (only the lines with a value; Datum always).
    pub info: Vec<InfoLine>,
    /// `TT.MM.JJJJ`.
    pub date: String,
    /// Without the word "Betreff" (DIN 5008:2020).
    pub subject: String,
    /// Ends with a comma.
    pub salutation: String,
    pub paragraphs: Vec<Paragraph>,
    pub closing: String,
    /// "Im Auftrag", name, role.
    pub signature: Vec<String>,
    pub enclosures: Vec<String>,
}

fn join_paragraphs<'a>(paragraphs: impl Iterator<Item = &'a Paragraph>) -> String {
    paragraphs.map(|p| p.text.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n\n")
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[[^\[\]\n]{1,80}\]").expect("valid regex"));

impl Letter {
    /// The return line from the sender's authority and address.
    pub fn return_line_of(sender: &SenderProfile) -> String {
        let mut parts: Vec<String> = sender.authority.iter().cloned().collect();
        parts.extend(sender.address.iter().flat_map(|a| a.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned)));
        parts.join(" · ")
    }

    /// The body paragraphs as one text (blank lines between paragraphs).
    pub fn body_text(&self) -> String {
        join_paragraphs(self.paragraphs.iter())
    }

    /// The paragraphs the model wrote or the clerk edited: what "Wie ist das entstanden?" traces
    /// (address, salutation and the template's fixed passages come from the fields and the template).
    pub fn written_text(&self) -> String {
        join_paragraphs(self.paragraphs.iter().filter(|p| p.origin != Origin::Fixed))
    }

    /// The whole letter as plain text: for the clipboard and `--format txt`.
    pub fn plain_text(&self) -> String {
        let mut out = Vec::new();
        if !self.return_line.is_empty() {
            out.push(self.return_line.clone());
            out.push(String::new());
        }
        out.extend(self.recipient.iter().cloned());
        out.push(String::new());
        for i in &self.info {
            out.push(format!("{}: {}", i.label, i.value));
        }
        out.push(String::new());
        out.push(self.subject.clone());
        out.push(String::new());
        out.push(self.salutation.clone());
        out.push(String::new());
        out.push(self.body_text());
        out.push(String::new());
        out.push(self.closing.clone());
        out.extend(self.signature.iter().cloned());
        if !self.enclosures.is_empty() {
            out.push(String::new());
            out.push(if self.enclosures.len() == 1 { "Anlage".to_owned() } else { "Anlagen".to_owned() });
            out.extend(self.enclosures.iter().cloned());
        }
        out.join("\n")
    }

    /// `[Platzhalter]` still in the letter: unknown facts the clerk must fill in.
    pub fn placeholders(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for m in PLACEHOLDER.find_iter(&self.plain_text()) {
            let s = m.as_str().to_owned();
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }
}
