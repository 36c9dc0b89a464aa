//! The model manifest (`models/models.toml`): which GGUF files the office may use, their checksums,
//! licences and kinds. Also finds the models folder and verifies files against the manifest.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{CoreError, Result};

/// Base models continue text; instruct models answer through their chat template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Base,
    Instruct,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelEntry {
    pub id: String,
    pub name: String,
    pub file: String,
    pub sha256: String,
    #[serde(default)]
    pub size_bytes: Option<u64>,
    pub licence: String,
    #[serde(default)]
    pub licence_url: Option<String>,
    pub kind: ModelKind,
    pub context_length: u32,
    #[serde(default)]
    pub source: Option<toml::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub default: String,
    #[serde(rename = "model", default)]
    pub models: Vec<ModelEntry>,
    /// The folder the manifest was read from; files are relative to it.
    #[serde(skip)]
    pub dir: PathBuf,
}

impl Manifest {
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join("models.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| CoreError::io(&path, e))?;
        let mut manifest: Manifest =
            toml::from_str(&text).map_err(|e| CoreError::ManifestInvalid(e.message().to_string()))?;
        if manifest.models.iter().all(|m| m.id != manifest.default) {
            return Err(CoreError::ManifestInvalid(format!("default model '{}' is not listed", manifest.default)));
        }
        manifest.dir = dir.to_path_buf();
        Ok(manifest)
    }

    /// Finds and loads the manifest: `$SCHREIBSTUBE_MODELS`, then `models/` in the current folder or
    /// one of its parents, then `models/` beside the executable or above it, then the source tree it
    /// was built from, then the data folder.
    pub fn locate(data_dir: Option<&Path>) -> Result<Self> {
        if let Some(dir) = std::env::var_os("SCHREIBSTUBE_MODELS") {
            return Self::load(Path::new(&dir));
        }
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Ok(cwd) = std::env::current_dir() {
            candidates.extend(cwd.ancestors().map(|a| a.join("models")));
        }
        if let Ok(exe) = std::env::current_exe() {
            candidates.extend(exe.ancestors().skip(1).map(|a| a.join("models")));
        }
        candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"));
        if let Some(d) = data_dir {
            candidates.push(d.join("models"));
        }
        candidates
            .into_iter()
            .find(|c| c.join("models.toml").is_file())
            .map(|dir| Self::load(&dir))
            .unwrap_or(Err(CoreError::ManifestNotFound))
    }

    pub fn default_entry(&self) -> &ModelEntry {
        self.models.iter().find(|m| m.id == self.default).expect("checked in load")
    }

    pub fn path_of(&self, entry: &ModelEntry) -> PathBuf {
        self.dir.join(&entry.file)
    }

    /// The manifest entry describing `path`, matched by file name.
    pub fn entry_for(&self, path: &Path) -> Option<&ModelEntry> {
        let name = path.file_name()?.to_str()?;
        self.models.iter().find(|m| m.file == name)
    }

    /// Hashes the file of `entry` and compares it with the manifest.
    pub fn verify(&self, entry: &ModelEntry) -> Result<String> {
        let path = self.path_of(entry);
        if !path.is_file() {
            return Err(CoreError::ModelNotFound(path));
        }
        let actual = sha256_file(&path)?;
        if !actual.eq_ignore_ascii_case(&entry.sha256) {
            return Err(CoreError::ChecksumMismatch { file: entry.file.clone(), expected: entry.sha256.clone(), actual });
        }
        Ok(actual)
    }
}

/// How results and exports name the running model, in the app and the CLI alike: the manifest's
/// name where it lists the file, else the name in the GGUF; with the file's sha256 (cached).
pub fn model_ref(engine: &crate::llm::Engine, data_dir: &Path) -> Result<crate::tasks::summarize::ModelRef> {
    let info = engine.info();
    let name = Manifest::locate(Some(data_dir))
        .ok()
        .and_then(|m| m.entry_for(&info.path).map(|e| e.name.clone()))
        .unwrap_or_else(|| info.name.clone());
    Ok(crate::tasks::summarize::ModelRef { name, file: info.file.clone(), sha256: sha256_cached(&info.path, data_dir)? })
}

pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| CoreError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| CoreError::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// sha256 of a model file, cached in the data folder by (path, size, mtime), so that every start
/// does not rehash gigabytes. A changed file has a new size or mtime and is hashed again.
pub fn sha256_cached(path: &Path, data_dir: &Path) -> Result<String> {
    #[derive(Serialize, Deserialize, Default)]
    struct Cache {
        #[serde(default)]
        entries: Vec<CacheEntry>,
    }
    #[derive(Serialize, Deserialize, Clone)]
    struct CacheEntry {
        path: String,
        size: u64,
        mtime_ns: u128,
        sha256: String,
    }
    let meta = std::fs::metadata(path).map_err(|e| CoreError::io(path, e))?;
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf()).to_string_lossy().into_owned();
    let cache_path = data_dir.join("model-hashes.json");
    let mut cache: Cache =
        std::fs::read(&cache_path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    if let Some(hit) = cache.entries.iter().find(|e| e.path == key && e.size == meta.len() && e.mtime_ns == mtime_ns) {
        return Ok(hit.sha256.clone());
    }
    let sha256 = sha256_file(path)?;
    cache.entries.retain(|e| e.path != key);
    cache.entries.push(CacheEntry { path: key, size: meta.len(), mtime_ns, sha256: sha256.clone() });
    // The cache is an optimisation: failing to write it (read-only or full disk) must not fail the load.
    if std::fs::create_dir_all(data_dir).is_ok() {
        if let Ok(json) = serde_json::to_vec_pretty(&cache) {
            let tmp = cache_path.with_extension("json.tmp");
            if std::fs::write(&tmp, json).is_ok() {
                let _ = std::fs::rename(&tmp, &cache_path);
            }
        }
    }
    Ok(sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_rejects_unknown_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("models.toml"),
            "default = \"x\"\n[[model]]\nid = \"y\"\nname = \"Y\"\nfile = \"y.gguf\"\nsha256 = \"00\"\nlicence = \"MIT\"\nkind = \"base\"\ncontext_length = 2048\n",
        )
        .unwrap();
        let err = Manifest::load(dir.path()).unwrap_err();
        assert_eq!(err.code(), "manifest_invalid");
    }

    #[test]
    fn hash_cache_notices_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.gguf");
        std::fs::write(&file, b"abc").unwrap();
        let first = sha256_cached(&file, dir.path()).unwrap();
        assert_eq!(first, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(sha256_cached(&file, dir.path()).unwrap(), first);
        std::fs::write(&file, b"abcd").unwrap();
        assert_ne!(sha256_cached(&file, dir.path()).unwrap(), first);
    }
}

/// The model to load and what the manifest knows of it.
#[derive(Debug, Clone)]
pub struct ResolvedModel {
    pub path: PathBuf,
    pub entry: Option<ModelEntry>,
}

/// `explicit` (from `--model` or the settings) wins; else the manifest's default. The IT policy
/// (`crate::policy`) is read and enforced: a model whose sha256 is not on its allow-list is
/// refused here, before the engine loads anything (`ModelNotAllowed`); an invalid policy file
/// refuses everything (`PolicyInvalid`).
pub fn resolve(explicit: Option<&Path>, data_dir: &Path) -> Result<ResolvedModel> {
    resolve_with_policy(explicit, data_dir, &crate::policy::Policy::load()?)
}

/// [`resolve`] with a given policy.
pub fn resolve_with_policy(explicit: Option<&Path>, data_dir: &Path, policy: &crate::policy::Policy) -> Result<ResolvedModel> {
    let resolved = resolve_unchecked(explicit, data_dir)?;
    if policy.allowed_models.is_some() {
        if !resolved.path.is_file() {
            return Err(CoreError::ModelNotFound(resolved.path));
        }
        let sha256 = sha256_cached(&resolved.path, data_dir)?;
        let file = resolved.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        policy.ensure_model_allowed(&file, &sha256)?;
    }
    Ok(resolved)
}

fn resolve_unchecked(explicit: Option<&Path>, data_dir: &Path) -> Result<ResolvedModel> {
    match explicit {
        Some(path) => {
            let entry = Manifest::locate(Some(data_dir)).ok().and_then(|m| m.entry_for(path).cloned());
            Ok(ResolvedModel { path: path.to_path_buf(), entry })
        }
        None => {
            let manifest = Manifest::locate(Some(data_dir))?;
            let entry = manifest.default_entry().clone();
            Ok(ResolvedModel { path: manifest.path_of(&entry), entry: Some(entry) })
        }
    }
}
