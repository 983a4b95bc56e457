//! Validated value types: a [`Phone`] in E.164, an [`Email`], a [`Birthday`] with or without a
//! year. Each is constructed once from user input (`parse`) and is valid from then on.

use crate::i18n::{FieldErrors, Msg};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What kind of line a phone number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhoneLabel {
    #[default]
    Mobile,
    Private,
    Business,
}

/// A phone number, stored in E.164 (`+4917012345678`) with Germany as the default region for
/// numbers typed without a country code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone {
    pub label: PhoneLabel,
    /// E.164, e.g. `+4917012345678`.
    pub number: String,
    /// The DIN 5008 form, computed once when the number is parsed: formatting with the
    /// numbering plan costs ~3 µs, too much for 100,000 list rows at start-up.
    #[serde(default)]
    display: String,
}

impl Phone {
    /// Parses what a person typed (`0170 12345678`, `+49 (89) 123 45 67`, `0049 …`).
    pub fn parse(label: PhoneLabel, input: &str) -> Result<Phone, Msg> {
        let (number, display) = read_phone(input, true)?;
        Ok(Phone {
            label,
            number,
            display,
        })
    }

    /// A number already in E.164 (from the store or generated data).
    pub fn from_e164(label: PhoneLabel, number: String) -> Phone {
        let display = display_phone(&number);
        Phone {
            label,
            number,
            display,
        }
    }

    /// DIN 5008 form: German numbers nationally (`0170 12345678`, `089 1234567`), others
    /// internationally (`+43 1 2345678`).
    pub fn display(&self) -> String {
        if self.display.is_empty() {
            display_phone(&self.number)
        } else {
            self.display.clone()
        }
    }

    /// The E.164 digits without `+`, as the search index knows them.
    pub fn digits(&self) -> &str {
        self.number.trim_start_matches('+')
    }
}

/// Phone numbers already read, by the text they were typed as, for checking many cards in a
/// row: an import checks each contact in its preview, again in the commit's plan and once more
/// when it writes, and reading a number (libphonenumber's parse, validity and formatting) is
/// most of what a check costs. Each distinct text is read once.
///
/// [`PhoneCache::without_display`] leaves the display form out (the costlier half of a read):
/// its phones have an empty display, which [`Phone::display`] computes when asked. The import's
/// preview and plan only compare E.164 numbers; the write turns the display on
/// ([`PhoneCache::with_display`]), so stored cards always have it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhoneCache {
    /// Typed text → E.164 and display form (empty while not needed), or why it is refused.
    read: std::collections::HashMap<String, Result<(String, String), Msg>>,
    display: bool,
    /// The most texts kept; beyond it numbers are read every time.
    limit: usize,
}

impl PhoneCache {
    /// The most numbers one cache keeps (an import has at most 200,000 contacts; a text is at
    /// most 40 bytes).
    pub const MAX_NUMBERS: usize = 250_000;

    /// Keeps nothing: every number is read afresh, with its display form (a single save).
    pub fn none() -> PhoneCache {
        PhoneCache {
            read: Default::default(),
            display: true,
            limit: 0,
        }
    }

    /// Keeps up to [`Self::MAX_NUMBERS`] numbers, without their display form.
    pub fn without_display() -> PhoneCache {
        PhoneCache {
            read: Default::default(),
            display: false,
            limit: Self::MAX_NUMBERS,
        }
    }

    /// From now on phones come with their display form (computed once per number).
    pub fn with_display(mut self) -> PhoneCache {
        self.display = true;
        self
    }

    /// [`Phone::parse`], reading each distinct text once.
    pub fn parse(&mut self, label: PhoneLabel, input: &str) -> Result<Phone, Msg> {
        let phone = |(number, display): &(String, String)| Phone {
            label,
            number: number.clone(),
            display: display.clone(),
        };
        if let Some(hit) = self.read.get_mut(input) {
            return match hit {
                Ok(read) => {
                    if self.display && read.1.is_empty() {
                        read.1 = display_phone(&read.0);
                    }
                    Ok(phone(read))
                }
                Err(msg) => Err(msg.clone()),
            };
        }
        let read = read_phone(input, self.display);
        if self.read.len() < self.limit && input.len() <= 40 {
            self.read.insert(input.to_string(), read.clone());
        }
        read.as_ref().map(phone).map_err(Clone::clone)
    }

    /// Reads `input` into the cache (if there is room) without making a phone of it.
    pub fn learn(&mut self, input: &str) {
        if self.read.len() < self.limit && !self.read.contains_key(input) {
            let _ = self.parse(PhoneLabel::Mobile, input);
        }
    }

