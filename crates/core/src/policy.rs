//! The IT policy: a read-only TOML file the municipal IT puts on the workstation
//! (`/etc/schreibstube/policy.toml`, `%ProgramData%\Schreibstube\policy.toml`, or the path in
//! `$SCHREIBSTUBE_POLICY`). It sets rules the user cannot change: which models (by sha256), how
//! long results are kept, whether history is kept at all, the largest file, features that are
//! off, and the sender/letterhead defaults.
//!
//! No file means no restrictions. A file that exists but cannot be read or parsed is an error
//! ([`CoreError::PolicyInvalid`]): the app and the CLI refuse to run rather than silently run
//! unrestricted. Unknown keys and unknown feature names are errors too, so that a typo never
//! switches a rule off.
//!
//! [`merge`] lays the policy over the user's own settings and says, per setting, whether it is
//! "von der IT festgelegt" (`locked`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// Environment variable that overrides the policy path (tests, unusual installations).
pub const POLICY_ENV: &str = "SCHREIBSTUBE_POLICY";

/// Features the policy can switch off. Callers check with [`Policy::ensure_enabled`].
pub const FEATURES: &[(&str, &str)] = &[
    ("free_text", "Freier Text"),
    ("summary", "Zusammenfassung"),
    ("draft", "Antwortentwurf"),
    ("explain", "Erklärung"),
    ("extract", "Dokumente lesen"),
    ("history", "Verlauf"),
    ("export", "Daten exportieren"),
    ("model_import", "Modell importieren"),
];

/// Results are deleted after this many days unless the policy or the user says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// Longest retention the policy and the settings accept (ten years).
pub const MAX_RETENTION_DAYS: u32 = 3650;
/// Default largest document (MB), the same as the extractor's default.
pub const DEFAULT_MAX_FILE_MB: u64 = 200;

/// The sender of letters: who writes, for the letterhead and the signature block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SenderProfile {
    /// e.g. "Stadt Musterstadt"
    pub authority: Option<String>,
    /// e.g. "Bürgeramt, Abteilung Wohngeld"
    pub office: Option<String>,
    /// The clerk's name as signed.
    pub clerk: Option<String>,
    /// The clerk's role under the name ("Sachbearbeiterin Wohngeld").
    pub role: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub opening_hours: Option<String>,
    /// Postal address, lines separated by newlines.
    pub address: Option<String>,
    /// Letterhead logo (PNG or JPEG) on this workstation.
    pub logo: Option<PathBuf>,
    /// The Land whose public holidays move deadlines (§ 31 Abs. 3 VwVfG): "NW", "Bayern" …;
    /// empty = national holidays only.
    pub land: Option<String>,
}

/// The policy file as written by the IT. Every field is optional: what is absent is the user's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// sha256 of every model the office may use; absent = any model of the manifest.
    pub allowed_models: Option<Vec<String>>,
    pub retention_days: Option<u32>,
    pub max_file_mb: Option<u64>,
    pub disabled_features: Vec<String>,
    /// `false`: no result is stored at all (nothing to delete, nothing to export).
    pub keep_history: Option<bool>,
    /// Sender/letterhead defaults; a field set here is fixed for the user.
    pub sender: SenderProfile,
    /// A folder of the office's own letter templates (TOML, as in `assets/templates/`): they add
    /// to the shipped ones or replace those with the same `id`.
    pub templates_dir: Option<PathBuf>,
    /// Where the policy was read from (not part of the file).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// The path the policy is read from: `$SCHREIBSTUBE_POLICY`, else the system location.
