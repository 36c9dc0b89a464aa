//! Engine tests on the real default model (fetched by `make setup`).

use std::path::PathBuf;
use std::sync::OnceLock;

use schreibstube_core::llm::{Engine, EngineConfig, GenEvent, GenerateRequest, Prompt, SamplingParams, StopReason};
use schreibstube_core::models::{Manifest, ModelKind};

fn model_path() -> PathBuf {
    let manifest = Manifest::locate(None).expect("models/models.toml (run `make setup`)");
    let path = manifest.path_of(manifest.default_entry());
    assert!(path.is_file(), "default model missing at {} (run `make setup`)", path.display());
    path
}

/// One engine for the generation tests: they queue on its worker like the app's requests do.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = EngineConfig::new(model_path());
        config.n_ctx = Some(4096);
        Engine::load(config, |_| {}).expect("default model loads")
    })
}

fn raw(text: &str) -> Prompt {
    Prompt::Raw { text: text.into() }
}

const LETTER: &str = "Sehr geehrte Frau Müller,\n\nvielen Dank für Ihren Antrag auf Wohngeld vom 3. November 2026. Wir haben Ihre Unterlagen erhalten und";

#[test]
fn loads_the_default_model_as_a_base_model() {
    let info = engine().info();
    assert_eq!(info.kind, ModelKind::Base, "Gemma 3 270M has no chat template");
    assert_eq!(info.architecture, "gemma3");
    assert_eq!(info.n_vocab, 262_144);
    assert_eq!(info.n_ctx, 4096);
    assert!(info.threads >= 1);
    // A base model gets a plain completion prompt, not a chat template.
    let (text, templated) = engine().render_prompt(&Prompt::Chat { system: Some("Antworte knapp.".into()), user: "Was ist ein Bescheid?".into() });
    assert_eq!(text, "Antworte knapp.\n\nWas ist ein Bescheid?");
    assert!(!templated);
}

#[test]
fn same_seed_gives_the_same_32_tokens() {
    let params = SamplingParams { max_tokens: 32, temperature: 0.9, seed: Some(4711), ..Default::default() };
    let a = engine().complete(raw(LETTER), params.clone()).unwrap();
    let b = engine().complete(raw(LETTER), params).unwrap();
    assert_eq!(a.stats.generated_tokens, 32, "stopped early: {:?}", a.stats.stop_reason);
    assert_eq!(a.stats.stop_reason, StopReason::MaxTokens);
    assert!(!a.text.trim().is_empty());
    assert_eq!(a.text, b.text);
    assert_eq!(a.stats.generated_tokens, b.stats.generated_tokens);
    assert!(a.stats.prompt_tokens > 20 && a.stats.generate_tokens_per_s > 0.0);
}

#[test]
fn greedy_is_deterministic_without_a_seed() {
    let params = SamplingParams { max_tokens: 16, temperature: 0.0, ..Default::default() };
    let a = engine().complete(raw(LETTER), params.clone()).unwrap();
    let b = engine().complete(raw(LETTER), params).unwrap();
    assert_eq!(a.text, b.text);
    assert!(!a.text.is_empty());
}

#[test]
fn cancel_stops_a_long_generation_early() {
    let params = SamplingParams { max_tokens: 3000, temperature: 0.8, seed: Some(1), repeat_penalty: 1.0, ..Default::default() };
    let mut generation = engine().generate(GenerateRequest { prompt: raw(LETTER), params }).unwrap();
    let cancel = generation.cancel.clone();
    let mut pieces = 0;
    let mut pieces_after_cancel = 0;
    let stats = loop {
        match generation.events.blocking_recv().expect("worker answers") {
            GenEvent::Token(_) => {
                pieces += 1;
                if pieces == 5 {
                    cancel.cancel();
                } else if pieces > 5 {
                    pieces_after_cancel += 1;
                }
            }
            GenEvent::Done(stats) => break stats,
            GenEvent::Error(e) => panic!("{e}"),
            _ => {}
        }
    };
    assert_eq!(stats.stop_reason, StopReason::Cancelled);
    assert!(stats.generated_tokens < 100, "generated {} tokens after cancel", stats.generated_tokens);
    // Pieces already queued may still arrive, but the worker stops within a token of seeing the flag.
    assert!(pieces_after_cancel <= stats.generated_tokens);
}

