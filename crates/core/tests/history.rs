//! Settings, documents, DSGVO export and deletion, the audit CSV, and `History` (what the front
//! ends hold) on a real SQLCipher database; the keychain tests run inside scripts/with-keyring.sh.

use std::io::Read;

use schreibstube_core::policy::{Policy, SenderProfile, UserSettings};
use schreibstube_core::store::{self, DbKey, History, HistoryState, Keychain, NewDocument, NewResult, Provenance, Store, DB_FILE};

const SECRET: &str = "Widerspruch von Hildegard Sonnenschein gegen den Gebührenbescheid vom 3. März";
const DOC_TEXT: &str = "Sehr geehrte Frau Sonnenschein, Ihr Antrag auf Wohngeld wurde bewilligt.";

fn key(b: u8) -> DbKey {
    DbKey::from_bytes([b; 32])
}

fn result(body: &str) -> NewResult {
    let mut provenance = Provenance::new("Gemma 3 270M (Q4_K_M)", &"a5".repeat(32), serde_json::json!({ "seed": 1 }), &[body]);
    provenance.template = Some("antwort-standard".into());
    NewResult { task: "free_text".into(), title: NewResult::title_from(body), body: body.into(), data: serde_json::json!({}), provenance }
}

fn document() -> NewDocument {
    NewDocument { file_name: "widerspruch sonnenschein.pdf".into(), sha256: store::sha256_hex(DOC_TEXT.as_bytes()), text: DOC_TEXT.into(), data: serde_json::json!({ "blocks": 1 }) }
}

fn policy(text: &str) -> Policy {
    Policy::parse(text).unwrap()
}

#[test]
fn settings_round_trip_and_locked_settings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.db"), &key(1)).unwrap();
    assert_eq!(s.user_settings().unwrap(), UserSettings::default());
    let p = policy("retention_days = 10\n[sender]\nauthority = \"Stadt Musterstadt\"\n");
    let mine = UserSettings {
        keep_history: Some(true),
        sender: SenderProfile { clerk: Some("Frau Beispiel".into()), phone: Some("0123 456".into()), ..Default::default() },
        ..Default::default()
    };
    s.set_user_settings(&p, &mine).unwrap();
    assert_eq!(s.user_settings().unwrap(), mine);
    let err = s.set_user_settings(&p, &UserSettings { retention_days: Some(99), ..mine.clone() }).unwrap_err();
    assert_eq!(err.code(), "setting_locked");
    assert!(err.message_de().contains("von der IT festgelegt"), "{}", err.message_de());
    let err = s.set_user_settings(&Policy::default(), &UserSettings { retention_days: Some(0), ..mine.clone() }).unwrap_err();
    assert_eq!(err.code(), "invalid_parameter");
    assert_eq!(s.user_settings().unwrap(), mine, "a refused change changes nothing");
    assert_eq!(s.audit_log().unwrap().iter().filter(|e| e.action == "settings_changed").count(), 1);
}

#[test]
fn the_export_holds_everything_and_the_audit_csv_only_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.db"), &key(2)).unwrap();
    let id = s.save_result(&result(SECRET)).unwrap();
    s.save_document(&document()).unwrap();
    s.set_user_settings(&Policy::default(), &UserSettings { retention_days: Some(7), ..Default::default() }).unwrap();

    let zip_path = dir.path().join("export.zip");
    let summary = s.export_zip(&zip_path).unwrap();
    assert_eq!((summary.results, summary.documents), (1, 1));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        zip.by_name(name).unwrap_or_else(|_| panic!("{name} in the ZIP")).read_to_string(&mut text).unwrap();
        text
    };
    let results: serde_json::Value = serde_json::from_str(&read("results.json")).unwrap();
    assert_eq!(results["results"][0]["id"], id);
    assert_eq!(results["results"][0]["body"], SECRET);
    assert_eq!(results["results"][0]["provenance"]["model_sha256"], "a5".repeat(32));
    let settings: serde_json::Value = serde_json::from_str(&read("settings.json")).unwrap();
    assert_eq!(settings["user"]["retention_days"], 7);
    let docs: serde_json::Value = serde_json::from_str(&read("documents.json")).unwrap();
    assert_eq!(docs["documents"][0]["text"], DOC_TEXT);
    assert!(read("audit.json").contains("result_saved"));
    assert_eq!(read("documents/1-widerspruch_sonnenschein.pdf.txt"), DOC_TEXT, "one text file per document, safe name");
}

#[test]
fn audit_csv_has_when_task_template_model_and_hashes_but_no_content() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.db"), &key(3)).unwrap();
    s.save_result(&result(SECRET)).unwrap();
    s.save_document(&document()).unwrap();
    let mut csv = Vec::new();
    assert_eq!(s.write_audit_csv(&mut csv).unwrap(), 2);
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "when,action,task,template,model_name,model_sha256,input_sha256");
    let row: Vec<&str> = lines[1].split(',').collect();
    assert!(row[0].ends_with('Z') && row[0].contains('T'), "RFC 3339: {}", row[0]);
    assert_eq!(&row[1..6], &["result_saved", "free_text", "antwort-standard", "Gemma 3 270M (Q4_K_M)", &"a5".repeat(32)]);
    assert_eq!(row[6], store::sha256_hex(SECRET.as_bytes()));
    assert!(lines[2].contains(&store::sha256_hex(DOC_TEXT.as_bytes())));
    for word in ["Sonnenschein", "Widerspruch", "Wohngeld", "Gebührenbescheid"] {
        assert!(!csv.contains(word), "{word} in the audit CSV");
    }
}

