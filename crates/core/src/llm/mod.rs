//! The local language model: llama.cpp in-process through `llama-cpp-2`.
//!
//! One worker thread owns the model's context and runs every generation in turn; callers hold an
//! [`Engine`] handle, send a [`GenerateRequest`] and read [`GenEvent`]s from a tokio channel (or
//! block on them). Cancellation is a shared flag the worker checks before every decode step, so a
//! stop takes effect within one token.

pub mod loader;
mod probe;
mod sampling;
mod text;
mod threads;
mod worker;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, OnceLock};

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaModel};
use llama_cpp_2::token::LlamaToken;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::models::ModelKind;

pub use probe::{available_memory, probe, GgufInfo};
pub use text::{Pushed, TextStream};
pub use threads::{default_batch_threads, default_generation_threads, physical_cores};

/// How to load a model.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub model_path: PathBuf,
    /// Threads for token generation; `None` = [`default_generation_threads`].
    pub threads: Option<usize>,
    /// Threads for prompt processing; `None` = [`default_batch_threads`], or `threads` if set.
    pub threads_batch: Option<usize>,
    /// Context size in tokens; `None` = the model's training context, at most 8192.
    pub n_ctx: Option<u32>,
    /// Tokens per prompt-processing batch.
    pub n_batch: u32,
    /// Pretend this much memory is available (tests, or a policy that caps the app's share).
    pub memory_limit: Option<u64>,
    /// Keep the cache of a prompt prefix shared with the previous request (default on; the
    /// benchmark turns it off to measure prompt processing as llama-bench does).
    pub reuse_prefix: bool,
    /// How many prompts [`Engine::generate_batch`] may decode together (default 4).
    pub parallel: u32,
}

impl EngineConfig {
    pub fn new(model_path: impl Into<PathBuf>) -> Self {
        Self { model_path: model_path.into(), threads: None, threads_batch: None, n_ctx: None, n_batch: 512, memory_limit: None, reuse_prefix: true, parallel: 4 }
    }
}

/// What the loaded model is.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    pub path: PathBuf,
    pub file: String,
    pub name: String,
    pub architecture: String,
    pub kind: ModelKind,
    pub n_ctx: u32,
    pub n_ctx_train: u32,
    pub n_vocab: i32,
    pub threads: usize,
    pub threads_batch: usize,
    /// Prompts [`Engine::generate_batch`] decodes together at most.
    pub parallel: usize,
    pub load_ms: f64,
}

/// Sampling and stopping. Temperature 0 means greedy decoding (deterministic, no seed needed).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SamplingParams {
    pub max_tokens: usize,
    pub temperature: f32,
    pub top_p: f32,
    pub top_k: i32,
    pub repeat_penalty: f32,
    /// How many recent tokens the repeat penalty looks at.
    pub repeat_last_n: i32,
    /// `None`: a fresh random seed per request.
    pub seed: Option<u32>,
    pub stop: Vec<String>,
    /// Keep generating past end-of-generation tokens (benchmarks need a fixed length).
    pub ignore_eog: bool,
    /// End at the first blank line after some text (base models do not know when an answer
    /// ends; a "\n\n" stop string would also fire on leading blank lines).
    pub end_at_blank_line: bool,
}

impl Default for SamplingParams {
    fn default() -> Self {
        // A repeat penalty is on by default: small base models loop without one.
        Self { max_tokens: 256, temperature: 0.7, top_p: 0.9, top_k: 40, repeat_penalty: 1.15, repeat_last_n: 64, seed: None, stop: Vec::new(), ignore_eog: false, end_at_blank_line: false }
    }
}

impl SamplingParams {
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(CoreError::InvalidParameter(what.into()));
        if self.max_tokens == 0 {
            return bad("max_tokens muss größer als 0 sein");
        }
        if !self.temperature.is_finite() || self.temperature < 0.0 {
            return bad("temperature muss 0 oder größer sein");
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return bad("top_p muss zwischen 0 und 1 liegen");
        }
        if !self.repeat_penalty.is_finite() || self.repeat_penalty <= 0.0 {
            return bad("repeat_penalty muss größer als 0 sein");
        }
        Ok(())
    }
}

