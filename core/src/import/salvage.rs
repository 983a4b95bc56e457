//! What a contact keeps when one of its values cannot be taken: nothing of a person is dropped
//! for one bad value.
//!
//! - [`finish`] runs once per record after reading: it picks the card's address (home before
//!   work; the other addresses go into the import note), places the postal code in a country
//!   (the file's, or the one its format implies: `150-8512` is Japan), reads the phone numbers
//!   in that country ([`super::phones`]) and names a contact without a name from its display
//!   name, company, e-mail address or phone number (one rule, [`name_a_nameless_contact`]).
//! - [`take_out`] runs when the card's own rules refuse a value (an e-mail without `@`, a date
//!   that does not exist, a German postal code with four letters): the value leaves the card's
//!   fields and is kept for the import note, and the card is checked again.

use super::mapping::{guess_label, split_full_name};
use super::phones::{self, PhoneRead};
use super::{Kept, Record};
use crate::i18n::{FieldErrors, Msg};
use crate::model::{Address, CustomerDraft, PhoneDraft};

/// See the module documentation.
pub fn finish(r: &mut Record) {
    if r.draft.address.is_empty() && !r.work_address.is_empty() {
        std::mem::swap(&mut r.draft.address, &mut r.work_address);
    }
    if r.draft.address.is_empty() && !r.other_address.is_empty() {
        std::mem::swap(&mut r.draft.address, &mut r.other_address);
    }
    place_postal_code(&mut r.draft.address);
    for (field, address) in [
        ("address_work", std::mem::take(&mut r.work_address)),
        ("address_other", std::mem::take(&mut r.other_address)),
    ] {
        if !address.is_empty() {
            r.note_only(field, &one_line(&address));
        }
    }

    name_a_nameless_contact(r);

    let home = match r.draft.address.country.as_str() {
        "" if r.draft.address.postal_code.is_empty() => None,
        "" => Some(phonenumber::country::Id::DE),
        country => phones::region(country),
    };
    for (label, raw) in std::mem::take(&mut r.raw_phones) {
        for piece in phones::split_cell(&raw) {
            if !phones::needs_reading(piece, home) {
                // The card's check reads it the same way; a number it refuses is kept by
                // `take_out`.
                let label = label.unwrap_or_else(|| guess_label(piece));
                r.draft.phones.push(PhoneDraft {
                    label,
                    number: piece.trim_start_matches('\'').to_string(),
                });
                continue;
            }
            match phones::read(piece, home) {
                PhoneRead::Taken { e164, extension } => {
                    if let Some(ext) = extension {
                        r.note_only(
                            "phone_extension",
                            &format!("{} – {ext}", phones::display(&e164)),
                        );
                    }
                    let label = label.unwrap_or_else(|| guess_label(&e164));
                    r.draft.phones.push(PhoneDraft {
                        label,
                        number: e164,
                    });
                }
                PhoneRead::Kept(text) => r.keep("phone", &text),
            }
        }
    }
}

/// A contact without a first or last name is named from what it has, the first of: its
/// display name (split into first and last name), its company, its e-mail address
/// (`john.doe@…` is John Doe) or its first phone number as the file writes it. All but the
/// display name give the row a warning ([`Record::name_from`]), so the user sees where the name
/// came from. A contact with none of these keeps no name and stays invalid.
fn name_a_nameless_contact(r: &mut Record) {
    let d = &mut r.draft;
    if !d.first_name.trim().is_empty() || !d.last_name.trim().is_empty() {
        return;
    }
    if !r.display_name.trim().is_empty() {
        let (first, last) = split_full_name(&r.display_name);
        d.first_name = first;
        d.last_name = last;
    } else if !d.company.trim().is_empty() {
        d.last_name = d.company.trim().to_string();
        r.name_from = Some(d.last_name.clone());
    } else if let Some((first, last)) = name_from_email(&d.email) {
        d.first_name = first;
        d.last_name = last;
        r.name_from = Some(d.email.trim().to_string());
    } else if let Some(number) = r
        .raw_phones
        .iter()
        .flat_map(|(_, raw)| phones::split_cell(raw))
        .map(|piece| piece.trim_start_matches('\'').trim())
        .find(|piece| piece.bytes().filter(u8::is_ascii_digit).count() >= 3)
    {
        d.last_name = number.chars().take(60).collect();
        r.name_from = Some(d.last_name.clone());
    }
}

