//! Phone numbers as contact files write them → the E.164 numbers a card takes, or the text as
//! typed when it cannot be placed (the import keeps it as a note and warns on the row).
//!
//! - `tel:` URIs (vCard 4.0) are one number: `tel:+1-418-656-9254;ext=102` is the number with
//!   extension 102, never two phones.
//! - A number with a country code (`+1 …`, `0044 …`) is kept in its country.
//! - A number without one is read as German only when it is written the German way (with the
//!   trunk `0`) and is a valid German number; a contact whose address is abroad is read in that
//!   country first. Anything else (`(650) 555-1212` without a country, `0173 223344`, the text
//!   `BusinessPhone`) is kept as typed: it never quietly becomes a German number.
//! - One cell may hold several numbers: Google's ` ::: `, commas, semicolons, line breaks.
//!
//! Parsing and validity come from the `phonenumber` crate (Google's libphonenumber metadata).

use phonenumber::country::Id;
use phonenumber::Mode;

/// One number read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneRead {
    /// A valid number, E.164, with the extension if the file had one.
    Taken {
        e164: String,
        extension: Option<String>,
    },
    /// Could not be placed; the text as the file had it.
    Kept(String),
}

/// The numbers of one cell or property value: split at Google's ` ::: `, commas, semicolons
/// and line breaks. A `tel:` URI is one number whatever it holds.
pub fn split_cell(value: &str) -> Vec<&str> {
    let value = value.trim();
    if value
        .get(..4)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("tel:"))
    {
        return vec![value];
    }
    value
        .split(":::")
        .flat_map(|part| part.split([',', ';', '\n']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The country a contact lives in as `phonenumber` knows it (`DE`, `US`, …).
pub fn region(country: &str) -> Option<Id> {
    let code = country.trim().to_ascii_uppercase();
    if code.len() != 2 {
        return None;
    }
    code.parse().ok()
}

/// Reads one number. `home` is the contact's country, if the file says or implies one.
pub fn read(raw: &str, home: Option<Id>) -> PhoneRead {
    let typed = raw.trim().trim_start_matches('\'').trim();
    let kept = || PhoneRead::Kept(typed.to_string());
    if typed.is_empty() || typed.chars().count() > 60 {
        return kept();
    }
    let (number, uri_extension) = split_uri(typed);
    let digits = number.chars().filter(|c| c.is_ascii_digit()).count();
    if !(3..=20).contains(&digits) {
        return kept();
    }
    let cleaned: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '/' | '(' | ')' | '.' | '\u{a0}'))
        .collect();
    let international = match cleaned.strip_prefix("00") {
        Some(rest) => Some(format!("+{rest}")),
        None if cleaned.starts_with('+') => Some(cleaned.clone()),
        None => None,
    };
    let parsed = match international {
        Some(text) => phonenumber::parse(None, &text)
            .ok()
            .filter(phonenumber::is_valid),
        None => {
            // Abroad first (a Swiss `044 …` is Zürich), then German — only with the trunk 0.
            let mut regions = Vec::with_capacity(2);
            if let Some(home) = home.filter(|h| *h != Id::DE) {
                regions.push(home);
            }
            // A spreadsheet that took a German mobile number for a number dropped its 0.
            let cleaned = if lost_trunk_zero(&cleaned) {
                format!("0{cleaned}")
            } else {
                cleaned
            };
            if cleaned.starts_with('0') {
                regions.push(Id::DE);
            }
            regions.into_iter().find_map(|r| {
                phonenumber::parse(Some(r), &cleaned)
                    .ok()
                    .filter(phonenumber::is_valid)
            })
        }
    };
    match parsed {
        Some(p) => PhoneRead::Taken {
            e164: p.format().mode(Mode::E164).to_string(),
            extension: uri_extension.or_else(|| p.extension().map(|e| e.to_string())),
        },
        None => kept(),
    }
}

/// Whether [`read`] must look at the number, or the card's own check (which reads numbers
/// without a country code as German, as [`read`] would) can take it as typed: a number with
/// a country code or a German-style `0…` number of a contact at home, without an extension.
/// Saves parsing every number twice on large imports.
pub fn needs_reading(raw: &str, home: Option<Id>) -> bool {
    let typed = raw.trim();
    let digits = typed.chars().filter(|c| c.is_ascii_digit()).count();
    let plain = (3..=20).contains(&digits)
        && typed.len() <= 40
        && !typed
            .chars()
            .any(|c| c.is_alphabetic() || matches!(c, ';' | '#' | ','));
    let at_home = home.is_none_or(|h| h == Id::DE);
    !(plain && (typed.starts_with('+') || (typed.starts_with('0') && at_home)))
}

/// `1712345678`: only digits, 10 or 11 of them, starting like a German mobile number (15…, 16…,
/// 17…) — what Excel makes of `0171 2345678` in a number cell.
fn lost_trunk_zero(cleaned: &str) -> bool {
    (10..=11).contains(&cleaned.len())
        && cleaned.bytes().all(|b| b.is_ascii_digit())
        && ["15", "16", "17"].iter().any(|p| cleaned.starts_with(p))
}

