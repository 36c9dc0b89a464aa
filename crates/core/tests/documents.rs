//! Document extraction as callers see it: real files in a temporary folder, every fixture
//! generated here (DOCX/ODT with `zip`, PDFs with lopdf's writer, e-mails as strings), German
//! text with umlauts, ß, € amounts and dates. Positions are checked block by block, because
//! citations will point at them.

use std::collections::HashSet;
use std::io::{Cursor, Write};
use std::path::PathBuf;

use lopdf::{dictionary, Object, Stream};
use schreibstube_core::documents::{
    extract_batch, extract_bytes, extract_file, BlockKind, Document, DocumentType, ExtractOptions,
};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

// ---------------------------------------------------------------------------------------------
// Fixture builders

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        // OpenDocument wants `mimetype` first and stored; deflate everything else.
        let method = if *name == "mimetype" { CompressionMethod::Stored } else { CompressionMethod::Deflated };
        writer.start_file(*name, SimpleFileOptions::default().compression_method(method)).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

const W_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

fn docx(body: &str) -> Vec<u8> {
    let document = format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>{body}</w:body></w:document>"#);
    // German Word: the style id drops the "Ü", the name is the English built-in name.
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {W_NS}>
        <w:style w:type="paragraph" w:styleId="Standard"><w:name w:val="Normal"/></w:style>
        <w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/><w:basedOn w:val="Standard"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
        <w:style w:type="paragraph" w:styleId="berschrift2"><w:name w:val="heading 2"/><w:basedOn w:val="Standard"/></w:style>
        <w:style w:type="paragraph" w:styleId="Listenabsatz"><w:name w:val="List Paragraph"/></w:style>
        </w:styles>"#
    );
    let core = r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Bescheid über Gebühren</dc:title><dc:creator>Jürgen Weiß</dc:creator><dcterms:created>2024-03-15T10:30:00Z</dcterms:created></cp:coreProperties>"#;
    zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", styles.as_bytes()),
        ("docProps/core.xml", core.as_bytes()),
    ])
}

fn w_p(style: Option<&str>, numbered: bool, runs: &str) -> String {
    let style = style.map(|s| format!(r#"<w:pStyle w:val="{s}"/>"#)).unwrap_or_default();
    let num = if numbered { r#"<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>"# } else { "" };
    format!(r#"<w:p><w:pPr>{style}{num}<w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>{runs}</w:p>"#)
}

fn w_r(text: &str) -> String {
    format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

fn odt(content_body: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:automatic-styles/><office:body><office:text><text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Tabelle"/></text:sequence-decls>{content_body}</office:text></office:body></office:document-content>"#
    );
    let meta = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:title>Widerspruch</dc:title><meta:initial-creator>Änne Groß</meta:initial-creator><meta:creation-date>2024-04-03T09:15:00</meta:creation-date><dc:date>2024-04-05T16:00:00</dc:date></office:meta></office:document-meta>"#;
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", content.as_bytes()),
        ("meta.xml", meta.as_bytes()),
        ("META-INF/manifest.xml", b"<manifest/>"),
    ])
}

/// A PDF with one page per entry; each page a list of paragraphs, each paragraph a list of
/// lines. Lines are set 14 pt apart with `T*`, paragraphs one empty line apart, all in one text
/// object (the case lopdf's own `extract_text` runs together). An empty page has no text layer.
fn pdf_document(pages: &[&[&[&str]]]) -> lopdf::Document {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids = Vec::new();
    for paragraphs in pages {
        let mut ops = Vec::new();
        if !paragraphs.is_empty() {
            ops.push(lopdf::content::Operation::new("BT", vec![]));
            ops.push(lopdf::content::Operation::new("Tf", vec!["F1".into(), 11.into()]));
            ops.push(lopdf::content::Operation::new("TL", vec![14.into()]));
            ops.push(lopdf::content::Operation::new("Td", vec![72.into(), 770.into()]));
            for lines in paragraphs.iter() {
                for line in lines.iter() {
                    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(line);
                    assert!(!unmappable);
                    ops.push(lopdf::content::Operation::new("Tj", vec![Object::string_literal(bytes.into_owned())]));
                    ops.push(lopdf::content::Operation::new("T*", vec![]));
                }
                ops.push(lopdf::content::Operation::new("T*", vec![]));
            }
            ops.push(lopdf::content::Operation::new("ET", vec![]));
        }
        let content = lopdf::content::Content { operations: ops };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        kids.push(
            doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id })
                .into(),
        );
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let info_id = doc.add_object(dictionary! {
        "Title" => lopdf::text_string("Gebührenbescheid Nr. 12/2024"),
        "Author" => lopdf::text_string("Stadt Musterhausen – Kämmerei"),
        "CreationDate" => Object::string_literal("D:20240315103000+01'00'"),
    });
    doc.trailer.set("Info", info_id);
    doc.compress();
    doc
}

fn save(mut doc: lopdf::Document) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn pdf(pages: &[&[&[&str]]]) -> Vec<u8> {
    save(pdf_document(pages))
}

fn encrypted_pdf(user_password: &str) -> Vec<u8> {
    let mut doc = pdf_document(&[&[&["Vertraulich: Kontostand 1.234,56 €"]]]);
    let id = Object::string_literal(b"0123456789abcdef".to_vec());
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "eigentuemer",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    save(doc)
}

fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.as_bytes().chunks(76).map(|l| std::str::from_utf8(l).unwrap()).collect::<Vec<_>>().join("\r\n")
}

/// Deterministic noise, for "random bytes under a known extension".
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as u8
        })
        .collect()
}

fn texts(doc: &Document) -> Vec<&str> {
    doc.blocks.iter().map(|b| b.text.as_str()).collect()
}

fn err_code(result: schreibstube_core::Result<Document>) -> (String, String) {
    let e = result.expect_err("expected an error");
    (e.code().to_owned(), e.message_de())
}

/// Paragraph numbers run 1, 2, 3 … within each part (file, each attachment).
fn assert_positions_consistent(doc: &Document) {
    let mut seen = HashSet::new();
    let mut last: std::collections::HashMap<Option<String>, u32> = Default::default();
    for b in &doc.blocks {
        assert_eq!(b.position.file, doc.source.file_name);
        assert_eq!(b.position.file_sha256, doc.source.sha256);
        let prev = last.entry(b.position.attachment.clone()).or_insert(0);
        assert_eq!(b.position.paragraph, *prev + 1, "paragraphs numbered without gaps: {:?}", b.position);
        *prev = b.position.paragraph;
        assert!(seen.insert((b.position.attachment.clone(), b.position.paragraph)));
    }
}

const OPTS: ExtractOptions = ExtractOptions {
    max_file_bytes: 200 * 1024 * 1024,
    max_decompressed_bytes: 500 * 1024 * 1024,
    max_ratio: 100,
    ocr: true,
    tessdata_dir: None,
};

// ---------------------------------------------------------------------------------------------
// PDF

