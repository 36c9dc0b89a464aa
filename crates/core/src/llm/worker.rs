//! The inference worker: one thread that owns the llama.cpp context and runs requests in turn.

use std::num::NonZeroU32;
use std::ops::ControlFlow;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::vocab::LlamaVocab;

use super::{sampling, BatchJob, Command, GenEvent, GenStats, SamplingParams, StopReason};
use crate::error::{CoreError, Result};
use crate::llm::text::{Pushed, TextStream};

pub(super) struct Settings {
    pub n_ctx: u32,
    pub n_batch: u32,
    pub threads: usize,
    pub threads_batch: usize,
    /// The probe's estimate, for the error when the context cannot be allocated.
    pub required_mb: u64,
    pub reuse_prefix: bool,
    /// Sequences one batch may carry (parallel chunk summaries); 1 = no batching.
    pub n_seq_max: u32,
}

type Events = tokio::sync::mpsc::UnboundedSender<GenEvent>;

pub(super) fn run(
    backend: &LlamaBackend,
    model: &Arc<LlamaModel>,
    s: Settings,
    commands: mpsc::Receiver<Command>,
    ready: mpsc::Sender<Result<()>>,
) {
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(s.n_ctx))
        .with_n_batch(s.n_batch)
        .with_n_ubatch(s.n_batch)
        .with_n_threads(s.threads as i32)
        .with_n_threads_batch(s.threads_batch as i32)
        // Parallel sequences share one cache (each may use the whole context; a shared prompt
        // prefix is stored once).
        .with_n_seq_max(s.n_seq_max)
        .with_kv_unified(true);
    let mut ctx = match model.new_context(backend, params) {
        Ok(ctx) => ctx,
        Err(e) => {
            tracing::warn!(error = %e, "could not create the llama.cpp context");
            // Allocating the KV cache and compute buffers is what fails here.
            let available_mb = super::available_memory() >> 20;
            let _ = ready.send(Err(CoreError::ModelTooLarge { required_mb: s.required_mb, available_mb }));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let mut batch = LlamaBatch::new(s.n_batch as usize, 1);
    // The tokens whose keys and values sit in the cache (sequence 0), for prompt-prefix reuse.
    let mut cached: Vec<LlamaToken> = Vec::new();
    let reuse_prefix = s.reuse_prefix;

    while let Ok(command) = commands.recv() {
        match command {
            Command::Generate { tokens, params, events, cancel } => {
                // A panic inside the bindings must not take the app down: report it and go on
                // with a fresh KV cache.
                if !reuse_prefix {
                    cached.clear();
                }
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    generate(&mut ctx, model, &mut batch, &mut cached, &tokens, &params, &events, &|| cancel.is_cancelled())
                }));
                let event = match outcome {
                    Ok(Ok(stats)) => GenEvent::Done(stats),
                    Ok(Err(e)) => {
                        ctx.clear_kv_cache();
                        cached.clear();
                        GenEvent::Error(Arc::new(e))
                    }
                    Err(_) => {
                        tracing::error!("generation panicked; the context is reset");
                        ctx.clear_kv_cache();
                        cached.clear();
                        GenEvent::Error(Arc::new(CoreError::Inference("panic in generation".into())))
                    }
                };
                // The receiver may be gone (caller lost interest); nothing to do then.
                let _ = events.send(event);
            }
            Command::GenerateBatch { jobs, cancel } => {
                // The cache ends up holding several sequences: the next request starts cold.
                cached.clear();
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    generate_batch(&mut ctx, model, &mut batch, &jobs, &|| cancel.is_cancelled())
                }));
                ctx.clear_kv_cache();
                let failure = match outcome {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(Arc::new(e)),
                    Err(_) => {
                        tracing::error!("batched generation panicked; the context is reset");
                        Some(Arc::new(CoreError::Inference("panic in generation".into())))
                    }
                };
                if let Some(e) = failure {
                    for job in &jobs {
                        let _ = job.events.send(GenEvent::Error(Arc::clone(&e)));
                    }
                }
            }
        }
    }
    tracing::debug!("inference worker stops");
}

