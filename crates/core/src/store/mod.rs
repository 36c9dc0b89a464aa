//! The encrypted store: one SQLCipher database in the data folder, keyed by a random 256-bit key
//! that lives only in the OS keychain (`key.rs`). Every save is one transaction; the file holds
//! no plaintext of anything stored.
//!
//! What it keeps: results (history, full-text searchable), documents (extracted text, hashes),
//! the user's settings and sender profile, and an audit log of metadata (task, template, model,
//! input hashes — never content). `history.rs` is what the front ends hold (the store if it
//! could be opened, the policy's rules, retention); `export.rs` the DSGVO export and the audit CSV.

mod export;
mod history;
mod key;
mod schema;
mod trace;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
pub use export::{timestamp_utc, ExportSummary};
pub use history::{History, HistoryState, HistoryStatus};
pub use key::{DbKey, Keychain};
pub use trace::{ResultTrace, TraceInput, TraceStatus};

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

impl NewResult {
    /// A short title for the history list: the first non-empty line of `text`, at most 80
    /// characters.
    pub fn title_from(text: &str) -> String {
        let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        let mut title: String = line.chars().take(80).collect();
        if line.chars().count() > 80 {
            title.push('…');
        }
        title
    }
}

/// Where a result came from (DESIGN.md: every result carries it; the audit log keeps it without
/// content).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    /// Display name from the manifest (or the file name).
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

