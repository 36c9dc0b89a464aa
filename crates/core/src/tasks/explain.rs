//! "Ergebnis erklären": a document explained for an audience — a citizen (einfache Sprache),
//! Leichte Sprache, colleagues, a council committee — with an optional question.
//!
//! - The explanation never replaces the original: every result carries [`ORIGINAL_NOTE_DE`].
//! - Deadlines, amounts, dates, Aktenzeichen and the legal remedy are found by code and given to
//!   the model to keep exactly; `key_facts` says for each whether the explanation contains it
//!   (if not, the UI shows it as missing — it is never silently lost).
//! - Tables (CSV, XLSX, ODS) are analysed by [`figures`]: the model only words the computed
//!   facts and never sees raw cells to add up. Every number of the explanation must equal a
//!   computed or a source number; the checker flags any other.
//! - Leichte Sprache: the rules are checked by [`readability`]; failing sentences are rewritten
//!   by the model for up to `max_revisions` more rounds; the rules still failing are reported.
//! - Every sentence is linked to the source blocks that support it ([`evidence::cite`]) and, for
//!   tables, to the computed figures whose numbers it states (and through them to their cells).

use std::collections::HashSet;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::checker::{self, number_key, Sources, Unsupported, NUMBER};
use super::evidence::{fold, split_sentences, Evidence};
use super::facts::{self, FactKind};
use super::figures::{self, Figure, FigureOptions, TableFigures};
/// The table part of a figures explanation (the figures themselves are in `figures`).
pub use super::figures::TableInfo;
use super::readability::{self, Scores, SentenceRules};
use super::summarize::{run, ModelRef, Timings, AI_MARK_DE};
use crate::documents::{Block, Document, Position};
use crate::error::{CoreError, Result};
use crate::llm::{CancelToken, Engine, Prompt, SamplingParams};
use crate::models::ModelKind;
use crate::store::NewResult;

/// Shown with every explanation, whatever the model wrote.
pub const ORIGINAL_NOTE_DE: &str = "Diese Erklärung ersetzt nicht das Original. Rechtlich maßgeblich ist allein das Originaldokument; \
Fristen, Beträge und Rechtsbehelfe gelten so, wie sie dort stehen.";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// Citizens: einfache Sprache.
    #[default]
    Buerger,
    /// Leichte Sprache (§ 11 BGG): short sentences, one statement each, no passive; checked by code.
    LeichteSprache,
    /// Colleagues: fachlich, concise.
    Kollegium,
    /// A council committee: decisions, figures, consequences.
    Gremium,
}

impl Audience {
    pub fn label_de(self) -> &'static str {
        match self {
            Self::Buerger => "Bürgerinnen und Bürger (einfache Sprache)",
            Self::LeichteSprache => "Leichte Sprache",
            Self::Kollegium => "Kollegium",
            Self::Gremium => "Gremium (Ausschuss, Rat)",
        }
    }

    fn how_de(self) -> &'static str {
        match self {
            Self::Buerger => "für Bürgerinnen und Bürger in einfacher Sprache: kurze Sätze, bekannte Wörter, Fachwörter erklärt, die Leserin direkt angesprochen",
            Self::LeichteSprache => "in Leichter Sprache: sehr kurze Sätze mit höchstens 15 Wörtern, eine Aussage pro Satz, kein Passiv, keine Nebensätze, Zahlen in Ziffern, schwere Wörter erklärt",
            Self::Kollegium => "für Kolleginnen und Kollegen in der Verwaltung: fachlich genau und knapp",
            Self::Gremium => "für einen Ausschuss des Gemeinderats: sachlich, mit den wichtigsten Zahlen, Entwicklungen und Folgen",
        }
    }

    fn max_tokens(self) -> usize {
        match self {
            Self::Kollegium => 220,
            _ => 320,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ExplainOptions {
    pub audience: Audience,
    /// A question the explanation should answer ("Bis wann muss ich zahlen?").
    pub question: Option<String>,
    /// Which table columns to compare (default: the last two numeric ones).
    pub figures: FigureOptions,
    pub temperature: f32,
    pub seed: Option<u32>,
    /// Leichte Sprache: rounds of rewriting failing sentences after the first text.
    pub max_revisions: usize,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        // As for summaries: low temperature and a fixed seed, so a file gives the same text again.
        Self { audience: Audience::Buerger, question: None, figures: FigureOptions::default(), temperature: 0.2, seed: Some(42), max_revisions: 2 }
    }
}

/// What an explanation reports while it runs.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ExplainEvent {
    /// `analysieren` (tables), `erklaeren`, `ueberarbeiten` (Leichte Sprache), `pruefen`.
    Stage { stage: &'static str },
    /// Streamed text of the first draft.
    Token { text: String },
    /// A Leichte-Sprache revision round starts: `failing` sentences break a rule.
    Revision { round: usize, failing: usize },
}

/// A sentence of the explanation with what supports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExplainedSentence {
    pub text: String,
    /// Source passages (for tables: also the cells of the figures it states).
    pub sources: Vec<Position>,
    /// Ids of the computed figures whose numbers the sentence states.
    pub figures: Vec<String>,
    /// False when nothing supports the sentence: show it as unsupported.
    pub supported: bool,
}

