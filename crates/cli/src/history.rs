//! `history list|search|show|trace|delete`, `data export|delete|start-fresh`, `audit export`: the
//! store as the IT and scripts see it. All of it is `schreibstube_core::store`; this file prints.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use schreibstube_core::policy::Policy;
use schreibstube_core::store::{self, History, Keychain, NewResult, Provenance, StoredResult};
use schreibstube_core::CoreError;
use serde_json::json;

#[derive(Subcommand)]
pub enum HistoryCommand {
    /// The newest results first
    List {
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Full-text search over titles and texts (umlauts folded)
    Search {
        text: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// One result in full, with its provenance
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// "Wie ist das entstanden?": each sentence with its sources in the documents kept with the
    /// result, the claims no source contains, model, template, parameters and input files
    Trace {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Delete one result
    Delete {
        id: i64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum DataCommand {
    /// "Meine Daten exportieren": one ZIP with JSON of results, settings, audit log and documents
    Export {
        #[arg(short, long, value_name = "FILE.zip")]
        output: PathBuf,
    },
    /// "Alle Daten löschen": every result, document, setting and audit line (needs --yes)
    Delete {
        #[arg(long)]
        yes: bool,
    },
    /// After a lost key: move the unreadable database aside (kept) and start fresh (needs --yes)
    StartFresh {
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// The audit log as CSV (metadata only), to a file or stdout
    Export {
        #[arg(short, long, value_name = "FILE.csv")]
        output: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct SaveStreamArgs {
    /// How many results to save
    pub count: usize,
}

fn open(data_dir: &Path, policy: &Policy) -> History {
    History::open(data_dir, policy.clone())
}

fn date(secs: i64) -> String {
    store::timestamp_utc(secs).replace('T', " ").trim_end_matches('Z').to_string()
}

fn print_list(rows: &[StoredResult], json: bool) {
    if json {
        let items: Vec<_> = rows
            .iter()
            .map(|r| json!({ "id": r.id, "created_at": r.created_at, "task": r.task, "title": r.title, "model": r.provenance.model_name }))
            .collect();
        println!("{}", json!({ "results": items }));
        return;
    }
    if rows.is_empty() {
        println!("Keine Einträge.");
    }
    for r in rows {
        println!("{:>6}  {}  {:<12} {}", r.id, date(r.created_at), r.task, r.title);
    }
}

pub fn history(data_dir: &Path, policy: &Policy, command: HistoryCommand) -> Result<(), CoreError> {
    policy.ensure_enabled("history")?;
    let mut history = open(data_dir, policy);
    match command {
        HistoryCommand::List { limit, json } => print_list(&history.store()?.list_results(limit)?, json),
        HistoryCommand::Search { text, limit, json } => print_list(&history.store()?.search(&text, limit)?, json),
        HistoryCommand::Show { id, json } => {
            let r = history.store()?.get_result(id)?.ok_or(CoreError::HistoryEntryNotFound(id))?;
            if json {
                println!("{}", serde_json::to_string(&r).unwrap_or_default());
            } else {
                let p = &r.provenance;
                println!("Eintrag {} · {} · {}\n{}\n", r.id, date(r.created_at), r.task, r.title);
                println!("{}\n", r.body);
                println!("Modell: {} (sha256 {})", p.model_name, p.model_sha256);
                println!("Parameter: {}", p.parameters);
                println!("Eingaben (sha256): {}", p.input_sha256.join(", "));
            }
        }
        HistoryCommand::Trace { id, json } => {
            let t = history.trace(id)?;
            if json {
                println!("{}", serde_json::to_string(&t).unwrap_or_default());
            } else {
                print_trace(&t);
            }
        }
        HistoryCommand::Delete { id, json } => {
            if !history.store_mut()?.delete_result(id)? {
                return Err(CoreError::HistoryEntryNotFound(id));
            }
            if json {
                println!("{}", json!({ "deleted": id }));
            } else {
                println!("Eintrag {id} gelöscht.");
            }
        }
    }
    Ok(())
}

fn print_trace(t: &store::ResultTrace) {
    println!("Eintrag {} · {} · {}\n{}\n", t.id, date(t.created_at), t.task, t.title);
    if let Some(note) = &t.note_de {
        println!("{note}\n");
    }
    if !t.sentences.is_empty() {
        println!("Wie ist das entstanden?");
        for (i, s) in t.sentences.iter().enumerate() {
            println!("{:>3}. {}", i + 1, s.text);
            if s.sources.is_empty() {
                println!("     keine Quelle gefunden");
            }
            for p in &s.sources {
                println!("     Quelle: {}", p.label_de());
            }
        }
        println!();
    }
    if !t.unsupported.is_empty() {
        println!("Nicht in den Quellen gefunden:");
        for u in &t.unsupported {
            println!("  - {} ({}, Satz {})", u.text, u.kind, u.sentence + 1);
        }
        println!();
    }
    let p = &t.provenance;
    println!("Modell: {} (sha256 {})", p.model_name, p.model_sha256);
    println!("Vorlage: {}", p.template.as_deref().unwrap_or("–"));
    println!("Parameter: {}", p.parameters);
    println!("App-Version: {}", p.app_version);
    println!("Eingaben:");
    for i in &t.inputs {
        let kept = if i.kept { "gespeichert" } else { "nicht gespeichert" };
        println!("  - {} (sha256 {}, {kept})", i.file_name.as_deref().unwrap_or("unbekannte Datei"), i.sha256);
    }
}

pub fn data(data_dir: &Path, policy: &Policy, command: DataCommand) -> Result<(), CoreError> {
    match command {
        DataCommand::Export { output } => {
            policy.ensure_enabled("export")?;
            let history = open(data_dir, policy);
            let s = history.store()?.export_zip(&output)?;
            println!(
                "Export geschrieben: {} ({} Ergebnisse, {} Dokumente, {} Protokollzeilen).",
                output.display(),
                s.results,
                s.documents,
                s.audit_entries
            );
        }
        DataCommand::Delete { yes } => {
            if !yes {
                return Err(CoreError::ConfirmationRequired);
            }
            open(data_dir, policy).store_mut()?.delete_all(true)?;
            println!("Alle gespeicherten Daten wurden gelöscht.");
        }
        DataCommand::StartFresh { yes } => {
            let mut history = open(data_dir, policy);
            let moved = history.start_fresh(&Keychain::default(), yes)?;
            println!("Die alte Datenbank liegt jetzt unter {}; Schreibstube beginnt mit einer neuen.", moved.display());
        }
    }
    Ok(())
}

pub fn audit(data_dir: &Path, policy: &Policy, command: AuditCommand) -> Result<(), CoreError> {
    let AuditCommand::Export { output } = command;
    let history = open(data_dir, policy);
    let store = history.store()?;
    match output {
        Some(path) => {
            let file = std::fs::File::create(&path).map_err(|e| CoreError::Io { path: path.clone(), source: e })?;
            let n = store.write_audit_csv(std::io::BufWriter::new(file))?;
            println!("Protokoll exportiert: {} ({n} Zeilen).", path.display());
        }
        None => {
            store.write_audit_csv(std::io::stdout().lock())?;
        }
    }
    Ok(())
}

/// Hidden: saves `count` results one after another and prints each id once its transaction has
/// committed (the crash-safety test kills the process in the middle of this).
pub fn save_stream(data_dir: &Path, policy: &Policy, args: SaveStreamArgs) -> Result<(), CoreError> {
    let mut history = open(data_dir, policy);
    let mut out = std::io::stdout().lock();
    for i in 0..args.count {
        let body = format!("Testergebnis Nummer {i}: {}", "Lorem ipsum dolor sit amet. ".repeat(40));
        let r = NewResult {
            task: "free_text".into(),
            title: format!("Stapel {i}"),
            body,
            data: json!({ "i": i }),
            provenance: Provenance::new("test", &"0".repeat(64), json!({}), &[]),
        };
        let id = history.store_mut()?.save_result(&r)?;
        let _ = writeln!(out, "{i} {id}");
        let _ = out.flush();
    }
    Ok(())
}
