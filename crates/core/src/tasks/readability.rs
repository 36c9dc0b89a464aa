//! German readability, by code: Flesch-Amstad and the first Wiener Sachtextformel, and a checker
//! for the rules of Leichte Sprache that code can see.
//!
//! Syllables are counted as German vowel groups: a, e, i, o, u, ä, ö, ü, y; the diphthongs and
//! long vowels ei, ai, ie, eu, äu, au, ey, ay, aa, ee, oo count once; "u" after "q" is no vowel.
//! Words are runs of letters (digits alone are no word). Sentences come from
//! [`evidence::split_sentences`].
//!
//! - Flesch-Amstad: `180 - ASL - 58.5 * ASW` (ASL words per sentence, ASW syllables per word);
//!   higher is easier (over 60: easy, under 30: very hard).
//! - Wiener Sachtextformel 1: `0.1935*MS + 0.1672*SL + 0.1297*IW - 0.0327*ES - 0.875` (MS % of
//!   words with 3+ syllables, SL words per sentence, IW % of words with more than 6 letters, ES %
//!   of one-syllable words); a school grade from 4 (easy) to 15 (very hard).

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::evidence::split_sentences;

/// Counts and scores of a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub sentences: usize,
    pub words: usize,
    pub syllables: usize,
    /// Flesch-Amstad, rounded to one decimal.
    pub flesch_amstad: f64,
    /// Wiener Sachtextformel 1, rounded to one decimal.
    pub wiener_sachtextformel: f64,
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'ä' | 'ö' | 'ü' | 'y' | 'é' | 'è' | 'à' | 'â' | 'ê' | 'î' | 'ô' | 'û')
}

/// Vowel pairs spoken as one syllable nucleus.
fn one_nucleus(a: char, b: char) -> bool {
    matches!((a, b), ('e', 'i') | ('a', 'i') | ('i', 'e') | ('e', 'u') | ('ä', 'u') | ('a', 'u') | ('e', 'y') | ('a', 'y') | ('a', 'a') | ('e', 'e') | ('o', 'o'))
}

/// Syllables of one German word (at least 1 for a word with letters).
pub fn syllables(word: &str) -> usize {
    let chars: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
    let mut count = 0;
    let mut prev: Option<char> = None;
    let mut nucleus_len = 0;
    for (i, &c) in chars.iter().enumerate() {
        let vowel = is_vowel(c) && !(c == 'u' && i > 0 && chars[i - 1] == 'q');
        if vowel {
            match prev {
                // Continue a diphthong; a third vowel starts a new syllable ("Bauer" has 2).
                Some(p) if nucleus_len == 1 && one_nucleus(p, c) => nucleus_len = 2,
                _ => {
                    count += 1;
                    nucleus_len = 1;
                }
            }
            prev = Some(c);
        } else {
            prev = None;
            nucleus_len = 0;
        }
    }
    if count == 0 && chars.iter().any(|c| c.is_alphabetic()) {
        1
    } else {
        count
    }
}

/// The words of a text: runs of letters, hyphens and Mediopunkte inside a word kept ("E-Mail").
pub fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '·'))
        .map(|w| w.trim_matches(|c| c == '-' || c == '·'))
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Scores of `text`; all zero for a text without words.
pub fn scores(text: &str) -> Scores {
    let sentences = split_sentences(text);
    let mut n_words = 0usize;
    let mut n_syll = 0usize;
    let (mut many, mut long, mut one) = (0usize, 0usize, 0usize);
    let mut n_sent = 0usize;
    for s in &sentences {
        let ws = words(s);
        if ws.is_empty() {
            continue;
        }
        n_sent += 1;
        for w in ws {
            let sy = syllables(w);
            n_words += 1;
            n_syll += sy;
            many += usize::from(sy >= 3);
            one += usize::from(sy == 1);
            long += usize::from(w.chars().filter(|c| c.is_alphabetic()).count() > 6);
        }
    }
    if n_words == 0 {
        return Scores::default();
    }
    let asl = n_words as f64 / n_sent as f64;
    let asw = n_syll as f64 / n_words as f64;
    let pct = |n: usize| 100.0 * n as f64 / n_words as f64;
    Scores {
        sentences: n_sent,
        words: n_words,
        syllables: n_syll,
        flesch_amstad: round1(180.0 - asl - 58.5 * asw),
        wiener_sachtextformel: round1(0.1935 * pct(many) + 0.1672 * asl + 0.1297 * pct(long) - 0.0327 * pct(one) - 0.875),
    }
}

