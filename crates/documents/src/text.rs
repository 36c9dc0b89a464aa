//! Plain text and Markdown, and the character-encoding detection every text format shares.
//!
//! Office PCs still produce Windows-1252 (Notepad before 2019, old exports), UTF-16 with BOM
//! (Windows tools, "Unicode" in Notepad) and UTF-8. A wrong guess turns "Größe" into "GrÃ¶ÃŸe",
//! which the model would then quote. The order of checks:
//! 1. a byte-order mark decides (UTF-8, UTF-16LE/BE);
//! 2. UTF-16 without BOM, recognised by its zero bytes in every other position;
//! 3. valid UTF-8 is UTF-8;
//! 4. UTF-8 with a few broken bytes (a file cut mid-character) is read as UTF-8 with a warning;
//! 5. otherwise `chardetng` (Firefox's detector) picks a legacy encoding, for German text
//!    Windows-1252.
//!
//! Text that still has many replacement or control characters after decoding is refused as
//! undecodable rather than handed on as garbage.
//!
//! Paragraphs are split at blank lines; single line breaks inside a paragraph are kept
//! (addresses, lists in letters). Markdown additionally knows ATX/Setext headings, list items
//! and pipe tables: enough structure for citations, no rendering.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use super::model::BlockKind;
use super::{Parsed, RawBlock, ReadError};

/// Text decoded from bytes, with what the user should know about it.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub warnings: Vec<String>,
}

/// Decodes a whole text file; `Err` if it is not text in any encoding we can tell.
pub fn decode(bytes: &[u8]) -> Result<Decoded, ReadError> {
    let mut warnings = Vec::new();
    let (text, replaced) = if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        decode_with(enc, &bytes[bom_len..])
    } else if let Some(enc) = utf16_without_bom(bytes) {
        decode_with(enc, bytes)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.to_owned(), 0)
    } else if let Some((text, replaced)) = almost_utf8(bytes) {
        (text, replaced)
    } else {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        let sample = &bytes[..bytes.len().min(1 << 20)];
        detector.feed(sample, sample.len() == bytes.len());
        decode_with(detector.guess(None, chardetng::Utf8Detection::Allow), bytes)
    };
    let chars = text.chars().count().max(1);
    let controls = text.chars().filter(|&c| is_binary_control(c)).count();
    // A few broken characters are survivable (and said); many mean the guess was wrong.
    if replaced > (chars / 200).max(3) || controls * 50 > chars {
        return Err(ReadError::Undecodable);
    }
    if replaced > 0 {
        warnings.push(format!(
            "{replaced} Zeichen konnten nicht gelesen werden und wurden durch „�“ ersetzt (beschädigte Textkodierung)."
        ));
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    Ok(Decoded { text, warnings })
}

fn decode_with(enc: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    let replaced = if had_errors { text.chars().filter(|&c| c == '\u{FFFD}').count() } else { 0 };
    (text.into_owned(), replaced)
}

/// UTF-16 without a BOM: most code units of Latin text have a zero high byte.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zero_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = sample.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if zero_odd * 10 >= pairs * 7 && zero_even * 10 <= pairs {
        Some(UTF_16LE)
    } else if zero_even * 10 >= pairs * 7 && zero_odd * 10 <= pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// UTF-8 with a handful of invalid bytes among plenty of valid multi-byte characters.
fn almost_utf8(bytes: &[u8]) -> Option<(String, usize)> {
    let (text, _) = decode_with(UTF_8, bytes);
    let replaced = text.chars().filter(|&c| c == '\u{FFFD}').count();
    let multibyte = text.chars().filter(|&c| !c.is_ascii() && c != '\u{FFFD}').count();
    (multibyte >= 1 && replaced <= 3 && replaced * 2 <= multibyte).then_some((text, replaced))
}

/// Control characters that do not occur in text files (tab, line feed, form feed, carriage
/// return and the DOS end-of-file mark do).
fn is_binary_control(c: char) -> bool {
    (c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1a')) || ('\u{80}'..='\u{9f}').contains(&c)
}

/// The decoded start of a file if it looks like text at all; `None` for binary data. Used by
/// detection, which only needs the ASCII structure (headers, tags, delimiters).
pub fn sniff_prefix(bytes: &[u8], max: usize) -> Option<String> {
    let head = &bytes[..bytes.len().min(max)];
    let text = if let Some((enc, bom_len)) = Encoding::for_bom(head) {
        enc.decode_without_bom_handling(&head[bom_len..]).0.into_owned()
    } else if let Some(enc) = utf16_without_bom(head) {
        enc.decode_without_bom_handling(head).0.into_owned()
    } else {
        if head.contains(&0) {
            return None;
        }
        // Legacy encodings only differ above ASCII; structure sniffing needs none of that.
        String::from_utf8_lossy(head).into_owned()
    };
    let chars = text.chars().count().max(1);
    let controls = text.chars().filter(|&c| is_binary_control(c)).count();
    (controls * 50 <= chars).then_some(text)
}

/// A .txt file: paragraphs at blank lines.
pub fn read_txt(bytes: &[u8]) -> Result<Parsed, ReadError> {
    let decoded = decode(bytes)?;
    let blocks = paragraphs(&decoded.text).map(RawBlock::paragraph).collect();
    Ok(Parsed { blocks, warnings: decoded.warnings, ..Default::default() })
}

/// Blank-line separated chunks, trimmed, empty ones dropped. A form feed (page break in text
/// exports) separates too.
fn paragraphs(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut chunks = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.split(['\n', '\x0c']) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                chunks.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        chunks.push(current.join("\n"));
    }
    chunks.into_iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty())
}

