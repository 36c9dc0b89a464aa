//! Turning token pieces into user-visible text: UTF-8 that may split across tokens, and stop strings
//! that may split across tokens too. Pure code, no model needed.

/// Collects the bytes of token pieces and releases text only when it is complete UTF-8 and cannot
/// be the beginning of a stop string any more.
#[derive(Debug, Default)]
pub struct TextStream {
    pending_bytes: Vec<u8>,
    /// Text decoded but held back because it could start a stop string.
    held: String,
    stops: Vec<String>,
    /// Everything released so far.
    emitted: String,
}

/// What one call to [`TextStream::push`] produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    /// Text that can be shown now (may be empty).
    Text(String),
    /// A stop string was reached; this is the final text before it.
    Stop(String),
}

impl TextStream {
    pub fn new(stops: &[String]) -> Self {
        Self { stops: stops.iter().filter(|s| !s.is_empty()).cloned().collect(), ..Default::default() }
    }

    pub fn push(&mut self, bytes: &[u8]) -> Pushed {
        self.pending_bytes.extend_from_slice(bytes);
        let valid_up_to = match std::str::from_utf8(&self.pending_bytes) {
            Ok(s) => s.len(),
            // An incomplete sequence at the end waits for the next token; invalid bytes in the
            // middle are replaced so that a broken model cannot wedge the stream.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => {
                let lossy = String::from_utf8_lossy(&self.pending_bytes).into_owned();
                self.pending_bytes.clear();
                self.held.push_str(&lossy);
                return self.release();
            }
        };
        let rest = self.pending_bytes.split_off(valid_up_to);
        let complete = std::mem::replace(&mut self.pending_bytes, rest);
        // from_utf8 succeeded on this prefix above.
        self.held.push_str(std::str::from_utf8(&complete).unwrap_or_default());
        self.release()
    }

    fn release(&mut self) -> Pushed {
        if let Some(pos) = self.stops.iter().filter_map(|s| self.held.find(s.as_str())).min() {
            let out = self.held[..pos].to_string();
            self.emitted.push_str(&out);
            self.held.clear();
            return Pushed::Stop(out);
        }
        // Hold back the longest suffix of `held` that is a proper prefix of some stop string.
        let keep = self
            .stops
            .iter()
            .map(|s| longest_suffix_prefix(&self.held, s))
            .max()
            .unwrap_or(0);
        let cut = self.held.len() - keep;
        let out: String = self.held.drain(..cut).collect();
        self.emitted.push_str(&out);
        Pushed::Text(out)
    }

    /// Releases whatever is still held (end of generation).
    pub fn finish(&mut self) -> String {
        let mut out = std::mem::take(&mut self.held);
        if !self.pending_bytes.is_empty() {
            out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut self.pending_bytes)));
        }
        self.emitted.push_str(&out);
        out
    }

    pub fn emitted(&self) -> &str {
        &self.emitted
    }
}

/// Length of the longest suffix of `text` that is a proper prefix of `stop`, on char boundaries.
fn longest_suffix_prefix(text: &str, stop: &str) -> usize {
    let max = text.len().min(stop.len().saturating_sub(1));
    (1..=max)
        .rev()
        .find(|&n| text.is_char_boundary(text.len() - n) && stop.starts_with(&text[text.len() - n..]))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlaut_split_across_tokens_is_released_whole() {
        let mut s = TextStream::new(&[]);
        let bytes = "Grüße".as_bytes();
        // "ü" is two bytes: split between them.
        assert_eq!(s.push(&bytes[..3]), Pushed::Text("Gr".into()));
        assert_eq!(s.push(&bytes[3..]), Pushed::Text("üße".into()));
        assert_eq!(s.emitted(), "Grüße");
    }

    #[test]
    fn stop_string_split_across_tokens_is_never_shown() {
        let mut s = TextStream::new(&["\n\nFrage:".to_string()]);
        assert_eq!(s.push(b"Antwort.\n"), Pushed::Text("Antwort.".into()));
        assert_eq!(s.push(b"\nFra"), Pushed::Text(String::new()));
        assert_eq!(s.push(b"ge: mehr"), Pushed::Stop(String::new()));
        assert_eq!(s.emitted(), "Antwort.");
    }

    #[test]
    fn held_text_that_is_no_stop_is_released() {
        let mut s = TextStream::new(&["ENDE".to_string()]);
        assert_eq!(s.push(b"Das EN"), Pushed::Text("Das ".into()));
        assert_eq!(s.push(b"de gut"), Pushed::Text("ENde gut".into()));
        assert_eq!(s.finish(), "");
    }

    #[test]
    fn invalid_bytes_do_not_block_the_stream() {
        let mut s = TextStream::new(&[]);
        assert_eq!(s.push(&[b'a', 0xff, b'b']), Pushed::Text("a\u{fffd}b".into()));
    }

    #[test]
    fn finish_flushes_an_incomplete_tail() {
        let mut s = TextStream::new(&[]);
        assert_eq!(s.push(&[b'x', 0xc3]), Pushed::Text("x".into()));
        assert_eq!(s.finish(), "\u{fffd}");
    }
}
