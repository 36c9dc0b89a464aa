//! Letter templates (Textbausteine): TOML files an administrator can read and edit. The shipped
//! ones live in `assets/templates/` and are built into the program; a folder named by the IT
//! policy (`templates_dir`) adds templates or replaces shipped ones with the same `id`.
//!
//! A template names its fields (required or optional, with labels), its subject and its body
//! parts in order: `fixed` text (legal passages among them) comes only from the template, with
//! `{field}` placeholders filled by code; `model` parts are what the language model writes, each
//! with its instruction. A part with `when = "field"` appears only when that field is set (and
//! not "nein").

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// The shipped templates, built in so the program works without its asset folder.
const BUILT_IN: [(&str, &str); 6] = [
    ("eingangsbestaetigung.toml", include_str!("../../../../assets/templates/eingangsbestaetigung.toml")),
    ("nachforderung.toml", include_str!("../../../../assets/templates/nachforderung.toml")),
    ("anhoerung.toml", include_str!("../../../../assets/templates/anhoerung.toml")),
    ("sachstand.toml", include_str!("../../../../assets/templates/sachstand.toml")),
    ("termin.toml", include_str!("../../../../assets/templates/termin.toml")),
    ("freie-antwort.toml", include_str!("../../../../assets/templates/freie-antwort.toml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// One line.
    #[default]
    Text,
    /// Several lines (an address, a list of documents: one per line).
    Multiline,
    /// A calendar date, `TT.MM.JJJJ`.
    Date,
    /// A period ("zwei Wochen") or a date, computed to a date by code (§ 31 VwVfG).
    Deadline,
    /// Ja / nein, for optional passages.
    Flag,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub kind: FieldKind,
    /// Pre-set value (e.g. "zwei Wochen").
    #[serde(default)]
    pub default: Option<String>,
    /// A hint under the input.
    #[serde(default)]
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartKind {
    Fixed,
    Model,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartSpec {
    pub id: String,
    pub kind: PartKind,
    /// Shown in the UI ("Einleitung", "Hinweis auf die Mitwirkungspflicht").
    pub label: String,
    /// `fixed`: the text with `{field}` placeholders.
    #[serde(default)]
    pub text: Option<String>,
    /// `model`: what the model is asked to write.
    #[serde(default)]
    pub instruction: Option<String>,
    /// `model`: an upper bound for the paragraph.
    #[serde(default = "default_words")]
    pub max_words: usize,
    /// A fixed legal passage: never edited in the UI, never changed by the model.
    #[serde(default)]
    pub legal: bool,
    /// Only when this field is set and not "nein".
    #[serde(default)]
    pub when: Option<String>,
}

fn default_words() -> usize {
    80
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The subject line with placeholders (DIN 5008: without the word "Betreff").
    pub subject: String,
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    #[serde(rename = "parts")]
    pub parts: Vec<PartSpec>,
    /// Anlagen, one per entry (placeholders allowed).
    #[serde(default)]
    pub enclosures: Vec<String>,
    /// Where the template came from: `eingebaut` or the file's path.
    #[serde(skip_deserializing)]
    pub origin: String,
}

/// The fields every letter has, filled from the incoming letter and the profile; a template
/// lists them again only to make them required or to relabel them.
pub fn standard_fields() -> Vec<FieldSpec> {
    let f = |key: &str, label: &str, required: bool, kind: FieldKind| FieldSpec { key: key.into(), label: label.into(), required, kind, default: None, hint: None };
    vec![
        f("empfaenger_name", "Empfänger (Name)", true, FieldKind::Text),
        f("empfaenger_anschrift", "Anschrift (Straße, PLZ Ort)", false, FieldKind::Multiline),
        f("anrede", "Anrede", false, FieldKind::Text),
        f("gegenstand", "Anliegen / Gegenstand", false, FieldKind::Text),
        f("ihr_zeichen", "Ihr Zeichen", false, FieldKind::Text),
        f("ihre_nachricht_vom", "Ihre Nachricht vom", false, FieldKind::Date),
        f("unser_zeichen", "Unser Zeichen (Aktenzeichen)", false, FieldKind::Text),
        FieldSpec { hint: Some("Eine Anlage pro Zeile; erscheint unter „Anlagen“".into()), ..f("anlagen", "Anlagen", false, FieldKind::Multiline) },
    ]
}

impl Template {
    /// The template as the UI and `templates list --json` list it: its `fields` are all its
    /// fields, the standard ones included.
    pub fn listing(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["fields"] = serde_json::to_value(self.all_fields()).unwrap_or_default();
        v
    }

    /// Standard fields first (as the template may have redefined them), then its own.
    pub fn all_fields(&self) -> Vec<FieldSpec> {
        let mut out: Vec<FieldSpec> = standard_fields().into_iter().map(|s| self.fields.iter().find(|f| f.key == s.key).cloned().unwrap_or(s)).collect();
        let own: Vec<FieldSpec> = self.fields.iter().filter(|f| !out.iter().any(|o| o.key == f.key)).cloned().collect();
        out.extend(own);
        out
    }

    /// Checks what a parser cannot: ids, kinds and that every placeholder names a field.
    fn validate(&self, origin: &str) -> Result<()> {
        let bad = |why: String| CoreError::InvalidParameter(format!("Vorlage {origin}: {why}"));
        if self.id.is_empty() || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(bad(format!("„id“ muss aus Kleinbuchstaben, Ziffern und Bindestrichen bestehen (ist „{}“)", self.id)));
        }
        if self.parts.is_empty() {
            return Err(bad("keine Textteile („[[parts]]“)".into()));
        }
        let fields = self.all_fields();
        let known = |k: &str| fields.iter().any(|f| f.key == k);
        let mut texts: Vec<&str> = vec![self.subject.as_str()];
        for p in &self.parts {
            match (p.kind, &p.text, &p.instruction) {
                (PartKind::Fixed, Some(t), _) => texts.push(t),
                (PartKind::Model, _, Some(i)) => texts.push(i),
                (PartKind::Fixed, None, _) => return Err(bad(format!("Teil „{}“ ist fest, hat aber keinen „text“", p.id))),
                (PartKind::Model, _, None) => return Err(bad(format!("Teil „{}“ schreibt das Modell, hat aber keine „instruction“", p.id))),
            }
            if p.legal && p.kind == PartKind::Model {
                return Err(bad(format!("Teil „{}“: Rechtstexte („legal“) müssen feste Texte sein", p.id)));
            }
            if let Some(w) = &p.when {
                if !known(w) {
                    return Err(bad(format!("Teil „{}“: „when“ nennt das unbekannte Feld „{w}“", p.id)));
                }
            }
        }
        texts.extend(self.enclosures.iter().map(String::as_str));
        for t in texts {
            for key in placeholders(t) {
                if !known(key) && !COMPUTED.contains(&key) {
                    return Err(bad(format!("der Platzhalter „{{{key}}}“ nennt kein Feld")));
                }
            }
        }
        Ok(())
    }
}

/// Placeholders filled by code without a field: the letter's date.
pub const COMPUTED: [&str; 1] = ["datum"];

/// The `{key}` names in `text`.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let key = &after[..end];
        if !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            out.push(key);
        }
        rest = &after[end + 1..];
    }
    out
}