#[test]
fn pdf_pages_and_paragraphs_are_numbered_block_by_block() {
    let bytes = pdf(&[
        &[&["Gebührenbescheid"], &["Sehr geehrte Frau Müller,", "für die Sondernutzung der Straße"]],
        &[&["Betrag: 1.234,56 €"], &["Fällig am 31.03.2024."], &["Größe der Fläche: 12 m²"]],
        &[&["Mit freundlichen Grüßen", "Ihre Stadtverwaltung"]],
    ]);
    let dir = tempfile::tempdir().unwrap();
    let doc = extract_file(write(&dir, "bescheid.pdf", &bytes), &ExtractOptions::default()).unwrap();

    assert_eq!(doc.source.detected_type, DocumentType::Pdf);
    assert_eq!(doc.source.file_name, "bescheid.pdf");
    assert_eq!(doc.source.size_bytes, bytes.len() as u64);
    let got: Vec<_> = doc.blocks.iter().map(|b| (b.position.page, b.position.paragraph, b.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (Some(1), 1, "Gebührenbescheid"),
            (Some(1), 2, "Sehr geehrte Frau Müller,\nfür die Sondernutzung der Straße"),
            (Some(2), 3, "Betrag: 1.234,56 €"),
            (Some(2), 4, "Fällig am 31.03.2024."),
            (Some(2), 5, "Größe der Fläche: 12 m²"),
            (Some(3), 6, "Mit freundlichen Grüßen\nIhre Stadtverwaltung"),
        ]
    );
    assert!(doc.blocks.iter().all(|b| b.kind == BlockKind::Paragraph && b.position.attachment.is_none()));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(doc.metadata.title.as_deref(), Some("Gebührenbescheid Nr. 12/2024"));
    assert_eq!(doc.metadata.author.as_deref(), Some("Stadt Musterhausen – Kämmerei"));
    assert_eq!(doc.metadata.created.as_deref(), Some("2024-03-15T10:30:00+01:00"));
    assert_positions_consistent(&doc);
}

#[test]
fn pdf_page_without_text_layer_is_a_warning_not_an_error() {
    let bytes = pdf(&[&[&["Seite eins"]], &[], &[&["Seite drei"]]]);
    let doc = extract_bytes("scan.pdf", &bytes, &OPTS).unwrap();
    let pages: Vec<_> = doc.blocks.iter().map(|b| (b.position.page, b.text.as_str())).collect();
    assert_eq!(pages, vec![(Some(1), "Seite eins"), (Some(3), "Seite drei")]);
    assert_eq!(
        doc.warnings,
        vec!["Seite 2 hat keine Textebene, und auf ihr wurde kein Text erkannt.".to_owned()]
    );
}

#[test]
fn pdf_lines_positioned_with_td_and_columns_do_not_run_together() {
    // Hand-written content stream: two lines in one BT set with Td, then a table row whose
    // second column is placed with a jump on the same line.
    let content = b"BT /F1 10 Tf 72 700 Td (Zeile eins endet hier.) Tj 0 -12 Td (Zeile zwei) Tj \
                    0 -30 Td (Geb\xfchr) Tj 200 0 Td (1.234,56 \x80) Tj ET";
    let mut doc = pdf_document(&[&[&["x"]]]);
    let page_id = *doc.get_pages().get(&1).unwrap();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    doc.get_dictionary_mut(page_id).unwrap().set("Contents", content_id);
    let extracted = extract_bytes("tabelle.pdf", &save(doc), &OPTS).unwrap();
    assert_eq!(texts(&extracted), vec!["Zeile eins endet hier.\nZeile zwei", "Gebühr 1.234,56 €"]);
}

#[test]
fn password_protected_pdf_is_a_typed_error() {
    let (code, message) = err_code(extract_bytes("akte.pdf", &encrypted_pdf("geheim"), &OPTS));
    assert_eq!(code, "pdf_encrypted");
    assert!(message.starts_with("Die PDF-Datei „akte.pdf“ ist passwortgeschützt."), "{message}");
    assert!(!message.contains("Kontostand"));
}

#[test]
fn pdf_with_only_an_owner_password_opens_like_in_every_viewer() {
    let doc = extract_bytes("schreibgeschuetzt.pdf", &encrypted_pdf(""), &OPTS).unwrap();
    assert_eq!(texts(&doc), vec!["Vertraulich: Kontostand 1.234,56 €"]);
}

#[test]
fn corrupt_and_truncated_pdfs_are_typed_errors() {
    let (code, message) = err_code(extract_bytes("kaputt.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", &OPTS));
    assert_eq!(code, "document_corrupt");
    assert_eq!(message, "Die Datei „kaputt.pdf“ (PDF) ist beschädigt oder unvollständig und kann nicht gelesen werden.");

    // Cut before the page tree and the contents of all pages.
    let bytes = pdf(&[&[&["Seite eins"]], &[&["Seite zwei"]]]);
    let (code, _) = err_code(extract_bytes("abgebrochen.pdf", &bytes[..bytes.len() / 5], &OPTS));
    assert_eq!(code, "document_corrupt");
}

// ---------------------------------------------------------------------------------------------
// DOCX and ODT

