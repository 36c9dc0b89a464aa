//! "Akte zusammenfassen": whole case files, every block read, every sentence cited.
//!
//! 1. The blocks of all files are cut into chunks that fit the model's context (block
//!    boundaries kept; a block longer than a chunk is cut at sentence ends and keeps its
//!    position). Nothing is skipped: coverage counts the pages whose chunks were read.
//! 2. Map: each chunk is summarised. The instructions come first and are the same for every
//!    chunk, so the engine evaluates them once and reuses their cache (prompt-prefix reuse).
//! 3. Reduce: partial summaries are merged in groups that fit, level by level, until one is left;
//!    the last step applies the requested length, form and focus and streams its tokens.
//! 4. Every sentence of the result is linked to the blocks that support it (shared facts first,
//!    then BM25 over the blocks of the chunks it was made from); key facts are found by code over
//!    all blocks; the checker flags figures and names no source contains.
//!
//! A cancel keeps what was done: the partial summaries so far, marked `cancelled`.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::checker::{self, Sources, Unsupported};
use super::evidence::{split_sentences, Evidence};
use super::facts::{self, Fact};
use crate::documents::{Block, Document, Position};
use crate::error::{CoreError, ErrorInfo, Result};
use crate::llm::{CancelToken, Completion, Engine, GenerateRequest, Generation, Prompt, SamplingParams, StopReason};
use crate::models::ModelKind;
use crate::store::NewResult;

/// The mark every generated result carries until a person has checked it.
pub const AI_MARK_DE: &str = "KI-Entwurf – bitte prüfen";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Length {
    /// 3–5 sentences.
    #[default]
    Kurz,
    Mittel,
    Ausfuehrlich,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    #[default]
    Text,
    Stichpunkte,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SummaryOptions {
    pub length: Length,
    pub form: Form,
    /// A question the summary should answer ("Was fordert der Antragsteller?").
    pub focus: Option<String>,
    /// Tokens of source text per chunk; `None` = chosen from the context size.
    pub chunk_tokens: Option<usize>,
    pub temperature: f32,
    pub seed: Option<u32>,
    /// Decode several chunks as parallel sequences in one batch where the context has room.
    pub parallel: bool,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        // Low temperature and a fixed seed: the same file gives the same summary, which is what
        // a reviewer expects, and the provenance records both.
        Self { length: Length::Kurz, form: Form::Text, focus: None, chunk_tokens: None, temperature: 0.2, seed: Some(42), parallel: true }
    }
}

impl Length {
    fn sentences_de(self) -> &'static str {
        match self {
            Self::Kurz => "3 bis 5 Sätzen",
            Self::Mittel => "6 bis 10 Sätzen",
            Self::Ausfuehrlich => "12 bis 20 Sätzen",
        }
    }
    fn max_tokens(self) -> usize {
        match self {
            Self::Kurz => 200,
            Self::Mittel => 400,
            Self::Ausfuehrlich => 800,
        }
    }
}

/// What a long summary reports while it runs.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SummaryEvent {
    Progress(Progress),
    /// The summary of chunk `chunk` (1-based), as soon as it is done.
    Partial { chunk: usize, text: String },
    /// Streamed text of the final step.
    Token { text: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// `lesen` (map over chunks), `zusammenfuehren` (reduce), `pruefen` (citations and checks).
    pub stage: &'static str,
    pub done: usize,
    pub total: usize,
    pub pages_read: usize,
    pub pages_total: usize,
    pub eta_s: Option<f64>,
}

