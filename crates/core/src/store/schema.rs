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
    // 2: settings (one JSON value per key), documents with their extracted text, the template
    // of a result in the audit log
    r#"
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        added_at INTEGER NOT NULL,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        text TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX documents_sha ON documents(sha256);
    ALTER TABLE audit ADD COLUMN template TEXT;
    "#,
];

pub(super) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    migrate_to(conn, MIGRATIONS.len())
}

fn migrate_to(conn: &mut Connection, target: usize) -> rusqlite::Result<()> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > MIGRATIONS.len() {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISMATCH),
            Some(format!("database schema {current} is newer than this app ({})", MIGRATIONS.len())),
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().take(target).skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_database_is_migrated_and_keeps_its_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 1).unwrap();
        conn.execute_batch(
            "INSERT INTO results (created_at, task, title, body, data, provenance) VALUES (1, 'free_text', 'T', 'alt', '{}', '{}');
             INSERT INTO audit (at, action) VALUES (1, 'result_saved');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, VERSION);
        let body: String = conn.query_row("SELECT body FROM results", [], |r| r.get(0)).unwrap();
        assert_eq!(body, "alt");
        let template: Option<String> = conn.query_row("SELECT template FROM audit", [], |r| r.get(0)).unwrap();
        assert_eq!(template, None);
        conn.execute("INSERT INTO settings (key, value) VALUES ('user', '{}')", []).unwrap();
        migrate(&mut conn).unwrap();
        // A database from a newer version is refused, not changed.
        conn.pragma_update(None, "user_version", VERSION + 1).unwrap();
        assert!(migrate(&mut conn).is_err());
    }
}