/// A rule of Leichte Sprache that a sentence breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// More than 15 words.
    SatzZuLang,
    /// A form of "werden" with a past participle.
    Passiv,
    /// A subordinate clause (dass, weil, obwohl …) or more than one comma clause.
    Verschachtelt,
    /// A word of more than 6 syllables without Mediopunkt or hyphen.
    LangesWort,
    /// A number written as a word ("zwei", "dreißig") where digits are easier.
    ZahlAlsWort,
}

impl Rule {
    pub fn label_de(self) -> &'static str {
        match self {
            Self::SatzZuLang => "Satz mit mehr als 15 Wörtern",
            Self::Passiv => "Passiv",
            Self::Verschachtelt => "Nebensatz oder verschachtelter Satz",
            Self::LangesWort => "langes Wort ohne Trennung (Medio·punkt oder Binde-Strich)",
            Self::ZahlAlsWort => "Zahl als Wort statt in Ziffern",
        }
    }
}

/// The rules one sentence fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentenceRules {
    /// Index in [`split_sentences`] of the checked text.
    pub sentence: usize,
    pub text: String,
    pub rules: Vec<Rule>,
    /// The words that made a rule fail (long words, number words, the participle), for the UI.
    pub words: Vec<String>,
}

const WERDEN: &[&str] = &[
    "werde", "wirst", "wird", "werden", "werdet", "wurde", "wurdest", "wurden", "wurdet", "würde", "würdest", "würden", "würdet", "worden",
];
const SUBORDINATORS: &[&str] = &[
    "dass", "daß", "weil", "obwohl", "obgleich", "damit", "falls", "sofern", "soweit", "nachdem", "bevor", "während", "indem", "ob",
    "wenn", "sodass", "wodurch", "welche", "welcher", "welches", "welchen", "welchem", "wobei", "worauf", "wonach",
];
const RELATIVE_AFTER_COMMA: &[&str] = &["der", "die", "das", "dem", "den", "deren", "dessen", "denen"];
const INSEPARABLE: &[&str] = &["be", "er", "ver", "ent", "zer", "emp", "miss"];
const SEPARABLE: &[&str] = &[
    "ab", "an", "auf", "aus", "bei", "ein", "fest", "mit", "nach", "vor", "weg", "zu", "zurück", "zusammen", "frei", "hin", "her", "los", "dar", "um",
];
const NOT_PARTICIPLES: &[&str] = &["nicht", "jetzt", "erst", "bereits", "selbst", "geht", "gibt", "gilt", "zuletzt", "meist", "bekannt", "bestimmt", "gesamt", "genau",
    "geben", "gehen", "gelten", "gegen", "genug", "gerne", "gestern", "gehören", "gewinnen", "gemeinsam", "gerade", "genießen",
];

static NUMBER_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|(?:drei|vier|fünf|sech|sieb|acht|neun)zehn|zwanzig|dreißig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig|hundert|tausend|(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)und(?:zwanzig|dreißig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig)|(?:zwei|drei|vier|fünf|sechs|sieben|acht|neun)(?:hundert|tausend))$",
    )
    .expect("valid regex")
});

/// Whether a lower-case word looks like a past participle ("geprüft", "abgelehnt", "bearbeitet",
/// "informiert", "geschrieben"). A heuristic: infinitives with be-/ver- ("bezahlen") are not
/// taken, so strong participles of such verbs ("entschieden") are missed.
fn looks_like_participle(w: &str) -> bool {
    if w.chars().count() < 5 || NOT_PARTICIPLES.contains(&w) || !w.chars().next().is_some_and(char::is_lowercase) {
        return false;
    }
    let ends_t = w.ends_with('t');
    let ge_start = w.starts_with("ge") || SEPARABLE.iter().any(|p| w.strip_prefix(p).is_some_and(|r| r.starts_with("ge") && r.len() > 4));
    (ge_start && (ends_t || w.ends_with("en")))
        || (ends_t && (w.ends_with("iert") || INSEPARABLE.iter().any(|p| w.starts_with(p) && w.len() >= p.len() + 4)))
}

