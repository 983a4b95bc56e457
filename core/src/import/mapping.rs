//! Spreadsheet columns → customer fields, from German and English header names as salon
//! systems, Outlook, Google Contacts and Kartei's own export write them ("Vorname", "First
//! Name", "Handy", "Phone 1 - Value", "E-Mail-Adresse", "PLZ", …). Headers are compared folded
//! (lower case, umlauts and punctuation dropped), first exactly, then by telling word parts.

use super::table::Table;
use super::{refuse, Format, Parsed, Record};
use crate::error::Result;
use crate::i18n::Msg;
use crate::model::{Address, ContactChannel, CustomerDraft, PhoneLabel, Salutation};
use crate::search::text::fold;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Salutation,
    Title,
    FirstName,
    LastName,
    /// "Anna Müller" or "Müller, Anna" in one column.
    FullName,
    Company,
    Mobile,
    PhonePrivate,
    PhoneBusiness,
    /// A phone column that does not say which kind: German mobile numbers become mobile.
    Phone,
    Email,
    Street,
    PostalCode,
    City,
    Country,
    Birthday,
    Note,
    Groups,
    PreferredContact,
    Stylist,
    /// "Middle Name", "Additional Name": kept after the first name.
    MiddleName,
    /// "Name Prefix", "Title" as Outlook and Google mean it: `Frau` is the salutation, `Dr.`
    /// the title.
    Prefix,
    /// "Gender", "Geschlecht": the salutation, when the file has none.
    Gender,
    /// The other system's "Blocked" flag (Fresha): a pinned note on the card.
    Blocked,
    BlockReason,
    WorkStreet,
    WorkPostalCode,
    WorkCity,
    WorkCountry,
    OtherStreet,
    OtherPostalCode,
    OtherCity,
    OtherCountry,
}

/// Known columns that are not imported: figures Kartei derives itself (visits, last visit),
/// ids of the other system, and consents (which must be recorded by the salon, not copied).
const IGNORED: &[&str] = &[
    "kundennr",
    "customerno",
    "id",
    "nr",
    "kundennummer",
    "customerid",
    "angelegt",
    "created",
    "geandert",
    "changed",
    "letzterbesuch",
    "lastvisit",
    "besuche",
    "visits",
    "haufigsteleistung",
    "mostbookedservice",
    "quelle",
    "source",
    "kundeseit",
    "customersince",
    "deaktiviert",
    "deactivated",
    "newsletter",
    "newsletterseit",
    "newslettersince",
    "terminerinnerungen",
    "reminders",
    "umsatz",
    "revenue",
    // Google's and Outlook's derived or foreign columns.
    "fileas",
    "initials",
    "yominame",
    "phoneticfirstname",
    "phoneticmiddlename",
    "phoneticlastname",
    "givennameyomi",
    "additionalnameyomi",
    "familynameyomi",
    "sensitivity",
    "priority",
    "appointments",
    "termine",
    "noshows",
    "totalsales",
    "outstanding",
    "added",
    "acceptsmarketing",
    "acceptssmsmarketing",
    "referralsource",
    "clientid",
];

