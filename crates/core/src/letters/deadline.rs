//! Deadlines by code, never by the model: "in zwei Wochen", "ein Monat", "14 Tage" or a date
//! become a calendar date counted from the letter date.
//!
//! § 31 VwVfG with §§ 187–193 BGB: the day of the letter is not counted; a deadline in days ends
//! that many days later, one in weeks or months on the day with the same weekday or number
//! (the month's last day where that number does not exist). A deadline ending on a Saturday,
//! Sunday or public holiday ends on the next working day (§ 31 Abs. 3 VwVfG). Holidays are the
//! national ones plus the Land's (`feiertage`); the Land comes from the sender profile.

use feiertage::{Holiday, Region};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, Weekday};

use crate::error::{CoreError, Result};

/// A deadline as the letter states it and how it was computed (shown to the clerk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComputedDeadline {
    /// What was asked for: "zwei Wochen", "15.12.2026".
    pub input: String,
    /// The date the letter names, `TT.MM.JJJJ`.
    pub date: String,
    /// ISO `JJJJ-MM-TT`, for scripts.
    pub iso: String,
    /// The date before § 31 Abs. 3 moved it, where it did.
    pub moved_from: Option<String>,
    /// German explanation: "2 Wochen ab 26.11.2026; Ende am Samstag, 12.12.2026 → Montag, 14.12.2026 (§ 31 Abs. 3 VwVfG)".
    pub explanation_de: String,
}

/// The Länder by their usual short codes and names; `None` = national holidays only.
pub fn region(land: Option<&str>) -> Result<Option<Region>> {
    let Some(land) = land.map(str::trim).filter(|l| !l.is_empty()) else { return Ok(None) };
    let key: String = land.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    let r = match key.as_str() {
        "bw" | "badenwürttemberg" | "badenwuerttemberg" => Region::BadenWuerttemberg,
        "by" | "bayern" => Region::Bayern,
        "be" | "berlin" => Region::Berlin,
        "bb" | "brandenburg" => Region::Brandenburg,
        "hb" | "bremen" => Region::Bremen,
        "hh" | "hamburg" => Region::Hamburg,
        "he" | "hessen" => Region::Hessen,
        "mv" | "mecklenburgvorpommern" => Region::MecklenburgVorpommern,
        "ni" | "niedersachsen" => Region::Niedersachsen,
        "nw" | "nrw" | "nordrheinwestfalen" => Region::NordrheinWestfalen,
        "rp" | "rheinlandpfalz" => Region::RheinlandPfalz,
        "sl" | "saarland" => Region::Saarland,
        "sn" | "sachsen" => Region::Sachsen,
        "st" | "sachsenanhalt" => Region::SachsenAnhalt,
        "sh" | "schleswigholstein" => Region::SchleswigHolstein,
        "th" | "thüringen" | "thueringen" => Region::Thueringen,
        _ => return Err(CoreError::InvalidParameter(format!("unbekanntes Bundesland „{land}“ (z. B. NW, BY, Berlin)"))),
    };
    Ok(Some(r))
}

/// Is `d` a public holiday: nationally, or in `region` where one is set?
pub fn holiday_name(d: Date, region: Option<&Region>) -> Option<&'static str> {
    let list = match region {
        Some(r) => r.holidays(),
        None => feiertage::NATION_WIDE_HOLIDAYS.to_vec(),
    };
    list.into_iter().find(|h| h.date(d.year()) == Some(d)).map(name_de)
}

fn name_de(h: Holiday) -> &'static str {
    match h {
        Holiday::Neujahr => "Neujahr",
        Holiday::HeiligeDreiKoenige => "Heilige Drei Könige",
        Holiday::Frauentag => "Internationaler Frauentag",
        Holiday::Karfreitag => "Karfreitag",
        Holiday::Ostermontag => "Ostermontag",
        Holiday::TagDerArbeit => "Tag der Arbeit",
        Holiday::TagDerBefreiung => "Tag der Befreiung",
        Holiday::ChristiHimmelfahrt => "Christi Himmelfahrt",
        Holiday::Pfingstsonntag => "Pfingstsonntag",
        Holiday::Pfingstmontag => "Pfingstmontag",
        Holiday::Fronleichnam => "Fronleichnam",
        Holiday::AugsburgerFriedensfest => "Augsburger Friedensfest",
        Holiday::MariaeHimmelfahrt => "Mariä Himmelfahrt",
        Holiday::Weltkindertag => "Weltkindertag",
        Holiday::TagDerDeutschenEinheit => "Tag der Deutschen Einheit",
        Holiday::Reformationstag => "Reformationstag",
        Holiday::Allerheiligen => "Allerheiligen",
        Holiday::BussUndBettag => "Buß- und Bettag",
        Holiday::ErsterWeihnachtsfeiertag => "1. Weihnachtsfeiertag",
        Holiday::ZweiterWeihnachtsfeiertag => "2. Weihnachtsfeiertag",
    }
}

