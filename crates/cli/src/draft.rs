//! `schreibstube-cli draft`: a reply letter from a template and an incoming letter
//! (`schreibstube_core::tasks::draft`), written as DOCX, ODT, PDF, text or JSON; and
//! `templates list`. The sender profile is the one of the app's settings (and the IT policy).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use schreibstube_core::documents;
use schreibstube_core::export::letter::{write_letter, LetterDoc, LetterFormat};
use schreibstube_core::export::now_iso;
use schreibstube_core::letters::template::{self, PartKind, Template};
use schreibstube_core::letters::{LetterForm, Tone};
use schreibstube_core::llm::CancelToken;
use schreibstube_core::policy::Policy;
use schreibstube_core::store::History;
use schreibstube_core::tasks::draft::{self, DraftEvent, DraftOptions};
use schreibstube_core::CoreError;

#[derive(Args)]
pub struct DraftArgs {
    /// The template's id (see `templates list`), e.g. nachforderung
    #[arg(long, value_name = "NAME")]
    template: String,
    /// The incoming letter or e-mail to answer (its sender, date and references fill the fields)
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    /// What the reply should say, e.g. "Es fehlen die Gehaltsnachweise 2025"
    #[arg(long, value_name = "TEXT")]
    instructions: Option<String>,
    #[arg(long, value_enum, default_value_t = ToneArg::Foermlich)]
    tone: ToneArg,
    /// DIN 5008 layout: b (default) or a
    #[arg(long, value_enum, default_value_t = FormArg::B)]
    form: FormArg,
    /// The letter's date (TT.MM.JJJJ); deadlines count from it. Default: today
    #[arg(long, value_name = "TT.MM.JJJJ")]
    date: Option<String>,
    /// A field's value, e.g. --field fehlende_unterlagen="Gehaltsnachweise 2025" (repeatable; \n for new lines)
    #[arg(long = "field", value_name = "KEY=VALUE")]
    fields: Vec<String>,
    #[arg(long, value_enum, default_value_t = FormatArg::Docx)]
    format: FormatArg,
    /// Where to write the letter (for txt and json: standard output when left out)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ToneArg {
    Foermlich,
    Buergernah,
    LeichteSprache,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormArg {
    A,
    B,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Docx,
    Odt,
    Pdf,
    Txt,
    Json,
}

#[derive(Subcommand)]
pub enum TemplatesCommand {
    /// The letter templates (shipped, and the IT's from the policy's templates_dir)
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn templates(policy: &Policy, command: TemplatesCommand) -> Result<(), CoreError> {
    let TemplatesCommand::List { json } = command;
    let all = template::load_all(policy.templates_dir.as_deref())?;
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<serde_json::Value> = all.iter().map(Template::listing).collect();
        let _ = writeln!(out, "{}", serde_json::to_string(&list).unwrap_or_default());
        return Ok(());
    }
    for t in &all {
        let _ = writeln!(out, "{}  –  {}\n    {}", t.id, t.name, t.description);
        let required: Vec<String> = t.all_fields().into_iter().filter(|f| f.required).map(|f| format!("{} ({})", f.key, f.label)).collect();
        let _ = writeln!(out, "    Pflichtfelder: {}", required.join(", "));
        let legal: Vec<&str> = t.parts.iter().filter(|p| p.legal).map(|p| p.label.as_str()).collect();
        if !legal.is_empty() {
            let _ = writeln!(out, "    Feste Rechtstexte: {}", legal.join("; "));
        }
        let model: Vec<&str> = t.parts.iter().filter(|p| p.kind == PartKind::Model).map(|p| p.label.as_str()).collect();
        let _ = writeln!(out, "    Schreibt das Sprachmodell: {}", model.join("; "));
    }
    Ok(())
}

fn parse_fields(raw: &[String]) -> Result<BTreeMap<String, String>, CoreError> {
    raw.iter()
        .map(|kv| {
            let (k, v) = kv.split_once('=').ok_or_else(|| CoreError::InvalidParameter(format!("--field „{kv}“: bitte als SCHLÜSSEL=WERT")))?;
            Ok((k.trim().to_owned(), v.replace("\\n", "\n")))
        })
        .collect()
}

pub fn run(model: Option<&Path>, threads: Option<usize>, data_dir: &Path, policy: &Policy, args: DraftArgs) -> Result<(), CoreError> {
    let format = match args.format {
        FormatArg::Docx => Some(LetterFormat::Docx),
        FormatArg::Odt => Some(LetterFormat::Odt),
        FormatArg::Pdf => Some(LetterFormat::Pdf),
        FormatArg::Txt => Some(LetterFormat::Txt),
        FormatArg::Json => None,
    };
    // Binary formats need a file; checked before the model loads.
    if matches!(format, Some(LetterFormat::Docx | LetterFormat::Odt | LetterFormat::Pdf)) && args.output.is_none() {
        return Err(CoreError::InvalidParameter("für docx, odt und pdf bitte mit -o DATEI angeben, wohin der Brief geschrieben wird".into()));
    }
    let template = template::find(&args.template, policy.templates_dir.as_deref())?;
    let mut history = History::open(data_dir, policy.clone());
    let profile = history.settings().sender.profile();
    let docs = match &args.input {
        Some(p) => vec![documents::extract_file(p, &history.extract_options()?)?],
        None => Vec::new(),
    };
    let options = DraftOptions {
        template: template.id.clone(),
        fields: parse_fields(&args.fields)?,
        instructions: args.instructions,
        tone: match args.tone {
            ToneArg::Foermlich => Tone::Foermlich,
            ToneArg::Buergernah => Tone::Buergernah,
            ToneArg::LeichteSprache => Tone::LeichteSprache,
        },
        form: match args.form {
            FormArg::A => LetterForm::A,
            FormArg::B => LetterForm::B,
        },
        letter_date: args.date,
        ..DraftOptions::default()
    };
    // Missing required fields fail before the model loads.
    let pre = draft::prefill(&template, &docs, &options, &profile)?;
    if !pre.missing_required.is_empty() {
        return Err(CoreError::MissingFields { template: template.name.clone(), fields: pre.missing_required });
    }
    let (engine, model) = crate::task::load(model, threads, data_dir, policy)?;
    let quiet = format.is_none() || args.output.is_none();
    let result = draft::draft(&engine, model, &template, &docs, &profile, &options, &CancelToken::default(), |ev| {
        if let (false, DraftEvent::Paragraph { id }) = (quiet, &ev) {
            eprintln!("Schreibe Absatz „{id}“ …");
        }
    })?;
    crate::task::save(&mut history, &result.to_history(&docs), &docs);

    let doc = LetterDoc { letter: &result.letter, reviewed: false, model: &result.model, template_name: &result.template_name, created: now_iso() };
    match (format, &args.output) {
        (Some(f), Some(path)) => write_letter(&doc, f, path)?,
        (Some(_), None) => {
            let _ = write!(std::io::stdout().lock(), "{}", doc.text());
        }
        (None, Some(path)) => {
            let json = serde_json::to_string_pretty(&result).unwrap_or_default();
            std::fs::write(path, json).map_err(|e| CoreError::Io { path: path.clone(), source: e })?;
        }
        (None, None) => {
            let _ = writeln!(std::io::stdout().lock(), "{}", serde_json::to_string(&result).unwrap_or_default());
        }
    }
    // Flags and placeholders on stderr, so a script sees them without parsing the letter.
    if format.is_some() {
        for f in &result.unsupported {
            eprintln!("Bitte prüfen – nicht in den Eingaben gefunden: „{}“ ({}, Absatz {})", f.text, f.kind, f.paragraph);
        }
        if !result.placeholders.is_empty() {
            eprintln!("Noch offene Platzhalter: {}", result.placeholders.join(", "));
        }
        if let Some(path) = &args.output {
            eprintln!("{} geschrieben ({}).", path.display(), result.mark);
        }
    }
    Ok(())
}
