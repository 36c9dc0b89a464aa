//! `make bench`: the engine against a C++ program on the same compiled llama.cpp, by llama-bench's
//! method (random tokens, prompt of 512 in one batch, 128 generated, 1 warm-up, 5 repetitions, KV
//! memory cleared before each run, same thread count), then the app's real generation path
//! (sampling, detokenising, event streaming), then all of it beside a busy background process.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Instant;

use clap::Parser;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;
use schreibstube_core::llm::{self, Engine, EngineConfig, Prompt, SamplingParams};
use schreibstube_core::models::Manifest;
use serde::{Deserialize, Serialize};

#[derive(Parser)]
#[command(about = "Engine vs. C++ reference on the same llama.cpp build")]
struct Args {
    /// Threads for both sides (default: the physical cores)
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long, default_value_t = 512)]
    n_prompt: usize,
    #[arg(long, default_value_t = 128)]
    n_gen: usize,
    #[arg(long, default_value_t = 5)]
    reps: usize,
    #[arg(long)]
    model: Option<PathBuf>,
    /// Skip the runs beside a background CPU load
    #[arg(long)]
    no_load: bool,
    /// Also write the figures as JSON to this file
    #[arg(long)]
    json: Option<PathBuf>,
    /// Internal: run one side and print its JSON. Every side runs in a process of its own, like
    /// the reference: two engines in one process measurably slow each other (their OpenMP teams).
    #[arg(long, hide = true)]
    side: Option<Side>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Side {
    Bindings,
    Real,
    RealDefault,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
struct Runs {
    load_ms: f64,
    pp: Vec<f64>,
    tg: Vec<f64>,
    peak_rss_kb: i64,
    #[serde(default)]
    threads: usize,
    #[serde(default)]
    threads_batch: usize,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn stddev(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len().max(2) - 1) as f64).sqrt()
}

fn fmt(v: &[f64]) -> String {
    if v.is_empty() {
        return "–".into();
    }
    format!("{:.1} ± {:.1}", mean(v), stddev(v))
}

fn reference(model: &Path, threads: usize, a: &Args) -> Runs {
    let out = Command::new(env!("LLAMA_REFERENCE_BIN"))
        .arg(model)
        .args([threads, a.n_prompt, a.n_gen, a.reps].map(|n| n.to_string()))
        .output()
        .expect("run the C++ reference");
    assert!(out.status.success(), "reference failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("reference JSON")
}

/// The same method as the reference, through the Rust bindings the engine uses.
fn bindings(model_path: &Path, threads: usize, a: &Args) -> Runs {
    let backend = llm::backend().expect("llama backend");
    let t0 = Instant::now();
    let model = LlamaModel::load_from_file(backend, model_path, &LlamaModelParams::default()).expect("model");
    let load_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new((a.n_prompt + a.n_gen) as u32))
        .with_n_batch(a.n_prompt as u32)
        .with_n_ubatch(a.n_prompt as u32)
        .with_n_threads(threads as i32)
        .with_n_threads_batch(threads as i32);
    let mut ctx = model.new_context(backend, params).expect("context");
    let n_vocab = model.n_vocab() as u64;
    let bos = model.vocab().bos();
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        LlamaToken((rng % n_vocab) as i32)
    };
    let mut batch = LlamaBatch::new(a.n_prompt, 1);
    let mut prompt_run = |ctx: &mut llama_cpp_2::context::LlamaContext, batch: &mut LlamaBatch| {
        ctx.clear_kv_cache();
        batch.clear();
        for i in 0..a.n_prompt {
            let tok = if i == 0 { bos } else { next() };
            batch.add(tok, i as i32, &[0], i + 1 == a.n_prompt).unwrap();
        }
        ctx.decode(batch).unwrap();
    };
    let gen_run = |ctx: &mut llama_cpp_2::context::LlamaContext, batch: &mut LlamaBatch, n: usize, next: &mut dyn FnMut() -> LlamaToken| {
        ctx.clear_kv_cache();
        let mut tok = bos;
        for i in 0..n {
            batch.clear();
            batch.add(tok, i as i32, &[0], true).unwrap();
            ctx.decode(batch).unwrap();
            tok = next();
        }
    };
    prompt_run(&mut ctx, &mut batch);
    let mut next2 = {
        let mut r = 0x9e37_79b9_7f4a_7c15_u64;
        move || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            LlamaToken((r % n_vocab) as i32)
        }
    };
    gen_run(&mut ctx, &mut batch, 1, &mut next2);
    let mut runs = Runs { load_ms, ..Default::default() };
    for _ in 0..a.reps {
        let t = Instant::now();
        prompt_run(&mut ctx, &mut batch);
        runs.pp.push(a.n_prompt as f64 / t.elapsed().as_secs_f64());
    }
    for _ in 0..a.reps {
        let t = Instant::now();
        gen_run(&mut ctx, &mut batch, a.n_gen, &mut next2);
        runs.tg.push(a.n_gen as f64 / t.elapsed().as_secs_f64());
    }
    runs
}

