//! E-mails (.eml, RFC 5322/MIME): headers, body and attachments.
//!
//! `mail-parser` 0.11 decodes what real mail contains: quoted-printable and base64, ISO-8859-1
//! and other legacy charsets, RFC 2047 encoded headers and RFC 2231 attachment names; it returns
//! `None` rather than panicking on broken input and limits MIME nesting itself. (1.x needs a
//! newer Rust than the project's toolchain floor; 0.11 has the same parser.)
//!
//! Blocks: one `email_header` each for From, To, Cc, Date and Subject, labelled in German
//! ("Von:", "An:", "Cc:", "Datum:", "Betreff:") because these labels are what users read and
//! what the German prompts quote; then the plain-text body (or the HTML body through `html.rs`
//! when there is no plain text). Attachments, attached e-mails included, are handed back as
//! bytes; `mod.rs` reads them recursively with their own positions.

use mail_parser::{Address, DateTime, MessageParser, MimeHeaders, PartType};

use super::model::{BlockKind, Metadata};
use super::{html, RawAttachment, RawBlock, ReadError};
use super::Parsed;

pub fn read(bytes: &[u8]) -> Result<Parsed, ReadError> {
    let message = MessageParser::default().parse(bytes).ok_or(ReadError::Corrupt)?;
    if message.headers().is_empty() {
        return Err(ReadError::Corrupt);
    }
    let date = message.date();
    let headers = Headers {
        from: message.from().map(addresses),
        to: message.to().map(addresses),
        cc: message.cc().map(addresses),
        date: date.map(german_date),
        subject: message.subject().map(|s| s.trim().to_owned()),
    };
    let body = |&id: &u32| match &message.part(id)?.body {
        PartType::Text(text) => Some(Body::Text(text)),
        PartType::Html(markup) => Some(Body::Html(markup)),
        _ => None,
    };
    let plain = (!message.text_body.is_empty()).then(|| message.text_body.iter().filter_map(body));
    let blocks = message_blocks(&headers, plain, message.html_body.iter().filter_map(body));

    let mut warnings = Vec::new();
    if message.parts.iter().any(|p| p.is_encoding_problem) {
        warnings.push("Teile der E-Mail sind fehlerhaft kodiert und wurden so gut wie möglich gelesen.".to_owned());
    }

    let mut attachments = Vec::new();
    for (n, &id) in message.attachments.iter().enumerate() {
        let Some(part) = message.part(id) else { continue };
        let is_message = matches!(part.body, PartType::Message(_));
        let name = match part.attachment_name() {
            Some(name) if is_message && !name.to_ascii_lowercase().ends_with(".eml") => format!("{name}.eml"),
            Some(name) => name.to_owned(),
            None if is_message => format!("nachricht-{}.eml", n + 1),
            None => String::new(),
        };
        attachments.push(RawAttachment { name, bytes: part.contents().to_vec() });
    }

    let metadata = Metadata {
        title: headers.subject.clone(),
        author: headers.from,
        created: date.map(DateTime::to_rfc3339),
        modified: None,
        subject: headers.subject,
    };
    Ok(Parsed { metadata, blocks, warnings, attachments })
}

/// What an e-mail (`.eml` or Outlook `.msg`) shows above its body, as text.
pub(crate) struct Headers {
    pub from: Option<String>,
    pub to: Option<String>,
    pub cc: Option<String>,
    pub date: Option<String>,
    pub subject: Option<String>,
}

/// One part of an e-mail's body.
pub(crate) enum Body<'a> {
    Text(&'a str),
    Html(&'a str),
}

/// An e-mail's blocks, `.eml` and `.msg` alike: one `email_header` each for From, To, Cc, Date
/// and Subject, labelled "Von:", "An:", "Cc:", "Datum:", "Betreff:" (empty ones left out); then
/// the body: its plain-text parts, or its HTML parts when it has no plain text (`plain` is
/// `None`).
pub(crate) fn message_blocks<'a>(
    headers: &Headers,
    plain: Option<impl IntoIterator<Item = Body<'a>>>,
    html: impl IntoIterator<Item = Body<'a>>,
) -> Vec<RawBlock> {
    let mut blocks = Vec::new();
    let fields = [
        ("Von", &headers.from),
        ("An", &headers.to),
        ("Cc", &headers.cc),
        ("Datum", &headers.date),
        ("Betreff", &headers.subject),
    ];
    for (label, value) in fields {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            blocks.push(RawBlock::new(BlockKind::EmailHeader, format!("{label}: {v}")));
        }
    }
    let mut add = |part: Body<'_>| match part {
        Body::Text(text) => blocks.extend(text_paragraphs(text).map(RawBlock::paragraph)),
        Body::Html(markup) => blocks.extend(html::to_blocks(markup).blocks),
    };
    match plain {
        Some(parts) => parts.into_iter().for_each(&mut add),
        None => html.into_iter().for_each(&mut add),
    }
    blocks
}