#[test]
fn delete_all_needs_confirmation_and_leaves_nothing_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut s = Store::open(&path, &key(4)).unwrap();
    for i in 0..200 {
        s.save_result(&result(&format!("{SECRET} ({i})"))).unwrap();
    }
    s.save_document(&document()).unwrap();
    let size_before = std::fs::metadata(&path).unwrap().len() + std::fs::metadata(dir.path().join("s.db-wal")).map_or(0, |m| m.len());

    assert_eq!(s.delete_all(false).unwrap_err().code(), "confirmation_required");
    assert_eq!(s.list_results(1000).unwrap().len(), 200, "nothing deleted without a yes");

    s.delete_all(true).unwrap();
    assert!(s.list_results(1000).unwrap().is_empty());
    assert!(s.list_documents().unwrap().is_empty());
    assert!(s.search("Sonnenschein", 10).unwrap().is_empty(), "the full-text index is empty too");
    assert_eq!(s.user_settings().unwrap(), UserSettings::default());
    let log = s.audit_log().unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["all_data_deleted"]);
    // VACUUM rewrote the file: no free page keeps old (encrypted) content, the WAL is empty.
    assert_eq!(s.free_pages().unwrap(), 0);
    assert_eq!(s.integrity_check().unwrap(), "ok");
    drop(s);
    let mut raw = std::fs::read(&path).unwrap();
    let wal = std::fs::read(dir.path().join("s.db-wal")).unwrap_or_default();
    assert!(wal.is_empty(), "WAL truncated: {} bytes", wal.len());
    assert!((raw.len() as u64) < size_before / 4, "file shrank: {} of {size_before} bytes", raw.len());
    raw.extend(wal);
    for needle in ["Sonnenschein", "Widerspruch", "Wohngeld"] {
        assert!(!raw.windows(needle.len()).any(|w| w == needle.as_bytes()), "{needle} in the file");
    }
    // And the data is gone for the key holder too.
    let s = Store::open(&path, &key(4)).unwrap();
    assert!(s.list_results(10).unwrap().is_empty());
}

#[test]
fn retention_deletes_old_results_and_history_off_stores_nothing() {
    let keychain = test_keychain("retention");
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open_with(dir.path(), Policy::default(), &keychain);
    assert_eq!(h.status().state, HistoryState::Ready, "{:?}", h.status().error);
    let id = h.record(&result(SECRET)).unwrap().expect("saved");
    assert_eq!(h.store().unwrap().get_result(id).unwrap().unwrap().body, SECRET);
    assert_eq!(h.settings().retention_days.value, 30);
    assert_eq!(h.apply_retention().unwrap(), 0, "a fresh result is kept");
    drop(h);

    // The IT switches history off: nothing new is stored, and what was kept goes.
    let mut h = History::open_with(dir.path(), policy("keep_history = false\n"), &keychain);
    assert_eq!(h.status().state, HistoryState::Off);
    assert!(h.settings().keep_history.locked);
    assert_eq!(h.record(&result("noch ein Ergebnis")).unwrap(), None);
    assert!(h.store().unwrap().list_results(10).unwrap().is_empty());
    keychain.delete().unwrap();
}

#[test]
fn a_lost_key_is_reported_and_start_fresh_keeps_the_old_file() {
    let keychain = test_keychain("fresh");
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open_with(dir.path(), Policy::default(), &keychain);
    h.record(&result(SECRET)).unwrap();
    drop(h);
    let old = std::fs::read(dir.path().join(DB_FILE)).unwrap();
    keychain.delete().unwrap();

    let mut h = History::open_with(dir.path(), Policy::default(), &keychain);
    let status = h.status();
    assert_eq!(status.state, HistoryState::Unavailable);
    assert_eq!(status.error.as_ref().unwrap().code, "store_key_missing");
    assert!(status.can_start_fresh);
    assert!(h.warning_de().unwrap().starts_with("Verlauf wird nicht gespeichert"));
    assert_eq!(h.record(&result("x")).unwrap_err().code(), "store_key_missing");
    assert_eq!(h.start_fresh(&keychain, false).unwrap_err().code(), "confirmation_required");
    assert_eq!(std::fs::read(dir.path().join(DB_FILE)).unwrap(), old, "untouched without a yes");

    let moved = h.start_fresh(&keychain, true).unwrap();
    assert!(moved.file_name().unwrap().to_string_lossy().starts_with("schreibstube.db.unreadable-"));
    assert_eq!(std::fs::read(&moved).unwrap(), old, "the old file is kept as it was");
    assert_eq!(h.status().state, HistoryState::Ready);
    assert!(h.store().unwrap().list_results(10).unwrap().is_empty(), "a fresh start");
    keychain.delete().unwrap();
}

fn test_keychain(name: &str) -> Keychain {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "needs a Secret Service: run through scripts/with-keyring.sh (make test does)"
    );
    let k = Keychain::new("de.schreibstube.test", &format!("{name}-{}", std::process::id()));
    k.delete().unwrap();
    k
}
