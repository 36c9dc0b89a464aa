//! The encrypted store on a real SQLCipher database.

use schreibstube_core::store::{DbKey, NewResult, Provenance, Store};

fn key(b: u8) -> DbKey {
    DbKey::from_bytes([b; 32])
}

fn result(title: &str, body: &str) -> NewResult {
    NewResult {
        task: "free_text".into(),
        title: title.into(),
        body: body.into(),
        data: serde_json::json!({ "sources": [] }),
        provenance: Provenance {
            model_name: "Gemma 3 270M (Q4_K_M)".into(),
            model_sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818".into(),
            input_sha256: vec!["00ff".into()],
            app_version: "0.1.0".into(),
            ..Default::default()
        },
    }
}

const SECRET: &str = "Wohngeldantrag von Erika Mustermann, Köln, IBAN DE02120300000000202051";

#[test]
fn the_file_holds_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        let mut store = Store::open(&path, &key(1)).unwrap();
        store.save_result(&result("Bescheid Mustermann", SECRET)).unwrap();
        // Reads go through the key.
        assert_eq!(store.list_results(10).unwrap()[0].body, SECRET);
    }
    let mut raw = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("s.db-wal")) {
        raw.extend(wal);
    }
    for needle in ["Mustermann", "Wohngeldantrag", "DE02120300000000202051", "SQLite format 3"] {
        assert!(!raw.windows(needle.len()).any(|w| w == needle.as_bytes()), "plaintext {needle:?} in the file");
    }
}

#[test]
fn a_wrong_key_is_a_typed_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    Store::open(&path, &key(1)).unwrap().save_result(&result("A", SECRET)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path, &key(2)).err().expect("wrong key");
    assert_eq!(err.code(), "store_key_wrong");
    assert!(err.message_de().contains("Schlüssel"), "{}", err.message_de());
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file is untouched");
    assert_eq!(Store::open(&path, &key(1)).unwrap().list_results(10).unwrap().len(), 1);
}

#[test]
fn history_is_searchable_with_umlauts_folded_and_deletable() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &key(3)).unwrap();
    let a = store.save_result(&result("Antwort Köln", "Die Baugenehmigung für die Straße liegt vor.")).unwrap();
    let b = store.save_result(&result("Zwischennachricht", "Ihr Antrag wird bearbeitet.")).unwrap();
    assert_eq!(store.search("koln", 10).unwrap().iter().map(|r| r.id).collect::<Vec<_>>(), vec![a]);
    assert_eq!(store.search("Baugenehm", 10).unwrap()[0].id, a, "prefix search");
    assert_eq!(store.search("antrag", 10).unwrap()[0].id, b);
    assert!(store.search("\" OR *", 10).unwrap().is_empty(), "FTS syntax in input is plain text");
    let list = store.list_results(10).unwrap();
    assert_eq!(list.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b, a], "newest first");
    assert_eq!(list[1].provenance.model_sha256.len(), 64);

    assert!(store.delete_result(a).unwrap());
    assert!(!store.delete_result(a).unwrap());
    assert!(store.search("koln", 10).unwrap().is_empty(), "deleted from the index too");
    assert!(store.get_result(a).unwrap().is_none());
    assert_eq!(store.delete_older_than(0).unwrap(), 0, "b is from this second");
}

#[test]
fn the_audit_log_records_metadata_but_no_content() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &key(4)).unwrap();
    let id = store.save_result(&result("Bescheid Mustermann", SECRET)).unwrap();
    store.delete_result(id).unwrap();
    let log = store.audit_log().unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["result_saved", "result_deleted"]);
    assert_eq!(log[0].model_name.as_deref(), Some("Gemma 3 270M (Q4_K_M)"));
    assert_eq!(log[0].input_sha256, vec!["00ff".to_string()]);
    let dump = serde_json::to_string(&log).unwrap();
    assert!(!dump.contains("Mustermann") && !dump.contains("Wohngeld"));
}

#[test]
fn reopening_keeps_data_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    Store::open(&path, &key(5)).unwrap().save_result(&result("A", "eins")).unwrap();
    let store = Store::open(&path, &key(5)).unwrap();
    assert_eq!(store.list_results(10).unwrap()[0].body, "eins");
    assert_eq!(store.schema_version().unwrap(), schreibstube_core::store::SCHEMA_VERSION);
}