/// A deadline, amount, date, Aktenzeichen or legal remedy of the source, which the explanation
/// must keep exactly (text documents; for tables the computed figures take this place).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFact {
    /// `frist`, `datum`, `betrag`, `aktenzeichen`, `rechtsbehelf`.
    pub kind: String,
    pub label_de: String,
    /// As written in the source.
    pub value: String,
    /// Comparable form (ISO date, amount with two decimals; empty for the remedy).
    pub normalized: String,
    pub sources: Vec<Position>,
    /// Whether the explanation states it; if not, the UI shows it as missing.
    pub in_explanation: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Readability {
    /// The source text.
    pub before: Scores,
    /// The explanation.
    pub after: Scores,
    /// Leichte Sprache: the sentences still breaking a rule after the revisions (empty for other
    /// audiences).
    pub rules_failed: Vec<SentenceRules>,
    /// Revision rounds run (Leichte Sprache).
    pub revisions: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExplainResult {
    /// "KI-Entwurf – bitte prüfen".
    pub mark: String,
    /// [`ORIGINAL_NOTE_DE`].
    pub note: String,
    pub audience: Audience,
    pub question: Option<String>,
    pub explanation: String,
    pub sentences: Vec<ExplainedSentence>,
    /// For tables: every computed value with formula and inputs; empty otherwise.
    pub figures: Vec<Figure>,
    pub table: Option<TableInfo>,
    pub key_facts: Vec<KeyFact>,
    pub unsupported: Vec<Unsupported>,
    pub readability: Readability,
    pub model: ModelRef,
    pub options: ExplainOptions,
    pub timings: Timings,
    pub cancelled: bool,
    pub warnings: Vec<String>,
}

impl ExplainResult {
    /// The history entry of this explanation (task `explanation`); CLI and app save exactly this.
    pub fn to_history(&self, docs: &[Document]) -> NewResult {
        let parameters = serde_json::to_value(&self.options).unwrap_or_default();
        let data = serde_json::to_value(self).unwrap_or_default();
        super::history_entry("explanation", "Erklärung", docs, &self.explanation, data, &self.model, parameters)
    }
}

/// Explains `docs` for `opts.audience`. Blocking: run it off the UI thread. A single table file
/// is explained by its computed figures; anything else by its text.
pub fn explain(
    engine: &Engine,
    model: ModelRef,
    docs: &[Document],
    opts: &ExplainOptions,
    cancel: &CancelToken,
    mut on_event: impl FnMut(ExplainEvent),
) -> Result<ExplainResult> {
    let started = Instant::now();
    let question = opts.question.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if question.is_some_and(|q| q.chars().count() > 500) {
        return Err(CoreError::InvalidParameter("die Frage darf höchstens 500 Zeichen lang sein".into()));
    }
    let blocks: Vec<&Block> = docs.iter().flat_map(|d| d.blocks.iter()).collect();
    if blocks.is_empty() {
        return Err(CoreError::NothingToSummarize);
    }
    let mut warnings: Vec<String> = docs.iter().flat_map(|d| d.warnings.iter().cloned()).collect();

    // A single table: figures by code.
    let mut table: Option<TableFigures> = None;
    if let [doc] = docs {
        if figures::is_table(doc) {
            on_event(ExplainEvent::Stage { stage: "analysieren" });
            match figures::analyze(doc, &opts.figures) {
                Ok(t) => table = Some(t),
                Err(e @ (CoreError::NotATable(_) | CoreError::NoNumericColumns(_))) => {
                    warnings.push(format!("{} Die Tabelle wird deshalb als Text erklärt.", e.message_de()))
                }
                Err(e) => return Err(e),
            }
        }
    }

    let source_text = blocks.iter().map(|b| b.text.as_str()).collect::<Vec<_>>().join("\n");
    // Tables: the figures are the facts; listing every cell amount as a "key fact" is noise.
    let key_facts_found = if table.is_some() { Vec::new() } else { key_facts(&blocks) };
    let base = engine.info().kind == ModelKind::Base;
    let n_ctx = engine.info().n_ctx as usize;
    let max_tokens = opts.audience.max_tokens();
    let prompts = Prompts { audience: opts.audience, question };

    // The material the model sees: computed figures, or the text (as much as fits, said so).
    let material = match &table {
        Some(t) => figures_material(t),
        None => {
            let overhead = engine.prompt_tokens(&prompts.explain("", &key_facts_found)) + max_tokens + 32;
            let room = n_ctx.saturating_sub(overhead);
            if room < 64 {
                return Err(CoreError::ContextOverflow { needed: overhead + 64, available: n_ctx });
            }
            let mut used = 0;
            let mut parts = Vec::new();
            for b in &blocks {
                let n = engine.count_tokens(&b.text) + 1;
                if used + n > room {
                    break;
                }
                used += n;
                parts.push(b.text.as_str());
            }
            if parts.len() < blocks.len() {
                warnings.push(format!(
                    "Das Dokument ist länger, als das Sprachmodell auf einmal lesen kann: erklärt sind die ersten {} von {} Abschnitten. Fristen, Beträge und Daten unter „Wichtige Angaben“ stammen aus dem ganzen Dokument.",
                    parts.len(),
                    blocks.len()
                ));
            }
            parts.join("\n")
        }
    };
    let prompt = match &table {
        Some(_) => prompts.figures(&material),
        None => prompts.explain(&material, &key_facts_found),
    };
    let params = |max_tokens| SamplingParams {
        max_tokens,
        temperature: opts.temperature,
        seed: opts.seed,
        stop: vec!["\nText:".to_owned(), "\nWerte:".to_owned(), "\nSatz:".to_owned()],
        end_at_blank_line: base,
        ..SamplingParams::default()
    };
    let mut timings = Timings::default();
    on_event(ExplainEvent::Stage { stage: "erklaeren" });
    let t = Instant::now();
    let out = run(engine, prompt, params(max_tokens), cancel, &mut timings, |tok| on_event(ExplainEvent::Token { text: tok.to_owned() }))?;
    timings.map_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut cancelled = out.cancelled;
    let mut explanation = out.text;

    // Leichte Sprache: rewrite the sentences that break a rule, a few rounds at most.
    let mut revisions = 0;
    let t = Instant::now();
    if opts.audience == Audience::LeichteSprache && !cancelled {
        while revisions < opts.max_revisions {
            let failing = readability::check_leichte_sprache(&explanation);
            if failing.is_empty() || cancel.is_cancelled() {
                break;
            }
            revisions += 1;
            on_event(ExplainEvent::Stage { stage: "ueberarbeiten" });
            on_event(ExplainEvent::Revision { round: revisions, failing: failing.len() });
            let mut sentences = split_sentences(&explanation);
            // The first few failing sentences per round: each rewrite is one short generation.
            for f in failing.iter().take(8) {
                let out = run(engine, prompts.rewrite(&f.text, &f.rules), params(120), cancel, &mut timings, |_| {})?;
                if out.cancelled {
                    cancelled = true;
                    break;
                }
                // `run` has cleaned the answer already.
                let new = out.text;
                if !new.trim().is_empty() && f.sentence < sentences.len() {
                    sentences[f.sentence] = new.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
                }
            }
            // One sentence per line, as Leichte Sprache asks.
            explanation = sentences.iter().flat_map(|s| split_sentences(s)).collect::<Vec<_>>().join("\n");
            if cancelled {
                break;
            }
        }
    }
    timings.reduce_ms = t.elapsed().as_secs_f64() * 1000.0;

    on_event(ExplainEvent::Stage { stage: "pruefen" });
    let all_figures: Vec<Figure> = table.as_ref().map(|t| t.figures.clone()).unwrap_or_default();
    let sentences = cite_sentences(&explanation, &blocks, &all_figures);
    let mut source_texts: Vec<String> = blocks.iter().map(|b| b.text.clone()).collect();
    // Computed figures count as sources, with and without sign ("um 150.000 € gestiegen").
    for f in &all_figures {
        source_texts.push(f.display.clone());
        source_texts.push(f.display.trim_start_matches(['+', '-']).to_owned());
        source_texts.push(f.label.clone());
    }
    let sources = Sources::new(source_texts.iter().map(String::as_str));
    let unsupported = checker::check(&sentences.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n"), &sources);

    let stated = Sources::new([explanation.as_str()]);
    let folded_explanation = fold(&explanation);
    let key_facts = key_facts_found
        .into_iter()
        .map(|(k, fact_kind, normalized)| {
            let in_explanation = match fact_kind {
                Some(kind) => stated.contains_fact(kind, &normalized),
                None => ["widerspruch", "klage", "rechtsbehelf"].iter().any(|w| folded_explanation.contains(w)),
            };
            KeyFact { in_explanation, ..k }
        })
        .collect();

    let rules_failed = if opts.audience == Audience::LeichteSprache { readability::check_leichte_sprache(&explanation) } else { Vec::new() };
    let readability = Readability { before: readability::scores(&source_text), after: readability::scores(&explanation), rules_failed, revisions };
    if explanation.trim().is_empty() && !cancelled {
        warnings.push(
            "Das Sprachmodell hat keinen Erklärungstext geliefert. Die berechneten Zahlen und wichtigen Angaben sind vollständig (sie werden ohne Modell ermittelt); ein größeres Modell erklärt besser.".to_owned(),
        );
    }
    timings.total_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        audience = ?opts.audience,
        table = table.is_some(),
        figures = all_figures.len(),
        sentences = sentences.len(),
        unsupported = unsupported.len(),
        revisions,
        cancelled,
        ms = timings.total_ms,
        "explanation done"
    );
    Ok(ExplainResult {
        mark: AI_MARK_DE.to_owned(),
        note: ORIGINAL_NOTE_DE.to_owned(),
        audience: opts.audience,
        question: question.map(str::to_owned),
        explanation: explanation.trim().to_owned(),
        sentences,
        table: table.as_ref().map(|t| t.table.clone()),
        figures: all_figures,
        key_facts,
        unsupported,
        readability,
        model,
        options: opts.clone(),
        timings,
        cancelled,
        warnings,
    })
}

/// "Wie ist das entstanden?": for any text of the assistant (a summary, a draft, an
/// explanation) and the documents it came from, every sentence with the passages that support
/// it (unsupported sentences marked) and the claims no source contains. Pure code, no model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trace {
    pub sentences: Vec<ExplainedSentence>,
    pub unsupported: Vec<Unsupported>,
}