#[test]
fn docx_headings_lists_tables_and_metadata() {
    let body = [
        w_p(Some("berschrift1"), false, &w_r("Widerspruch gegen den Bescheid")),
        w_p(None, false, r#"<w:r><w:t>Sehr geehrte Damen und Herren,</w:t><w:br/></w:r>"#),
        w_p(None, false, &format!("{}<w:r><w:delText>gelöschter Text</w:delText></w:r>{}", w_r("hiermit lege ich "), w_r("Widerspruch ein."))),
        w_p(Some("berschrift2"), false, &w_r("Begründung")),
        w_p(Some("Listenabsatz"), true, &w_r("Die Gebühr von 1.234,56 € ist zu hoch.")),
        w_p(Some("Listenabsatz"), true, &format!("{}<w:r><w:tab/></w:r>{}", w_r("Frist:"), w_r("31.03.2024"))),
        format!(
            "<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr><w:tr><w:tc>{}</w:tc><w:tc>{}{}</w:tc></w:tr></w:tbl>",
            w_p(None, false, &w_r("Posten")),
            w_p(None, false, &w_r("Betrag")),
            w_p(None, false, &w_r("Straßenreinigung")),
            w_p(None, false, &w_r("12,50 €")),
            w_p(None, false, &w_r("(jährlich)")),
        ),
        w_p(None, false, &w_r("Mit freundlichen Grüßen &amp; Dank")),
    ]
    .concat();
    let doc = extract_bytes("widerspruch.docx", &docx(&body), &OPTS).unwrap();
    assert_eq!(doc.source.detected_type, DocumentType::Docx);
    let got: Vec<_> = doc.blocks.iter().map(|b| (b.kind, b.level, b.position.paragraph, b.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (BlockKind::Heading, Some(1), 1, "Widerspruch gegen den Bescheid"),
            (BlockKind::Paragraph, None, 2, "Sehr geehrte Damen und Herren,"),
            (BlockKind::Paragraph, None, 3, "hiermit lege ich Widerspruch ein."),
            (BlockKind::Heading, Some(2), 4, "Begründung"),
            (BlockKind::ListItem, None, 5, "Die Gebühr von 1.234,56 € ist zu hoch."),
            (BlockKind::ListItem, None, 6, "Frist:\t31.03.2024"),
            (BlockKind::TableRow, None, 7, "Posten | Betrag"),
            (BlockKind::TableRow, None, 8, "Straßenreinigung | 12,50 € (jährlich)"),
            (BlockKind::Paragraph, None, 9, "Mit freundlichen Grüßen & Dank"),
        ]
    );
    assert!(doc.blocks.iter().all(|b| b.position.page.is_none()));
    assert_eq!(doc.metadata.title.as_deref(), Some("Bescheid über Gebühren"));
    assert_eq!(doc.metadata.author.as_deref(), Some("Jürgen Weiß"));
    assert_eq!(doc.metadata.created.as_deref(), Some("2024-03-15T10:30:00Z"));
    assert_positions_consistent(&doc);
}

#[test]
fn odt_headings_lists_tables_and_skipped_notes() {
    let body = r#"<text:h text:outline-level="1">Widerspruch</text:h>
        <text:p>Sehr geehrte Frau <text:span>Schröder</text:span>,<text:line-break/>der Betrag von<text:s text:c="2"/>99,00 € ist falsch<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Fußnote, nicht im Fließtext</text:p></text:note-body></text:note>.</text:p>
        <text:list><text:list-item><text:p>erstens: Zustellung am 02.01.2024</text:p></text:list-item><text:list-item><text:p>zweitens: Größe</text:p></text:list-item></text:list>
        <text:h text:outline-level="2">Anlagen</text:h>
        <table:table><table:table-row><table:table-cell><text:p>Anlage</text:p></table:table-cell><table:table-cell><text:p>Datum</text:p></table:table-cell></table:table-row>
        <table:table-row><table:table-cell><text:p>Kontoauszug</text:p></table:table-cell><table:table-cell><text:p>05.04.2024</text:p></table:table-cell></table:table-row></table:table>"#;
    let doc = extract_bytes("widerspruch.odt", &odt(body), &OPTS).unwrap();
    assert_eq!(doc.source.detected_type, DocumentType::Odt);
    let got: Vec<_> = doc.blocks.iter().map(|b| (b.kind, b.level, b.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (BlockKind::Heading, Some(1), "Widerspruch"),
            (BlockKind::Paragraph, None, "Sehr geehrte Frau Schröder,\nder Betrag von  99,00 € ist falsch."),
            (BlockKind::ListItem, None, "erstens: Zustellung am 02.01.2024"),
            (BlockKind::ListItem, None, "zweitens: Größe"),
            (BlockKind::Heading, Some(2), "Anlagen"),
            (BlockKind::TableRow, None, "Anlage | Datum"),
            (BlockKind::TableRow, None, "Kontoauszug | 05.04.2024"),
        ]
    );
    assert_eq!(doc.metadata.title.as_deref(), Some("Widerspruch"));
    assert_eq!(doc.metadata.author.as_deref(), Some("Änne Groß"));
    assert_eq!(doc.metadata.created.as_deref(), Some("2024-04-03T09:15:00"));
    assert_eq!(doc.metadata.modified.as_deref(), Some("2024-04-05T16:00:00"));
    assert_positions_consistent(&doc);
}

// ---------------------------------------------------------------------------------------------
// Text, HTML, CSV

#[test]
fn text_in_windows_1252_utf16_and_utf8_reads_the_same() {
    let text = "Sehr geehrte Frau Weiß,\r\n\r\nIhre Gebühr beträgt 1.234,56 €.\r\nFällig am 31.03.2024.\r\n\r\n\r\nMit freundlichen Grüßen";
    let expected = vec!["Sehr geehrte Frau Weiß,", "Ihre Gebühr beträgt 1.234,56 €.\nFällig am 31.03.2024.", "Mit freundlichen Grüßen"];
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    for (name, bytes) in [("ansi.txt", cp1252.to_vec()), ("unicode.txt", utf16), ("utf8.txt", text.as_bytes().to_vec())] {
        let doc = extract_bytes(name, &bytes, &OPTS).unwrap();
        assert_eq!(doc.source.detected_type, DocumentType::Txt, "{name}");
        assert_eq!(texts(&doc), expected, "{name}");
        assert_eq!(doc.blocks.iter().map(|b| b.position.paragraph).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert!(doc.blocks.iter().all(|b| b.position.page.is_none()));
    }
}

#[test]
fn markdown_by_extension_hint_among_text() {
    let md = "# Aktennotiz\n\nGespräch mit Herrn Öztürk am 12.02.2024.\n\n- Frist: 14 Tage\n- Gebühr: 45,00 €\n";
    let doc = extract_bytes("notiz.md", md.as_bytes(), &OPTS).unwrap();
    assert_eq!(doc.source.detected_type, DocumentType::Markdown);
    let kinds: Vec<_> = doc.blocks.iter().map(|b| b.kind).collect();
    assert_eq!(kinds, vec![BlockKind::Heading, BlockKind::Paragraph, BlockKind::ListItem, BlockKind::ListItem]);
    // The same bytes as .txt are plain paragraphs.
    let doc = extract_bytes("notiz.txt", md.as_bytes(), &OPTS).unwrap();
    assert_eq!(doc.source.detected_type, DocumentType::Txt);
    assert_eq!(doc.blocks.len(), 3);
}

#[test]
fn html_to_blocks_with_title() {
    let html = "<!DOCTYPE html><html><head><title>Satzung über Gebühren</title><script>alert('x')</script></head>\
        <body><h2>§ 3 Höhe der Gebühr</h2><p>Die Gebühr beträgt <b>25,00 €</b> je Quadratmeter.</p>\
        <ol><li>für Straßen</li><li>für Plätze</li></ol></body></html>";
    let doc = extract_bytes("satzung.html", html.as_bytes(), &OPTS).unwrap();
    assert_eq!(doc.source.detected_type, DocumentType::Html);
    assert_eq!(texts(&doc), vec!["§ 3 Höhe der Gebühr", "Die Gebühr beträgt 25,00 € je Quadratmeter.", "für Straßen", "für Plätze"]);
    assert_eq!(doc.blocks[0].level, Some(2));
    assert_eq!(doc.metadata.title.as_deref(), Some("Satzung über Gebühren"));
}

#[test]
fn german_csv_keeps_decimal_commas_and_numbers_rows() {
    let csv = "Aktenzeichen;Betrag;Fällig\r\nB-12/2024;1.234,56 €;31.03.2024\r\nS-7/2024;0,50 €;01.04.2024\r\n";
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(csv);
    let doc = extract_bytes("export.csv", &cp1252, &OPTS).unwrap();
    assert_eq!(doc.source.detected_type, DocumentType::Csv);
    let rows: Vec<_> = doc.blocks.iter().map(|b| (b.kind, b.position.row, b.text.as_str())).collect();
    assert_eq!(
        rows,
        vec![
            (BlockKind::TableRow, Some(1), "Aktenzeichen | Betrag | Fällig"),
            (BlockKind::TableRow, Some(2), "B-12/2024 | 1.234,56 € | 31.03.2024"),
            (BlockKind::TableRow, Some(3), "S-7/2024 | 0,50 € | 01.04.2024"),
        ]
    );
    assert_eq!(doc.blocks[2].position.label_de(), "Datei: export.csv · Zeile 3 · Absatz 3");
}

// ---------------------------------------------------------------------------------------------
// E-mail

fn eml_with_attachments(pdf_bytes: &[u8]) -> String {
    let (notiz, _, _) = encoding_rs::WINDOWS_1252.encode("Rückruf bei Frau Köhler wegen 80,00 €.");
    let forwarded = "From: Kasse <kasse@example.de>\r\nTo: amt@example.de\r\nSubject: Zahlungseingang\r\nDate: Mon, 18 Mar 2024 08:00:00 +0100\r\nContent-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nZahlung über 1.234,56 € ist eingegangen.\r\n--inner\r\nContent-Type: text/csv; charset=utf-8\r\nContent-Disposition: attachment; filename=\"buchungen.csv\"\r\n\r\nDatum;Betrag\r\n18.03.2024;1.234,56 €\r\n--inner--\r\n";
    format!(
        "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <j.mueller@example.de>\r\n\
To: Bürgerbüro <buergerbuero@example.de>\r\n\
Subject: =?UTF-8?Q?Widerspruch_Geb=C3=BChrenbescheid?=\r\n\
Date: Fri, 15 Mar 2024 10:30:00 +0100\r\n\
Message-ID: <1@example.de>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
--outer\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Sehr geehrte Damen und Herren,\r\n\
\r\n\
anbei mein Widerspruch gegen die Geb=C3=BChr von 1.234,56 =E2=82=AC.\r\n\
--outer\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename=\"widerspruch.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
{pdf}\r\n\
--outer\r\n\
Content-Type: text/plain; charset=windows-1252\r\n\
Content-Disposition: attachment; filename*=UTF-8''notiz%20f%C3%BCr%20Akte.txt\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
{notiz}\r\n\
--outer\r\n\
Content-Type: message/rfc822\r\n\
Content-Disposition: attachment; filename=\"weitergeleitet.eml\"\r\n\
\r\n\
{forwarded}\r\n\
--outer\r\n\
Content-Type: image/png\r\n\
Content-Disposition: attachment; filename=\"foto.png\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
{png}\r\n\
--outer--\r\n",
        pdf = base64(pdf_bytes),
        notiz = base64(&notiz),
        png = base64(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    )
}

#[test]
fn email_headers_body_and_attachments_with_their_own_positions() {
    let pdf_bytes = pdf(&[&[&["Widerspruch vom 15.03.2024"]], &[&["Begründung: Straße nie gereinigt."]]]);
    let eml = eml_with_attachments(&pdf_bytes);
    let dir = tempfile::tempdir().unwrap();
    // A wrong extension: the content decides.
    let doc = extract_file(write(&dir, "mail.txt", eml.as_bytes()), &OPTS).unwrap();
    assert_eq!(doc.source.detected_type, DocumentType::Eml);

    let got: Vec<_> = doc
        .blocks
        .iter()
        .map(|b| (b.kind, b.position.attachment.as_deref(), b.position.page, b.position.paragraph, b.text.as_str()))
        .collect();
    use BlockKind::*;
    assert_eq!(
        got,
        vec![
            (EmailHeader, None, None, 1, "Von: Jürgen Müller <j.mueller@example.de>"),
            (EmailHeader, None, None, 2, "An: Bürgerbüro <buergerbuero@example.de>"),
            (EmailHeader, None, None, 3, "Datum: 15.03.2024, 10:30 Uhr (+01:00)"),
            (EmailHeader, None, None, 4, "Betreff: Widerspruch Gebührenbescheid"),
            (Paragraph, None, None, 5, "Sehr geehrte Damen und Herren,"),
            (Paragraph, None, None, 6, "anbei mein Widerspruch gegen die Gebühr von 1.234,56 €."),
            (Paragraph, Some("widerspruch.pdf"), Some(1), 1, "Widerspruch vom 15.03.2024"),
            (Paragraph, Some("widerspruch.pdf"), Some(2), 2, "Begründung: Straße nie gereinigt."),
            (Paragraph, Some("notiz für Akte.txt"), None, 1, "Rückruf bei Frau Köhler wegen 80,00 €."),
            (EmailHeader, Some("weitergeleitet.eml"), None, 1, "Von: Kasse <kasse@example.de>"),
            (EmailHeader, Some("weitergeleitet.eml"), None, 2, "An: amt@example.de"),
            (EmailHeader, Some("weitergeleitet.eml"), None, 3, "Datum: 18.03.2024, 08:00 Uhr (+01:00)"),
            (EmailHeader, Some("weitergeleitet.eml"), None, 4, "Betreff: Zahlungseingang"),
            (Paragraph, Some("weitergeleitet.eml"), None, 5, "Zahlung über 1.234,56 € ist eingegangen."),
            (TableRow, Some("weitergeleitet.eml/buchungen.csv"), None, 1, "Datum | Betrag"),
            (TableRow, Some("weitergeleitet.eml/buchungen.csv"), None, 2, "18.03.2024 | 1.234,56 €"),
        ]
    );
    assert_positions_consistent(&doc);
    assert_eq!(
        doc.blocks[7].position.label_de(),
        "Datei: mail.txt · Anhang: widerspruch.pdf · Seite 2 · Absatz 2"
    );

    let attachments: Vec<_> = doc.attachments.iter().map(|a| (a.path.as_str(), a.detected_type)).collect();
    assert_eq!(
        attachments,
        vec![
            ("widerspruch.pdf", Some(DocumentType::Pdf)),
            ("notiz für Akte.txt", Some(DocumentType::Txt)),
            ("weitergeleitet.eml/buchungen.csv", Some(DocumentType::Csv)),
            ("weitergeleitet.eml", Some(DocumentType::Eml)),
            ("foto.png", None),
        ]
    );
    assert_eq!(doc.attachments[0].size_bytes, pdf_bytes.len() as u64);
    assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
    // The "photo" is a PNG signature and noise: OCR cannot decode it.
    assert!(
        doc.warnings[0].starts_with("Anhang „foto.png“ wurde nicht gelesen: Die Datei „foto.png“ (Bild) ist beschädigt"),
        "{}",
        doc.warnings[0]
    );
    assert_eq!(doc.metadata.title.as_deref(), Some("Widerspruch Gebührenbescheid"));
    assert_eq!(doc.metadata.created.as_deref(), Some("2024-03-15T10:30:00+01:00"));
}

#[test]
fn email_with_only_an_html_body() {
    let eml = "From: a@example.de\r\nSubject: Termin\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Ihr Termin: <b>03.04.2024</b>, Zimmer 12.</p><p>Grüße</p></body></html>\r\n";
    let doc = extract_bytes("termin.eml", eml.as_bytes(), &OPTS).unwrap();
    assert_eq!(texts(&doc), vec!["Von: a@example.de", "Betreff: Termin", "Ihr Termin: 03.04.2024, Zimmer 12.", "Grüße"]);
}

// ---------------------------------------------------------------------------------------------
// Detection by content

#[test]
fn wrong_extensions_still_extract_correctly() {
    let pdf_bytes = pdf(&[&[&["Ein PDF, das sich als Word ausgibt: Maß 3 €"]]]);
    let docx_bytes = docx(&w_p(None, false, &w_r("Ein Word-Dokument als .pdf: Öl 4 €")));
    let odt_bytes = odt("<text:p>Ein ODT als .docx: Süß 5 €</text:p>");
    let csv = "Name;Betrag\nMüller;1,50 €\nSchulz;2,00 €\n";
    let html = "<html><body><p>HTML ohne Endung: Äpfel 6 €</p></body></html>";
    let cases: [(&str, &[u8], DocumentType, &str); 5] = [
        ("brief.docx", &pdf_bytes, DocumentType::Pdf, "Ein PDF, das sich als Word ausgibt: Maß 3 €"),
        ("bericht.pdf", &docx_bytes, DocumentType::Docx, "Ein Word-Dokument als .pdf: Öl 4 €"),
        ("notiz.docx", &odt_bytes, DocumentType::Odt, "Ein ODT als .docx: Süß 5 €"),
        ("liste.txt", csv.as_bytes(), DocumentType::Csv, "Name | Betrag"),
        ("seite", html.as_bytes(), DocumentType::Html, "HTML ohne Endung: Äpfel 6 €"),
    ];
    for (name, bytes, ty, first) in cases {
        let doc = extract_bytes(name, bytes, &OPTS).unwrap_or_else(|e| panic!("{name}: {}", e.message_de()));
        assert_eq!(doc.source.detected_type, ty, "{name}");
        assert_eq!(doc.blocks[0].text, first, "{name}");
    }
}

#[test]
fn formats_recognised_but_not_read_yet_say_so() {
    let pptx = zip(&[("ppt/presentation.xml", b"<p:presentation/>"), ("[Content_Types].xml", b"<Types/>")]);
    let (code, message) = err_code(extract_bytes("vortrag.pptx", &pptx, &OPTS));
    assert_eq!(code, "document_unsupported");
    assert_eq!(message, "Die Datei „vortrag.pptx“ ist ein Dokument im Format PowerPoint (PPTX). Dieses Format kann Schreibstube noch nicht lesen.");
    // An OLE file with a WordDocument stream is Word 97–2003, whatever its name says.
    let doc = ole(&[("/WordDocument", b"\0\0\0\0")]);
    let (code, message) = err_code(extract_bytes("nachricht.msg", &doc, &OPTS));
    assert_eq!(code, "document_unsupported");
    assert!(message.contains("Word 97–2003 (DOC)"), "{message}");
    // The OLE magic without a valid compound file behind it.
    let broken = [&[0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..], &[0; 100]].concat();
    let (code, _) = err_code(extract_bytes("kaputt.msg", &broken, &OPTS));
    assert_eq!(code, "document_corrupt");
}

// ---------------------------------------------------------------------------------------------
// Safe failure

#[test]
fn empty_file_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, message) = err_code(extract_file(write(&dir, "leer.pdf", b""), &OPTS));
    assert_eq!(code, "document_empty");
    assert_eq!(message, "Die Datei „leer.pdf“ ist leer.");
}

#[test]
fn random_bytes_under_known_extensions_are_unknown_format() {
    for name in ["zufall.pdf", "zufall.docx", "zufall.txt", "zufall.eml", "zufall.csv"] {
        let (code, message) = err_code(extract_bytes(name, &noise(4096, 42), &OPTS));
        assert_eq!(code, "document_unknown_format", "{name}");
        assert!(message.starts_with(&format!("Die Datei „{name}“ hat kein bekanntes Dokumentformat.")), "{message}");
    }
}

#[test]
fn truncated_and_corrupt_office_files_are_typed_errors() {
    let full = docx(&w_p(None, false, &w_r("Text")));
    let (code, message) = err_code(extract_bytes("abgebrochen.docx", &full[..full.len() / 2], &OPTS));
    assert_eq!(code, "document_corrupt");
    assert_eq!(message, "Die Datei „abgebrochen.docx“ (DOCX) ist beschädigt oder unvollständig und kann nicht gelesen werden.");

    // A complete archive whose XML is cut off.
    let broken = zip(&[("word/document.xml", b"<w:document><w:body><w:p><w:r><w:t>Hallo")]);
    let (code, _) = err_code(extract_bytes("halb.docx", &broken, &OPTS));
    assert_eq!(code, "document_corrupt");

    // An ODT without its content.
    let no_content = zip(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
    let (code, message) = err_code(extract_bytes("leer.odt", &no_content, &OPTS));
    assert_eq!(code, "document_corrupt");
    assert_eq!(message, "Die Datei „leer.odt“ (ODT) ist beschädigt oder unvollständig und kann nicht gelesen werden.");
}

#[test]
fn zip_bomb_is_refused_by_ratio_and_by_total_size() {
    // 64 MiB of spaces inside <w:t> deflate to ~64 KiB: a ratio of about 1000:1.
    let mut xml = b"<w:document><w:body><w:p><w:r><w:t>".to_vec();
    xml.resize(xml.len() + 64 * 1024 * 1024, b' ');
    xml.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    let bomb = zip(&[("word/document.xml", &xml)]);
    assert!(bomb.len() < 1024 * 1024, "the bomb is small: {}", bomb.len());
    let started = std::time::Instant::now();
    let (code, message) = err_code(extract_bytes("bombe.docx", &bomb, &OPTS));
    assert_eq!(code, "document_decompression_limit");
    assert_eq!(
        message,
        "Die Datei „bombe.docx“ wurde aus Sicherheitsgründen nicht geöffnet: Entpackt wäre sie größer als 500 MB oder mehr als 100-fach komprimiert (Verdacht auf eine „Zip-Bombe“)."
    );
    assert!(started.elapsed().as_secs() < 5);

    // The same bomb with its declared sizes forged small: the real bytes are counted.
    let mut forged = bomb.clone();
    let small = 1000u32.to_le_bytes();
    let local = 0; // the only entry's local header starts the archive
    forged[local + 22..local + 26].copy_from_slice(&small);
    let central = forged.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    forged[central + 24..central + 28].copy_from_slice(&small);
    let (code, _) = err_code(extract_bytes("getarnt.docx", &forged, &OPTS));
    assert!(matches!(code.as_str(), "document_decompression_limit" | "document_corrupt"), "{code}");

    // An honest document over a small total budget (ratio low: the text is noise).
    let text: String = noise(3 * 1024 * 1024, 7).iter().map(|b| (b'a' + b % 26) as char).collect();
    let big = docx(&w_p(None, false, &w_r(&text)));
    let opts = ExtractOptions { max_decompressed_bytes: 2 * 1024 * 1024, ..OPTS };
    let (code, message) = err_code(extract_bytes("gross.docx", &big, &opts));
    assert_eq!(code, "document_decompression_limit");
    assert!(message.contains("größer als 2 MB"), "{message}");
}

#[test]
fn file_over_the_size_limit_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "riesig.txt", &vec![b'a'; 1024 * 1024 + 1]);
    let opts = ExtractOptions { max_file_bytes: 1024 * 1024, ..OPTS };
    let (code, message) = err_code(extract_file(&path, &opts));
    assert_eq!(code, "document_too_large");
    assert_eq!(message, "Die Datei „riesig.txt“ ist 2 MB groß; höchstens 1 MB können gelesen werden. Bitte teilen Sie die Datei auf.");
    assert_eq!(ExtractOptions::default().max_file_bytes, 200 * 1024 * 1024);
}