fn weekday_de(d: Date) -> &'static str {
    match d.weekday() {
        Weekday::Monday => "Montag",
        Weekday::Tuesday => "Dienstag",
        Weekday::Wednesday => "Mittwoch",
        Weekday::Thursday => "Donnerstag",
        Weekday::Friday => "Freitag",
        Weekday::Saturday => "Samstag",
        Weekday::Sunday => "Sonntag",
    }
}

/// `TT.MM.JJJJ`, DIN 5008's numeric date.
pub fn format_de(d: Date) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), u8::from(d.month()), d.year())
}

/// `TT.MM.JJJJ`, `T.M.JJJJ` or ISO `JJJJ-MM-TT`.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let (y, m, d) = if let Some((y, rest)) = s.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (y, m, d)
    } else {
        let mut it = s.split('.');
        let (d, m, y) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some_and(|r| !r.is_empty()) {
            return None;
        }
        (y, m, d)
    };
    let year: i32 = y.trim().parse().ok()?;
    if !(1900..=2200).contains(&year) {
        return None;
    }
    let month = Month::try_from(m.trim().parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year, month, d.trim().parse().ok()?).ok()
}

enum Unit {
    Days,
    Weeks,
    Months,
}

fn number_word(w: &str) -> Option<u32> {
    Some(match w {
        "ein" | "einen" | "eine" | "einem" | "einer" | "eines" => 1,
        "zwei" => 2,
        "drei" => 3,
        "vier" => 4,
        "fünf" | "fuenf" => 5,
        "sechs" => 6,
        "sieben" => 7,
        "acht" => 8,
        "neun" => 9,
        "zehn" => 10,
        "elf" => 11,
        "zwölf" | "zwoelf" => 12,
        "vierzehn" => 14,
        "einundzwanzig" => 21,
        "dreißig" | "dreissig" => 30,
        _ => w.parse().ok().filter(|n| (1..=366).contains(n))?,
    })
}

/// "in zwei Wochen", "binnen eines Monats", "14 Tage", "1 Monat" → (count, unit).
fn parse_period(s: &str) -> Option<(u32, Unit)> {
    let lower = s.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
        .filter(|w| !w.is_empty() && !["in", "innerhalb", "binnen", "von", "nach", "frist", "bis"].contains(w))
        .collect();
    let [n, unit] = words.as_slice() else { return None };
    let n = number_word(n)?;
    let unit = if unit.starts_with("tag") || unit.starts_with("kalendertag") {
        Unit::Days
    } else if unit.starts_with("woche") {
        Unit::Weeks
    } else if unit.starts_with("monat") {
        Unit::Months
    } else {
        return None;
    };
    Some((n, unit))
}

fn add_months(d: Date, n: u32) -> Option<Date> {
    let total = d.year() * 12 + i32::from(u8::from(d.month())) - 1 + n as i32;
    let (year, month) = (total.div_euclid(12), Month::try_from((total.rem_euclid(12) + 1) as u8).ok()?);
    // § 188 Abs. 3 BGB: without that day in the month, the month's last day.
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

/// Computes the deadline `input` ("zwei Wochen", "1 Monat", "15.12.2026") from `letter_date`,
/// moved past weekends and holidays. A date before the letter date is refused.
pub fn compute(input: &str, letter_date: Date, land: Option<&str>) -> Result<ComputedDeadline> {
    let region = region(land)?;
    let invalid = || {
        CoreError::InvalidParameter(format!(
            "Frist „{}“ nicht verstanden – bitte als Zeitraum („zwei Wochen“, „1 Monat“, „14 Tage“) oder als Datum (TT.MM.JJJJ)",
            input.trim()
        ))
    };
    let (end, how) = if let Some(d) = parse_date(input) {
        if d < letter_date {
            return Err(CoreError::InvalidParameter(format!("die Frist {} liegt vor dem Briefdatum {}", format_de(d), format_de(letter_date))));
        }
        (d, format!("Datum {}", format_de(d)))
    } else {
        let (n, unit) = parse_period(input).ok_or_else(invalid)?;
        let (end, label) = match unit {
            Unit::Days => (letter_date.checked_add(Duration::days(n.into())), if n == 1 { "1 Tag".to_owned() } else { format!("{n} Tage") }),
            Unit::Weeks => (letter_date.checked_add(Duration::weeks(n.into())), if n == 1 { "1 Woche".to_owned() } else { format!("{n} Wochen") }),
            Unit::Months => (add_months(letter_date, n), if n == 1 { "1 Monat".to_owned() } else { format!("{n} Monate") }),
        };
        (end.ok_or_else(invalid)?, format!("{label} ab {}", format_de(letter_date)))
    };
    let mut date = end;
    let mut reasons = Vec::new();
    loop {
        if let Some(h) = holiday_name(date, region.as_ref()) {
            reasons.push(format!("{} ist Feiertag ({h})", format_de(date)));
        } else if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            reasons.push(format!("{} ist ein {}", format_de(date), weekday_de(date)));
        } else {
            break;
        }
        date = date.next_day().ok_or_else(invalid)?;
    }
    let moved_from = (date != end).then(|| format_de(end));
    let explanation_de = if reasons.is_empty() {
        format!("{how}: Fristende {}, {}", weekday_de(date), format_de(date))
    } else {
        format!("{how}: {}; Fristende daher {}, {} (§ 31 Abs. 3 VwVfG)", reasons.join(", "), weekday_de(date), format_de(date))
    };
    Ok(ComputedDeadline {
        input: input.trim().to_owned(),
        date: format_de(date),
        iso: format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day()),
        moved_from,
        explanation_de,
    })
}

