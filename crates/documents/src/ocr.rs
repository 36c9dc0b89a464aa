//! Local OCR with Tesseract 5 and Debian's German data (`tesseract-ocr-deu`), for images (PNG,
//! JPEG, TIFF, GIF) and for PDF pages without a text layer (`pdf.rs` hands over the page's scan).
//!
//! Tesseract runs as a subprocess (`tesseract stdin stdout -l deu … tsv`), not as a linked
//! library, for three reasons:
//! - `OMP_THREAD_LIMIT=1`: Tesseract's LSTM runs OpenMP loops with a fixed 4 threads, and only
//!   the thread limit caps them. libgomp reads `OMP_THREAD_LIMIT` once, when it is loaded —
//!   and in our process it is loaded at start for llama.cpp, whose threads the same variable
//!   would cap at one. In a child process it limits Tesseract alone, and the model keeps the
//!   cores.
//! - Isolation: the image decoders (leptonica: libpng, libjpeg, libtiff, openjpeg) run on
//!   untrusted files; a crash or a decompression bomb there kills the child, not the app. The
//!   child gets an address-space limit ([`MAX_CHILD_MEMORY`]) and a time limit
//!   ([`TIMEOUT`]).
//! - The app starts without Tesseract installed; only OCR then reports what is missing.
//!
//! [`Tesseract::locate`] looks for the program and its data once per file, before any image is
//! decoded: without them a scanned PDF's pages are a warning each, not decoded (and charged to
//! the budget) only to be dropped.
//!
//! Nothing is downloaded: the language data is looked up in `ExtractOptions::tessdata_dir`,
//! `SCHREIBSTUBE_TESSDATA`, `TESSDATA_PREFIX`, then the Debian/Ubuntu folders
//! (`/usr/share/tesseract-ocr/5/tessdata`, …/4.00/tessdata, `/usr/share/tessdata`). The binary
//! is `SCHREIBSTUBE_TESSERACT` or `tesseract` on the `PATH`.
//!
//! Output: one `ocr_line` block per line Tesseract finds, in its reading order, with
//! `ocr_confidence` = the mean of the line's word confidences as a fraction 0.0–1.0 (Tesseract
//! reports 0–100). Document text never reaches a log, and Tesseract's stderr is discarded.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::error::OcrReason;
use super::limits::{Budget, ExtractOptions};
use super::model::BlockKind;
use super::{Parsed, RawBlock, ReadError};

/// Wall-clock limit for one image or page.
pub const TIMEOUT: Duration = Duration::from_secs(180);
/// Address-space limit of the Tesseract child (its normal use with `deu` is ~300 MB).
pub const MAX_CHILD_MEMORY: u64 = 3 << 30;

const LANGUAGE_FILE: &str = "deu.traineddata";
const TESSDATA_CANDIDATES: &[&str] = &[
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
];


/// One recognised line.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrLine {
    pub text: String,
    /// 0.0–1.0.
    pub confidence: f32,
    /// 1-based page of a multi-page image (TIFF); 1 otherwise.
    pub page: u32,
}

/// The folder holding `deu.traineddata`, or [`OcrReason::NoGermanData`].
pub fn tessdata_dir(configured: Option<&Path>) -> Result<PathBuf, OcrReason> {
    let env = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = configured {
        // An explicit folder is the only one looked at: a wrong setting must not be hidden.
        candidates.push(dir.to_owned());
    } else {
        candidates.extend(env("SCHREIBSTUBE_TESSDATA"));
        if let Some(prefix) = env("TESSDATA_PREFIX") {
            candidates.push(prefix.join("tessdata"));
            candidates.push(prefix);
        }
        candidates.extend(TESSDATA_CANDIDATES.iter().map(PathBuf::from));
    }
    candidates.into_iter().find(|d| d.join(LANGUAGE_FILE).is_file()).ok_or(OcrReason::NoGermanData)
}

fn tesseract_binary() -> Result<PathBuf, OcrReason> {
    if let Some(p) = std::env::var_os("SCHREIBSTUBE_TESSERACT").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/local/bin")])
        .map(|d| d.join("tesseract"))
        .find(|p| p.is_file())
        .ok_or(OcrReason::NoTesseract)
}

/// Tesseract and its German data, found: OCR can run.
#[derive(Debug, Clone)]
pub struct Tesseract {
    binary: PathBuf,
    tessdata: PathBuf,
}

impl Tesseract {
    /// Finds what OCR needs, or says why there is no OCR: switched off in `opts`, no German
    /// data, no Tesseract (checked in this order).
    pub fn locate(opts: &ExtractOptions) -> Result<Self, OcrReason> {
        if !opts.ocr {
            return Err(OcrReason::SwitchedOff);
        }
        let tessdata = tessdata_dir(opts.tessdata_dir.as_deref())?;
        let binary = tesseract_binary()?;
        Ok(Self { binary, tessdata })
    }