#[test]
fn undecodable_text_is_a_typed_error() {
    // A UTF-16 byte-order mark followed by unpaired surrogates: no encoding makes text of it.
    let mut bytes = vec![0xFF, 0xFE];
    for _ in 0..200 {
        bytes.extend_from_slice(&[0x00, 0xD8]);
        bytes.extend_from_slice(&[b'a', 0x00]);
    }
    let (code, message) = err_code(extract_bytes("kodierung.txt", &bytes, &OPTS));
    assert_eq!(code, "document_undecodable_text");
    assert_eq!(message, "Der Text in „kodierung.txt“ ist in einer unbekannten oder fehlerhaften Zeichenkodierung gespeichert. Bitte speichern Sie die Datei als UTF-8.");
}

#[test]
fn errors_carry_no_document_text() {
    let secret = "Kontonummer DE12 3456";
    let broken = zip(&[("word/document.xml", format!("<w:document><w:p><w:t>{secret}").as_bytes())]);
    let e = extract_bytes("geheim.docx", &broken, &OPTS).unwrap_err();
    for text in [e.message_de(), e.message_en(), e.to_string()] {
        assert!(!text.contains("Kontonummer"), "{text}");
    }
}

#[test]
fn a_batch_reports_every_file_and_loses_none() {
    let dir = tempfile::tempdir().unwrap();
    let paths = vec![
        write(&dir, "gut.txt", "Gültiger Text über 5 €.".as_bytes()),
        write(&dir, "leer.txt", b""),
        write(&dir, "kaputt.pdf", &noise(2000, 3)),
        dir.path().join("fehlt.pdf"),
        write(&dir, "auch-gut.csv", "a;b\n1,5;2\n".as_bytes()),
    ];
    let items = extract_batch(&paths, &OPTS);
    assert_eq!(items.len(), 5);
    let summary: Vec<_> = items
        .iter()
        .map(|i| match &i.result {
            Ok(doc) => format!("ok:{}", doc.source.file_name),
            Err(e) => format!("err:{}", e.code),
        })
        .collect();
    assert_eq!(summary, vec!["ok:gut.txt", "err:document_empty", "err:document_unknown_format", "err:io", "ok:auch-gut.csv"]);
    assert_eq!(items[3].path, paths[3]);
    let missing = items[3].result.as_ref().unwrap_err();
    assert_eq!(missing.message_de, "Die Datei „fehlt.pdf“ wurde nicht gefunden.");
    assert!(!missing.message_en.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Serialised form

#[test]
fn json_form_is_flat_per_block_with_lowercase_types() {
    let doc = extract_bytes("brief.txt", "Hallo Frau Groß".as_bytes(), &OPTS).unwrap();
    let v = serde_json::to_value(&doc).unwrap();
    assert_eq!(v["source"]["detected_type"], "txt");
    assert_eq!(v["source"]["sha256"].as_str().unwrap().len(), 64);
    let block = &v["blocks"][0];
    assert_eq!(block["kind"], "paragraph");
    assert_eq!(block["text"], "Hallo Frau Groß");
    assert_eq!(block["paragraph"], 1);
    assert!(block["page"].is_null() && block["attachment"].is_null() && block["ocr_confidence"].is_null());
    assert!(block.get("row").is_some() && block.get("sheet").is_some());
    let back: Document = serde_json::from_value(v).unwrap();
    assert_eq!(back, doc);
}

// ---------------------------------------------------------------------------------------------
// Spreadsheets (XLSX, ODS)

const SSML: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A minimal XLSX: one sheet "Gebühren", shared strings, a date style (built-in format 14).
fn xlsx(shared_strings: &[&str], rows: &str) -> Vec<u8> {
    let sst: String = shared_strings.iter().map(|s| format!("<si><t>{s}</t></si>")).collect();
    let sst = format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SSML}" count="{n}" uniqueCount="{n}">{sst}</sst>"#, n = shared_strings.len());
    let sheet = format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SSML}"><sheetData>{rows}</sheetData></worksheet>"#);
    let workbook = format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{SSML}" xmlns:r="{REL}"><sheets><sheet name="Gebühren" sheetId="1" r:id="rId1"/></sheets></workbook>"#);
    let wb_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/></Relationships>"#
    );
    let styles = format!(r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{SSML}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#);
    let content_types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
    let rels = format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
    zip(&[
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
        ("xl/styles.xml", styles.as_bytes()),
        ("xl/sharedStrings.xml", sst.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

fn table_rows(doc: &Document) -> Vec<(Option<&str>, Option<u32>, &str)> {
    doc.blocks.iter().map(|b| (b.position.sheet.as_deref(), b.position.row, b.text.as_str())).collect()
}

#[test]
fn xlsx_rows_with_sheet_positions_and_german_numbers_and_dates() {
    let rows = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>
<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2"><v>1234.56</v></c><c r="C2" s="1"><v>45366</v></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><t>Straße ß</t></is></c><c r="C4"><v>0.5</v></c></row>"#;
    let bytes = xlsx(&["Name", "Betrag in €", "Fällig am", "Müller"], rows);
    // Named .pdf on purpose: the content decides.
    let doc = extract_bytes("gebuehren.pdf", &bytes, &OPTS).unwrap_or_else(|e| panic!("{}", e.message_de()));
    assert_eq!(doc.source.detected_type, DocumentType::Xlsx);
    assert_eq!(
        table_rows(&doc),
        vec![
            (Some("Gebühren"), Some(1), "Name | Betrag in € | Fällig am"),
            (Some("Gebühren"), Some(2), "Müller | 1234,56 | 15.03.2024"),
            (Some("Gebühren"), Some(4), "Straße ß |  | 0,5"),
        ]
    );
    assert!(doc.blocks.iter().all(|b| b.kind == BlockKind::TableRow && b.position.page.is_none()));
    assert_positions_consistent(&doc);
    assert_eq!(doc.blocks[1].position.label_de(), "Datei: gebuehren.pdf · Blatt: Gebühren · Zeile 2 · Absatz 2");
}

#[test]
fn xlsx_far_apart_cells_and_zip_bombs_are_harmless() {
    // A1 and XFD1048576: a dense reader would allocate 17 billion cells.
    let rows = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576" t="s"><v>0</v></c></row>"#;
    let started = std::time::Instant::now();
    let doc = extract_bytes("weit.xlsx", &xlsx(&["Ecke"], rows), &OPTS).unwrap();
    assert!(started.elapsed().as_secs() < 5);
    let rows = table_rows(&doc);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].1, Some(1_048_576));

    // 64 MiB of shared strings that deflate ~1000:1, checked before calamine opens the archive.
    let huge = " ".repeat(64 * 1024 * 1024);
    let (code, message) = err_code(extract_bytes("bombe.xlsx", &xlsx(&[&huge], ""), &OPTS));
    assert_eq!(code, "document_decompression_limit");
    assert!(message.contains("„bombe.xlsx“") && message.contains("Zip-Bombe"), "{message}");

    let full = xlsx(&["Name"], r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    let (code, _) = err_code(extract_bytes("halb.xlsx", &full[..full.len() / 2], &OPTS));
    assert_eq!(code, "document_corrupt");
}

fn ods(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    let meta = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:title>Haushalt 2024</dc:title></office:meta></office:document-meta>"#;
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", content.as_bytes()),
        ("meta.xml", meta.as_bytes()),
    ])
}

#[test]
fn ods_cells_come_out_as_displayed_with_repeated_rows_counted() {
    let tables = r#"<table:table table:name="Haushalt">
<table:table-row><table:table-cell office:value-type="string"><text:p>Posten</text:p></table:table-cell><table:table-cell><text:p>Betrag</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell><text:p>Straßenreinigung</text:p></table:table-cell><table:table-cell office:value-type="currency" office:value="1234.5"><text:p>1.234,50 €</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
<table:table-row><table:table-cell office:value-type="date" office:date-value="2024-03-15"><text:p>15.03.2024</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2"/><table:table-cell><text:p>Größe</text:p><office:annotation><text:p>Geheimer Kommentar</text:p></office:annotation></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table>
<table:table table:name="Blatt 2"><table:table-row><table:table-cell><text:p>Zweites Blatt</text:p></table:table-cell></table:table-row></table:table>"#;
    let doc = extract_bytes("haushalt.xlsx", &ods(tables), &OPTS).unwrap_or_else(|e| panic!("{}", e.message_de()));
    assert_eq!(doc.source.detected_type, DocumentType::Ods);
    assert_eq!(doc.metadata.title.as_deref(), Some("Haushalt 2024"));
    assert_eq!(
        table_rows(&doc),
        vec![
            (Some("Haushalt"), Some(1), "Posten | Betrag"),
            (Some("Haushalt"), Some(2), "Straßenreinigung | 1.234,50 €"),
            (Some("Haushalt"), Some(5), "15.03.2024 |  |  | Größe"),
            (Some("Blatt 2"), Some(1), "Zweites Blatt"),
        ]
    );
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_positions_consistent(&doc);
}

// ---------------------------------------------------------------------------------------------
// Outlook .msg

/// An OLE compound file with the given streams (paths like "/WordDocument").
fn ole(streams: &[(&str, &[u8])]) -> Vec<u8> {
    // Version 3 (512-byte sectors), as Outlook writes .msg files.
    let mut file = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())).unwrap();
    for (path, data) in streams {
        let parent = std::path::Path::new(path).parent().unwrap();
        if parent != std::path::Path::new("/") && !file.exists(parent) {
            file.create_storage_all(parent).unwrap();
        }
        file.create_stream(path).unwrap().write_all(data).unwrap();
    }
    file.flush().unwrap();
    file.into_inner().into_inner()
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A fixed-size property entry of a `__properties_version1.0` stream.
fn prop(kind: u16, id: u16, value: u64) -> Vec<u8> {
    [&kind.to_le_bytes()[..], &id.to_le_bytes(), &[0; 4], &value.to_le_bytes()].concat()
}