/// The Leichte-Sprache rules `sentence` fails, and the words that failed them.
pub fn check_sentence(sentence: &str) -> (Vec<Rule>, Vec<String>) {
    let ws = words(sentence);
    let lower: Vec<String> = ws.iter().map(|w| w.to_lowercase()).collect();
    let mut rules = Vec::new();
    let mut hits = Vec::new();
    if ws.len() > 15 {
        rules.push(Rule::SatzZuLang);
    }
    if let Some(at) = lower.iter().position(|w| WERDEN.contains(&w.as_str())) {
        // The participle follows the form of "werden" ("wird … geprüft"); checked on the
        // original spelling, because a capitalised word is a noun.
        if let Some(p) = ws.iter().skip(at + 1).find(|w| looks_like_participle(w)) {
            rules.push(Rule::Passiv);
            hits.push((*p).to_owned());
        } else if lower[at] == "worden" {
            rules.push(Rule::Passiv);
        }
    }
    let commas = sentence.matches(',').count();
    let subordinate = lower.iter().any(|w| SUBORDINATORS.contains(&w.as_str()))
        || sentence.split(',').skip(1).any(|part| {
            let first = part.split_whitespace().next().unwrap_or("").to_lowercase();
            RELATIVE_AFTER_COMMA.contains(&first.as_str())
        });
    if subordinate || commas >= 2 {
        rules.push(Rule::Verschachtelt);
    }
    let long: Vec<&str> = ws.iter().copied().filter(|w| !w.contains(['-', '·']) && syllables(w) > 6).collect();
    if !long.is_empty() {
        rules.push(Rule::LangesWort);
        hits.extend(long.iter().map(|w| (*w).to_owned()));
    }
    let numbers: Vec<&str> = ws.iter().zip(&lower).filter(|(_, l)| NUMBER_WORD.is_match(l)).map(|(w, _)| *w).collect();
    if !numbers.is_empty() {
        rules.push(Rule::ZahlAlsWort);
        hits.extend(numbers.iter().map(|w| (*w).to_owned()));
    }
    (rules, hits)
}