const EXACT: &[(&str, Field)] = &[
    ("anrede", Field::Salutation),
    ("salutation", Field::Salutation),
    ("nameprefix", Field::Prefix),
    ("prefix", Field::Prefix),
    ("titel", Field::Prefix),
    ("title", Field::Prefix),
    ("akademischergrad", Field::Title),
    ("middlename", Field::MiddleName),
    ("additionalname", Field::MiddleName),
    ("zweitervorname", Field::MiddleName),
    ("weiterevornamen", Field::MiddleName),
    ("gender", Field::Gender),
    ("geschlecht", Field::Gender),
    ("sex", Field::Gender),
    ("blocked", Field::Blocked),
    ("gesperrt", Field::Blocked),
    ("blockiert", Field::Blocked),
    ("banned", Field::Blocked),
    ("blacklisted", Field::Blocked),
    ("blockreason", Field::BlockReason),
    ("blockedreason", Field::BlockReason),
    ("sperrgrund", Field::BlockReason),
    ("vorname", Field::FirstName),
    ("firstname", Field::FirstName),
    ("givenname", Field::FirstName),
    ("nachname", Field::LastName),
    ("lastname", Field::LastName),
    ("familyname", Field::LastName),
    ("surname", Field::LastName),
    ("name", Field::FullName),
    ("kunde", Field::FullName),
    ("kundin", Field::FullName),
    ("customer", Field::FullName),
    ("fullname", Field::FullName),
    ("vollstandigername", Field::FullName),
    ("displayname", Field::FullName),
    ("anzeigename", Field::FullName),
    ("firma", Field::Company),
    ("company", Field::Company),
    ("organisation", Field::Company),
    ("organization", Field::Company),
    ("organizationname", Field::Company),
    ("unternehmen", Field::Company),
    ("mobil", Field::Mobile),
    ("handy", Field::Mobile),
    ("mobile", Field::Mobile),
    ("mobiltelefon", Field::Mobile),
    ("mobilephone", Field::Mobile),
    ("mobilnummer", Field::Mobile),
    ("handynummer", Field::Mobile),
    ("cell", Field::Mobile),
    ("cellphone", Field::Mobile),
    ("telefonprivat", Field::PhonePrivate),
    ("privat", Field::PhonePrivate),
    ("homephone", Field::PhonePrivate),
    ("festnetz", Field::PhonePrivate),
    ("telefongeschaftlich", Field::PhoneBusiness),
    ("geschaftlich", Field::PhoneBusiness),
    ("businessphone", Field::PhoneBusiness),
    ("workphone", Field::PhoneBusiness),
    ("telefon", Field::Phone),
    ("tel", Field::Phone),
    ("telefonnummer", Field::Phone),
    ("phone", Field::Phone),
    ("phonenumber", Field::Phone),
    ("rufnummer", Field::Phone),
    ("email", Field::Email),
    ("mail", Field::Email),
    ("emailadresse", Field::Email),
    ("emailaddress", Field::Email),
    ("strasse", Field::Street),
    ("street", Field::Street),
    ("adresse", Field::Street),
    ("address", Field::Street),
    ("anschrift", Field::Street),
    ("strasseundhausnummer", Field::Street),
    ("streetaddress", Field::Street),
    ("plz", Field::PostalCode),
    ("postleitzahl", Field::PostalCode),
    ("zip", Field::PostalCode),
    ("zipcode", Field::PostalCode),
    ("postalcode", Field::PostalCode),
    ("postcode", Field::PostalCode),
    ("ort", Field::City),
    ("stadt", Field::City),
    ("wohnort", Field::City),
    ("city", Field::City),
    ("town", Field::City),
    ("land", Field::Country),
    ("country", Field::Country),
    ("geburtstag", Field::Birthday),
    ("geburtsdatum", Field::Birthday),
    ("birthday", Field::Birthday),
    ("birthdate", Field::Birthday),
    ("dateofbirth", Field::Birthday),
    ("dob", Field::Birthday),
    ("notiz", Field::Note),
    ("notizen", Field::Note),
    ("bemerkung", Field::Note),
    ("bemerkungen", Field::Note),
    ("kommentar", Field::Note),
    ("anmerkung", Field::Note),
    ("note", Field::Note),
    ("notes", Field::Note),
    ("comment", Field::Note),
    ("comments", Field::Note),
    ("gruppe", Field::Groups),
    ("gruppen", Field::Groups),
    ("group", Field::Groups),
    ("groups", Field::Groups),
    ("kundengruppe", Field::Groups),
    ("labels", Field::Groups),
    ("label", Field::Groups),
    ("tags", Field::Groups),
    ("tag", Field::Groups),
    ("categories", Field::Groups),
    ("kategorien", Field::Groups),
    ("kategorie", Field::Groups),
    ("groupmembership", Field::Groups),
    ("schlagworte", Field::Groups),
    ("schlagworter", Field::Groups),
    ("bevorzugterkontakt", Field::PreferredContact),
    ("preferredcontact", Field::PreferredContact),
    ("kontaktweg", Field::PreferredContact),
    ("stylist", Field::Stylist),
    ("stylistin", Field::Stylist),
    ("friseur", Field::Stylist),
    ("friseurin", Field::Stylist),
];