pub fn policy_path() -> PathBuf {
    if let Some(p) = std::env::var_os(POLICY_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    system_policy_path()
}

#[cfg(windows)]
fn system_policy_path() -> PathBuf {
    let base = std::env::var_os("ProgramData").map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
    base.join("Schreibstube").join("policy.toml")
}

#[cfg(not(windows))]
fn system_policy_path() -> PathBuf {
    PathBuf::from("/etc/schreibstube/policy.toml")
}

impl Policy {
    /// Reads the policy from [`policy_path`]; no file = no restrictions.
    pub fn load() -> Result<Self> {
        Self::load_from(&policy_path())
    }

    /// Reads and checks the policy at `path`; a missing file is an empty policy, anything
    /// else that is not a valid policy is [`CoreError::PolicyInvalid`].
    pub fn load_from(path: &Path) -> Result<Self> {
        let text = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(invalid(path, format!("nicht lesbar ({e})"))),
        };
        let text = String::from_utf8(text).map_err(|_| invalid(path, "keine UTF-8-Datei".into()))?;
        let mut policy = Self::parse(&text).map_err(|detail| invalid(path, detail))?;
        policy.source = Some(path.to_path_buf());
        tracing::info!(restricted = policy.is_restrictive(), "policy loaded");
        Ok(policy)
    }

    /// Parses and validates policy text; the error is a short German description of what is
    /// wrong (with the line where TOML knows it).
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let policy: Policy = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            match line {
                Some(l) => format!("Zeile {l}: {}", e.message()),
                None => e.message().to_string(),
            }
        })?;
        policy.validate()?;
        Ok(policy)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if let Some(list) = &self.allowed_models {
            for sha in list {
                if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(format!("allowed_models: „{sha}“ ist keine SHA-256-Prüfsumme (64 Hexadezimalzeichen)"));
                }
            }
        }
        if let Some(days) = self.retention_days {
            if !(1..=MAX_RETENTION_DAYS).contains(&days) {
                return Err(format!("retention_days muss zwischen 1 und {MAX_RETENTION_DAYS} liegen (keine Speicherung: keep_history = false)"));
            }
        }
        if let Some(mb) = self.max_file_mb {
            if !(1..=4096).contains(&mb) {
                return Err("max_file_mb muss zwischen 1 und 4096 liegen".into());
            }
        }
        crate::letters::deadline::region(self.sender.land.as_deref()).map_err(|e| format!("sender.land: {}", e.message_de()))?;
        for f in &self.disabled_features {
            if !FEATURES.iter().any(|(id, _)| id == f) {
                let known: Vec<_> = FEATURES.iter().map(|(id, _)| *id).collect();
                return Err(format!("disabled_features: unbekannte Funktion „{f}“ (bekannt: {})", known.join(", ")));
            }
        }
        Ok(())
    }

    /// Whether the policy restricts anything at all.
    pub fn is_restrictive(&self) -> bool {
        let empty = Policy { source: self.source.clone(), ..Policy::default() };
        *self != empty
    }

    pub fn feature_enabled(&self, feature: &str) -> bool {
        !self.disabled_features.iter().any(|f| f == feature)
    }

    /// `Err(FeatureDisabled)` when the IT has switched `feature` off.
    pub fn ensure_enabled(&self, feature: &str) -> Result<()> {
        if self.feature_enabled(feature) {
            Ok(())
        } else {
            let label = FEATURES.iter().find(|(id, _)| *id == feature).map_or(feature, |(_, l)| l);
            Err(CoreError::FeatureDisabled(label.to_string()))
        }
    }

    /// Whether a model with this sha256 may be used (always, without an allow-list).
    pub fn model_allowed(&self, sha256: &str) -> bool {
        self.allowed_models.as_ref().is_none_or(|list| list.iter().any(|a| a.eq_ignore_ascii_case(sha256)))
    }

    /// `Err(ModelNotAllowed)` unless the policy allows the model `file` with `sha256`.
    pub fn ensure_model_allowed(&self, file: &str, sha256: &str) -> Result<()> {
        if self.model_allowed(sha256) {
            Ok(())
        } else {
            tracing::warn!(sha256, "model refused by policy");
            Err(CoreError::ModelNotAllowed(file.to_string()))
        }
    }

    /// Extraction limits with the policy's file-size cap applied (the default 200 MB otherwise);
    /// `Err(FeatureDisabled)` when the IT has switched reading documents ("extract") off.
    pub fn extract_options(&self) -> Result<crate::documents::ExtractOptions> {
        self.ensure_enabled("extract")?;
        Ok(merge(self, &UserSettings::default()).extract_options())
    }

    /// Whether results are stored (the policy's word, else yes; the user's setting is merged in
    /// [`merge`]).
    pub fn keep_history(&self) -> bool {
        self.keep_history.unwrap_or(true)
    }
}

