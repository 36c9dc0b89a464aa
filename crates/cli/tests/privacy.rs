//! Logs without personal data: the CLI reads fixture documents and generates from a fixture
//! prompt at DEBUG level (llama.cpp's log lines included) and the rotating log file must not
//! contain a single fixture sentence, name, file name or piece of the output.

mod common;

use common::{cli, json, stderr};

const SENTENCES: &[&str] = &[
    "Herr Friedemann Quellenberg beantragt die Verlängerung seiner Sondernutzungserlaubnis",
    "Die Zahlung über 4.711,23 Euro ist bis zum 17. Oktober auf das Konto DE44500105175407324931 zu leisten",
    "Frau Ottilie Brunnenkresse widerspricht dem Bescheid über die Hundesteuer",
    "Im Anhang finden Sie das Gutachten zur Standsicherheit der Linde vor Haus Nummer 12",
];

#[test]
fn debug_logs_contain_no_document_text_prompt_or_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let txt = d.join("antrag-quellenberg.txt");
    std::fs::write(&txt, format!("{}.\n\n{}.\n", SENTENCES[0], SENTENCES[1])).unwrap();
    let html = d.join("widerspruch.html");
    std::fs::write(&html, format!("<html><body><h1>Widerspruch</h1><p>{}.</p><p>{}.</p></body></html>", SENTENCES[2], SENTENCES[3])).unwrap();
    let eml = d.join("mail.eml");
    std::fs::write(
        &eml,
        format!("From: Ottilie Brunnenkresse <o.b@example.org>\r\nTo: amt@example.org\r\nSubject: Hundesteuer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}.\r\n", SENTENCES[2]),
    )
    .unwrap();

    let out = cli(d).env("RUST_LOG", "debug").arg("extract").arg(&txt).arg(&html).arg(&eml).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let prompt = format!("{}. {}.", SENTENCES[0], SENTENCES[2]);
    let out = cli(d)
        .env("RUST_LOG", "debug")
        .args(["generate", "--json", "--max-tokens", "24", "--seed", "3", "--threads", "2", "--prompt", &prompt])
        .output()
        .unwrap();
    let v = json(&out);
    let output = v["text"].as_str().unwrap().trim().to_string();
    // The summary reads the same files (and keeps their text in the store, never in the log).
    let out = cli(d).env("RUST_LOG", "debug").arg("summarize").arg("--json").arg(&txt).arg(&html).arg(&eml).output().unwrap();
    let summary = json(&out);
    assert_eq!(summary["coverage"]["pages_read"], summary["coverage"]["pages_total"]);
    let summary_text = summary["summary"].as_str().unwrap().trim().to_string();
    let out = cli(d).env("RUST_LOG", "debug").args(["history", "search", "Quellenberg"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let mut log = String::new();
    for entry in std::fs::read_dir(d.join("logs")).expect("a log folder") {
        log.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    // The log is really written at DEBUG, llama.cpp included.
    for needle in ["document extracted", "model loaded", "result saved", "summary done", "DEBUG", "llama"] {
        assert!(log.contains(needle), "{needle:?} missing from the log:\n{log}");
    }
    let mut forbidden: Vec<String> = SENTENCES.iter().map(|s| s.to_string()).collect();
    forbidden.extend(["Quellenberg", "Brunnenkresse", "Friedemann", "Ottilie", "DE44500105175407324931", "4.711,23", "Hundesteuer", "Standsicherheit"].map(String::from));
    // Every run of 24 characters of the model's outputs (short outputs can be common words).
    for text in [&output, &summary_text] {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() >= 24 {
            forbidden.extend(chars.windows(24).step_by(8).map(|w| w.iter().collect::<String>()).filter(|w| w.trim().len() >= 20));
        }
    }
    // Case-insensitive: file names (antrag-quellenberg.txt) count as personal data too.
    let lower = log.to_lowercase();
    for f in &forbidden {
        assert!(!lower.contains(&f.to_lowercase()), "{f:?} is in the log");
    }
}
