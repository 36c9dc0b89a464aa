//! Summaries of whole case files on the real default model and real files
//! (`assets/samples/akte-bauantrag.pdf`, six pages with known facts on known pages; written by
//! `tests/fixtures/make-akte.py`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use schreibstube_core::documents::{self, Document, ExtractOptions};
use schreibstube_core::llm::{CancelToken, Engine, EngineConfig, Prompt, SamplingParams};
use schreibstube_core::models::Manifest;
use schreibstube_core::tasks::facts::FactKind;
use schreibstube_core::tasks::summarize::{self, Length, SummaryEvent, SummaryOptions, SummaryResult};

mod common;
use common::{engine, model_ref};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/samples").join(name)
}

fn akte() -> Document {
    documents::extract_file(fixture("akte-bauantrag.pdf"), &ExtractOptions::default()).expect("fixture reads")
}

fn run(docs: &[Document], opts: &SummaryOptions, cancel: &CancelToken, on_event: impl FnMut(SummaryEvent)) -> SummaryResult {
    summarize::summarize(engine(), model_ref(), docs, Vec::new(), opts, cancel, on_event).expect("summary")
}

fn pages_of(result: &SummaryResult, kind: FactKind, normalized: &str) -> BTreeSet<u32> {
    let fact = result
        .facts
        .iter()
        .find(|f| f.kind == kind && f.normalized == normalized)
        .unwrap_or_else(|| panic!("fact {kind:?} {normalized} missing; facts: {:#?}", result.facts));
    fact.sources.iter().filter_map(|p| p.page).collect()
}

#[test]
fn whole_file_is_read_facts_are_on_their_pages_and_citations_hold() {
    let doc = akte();
    let opts = SummaryOptions { chunk_tokens: Some(90), ..SummaryOptions::default() };
    let mut partials = 0;
    let mut progress_seen = 0;
    let result = run(std::slice::from_ref(&doc), &opts, &CancelToken::default(), |ev| match ev {
        SummaryEvent::Partial { .. } => partials += 1,
        SummaryEvent::Progress(_) => progress_seen += 1,
        SummaryEvent::Token { .. } => {}
    });

    // Every page read, in several chunks, the instructions evaluated once and reused.
    assert_eq!(result.coverage.pages_total, 6);
    assert_eq!(result.coverage.pages_read, 6, "{}", result.coverage.label_de());
    assert_eq!(result.coverage.label_de(), "6 von 6 Seiten gelesen");
    assert!(result.coverage.chunks_total > 1, "small chunks force map and reduce");
    assert_eq!(result.coverage.chunks_read, result.coverage.chunks_total);
    assert_eq!(partials, result.coverage.chunks_total);
    assert!(progress_seen > result.coverage.chunks_total);
    assert!(!result.cancelled);
    assert!(result.timings.cached_tokens > 0, "prompt prefix reused: {:?}", result.timings);
    assert_eq!(result.mark, "KI-Entwurf – bitte prüfen");

    // Deterministic facts, each on the right page.
    let p = |kind, value| pages_of(&result, kind, value);
    assert_eq!(p(FactKind::Aktenzeichen, "ba-2025-0815"), BTreeSet::from([1]));
    assert_eq!(p(FactKind::Datum, "2025-02-03"), BTreeSet::from([1]));
    assert_eq!(p(FactKind::Betrag, "1250.00"), BTreeSet::from([3]));
    assert_eq!(p(FactKind::Frist, "2025-03-15"), BTreeSet::from([3]));
    assert_eq!(p(FactKind::Iban, "DE89370400440532013000"), BTreeSet::from([3]));
    assert_eq!(p(FactKind::Datum, "2025-02-20"), BTreeSet::from([4]));
    assert_eq!(p(FactKind::Frist, "innerhalb von zwei wochen"), BTreeSet::from([5]));
    assert_eq!(p(FactKind::Telefon, "06212934567"), BTreeSet::from([5]));
    assert_eq!(p(FactKind::Email, "bauaufsicht@musterstadt.de"), BTreeSet::from([5]));
    assert_eq!(p(FactKind::Frist, "2025-04-30"), BTreeSet::from([6]));
    assert_eq!(p(FactKind::Beteiligter, "erika musterfrau"), BTreeSet::from([1, 2]));
    assert_eq!(p(FactKind::Beteiligter, "peter schulz"), BTreeSet::from([4]));
    assert!(result.facts.iter().any(|f| f.kind == FactKind::Forderung && f.sources[0].page == Some(4)));

    // Every citation points at a block that exists, on a page that exists; a cited sentence's
    // figures that the checker did not flag stand in at least one of its cited blocks.
    for s in &result.sentences {
        assert_eq!(s.supported, !s.sources.is_empty());
        for pos in &s.sources {
            let block = doc.blocks.iter().find(|b| &b.position == pos).expect("cited block exists");
            assert!((1..=6).contains(&block.position.page.unwrap()));
        }
        for f in schreibstube_core::tasks::facts::scan(&s.text) {
            let flagged = result.unsupported.iter().any(|u| u.text == f.value);
            if !flagged && !s.sources.is_empty() {
                let cited: Vec<_> = s.sources.iter().map(|p| doc.blocks.iter().find(|b| &b.position == p).unwrap()).collect();
                let in_cited = cited.iter().any(|b| {
                    schreibstube_core::tasks::facts::scan(&b.text).iter().any(|g| g.normalized == f.normalized)
                });
                assert!(in_cited, "sentence figure {:?} not in its cited blocks", f.value);
            }
        }
    }
    // The summary is the sentences' text; what the checker flagged really is in no source.
    let all_text = doc.text();
    for u in &result.unsupported {
        let in_source = if u.text.contains(char::is_whitespace) {
            all_text.contains(&u.text)
        } else {
            all_text.split_whitespace().any(|w| w.trim_matches(|c: char| !c.is_alphanumeric()) == u.text)
        };
        assert!(!in_source, "flagged {:?} although a source has it", u.text);
    }
}

