//! What the front ends hold: the store if it could be opened (or why not), the IT policy and the
//! rules that follow from both (keep history at all, retention). The CLI and the app save results
//! through [`History::record`] (task results with their documents: [`History::record_with_documents`]),
//! so both behave the same:
//!
//! - history off (policy or user): nothing is saved, `Ok(None)`;
//! - store unavailable (no Secret Service, key missing or wrong): the result is still shown, the
//!   caller tells the user once ([`History::warning_de`]) — the database is never replaced;
//! - else the result and its audit line are saved in one transaction.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Keychain, NewDocument, NewResult, ResultTrace, Store, DB_FILE};
use crate::documents::Document;
use crate::error::{CoreError, ErrorInfo, Result};
use crate::policy::{self, EffectiveSettings, Policy, UserSettings};

/// Whether results can be saved right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryState {
    Ready,
    /// keep_history = false (policy or user): nothing is stored.
    Off,
    /// The store could not be opened; see `error`.
    Unavailable,
}

/// The store's state for the status bar and the settings page.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryStatus {
    pub state: HistoryState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// The database file (for the IT and the privacy page).
    pub db_path: PathBuf,
    /// The key is missing or wrong: the UI may offer to move the old file aside and start fresh
    /// (only on the user's confirmation).
    pub can_start_fresh: bool,
}

pub struct History {
    data_dir: PathBuf,
    policy: Policy,
    store: Option<Store>,
    open_error: Option<CoreError>,
}

impl History {
    /// Opens the store in `data_dir` with the key from the OS keychain and applies retention.
    /// Never fails: a store that cannot be opened is reported by [`Self::status`].
    pub fn open(data_dir: &Path, policy: Policy) -> Self {
        Self::open_with(data_dir, policy, &Keychain::default())
    }

    pub fn open_with(data_dir: &Path, policy: Policy, keychain: &Keychain) -> Self {
        let mut h = Self { data_dir: data_dir.into(), policy, store: None, open_error: None };
        h.reopen(keychain);
        h
    }