pub fn trace(text: &str, docs: &[Document]) -> Trace {
    let blocks: Vec<&Block> = docs.iter().flat_map(|d| d.blocks.iter()).collect();
    let sentences = cite_sentences(text, &blocks, &[]);
    let sources = Sources::new(blocks.iter().map(|b| b.text.as_str()));
    let unsupported = checker::check(&sentences.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n"), &sources);
    Trace { sentences, unsupported }
}

/// Sentences with their sources: shared facts and BM25 over all blocks ([`cite`]); for tables
/// also the figures whose numbers the sentence states, and through them their cells.
fn cite_sentences(explanation: &str, blocks: &[&Block], figures: &[Figure]) -> Vec<ExplainedSentence> {
    let evidence = Evidence::new(&blocks.iter().map(|b| b.text.as_str()).collect::<Vec<_>>());
    let among: Vec<usize> = (0..blocks.len()).collect();
    let figure_keys: Vec<HashSet<String>> =
        figures.iter().map(|f| NUMBER.find_iter(&f.display).map(|m| number_key(m.as_str())).collect()).collect();
    split_sentences(explanation)
        .into_iter()
        .map(|s| {
            let mut sources: Vec<Position> = evidence.cite(&s, &among).into_iter().map(|i| blocks[i].position.clone()).collect();
            let keys: HashSet<String> = NUMBER.find_iter(&s).map(|m| number_key(m.as_str())).collect();
            let mut ids = Vec::new();
            for (f, fk) in figures.iter().zip(&figure_keys) {
                if fk.iter().any(|k| keys.contains(k)) {
                    ids.push(f.id.clone());
                    for input in &f.inputs {
                        if !sources.contains(&input.position) && sources.len() < 6 {
                            sources.push(input.position.clone());
                        }
                    }
                }
            }
            ExplainedSentence { supported: !sources.is_empty() || !ids.is_empty(), sources, figures: ids, text: s }
        })
        .collect()
}

/// The facts the explanation must keep, with the scanner's kind and normalised form to look
/// them up in the explanation (`None` for the legal remedy).
fn key_facts(blocks: &[&Block]) -> Vec<(KeyFact, Option<FactKind>, String)> {
    let mut out = Vec::new();
    for f in facts::extract(blocks.iter().copied()) {
        let kind = match f.kind {
            FactKind::Frist => "frist",
            FactKind::Datum => "datum",
            FactKind::Betrag => "betrag",
            FactKind::Aktenzeichen => "aktenzeichen",
            _ => continue,
        };
        out.push((
            KeyFact { kind: kind.into(), label_de: f.kind.label_de().into(), value: f.value.clone(), normalized: f.normalized.clone(), sources: f.sources.clone(), in_explanation: false },
            Some(f.kind),
            f.normalized,
        ));
    }
    // The legal remedy: the first sentence that names Widerspruch, Klage or Rechtsbehelf.
    'blocks: for b in blocks {
        for s in split_sentences(&b.text) {
            let f = fold(&s);
            if ["widerspruch", "klage", "rechtsbehelf"].iter().any(|w| f.contains(w)) && ["innerhalb", "binnen", "frist", "monat", "erheben", "einlegen"].iter().any(|w| f.contains(w)) {
                out.push((
                    KeyFact { kind: "rechtsbehelf".into(), label_de: "Rechtsbehelf".into(), value: s.clone(), normalized: String::new(), sources: vec![b.position.clone()], in_explanation: false },
                    None,
                    String::new(),
                ));
                break 'blocks;
            }
        }
    }
    out
}

