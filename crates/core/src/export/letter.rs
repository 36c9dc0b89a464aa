//! Letters as files, laid out by DIN 5008:2020: DOCX (Word), ODT (LibreOffice), PDF and plain
//! text. All four print the same [`Letter`]; the layout figures (in mm) are DIN 5008's:
//!
//! | | Form A | Form B |
//! |---|---|---|
//! | letterhead (Briefkopf) | 27 mm | 45 mm |
//! | address field (from top, 45 mm high, 85 mm wide, 20 mm from left) | 27 mm | 45 mm |
//! | Zusatz- und Vermerkzone (return line at its foot) | 12.7 mm | 17.7 mm |
//! | information block (125 mm from left) | 32 mm | 50 mm |
//! | fold marks | 87 / 192 mm | 105 / 210 mm |
//!
//! Text starts 25 mm from the left, ends 20 mm from the right. "Seite x von y" stands on every
//! page from the second on. Until the clerk confirms review, every page carries the visible
//! mark "KI-Entwurf – bitte prüfen"; the document properties always say the text was written
//! with AI help, with the model, and whether the review was confirmed.

use std::io::Cursor;

use lopdf::content::Operation;
use lopdf::{dictionary, Stream};
use quick_xml::escape::escape;
use serde::{Deserialize, Serialize};

use super::pdf::{self, text_width, wrap};
use super::{docx_core_xml, docx_custom_xml, model_line, zip_parts};
use crate::error::{CoreError, Result};
use crate::letters::{Letter, LetterForm};
use crate::tasks::summarize::{ModelRef, AI_MARK_DE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LetterFormat {
    Docx,
    Odt,
    Pdf,
    Txt,
}

impl LetterFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Docx => "docx",
            Self::Odt => "odt",
            Self::Pdf => "pdf",
            Self::Txt => "txt",
        }
    }
}

/// A letter ready to print: the letter, whether the clerk confirmed review, and its provenance.
pub struct LetterDoc<'a> {
    pub letter: &'a Letter,
    /// Confirmed by the clerk: the visible mark is left out (the metadata still say AI-assisted).
    pub reviewed: bool,
    pub model: &'a ModelRef,
    pub template_name: &'a str,
    /// ISO 8601 UTC.
    pub created: String,
}

/// The letterhead logo (a PNG from the sender profile): the file for DOCX and ODT, its pixels
/// for the PDF, and its size on paper.
struct Logo {
    png: Vec<u8>,
    width_px: u32,
    height_px: u32,
    rgb: Vec<u8>,
    alpha: Option<Vec<u8>>,
    /// On paper, mm: at most 50 wide and the form's height.
    width_mm: f32,
    height_mm: f32,
}

const LOGO_MAX_BYTES: u64 = 5 << 20;

fn load_logo(path: &std::path::Path, form: LetterForm) -> Result<Logo> {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let bad = |why: &str| CoreError::InvalidParameter(format!("das Briefkopf-Logo „{name}“ {why} (Einstellungen → Absender)"));
    let meta = std::fs::metadata(path).map_err(|e| CoreError::io(path, e))?;
    if meta.len() > LOGO_MAX_BYTES {
        return Err(bad("ist größer als 5 MB"));
    }
    let png = std::fs::read(path).map_err(|e| CoreError::io(path, e))?;
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(&png), png::Limits { bytes: 64 << 20 });
    // Palette and low bit depths expand to 8-bit gray or RGB (with alpha where the file has it).
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|_| bad("ist keine lesbare PNG-Datei"))?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or_else(|| bad("ist zu groß"))?];
    let info = reader.next_frame(&mut buf).map_err(|_| bad("ist keine lesbare PNG-Datei"))?;
    let px = &buf[..info.buffer_size()];
    let (rgb, alpha): (Vec<u8>, Option<Vec<u8>>) = match info.color_type {
        png::ColorType::Rgb => (px.to_vec(), None),
        png::ColorType::Rgba => (px.chunks_exact(4).flat_map(|c| [c[0], c[1], c[2]]).collect(), Some(px.chunks_exact(4).map(|c| c[3]).collect())),
        png::ColorType::Grayscale => (px.iter().flat_map(|&g| [g, g, g]).collect(), None),
        png::ColorType::GrayscaleAlpha => (px.chunks_exact(2).flat_map(|c| [c[0], c[0], c[0]]).collect(), Some(px.chunks_exact(2).map(|c| c[1]).collect())),
        png::ColorType::Indexed => return Err(bad("hat ein nicht unterstütztes Farbformat")),
    };
    let (w, h) = (info.width.max(1), info.height.max(1));
    let max_h = if form == LetterForm::B { 20.0 } else { 12.0 };
    let mut height_mm = max_h;
    let mut width_mm = height_mm * w as f32 / h as f32;
    if width_mm > 50.0 {
        width_mm = 50.0;
        height_mm = width_mm * h as f32 / w as f32;
    }
    Ok(Logo { png, width_px: w, height_px: h, rgb, alpha, width_mm, height_mm })
}

struct Geometry {
    /// mm from the top.
    address_top: f32,
    zone: f32,
    info_top: f32,
    fold: f32,
}

fn geometry(form: LetterForm) -> Geometry {
    match form {
        LetterForm::A => Geometry { address_top: 27.0, zone: 12.7, info_top: 32.0, fold: 87.0 },
        LetterForm::B => Geometry { address_top: 45.0, zone: 17.7, info_top: 50.0, fold: 105.0 },
    }
}

fn twips(mm: f32) -> i32 {
    (mm * 56.693).round() as i32
}

