//! `schreibstube-cli`: a thin command line over `schreibstube-core`, for scripts and for the IT
//! department. Every decision is the core's; this file parses arguments and prints.
//!
//! Errors end the process with a non-zero exit code and one German sentence on stderr.

mod admin;
mod history;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

mod draft;
mod explain;
mod summarize;
mod task;

use clap::{Args, Parser, Subcommand};
use schreibstube_core::documents;
use schreibstube_core::llm::{Engine, EngineConfig};
use schreibstube_core::tasks::free_text::{self, FreeTextOptions};
use schreibstube_core::models::{self, Manifest};
use schreibstube_core::policy::Policy;
use schreibstube_core::store::{History, NewResult, Provenance};
use schreibstube_core::{logging, paths, CoreError};
use serde_json::json;

#[derive(Parser)]
#[command(name = "schreibstube-cli", version, about = "Schreibstube auf der Kommandozeile (lokales Sprachmodell, keine Cloud)")]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// GGUF model file (default: the manifest's default model)
    #[arg(long, global = true, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Threads for inference (default: chosen for this PC)
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// Data folder (default: the OS data folder, e.g. ~/.local/share/schreibstube)
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// List and verify the models of the manifest
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Generate text from a prompt with the local model
    Generate(GenerateArgs),
    /// Read documents (PDF, DOCX, ODT, RTF, TXT, Markdown, HTML, EML, MSG, CSV, XLSX, ODS, images via OCR) into text with positions
    Extract(ExtractArgs),
    /// Summarise an Akte (one or more files): every page read, sentences with page citations,
    /// key facts, claims not found in the sources flagged
    Summarize(summarize::SummarizeArgs),
    /// Explain a document for an audience (buerger, leichte-sprache, kollegium, gremium): tables
    /// by computed figures, sentences with sources, readability, the original stays binding
    Explain(explain::ExplainArgs),
    /// Draft a reply letter (DIN 5008) from a template and an incoming letter: fixed legal
    /// passages from the template, deadlines computed, facts checked; DOCX, ODT, PDF, text or JSON
    Draft(draft::DraftArgs),
    /// The letter templates (Textbausteine)
    Templates {
        #[command(subcommand)]
        command: draft::TemplatesCommand,
    },
    /// The saved results (encrypted store in the data folder)
    History {
        #[command(subcommand)]
        command: history::HistoryCommand,
    },
    /// Export or delete all stored data (DSGVO)
    Data {
        #[command(subcommand)]
        command: history::DataCommand,
    },
    /// The audit log (metadata only)
    Audit {
        #[command(subcommand)]
        command: history::AuditCommand,
    },
    /// The IT policy in force
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Test aid: save N results, print each id after its commit
    #[command(hide = true)]
    DebugSaveStream(history::SaveStreamArgs),
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Show the policy file and the settings it fixes
    Show {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct ExtractArgs {
    /// The files to read; the format is recognised by content, not by extension
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print one JSON object ({"files": [...]}) instead of text with position markers
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ModelsCommand {
    /// List the models of the manifest and whether their files are present
    List {
        #[arg(long)]
        json: bool,
    },
    /// Check the sha256 of every model file present against the manifest
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Copy a GGUF model (e.g. from a USB stick) into the models folder, after checking it
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct GenerateArgs {
    /// The prompt (sent as it is to base models, through the chat template to instruct models)
    #[arg(long)]
    prompt: String,
    #[arg(long, default_value_t = 256)]
    max_tokens: usize,
    /// 0 = greedy (deterministic)
    #[arg(long)]
    temperature: Option<f32>,
    /// Seed for reproducible sampling
    #[arg(long)]
    seed: Option<u32>,
    /// Print one JSON object at the end instead of streaming text
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let detail = e.kind().as_str().map(str::to_owned).unwrap_or_else(|| e.to_string());
            eprintln!("Ungültiger Aufruf ({detail}); „schreibstube-cli --help“ zeigt die Optionen.");
            return ExitCode::from(2);
        }
    };
    let data_dir = paths::data_dir(cli.global.data_dir.clone());
    init_logging(&data_dir);
    schreibstube_core::diagnostics::install_panic_hook();
    // No policy file: no restrictions. A broken one: refuse to run, never run unrestricted.
    let policy = match Policy::load() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e.message_de());
            return ExitCode::FAILURE;
        }
    };
    // The core contains panics of the parsers and the engine itself; this is the last net for
    // anything else, so the user still gets one German sentence and no backtrace.
    let Cli { global, command } = cli;
    let outcome = std::panic::catch_unwind(move || match command {
        Command::Extract(args) => match policy.extract_options() {
            Ok(options) => extract(args, &options),
            Err(e) => {
                eprintln!("{}", e.message_de());
                ExitCode::FAILURE
            }
        },
        Command::Summarize(args) => {
            let data_dir = paths::data_dir(global.data_dir.clone());
            match policy.ensure_enabled("summary").and_then(|()| summarize::run(global.model.as_deref(), global.threads, &data_dir, &policy, args)) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("{}", e.message_de());
                    ExitCode::FAILURE
                }
            }
        }
        command => match run(&global, &policy, command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{}", e.message_de());
                ExitCode::FAILURE
            }
        },
    });
    outcome.unwrap_or_else(|_| {
        eprintln!("Interner Fehler in Schreibstube. Ihre Dateien sind nicht verändert; bitte melden Sie den Fehler Ihrer IT.");
        ExitCode::from(3)
    })
}