/// The computed facts of a table as the model sees them: totals, the largest changes, then per
/// row difference, change and share (at most 15 rows, the largest changes first).
fn figures_material(t: &TableFigures) -> String {
    use figures::FigureKind as K;
    let mut lines = vec![format!("Vergleich: {} mit {}", t.table.from, t.table.to)];
    for f in t.of_kind(K::Summe) {
        lines.push(format!("- {}: {}", f.label, f.display));
    }
    for f in t.of_kind(K::GroessterAnstieg).chain(t.of_kind(K::GroessterRueckgang)) {
        lines.push(format!("- {}: {}", f.label, f.display));
    }
    let mut rows: Vec<&str> = Vec::new();
    for f in t.figures.iter().filter(|f| matches!(f.kind, K::Differenz)) {
        if let Some(r) = f.row.as_deref() {
            rows.push(r);
        }
    }
    for r in rows.into_iter().take(15) {
        let of = |kind| t.figures.iter().find(|f| f.kind == kind && f.row.as_deref() == Some(r)).map(|f| f.display.clone());
        let mut parts = Vec::new();
        if let Some(d) = of(K::Differenz) {
            parts.push(format!("Differenz {d}"));
        }
        if let Some(p) = of(K::Veraenderung) {
            parts.push(format!("Veränderung {p}"));
        }
        if let Some(a) = of(K::Anteil) {
            parts.push(format!("Anteil {a}"));
        }
        lines.push(format!("- {r}: {}", parts.join(", ")));
    }
    lines.join("\n")
}

