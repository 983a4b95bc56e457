//! Filling a template's placeholders: `{Vorname}`/`{first_name}`, `{Nachname}`/`{last_name}`,
//! `{Termin}`/`{next_appointment}`, `{Salon}`/`{salon}`. Anything else in braces is refused
//! when the template is saved, so a typo never reaches a customer as `{Vornahme}`.

/// The values a template can use.
#[derive(Debug, Clone, Default)]
pub struct Placeholders {
    pub first_name: String,
    pub last_name: String,
    /// The next appointment as the customer reads it (`Di, 24.11.2026, 14:30`), or empty.
    pub next_appointment: String,
    pub salon: String,
}

const NAMES: &[(&str, &str)] = &[
    ("Vorname", "first_name"),
    ("Nachname", "last_name"),
    ("Termin", "next_appointment"),
    ("Salon", "salon"),
];

/// The canonical name of a placeholder (German or English spelling).
fn canonical(name: &str) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|(de, en)| *de == name || *en == name)
        .map(|(_, en)| *en)
}

/// `Err(name)` for the first unknown placeholder.
pub fn check_placeholders(text: &str) -> Result<(), String> {
    for name in placeholders_in(text) {
        if canonical(name).is_none() {
            return Err(name.to_string());
        }
    }
    Ok(())
}

fn placeholders_in(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || loop {
        let open = rest.find('{')?;
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        rest = &after[close + 1..];
        if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Some(name);
        }
    })
}

/// `text` with every known placeholder replaced; unknown ones stay as written.
pub fn fill(text: &str, values: &Placeholders) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let value = match canonical(name)? {
                "first_name" => &values.first_name,
                "last_name" => &values.last_name,
                "next_appointment" => &values.next_appointment,
                _ => &values.salon,
            };
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_fill_and_typos_are_named() {
        let v = Placeholders {
            first_name: "Jürgen".into(),
            last_name: "Groß".into(),
            next_appointment: "Di, 24.11.2026, 14:30".into(),
            salon: "Salon Schnittpunkt".into(),
        };
        assert_eq!(
            fill(
                "Hallo {Vorname} {last_name}, am {Termin} bei {salon}. {x y} {",
                &v
            ),
            "Hallo Jürgen Groß, am Di, 24.11.2026, 14:30 bei Salon Schnittpunkt. {x y} {"
        );
        assert_eq!(check_placeholders("{Vorname} {Termin}"), Ok(()));
        assert_eq!(check_placeholders("{Vornahme}"), Err("Vornahme".into()));
        assert_eq!(check_placeholders("{ a json brace }"), Ok(()));
    }
}