/// An Outlook message as Outlook stores it (MS-OXMSG): properties as `__substg1.0_` streams,
/// recipients and attachments in storages of their own.
fn outlook_msg(attachment: (&str, &[u8])) -> Vec<u8> {
    // 2024-03-15 09:30:00 UTC as FILETIME (100 ns since 1601).
    let filetime = (1_710_495_000u64 + 11_644_473_600) * 10_000_000;
    let root_props = [vec![0u8; 32], prop(0x0040, 0x0E06, filetime)].concat();
    let recip_to = [vec![0u8; 8], prop(0x0003, 0x0C15, 1)].concat();
    let recip_cc = [vec![0u8; 8], prop(0x0003, 0x0C15, 2)].concat();
    let attach_props = [vec![0u8; 8], prop(0x0003, 0x3705, 1)].concat();
    let body = "Sehr geehrte Damen und Herren,\r\n\r\nanbei der Bescheid über 1.234,56 € vom 15.03.2024.\r\n\r\nMit freundlichen Grüßen\r\nJürgen Müller";
    ole(&[
        ("/__properties_version1.0", &root_props),
        ("/__substg1.0_0037001F", &utf16("Widerspruch gegen den Gebührenbescheid")),
        ("/__substg1.0_1000001F", &utf16(body)),
        ("/__substg1.0_0C1A001F", &utf16("Jürgen Müller")),
        ("/__substg1.0_5D01001F", &utf16("j.mueller@example.de")),
        ("/__recip_version1.0_#00000000/__properties_version1.0", &recip_to),
        ("/__recip_version1.0_#00000000/__substg1.0_3001001F", &utf16("Bürgerbüro")),
        ("/__recip_version1.0_#00000000/__substg1.0_39FE001F", &utf16("buergerbuero@example.de")),
        ("/__recip_version1.0_#00000001/__properties_version1.0", &recip_cc),
        ("/__recip_version1.0_#00000001/__substg1.0_3001001F", &utf16("Kämmerei")),
        ("/__recip_version1.0_#00000001/__substg1.0_39FE001F", &utf16("kaemmerei@example.de")),
        ("/__attach_version1.0_#00000000/__properties_version1.0", &attach_props),
        ("/__attach_version1.0_#00000000/__substg1.0_3707001F", &utf16(attachment.0)),
        ("/__attach_version1.0_#00000000/__substg1.0_37010102", attachment.1),
    ])
}

