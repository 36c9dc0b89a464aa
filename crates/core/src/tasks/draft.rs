//! "Brief entwerfen": a reply to an incoming letter from a template (Textbaustein).
//!
//! 1. **Prefill** ([`prefill`]): the template's fields from the clerk's input, the incoming
//!    letter ([`letters::incoming`]), the template's defaults; deadlines computed by code
//!    ([`letters::deadline`], § 31 VwVfG). Missing required fields stop the draft with a German
//!    message naming them; missing optional ones stay visible as `[Platzhalter]`.
//! 2. **Write** ([`draft`]): fixed passages come verbatim from the template (placeholders filled
//!    by code); the model writes only the template's `model` parts, one prompt each, in the
//!    chosen tone, told the facts it may use and to invent nothing.
//! 3. **Check** ([`check`]): every name, date, amount and Aktenzeichen of the letter is looked up
//!    in the inputs (incoming letter, fields, profile, instructions, computed deadlines);
//!    anything else is flagged before export. Run again after the clerk edits.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::checker::{self, Sources};
use super::summarize::{run, ModelRef, Timings, AI_MARK_DE};
use crate::documents::{Document, Position};
use crate::error::{CoreError, Result};
use crate::letters::deadline::{self, ComputedDeadline};
use crate::letters::incoming;
use crate::letters::template::{self, FieldKind, PartKind, Template};
use crate::letters::{InfoLine, Letter, LetterForm, Origin, Paragraph, Tone};
use crate::llm::{CancelToken, Engine, Prompt, SamplingParams};
use crate::models::ModelKind;
use crate::policy::SenderProfile;
use crate::store::NewResult;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftOptions {
    /// The template's id (`nachforderung`).
    pub template: String,
    /// Values the clerk entered, by field key; they win over what the incoming letter says.
    pub fields: BTreeMap<String, String>,
    /// What the reply should say ("Es fehlen die Gehaltsnachweise 2025").
    pub instructions: Option<String>,
    pub tone: Tone,
    pub form: LetterForm,
    /// The letter's date (`TT.MM.JJJJ`); deadlines count from it. Default: today.
    pub letter_date: Option<String>,
    pub temperature: f32,
    pub seed: Option<u32>,
}

impl Default for DraftOptions {
    fn default() -> Self {
        Self {
            template: "freie-antwort".into(),
            fields: BTreeMap::new(),
            instructions: None,
            tone: Tone::Foermlich,
            form: LetterForm::B,
            letter_date: None,
            temperature: 0.3,
            seed: Some(42),
        }
    }
}

/// Where a field's value came from (shown beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldOrigin {
    /// Entered by the clerk.
    Eingabe,
    /// Read from the incoming letter (see `source`).
    Eingang,
    /// The template's default.
    Vorlage,
    /// Computed (salutation).
    Berechnet,
    /// Unknown: the letter shows `[Label]`.
    Leer,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FieldValue {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    pub hint: Option<String>,
    pub value: Option<String>,
    pub origin: FieldOrigin,
    /// The incoming letter's passage it was read from.
    pub source: Option<Position>,
    /// For deadline fields: the computed date and how.
    pub deadline: Option<ComputedDeadline>,
}

/// The fields of a template as prefilled for one incoming letter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Prefill {
    pub template_id: String,
    pub template_name: String,
    pub fields: Vec<FieldValue>,
    /// Labels of required fields without a value.
    pub missing_required: Vec<String>,
    /// `TT.MM.JJJJ`.
    pub letter_date: String,
}

impl Prefill {
    /// A field's value as the letter shows it; `datum` (computed) is the letter's date.
    fn value(&self, key: &str) -> Option<String> {
        if key == "datum" {
            return Some(self.letter_date.clone());
        }
        let f = self.fields.iter().find(|f| f.key == key)?;
        match (&f.deadline, &f.value) {
            (Some(d), _) => Some(d.date.clone()),
            (None, Some(v)) if f.kind == FieldKind::Multiline && key != "empfaenger_anschrift" => {
                // Lists (missing documents) as dashes, one per line (DIN 5008 lists).
                Some(list_items(v).iter().map(|l| format!("– {l}")).collect::<Vec<_>>().join("\n"))
            }
            (None, v) => v.clone(),
        }
    }