impl Provenance {
    /// Provenance of a result made now by this build: `inputs` are the texts that went in (the
    /// prompt, documents); only their sha256 is kept.
    pub fn new(model_name: &str, model_sha256: &str, parameters: serde_json::Value, inputs: &[&str]) -> Self {
        Self {
            model_name: model_name.into(),
            model_sha256: model_sha256.into(),
            template: None,
            input_sha256: inputs.iter().map(|t| sha256_hex(t.as_bytes())).collect(),
            parameters,
            app_version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// sha256 of `bytes`, lower-case hex (how inputs appear in provenance and the audit log).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A document to keep: its extracted text and where it came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewDocument {
    /// File name only (never a full path: the export must not reveal the user's folders).
    pub file_name: String,
    pub sha256: String,
    pub text: String,
    /// The extractor's JSON (blocks with positions, metadata).
    pub data: serde_json::Value,
}

impl NewDocument {
    /// A read file as the store keeps it: keyed by the file's sha256 (as provenance lists it),
    /// with the whole `Document` as JSON so a trace can cite its pages and paragraphs again.
    pub fn from_document(doc: &crate::documents::Document) -> Self {
        Self {
            file_name: doc.source.file_name.clone(),
            sha256: doc.source.sha256.clone(),
            text: doc.text(),
            data: serde_json::to_value(doc).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredDocument {
    pub id: i64,
    pub added_at: i64,
    pub file_name: String,
    pub sha256: String,
    pub text: String,
    pub data: serde_json::Value,
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
    #[serde(default)]
    pub template: Option<String>,
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
                keychain.set(&DbKey::generate()?)?;
                // Read back: if another process (the app and the CLI starting together) stored
                // its own key in between, both use the one that stayed.
                keychain.get()?.ok_or_else(|| CoreError::Keychain("the new key was not kept".into()))?
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
        self.save_result_with_documents(r, &[])
    }

    /// Saves a result and the documents it came from in one transaction: each document once
    /// (a sha256 already stored is not saved again), so "Wie ist das entstanden?" can trace the
    /// result later. Returns the result's id.
    pub fn save_result_with_documents(&mut self, r: &NewResult, docs: &[NewDocument]) -> Result<i64> {
        let now = now();
        let provenance = serde_json::to_string(&r.provenance).unwrap_or_default();
        let tx = self.conn.transaction().map_err(|e| store_error(&self.path, e))?;
        let run = |tx: &rusqlite::Transaction<'_>| -> rusqlite::Result<i64> {
            tx.execute(
                "INSERT INTO results (created_at, task, title, body, data, provenance) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![now, r.task, r.title, r.body, r.data.to_string(), provenance],
            )?;
            let id = tx.last_insert_rowid();
            audit(tx, now, "result_saved", Some(&r.task), Some(&r.provenance))?;
            for d in docs {
                let known: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM documents WHERE sha256 = ?1)", [&d.sha256], |row| row.get(0))?;
                if !known {
                    insert_document(tx, now, d)?;
                }
            }
            Ok(id)
        };
        let id = run(&tx).map_err(|e| store_error(&self.path, e))?;
        tx.commit().map_err(|e| store_error(&self.path, e))?;
        Ok(id)
    }

    /// The stored document with this sha256 (the file's, as provenance lists it).
    pub fn document_by_sha256(&self, sha256: &str) -> Result<Option<StoredDocument>> {
        self.conn
            .query_row(&format!("{SELECT_DOCUMENT} WHERE sha256 = ?1 ORDER BY id LIMIT 1"), [sha256], row_to_document)
            .optional()
            .map_err(|e| store_error(&self.path, e))
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
            prune_documents(&tx).map_err(|e| store_error(&self.path, e))?;
        }
        tx.commit().map_err(|e| store_error(&self.path, e))?;
        Ok(n > 0)
    }

    /// Retention: deletes results older than `days`; returns how many.
    pub fn delete_older_than(&mut self, days: u32) -> Result<usize> {
        self.delete_created_before(now() - i64::from(days) * 86_400)
    }

    /// Deletes results created before `cutoff` (unix seconds; `i64::MAX`: all of them).
    pub fn delete_created_before(&mut self, cutoff: i64) -> Result<usize> {
        let tx = self.conn.transaction().map_err(|e| store_error(&self.path, e))?;
        let n = tx.execute("DELETE FROM results WHERE created_at < ?1", [cutoff]).map_err(|e| store_error(&self.path, e))?;
        if n > 0 {
            audit(&tx, now(), "retention_deleted", None, None).map_err(|e| store_error(&self.path, e))?;
            prune_documents(&tx).map_err(|e| store_error(&self.path, e))?;
        }
        tx.commit().map_err(|e| store_error(&self.path, e))?;
        Ok(n)
    }

    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, action, task, model_name, model_sha256, inputs, template FROM audit ORDER BY id")
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
                    template: r.get(6)?,
                })
            })
            .map_err(|e| store_error(&self.path, e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| store_error(&self.path, e))
    }

    /// The user's own settings (defaults where nothing is stored).
    pub fn user_settings(&self) -> Result<crate::policy::UserSettings> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = 'user'", [], |r| r.get(0))
            .optional()
            .map_err(|e| store_error(&self.path, e))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default())
    }

    /// Stores the user's settings after checking them against the policy (a locked setting
    /// cannot be changed: `SettingLocked`).
    pub fn set_user_settings(&mut self, policy: &crate::policy::Policy, new: &crate::policy::UserSettings) -> Result<()> {
        let old = self.user_settings()?;
        crate::policy::check_change(policy, &old, new)?;
        let json = serde_json::to_string(new).unwrap_or_default();
        let tx = self.conn.transaction().map_err(|e| store_error(&self.path, e))?;
        tx.execute("INSERT INTO settings (key, value) VALUES ('user', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [json])
            .map_err(|e| store_error(&self.path, e))?;
        audit(&tx, now(), "settings_changed", None, None).map_err(|e| store_error(&self.path, e))?;
        tx.commit().map_err(|e| store_error(&self.path, e))
    }

    /// Keeps a document's extracted text; returns its id.
    pub fn save_document(&mut self, d: &NewDocument) -> Result<i64> {
        let tx = self.conn.transaction().map_err(|e| store_error(&self.path, e))?;
        let id = insert_document(&tx, now(), d).map_err(|e| store_error(&self.path, e))?;
        tx.commit().map_err(|e| store_error(&self.path, e))?;
        Ok(id)
    }

    /// Whether a document with this sha256 is kept already.
    pub fn has_document(&self, sha256: &str) -> Result<bool> {
        self.conn
            .query_row("SELECT EXISTS(SELECT 1 FROM documents WHERE sha256 = ?1)", [sha256], |row| row.get(0))
            .map_err(|e| store_error(&self.path, e))
    }

    pub fn list_documents(&self) -> Result<Vec<StoredDocument>> {
        let mut stmt = self.conn.prepare(&format!("{SELECT_DOCUMENT} ORDER BY id")).map_err(|e| store_error(&self.path, e))?;
        let rows = stmt.query_map([], row_to_document).map_err(|e| store_error(&self.path, e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| store_error(&self.path, e))
    }

    /// "Alle Daten löschen" (DSGVO Art. 17): every result, document, setting and audit line,
    /// then VACUUM and a WAL truncation, so that no freed page keeps old data in the file. One
    /// audit line records that it happened. `confirmed` must be the user's explicit yes.
    pub fn delete_all(&mut self, confirmed: bool) -> Result<()> {
        if !confirmed {
            return Err(CoreError::ConfirmationRequired);
        }
        let tx = self.conn.transaction().map_err(|e| store_error(&self.path, e))?;
        tx.execute_batch(
            "DELETE FROM results; DELETE FROM documents; DELETE FROM settings; DELETE FROM audit;
             INSERT INTO results_fts(results_fts) VALUES ('rebuild');",
        )
        .map_err(|e| store_error(&self.path, e))?;
        audit(&tx, now(), "all_data_deleted", None, None).map_err(|e| store_error(&self.path, e))?;
        tx.commit().map_err(|e| store_error(&self.path, e))?;
        self.conn
            .execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(|e| store_error(&self.path, e))?;
        tracing::info!("all data deleted");
        Ok(())
    }

    /// `PRAGMA integrity_check` (crash tests, diagnostics): `"ok"` when the file is sound.
    pub fn integrity_check(&self) -> Result<String> {
        self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| store_error(&self.path, e))
    }

    /// Pages on the free list (0 right after `delete_all`: nothing old left in the file).
    pub fn free_pages(&self) -> Result<i64> {
        self.conn.query_row("PRAGMA freelist_count", [], |r| r.get(0)).map_err(|e| store_error(&self.path, e))
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

const SELECT_DOCUMENT: &str = "SELECT id, added_at, file_name, sha256, text, data FROM documents";

fn row_to_document(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDocument> {
    let data: String = r.get(5)?;
    Ok(StoredDocument {
        id: r.get(0)?,
        added_at: r.get(1)?,
        file_name: r.get(2)?,
        sha256: r.get(3)?,
        text: r.get(4)?,
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
    })
}

fn insert_document(tx: &rusqlite::Transaction<'_>, now: i64, d: &NewDocument) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO documents (added_at, file_name, sha256, text, data) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now, d.file_name, d.sha256, d.text, d.data.to_string()],
    )?;
    let id = tx.last_insert_rowid();
    let p = Provenance { input_sha256: vec![d.sha256.clone()], ..Default::default() };
    audit(tx, now, "document_saved", None, Some(&p))?;
    Ok(id)
}

/// DSGVO: a document lives only as long as a result that lists it among its inputs. Runs in the
/// transaction that deleted results, so no document is ever left without one.
fn prune_documents(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<usize> {
    let n = tx.execute(
        "DELETE FROM documents WHERE sha256 NOT IN (
             SELECT j.value FROM results,
                 json_each(CASE WHEN json_valid(results.provenance) THEN results.provenance ELSE '{}' END, '$.input_sha256') AS j
             WHERE j.value IS NOT NULL)",
        [],
    )?;
    if n > 0 {
        audit(tx, now(), "documents_deleted", None, None)?;
    }
    Ok(n)
}

fn audit(tx: &rusqlite::Transaction<'_>, at: i64, action: &str, task: Option<&str>, p: Option<&Provenance>) -> rusqlite::Result<()> {
    let inputs = p.map_or_else(|| "[]".to_string(), |p| serde_json::to_string(&p.input_sha256).unwrap_or_default());
    tx.execute(
        "INSERT INTO audit (at, action, task, model_name, model_sha256, inputs, template) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![at, action, task, p.map(|p| &p.model_name), p.map(|p| &p.model_sha256), inputs, p.and_then(|p| p.template.as_ref())],
    )?;
    Ok(())
}

/// Recovery after a lost or wrong key (docs/datenschutz.md): renames the unreadable database
/// (and its WAL/SHM files) to `schreibstube.db.unreadable-<date>[-n]` beside it, so that a fresh
/// one can start. Only on the user's explicit confirmation; the old file is kept, never deleted.
pub fn move_aside(data_dir: &Path, confirmed: bool) -> Result<PathBuf> {
    if !confirmed {
        return Err(CoreError::ConfirmationRequired);
    }
    let path = data_dir.join(DB_FILE);
    let date = export::date_utc(now());
    let mut target = data_dir.join(format!("{DB_FILE}.unreadable-{date}"));
    let mut n = 1;
    while target.exists() {
        n += 1;
        target = data_dir.join(format!("{DB_FILE}.unreadable-{date}-{n}"));
    }
    std::fs::rename(&path, &target).map_err(|e| CoreError::io(&path, e))?;
    for suffix in ["-wal", "-shm"] {
        let side = data_dir.join(format!("{DB_FILE}{suffix}"));
        if side.exists() {
            let to = PathBuf::from(format!("{}{suffix}", target.display()));
            std::fs::rename(&side, &to).map_err(|e| CoreError::io(&side, e))?;
        }
    }
    tracing::warn!("unreadable database moved aside");
    Ok(target)
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