impl LetterDoc<'_> {
    fn review_state(&self) -> String {
        if self.reviewed {
            format!("geprüft (Prüfung in Schreibstube bestätigt am {})", &self.created[..10.min(self.created.len())])
        } else {
            "ausstehend".to_owned()
        }
    }

    fn keywords(&self) -> &'static str {
        if self.reviewed {
            "KI-unterstützt; geprüft"
        } else {
            "KI-Entwurf; KI-generiert"
        }
    }

    fn description(&self) -> String {
        format!(
            "Mit KI-Unterstützung erstellt (Schreibstube, Vorlage „{}“). Modell: {}. Prüfung: {}.",
            self.template_name,
            model_line(self.model),
            self.review_state()
        )
    }

    /// The sender's business details for the first page's foot: the return line's authority and
    /// address, then the opening hours.
    fn business_line(&self) -> String {
        let address = Letter::return_line_of(&self.letter.sender);
        match &self.letter.sender.opening_hours {
            Some(h) if address.is_empty() => format!("Sprechzeiten: {h}"),
            Some(h) => format!("{address} · Sprechzeiten: {h}"),
            None => address,
        }
    }

    fn logo(&self) -> Result<Option<Logo>> {
        self.letter.sender.logo.as_deref().map(|p| load_logo(p, self.letter.form)).transpose()
    }

    /// Plain text (UTF-8): the mark first until review is confirmed.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if !self.reviewed {
            out.push_str(&format!("{AI_MARK_DE}\n\n"));
        }
        out.push_str(&self.letter.plain_text());
        out.push('\n');
        out
    }

    pub fn render(&self, format: LetterFormat) -> Result<Vec<u8>> {
        match format {
            LetterFormat::Docx => self.docx(),
            LetterFormat::Odt => self.odt(),
            LetterFormat::Pdf => self.pdf(),
            LetterFormat::Txt => Ok(self.text().into_bytes()),
        }
    }

    // ---------------------------------------------------------------- DOCX

    /// WordprocessingML: letterhead and mark in the first page's header, the address field and
    /// information block as a borderless table of fixed height, "Seite x von y" (PAGE/NUMPAGES
    /// fields) in the following pages' footer.
    pub fn docx(&self) -> Result<Vec<u8>> {
        let l = self.letter;
        let logo = self.logo()?;
        let g = geometry(l.form);
        let font = "<w:rFonts w:ascii=\"Arial\" w:hAnsi=\"Arial\" w:cs=\"Arial\"/>";
        let run = |text: &str, props: &str| -> String {
            let mut out = String::new();
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    out.push_str("<w:r><w:br/></w:r>");
                }
                out.push_str(&format!("<w:r><w:rPr>{font}{props}</w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>", escape(line)));
            }
            out
        };
        let para = |text: &str, ppr: &str, rpr: &str| format!("<w:p><w:pPr>{ppr}</w:pPr>{}</w:p>", run(text, rpr));
        let mark = if self.reviewed { String::new() } else { para(AI_MARK_DE, "<w:jc w:val=\"right\"/>", "<w:b/><w:highlight w:val=\"yellow\"/><w:sz w:val=\"20\"/>") };

        // Address field: the return line at the foot of the Zusatz- und Vermerkzone, then the recipient.
        // The information block runs from 125 to 200 mm: 10 mm into the right margin, as DIN 5008 has it.
        let mut address = para(&l.return_line, &format!("<w:spacing w:before=\"{}\" w:after=\"0\" w:line=\"200\" w:lineRule=\"exact\"/>", twips(g.zone - 4.0)), "<w:sz w:val=\"14\"/><w:u w:val=\"single\"/>");
        for r in &l.recipient {
            address.push_str(&para(r, "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"255\" w:lineRule=\"exact\"/>", "<w:sz w:val=\"22\"/>"));
        }
        // Information block: label and value on one line, a tab stop between.
        let mut info = String::new();
        for (i, line) in l.info.iter().enumerate() {
            let before = if i == 0 { twips(g.info_top - g.address_top) } else { 0 };
            info.push_str(&format!(
                "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"{}\"/></w:tabs><w:spacing w:before=\"{before}\" w:after=\"0\" w:line=\"240\" w:lineRule=\"exact\"/></w:pPr>{}<w:r><w:tab/></w:r>{}</w:p>",
                twips(28.0),
                run(&line.label, "<w:sz w:val=\"16\"/><w:color w:val=\"505050\"/>"),
                run(&line.value, "<w:sz w:val=\"18\"/>")
            ));
        }
        let cell = |width_mm: f32, content: &str| format!("<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/></w:tcPr>{content}</w:tc>", twips(width_mm));
        let table = format!(
            "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\"/></w:tblPr>\
<w:tblGrid><w:gridCol w:w=\"{}\"/><w:gridCol w:w=\"{}\"/><w:gridCol w:w=\"{}\"/></w:tblGrid>\
<w:tr><w:trPr><w:trHeight w:val=\"{}\" w:hRule=\"exact\"/></w:trPr>{}{}{}</w:tr></w:tbl>",
            twips(175.0),
            twips(80.0),
            twips(20.0),
            twips(75.0),
            twips(45.0),
            cell(80.0, &address),
            cell(20.0, "<w:p/>"),
            cell(75.0, &info)
        );
        let body_para = |text: &str| para(text, "<w:spacing w:before=\"240\" w:after=\"0\"/>", "<w:sz w:val=\"22\"/>");
        let mut body = table;
        body.push_str(&para(&l.subject, &format!("<w:spacing w:before=\"{}\" w:after=\"0\"/>", twips(8.5)), "<w:b/><w:sz w:val=\"22\"/>"));
        body.push_str(&body_para(&l.salutation));
        for p in &l.paragraphs {
            body.push_str(&body_para(&p.text));
        }
        body.push_str(&body_para(&l.closing));
        // Room for the handwritten signature above the name.
        for (i, s) in l.signature.iter().enumerate() {
            let before = if i == 1 { 720 } else { 0 };
            body.push_str(&para(s, &format!("<w:spacing w:before=\"{before}\" w:after=\"0\"/>"), "<w:sz w:val=\"22\"/>"));
        }
        if !l.enclosures.is_empty() {
            body.push_str(&para(if l.enclosures.len() == 1 { "Anlage" } else { "Anlagen" }, "<w:spacing w:before=\"240\" w:after=\"0\"/>", "<w:b/><w:sz w:val=\"22\"/>"));
            for e in &l.enclosures {
                body.push_str(&para(e, "<w:spacing w:before=\"0\" w:after=\"0\"/>", "<w:sz w:val=\"22\"/>"));
            }
        }
        let letterhead = format!(
            "{}{}{}",
            para(l.sender.authority.as_deref().unwrap_or(""), "<w:spacing w:after=\"0\"/>", "<w:b/><w:sz w:val=\"28\"/>"),
            para(l.sender.office.as_deref().unwrap_or(""), "<w:spacing w:after=\"0\"/>", "<w:sz w:val=\"20\"/>"),
            mark
        );
        // With a logo: letterhead text left, the logo right, side by side in a borderless table.
        let header_first = match &logo {
            None => letterhead,
            Some(g) => {
                let emu = |mm: f32| (mm * 36_000.0).round() as i64;
                let (cx, cy) = (emu(g.width_mm), emu(g.height_mm));
                let pic = format!(
                    "<w:p><w:pPr><w:jc w:val=\"right\"/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"1\" name=\"Logo\" descr=\"Logo {}\"/>\
<a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
<pic:nvPicPr><pic:cNvPr id=\"1\" name=\"logo.png\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"rIdLogo\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>",
                    escape(l.sender.authority.as_deref().unwrap_or(""))
                );
                format!(
                    "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\"/></w:tblPr>\
<w:tblGrid><w:gridCol w:w=\"{}\"/><w:gridCol w:w=\"{}\"/></w:tblGrid><w:tr>{}{}</w:tr></w:tbl><w:p/>",
                    twips(165.0),
                    twips(110.0),
                    twips(55.0),
                    cell(110.0, &letterhead),
                    cell(55.0, &pic)
                )
            }
        };
        let footer_first = para(&self.business_line(), "<w:jc w:val=\"center\"/>", "<w:sz w:val=\"14\"/><w:color w:val=\"505050\"/>");
        let field = |instr: &str| {
            format!(
                "<w:r><w:rPr>{font}<w:sz w:val=\"18\"/></w:rPr><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:rPr>{font}<w:sz w:val=\"18\"/></w:rPr><w:instrText xml:space=\"preserve\"> {instr} </w:instrText></w:r><w:r><w:rPr>{font}<w:sz w:val=\"18\"/></w:rPr><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:rPr>{font}<w:sz w:val=\"18\"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr>{font}<w:sz w:val=\"18\"/></w:rPr><w:fldChar w:fldCharType=\"end\"/></w:r>"
            )
        };
        let footer_next = format!("<w:p><w:pPr><w:jc w:val=\"right\"/></w:pPr>{}{}{}{}</w:p>", run("Seite ", "<w:sz w:val=\"18\"/>"), field("PAGE"), run(" von ", "<w:sz w:val=\"18\"/>"), field("NUMPAGES"));
        let header_next = if mark.is_empty() { "<w:p/>".to_owned() } else { mark.clone() };
        let ns = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\"";
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>";
        let document = format!(
            "{xml}<w:document {ns}><w:body>{body}\
<w:sectPr><w:headerReference w:type=\"first\" r:id=\"rIdH1\"/><w:headerReference w:type=\"default\" r:id=\"rIdH2\"/><w:footerReference w:type=\"first\" r:id=\"rIdF1\"/><w:footerReference w:type=\"default\" r:id=\"rIdF2\"/>\
<w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"{}\" w:footer=\"{}\" w:gutter=\"0\"/><w:titlePg/></w:sectPr></w:body></w:document>",
            twips(g.address_top),
            twips(20.0),
            twips(25.0),
            twips(25.0),
            twips(8.0),
            twips(8.0)
        );
        let part = |tag: &str, content: &str| format!("{xml}<w:{tag} {ns}>{content}</w:{tag}>");
        let rels = format!(
            "{xml}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdS\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdH1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/>\
<Relationship Id=\"rIdH2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header2.xml\"/>\
<Relationship Id=\"rIdF1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"rIdF2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>\
</Relationships>"
        );
        let styles = format!(
            "{xml}<w:styles {ns}><w:docDefaults><w:rPrDefault><w:rPr>{font}<w:sz w:val=\"22\"/><w:lang w:val=\"de-DE\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"259\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults></w:styles>"
        );
        let core = docx_core_xml(&l.subject, &self.description(), self.keywords(), &self.created);
        let custom = docx_custom_xml(self.model, &self.review_state(), Some(self.template_name));
        let ct_main = "application/vnd.openxmlformats-officedocument.wordprocessingml";
        let content_types = format!(
            "{xml}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"{ct_main}.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"{ct_main}.styles+xml\"/>\
<Override PartName=\"/word/header1.xml\" ContentType=\"{ct_main}.header+xml\"/><Override PartName=\"/word/header2.xml\" ContentType=\"{ct_main}.header+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"{ct_main}.footer+xml\"/><Override PartName=\"/word/footer2.xml\" ContentType=\"{ct_main}.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/custom.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.custom-properties+xml\"/></Types>"
        );
        let root_rels = format!(
            "{xml}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties\" Target=\"docProps/custom.xml\"/></Relationships>"
        );
        let header_rels = format!(
            "{xml}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{}</Relationships>",
            if logo.is_some() { "<Relationship Id=\"rIdLogo\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/logo.png\"/>" } else { "" }
        );
        zip_parts(
            &[
                ("[Content_Types].xml", content_types),
                ("word/_rels/header1.xml.rels", header_rels),
                ("_rels/.rels", root_rels),
                ("word/document.xml", document),
                ("word/_rels/document.xml.rels", rels),
                ("word/styles.xml", styles),
                ("word/header1.xml", part("hdr", &header_first)),
                ("word/header2.xml", part("hdr", &header_next)),
                ("word/footer1.xml", part("ftr", &footer_first)),
                ("word/footer2.xml", part("ftr", &footer_next)),
                ("docProps/core.xml", core),
                ("docProps/custom.xml", custom),
            ],
            logo.as_ref().map(|g| ("word/media/logo.png", g.png.as_slice())),
            None,
            "DOCX",
        )
    }

    // ---------------------------------------------------------------- ODT

    /// OpenDocument Text: two master pages — "Erste" (letterhead, mark, business details) and
    /// "Folge" (mark, "Seite x von y") — and the same fixed-height table for address and
    /// information block. `mimetype` is the first entry, stored uncompressed (ODF 1.3 §3.3).
    pub fn odt(&self) -> Result<Vec<u8>> {
        let l = self.letter;
        let logo = self.logo()?;
        let g = geometry(l.form);
        let p = |style: &str, text: &str| {
            let lines: Vec<String> = text.split('\n').map(|s| escape(s).into_owned()).collect();
            format!("<text:p text:style-name=\"{style}\">{}</text:p>", lines.join("<text:line-break/>"))
        };
        // Right-aligned, unless the logo takes the right corner of the first page's header.
        let mark_in = |style: &str| {
            if self.reviewed {
                String::new()
            } else {
                format!("<text:p text:style-name=\"{style}\"><text:span text:style-name=\"MarkSpan\">{}</text:span></text:p>", escape(AI_MARK_DE))
            }
        };
        let mark = mark_in("Mark");
        let mark_first = mark_in(if logo.is_some() { "Plain" } else { "Mark" });
        let mut address = p("Return", &l.return_line);
        for r in &l.recipient {
            address.push_str(&p("Address", r));
        }
        let mut info = String::new();
        for (i, line) in l.info.iter().enumerate() {
            let style = if i == 0 { "InfoFirst" } else { "Info" };
            info.push_str(&format!(
                "<text:p text:style-name=\"{style}\"><text:span text:style-name=\"Label\">{}</text:span><text:tab/>{}</text:p>",
                escape(&line.label),
                escape(&line.value)
            ));
        }
        let mut body = format!(
            "<table:table table:name=\"Anschrift\" table:style-name=\"AddrTable\"><table:table-column table:style-name=\"ColA\"/><table:table-column table:style-name=\"ColGap\"/><table:table-column table:style-name=\"ColInfo\"/>\
<table:table-row table:style-name=\"AddrRow\"><table:table-cell table:style-name=\"Cell\">{address}</table:table-cell><table:table-cell table:style-name=\"Cell\"><text:p/></table:table-cell><table:table-cell table:style-name=\"Cell\">{info}</table:table-cell></table:table-row></table:table>"
        );
        body.push_str(&p("Subject", &l.subject));
        body.push_str(&p("Body", &l.salutation));
        for para in &l.paragraphs {
            body.push_str(&p("Body", &para.text));
        }
        body.push_str(&p("Body", &l.closing));
        for (i, s) in l.signature.iter().enumerate() {
            body.push_str(&p(if i == 1 { "SignName" } else { "Plain" }, s));
        }
        if !l.enclosures.is_empty() {
            body.push_str(&p("EnclHead", if l.enclosures.len() == 1 { "Anlage" } else { "Anlagen" }));
            for e in &l.enclosures {
                body.push_str(&p("Plain", e));
            }
        }
        let ns = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" \
xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\" \
xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" office:version=\"1.3\"";
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
        let mm = |v: f32| format!("{v:.1}mm");
        let content = format!(
            "{xml}<office:document-content {ns}><office:automatic-styles>\
<style:style style:name=\"AddrTable\" style:family=\"table\"><style:table-properties style:width=\"175mm\" fo:margin-right=\"-10mm\" table:align=\"margins\"/></style:style>\
<style:style style:name=\"ColA\" style:family=\"table-column\"><style:table-column-properties style:column-width=\"80mm\"/></style:style>\
<style:style style:name=\"ColGap\" style:family=\"table-column\"><style:table-column-properties style:column-width=\"20mm\"/></style:style>\
<style:style style:name=\"ColInfo\" style:family=\"table-column\"><style:table-column-properties style:column-width=\"75mm\"/></style:style>\
<style:style style:name=\"AddrRow\" style:family=\"table-row\"><style:table-row-properties style:row-height=\"45mm\"/></style:style>\
<style:style style:name=\"Cell\" style:family=\"table-cell\"><style:table-cell-properties fo:padding=\"0mm\" fo:border=\"none\" style:vertical-align=\"top\"/></style:style>\
<style:style style:name=\"First\" style:family=\"paragraph\" style:parent-style-name=\"Standard\" style:master-page-name=\"Erste\"/>\
</office:automatic-styles><office:body><office:text><text:p text:style-name=\"First\"/>{body}</office:text></office:body></office:document-content>"
        );
        // The first paragraph starts the "Erste" master page; its height is kept to zero-ish.
        let para_style = |name: &str, props: &str, text_props: &str| {
            format!("<style:style style:name=\"{name}\" style:family=\"paragraph\" style:parent-style-name=\"Standard\"><style:paragraph-properties {props}/><style:text-properties {text_props}/></style:style>")
        };
        let styles = format!(
            "{xml}<office:document-styles {ns}><office:font-face-decls><style:font-face style:name=\"Arial\" svg:font-family=\"Arial\" style:font-family-generic=\"swiss\"/></office:font-face-decls>\
<office:styles><style:default-style style:family=\"paragraph\"><style:text-properties style:font-name=\"Arial\" fo:font-size=\"11pt\" fo:language=\"de\" fo:country=\"DE\"/></style:default-style>\
<style:style style:name=\"Standard\" style:family=\"paragraph\"><style:paragraph-properties fo:margin-top=\"0mm\" fo:margin-bottom=\"0mm\"/><style:text-properties style:font-name=\"Arial\" fo:font-size=\"11pt\"/></style:style>\
{}{}{}{}{}{}{}{}{}{}{}{}{}\
<style:style style:name=\"LogoFrame\" style:family=\"graphic\"><style:graphic-properties style:wrap=\"run-through\" style:run-through=\"foreground\" style:vertical-pos=\"from-top\" style:vertical-rel=\"paragraph\" style:horizontal-pos=\"from-left\" style:horizontal-rel=\"paragraph\" fo:border=\"none\"/></style:style>\
<style:style style:name=\"Label\" style:family=\"text\"><style:text-properties fo:font-size=\"8pt\" fo:color=\"#505050\"/></style:style>\
<style:style style:name=\"MarkSpan\" style:family=\"text\"><style:text-properties fo:font-weight=\"bold\" fo:background-color=\"#ffff00\" fo:font-size=\"10pt\"/></style:style>\
</office:styles><office:automatic-styles>\
<style:page-layout style:name=\"PageFirst\"><style:page-layout-properties fo:page-width=\"210mm\" fo:page-height=\"297mm\" fo:margin-top=\"8mm\" fo:margin-bottom=\"8mm\" fo:margin-left=\"25mm\" fo:margin-right=\"20mm\"/>\
<style:header-style><style:header-footer-properties fo:min-height=\"{}\" fo:margin-bottom=\"0mm\"/></style:header-style><style:footer-style><style:header-footer-properties fo:min-height=\"10mm\" fo:margin-top=\"5mm\"/></style:footer-style></style:page-layout>\
<style:page-layout style:name=\"PageNext\"><style:page-layout-properties fo:page-width=\"210mm\" fo:page-height=\"297mm\" fo:margin-top=\"8mm\" fo:margin-bottom=\"8mm\" fo:margin-left=\"25mm\" fo:margin-right=\"20mm\"/>\
<style:header-style><style:header-footer-properties fo:min-height=\"12mm\" fo:margin-bottom=\"4mm\"/></style:header-style><style:footer-style><style:header-footer-properties fo:min-height=\"10mm\" fo:margin-top=\"5mm\"/></style:footer-style></style:page-layout>\
</office:automatic-styles><office:master-styles>\
<style:master-page style:name=\"Erste\" style:page-layout-name=\"PageFirst\" style:next-style-name=\"Folge\"><style:header>{}{}{}{}</style:header><style:footer>{}</style:footer></style:master-page>\
<style:master-page style:name=\"Folge\" style:page-layout-name=\"PageNext\"><style:header>{}</style:header><style:footer><text:p text:style-name=\"PageNo\">Seite <text:page-number text:select-page=\"current\">2</text:page-number> von <text:page-count>2</text:page-count></text:p></style:footer></style:master-page>\
</office:master-styles></office:document-styles>",
            para_style("Return", &format!("fo:margin-top=\"{}\"", mm(g.zone - 4.0)), "fo:font-size=\"7pt\" style:text-underline-style=\"solid\" style:text-underline-width=\"auto\" style:text-underline-color=\"font-color\""),
            para_style("Address", "fo:line-height=\"4.5mm\"", "fo:font-size=\"11pt\""),
            para_style("InfoFirst", &format!("fo:margin-top=\"{}\" fo:line-height=\"4.2mm\"><style:tab-stops><style:tab-stop style:position=\"28mm\"/></style:tab-stops></style:paragraph-properties><style:paragraph-properties", mm(g.info_top - g.address_top)), "fo:font-size=\"9pt\""),
            para_style("Info", "fo:line-height=\"4.2mm\"><style:tab-stops><style:tab-stop style:position=\"28mm\"/></style:tab-stops></style:paragraph-properties><style:paragraph-properties", "fo:font-size=\"9pt\""),
            para_style("Subject", "fo:margin-top=\"8.5mm\"", "fo:font-weight=\"bold\""),
            para_style("Body", "fo:margin-top=\"4.2mm\"", ""),
            para_style("Plain", "", ""),
            para_style("SignName", "fo:margin-top=\"12.7mm\"", ""),
            para_style("EnclHead", "fo:margin-top=\"4.2mm\"", "fo:font-weight=\"bold\""),
            para_style("Head1", "", "fo:font-size=\"14pt\" fo:font-weight=\"bold\""),
            para_style("Head2", "", "fo:font-size=\"10pt\""),
            para_style("Mark", "fo:text-align=\"end\"", ""),
            para_style("Foot", "fo:text-align=\"center\"", "fo:font-size=\"7pt\" fo:color=\"#505050\"") + &para_style("PageNo", "fo:text-align=\"end\"", "fo:font-size=\"9pt\""),
            mm(g.address_top - 8.0),
            // The logo floats at the header's right edge, beside the letterhead text.
            logo.as_ref().map_or_else(String::new, |g| format!(
                "<text:p text:style-name=\"Plain\"><draw:frame draw:name=\"Logo\" text:anchor-type=\"paragraph\" style:rel-width=\"scale\" svg:x=\"{}\" svg:y=\"0mm\" svg:width=\"{}\" svg:height=\"{}\" draw:style-name=\"LogoFrame\">\
<draw:image xlink:href=\"Pictures/logo.png\" xlink:type=\"simple\" xlink:show=\"embed\" xlink:actuate=\"onLoad\"/><svg:title>Logo</svg:title></draw:frame></text:p>",
                mm(165.0 - g.width_mm), mm(g.width_mm), mm(g.height_mm)
            )),
            p("Head1", l.sender.authority.as_deref().unwrap_or("")),
            p("Head2", l.sender.office.as_deref().unwrap_or("")),
            mark_first,
            p("Foot", &self.business_line()),
            if mark.is_empty() { "<text:p/>".to_owned() } else { mark.clone() },
        );
        let keywords = self.keywords();
        let meta = format!(
            "{xml}<office:document-meta {ns}><office:meta><dc:title>{}</dc:title><dc:description>{}</dc:description><meta:keyword>{keywords}</meta:keyword>\
<meta:generator>Schreibstube (KI-Unterstützung)</meta:generator><meta:creation-date>{}</meta:creation-date><dc:language>de-DE</dc:language>\
<meta:user-defined meta:name=\"KI_generiert\" meta:value-type=\"boolean\">true</meta:user-defined>\
<meta:user-defined meta:name=\"KI_Modell\">{}</meta:user-defined><meta:user-defined meta:name=\"KI_Pruefung\">{}</meta:user-defined>\
<meta:user-defined meta:name=\"KI_Vorlage\">{}</meta:user-defined></office:meta></office:document-meta>",
            escape(&l.subject),
            escape(self.description()),
            escape(self.created.trim_end_matches('Z')),
            escape(model_line(self.model)),
            escape(self.review_state()),
            escape(self.template_name)
        );
        let picture_entry = if logo.is_some() { "<manifest:file-entry manifest:full-path=\"Pictures/logo.png\" manifest:media-type=\"image/png\"/>" } else { "" };
        let manifest = format!(
            "{xml}<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.3\">\
<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>\
<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/><manifest:file-entry manifest:full-path=\"styles.xml\" manifest:media-type=\"text/xml\"/>\
<manifest:file-entry manifest:full-path=\"meta.xml\" manifest:media-type=\"text/xml\"/>{picture_entry}</manifest:manifest>"
        );
        zip_parts(
            &[("content.xml", content), ("styles.xml", styles), ("meta.xml", meta), ("META-INF/manifest.xml", manifest)],
            logo.as_ref().map(|g| ("Pictures/logo.png", g.png.as_slice())),
            Some("application/vnd.oasis.opendocument.text"),
            "ODT",
        )
    }

    // ---------------------------------------------------------------- PDF

    /// A4 with Helvetica (PDF standard font, like DIN 5008's Arial), every element at its DIN
    /// position, fold and punch marks at the left edge.
    pub fn pdf(&self) -> Result<Vec<u8>> {
        let l = self.letter;
        let logo = self.logo()?;
        let g = geometry(l.form);
        const PT: f32 = 2.834_646; // points per mm
        const H: f32 = 297.0;
        let y = |mm_from_top: f32| (H - mm_from_top) * PT;
        let x = |mm: f32| mm * PT;
        let left = 25.0;
        let width = 165.0 * PT;
        let size = 11.0;
        let lead = 4.9; // mm per body line

        // Every page: (text lines (x mm, y mm, size, bold, text), rules (x0, y0, x1, y1 in mm), highlights).
        type Text = (f32, f32, f32, bool, String);
        let mut pages: Vec<Vec<Text>> = vec![Vec::new()];
        let mut rules: Vec<(f32, f32, f32, f32)> = Vec::new();
        let first = pages.last_mut().expect("a page");
        // Letterhead.
        let head_top = if l.form == LetterForm::B { 15.0 } else { 10.0 };
        if let Some(a) = &l.sender.authority {
            first.push((left, head_top, 14.0, true, a.clone()));
        }
        if let Some(o) = &l.sender.office {
            first.push((left, head_top + 6.0, 10.0, false, o.clone()));
        }
        // Return line, underlined, at the foot of the Zusatz- und Vermerkzone.
        let ret_y = g.address_top + g.zone - 1.5;
        let ret = wrap(&l.return_line, 7.0, false, 80.0 * PT).into_iter().next().unwrap_or_default();
        if !ret.is_empty() {
            first.push((left, ret_y, 7.0, false, ret.clone()));
            rules.push((left, ret_y + 0.8, left + text_width(&ret, 7.0, false) / PT, ret_y + 0.8));
        }
        for (i, r) in l.recipient.iter().enumerate() {
            first.push((left, g.address_top + g.zone + 4.2 + i as f32 * 4.5, size, false, r.clone()));
        }
        for (i, line) in l.info.iter().enumerate() {
            let top = g.info_top + 3.5 + i as f32 * 4.6;
            first.push((125.0, top, 8.0, false, line.label.clone()));
            first.push((153.0, top, 9.0, false, line.value.clone()));
        }
        // Flowing part: subject, salutation, paragraphs, closing, signature, enclosures.
        let mut flow: Vec<(f32, bool, String)> = vec![(0.0, true, l.subject.clone()), (lead, false, l.salutation.clone())];
        for p in &l.paragraphs {
            for (i, part) in p.text.split('\n').enumerate() {
                flow.push((if i == 0 { lead } else { 0.0 }, false, part.to_owned()));
            }
        }
        flow.push((lead, false, l.closing.clone()));
        for (i, s) in l.signature.iter().enumerate() {
            flow.push((if i == 1 { 3.0 * lead } else { 0.0 }, false, s.clone()));
        }
        if !l.enclosures.is_empty() {
            flow.push((lead, true, if l.enclosures.len() == 1 { "Anlage".into() } else { "Anlagen".into() }));
            flow.extend(l.enclosures.iter().map(|e| (0.0, false, e.clone())));
        }
        let bottom = 297.0 - 25.0;
        let next_top = 25.0;
        let mut at = g.address_top + 45.0 + 8.5; // two blank lines below the address field
        for (space, bold, text) in flow {
            at += space;
            for line in wrap(&text, size, bold, width) {
                if at + lead > bottom {
                    pages.push(Vec::new());
                    at = next_top;
                }
                at += lead;
                pages.last_mut().expect("a page").push((left, at, size, bold, line));
            }
        }

        let total = pages.len();
        let mut pdf = pdf::Writer::new();
        let mut xobjects = lopdf::Dictionary::new();
        if let Some(g) = &logo {
            let mut image = dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => i64::from(g.width_px), "Height" => i64::from(g.height_px),
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
            };
            if let Some(a) = &g.alpha {
                let mask = pdf.doc.add_object(Stream::new(
                    dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => i64::from(g.width_px), "Height" => i64::from(g.height_px), "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
                    a.clone(),
                ));
                image.set("SMask", mask);
            }
            let id = pdf.doc.add_object(Stream::new(image, g.rgb.clone()));
            xobjects.set("Logo", id);
        }
        let business = self.business_line();
        for (n, texts) in pages.into_iter().enumerate() {
            let mut ops = Vec::new();
            // Text at a position in mm from the left and the top.
            let text = |ops: &mut Vec<Operation>, xm: f32, ym: f32, size: f32, bold: bool, s: &str| pdf::text(ops, x(xm), y(ym), size, bold, s);
            let line = |ops: &mut Vec<Operation>, x0: f32, y0: f32, x1: f32, y1: f32| {
                ops.push(Operation::new("m", vec![x(x0).into(), y(y0).into()]));
                ops.push(Operation::new("l", vec![x(x1).into(), y(y1).into()]));
                ops.push(Operation::new("S", vec![]));
            };
            ops.push(Operation::new("w", vec![0.4.into()]));
            // Fold marks and the punch mark at the left edge.
            for m in [g.fold, g.fold + 105.0] {
                line(&mut ops, 3.0, m, 8.0, m);
            }
            line(&mut ops, 3.0, 148.5, 10.0, 148.5);
            if !self.reviewed {
                let w = text_width(AI_MARK_DE, 10.0, true) / PT;
                // Top right; under the letterhead text where the logo takes the corner.
                let (mx, my) = match (n, &logo) {
                    (0, Some(_)) => (left + 1.5, head_top + 12.0),
                    (0, None) => (190.0 - w, head_top),
                    _ => (190.0 - w, 12.0),
                };
                ops.push(Operation::new("rg", vec![1.into(), 0.92.into(), 0.2.into()]));
                ops.push(Operation::new("re", vec![x(mx - 1.5).into(), y(my + 1.5).into(), (x(w + 3.0)).into(), (x(5.5)).into()]));
                ops.push(Operation::new("f", vec![]));
                ops.push(Operation::new("rg", vec![0.into(), 0.into(), 0.into()]));
                text(&mut ops, mx, my, 10.0, true, AI_MARK_DE);
            }
            if let (0, Some(g)) = (n, &logo) {
                // The logo at the letterhead's right edge, its top level with the authority's name.
                ops.push(Operation::new("q", vec![]));
                let top = head_top - 4.0;
                ops.push(Operation::new("cm", vec![x(g.width_mm).into(), 0.into(), 0.into(), x(g.height_mm).into(), x(190.0 - g.width_mm).into(), y(top + g.height_mm).into()]));
                ops.push(Operation::new("Do", vec!["Logo".into()]));
                ops.push(Operation::new("Q", vec![]));
            }
            if n == 0 {
                for (x0, y0, x1, y1) in &rules {
                    line(&mut ops, *x0, *y0, *x1, *y1);
                }
                if !business.is_empty() {
                    let s = wrap(&business, 7.0, false, 165.0 * PT).into_iter().next().unwrap_or_default();
                    text(&mut ops, 25.0 + (165.0 - text_width(&s, 7.0, false) / PT) / 2.0, 287.0, 7.0, false, &s);
                }
            } else {
                let foot = format!("Seite {} von {}", n + 1, total);
                text(&mut ops, 190.0 - text_width(&foot, 9.0, false) / PT, 287.0, 9.0, false, &foot);
            }
            for (xm, ym, size, bold, s) in texts {
                text(&mut ops, xm, ym, size, bold, &s);
            }
            pdf.page(ops)?;
        }
        let review = self.review_state();
        let info = pdf::Info {
            title: &l.subject,
            subject: &self.description(),
            keywords: self.keywords(),
            created: &self.created,
            extra: &[("KI_generiert", "true"), ("KI_Pruefung", &review)],
        };
        pdf.finish((595.28, 841.89), Some(xobjects), &info)
    }
}