fn invalid(path: &Path, detail: String) -> CoreError {
    CoreError::PolicyInvalid { path: path.to_path_buf(), detail }
}

/// The user's own settings, as stored (every field optional: absent = default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserSettings {
    pub retention_days: Option<u32>,
    pub keep_history: Option<bool>,
    pub max_file_mb: Option<u64>,
    pub sender: SenderProfile,
}

impl UserSettings {
    /// Checks values a user may enter (the policy's own are checked when it is read).
    pub fn validate(&self) -> Result<()> {
        if let Some(days) = self.retention_days {
            if !(1..=MAX_RETENTION_DAYS).contains(&days) {
                return Err(CoreError::InvalidParameter(format!("Aufbewahrung zwischen 1 und {MAX_RETENTION_DAYS} Tagen")));
            }
        }
        if let Some(mb) = self.max_file_mb {
            if !(1..=4096).contains(&mb) {
                return Err(CoreError::InvalidParameter("größte Datei zwischen 1 und 4096 MB".into()));
            }
        }
        crate::letters::deadline::region(self.sender.land.as_deref())?;
        Ok(())
    }
}

/// One setting as the UI shows it: its value and whether the IT fixed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setting<T> {
    pub value: T,
    /// "von der IT festgelegt": shown read-only.
    pub locked: bool,
}

/// The sender profile, field by field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SenderSettings {
    pub authority: Setting<Option<String>>,
    pub office: Setting<Option<String>>,
    pub clerk: Setting<Option<String>>,
    pub role: Setting<Option<String>>,
    pub phone: Setting<Option<String>>,
    pub email: Setting<Option<String>>,
    pub opening_hours: Setting<Option<String>>,
    pub address: Setting<Option<String>>,
    pub logo: Setting<Option<PathBuf>>,
    pub land: Setting<Option<String>>,
}

impl SenderSettings {
    /// The profile to use (values only).
    pub fn profile(&self) -> SenderProfile {
        SenderProfile {
            authority: self.authority.value.clone(),
            office: self.office.value.clone(),
            clerk: self.clerk.value.clone(),
            role: self.role.value.clone(),
            phone: self.phone.value.clone(),
            email: self.email.value.clone(),
            opening_hours: self.opening_hours.value.clone(),
            address: self.address.value.clone(),
            logo: self.logo.value.clone(),
            land: self.land.value.clone(),
        }
    }
}

/// The settings in force: the policy over the user's settings over the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectiveSettings {
    pub retention_days: Setting<u32>,
    pub keep_history: Setting<bool>,
    pub max_file_mb: Setting<u64>,
    pub sender: SenderSettings,
    pub disabled_features: Vec<String>,
    /// `None`: every model of the manifest may be used.
    pub allowed_models: Option<Vec<String>>,
    /// Where the policy came from, if there is one.
    pub policy_source: Option<PathBuf>,
}

impl EffectiveSettings {
    /// Extraction limits with the file-size cap in force (the IT's, else the user's, else 200 MB).
    /// Whether reading is allowed at all is the policy's: [`Policy::extract_options`].
    pub fn extract_options(&self) -> crate::documents::ExtractOptions {
        crate::documents::ExtractOptions { max_file_bytes: self.max_file_mb.value * 1024 * 1024, ..Default::default() }
    }
}