/// Tokenises a prompt. Templated prompts may contain the template's special tokens (parsed);
/// raw user text is never parsed for special tokens, so a pasted "<start_of_turn>" stays text.
pub(super) fn tokenize_prompt(model: &LlamaModel, text: &str, templated: bool) -> Vec<LlamaToken> {
    let vocab = model.vocab();
    let mut tokens = vocab.tokenize(text.as_bytes(), true, templated);
    // Chat templates often write the BOS themselves; llama.cpp then adds a second one.
    let bos = vocab.bos();
    if tokens.len() >= 2 && tokens[0] == bos && tokens[1] == bos {
        tokens.remove(0);
    }
    tokens
}

/// How many leading tokens `a` and `b` have in common.
fn common_prefix(a: &[LlamaToken], b: &[LlamaToken]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// How many leading tokens of `tokens` the cache already holds and may keep. At least the last
/// prompt token is always evaluated again: its logits start the answer.
fn reusable_prefix(cached: &[LlamaToken], tokens: &[LlamaToken]) -> usize {
    common_prefix(cached, tokens).min(tokens.len().saturating_sub(1))
}

/// The prefix a batch of prompts evaluates once (sequence 0) and shares: what every prompt may
/// take from a cache holding the first one, so less one token where it would be a whole prompt.
/// [`super::Engine::generate_batch`] counts the cells with this too.
pub(super) fn shared_prefix<'a>(mut prompts: impl Iterator<Item = &'a [LlamaToken]>) -> usize {
    let Some(first) = prompts.next() else { return 0 };
    prompts.fold(reusable_prefix(first, first), |prefix, p| prefix.min(reusable_prefix(first, p)))
}

#[allow(clippy::too_many_arguments)]
fn generate(
    ctx: &mut LlamaContext<'_>,
    model: &LlamaModel,
    batch: &mut LlamaBatch<'_>,
    cached: &mut Vec<LlamaToken>,
    tokens: &[LlamaToken],
    params: &SamplingParams,
    events: &Events,
    cancelled: &dyn Fn() -> bool,
) -> Result<GenStats> {
    let vocab = model.vocab();
    let n_batch = batch_capacity(ctx);
    // Prompt-prefix reuse: a task that sends the same instructions before every chunk evaluates
    // them once. The context keeps the full sliding-window cache (`swa_full`, llama.cpp's
    // default), so cutting the cache after the common prefix is exact for Gemma 3 too; where
    // llama.cpp refuses the cut, the cache starts empty.
    let mut reused = reusable_prefix(cached, tokens);
    if reused == 0 || !ctx.clear_kv_cache_seq(Some(0), Some(reused as u32), None).unwrap_or(false) {
        ctx.clear_kv_cache();
        reused = 0;
    }
    cached.truncate(reused);
    let _ = events.send(GenEvent::Started { prompt_tokens: tokens.len() });

    let t_prompt = Instant::now();
    let mut stats = GenStats::starting(tokens.len(), reused);
    let chunks = tokens[reused..].chunks(n_batch);
    let n_chunks = chunks.len();
    let mut done = reused;
    for (i, chunk) in chunks.enumerate() {
        if cancelled() {
            return Ok(finish(stats, t_prompt, None));
        }
        batch.clear();
        for (j, &tok) in chunk.iter().enumerate() {
            let last = i + 1 == n_chunks && j + 1 == chunk.len();
            batch.add(tok, (done + j) as i32, &[0], last).map_err(|e| CoreError::Inference(e.to_string()))?;
        }
        ctx.decode(batch).map_err(decode_error)?;
        cached.extend_from_slice(chunk);
        done += chunk.len();
        if n_chunks > 1 {
            let _ = events.send(GenEvent::Progress { done, total: tokens.len() });
        }
    }
    stats.prompt_ms = t_prompt.elapsed().as_secs_f64() * 1000.0;

    let t_gen = Instant::now();
    let mut answer = Answer::new(params, model.n_vocab().max(1) as usize);
    let mut logits_at = batch.n_tokens() - 1;
    let mut pos = tokens.len() as i32;
    stats.stop_reason = loop {
        if cancelled() {
            break StopReason::Cancelled;
        }
        let token = match answer.step(ctx.get_logits_ith(logits_at), &vocab, params, &mut stats.generated_tokens, events) {
            ControlFlow::Continue(token) => token,
            ControlFlow::Break(reason) => break reason,
        };
        batch.clear();
        batch.add(token, pos, &[0], true).map_err(|e| CoreError::Inference(e.to_string()))?;
        ctx.decode(batch).map_err(decode_error)?;
        cached.push(token);
        pos += 1;
        logits_at = 0;
    };
    answer.flush(stats.stop_reason, events);
    Ok(finish(stats, t_prompt, Some(t_gen)))
}

