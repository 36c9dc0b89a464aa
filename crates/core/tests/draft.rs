//! Letters on the real default model: for every shipped template a draft from a generated
//! incoming letter, exported as DOCX, ODT, PDF and text. The exports are read back (DOCX and ODT
//! through the app's own readers: address, date, subject, salutation, closing in DIN order), the
//! PDF is rendered with pdftoppm, and LibreOffice headless converts DOCX and ODT without error.
//! Fixed legal passages appear verbatim; deadlines are computed across a weekend and a holiday;
//! an invented fact is flagged; missing required fields give a German message.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use schreibstube_core::documents::{self, Document, ExtractOptions};
use schreibstube_core::export::letter::{write_letter, LetterDoc, LetterFormat};
use schreibstube_core::letters::template::{self, PartKind, Template};
use schreibstube_core::letters::{LetterForm, Origin, Tone};
use schreibstube_core::llm::CancelToken;
use schreibstube_core::policy::SenderProfile;
use schreibstube_core::tasks::draft::{self, DraftEvent, DraftOptions, DraftResult, FieldOrigin};
use schreibstube_core::CoreError;

mod common;
use common::{engine, model_ref};

fn profile() -> SenderProfile {
    SenderProfile {
        authority: Some("Stadt Musterstadt".into()),
        office: Some("Bürgeramt – Wohngeldstelle".into()),
        clerk: Some("Erika Beispiel".into()),
        role: Some("Sachbearbeiterin Wohngeld".into()),
        phone: Some("0123 4567-89".into()),
        email: Some("wohngeld@musterstadt.example".into()),
        opening_hours: Some("Mo–Fr 8–12 Uhr".into()),
        address: Some("Marktplatz 1\n12345 Musterstadt".into()),
        logo: None,
        land: Some("NW".into()),
    }
}

/// A citizen's letter as a clerk receives it.
const INCOMING: &str = "Max Mustermann\nLindenstraße 12\n12345 Musterstadt\n\nStadt Musterstadt\nBürgeramt – Wohngeldstelle\nMarktplatz 1\n12345 Musterstadt\n\n\
Musterstadt, 18.11.2026\n\nAntrag auf Wohngeld – Ihr Zeichen: WG-2026-0815\nMein Zeichen: MM-17\n\nSehr geehrte Damen und Herren,\n\n\
hiermit beantrage ich Wohngeld für meine Wohnung in der Lindenstraße 12. Meine Miete beträgt 742,50 € im Monat. \
Den Mietvertrag und den Personalausweis habe ich beigelegt. Die Gehaltsnachweise reiche ich nach.\n\n\
Mit freundlichen Grüßen\nMax Mustermann\n";

fn incoming() -> Document {
    documents::extract_bytes("antrag-wohngeld.txt", INCOMING.as_bytes(), &ExtractOptions::default()).expect("incoming letter reads")
}

/// Values for each template's own required fields (what the clerk types).
fn clerk_fields(t: &Template) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    let mut set = |k: &str, v: &str| {
        f.insert(k.to_owned(), v.to_owned());
    };
    match t.id.as_str() {
        "eingangsbestaetigung" => set("eingangsdatum", "20.11.2026"),
        "nachforderung" => {
            set("fehlende_unterlagen", "Gehaltsnachweise Oktober und November 2026\nKontoauszüge der letzten drei Monate");
            set("sozialleistung", "ja");
        }
        "anhoerung" => set("beabsichtigte_entscheidung", "den Antrag auf Wohngeld abzulehnen"),
        "sachstand" => set("voraussichtlich_bis", "ein Monat"),
        "termin" => {
            set("anlagen", "Lageplan Rathaus\n- Merkblatt Wohngeld");
            set("termin", "Dienstag, 05.01.2027, 10:00 Uhr");
            set("ort", "Rathaus, Zimmer 2.14");
            set("mitbringen", "Personalausweis");
        }
        _ => {}
    }
    f
}

fn options(t: &Template) -> DraftOptions {
    DraftOptions {
        template: t.id.clone(),
        fields: clerk_fields(t),
        instructions: Some("Es fehlen noch die Gehaltsnachweise.".into()),
        tone: Tone::Buergernah,
        form: LetterForm::B,
        // Friday 11.12.2026: two weeks end on Christmas Day, Boxing Day and the weekend follow.
        letter_date: Some("11.12.2026".into()),
        ..DraftOptions::default()
    }
}