fn pick<T: Clone>(policy: Option<&T>, user: Option<&T>, default: T) -> Setting<T> {
    match policy {
        Some(v) => Setting { value: v.clone(), locked: true },
        None => Setting { value: user.cloned().unwrap_or(default), locked: false },
    }
}

fn pick_opt<T: Clone>(policy: &Option<T>, user: &Option<T>) -> Setting<Option<T>> {
    match policy {
        Some(v) => Setting { value: Some(v.clone()), locked: true },
        None => Setting { value: user.clone(), locked: false },
    }
}

/// Lays the policy over the user's settings.
pub fn merge(policy: &Policy, user: &UserSettings) -> EffectiveSettings {
    let (p, u) = (&policy.sender, &user.sender);
    EffectiveSettings {
        retention_days: pick(policy.retention_days.as_ref(), user.retention_days.as_ref(), DEFAULT_RETENTION_DAYS),
        keep_history: pick(policy.keep_history.as_ref(), user.keep_history.as_ref(), true),
        max_file_mb: pick(policy.max_file_mb.as_ref(), user.max_file_mb.as_ref(), DEFAULT_MAX_FILE_MB),
        sender: SenderSettings {
            authority: pick_opt(&p.authority, &u.authority),
            office: pick_opt(&p.office, &u.office),
            clerk: pick_opt(&p.clerk, &u.clerk),
            role: pick_opt(&p.role, &u.role),
            phone: pick_opt(&p.phone, &u.phone),
            email: pick_opt(&p.email, &u.email),
            opening_hours: pick_opt(&p.opening_hours, &u.opening_hours),
            address: pick_opt(&p.address, &u.address),
            logo: pick_opt(&p.logo, &u.logo),
            land: pick_opt(&p.land, &u.land),
        },
        disabled_features: policy.disabled_features.clone(),
        allowed_models: policy.allowed_models.clone(),
        policy_source: policy.source.clone(),
    }
}

