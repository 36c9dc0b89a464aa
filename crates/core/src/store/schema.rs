//! Versioned schema migrations (`PRAGMA user_version`). Each step runs in its own transaction;
//! a database from a newer app version is refused rather than damaged.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: history and audit log
    r#"
    CREATE TABLE results (
        id INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,
        task TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        data TEXT NOT NULL,
        provenance TEXT NOT NULL
    );
    CREATE INDEX results_created ON results(created_at);
    CREATE VIRTUAL TABLE results_fts USING fts5(
        title, body, content='results', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER results_ai AFTER INSERT ON results BEGIN
        INSERT INTO results_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END;
    CREATE TRIGGER results_ad AFTER DELETE ON results BEGIN
        INSERT INTO results_fts(results_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    END;
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        action TEXT NOT NULL,
        task TEXT,
        model_name TEXT,
        model_sha256 TEXT,
        inputs TEXT NOT NULL DEFAULT '[]'
    );
    "#,
];

pub(super) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > MIGRATIONS.len() {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISMATCH),
            Some(format!("database schema {current} is newer than this app ({})", MIGRATIONS.len())),
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;
