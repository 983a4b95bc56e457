//! vCard files (`.vcf`, one or many cards) as iPhone, Android and Google Contacts write them:
//! versions 2.1, 3.0 and 4.0, folded lines, QUOTED-PRINTABLE with CHARSET, `itemN.` grouped
//! properties, typed TEL, BDAY with and without year, N and FN, ORG, ADR, EMAIL, NOTE, PHOTO.
//!
//! Parsing is done by `calcard` (Stalwart Labs, Apache-2.0 OR MIT): it reads Apple 3.0 and
//! Android 2.1 quoted-printable cards that the stricter `vcard4` refuses, and decodes charsets
//! and base64. This module maps its entries onto a [`Record`]. A file whose last card is cut
//! off is refused as a whole, so a truncated file never imports half.

use super::mapping;
use super::{refuse, EmbeddedPhoto, Format, Parsed, Record, MAX_PHOTO_BYTES, MAX_RECORDS};
use crate::error::Result;
use crate::i18n::Msg;
use crate::model::PhoneLabel;
use calcard::vcard::{
    VCard, VCardEntry, VCardParameterName, VCardParameterValue, VCardProperty, VCardValue,
};
use calcard::{Entry, Parser};

pub fn read(text: &str) -> Result<Parsed> {
    read_with(text, &mut |_| {})
}

/// [`read`], handing each contact to `each` as soon as it is read (the preview reads phone
/// numbers on a second thread meanwhile).
pub fn read_with(text: &str, each: &mut dyn FnMut(&Record)) -> Result<Parsed> {
    let mut parsed = Parsed {
        format: Format::VCard,
        records: Vec::new(),
        mapped_columns: Vec::new(),
        ignored_columns: Vec::new(),
        unknown_columns: Vec::new(),
    };
    if !complete(text) {
        return Err(refuse(Msg::ImportUnreadable));
    }
    let mut parser = Parser::new(text);
    loop {
        match parser.entry() {
            Entry::VCard(card) => {
                if parsed.records.len() >= MAX_RECORDS {
                    return Err(refuse(Msg::ImportTooManyRows { max: MAX_RECORDS }));
                }
                let line = parsed.records.len() + 1;
                let record = record(&card, line);
                each(&record);
                parsed.records.push(record);
            }
            Entry::Eof => break,
            Entry::UnterminatedComponent(_) | Entry::UnexpectedComponentEnd { .. } => {
                return Err(refuse(Msg::ImportUnreadable));
            }
            Entry::TooManyComponents => {
                return Err(refuse(Msg::ImportTooManyRows { max: MAX_RECORDS }));
            }
            // Stray lines between cards, calendars in a contacts file: skipped.
            _ => {}
        }
    }
    Ok(parsed)
}

/// Whether every `BEGIN:VCARD` has its `END:VCARD`: a file cut off in transfer is refused as a
/// whole (the parser would hand back the cut card as if it were complete).
fn complete(text: &str) -> bool {
    let mut open = false;
    for line in text.lines() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.eq_ignore_ascii_case("BEGIN:VCARD") {
            if open {
                return false;
            }
            open = true;
        } else if line.eq_ignore_ascii_case("END:VCARD") {
            open = false;
        }
    }
    !open
}

/// The text of a property: components joined the way the field needs them.
fn texts(entry: &VCardEntry) -> Vec<String> {
    entry
        .values
        .iter()
        .map(|v| match v {
            VCardValue::Text(s) => s.clone(),
            VCardValue::Component(parts) => parts.join(" "),
            VCardValue::Integer(i) => i.to_string(),
            VCardValue::Float(f) => f.to_string(),
            VCardValue::Boolean(b) => b.to_string(),
            VCardValue::PartialDateTime(d) => {
                let mut s = String::new();
                match d.year {
                    Some(y) => s.push_str(&format!("{y:04}-")),
                    None => s.push_str("--"),
                }
                if let (Some(m), Some(day)) = (d.month, d.day) {
                    s.push_str(&format!("{m:02}-{day:02}"));
                }
                s
            }
            _ => String::new(),
        })
        .collect()
}