    fn label(&self, key: &str) -> String {
        if key == "datum" {
            return "Datum".into();
        }
        self.fields.iter().find(|f| f.key == key).map_or_else(|| key.to_owned(), |f| f.label.clone())
    }

    /// Is the flag field `key` set ("ja", "x", "true" …, anything but empty or "nein")?
    fn flag(&self, key: &str) -> bool {
        self.value(key).is_some_and(|v| !matches!(v.trim().to_lowercase().as_str(), "" | "nein" | "no" | "false" | "0"))
    }
}

/// A list field's entries, one per line, without the bullets the clerk may have typed; empty
/// lines (and lone bullets) are no entries.
fn list_items(v: &str) -> Vec<String> {
    v.lines().map(|l| l.trim().trim_start_matches(['-', '–', '•', '*']).trim().to_owned()).filter(|l| !l.is_empty()).collect()
}

fn nonempty(s: Option<&String>) -> Option<String> {
    s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The template's fields for `docs` (the incoming letter: the first document) and `opts`.
pub fn prefill(template: &Template, docs: &[Document], opts: &DraftOptions, profile: &SenderProfile) -> Result<Prefill> {
    let letter_date = match opts.letter_date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => deadline::parse_date(d).ok_or_else(|| CoreError::InvalidParameter(format!("Briefdatum „{d}“ (bitte TT.MM.JJJJ)")))?,
        None => deadline::today(),
    };
    let found = docs.first().map(incoming::read).unwrap_or_default();
    let from_letter = |key: &str| -> Option<&incoming::Found> {
        match key {
            "empfaenger_name" => found.name.as_ref(),
            "empfaenger_anschrift" => found.address.as_ref(),
            "gegenstand" => found.subject.as_ref(),
            "ihr_zeichen" => found.their_reference.as_ref(),
            "ihre_nachricht_vom" => found.date.as_ref(),
            "unser_zeichen" => found.our_reference.as_ref(),
            _ => None,
        }
    };
    let mut fields = Vec::new();
    for spec in template.all_fields() {
        let (mut value, mut origin, mut source) = (None, FieldOrigin::Leer, None);
        if let Some(v) = nonempty(opts.fields.get(&spec.key)) {
            (value, origin) = (Some(v), FieldOrigin::Eingabe);
        } else if let Some(f) = from_letter(&spec.key) {
            (value, origin, source) = (Some(f.value.clone()), FieldOrigin::Eingang, Some(f.source.clone()));
        } else if let Some(d) = nonempty(spec.default.as_ref()) {
            (value, origin) = (Some(d), FieldOrigin::Vorlage);
        }
        if spec.key == "anrede" && value.is_none() {
            let name = fields.iter().find(|f: &&FieldValue| f.key == "empfaenger_name").and_then(|f| f.value.clone());
            // The clerk's "Herr …"/"Frau …" in the name field counts like the letter's.
            let (gender, name) = match name.as_deref().map(incoming::split_title) {
                Some((Some(g), rest)) => (Some(g), Some(rest)),
                _ => (found.gender, name),
            };
            (value, origin) = (Some(incoming::salutation(name.as_deref(), gender)), FieldOrigin::Berechnet);
        }
        let deadline = match (spec.kind, &value) {
            (FieldKind::Deadline, Some(v)) => Some(deadline::compute(v, letter_date, profile.land.as_deref()).map_err(|e| match e {
                CoreError::InvalidParameter(why) => CoreError::InvalidParameter(format!("{}: {why}", spec.label)),
                other => other,
            })?),
            _ => None,
        };
        if spec.kind == FieldKind::Date {
            if let Some(v) = &value {
                if deadline::parse_date(v).is_none() {
                    return Err(CoreError::InvalidParameter(format!("{}: „{v}“ ist kein Datum (TT.MM.JJJJ)", spec.label)));
                }
            }
        }
        fields.push(FieldValue { key: spec.key, label: spec.label, kind: spec.kind, required: spec.required, hint: spec.hint, value, origin, source, deadline });
    }
    let missing_required = fields.iter().filter(|f| f.required && f.value.is_none()).map(|f| f.label.clone()).collect();
    Ok(Prefill { template_id: template.id.clone(), template_name: template.name.clone(), fields, missing_required, letter_date: deadline::format_de(letter_date) })
}

/// What a draft reports while it runs.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DraftEvent {
    /// `vorbereiten`, `schreiben`, `pruefen`.
    Stage { stage: &'static str },
    /// The model starts writing the paragraph `id`.
    Paragraph { id: String },
    /// Streamed text of the paragraph `id`.
    Token { id: String, text: String },
}

