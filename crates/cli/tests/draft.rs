//! `schreibstube-cli draft` and `templates list` as scripts use them: real binary, real default
//! model, the bundled sample citizen's letter.

use std::path::Path;

mod common;
use common::{cli, json, stderr};

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/samples/antrag-wohngeld.txt")
}

#[test]
fn templates_list_names_all_six_with_their_fields() {
    let dir = tempfile::tempdir().unwrap();
    let v = json(&cli(dir.path()).args(["templates", "list", "--json"]).output().unwrap());
    let ids: Vec<&str> = v.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["eingangsbestaetigung", "nachforderung", "anhoerung", "sachstand", "termin", "freie-antwort"]);
    let nachforderung = &v[1];
    assert!(nachforderung["fields"].as_array().unwrap().iter().any(|f| f["key"] == "fehlende_unterlagen" && f["required"] == true));
    assert!(nachforderung["parts"].as_array().unwrap().iter().any(|p| p["legal"] == true));
    let text = common::stdout(&cli(dir.path()).args(["templates", "list"]).output().unwrap());
    assert!(text.contains("Anhörung nach § 28 VwVfG") && text.contains("Pflichtfelder"), "{text}");
}

#[test]
fn draft_writes_an_odt_and_json_and_saves_the_letter() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("daten");
    let odt = dir.path().join("brief.odt");
    let out = cli(&data)
        .args(["draft", "--template", "nachforderung", "--input"])
        .arg(sample())
        .args(["--field", "fehlende_unterlagen=Gehaltsnachweise 2026\\nKontoauszüge", "--date", "11.12.2026", "--tone", "buergernah", "--format", "odt", "-o"])
        .arg(&odt)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("geschrieben (KI-Entwurf – bitte prüfen)"), "{}", stderr(&out));
    let back = schreibstube_core::documents::extract_file(&odt, &Default::default()).unwrap().text();
    for part in ["Max Mustermann", "Antrag auf Wohngeld – fehlende Unterlagen", "bis zum 28.12.2026", "– Kontoauszüge", "§ 26 Abs. 2", "Mit freundlichen Grüßen"] {
        assert!(back.contains(part), "{part} missing:\n{back}");
    }

    let v = json(
        &cli(&data)
            .args(["draft", "--template", "termin", "--input"])
            .arg(sample())
            .args(["--field", "termin=Dienstag, 05.01.2027, 10:00 Uhr", "--field", "ort=Rathaus, Zimmer 2.14", "--date", "11.12.2026", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(v["template_id"], "termin");
    assert_eq!(v["mark"], "KI-Entwurf – bitte prüfen");
    assert_eq!(v["model"]["sha256"], common::SHA);
    assert_eq!(v["letter"]["salutation"], "Guten Tag Max Mustermann,");
    let absage = v["fields"].as_array().unwrap().iter().find(|f| f["key"] == "absage_bis").unwrap();
    // One week from Friday 11.12.2026: Friday 18.12.2026.
    assert_eq!(absage["deadline"]["date"], "18.12.2026");
    assert!(v["unsupported"].is_array() && v["placeholders"].is_array());

    let list = json(&cli(&data).args(["history", "list", "--json"]).output().unwrap());
    let tasks: Vec<&str> = list["results"].as_array().unwrap().iter().map(|r| r["task"].as_str().unwrap()).collect();
    assert_eq!(tasks, ["draft", "draft"]);
}

#[test]
fn missing_fields_and_unknown_templates_are_one_german_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path()).args(["draft", "--template", "anhoerung", "--input"]).arg(sample()).args(["--format", "txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("fehlen Pflichtangaben: Beabsichtigte Entscheidung"), "{err}");
    let out = cli(dir.path()).args(["draft", "--template", "mahnung", "--format", "txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unbekannte Vorlage „mahnung“") && stderr(&out).contains("nachforderung"), "{}", stderr(&out));
    let out = cli(dir.path()).args(["draft", "--template", "freie-antwort", "--format", "pdf"]).output().unwrap();
    assert!(stderr(&out).contains("-o DATEI"), "{}", stderr(&out));
}