/// The text to send to the model.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Prompt {
    /// Sent as it is (completion), whatever the model.
    Raw { text: String },
    /// An instruction: through the model's chat template where it has one, else as a plain
    /// completion prompt (system text, blank line, user text).
    Chat { system: Option<String>, user: String },
}

#[derive(Debug, Clone)]
pub struct GenerateRequest {
    pub prompt: Prompt,
    pub params: SamplingParams,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    MaxTokens,
    StopString,
    EndOfGeneration,
    Cancelled,
}

/// Figures of one generation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenStats {
    pub prompt_tokens: usize,
    /// Prompt tokens whose cache was kept from the previous request (a shared prefix).
    #[serde(default)]
    pub cached_tokens: usize,
    pub generated_tokens: usize,
    pub prompt_ms: f64,
    pub generate_ms: f64,
    pub prompt_tokens_per_s: f64,
    pub generate_tokens_per_s: f64,
    pub stop_reason: StopReason,
}

impl GenStats {
    /// Before the first decode: nothing measured yet, stopped unless something else happens.
    pub(crate) fn starting(prompt_tokens: usize, cached_tokens: usize) -> Self {
        Self {
            prompt_tokens,
            cached_tokens,
            generated_tokens: 0,
            prompt_ms: 0.0,
            generate_ms: 0.0,
            prompt_tokens_per_s: 0.0,
            generate_tokens_per_s: 0.0,
            stop_reason: StopReason::Cancelled,
        }
    }
}

/// What the worker reports while it generates.
#[derive(Debug, Clone)]
pub enum GenEvent {
    /// The prompt was accepted (it fits in the context).
    Started { prompt_tokens: usize },
    /// Prompt processing: `done` of `total` prompt tokens evaluated.
    Progress { done: usize, total: usize },
    /// New visible text.
    Token(String),
    Done(GenStats),
    /// The generation failed; the engine stays usable.
    Error(Arc<CoreError>),
}

/// Stops a running generation from any thread.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// One running generation: its events and its cancel switch.
pub struct Generation {
    pub id: u64,
    pub events: tokio::sync::mpsc::UnboundedReceiver<GenEvent>,
    pub cancel: CancelToken,
}

/// The result of [`Generation::collect`].
#[derive(Debug, Clone, Serialize)]
pub struct Completion {
    pub text: String,
    pub stats: GenStats,
}

impl Generation {
    /// Blocks until the generation ends; `on_text` sees each piece as it streams.
    /// Not for async contexts: use `events` there.
    pub fn collect(mut self, mut on_text: impl FnMut(&str)) -> Result<Completion> {
        let mut text = String::new();
        while let Some(ev) = self.events.blocking_recv() {
            match ev {
                GenEvent::Token(t) => {
                    on_text(&t);
                    text.push_str(&t);
                }
                GenEvent::Done(stats) => return Ok(Completion { text, stats }),
                GenEvent::Error(e) => {
                    return Err(Arc::try_unwrap(e).unwrap_or_else(|shared| CoreError::Inference(shared.to_string())))
                }
                GenEvent::Started { .. } | GenEvent::Progress { .. } => {}
            }
        }
        Err(CoreError::EngineStopped)
    }
}

enum Command {
    Generate {
        tokens: Vec<LlamaToken>,
        params: SamplingParams,
        events: tokio::sync::mpsc::UnboundedSender<GenEvent>,
        cancel: CancelToken,
    },
    GenerateBatch {
        jobs: Vec<BatchJob>,
        cancel: CancelToken,
    },
}

/// One prompt of a batched generation.
struct BatchJob {
    tokens: Vec<LlamaToken>,
    params: SamplingParams,
    events: tokio::sync::mpsc::UnboundedSender<GenEvent>,
}

/// Handle to the inference worker. Cheap to share behind an `Arc`; dropping the last handle stops
/// the worker after its current request.
pub struct Engine {
    commands: mpsc::Sender<Command>,
    model: Arc<LlamaModel>,
    info: ModelInfo,
    next_id: AtomicU64,
}