/// Fills `{key}` from `value(key)`; a key without a value becomes `[Label]`, visible in the letter.
pub fn fill(text: &str, value: impl Fn(&str) -> Option<String>, label: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if placeholders(&rest[start..start + end + 2]).len() == 1 => {
                let key = &after[..end];
                match value(key) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&format!("[{}]", label(key))),
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn parse(origin: &str, text: &str) -> Result<Template> {
    let mut t: Template = toml::from_str(text).map_err(|e| CoreError::InvalidParameter(format!("Vorlage {origin} ist fehlerhaft: {}", e.message())))?;
    t.validate(origin)?;
    t.origin = origin.to_owned();
    Ok(t)
}

/// The shipped templates, then those of `extra_dir` (replacing shipped ones by `id`), sorted as
/// shipped. A broken file in `extra_dir` is an error naming it: the IT should know.
pub fn load_all(extra_dir: Option<&Path>) -> Result<Vec<Template>> {
    let mut all = Vec::new();
    for (name, text) in BUILT_IN {
        all.push(parse(&format!("eingebaut/{name}"), text)?);
    }
    if let Some(dir) = extra_dir {
        let entries = std::fs::read_dir(dir).map_err(|e| CoreError::io(dir, e))?;
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).map_err(|e| CoreError::io(&p, e))?;
            let t = parse(&p.display().to_string(), &text)?;
            match all.iter_mut().find(|o| o.id == t.id) {
                Some(old) => *old = t,
                None => all.push(t),
            }
        }
    }
    Ok(all)
}

