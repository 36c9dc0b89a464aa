//! Which source passages support a sentence: German sentence splitting, word normalising and a
//! small BM25 index over document blocks.
//!
//! Lexical matching is deliberately simple and deterministic: it works with any model (the tiny
//! default one included) and its result can be explained ("these words occur in that passage").

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::facts::{scan, FactKind};

/// Words that say nothing about where a sentence comes from.
const STOPWORDS: &[&str] = &[
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem", "einen", "und", "oder", "aber",
    "ist", "sind", "war", "waren", "wird", "werden", "wurde", "wurden", "hat", "haben", "hatte", "sein", "seine",
    "ihr", "ihre", "ihren", "ihrem", "ihrer", "sie", "er", "es", "wir", "ich", "du", "man", "sich", "nicht", "auch",
    "mit", "von", "vom", "zu", "zum", "zur", "im", "in", "an", "am", "auf", "aus", "bei", "für", "fuer", "über",
    "ueber", "unter", "nach", "vor", "bis", "um", "als", "wie", "so", "da", "dass", "daß", "wenn", "weil", "ob",
    "noch", "nur", "schon", "sehr", "mehr", "kann", "können", "koennen", "muss", "müssen", "muessen", "soll",
    "sollen", "wird", "diese", "dieser", "dieses", "diesem", "diesen", "dort", "hier", "durch", "gegen", "ohne",
    "the", "and", "of", "to", "a", "is",
];

static STOPWORDS_FOLDED: LazyLock<HashSet<String>> = LazyLock::new(|| STOPWORDS.iter().map(|w| fold(w)).collect());

/// Lower-case words with umlauts and ß folded, stopwords dropped, a light suffix stem applied:
/// "Bauanträge" and "Bauantrag" meet as "bauantrag".
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .filter(|w| (w.len() > 1 || w.chars().all(|c| c.is_ascii_digit())) && !STOPWORDS_FOLDED.contains(w.as_str()))
        .map(|w| stem(&w))
        .collect()
}

/// Lower case, ä→a, ö→o, ü→u, ß→ss.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push('a'),
            'ö' => out.push('o'),
            'ü' => out.push('u'),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

fn stem(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_owned();
    }
    for suffix in ["ungen", "innen", "en", "er", "es", "em", "e", "n", "s"] {
        if word.len() >= suffix.len() + 4 {
            if let Some(stripped) = word.strip_suffix(suffix) {
                return stripped.to_owned();
            }
        }
    }
    word.to_owned()
}

/// Abbreviations after which a period does not end a German sentence.
const ABBREVIATIONS: &[&str] = &[
    "abs", "art", "az", "bzw", "ca", "dr", "etc", "evtl", "ggf", "gem", "hr", "inkl", "max", "min", "mio", "nr",
    "prof", "s", "str", "tel", "usw", "vgl", "z", "b", "u", "a", "d", "h", "i", "v", "o", "zzgl", "frau", "fr", "bzgl",
    "ff", "lt", "rd", "jan", "feb", "apr", "aug", "sept", "okt", "nov", "dez", "st", "zb", "ua", "dh",
];

/// Splits text into sentences; list lines ("- …", "• …", "1. …") are sentences of their own.
/// A period after a number ("15. März", "15.03.2025") or an abbreviation ("z. B.", "Abs.")
/// does not end a sentence.
pub fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let line = strip_bullet(line);
        let mut current = String::new();
        let chars: Vec<char> = line.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            current.push(c);
            if !matches!(c, '.' | '!' | '?') {
                continue;
            }
            let next = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            let ends = match next {
                None => true,
                Some(n) if n.is_whitespace() => after.is_none_or(|a| a.is_uppercase() || a == '"' || a == '„' || (a.is_ascii_digit() && c != '.')),
                _ => false,
            };
            if ends && !(c == '.' && ends_with_abbreviation_or_number(&current)) {
                push_sentence(&mut out, &current);
                current.clear();
            }
        }
        push_sentence(&mut out, &current);
    }
    out
}

fn strip_bullet(line: &str) -> &str {
    for bullet in ["- ", "• ", "* ", "– "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return rest.trim_start();
        }
    }
    line
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if s.chars().any(char::is_alphanumeric) {
        out.push(s.to_owned());
    }
}

fn ends_with_abbreviation_or_number(current: &str) -> bool {
    let body = current.trim_end_matches('.');
    let last = body.rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    let word = last.rsplit('.').next().unwrap_or(last);
    if word.is_empty() {
        return false;
    }
    if word.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    ABBREVIATIONS.contains(&fold(word).as_str())
}

/// A BM25 index over passages (usually the blocks of the source documents).
pub struct Index {
    docs: Vec<HashMap<String, u32>>,
    lengths: Vec<usize>,
    df: HashMap<String, u32>,
    avg_len: f64,
}

/// A passage's score for a query and how many distinct query terms it shares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub passage: usize,
    pub score: f64,
    pub shared_terms: usize,
}