/// Every command logs to the rotating file in the data folder (`<data>/logs`, with or without
/// `--json`: stdout is never the log). Logs go to stderr as well only when asked for
/// (`SCHREIBSTUBE_LOG=info`), so that a failing command prints exactly one sentence. llama.cpp's
/// own log lines arrive here through tracing too.
fn init_logging(data_dir: &std::path::Path) {
    let stderr = if std::env::var_os("SCHREIBSTUBE_LOG").is_some() { logging::Stderr::On } else { logging::Stderr::Off };
    logging::init(data_dir, stderr);
}

fn run(global: &Global, policy: &Policy, command: Command) -> Result<(), CoreError> {
    let data_dir = paths::data_dir(global.data_dir.clone());
    match command {
        Command::Models { command: ModelsCommand::List { json } } => models_list(&data_dir, json),
        Command::Models { command: ModelsCommand::Verify { json } } => models_verify(&data_dir, json),
        Command::Models { command: ModelsCommand::Import { file, json } } => admin::models_import(&data_dir, policy, &file, json),
        Command::Generate(args) => generate(global, policy, &data_dir, args),
        Command::History { command } => history::history(&data_dir, policy, command),
        Command::Data { command } => history::data(&data_dir, policy, command),
        Command::Audit { command } => history::audit(&data_dir, policy, command),
        Command::Policy { command: PolicyCommand::Show { json } } => admin::policy_show(policy, json),
        Command::DebugSaveStream(args) => history::save_stream(&data_dir, policy, args),
        Command::Templates { command } => draft::templates(policy, command),
        Command::Explain(args) => {
            policy.ensure_enabled("explain")?;
            explain::run(global.model.as_deref(), global.threads, &data_dir, policy, args)
        }
        Command::Draft(args) => {
            policy.ensure_enabled("draft")?;
            draft::run(global.model.as_deref(), global.threads, &data_dir, policy, args)
        }
        // Their exit code says whether every file was read.
        Command::Extract(_) | Command::Summarize(_) => unreachable!("handled in main"),
    }
}

