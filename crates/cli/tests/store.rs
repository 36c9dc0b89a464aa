//! History, DSGVO export/deletion, audit CSV, IT policy and model import through the real CLI,
//! with the real model and a real Secret Service (scripts/with-keyring.sh).

mod common;

use common::{cli, json, stderr, stdout, SHA};
use std::io::Read;

const PROMPT: &str = "Bitte bestätigen Sie den Eingang des Antrags von Frau Apfelbaum aus der Lindenstraße";

#[test]
fn generate_saves_its_result_and_history_data_and_audit_commands_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = cli(d).args(["generate", "--json", "--max-tokens", "8", "--seed", "1", "--threads", "2", "--prompt", PROMPT]).output().unwrap();
    let v = json(&out);
    let id = v["history_id"].as_i64().expect("saved to history");
    assert!(stderr(&out).is_empty(), "no warning: {}", stderr(&out));

    let list = json(&cli(d).args(["history", "list", "--json"]).output().unwrap());
    assert_eq!(list["results"][0]["id"], id);
    assert_eq!(list["results"][0]["task"], "free_text");
    let plain = stdout(&cli(d).args(["history", "list"]).output().unwrap());
    assert!(plain.contains("Apfelbaum"), "{plain}");

    let found = json(&cli(d).args(["history", "search", "APFELB eingang", "--json"]).output().unwrap());
    assert_eq!(found["results"][0]["id"], id);
    assert!(json(&cli(d).args(["history", "search", "Birnbaum", "--json"]).output().unwrap())["results"].as_array().unwrap().is_empty());

    let shown = json(&cli(d).args(["history", "show", &id.to_string(), "--json"]).output().unwrap());
    assert_eq!(shown["body"], v["text"]);
    assert_eq!(shown["data"]["prompt"], PROMPT);
    let p = &shown["provenance"];
    assert_eq!(p["model_sha256"], SHA);
    assert_eq!(p["model_name"], "Gemma 3 270M (Q4_K_M)");
    assert_eq!(p["parameters"]["seed"], 1);
    assert_eq!(p["parameters"]["max_tokens"], 8);
    assert_eq!(p["input_sha256"][0], schreibstube_core::store::sha256_hex(PROMPT.as_bytes()));

    // Audit CSV on stdout: metadata only.
    let csv = stdout(&cli(d).args(["audit", "export"]).output().unwrap());
    assert!(csv.starts_with("when,action,task,template,model_name,model_sha256,input_sha256\n"), "{csv}");
    assert!(csv.contains(&format!(",result_saved,free_text,,Gemma 3 270M (Q4_K_M),{SHA},")), "{csv}");
    assert!(!csv.contains("Apfelbaum") && !csv.contains("Lindenstr"));
    let csv_file = d.join("protokoll.csv");
    assert!(cli(d).args(["audit", "export", "-o"]).arg(&csv_file).status().unwrap().success());
    assert_eq!(std::fs::read_to_string(&csv_file).unwrap(), csv);

    // "Meine Daten exportieren".
    let zip_path = d.join("export.zip");
    let out = cli(d).args(["data", "export", "-o"]).arg(&zip_path).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 Ergebnisse"), "{}", stdout(&out));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut results = String::new();
    zip.by_name("results.json").unwrap().read_to_string(&mut results).unwrap();
    assert!(results.contains("Apfelbaum"));

    // Delete one, then everything (only with --yes).
    assert!(cli(d).args(["history", "delete", &id.to_string()]).status().unwrap().success());
    let out = cli(d).args(["history", "show", &id.to_string()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("keinen Eintrag"), "{}", stderr(&out));
    cli(d).args(["generate", "--max-tokens", "2", "--prompt", "Zweiter Eintrag"]).output().unwrap();
    let out = cli(d).args(["data", "delete"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Bestätigung"), "{}", stderr(&out));
    assert_eq!(json(&cli(d).args(["history", "list", "--json"]).output().unwrap())["results"].as_array().unwrap().len(), 1);
    assert!(cli(d).args(["data", "delete", "--yes"]).status().unwrap().success());
    assert!(json(&cli(d).args(["history", "list", "--json"]).output().unwrap())["results"].as_array().unwrap().is_empty());
}

#[test]
fn without_a_keychain_the_result_is_still_printed_with_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/schreibstube-bus")
        .args(["generate", "--max-tokens", "6", "--seed", "1", "--prompt", "Die Stadtverwaltung"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).trim().is_empty());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("Verlauf wird nicht gespeichert: kein Schlüsselbund erreichbar"), "{err}");
    assert!(!dir.path().join("schreibstube.db").exists(), "no database without a key");

    let out = cli(dir.path()).env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/schreibstube-bus").args(["history", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Schlüsselbund"), "{}", stderr(&out));
}

