//! Exports of results as files: Markdown, DOCX (Word, LibreOffice) and PDF (`pdf.rs`). Every export carries the
//! visible "KI-Entwurf – bitte prüfen" mark and says in its metadata that it was written with AI
//! help (DOCX: core and custom document properties; PDF: document information), with the
//! model's name and sha256.
//!
//! A result becomes a [`Report`] first (title, mark, notes, cited sentences, tables, footer);
//! the three renderers only lay a report out, so a summary and an explanation export alike.
//!
//! The DOCX is WordprocessingML written with the `zip` crate and escaped XML: the handful of
//! parts a word processor needs, nothing more.

pub mod letter;
mod pdf;

use std::io::{Cursor, Write};

use quick_xml::escape::escape;
use serde::{Deserialize, Serialize};
use zip::write::SimpleFileOptions;

use crate::documents::Position;
use crate::error::{CoreError, Result};
use crate::tasks::explain::ExplainResult;
use crate::tasks::summarize::{ModelRef, SummaryResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Markdown,
    Docx,
    Pdf,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Docx => "docx",
            Self::Pdf => "pdf",
        }
    }

    /// From a file name's extension (`.md`, `.markdown`, `.docx`).
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Self::Markdown),
            "docx" => Some(Self::Docx),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }
}

/// Now as UTC ISO 8601 (`2026-11-26T10:00:00Z`), for the "created" of exports.
pub fn now_iso() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    crate::store::timestamp_utc(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// Writes `report` to `path` in `format`, atomically (a temp file renamed into place), so a full
/// disk leaves no half-written file behind.
pub fn write_report(report: &Report, format: Format, path: &std::path::Path) -> Result<()> {
    let created = now_iso();
    let bytes = match format {
        Format::Markdown => report.markdown(&created).into_bytes(),
        Format::Docx => report.docx(&created)?,
        Format::Pdf => report.pdf(&created)?,
    };
    write_atomically(path, &bytes)
}

/// Writes `bytes` to a temp file beside `path` and renames it into place: a full disk leaves no
/// half-written export behind (the temp file is removed on every failure, as the DSGVO export does).
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let io = |e| CoreError::io(path, e);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| CoreError::io(dir, e))?;
    tmp.write_all(bytes).and_then(|()| tmp.as_file().sync_all()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// "Gemma 3 270M (sha256 a5fd…)": how exports name the model.
pub(crate) fn model_line(m: &ModelRef) -> String {
    format!("{} (sha256 {})", m.name, m.sha256)
}

/// DOCX core properties (Dublin Core): title, the AI note as description, keywords, created.
pub(crate) fn docx_core_xml(title: &str, description: &str, keywords: &str, created: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:title>{}</dc:title><dc:creator>Schreibstube (KI-Unterstützung)</dc:creator><cp:keywords>{}</cp:keywords><dc:description>{}</dc:description><dc:language>de-DE</dc:language>\
<dcterms:created xsi:type=\"dcterms:W3CDTF\">{}</dcterms:created></cp:coreProperties>",
        escape(title),
        escape(keywords),
        escape(description),
        escape(created)
    )
}

/// DOCX custom properties a script can read: `KI_generiert`, `KI_Modell`, `KI_Pruefung` and,
/// for letters, `KI_Vorlage`.
pub(crate) fn docx_custom_xml(model: &ModelRef, review: &str, template: Option<&str>) -> String {
    let prop = |pid: u32, name: &str, value: &str| {
        format!("<property fmtid=\"{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}\" pid=\"{pid}\" name=\"{name}\">{value}</property>")
    };
    let text = |v: &str| format!("<vt:lpwstr>{}</vt:lpwstr>", escape(v));
    let mut props = vec![prop(2, "KI_generiert", "<vt:bool>true</vt:bool>"), prop(3, "KI_Modell", &text(&model_line(model))), prop(4, "KI_Pruefung", &text(review))];
    if let Some(t) = template {
        props.push(prop(5, "KI_Vorlage", &text(t)));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">{}</Properties>",
        props.concat()
    )
}