/// `extract`: every file is read and reported; one that fails does not stop the others. Exit
/// code 0 if all were read, 1 if any failed.
fn extract(args: ExtractArgs, options: &documents::ExtractOptions) -> ExitCode {
    // A parser panic is caught by the core and reported as a typed error; the panic hook
    // (diagnostics) keeps its message, which may quote the document, out of stderr and the log.
    let items = documents::extract_batch(&args.files, options);
    let failed = items.iter().filter(|i| i.result.is_err()).count();
    let mut out = std::io::stdout().lock();
    if args.json {
        let files: Vec<_> = items
            .iter()
            .map(|item| match &item.result {
                Ok(doc) => serde_json::to_value(doc).unwrap_or_else(|_| json!({})),
                Err(e) => json!({ "file": item.path.display().to_string(), "error": e }),
            })
            .collect();
        let _ = writeln!(out, "{}", json!({ "files": files }));
    } else {
        for item in &items {
            match &item.result {
                Ok(doc) => {
                    let _ = writeln!(out, "=== {} ({}) ===", doc.source.file_name, doc.source.detected_type.label());
                    for block in &doc.blocks {
                        // OCR lines say how sure the recognition was, so a reader knows what to check.
                        let ocr = block.ocr_confidence.map(|c| format!(" · Texterkennung {:.0} %", c * 100.0)).unwrap_or_default();
                        let _ = writeln!(out, "[{}{ocr}]\n{}\n", block.position.label_de(), block.text);
                    }
                    for warning in &doc.warnings {
                        let _ = writeln!(out, "Hinweis: {warning}");
                    }
                }
                Err(e) => eprintln!("{}", e.message_de),
            }
        }
    }
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn models_list(data_dir: &std::path::Path, json: bool) -> Result<(), CoreError> {
    let manifest = Manifest::locate(Some(data_dir))?;
    let rows: Vec<_> = manifest
        .models
        .iter()
        .map(|m| {
            let path = manifest.path_of(m);
            json!({
                "id": m.id, "name": m.name, "file": m.file, "path": path, "present": path.is_file(),
                "default": m.id == manifest.default, "kind": m.kind, "licence": m.licence,
                "context_length": m.context_length, "sha256": m.sha256, "size_bytes": m.size_bytes,
            })
        })
        .collect();
    if json {
        println!("{}", json!({ "models": rows, "dir": manifest.dir }));
    } else {
        for (m, row) in manifest.models.iter().zip(&rows) {
            let mark = if m.id == manifest.default { "*" } else { " " };
            let state = if row["present"] == true { "vorhanden" } else { "fehlt" };
            println!("{mark} {:<24} {:<28} {:<8} {:<10} {}", m.id, m.name, format!("{:?}", m.kind).to_lowercase(), state, m.licence);
        }
    }
    Ok(())
}

fn models_verify(data_dir: &std::path::Path, json: bool) -> Result<(), CoreError> {
    let manifest = Manifest::locate(Some(data_dir))?;
    let mut results = Vec::new();
    let mut first_error = None;
    for m in &manifest.models {
        let outcome = manifest.verify(m);
        let (ok, message) = match &outcome {
            Ok(_) => (true, "Prüfsumme stimmt".to_string()),
            Err(e) => (false, e.message_de()),
        };
        if !json {
            println!("{} {}: {}", if ok { "✓" } else { "✗" }, m.file, message);
        }
        results.push(json!({ "id": m.id, "file": m.file, "ok": ok, "message_de": message, "sha256": m.sha256 }));
        if let Err(e) = outcome {
            first_error.get_or_insert(e);
        }
    }
    if json {
        println!("{}", json!({ "models": results }));
    }
    first_error.map_or(Ok(()), Err)
}

fn generate(global: &Global, policy: &Policy, data_dir: &std::path::Path, args: GenerateArgs) -> Result<(), CoreError> {
    policy.ensure_enabled("free_text")?;
    // The policy's model allow-list is enforced here, before anything is loaded.
    let resolved = models::resolve_with_policy(global.model.as_deref(), data_dir, policy)?;
    // The store opens (and applies retention) at start; without a keychain the command goes on.
    let mut history = History::open(data_dir, policy.clone());
    let mut config = EngineConfig::new(&resolved.path);
    config.threads = global.threads;
    let engine = Engine::load(config, |_| {})?;
    let sha256 = models::sha256_cached(&resolved.path, data_dir)?;

    let options = FreeTextOptions { max_tokens: Some(args.max_tokens), temperature: args.temperature, seed: args.seed };
    let generation = engine.generate(free_text::request(&args.prompt, &options))?;
    let stream = !args.json;
    let mut out = std::io::stdout().lock();
    let completion = generation.collect(|piece| {
        if stream {
            let _ = out.write_all(piece.as_bytes());
            let _ = out.flush();
        }
    })?;

    // Saved like the app saves it (core: History::record); without a keychain the result is
    // still printed, with one warning.
    let info = engine.info();
    let model_name = resolved.entry.as_ref().map_or(info.name.clone(), |e| e.name.clone());
    let parameters = json!({
        "max_tokens": args.max_tokens, "temperature": args.temperature, "seed": args.seed, "threads": info.threads,
    });
    let record = NewResult {
        task: "free_text".into(),
        title: NewResult::title_from(&args.prompt),
        body: completion.text.clone(),
        data: json!({ "prompt": args.prompt, "stats": completion.stats }),
        provenance: Provenance::new(&model_name, &sha256, parameters, &[&args.prompt]),
    };
    let (history_id, not_saved) = match history.record(&record) {
        Ok(id) => (id, None),
        Err(e) => {
            tracing::warn!(code = e.code(), "result not saved");
            (None, Some(history.warning_de().unwrap_or_else(|| format!("Verlauf wird nicht gespeichert: {}", e.message_de()))))
        }
    };
    if args.json {
        let s = &completion.stats;
        let body = json!({
            "text": completion.text,
            "prompt_tokens": s.prompt_tokens,
            "generated_tokens": s.generated_tokens,
            "prompt_ms": s.prompt_ms,
            "generate_ms": s.generate_ms,
            "prompt_tokens_per_s": s.prompt_tokens_per_s,
            "generate_tokens_per_s": s.generate_tokens_per_s,
            "stop_reason": s.stop_reason,
            "model": { "file": info.file, "name": model_name, "sha256": sha256, "kind": info.kind },
            "threads": info.threads,
            "history_id": history_id,
        });
        let _ = writeln!(out, "{body}");
    } else {
        let _ = writeln!(out);
    }
    drop(out);
    if let Some(warning) = not_saved {
        eprintln!("{warning}");
    }
    Ok(())
}