/// Refuses a change of the user's settings that touches a setting the IT has fixed: `old` is
/// what is stored, `new` what the user wants. Unchanged locked values pass.
pub fn check_change(policy: &Policy, old: &UserSettings, new: &UserSettings) -> Result<()> {
    new.validate()?;
    let locked = |name: &str, is_locked: bool, changed: bool| {
        if is_locked && changed {
            Err(CoreError::SettingLocked(name.to_string()))
        } else {
            Ok(())
        }
    };
    locked("retention_days", policy.retention_days.is_some(), old.retention_days != new.retention_days)?;
    locked("keep_history", policy.keep_history.is_some(), old.keep_history != new.keep_history)?;
    locked("max_file_mb", policy.max_file_mb.is_some(), old.max_file_mb != new.max_file_mb)?;
    let (p, o, n) = (&policy.sender, &old.sender, &new.sender);
    locked("sender.authority", p.authority.is_some(), o.authority != n.authority)?;
    locked("sender.office", p.office.is_some(), o.office != n.office)?;
    locked("sender.clerk", p.clerk.is_some(), o.clerk != n.clerk)?;
    locked("sender.role", p.role.is_some(), o.role != n.role)?;
    locked("sender.phone", p.phone.is_some(), o.phone != n.phone)?;
    locked("sender.email", p.email.is_some(), o.email != n.email)?;
    locked("sender.opening_hours", p.opening_hours.is_some(), o.opening_hours != n.opening_hours)?;
    locked("sender.address", p.address.is_some(), o.address != n.address)?;
    locked("sender.logo", p.logo.is_some(), o.logo != n.logo)?;
    locked("sender.land", p.land.is_some(), o.land != n.land)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";

    #[test]
    fn a_full_policy_parses_and_locks_what_it_sets() {
        let text = format!(
            "allowed_models = [\"{SHA}\"]\nretention_days = 14\nmax_file_mb = 50\ndisabled_features = [\"model_import\"]\nkeep_history = true\n\n[sender]\nauthority = \"Stadt Musterstadt\"\nopening_hours = \"Mo–Fr 8–12 Uhr\"\nlogo = \"/etc/schreibstube/wappen.png\"\n"
        );
        let policy = Policy::parse(&text).unwrap();
        assert!(policy.model_allowed(SHA) && policy.model_allowed(&SHA.to_uppercase()));
        assert!(!policy.model_allowed(&"0".repeat(64)));
        assert_eq!(policy.ensure_enabled("model_import").unwrap_err().code(), "feature_disabled");
        assert!(policy.ensure_enabled("free_text").is_ok());

        let user = UserSettings {
            retention_days: Some(90),
            sender: SenderProfile { authority: Some("Eigene".into()), clerk: Some("M. Muster".into()), ..Default::default() },
            ..Default::default()
        };
        let eff = merge(&policy, &user);
        assert_eq!(eff.retention_days, Setting { value: 14, locked: true });
        assert_eq!(eff.max_file_mb, Setting { value: 50, locked: true });
        assert_eq!(eff.sender.authority, Setting { value: Some("Stadt Musterstadt".into()), locked: true });
        assert_eq!(eff.sender.clerk, Setting { value: Some("M. Muster".into()), locked: false });
        assert!(!eff.sender.phone.locked);

        let mut changed = user.clone();
        changed.retention_days = Some(7);
        assert_eq!(check_change(&policy, &user, &changed).unwrap_err().code(), "setting_locked");
        let mut changed = user.clone();
        changed.sender.clerk = Some("E. Beispiel".into());
        assert!(check_change(&policy, &user, &changed).is_ok(), "unlocked field");
    }

    #[test]
    fn reading_documents_follows_the_policy_and_its_file_size_cap() {
        assert_eq!(Policy::default().extract_options().unwrap().max_file_bytes, DEFAULT_MAX_FILE_MB * 1024 * 1024);
        let capped = Policy::parse("max_file_mb = 5\n").unwrap();
        assert_eq!(capped.extract_options().unwrap().max_file_bytes, 5 * 1024 * 1024);
        let off = Policy::parse("disabled_features = [\"extract\"]\n").unwrap();
        let e = off.extract_options().unwrap_err();
        assert_eq!(e.code(), "feature_disabled");
        assert!(e.message_de().contains("Dokumente lesen"), "{}", e.message_de());
    }

    #[test]
    fn no_policy_means_defaults_and_nothing_locked() {
        let eff = merge(&Policy::default(), &UserSettings::default());
        assert_eq!(eff.retention_days, Setting { value: DEFAULT_RETENTION_DAYS, locked: false });
        assert_eq!(eff.keep_history, Setting { value: true, locked: false });
        assert!(eff.allowed_models.is_none());
        assert!(Policy::default().model_allowed(SHA));
        assert!(!Policy::default().is_restrictive());
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Policy::load_from(&dir.path().join("policy.toml")).unwrap(), Policy::default());
    }

    #[test]
    fn invalid_policies_are_typed_errors_with_german_messages() {
        for (text, needle) in [
            ("retention_day = 5\n", "retention_day"),
            ("retention_days = \"viele\"\n", "Zeile 1"),
            ("retention_days = 0\n", "retention_days"),
            ("allowed_models = [\"abc\"]\n", "SHA-256"),
            ("disabled_features = [\"freetext\"]\n", "freetext"),
            ("[sender]\nbehoerde = \"x\"\n", "behoerde"),
            ("keep_history = ja\n", "Zeile 1"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("policy.toml");
            std::fs::write(&path, text).unwrap();
            let err = Policy::load_from(&path).unwrap_err();
            assert_eq!(err.code(), "policy_invalid", "{text}");
            let msg = err.message_de();
            assert!(msg.contains("IT-Richtlinie") && msg.contains(needle), "{text}: {msg}");
        }
    }
}