fn run(t: &Template, doc: &Document, opts: &DraftOptions) -> DraftResult {
    let mut streamed = String::new();
    let r = draft::draft(engine(), model_ref(), t, std::slice::from_ref(doc), &profile(), opts, &CancelToken::default(), |ev| {
        if let DraftEvent::Token { text, .. } = ev {
            streamed.push_str(&text);
        }
    })
    .unwrap_or_else(|e| panic!("{}: {}", t.id, e.message_de()));
    assert!(r.letter.paragraphs.iter().any(|p| p.origin == Origin::Model), "{}: no model paragraph", t.id);
    r
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Positions of `needles` in `text`, which must be in this order.
fn assert_in_order(what: &str, text: &str, needles: &[&str]) {
    let mut at = 0;
    for n in needles {
        let found = text[at..].find(n).unwrap_or_else(|| panic!("{what}: „{n}“ missing after position {at}:\n{text}"));
        at += found + n.len();
    }
}

fn export(r: &DraftResult, format: LetterFormat, reviewed: bool, path: &Path) {
    let doc = LetterDoc { letter: &r.letter, reviewed, model: &r.model, template_name: &r.template_name, created: "2026-12-11T09:00:00Z".into() };
    write_letter(&doc, format, path).unwrap_or_else(|e| panic!("{}: {format:?}: {}", r.template_id, e.message_de()));
}

#[test]
fn every_template_drafts_exports_and_reads_back() {
    let templates = template::load_all(None).unwrap();
    assert_eq!(templates.len(), 6);
    let doc = incoming();
    let dir = tempfile::tempdir().unwrap();
    let mut office_files = Vec::new();
    for t in &templates {
        let r = run(t, &doc, &options(t));
        let l = &r.letter;
        // Prefilled from the incoming letter, with its source passage.
        let name = r.fields.iter().find(|f| f.key == "empfaenger_name").unwrap();
        assert_eq!((name.value.as_deref(), name.origin), (Some("Max Mustermann"), FieldOrigin::Eingang), "{}", t.id);
        assert!(name.source.is_some());
        assert_eq!(l.recipient, ["Max Mustermann", "Lindenstraße 12", "12345 Musterstadt"]);
        assert_eq!(l.salutation, "Guten Tag Max Mustermann,", "gender unknown: neutral");
        assert!(l.info.iter().any(|i| i.label == "Unser Zeichen" && i.value == "WG-2026-0815"));
        assert!(l.info.iter().any(|i| i.label == "Ihre Nachricht vom" && i.value == "18.11.2026"));
        assert!(l.info.iter().any(|i| i.label == "Datum" && i.value == "11.12.2026"));
        assert!(!l.subject.starts_with("Betreff"));
        assert_eq!(l.return_line, "Stadt Musterstadt · Marktplatz 1 · 12345 Musterstadt");
        if t.id == "termin" {
            assert_eq!(l.enclosures, ["Lageplan Rathaus", "Merkblatt Wohngeld"]);
        }
        // Fixed passages verbatim from the template (placeholders filled by code).
        for part in t.parts.iter().filter(|p| p.kind == PartKind::Fixed && p.when.is_none()) {
            let p = l.paragraphs.iter().find(|p| p.id == part.id).unwrap_or_else(|| panic!("{}: {} missing", t.id, part.id));
            assert_eq!(p.origin, Origin::Fixed);
            let head: String = part.text.as_deref().unwrap().split('{').next().unwrap().chars().take(30).collect();
            assert!(p.text.starts_with(head.trim_end()) || p.text.to_lowercase().starts_with(&head.trim_end().to_lowercase()), "{}: {}", t.id, p.text);
        }

        let stem = dir.path().join(&t.id);
        for format in [LetterFormat::Docx, LetterFormat::Odt, LetterFormat::Pdf, LetterFormat::Txt] {
            export(&r, format, false, &stem.with_extension(format.extension()));
        }
        // DOCX and ODT read back through the app's own readers, in DIN 5008 order.
        for ext in ["docx", "odt"] {
            let path = stem.with_extension(ext);
            let back = documents::extract_file(&path, &ExtractOptions::default()).unwrap_or_else(|e| panic!("{}.{ext}: {e}", t.id));
            let text = back.text();
            assert_in_order(&format!("{}.{ext}", t.id), &text, &["Max Mustermann", "12345 Musterstadt", "11.12.2026", &l.subject, &l.salutation, "Mit freundlichen Grüßen", "Erika Beispiel"]);
            if !l.enclosures.is_empty() {
                assert_in_order(&format!("{}.{ext}", t.id), &text, &["Erika Beispiel", "Anlagen", "Lageplan Rathaus", "Merkblatt Wohngeld"]);
            }
            for p in l.paragraphs.iter().filter(|p| p.legal) {
                assert!(squash(&text).contains(&squash(&p.text)), "{}.{ext}: legal passage {} not verbatim", t.id, p.id);
            }
            assert!(back.metadata.title.as_deref() == Some(l.subject.as_str()), "{}.{ext}: title {:?}", t.id, back.metadata.title);
            office_files.push(path);
        }
        // The PDF renders and reads back.
        let pdf = stem.with_extension("pdf");
        let status = Command::new("pdftoppm").args(["-r", "40", "-png", "-f", "1", "-l", "1"]).arg(&pdf).arg(stem.with_extension("page")).status().expect("pdftoppm (poppler-utils; `make setup` installs it)");
        assert!(status.success(), "{}: pdftoppm failed", t.id);
        assert!(std::fs::metadata(dir.path().join(format!("{}.page-1.png", t.id))).is_ok_and(|m| m.len() > 1000));
        let back = documents::extract_file(&pdf, &ExtractOptions::default()).unwrap();
        let text = back.text();
        assert!(text.contains("KI-Entwurf – bitte prüfen"), "{}: PDF without mark", t.id);
        assert!(squash(&text).contains(&squash(&l.subject)), "{}: PDF without subject", t.id);
        let txt = std::fs::read_to_string(stem.with_extension("txt")).unwrap();
        assert!(txt.starts_with("KI-Entwurf – bitte prüfen\n") && txt.contains(&l.salutation));
    }

    // LibreOffice converts every DOCX and ODT without error (one process for all).
    let out = dir.path().join("lo");
    let profile_dir = dir.path().join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile_dir.display()))
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(&office_files)
        .output()
        .expect("LibreOffice (soffice; `make setup` installs libreoffice-writer-nogui)");
    assert!(status.status.success(), "soffice: {}", String::from_utf8_lossy(&status.stderr));
    for f in &office_files {
        let converted = out.join(format!("{}.pdf", f.file_stem().unwrap().to_string_lossy()));
        // Both formats share a stem: the later conversion overwrites the earlier; each must exist.
        assert!(std::fs::metadata(&converted).is_ok_and(|m| m.len() > 1000), "{} not converted", f.display());
    }
}