    /// Recognises the German text of one encoded image (PNG, JPEG, TIFF, GIF, PNM, JPEG 2000).
    /// `dpi` is the scan's resolution where known (PDF pages), which helps Tesseract's layout.
    pub fn recognize(&self, image: &[u8], dpi: Option<u32>) -> Result<Vec<OcrLine>, ReadError> {
        let mut cmd = Command::new(&self.binary);
        cmd.arg("stdin").arg("stdout").arg("--tessdata-dir").arg(&self.tessdata).args(["-l", "deu"]);
        if let Some(dpi) = dpi.filter(|d| (70..=2400).contains(d)) {
            cmd.args(["--dpi", &dpi.to_string()]);
        }
        cmd.arg("tsv")
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        limit_child(&mut cmd);
        let failed = ReadError::OcrUnavailable(OcrReason::StartFailed);
        let mut child = cmd.spawn().map_err(|_| failed)?;

        // Feed and drain on threads of their own: a pipe that fills up would block both sides.
        let mut stdin = child.stdin.take().ok_or(failed)?;
        let mut stdout = child.stdout.take().ok_or(failed)?;
        let tsv = std::thread::scope(|s| {
            s.spawn(move || {
                // A child that dies early closes the pipe; its exit status tells what happened.
                let _ = stdin.write_all(image);
            });
            let reader = s.spawn(move || {
                let mut out = Vec::new();
                let _ = stdout.by_ref().take(64 << 20).read_to_end(&mut out);
                out
            });
            let started = Instant::now();
            let status = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Some(status),
                    Ok(None) if started.elapsed() > TIMEOUT => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break None;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                    Err(_) => break None,
                }
            };
            let out = reader.join().unwrap_or_default();
            status.filter(|s| s.success()).map(|_| out)
        });
        // Tesseract fails on images it cannot decode: the file is broken, not the installation.
        let tsv = tsv.ok_or(ReadError::Corrupt)?;
        Ok(parse_tsv(&String::from_utf8_lossy(&tsv)))
    }
}

#[cfg(unix)]
fn limit_child(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let mem = libc::rlimit { rlim_cur: MAX_CHILD_MEMORY as libc::rlim_t, rlim_max: MAX_CHILD_MEMORY as libc::rlim_t };
            let cpu_secs = TIMEOUT.as_secs() as libc::rlim_t;
            let cpu = libc::rlimit { rlim_cur: cpu_secs, rlim_max: cpu_secs };
            libc::setrlimit(libc::RLIMIT_AS, &mem);
            libc::setrlimit(libc::RLIMIT_CPU, &cpu);
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn limit_child(_cmd: &mut Command) {}

/// Tesseract's TSV: `level page block par line word left top width height conf text`; level 5
/// rows are words. Words are grouped into lines by (page, block, paragraph, line).
fn parse_tsv(tsv: &str) -> Vec<OcrLine> {
    // (page, block, paragraph, line) → its words with their confidences.
    type Line = ((u32, u32, u32, u32), Vec<(String, f32)>);
    let mut lines: Vec<Line> = Vec::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let num = |i: usize| f[i].trim().parse::<u32>().unwrap_or(0);
        let key = (num(1), num(2), num(3), num(4));
        let word = f[11..].join(" ");
        let word = word.trim();
        let conf: f32 = f[10].trim().parse().unwrap_or(-1.0);
        if word.is_empty() || conf < 0.0 {
            continue;
        }
        match lines.last_mut() {
            Some((k, words)) if *k == key => words.push((word.to_owned(), conf)),
            _ => lines.push((key, vec![(word.to_owned(), conf)])),
        }
    }
    lines
        .into_iter()
        .map(|((page, ..), words)| {
            let confidence = words.iter().map(|(_, c)| c).sum::<f32>() / words.len() as f32 / 100.0;
            let text = words.into_iter().map(|(w, _)| w).collect::<Vec<_>>().join(" ");
            OcrLine { text, confidence: confidence.clamp(0.0, 1.0), page: page.max(1) }
        })
        .collect()
}

/// Blocks of `ocr_line` kind; `page` is set from `page` (PDF) or, for multi-page images, from
/// Tesseract's page numbers.
pub(crate) fn blocks(lines: Vec<OcrLine>, page: Option<u32>) -> Vec<RawBlock> {
    let multi = lines.iter().any(|l| l.page > 1);
    lines
        .into_iter()
        .map(|l| RawBlock {
            page: page.or(multi.then_some(l.page)),
            ocr_confidence: Some(l.confidence),
            ..RawBlock::new(BlockKind::OcrLine, l.text)
        })
        .collect()
}

/// The reader for image files.
pub(crate) fn read_image(bytes: &[u8], budget: &Budget) -> Result<Parsed, ReadError> {
    let tesseract = Tesseract::locate(&budget.opts).map_err(ReadError::OcrUnavailable)?;
    let lines = tesseract.recognize(bytes, None)?;
    // No text found: `lib.rs` adds its "kein lesbarer Text" warning, as for every format.
    Ok(Parsed { blocks: blocks(lines, None), ..Default::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_become_lines_with_mean_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t96.5\tGebühr\n\
5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t90.5\t12,50\n\
5\t1\t1\t1\t2\t1\t0\t0\t10\t10\t80\tStraße\n\
5\t2\t1\t1\t1\t1\t0\t0\t10\t10\t70\tSeite\n";
        let lines = parse_tsv(tsv);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].text, "Gebühr 12,50");
        assert!((lines[0].confidence - 0.935).abs() < 1e-4);
        assert_eq!((lines[1].text.as_str(), lines[1].page), ("Straße", 1));
        assert_eq!(lines[2].page, 2);
        let b = blocks(lines, None);
        assert_eq!(b[2].page, Some(2));
        assert_eq!(b[0].kind, BlockKind::OcrLine);
    }

    #[test]
    fn a_folder_without_german_data_is_named_as_missing() {
        let empty = std::env::temp_dir();
        assert_eq!(tessdata_dir(Some(&empty.join("gibt-es-nicht"))), Err(OcrReason::NoGermanData));
        let opts = ExtractOptions { tessdata_dir: Some(empty.join("gibt-es-nicht")), ..Default::default() };
        assert_eq!(Tesseract::locate(&opts).unwrap_err(), OcrReason::NoGermanData);
        // Switched off is said first, whatever else is missing.
        assert_eq!(Tesseract::locate(&ExtractOptions { ocr: false, ..opts }).unwrap_err(), OcrReason::SwitchedOff);
    }
}
