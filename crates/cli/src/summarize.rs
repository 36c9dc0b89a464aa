//! `schreibstube-cli summarize FILE...`: the case-file summary of `schreibstube_core::tasks::
//! summarize`, printed as text with citations or as one JSON object.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use schreibstube_core::documents;
use schreibstube_core::llm::CancelToken;
use schreibstube_core::policy::Policy;
use schreibstube_core::store::History;
use schreibstube_core::export;
use schreibstube_core::tasks::summarize::{self, FailedFile, Form, Length, SummaryEvent, SummaryOptions};
use schreibstube_core::CoreError;

#[derive(Args)]
pub struct SummarizeArgs {
    /// The files of the Akte (PDF, DOCX, ODT, e-mail with attachments, …)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = LengthArg::Kurz)]
    length: LengthArg,
    #[arg(long, value_enum, default_value_t = FormArg::Text)]
    form: FormArg,
    /// A question the summary should answer, e.g. "Was fordert der Antragsteller?"
    #[arg(long, value_name = "TEXT")]
    focus: Option<String>,
    /// Tokens of source text per chunk (default: chosen from the model's context)
    #[arg(long, value_name = "N", hide = true)]
    chunk_tokens: Option<usize>,
    /// Print one JSON object (summary, sentences with sources, facts, coverage, unsupported, model, timings)
    #[arg(long)]
    json: bool,
    /// Also write the summary to this file: .md (Markdown), .docx (Word, LibreOffice) or .pdf
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LengthArg {
    Kurz,
    Mittel,
    Ausfuehrlich,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormArg {
    Text,
    Stichpunkte,
}

/// Returns whether every file could be read (exit code 1 otherwise, as `extract` does).
pub fn run(model: Option<&Path>, threads: Option<usize>, data_dir: &Path, policy: &Policy, args: SummarizeArgs) -> Result<bool, CoreError> {
    // A wrong export name fails before the long work, not after it.
    let export_format = crate::task::export_format(args.export.as_ref())?;
    // The store opens (and applies retention) at start; its settings give the file-size cap.
    let mut history = History::open(data_dir, policy.clone());
    let mut docs = Vec::new();
    let mut failed = Vec::new();
    for item in documents::extract_batch(&args.files, &history.extract_options()?) {
        match item.result {
            Ok(doc) => docs.push(doc),
            Err(error) => {
                let file = item.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                eprintln!("{}", error.message_de);
                failed.push(FailedFile { file, error });
            }
        }
    }
    let all_read = failed.is_empty();

    let (engine, model) = crate::task::load(model, threads, data_dir, policy)?;
    let options = SummaryOptions {
        length: match args.length {
            LengthArg::Kurz => Length::Kurz,
            LengthArg::Mittel => Length::Mittel,
            LengthArg::Ausfuehrlich => Length::Ausfuehrlich,
        },
        form: match args.form {
            FormArg::Text => Form::Text,
            FormArg::Stichpunkte => Form::Stichpunkte,
        },
        focus: args.focus,
        chunk_tokens: args.chunk_tokens,
        ..SummaryOptions::default()
    };
    let quiet = args.json;
    let result = summarize::summarize(&engine, model, &docs, failed, &options, &CancelToken::default(), |ev| {
        if let (false, SummaryEvent::Progress(p)) = (quiet, &ev) {
            if p.stage == "lesen" && p.done > 0 {
                eprintln!("Abschnitt {} von {} gelesen ({} von {} Seiten)", p.done, p.total, p.pages_read, p.pages_total);
            }
        }
    })?;

    crate::task::save(&mut history, &result.to_history(&docs), &docs);
    if let (Some(path), Some(format)) = (&args.export, export_format) {
        export::write_summary(&result, format, path)?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let _ = writeln!(out, "{}", serde_json::to_string(&result).unwrap_or_default());
        return Ok(all_read);
    }
    let _ = writeln!(out, "{} · {}\n", result.mark, result.coverage.label_de());
    let _ = writeln!(out, "{}\n", result.summary);
    let _ = writeln!(out, "Belege:");
    for (i, s) in result.sentences.iter().enumerate() {
        let sources = if s.sources.is_empty() {
            "keine Quelle gefunden".to_owned()
        } else {
            s.sources.iter().map(|p| p.label_de()).collect::<Vec<_>>().join("; ")
        };
        let _ = writeln!(out, "[{}] {}\n    → {sources}", i + 1, s.text);
    }
    if !result.facts.is_empty() {
        let _ = writeln!(out, "\nFakten:");
        for f in &result.facts {
            let pages = f.sources.iter().map(|p| p.label_de()).collect::<Vec<_>>().join("; ");
            let _ = writeln!(out, "- {}: {} ({pages})", f.kind.label_de(), f.value);
        }
    }
    if !result.unsupported.is_empty() {
        let _ = writeln!(out, "\nNicht in den Quellen gefunden (bitte prüfen):");
        for u in &result.unsupported {
            let _ = writeln!(out, "- „{}“ ({})", u.text, u.kind);
        }
    }
    for w in &result.warnings {
        let _ = writeln!(out, "Hinweis: {w}");
    }
    Ok(all_read)
}