/// "Erika Muster <erika@example.de>, b@example.de"
fn addresses(address: &Address) -> String {
    address
        .iter()
        .map(|a| match (a.name.as_deref(), a.address.as_deref()) {
            (Some(name), Some(addr)) if !name.trim().is_empty() => format!("{} <{addr}>", name.trim()),
            (_, Some(addr)) => addr.to_owned(),
            (Some(name), None) => name.trim().to_owned(),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "15.03.2024, 10:30 Uhr (+01:00)": the sender's local time, as the user would read it.
fn german_date(d: &DateTime) -> String {
    let sign = if d.tz_before_gmt { '-' } else { '+' };
    format!(
        "{:02}.{:02}.{:04}, {:02}:{:02} Uhr ({sign}{:02}:{:02})",
        d.day, d.month, d.year, d.hour, d.minute, d.tz_hour, d.tz_minute
    )
}

/// The body's paragraphs: blank-line separated, trimmed.
pub(crate) fn text_paragraphs(text: &str) -> impl Iterator<Item = String> + '_ {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .flat_map(|chunk| chunk.split("\n \n"))
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_body_and_legacy_charsets() {
        let eml = b"From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <j.mueller@example.de>\r\n\
To: buergerbuero@example.de\r\n\
Subject: =?UTF-8?B?QW50cmFnIGF1ZiBHZWLDvGhyZW5lcmxhc3M=?=\r\n\
Date: Fri, 15 Mar 2024 10:30:00 +0100\r\n\
Content-Type: text/plain; charset=ISO-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Sehr geehrte Damen und Herren,\r\n\
\r\n\
ich beantrage den Erlass der Geb=FChr von 12,50 EUR (Stra=DFe).\r\n";
        let parsed = read(eml).unwrap();
        let texts: Vec<_> = parsed.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Von: Jürgen Müller <j.mueller@example.de>",
                "An: buergerbuero@example.de",
                "Datum: 15.03.2024, 10:30 Uhr (+01:00)",
                "Betreff: Antrag auf Gebührenerlass",
                "Sehr geehrte Damen und Herren,",
                "ich beantrage den Erlass der Gebühr von 12,50 EUR (Straße).",
            ]
        );
        assert!(parsed.blocks[..4].iter().all(|b| b.kind == BlockKind::EmailHeader));
        assert_eq!(parsed.metadata.created.as_deref(), Some("2024-03-15T10:30:00+01:00"));
        assert_eq!(parsed.metadata.author.as_deref(), Some("Jürgen Müller <j.mueller@example.de>"));
    }

    #[test]
    fn headers_then_the_plain_text_or_else_the_html_body() {
        let headers = Headers {
            from: Some(" a@example.de ".to_owned()),
            to: None,
            cc: Some("  ".to_owned()),
            date: Some("15.03.2024, 10:30 Uhr (UTC)".to_owned()),
            subject: Some("Termin".to_owned()),
        };
        let texts = |blocks: Vec<RawBlock>| blocks.into_iter().map(|b| b.text).collect::<Vec<_>>();
        let with_plain = message_blocks(&headers, Some([Body::Text("Hallo,\r\n\r\nGrüße")]), [Body::Html("<p>HTML</p>")]);
        assert_eq!(
            texts(with_plain),
            ["Von: a@example.de", "Datum: 15.03.2024, 10:30 Uhr (UTC)", "Betreff: Termin", "Hallo,", "Grüße"]
        );
        let html_only = message_blocks(&headers, None::<[Body<'_>; 0]>, [Body::Html("<p>Nur <b>HTML</b></p>")]);
        assert_eq!(texts(html_only)[3..], ["Nur HTML"]);
    }
}
