//! Where Schreibstube keeps its data on this workstation.

use std::path::PathBuf;

use crate::error::{CoreError, Result};

/// The data folder: `--data-dir`, else `$SCHREIBSTUBE_DATA_DIR`, else the OS data folder
/// (`~/.local/share/schreibstube` on Linux).
pub fn data_dir(explicit: Option<PathBuf>) -> PathBuf {
    explicit
        .or_else(|| std::env::var_os("SCHREIBSTUBE_DATA_DIR").map(PathBuf::from))
        .or_else(|| dirs::data_dir().map(|d| d.join("schreibstube")))
        .unwrap_or_else(|| PathBuf::from(".schreibstube"))
}

/// Where the app saves exports: `$SCHREIBSTUBE_EXPORT_DIR`, else `Schreibstube` in the user's
/// documents folder (`~/Dokumente/Schreibstube`), else `exports` in the data folder.
pub fn export_dir() -> PathBuf {
    std::env::var_os("SCHREIBSTUBE_EXPORT_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::document_dir().map(|d| d.join("Schreibstube")))
        .unwrap_or_else(|| data_dir(None).join("exports"))
}

/// A new file in the export folder, which is created if needed: `<stem>-JJJJMMTT-hhmmss.<extension>`
/// (UTC), so that exports sort by time and never overwrite one another within a second's reach.
pub fn export_file(stem: &str, extension: &str) -> Result<PathBuf> {
    let dir = export_dir();
    std::fs::create_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
    let now = time::OffsetDateTime::now_utc();
    let (date, clock) = (now.date(), now.time());
    let stamp = format!("{:04}{:02}{:02}-{:02}{:02}{:02}", date.year(), u8::from(date.month()), date.day(), clock.hour(), clock.minute(), clock.second());
    Ok(dir.join(format!("{stem}-{stamp}.{extension}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn export_files_are_named_by_stem_and_time_in_the_export_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("neu");
        std::env::set_var("SCHREIBSTUBE_EXPORT_DIR", &target);
        let path = super::export_file("Brief-anhoerung", "docx").unwrap();
        std::env::remove_var("SCHREIBSTUBE_EXPORT_DIR");
        assert!(target.is_dir(), "the folder is created");
        assert_eq!(path.parent(), Some(target.as_path()));
        let name = path.file_name().unwrap().to_str().unwrap();
        let re = regex::Regex::new(r"^Brief-anhoerung-20[0-9]{6}-[0-9]{6}\.docx$").unwrap();
        assert!(re.is_match(name), "{name}");
    }
}