/// The template with `id`, or a German error listing the ones there are.
pub fn find(id: &str, extra_dir: Option<&Path>) -> Result<Template> {
    let all = load_all(extra_dir)?;
    let names: Vec<String> = all.iter().map(|t| t.id.clone()).collect();
    all.into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| CoreError::InvalidParameter(format!("unbekannte Vorlage „{id}“ (vorhanden: {})", names.join(", "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_templates_parse_and_have_the_required_kinds() {
        let all = load_all(None).unwrap();
        let ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["eingangsbestaetigung", "nachforderung", "anhoerung", "sachstand", "termin", "freie-antwort"]);
        for t in &all {
            assert!(t.parts.iter().any(|p| p.kind == PartKind::Model), "{} lets the model write nothing", t.id);
            assert!(t.all_fields().iter().any(|f| f.key == "empfaenger_name" && f.required));
        }
        let nachforderung = &all[1];
        assert!(nachforderung.parts.iter().any(|p| p.legal && p.text.as_deref().is_some_and(|t| t.contains("§ 66"))));
        let anhoerung = &all[2];
        assert!(anhoerung.parts.iter().any(|p| p.legal && p.text.as_deref().is_some_and(|t| t.contains("§ 28"))));
    }

    #[test]
    fn fill_marks_missing_values() {
        let out = fill("bis zum {frist} an {empfaenger_name}; {x y} {", |k| (k == "frist").then(|| "10.12.2026".to_owned()), |k| format!("{k}!"));
        assert_eq!(out, "bis zum 10.12.2026 an [empfaenger_name!]; {x y} {");
    }

    #[test]
    fn an_admin_folder_replaces_and_adds_and_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let own = "id = \"eingangsbestaetigung\"\nname = \"Eigene Bestätigung\"\ndescription = \"x\"\nsubject = \"Eingang {gegenstand}\"\n\n[[parts]]\nid = \"a\"\nkind = \"model\"\nlabel = \"A\"\ninstruction = \"Schreibe.\"\n";
        std::fs::write(dir.path().join("eigen.toml"), own).unwrap();
        std::fs::write(dir.path().join("neu.toml"), own.replace("eingangsbestaetigung", "neu")).unwrap();
        let all = load_all(Some(dir.path())).unwrap();
        assert_eq!(all.len(), 7);
        assert_eq!(all[0].name, "Eigene Bestätigung");
        assert!(all[0].origin.ends_with("eigen.toml"));
        std::fs::write(dir.path().join("kaputt.toml"), own.replace("{gegenstand}", "{unbekannt}")).unwrap();
        let err = load_all(Some(dir.path())).unwrap_err().message_de();
        assert!(err.contains("kaputt.toml") && err.contains("{unbekannt}"), "{err}");
        std::fs::write(dir.path().join("kaputt.toml"), "id = ").unwrap();
        assert!(load_all(Some(dir.path())).unwrap_err().message_de().contains("fehlerhaft"));
        assert!(find("gibt-es-nicht", None).unwrap_err().message_de().contains("nachforderung"));
    }
}
