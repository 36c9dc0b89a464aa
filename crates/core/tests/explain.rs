//! Explanations on the real default model and real files generated here: a budget CSV in German
//! format (every computed figure checked against values computed independently in this test) and
//! a notice (Bescheid) as DOCX (its amount, dates and remedy kept with citations, or flagged).

use std::collections::HashSet;
use std::io::{Cursor, Write};
use std::sync::LazyLock;

use regex::Regex;
use schreibstube_core::documents::{self, Document, ExtractOptions};
use schreibstube_core::llm::CancelToken;
use schreibstube_core::tasks::explain::{self, Audience, ExplainOptions, ExplainResult, ORIGINAL_NOTE_DE};
use schreibstube_core::tasks::facts;
use schreibstube_core::tasks::figures::{self, FigureKind, FigureOptions};
use schreibstube_core::tasks::readability;
use schreibstube_core::CoreError;
use zip::write::SimpleFileOptions;

mod common;
use common::{engine, model_ref};

fn run(doc: &Document, opts: &ExplainOptions) -> ExplainResult {
    explain::explain(engine(), model_ref(), std::slice::from_ref(doc), opts, &CancelToken::default(), |_| {}).expect("explanation")
}

// ---------------------------------------------------------------------------------------------
// The budget table

/// (Produkt, Ansatz 2025 in cents, Ansatz 2026 in cents).
const BUDGET: &[(&str, i64, i64)] = &[
    ("Feuerwehr", 123_450_000, 138_900_050),
    ("Schulen", 245_000_000, 231_275_000),
    ("Kultur", 18_760_000, 18_760_000),
    ("Straßenunterhaltung", 40_000_000, 52_337_500),
    ("Jugendhilfe", 77_712_345, 80_001_999),
    ("Sport", 9_999_999, 4_321_000),
];

/// German money: 123450000 cents → "1.234.500,00 €".
fn euro(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let int = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{:02} €", c % 100)
}

fn budget_csv() -> Vec<u8> {
    let mut csv = String::from("Produkt;Ansatz 2025;Ansatz 2026;Bemerkung\n");
    let (mut a, mut b) = (0, 0);
    for (name, x, y) in BUDGET {
        csv.push_str(&format!("{name};{};{};\n", euro(*x), euro(*y)));
        a += x;
        b += y;
    }
    // A total row as budget exports have it: it must not be counted twice.
    csv.push_str(&format!("Summe;{};{};\n", euro(a), euro(b)));
    csv.into_bytes()
}

/// Cents as the plain exact form the figures carry ("1234.5").
fn plain(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    match c % 100 {
        0 => format!("{sign}{}", c / 100),
        f if f % 10 == 0 => format!("{sign}{}.{}", c / 100, f / 10),
        f => format!("{sign}{}.{f:02}", c / 100),
    }
}

/// (n / d) * 100 in tenths of a percent, rounded half away from zero, as "12.3".
fn percent(n: i64, d: i64) -> String {
    let (n, d) = (i128::from(n) * 1000, i128::from(d));
    let q = n / d;
    let r = n % d;
    let t = if 2 * r.abs() >= d.abs() { q + if (n < 0) == (d < 0) { 1 } else { -1 } } else { q };
    let sign = if t < 0 { "-" } else { "" };
    let t = t.abs();
    if t % 10 == 0 {
        format!("{sign}{}", t / 10)
    } else {
        format!("{sign}{}.{}", t / 10, t % 10)
    }
}

fn budget_doc() -> Document {
    documents::extract_bytes("haushalt-2026.csv", &budget_csv(), &ExtractOptions::default()).expect("budget CSV reads")
}