/// A Markdown file: headings, list items, table rows and paragraphs.
pub fn read_markdown(bytes: &[u8]) -> Result<Parsed, ReadError> {
    let decoded = decode(bytes)?;
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut item: Option<String> = None;
    let mut in_fence = false;

    fn flush(blocks: &mut Vec<RawBlock>, para: &mut Vec<&str>, item: &mut Option<String>) {
        if !para.is_empty() {
            blocks.push(RawBlock::paragraph(para.join("\n")));
            para.clear();
        }
        if let Some(text) = item.take() {
            blocks.push(RawBlock::new(BlockKind::ListItem, text));
        }
    }

    let lines: Vec<&str> = decoded.text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        i += 1;
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            if !in_fence {
                flush(&mut blocks, &mut para, &mut item);
            }
            continue;
        }
        if in_fence {
            para.push(line);
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut blocks, &mut para, &mut item);
            continue;
        }
        if let Some((level, text)) = atx_heading(trimmed) {
            flush(&mut blocks, &mut para, &mut item);
            blocks.push(RawBlock::heading(level, text));
            continue;
        }
        // Setext: a paragraph line underlined with === or ---.
        if let Some(next) = lines.get(i).map(|l| l.trim()) {
            let underline = |c: char| next.len() >= 2 && next.chars().all(|x| x == c);
            if para.is_empty() && item.is_none() && (underline('=') || underline('-')) && list_marker(trimmed).is_none() {
                blocks.push(RawBlock::heading(if underline('=') { 1 } else { 2 }, trimmed.to_owned()));
                i += 1;
                continue;
            }
        }
        if trimmed.starts_with('|') {
            flush(&mut blocks, &mut para, &mut item);
            let cells: Vec<&str> = trimmed.trim_matches('|').split('|').map(str::trim).collect();
            let separator = cells.iter().all(|c| !c.is_empty() && c.chars().all(|x| matches!(x, '-' | ':' | ' ')));
            if !separator {
                blocks.push(RawBlock::new(BlockKind::TableRow, cells.join(" | ")));
            }
            continue;
        }
        if let Some(rest) = list_marker(trimmed) {
            flush(&mut blocks, &mut para, &mut item);
            item = Some(rest.to_owned());
            continue;
        }
        match &mut item {
            // An indented or lazy continuation line of a list item.
            Some(text) => {
                text.push('\n');
                text.push_str(trimmed);
            }
            None => para.push(line.trim_end()),
        }
    }
    flush(&mut blocks, &mut para, &mut item);
    Ok(Parsed { blocks, warnings: decoded.warnings, ..Default::default() })
}

fn atx_heading(line: &str) -> Option<(u8, String)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let text = rest.trim().trim_end_matches('#').trim_end();
    (!text.is_empty()).then(|| (hashes as u8, text.to_owned()))
}

/// The text after a list marker ("- ", "* ", "+ ", "1. ", "1) "), if the line is a list item.
fn list_marker(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix(['-', '*', '+']) {
        return rest.starts_with(' ').then(|| rest.trim_start());
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(['.', ')']) {
            return rest.starts_with(' ').then(|| rest.trim_start());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const GERMAN: &str = "Größe: 12,50 € – Grüße aus Straßburg, Übergabe am 03.04.2024.";

    #[test]
    fn decodes_the_encodings_of_office_pcs() {
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(GERMAN);
        assert_eq!(decode(&cp1252).unwrap().text, GERMAN);

        let mut utf16le = vec![0xFF, 0xFE];
        utf16le.extend(GERMAN.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&utf16le).unwrap().text, GERMAN);

        let mut utf16be = vec![0xFE, 0xFF];
        utf16be.extend(GERMAN.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&utf16be).unwrap().text, GERMAN);

        let bare_utf16le: Vec<u8> = GERMAN.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&bare_utf16le).unwrap().text, GERMAN);

        let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
        utf8_bom.extend(GERMAN.as_bytes());
        assert_eq!(decode(&utf8_bom).unwrap().text, GERMAN);
    }

    #[test]
    fn utf8_cut_mid_character_is_read_with_a_warning() {
        let bytes = GERMAN.as_bytes();
        let cut = &bytes[..bytes.len() - 1];
        let mut broken = cut.to_vec();
        broken.extend("ß".as_bytes().first());
        let decoded = decode(&broken).unwrap();
        assert!(decoded.text.starts_with("Größe: 12,50 €"));
        assert_eq!(decoded.warnings.len(), 1);
    }

    #[test]
    fn binary_is_not_text() {
        assert!(sniff_prefix(&[0u8, 1, 2, 3, 200, 17, 5], 100).is_none());
        assert!(sniff_prefix(b"Hallo\n", 100).is_some());
        assert!(matches!(decode(&[1u8, 2, 3, 4, 5, 6, 7, 8, 65, 66]), Err(ReadError::Undecodable)));
    }

    #[test]
    fn markdown_structure() {
        let md = "# Bescheid\n\nText eins\nnoch eins\n\n- Punkt ä\n- Punkt ö\n  weiter\n\nTitel\n=====\n\n| A | B |\n|---|---|\n| 1,5 € | 2 |\n";
        let parsed = read_markdown(md.as_bytes()).unwrap();
        let kinds: Vec<_> = parsed.blocks.iter().map(|b| (b.kind, b.text.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (BlockKind::Heading, "Bescheid"),
                (BlockKind::Paragraph, "Text eins\nnoch eins"),
                (BlockKind::ListItem, "Punkt ä"),
                (BlockKind::ListItem, "Punkt ö\nweiter"),
                (BlockKind::Heading, "Titel"),
                (BlockKind::TableRow, "A | B"),
                (BlockKind::TableRow, "1,5 € | 2"),
            ]
        );
        assert_eq!(parsed.blocks[0].level, Some(1));
    }
}