#[test]
fn outlook_msg_headers_body_and_attachments_like_an_eml() {
    let attached = pdf(&[&[&["Bescheid Seite 1"]], &[&["Seite 2: Gebühr 1.234,56 €"]]]);
    let bytes = outlook_msg(("Bescheid März.pdf", &attached));
    let doc = extract_bytes("widerspruch.eml", &bytes, &OPTS).unwrap_or_else(|e| panic!("{}", e.message_de()));
    assert_eq!(doc.source.detected_type, DocumentType::Msg);
    let blocks: Vec<_> = doc
        .blocks
        .iter()
        .map(|b| (b.kind, b.position.attachment.as_deref(), b.position.page, b.position.paragraph, b.text.as_str()))
        .collect();
    let h = BlockKind::EmailHeader;
    let p = BlockKind::Paragraph;
    assert_eq!(
        blocks,
        vec![
            (h, None, None, 1, "Von: Jürgen Müller <j.mueller@example.de>"),
            (h, None, None, 2, "An: Bürgerbüro <buergerbuero@example.de>"),
            (h, None, None, 3, "Cc: Kämmerei <kaemmerei@example.de>"),
            (h, None, None, 4, "Datum: 15.03.2024, 09:30 Uhr (UTC)"),
            (h, None, None, 5, "Betreff: Widerspruch gegen den Gebührenbescheid"),
            (p, None, None, 6, "Sehr geehrte Damen und Herren,"),
            (p, None, None, 7, "anbei der Bescheid über 1.234,56 € vom 15.03.2024."),
            (p, None, None, 8, "Mit freundlichen Grüßen\nJürgen Müller"),
            (p, Some("Bescheid März.pdf"), Some(1), 1, "Bescheid Seite 1"),
            (p, Some("Bescheid März.pdf"), Some(2), 2, "Seite 2: Gebühr 1.234,56 €"),
        ]
    );
    assert_eq!(doc.attachments.len(), 1);
    assert_eq!(doc.attachments[0].detected_type, Some(DocumentType::Pdf));
    assert_eq!(doc.metadata.title.as_deref(), Some("Widerspruch gegen den Gebührenbescheid"));
    assert_positions_consistent(&doc);

    let (code, message) = err_code(extract_bytes("abgebrochen.msg", &bytes[..bytes.len() / 3], &OPTS));
    assert_eq!(code, "document_corrupt", "{message}");
}