/// A claim of the letter no input contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// The paragraph's id (`betreff` for the subject).
    pub paragraph: String,
    pub text: String,
    /// `datum`, `betrag`, `aktenzeichen`, `name`, `zahl` …
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DraftResult {
    /// "KI-Entwurf – bitte prüfen": printed on every export until the clerk confirms review.
    pub mark: String,
    pub template_id: String,
    pub template_name: String,
    pub letter: Letter,
    pub fields: Vec<FieldValue>,
    /// Names, dates, amounts and codes of the letter that no input contains.
    pub unsupported: Vec<Flag>,
    /// `[Platzhalter]` left in the letter.
    pub placeholders: Vec<String>,
    /// The inputs the check compares against (incoming letter, fields, profile, instructions):
    /// kept so an edited letter can be checked again.
    pub check_sources: Vec<String>,
    pub model: ModelRef,
    pub options: DraftOptions,
    pub timings: Timings,
    pub cancelled: bool,
    pub warnings: Vec<String>,
}

impl DraftResult {
    /// The history entry of this draft (task `draft`).
    pub fn to_history(&self, docs: &[Document]) -> NewResult {
        let mut parameters = serde_json::to_value(&self.options).unwrap_or_default();
        // The clerk's field values are personal data: they stay in the encrypted body, not the provenance.
        if let Some(o) = parameters.as_object_mut() {
            o.remove("fields");
            o.remove("instructions");
        }
        let data = serde_json::to_value(self).unwrap_or_default();
        let prefix = format!("Brief ({})", self.template_name);
        super::history_entry("draft", &prefix, docs, &self.letter.plain_text(), data, &self.model, parameters)
    }

    /// Re-runs the check and the placeholder scan after the clerk changed the letter.
    pub fn recheck(&mut self) {
        self.unsupported = check(&self.letter, &self.check_sources);
        self.placeholders = self.letter.placeholders();
    }
}

/// The consistency check: each paragraph (and the subject) against `sources`.
pub fn check(letter: &Letter, sources: &[String]) -> Vec<Flag> {
    let sources = Sources::new(sources.iter().map(String::as_str));
    let mut flags = Vec::new();
    let parts = std::iter::once(("betreff", letter.subject.as_str())).chain(letter.paragraphs.iter().map(|p| (p.id.as_str(), p.text.as_str())));
    for (id, text) in parts {
        for u in checker::check(text, &sources) {
            flags.push(Flag { paragraph: id.to_owned(), text: u.text, kind: u.kind });
        }
    }
    flags
}

const SYSTEM_DE: &str = "Du schreibst Antwortschreiben einer deutschen Kommunalverwaltung. Du schreibst nur den verlangten Absatz, \
ohne Anrede, ohne Grußformel und ohne Betreff. Du erfindest keine Namen, Daten, Beträge, Fristen oder Aktenzeichen: \
du nennst nur, was in den Angaben steht.";

/// The incoming letter's body (after its salutation), as much as fits `max_tokens`.
fn excerpt(engine: &Engine, docs: &[Document], max_tokens: usize) -> String {
    let Some(doc) = docs.first() else { return String::new() };
    let text = doc.text();
    let start = text.find("Sehr geehrte").or_else(|| text.find("Guten Tag")).unwrap_or(0);
    let mut out = String::new();
    let mut used = 0;
    for line in text[start..].lines() {
        let n = engine.count_tokens(line) + 1;
        if used + n > max_tokens {
            break;
        }
        used += n;
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_owned()
}

struct Writer<'a> {
    template: &'a Template,
    pre: &'a Prefill,
    opts: &'a DraftOptions,
    profile: &'a SenderProfile,
    excerpt: String,
}