/// Today on this workstation (local time where the offset is known, else UTC).
pub fn today() -> Date {
    time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc()).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn weeks_end_on_the_same_weekday() {
        // Thursday 26.11.2026 + 2 weeks = Thursday 10.12.2026.
        let c = compute("in zwei Wochen", d("26.11.2026"), None).unwrap();
        assert_eq!(c.date, "10.12.2026");
        assert_eq!(c.iso, "2026-12-10");
        assert_eq!(c.moved_from, None);
    }

    #[test]
    fn a_deadline_on_a_weekend_moves_to_monday() {
        // Saturday 28.11.2026 + 2 weeks = Saturday 12.12.2026 → Monday 14.12.2026.
        let c = compute("zwei Wochen", d("28.11.2026"), None).unwrap();
        assert_eq!(c.date, "14.12.2026");
        assert_eq!(c.moved_from.as_deref(), Some("12.12.2026"));
        assert!(c.explanation_de.contains("Samstag") && c.explanation_de.contains("§ 31 Abs. 3 VwVfG"), "{}", c.explanation_de);
    }

    #[test]
    fn christmas_and_the_weekend_after_move_together() {
        // 11.12.2026 + 2 weeks = Friday 25.12.2026 (holiday), 26.12. holiday and Saturday,
        // 27.12. Sunday → Monday 28.12.2026.
        let c = compute("14 Tage", d("11.12.2026"), Some("NW")).unwrap();
        assert_eq!(c.date, "28.12.2026");
        assert!(c.explanation_de.contains("1. Weihnachtsfeiertag"), "{}", c.explanation_de);
    }

    #[test]
    fn land_holidays_count_only_in_their_land() {
        // 04.10.2027? Use Reformationstag: 31.10.2026 is a Saturday; 01.11.2027 (Allerheiligen) a Monday.
        // 18.10.2027 + 2 weeks = Monday 01.11.2027: a holiday in NW, a working day in Berlin.
        assert_eq!(compute("2 Wochen", d("18.10.2027"), Some("NW")).unwrap().date, "02.11.2027");
        assert_eq!(compute("2 Wochen", d("18.10.2027"), Some("Berlin")).unwrap().date, "01.11.2027");
        // National: Tag der Deutschen Einheit, Monday 03.10.2022.
        assert_eq!(compute("1 Woche", d("26.09.2022"), None).unwrap().date, "04.10.2022");
    }

    #[test]
    fn months_keep_the_day_or_take_the_last() {
        assert_eq!(compute("ein Monat", d("15.01.2026"), None).unwrap().date, "16.02.2026"); // 15.02.2026 is a Sunday
        assert_eq!(compute("einen Monat", d("31.01.2025"), None).unwrap().date, "28.02.2025");
        assert_eq!(compute("1 Monat", d("31.01.2024"), None).unwrap().date, "29.02.2024");
    }

    #[test]
    fn dates_and_errors() {
        assert_eq!(compute("15.12.2026", d("26.11.2026"), None).unwrap().date, "15.12.2026");
        assert!(compute("01.11.2026", d("26.11.2026"), None).unwrap_err().message_de().contains("vor dem Briefdatum"));
        assert!(compute("bald", d("26.11.2026"), None).unwrap_err().message_de().contains("nicht verstanden"));
        assert!(compute("2 Wochen", d("26.11.2026"), Some("Atlantis")).unwrap_err().message_de().contains("Bundesland"));
    }
}
