//! "Wie ist das entstanden?" for a result reopened from the history: its sentences with the
//! passages of the kept documents that support them ([`crate::tasks::explain::trace`]), the
//! claims no source contains, and the provenance. Results saved before documents were kept (or
//! free text, which has none) are reported as such, never as an error.

use serde::Serialize;

use super::{Provenance, Store};
use crate::documents::Document;
use crate::letters::Letter;
use crate::error::{CoreError, Result};
use crate::tasks::checker::Unsupported;
use crate::tasks::explain::{self, ExplainedSentence};

/// How far a result could be traced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceStatus {
    /// Every input document was found in the store.
    Traced,
    /// Some were (the others' sentences may lack their sources).
    Partial,
    /// None was: a result saved before documents were kept with results.
    NotKept,
    /// The result came from no document (free text).
    NoDocuments,
}

/// One input of the result as its provenance lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceInput {
    /// Known only when the document was kept.
    pub file_name: Option<String>,
    pub sha256: String,
    pub kept: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResultTrace {
    pub id: i64,
    pub created_at: i64,
    pub task: String,
    pub title: String,
    pub status: TraceStatus,
    /// One German sentence when the trace is incomplete (for the CLI; the UI words it itself).
    pub note_de: Option<String>,
    /// Empty when no document was kept: every sentence would read "unsupported", which says
    /// nothing about the result.
    pub sentences: Vec<ExplainedSentence>,
    pub unsupported: Vec<Unsupported>,
    pub provenance: Provenance,
    pub inputs: Vec<TraceInput>,
}

impl Store {
    /// Traces the stored result `id` against the documents kept with it.
    pub fn trace(&self, id: i64) -> Result<ResultTrace> {
        let result = self.get_result(id)?.ok_or(CoreError::HistoryEntryNotFound(id))?;
        let mut docs: Vec<Document> = Vec::new();
        let mut inputs = Vec::new();
        for sha in &result.provenance.input_sha256 {
            // A row whose JSON no longer reads as a document counts as not kept.
            let doc = self.document_by_sha256(sha)?.and_then(|d| serde_json::from_value::<Document>(d.data).ok());
            inputs.push(TraceInput { file_name: doc.as_ref().map(|d| d.source.file_name.clone()), sha256: sha.clone(), kept: doc.is_some() });
            docs.extend(doc);
        }
        let status = if result.task == "free_text" || inputs.is_empty() {
            TraceStatus::NoDocuments
        } else if docs.is_empty() {
            TraceStatus::NotKept
        } else if docs.len() < inputs.len() {
            TraceStatus::Partial
        } else {
            TraceStatus::Traced
        };
        let note_de = match status {
            TraceStatus::Traced => None,
            TraceStatus::Partial => Some("Nicht alle Quelldokumente dieses Ergebnisses sind gespeichert; Sätze aus den fehlenden haben hier keine Quelle.".into()),
            TraceStatus::NotKept => Some("Für dieses ältere Ergebnis wurden die Quelldokumente nicht gespeichert; die Herkunft einzelner Sätze lässt sich nicht mehr zeigen.".into()),
            TraceStatus::NoDocuments => Some("Dieses Ergebnis beruht auf keinem Dokument (freier Text).".into()),
        };
        let (sentences, unsupported) = if docs.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let t = explain::trace(&traced_text(&result.task, &result.body, &result.data), &docs);
            (t.sentences, t.unsupported)
        };
        Ok(ResultTrace {
            id: result.id,
            created_at: result.created_at,
            task: result.task,
            title: result.title,
            status,
            note_de,
            sentences,
            unsupported,
            provenance: result.provenance,
            inputs,
        })
    }
}

/// The text whose sentences are traced: for a draft letter only what the model wrote or the clerk
/// edited ([`Letter::written_text`]), else the result's text.
fn traced_text(task: &str, body: &str, data: &serde_json::Value) -> String {
    match (task, serde_json::from_value::<Letter>(data["letter"].clone())) {
        ("draft", Ok(letter)) => letter.written_text(),
        _ => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::traced_text;
    use crate::letters::{Letter, LetterForm, Origin, Paragraph};
    use crate::policy::SenderProfile;

    #[test]
    fn a_drafts_trace_covers_only_what_the_model_wrote() {
        let p = |origin, text: &str| Paragraph { id: "p".into(), label: "Absatz".into(), origin, legal: false, text: text.into() };
        let letter = Letter {
            form: LetterForm::B,
            sender: SenderProfile::default(),
            return_line: String::new(),
            recipient: vec!["Max Mustermann".into()],
            info: Vec::new(),
            date: "11.12.2026".into(),
            subject: "Ihr Antrag".into(),
            salutation: "Guten Tag Max Mustermann,".into(),
            paragraphs: vec![
                p(Origin::Model, "Vielen Dank für Ihren Antrag."),
                p(Origin::Fixed, "Nach § 26 Abs. 2 VwVfG …"),
                p(Origin::Edited, "Die Gehaltsnachweise fehlen noch."),
            ],
            closing: "Mit freundlichen Grüßen".into(),
            signature: Vec::new(),
            enclosures: Vec::new(),
        };
        let data = serde_json::json!({ "letter": letter });
        assert_eq!(traced_text("draft", "Max Mustermann\n…", &data), "Vielen Dank für Ihren Antrag.\n\nDie Gehaltsnachweise fehlen noch.");
        assert_eq!(traced_text("summary", "Der Text.", &data), "Der Text.");
    }
}