#[test]
fn budget_figures_are_exact() {
    let t = figures::analyze(&budget_doc(), &FigureOptions::default()).expect("a table");
    assert_eq!((t.table.from.as_str(), t.table.to.as_str()), ("Ansatz 2025", "Ansatz 2026"));
    assert_eq!(t.table.label_column.as_deref(), Some("Produkt"));
    assert_eq!(t.table.numeric_columns, vec!["Ansatz 2025", "Ansatz 2026"]);
    let total_a: i64 = BUDGET.iter().map(|r| r.1).sum();
    let total_b: i64 = BUDGET.iter().map(|r| r.2).sum();
    let by_id = |id: &str| t.figures.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("figure {id} missing"));
    assert_eq!(by_id("summe:Ansatz 2025").exact, plain(total_a), "the Summe row is not counted twice");
    assert_eq!(by_id("summe:Ansatz 2026").exact, plain(total_b));
    assert_eq!(by_id("summe:Ansatz 2026").display, euro(total_b));
    for (i, (name, a, b)) in BUDGET.iter().enumerate() {
        let d = by_id(&format!("differenz:{i}"));
        assert_eq!(d.exact, plain(b - a), "{name}");
        assert_eq!(d.formula, "B-A");
        assert_eq!(d.inputs[0].position.row, Some(i as u32 + 2), "row of the CSV (header is row 1)");
        assert_eq!(d.inputs[0].text, euro(*a));
        assert_eq!(d.inputs[1].text, euro(*b));
        let p = by_id(&format!("veraenderung:{i}"));
        assert_eq!(p.exact, percent(b - a, *a), "{name}");
        let s = by_id(&format!("anteil:{i}"));
        assert_eq!(s.exact, percent(*b, total_b), "{name}");
    }
    // The displays are German: Feuerwehr +15.450.050 cents = "+154.500,50 €", +12,5 %.
    assert_eq!(by_id("differenz:0").display, "+154.500,50 €");
    assert_eq!(by_id("veraenderung:0").display, "+12,5 %");
    // Total row: its own difference, but no share and no rank.
    let summe_row = BUDGET.len();
    assert_eq!(by_id(&format!("differenz:{summe_row}")).exact, plain(total_b - total_a));
    assert!(t.figures.iter().all(|f| f.id != format!("anteil:{summe_row}")));
    // Largest increase: Feuerwehr (+154.500,50 €) before Straßenunterhaltung (+123.375 €);
    // largest decrease: Schulen (-137.250 €) before Sport (-56.789,99 €).
    let ups: Vec<_> = t.of_kind(FigureKind::GroessterAnstieg).map(|f| f.row.clone().unwrap()).collect();
    assert_eq!(ups, vec!["Feuerwehr", "Straßenunterhaltung", "Jugendhilfe"]);
    assert_eq!(t.of_kind(FigureKind::GroessterAnstieg).next().unwrap().label, "Größter Anstieg: Feuerwehr");
    let downs: Vec<_> = t.of_kind(FigureKind::GroessterRueckgang).map(|f| f.row.clone().unwrap()).collect();
    assert_eq!(downs, vec!["Schulen", "Sport"]);
}