/// A sentence (or bullet) of the summary with the passages it rests on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CitedSentence {
    pub text: String,
    pub sources: Vec<Position>,
    /// False when no passage shares enough with the sentence: show it as unsupported.
    pub supported: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileCoverage {
    pub file: String,
    pub sha256: String,
    pub pages_read: usize,
    pub pages_total: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Coverage {
    /// Pages (or, for formats without pages, parts: a file or an attachment) read.
    pub pages_read: usize,
    pub pages_total: usize,
    pub chunks_read: usize,
    pub chunks_total: usize,
    pub files: Vec<FileCoverage>,
}

impl Coverage {
    /// "30 von 30 Seiten gelesen".
    pub fn label_de(&self) -> String {
        format!("{} von {} Seiten gelesen", self.pages_read, self.pages_total)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelRef {
    pub name: String,
    pub file: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Timings {
    pub total_ms: f64,
    pub map_ms: f64,
    pub reduce_ms: f64,
    pub generations: usize,
    pub prompt_tokens: usize,
    /// Prompt tokens taken from the cache of a shared prefix instead of being evaluated.
    pub cached_tokens: usize,
    pub generated_tokens: usize,
}

/// A file of the Akte that could not be read, with its German reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailedFile {
    pub file: String,
    pub error: ErrorInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryResult {
    pub mark: String,
    pub summary: String,
    pub sentences: Vec<CitedSentence>,
    pub facts: Vec<Fact>,
    pub coverage: Coverage,
    pub unsupported: Vec<Unsupported>,
    pub model: ModelRef,
    pub options: SummaryOptions,
    pub timings: Timings,
    pub cancelled: bool,
    pub failed_files: Vec<FailedFile>,
    /// German notes from extraction (pages without text layer, unreadable attachments).
    pub warnings: Vec<String>,
}

impl SummaryResult {
    /// The history entry of this summary; the app and the CLI save exactly this (invariant 6).
    /// Inputs appear in the provenance by their files' sha256, never by content.
    pub fn to_history(&self, docs: &[Document]) -> NewResult {
        let parameters = serde_json::to_value(&self.options).unwrap_or_default();
        let data = serde_json::to_value(self).unwrap_or_default();
        super::history_entry("summary", "Zusammenfassung", docs, &self.summary, data, &self.model, parameters)
    }
}

/// A piece of source text in a chunk: a whole block, or a run of sentences of a long one.
struct Piece {
    block: usize,
    text: String,
}

struct Chunk {
    pieces: Vec<Piece>,
}

impl Chunk {
    fn text(&self) -> String {
        self.pieces.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n\n")
    }
    fn blocks(&self) -> BTreeSet<usize> {
        self.pieces.iter().map(|p| p.block).collect()
    }
}

/// A summary made so far and the blocks it was made from.
struct Partial {
    text: String,
    blocks: BTreeSet<usize>,
}

/// Summarises the documents of one Akte. Blocking: run it off the UI thread. `failed` are the
/// files that could not be read (they are reported, never silently dropped).
pub fn summarize(
    engine: &Engine,
    model: ModelRef,
    docs: &[Document],
    failed: Vec<FailedFile>,
    opts: &SummaryOptions,
    cancel: &CancelToken,
    mut on_event: impl FnMut(SummaryEvent),
) -> Result<SummaryResult> {
    let started = Instant::now();
    if let Some(focus) = &opts.focus {
        if focus.chars().count() > 500 {
            return Err(CoreError::InvalidParameter("die Fokusfrage darf höchstens 500 Zeichen lang sein".into()));
        }
    }
    let blocks: Vec<&Block> = docs.iter().flat_map(|d| d.blocks.iter()).collect();
    if blocks.is_empty() {
        return Err(CoreError::NothingToSummarize);
    }
    let pages = PageMap::new(&blocks);
    let warnings: Vec<String> = docs.iter().flat_map(|d| d.warnings.iter().cloned()).collect();

    let base = engine.info().kind == ModelKind::Base;
    let prompts = Prompts { focus: opts.focus.as_deref().map(str::trim).filter(|f| !f.is_empty()) };
    let map_max = if opts.length == Length::Ausfuehrlich { 240 } else { 160 };
    let n_ctx = engine.info().n_ctx as usize;
    let overhead = engine.prompt_tokens(&prompts.map("")) + 16;
    let room = n_ctx.saturating_sub(overhead + map_max.max(opts.length.max_tokens()));
    if room < 64 {
        return Err(CoreError::ContextOverflow { needed: overhead + map_max + 64, available: n_ctx });
    }
    let chunk_tokens = opts.chunk_tokens.unwrap_or(1500).clamp(64, room);
    let chunks = make_chunks(engine, &blocks, chunk_tokens);
    tracing::info!(chunks = chunks.len(), blocks = blocks.len(), chunk_tokens, "summary started");

    let mut timings = Timings::default();
    let mut read_blocks: HashSet<usize> = HashSet::new();
    let mut partials: Vec<Partial> = Vec::new();
    let progress = |stage, done, total, read: &HashSet<usize>, eta_s| Progress {
        stage,
        done,
        total,
        pages_read: pages.read(read),
        pages_total: pages.total(),
        eta_s,
    };
    on_event(SummaryEvent::Progress(progress("lesen", 0, chunks.len(), &read_blocks, None)));

    let params = |max_tokens| SamplingParams {
        max_tokens,
        temperature: opts.temperature,
        seed: opts.seed,
        stop: prompts.stops(),
        end_at_blank_line: base,
        ..SamplingParams::default()
    };
    let mut cancelled = false;
    let final_text;

    if chunks.len() == 1 {
        // Everything fits: one step with the final instructions, streamed.
        let t = Instant::now();
        let out = run(engine, prompts.single(&chunks[0].text(), opts), params(opts.length.max_tokens()), cancel, &mut timings, |tok| {
            on_event(SummaryEvent::Token { text: tok.to_owned() })
        })?;
        timings.map_ms = t.elapsed().as_secs_f64() * 1000.0;
        cancelled = out.cancelled;
        final_text = out.text;
        if !cancelled {
            read_blocks.extend(chunks[0].blocks());
        }
        partials.push(Partial { text: final_text.clone(), blocks: chunks[0].blocks() });
    } else {
        let t_map = Instant::now();
        let mut next = 0;
        while next < chunks.len() {
            if cancel.is_cancelled() {
                cancelled = true;
                break;
            }
            // As many chunks as the engine decodes together and the context holds: the prompts
            // are built once, the widest batch of them that fits is sent.
            let width = if opts.parallel { engine.info().parallel.min(chunks.len() - next) } else { 1 };
            let mut reqs: Vec<GenerateRequest> = chunks[next..next + width]
                .iter()
                .map(|c| GenerateRequest { prompt: prompts.map(&c.text()), params: params(map_max) })
                .collect();
            let take = (2..=width).rev().find(|&k| engine.batch_fits(&reqs[..k])).unwrap_or(1);
            reqs.truncate(take);
            let outs = if take == 1 {
                let req = reqs.swap_remove(0);
                vec![run(engine, req.prompt, req.params, cancel, &mut timings, |_| {})?]
            } else {
                run_batch(engine, reqs, cancel, &mut timings)?
            };
            for (j, out) in outs.into_iter().enumerate() {
                let i = next + j;
                if out.cancelled {
                    cancelled = true;
                    break;
                }
                read_blocks.extend(chunks[i].blocks());
                on_event(SummaryEvent::Partial { chunk: i + 1, text: out.text.clone() });
                partials.push(Partial { text: out.text, blocks: chunks[i].blocks() });
            }
            if cancelled {
                break;
            }
            next += take;
            let per_chunk = t_map.elapsed().as_secs_f64() / next as f64;
            // The reduce step costs about one chunk more.
            let eta = per_chunk * (chunks.len() - next + 1) as f64;
            on_event(SummaryEvent::Progress(progress("lesen", next, chunks.len(), &read_blocks, Some(eta))));
        }
        timings.map_ms = t_map.elapsed().as_secs_f64() * 1000.0;

        let t_reduce = Instant::now();
        if !cancelled {
            let mut level = std::mem::take(&mut partials);
            loop {
                let groups = group_partials(engine, &prompts, &level, n_ctx, opts.length.max_tokens());
                let last = groups.len() == 1;
                on_event(SummaryEvent::Progress(progress("zusammenfuehren", 0, groups.len(), &read_blocks, None)));
                let mut next = Vec::new();
                for (g, group) in groups.iter().enumerate() {
                    let texts: Vec<&str> = group.iter().map(|&i| level[i].text.as_str()).collect();
                    let (prompt, max) = if last {
                        (prompts.reduce(&texts, Some(opts)), opts.length.max_tokens())
                    } else {
                        (prompts.reduce(&texts, None), map_max)
                    };
                    let out = run(engine, prompt, params(max), cancel, &mut timings, |tok| {
                        if last {
                            on_event(SummaryEvent::Token { text: tok.to_owned() })
                        }
                    })?;
                    let blocks = group.iter().flat_map(|&i| level[i].blocks.iter().copied()).collect();
                    next.push(Partial { text: out.text, blocks });
                    on_event(SummaryEvent::Progress(progress("zusammenfuehren", g + 1, groups.len(), &read_blocks, None)));
                    if out.cancelled {
                        cancelled = true;
                        break;
                    }
                }
                if cancelled {
                    // Keep what the map step produced: it is the fuller partial result.
                    partials = level;
                    break;
                }
                if last || next.len() >= level.len() {
                    partials = next;
                    break;
                }
                level = next;
            }
        }
        timings.reduce_ms = t_reduce.elapsed().as_secs_f64() * 1000.0;
        final_text = if cancelled || partials.len() > 1 {
            partials.iter().map(|p| p.text.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n\n")
        } else {
            partials.first().map(|p| p.text.clone()).unwrap_or_default()
        };
    }

    on_event(SummaryEvent::Progress(progress("pruefen", 0, 1, &read_blocks, None)));
    let evidence = Evidence::new(&blocks.iter().map(|b| b.text.as_str()).collect::<Vec<_>>());
    let mut sentences = Vec::new();
    for p in &partials {
        let among: Vec<usize> = p.blocks.iter().copied().collect();
        for s in split_sentences(&p.text) {
            let ids = evidence.cite(&s, &among);
            sentences.push(CitedSentence {
                supported: !ids.is_empty(),
                sources: ids.iter().map(|&i| blocks[i].position.clone()).collect(),
                text: s,
            });
        }
    }
    let sources = Sources::new(blocks.iter().map(|b| b.text.as_str()));
    let unsupported = checker::check(&sentences.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n"), &sources);
    let facts = facts::extract(blocks.iter().copied());
    on_event(SummaryEvent::Progress(progress("pruefen", 1, 1, &read_blocks, Some(0.0))));

    let chunks_read = if cancelled {
        chunks.iter().filter(|c| c.blocks().iter().all(|b| read_blocks.contains(b))).count()
    } else {
        chunks.len()
    };
    let coverage = Coverage {
        pages_read: pages.read(&read_blocks),
        pages_total: pages.total(),
        chunks_read,
        chunks_total: chunks.len(),
        files: pages.per_file(docs, &read_blocks),
    };
    let mut warnings = warnings;
    if final_text.trim().is_empty() && !cancelled {
        warnings.push(
            "Das Sprachmodell hat keinen Zusammenfassungstext geliefert. Die Fakten sind vollständig (sie werden ohne Modell ermittelt); ein größeres Modell fasst besser zusammen.".to_owned(),
        );
    }
    timings.total_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        chunks = chunks.len(),
        cancelled,
        sentences = sentences.len(),
        unsupported = unsupported.len(),
        facts = facts.len(),
        ms = timings.total_ms,
        cached_tokens = timings.cached_tokens,
        "summary done"
    );
    Ok(SummaryResult {
        mark: AI_MARK_DE.to_owned(),
        summary: final_text.trim().to_owned(),
        sentences,
        facts,
        coverage,
        unsupported,
        model,
        options: opts.clone(),
        timings,
        cancelled,
        failed_files: failed,
        warnings,
    })
}

pub(crate) struct RunOutput {
    pub(crate) text: String,
    pub(crate) cancelled: bool,
}

pub(crate) fn run(
    engine: &Engine,
    prompt: Prompt,
    params: SamplingParams,
    cancel: &CancelToken,
    timings: &mut Timings,
    on_token: impl FnMut(&str),
) -> Result<RunOutput> {
    let until_blank_line = params.end_at_blank_line;
    let generation = engine.generate_with_cancel(GenerateRequest { prompt, params }, cancel.clone())?;
    finish(generation, until_blank_line, timings, on_token)
}

/// Several map prompts decoded together ([`Engine::generate_batch`]); each answer handled as
/// [`run`] handles one.
fn run_batch(engine: &Engine, reqs: Vec<GenerateRequest>, cancel: &CancelToken, timings: &mut Timings) -> Result<Vec<RunOutput>> {
    let until_blank_line: Vec<bool> = reqs.iter().map(|r| r.params.end_at_blank_line).collect();
    engine
        .generate_batch(reqs, cancel.clone())?
        .into_iter()
        .zip(until_blank_line)
        .map(|(generation, until)| finish(generation, until, timings, |_| {}))
        .collect()
}

/// Reads one generation to its end ([`Generation::collect`]): its figures added to `timings`,
/// the answer trimmed. A base model's answer ends at its first blank line after some text: the
/// engine stops there (`SamplingParams::end_at_blank_line`), and this cuts what the last piece
/// carried past it.
fn finish(generation: Generation, until_blank_line: bool, timings: &mut Timings, on_token: impl FnMut(&str)) -> Result<RunOutput> {
    let Completion { text, stats } = generation.collect(on_token)?;
    timings.generations += 1;
    timings.prompt_tokens += stats.prompt_tokens;
    timings.cached_tokens += stats.cached_tokens;
    timings.generated_tokens += stats.generated_tokens;
    let mut answer = text.trim_start();
    if until_blank_line {
        answer = answer.split("\n\n").next().unwrap_or("");
    }
    Ok(RunOutput { text: clean(answer), cancelled: stats.stop_reason == StopReason::Cancelled })
}

/// Trims the model's answer: drops markup, leading enumerations ("(1)", "2.") that echo the
/// prompt's lists, and lines that only repeat a previous one (small models loop).
pub(crate) fn clean(text: &str) -> String {
    static TAG: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"</?[A-Za-z][A-Za-z0-9]*\s*/?>").expect("valid regex"));
    // A marker is followed by a space, and never by a month: "15.03.2025" and "1. April 2025"
    // start with a date, not a list number.
    static ENUMERATION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(&format!(r"^(?:\(?[0-9]{{1,2}}[).](?:\s+|$))+(?:{MONTHS})?", MONTHS = super::facts::MONTHS)).expect("valid regex")
    });
    let text = TAG.replace_all(text, "");
    let mut seen = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for line in text.trim().lines() {
        let line = line.trim();
        let l = match ENUMERATION.find(line) {
            Some(m) if !line[..m.end()].ends_with(|c: char| c.is_alphabetic()) => line[m.end()..].trim().to_owned(),
            _ => line.to_owned(),
        };
        if l.is_empty() {
            if out.last().is_some_and(|p| !p.is_empty()) {
                out.push(String::new());
            }
            continue;
        }
        if seen.insert(l.clone()) {
            out.push(l);
        }
    }
    out.join("\n").trim().to_owned()
}

/// The prompts, all in one place. The text that is the same for every chunk comes first, so its
/// cache is reused from chunk to chunk.
struct Prompts<'a> {
    focus: Option<&'a str>,
}