fn side_in_own_process(side: &str, model: &Path, threads: usize, a: &Args) -> Runs {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--side", side, "--model"])
        .arg(model)
        .args(["--threads", &threads.to_string(), "--n-prompt", &a.n_prompt.to_string()])
        .args(["--n-gen", &a.n_gen.to_string(), "--reps", &a.reps.to_string()])
        .output()
        .expect("run a benchmark side");
    assert!(out.status.success(), "side {side} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("side JSON")
}

/// One side of the benchmark, in this process (called with `--side`).
fn run_side(side: Side, model: &Path, threads: usize, a: &Args) -> Runs {
    let n_ctx = (a.n_prompt + a.n_gen + 64) as u32;
    let mut runs = match side {
        Side::Bindings => Runs { threads, threads_batch: threads, ..bindings(model, threads, a) },
        Side::Real | Side::RealDefault => {
            let (t, tb) = match side {
                Side::Real => (Some(threads), Some(threads)),
                _ => (None, None),
            };
            let engine = load_engine(model, t, tb, n_ctx);
            let prompt = prompt_of(&engine, a.n_prompt);
            Runs { threads: engine.info().threads, threads_batch: engine.info().threads_batch, ..real_path(&engine, a, &prompt) }
        }
    };
    runs.peak_rss_kb = peak_rss_kb();
    runs
}

/// A German prompt of about `n` tokens for the real path (it takes text, not token ids).
fn prompt_of(engine: &Engine, n: usize) -> Prompt {
    let sample = "Sehr geehrte Damen und Herren, die Stadtverwaltung bestätigt den Eingang Ihres Antrags vom 3. November 2026 und bittet um Nachreichung der Gehaltsnachweise. ";
    let words: Vec<&str> = sample.repeat(n / 10 + 10).leak().split(' ').collect();
    let mut lo = 1;
    let mut hi = words.len();
    while lo < hi {
        let mid = (lo + hi) / 2;
        let p = Prompt::Raw { text: words[..mid].join(" ") };
        if engine.prompt_tokens(&p) < n {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Prompt::Raw { text: words[..lo].join(" ") }
}

/// The app's real generation path: Engine::generate with the app's sampling defaults, text
/// streaming through the event channel. As in llama-bench, prefill and generation are separate
/// runs: the prompt run evaluates `n_prompt` tokens, the generation run starts from an almost
/// empty context (the reference's tg starts at position 0 too).
fn real_path(engine: &Engine, a: &Args, prompt: &Prompt) -> Runs {
    let prefill = SamplingParams { max_tokens: 1, seed: Some(42), ..Default::default() };
    let generation = SamplingParams { max_tokens: a.n_gen + 1, seed: Some(42), ignore_eog: true, ..Default::default() };
    let short = Prompt::Raw { text: "Sehr".into() };
    let run = |p: &Prompt, s: &SamplingParams| engine.complete(p.clone(), s.clone()).expect("generation");
    run(prompt, &prefill); // warm-up
    run(&short, &generation);
    let mut runs = Runs { load_ms: engine.info().load_ms, ..Default::default() };
    for _ in 0..a.reps {
        runs.pp.push(run(prompt, &prefill).stats.prompt_tokens_per_s);
    }
    for _ in 0..a.reps {
        let c = run(&short, &generation);
        // n_gen + 1 tokens sampled = n_gen decodes, as in the reference's tg run; the extra sample
        // and its detokenising count against the engine.
        runs.tg.push((c.stats.generated_tokens - 1) as f64 / (c.stats.generate_ms / 1000.0));
    }
    runs
}

fn load_engine(model: &Path, threads: Option<usize>, threads_batch: Option<usize>, n_ctx: u32) -> Engine {
    let mut config = EngineConfig::new(model);
    config.threads = threads;
    config.threads_batch = threads_batch;
    // Every prompt run evaluates all its tokens, as llama-bench's do.
    config.reuse_prefix = false;
    config.n_ctx = Some(n_ctx);
    Engine::load(config, |_| {}).expect("engine")
}

fn peak_rss_kb() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l[6..].trim().trim_end_matches(" kB").parse().ok()))
        .unwrap_or(-1)
}

/// One core kept busy by another process, as on a staff PC with a scan or a build running.
struct BusyCore(Child);

impl BusyCore {
    fn start() -> Self {
        Self(Command::new("sh").args(["-c", "while :; do :; done"]).spawn().expect("background load"))
    }
}