const SSML: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A one-sheet workbook ("Haushalt") with inline-string text cells and number cells.
fn xlsx(rows: &[(&str, f64, f64)]) -> Vec<u8> {
    let mut data = String::from(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Produkt</t></is></c><c r="B1" t="inlineStr"><is><t>Ist 2024</t></is></c><c r="C1" t="inlineStr"><is><t>Plan 2025</t></is></c></row>"#);
    for (i, (name, a, b)) in rows.iter().enumerate() {
        let r = i + 2;
        data.push_str(&format!(r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{name}</t></is></c><c r="B{r}"><v>{a}</v></c><c r="C{r}"><v>{b}</v></c></row>"#));
    }
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.to_owned()),
        ("_rels/.rels", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)),
        ("xl/workbook.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{SSML}" xmlns:r="{REL}"><sheets><sheet name="Haushalt" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
        ("xl/_rels/workbook.xml.rels", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#)),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SSML}"><sheetData>{data}</sheetData></worksheet>"#)),
    ];
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in parts {
        writer.start_file(name, SimpleFileOptions::default()).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn xlsx_figures_are_exact_and_cite_sheet_and_row() {
    let bytes = xlsx(&[("Bücherei", 1000.1, 1234.56), ("Bad", 0.0, 50.0), ("Museum", 800.0, 700.0)]);
    let doc = documents::extract_bytes("plan.xlsx", &bytes, &ExtractOptions::default()).expect("XLSX reads");
    let t = figures::analyze(&doc, &FigureOptions::default()).expect("a table");
    assert_eq!(t.table.sheet.as_deref(), Some("Haushalt"));
    let by_id = |id: &str| t.figures.iter().find(|f| f.id == id);
    // 1234,56 - 1000,1 = 234,46 exactly (in f64 it would be 234.45999…); 234,46 / 1000,1 = 23,44… %.
    let d = by_id("differenz:0").unwrap();
    assert_eq!(d.exact, "234.46");
    assert_eq!(d.display, "+234,46");
    assert_eq!(by_id("veraenderung:0").unwrap().display, "+23,4 %");
    assert_eq!(d.inputs[1].position.sheet.as_deref(), Some("Haushalt"));
    assert_eq!(d.inputs[1].position.row, Some(2));
    // A change from 0 has a difference but no percentage.
    assert_eq!(by_id("differenz:1").unwrap().exact, "50");
    assert!(by_id("veraenderung:1").is_none());
    assert_eq!(by_id("veraenderung:2").unwrap().display, "-12,5 %");
    assert_eq!(by_id("summe:Plan 2025").unwrap().exact, "1984.56");
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9](?:[0-9.,]*[0-9])?").unwrap());

fn number_values(text: &str) -> HashSet<String> {
    NUMBER.find_iter(text).filter_map(|m| figures::parse_number(m.as_str())).map(|n| format!("{:?}", n.value)).collect()
}

#[test]
fn budget_explanation_states_only_computed_or_source_numbers_unflagged() {
    let doc = budget_doc();
    for audience in [Audience::Gremium, Audience::Buerger] {
        let r = run(&doc, &ExplainOptions { audience, question: Some("Wo steigen die Ausgaben am stärksten?".into()), ..ExplainOptions::default() });
        assert_eq!(r.note, ORIGINAL_NOTE_DE);
        assert_eq!(r.mark, "KI-Entwurf – bitte prüfen");
        let table = r.table.as_ref().expect("figures mode");
        assert!(r.key_facts.is_empty(), "for tables the figures are the facts");
        assert_eq!(table.to, "Ansatz 2026");
        assert!(r.figures.len() > 3 * BUDGET.len());
        assert!(r.figures.iter().all(|f| !f.formula.is_empty() && !f.inputs.is_empty()));
        // Every number of the explanation equals a computed figure or a source number, or the
        // checker flagged it.
        let mut allowed = HashSet::new();
        for f in &r.figures {
            allowed.extend(number_values(&f.display));
        }
        for b in &doc.blocks {
            allowed.extend(number_values(&b.text));
        }
        let flagged: Vec<&str> = r.unsupported.iter().map(|u| u.text.as_str()).collect();
        for s in &r.sentences {
            for m in NUMBER.find_iter(&s.text) {
                let Some(n) = figures::parse_number(m.as_str()) else { continue };
                if !allowed.contains(&format!("{:?}", n.value)) {
                    assert!(
                        flagged.iter().any(|f| f.contains(m.as_str()) || m.as_str().contains(f)),
                        "{audience:?}: number {} in „{}“ is neither computed nor in the sources, and not flagged ({flagged:?})",
                        m.as_str(),
                        s.text
                    );
                }
            }
            // A sentence stating a computed figure cites it and its cells.
            for id in &s.figures {
                let f = r.figures.iter().find(|f| &f.id == id).expect("known figure");
                assert!(f.inputs.iter().any(|i| s.sources.contains(&i.position)), "{id}");
            }
        }
        let h = r.to_history(std::slice::from_ref(&doc));
        assert_eq!(h.task, "explanation");
        assert_eq!(h.provenance.input_sha256, vec![doc.source.sha256.clone()]);
        assert_eq!(h.data["figures"].as_array().unwrap().len(), r.figures.len());
        assert_eq!(h.data["audience"], serde_json::to_value(audience).unwrap());
    }
}

// ---------------------------------------------------------------------------------------------
// The notice

fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs.iter().map(|p| format!(r#"<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>"#)).collect();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in [("[Content_Types].xml", "<Types/>"), ("word/document.xml", document.as_str())] {
        writer.start_file(name, SimpleFileOptions::default()).unwrap();
        writer.write_all(data.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

const BESCHEID: &[&str] = &[
    "Stadt Musterstadt – Bauaufsicht",
    "Gebührenbescheid, Aktenzeichen BA-2025-0815",
    "Sehr geehrte Frau Musterfrau,",
    "für die Bearbeitung Ihres Bauantrags vom 03.02.2025 setzen wir eine Verwaltungsgebühr in Höhe von 250,00 € fest.",
    "Der Betrag ist bis zum 15.03.2025 auf das Konto der Stadtkasse zu überweisen.",
    "Rechtsbehelfsbelehrung: Gegen diesen Bescheid können Sie innerhalb eines Monats nach Bekanntgabe Widerspruch bei der Stadt Musterstadt erheben.",
    "Mit freundlichen Grüßen, Ihre Bauaufsicht",
];

fn bescheid() -> Document {
    documents::extract_bytes("gebuehrenbescheid.docx", &docx(BESCHEID), &ExtractOptions::default()).expect("DOCX reads")
}

fn check_notice(doc: &Document, r: &ExplainResult) {
    assert_eq!(r.note, ORIGINAL_NOTE_DE);
    assert!(r.table.is_none() && r.figures.is_empty());
    let para_of = |needle: &str| doc.blocks.iter().find(|b| b.text.contains(needle)).unwrap().position.clone();
    // The key facts are found by code with their paragraphs.
    let fact = |kind: &str, value: &str| {
        r.key_facts.iter().find(|k| k.kind == kind && k.value.contains(value)).unwrap_or_else(|| panic!("{kind} {value} missing: {:#?}", r.key_facts))
    };
    assert_eq!(fact("betrag", "250,00").sources[0], para_of("250,00 €"));
    let deadline = r.key_facts.iter().find(|k| (k.kind == "frist" || k.kind == "datum") && k.value.contains("15.03.2025")).expect("deadline");
    assert_eq!(deadline.sources[0], para_of("15.03.2025"));
    let remedy = fact("rechtsbehelf", "Widerspruch");
    assert_eq!(remedy.sources[0], para_of("Rechtsbehelfsbelehrung"));
    // Amounts, dates and deadlines (the remedy's "innerhalb eines Monats" is one): stated in the
    // explanation with a citation of their paragraph, or marked as missing.
    use facts::FactKind as K;
    for k in r.key_facts.iter().filter(|k| matches!(k.kind.as_str(), "betrag" | "datum" | "frist")) {
        let stating: Vec<_> = r
            .sentences
            .iter()
            .filter(|s| {
                facts::scan(&s.text).iter().any(|f| matches!(f.kind, K::Betrag | K::Datum | K::Frist) && f.normalized == k.normalized)
            })
            .collect();
        for s in &stating {
            assert!(s.sources.iter().any(|p| k.sources.contains(p)), "„{}“ states {} but cites {:?}", s.text, k.value, s.sources);
        }
        if !stating.is_empty() {
            assert!(k.in_explanation, "{} stated but marked missing", k.value);
        }
    }
    let deadline_kept = r.key_facts.iter().any(|k| k.normalized == "2025-03-15" && k.in_explanation);
    eprintln!("Erklärung ({:?}, Frist übernommen: {deadline_kept}):\n{}\nfehlend: {:?}", r.audience, r.explanation,
        r.key_facts.iter().filter(|k| !k.in_explanation).map(|k| &k.value).collect::<Vec<_>>());
    // Dates and amounts the explanation invents are flagged.
    let source_facts: HashSet<String> = doc.blocks.iter().flat_map(|b| facts::scan(&b.text)).map(|f| f.normalized).collect();
    for s in &r.sentences {
        for f in facts::scan(&s.text) {
            if matches!(f.kind, facts::FactKind::Datum | facts::FactKind::Frist | facts::FactKind::Betrag) && !source_facts.contains(&f.normalized) {
                assert!(r.unsupported.iter().any(|u| u.text.contains(f.value.as_str()) || f.value.contains(u.text.as_str())), "{} not flagged", f.value);
            }
        }
    }
}

#[test]
fn notice_keeps_amount_dates_and_remedy_with_citations_or_flags_them() {
    let doc = bescheid();
    let r = run(&doc, &ExplainOptions { audience: Audience::Buerger, question: Some("Bis wann muss ich zahlen?".into()), ..ExplainOptions::default() });
    check_notice(&doc, &r);
    assert!(r.readability.before.words > 30);
    assert!(r.readability.rules_failed.is_empty(), "rules are checked for Leichte Sprache only");
}

#[test]
fn leichte_sprache_is_checked_and_revised() {
    let doc = bescheid();
    let r = run(&doc, &ExplainOptions { audience: Audience::LeichteSprache, ..ExplainOptions::default() });
    check_notice(&doc, &r);
    assert!(r.readability.revisions <= 2);
    // What is reported is exactly what the checker finds in the final text.
    assert_eq!(r.readability.rules_failed, readability::check_leichte_sprache(&r.explanation));
    if r.readability.revisions == 0 {
        assert!(r.readability.rules_failed.is_empty() || r.explanation.is_empty());
    }
    assert_eq!(r.readability.after, readability::scores(&r.explanation));
}

#[test]
fn a_notice_given_as_figures_is_a_clear_german_error() {
    let err = figures::analyze(&bescheid(), &FigureOptions::default()).unwrap_err();
    assert!(matches!(err, CoreError::NotATable(_)));
    assert_eq!(err.code(), "not_a_table");
    assert!(err.message_de().contains("„gebuehrenbescheid.docx“ ist keine Tabelle"), "{}", err.message_de());
    let words = documents::extract_bytes("namen.csv", "Name;Ort\nMeier;Mannheim\nSchulz;Heidelberg\n".as_bytes(), &ExtractOptions::default()).unwrap();
    let err = figures::analyze(&words, &FigureOptions::default()).unwrap_err();
    assert_eq!(err.code(), "no_numeric_columns");
    assert!(err.message_de().contains("keine Spalte mit Zahlen"));
    // A column that does not exist is named in the message.
    let err = figures::analyze(&budget_doc(), &FigureOptions { from: Some("Ansatz 1999".into()), to: None }).unwrap_err();
    assert!(err.message_de().contains("Ansatz 1999"));
}

/// The bundled sample: a "Produkt" column of codes (11.1, 12.6 …) is neither summed nor used as
/// the row's name, and the "Summe" row (its label under "Produkt", "Bezeichnung" empty) is not
/// counted twice.
#[test]
fn sample_budget_codes_are_no_amounts_and_its_total_row_is_no_item() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/samples/haushalt-2026.csv");
    let doc = documents::extract_file(path, &ExtractOptions::default()).expect("sample reads");
    let t = figures::analyze(&doc, &FigureOptions::default()).expect("a table");
    assert_eq!(t.table.numeric_columns, vec!["Ansatz 2025", "Ansatz 2026"]);
    assert_eq!(t.table.label_column.as_deref(), Some("Bezeichnung"));
    let by_id = |id: &str| t.figures.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("figure {id} missing"));
    assert_eq!(by_id("summe:Ansatz 2025").exact, "9112500");
    assert_eq!(by_id("summe:Ansatz 2026").exact, "9677587");
    let top = t.figures.iter().find(|f| f.id == "anstieg:1").expect("largest increase");
    assert_eq!(top.label, "Größter Anstieg: Kindertagesstätten");
    assert_eq!(top.display, "+348.000,00");
}
