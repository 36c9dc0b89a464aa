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

const BESCHEID: &str = "Gebührenbescheid vom 3. März 2026\n\nFür die Genehmigung wird eine Gebühr von 120,00 Euro festgesetzt.\n\nGegen diesen Bescheid kann bis zum 15. April 2026 Widerspruch eingelegt werden.\n";
const ANTRAG: &str = "Antrag auf Baugenehmigung\n\nDie Antragstellerin Hildegard Sonnenschein beantragt den Bau einer Garage im Lindenweg 4.\n";
const SUMMARY: &str = "Die Gebühr für die Genehmigung beträgt 120,00 Euro. Ein Widerspruch ist bis zum 15. April 2026 möglich. Zusätzlich wird ein Säumniszuschlag von 999,00 Euro fällig. Das Wetter in Hamburg war sonnig.";

fn doc(name: &str, text: &str) -> schreibstube_core::documents::Document {
    schreibstube_core::documents::extract_bytes(name, text.as_bytes(), &Default::default()).unwrap()
}

/// A task result as the tasks make it (tasks::history_entry): the files' sha256 as inputs.
fn task_result(body: &str, docs: &[&schreibstube_core::documents::Document]) -> NewResult {
    let mut provenance = Provenance::new("Gemma 3 270M (Q4_K_M)", &"a5".repeat(32), serde_json::json!({ "temperature": 0.2 }), &[]);
    provenance.input_sha256 = docs.iter().map(|d| d.source.sha256.clone()).collect();
    NewResult { task: "summary".into(), title: NewResult::title_from(body), body: body.into(), data: serde_json::json!({}), provenance }
}

#[test]
fn documents_are_kept_once_with_their_results_traced_exported_and_deleted_with_the_last_one() {
    let keychain = test_keychain("documents");
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open_with(dir.path(), Policy::default(), &keychain);
    let (bescheid, antrag) = (doc("gebuehrenbescheid.txt", BESCHEID), doc("bauantrag.txt", ANTRAG));

    let both = h.record_with_documents(&task_result(SUMMARY, &[&bescheid, &antrag]), &[bescheid.clone(), antrag.clone()]).unwrap().unwrap();
    let one = h.record_with_documents(&task_result("Die Gebühr beträgt 120,00 Euro.", &[&bescheid]), &[bescheid.clone()]).unwrap().unwrap();
    let kept = h.store().unwrap().list_documents().unwrap();
    assert_eq!(kept.len(), 2, "each document once, by sha256");
    assert_eq!(kept.iter().filter(|d| d.sha256 == bescheid.source.sha256).count(), 1);
    let back: schreibstube_core::documents::Document = serde_json::from_value(kept[0].data.clone()).unwrap();
    assert_eq!(back, bescheid, "the whole document with its positions is kept");

    // The trace: sentences with their sources, the invented amount flagged, the provenance.
    let t = h.trace(both).unwrap();
    assert_eq!(t.status, store::TraceStatus::Traced);
    assert_eq!(t.note_de, None);
    assert_eq!(t.sentences.len(), 4, "{:#?}", t.sentences);
    let fee = &t.sentences[0];
    assert!(fee.supported && fee.sources.iter().any(|p| p.file == "gebuehrenbescheid.txt" && p.paragraph == 2), "{fee:#?}");
    assert!(t.sentences[1].sources.iter().any(|p| p.file == "gebuehrenbescheid.txt" && p.paragraph == 3), "{:#?}", t.sentences[1]);
    assert!(!t.sentences[3].supported && t.sentences[3].sources.is_empty(), "{:#?}", t.sentences[3]);
    assert!(t.unsupported.iter().any(|u| u.text.contains("999") && u.sentence == 2), "{:#?}", t.unsupported);
    assert_eq!(t.provenance.model_sha256, "a5".repeat(32));
    assert_eq!(t.provenance.parameters["temperature"], 0.2);
    let names: Vec<_> = t.inputs.iter().map(|i| (i.file_name.as_deref(), i.kept)).collect();
    assert_eq!(names, vec![(Some("gebuehrenbescheid.txt"), true), (Some("bauantrag.txt"), true)]);
    assert_eq!(h.trace(9999).unwrap_err().code(), "history_entry_not_found");

    // The DSGVO export holds the kept documents.
    let zip_path = dir.path().join("export.zip");
    assert_eq!(h.store().unwrap().export_zip(&zip_path).unwrap().documents, 2);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut json = String::new();
    zip.by_name("documents.json").unwrap().read_to_string(&mut json).unwrap();
    assert!(json.contains("Lindenweg 4") && json.contains("120,00 Euro"));
    assert!(zip.file_names().filter_map(Result::ok).any(|n| n.starts_with("documents/") && n.ends_with("-bauantrag.txt.txt")));

    // Deleting a result deletes the documents no other result lists (DSGVO), in one step.
    assert!(h.store_mut().unwrap().delete_result(both).unwrap());
    let left: Vec<String> = h.store().unwrap().list_documents().unwrap().into_iter().map(|d| d.file_name).collect();
    assert_eq!(left, vec!["gebuehrenbescheid.txt"], "the Bescheid still belongs to result {one}");
    assert_eq!(h.trace(one).unwrap().status, store::TraceStatus::Traced);
    // Retention takes the rest.
    assert_eq!(h.store_mut().unwrap().delete_created_before(i64::MAX).unwrap(), 1);
    assert!(h.store().unwrap().list_documents().unwrap().is_empty());
    assert!(h.store().unwrap().audit_log().unwrap().iter().any(|e| e.action == "documents_deleted"));
    drop(h);
    let raw = std::fs::read(dir.path().join(DB_FILE)).unwrap();
    assert!(!raw.windows(10).any(|w| w == b"Lindenweg "), "documents are encrypted like results");
    keychain.delete().unwrap();
}

#[test]
fn older_results_and_free_text_trace_without_sources_and_history_off_keeps_no_documents() {
    let keychain = test_keychain("trace-old");
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open_with(dir.path(), Policy::default(), &keychain);
    let bescheid = doc("gebuehrenbescheid.txt", BESCHEID);
    // Saved the old way: provenance lists the file, the store has no document.
    let old = h.record(&task_result(SUMMARY, &[&bescheid])).unwrap().unwrap();
    let t = h.trace(old).unwrap();
    assert_eq!(t.status, store::TraceStatus::NotKept);
    assert!(t.note_de.as_deref().unwrap().contains("nicht gespeichert"));
    assert!(t.sentences.is_empty() && t.unsupported.is_empty());
    assert_eq!(t.inputs, vec![store::TraceInput { file_name: None, sha256: bescheid.source.sha256.clone(), kept: false }]);
    let free = h.record(&result(SECRET)).unwrap().unwrap();
    assert_eq!(h.trace(free).unwrap().status, store::TraceStatus::NoDocuments);
    drop(h);

    let mut h = History::open_with(dir.path(), policy("keep_history = false\n"), &keychain);
    assert_eq!(h.record_with_documents(&task_result(SUMMARY, &[&bescheid]), &[bescheid.clone()]).unwrap(), None);
    assert!(h.store().unwrap().list_documents().unwrap().is_empty());
    keychain.delete().unwrap();
}