impl Writer<'_> {
    /// A base (completion) model follows no instruction: it gets the letter so far and goes on
    /// writing it — subject, salutation and the paragraphs before this one, the notes as its
    /// heading. An instruct model gets the part's instruction through its chat template.
    fn prompt(&self, part: &template::PartSpec, base: bool, before: &[Paragraph]) -> Prompt {
        if base {
            let authority = self.profile.authority.as_deref().unwrap_or("Stadtverwaltung");
            let subject = template::fill(&self.template.subject, |k| self.pre.value(k), |_| String::new());
            let notes = self.opts.instructions.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| format!("Notiz der Sachbearbeitung: {s}\n")).unwrap_or_default();
            let mut text = format!(
                "{}: {}\n{notes}\n{authority}\n\n{}\n\n{}\n\n",
                self.template.name,
                self.template.description,
                subject.trim(),
                self.pre.value("anrede").unwrap_or_else(|| "Sehr geehrte Damen und Herren,".into())
            );
            for p in before {
                text.push_str(p.text.trim());
                text.push_str("\n\n");
            }
            return Prompt::Raw { text };
        }
        self.instruct_prompt(part)
    }

    fn instruct_prompt(&self, part: &template::PartSpec) -> Prompt {
        let instruction = template::fill(part.instruction.as_deref().unwrap_or(""), |k| self.pre.value(k), |k| self.pre.label(k));
        let mut facts = Vec::new();
        for f in &self.pre.fields {
            if let (Some(v), false) = (self.pre.value(&f.key), matches!(f.key.as_str(), "anrede" | "empfaenger_anschrift")) {
                facts.push(format!("- {}: {}", f.label, v.replace('\n', "; ")));
            }
        }
        let authority = self.profile.authority.as_deref().unwrap_or("die Verwaltung");
        let notes = self.opts.instructions.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| format!("\nHinweise der Sachbearbeitung: {s}")).unwrap_or_default();
        let letter = if self.excerpt.is_empty() { String::new() } else { format!("\n\nEingangsschreiben:\n{}", self.excerpt) };
        Prompt::Chat {
            system: Some(SYSTEM_DE.to_owned()),
            user: format!(
                "Schreiben: {} von {authority}.\nAbsatz: {}.\nAufgabe: {instruction}\nTon: {}.\nHöchstens {} Wörter.\n\nAngaben:\n{}{notes}{letter}\n\nAbsatz:",
                self.template.name,
                part.label,
                self.opts.tone.how_de(),
                part.max_words,
                facts.join("\n"),
            ),
        }
    }
}

/// The model's paragraph (already through `summarize::clean` in `run`) tidied: no salutation or
/// closing, no echo of the field list ("Frist: …"), at most about `max_words`, cut at a sentence end.
fn tidy(text: &str, max_words: usize, labels: &[&str]) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take_while(|l| !l.starts_with("Mit freundlichen") && !l.starts_with("Freundliche Grüße") && !l.starts_with("Absatz:"))
        .filter(|l| !l.starts_with("Sehr geehrte") && !l.starts_with("Guten Tag") && !l.starts_with("Betreff"))
        .filter(|l| !labels.iter().any(|label| l.contains(&format!("{label}:"))))
        .collect();
    let joined = lines.join(" ");
    let limit = max_words + max_words / 2;
    let mut out = String::new();
    for s in super::evidence::split_sentences(&joined) {
        if !out.is_empty() && out.split_whitespace().count() + s.split_whitespace().count() > limit {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(s.trim());
    }
    out
}

/// After the salutation's comma the letter goes on in lower case, unless the first word is a
/// noun or the polite "Sie"/"Ihr" (only function words are lowered).
fn continue_after_salutation(text: &str) -> String {
    const LOWER: [&str; 25] = [
        "Wir", "Vielen", "Herzlichen", "Hiermit", "Leider", "Gern", "Gerne", "Bitte", "Danke", "Für", "Mit", "Nach", "Da", "Zu", "In", "Auf", "Es", "Das", "Die", "Der", "Dies", "Diese", "Zunächst", "Nun", "Ich",
    ];
    let first = text.split_whitespace().next().unwrap_or("");
    if LOWER.contains(&first) {
        let mut c = text.chars();
        c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
    } else {
        text.to_owned()
    }
}