impl Drop for BusyCore {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let a = Args::parse();
    let threads = a.threads.unwrap_or_else(llm::physical_cores);
    let model = a.model.clone().unwrap_or_else(|| {
        let m = Manifest::locate(None).expect("models/models.toml (run make setup)");
        m.path_of(m.default_entry())
    });
    if let Some(side) = a.side {
        println!("{}", serde_json::to_string(&run_side(side, &model, threads, &a)).unwrap());
        return;
    }
    eprintln!("bench: model {}, {threads} threads, pp{} tg{}, {} reps", model.display(), a.n_prompt, a.n_gen, a.reps);
    let all_sides = || {
        eprintln!("bench:   C++ reference …");
        let r = reference(&model, threads, &a);
        eprintln!("bench:   engine, real path …");
        let e = side_in_own_process("real", &model, threads, &a);
        eprintln!("bench:   engine, real path with the app's default threads …");
        let d = side_in_own_process("real-default", &model, threads, &a);
        (r, e, d)
    };
    eprintln!("bench: idle machine");
    let (reference_idle, real_idle, real_default_idle) = all_sides();
    eprintln!("bench:   engine bindings with the reference's method …");
    let bindings_idle = side_in_own_process("bindings", &model, threads, &a);
    let engine_rss = real_idle.peak_rss_kb;
    let default_threads = (real_default_idle.threads, real_default_idle.threads_batch);

    let loaded = (!a.no_load).then(|| {
        eprintln!("bench: beside one busy process");
        let _busy = BusyCore::start();
        let one = all_sides();
        eprintln!("bench: beside two busy processes");
        let _busy2 = BusyCore::start();
        let two = all_sides();
        [one, two]
    });

    let ratio = |x: &[f64], y: &[f64]| mean(x) / mean(y);
    println!("\n## make bench — {} ({} threads, pp{} / tg{}, {} reps, 1 warm-up)\n", model.file_name().unwrap().to_string_lossy(), threads, a.n_prompt, a.n_gen, a.reps);
    println!("| side | prefill tok/s | generation tok/s | prefill ratio | generation ratio |");
    println!("|---|---|---|---|---|");
    println!("| C++ reference (llama.h, same static libllama) | {} | {} | 1.00 | 1.00 |", fmt(&reference_idle.pp), fmt(&reference_idle.tg));
    println!(
        "| engine bindings, reference method (llama-cpp-2) | {} | {} | {:.3} | {:.3} |",
        fmt(&bindings_idle.pp), fmt(&bindings_idle.tg), ratio(&bindings_idle.pp, &reference_idle.pp), ratio(&bindings_idle.tg, &reference_idle.tg)
    );
    println!(
        "| engine real path (Engine::generate: sampling, detokenising, events) | {} | {} | {:.3} | {:.3} |",
        fmt(&real_idle.pp), fmt(&real_idle.tg), ratio(&real_idle.pp, &reference_idle.pp), ratio(&real_idle.tg, &reference_idle.tg)
    );
    println!(
        "| engine real path, app default threads (gen {}, batch {}) | {} | {} | {:.3} | {:.3} |",
        default_threads.0, default_threads.1, fmt(&real_default_idle.pp), fmt(&real_default_idle.tg),
        ratio(&real_default_idle.pp, &reference_idle.pp), ratio(&real_default_idle.tg, &reference_idle.tg)
    );
    if let Some(scenarios) = &loaded {
        println!("\n### Beside a background CPU load (`while :; do :; done` shells)\n");
        println!("| background load | side | generation tok/s | vs. the same side idle |");
        println!("|---|---|---|---|");
        for ((r, e, d), label) in scenarios.iter().zip(["1 busy process", "2 busy processes"]) {
            println!("| {label} | C++ reference, {threads} threads | {} | {:.2} |", fmt(&r.tg), ratio(&r.tg, &reference_idle.tg));
            println!("| {label} | engine real path, {threads} threads | {} | {:.2} |", fmt(&e.tg), ratio(&e.tg, &real_idle.tg));
            println!("| {label} | engine real path, app default (gen {}) | {} | {:.2} |", default_threads.0, fmt(&d.tg), ratio(&d.tg, &real_default_idle.tg));
        }
    }
    println!("\n| | reference | engine |");
    println!("|---|---|---|");
    println!("| model load ms | {:.0} | {:.0} (probe + load + context) |", reference_idle.load_ms, real_idle.load_ms);
    println!("| peak RSS MB | {:.0} | {:.0} |", reference_idle.peak_rss_kb as f64 / 1024.0, engine_rss as f64 / 1024.0);
    println!("\nBuild flags, both sides (llama-cpp-sys-2's CMake cache): {}", env!("LLAMA_BUILD_FLAGS"));
    println!("Rust: RUSTFLAGS=\"{}\"; reference: c++ -O2, linked against the same libllama.a/libggml*.a", option_env!("BENCH_RUSTFLAGS").unwrap_or("-C target-cpu=native"));

    if let Some(path) = &a.json {
        let json = serde_json::json!({
            "threads": threads, "reference": reference_idle, "bindings": bindings_idle, "real_path": real_idle,
            "real_path_default_threads": real_default_idle, "default_threads": default_threads,
            "loaded": loaded.as_ref().map(|s| s.iter().map(|(r, e, d)| serde_json::json!({"reference": r, "real_path": e, "real_path_default_threads": d})).collect::<Vec<_>>()),
            "engine_peak_rss_kb": engine_rss,
        });
        std::fs::write(path, serde_json::to_vec_pretty(&json).unwrap()).expect("write JSON");
    }
}
