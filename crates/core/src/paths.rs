//! Where Schreibstube keeps its data on this workstation.

use std::path::PathBuf;

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