/// What a header means: `Some(Some(field))` imported, `Some(None)` known but ignored, `None`
/// unknown.
pub fn field_of(header: &str) -> Option<Option<Field>> {
    let key = fold(header);
    if key.is_empty() {
        return None;
    }
    if IGNORED.contains(&key.as_str()) {
        return Some(None);
    }
    if let Some((_, field)) = EXACT.iter().find(|(k, _)| *k == key) {
        return Some(Some(*field));
    }
    // Multi-column exports: "Phone 1 - Label" says what kind the next column is; not a value.
    if key.ends_with("label")
        || key.ends_with("type")
        || key.ends_with("typ")
        || key.ends_with("formatted")
    {
        return Some(None);
    }
    let has = |parts: &[&str]| parts.iter().any(|p| key.contains(p));
    let field = if has(&["vorname", "firstname", "givenname"]) {
        Field::FirstName
    } else if has(&["nachname", "lastname", "familyname", "surname"]) {
        Field::LastName
    } else if has(&["email", "mail"]) {
        Field::Email
    } else if has(&["mobil", "handy", "mobile", "cell"]) {
        Field::Mobile
    } else if has(&["telefon", "phone", "tel"]) {
        if has(&["geschaft", "business", "work", "buro", "dienst"]) {
            Field::PhoneBusiness
        } else if has(&["privat", "home"]) {
            Field::PhonePrivate
        } else {
            Field::Phone
        }
    } else if let Some(part) = address_part(&key) {
        let kind = if has(&["business", "work", "geschaft", "dienst", "buro", "arbeit"]) {
            1
        } else if key.starts_with("other")
            || key.starts_with("weitere")
            || key.starts_with("andere")
            || key.starts_with("address2")
            || key.starts_with("address3")
            || key.starts_with("adresse2")
        {
            2
        } else {
            0
        };
        ADDRESS_FIELDS[kind][part]
    } else if has(&["organization", "organisation"]) && key.ends_with("name") {
        Field::Company
    } else if has(&["geburt", "birth"]) {
        Field::Birthday
    } else if has(&["notiz", "note", "bemerkung"]) {
        Field::Note
    } else {
        return None;
    };
    Some(Some(field))
}

/// The fields of the home (0), work (1) and other (2) address, by part (street, postal code,
/// city, country).
const ADDRESS_FIELDS: [[Field; 4]; 3] = {
    use Field::*;
    [
        [Street, PostalCode, City, Country],
        [WorkStreet, WorkPostalCode, WorkCity, WorkCountry],
        [OtherStreet, OtherPostalCode, OtherCity, OtherCountry],
    ]
};

/// Google Contacts' numbered addresses: "Address N - Type" (`Home`, `Work`, `Other`) says in
/// each row whose the "Address N - Street/City/…" columns are. Without a type column address 1
/// is the home address and the others are further ones ([`field_of`]).
struct AddressTypes {
    /// Per numbered address with a type column: that column and its (column, part) pairs.
    groups: Vec<(usize, Vec<(usize, usize)>)>,
}

impl AddressTypes {
    fn of(headers: &[String]) -> AddressTypes {
        let number = |key: &str| -> Option<(String, String)> {
            let rest = key.strip_prefix("address")?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty()).then(|| (digits.clone(), rest[digits.len()..].to_string()))
        };
        let mut groups = Vec::new();
        for (t, header) in headers.iter().enumerate() {
            let Some((n, "type")) = number(&fold(header))
                .as_ref()
                .map(|(n, r)| (n.clone(), r.as_str()))
            else {
                continue;
            };
            let parts = headers
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    let (m, rest) = number(&fold(h))?;
                    (m == n).then_some(())?;
                    Some((i, address_part(&rest)?))
                })
                .collect();
            groups.push((t, parts));
        }
        AddressTypes { groups }
    }

    /// The field of column `column` in `row`, if its address's type says other than the header.
    fn field(&self, row: &[String], column: usize) -> Option<Field> {
        let mut home_taken = false;
        let mut work_taken = false;
        for (type_column, parts) in &self.groups {
            let kind = fold(row.get(*type_column).map(String::as_str).unwrap_or(""));
            let has = |words: &[&str]| words.iter().any(|w| kind.contains(w));
            let kind = if kind.is_empty() {
                None
            } else if has(&["work", "business", "geschaft", "arbeit", "buro", "dienst"])
                && !work_taken
            {
                work_taken = true;
                Some(1)
            } else if has(&["home", "privat", "zuhause"]) && !home_taken {
                home_taken = true;
                Some(0)
            } else {
                Some(2)
            };
            if let Some(kind) = kind {
                if let Some((_, part)) = parts.iter().find(|(c, _)| *c == column) {
                    return Some(ADDRESS_FIELDS[kind][*part]);
                }
            }
        }
        None
    }
}

