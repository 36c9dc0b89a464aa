//! The encrypted store: one SQLCipher database in the data folder, keyed by a random 256-bit key
//! that lives only in the OS keychain (`key.rs`). Every save is one transaction; the file holds
//! no plaintext of anything stored.
//!
//! What it keeps today: results (history, full-text searchable) and an audit log of metadata
//! (task, model, input hashes — never content). Settings, documents and templates follow.

mod key;
mod schema;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
pub use key::{DbKey, Keychain};

pub use schema::VERSION as SCHEMA_VERSION;

/// File name of the database inside the data folder.
pub const DB_FILE: &str = "schreibstube.db";

/// A result to keep in the history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewResult {
    /// e.g. "free_text", "summary", "draft", "explanation"
    pub task: String,
    pub title: String,
    pub body: String,
    /// Sources, facts, flags: the task's own JSON.
    pub data: serde_json::Value,
    pub provenance: Provenance,
}

/// Where a result came from (DESIGN.md: every result carries it; the audit log keeps it without
/// content).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    pub model_name: String,
    pub model_sha256: String,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub input_sha256: Vec<String>,
    #[serde(default)]
    pub parameters: serde_json::Value,
    pub app_version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredResult {
    pub id: i64,
    /// Unix seconds.
    pub created_at: i64,
    pub task: String,
    pub title: String,
    pub body: String,
    pub data: serde_json::Value,
    pub provenance: Provenance,
}

