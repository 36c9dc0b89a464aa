//! `schreibstube-cli explain FILE`: a document explained for an audience
//! (`schreibstube_core::tasks::explain`), printed with citations, computed figures and
//! readability, or as one JSON object.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use schreibstube_core::{documents, export};
use schreibstube_core::llm::CancelToken;
use schreibstube_core::policy::Policy;
use schreibstube_core::store::History;
use schreibstube_core::tasks::explain::{self, Audience, ExplainEvent, ExplainOptions};
use schreibstube_core::tasks::figures::FigureOptions;
use schreibstube_core::CoreError;

#[derive(Args)]
pub struct ExplainArgs {
    /// The document (a notice as PDF/DOCX/…, or a table as CSV/XLSX/ODS)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[arg(long, value_enum, default_value_t = AudienceArg::Buerger)]
    audience: AudienceArg,
    /// A question the explanation should answer, e.g. "Bis wann muss ich zahlen?"
    #[arg(long, value_name = "TEXT")]
    question: Option<String>,
    /// Tables: the earlier column to compare (default: the second-last column of numbers)
    #[arg(long, value_name = "SPALTE")]
    from: Option<String>,
    /// Tables: the later column to compare (default: the last column of numbers)
    #[arg(long, value_name = "SPALTE")]
    to: Option<String>,
    /// Print one JSON object (explanation, sentences with sources, figures, unsupported, readability, model)
    #[arg(long)]
    json: bool,
    /// Also write the explanation (with the computed figures) to this file: .md, .docx or .pdf
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum AudienceArg {
    Buerger,
    LeichteSprache,
    Kollegium,
    Gremium,
}

pub fn run(model: Option<&Path>, threads: Option<usize>, data_dir: &Path, policy: &Policy, args: ExplainArgs) -> Result<(), CoreError> {
    // A wrong export name fails before the long work, not after it.
    let export_format = crate::task::export_format(args.export.as_ref())?;
    // The store opens (and applies retention) at start; its settings give the file-size cap.
    let mut history = History::open(data_dir, policy.clone());
    let doc = documents::extract_file(&args.file, &history.extract_options()?)?;
    let docs = [doc];

    let (engine, model) = crate::task::load(model, threads, data_dir, policy)?;
    let options = ExplainOptions {
        audience: match args.audience {
            AudienceArg::Buerger => Audience::Buerger,
            AudienceArg::LeichteSprache => Audience::LeichteSprache,
            AudienceArg::Kollegium => Audience::Kollegium,
            AudienceArg::Gremium => Audience::Gremium,
        },
        question: args.question,
        figures: FigureOptions { from: args.from, to: args.to },
        ..ExplainOptions::default()
    };
    let quiet = args.json;
    let result = explain::explain(&engine, model, &docs, &options, &CancelToken::default(), |ev| {
        if let (false, ExplainEvent::Revision { round, failing }) = (quiet, &ev) {
            eprintln!("Leichte Sprache: Runde {round}, {failing} Sätze werden überarbeitet");
        }
    })?;

    crate::task::save(&mut history, &result.to_history(&docs), &docs);
    if let (Some(path), Some(format)) = (&args.export, export_format) {
        export::write_explanation(&result, format, path)?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let _ = writeln!(out, "{}", serde_json::to_string(&result).unwrap_or_default());
        return Ok(());
    }
    let _ = writeln!(out, "{} · {}\n{}\n", result.mark, result.audience.label_de(), result.note);
    let _ = writeln!(out, "{}\n", result.explanation);
    let _ = writeln!(out, "Belege:");
    for (i, s) in result.sentences.iter().enumerate() {
        let sources = if s.sources.is_empty() {
            "keine Quelle gefunden".to_owned()
        } else {
            s.sources.iter().map(|p| p.label_de()).collect::<Vec<_>>().join("; ")
        };
        let _ = writeln!(out, "[{}] {}\n    → {sources}", i + 1, s.text);
    }
    if let Some(t) = &result.table {
        let _ = writeln!(out, "\nBerechnete Werte ({} → {}; {}):", t.from, t.to, t.rounding);
        for f in &result.figures {
            let _ = writeln!(out, "- {}: {}   [{}]", f.label, f.display, f.formula);
        }
    }
    if !result.key_facts.is_empty() {
        let _ = writeln!(out, "\nWichtige Angaben aus dem Original:");
        for k in &result.key_facts {
            let where_ = k.sources.iter().map(|p| p.label_de()).collect::<Vec<_>>().join("; ");
            let missing = if k.in_explanation { "" } else { " – fehlt in der Erklärung" };
            let _ = writeln!(out, "- {}: {} ({where_}){missing}", k.label_de, k.value);
        }
    }
    if !result.unsupported.is_empty() {
        let _ = writeln!(out, "\nNicht in den Quellen oder berechneten Werten gefunden (bitte prüfen):");
        for u in &result.unsupported {
            let _ = writeln!(out, "- „{}“ ({})", u.text, u.kind);
        }
    }
    let r = &result.readability;
    let _ = writeln!(
        out,
        "\nLesbarkeit (Flesch-Amstad, höher = leichter): Original {:.1}, Erklärung {:.1}; Wiener Sachtextformel: {:.1} → {:.1}",
        r.before.flesch_amstad, r.after.flesch_amstad, r.before.wiener_sachtextformel, r.after.wiener_sachtextformel
    );
    for s in &r.rules_failed {
        let rules = s.rules.iter().map(|r| r.label_de()).collect::<Vec<_>>().join(", ");
        let _ = writeln!(out, "- Regel verletzt ({rules}): {}", s.text);
    }
    for w in &result.warnings {
        let _ = writeln!(out, "Hinweis: {w}");
    }
    Ok(())
}