const SYSTEM_DE: &str = "Du bist ein sorgfältiger Assistent in einer deutschen Kommunalverwaltung. Du fasst Akten \
sachlich und knapp auf Deutsch zusammen. Du nennst nur, was im Text steht, und erfindest nichts. Namen, Daten, \
Fristen, Beträge und Aktenzeichen übernimmst du genau so, wie sie im Text stehen.";

impl Prompts<'_> {
    fn focus_line(&self) -> String {
        self.focus.map(|f| format!("\nAchte besonders auf diese Frage: {f}")).unwrap_or_default()
    }

    fn stops(&self) -> Vec<String> {
        vec!["\nText:".to_owned(), "\nTeilzusammenfassungen:".to_owned()]
    }

    fn map(&self, chunk: &str) -> Prompt {
        Prompt::Chat {
            system: Some(SYSTEM_DE.to_owned()),
            user: format!(
                "Fasse den folgenden Auszug aus der Akte in höchstens 3 Sätzen zusammen.{}\n\nText:\n{chunk}\n\nZusammenfassung des Auszugs:",
                self.focus_line()
            ),
        }
    }

    fn instruction(opts: &SummaryOptions) -> String {
        let form = match opts.form {
            Form::Text => "als zusammenhängenden Text".to_owned(),
            Form::Stichpunkte => "in Stichpunkten (jede Zeile beginnt mit „- “)".to_owned(),
        };
        format!("in {} {form}", opts.length.sentences_de())
    }

    fn single(&self, chunk: &str, opts: &SummaryOptions) -> Prompt {
        Prompt::Chat {
            system: Some(SYSTEM_DE.to_owned()),
            user: format!(
                "Fasse die folgende Akte {} zusammen.{}\n\nText:\n{chunk}\n\nZusammenfassung:",
                Self::instruction(opts),
                self.focus_line()
            ),
        }
    }

    /// Merges partial summaries; `last` carries the requested length and form.
    fn reduce(&self, parts: &[&str], last: Option<&SummaryOptions>) -> Prompt {
        let how = match last {
            Some(opts) => Self::instruction(opts),
            None => "in höchstens 4 Sätzen".to_owned(),
        };
        // Plain paragraphs: a numbered list invites a base model to go on numbering.
        let list = parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n");
        Prompt::Chat {
            system: Some(SYSTEM_DE.to_owned()),
            user: format!(
                "Die folgenden Teilzusammenfassungen stammen aus einer Akte, in der Reihenfolge der Akte. Fasse sie {how} zu einer Gesamtzusammenfassung zusammen.{}\n\nTeilzusammenfassungen:\n{list}\n\nGesamtzusammenfassung:",
                self.focus_line()
            ),
        }
    }
}