/// Which part of an address a header names (0 street, 1 postal code, 2 city, 3 country), if any:
/// "Home Street", "Business Postal Code", "Work ZipCode", "Address 1 - City", "Home Address 2",
/// "Business Country/Region".
fn address_part(key: &str) -> Option<usize> {
    let has = |parts: &[&str]| parts.iter().any(|p| key.contains(p));
    if has(&["postleitzahl", "plz", "postalcode", "postcode", "zip"]) {
        Some(1)
    } else if has(&["strasse", "street", "address", "adresse", "anschrift"]) {
        Some(0)
    } else if key.starts_with("ort") || has(&["city", "stadt", "wohnort"]) {
        Some(2)
    } else if has(&["country", "staat"]) || key.ends_with("land") {
        Some(3)
    } else {
        None
    }
}

/// Turns a table into records: maps the header, reports unknown columns, fills one draft per
/// non-empty row.
pub fn records(table: Table, format: Format) -> Result<Parsed> {
    let mut fields = Vec::with_capacity(table.headers.len());
    let mut parsed = Parsed {
        format,
        records: Vec::new(),
        mapped_columns: Vec::new(),
        ignored_columns: Vec::new(),
        unknown_columns: Vec::new(),
    };
    for header in &table.headers {
        let field = field_of(header);
        match field {
            Some(Some(f)) => parsed.mapped_columns.push((header.clone(), f)),
            Some(None) => parsed.ignored_columns.push(header.clone()),
            None if header.trim().is_empty() => {}
            None => parsed.unknown_columns.push(header.clone()),
        }
        fields.push(field.flatten());
    }
    // "Vorname" next to "Name": the name column holds the last name.
    let has = |f: Field| fields.contains(&Some(f));
    if has(Field::FirstName) && !has(Field::LastName) {
        for f in fields.iter_mut().filter(|f| **f == Some(Field::FullName)) {
            *f = Some(Field::LastName);
        }
        for (_, f) in parsed.mapped_columns.iter_mut() {
            if *f == Field::FullName {
                *f = Field::LastName;
            }
        }
    }
    let address_types = AddressTypes::of(&table.headers);
    let names = [
        Field::FirstName,
        Field::LastName,
        Field::FullName,
        Field::Company,
    ];
    if !fields.iter().any(|f| f.is_some_and(|f| names.contains(&f))) {
        return Err(refuse(Msg::ImportNoNameColumn));
    }
    for (line, row) in table.rows {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut record = Record {
            line,
            ..Default::default()
        };
        for (column, (value, field)) in row.iter().zip(&fields).enumerate() {
            if let Some(field) = address_types.field(&row, column).or(*field) {
                put(&mut record, field, value.trim());
            }
        }
        record.finish();
        parsed.records.push(record);
    }
    Ok(parsed)
}