/// llama.cpp's backend may be initialised once per process; everything in it shares this one.
pub fn backend() -> Result<&'static LlamaBackend> {
    static BACKEND: OnceLock<std::result::Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            // llama.cpp logs ~1,500 lines per load; they go to tracing (target `llama_cpp_2`)
            // where the subscriber's filter keeps them quiet unless asked for.
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| CoreError::Inference(e.clone()))
}

impl Engine {
    /// Loads the model (memory-mapped) and starts the worker. Blocking: call it off the UI thread.
    /// `on_progress` receives the load progress from 0 to 1.
    pub fn load(config: EngineConfig, on_progress: impl FnMut(f32) + Send + 'static) -> Result<Self> {
        let started = std::time::Instant::now();
        let path = config.model_path.clone();
        let gguf = probe(&path)?;
        let n_ctx_train = gguf.context_length.unwrap_or(2048);
        let n_ctx = config.n_ctx.unwrap_or_else(|| n_ctx_train.min(8192)).clamp(256, n_ctx_train.max(256));
        probe::check_memory(&gguf, n_ctx, config.memory_limit)?;

        let backend = backend()?;
        let mut on_progress = on_progress;
        let params = LlamaModelParams::default().with_use_mmap(true).with_progress_callback(move |p| {
            on_progress(p);
            true
        });
        let model = LlamaModel::load_from_file(backend, &path, &params).map_err(|e| {
            tracing::warn!(error = %e, "llama.cpp refused the model");
            CoreError::ModelCorrupt(path.clone())
        })?;
        let model = Arc::new(model);

        let threads = config.threads.unwrap_or_else(default_generation_threads).max(1);
        let threads_batch = config.threads_batch.or(config.threads).unwrap_or_else(default_batch_threads).max(1);
        let parallel = config.parallel.clamp(1, 16);
        let kind = if gguf.has_chat_template { ModelKind::Instruct } else { ModelKind::Base };
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let info = ModelInfo {
            name: gguf.name.clone().unwrap_or_else(|| file.clone()),
            file,
            path: path.clone(),
            architecture: gguf.architecture.clone(),
            kind,
            n_ctx,
            n_ctx_train,
            n_vocab: model.n_vocab(),
            threads,
            threads_batch,
            parallel: parallel as usize,
            load_ms: 0.0,
        };

        let (commands, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let worker_model = Arc::clone(&model);
        let settings = worker::Settings {
            n_ctx,
            n_batch: config.n_batch.clamp(32, n_ctx),
            threads,
            threads_batch,
            required_mb: gguf.required_memory(n_ctx) >> 20,
            reuse_prefix: config.reuse_prefix,
            n_seq_max: parallel,
        };
        std::thread::Builder::new()
            .name("schreibstube-llm".into())
            .spawn(move || worker::run(backend, &worker_model, settings, rx, ready_tx))
            .map_err(|e| CoreError::Inference(e.to_string()))?;
        ready_rx.recv().map_err(|_| CoreError::EngineStopped)??;

        let info = ModelInfo { load_ms: started.elapsed().as_secs_f64() * 1000.0, ..info };
        tracing::info!(file = %info.file, n_ctx, threads, threads_batch, load_ms = info.load_ms, "model loaded");
        Ok(Self { commands, model, info, next_id: AtomicU64::new(1) })
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Counts the tokens `text` takes (as a raw prompt, without special tokens).
    pub fn count_tokens(&self, text: &str) -> usize {
        self.model.vocab().tokenize(text.as_bytes(), false, false).len()
    }

    /// The exact text sent to the model for `prompt`: the chat template for instruct models, plain
    /// completion text for base models (and for templates llama.cpp does not know).
    pub fn render_prompt(&self, prompt: &Prompt) -> (String, bool) {
        match prompt {
            Prompt::Raw { text } => (text.clone(), false),
            Prompt::Chat { system, user } => {
                if let Some(rendered) = self.apply_template(system.as_deref(), user) {
                    return (rendered, true);
                }
                let text = match system {
                    Some(s) if !s.trim().is_empty() => format!("{}\n\n{}", s.trim_end(), user),
                    _ => user.clone(),
                };
                (text, false)
            }
        }
    }

    fn apply_template(&self, system: Option<&str>, user: &str) -> Option<String> {
        let template = self.model.chat_template(None).ok()?;
        let mut chat = Vec::new();
        if let Some(s) = system.filter(|s| !s.trim().is_empty()) {
            chat.push(LlamaChatMessage::new("system".into(), s.into()).ok()?);
        }
        chat.push(LlamaChatMessage::new("user".into(), user.into()).ok()?);
        match self.model.apply_chat_template(&template, &chat, true) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "chat template not supported by llama.cpp; using a plain prompt");
                None
            }
        }
    }

    /// Tokens the prompt will take, exactly as [`Self::generate`] counts them.
    pub fn prompt_tokens(&self, prompt: &Prompt) -> usize {
        let (text, templated) = self.render_prompt(prompt);
        worker::tokenize_prompt(&self.model, &text, templated).len()
    }

    /// Checks that the prompt plus `max_tokens` fit in the context, without generating.
    pub fn check_budget(&self, prompt: &Prompt, max_tokens: usize) -> Result<usize> {
        let n = self.prompt_tokens(prompt);
        budget(n, max_tokens, self.info.n_ctx as usize)?;
        Ok(n)
    }

    /// Starts a generation; events stream on the returned [`Generation`].
    /// The prompt is tokenised and checked against the context budget here, so that a prompt that
    /// does not fit fails at once with [`CoreError::ContextOverflow`].
    pub fn generate(&self, req: GenerateRequest) -> Result<Generation> {
        self.generate_with_cancel(req, CancelToken::default())
    }

    /// [`Self::generate`] with a cancel switch the caller already holds (a task that runs many
    /// generations stops all of them with one token).
    pub fn generate_with_cancel(&self, req: GenerateRequest, cancel: CancelToken) -> Result<Generation> {
        let tokens = self.prepare(&req)?;
        budget(tokens.len(), req.params.max_tokens, self.info.n_ctx as usize)?;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.commands
            .send(Command::Generate { tokens, params: req.params, events: tx, cancel: cancel.clone() })
            .map_err(|_| CoreError::EngineStopped)?;
        Ok(Generation { id: self.next_id.fetch_add(1, Ordering::Relaxed), events: rx, cancel })
    }

    /// Decodes several prompts as parallel sequences in shared batches (at most
    /// [`ModelInfo::parallel`]). Their common prefix is evaluated once. All of them together must
    /// fit the context: the shared prefix once, each one's own part and answer. Returns one
    /// [`Generation`] per prompt, in order; `cancel` stops them all.
    pub fn generate_batch(&self, reqs: Vec<GenerateRequest>, cancel: CancelToken) -> Result<Vec<Generation>> {
        let prompts = self.prepare_batch(&reqs)?;
        let mut jobs = Vec::with_capacity(reqs.len());
        let mut generations = Vec::with_capacity(reqs.len());
        for (tokens, req) in prompts.into_iter().zip(reqs) {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            generations.push(Generation { id: self.next_id.fetch_add(1, Ordering::Relaxed), events: rx, cancel: cancel.clone() });
            jobs.push(BatchJob { tokens, params: req.params, events: tx });
        }
        self.commands.send(Command::GenerateBatch { jobs, cancel }).map_err(|_| CoreError::EngineStopped)?;
        Ok(generations)
    }

    /// Whether [`Self::generate_batch`] would take these requests: not too many, each one valid,
    /// and all of them together within the context (the shared prefix once).
    pub fn batch_fits(&self, reqs: &[GenerateRequest]) -> bool {
        self.prepare_batch(reqs).is_ok()
    }

    /// Checks one request and tokenises its prompt: valid parameters, a prompt with text, and no
    /// more text than the context could ever take. The context budget is the caller's to check
    /// (one request alone, or a batch together).
    fn prepare(&self, req: &GenerateRequest) -> Result<Vec<LlamaToken>> {
        req.params.validate()?;
        let (text, templated) = self.render_prompt(&req.prompt);
        if text.trim().is_empty() {
            return Err(CoreError::EmptyPrompt);
        }
        let n_ctx = self.info.n_ctx as usize;
        // Tokens never outnumber bytes; this also keeps absurd inputs away from the tokeniser.
        if text.len() > 64 * n_ctx {
            return Err(CoreError::ContextOverflow { needed: text.len() / 4 + req.params.max_tokens, available: n_ctx });
        }
        Ok(worker::tokenize_prompt(&self.model, &text, templated))
    }

    /// [`Self::prepare`] for a batch, and its budget: the prompts' tokens, in order.
    fn prepare_batch(&self, reqs: &[GenerateRequest]) -> Result<Vec<Vec<LlamaToken>>> {
        if reqs.is_empty() || reqs.len() > self.info.parallel {
            return Err(CoreError::InvalidParameter(format!("höchstens {} Anfragen gemeinsam", self.info.parallel)));
        }
        let prompts = reqs.iter().map(|r| self.prepare(r)).collect::<Result<Vec<_>>>()?;
        budget(batch_cells(&prompts, reqs), 0, self.info.n_ctx as usize)?;
        Ok(prompts)
    }

    /// Convenience: generate and wait for the whole text (blocking).
    pub fn complete(&self, prompt: Prompt, params: SamplingParams) -> Result<Completion> {
        self.generate(GenerateRequest { prompt, params })?.collect(|_| {})
    }

    pub fn model_path(&self) -> &Path {
        &self.info.path
    }
}