#[test]
fn deadlines_are_computed_across_christmas_and_the_weekend() {
    let t = template::find("nachforderung", None).unwrap();
    let pre = draft::prefill(&t, &[incoming()], &options(&t), &profile()).unwrap();
    let frist = pre.fields.iter().find(|f| f.key == "frist").unwrap();
    let d = frist.deadline.as_ref().unwrap();
    // 11.12.2026 + 2 weeks = Fri 25.12. (holiday) → 26.12. (holiday, Saturday) → 27.12. (Sunday) → Mon 28.12.2026.
    assert_eq!((d.date.as_str(), d.moved_from.as_deref()), ("28.12.2026", Some("25.12.2026")));
    assert_eq!(frist.origin, FieldOrigin::Vorlage);
    let r = run(&t, &incoming(), &options(&t));
    let liste = r.letter.paragraphs.iter().find(|p| p.id == "liste").unwrap();
    assert!(liste.text.starts_with("Bitte reichen Sie uns folgende Unterlagen bis zum 28.12.2026 ein:\n– Gehaltsnachweise Oktober und November 2026\n– Kontoauszüge"), "{}", liste.text);
    assert!(r.letter.paragraphs.iter().any(|p| p.id == "sgb" && p.legal && p.text.contains("§ 66 Abs. 3 SGB I")));
    // Without the flag the SGB passage is left out.
    let mut opts = options(&t);
    opts.fields.insert("sozialleistung".into(), "nein".into());
    let pre = draft::prefill(&t, &[incoming()], &opts, &profile()).unwrap();
    assert!(pre.fields.iter().any(|f| f.key == "sozialleistung" && f.value.as_deref() == Some("nein")));
}