/// Puts one cell into the record.
pub fn put(record: &mut Record, field: Field, value: &str) {
    if value.is_empty() {
        return;
    }
    let d = &mut record.draft;
    match field {
        Field::Salutation => {
            if let Some(s) = salutation_of(value) {
                d.salutation = s;
            }
        }
        Field::Title => append_word(&mut d.title, value),
        Field::Prefix => prefix(d, value),
        Field::FirstName => append_word(&mut d.first_name, value),
        Field::MiddleName => append_word(&mut d.first_name, value),
        Field::LastName => append_word(&mut d.last_name, value),
        Field::FullName => {
            if record.display_name.is_empty() {
                record.display_name = value.to_string();
            }
        }
        Field::Company => d.company = value.to_string(),
        Field::Mobile => add_phones(record, Some(PhoneLabel::Mobile), value),
        Field::PhonePrivate => add_phones(record, Some(PhoneLabel::Private), value),
        Field::PhoneBusiness => add_phones(record, Some(PhoneLabel::Business), value),
        Field::Phone => add_phones(record, None, value),
        Field::Email => add_emails(record, value),
        Field::Street => append_word(&mut d.address.street, value),
        Field::PostalCode => d.address.postal_code = postal_code(value),
        Field::City => d.address.city = value.to_string(),
        Field::Country => d.address.country = country_code(value),
        Field::WorkStreet => append_word(&mut record.work_address.street, value),
        Field::WorkPostalCode => record.work_address.postal_code = postal_code(value),
        Field::WorkCity => record.work_address.city = value.to_string(),
        Field::WorkCountry => record.work_address.country = country_code(value),
        Field::OtherStreet => append_word(&mut record.other_address.street, value),
        Field::OtherPostalCode => record.other_address.postal_code = postal_code(value),
        Field::OtherCity => record.other_address.city = value.to_string(),
        Field::OtherCountry => record.other_address.country = country_code(value),
        Field::Birthday => d.birthday = value.to_string(),
        Field::Note => record.notes.push(value.to_string()),
        Field::Groups => add_groups(d, value),
        Field::PreferredContact => d.preferred_contact = channel(value),
        Field::Stylist => d.stylist = value.to_string(),
        Field::Gender => {
            if d.salutation == Salutation::None {
                d.salutation = gender(value);
            }
        }
        Field::Blocked => {
            if truthy(value) && record.blocked.is_none() {
                record.blocked = Some(String::new());
            }
        }
        Field::BlockReason => {
            // The reason alone says the contact was blocked.
            record.blocked = Some(value.to_string());
        }
    }
}

