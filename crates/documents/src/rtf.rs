//! RTF, with `rtf-parser` (lexer + parser, maintained). It is known to panic on malformed input
//! (e.g. an unpaired UTF-16 surrogate in `\u`); `lib.rs` runs every reader behind
//! `catch_unwind`, so such a file becomes `document_parser_failed` and the panic message (which
//! can quote the file) is never printed: the CLI and the app install a silent panic hook.
//!
//! Two things the crate leaves to us:
//! - it drops `\par`, so paragraphs would run together: `\par` is turned into `\line` (which it
//!   keeps as a line break) before parsing, and every line break ends a block;
//! - `\'hh` escapes come out as the Latin-1 character of the byte, which is right for umlauts
//!   and ß in the usual Windows-1252 RTF but not for 0x80–0x9F (€, „, “, –): those are mapped
//!   through Windows-1252 afterwards.

use rtf_parser::RtfDocument;

use super::{Parsed, RawBlock, ReadError};

pub fn read(bytes: &[u8]) -> Result<Parsed, ReadError> {
    // RTF is 7-bit by specification; stray 8-bit bytes are taken as Windows-1252, as Word does.
    let (source, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    let source = par_to_line(&skip_groups(&source));
    let doc = RtfDocument::try_from(source.as_str()).map_err(|_| ReadError::Corrupt)?;
    let text: String = doc.get_text().chars().map(cp1252_c1).collect();
    let blocks = text
        .split('\n')
        .map(|l| l.replace('\t', " ").trim().to_owned())
        .filter(|l| !l.is_empty())
        .map(RawBlock::paragraph)
        .collect();
    Ok(Parsed { blocks, ..Default::default() })
}

/// Groups the parser would show as text although they are not the document's text: document
/// information (title, author), pictures and embedded objects (hex dumps), headers and footers.
const SKIPPED_GROUPS: &[&str] = &["info", "pict", "object", "header", "headerl", "headerr", "headerf", "footer", "footerl", "footerr", "footerf"];

/// Removes `{\info …}` and the other [`SKIPPED_GROUPS`] with everything nested in them.
fn skip_groups(src: &str) -> String {
    let bytes = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2, // an escaped brace or backslash is text
            b'{' => {
                let word: String = src[i + 1..].strip_prefix('\\').unwrap_or("").chars().take_while(char::is_ascii_alphabetic).collect();
                if SKIPPED_GROUPS.contains(&word.as_str()) {
                    out.push_str(&src[copied..i]);
                    let mut depth = 0usize;
                    while i < bytes.len() {
                        match bytes[i] {
                            b'\\' => i += 1,
                            b'{' => depth += 1,
                            b'}' => {
                                depth -= 1;
                                if depth == 0 {
                                    i += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                    copied = i.min(bytes.len());
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(src.get(copied..).unwrap_or(""));
    out
}

/// `\par` (a control word: not followed by a letter, not itself escaped) → `\line`.
fn par_to_line(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + src.len() / 50);
    let mut rest = src;
    while let Some(i) = rest.find("\\par") {
        let before = &rest[..i];
        let escaped = before.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1;
        let next = rest[i + 4..].chars().next();
        out.push_str(before);
        if !escaped && !next.is_some_and(|c| c.is_ascii_alphabetic()) {
            out.push_str("\\line");
        } else {
            out.push_str("\\par");
        }
        rest = &rest[i + 4..];
    }
    out.push_str(rest);
    out
}

/// U+0080–U+009F (C1 controls, never text) → the Windows-1252 character of that byte.
fn cp1252_c1(c: char) -> char {
    let code = c as u32;
    if (0x80..=0x9F).contains(&code) {
        let byte = [code as u8];
        encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte).0.chars().next().unwrap_or(c)
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_umlauts_and_euro() {
        let rtf = br"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}\f0\fs24 Stra\'dfe und Geb\'fchr: 12,50 \'80\par\pard Zweiter Absatz am 15.03.2024.\par}";
        let parsed = read(rtf).unwrap();
        let texts: Vec<_> = parsed.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, vec!["Straße und Gebühr: 12,50 €", "Zweiter Absatz am 15.03.2024."]);
    }

    #[test]
    fn info_and_pictures_are_not_text() {
        assert_eq!(skip_groups(r"{\rtf1{\info{\title T\}}}A{\pict 89ab}B\{C}"), r"{\rtf1AB\{C}");
    }

    #[test]
    fn par_is_replaced_only_as_a_control_word() {
        assert_eq!(par_to_line(r"a\par b\pard c\\par d\par"), r"a\line b\pard c\\par d\line");
    }
}
