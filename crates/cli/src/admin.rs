//! `policy show` and `models import`: what the IT department uses to check a workstation and to
//! bring a model from a USB stick.

use std::path::Path;

use schreibstube_core::model_import;
use schreibstube_core::models::Manifest;
use schreibstube_core::policy::{self, Policy, Setting, UserSettings};
use schreibstube_core::CoreError;
use serde_json::json;

pub fn policy_show(policy: &Policy, json: bool) -> Result<(), CoreError> {
    let path = policy::policy_path();
    let effective = policy::merge(policy, &UserSettings::default());
    if json {
        println!(
            "{}",
            json!({
                "path": path,
                "present": policy.source.is_some(),
                "policy": policy,
                "effective": effective,
            })
        );
        return Ok(());
    }
    match &policy.source {
        Some(p) => println!("IT-Richtlinie: {}", p.display()),
        None => println!("Keine IT-Richtlinie ({} fehlt): keine Einschränkungen.", path.display()),
    }
    fn line<T: std::fmt::Display>(name: &str, s: &Setting<T>) {
        let mark = if s.locked { "  (von der IT festgelegt)" } else { "" };
        println!("  {name:<22} {}{mark}", s.value);
    }
    line("Aufbewahrung (Tage)", &effective.retention_days);
    line("Verlauf speichern", &Setting { value: if effective.keep_history.value { "ja" } else { "nein" }, locked: effective.keep_history.locked });
    line("Größte Datei (MB)", &effective.max_file_mb);
    match &effective.allowed_models {
        Some(list) => println!("  {:<22} {} freigegeben  (von der IT festgelegt)", "Modelle", list.len()),
        None => println!("  {:<22} alle aus dem Modellverzeichnis", "Modelle"),
    }
    if !effective.disabled_features.is_empty() {
        println!("  {:<22} {}  (von der IT festgelegt)", "Abgeschaltet", effective.disabled_features.join(", "));
    }
    let s = &effective.sender;
    for (name, v) in [
        ("Behörde", &s.authority),
        ("Amt", &s.office),
        ("Sachbearbeitung", &s.clerk),
        ("Telefon", &s.phone),
        ("E-Mail", &s.email),
        ("Sprechzeiten", &s.opening_hours),
        ("Anschrift", &s.address),
    ] {
        if let Some(value) = &v.value {
            println!("  {name:<22} {}  (von der IT festgelegt)", value.replace('\n', ", "));
        }
    }
    if let Some(logo) = &s.logo.value {
        println!("  {:<22} {}  (von der IT festgelegt)", "Logo", logo.display());
    }
    Ok(())
}

pub fn models_import(data_dir: &Path, policy: &Policy, file: &Path, json: bool) -> Result<(), CoreError> {
    let manifest = Manifest::locate(Some(data_dir))?;
    let report = model_import::import_model(file, &manifest, policy)?;
    if json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
        return Ok(());
    }
    let verb = if report.already_present { "war schon vorhanden" } else { "übernommen" };
    println!("Modell {verb}: {}", report.name);
    println!("  Datei:          {}", report.path.display());
    println!("  Größe:          {} MB", report.size_bytes >> 20);
    println!("  Lizenz:         {}", report.licence.as_deref().unwrap_or("unbekannt (nicht im Modellverzeichnis)"));
    match report.context_length {
        Some(n) => println!("  Kontextlänge:   {n} Tokens"),
        None => println!("  Kontextlänge:   unbekannt"),
    }
    println!("  Arbeitsspeicher: etwa {} MB", report.estimated_ram_mb);
    println!("  sha256:         {}", report.sha256);
    Ok(())
}
