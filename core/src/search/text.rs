//! How text becomes search terms: German folding, per-word prefixes, phone digit runs, dates.
//!
//! The same [`DocTerms`] feed the tantivy index and the in-memory overlay of changes not yet in a
//! committed segment, so both answer a query identically. Terms carry a one-letter kind prefix in
//! one `keys` field: `n:` name prefix, `e:` e-mail prefix, `p:` phone digit run, `b:` birthday,
//! `a:` appointment day. Whole name words go to a second field for typo-tolerant matching.

use crate::model::{Birthday, Customer};
use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};

/// Name prefixes are indexed up to this many characters; longer query words are cut to it.
pub const MAX_PREFIX: usize = 20;
/// E-mail prefixes likewise.
pub const MAX_EMAIL_PREFIX: usize = 40;
/// Phone digit runs shorter than this are not indexed (and not searched).
pub const MIN_PHONE_DIGITS: usize = 3;

/// Folds a word for search: lower case, `ß` → `ss`, umlauts and other accents dropped
/// (`Müller` → `muller`), anything but letters and digits removed.
pub fn fold(word: &str) -> String {
    fold_with(word, false)
}

/// The other German folding: `ä` → `ae`, `ö` → `oe`, `ü` → `ue` (`Müller` → `mueller`).
pub fn fold_umlaut_e(word: &str) -> String {
    fold_with(word, true)
}

fn fold_with(word: &str, umlaut_e: bool) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    for c in word.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            'ä' | 'Ä' if umlaut_e => out.push_str("ae"),
            'ö' | 'Ö' if umlaut_e => out.push_str("oe"),
            'ü' | 'Ü' if umlaut_e => out.push_str("ue"),
            'ß' | 'ẞ' => out.push_str("ss"),
            c if c.is_ascii() => {}
            c => {
                for d in deunicode::deunicode_char(c).unwrap_or("").chars() {
                    if d.is_ascii_alphanumeric() {
                        out.push(d.to_ascii_lowercase());
                    }
                }
            }
        }
    }
    out
}

/// Splits a name into words: white space, hyphens, apostrophes and dots separate
/// ("Bäcker-Öztürk" → "Bäcker", "Öztürk").
pub fn name_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '\'' | '’' | '.' | ',' | '/' | '&' | '@')
    })
    .filter(|w| !w.is_empty())
}

/// The sort key for names in German dictionary order (DIN 5007-1: Ä with A, ß as ss):
/// last name, then first name, then company.
pub fn name_sort_key(first: &str, last: &str, company: &str) -> String {
    let mut key = String::new();
    for part in [last, first, company] {
        for w in name_words(part) {
            key.push_str(&fold(w));
            key.push(' ');
        }
        key.push('\u{1}');
    }
    key
}

/// Everything a customer is found by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocTerms {
    /// Exact-match terms with kind prefix (`n:mue`, `e:anna@`, `p:17123`, `b:0312`, `a:20261124`).
    pub keys: Vec<String>,
    /// Whole folded name words, for typo-tolerant matching.
    pub words: Vec<String>,
}

impl DocTerms {
    /// The terms of a customer with the start times (unix seconds) of their appointments.
    pub fn of(customer: &Customer, appointment_starts: impl Iterator<Item = i64>) -> DocTerms {
        let mut keys = std::collections::BTreeSet::new();
        let mut words = std::collections::BTreeSet::new();
        for part in [&customer.first_name, &customer.last_name, &customer.company] {
            for word in name_words(part) {
                for folded in [fold(word), fold_umlaut_e(word)] {
                    if folded.is_empty() {
                        continue;
                    }
                    for (n, (i, c)) in folded.char_indices().enumerate() {
                        if n >= MAX_PREFIX {
                            break;
                        }
                        keys.insert(key("n:", &folded[..i + c.len_utf8()]));
                    }
                    words.insert(folded);
                }
            }
        }
        if let Some(email) = &customer.email {
            let lower = email.as_str().to_lowercase();
            for (n, (i, c)) in lower.char_indices().enumerate() {
                if n >= MAX_EMAIL_PREFIX {
                    break;
                }
                keys.insert(key("e:", &lower[..i + c.len_utf8()]));
            }
        }
        for phone in &customer.phones {
            let digits = phone.digits();
            for start in 0..digits.len() {
                for end in (start + MIN_PHONE_DIGITS)..=digits.len() {
                    keys.insert(key("p:", &digits[start..end]));
                }
            }
        }
        if let Some(b) = customer.birthday {
            keys.insert(format!("b:{:02}{:02}", b.month(), b.day()));
            if let Birthday::Full(d) = b {
                keys.insert(format!("b:{}", d.format("%Y%m%d")));
            }
        }
        for start in appointment_starts {
            if let Some(day) = local_day(start) {
                keys.insert(format!("a:{}", day.format("%Y%m%d")));
            }
        }
        DocTerms {
            keys: keys.into_iter().collect(),
            words: words.into_iter().collect(),
        }
    }
}

/// `kind` followed by `text`: a card has some 80 keys, and `format!` made them at a third of
/// the cost of indexing an imported card.
fn key(kind: &str, text: &str) -> String {
    let mut key = String::with_capacity(kind.len() + text.len());
    key.push_str(kind);
    key.push_str(text);
    key
}

/// The salon-local calendar day of a unix timestamp.
pub fn local_day(unix_seconds: i64) -> Option<NaiveDate> {
    let utc: DateTime<Utc> = Utc.timestamp_opt(unix_seconds, 0).single()?;
    Some(utc.with_timezone(&Local).date_naive())
}

/// Whether `word` is within one edit (insert, delete, substitute, transpose) of some prefix
/// of `candidate`: the overlay's version of tantivy's prefix fuzzy match.
pub fn fuzzy_prefix_match(word: &str, candidate: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    let c: Vec<char> = candidate.chars().collect();
    let lo = w.len().saturating_sub(1);
    let hi = (w.len() + 1).min(c.len());
    (lo..=hi).any(|len| {
        let prefix: String = c[..len.min(c.len())].iter().collect();
        strsim::damerau_levenshtein(word, &prefix) <= 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_folding() {
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold_umlaut_e("Müller"), "mueller");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold_umlaut_e("STRASSE"), "strasse");
        assert_eq!(fold("Öztürk"), "ozturk");
        assert_eq!(fold("José"), "jose");
        assert_eq!(fold("Łukasz"), "lukasz");
        assert_eq!(fold("O'Neill"), "oneill");
    }

    #[test]
    fn sort_keys_put_umlauts_with_their_vowel() {
        let mut names = [
            ("", "Zander"),
            ("", "Äbel"),
            ("", "Abt"),
            ("", "Oz"),
            ("", "Öhler"),
        ];
        names.sort_by_key(|(f, l)| name_sort_key(f, l, ""));
        let last: Vec<&str> = names.iter().map(|n| n.1).collect();
        assert_eq!(last, ["Äbel", "Abt", "Öhler", "Oz", "Zander"]);
    }

    #[test]
    fn fuzzy_prefix() {
        assert!(fuzzy_prefix_match("mueler", "mueller"));
        assert!(fuzzy_prefix_match("shmidt", "schmidt"));
        assert!(fuzzy_prefix_match("schmidd", "schmidt"));
        assert!(fuzzy_prefix_match("scmi", "schmidt"));
        assert!(!fuzzy_prefix_match("meier", "schmidt"));
    }
}