#[test]
fn cancel_mid_way_returns_the_partial_result() {
    let doc = akte();
    let cancel = CancelToken::default();
    // One chunk at a time, so that the stop after the first lands before the second.
    let opts = SummaryOptions { chunk_tokens: Some(70), parallel: false, ..SummaryOptions::default() };
    let stopper = cancel.clone();
    let result = run(std::slice::from_ref(&doc), &opts, &cancel, move |ev| {
        if matches!(ev, SummaryEvent::Partial { chunk: 1, .. }) {
            stopper.cancel();
        }
    });
    assert!(result.cancelled);
    assert_eq!(result.coverage.chunks_read, 1);
    assert!(result.coverage.chunks_total > 2);
    assert!(result.coverage.pages_read < result.coverage.pages_total);
    // The facts are code's work over the whole file and stay complete.
    assert!(result.facts.iter().any(|f| f.kind == FactKind::Frist && f.normalized == "2025-04-30"));
}

/// A stop during a batched map step keeps the chunks of finished batches only, never a half.
#[test]
fn cancel_during_a_batched_map_keeps_whole_batches() {
    let doc = akte();
    let cancel = CancelToken::default();
    let opts = SummaryOptions { chunk_tokens: Some(40), parallel: true, ..SummaryOptions::default() };
    let stopper = cancel.clone();
    let result = run(std::slice::from_ref(&doc), &opts, &cancel, move |ev| {
        if matches!(ev, SummaryEvent::Partial { chunk: 1, .. }) {
            stopper.cancel();
        }
    });
    assert!(result.cancelled);
    assert!(result.coverage.chunks_total > engine().info().parallel, "more chunks than one batch");
    assert_eq!(result.coverage.chunks_read % engine().info().parallel, 0, "{:?}", result.coverage);
    assert!(result.coverage.pages_read < result.coverage.pages_total);
}

