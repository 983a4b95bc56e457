//! Parses what was typed into the search box into [`Clause`]s: every clause must match, a clause
//! matches when any of its keys is among a customer's terms (or, in the typo-tolerant pass, its
//! fuzzy word is one edit from a name word).

use super::text::{fold, name_words, MAX_EMAIL_PREFIX, MAX_PREFIX, MIN_PHONE_DIGITS};
use chrono::NaiveDate;

/// Words of this many letters or more also match with one typo.
pub const MIN_FUZZY_LEN: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub keys: Vec<String>,
    /// The folded word for typo-tolerant matching, if long enough.
    pub fuzzy: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
}

impl ParsedQuery {
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    pub fn has_fuzzy(&self) -> bool {
        self.clauses.iter().any(|c| c.fuzzy.is_some())
    }

    pub fn parse(input: &str) -> ParsedQuery {
        let input = input.trim();
        if input.is_empty() {
            return ParsedQuery::default();
        }
        if let Some(keys) = date_keys(input) {
            return ParsedQuery {
                clauses: vec![Clause { keys, fuzzy: None }],
            };
        }
        // A whole query of digits and phone punctuation is one phone number: "0171 23".
        if let Some(digits) = phone_query(input) {
            return ParsedQuery {
                clauses: vec![Clause {
                    keys: vec![format!("p:{digits}")],
                    fuzzy: None,
                }],
            };
        }
        let clauses = input.split_whitespace().flat_map(word_clauses).collect();
        ParsedQuery { clauses }
    }
}

/// The clauses of one typed word. A word that the index splits into several name words
/// ("bäcker-öz", "anna.m") gives a clause per part; each also accepts the whole word as an
/// e-mail (or phone) prefix, so "anna.m" still finds anna.mueller@….
fn word_clauses(word: &str) -> Vec<Clause> {
    if let Some(keys) = date_keys(word) {
        return vec![Clause { keys, fuzzy: None }];
    }
    if let Some(digits) = phone_query(word) {
        return vec![Clause {
            keys: vec![format!("p:{digits}")],
            fuzzy: None,
        }];
    }
    let mut shared = Vec::new();
    let lower = word.to_lowercase();
    if lower.chars().any(|c| c.is_alphanumeric()) {
        shared.push(format!("e:{}", truncate(&lower, MAX_EMAIL_PREFIX)));
    }
    let mut clauses: Vec<Clause> = name_words(word)
        .map(fold)
        .filter(|f| !f.is_empty())
        .map(|part| {
            let fuzzy = (part.chars().count() >= MIN_FUZZY_LEN
                && part.chars().all(|c| c.is_ascii_alphabetic()))
            .then(|| part.clone());
            let mut keys = vec![format!("n:{}", truncate(&part, MAX_PREFIX))];
            keys.extend(shared.iter().cloned());
            Clause { keys, fuzzy }
        })
        .collect();
    if clauses.is_empty() && !shared.is_empty() {
        clauses.push(Clause {
            keys: shared,
            fuzzy: None,
        });
    }
    clauses
}

fn truncate(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Digits of a phone-like query, normalised like stored numbers: `0171…` → `49171…`,
/// `+49…`/`0049…` → `49…`. `None` if it is not phone-like or too short.
fn phone_query(s: &str) -> Option<String> {
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '/' | '(' | ')'))
    {
        return None;
    }
    let plus = s.trim_start().starts_with('+');
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < MIN_PHONE_DIGITS {
        return None;
    }
    let normalised = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("49{rest}")
    } else {
        digits
    };
    Some(normalised)
}

/// Date words: `12.03.` / `12.03` (a birthday's day and month), `12.03.1985` / `1985-03-12`
/// (a birthday or an appointment on that day).
fn date_keys(word: &str) -> Option<Vec<String>> {
    let full = |d: NaiveDate| {
        let ymd = d.format("%Y%m%d");
        vec![format!("b:{ymd}"), format!("a:{ymd}")]
    };
    if word.contains('-') {
        let parts: Vec<&str> = word.split('-').collect();
        if let [y, m, d] = parts.as_slice() {
            if y.len() == 4 {
                let date =
                    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
                return Some(full(date));
            }
        }
        return None;
    }
    if !word.contains('.') || !word.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let parts: Vec<&str> = word.split('.').collect();
    let (d, m, y) = match parts.as_slice() {
        [d, m] | [d, m, ""] => (d, m, None),
        [d, m, y] if y.len() == 4 => (d, m, Some(y)),
        // A year still being typed: search by day and month for now.
        [d, m, _] => (d, m, None),
        _ => return None,
    };
    let (day, month): (u32, u32) = (d.parse().ok()?, m.parse().ok()?);
    match y {
        Some(y) => Some(full(NaiveDate::from_ymd_opt(y.parse().ok()?, month, day)?)),
        None => {
            NaiveDate::from_ymd_opt(2000, month, day)?;
            Some(vec![format!("b:{month:02}{day:02}")])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &[&[&str]]) {
        let parsed = ParsedQuery::parse(input);
        let got: Vec<Vec<&str>> = parsed
            .clauses
            .iter()
            .map(|c| c.keys.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(got, expected, "{input}");
    }

    #[test]
    fn queries() {
        check("", &[]);
        check("b", &[&["n:b", "e:b"]]);
        check("an MÜ", &[&["n:an", "e:an"], &["n:mu", "e:mü"]]);
        check("0171 23", &[&["p:4917123"]]);
        check("+49171 23", &[&["p:4917123"]]);
        check("0049 171", &[&["p:49171"]]);
        check("2345678", &[&["p:2345678"]]);
        check(
            "bäcker-öz",
            &[&["n:backer", "e:bäcker-öz"], &["n:oz", "e:bäcker-öz"]],
        );
        check("12.03.", &[&["b:0312"]]);
        check("12.03.1985", &[&["b:19850312", "a:19850312"]]);
        check("1985-03-12", &[&["b:19850312", "a:19850312"]]);
        check("24.11.2026", &[&["b:20261124", "a:20261124"]]);
        check(
            "anna@ex",
            &[&["n:anna", "e:anna@ex"], &["n:ex", "e:anna@ex"]],
        );
    }

    #[test]
    fn long_words_are_typo_tolerant() {
        assert_eq!(
            ParsedQuery::parse("müller").clauses[0].fuzzy.as_deref(),
            Some("muller")
        );
        assert_eq!(ParsedQuery::parse("mül").clauses[0].fuzzy, None);
    }
}