#[test]
fn the_it_policy_is_enforced_and_an_invalid_one_stops_everything() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    let run = |text: &str, args: &[&str]| {
        std::fs::write(&policy, text).unwrap();
        cli(dir.path()).env("SCHREIBSTUBE_POLICY", &policy).args(args).output().unwrap()
    };

    let out = run("retention_days = \"dreißig\"\n", &["models", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).lines().count(), 1);
    assert!(stderr(&out).contains("IT-Richtlinie") && stderr(&out).contains("Zeile 1"), "{}", stderr(&out));
    let out = run("unbekannt = 1\n", &["extract", "Cargo.toml"]);
    assert_eq!(out.status.code(), Some(1), "no command runs unrestricted");

    let out = run("disabled_features = [\"free_text\"]\n", &["generate", "--prompt", "Hallo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("„Freier Text“ ist von Ihrer IT abgeschaltet"), "{}", stderr(&out));

    let out = run(&format!("allowed_models = [\"{}\"]\n", "b".repeat(64)), &["generate", "--prompt", "Hallo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nicht freigegeben"), "{}", stderr(&out));
    let out = run(&format!("allowed_models = [\"{}\"]\n", "b".repeat(64)), &["models", "import", "../../models/gemma-3-270m-q4_k_m.gguf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nicht freigegeben"), "{}", stderr(&out));
    let out = run(&format!("allowed_models = [\"{SHA}\"]\n"), &["generate", "--max-tokens", "2", "--prompt", "Hallo"]);
    assert!(out.status.success(), "an allowed model runs: {}", stderr(&out));

    let out = run("max_file_mb = 1\n", &["extract", "../../models/gemma-3-270m-q4_k_m.gguf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("höchstens 1 MB"), "{}", stderr(&out));

    let v = json(&run("retention_days = 14\n[sender]\nauthority = \"Stadt Musterstadt\"\n", &["policy", "show", "--json"]));
    assert_eq!(v["present"], true);
    assert_eq!(v["effective"]["retention_days"]["value"], 14);
    assert_eq!(v["effective"]["retention_days"]["locked"], true);
    assert_eq!(v["effective"]["keep_history"]["locked"], false);
    assert_eq!(v["effective"]["sender"]["authority"]["value"], "Stadt Musterstadt");
    let text = stdout(&run("retention_days = 14\n", &["policy", "show"]));
    assert!(text.contains("14  (von der IT festgelegt)"), "{text}");

    // keep_history = false: the result is printed and not kept.
    let v = json(&run("keep_history = false\n", &["generate", "--json", "--max-tokens", "2", "--prompt", "Hallo"]));
    assert!(v["history_id"].is_null());
}

#[test]
fn models_import_copies_and_describes_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    std::fs::copy("../../models/models.toml", models.join("models.toml")).unwrap();
    let out = cli(dir.path())
        .env("SCHREIBSTUBE_MODELS", &models)
        .args(["models", "import", "../../models/gemma-3-270m-q4_k_m.gguf"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in ["Modell übernommen: Gemma 3 270M (Q4_K_M)", "Gemma Terms of Use", "32768 Tokens", "Arbeitsspeicher: etwa", SHA] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert!(models.join("gemma-3-270m-q4_k_m.gguf").is_file());
}