/// Writes the letter. Blocking: run it off the UI thread.
#[allow(clippy::too_many_arguments)]
pub fn draft(
    engine: &Engine,
    model: ModelRef,
    template: &Template,
    docs: &[Document],
    profile: &SenderProfile,
    opts: &DraftOptions,
    cancel: &CancelToken,
    mut on_event: impl FnMut(DraftEvent),
) -> Result<DraftResult> {
    let started = Instant::now();
    on_event(DraftEvent::Stage { stage: "vorbereiten" });
    if opts.instructions.as_deref().is_some_and(|i| i.chars().count() > 2000) {
        return Err(CoreError::InvalidParameter("die Hinweise dürfen höchstens 2000 Zeichen lang sein".into()));
    }
    let pre = prefill(template, docs, opts, profile)?;
    if !pre.missing_required.is_empty() {
        return Err(CoreError::MissingFields { template: template.name.clone(), fields: pre.missing_required.clone() });
    }
    let base = engine.info().kind == ModelKind::Base;
    let n_ctx = engine.info().n_ctx as usize;
    let writer = Writer { template, pre: &pre, opts, profile, excerpt: excerpt(engine, docs, (n_ctx / 2).min(900)) };
    let mut timings = Timings::default();
    let mut warnings: Vec<String> = docs.iter().flat_map(|d| d.warnings.iter().cloned()).collect();
    let mut cancelled = false;

    on_event(DraftEvent::Stage { stage: "schreiben" });
    let t = Instant::now();
    let mut paragraphs = Vec::new();
    for part in &template.parts {
        if part.when.as_deref().is_some_and(|w| !pre.flag(w)) {
            continue;
        }
        let text = match part.kind {
            PartKind::Fixed => template::fill(part.text.as_deref().unwrap_or(""), |k| pre.value(k), |k| pre.label(k)),
            PartKind::Model if cancelled => format!("[{} ergänzen]", part.label),
            PartKind::Model => {
                on_event(DraftEvent::Paragraph { id: part.id.clone() });
                let out = write_part(engine, &writer, part, &paragraphs, base, opts, cancel, &mut timings, |tok| {
                    on_event(DraftEvent::Token { id: part.id.clone(), text: tok.to_owned() })
                })?;
                cancelled |= out.1;
                if out.0.is_empty() {
                    warnings.push(format!("Das Sprachmodell hat den Absatz „{}“ nicht geschrieben; bitte ergänzen Sie ihn.", part.label));
                    format!("[{} ergänzen]", part.label)
                } else {
                    out.0
                }
            }
        };
        let origin = if part.kind == PartKind::Fixed { Origin::Fixed } else { Origin::Model };
        paragraphs.push(Paragraph { id: part.id.clone(), label: part.label.clone(), origin, legal: part.legal, text });
    }
    timings.map_ms = t.elapsed().as_secs_f64() * 1000.0;
    // Leichte Sprache: the model's paragraphs are checked by the same rules as explanations;
    // fixed legal passages keep their wording and are not counted.
    if opts.tone == Tone::LeichteSprache {
        for p in paragraphs.iter().filter(|p| p.origin == Origin::Model) {
            let failing = super::readability::check_leichte_sprache(&p.text);
            if !failing.is_empty() {
                let mut rules: Vec<&str> = failing.iter().flat_map(|f| f.rules.iter().map(|r| r.label_de())).collect();
                rules.sort_unstable();
                rules.dedup();
                warnings.push(format!(
                    "Leichte Sprache: Im Absatz „{}“ verletzen {} Sätze Regeln ({}). Bitte vereinfachen Sie sie.",
                    p.label,
                    failing.len(),
                    rules.join(", ")
                ));
            }
        }
    }
    if let Some(first) = paragraphs.first_mut() {
        first.text = continue_after_salutation(&first.text);
    }

    on_event(DraftEvent::Stage { stage: "pruefen" });
    let letter = compose(template, &pre, profile, opts.form, paragraphs);
    let check_sources = sources_of(docs, &pre, profile, opts, &letter, template);
    let mut result = DraftResult {
        mark: AI_MARK_DE.to_owned(),
        template_id: template.id.clone(),
        template_name: template.name.clone(),
        letter,
        fields: pre.fields.clone(),
        unsupported: Vec::new(),
        placeholders: Vec::new(),
        check_sources,
        model,
        options: opts.clone(),
        timings,
        cancelled,
        warnings,
    };
    result.recheck();
    result.timings.total_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        template = %template.id,
        paragraphs = result.letter.paragraphs.len(),
        flagged = result.unsupported.len(),
        placeholders = result.placeholders.len(),
        cancelled,
        ms = result.timings.total_ms,
        "draft done"
    );
    Ok(result)
}