/// One answer being sampled: the step from logits to visible text and the stop rules, the same
/// for a single generation and for each sequence of a batch.
struct Answer {
    sampler: sampling::Sampler,
    stream: TextStream,
    /// The bytes of the current token (reused: no allocation per token).
    piece: Vec<u8>,
    /// The text so far, kept for `end_at_blank_line` only.
    text: String,
}

impl Answer {
    fn new(params: &SamplingParams, n_vocab: usize) -> Self {
        Self { sampler: sampling::Sampler::new(params, n_vocab), stream: TextStream::new(&params.stop), piece: Vec::with_capacity(32), text: String::new() }
    }

    /// Samples the next token from `logits`, sends its visible text and applies the stop rules:
    /// end of generation (the token is not counted), a stop string, a blank line after text,
    /// `max_tokens`. `Continue` carries the token to decode next.
    fn step(
        &mut self,
        logits: &[f32],
        vocab: &LlamaVocab<'_>,
        params: &SamplingParams,
        generated: &mut usize,
        events: &Events,
    ) -> ControlFlow<StopReason, LlamaToken> {
        let token = self.sampler.sample(logits);
        if vocab.is_eog(token) && !params.ignore_eog {
            return ControlFlow::Break(StopReason::EndOfGeneration);
        }
        *generated += 1;
        self.piece.clear();
        vocab.token_to_piece_into(token, &mut self.piece, false, None);
        match self.stream.push(&self.piece) {
            Pushed::Text(t) if !t.is_empty() => {
                let ends = params.end_at_blank_line && blank_line_after_text(&mut self.text, &t);
                let _ = events.send(GenEvent::Token(t));
                if ends {
                    return ControlFlow::Break(StopReason::StopString);
                }
            }
            Pushed::Text(_) => {}
            Pushed::Stop(t) => {
                if !t.is_empty() {
                    let _ = events.send(GenEvent::Token(t));
                }
                return ControlFlow::Break(StopReason::StopString);
            }
        }
        if *generated >= params.max_tokens {
            return ControlFlow::Break(StopReason::MaxTokens);
        }
        ControlFlow::Continue(token)
    }

    /// Sends the text the stream still holds back, once the answer has ended (nothing after a
    /// stop string: what it held is the stop string's beginning).
    fn flush(&mut self, reason: StopReason, events: &Events) {
        if reason != StopReason::StopString {
            let tail = self.stream.finish();
            if !tail.is_empty() {
                let _ = events.send(GenEvent::Token(tail));
            }
        }
    }
}

/// One sequence of a batched generation.
struct Slot<'a> {
    job: &'a BatchJob,
    seq: i32,
    answer: Answer,
    stats: GenStats,
    pos: i32,
    logits_at: i32,
    done: bool,
    /// Its `Done` event was sent.
    reported: bool,
    t_gen: Instant,
}