// ---------------------------------------------------------------------------------------------
// RTF, and a parser that panics

#[test]
fn rtf_paragraphs_with_umlauts_and_euro() {
    let rtf = br"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Arial;}}{\info{\title Bescheid}}
\f0\fs24 Sehr geehrte Frau Gro\'df,\par
\pard Ihre Geb\'fchr betr\'e4gt 12,50 \'80 und ist am 15.03.2024 f\'e4llig.\par
}";
    let doc = extract_bytes("brief.doc", rtf, &OPTS).unwrap_or_else(|e| panic!("{}", e.message_de()));
    assert_eq!(doc.source.detected_type, DocumentType::Rtf);
    assert_eq!(texts(&doc), vec!["Sehr geehrte Frau Groß,", "Ihre Gebühr beträgt 12,50 € und ist am 15.03.2024 fällig."]);
    assert_positions_consistent(&doc);
}

/// An unpaired UTF-16 surrogate in `\u` makes rtf-parser 0.4 panic (`String::from_utf16(..).unwrap()`).
pub const PANICKING_RTF: &[u8] = br"{\rtf1\ansi Kontonummer DE12 \u-10179 x}";

#[test]
fn a_panicking_parser_is_contained_and_the_batch_goes_on() {
    let (code, message) = err_code(extract_bytes("kaputt.rtf", PANICKING_RTF, &OPTS));
    assert_eq!(code, "document_parser_failed");
    assert_eq!(
        message,
        "Beim Lesen von „kaputt.rtf“ (RTF) ist ein interner Fehler aufgetreten. Die Datei wurde übersprungen; die übrigen Dateien sind nicht betroffen."
    );
    let dir = tempfile::tempdir().unwrap();
    let paths = [write(&dir, "kaputt.rtf", PANICKING_RTF), write(&dir, "gut.txt", "Straße".as_bytes())];
    let items = extract_batch(&paths, &OPTS);
    assert_eq!(items[0].result.as_ref().unwrap_err().code, "document_parser_failed");
    assert_eq!(texts(items[1].result.as_ref().unwrap()), vec!["Straße"]);
}

// ---------------------------------------------------------------------------------------------
// OCR: images and scanned PDFs (rendered at test time by tests/fixtures/make-scans.sh)

fn scans() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/make-scans.sh");
        let out = std::process::Command::new(script).arg(dir.path()).output().expect("tests/fixtures/make-scans.sh runs");
        assert!(out.status.success(), "make-scans.sh failed (make setup installs python3-pil and img2pdf): {}", String::from_utf8_lossy(&out.stderr));
        dir
    })
    .path()
}

const SCAN_WORDS: [&str; 4] = ["Straßenreinigungsgebühr", "1.234,56", "15.03.2024", "Größe"];

