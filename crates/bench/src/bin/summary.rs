//! `schreibstube-bench-summary` (part of `make bench`): the case-file summary on a generated
//! 30-page German PDF, on the real engine and the default model.
//!
//! Reports per run: chunks, total time, prompt tokens and how many came from the cache of the
//! shared instruction prefix, the summary's prompt throughput (all prompt tokens it covered per
//! second of wall time) against the engine's raw prefill rate, and the time with prefix reuse
//! against the time without. Every run is greedy; still, with and without reuse the generated
//! token counts can differ a little: llama.cpp's sums depend on how a prompt is split into
//! batches, and a near-tie between two tokens can then go either way.
//!
//! Each run loads its engine in a process of its own (`--run`), as `schreibstube-bench` does:
//! two engines in one process slow each other.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;
use schreibstube_core::documents::{self, ExtractOptions};
use schreibstube_core::llm::{CancelToken, Engine, EngineConfig, Prompt, SamplingParams};
use schreibstube_core::models::Manifest;
use schreibstube_core::tasks::summarize::{self, ModelRef, SummaryOptions};
use serde::{Deserialize, Serialize};

#[derive(Parser)]
#[command(about = "Case-file summary on a generated 30-page PDF: throughput and prompt-prefix reuse")]
struct Args {
    /// The PDF (default: bench/out/akte-30.pdf, written by tests/fixtures/make-akte.py)
    #[arg(long)]
    pdf: Option<PathBuf>,
    #[arg(long)]
    model: Option<PathBuf>,
    /// Also write the figures as JSON to this file
    #[arg(long)]
    json: Option<PathBuf>,
    /// Internal: one run in this process, printed as JSON: "batched:CHUNK", "sequential:CHUNK"
    /// (prefix reuse on, chunks one at a time) or "noreuse:CHUNK" (one at a time, reuse off)
    #[arg(long, hide = true)]
    run: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct RunFigures {
    reuse: bool,
    batched: bool,
    chunk_tokens: usize,
    chunks: usize,
    pages_read: usize,
    pages_total: usize,
    total_s: f64,
    map_s: f64,
    reduce_s: f64,
    prompt_tokens: usize,
    cached_tokens: usize,
    generated_tokens: usize,
    /// All prompt tokens the summary covered, per second of its wall time.
    summary_prompt_tokens_per_s: f64,
    /// The same engine's prompt processing on one 512-token prompt, cache off.
    raw_prefill_tokens_per_s: f64,
}

fn main() {
    let a = Args::parse();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let model = a.model.clone().unwrap_or_else(|| {
        let m = Manifest::locate(None).expect("models/models.toml (run `make setup`)");
        m.path_of(m.default_entry())
    });
    let pdf = a.pdf.clone().unwrap_or_else(|| {
        let out = root.join("bench/out/akte-30.pdf");
        std::fs::create_dir_all(out.parent().unwrap()).expect("bench/out");
        let ok = Command::new("python3")
            .arg(root.join("tests/fixtures/make-akte.py"))
            .arg(&out)
            .args(["--pages", "30"])
            .status()
            .expect("python3 for tests/fixtures/make-akte.py");
        assert!(ok.success(), "make-akte.py failed");
        out
    });
    if let Some(spec) = &a.run {
        let (mode, chunk) = spec.split_once(':').expect("MODE:CHUNK");
        let figures = one_run(&model, &pdf, mode != "noreuse", mode == "batched", chunk.parse().expect("chunk tokens"));
        println!("{}", serde_json::to_string(&figures).unwrap());
        return;
    }

    let mut all = Vec::new();
    for chunk in [1500, 400] {
        for mode in ["batched", "sequential", "noreuse"] {
            eprintln!("bench-summary: {mode}, chunks of {chunk} tokens");
            let out = Command::new(std::env::current_exe().unwrap())
                .args(["--run", &format!("{mode}:{chunk}"), "--pdf"])
                .arg(&pdf)
                .arg("--model")
                .arg(&model)
                .output()
                .expect("a run");
            assert!(out.status.success(), "run failed: {}", String::from_utf8_lossy(&out.stderr));
            all.push(serde_json::from_slice::<RunFigures>(&out.stdout).expect("run JSON"));
        }
    }

    println!("## Case-file summary, generated 30-page PDF ({})\n", pdf.file_name().unwrap().to_string_lossy());
    println!("| chunk tokens | map step | prefix reuse | chunks | pages read | total s | map s | prompt tokens | from cache | generated | summary prompt tok/s | raw prefill tok/s | ratio |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &all {
        println!(
            "| {} | {} | {} | {} | {}/{} | {:.1} | {:.1} | {} | {} | {} | {:.0} | {:.0} | {:.2} |",
            r.chunk_tokens,
            if r.batched { "batched" } else { "one by one" },
            if r.reuse { "on" } else { "off" },
            r.chunks,
            r.pages_read,
            r.pages_total,
            r.total_s,
            r.map_s,
            r.prompt_tokens,
            r.cached_tokens,
            r.generated_tokens,
            r.summary_prompt_tokens_per_s,
            r.raw_prefill_tokens_per_s,
            r.summary_prompt_tokens_per_s / r.raw_prefill_tokens_per_s
        );
    }
    println!();
    for triple in all.chunks(3) {
        if let [batched, seq, off] = triple {
            println!(
                "Chunks of {} tokens: map step batched {:.1} s vs one by one {:.1} s ({:.2}× the throughput); prefix reuse {:.1} s vs {:.1} s without ({:.0} % saved; {} of {} prompt tokens from the cache).",
                batched.chunk_tokens,
                batched.map_s,
                seq.map_s,
                seq.map_s / batched.map_s,
                seq.total_s,
                off.total_s,
                100.0 * (1.0 - seq.total_s / off.total_s),
                seq.cached_tokens,
                seq.prompt_tokens
            );
        }
    }
    if let Some(path) = &a.json {
        std::fs::write(path, serde_json::to_string_pretty(&all).unwrap()).expect("write JSON");
    }
}

fn one_run(model: &Path, pdf: &Path, reuse: bool, batched: bool, chunk_tokens: usize) -> RunFigures {
    let doc = documents::extract_file(pdf, &ExtractOptions::default()).expect("the PDF reads");
    let mut config = EngineConfig::new(model);
    config.reuse_prefix = reuse;
    let engine = Engine::load(config, |_| {}).expect("engine");
    // The raw prefill rate of this engine: 512 tokens of the document's own text, cache off.
    let text = doc.text();
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut n = 400.min(words.len());
    let raw = loop {
        let p = Prompt::Raw { text: words[..n].join(" ") };
        let tokens = engine.prompt_tokens(&p);
        if tokens >= 512 || n == words.len() {
            break p;
        }
        n = (n + 50).min(words.len());
    };
    let prefill = SamplingParams { max_tokens: 1, temperature: 0.0, ..SamplingParams::default() };
    let _ = engine.complete(raw.clone(), prefill.clone());
    let raw_rate = engine.complete(Prompt::Raw { text: format!("Neu: {}", words[..n].join(" ")) }, prefill).expect("prefill").stats.prompt_tokens_per_s;

    let info = engine.info();
    let model_ref = ModelRef { name: info.name.clone(), file: info.file.clone(), sha256: String::new() };
    let opts = SummaryOptions { chunk_tokens: Some(chunk_tokens), temperature: 0.0, parallel: batched, ..SummaryOptions::default() };
    let r = summarize::summarize(&engine, model_ref, std::slice::from_ref(&doc), Vec::new(), &opts, &CancelToken::default(), |_| {})
        .expect("summary");
    let total_s = r.timings.total_ms / 1000.0;
    RunFigures {
        reuse,
        batched,
        chunk_tokens,
        chunks: r.coverage.chunks_total,
        pages_read: r.coverage.pages_read,
        pages_total: r.coverage.pages_total,
        total_s,
        map_s: r.timings.map_ms / 1000.0,
        reduce_s: r.timings.reduce_ms / 1000.0,
        prompt_tokens: r.timings.prompt_tokens,
        cached_tokens: r.timings.cached_tokens,
        generated_tokens: r.timings.generated_tokens,
        summary_prompt_tokens_per_s: r.timings.prompt_tokens as f64 / total_s,
        raw_prefill_tokens_per_s: raw_rate,
    }
}