/// Several prompts decoded as parallel sequences in shared batches: their common prefix is
/// evaluated once (sequence 0) and shared, their own parts and every generation step go through
/// one decode call for all of them. On a CPU a batch of n tokens costs little more than one, so
/// this multiplies throughput where the context has room.
fn generate_batch(
    ctx: &mut LlamaContext<'_>,
    model: &LlamaModel,
    batch: &mut LlamaBatch<'_>,
    jobs: &[BatchJob],
    cancelled: &dyn Fn() -> bool,
) -> Result<()> {
    let vocab = model.vocab();
    let n_batch = batch_capacity(ctx);
    ctx.clear_kv_cache();
    let inf = |e: llama_cpp_2::llama_batch::BatchAddError| CoreError::Inference(e.to_string());
    let t_prompt = Instant::now();
    // The shared prefix, less one token so that every sequence evaluates at least its last one.
    let first = &jobs[0].tokens;
    let prefix = shared_prefix(jobs.iter().map(|j| j.tokens.as_slice()));
    for job in jobs {
        let _ = job.events.send(GenEvent::Started { prompt_tokens: job.tokens.len() });
    }
    for (i, chunk) in first[..prefix].chunks(n_batch).enumerate() {
        if cancelled() {
            break;
        }
        batch.clear();
        for (j, &tok) in chunk.iter().enumerate() {
            batch.add(tok, (i * n_batch + j) as i32, &[0], false).map_err(inf)?;
        }
        ctx.decode(batch).map_err(decode_error)?;
    }
    for s in 1..jobs.len() {
        ctx.copy_kv_cache_seq(0, s as i32, None, None).map_err(|e| CoreError::Inference(e.to_string()))?;
    }
    let mut slots: Vec<Slot> = jobs
        .iter()
        .enumerate()
        .map(|(i, job)| Slot {
            job,
            seq: i as i32,
            answer: Answer::new(&job.params, model.n_vocab().max(1) as usize),
            // Every sequence but the first took the prefix from the cache.
            stats: GenStats::starting(job.tokens.len(), if i == 0 { 0 } else { prefix }),
            pos: prefix as i32,
            logits_at: -1,
            done: false,
            reported: false,
            t_gen: Instant::now(),
        })
        .collect();

    // The sequences' own prompt parts, packed into shared batches; every sequence's last prompt
    // token goes into one final batch, since logits are kept for the last decode only.
    let mut pending: Vec<(usize, usize)> = slots.iter().enumerate().map(|(i, _)| (i, prefix)).collect();
    while pending.iter().any(|&(i, next)| next + 1 < slots[i].job.tokens.len()) {
        if cancelled() {
            break;
        }
        batch.clear();
        let mut room = n_batch;
        for (i, next) in pending.iter_mut() {
            let tokens = &slots[*i].job.tokens;
            while *next + 1 < tokens.len() && room > 0 {
                batch.add(tokens[*next], *next as i32, &[slots[*i].seq], false).map_err(inf)?;
                *next += 1;
                room -= 1;
            }
        }
        ctx.decode(batch).map_err(decode_error)?;
    }
    if !cancelled() {
        batch.clear();
        for slot in slots.iter_mut() {
            let last = slot.job.tokens.len() - 1;
            slot.logits_at = batch.n_tokens();
            batch.add(slot.job.tokens[last], last as i32, &[slot.seq], true).map_err(inf)?;
        }
        ctx.decode(batch).map_err(decode_error)?;
    }
    let prompt_ms = t_prompt.elapsed().as_secs_f64() * 1000.0;
    for slot in &mut slots {
        slot.stats.prompt_ms = prompt_ms;
        slot.pos = slot.job.tokens.len() as i32;
        slot.t_gen = Instant::now();
    }

    loop {
        let stop_all = cancelled();
        batch.clear();
        for slot in slots.iter_mut().filter(|s| !s.done) {
            if stop_all || slot.logits_at < 0 {
                slot.stats.stop_reason = StopReason::Cancelled;
                slot.done = true;
                continue;
            }
            let logits = ctx.get_logits_ith(slot.logits_at);
            match slot.answer.step(logits, &vocab, &slot.job.params, &mut slot.stats.generated_tokens, &slot.job.events) {
                ControlFlow::Continue(token) => {
                    slot.logits_at = batch.n_tokens();
                    batch.add(token, slot.pos, &[slot.seq], true).map_err(inf)?;
                    slot.pos += 1;
                }
                ControlFlow::Break(reason) => {
                    slot.stats.stop_reason = reason;
                    slot.done = true;
                }
            }
        }
        for slot in slots.iter_mut().filter(|s| s.done && !s.reported) {
            slot.reported = true;
            slot.answer.flush(slot.stats.stop_reason, &slot.job.events);
            slot.stats.generate_ms = slot.t_gen.elapsed().as_secs_f64() * 1000.0;
            let _ = slot.job.events.send(GenEvent::Done(with_rates(slot.stats.clone())));
        }
        if batch.n_tokens() == 0 {
            break;
        }
        ctx.decode(batch).map_err(decode_error)?;
    }
    Ok(())
}