    /// Takes the numbers another cache has read (one filled on another thread), as far as
    /// there is room; a text both have read stays as this cache has it.
    pub fn absorb(&mut self, other: PhoneCache) {
        for (text, read) in other.read {
            if self.read.len() >= self.limit {
                break;
            }
            self.read.entry(text).or_insert(read);
        }
    }

    /// About how much memory the cache holds.
    pub fn approx_bytes(&self) -> usize {
        self.read.len() * 160
    }
}

/// Loads the phone-number rules (libphonenumber's metadata and the regular expressions it
/// compiles on first use) on a thread of its own, so that the first card saved with a phone
/// number after a start does not wait for them (0.75 s in a debug build, noticeable on a Pi).
pub fn warm_up_phone_rules() {
    let _ = std::thread::Builder::new()
        .name("phone-rules".into())
        .spawn(|| {
            let _ = normalize_phone("0171 2345678");
            let _ = display_phone("+491712345678");
        });
}

/// Typed text → E.164. Germany is the default region.
pub fn normalize_phone(input: &str) -> Result<String, Msg> {
    read_phone(input, false).map(|(e164, _)| e164)
}

/// Typed text → E.164 and, with `display`, the DIN 5008 form — from one parse of the text.
fn read_phone(input: &str, display: bool) -> Result<(String, String), Msg> {
    let trimmed = input.trim();
    if trimmed.is_empty() || trimmed.len() > 40 {
        return Err(Msg::BadPhone);
    }
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '/' | '(' | ')' | '.' | '\u{a0}'))
        .collect();
    let cleaned = match cleaned.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => cleaned,
    };
    let parsed = phonenumber::parse(Some(phonenumber::country::Id::DE), &cleaned)
        .map_err(|_| Msg::BadPhone)?;
    if !phonenumber::is_valid(&parsed) {
        return Err(Msg::BadPhone);
    }
    // What `Mode::E164` writes, without the formatter's search for a national format (a
    // third of a read).
    let e164 = format!("+{}{}", parsed.code().value(), parsed.national());
    let display = match display {
        false => String::new(),
        // The E.164 form has neither: read it again, as `from_e164` would.
        true if parsed.extension().is_some() || parsed.carrier().is_some() => display_phone(&e164),
        true => display_of(&parsed),
    };
    Ok((e164, display))
}

fn display_phone(e164: &str) -> String {
    match phonenumber::parse(None, e164) {
        Ok(parsed) => display_of(&parsed),
        Err(_) => e164.to_string(),
    }
}

/// German numbers nationally, others internationally.
fn display_of(parsed: &phonenumber::PhoneNumber) -> String {
    let mode = if parsed.code().value() == 49 {
        phonenumber::Mode::National
    } else {
        phonenumber::Mode::International
    };
    parsed.format().mode(mode).to_string()
}

/// An e-mail address, trimmed, with its domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, Msg> {
        let s = input.trim();
        let (local, domain) = s.rsplit_once('@').ok_or(Msg::BadEmail)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains(char::is_whitespace)
            && !local.contains('@');
        if !domain_ok || !local_ok || s.len() > 254 {
            return Err(Msg::BadEmail);
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two addresses are compared in (case-insensitive).
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Adds [`Msg::TooLong`] for `field` when `value` has more than `max` characters.
pub fn check_len(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    // Bytes bound characters from above: most texts are decided without counting.
    if value.len() > max && value.chars().count() > max {
        errors.add(field, Msg::TooLong { max });
    }
}

/// Adds [`Msg::TooMany`] for `field` when a list has more than `max` entries.
pub fn check_count(errors: &mut FieldErrors, field: &str, count: usize, max: usize) {
    if count > max {
        errors.add(field, Msg::TooMany { max });
    }
}

/// The years a date on a card may have (birthdays, appointments, query ranges): anything else
/// is a typing error or an attack, and far-off years would overflow date arithmetic.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Refuses a date outside [`YEARS`].
pub fn check_year(year: i32) -> Result<(), Msg> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(Msg::DateOutOfRange {
            from: *YEARS.start(),
            to: *YEARS.end(),
        })
    }
}

/// Refuses a point in time outside [`YEARS`].
pub fn check_time(time: chrono::DateTime<chrono::Utc>) -> Result<(), Msg> {
    check_year(time.year())
}

/// A birthday: a full date, or day and month when the customer did not give the year.
/// Serialized as `YYYY-MM-DD` or `--MM-DD` (ISO 8601 / vCard 4 form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Birthday {
    Full(NaiveDate),
    DayMonth { day: u32, month: u32 },
}