/// One line of the audit log: what happened, never what the documents said.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuditEntry {
    pub at: i64,
    pub action: String,
    pub task: Option<String>,
    pub model_name: Option<String>,
    pub model_sha256: Option<String>,
    pub input_sha256: Vec<String>,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the database in `data_dir`, with its key from the OS keychain. A new
    /// key is made only when there is no database yet; a database without its key is never
    /// overwritten (`CoreError::StoreKeyMissing` says how to recover).
    pub fn open_in(data_dir: &Path, keychain: &Keychain) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|e| CoreError::io(data_dir, e))?;
        let path = data_dir.join(DB_FILE);
        let key = match keychain.get()? {
            Some(key) => key,
            None if path.exists() => return Err(CoreError::StoreKeyMissing(path)),
            None => {
                let key = DbKey::generate()?;
                keychain.set(&key)?;
                key
            }
        };
        Self::open(&path, &key)
    }

    /// Opens the database at `path` with `key`.
    pub fn open(path: &Path, key: &DbKey) -> Result<Self> {
        let conn = Connection::open(path).map_err(|e| store_error(path, e))?;
        // The key must be the first statement; a raw key (x'…') skips the slow key derivation,
        // which a random 256-bit key does not need.
        // SQLCipher would print decryption failures to stderr; the typed error below says it all.
        conn.execute_batch(&format!("PRAGMA cipher_log_level = NONE; PRAGMA key = \"x'{}'\";", key.hex()))
            .map_err(|e| store_error(path, e))?;
        // The first read fails with "file is not a database" when the key is wrong.
        if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase) => CoreError::StoreKeyWrong(path.into()),
                _ => store_error(path, e),
            });
        }
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;")
            .map_err(|e| store_error(path, e))?;
        let mut store = Self { conn, path: path.into() };
        schema::migrate(&mut store.conn).map_err(|e| store_error(path, e))?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| store_error(&self.path, e))
    }

    /// Saves a result and its audit line in one transaction; returns the result's id.
    pub fn save_result(&mut self, r: &NewResult) -> Result<i64> {
        let now = now();
        let provenance = serde_json::to_string(&r.provenance).unwrap_or_default();
        let tx = self.conn.transaction().map_err(|e| store_error(&self.path, e))?;
        tx.execute(
            "INSERT INTO results (created_at, task, title, body, data, provenance) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![now, r.task, r.title, r.body, r.data.to_string(), provenance],
        )
        .map_err(|e| store_error(&self.path, e))?;
        let id = tx.last_insert_rowid();
        audit(&tx, now, "result_saved", Some(&r.task), Some(&r.provenance)).map_err(|e| store_error(&self.path, e))?;
        tx.commit().map_err(|e| store_error(&self.path, e))?;
        Ok(id)
    }

    pub fn get_result(&self, id: i64) -> Result<Option<StoredResult>> {
        self.conn
            .query_row(&format!("{SELECT_RESULT} WHERE id = ?1"), [id], row_to_result)
            .optional()
            .map_err(|e| store_error(&self.path, e))
    }

    /// The newest results first.
    pub fn list_results(&self, limit: usize) -> Result<Vec<StoredResult>> {
        self.query_results(&format!("{SELECT_RESULT} ORDER BY created_at DESC, id DESC LIMIT ?1"), params![limit as i64])
    }

    /// Full-text search over titles and texts (umlauts folded: „Köln“ finds „Koln“ and back).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<StoredResult>> {
        // Each word becomes a quoted prefix term, so user input is never FTS syntax.
        let fts: Vec<String> = query
            .split_whitespace()
            .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
            .collect();
        if fts.is_empty() {
            return Ok(Vec::new());
        }
        self.query_results(
            &format!("{SELECT_RESULT} WHERE id IN (SELECT rowid FROM results_fts WHERE results_fts MATCH ?1) ORDER BY created_at DESC, id DESC LIMIT ?2"),
            params![fts.join(" "), limit as i64],
        )
    }

    /// Deletes one result; true if it existed.
    pub fn delete_result(&mut self, id: i64) -> Result<bool> {
        let tx = self.conn.transaction().map_err(|e| store_error(&self.path, e))?;
        let n = tx.execute("DELETE FROM results WHERE id = ?1", [id]).map_err(|e| store_error(&self.path, e))?;
        if n > 0 {
            audit(&tx, now(), "result_deleted", None, None).map_err(|e| store_error(&self.path, e))?;
        }
        tx.commit().map_err(|e| store_error(&self.path, e))?;
        Ok(n > 0)
    }

    /// Retention: deletes results older than `days`; returns how many.
    pub fn delete_older_than(&mut self, days: u32) -> Result<usize> {
        let cutoff = now() - i64::from(days) * 86_400;
        let tx = self.conn.transaction().map_err(|e| store_error(&self.path, e))?;
        let n = tx.execute("DELETE FROM results WHERE created_at < ?1", [cutoff]).map_err(|e| store_error(&self.path, e))?;
        if n > 0 {
            audit(&tx, now(), "retention_deleted", None, None).map_err(|e| store_error(&self.path, e))?;
        }
        tx.commit().map_err(|e| store_error(&self.path, e))?;
        Ok(n)
    }

    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, action, task, model_name, model_sha256, inputs FROM audit ORDER BY id")
            .map_err(|e| store_error(&self.path, e))?;
        let rows = stmt
            .query_map([], |r| {
                let inputs: String = r.get(5)?;
                Ok(AuditEntry {
                    at: r.get(0)?,
                    action: r.get(1)?,
                    task: r.get(2)?,
                    model_name: r.get(3)?,
                    model_sha256: r.get(4)?,
                    input_sha256: serde_json::from_str(&inputs).unwrap_or_default(),
                })
            })
            .map_err(|e| store_error(&self.path, e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| store_error(&self.path, e))
    }

    fn query_results(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<StoredResult>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| store_error(&self.path, e))?;
        let rows = stmt.query_map(params, row_to_result).map_err(|e| store_error(&self.path, e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| store_error(&self.path, e))
    }
}

const SELECT_RESULT: &str = "SELECT id, created_at, task, title, body, data, provenance FROM results";

fn row_to_result(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredResult> {
    let data: String = r.get(5)?;
    let provenance: String = r.get(6)?;
    Ok(StoredResult {
        id: r.get(0)?,
        created_at: r.get(1)?,
        task: r.get(2)?,
        title: r.get(3)?,
        body: r.get(4)?,
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        provenance: serde_json::from_str(&provenance).unwrap_or_default(),
    })
}

fn audit(tx: &rusqlite::Transaction<'_>, at: i64, action: &str, task: Option<&str>, p: Option<&Provenance>) -> rusqlite::Result<()> {
    let inputs = p.map_or_else(|| "[]".to_string(), |p| serde_json::to_string(&p.input_sha256).unwrap_or_default());
    tx.execute(
        "INSERT INTO audit (at, action, task, model_name, model_sha256, inputs) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![at, action, task, p.map(|p| &p.model_name), p.map(|p| &p.model_sha256), inputs],
    )?;
    Ok(())
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn store_error(path: &Path, e: rusqlite::Error) -> CoreError {
    let full = matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DiskFull));
    tracing::warn!(code = ?e.sqlite_error_code(), "store error");
    if full {
        return CoreError::io(path, std::io::Error::from(std::io::ErrorKind::StorageFull));
    }
    CoreError::Store(e.to_string())
}
