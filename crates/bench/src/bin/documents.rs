//! `make bench` (documents part; alone: `make bench-documents`): how fast files become blocks.
//! Separate from the LLM sides so it runs in seconds. Inputs are generated here:
//! - a 100-page text PDF (40 lines of German per page, Flate-compressed, like office PDFs);
//! - a 50-page DOCX (50 × 25 paragraphs with page breaks);
//! - OCR: the scans of tests/fixtures/make-scans.sh (an image and a two-page image-only PDF);
//! - peak memory: a 190 MiB text file and a 190 MiB CSV, each read in a child process of its
//!   own whose peak RSS (VmHWM) is reported, plus a 201 MiB file refused by the size limit.
//!
//! Output: a Markdown table on stdout; `--json FILE` writes the figures.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lopdf::{dictionary, Object, Stream};
use schreibstube_documents::{extract_bytes, extract_file, ExtractOptions};
use serde_json::json;

const LINE: &str = "Die Straßenreinigungsgebühr für das Grundstück beträgt 1.234,56 € (fällig am 15.03.2024).";

fn text_pdf(pages: usize) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let (line, _, _) = encoding_rs::WINDOWS_1252.encode(LINE);
    let mut kids = Vec::new();
    for page in 0..pages {
        let mut ops = vec![
            lopdf::content::Operation::new("BT", vec![]),
            lopdf::content::Operation::new("Tf", vec!["F1".into(), 10.into()]),
            lopdf::content::Operation::new("TL", vec![13.into()]),
            lopdf::content::Operation::new("Td", vec![60.into(), 780.into()]),
        ];
        for i in 0..40 {
            let mut text = format!("{} {i}: ", page + 1).into_bytes();
            text.extend_from_slice(&line);
            ops.push(lopdf::content::Operation::new("Tj", vec![Object::string_literal(text)]));
            ops.push(lopdf::content::Operation::new("T*", vec![]));
            if i % 8 == 7 {
                ops.push(lopdf::content::Operation::new("T*", vec![]));
            }
        }
        ops.push(lopdf::content::Operation::new("ET", vec![]));
        let content = lopdf::content::Content { operations: ops }.encode().unwrap();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        kids.push(doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id }).into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn docx(pages: usize) -> Vec<u8> {
    let ns = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let mut body = String::new();
    for page in 0..pages {
        for i in 0..25 {
            body.push_str(&format!(r#"<w:p><w:r><w:t xml:space="preserve">{} {i}: {LINE} {LINE}</w:t></w:r></w:p>"#, page + 1));
        }
        body.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#);
    }
    let document = format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body}</w:body></w:document>"#);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in [("[Content_Types].xml", "<Types/>"), ("word/document.xml", document.as_str())] {
        zip.start_file(name, deflated).unwrap();
        zip.write_all(data.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn vm_hwm_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Child mode: read one file, print "blocks peak_rss_mb seconds code".
fn child(path: &Path) {
    let t = Instant::now();
    let result = extract_file(path, &ExtractOptions::default());
    let (blocks, code) = match &result {
        Ok(doc) => (doc.blocks.len(), "ok"),
        Err(e) => (0, e.code()),
    };
    println!("{blocks} {:.0} {:.2} {code}", vm_hwm_mb(), t.elapsed().as_secs_f64());
}

fn big_input(dir: &Path, name: &str, mib: usize, line: &str) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut written = 0;
    let mut i = 0u64;
    while written < mib * 1024 * 1024 {
        let l = format!("{i};{line}\n");
        written += l.len();
        f.write_all(l.as_bytes()).unwrap();
        i += 1;
    }
    f.flush().unwrap();
    path
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        return child(Path::new(&args[i + 1]));
    }
    let json_out = args.iter().position(|a| a == "--json").map(|i| PathBuf::from(&args[i + 1]));
    let opts = ExtractOptions::default();
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut figures = serde_json::Map::new();

    // Text PDF: 100 pages.
    let pdf = text_pdf(100);
    let doc = extract_bytes("bench.pdf", &pdf, &opts).unwrap();
    assert_eq!(doc.blocks.last().and_then(|b| b.position.page), Some(100));
    let t = median(5, || drop(extract_bytes("bench.pdf", &pdf, &opts).unwrap()));
    let pdf_pages_s = 100.0 / t.as_secs_f64();
    rows.push(("Text-PDF, 100 Seiten".into(), format!("{pdf_pages_s:.0} Seiten/s ({:.0} ms, {} Blöcke)", t.as_secs_f64() * 1e3, doc.blocks.len())));
    figures.insert("text_pdf_pages_per_s".into(), json!(pdf_pages_s));

    // DOCX: 50 pages.
    let docx = docx(50);
    let blocks = extract_bytes("bench.docx", &docx, &opts).unwrap().blocks.len();
    let t = median(5, || drop(extract_bytes("bench.docx", &docx, &opts).unwrap()));
    let docx_pages_s = 50.0 / t.as_secs_f64();
    rows.push(("DOCX, 50 Seiten".into(), format!("{docx_pages_s:.0} Seiten/s ({:.0} ms, {blocks} Blöcke)", t.as_secs_f64() * 1e3)));
    figures.insert("docx_pages_per_s".into(), json!(docx_pages_s));

    // OCR.
    let scans = tempdir();
    let ok = std::process::Command::new("tests/fixtures/make-scans.sh").arg(&scans).output().map(|o| o.status.success()).unwrap_or(false);
    if ok {
        let png = std::fs::read(scans.join("scan.png")).unwrap();
        let t = median(3, || drop(extract_bytes("scan.png", &png, &opts).unwrap()));
        rows.push(("OCR, Bild (2000×480 px, 4 Zeilen)".into(), format!("{:.2} s/Seite", t.as_secs_f64())));
        figures.insert("ocr_image_s_per_page".into(), json!(t.as_secs_f64()));
        let a4 = std::fs::read(scans.join("scan-a4.png")).unwrap();
        let t = median(3, || drop(extract_bytes("scan-a4.png", &a4, &opts).unwrap()));
        rows.push(("OCR, volle A4-Seite (300 dpi, 40 Zeilen)".into(), format!("{:.2} s/Seite", t.as_secs_f64())));
        figures.insert("ocr_a4_s_per_page".into(), json!(t.as_secs_f64()));
        let scan_pdf = std::fs::read(scans.join("scan-jpeg.pdf")).unwrap();
        let t = median(3, || drop(extract_bytes("scan.pdf", &scan_pdf, &opts).unwrap()));
        rows.push(("OCR, gescanntes PDF (2 Seiten)".into(), format!("{:.2} s/Seite", t.as_secs_f64() / 2.0)));
        figures.insert("ocr_pdf_s_per_page".into(), json!(t.as_secs_f64() / 2.0));
    } else {
        rows.push(("OCR".into(), "übersprungen: tests/fixtures/make-scans.sh lief nicht (make setup)".into()));
    }

    // Peak memory for 200 MB inputs, each in a child process.
    let exe = std::env::current_exe().unwrap();
    let big = tempdir();
    let cases = [
        ("Text 190 MiB", big_input(&big, "gross.txt", 190, LINE)),
        ("CSV 190 MiB", big_input(&big, "gross.csv", 190, "Müller;1.234,56 €;15.03.2024;Straßenreinigung")),
        ("Text 201 MiB (über dem Limit)", big_input(&big, "zu-gross.txt", 201, LINE)),
    ];
    for (label, path) in &cases {
        let out = std::process::Command::new(&exe).arg("--child").arg(path).output().unwrap();
        let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let f: Vec<&str> = line.split(' ').collect();
        let size_mb = std::fs::metadata(path).unwrap().len() as f64 / 1024.0 / 1024.0;
        rows.push((
            format!("Spitzenspeicher, {label}"),
            format!("{} MB RSS für {size_mb:.0} MiB ({} s, {} Blöcke, {})", f.get(1).unwrap_or(&"?"), f.get(2).unwrap_or(&"?"), f.first().unwrap_or(&"?"), f.get(3).unwrap_or(&"?")),
        ));
        figures.insert(format!("peak_rss_mb_{}", path.file_name().unwrap().to_string_lossy()), json!(f.get(1).and_then(|v| v.parse::<f64>().ok())));
    }
    let _ = std::fs::remove_dir_all(&big);
    let _ = std::fs::remove_dir_all(&scans);

    println!("\n## Dokumente\n\n| Messung | Ergebnis |\n|---|---|");
    for (k, v) in &rows {
        println!("| {k} | {v} |");
    }
    println!("\nZiel: ≥ 100 Text-PDF-Seiten/s — {}", if pdf_pages_s >= 100.0 { "erreicht" } else { "NICHT erreicht" });
    if let Some(path) = json_out {
        std::fs::write(path, serde_json::to_string_pretty(&figures).unwrap()).unwrap();
    }
}

fn tempdir() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("schreibstube-bench-docs-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