/// Writes one model part; returns its tidied text and whether it was cancelled.
#[allow(clippy::too_many_arguments)]
fn write_part(
    engine: &Engine,
    writer: &Writer,
    part: &template::PartSpec,
    before: &[Paragraph],
    base: bool,
    opts: &DraftOptions,
    cancel: &CancelToken,
    timings: &mut Timings,
    on_token: impl FnMut(&str),
) -> Result<(String, bool)> {
    let prompt = writer.prompt(part, base, before);
    // German runs at about 1.6 tokens a word; room for the cut at a sentence end.
    let max_tokens = part.max_words * 2 + 24;
    let params = SamplingParams {
        max_tokens,
        temperature: opts.temperature,
        seed: opts.seed,
        stop: vec!["\nMit freundlichen".to_owned(), "\nAbsatz:".to_owned(), "\nAngaben:".to_owned()],
        end_at_blank_line: base,
        ..SamplingParams::default()
    };
    let out = run(engine, prompt, params, cancel, timings, on_token)?;
    let labels: Vec<&str> = writer.pre.fields.iter().map(|f| f.label.as_str()).collect();
    Ok((tidy(&out.text, part.max_words, &labels), out.cancelled))
}

/// Writes the model part `paragraph_id` again (another seed) and checks the letter again.
#[allow(clippy::too_many_arguments)]
pub fn regenerate(
    engine: &Engine,
    template: &Template,
    docs: &[Document],
    profile: &SenderProfile,
    result: &DraftResult,
    paragraph_id: &str,
    cancel: &CancelToken,
    mut on_event: impl FnMut(DraftEvent),
) -> Result<DraftResult> {
    let part = template
        .parts
        .iter()
        .find(|p| p.id == paragraph_id && p.kind == PartKind::Model)
        .ok_or_else(|| CoreError::InvalidParameter(format!("Absatz „{paragraph_id}“ schreibt das Sprachmodell nicht; feste Textbausteine bleiben, wie sie sind")))?;
    let mut opts = result.options.clone();
    // The next seed, kept in the result: every regeneration words the paragraph anew.
    opts.seed = Some(opts.seed.unwrap_or(42).wrapping_add(1));
    let pre = prefill(template, docs, &opts, profile)?;
    let n_ctx = engine.info().n_ctx as usize;
    let writer = Writer { template, pre: &pre, opts: &opts, profile, excerpt: excerpt(engine, docs, (n_ctx / 2).min(900)) };
    let base = engine.info().kind == ModelKind::Base;
    let mut out = result.clone();
    on_event(DraftEvent::Paragraph { id: part.id.clone() });
    let at = result.letter.paragraphs.iter().position(|p| p.id == paragraph_id).unwrap_or(result.letter.paragraphs.len());
    let before = result.letter.paragraphs[..at].to_vec();
    let (text, cancelled) = write_part(engine, &writer, part, &before, base, &opts, cancel, &mut out.timings, |tok| {
        on_event(DraftEvent::Token { id: part.id.clone(), text: tok.to_owned() })
    })?;
    if cancelled || text.is_empty() {
        return Ok(out);
    }
    let first = out.letter.paragraphs.first().is_some_and(|p| p.id == paragraph_id);
    if let Some(p) = out.letter.paragraphs.iter_mut().find(|p| p.id == paragraph_id) {
        p.text = if first { continue_after_salutation(&text) } else { text };
        p.origin = Origin::Model;
    }
    out.options.seed = opts.seed;
    out.recheck();
    Ok(out)
}

/// Lays the parts out as a DIN 5008 letter.
fn compose(template: &Template, pre: &Prefill, profile: &SenderProfile, form: LetterForm, paragraphs: Vec<Paragraph>) -> Letter {
    let fill = |t: &str| template::fill(t, |k| pre.value(k), |k| pre.label(k));
    let mut recipient = vec![pre.value("empfaenger_name").unwrap_or_else(|| "[Empfänger]".into())];
    match pre.value("empfaenger_anschrift") {
        Some(a) => recipient.extend(a.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned)),
        None => recipient.push("[Anschrift]".into()),
    }
    let mut info = Vec::new();
    let mut line = |label: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            info.push(InfoLine { label: label.into(), value });
        }
    };
    line("Ihr Zeichen", pre.value("ihr_zeichen"));
    line("Ihre Nachricht vom", pre.value("ihre_nachricht_vom"));
    line("Unser Zeichen", pre.value("unser_zeichen"));
    line("Name", profile.clerk.clone());
    line("Telefon", profile.phone.clone());
    line("E-Mail", profile.email.clone());
    line("Datum", Some(pre.letter_date.clone()));
    let mut signature = vec!["Im Auftrag".to_owned()];
    signature.push(profile.clerk.clone().unwrap_or_else(|| "[Name]".into()));
    signature.extend(profile.role.clone());
    Letter {
        form,
        sender: profile.clone(),
        return_line: Letter::return_line_of(profile),
        recipient,
        info,
        date: pre.letter_date.clone(),
        subject: fill(&template.subject),
        salutation: pre.value("anrede").unwrap_or_else(|| "Sehr geehrte Damen und Herren,".into()),
        paragraphs,
        closing: "Mit freundlichen Grüßen".into(),
        signature,
        // The template's enclosures, then the clerk's, one per line.
        enclosures: template
            .enclosures
            .iter()
            .map(|e| fill(e))
            .chain(pre.fields.iter().filter(|f| f.key == "anlagen").filter_map(|f| f.value.as_deref()).flat_map(list_items))
            .collect(),
    }
}