impl Birthday {
    /// Accepts `24.11.1985`, `24.11.`, `24.11`, `1985-11-24`, `--11-24`, `241185` is not accepted.
    pub fn parse(input: &str) -> Result<Birthday, Msg> {
        let s = input.trim();
        if let Some(rest) = s.strip_prefix("--") {
            let (m, d) = rest.split_once('-').ok_or(Msg::BadDate)?;
            return Birthday::day_month(num(d)?, num(m)?);
        }
        if s.contains('-') {
            let parts: Vec<&str> = s.split('-').collect();
            if parts.len() != 3 || parts[0].len() != 4 {
                return Err(Msg::BadDate);
            }
            return Birthday::full(num(parts[0])? as i32, num(parts[1])?, num(parts[2])?);
        }
        let parts: Vec<&str> = s.split('.').collect();
        match parts.as_slice() {
            [d, m] | [d, m, ""] => Birthday::day_month(num(d)?, num(m)?),
            [d, m, y] => {
                let year = num(y)?;
                let year = match y.len() {
                    4 => year as i32,
                    _ => return Err(Msg::BadDate),
                };
                Birthday::full(year, num(m)?, num(d)?)
            }
            _ => Err(Msg::BadDate),
        }
    }

    fn full(year: i32, month: u32, day: u32) -> Result<Birthday, Msg> {
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(Msg::ImpossibleDate);
        }
        check_year(year)?;
        NaiveDate::from_ymd_opt(year, month, day)
            .map(Birthday::Full)
            .ok_or(Msg::ImpossibleDate)
    }

    fn day_month(day: u32, month: u32) -> Result<Birthday, Msg> {
        // 2000 is a leap year, so 29 February is allowed without a year.
        NaiveDate::from_ymd_opt(2000, month, day)
            .map(|_| Birthday::DayMonth { day, month })
            .ok_or(Msg::ImpossibleDate)
    }

    pub fn day(&self) -> u32 {
        match self {
            Birthday::Full(d) => d.day(),
            Birthday::DayMonth { day, .. } => *day,
        }
    }

    pub fn month(&self) -> u32 {
        match self {
            Birthday::Full(d) => d.month(),
            Birthday::DayMonth { month, .. } => *month,
        }
    }

    pub fn year(&self) -> Option<i32> {
        match self {
            Birthday::Full(d) => Some(d.year()),
            Birthday::DayMonth { .. } => None,
        }
    }

    /// Whether the birthday falls on `date` (29 February is celebrated on 28 February in
    /// non-leap years).
    pub fn is_on(&self, date: NaiveDate) -> bool {
        let (d, m) = (self.day(), self.month());
        if m == date.month() && d == date.day() {
            return true;
        }
        let leap = NaiveDate::from_ymd_opt(date.year(), 2, 29).is_some();
        m == 2 && d == 29 && !leap && date.month() == 2 && date.day() == 28
    }

    /// German display form: `12.03.1985` or `12.03.`.
    pub fn display(&self) -> String {
        match self {
            Birthday::Full(d) => d.format("%d.%m.%Y").to_string(),
            Birthday::DayMonth { day, month } => format!("{day:02}.{month:02}."),
        }
    }

    /// ISO form: `1985-03-12` or `--03-12`.
    pub fn iso(&self) -> String {
        match self {
            // What `%Y-%m-%d` writes, without the formatter's parse of the pattern (an import
            // keys every contact by it); chrono's own for years beyond four digits.
            Birthday::Full(d) if (0..=9999).contains(&d.year()) => {
                format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
            }
            Birthday::Full(d) => d.format("%Y-%m-%d").to_string(),
            Birthday::DayMonth { day, month } => format!("--{month:02}-{day:02}"),
        }
    }
}

fn num(s: &str) -> Result<u32, Msg> {
    let s = s.trim();
    if s.is_empty() || s.len() > 4 || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(Msg::BadDate);
    }
    s.parse().map_err(|_| Msg::BadDate)
}

impl Serialize for Birthday {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Birthday {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Birthday::parse(&s).map_err(|_| serde::de::Error::custom(format!("bad birthday {s:?}")))
    }
}

