//! Model import and the policy's model allow-list, with the real default model.

use std::path::{Path, PathBuf};

use schreibstube_core::model_import::{import_model, import_model_with, ImportOptions};
use schreibstube_core::models::{self, Manifest};
use schreibstube_core::policy::Policy;

const SHA: &str = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";

fn repo_models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")
}

/// A models folder with the repository's manifest and no model files yet.
fn empty_models_dir() -> (tempfile::TempDir, Manifest) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo_models().join("models.toml"), dir.path().join("models.toml")).unwrap();
    let manifest = Manifest::load(dir.path()).unwrap();
    (dir, manifest)
}

fn model_file() -> PathBuf {
    repo_models().join("gemma-3-270m-q4_k_m.gguf")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn a_manifest_model_is_copied_verified_and_described() {
    let (dir, manifest) = empty_models_dir();
    // Imported from a "USB stick" under another name: the checksum finds the manifest entry.
    let stick = tempfile::tempdir().unwrap();
    let src = stick.path().join("MODELL.GGUF");
    std::fs::copy(model_file(), &src).unwrap();

    let report = import_model(&src, &manifest, &Policy::default()).unwrap();
    assert_eq!(report.file, "gemma-3-270m-q4_k_m.gguf");
    assert_eq!(report.name, "Gemma 3 270M (Q4_K_M)");
    assert_eq!(report.sha256, SHA);
    assert_eq!(report.licence.as_deref(), Some("Gemma Terms of Use"));
    assert_eq!(report.context_length, Some(32768));
    assert_eq!(report.size_bytes, 253_113_024);
    assert!(report.estimated_ram_mb > 241 && report.estimated_ram_mb < 4096, "{}", report.estimated_ram_mb);
    assert!(report.in_manifest && !report.already_present);
    assert_eq!(files_in(dir.path()), vec!["gemma-3-270m-q4_k_m.gguf", "models.toml"], "no temporary file left");
    assert_eq!(manifest.verify(manifest.default_entry()).unwrap(), SHA);

    // Again: nothing copied.
    assert!(import_model(&src, &manifest, &Policy::default()).unwrap().already_present);
}

#[test]
fn the_policy_refuses_models_it_does_not_list_and_nothing_is_left_behind() {
    let (dir, manifest) = empty_models_dir();
    let other = "0".repeat(64);
    let policy = Policy::parse(&format!("allowed_models = [\"{other}\"]\n")).unwrap();
    let err = import_model(&model_file(), &manifest, &policy).unwrap_err();
    assert_eq!(err.code(), "model_not_allowed");
    assert!(err.message_de().contains("nicht freigegeben"), "{}", err.message_de());
    assert_eq!(files_in(dir.path()), vec!["models.toml"]);

    // The engine's load path refuses it as well (models::resolve is where CLI and app get it).
    let data = tempfile::tempdir().unwrap();
    let err = models::resolve_with_policy(Some(&model_file()), data.path(), &policy).unwrap_err();
    assert_eq!(err.code(), "model_not_allowed");
    let allowed = Policy::parse(&format!("allowed_models = [\"{SHA}\"]\n")).unwrap();
    assert!(models::resolve_with_policy(Some(&model_file()), data.path(), &allowed).is_ok());

    let disabled = Policy::parse("disabled_features = [\"model_import\"]\n").unwrap();
    assert_eq!(import_model(&model_file(), &manifest, &disabled).unwrap_err().code(), "feature_disabled");
}

#[test]
fn unknown_models_need_the_it_and_broken_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A manifest that does not know the model's checksum.
    let text = std::fs::read_to_string(repo_models().join("models.toml")).unwrap().replace(SHA, &"1".repeat(64));
    std::fs::write(dir.path().join("models.toml"), text.replace("file = \"gemma-3-270m-q4_k_m.gguf\"", "file = \"anders.gguf\"")).unwrap();
    let manifest = Manifest::load(dir.path()).unwrap();
    assert_eq!(import_model(&model_file(), &manifest, &Policy::default()).unwrap_err().code(), "model_not_in_manifest");
    let it_allows = Policy::parse(&format!("allowed_models = [\"{SHA}\"]\n")).unwrap();
    let report = import_model(&model_file(), &manifest, &it_allows).unwrap();
    assert!(!report.in_manifest && report.licence.is_none());
    assert_eq!(report.file, "gemma-3-270m-q4_k_m.gguf");

    // Same name as a manifest entry but another checksum: damaged or not what it claims.
    let stick = tempfile::tempdir().unwrap();
    let fake = stick.path().join("anders.gguf");
    std::fs::copy(model_file(), &fake).unwrap();
    assert_eq!(import_model(&fake, &manifest, &Policy::default()).unwrap_err().code(), "model_checksum_mismatch");

    let not_gguf = stick.path().join("brief.gguf");
    std::fs::write(&not_gguf, "Sehr geehrte Damen und Herren").unwrap();
    assert_eq!(import_model(&not_gguf, &manifest, &Policy::default()).unwrap_err().code(), "model_not_gguf");
    let cut = stick.path().join("halb.gguf");
    let bytes = std::fs::read(model_file()).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(import_model(&cut, &manifest, &Policy::default()).unwrap_err().code(), "model_corrupt");
}

#[test]
fn a_full_disk_is_a_clear_german_error_before_anything_is_written() {
    let (dir, manifest) = empty_models_dir();
    let opts = ImportOptions { available_override: Some(100 << 20) };
    let err = import_model_with(&model_file(), &manifest, &Policy::default(), &opts).unwrap_err();
    assert_eq!(err.code(), "disk_space");
    assert!(err.message_de().contains("nicht genug Platz") && err.message_de().contains("100 MB"), "{}", err.message_de());
    assert_eq!(files_in(dir.path()), vec!["models.toml"]);
}
