//! How the kiosk writes things people read: German dates and times, names, initials, and the
//! few UI texts built in Rust (the `.slint` texts are translated with `@tr()`).

use super::ui::CustomerRow;
use chrono::{DateTime, Local, NaiveDate, Utc};
use kartei_core::i18n::Word;
use kartei_core::search::ListItem;
use kartei_core::Lang;

/// German or English, for texts composed in Rust.
pub fn tr(lang: Lang, de: &str, en: &str) -> String {
    match lang {
        Lang::De => de.to_string(),
        Lang::En => en.to_string(),
    }
}

/// `12345` → `12.345` (German) or `12,345` (English).
pub fn count(n: usize, lang: Lang) -> String {
    let sep = if lang == Lang::De { '.' } else { ',' };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

pub fn date(day: NaiveDate) -> String {
    day.format("%d.%m.%Y").to_string()
}

pub fn local_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%d.%m.%Y").to_string()
}

pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%H:%M").to_string()
}

/// "Müller, Anna" as lists sort it; the company when there is no name.
pub fn list_name(first: &str, last: &str, company: &str) -> String {
    match (first.trim(), last.trim()) {
        ("", "") => company.to_string(),
        (f, "") => f.to_string(),
        ("", l) => l.to_string(),
        (f, l) => format!("{l}, {f}"),
    }
}

pub fn initials(first: &str, last: &str, company: &str) -> String {
    let letter = |s: &str| {
        s.trim()
            .chars()
            .next()
            .map(|c| c.to_uppercase().to_string())
    };
    match (letter(first), letter(last)) {
        (Some(f), Some(l)) => format!("{f}{l}"),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => letter(company).unwrap_or_else(|| "?".into()),
    }
}

/// One list row as the UI shows it.
pub fn customer_row(item: &ListItem, lang: Lang) -> CustomerRow {
    let mut detail: Vec<&str> = Vec::new();
    if let Some(phone) = item.phones.first() {
        detail.push(&phone.display);
    }
    if let Some(email) = &item.email {
        detail.push(email);
    }
    let last_visit = match item.last_visit {
        Some(day) => format!("{} {}", Word::LastVisitShort.text(lang), date(day)),
        None => Word::NoVisitYet.text(lang).to_string(),
    };
    CustomerRow {
        id: i32::try_from(item.id.0).unwrap_or(i32::MAX),
        name: list_name(&item.first_name, &item.last_name, &item.company).into(),
        detail: detail.join("  ·  ").into(),
        last_visit: last_visit.into(),
        initials: initials(&item.first_name, &item.last_name, &item.company).into(),
        groups: item.groups.join(", ").into(),
        allergy: item.allergy,
        loaded: true,
    }
}

/// A mail's attachments as one line: `Rechnung.pdf (120 KB), Foto.jpg (2,4 MB)`.
pub fn attachments(list: &[kartei_core::model::Attachment]) -> String {
    list.iter()
        .map(|a| {
            let size = match a.size {
                s if s >= 1024 * 1024 => format!("{:.1} MB", s as f64 / (1024.0 * 1024.0)),
                s => format!("{} KB", s.div_ceil(1024)),
            };
            format!("{} ({size})", a.name)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_initials() {
        assert_eq!(list_name("Anna", "Müller", ""), "Müller, Anna");
        assert_eq!(list_name("", "", "Haar AG"), "Haar AG");
        assert_eq!(initials("anna", "Özdemir", ""), "AÖ");
        assert_eq!(initials("", "", "haar ag"), "H");
        assert_eq!(initials("", "", ""), "?");
        assert_eq!(count(0, Lang::De), "0");
        assert_eq!(count(999, Lang::De), "999");
        assert_eq!(count(100_000, Lang::De), "100.000");
        assert_eq!(count(1_234_567, Lang::En), "1,234,567");
    }
}
