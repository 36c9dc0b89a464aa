//! Typed errors of the core. Every error carries a stable code (for scripts and the UI) and a
//! German sentence for the user; the English text doubles as `Display` for logs.
//!
//! Messages never contain document text or prompts (invariant 5): at most file names and figures.

use std::path::PathBuf;

/// The one error type the core returns to its callers (shell, CLI).
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("model file not found: {0}")]
    ModelNotFound(PathBuf),
    #[error("not a GGUF model file: {0}")]
    NotGguf(PathBuf),
    #[error("model file is corrupt or incomplete: {0}")]
    ModelCorrupt(PathBuf),
    #[error("model needs about {required_mb} MB of memory, {available_mb} MB available")]
    ModelTooLarge { required_mb: u64, available_mb: u64 },
    #[error("model checksum mismatch for {file}: expected {expected}, found {actual}")]
    ChecksumMismatch { file: String, expected: String, actual: String },
    #[error("no model manifest found (looked for models/models.toml)")]
    ManifestNotFound,
    #[error("model manifest is invalid: {0}")]
    ManifestInvalid(String),
    #[error("prompt needs {needed} tokens, the context holds {available}")]
    ContextOverflow { needed: usize, available: usize },
    #[error("the prompt is empty")]
    EmptyPrompt,
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    #[error("the model is still loading")]
    ModelNotReady,
    #[error("database error: {0}")]
    Store(String),
    #[error("the database key is missing from the keychain: {0}")]
    StoreKeyMissing(PathBuf),
    #[error("the keychain's key does not open the database: {0}")]
    StoreKeyWrong(PathBuf),
    #[error("keychain unavailable: {0}")]
    Keychain(String),
    #[error("the inference engine has stopped")]
    EngineStopped,
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("I/O error on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    // Documents (`crate::documents`, the crate schreibstube-documents): its own typed error, whose
    // code and messages pass through unchanged. Its I/O errors become `Io` above.
    #[error(transparent)]
    Document(schreibstube_documents::DocumentError),

    // Tasks (`crate::tasks`).
    #[error("the files hold no readable text to summarise or explain")]
    NothingToSummarize,
    // Policy, history, data rights, model import (issue 7: `crate::policy`, `crate::store`,
    // `crate::models::import`).
    #[error("the IT policy {path} is invalid: {detail}")]
    PolicyInvalid { path: PathBuf, detail: String },
    #[error("the IT policy does not allow the model {0}")]
    ModelNotAllowed(String),
    #[error("the IT has switched off {0}")]
    FeatureDisabled(String),
    #[error("the setting {0} is fixed by the IT")]
    SettingLocked(String),
    #[error("the model {0} is not in the manifest and not allowed by the IT policy")]
    ModelNotInManifest(String),
    #[error("not enough disk space: {needed_mb} MB needed, {available_mb} MB free")]
    DiskSpace { needed_mb: u64, available_mb: u64 },
    #[error("history is switched off")]
    HistoryDisabled,
    #[error("this needs an explicit confirmation")]
    ConfirmationRequired,
    #[error("no history entry {0}")]
    HistoryEntryNotFound(i64),
    #[error("the store is still being opened")]
    StoreOpening,

    // Explain (issue 6: `crate::tasks::figures`, `crate::tasks::explain`).
    #[error("{0} is not a table")]
    NotATable(String),
    #[error("{0} has no column of numbers")]
    NoNumericColumns(String),

    // Letters (issue 5: `crate::letters`, `crate::tasks::draft`).
    #[error("template {template} needs: {fields:?}")]
    MissingFields { template: String, fields: Vec<String> },
    #[error("the letter still has placeholders: {0:?}")]
    PlaceholdersLeft(Vec<String>),

    // Exports (`crate::export`): building the file failed (not the disk: that is `Io`).
    #[error("building the {format} file failed: {detail}")]
    ExportFailed { format: &'static str, detail: String },
}

impl CoreError {
    /// Stable machine-readable code, e.g. for the UI to choose an icon or for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ModelNotFound(_) => "model_not_found",
            Self::NotGguf(_) => "model_not_gguf",
            Self::ModelCorrupt(_) => "model_corrupt",
            Self::ModelTooLarge { .. } => "model_too_large",
            Self::ChecksumMismatch { .. } => "model_checksum_mismatch",
            Self::ManifestNotFound => "manifest_not_found",
            Self::ManifestInvalid(_) => "manifest_invalid",
            Self::ContextOverflow { .. } => "context_overflow",
            Self::EmptyPrompt => "empty_prompt",
            Self::InvalidParameter(_) => "invalid_parameter",
            Self::ModelNotReady => "model_not_ready",
            Self::Store(_) => "store",
            Self::StoreKeyMissing(_) => "store_key_missing",
            Self::StoreKeyWrong(_) => "store_key_wrong",
            Self::Keychain(_) => "keychain_unavailable",
            Self::EngineStopped => "engine_stopped",
            Self::Inference(_) => "inference_failed",
            Self::Io { .. } => "io",
            Self::Document(e) => e.code(),
            Self::NothingToSummarize => "task_no_text",
            Self::PolicyInvalid { .. } => "policy_invalid",
            Self::ModelNotAllowed(_) => "model_not_allowed",
            Self::FeatureDisabled(_) => "feature_disabled",
            Self::SettingLocked(_) => "setting_locked",
            Self::ModelNotInManifest(_) => "model_not_in_manifest",
            Self::DiskSpace { .. } => "disk_space",
            Self::HistoryDisabled => "history_disabled",
            Self::ConfirmationRequired => "confirmation_required",
            Self::HistoryEntryNotFound(_) => "history_entry_not_found",
            Self::StoreOpening => "store_opening",
            Self::NotATable(_) => "not_a_table",
            Self::NoNumericColumns(_) => "no_numeric_columns",
            Self::MissingFields { .. } => "missing_fields",
            Self::PlaceholdersLeft(_) => "placeholders_left",
            Self::ExportFailed { .. } => "export_failed",
        }
    }

    /// One clear German sentence for the user.
    pub fn message_de(&self) -> String {
        match self {
            Self::ModelNotFound(p) => format!(
                "Die Modelldatei „{}“ wurde nicht gefunden. Bitte prüfen Sie den Pfad oder führen Sie „make setup“ aus.",
                file_name(p)
            ),
            Self::NotGguf(p) => format!(
                "Die Datei „{}“ ist keine GGUF-Modelldatei und kann nicht als Sprachmodell geladen werden.",
                file_name(p)
            ),
            Self::ModelCorrupt(p) => format!(
                "Die Modelldatei „{}“ ist beschädigt oder unvollständig. Bitte laden Sie das Modell erneut herunter.",
                file_name(p)
            ),
            Self::ModelTooLarge { required_mb, available_mb } => format!(
                "Das Modell braucht etwa {required_mb} MB Arbeitsspeicher, verfügbar sind nur {available_mb} MB. Bitte schließen Sie andere Programme oder wählen Sie ein kleineres Modell."
            ),
            Self::ChecksumMismatch { file, .. } => format!(
                "Die Prüfsumme der Modelldatei „{file}“ stimmt nicht mit dem Verzeichnis überein. Die Datei ist verändert oder beschädigt."
            ),
            Self::ManifestNotFound => "Das Modellverzeichnis (models/models.toml) wurde nicht gefunden. Bitte setzen Sie SCHREIBSTUBE_MODELS oder geben Sie --model an.".into(),
            Self::ManifestInvalid(_) => "Das Modellverzeichnis (models/models.toml) ist fehlerhaft und kann nicht gelesen werden.".into(),
            Self::ContextOverflow { needed, available } => format!(
                "Der Text ist zu lang für das Modell: Er braucht {needed} Tokens, möglich sind höchstens {available}. Bitte kürzen Sie den Text oder teilen Sie ihn auf."
            ),
            Self::EmptyPrompt => "Bitte geben Sie einen Text ein.".into(),
            Self::InvalidParameter(what) => format!("Ungültige Einstellung: {what}."),
            Self::ModelNotReady => "Das Sprachmodell wird noch geladen. Bitte warten Sie einen Moment.".into(),
            Self::Store(_) => "Die Datenbank konnte nicht gelesen oder geschrieben werden. Ihre bisherigen Daten bleiben erhalten.".into(),
            Self::StoreKeyMissing(p) => format!(
                "Der Schlüssel der verschlüsselten Datenbank fehlt im Schlüsselbund. Die Datei „{}“ bleibt unverändert erhalten; bitte wenden Sie sich an Ihre IT, um den Schlüssel wiederherzustellen.",
                file_name(p)
            ),
            Self::StoreKeyWrong(p) => format!(
                "Die Datenbank „{}“ lässt sich mit dem Schlüssel aus dem Schlüsselbund nicht öffnen. Die Datei bleibt unverändert; bitte wenden Sie sich an Ihre IT.",
                file_name(p)
            ),
            Self::Keychain(_) => "Der Schlüsselbund des Systems ist nicht erreichbar. Ohne ihn kann Schreibstube Ihre Daten nicht verschlüsselt speichern. Bitte melden Sie sich neu an oder wenden Sie sich an Ihre IT.".into(),
            Self::EngineStopped => "Das Sprachmodell ist nicht mehr aktiv. Bitte starten Sie die Anwendung neu.".into(),
            Self::Inference(_) => "Bei der Textgenerierung ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.".into(),
            Self::Io { path, source } => match source.kind() {
                std::io::ErrorKind::NotFound => format!("Die Datei „{}“ wurde nicht gefunden.", file_name(path)),
                std::io::ErrorKind::PermissionDenied => format!("Keine Berechtigung für „{}“.", file_name(path)),
                _ if is_disk_full(source) => format!(
                    "Der Datenträger ist voll: „{}“ konnte nicht geschrieben werden. Bitte schaffen Sie Platz.",
                    file_name(path)
                ),
                _ => format!("Die Datei „{}“ konnte nicht gelesen oder geschrieben werden.", file_name(path)),
            },
            Self::Document(e) => e.message_de(),
            Self::NothingToSummarize => "Die Dateien enthalten keinen lesbaren Text. Bitte prüfen Sie, ob es sich um gescannte Seiten ohne Texterkennung oder leere Dateien handelt.".into(),
            Self::PolicyInvalid { path, detail } => format!(
                "Die IT-Richtlinie „{}“ ist fehlerhaft: {detail}. Schreibstube startet erst wieder, wenn Ihre IT die Datei korrigiert hat.",
                path.display()
            ),
            Self::ModelNotAllowed(file) => format!(
                "Das Modell „{file}“ ist von Ihrer IT nicht freigegeben (seine Prüfsumme steht nicht in der IT-Richtlinie). Bitte wählen Sie ein freigegebenes Modell oder wenden Sie sich an Ihre IT."
            ),
            Self::FeatureDisabled(what) => format!("Die Funktion „{what}“ ist von Ihrer IT abgeschaltet."),
            Self::SettingLocked(what) => format!("Die Einstellung „{what}“ ist von der IT festgelegt und kann nicht geändert werden."),
            Self::ModelNotInManifest(file) => format!(
                "Das Modell „{file}“ steht nicht im Modellverzeichnis und ist von Ihrer IT nicht freigegeben; es wird nicht übernommen."
            ),
            Self::DiskSpace { needed_mb, available_mb } => format!(
                "Auf dem Datenträger ist nicht genug Platz: Benötigt werden {needed_mb} MB, frei sind {available_mb} MB. Bitte schaffen Sie Platz und versuchen Sie es erneut."
            ),
            Self::HistoryDisabled => "Der Verlauf ist abgeschaltet (von der IT oder in den Einstellungen); es werden keine Ergebnisse gespeichert.".into(),
            Self::ConfirmationRequired => "Dieser Schritt löscht Daten endgültig und braucht Ihre ausdrückliche Bestätigung.".into(),
            Self::HistoryEntryNotFound(id) => format!("Im Verlauf gibt es keinen Eintrag {id} (mehr)."),
            Self::StoreOpening => "Der Verlauf wird noch geöffnet. Bitte versuchen Sie es gleich noch einmal.".into(),
            Self::NotATable(file) => format!(
                "„{file}“ ist keine Tabelle. Zahlen erklären kann Schreibstube nur aus Tabellen (CSV, XLSX oder ODS) mit einer Kopfzeile und Zahlenspalten."
            ),
            Self::NoNumericColumns(file) => format!(
                "Die Tabelle „{file}“ enthält keine Spalte mit Zahlen. Bitte prüfen Sie, ob die Zahlen als Zahlen (z. B. „1.234,56“) in der Datei stehen."
            ),
            Self::MissingFields { template, fields } => format!(
                "Für die Vorlage „{template}“ fehlen Pflichtangaben: {}. Bitte ergänzen Sie sie und erzeugen Sie den Entwurf dann erneut.",
                fields.join(", ")
            ),
            Self::PlaceholdersLeft(p) => format!(
                "Der Brief enthält noch Platzhalter: {}. Bitte ergänzen Sie sie, bevor Sie die Markierung „KI-Entwurf“ entfernen.",
                p.join(", ")
            ),
            Self::ExportFailed { format, .. } => format!(
                "Die {format}-Datei konnte nicht erstellt werden. Das Ergebnis bleibt erhalten; bitte versuchen Sie es erneut oder wählen Sie ein anderes Format."
            ),
        }
    }

    /// The English counterpart of [`Self::message_de`] for the English UI.
    pub fn message_en(&self) -> String {
        match self {
            Self::ModelNotFound(p) => format!("The model file “{}” was not found. Check the path or run “make setup”.", file_name(p)),
            Self::NotGguf(p) => format!("“{}” is not a GGUF model file.", file_name(p)),
            Self::ModelCorrupt(p) => format!("The model file “{}” is corrupt or incomplete. Please download it again.", file_name(p)),
            Self::ModelTooLarge { required_mb, available_mb } => format!(
                "The model needs about {required_mb} MB of memory but only {available_mb} MB are available. Close other programs or choose a smaller model."
            ),
            Self::ContextOverflow { needed, available } => format!(
                "The text is too long for the model: it needs {needed} tokens, at most {available} fit. Please shorten or split it."
            ),
            Self::EmptyPrompt => "Please enter some text.".into(),
            Self::StoreKeyMissing(p) => format!(
                "The key of the encrypted database is missing from the keychain. “{}” is kept unchanged; please ask your IT to restore the key.",
                file_name(p)
            ),
            Self::StoreKeyWrong(p) => format!("The keychain's key does not open the database “{}”. The file is kept unchanged; please ask your IT.", file_name(p)),
            Self::Keychain(_) => "The system keychain is not available, so Schreibstube cannot store your data encrypted. Please log in again or ask your IT.".into(),
            Self::Document(e) => e.message_en(),
            Self::NothingToSummarize => "The files contain no readable text. Please check whether they are scans without text recognition or empty files.".into(),
            Self::PolicyInvalid { path, detail } => format!(
                "The IT policy “{}” is invalid: {detail}. Schreibstube will not start until your IT has fixed it.",
                path.display()
            ),
            Self::ModelNotAllowed(file) => format!("The model “{file}” is not approved by your IT (its checksum is not in the IT policy)."),
            Self::FeatureDisabled(what) => format!("The function “{what}” has been switched off by your IT."),
            Self::SettingLocked(what) => format!("The setting “{what}” is fixed by your IT and cannot be changed."),
            Self::ModelNotInManifest(file) => format!("The model “{file}” is neither in the model manifest nor approved by your IT; it was not imported."),
            Self::DiskSpace { needed_mb, available_mb } => format!(
                "Not enough disk space: {needed_mb} MB needed, {available_mb} MB free. Please free some space and try again."
            ),
            Self::HistoryDisabled => "History is switched off (by your IT or in the settings); no results are stored.".into(),
            Self::ConfirmationRequired => "This step deletes data for good and needs your explicit confirmation.".into(),
            Self::HistoryEntryNotFound(id) => format!("There is no history entry {id} (any more)."),
            Self::NotATable(file) => format!("“{file}” is not a table. Figures can only be explained from tables (CSV, XLSX or ODS) with a header row and columns of numbers."),
            Self::NoNumericColumns(file) => format!("The table “{file}” has no column of numbers. Please check that the numbers are stored as numbers (e.g. “1,234.56”)."),
            Self::MissingFields { template, fields } => format!("The template “{template}” needs these fields: {}. Please fill them in and draft again.", fields.join(", ")),
            Self::PlaceholdersLeft(p) => format!("The letter still has placeholders: {}. Please fill them in before removing the “KI-Entwurf” mark.", p.join(", ")),
            Self::ExportFailed { format, .. } => format!("The {format} file could not be built. The result is kept; please try again or choose another format."),
            other => {
                let mut s = other.to_string();
                if let Some(first) = s.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                s.push('.');
                s
            }
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string())
}

fn is_disk_full(e: &std::io::Error) -> bool {
    // ENOSPC (28) / EDQUOT (122) on Linux; ErrorKind::StorageFull is stable since 1.83.
    matches!(e.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
        || matches!(e.raw_os_error(), Some(28) | Some(122))
}

impl From<schreibstube_documents::DocumentError> for CoreError {
    fn from(e: schreibstube_documents::DocumentError) -> Self {
        match e {
            schreibstube_documents::DocumentError::Io { path, source } => Self::Io { path, source },
            other => Self::Document(other),
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// Serialisable form for the UI and JSON output.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ErrorInfo {
    pub code: String,
    pub message_de: String,
    pub message_en: String,
}

impl From<&CoreError> for ErrorInfo {
    fn from(e: &CoreError) -> Self {
        Self { code: e.code().into(), message_de: e.message_de(), message_en: e.message_en() }
    }
}
