//! `schreibstube-cli explain` as scripts use it: real binary, real default model, a generated
//! budget CSV in German format.

use std::process::Command;

mod common;

fn cli(data_dir: &std::path::Path) -> Command {
    common::cli(data_dir)
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn explain_json_has_figures_sources_readability_and_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("haushalt.csv");
    std::fs::write(
        &csv,
        "Produkt;Ansatz 2025;Ansatz 2026\nFeuerwehr;1.000.000,00 €;1.125.000,00 €\nSchulen;2.000.000,00 €;1.900.000,00 €\n",
    )
    .unwrap();
    let data = dir.path().join("daten");
    let v = json(&cli(&data).args(["explain", "--json", "--audience", "gremium", "--question", "Was ändert sich?"]).arg(&csv).output().unwrap());
    assert!(v["explanation"].is_string());
    assert_eq!(v["mark"], "KI-Entwurf – bitte prüfen");
    assert!(v["note"].as_str().unwrap().contains("ersetzt nicht das Original"));
    assert_eq!(v["audience"], "gremium");
    assert_eq!(v["model"]["sha256"], common::SHA);
    assert!(v["sentences"].is_array() && v["unsupported"].is_array());
    for s in v["sentences"].as_array().unwrap() {
        assert!(s["sources"].is_array() && s["text"].is_string());
    }
    let figures = v["figures"].as_array().unwrap();
    let find = |id: &str| figures.iter().find(|f| f["id"] == id).unwrap_or_else(|| panic!("{id}"));
    // 1.125.000 - 1.000.000 = +125.000 €, +12,5 %; 1.900.000 - 2.000.000 = -100.000 €, -5 %.
    assert_eq!(find("differenz:0")["display"], "+125.000,00 €");
    assert_eq!(find("veraenderung:0")["display"], "+12,5 %");
    assert_eq!(find("veraenderung:0")["formula"], "(B-A)/|A|*100");
    assert_eq!(find("veraenderung:1")["exact"], "-5");
    assert_eq!(find("summe:Ansatz 2026")["exact"], "3025000");
    let input = &find("differenz:1")["inputs"][1];
    assert_eq!(input["name"], "B");
    assert_eq!(input["column"], "Ansatz 2026");
    assert_eq!(input["text"], "1.900.000,00 €");
    assert_eq!(input["position"]["row"], 3);
    assert_eq!(v["table"]["from"], "Ansatz 2025");
    for key in ["before", "after"] {
        assert!(v["readability"][key]["flesch_amstad"].is_number(), "{key}");
        assert!(v["readability"][key]["wiener_sachtextformel"].is_number(), "{key}");
    }
    assert!(v["readability"]["rules_failed"].is_array());

    let list = json(&cli(&data).args(["history", "list", "--json"]).output().unwrap());
    assert_eq!(list["results"][0]["task"], "explanation");

    // The CSV was kept with the result: the explanation traces back to it.
    let id = list["results"][0]["id"].as_i64().unwrap().to_string();
    let t = json(&cli(&data).args(["history", "trace", &id, "--json"]).output().unwrap());
    assert_eq!(t["status"], "traced", "{t}");
    assert_eq!(t["inputs"][0]["file_name"], "haushalt.csv");
    assert_eq!(t["inputs"][0]["kept"], true);
    assert_eq!(t["provenance"]["model_sha256"], common::SHA);
    assert!(!t["sentences"].as_array().unwrap().is_empty());
    let out = cli(&data).args(["history", "trace", &id]).output().unwrap();
    let plain = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && plain.contains("Wie ist das entstanden?") && plain.contains("haushalt.csv (sha256"), "{plain}");

    // Leichte Sprache is accepted as an audience; a missing file is one German sentence.
    let out = cli(&data).args(["explain", "--audience", "leichte-sprache"]).arg(dir.path().join("fehlt.docx")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("fehlt.docx") && stderr.contains("nicht gefunden"), "{stderr}");
}

/// The bundled budget sample explained and exported as PDF: the computed figures travel with the
/// text, and the file reads back through the app's own PDF reader.
#[test]
fn explain_exports_the_figures_with_the_text_as_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/samples/haushalt-2026.csv");
    let target = dir.path().join("erklaerung.pdf");
    let out = cli(dir.path()).args(["explain", "--audience", "gremium", "--json", "--export"]).arg(&target).arg(sample).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read = cli(dir.path()).args(["extract", "--json"]).arg(&target).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
    let text: Vec<String> = v["files"][0]["blocks"].as_array().unwrap().iter().map(|b| b["text"].as_str().unwrap().to_owned()).collect();
    let all = text.join("\n");
    assert!(all.contains("KI-Entwurf – bitte prüfen"), "{all}");
    assert!(all.contains("Berechnete Werte"), "{all}");
    assert!(all.contains("Summe Ansatz 2026: 9.677.587,00"), "{all}");
    assert!(all.contains("Größter Anstieg: Kindertagesstätten: +348.000,00"), "{all}");
    assert!(all.contains("Lesbarkeit"), "{all}");
    // The chart of the changes, drawn in the PDF with a label and value per bar.
    assert!(all.contains("Veränderung von Ansatz 2025 zu Ansatz 2026"), "{all}");
    assert!(all.contains("Kindertagesstätten: +348.000,00"), "{all}");
    assert!(all.contains("Erklärung für: Gremium"), "{all}");
}