/// Appends `piece` to the answer so far; true once a blank line follows some text.
fn blank_line_after_text(answer: &mut String, piece: &str) -> bool {
    answer.push_str(piece);
    answer.trim_start().contains("\n\n")
}

fn finish(mut stats: GenStats, t_prompt: Instant, t_gen: Option<Instant>) -> GenStats {
    match t_gen {
        Some(t) => stats.generate_ms = t.elapsed().as_secs_f64() * 1000.0,
        None => stats.prompt_ms = t_prompt.elapsed().as_secs_f64() * 1000.0,
    }
    with_rates(stats)
}

/// Tokens per second from the counts and times.
fn with_rates(mut stats: GenStats) -> GenStats {
    let rate = |n: usize, ms: f64| if ms > 0.0 { n as f64 / (ms / 1000.0) } else { 0.0 };
    stats.prompt_tokens_per_s = rate(stats.prompt_tokens - stats.cached_tokens, stats.prompt_ms);
    stats.generate_tokens_per_s = rate(stats.generated_tokens, stats.generate_ms);
    stats
}

fn batch_capacity(ctx: &LlamaContext<'_>) -> usize {
    ctx.n_batch().max(1) as usize
}

fn decode_error(e: llama_cpp_2::DecodeError) -> CoreError {
    match e {
        llama_cpp_2::DecodeError::NoKvCacheSlot => CoreError::Inference("no KV cache slot".into()),
        other => CoreError::Inference(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_reuse_keeps_one_token_to_evaluate() {
        let t = |v: &[i32]| v.iter().map(|&i| LlamaToken::new(i)).collect::<Vec<_>>();
        assert_eq!(reusable_prefix(&t(&[1, 2, 3, 9]), &t(&[1, 2, 3, 4, 5])), 3);
        assert_eq!(reusable_prefix(&t(&[1, 2, 3]), &t(&[1, 2, 3])), 2, "same prompt: re-evaluate the last token");
        assert_eq!(reusable_prefix(&t(&[]), &t(&[1, 2])), 0);
        assert_eq!(reusable_prefix(&t(&[7]), &t(&[1, 2])), 0);
    }

    #[test]
    fn a_batch_shares_its_common_prefix_less_each_last_token() {
        let t = |v: &[i32]| v.iter().map(|&i| LlamaToken::new(i)).collect::<Vec<_>>();
        let shared = |ps: &[Vec<LlamaToken>]| shared_prefix(ps.iter().map(Vec::as_slice));
        assert_eq!(shared(&[t(&[1, 2, 3, 4]), t(&[1, 2, 3, 5, 6])]), 3);
        assert_eq!(shared(&[t(&[1, 2, 3]), t(&[1, 2, 3])]), 2, "same prompts: each evaluates its last token");
        assert_eq!(shared(&[t(&[1, 2, 3, 4]), t(&[1, 2])]), 1, "a prompt that is the other's prefix");
        assert_eq!(shared(&[t(&[1, 2]), t(&[1, 2, 3, 4])]), 1);
        assert_eq!(shared(&[t(&[1, 2, 3])]), 2);
        assert_eq!(shared(&[t(&[1, 2]), t(&[1, 2, 3]), t(&[9])]), 0);
        assert_eq!(shared(&[]), 0);
    }
}