/// A cell's e-mail addresses (`a@x.de ::: b@y.de`, `a@x.de, b@y.de`): the first is the card's,
/// the others go into the import note.
pub fn add_emails(record: &mut Record, value: &str) {
    for email in value
        .split(":::")
        .flat_map(|p| p.split([',', ';', ' ', '\n']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if record.draft.email.is_empty() {
            record.draft.email = email.to_string();
        } else if !record.draft.email.eq_ignore_ascii_case(email) {
            record.note_only("email_other", email);
        }
    }
}

/// Group names of a cell: `Stammkunden, VIP`, Google's `* myContacts ::: Freunde`. Google's
/// own system labels (`* myContacts`, `* starred`) are not groups.
pub fn add_groups(d: &mut CustomerDraft, value: &str) {
    for name in value
        .split(":::")
        .flat_map(|p| p.split([',', ';']))
        .map(str::trim)
    {
        if name.is_empty() || name.starts_with('*') {
            continue;
        }
        let key = fold(name);
        if matches!(key.as_str(), "mycontacts" | "starred" | "meinekontakte") {
            continue;
        }
        if !d
            .groups
            .iter()
            .any(|g| g.to_lowercase() == name.to_lowercase())
        {
            d.groups.push(name.to_string());
        }
    }
}

/// A name prefix (`Frau`, `Dr.`, `Herr Prof. Dr.`, `Mrs.`): salutation words set the salutation,
/// the rest is the title.
pub fn prefix(d: &mut CustomerDraft, value: &str) {
    let mut title = Vec::new();
    for word in value.split_whitespace() {
        match salutation_of(word) {
            Some(s) if d.salutation == Salutation::None => d.salutation = s,
            Some(_) => {}
            None => title.push(word),
        }
    }
    if !title.is_empty() {
        append_word(&mut d.title, &title.join(" "));
    }
}

/// A gender as systems write it → the salutation.
pub fn gender(value: &str) -> Salutation {
    match fold(value).as_str() {
        "f" | "w" | "female" | "weiblich" | "frau" | "woman" => Salutation::Frau,
        "m" | "male" | "mannlich" | "herr" | "man" => Salutation::Herr,
        "d" | "x" | "o" | "divers" | "diverse" | "nonbinary" | "other" | "andere" => {
            Salutation::Divers
        }
        _ => Salutation::None,
    }
}

/// Whether a flag cell is set (`yes`, `ja`, `true`, `1`, `x`).
fn truthy(value: &str) -> bool {
    matches!(
        fold(value).as_str(),
        "yes" | "ja" | "true" | "wahr" | "1" | "x" | "y" | "j" | "blocked" | "gesperrt"
    )
}

fn append_word(target: &mut String, value: &str) {
    if !target.is_empty() {
        target.push(' ');
    }
    target.push_str(value);
}

/// "Müller, Anna" → (Anna, Müller); "Anna Maria Müller" → (Anna Maria, Müller).
pub fn split_full_name(value: &str) -> (String, String) {
    if let Some((last, first)) = value.split_once(',') {
        return (first.trim().to_string(), last.trim().to_string());
    }
    let words: Vec<&str> = value.split_whitespace().collect();
    match words.split_last() {
        Some((last, [])) => (String::new(), last.to_string()),
        Some((last, first)) => (first.join(" "), last.to_string()),
        None => (String::new(), String::new()),
    }
}

/// Keeps a cell's numbers ("0170 1234567, 089 123456") for [`Record::finish`], which reads
/// them; without a label, German mobile numbers (015…, 016…, 017…) become mobile, others
/// private.
pub fn add_phones(record: &mut Record, label: Option<PhoneLabel>, value: &str) {
    if !value.trim().is_empty() && record.raw_phones.len() < 50 {
        record.raw_phones.push((label, value.to_string()));
    }
}

pub fn guess_label(number: &str) -> PhoneLabel {
    let digits: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
    let national = if let Some(rest) = digits.strip_prefix("0049") {
        rest
    } else if number.trim_start().starts_with('+') {
        digits.strip_prefix("49").unwrap_or("")
    } else {
        digits.strip_prefix('0').unwrap_or(&digits)
    };
    if national.starts_with("15") || national.starts_with("16") || national.starts_with("17") {
        PhoneLabel::Mobile
    } else {
        PhoneLabel::Private
    }
}

/// A postal code cell: a spreadsheet's number form (`80331.0`) without its decimals. A lost
/// leading zero is put back once the country is known ([`super::salvage::place_postal_code`]).
fn postal_code(value: &str) -> String {
    value.trim().trim_end_matches(".0").to_string()
}

pub fn salutation(value: &str) -> Salutation {
    salutation_of(value).unwrap_or(Salutation::None)
}

/// A salutation word (`Frau`, `Hr.`, `Mrs`), if it is one.
pub fn salutation_of(value: &str) -> Option<Salutation> {
    match fold(value).as_str() {
        "frau" | "fr" | "ms" | "mrs" | "miss" | "madame" | "mme" => Some(Salutation::Frau),
        "herr" | "hr" | "mr" | "monsieur" => Some(Salutation::Herr),
        "divers" | "mx" => Some(Salutation::Divers),
        _ => None,
    }
}

fn channel(value: &str) -> ContactChannel {
    match fold(value).as_str() {
        "telefon" | "phone" | "anruf" | "call" => ContactChannel::Phone,
        "sms" | "text" | "whatsapp" => ContactChannel::Sms,
        "email" | "mail" => ContactChannel::Email,
        _ => ContactChannel::None,
    }
}

/// A country name or code → ISO 3166 code for the countries salons meet most; other names are
/// kept as written.
pub fn country_code(value: &str) -> String {
    let key = fold(value);
    let code = match key.as_str() {
        "de" | "deu" | "deutschland" | "germany" | "brd" => "DE",
        "at" | "aut" | "osterreich" | "austria" => "AT",
        "ch" | "che" | "schweiz" | "switzerland" => "CH",
        "nl" | "niederlande" | "netherlands" => "NL",
        "fr" | "frankreich" | "france" => "FR",
        "it" | "italien" | "italy" => "IT",
        "pl" | "polen" | "poland" => "PL",
        "tr" | "turkei" | "turkey" => "TR",
        "dk" | "danemark" | "denmark" => "DK",
        "be" | "belgien" | "belgium" => "BE",
        "lu" | "luxemburg" | "luxembourg" => "LU",
        "us"
        | "usa"
        | "unitedstates"
        | "unitedstatesofamerica"
        | "vereinigtestaaten"
        | "america" => "US",
        "gb" | "uk" | "unitedkingdom" | "grossbritannien" | "england" | "greatbritain" => "GB",
        "ie" | "irland" | "ireland" => "IE",
        "es" | "spanien" | "spain" | "espana" => "ES",
        "pt" | "portugal" => "PT",
        "gr" | "griechenland" | "greece" => "GR",
        "cz" | "tschechien" | "czechia" | "czechrepublic" => "CZ",
        "hu" | "ungarn" | "hungary" => "HU",
        "hr" | "kroatien" | "croatia" => "HR",
        "ru" | "russland" | "russia" => "RU",
        "ua" | "ukraine" => "UA",
        "se" | "schweden" | "sweden" => "SE",
        "no" | "norwegen" | "norway" => "NO",
        "fi" | "finnland" | "finland" => "FI",
        "jp" | "japan" => "JP",
        "cn" | "china" => "CN",
        "ca" | "kanada" | "canada" => "CA",
        "au" | "australien" | "australia" => "AU",
        "ro" | "rumanien" | "romania" => "RO",
        "bg" | "bulgarien" | "bulgaria" => "BG",
        "rs" | "serbien" | "serbia" => "RS",
        "german" => "DE",
        _ => return value.trim().to_string(),
    };
    code.to_string()
}

/// An [`Address`] from vCard ADR parts.
pub fn address(street: &str, postal_code_value: &str, city: &str, country: &str) -> Address {
    Address {
        street: street.split_whitespace().collect::<Vec<_>>().join(" "),
        postal_code: postal_code(postal_code_value),
        city: city.trim().to_string(),
        country: if country.trim().is_empty() {
            String::new()
        } else {
            country_code(country)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(header: &str, want: Option<Option<Field>>) {
        assert_eq!(field_of(header), want, "{header}");
    }

    #[test]
    fn german_and_english_headers() {
        use Field::*;
        check("Vorname", Some(Some(FirstName)));
        check("First Name", Some(Some(FirstName)));
        check("Nachname", Some(Some(LastName)));
        check("Handy", Some(Some(Mobile)));
        check("Mobiltelefon", Some(Some(Mobile)));
        check("Telefon", Some(Some(Phone)));
        check("Telefon geschäftlich", Some(Some(PhoneBusiness)));
        check("Phone 1 - Value", Some(Some(Phone)));
        check("Phone 1 - Label", Some(None));
        check("E-Mail", Some(Some(Email)));
        check("E-Mail-Adresse", Some(Some(Email)));
        check("E-mail 1 - Value", Some(Some(Email)));
        check("Geburtstag", Some(Some(Birthday)));
        check("Straße", Some(Some(Street)));
        check("PLZ", Some(Some(PostalCode)));
        check("Ort", Some(Some(City)));
        check("Notiz", Some(Some(Note)));
        check("Besuche", Some(None));
        check("Kunden-Nr.", Some(None));
        check("Lieblingsfarbe", None);
    }

    #[test]
    fn names_and_numbers() {
        assert_eq!(
            split_full_name("Müller, Anna"),
            ("Anna".to_string(), "Müller".to_string())
        );
        assert_eq!(
            split_full_name("Anna Maria Müller"),
            ("Anna Maria".to_string(), "Müller".to_string())
        );
        assert_eq!(guess_label("0171 2345678"), PhoneLabel::Mobile);
        assert_eq!(guess_label("+49 171 2345678"), PhoneLabel::Mobile);
        assert_eq!(guess_label("089 123456"), PhoneLabel::Private);
        assert_eq!(postal_code("80331.0"), "80331");
        assert_eq!(country_code("Österreich"), "AT");
    }
}