/// Writes the letter atomically (temp file, then rename): a full disk leaves nothing half-written.
/// With `reviewed` the visible mark is left out — refused while `[Platzhalter]` remain.
pub fn write_letter(doc: &LetterDoc, format: LetterFormat, path: &std::path::Path) -> Result<()> {
    if doc.reviewed {
        let left = doc.letter.placeholders();
        if !left.is_empty() {
            return Err(CoreError::PlaceholdersLeft(left));
        }
    }
    super::write_atomically(path, &doc.render(format)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::{extract_bytes, ExtractOptions};
    use crate::letters::{InfoLine, Origin, Paragraph};
    use crate::policy::SenderProfile;

    fn letter(logo: Option<std::path::PathBuf>, form: LetterForm) -> Letter {
        let sender = SenderProfile {
            authority: Some("Stadt Musterstadt".into()),
            address: Some("Marktplatz 1\n12345 Musterstadt".into()),
            clerk: Some("Erika Beispiel".into()),
            logo,
            ..SenderProfile::default()
        };
        Letter {
            form,
            return_line: Letter::return_line_of(&sender),
            sender,
            recipient: vec!["Max Mustermann".into(), "Lindenstraße 12".into(), "12345 Musterstadt".into()],
            info: vec![InfoLine { label: "Datum".into(), value: "11.12.2026".into() }],
            date: "11.12.2026".into(),
            subject: "Antrag auf Wohngeld".into(),
            salutation: "Guten Tag Max Mustermann,".into(),
            paragraphs: (0..40)
                .map(|i| Paragraph { id: format!("p{i}"), label: "Absatz".into(), origin: Origin::Model, legal: false, text: format!("Absatz {i} mit etwas Text über den Antrag, damit der Brief mehrere Seiten hat.") })
                .collect(),
            closing: "Mit freundlichen Grüßen".into(),
            signature: vec!["Im Auftrag".into(), "Erika Beispiel".into()],
            enclosures: vec!["Kopie des Antrags".into()],
        }
    }

    fn doc<'a>(l: &'a Letter, reviewed: bool, model: &'a ModelRef) -> LetterDoc<'a> {
        LetterDoc { letter: l, reviewed, model, template_name: "Freie Antwort", created: "2026-12-11T09:00:00Z".into() }
    }

    fn model() -> ModelRef {
        ModelRef { name: "Gemma 3 270M".into(), file: "g.gguf".into(), sha256: "a5fd".into() }
    }

    fn zip_entry(bytes: &[u8], name: &str) -> Option<Vec<u8>> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let mut f = zip.by_name(name).ok()?;
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut out).ok()?;
        Some(out)
    }

    /// A 2×2 RGBA PNG.
    fn tiny_png() -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, 2, 2);
        enc.set_color(png::ColorType::Rgba);
        enc.write_header().unwrap().write_image_data(&[30, 80, 120, 255, 0, 0, 0, 0, 200, 160, 40, 255, 30, 80, 120, 128]).unwrap();
        out
    }

    #[test]
    fn a_long_letter_numbers_its_pages_from_the_second_on() {
        let (l, m) = (letter(None, LetterForm::B), model());
        let pdf = doc(&l, false, &m).pdf().unwrap();
        let text = extract_bytes("brief.pdf", &pdf, &ExtractOptions::default()).unwrap().text();
        assert!(text.contains("Seite 2 von 3") && text.contains("Seite 3 von 3"), "{text}");
        assert!(!text.contains("Seite 1 von"));
        assert!(text.contains("KI-Entwurf – bitte prüfen"));
        // DOCX: the following pages' footer has PAGE and NUMPAGES; the first page has its own (titlePg).
        let docx = doc(&l, false, &m).docx().unwrap();
        let footer = String::from_utf8(zip_entry(&docx, "word/footer2.xml").unwrap()).unwrap();
        assert!(footer.contains(" PAGE ") && footer.contains(" NUMPAGES "));
        assert!(String::from_utf8(zip_entry(&docx, "word/document.xml").unwrap()).unwrap().contains("<w:titlePg/>"));
    }

    #[test]
    fn review_removes_the_visible_mark_but_not_the_metadata() {
        let (l, m) = (letter(None, LetterForm::A), model());
        let reviewed = doc(&l, true, &m);
        let pdf = extract_bytes("brief.pdf", &reviewed.pdf().unwrap(), &ExtractOptions::default()).unwrap();
        assert!(!pdf.text().contains("KI-Entwurf"));
        assert!(pdf.metadata.subject.as_deref().is_some_and(|s| s.contains("Mit KI-Unterstützung erstellt") && s.contains("geprüft")));
        let docx = reviewed.docx().unwrap();
        let custom = String::from_utf8(zip_entry(&docx, "docProps/custom.xml").unwrap()).unwrap();
        assert!(custom.contains("name=\"KI_generiert\"><vt:bool>true</vt:bool>") && custom.contains("geprüft (Prüfung in Schreibstube bestätigt am 2026-12-11)"));
        let header = String::from_utf8(zip_entry(&docx, "word/header1.xml").unwrap()).unwrap();
        assert!(!header.contains("KI-Entwurf"));
        let odt = reviewed.odt().unwrap();
        let meta = String::from_utf8(zip_entry(&odt, "meta.xml").unwrap()).unwrap();
        assert!(meta.contains("meta:name=\"KI_generiert\" meta:value-type=\"boolean\">true"));
        // ODF: the mimetype comes first, stored.
        let mut zip = zip::ZipArchive::new(Cursor::new(&odt)).unwrap();
        let first = zip.by_index(0).unwrap();
        assert_eq!((first.name().unwrap().as_ref(), first.compression()), ("mimetype", zip::CompressionMethod::Stored));
        // Form A puts the address field 27 mm from the top: the DOCX's top margin is 27 mm.
        let document = String::from_utf8(zip_entry(&docx, "word/document.xml").unwrap()).unwrap();
        assert!(document.contains(&format!("w:top=\"{}\"", twips(27.0))));
    }

    #[test]
    fn the_logo_goes_into_every_format_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wappen.png");
        std::fs::write(&path, tiny_png()).unwrap();
        let (l, m) = (letter(Some(path.clone()), LetterForm::B), model());
        let d = doc(&l, false, &m);
        assert_eq!(zip_entry(&d.docx().unwrap(), "word/media/logo.png").unwrap(), tiny_png());
        assert_eq!(zip_entry(&d.odt().unwrap(), "Pictures/logo.png").unwrap(), tiny_png());
        let pdf = lopdf::Document::load_mem(&d.pdf().unwrap()).unwrap();
        let images = pdf.objects.values().filter(|o| o.as_stream().is_ok_and(|s| s.dict.get(b"Subtype").ok().and_then(|v| v.as_name().ok()) == Some(b"Image"))).count();
        assert_eq!(images, 2, "the image and its alpha mask");
        std::fs::write(&path, b"kein Bild").unwrap();
        let err = d.docx().unwrap_err().message_de();
        assert!(err.contains("wappen.png") && err.contains("keine lesbare PNG-Datei"), "{err}");
    }
}