impl fmt::Display for Birthday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_phone(input: &str, e164: Option<&str>, display: &str) {
        match (normalize_phone(input), e164) {
            (Ok(got), Some(want)) => {
                assert_eq!(got, want, "{input}");
                let phone = Phone::from_e164(PhoneLabel::Mobile, got);
                assert_eq!(phone.display(), display, "{input}");
            }
            (Err(_), None) => {}
            (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn phones_are_normalized_to_e164_and_shown_in_din_5008() {
        check_phone("0170 12345678", Some("+4917012345678"), "0170 12345678");
        check_phone("+49 170 1234 5678", Some("+4917012345678"), "0170 12345678");
        check_phone("0049 (89) 123 45 67", Some("+49891234567"), "089 1234567");
        check_phone("089/1234567", Some("+49891234567"), "089 1234567");
        check_phone("+43 1 234567", Some("+431234567"), "+43 1 234567");
        check_phone("12", None, "");
        check_phone("Anna", None, "");
        check_phone("", None, "");
    }

    /// One parse gives what the old two did: E.164 from the formatter, the display form read
    /// again from E.164; and a cache answers as `Phone::parse` does.
    #[test]
    fn one_read_of_a_number_is_what_two_were() {
        let mut cache = PhoneCache::without_display();
        for input in [
            "0170 12345678",
            "+49 (89) 123 45 67",
            "+39 06 6988 4567",
            "+1 650 555 1212",
            "+44 20 7946 0958",
            "+43 1 234567",
            "+41 44 668 18 00",
            "+55 11 98765 4321",
            "+81 3-1234-5678",
            "0171 2345678 ext. 3",
            "+49 171 2345678 x12",
            "0173 223344",
            "BusinessPhone",
        ] {
            let trimmed: String = input
                .chars()
                .filter(|c| !matches!(c, ' ' | '-' | '/' | '(' | ')' | '.'))
                .collect();
            let old = phonenumber::parse(Some(phonenumber::country::Id::DE), &trimmed)
                .ok()
                .filter(phonenumber::is_valid)
                .map(|p| p.format().mode(phonenumber::Mode::E164).to_string());
            let new = Phone::parse(PhoneLabel::Business, input);
            assert_eq!(new.as_ref().ok().map(|p| p.number.clone()), old, "{input}");
            if let (Ok(new), Some(old)) = (&new, &old) {
                assert_eq!(new.display, display_phone(old), "{input}");
            }
            let first = cache.parse(PhoneLabel::Business, input);
            let again = cache.parse(PhoneLabel::Business, input);
            assert_eq!(first, again, "{input}");
            if let Ok(p) = &first {
                assert!(p.display.is_empty());
                assert_eq!(p.display(), new.as_ref().unwrap().display, "{input}");
            }
        }
        let mut cache = cache.with_display();
        assert_eq!(
            cache.parse(PhoneLabel::Mobile, "0170 12345678"),
            Phone::parse(PhoneLabel::Mobile, "0170 12345678")
        );
        let mut none = PhoneCache::none();
        assert!(none.parse(PhoneLabel::Mobile, "0170 12345678").is_ok());
        assert_eq!(none.approx_bytes(), 0);
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Anna.M@Example.DE ").unwrap().as_str(),
            "Anna.M@example.de"
        );
        for bad in [
            "anna",
            "anna@",
            "@x.de",
            "anna@x",
            "a b@x.de",
            "anna@x..de",
            "anna@.de",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn birthdays() {
        let full = |y, m, d| Birthday::Full(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(Birthday::parse("12.03.1985"), Ok(full(1985, 3, 12)));
        assert_eq!(Birthday::parse("1985-03-12"), Ok(full(1985, 3, 12)));
        assert_eq!(
            Birthday::parse("12.03."),
            Ok(Birthday::DayMonth { day: 12, month: 3 })
        );
        assert_eq!(
            Birthday::parse("--03-12"),
            Ok(Birthday::DayMonth { day: 12, month: 3 })
        );
        assert_eq!(
            Birthday::parse("29.02."),
            Ok(Birthday::DayMonth { day: 29, month: 2 })
        );
        assert_eq!(Birthday::parse("30.02.1990"), Err(Msg::ImpossibleDate));
        assert_eq!(Birthday::parse("29.02.1991"), Err(Msg::ImpossibleDate));
        assert_eq!(Birthday::parse("gestern"), Err(Msg::BadDate));
        assert_eq!(Birthday::parse("12.03.85"), Err(Msg::BadDate));
        assert_eq!(full(1985, 3, 12).display(), "12.03.1985");
        assert_eq!(Birthday::DayMonth { day: 1, month: 12 }.iso(), "--12-01");
        // The hand-written ISO form is chrono's `%Y-%m-%d`.
        for (y, m, d) in [(1985, 3, 12), (1900, 1, 1), (2200, 12, 31), (812, 7, 4)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(
                Birthday::Full(date).iso(),
                date.format("%Y-%m-%d").to_string()
            );
        }
        let feb29 = Birthday::DayMonth { day: 29, month: 2 };
        assert!(feb29.is_on(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()));
        assert!(!feb29.is_on(NaiveDate::from_ymd_opt(2028, 2, 28).unwrap()));
    }
}
