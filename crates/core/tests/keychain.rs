//! The database key in a real Secret Service (gnome-keyring, started by `make test` through
//! scripts/with-keyring.sh).

use schreibstube_core::store::{Keychain, NewResult, Provenance, Store, DB_FILE};

#[test]
fn the_key_lives_in_the_keychain_and_a_lost_key_loses_no_data() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "needs a Secret Service: run through scripts/with-keyring.sh (make test does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let keychain = Keychain::new("de.schreibstube.test", &format!("key-{}", std::process::id()));
    keychain.delete().unwrap();

    // First start: a key is made and kept in the keychain only.
    let mut store = Store::open_in(dir.path(), &keychain).expect("open with a new key");
    let r = NewResult { task: "free_text".into(), title: "T".into(), body: "Inhalt".into(), data: serde_json::Value::Null, provenance: Provenance::default() };
    store.save_result(&r).unwrap();
    drop(store);
    assert!(keychain.get().unwrap().is_some());

    // Next start: the same key opens the same data.
    assert_eq!(Store::open_in(dir.path(), &keychain).unwrap().list_results(5).unwrap().len(), 1);

    // The key is gone: a typed error, and the database is neither replaced nor changed.
    let before = std::fs::read(dir.path().join(DB_FILE)).unwrap();
    keychain.delete().unwrap();
    let err = Store::open_in(dir.path(), &keychain).err().expect("no key, no open");
    assert_eq!(err.code(), "store_key_missing");
    assert!(err.message_de().contains("Schlüsselbund"), "{}", err.message_de());
    assert_eq!(std::fs::read(dir.path().join(DB_FILE)).unwrap(), before);
    assert!(keychain.get().unwrap().is_none(), "no new key was made over existing data");
}
