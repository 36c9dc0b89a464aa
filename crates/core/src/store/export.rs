//! What leaves the store on the user's request: "Meine Daten exportieren" (DSGVO Art. 15/20: one
//! ZIP with JSON of everything kept and the stored documents) and the audit log as CSV
//! (metadata only).

use std::io::{Seek, Write};
use std::path::Path;

use serde_json::json;

use super::Store;
use crate::error::{CoreError, Result};

/// `YYYY-MM-DD` (UTC) of unix seconds.
pub(crate) fn date_utc(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_else(|_| "unbekannt".into())
}

/// RFC 3339 (UTC) of unix seconds, e.g. `2026-11-26T04:10:00Z`.
pub fn timestamp_utc(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| secs.to_string())
}

/// What an export contained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ExportSummary {
    pub results: usize,
    pub documents: usize,
    pub audit_entries: usize,
}

impl Store {
    /// Writes the DSGVO export as a ZIP to `path` (through a temporary file and a rename, so a
    /// failed export never leaves half a file under the chosen name):
    /// `README.txt`, `results.json`, `settings.json`, `audit.json`, `documents.json` and one
    /// `documents/<id>-<name>.txt` per stored document.
    pub fn export_zip(&self, path: &Path) -> Result<ExportSummary> {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| CoreError::io(dir, e))?;
        let summary = self.write_export(tmp.as_file()).map_err(|e| match e {
            ExportError::Core(e) => e,
            ExportError::Io(e) => CoreError::io(path, e),
        })?;
        tmp.as_file().sync_all().map_err(|e| CoreError::io(path, e))?;
        tmp.persist(path).map_err(|e| CoreError::io(path, e.error))?;
        tracing::info!(results = summary.results, documents = summary.documents, "data exported");
        Ok(summary)
    }

    fn write_export<W: Write + Seek>(&self, out: W) -> std::result::Result<ExportSummary, ExportError> {
        let results = self.query_results(&format!("{} ORDER BY id", super::SELECT_RESULT), [])?;
        let documents = self.list_documents()?;
        let audit = self.audit_log()?;
        let settings = self.user_settings()?;

        let mut zip = zip::ZipWriter::new(out);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let mut file = |name: &str, bytes: &[u8]| -> std::result::Result<(), ExportError> {
            zip.start_file(name, opts).map_err(zip_io)?;
            zip.write_all(bytes)?;
            Ok(())
        };
        let pretty = |v: serde_json::Value| serde_json::to_vec_pretty(&v).unwrap_or_default();
        file(
            "README.txt",
            "Schreibstube – Export Ihrer Daten (DSGVO Art. 15/20)\n\n\
             results.json    gespeicherte Ergebnisse mit Herkunft (Modell, Parameter, Prüfsummen der Eingaben)\n\
             documents.json  gespeicherte Dokumente (Text und Prüfsumme); der Text auch einzeln unter documents/\n\
             settings.json   Ihre Einstellungen und Ihr Absenderprofil\n\
             audit.json      Protokoll: wann welche Aufgabe mit welchem Modell lief (ohne Inhalte)\n\
             Zeitangaben: Unix-Sekunden (UTC).\n"
                .as_bytes(),
        )?;
        file("results.json", &pretty(json!({ "results": results })))?;
        file("documents.json", &pretty(json!({ "documents": documents })))?;
        file("settings.json", &pretty(json!({ "user": settings })))?;
        file("audit.json", &pretty(json!({ "audit": audit })))?;
        for d in &documents {
            let name: String = d
                .file_name
                .chars()
                .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
                .take(80)
                .collect();
            file(&format!("documents/{}-{name}.txt", d.id), d.text.as_bytes())?;
        }
        zip.finish().map_err(zip_io)?;
        Ok(ExportSummary { results: results.len(), documents: documents.len(), audit_entries: audit.len() })
    }

    /// The audit log as CSV (`when,action,task,template,model_name,model_sha256,input_sha256`;
    /// input hashes separated by spaces). Metadata only: the log holds no content to begin with.
    pub fn write_audit_csv(&self, out: impl Write) -> Result<usize> {
        let log = self.audit_log()?;
        let mut w = csv::Writer::from_writer(out);
        let io = |e: csv::Error| CoreError::io(self.path(), std::io::Error::other(e.to_string()));
        w.write_record(["when", "action", "task", "template", "model_name", "model_sha256", "input_sha256"]).map_err(io)?;
        for e in &log {
            w.write_record([
                timestamp_utc(e.at).as_str(),
                &e.action,
                e.task.as_deref().unwrap_or(""),
                e.template.as_deref().unwrap_or(""),
                e.model_name.as_deref().unwrap_or(""),
                e.model_sha256.as_deref().unwrap_or(""),
                &e.input_sha256.join(" "),
            ])
            .map_err(io)?;
        }
        w.flush().map_err(|e| CoreError::io(self.path(), e))?;
        Ok(log.len())
    }
}

enum ExportError {
    Core(CoreError),
    Io(std::io::Error),
}

impl From<CoreError> for ExportError {
    fn from(e: CoreError) -> Self {
        Self::Core(e)
    }
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

fn zip_io(e: zip::result::ZipError) -> ExportError {
    match e {
        zip::result::ZipError::Io(e) => ExportError::Io(e),
        other => ExportError::Io(std::io::Error::other(other.to_string())),
    }
}