/// Groups partial summaries (in order) so that each group's reduce prompt fits the context.
fn group_partials(engine: &Engine, prompts: &Prompts, level: &[Partial], n_ctx: usize, max_tokens: usize) -> Vec<Vec<usize>> {
    let fixed = engine.prompt_tokens(&prompts.reduce(&[], None)) + max_tokens + 32;
    let room = n_ctx.saturating_sub(fixed).max(64);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, p) in level.iter().enumerate() {
        let n = engine.count_tokens(&p.text) + 6;
        if groups.is_empty() || (used + n > room && !groups.last().is_some_and(Vec::is_empty)) {
            groups.push(Vec::new());
            used = 0;
        }
        groups.last_mut().expect("a group").push(i);
        used += n;
    }
    // Two or more groups must each merge at least two parts, or the levels would not shrink.
    if groups.len() > 1 && groups.iter().all(|g| g.len() == 1) {
        return level.chunks(2).enumerate().map(|(g, c)| (g * 2..g * 2 + c.len()).collect()).collect();
    }
    groups
}

/// Cuts the blocks into chunks of at most `budget` tokens, keeping block boundaries where a
/// block fits and cutting a longer block at sentence ends.
fn make_chunks(engine: &Engine, blocks: &[&Block], budget: usize) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut current = Chunk { pieces: Vec::new() };
    let mut used = 0;
    let mut push = |piece: Piece, n: usize, current: &mut Chunk, used: &mut usize| {
        if *used + n > budget && !current.pieces.is_empty() {
            chunks.push(std::mem::replace(current, Chunk { pieces: Vec::new() }));
            *used = 0;
        }
        current.pieces.push(piece);
        *used += n + 2;
    };
    for (i, block) in blocks.iter().enumerate() {
        let n = engine.count_tokens(&block.text);
        if n <= budget {
            push(Piece { block: i, text: block.text.clone() }, n, &mut current, &mut used);
            continue;
        }
        let mut run = String::new();
        let mut run_tokens = 0;
        for sentence in split_long(&block.text) {
            let m = engine.count_tokens(&sentence);
            if run_tokens + m > budget && !run.is_empty() {
                push(Piece { block: i, text: std::mem::take(&mut run) }, run_tokens, &mut current, &mut used);
                run_tokens = 0;
            }
            if !run.is_empty() {
                run.push(' ');
            }
            run.push_str(&sentence);
            run_tokens += m + 1;
        }
        if !run.is_empty() {
            push(Piece { block: i, text: run }, run_tokens, &mut current, &mut used);
        }
    }
    if !current.pieces.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Sentences of a long block; a "sentence" longer than ~2,000 characters (a table dump, text
/// without punctuation) is cut at spaces.
fn split_long(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in split_sentences(text) {
        if s.len() <= 2000 {
            out.push(s);
            continue;
        }
        let mut cur = String::new();
        for word in s.split_whitespace() {
            if cur.len() + word.len() > 2000 && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// Pages of the Akte: a page of a paged part, or the whole of a part without pages (a DOCX, an
/// e-mail body, an attachment). Which blocks lie on which unit.
struct PageMap {
    unit_of_block: Vec<usize>,
    units: Vec<(String, Option<String>, Option<u32>)>,
}

impl PageMap {
    fn new(blocks: &[&Block]) -> Self {
        let mut ids: BTreeMap<(String, Option<String>, Option<u32>), usize> = BTreeMap::new();
        let mut units = Vec::new();
        let unit_of_block = blocks
            .iter()
            .map(|b| {
                let key = (b.position.file_sha256.clone(), b.position.attachment.clone(), b.position.page);
                *ids.entry(key.clone()).or_insert_with(|| {
                    units.push(key);
                    units.len() - 1
                })
            })
            .collect();
        Self { unit_of_block, units }
    }

    fn total(&self) -> usize {
        self.units.len()
    }

    /// Units all of whose blocks were read.
    fn read_units(&self, read: &HashSet<usize>) -> Vec<bool> {
        let mut complete = vec![true; self.units.len()];
        for (b, &u) in self.unit_of_block.iter().enumerate() {
            if !read.contains(&b) {
                complete[u] = false;
            }
        }
        complete
    }

    fn read(&self, read: &HashSet<usize>) -> usize {
        self.read_units(read).iter().filter(|&&c| c).count()
    }

    fn per_file(&self, docs: &[Document], read: &HashSet<usize>) -> Vec<FileCoverage> {
        let complete = self.read_units(read);
        docs.iter()
            .map(|d| {
                let mine: Vec<usize> = (0..self.units.len()).filter(|&u| self.units[u].0 == d.source.sha256).collect();
                FileCoverage {
                    file: d.source.file_name.clone(),
                    sha256: d.source.sha256.clone(),
                    pages_read: mine.iter().filter(|&&u| complete[u]).count(),
                    pages_total: mine.len(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_drops_repeated_lines() {
        assert_eq!(clean("  Eins.\nZwei.\nEins.\n\n\nDrei.  "), "Eins.\nZwei.\n\nDrei.");
        assert_eq!(clean("(1) 2. Die <i>Akte</i> liegt vor."), "Die Akte liegt vor.");
        // A date at the start of a line is not a list number.
        assert_eq!(clean("15.03.2025 ist der Termin."), "15.03.2025 ist der Termin.");
        assert_eq!(clean("1. April 2025: Frist endet."), "1. April 2025: Frist endet.");
        assert_eq!(clean("2) 1. März ist der Stichtag."), "2) 1. März ist der Stichtag.");
        assert_eq!(clean("1.\n2. Zweitens."), "Zweitens.");
    }

    #[test]
    fn split_long_cuts_unpunctuated_text() {
        let text = "wort ".repeat(1000);
        let parts = split_long(&text);
        assert!(parts.len() >= 2);
        assert!(parts.iter().all(|p| p.len() <= 2000));
        assert_eq!(parts.join(" ").split_whitespace().count(), 1000, "nothing lost");
    }
}