fn first_text(entry: &VCardEntry) -> String {
    texts(entry)
        .into_iter()
        .find(|s| !s.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The TYPE values of a property in lower case, however the version spells them
/// (`TEL;CELL`, `TEL;TYPE=CELL,VOICE`, `TEL;type=CELL;type=pref`).
fn types(entry: &VCardEntry) -> Vec<String> {
    let mut out = Vec::new();
    for p in &entry.params {
        if let VCardParameterName::Other(name) = &p.name {
            out.push(name.to_lowercase());
        }
        match &p.value {
            VCardParameterValue::Text(t) => out.push(t.to_lowercase()),
            VCardParameterValue::Type(t) => out.push(format!("{t:?}").to_lowercase()),
            _ => {}
        }
    }
    out
}

fn record(card: &VCard, line: usize) -> Record {
    let mut record = Record {
        line,
        ..Default::default()
    };
    for entry in &card.entries {
        match &entry.name {
            VCardProperty::N => {
                let parts = texts(entry);
                let part = |i: usize| parts.get(i).map(|s| s.trim()).unwrap_or("");
                let d = &mut record.draft;
                d.last_name = part(0).to_string();
                d.first_name = [part(1), part(2)]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                mapping::prefix(d, part(3));
            }
            VCardProperty::Fn => record.display_name = first_text(entry),
            VCardProperty::Org => {
                if let Some(org) = texts(entry).into_iter().find(|s| !s.trim().is_empty()) {
                    record.draft.company = org.trim().to_string();
                }
            }
            VCardProperty::Tel => {
                let types = types(entry);
                let has = |t: &str| types.iter().any(|x| x == t);
                if has("fax") || has("pager") {
                    continue;
                }
                let label = if has("cell") || has("mobile") || has("iphone") {
                    Some(PhoneLabel::Mobile)
                } else if has("work") {
                    Some(PhoneLabel::Business)
                } else if has("home") {
                    Some(PhoneLabel::Private)
                } else {
                    None
                };
                // A `tel:` URI may come back in parts (`tel:+1-418-656-9254`, `ext=102`).
                let number = texts(entry)
                    .iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(";");
                mapping::add_phones(&mut record, label, &number);
            }
            VCardProperty::Email => {
                let email = first_text(entry);
                let email = email.strip_prefix("mailto:").unwrap_or(&email).to_string();
                mapping::add_emails(&mut record, &email);
            }
            VCardProperty::Adr => {
                // ADR: post office box; extended; street; city; region; postal code; country.
                let parts = adr_parts(entry);
                let part = |i: usize| parts.get(i).map(|s| s.trim()).unwrap_or("");
                let street = [part(2), part(1)]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                let address = mapping::address(&street, part(5), part(3), part(6));
                if address.is_empty() {
                    continue;
                }
                let types = types(entry);
                let target = if types.iter().any(|t| t == "work") {
                    &mut record.work_address
                } else if record.draft.address.is_empty() {
                    &mut record.draft.address
                } else {
                    &mut record.other_address
                };
                if target.is_empty() {
                    *target = address;
                } else if record.other_address.is_empty() {
                    record.other_address = address;
                } else {
                    record.note_only("address_other", &super::salvage::one_line(&address));
                }
            }
            VCardProperty::Bday => {
                record.draft.birthday = birthday(entry);
            }
            VCardProperty::Gender => {
                let value = entry
                    .values
                    .iter()
                    .map(|v| match v {
                        VCardValue::Sex(sex) => format!("{sex:?}"),
                        VCardValue::Text(t) => t.clone(),
                        VCardValue::Component(parts) => parts.first().cloned().unwrap_or_default(),
                        _ => String::new(),
                    })
                    .next()
                    .unwrap_or_default();
                if record.draft.salutation == crate::model::Salutation::None {
                    record.draft.salutation = mapping::gender(&value);
                }
            }
            VCardProperty::Categories => {
                mapping::add_groups(&mut record.draft, &texts(entry).join(","));
            }
            VCardProperty::Note => {
                let note = first_text(entry).replace("\r\n", "\n");
                if !note.is_empty() {
                    record.notes.push(note);
                }
            }
            VCardProperty::Photo => {
                for v in &entry.values {
                    if let VCardValue::Binary(data) = v {
                        if !data.data.is_empty() && data.data.len() <= MAX_PHOTO_BYTES {
                            record.photo = Some(EmbeddedPhoto {
                                content_type: data.content_type.clone(),
                                bytes: data.data.clone(),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    record.finish();
    record
}

/// ADR's seven parts: calcard gives one value per part (a part with commas as a component).
fn adr_parts(entry: &VCardEntry) -> Vec<String> {
    entry
        .values
        .iter()
        .map(|v| match v {
            VCardValue::Text(s) => s.clone(),
            VCardValue::Component(parts) => parts.join(", "),
            _ => String::new(),
        })
        .collect()
}

/// BDAY as the birthday parser reads it: `1985-03-12`, or `--03-12` without a year. Apple
/// writes a birthday without a year as year 1604 (`X-APPLE-OMIT-YEAR=1604`).
fn birthday(entry: &VCardEntry) -> String {
    for v in &entry.values {
        match v {
            VCardValue::PartialDateTime(d) => {
                let (Some(m), Some(day)) = (d.month, d.day) else {
                    continue;
                };
                return match d.year {
                    Some(y) if y != 1604 && y > 0 => format!("{y:04}-{m:02}-{day:02}"),
                    _ => format!("--{m:02}-{day:02}"),
                };
            }
            VCardValue::Text(s) => return text_birthday(s),
            _ => {}
        }
    }
    String::new()
}

/// A birthday written as text: `19850312`, `1985-03-12`, `--0312`, `12.03.1985`.
fn text_birthday(s: &str) -> String {
    let s = s.trim();
    let s = s.split('T').next().unwrap_or(s);
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    if let Some(rest) = s.strip_prefix("--") {
        let d: String = rest.chars().filter(|c| c.is_ascii_digit()).collect();
        if d.len() == 4 {
            return format!("--{}-{}", &d[..2], &d[2..]);
        }
    }
    if digits.len() == 8 && !s.contains('.') {
        let year = &digits[..4];
        if year == "1604" {
            return format!("--{}-{}", &digits[4..6], &digits[6..]);
        }
        return format!("{year}-{}-{}", &digits[4..6], &digits[6..]);
    }
    s.to_string()
}
