//! Importing a GGUF model from disk (e.g. a USB stick) into the models folder.
//!
//! The file is copied and hashed in one pass into a temporary file beside its destination, then
//! checked — a GGUF that is complete, a sha256 the manifest knows (or that the IT policy lists
//! explicitly), allowed by the policy — and only then renamed into place, so the models folder
//! never holds half a model or one the IT has not approved. Free disk space is checked before
//! the first byte is written.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{CoreError, Result};
use crate::models::{sha256_file, Manifest};
use crate::policy::Policy;

/// Head room left on the disk besides the model itself.
const SPARE_BYTES: u64 = 64 << 20;

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Pretend this many bytes are free (tests of the full-disk path).
    pub available_override: Option<u64>,
}

/// What was imported, for the user and the IT.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub name: String,
    pub file: String,
    pub path: PathBuf,
    pub size_bytes: u64,
    pub sha256: String,
    /// From the manifest; `None` for a model the policy allows but the manifest does not list.
    pub licence: Option<String>,
    pub context_length: Option<u32>,
    /// Weights + KV cache at the context the engine would use + compute buffers.
    pub estimated_ram_mb: u64,
    pub in_manifest: bool,
    /// The same file was there already; nothing was copied.
    pub already_present: bool,
}

pub fn import_model(src: &Path, manifest: &Manifest, policy: &Policy) -> Result<ImportReport> {
    import_model_with(src, manifest, policy, &ImportOptions::default())
}

pub fn import_model_with(src: &Path, manifest: &Manifest, policy: &Policy, opts: &ImportOptions) -> Result<ImportReport> {
    policy.ensure_enabled("model_import")?;
    // A GGUF at all, and complete (header and tensor table within the file)?
    let info = crate::llm::probe(src)?;
    let src_name = src.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();

    let dir = &manifest.dir;
    let available = opts.available_override.or_else(|| free_space(dir)).unwrap_or(u64::MAX);
    if available < info.file_size.saturating_add(SPARE_BYTES) {
        return Err(CoreError::DiskSpace { needed_mb: (info.file_size + SPARE_BYTES) >> 20, available_mb: available >> 20 });
    }

    let mut tmp = tempfile::Builder::new().prefix(".import-").suffix(".part").tempfile_in(dir).map_err(|e| CoreError::io(dir, e))?;
    let sha256 = copy_hashing(src, tmp.as_file_mut()).map_err(|e| match e {
        CopyError::Read(e) => CoreError::io(src, e),
        CopyError::Write(e) => CoreError::io(dir.join(&src_name), e),
    })?;

    // The manifest knows the model by its checksum; a file of a listed name with another
    // checksum is damaged or not what it claims to be.
    let entry = manifest.models.iter().find(|m| m.sha256.eq_ignore_ascii_case(&sha256));
    if entry.is_none() {
        if let Some(named) = manifest.models.iter().find(|m| m.file == src_name) {
            return Err(CoreError::ChecksumMismatch { file: src_name, expected: named.sha256.clone(), actual: sha256 });
        }
        // Not in the manifest: only what the IT lists explicitly by checksum.
        let listed = policy.allowed_models.as_ref().is_some_and(|l| l.iter().any(|a| a.eq_ignore_ascii_case(&sha256)));
        if !listed {
            return Err(CoreError::ModelNotInManifest(src_name));
        }
    }
    policy.ensure_model_allowed(&src_name, &sha256)?;

    let file = match entry {
        Some(e) => e.file.clone(),
        None if src_name.to_ascii_lowercase().ends_with(".gguf") => src_name.clone(),
        None => format!("{src_name}.gguf"),
    };
    let target = dir.join(&file);
    let already_present = target.is_file() && sha256_file(&target).is_ok_and(|s| s.eq_ignore_ascii_case(&sha256));
    if !already_present {
        tmp.as_file().sync_all().map_err(|e| CoreError::io(&target, e))?;
        tmp.persist(&target).map_err(|e| CoreError::io(&target, e.error))?;
    }
    let n_ctx = info.context_length.unwrap_or(4096).min(8192);
    tracing::info!(size = info.file_size, in_manifest = entry.is_some(), already_present, "model imported");
    Ok(ImportReport {
        name: entry.map_or_else(|| info.name.clone().unwrap_or_else(|| file.clone()), |e| e.name.clone()),
        file,
        path: target,
        size_bytes: info.file_size,
        sha256,
        licence: entry.map(|e| e.licence.clone()),
        context_length: entry.map(|e| e.context_length).or(info.context_length),
        estimated_ram_mb: info.required_memory(n_ctx) >> 20,
        in_manifest: entry.is_some(),
        already_present,
    })
}

enum CopyError {
    Read(std::io::Error),
    Write(std::io::Error),
}

fn copy_hashing(src: &Path, out: &mut std::fs::File) -> std::result::Result<String, CopyError> {
    let mut input = std::fs::File::open(src).map_err(CopyError::Read)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(CopyError::Write)?;
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Bytes free for this user on the file system of `dir`; `None` where unknown.
#[cfg(unix)]
pub fn free_space(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: c is a valid NUL-terminated path and st a properly sized out-parameter.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}

/// Not measured on other systems yet: a full disk still ends in a clear `Io` error
/// (disk full), and the temporary file is removed.
#[cfg(not(unix))]
pub fn free_space(_dir: &Path) -> Option<u64> {
    None
}
