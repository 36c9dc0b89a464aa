//! Outlook messages (.msg, an OLE compound file), with `msg_parser` (pure Rust; returns errors
//! on broken files). Read exactly like an .eml (`email.rs`): `email_header` blocks "Von:",
//! "An:", "Cc:", "Datum:", "Betreff:", then the plain-text body (or the HTML body through
//! `html.rs`), and the attachments handed back as bytes for `lib.rs` to read recursively with
//! their own positions.
//!
//! Outlook stores times in UTC without the sender's zone, so the date reads
//! "18.11.2013, 08:26 Uhr (UTC)".

use std::io::Cursor;

use msg_parser::{Outlook, Person};

use super::limits::Budget;
use super::email::{self, Body, Headers};
use super::model::Metadata;
use super::{Parsed, RawAttachment, ReadError};

pub fn read(bytes: &[u8], budget: &Budget) -> Result<Parsed, ReadError> {
    check_streams(bytes, budget)?;
    let msg = Outlook::from_slice(bytes).map_err(|_| ReadError::Corrupt)?;
    let date = [&msg.message_delivery_time, &msg.client_submit_time, &msg.creation_time]
        .into_iter()
        .find(|d| !d.trim().is_empty())
        .map(|d| d.trim().to_owned());
    let headers = Headers {
        from: person(&msg.sender),
        to: people(&msg.to),
        cc: people(&msg.cc),
        date: date.as_deref().map(german_utc_date),
        subject: Some(msg.subject.trim().to_owned()).filter(|s| !s.is_empty()),
    };
    let plain = (!msg.body.trim().is_empty()).then_some([Body::Text(&msg.body)]);
    let html = (!msg.html.trim().is_empty()).then_some(Body::Html(&msg.html));
    let blocks = email::message_blocks(&headers, plain, html);

    let mut warnings = Vec::new();
    let mut attachments = Vec::new();
    for (n, a) in msg.attachments.into_iter().enumerate() {
        let name = [&a.long_file_name, &a.file_name, &a.display_name]
            .into_iter()
            .map(|s| s.trim())
            .find(|s| !s.is_empty())
            .unwrap_or("")
            .to_owned();
        if a.payload_bytes.is_empty() {
            // Embedded messages (attach method 5) are storages, not byte streams; msg_parser
            // gives no bytes for them. They are named so the user knows they exist.
            let what = if a.is_embedded_message() { "eingebettete Nachricht" } else { "Anhang" };
            let shown = if name.is_empty() { format!("Nr. {}", n + 1) } else { format!("„{name}“") };
            warnings.push(format!("{what} {shown} enthält keine lesbaren Daten und wurde nicht gelesen."));
            continue;
        }
        attachments.push(RawAttachment { name, bytes: a.payload_bytes });
    }

    let metadata = Metadata {
        title: headers.subject.clone(),
        author: headers.from,
        created: date,
        modified: None,
        subject: headers.subject,
    };
    Ok(Parsed { metadata, blocks, warnings, attachments })
}

/// msg_parser trusts the stream sizes in the file's directory and allocates each stream up front
/// (`make fuzz` found a 4 GiB allocation from a 6 KB file; an allocation failure aborts the
/// process, which no `catch_unwind` catches). So the directory is read with the `cfb` crate
/// first: no stream may be larger than the file, and all together must fit the budget.
fn check_streams(bytes: &[u8], budget: &Budget) -> Result<(), ReadError> {
    let file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| ReadError::Corrupt)?;
    let mut total = 0u64;
    for entry in file.walk() {
        // msg_parser slices property stream names by byte offsets and panics inside a
        // multi-byte character (found by `make fuzz`); Outlook writes them in ASCII.
        if entry.name().starts_with("__") && !entry.name().is_ascii() {
            return Err(ReadError::Corrupt);
        }
        if entry.is_stream() {
            if entry.len() > bytes.len() as u64 {
                return Err(ReadError::Corrupt);
            }
            total = total.saturating_add(entry.len());
        }
    }
    if budget.take(total) { Ok(()) } else { Err(ReadError::Limit) }
}

fn person(p: &Person) -> Option<String> {
    let (name, email) = (p.name.trim(), p.email.trim());
    let s = match (name.is_empty(), email.is_empty()) {
        (false, false) if name != email => format!("{name} <{email}>"),
        (false, _) => name.to_owned(),
        (true, false) => email.to_owned(),
        (true, true) => return None,
    };
    Some(s)
}

fn people(list: &[Person]) -> Option<String> {
    let all: Vec<String> = list.iter().filter_map(person).collect();
    (!all.is_empty()).then(|| all.join(", "))
}

/// "2013-11-18T08:26:29Z" → "18.11.2013, 08:26 Uhr (UTC)"; anything else is kept as is.
fn german_utc_date(iso: &str) -> String {
    let parse = || -> Option<String> {
        let (date, time) = iso.split_once('T')?;
        let mut d = date.split('-');
        let (y, m, day) = (d.next()?, d.next()?, d.next()?);
        let hm = time.get(..5)?;
        Some(format!("{day}.{m}.{y}, {hm} Uhr (UTC)"))
    };
    parse().unwrap_or_else(|| iso.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_read_the_german_way() {
        assert_eq!(german_utc_date("2013-11-18T08:26:29Z"), "18.11.2013, 08:26 Uhr (UTC)");
        assert_eq!(german_utc_date("gestern"), "gestern");
    }

    #[test]
    fn broken_messages_are_corrupt_not_panics() {
        let budget = Budget::new(&Default::default());
        let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        bytes.resize(2048, 0xFF);
        assert_eq!(read(&bytes, &budget).unwrap_err(), ReadError::Corrupt);
        // Found by `make fuzz`: a directory entry declaring a 4 GiB stream in a 6 KB file.
        let bomb = include_bytes!("../tests/data/fuzz-msg-4gib-stream.msg");
        assert_eq!(read(bomb, &budget).unwrap_err(), ReadError::Corrupt);
    }
}