/// What the check accepts: the incoming letter, every field value and computed date, the
/// profile, the clerk's instructions and the template's own filled-in fixed texts.
fn sources_of(docs: &[Document], pre: &Prefill, profile: &SenderProfile, opts: &DraftOptions, letter: &Letter, template: &Template) -> Vec<String> {
    let mut out: Vec<String> = docs.iter().flat_map(|d| d.blocks.iter().map(|b| b.text.clone())).collect();
    for f in &pre.fields {
        out.extend(f.value.clone());
        if let Some(d) = &f.deadline {
            out.push(d.date.clone());
        }
    }
    out.push(pre.letter_date.clone());
    out.extend(opts.instructions.clone());
    out.extend([&profile.authority, &profile.office, &profile.clerk, &profile.role, &profile.phone, &profile.email, &profile.opening_hours, &profile.address].into_iter().flatten().cloned());
    out.push(template.name.clone());
    out.extend(letter.paragraphs.iter().filter(|p| p.origin == Origin::Fixed).map(|p| p.text.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_drops_salutation_closing_and_overlong_text() {
        let t = tidy("Sehr geehrte Damen und Herren,\nwir haben Ihr Schreiben erhalten. Wir prüfen es.\nFrist: 28.12.2026 - Anliegen: x\nMit freundlichen Grüßen\nMax", 60, &["Frist"]);
        assert_eq!(t, "wir haben Ihr Schreiben erhalten. Wir prüfen es.");
        let long = "Das ist ein Satz mit sieben Wörtern hier. ".repeat(20);
        assert!(tidy(&long, 20, &[]).split_whitespace().count() <= 30);
    }

    fn prefilled(fields: &[(&str, &str)]) -> Prefill {
        let opts = DraftOptions {
            template: "eingangsbestaetigung".into(),
            fields: fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            letter_date: Some("11.12.2026".into()),
            ..DraftOptions::default()
        };
        prefill(&template::find(&opts.template, None).unwrap(), &[], &opts, &SenderProfile::default()).unwrap()
    }

    #[test]
    fn the_clerks_herr_or_herrn_gives_the_salutation() {
        assert_eq!(prefilled(&[("empfaenger_name", "Herrn Max Muster")]).value("anrede").unwrap(), "Sehr geehrter Herr Muster,");
        assert_eq!(prefilled(&[("empfaenger_name", "Frau Dr. Erika Muster")]).value("anrede").unwrap(), "Sehr geehrte Frau Dr. Muster,");
        assert_eq!(prefilled(&[("empfaenger_name", "Kim Muster")]).value("anrede").unwrap(), "Guten Tag Kim Muster,");
    }

    #[test]
    fn datum_is_the_letter_date_wherever_a_template_uses_it() {
        let pre = prefilled(&[]);
        assert_eq!(pre.value("datum").as_deref(), Some("11.12.2026"));
        assert_eq!(template::fill("Stand {datum}", |k| pre.value(k), |k| pre.label(k)), "Stand 11.12.2026");
    }

    #[test]
    fn the_first_paragraph_continues_in_lower_case() {
        assert_eq!(continue_after_salutation("Vielen Dank für Ihr Schreiben."), "vielen Dank für Ihr Schreiben.");
        assert_eq!(continue_after_salutation("Ihr Antrag ist da."), "Ihr Antrag ist da.");
        assert_eq!(continue_after_salutation("Sie erhalten"), "Sie erhalten");
    }
}