/// The prompts, all in one place.
struct Prompts<'a> {
    audience: Audience,
    question: Option<&'a str>,
}

const SYSTEM_DE: &str = "Du bist ein sorgfältiger Assistent in einer deutschen Kommunalverwaltung. Du erklärst Schreiben \
und Zahlen verständlich auf Deutsch. Du nennst nur, was in den Unterlagen steht, und erfindest nichts. Fristen, Beträge, \
Daten und Rechtsbehelfe übernimmst du genau so, wie sie dort stehen.";

impl Prompts<'_> {
    fn question_line(&self) -> String {
        self.question.map(|q| format!("\nBeantworte dabei diese Frage: {q}")).unwrap_or_default()
    }

    fn explain(&self, text: &str, key: &[(KeyFact, Option<FactKind>, String)]) -> Prompt {
        let keep = if key.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = key.iter().take(12).map(|(k, _, _)| format!("- {}: {}", k.label_de, k.value)).collect();
            format!("\nDiese Angaben müssen genau so in der Erklärung stehen:\n{}", list.join("\n"))
        };
        Prompt::Chat {
            system: Some(SYSTEM_DE.to_owned()),
            user: format!(
                "Erkläre das folgende Schreiben {}. Die Erklärung ersetzt nicht das Original.{}{keep}\n\nText:\n{text}\n\nErklärung:",
                self.audience.how_de(),
                self.question_line()
            ),
        }
    }

    fn figures(&self, material: &str) -> Prompt {
        Prompt::Chat {
            system: Some(SYSTEM_DE.to_owned()),
            user: format!(
                "Erkläre die folgenden Zahlen einer Tabelle {}. Alle Werte sind bereits berechnet: rechne nicht selbst und nenne nur Zahlen aus dieser Liste.{}\n\nWerte:\n{material}\n\nErklärung:",
                self.audience.how_de(),
                self.question_line()
            ),
        }
    }

    fn rewrite(&self, sentence: &str, rules: &[readability::Rule]) -> Prompt {
        let why: Vec<&str> = rules.iter().map(|r| r.label_de()).collect();
        Prompt::Chat {
            system: Some(SYSTEM_DE.to_owned()),
            user: format!(
                "Schreibe den Satz in Leichter Sprache neu: kurze Sätze, eine Aussage pro Satz, kein Passiv, keine Nebensätze, Zahlen in Ziffern. Behalte alle Daten, Beträge und Fristen genau bei. Probleme: {}.\n\nSatz:\n{sentence}\n\nNeu:",
                why.join(", ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_serialise_as_the_ui_and_cli_name_them() {
        for (s, a) in [("buerger", Audience::Buerger), ("leichte-sprache", Audience::LeichteSprache), ("kollegium", Audience::Kollegium), ("gremium", Audience::Gremium)] {
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::Value::String(s.into()));
            assert_eq!(serde_json::from_value::<Audience>(serde_json::Value::String(s.into())).unwrap(), a);
        }
        assert!(serde_json::from_value::<Audience>(serde_json::Value::String("kinder".into())).is_err());
    }

    #[test]
    fn trace_links_sentences_to_their_passages_and_marks_the_rest() {
        let text = "Stadt Musterstadt.\n\nDie Gebühr beträgt 250,00 € und ist bis zum 15.03.2025 zu zahlen.\n\nDer Nachbar erhebt Widerspruch gegen das Carport.";
        let doc = crate::documents::extract_bytes("bescheid.txt", text.as_bytes(), &Default::default()).expect("text reads");
        let t = trace("Bis zum 15.03.2025 sind 250 Euro zu zahlen. Der Mond ist aus Käse. Die Frist endet am 20.03.2025.", std::slice::from_ref(&doc));
        assert_eq!(t.sentences.len(), 3);
        let fee = doc.blocks.iter().find(|b| b.text.contains("Gebühr")).unwrap();
        assert_eq!(t.sentences[0].sources, vec![fee.position.clone()]);
        assert!(t.sentences[0].supported);
        assert!(!t.sentences[1].supported && t.sentences[1].sources.is_empty());
        assert_eq!(t.unsupported.len(), 1);
        assert_eq!(t.unsupported[0].text, "20.03.2025");
        assert_eq!(t.unsupported[0].sentence, 2);
    }
}