/// Every sentence of `text` that fails a Leichte-Sprache rule.
pub fn check_leichte_sprache(text: &str) -> Vec<SentenceRules> {
    split_sentences(text)
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let (rules, words) = check_sentence(&s);
            (!rules.is_empty()).then_some(SentenceRules { sentence: i, text: s, rules, words })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_of_german_words() {
        for (w, n) in [
            ("Haus", 1),
            ("Bauer", 2),
            ("Eier", 2),
            ("Straße", 2),
            ("Bescheid", 2),
            ("Gebühr", 2),
            ("Widerspruch", 3),
            ("Quelle", 2),
            ("Teufel", 2),
            ("Häuser", 2),
            ("Verwaltungsgerichtsordnung", 7),
            ("Rechtsbehelfsbelehrung", 6),
            ("Boot", 1),
            ("Xyz", 1),
        ] {
            assert_eq!(syllables(w), n, "{w}");
        }
    }

    #[test]
    fn flesch_amstad_and_wiener_sachtextformel_on_short_texts() {
        // "Das Haus ist rot. Der Hund bellt."
        // 2 sentences, 7 words, all one syllable: 7 syllables. ASL = 3.5, ASW = 1.
        // Flesch-Amstad = 180 - 3.5 - 58.5 = 118.0.
        // WSTF1: MS 0 %, SL 3.5, IW 0 % (no word over 6 letters), ES 100 %:
        // 0.1672*3.5 - 0.0327*100 - 0.875 = 0.5852 - 3.27 - 0.875 = -3.5598 → -3.6.
        let s = scores("Das Haus ist rot. Der Hund bellt.");
        assert_eq!((s.sentences, s.words, s.syllables), (2, 7, 7));
        assert!((s.flesch_amstad - 118.0).abs() <= 1.0, "{s:?}");
        assert!((s.wiener_sachtextformel - -3.6).abs() <= 1.0, "{s:?}");

        // "Die Verwaltungsgerichtsordnung regelt das Widerspruchsverfahren."
        // 1 sentence, 5 words: Die 1, Ver-wal-tungs-ge-richts-ord-nung 7, re-gelt 2, das 1,
        // Wi-der-spruchs-ver-fah-ren 6 → 17 syllables. ASL = 5, ASW = 3.4.
        // Flesch-Amstad = 180 - 5 - 58.5*3.4 = 175 - 198.9 = -23.9.
        // WSTF1: MS = 2/5 = 40 % (the two long words), SL = 5, IW = 2/5 = 40 % (the same two;
        // "regelt" has 6 letters), ES = 2/5 = 40 % (Die, das):
        // 0.1935*40 + 0.1672*5 + 0.1297*40 - 0.0327*40 - 0.875
        // = 7.74 + 0.836 + 5.188 - 1.308 - 0.875 = 11.581 → 11.6.
        let s = scores("Die Verwaltungsgerichtsordnung regelt das Widerspruchsverfahren.");
        assert_eq!((s.sentences, s.words, s.syllables), (1, 5, 17));
        assert!((s.flesch_amstad - -23.9).abs() <= 1.0, "{s:?}");
        assert!((s.wiener_sachtextformel - 11.6).abs() <= 1.0, "{s:?}");

        assert_eq!(scores("  "), Scores::default());
    }

    fn rules(s: &str) -> Vec<Rule> {
        check_sentence(s).0
    }

    #[test]
    fn leichte_sprache_long_sentence() {
        let long = "Sie bekommen von der Stadt im nächsten Monat einen Brief mit allen Unterlagen für Ihren Antrag auf Wohngeld.";
        assert!(rules(long).contains(&Rule::SatzZuLang), "{:?}", rules(long));
        assert!(!rules("Sie bekommen einen Brief.").contains(&Rule::SatzZuLang));
    }

    #[test]
    fn leichte_sprache_passive() {
        assert!(rules("Ihr Antrag wird von uns geprüft.").contains(&Rule::Passiv));
        assert!(rules("Der Antrag wurde abgelehnt.").contains(&Rule::Passiv));
        assert!(rules("Die Gebühr wird erstattet.").contains(&Rule::Passiv));
        assert!(rules("Die Daten werden gespeichert.").contains(&Rule::Passiv));
        assert!(!rules("Wir prüfen Ihren Antrag.").contains(&Rule::Passiv));
        assert!(!rules("Sie werden das Geld bezahlen.").contains(&Rule::Passiv));
        assert!(!rules("Das Amt wird Ihnen helfen.").contains(&Rule::Passiv));
    }

    #[test]
    fn leichte_sprache_nested_clause() {
        assert!(rules("Sie müssen zahlen, weil die Frist vorbei ist.").contains(&Rule::Verschachtelt));
        assert!(rules("Wir wissen, dass Sie umgezogen sind.").contains(&Rule::Verschachtelt));
        assert!(rules("Der Antrag, den Sie gestellt haben, ist da.").contains(&Rule::Verschachtelt));
        assert!(!rules("Sie müssen zahlen. Die Frist ist vorbei.").contains(&Rule::Verschachtelt));
    }

    #[test]
    fn leichte_sprache_long_words_and_number_words() {
        let (r, w) = check_sentence("Lesen Sie die Rechtsbehelfsbelehrung zur Verwaltungsgerichtsordnung.");
        assert!(r.contains(&Rule::LangesWort));
        assert_eq!(w, vec!["Verwaltungsgerichtsordnung"]);
        assert!(!rules("Lesen Sie die Verwaltungs·gerichts·ordnung.").contains(&Rule::LangesWort));
        assert!(!rules("Lesen Sie die Verwaltungs-Gerichts-Ordnung.").contains(&Rule::LangesWort));
        assert!(rules("Sie haben zwei Wochen Zeit.").contains(&Rule::ZahlAlsWort));
        assert!(rules("Sie zahlen fünfundzwanzig Euro.").contains(&Rule::ZahlAlsWort));
        assert!(!rules("Sie haben 2 Wochen Zeit.").contains(&Rule::ZahlAlsWort));
        let failing = check_leichte_sprache("Das ist gut. Sie haben zwei Wochen Zeit.");
        assert_eq!(failing.len(), 1);
        assert_eq!(failing[0].sentence, 1);
    }
}