/// `tel:+1-418-656-9254;ext=102` → (`+1-418-656-9254`, `102`); other text as it is.
fn split_uri(typed: &str) -> (&str, Option<String>) {
    let Some(rest) = typed
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("tel:"))
        .map(|_| &typed[4..])
    else {
        return (typed, None);
    };
    let mut parts = rest.split(';');
    let number = parts.next().unwrap_or_default();
    let extension = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("ext"))
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty());
    (number, extension)
}

/// The number as people read it: German numbers nationally, others internationally.
pub fn display(e164: &str) -> String {
    crate::model::Phone::from_e164(crate::model::PhoneLabel::Mobile, e164.to_string()).display()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn taken(raw: &str, home: Option<&str>, e164: &str, ext: Option<&str>) {
        assert_eq!(
            read(raw, home.and_then(region)),
            PhoneRead::Taken {
                e164: e164.to_string(),
                extension: ext.map(str::to_string)
            },
            "{raw}"
        );
    }

    #[track_caller]
    fn kept(raw: &str, home: Option<&str>) {
        assert_eq!(
            read(raw, home.and_then(region)),
            PhoneRead::Kept(raw.trim().to_string()),
            "{raw}"
        );
    }

    #[test]
    fn numbers_with_a_country_code_stay_in_their_country() {
        taken("+1 650 555 1212", None, "+16505551212", None);
        taken("+1-418-656-9254", None, "+14186569254", None);
        taken("001 650 555 1212", None, "+16505551212", None);
        taken("+44 20 7946 0958", None, "+442079460958", None);
        taken("+43 1 5880000", None, "+4315880000", None);
        taken("+49 (89) 123 45 67", None, "+49891234567", None);
        taken("0049 171 2345678", Some("US"), "+491712345678", None);
        taken("tel:+49-160-9876543", None, "+491609876543", None);
    }

    #[test]
    fn tel_uris_keep_their_extension() {
        taken(
            "tel:+1-418-656-9254;ext=102",
            None,
            "+14186569254",
            Some("102"),
        );
        taken(
            "TEL:+44-555-555-5555;ext=5555",
            None,
            "+445555555555",
            Some("5555"),
        );
        assert_eq!(split_cell("tel:+1-418-656-9254;ext=102").len(), 1);
    }

    #[test]
    fn numbers_without_a_country_code_are_german_only_when_they_are() {
        taken("0171 2345678", None, "+491712345678", None);
        taken("089/1234567", None, "+49891234567", None);
        taken("'0221 345678", None, "+49221345678", None);
        // Excel's number cell lost the leading zero of a German mobile number.
        taken("1712345678", None, "+491712345678", None);
        taken("0171 2345678", Some("DE"), "+491712345678", None);
        // The address says where the contact lives.
        taken("(650) 555-1212", Some("US"), "+16505551212", None);
        taken("044 668 18 00", Some("CH"), "+41446681800", None);
        // Not German, and no country to read it in: kept as typed, never `06505 551212`.
        kept("(650) 555-1212", None);
        kept("650-555-1212", None);
        kept("(617) 236-0442", Some("DE"));
        kept("0173 223344", None);
        kept("BusinessPhone", None);
        kept("phone home", None);
        kept("12", None);
        kept("", None);
    }

    #[test]
    fn plain_numbers_are_left_to_the_card_check() {
        assert!(!needs_reading("+49 171 2345678", None));
        assert!(!needs_reading("0171 2345678", Some(Id::DE)));
        assert!(needs_reading("0171 2345678", Some(Id::CH)));
        assert!(needs_reading("(650) 555-1212", None));
        assert!(needs_reading("tel:+1-418-656-9254;ext=102", None));
        assert!(needs_reading("+1 650 555 1212 ext. 3", None));
        assert!(needs_reading("1712345678", None));
    }

    #[test]
    fn several_numbers_in_one_cell() {
        assert_eq!(
            split_cell("+49 171 2345678 ::: 089 123456"),
            ["+49 171 2345678", "089 123456"]
        );
        assert_eq!(
            split_cell("0171 2345678, 089 123456"),
            ["0171 2345678", "089 123456"]
        );
        assert_eq!(split_cell("0171 2345678;\n089 123456").len(), 2);
        assert!(split_cell("  ").is_empty());
    }

    #[test]
    fn a_cell_with_letters_beyond_ascii_is_split_not_a_panic() {
        // The fourth byte lies inside `ö`: the `tel:` check must not slice there.
        assert_eq!(split_cell(",öö"), ["öö"]);
        assert_eq!(split_cell("aböö"), ["aböö"]);
        assert_eq!(split_cell("TEL:+49 171"), ["TEL:+49 171"]);
    }
}