#[test]
fn email_with_a_pdf_attachment_is_summarised_with_the_attachment() {
    let pdf = std::fs::read(fixture("akte-bauantrag.pdf")).unwrap();
    let eml = format!(
        "From: Erika Musterfrau <erika@example.org>\r\nTo: bauaufsicht@musterstadt.de\r\nSubject: Unterlagen zum Bauantrag\r\n\
         Date: Mon, 3 Feb 2025 09:12:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSehr geehrte Damen und Herren,\r\nanbei die Akte zum Carport.\r\n\r\n\
         --b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"akte.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        base64(&pdf)
    );
    let doc = documents::extract_bytes("unterlagen.eml", eml.as_bytes(), &ExtractOptions::default()).expect("eml reads");
    let result = run(std::slice::from_ref(&doc), &SummaryOptions { length: Length::Kurz, ..SummaryOptions::default() }, &CancelToken::default(), |_| {});
    // The mail itself and the attachment's six pages.
    assert_eq!(result.coverage.pages_total, 7);
    assert_eq!(result.coverage.pages_read, 7);
    let az = result.facts.iter().find(|f| f.kind == FactKind::Aktenzeichen).expect("Aktenzeichen from the attachment");
    assert_eq!(az.sources[0].attachment.as_deref(), Some("akte.pdf"));
    assert_eq!(az.sources[0].page, Some(1));
    assert!(result.facts.iter().any(|f| f.kind == FactKind::Beteiligter && f.normalized == "erika musterfrau"));
}

#[test]
fn no_text_is_a_clear_german_error() {
    let mut doc = akte();
    doc.blocks.clear();
    let err = summarize::summarize(engine(), model_ref(), &[doc], Vec::new(), &SummaryOptions::default(), &CancelToken::default(), |_| {})
        .unwrap_err();
    assert_eq!(err.code(), "task_no_text");
    assert!(err.message_de().contains("keinen lesbaren Text"), "{}", err.message_de());
    let err = summarize::summarize(engine(), model_ref(), &[], Vec::new(), &SummaryOptions::default(), &CancelToken::default(), |_| {})
        .unwrap_err();
    assert_eq!(err.code(), "task_no_text");
}

/// Prefix reuse must not change what the model says: the second of two prompts that share a
/// long prefix gives the same greedy text as the same prompt on a cold cache.
#[test]
fn prefix_reuse_gives_the_same_answer_as_a_cold_cache() {
    // An engine of its own: the other tests' requests would change its cache between the asks.
    let manifest = Manifest::locate(None).unwrap();
    let mut config = EngineConfig::new(manifest.path_of(manifest.default_entry()));
    config.n_ctx = Some(1024);
    let e = &Engine::load(config, |_| {}).unwrap();
    let prefix = "Fasse den folgenden Auszug aus der Akte in höchstens 3 Sätzen zusammen.\n\nText:\n";
    let greedy = SamplingParams { max_tokens: 24, temperature: 0.0, ..SamplingParams::default() };
    let ask = |tail: &str| e.complete(Prompt::Raw { text: format!("{prefix}{tail}\n\nZusammenfassung:") }, greedy.clone()).unwrap();
    let _ = ask("Die Gebühr beträgt 80 Euro.");
    let warm = ask("Der Nachbar erhebt Widerspruch gegen den Carport.");
    assert!(warm.stats.cached_tokens >= 15, "shared prefix reused: {:?}", warm.stats);
    let _ = e.complete(Prompt::Raw { text: "Ganz anderer Anfang ohne gemeinsamen Präfix.".into() }, greedy.clone()).unwrap();
    let cold = ask("Der Nachbar erhebt Widerspruch gegen den Carport.");
    assert!(cold.stats.cached_tokens <= 1, "{:?}", cold.stats);
    assert_eq!(warm.text, cold.text);
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in data.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let n = chunk.iter().enumerate().fold(0u32, |acc, (j, &b)| acc | u32::from(b) << (16 - 8 * j));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