#[test]
fn a_prompt_over_the_context_budget_is_refused_with_a_german_message() {
    let long = "Die Gemeinde prüft den Antrag sorgfältig. ".repeat(600);
    let params = SamplingParams { max_tokens: 64, ..Default::default() };
    let err = engine().generate(GenerateRequest { prompt: raw(&long), params }).err().expect("too long");
    assert_eq!(err.code(), "context_overflow");
    assert!(err.message_de().contains("zu lang"), "{}", err.message_de());
    // The engine stays usable afterwards.
    let ok = engine().complete(raw(LETTER), SamplingParams { max_tokens: 4, temperature: 0.0, ..Default::default() });
    assert_eq!(ok.unwrap().stats.generated_tokens, 4);
}

#[test]
fn budget_check_counts_the_answer_too() {
    let n = engine().check_budget(&raw(LETTER), 10).unwrap();
    assert_eq!(n, engine().prompt_tokens(&raw(LETTER)));
    let err = engine().check_budget(&raw(LETTER), 4096).unwrap_err();
    assert_eq!(err.code(), "context_overflow");
}

#[test]
fn stop_strings_end_the_generation_and_are_not_shown() {
    let params = SamplingParams { max_tokens: 200, temperature: 0.0, stop: vec![".".into()], ..Default::default() };
    let out = engine().complete(raw(LETTER), params).unwrap();
    assert_eq!(out.stats.stop_reason, StopReason::StopString, "text: {:?}", out.text);
    assert!(!out.text.contains('.'));
}

#[test]
fn an_empty_prompt_is_refused() {
    let err = engine().generate(GenerateRequest { prompt: raw("   \n"), params: SamplingParams::default() }).err().unwrap();
    assert_eq!(err.code(), "empty_prompt");
}

#[test]
fn a_truncated_gguf_gives_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(model_path()).unwrap();
    let cut = dir.path().join("abgeschnitten.gguf");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = Engine::load(EngineConfig::new(&cut), |_| {}).err().expect("must fail");
    assert_eq!(err.code(), "model_corrupt");
    assert!(err.message_de().contains("beschädigt oder unvollständig"));
    // Cut inside the header as well.
    std::fs::write(&cut, &bytes[..64]).unwrap();
    assert_eq!(Engine::load(EngineConfig::new(&cut), |_| {}).err().unwrap().code(), "model_corrupt");
}

#[test]
fn random_bytes_named_gguf_give_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("modell.gguf");
    let bytes: Vec<u8> = (0..1_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&junk, bytes).unwrap();
    let err = Engine::load(EngineConfig::new(&junk), |_| {}).err().expect("must fail");
    assert_eq!(err.code(), "model_not_gguf");
    assert!(err.message_de().contains("keine GGUF-Modelldatei"));
    std::fs::write(&junk, b"").unwrap();
    assert_eq!(Engine::load(EngineConfig::new(&junk), |_| {}).err().unwrap().code(), "model_not_gguf");
}

#[test]
fn a_missing_model_gives_a_typed_error() {
    let err = Engine::load(EngineConfig::new("/nonexistent/modell.gguf"), |_| {}).err().unwrap();
    assert_eq!(err.code(), "model_not_found");
}

#[test]
fn a_model_too_big_for_memory_is_refused_before_loading() {
    let mut config = EngineConfig::new(model_path());
    config.memory_limit = Some(100 << 20);
    let err = Engine::load(config, |_| {}).err().expect("must not load");
    assert_eq!(err.code(), "model_too_large");
    assert!(err.message_de().contains("Arbeitsspeicher"), "{}", err.message_de());
}

#[test]
fn load_reports_progress_to_completion() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let mut config = EngineConfig::new(model_path());
    config.n_ctx = Some(512);
    let engine = Engine::load(config, move |p| sink.lock().unwrap().push(p)).unwrap();
    let seen = seen.lock().unwrap();
    assert!(!seen.is_empty());
    assert!((seen.last().unwrap() - 1.0).abs() < 1e-6, "last progress {:?}", seen.last());
    assert!(engine.info().load_ms > 0.0);
}
