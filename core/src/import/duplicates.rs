//! The duplicates report: cards that are probably the same person, found by the same normalised
//! phone number, the same e-mail, the same name and birthday, or a near-same name (the same
//! German phonetic code, Kölner Phonetik: Meier/Meyer/Maier, Müller/Mueller).
//!
//! A near-same name alone is a weak sign; groups of more than [`MAX_NAME_GROUP`] cards by name
//! alone are common names, not duplicates, and are left out.

use crate::error::Result;
use crate::model::*;
use crate::search::text::{fold_umlaut_e, name_words};
use crate::Kartei;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Name-only groups larger than this are common names, not duplicates.
pub const MAX_NAME_GROUP: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Phone,
    Email,
    NameAndBirthday,
    SimilarName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub id: CustomerId,
    pub name: String,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub birthday: Option<Birthday>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateGroup {
    pub reason: Reason,
    /// What they share (the phone number, the e-mail, …).
    pub shared: String,
    /// Oldest card first (the one to keep, usually).
    pub customers: Vec<Candidate>,
}

/// Groups of probable duplicates, strongest reasons first.
pub fn report(kartei: &Kartei) -> Result<Vec<DuplicateGroup>> {
    let mut buckets: BTreeMap<(Reason, String), Vec<Candidate>> = BTreeMap::new();
    kartei.store().for_each_customer(|c| {
        let candidate = Candidate {
            id: c.id,
            name: c.display_name(),
            phones: c.phones.iter().map(|p| p.display()).collect(),
            email: c.email.as_ref().map(|e| e.to_string()),
            birthday: c.birthday,
            created_at: c.created_at,
        };
        let mut add = |reason: Reason, key: String| {
            buckets
                .entry((reason, key))
                .or_default()
                .push(candidate.clone());
        };
        for p in &c.phones {
            add(Reason::Phone, p.display());
        }
        if let Some(e) = &c.email {
            add(Reason::Email, e.key());
        }
        let phonetic = phonetic_name(&c.first_name, &c.last_name);
        if let (Some(b), false) = (c.birthday, phonetic.is_empty()) {
            add(
                Reason::NameAndBirthday,
                format!("{}, {}", c.display_name(), b.display()),
            );
        }
        if !phonetic.is_empty() {
            add(Reason::SimilarName, phonetic);
        }
        Ok(())
    })?;
    let mut seen: HashSet<Vec<CustomerId>> = HashSet::new();
    let mut out = Vec::new();
    for ((reason, shared), mut customers) in buckets {
        if customers.len() < 2
            || (reason == Reason::SimilarName && customers.len() > MAX_NAME_GROUP)
        {
            continue;
        }
        customers.sort_by_key(|c| (c.created_at, c.id));
        customers.dedup_by_key(|c| c.id);
        if customers.len() < 2 {
            continue;
        }
        let mut ids: Vec<CustomerId> = customers.iter().map(|c| c.id).collect();
        ids.sort();
        if !seen.insert(ids) {
            continue;
        }
        let shared = match reason {
            Reason::SimilarName => customers
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(" / "),
            _ => shared,
        };
        out.push(DuplicateGroup {
            reason,
            shared,
            customers,
        });
    }
    out.sort_by_key(|d| d.reason);
    Ok(out)
}

/// The phonetic key of a name: the Kölner Phonetik code of every name word, sorted (so that
/// first and last name swapped still match).
pub fn phonetic_name(first: &str, last: &str) -> String {
    let mut codes: Vec<String> = name_words(first)
        .chain(name_words(last))
        .map(cologne)
        .filter(|c| !c.is_empty())
        .collect();
    codes.sort();
    codes.join(" ")
}

/// Kölner Phonetik (Postel 1969): German-sounding names to digit codes.
pub fn cologne(word: &str) -> String {
    let letters: Vec<char> = fold_umlaut_e(word)
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .collect();
    let mut raw = String::new();
    for (i, &c) in letters.iter().enumerate() {
        let prev = if i > 0 { Some(letters[i - 1]) } else { None };
        let next = letters.get(i + 1).copied();
        let code = match c {
            'a' | 'e' | 'i' | 'j' | 'o' | 'u' | 'y' => Some('0'),
            'h' => None,
            'b' => Some('1'),
            'p' => Some(if next == Some('h') { '3' } else { '1' }),
            'd' | 't' => Some(if matches!(next, Some('c' | 's' | 'z')) {
                '8'
            } else {
                '2'
            }),
            'f' | 'v' | 'w' => Some('3'),
            'g' | 'k' | 'q' => Some('4'),
            'c' => Some(if i == 0 {
                if matches!(
                    next,
                    Some('a' | 'h' | 'k' | 'l' | 'o' | 'q' | 'r' | 'u' | 'x')
                ) {
                    '4'
                } else {
                    '8'
                }
            } else if matches!(prev, Some('s' | 'z')) {
                '8'
            } else if matches!(next, Some('a' | 'h' | 'k' | 'o' | 'q' | 'u' | 'x')) {
                '4'
            } else {
                '8'
            }),
            'x' => {
                if matches!(prev, Some('c' | 'k' | 'q')) {
                    Some('8')
                } else {
                    raw.push('4');
                    Some('8')
                }
            }
            'l' => Some('5'),
            'm' | 'n' => Some('6'),
            'r' => Some('7'),
            's' | 'z' => Some('8'),
            _ => None,
        };
        if let Some(code) = code {
            raw.push(code);
        }
    }
    let mut out = String::new();
    for (i, c) in raw.chars().enumerate() {
        if out.ends_with(c) {
            continue;
        }
        if c == '0' && i > 0 {
            // Keep a placeholder so that "aa" between consonants still separates them.
            out.push('_');
            continue;
        }
        out.push(c);
    }
    out.replace('_', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kolner_phonetik() {
        assert_eq!(cologne("Müller"), cologne("Mueller"));
        assert_eq!(cologne("Meier"), cologne("Meyer"));
        assert_eq!(cologne("Maier"), cologne("Mayer"));
        assert_eq!(cologne("Schmidt"), cologne("Schmitt"));
        assert_eq!(cologne("Wikipedia"), "3412");
        assert_eq!(cologne("Müller-Lüdenscheidt"), "65752682");
        assert_ne!(cologne("Müller"), cologne("Schmidt"));
        assert_eq!(
            phonetic_name("Anna", "Meyer"),
            phonetic_name("Anna", "Meier")
        );
    }
}