/// Cache cells a batch of prompts (with their answers) needs: the prefix the worker shares
/// ([`worker::shared_prefix`]) once.
fn batch_cells(prompts: &[Vec<LlamaToken>], reqs: &[GenerateRequest]) -> usize {
    let prefix = worker::shared_prefix(prompts.iter().map(Vec::as_slice));
    prefix + prompts.iter().zip(reqs).map(|(p, r)| p.len() - prefix + r.params.max_tokens).sum::<usize>()
}

/// The context-budget rule: prompt and answer must both fit; nothing is cut silently.
pub(crate) fn budget(prompt_tokens: usize, max_tokens: usize, n_ctx: usize) -> Result<()> {
    let needed = prompt_tokens + max_tokens;
    if needed > n_ctx {
        return Err(CoreError::ContextOverflow { needed, available: n_ctx });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_counts_prompt_and_answer() {
        assert!(budget(100, 100, 200).is_ok());
        let err = budget(150, 100, 200).unwrap_err();
        assert_eq!(err.code(), "context_overflow");
        assert!(err.message_de().contains("250 Tokens"));
        assert!(err.message_de().contains("höchstens 200"));
    }

    #[test]
    fn batch_cells_count_the_prefix_the_worker_shares() {
        let t = |v: &[i32]| v.iter().map(|&i| LlamaToken::new(i)).collect::<Vec<_>>();
        let req = |max_tokens| GenerateRequest { prompt: Prompt::Raw { text: String::new() }, params: SamplingParams { max_tokens, ..Default::default() } };
        // 1, 2, 3 once; 4 and 5, 6 each; 10 + 20 answer tokens.
        assert_eq!(batch_cells(&[t(&[1, 2, 3, 4]), t(&[1, 2, 3, 5, 6])], &[req(10), req(20)]), 3 + 1 + 2 + 30);
        // The same prompt twice: each sequence evaluates its last token itself.
        assert_eq!(batch_cells(&[t(&[1, 2, 3]), t(&[1, 2, 3])], &[req(10), req(10)]), 2 + 1 + 1 + 20);
    }

    #[test]
    fn invalid_sampling_is_refused() {
        let p = SamplingParams { temperature: -1.0, ..Default::default() };
        assert_eq!(p.validate().unwrap_err().code(), "invalid_parameter");
        let p = SamplingParams { max_tokens: 0, ..Default::default() };
        assert!(p.validate().is_err());
        assert!(SamplingParams::default().validate().is_ok());
    }
}