/// `john.doe@example.com` → (`John`, `Doe`); `None` without a word before the `@`.
fn name_from_email(email: &str) -> Option<(String, String)> {
    let (local, _) = email.trim().split_once('@')?;
    let words: Vec<String> = local
        .split(['.', '_', '-', '+'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
        .collect();
    let (last, first) = words.split_last()?;
    Some((first.join(" "), last.clone()))
}

/// An address on one line, for the import note: `Prager Straße 55, 01066 Dresden, DE`.
pub fn one_line(a: &Address) -> String {
    let city = format!("{} {}", a.postal_code, a.city).trim().to_string();
    [a.street.as_str(), city.as_str(), a.country.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Gives the postal code its country when the file named none, from the code's format; a
/// German code that a spreadsheet turned into a number (`1067`) gets its leading zero back.
pub fn place_postal_code(a: &mut Address) {
    let code = a.postal_code.trim().to_string();
    if code.is_empty() {
        return;
    }
    if a.country.is_empty() {
        if let Some(country) = country_of_postal_code(&code) {
            a.country = country.to_string();
        }
    }
    if (a.country.is_empty() || a.country.eq_ignore_ascii_case("DE"))
        && code.len() == 4
        && code.bytes().all(|b| b.is_ascii_digit())
    {
        a.postal_code = format!("0{code}");
    }
}

/// The country a postal code's format belongs to, where only one country writes it so:
/// `150-8512` Japan, `27613-3502` the USA (ZIP+4), `00-950` Poland, `1012 AB` the
/// Netherlands, `K1A 0B1` Canada, `SW1A 1AA` the United Kingdom. Five digits are German (the
/// card file's default); other shapes name no country.
pub fn country_of_postal_code(code: &str) -> Option<&'static str> {
    let shape: String = code
        .trim()
        .to_ascii_uppercase()
        .chars()
        .map(|c| match c {
            '0'..='9' => '9',
            'A'..='Z' => 'A',
            other => other,
        })
        .collect();
    let country = match shape.as_str() {
        "999-9999" => "JP",
        "99999-9999" => "US",
        "99-999" => "PL",
        "9999 AA" | "9999AA" => "NL",
        "A9A 9A9" | "A9A9A9" => "CA",
        "A9 9AA" | "A99 9AA" | "AA9 9AA" | "AA99 9AA" | "A9A 9AA" | "AA9A 9AA" => "GB",
        _ => return None,
    };
    Some(country)
}

/// Takes every value that `errors` names out of the draft and keeps it (for the import note).
/// Returns `false` if an error is not about one value that can be left out (no name at all):
/// the contact then stays invalid.
pub fn take_out(d: &mut CustomerDraft, errors: &FieldErrors, kept: &mut Vec<Kept>) -> bool {
    let mut keep = |field: &str, value: &str| {
        let value = value.trim();
        if !value.is_empty() {
            kept.push(Kept {
                field: field.to_string(),
                value: value.chars().take(500).collect(),
                noted_only: false,
            });
        }
    };
    let mut phones_out = Vec::new();
    for (field, msg) in errors.fields() {
        match field {
            "email" => keep("email", &std::mem::take(&mut d.email)),
            "birthday" => keep("birthday", &std::mem::take(&mut d.birthday)),
            "address.postal_code" => {
                keep("postal_code", &std::mem::take(&mut d.address.postal_code))
            }
            "address.street" => keep("street", &std::mem::take(&mut d.address.street)),
            "address.city" => keep("city", &std::mem::take(&mut d.address.city)),
            "title" => keep("title", &std::mem::take(&mut d.title)),
            "stylist" => keep("stylist", &std::mem::take(&mut d.stylist)),
            "company" => keep("company", &std::mem::take(&mut d.company)),
            "address.country" => keep("country", &std::mem::take(&mut d.address.country)),
            "consent_how" => keep("consent_how", &std::mem::take(&mut d.consent_how)),
            "phones" => {
                for p in d
                    .phones
                    .split_off(crate::model::customer::MAX_PHONES.min(d.phones.len()))
                {
                    keep("phone", &p.number);
                }
            }
            "groups" => {
                let (fit, out): (Vec<String>, Vec<String>) = std::mem::take(&mut d.groups)
                    .into_iter()
                    .partition(|g| g.chars().count() <= 100);
                let mut fit = fit;
                let extra = fit.split_off(crate::model::customer::MAX_GROUPS.min(fit.len()));
                for g in out.into_iter().chain(extra) {
                    keep("group", &g);
                }
                d.groups = fit;
            }
            "first_name" | "last_name" => {
                let Msg::TooLong { max } = msg else {
                    return false;
                };
                let name = if field == "first_name" {
                    &mut d.first_name
                } else {
                    &mut d.last_name
                };
                keep(field, name);
                let cleaned = name.split_whitespace().collect::<Vec<_>>().join(" ");
                *name = cleaned.chars().take(*max).collect();
            }
            other => {
                let index = other
                    .strip_prefix("phones.")
                    .and_then(|rest| rest.strip_suffix(".number"))
                    .and_then(|i| i.parse::<usize>().ok());
                match index.and_then(|i| d.phones.get(i).map(|p| (i, p))) {
                    Some((i, p)) => {
                        keep("phone", &p.number);
                        phones_out.push(i);
                    }
                    None => return false,
                }
            }
        }
    }
    phones_out.sort_unstable();
    for i in phones_out.into_iter().rev() {
        d.phones.remove(i);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes_find_their_country() {
        for (code, country) in [
            ("150-8512", Some("JP")),
            ("27613-3502", Some("US")),
            ("00-950", Some("PL")),
            ("1012 AB", Some("NL")),
            ("K1A 0B1", Some("CA")),
            ("SW1A 1AA", Some("GB")),
            ("m1 1ae", Some("GB")),
            ("80331", None),
            ("1010", None),
            ("xx-xxx", None),
            ("", None),
        ] {
            assert_eq!(country_of_postal_code(code), country, "{code}");
        }
    }

    #[test]
    fn a_postal_code_is_placed() {
        let placed = |code: &str, country: &str| {
            let mut a = Address {
                postal_code: code.into(),
                country: country.into(),
                ..Default::default()
            };
            place_postal_code(&mut a);
            (a.postal_code, a.country)
        };
        assert_eq!(placed("150-8512", ""), ("150-8512".into(), "JP".into()));
        assert_eq!(placed("1067", ""), ("01067".into(), "".into()));
        assert_eq!(placed("1067", "DE"), ("01067".into(), "DE".into()));
        assert_eq!(placed("1010", "AT"), ("1010".into(), "AT".into()));
        assert_eq!(placed("8001", "CH"), ("8001".into(), "CH".into()));
        assert_eq!(placed("80331", ""), ("80331".into(), "".into()));
    }
}