impl Index {
    pub fn new<'a>(passages: impl IntoIterator<Item = &'a str>) -> Self {
        let mut docs = Vec::new();
        let mut lengths = Vec::new();
        let mut df: HashMap<String, u32> = HashMap::new();
        for p in passages {
            let mut tf: HashMap<String, u32> = HashMap::new();
            let t = terms(p);
            lengths.push(t.len());
            for term in t {
                *tf.entry(term).or_default() += 1;
            }
            for term in tf.keys() {
                *df.entry(term.clone()).or_default() += 1;
            }
            docs.push(tf);
        }
        let avg_len = if lengths.is_empty() { 1.0 } else { lengths.iter().sum::<usize>().max(1) as f64 / lengths.len() as f64 };
        Self { docs, lengths, df, avg_len }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Passages that share terms with `query`, best first, restricted to `among` where given.
    pub fn search(&self, query: &str, among: Option<&[usize]>) -> Vec<Hit> {
        const K1: f64 = 1.2;
        const B: f64 = 0.75;
        let mut q: Vec<String> = terms(query);
        q.sort();
        q.dedup();
        let n = self.docs.len() as f64;
        let score = |i: usize| -> Hit {
            let doc = &self.docs[i];
            let len = self.lengths[i] as f64;
            let mut s = 0.0;
            let mut shared = 0;
            for term in &q {
                let Some(&tf) = doc.get(term) else { continue };
                shared += 1;
                let df = f64::from(*self.df.get(term).unwrap_or(&1));
                let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                let tf = f64::from(tf);
                s += idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.avg_len));
            }
            Hit { passage: i, score: s, shared_terms: shared }
        };
        let mut hits: Vec<Hit> = match among {
            Some(ids) => ids.iter().copied().filter(|&i| i < self.docs.len()).map(score).collect(),
            None => (0..self.docs.len()).map(score).collect(),
        };
        hits.retain(|h| h.shared_terms > 0);
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.passage.cmp(&b.passage)));
        hits
    }
}

/// Whether a hit is good enough to call a passage support for a sentence: at least two shared
/// content words, or all of them where the sentence has fewer.
pub fn supports(hit: &Hit, sentence: &str) -> bool {
    let mut t = terms(sentence);
    t.sort();
    t.dedup();
    let needed = t.len().clamp(1, 2);
    hit.shared_terms >= needed
}

/// What [`Evidence::cite`] looks in: the passages' search index and the facts each one holds,
/// built once per result (summaries and explanations alike).
pub(crate) struct Evidence {
    index: Index,
    facts: Vec<HashSet<(FactKind, String)>>,
}

impl Evidence {
    pub fn new(passages: &[&str]) -> Self {
        Self {
            index: Index::new(passages.iter().copied()),
            facts: passages.iter().map(|p| scan(p).into_iter().map(|f| (f.kind, f.normalized)).collect()).collect(),
        }
    }

    /// The passages that support `sentence`, among `among`: first those holding the same facts
    /// (a date, an amount; each fact at least one passage), then the best lexical matches. At
    /// most four.
    pub fn cite(&self, sentence: &str, among: &[usize]) -> Vec<usize> {
        cite(sentence, among, &self.index, &self.facts)
    }
}

fn cite(sentence: &str, among: &[usize], index: &Index, block_facts: &[HashSet<(FactKind, String)>]) -> Vec<usize> {
    let mut ids: Vec<usize> = Vec::new();
    for f in scan(sentence) {
        let key = (f.kind, f.normalized);
        let alt = (if key.0 == FactKind::Frist { FactKind::Datum } else { FactKind::Frist }, key.1.clone());
        let holds = |i: usize| block_facts[i].contains(&key) || block_facts[i].contains(&alt);
        // Up to two blocks in all, but every fact of the sentence gets one (four at most), so a
        // sentence naming an Aktenzeichen, an amount and a deadline cites where each stands.
        let mut cited = ids.iter().any(|&i| holds(i));
        for &i in among {
            if holds(i) && !ids.contains(&i) && (ids.len() < 2 || !cited) && ids.len() < 4 {
                ids.push(i);
                cited = true;
            }
        }
    }
    for hit in index.search(sentence, Some(among)).into_iter().take(2) {
        if supports(&hit, sentence) && !ids.contains(&hit.passage) {
            ids.push(hit.passage);
        }
    }
    ids.truncate(4);
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_respect_dates_ordinals_and_abbreviations() {
        let s = split_sentences(
            "Der Antrag ging am 15.03.2025 ein. Die Frist endet am 1. April 2025, vgl. Abs. 2 der Satzung. Bitte z. B. Nr. 4 beachten! Fertig?",
        );
        assert_eq!(
            s,
            vec![
                "Der Antrag ging am 15.03.2025 ein.",
                "Die Frist endet am 1. April 2025, vgl. Abs. 2 der Satzung.",
                "Bitte z. B. Nr. 4 beachten!",
                "Fertig?",
            ]
        );
    }

    #[test]
    fn bullets_are_sentences() {
        let s = split_sentences("- Erster Punkt\n• Zweiter Punkt. Mit Satz.\n\n* Dritter");
        assert_eq!(s, vec!["Erster Punkt", "Zweiter Punkt.", "Mit Satz.", "Dritter"]);
    }

    #[test]
    fn terms_fold_and_stem() {
        assert_eq!(terms("Die Bauanträge für Straße"), vec!["bauantrag", "strass"]);
        assert_eq!(terms("Bauantrag"), vec!["bauantrag"]);
        assert_eq!(terms("Am 15.03.2025"), vec!["15", "03", "2025"]);
    }

    #[test]
    fn bm25_prefers_the_passage_with_rare_shared_words() {
        let idx = Index::new([
            "Der Antragsteller beantragt eine Baugenehmigung für ein Carport.",
            "Die Gebühr beträgt 250 Euro und ist bis zum 30.04.2025 zu zahlen.",
            "Der Nachbar erhebt Widerspruch gegen das Carport.",
        ]);
        let hits = idx.search("Die Gebühr von 250 Euro ist fällig.", None);
        assert_eq!(hits[0].passage, 1);
        assert!(supports(&hits[0], "Die Gebühr von 250 Euro ist fällig."));
        let hits = idx.search("Widerspruch des Nachbarn", Some(&[0, 2]));
        assert_eq!(hits[0].passage, 2);
        assert!(idx.search("Mondlandung", None).is_empty());
    }
}