/// A ZIP of the parts (deflated), with `mimetype` first and stored (ODF) where given, and one
/// binary part (an image, stored: PNG is compressed already).
pub(crate) fn zip_parts(parts: &[(&str, String)], binary: Option<(&str, &[u8])>, mimetype: Option<&str>, what: &'static str) -> Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let fail = |e: &dyn std::fmt::Display| CoreError::ExportFailed { format: what, detail: e.to_string() };
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    if let Some(m) = mimetype {
        zip.start_file("mimetype", stored).map_err(|e| fail(&e))?;
        zip.write_all(m.as_bytes()).map_err(|e| fail(&e))?;
    }
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, xml) in parts {
        zip.start_file(*name, opts).map_err(|e| fail(&e))?;
        zip.write_all(xml.as_bytes()).map_err(|e| fail(&e))?;
    }
    if let Some((name, bytes)) = binary {
        zip.start_file(name, stored).map_err(|e| fail(&e))?;
        zip.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

pub fn write_summary(r: &SummaryResult, format: Format, path: &std::path::Path) -> Result<()> {
    write_report(&Report::from_summary(r), format, path)
}

pub fn write_explanation(r: &ExplainResult, format: Format, path: &std::path::Path) -> Result<()> {
    write_report(&Report::from_explanation(r), format, path)
}

/// `akte.pdf, S. 3, Abs. 7` — the short German citation used in exports.
pub fn citation_de(p: &Position) -> String {
    let mut parts = vec![p.file.clone()];
    if let Some(a) = &p.attachment {
        parts.push(format!("Anhang {a}"));
    }
    if let Some(page) = p.page {
        parts.push(format!("S. {page}"));
    }
    if let Some(row) = p.row {
        parts.push(format!("Zeile {row}"));
    }
    parts.push(format!("Abs. {}", p.paragraph));
    parts.join(", ")
}

fn sources_de(ps: &[Position]) -> String {
    ps.iter().map(citation_de).collect::<Vec<_>>().join("; ")
}

/// A result laid out for export, independent of the file format.
#[derive(Debug, Clone)]
pub struct Report {
    pub title: String,
    /// The AI mark and what the result covers, shown first and prominently.
    pub mark_line: String,
    /// Short notes under the mark (stopped early, "the original stays binding" …).
    pub notes: Vec<String>,
    /// The text, sentence by sentence, each with its sources (empty: "keine Quelle gefunden").
    pub sentences: Vec<(String, String)>,
    pub tables: Vec<ReportTable>,
    /// Claims no source supports.
    pub flagged: Vec<String>,
    /// A bar chart of computed changes: (heading, bars of (label with value, value)).
    pub chart: Option<(String, Vec<(String, f64)>)>,
    pub model: ModelRef,
}

#[derive(Debug, Clone)]
pub struct ReportTable {
    pub heading: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Report {
    pub fn from_summary(r: &SummaryResult) -> Self {
        let mut notes = Vec::new();
        if r.cancelled {
            notes.push("Abgebrochen: Teilergebnis aus den bereits gelesenen Abschnitten.".to_owned());
        }
        let facts = ReportTable {
            heading: "Fakten aus der Akte".into(),
            columns: ["Art", "Wert", "Zusammenhang", "Fundstelle"].map(String::from).to_vec(),
            rows: r
                .facts
                .iter()
                .map(|f| {
                    // A demand's value is its sentence: no need to print it twice.
                    let context = if f.context == f.value { String::new() } else { f.context.clone() };
                    vec![f.kind.label_de().to_owned(), f.value.clone(), context, sources_de(&f.sources)]
                })
                .collect(),
        };
        Self {
            title: "Zusammenfassung der Akte".into(),
            mark_line: format!("{} · {}", r.mark, r.coverage.label_de()),
            notes,
            sentences: r.sentences.iter().map(|s| (s.text.replace('\n', " "), sources_de(&s.sources))).collect(),
            tables: if facts.rows.is_empty() { vec![] } else { vec![facts] },
            flagged: r.unsupported.iter().map(|u| format!("„{}“ ({})", u.text, u.kind)).collect(),
            chart: None,
            model: r.model.clone(),
        }
    }

    pub fn from_explanation(r: &ExplainResult) -> Self {
        let mut notes = vec![r.note.clone()];
        if let Some(q) = &r.question {
            notes.push(format!("Frage: {q}"));
        }
        if r.cancelled {
            notes.push("Abgebrochen: Teilergebnis.".to_owned());
        }
        let mut tables = Vec::new();
        if !r.key_facts.is_empty() {
            tables.push(ReportTable {
                heading: "Was unverändert gilt".into(),
                columns: ["Art", "Wert", "In der Erklärung", "Fundstelle"].map(String::from).to_vec(),
                rows: r
                    .key_facts
                    .iter()
                    .map(|f| {
                        let kept = if f.in_explanation { "ja" } else { "fehlt" };
                        vec![f.label_de.clone(), f.value.clone(), kept.to_owned(), sources_de(&f.sources)]
                    })
                    .collect(),
            });
        }
        if !r.figures.is_empty() {
            tables.push(ReportTable {
                heading: "Berechnete Werte (vom Programm, nicht vom Sprachmodell)".into(),
                columns: ["Kennzahl", "Wert", "Formel", "Eingangswerte"].map(String::from).to_vec(),
                rows: r
                    .figures
                    .iter()
                    .map(|f| {
                        let inputs = f.inputs.iter().map(|i| format!("{} = {} ({})", i.name, i.text, citation_de(&i.position))).collect::<Vec<_>>().join("; ");
                        vec![f.label.clone(), f.display.clone(), f.formula.clone(), inputs]
                    })
                    .collect(),
            });
        }
        let (b, a) = (&r.readability.before, &r.readability.after);
        tables.push(ReportTable {
            heading: "Lesbarkeit".into(),
            columns: ["Maß", "Original", "Erklärung"].map(String::from).to_vec(),
            rows: vec![
                vec!["Flesch-Amstad (höher ist leichter)".into(), format!("{:.1}", b.flesch_amstad).replace('.', ","), format!("{:.1}", a.flesch_amstad).replace('.', ",")],
                vec![
                    "Wiener Sachtextformel (niedriger ist leichter)".into(),
                    format!("{:.1}", b.wiener_sachtextformel).replace('.', ","),
                    format!("{:.1}", a.wiener_sachtextformel).replace('.', ","),
                ],
            ],
        });
        Self {
            title: format!("Erklärung für: {}", r.audience.label_de()),
            mark_line: r.mark.clone(),
            notes,
            sentences: r.sentences.iter().map(|s| (s.text.replace('\n', " "), sources_de(&s.sources))).collect(),
            tables,
            flagged: r.unsupported.iter().map(|u| format!("„{}“ ({})", u.text, u.kind)).collect(),
            chart: change_chart(r),
            model: r.model.clone(),
        }
    }

    fn pdf_chart(&self) -> Option<(String, Vec<pdf::ChartBar>)> {
        let (heading, bars) = self.chart.as_ref()?;
        let min = bars.iter().map(|b| b.1).fold(0.0_f64, f64::min);
        let max = bars.iter().map(|b| b.1).fold(0.0_f64, f64::max);
        let span = if max - min > 0.0 { max - min } else { 1.0 };
        let frac = |v: f64| ((v - min) / span) as f32;
        let zero = frac(0.0);
        let pdf_bars = bars
            .iter()
            .map(|(label, v)| pdf::ChartBar { label: label.clone(), start: zero.min(frac(*v)), end: zero.max(frac(*v)), negative: *v < 0.0 })
            .collect();
        Some((heading.clone(), pdf_bars))
    }

    /// The chart as text for Markdown: labels padded to one width, then a bar of `█` scaled to
    /// the largest absolute value; a negative bar is `−` and `░`, so it reads without colour.
    fn text_chart(&self) -> Option<(String, Vec<String>)> {
        const WIDTH: f64 = 30.0;
        let (heading, bars) = self.chart.as_ref()?;
        let largest = bars.iter().map(|b| b.1.abs()).fold(0.0_f64, f64::max);
        let label_width = bars.iter().map(|b| b.0.chars().count()).max().unwrap_or(0);
        let lines = bars
            .iter()
            .map(|(label, v)| {
                // A non-zero value always gets at least one mark.
                let n = if largest > 0.0 && *v != 0.0 { ((v.abs() / largest * WIDTH).round() as usize).max(1) } else { 0 };
                let pad = " ".repeat(label_width - label.chars().count());
                let bar = if *v < 0.0 { format!("−{}", "░".repeat(n)) } else { "█".repeat(n) };
                format!("{label}{pad}  {bar}").trim_end().to_owned()
            })
            .collect();
        Some((heading.clone(), lines))
    }

    fn footer(&self, created: &str) -> String {
        format!("Erstellt mit KI-Unterstützung (Schreibstube) am {created} · Modell: {}", model_line(&self.model))
    }

    fn sentence_line(text: &str, sources: &str) -> String {
        let src = if sources.is_empty() { "keine Quelle gefunden" } else { sources };
        format!("{text} [{src}]")
    }

    /// Markdown: the mark as a quote, sentences as a list, tables as pipe tables.
    pub fn markdown(&self, created: &str) -> String {
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let mut md = format!("# {}\n\n> **{}**\n\n", self.title, self.mark_line);
        for n in &self.notes {
            md.push_str(&format!("_{n}_\n\n"));
        }
        for (text, sources) in &self.sentences {
            md.push_str(&format!("- {}\n", Self::sentence_line(text, sources)));
        }
        if let Some((heading, lines)) = self.text_chart() {
            md.push_str(&format!("\n## {heading}\n\n```text\n"));
            for l in lines {
                md.push_str(&format!("{l}\n"));
            }
            md.push_str("```\n");
        }
        for t in &self.tables {
            md.push_str(&format!("\n## {}\n\n| {} |\n|{}\n", t.heading, t.columns.join(" | "), "---|".repeat(t.columns.len())));
            for r in &t.rows {
                md.push_str(&format!("| {} |\n", r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")));
            }
        }
        if !self.flagged.is_empty() {
            md.push_str("\n## Nicht in den Quellen gefunden\n\n");
            for f in &self.flagged {
                md.push_str(&format!("- {f}\n"));
            }
        }
        md.push_str(&format!("\n---\n{}\n", self.footer(created)));
        md
    }

    /// DOCX: WordprocessingML with the mark highlighted, tables with borders, AI metadata.
    pub fn docx(&self, created: &str) -> Result<Vec<u8>> {
        let mut body = String::new();
        body.push_str(&para(&self.title, Style::Title));
        body.push_str(&para(&self.mark_line, Style::Mark));
        for n in &self.notes {
            body.push_str(&para(n, Style::Note));
        }
        for (text, sources) in &self.sentences {
            let src = if sources.is_empty() { "keine Quelle gefunden" } else { sources };
            body.push_str(&format!(
                "<w:p><w:pPr><w:ind w:left=\"360\" w:hanging=\"360\"/></w:pPr>{}{}</w:p>",
                run(&format!("• {text} "), ""),
                run(&format!("[{src}]"), "<w:color w:val=\"44546A\"/><w:sz w:val=\"18\"/>")
            ));
        }
        if let Some((heading, bars)) = &self.chart {
            body.push_str(&para(heading, Style::Heading));
            body.push_str(&docx_chart(bars));
        }
        for t in &self.tables {
            body.push_str(&para(&t.heading, Style::Heading));
            body.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>");
            for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
                body.push_str(&format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"999999\"/>"));
            }
            body.push_str("</w:tblBorders></w:tblPr>");
            body.push_str(&row(&t.columns.iter().map(String::as_str).collect::<Vec<_>>(), true));
            for r in &t.rows {
                body.push_str(&row(&r.iter().map(String::as_str).collect::<Vec<_>>(), false));
            }
            body.push_str("</w:tbl>");
        }
        if !self.flagged.is_empty() {
            body.push_str(&para("Nicht in den Quellen gefunden", Style::Heading));
            for f in &self.flagged {
                body.push_str(&para(f, Style::Normal));
            }
        }
        body.push_str(&para(&self.footer(created), Style::Note));
        let document = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}\
<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1417\" w:right=\"1417\" w:bottom=\"1134\" w:left=\"1417\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/></w:sectPr>\
</w:body></w:document>"
        );
        let core = docx_core_xml(
            &self.title,
            &format!("Mit KI-Unterstützung erstellt. {}. Modell: {}", self.mark_line, model_line(&self.model)),
            "KI-Entwurf; KI-generiert",
            created,
        );
        let custom = docx_custom_xml(&self.model, "ausstehend", None);
        let parts: [(&str, String); 5] = [
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
    <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
    <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
    <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
    <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
    <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
    <Override PartName=\"/docProps/custom.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.custom-properties+xml\"/>\
    </Types>"
                    .to_owned(),
            ),
            (
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
    <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
    <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
    <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
    <Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties\" Target=\"docProps/custom.xml\"/>\
    </Relationships>"
                    .to_owned(),
            ),
            ("word/document.xml", document),
            ("docProps/core.xml", core),
            ("docProps/custom.xml", custom),
        ];
        zip_parts(&parts, None, None, "DOCX")
    }

    /// PDF: A4, the mark in bold at the top, a bar chart of computed changes where the report
    /// has one, tables as lines, "Seite x von y", AI assistance named in the document information.
    pub fn pdf(&self, created: &str) -> Result<Vec<u8>> {
        use pdf::{Para, ParaStyle};
        let p = |text: String, style| Para { text, style };
        let mut paras = vec![p(self.title.clone(), ParaStyle::Title), p(self.mark_line.clone(), ParaStyle::Strong)];
        for n in &self.notes {
            paras.push(p(n.clone(), ParaStyle::Normal));
        }
        for (text, sources) in &self.sentences {
            paras.push(p(Self::sentence_line(text, sources), ParaStyle::Bullet));
        }
        for t in &self.tables {
            paras.push(p(t.heading.clone(), ParaStyle::Heading));
            for r in &t.rows {
                let cells: Vec<&str> = r.iter().map(String::as_str).filter(|c| !c.is_empty()).collect();
                let line = match cells.split_first() {
                    Some((first, rest)) if !rest.is_empty() => format!("{first}: {}", rest.join(" — ")),
                    _ => cells.join(" — "),
                };
                paras.push(p(line, ParaStyle::Bullet));
            }
        }
        if !self.flagged.is_empty() {
            paras.push(p("Nicht in den Quellen gefunden".into(), ParaStyle::Heading));
            for f in &self.flagged {
                paras.push(p(f.clone(), ParaStyle::Bullet));
            }
        }
        paras.push(p(self.footer(created), ParaStyle::Small));
        let chart = self.pdf_chart();
        pdf::render(
            &paras,
            chart.as_ref().map(|(h, b)| (h.as_str(), b.as_slice())),
            &self.title,
            &format!("Mit KI-Unterstützung erstellt. {}. Modell: {}", self.mark_line, model_line(&self.model)),
            "KI-Entwurf; KI-generiert",
            created,
        )
    }
}