#[test]
fn invented_facts_are_flagged_and_placeholders_block_the_review() {
    let t = template::find("freie-antwort", None).unwrap();
    let mut r = run(&t, &incoming(), &options(&t));
    // What only a model could have made up: an amount, a date, a name and a file number no input has.
    let p = r.letter.paragraphs.iter_mut().find(|p| p.origin == Origin::Model).unwrap();
    p.text = "Bitte überweisen Sie 1.234,56 € bis zum 03.02.2027. Herr Otto Beispielmann prüft das Aktenzeichen WG-2026-9999.".into();
    p.origin = Origin::Edited;
    r.recheck();
    let flagged: Vec<(&str, &str)> = r.unsupported.iter().map(|f| (f.kind.as_str(), f.text.as_str())).collect();
    // A date after "bis zum" is flagged as a deadline (`frist`).
    for (kinds, text) in [(&["betrag"][..], "1.234,56 €"), (&["datum", "frist"][..], "03.02.2027"), (&["name"][..], "Otto Beispielmann")] {
        assert!(flagged.iter().any(|(k, t)| kinds.contains(k) && t.contains(text)), "{kinds:?} {text} not flagged: {flagged:?}");
    }
    assert!(flagged.iter().any(|(_, t)| t.contains("WG-2026-9999")), "{flagged:?}");
    // Facts from the inputs are not flagged: the rent, the letter date, the file number.
    p_check(&mut r, "Ihre Miete von 742,50 € haben wir zum 11.12.2026 unter WG-2026-0815 erfasst.");
    assert!(r.unsupported.is_empty(), "{:?}", r.unsupported);

    // No incoming letter, no address: the letter says [Anschrift]; review cannot be confirmed.
    let mut opts = options(&t);
    opts.fields.insert("empfaenger_name".into(), "Frau Erika Muster".into());
    let r = draft::draft(engine(), model_ref(), &t, &[], &profile(), &opts, &CancelToken::default(), |_| {}).unwrap();
    assert_eq!(r.letter.salutation, "Sehr geehrte Frau Muster,");
    assert!(r.placeholders.contains(&"[Anschrift]".to_owned()), "{:?}", r.placeholders);
    let dir = tempfile::tempdir().unwrap();
    let doc = LetterDoc { letter: &r.letter, reviewed: true, model: &r.model, template_name: &r.template_name, created: "2026-12-11T09:00:00Z".into() };
    let err = write_letter(&doc, LetterFormat::Pdf, &dir.path().join("brief.pdf")).unwrap_err();
    assert!(matches!(err, CoreError::PlaceholdersLeft(_)));
    assert!(err.message_de().contains("[Anschrift]"), "{}", err.message_de());
    assert!(!dir.path().join("brief.pdf").exists());
}

fn p_check(r: &mut DraftResult, text: &str) {
    let p = r.letter.paragraphs.iter_mut().find(|p| p.origin != Origin::Fixed).unwrap();
    p.text = text.into();
    r.recheck();
}

#[test]
fn missing_required_fields_get_a_german_message() {
    let t = template::find("anhoerung", None).unwrap();
    let mut opts = options(&t);
    opts.fields.clear();
    let err = draft::draft(engine(), model_ref(), &t, &[incoming()], &profile(), &opts, &CancelToken::default(), |_| {}).unwrap_err();
    let msg = err.message_de();
    assert_eq!(err.code(), "missing_fields");
    assert!(msg.contains("Anhörung nach § 28 VwVfG") && msg.contains("Beabsichtigte Entscheidung"), "{msg}");
    // Without an incoming letter the recipient is missing too.
    let err = draft::draft(engine(), model_ref(), &t, &[], &profile(), &opts, &CancelToken::default(), |_| {}).unwrap_err();
    assert!(err.message_de().contains("Empfänger (Name)"), "{}", err.message_de());
}

#[test]
fn one_paragraph_is_written_again_and_the_legal_text_stays() {
    let t = template::find("anhoerung", None).unwrap();
    let r = run(&t, &incoming(), &options(&t));
    let again = draft::regenerate(engine(), &t, &[incoming()], &profile(), &r, "gruende", &CancelToken::default(), |_| {}).unwrap();
    let legal = |r: &DraftResult| r.letter.paragraphs.iter().find(|p| p.id == "anhoerung").unwrap().text.clone();
    assert_eq!(legal(&r), legal(&again));
    assert!(legal(&r).contains("bis zum 28.12.2026"), "{}", legal(&r));
    assert_eq!(again.letter.paragraphs.len(), r.letter.paragraphs.len());
    let err = draft::regenerate(engine(), &t, &[incoming()], &profile(), &r, "anhoerung", &CancelToken::default(), |_| {}).unwrap_err();
    assert!(err.message_de().contains("feste Textbausteine"), "{}", err.message_de());
}

/// Leichte Sprache: every model paragraph that breaks a rule is named in a warning, and only those.
#[test]
fn leichte_sprache_paragraphs_are_checked_by_the_rules() {
    let t = template::find("freie-antwort", None).unwrap();
    let mut opts = options(&t);
    opts.tone = Tone::LeichteSprache;
    let r = run(&t, &incoming(), &opts);
    for p in r.letter.paragraphs.iter().filter(|p| p.origin == Origin::Model) {
        let breaks = !schreibstube_core::tasks::readability::check_leichte_sprache(&p.text).is_empty();
        let warned = r.warnings.iter().any(|w| w.starts_with("Leichte Sprache") && w.contains(&format!("„{}“", p.label)));
        assert_eq!(breaks, warned, "{}: {:?}", p.text, r.warnings);
    }
}