    /// Tries to open the store again (e.g. after the user logged in to the keychain, or after
    /// [`Self::start_fresh`]); applies retention once it is open.
    pub fn reopen(&mut self, keychain: &Keychain) {
        match Store::open_in(&self.data_dir, keychain) {
            Ok(store) => {
                self.store = Some(store);
                self.open_error = None;
                if let Err(e) = self.apply_retention() {
                    tracing::warn!(code = e.code(), "retention failed");
                }
            }
            Err(e) => {
                tracing::warn!(code = e.code(), "store unavailable");
                self.store = None;
                self.open_error = Some(e);
            }
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Extraction limits with the file-size cap in force (the IT's, else the user's, else 200 MB);
    /// `Err(FeatureDisabled)` when the IT has switched reading documents off.
    pub fn extract_options(&self) -> Result<crate::documents::ExtractOptions> {
        self.policy.ensure_enabled("extract")?;
        Ok(self.settings().extract_options())
    }

    /// The settings in force: policy over the user's stored settings over the defaults.
    pub fn settings(&self) -> EffectiveSettings {
        let user = self.store.as_ref().and_then(|s| s.user_settings().ok()).unwrap_or_default();
        policy::merge(&self.policy, &user)
    }

    /// Changes the user's settings; a setting the IT fixed is refused (`SettingLocked`).
    pub fn set_user_settings(&mut self, new: &UserSettings) -> Result<EffectiveSettings> {
        let policy = self.policy.clone();
        self.store_mut()?.set_user_settings(&policy, new)?;
        // A shorter retention (or history switched off) applies at once.
        self.apply_retention()?;
        Ok(self.settings())
    }

    pub fn status(&self) -> HistoryStatus {
        let state = match (&self.store, self.settings().keep_history.value) {
            (None, _) => HistoryState::Unavailable,
            (Some(_), false) => HistoryState::Off,
            (Some(_), true) => HistoryState::Ready,
        };
        HistoryStatus {
            state,
            error: self.open_error.as_ref().map(ErrorInfo::from),
            db_path: self.data_dir.join(DB_FILE),
            can_start_fresh: matches!(self.open_error, Some(CoreError::StoreKeyMissing(_) | CoreError::StoreKeyWrong(_))),
        }
    }

    /// One German sentence for a front end that cannot save (CLI on a server without a Secret
    /// Service); `None` when saving works or history is off.
    pub fn warning_de(&self) -> Option<String> {
        let e = self.open_error.as_ref()?;
        Some(match e {
            CoreError::Keychain(_) => "Verlauf wird nicht gespeichert: kein Schlüsselbund erreichbar (Secret Service). Das Ergebnis wird trotzdem ausgegeben.".into(),
            other => format!("Verlauf wird nicht gespeichert: {}", other.message_de()),
        })
    }

    /// Saves a result with its audit line, unless history is off (`Ok(None)`). A store that
    /// could not be opened gives its error again (the caller still shows the result).
    pub fn record(&mut self, result: &NewResult) -> Result<Option<i64>> {
        self.record_with_documents(result, &[])
    }

    /// Like [`Self::record`], and keeps the documents the result came from (each once, by
    /// sha256) so that "Wie ist das entstanden?" can trace it later. They are deleted with the
    /// last result that lists them.
    pub fn record_with_documents(&mut self, result: &NewResult, docs: &[Document]) -> Result<Option<i64>> {
        if !self.settings().keep_history.value {
            return Ok(None);
        }
        let store = self.store_mut()?;
        // Only new documents are turned into JSON (a large file is read by several tasks in turn).
        let mut new = Vec::new();
        for d in docs {
            if !store.has_document(&d.source.sha256)? {
                new.push(NewDocument::from_document(d));
            }
        }
        let id = store.save_result_with_documents(result, &new)?;
        tracing::info!(id, task = result.task.as_str(), documents = docs.len(), new_documents = new.len(), "result saved");
        Ok(Some(id))
    }

    /// "Wie ist das entstanden?" for a stored result; see [`Store::trace`].
    pub fn trace(&self, id: i64) -> Result<ResultTrace> {
        self.store()?.trace(id)
    }

    /// Retention: deletes results older than the retention period (everything when history is
    /// off). Called at start and daily.
    pub fn apply_retention(&mut self) -> Result<usize> {
        let settings = self.settings();
        let Some(store) = self.store.as_mut() else { return Ok(0) };
        let n = if settings.keep_history.value {
            store.delete_older_than(settings.retention_days.value)?
        } else {
            store.delete_created_before(i64::MAX)?
        };
        if n > 0 {
            tracing::info!(deleted = n, "retention applied");
        }
        Ok(n)
    }

    /// The open store, or the reason it is not open.
    pub fn store_mut(&mut self) -> Result<&mut Store> {
        match (&mut self.store, &self.open_error) {
            (Some(store), _) => Ok(store),
            (None, Some(e)) => Err(same_error(e)),
            (None, None) => Err(CoreError::Store("not opened".into())),
        }
    }

    pub fn store(&self) -> Result<&Store> {
        match (&self.store, &self.open_error) {
            (Some(store), _) => Ok(store),
            (None, Some(e)) => Err(same_error(e)),
            (None, None) => Err(CoreError::Store("not opened".into())),
        }
    }

    /// Recovery for a lost or wrong key, on the user's explicit confirmation: the unreadable
    /// file is moved aside (kept, never deleted) and a fresh store is opened. Returns where the
    /// old file now is.
    pub fn start_fresh(&mut self, keychain: &Keychain, confirmed: bool) -> Result<PathBuf> {
        if !self.status().can_start_fresh {
            return Err(CoreError::InvalidParameter("die Datenbank ist lesbar; es gibt nichts wiederherzustellen".into()));
        }
        let moved = super::move_aside(&self.data_dir, confirmed)?;
        self.reopen(keychain);
        self.store_mut()?;
        Ok(moved)
    }
}

/// The open error once more for a later call (CoreError is not Clone: it may hold an io::Error).
fn same_error(e: &CoreError) -> CoreError {
    match e {
        CoreError::StoreKeyMissing(p) => CoreError::StoreKeyMissing(p.clone()),
        CoreError::StoreKeyWrong(p) => CoreError::StoreKeyWrong(p.clone()),
        CoreError::Keychain(m) => CoreError::Keychain(m.clone()),
        CoreError::Store(m) => CoreError::Store(m.clone()),
        CoreError::Io { path, source } => CoreError::Io { path: path.clone(), source: std::io::Error::new(source.kind(), source.to_string()) },
        other => CoreError::Store(other.to_string()),
    }
}