/// The bar chart of an explained table: each item row's difference (B − A) as computed by code;
/// a total row ("Summe") would dwarf the items and is left out (it is in the figures table).
fn change_chart(r: &ExplainResult) -> Option<(String, Vec<(String, f64)>)> {
    use crate::tasks::figures::{is_total_label, FigureKind};
    let bars: Vec<(String, f64)> = r
        .figures
        .iter()
        .filter(|f| f.kind == FigureKind::Differenz)
        .filter_map(|f| f.row.as_ref().filter(|row| !is_total_label(row)).map(|row| (format!("{row}: {}", f.display), f.value)))
        .collect();
    let table = r.table.as_ref()?;
    (!bars.is_empty()).then(|| (format!("Veränderung von {} zu {}", table.from, table.to), bars))
}

/// The chart in DOCX: a table with fixed layout, one row per bar: the label with its value, then
/// a grid of equal columns in which a shaded cell spans the bar from the zero line (gridSpan).
/// Plain table markup, so Word and LibreOffice both draw it; positive bars are solid, negative
/// ones striped, and the value is in the label, so nothing depends on colour.
fn docx_chart(bars: &[(String, f64)]) -> String {
    const COLS: i64 = 40;
    const COL_W: i64 = 136;
    const LABEL_W: i64 = 3630;
    let min = bars.iter().map(|b| b.1).fold(0.0_f64, f64::min);
    let max = bars.iter().map(|b| b.1).fold(0.0_f64, f64::max);
    let span = if max - min > 0.0 { max - min } else { 1.0 };
    let col = |v: f64| (((v - min) / span) * COLS as f64).round() as i64;
    let zero = col(0.0);
    let none = "<w:tcBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/></w:tcBorders>";
    let cell = |cols: i64, shd: &str, text: &str| {
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/><w:gridSpan w:val=\"{cols}\"/>{none}{shd}</w:tcPr><w:p><w:pPr><w:spacing w:before=\"20\" w:after=\"20\"/></w:pPr>{}</w:p></w:tc>",
            cols * COL_W,
            if text.is_empty() { String::new() } else { run(text, "<w:sz w:val=\"18\"/>") }
        )
    };
    let mut out = format!("<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>", LABEL_W + COLS * COL_W);
    out.push_str(&format!("<w:gridCol w:w=\"{LABEL_W}\"/>"));
    for _ in 0..COLS {
        out.push_str(&format!("<w:gridCol w:w=\"{COL_W}\"/>"));
    }
    out.push_str("</w:tblGrid>");
    for (label, v) in bars {
        let (mut from, mut to) = (zero.min(col(*v)), zero.max(col(*v)));
        if from == to && *v != 0.0 {
            // Too small for one column: still one, on its side of the zero line.
            if *v < 0.0 { from = (to - 1).max(0) } else { to = (from + 1).min(COLS) }
        }
        let shd = if *v < 0.0 {
            "<w:shd w:val=\"diagStripe\" w:color=\"000000\" w:fill=\"FFFFFF\"/>"
        } else {
            "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"44546A\"/>"
        };
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        out.push_str(&format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{LABEL_W}\" w:type=\"dxa\"/>{none}</w:tcPr><w:p><w:pPr><w:spacing w:before=\"20\" w:after=\"20\"/></w:pPr>{}</w:p></w:tc>",
            run(label, "")
        ));
        for (cols, shd) in [(from, ""), (to - from, shd), (COLS - to, "")] {
            if cols > 0 {
                out.push_str(&cell(cols, shd, ""));
            }
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

enum Style {
    Title,
    Heading,
    Mark,
    Note,
    Normal,
}

fn run(text: &str, props: &str) -> String {
    let rpr = if props.is_empty() { String::new() } else { format!("<w:rPr>{props}</w:rPr>") };
    format!("<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>", escape(text))
}

fn para(text: &str, style: Style) -> String {
    let (ppr, rpr) = match style {
        Style::Title => ("<w:spacing w:after=\"200\"/>", "<w:b/><w:sz w:val=\"32\"/>"),
        Style::Heading => ("<w:spacing w:before=\"240\" w:after=\"120\"/>", "<w:b/><w:sz w:val=\"26\"/>"),
        // The AI mark: bold on a yellow highlight, impossible to overlook.
        Style::Mark => ("<w:spacing w:after=\"200\"/>", "<w:b/><w:highlight w:val=\"yellow\"/>"),
        Style::Note => ("<w:spacing w:before=\"200\"/>", "<w:i/><w:color w:val=\"44546A\"/><w:sz w:val=\"18\"/>"),
        Style::Normal => ("", ""),
    };
    format!("<w:p><w:pPr>{ppr}</w:pPr>{}</w:p>", run(text, rpr))
}

fn row(cells: &[&str], header: bool) -> String {
    let props = if header { "<w:b/>" } else { "" };
    let mut out = String::from("<w:tr>");
    for c in cells {
        out.push_str(&format!("<w:tc><w:p>{}</w:p></w:tc>", run(c, props)));
    }
    out.push_str("</w:tr>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::{self, ExtractOptions};
    use crate::tasks::facts::{Fact, FactKind};
    use crate::tasks::summarize::{CitedSentence, Coverage, ModelRef, SummaryOptions, Timings, AI_MARK_DE};

    fn result() -> SummaryResult {
        let pos = Position { file: "akte.pdf".into(), file_sha256: "ab".into(), page: Some(3), paragraph: 7, attachment: None, sheet: None, row: None };
        SummaryResult {
            mark: AI_MARK_DE.into(),
            summary: "Die Gebühr beträgt 1.250,00 € <brutto> & ist fällig.".into(),
            sentences: vec![CitedSentence { text: "Die Gebühr beträgt 1.250,00 € <brutto> & ist fällig.".into(), sources: vec![pos.clone()], supported: true }],
            facts: vec![Fact { kind: FactKind::Betrag, value: "1.250,00 €".into(), normalized: "1250.00".into(), context: "Die Gebühr …".into(), sources: vec![pos] }],
            coverage: Coverage { pages_read: 6, pages_total: 6, chunks_read: 1, chunks_total: 1, files: vec![] },
            unsupported: vec![],
            model: ModelRef { name: "Gemma 3 270M".into(), file: "g.gguf".into(), sha256: "a5fd".into() },
            options: SummaryOptions::default(),
            timings: Timings::default(),
            cancelled: false,
            failed_files: vec![],
            warnings: vec![],
        }
    }

    /// The PDF reads back through the app's own PDF reader: mark, sentence with its citation,
    /// and the AI note in the document information.
    #[test]
    fn pdf_reads_back_with_mark_citations_and_ai_info() {
        let bytes = Report::from_summary(&result()).pdf("2026-11-26T10:00:00Z").unwrap();
        let doc = documents::extract_bytes("zusammenfassung.pdf", &bytes, &ExtractOptions::default()).unwrap();
        let text = doc.text();
        assert!(text.contains("KI-Entwurf – bitte prüfen · 6 von 6 Seiten gelesen"), "{text}");
        assert!(text.contains("1.250,00 €"), "{text}");
        assert!(text.contains("[akte.pdf, S. 3, Abs. 7]"), "{text}");
        assert!(text.contains("Seite 1 von 1"), "{text}");
        assert_eq!(doc.metadata.title.as_deref(), Some("Zusammenfassung der Akte"));
        assert_eq!(doc.metadata.subject.as_deref().map(|s| s.starts_with("Mit KI-Unterstützung erstellt")), Some(true));
    }

    #[test]
    fn now_is_an_iso_timestamp() {
        let now = now_iso();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z') && &now[10..11] == "T");
    }

    #[test]
    fn markdown_has_mark_sources_facts_and_provenance() {
        let md = Report::from_summary(&result()).markdown("2026-11-26");
        assert!(md.contains("> **KI-Entwurf – bitte prüfen · 6 von 6 Seiten gelesen**"), "{md}");
        assert!(md.contains("- Die Gebühr beträgt 1.250,00 € <brutto> & ist fällig. [akte.pdf, S. 3, Abs. 7]"));
        assert!(md.contains("| Betrag | 1.250,00 € |"));
        assert!(md.contains("Modell: Gemma 3 270M (sha256 a5fd)"));
    }

    fn charted() -> Report {
        let mut r = Report::from_summary(&result());
        r.chart = Some((
            "Veränderung von Ansatz 2025 zu Ansatz 2026".into(),
            vec![
                ("Feuerwehr: +125.000,00 €".into(), 125_000.0),
                ("Schulen: -100.000,00 €".into(), -100_000.0),
                ("Bauhof: +500,00 €".into(), 500.0),
                ("Friedhof: 0,00 €".into(), 0.0),
            ],
        ));
        r
    }

    #[test]
    fn markdown_has_the_chart_as_text_bars_one_line_per_value() {
        let md = charted().markdown("2026-11-26");
        assert!(md.contains("## Veränderung von Ansatz 2025 zu Ansatz 2026\n\n```text\n"), "{md}");
        let block = md.split("```text\n").nth(1).unwrap().split("```").next().unwrap();
        let lines: Vec<&str> = block.lines().collect();
        assert_eq!(lines.len(), 4, "{block}");
        // Scaled to the largest absolute value (30 marks); negative: "−" and another character.
        assert!(lines[0].starts_with("Feuerwehr: +125.000,00 €") && lines[0].ends_with(&"█".repeat(30)), "{}", lines[0]);
        assert!(lines[1].ends_with(&format!("−{}", "░".repeat(24))) && !lines[1].contains('█'), "{}", lines[1]);
        assert!(lines[2].ends_with("  █"), "a small value keeps one mark: {}", lines[2]);
        assert_eq!(lines[3], "Friedhof: 0,00 €");
        let bar_start: Vec<usize> = lines[..3].iter().map(|l| l.find(['█', '−']).unwrap()).collect();
        assert!(bar_start.windows(2).all(|w| w[0] == w[1]), "bars start in one column: {bar_start:?}");
        // The chart comes before the tables, as in the PDF.
        assert!(md.find("```text").unwrap() < md.find("| Betrag |").unwrap());
    }

    /// Every bar of the chart reads back from the DOCX: its label and value, in order.
    #[test]
    fn docx_has_the_chart_with_every_label_and_value() {
        let bytes = charted().docx("2026-11-26T10:00:00Z").unwrap();
        let doc = documents::extract_bytes("erklaerung.docx", &bytes, &ExtractOptions::default()).unwrap();
        let text = doc.text();
        let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} in {text}"));
        let order = [
            at("Veränderung von Ansatz 2025 zu Ansatz 2026"),
            at("Feuerwehr: +125.000,00 €"),
            at("Schulen: -100.000,00 €"),
            at("Bauhof: +500,00 €"),
            at("Friedhof: 0,00 €"),
        ];
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
        // Feuerwehr: the zero line at column 18 of 40 (100k of 225k), the bar 22 columns wide.
        assert!(xml.contains("<w:gridSpan w:val=\"22\"/><w:tcBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/></w:tcBorders><w:shd w:val=\"clear\""), "solid positive bar");
        assert!(xml.contains("<w:shd w:val=\"diagStripe\""), "striped negative bar");
        assert_eq!(xml.matches("<w:tr><w:trPr><w:cantSplit/>").count(), 4);
    }

    /// The DOCX reads back through the app's own DOCX reader (zip + XML), text and metadata intact.
    #[test]
    fn docx_reads_back_with_mark_text_table_and_ai_metadata() {
        let bytes = Report::from_summary(&result()).docx("2026-11-26T10:00:00Z").unwrap();
        let doc = documents::extract_bytes("zusammenfassung.docx", &bytes, &ExtractOptions::default()).unwrap();
        let text = doc.text();
        assert!(text.contains("KI-Entwurf – bitte prüfen · 6 von 6 Seiten gelesen"), "{text}");
        assert!(text.contains("Die Gebühr beträgt 1.250,00 € <brutto> & ist fällig. [akte.pdf, S. 3, Abs. 7]"), "{text}");
        assert!(text.contains("1.250,00 €"));
        assert_eq!(doc.metadata.title.as_deref(), Some("Zusammenfassung der Akte"));
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut custom = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("docProps/custom.xml").unwrap(), &mut custom).unwrap();
        assert!(custom.contains("name=\"KI_generiert\"><vt:bool>true</vt:bool>"));
        assert!(custom.contains("Gemma 3 270M (sha256 a5fd)"));
    }
}