fn assert_ocr(doc: &Document, page: Option<u32>) {
    let text = doc.text();
    for word in SCAN_WORDS {
        assert!(text.contains(word), "{word:?} not in OCR text {text:?}");
    }
    for b in doc.blocks.iter().filter(|b| b.position.page == page || page.is_none()) {
        assert_eq!(b.kind, BlockKind::OcrLine);
        let c = b.ocr_confidence.expect("OCR blocks carry a confidence");
        assert!((0.5..=1.0).contains(&c), "confidence {c} for {:?}", b.text);
    }
    assert_positions_consistent(doc);
}

#[test]
fn images_are_read_by_ocr_with_confidence() {
    for name in ["scan.png", "scan.jpg", "scan-1bit.png"] {
        let doc = extract_file(scans().join(name), &OPTS).unwrap_or_else(|e| panic!("{name}: {}", e.message_de()));
        assert_eq!(doc.source.detected_type, DocumentType::Image, "{name}");
        assert_ocr(&doc, None);
        assert!(doc.blocks.iter().all(|b| b.position.page.is_none()), "{name}: a single image has no pages");
    }
    // A two-page TIFF: pages are numbered.
    let doc = extract_file(scans().join("scan.tiff"), &OPTS).unwrap();
    assert_ocr(&doc, None);
    let last = doc.blocks.last().unwrap();
    assert_eq!(last.position.page, Some(2));
    assert!(last.text.contains("Widerspruch") || doc.blocks.iter().any(|b| b.position.page == Some(2) && b.text.contains("Seite")));
}

#[test]
fn scanned_pdf_pages_are_read_by_ocr_with_page_numbers() {
    // JPEG (DCTDecode) page 1 and gray PNG (FlateDecode + predictor) page 2.
    let doc = extract_file(scans().join("scan-jpeg.pdf"), &OPTS).unwrap_or_else(|e| panic!("{}", e.message_de()));
    assert_eq!(doc.source.detected_type, DocumentType::Pdf);
    assert_ocr(&doc, None);
    assert!(doc.blocks.iter().any(|b| b.position.page == Some(1) && b.text.contains("Straßenreinigungsgebühr")));
    assert!(doc.blocks.iter().any(|b| b.position.page == Some(2) && b.text.contains("Widerspruch")));
    assert!(doc.blocks.iter().all(|b| b.position.page.is_some()));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    for name in ["scan-flate.pdf", "scan-1bit.pdf"] {
        let doc = extract_file(scans().join(name), &OPTS).unwrap_or_else(|e| panic!("{name}: {}", e.message_de()));
        assert_ocr(&doc, Some(1));
    }
    // The JSON form carries the confidence.
    let v = serde_json::to_value(&doc).unwrap();
    assert!(v["blocks"][0]["ocr_confidence"].as_f64().unwrap() > 0.5);
    assert_eq!(v["blocks"][0]["kind"], "ocr_line");
}

#[test]
fn missing_german_ocr_data_is_a_clear_german_error() {
    let empty = tempfile::tempdir().unwrap();
    let opts = ExtractOptions { tessdata_dir: Some(empty.path().to_path_buf()), ..OPTS };
    let (code, message) = err_code(extract_file(scans().join("scan.png"), &opts));
    assert_eq!(code, "ocr_unavailable");
    assert_eq!(
        message,
        "Die Texterkennung für „scan.png“ ist nicht verfügbar: Die deutschen Sprachdaten für Tesseract („deu“) fehlen. Bitte lassen Sie von Ihrer IT das Paket „tesseract-ocr-deu“ installieren (oder führen Sie „make setup“ aus)."
    );
    // In a PDF, a scanned page without OCR is a warning; the rest of the file is still read.
    let doc = extract_file(scans().join("scan-flate.pdf"), &opts).unwrap();
    assert!(doc.blocks.is_empty());
    assert_eq!(
        doc.warnings,
        vec!["Seite 1 hat keine Textebene (gescannt?) und wurde nicht gelesen: Die deutschen Sprachdaten für Tesseract („deu“) fehlen."]
    );
}

#[test]
fn broken_images_are_typed_errors() {
    let png = std::fs::read(scans().join("scan.png")).unwrap();
    let (code, message) = err_code(extract_bytes("abgeschnitten.png", &png[..200], &OPTS));
    assert_eq!(code, "document_corrupt", "{message}");
    assert_eq!(message, "Die Datei „abgeschnitten.png“ (Bild) ist beschädigt oder unvollständig und kann nicht gelesen werden.");
}

// ---------------------------------------------------------------------------------------------
// Seed corpora for `make fuzz`: every fixture of this file, written per fuzz target.

#[test]
#[ignore = "writes the fuzz seed corpora; run by `make fuzz`"]
fn write_fuzz_seeds() {
    let Some(out) = std::env::var_os("SCHREIBSTUBE_FUZZ_SEEDS") else { return };
    let out = PathBuf::from(out);
    let multi_page = pdf(&[&[&["Bescheid über 1.234,56 €", "vom 15.03.2024"]], &[&["Seite 2: Straße"]]]);
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode("Gebühr für die Straße: 12,50 € am 15.03.2024\r\n");
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(utf16("Größe: 3 m², Maß 5 €\n")).collect();
    let seeds: Vec<(&str, &str, Vec<u8>)> = vec![
        ("pdf", "mehrseitig.pdf", multi_page.clone()),
        ("pdf", "verschluesselt.pdf", encrypted_pdf("geheim")),
        ("pdf", "leer-seite.pdf", pdf(&[&[&["Seite eins"]], &[]])),
        ("docx", "brief.docx", docx(&[w_p(Some("Heading1"), false, &w_r("Bescheid")), w_p(None, true, &w_r("Gebühr 12,50 €"))].concat())),
        ("odt", "brief.odt", odt("<text:h text:outline-level=\"1\">Bescheid</text:h><text:p>Straße 5 €</text:p><table:table><table:table-row><table:table-cell><text:p>a</text:p></table:table-cell></table:table-row></table:table>")),
        ("xlsx", "tabelle.xlsx", xlsx(&["Name", "Müller"], r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1234.5</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" s="1"><v>45366</v></c></row>"#)),
        ("ods", "tabelle.ods", ods(r#"<table:table table:name="A"><table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="2"><text:p>1.234,50 €</text:p></table:table-cell></table:table-row></table:table>"#)),
        ("msg", "nachricht.msg", outlook_msg(("anhang.pdf", &multi_page))),
        ("eml", "nachricht.eml", eml_with_attachments(&multi_page).into_bytes()),
        ("rtf", "brief.rtf", br"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}{\info{\title T}}\f0 Stra\'dfe 12,50 \'80\par Zweiter\par}".to_vec()),
        ("csv", "liste.csv", "Name;Betrag;Datum\r\n\"Müller; Anna\";1.234,56 €;03.04.2024\r\n".as_bytes().to_vec()),
        ("html", "seite.html", "<html><head><title>Amt</title></head><body><h1>Bescheid</h1><p>Gebühr 5 €</p><ul><li>Straße</li></ul><table><tr><td>a</td><td>b</td></tr></table></body></html>".as_bytes().to_vec()),
        ("text", "ansi.txt", cp1252.into_owned()),
        ("text", "unicode.txt", utf16),
        ("text", "notiz.md", "# Überschrift\n\n- Punkt mit ß\n\nAbsatz 3 €\n".as_bytes().to_vec()),
    ];
    for (target, name, bytes) in &seeds {
        for dir in [*target, "extract"] {
            std::fs::create_dir_all(out.join(dir)).unwrap();
            std::fs::write(out.join(dir).join(name), bytes).unwrap();
        }
    }
}
