//! The customer card's master data ([`Customer`]) and the form it is entered through
//! ([`CustomerDraft`]), whose [`CustomerDraft::validate`] is the one place the field rules live.

use super::{Birthday, CustomerId, Email, GroupId, Phone, PhoneCache, PhoneLabel};
use crate::i18n::{FieldErrors, Msg};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Salutation {
    #[default]
    #[serde(rename = "")]
    None,
    Frau,
    Herr,
    Divers,
}

/// How the customer wants to be contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactChannel {
    Phone,
    Sms,
    Email,
    #[default]
    None,
}

/// Where the card came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    #[default]
    Manual,
    Booking,
    Import,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default)]
    pub street: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub city: String,
    /// ISO 3166 code; `DE` when empty.
    #[serde(default)]
    pub country: String,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self.street.is_empty() && self.postal_code.is_empty() && self.city.is_empty()
    }
}

/// The two consents are kept apart: appointment reminders are a service, marketing needs an
/// explicit opt-in (UWG §7, GDPR Art. 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentKind {
    Reminders,
    Marketing,
}

/// The current state of one consent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub given: bool,
    /// When it was last given or withdrawn; `None` if never asked.
    pub at: Option<DateTime<Utc>>,
    /// The staff member who recorded it.
    #[serde(default)]
    pub by: String,
    /// How it was obtained or withdrawn ("in person", "form", "e-mail", "import" …).
    #[serde(default)]
    pub how: String,
    /// Marketing consent confirmed by the customer answering the confirmation mail (double
    /// opt-in); newsletters go only to confirmed consents.
    #[serde(default)]
    pub confirmed: bool,
}

/// One entry of the consent log: consents are never edited in place without a trace, as the
/// GDPR asks the salon to be able to prove consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentChange {
    pub kind: ConsentKind,
    pub given: bool,
    pub at: DateTime<Utc>,
    pub by: String,
    pub how: String,
    /// The evidence, e.g. the confirming or unsubscribing mail (`Message-ID`, sender, date).
    #[serde(default)]
    pub proof: String,
    /// This change confirmed the consent by double opt-in.
    #[serde(default)]
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    /// Incremented on every save; a save that names an older version is refused (409).
    pub version: u64,
    #[serde(default)]
    pub salutation: Salutation,
    #[serde(default)]
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    /// Company or an extra name line.
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub phones: Vec<Phone>,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub address: Address,
    #[serde(default)]
    pub birthday: Option<Birthday>,
    #[serde(default)]
    pub preferred_contact: ContactChannel,
    #[serde(default)]
    pub groups: Vec<GroupId>,
    /// The regular stylist's name.
    #[serde(default)]
    pub stylist: String,
    #[serde(default)]
    pub reminder_consent: Consent,
    #[serde(default)]
    pub marketing_consent: Consent,
    #[serde(default)]
    pub consent_log: Vec<ConsentChange>,
    #[serde(default)]
    pub source: Source,
    pub customer_since: NaiveDate,
    #[serde(default)]
    pub deactivated: bool,
    /// Anonymised after the retention period: the person is gone, the visits stay.
    #[serde(default)]
    pub anonymised: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Customer {
    /// "Anna Müller", or the company when there is no name.
    pub fn display_name(&self) -> String {
        display_name(&self.first_name, &self.last_name, &self.company)
    }
}

pub fn display_name(first: &str, last: &str, company: &str) -> String {
    let name = format!("{first} {last}").trim().to_string();
    if name.is_empty() {
        company.to_string()
    } else {
        name
    }
}

/// A phone as typed into a form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneDraft {
    #[serde(default)]
    pub label: PhoneLabel,
    #[serde(default)]
    pub number: String,
}

/// The customer form as a person filled it in: raw text, validated by [`CustomerDraft::validate`].
/// Field names are the JSON API's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerDraft {
    pub salutation: Salutation,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phones: Vec<PhoneDraft>,
    pub email: String,
    pub address: Address,
    /// `24.11.1985`, `24.11.`, `1985-11-24` or `--11-24`; empty for none.
    pub birthday: String,
    pub preferred_contact: ContactChannel,
    /// Group names, as the salon named them.
    pub groups: Vec<String>,
    pub stylist: String,
    /// `None` leaves the consent as it is.
    pub marketing_consent: Option<bool>,
    pub reminder_consent: Option<bool>,
    /// How a consent change was obtained; defaults to "in person" (`persönlich`).
    pub consent_how: String,
    pub deactivated: bool,
}

/// The validated master data of a draft, ready to be put on a card. Group names are resolved
/// by the store, which knows the groups.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDraft {
    pub salutation: Salutation,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phones: Vec<Phone>,
    pub email: Option<Email>,
    pub address: Address,
    pub birthday: Option<Birthday>,
    pub preferred_contact: ContactChannel,
    pub group_names: Vec<String>,
    pub stylist: String,
    pub marketing_consent: Option<bool>,
    pub reminder_consent: Option<bool>,
    pub consent_how: String,
    pub deactivated: bool,
}

const MAX_NAME: usize = 100;
const MAX_TEXT: usize = 200;
/// Phone numbers on one card.
pub const MAX_PHONES: usize = 20;
/// Groups one card is in.
pub const MAX_GROUPS: usize = 50;

impl CustomerDraft {
    /// Checks every field and returns all errors at once, keyed by API field name.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidDraft, FieldErrors> {
        self.validate_with(today, &mut PhoneCache::none())
    }

    /// [`Self::validate`] for many drafts in a row: phone numbers are read through `phones`,
    /// each distinct number once (an import).
    pub fn validate_with(
        &self,
        today: NaiveDate,
        phones_read: &mut PhoneCache,
    ) -> Result<ValidDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let first_name = clean(&self.first_name);
        let last_name = clean(&self.last_name);
        let company = clean(&self.company);
        if first_name.is_empty() && last_name.is_empty() {
            errors.add("last_name", Msg::NameRequired);
        }
        for (field, value, max) in [
            ("first_name", &first_name, MAX_NAME),
            ("last_name", &last_name, MAX_NAME),
            ("company", &company, MAX_TEXT),
            ("title", &self.title, 50),
            ("stylist", &self.stylist, MAX_NAME),
            ("address.street", &self.address.street, MAX_TEXT),
            ("address.city", &self.address.city, MAX_NAME),
        ] {
            if value.chars().count() > max {
                errors.add(field, Msg::TooLong { max });
            }
        }

        for (field, value, max) in [
            ("address.postal_code", &self.address.postal_code, 20),
            ("address.country", &self.address.country, 60),
            ("consent_how", &self.consent_how, MAX_TEXT),
        ] {
            super::values::check_len(&mut errors, field, value, max);
        }
        super::values::check_count(&mut errors, "phones", self.phones.len(), MAX_PHONES);
        super::values::check_count(&mut errors, "groups", self.groups.len(), MAX_GROUPS);
        if self.groups.iter().any(|g| g.chars().count() > MAX_NAME) {
            errors.add("groups", Msg::TooLong { max: MAX_NAME });
        }

        let mut phones = Vec::new();
        for (i, draft) in self.phones.iter().enumerate().take(MAX_PHONES) {
            if draft.number.trim().is_empty() {
                continue;
            }
            match phones_read.parse(draft.label, &draft.number) {
                Ok(p) if !phones.contains(&p) => phones.push(p),
                Ok(_) => {}
                Err(msg) => errors.add(&format!("phones.{i}.number"), msg),
            }
        }

        let email = match self.email.trim() {
            "" => None,
            s => match Email::parse(s) {
                Ok(e) => Some(e),
                Err(msg) => {
                    errors.add("email", msg);
                    None
                }
            },
        };

        let birthday = match self.birthday.trim() {
            "" => None,
            s => match Birthday::parse(s) {
                Ok(Birthday::Full(d)) if d > today => {
                    errors.add("birthday", Msg::FutureBirthday);
                    None
                }
                Ok(b) => Some(b),
                Err(msg) => {
                    errors.add("birthday", msg);
                    None
                }
            },
        };

        let mut address = Address {
            street: clean(&self.address.street),
            postal_code: clean(&self.address.postal_code),
            city: clean(&self.address.city),
            country: clean(&self.address.country).to_uppercase(),
        };
        if address.country.is_empty() {
            address.country = "DE".into();
        }
        if address.country == "DE"
            && !address.postal_code.is_empty()
            && !(address.postal_code.len() == 5
                && address.postal_code.chars().all(|c| c.is_ascii_digit()))
        {
            errors.add("address.postal_code", Msg::BadPostalCode);
        }

        let mut group_names: Vec<String> = Vec::new();
        for name in &self.groups {
            let name = clean(name);
            if !name.is_empty() && !group_names.contains(&name) {
                group_names.push(name);
            }
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidDraft {
            salutation: self.salutation,
            title: clean(&self.title),
            first_name,
            last_name,
            company,
            phones,
            email,
            address,
            birthday,
            preferred_contact: self.preferred_contact,
            group_names,
            stylist: clean(&self.stylist),
            marketing_consent: self.marketing_consent,
            reminder_consent: self.reminder_consent,
            consent_how: match clean(&self.consent_how) {
                s if s.is_empty() => "persönlich".to_string(),
                s => s,
            },
            deactivated: self.deactivated,
        })
    }

    /// The form filled from an existing card (for editing, merging and booking upserts).
    pub fn from_customer(c: &Customer, group_names: Vec<String>) -> CustomerDraft {
        CustomerDraft {
            salutation: c.salutation,
            title: c.title.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            company: c.company.clone(),
            phones: c
                .phones
                .iter()
                .map(|p| PhoneDraft {
                    label: p.label,
                    number: p.number.clone(),
                })
                .collect(),
            email: c.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
            address: c.address.clone(),
            birthday: c.birthday.map(|b| b.iso()).unwrap_or_default(),
            preferred_contact: c.preferred_contact,
            groups: group_names,
            stylist: c.stylist.clone(),
            marketing_consent: None,
            reminder_consent: None,
            consent_how: String::new(),
            deactivated: c.deactivated,
        }
    }
}

/// Trims and folds inner runs of white space to one space.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Customer {
    /// A new card from validated input. `groups` are the resolved ids of `valid.group_names`.
    pub fn new(
        id: CustomerId,
        valid: ValidDraft,
        groups: Vec<GroupId>,
        source: Source,
        actor: &str,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Customer {
        let mut customer = Customer {
            id,
            version: 0,
            salutation: Salutation::None,
            title: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            company: String::new(),
            phones: Vec::new(),
            email: None,
            address: Address::default(),
            birthday: None,
            preferred_contact: ContactChannel::None,
            groups: Vec::new(),
            stylist: String::new(),
            reminder_consent: Consent::default(),
            marketing_consent: Consent::default(),
            consent_log: Vec::new(),
            source,
            customer_since: today,
            deactivated: false,
            anonymised: false,
            created_at: now,
            updated_at: now,
        };
        customer.apply(valid, groups, actor, now);
        customer
    }

    /// The card with the person taken out (retention): only the id, the dates, the source and
    /// the stylist stay; it is deactivated and marked anonymised.
    pub fn anonymised(&self, now: DateTime<Utc>, name: &str) -> Customer {
        Customer {
            id: self.id,
            version: self.version + 1,
            salutation: Salutation::None,
            title: String::new(),
            first_name: String::new(),
            last_name: name.to_string(),
            company: String::new(),
            phones: Vec::new(),
            email: None,
            address: Address::default(),
            birthday: None,
            preferred_contact: ContactChannel::None,
            groups: Vec::new(),
            stylist: self.stylist.clone(),
            reminder_consent: Consent::default(),
            marketing_consent: Consent::default(),
            consent_log: Vec::new(),
            source: self.source,
            customer_since: self.customer_since,
            deactivated: true,
            anonymised: true,
            created_at: self.created_at,
            updated_at: now,
        }
    }

    /// Puts validated input on the card, bumps the version and logs consent changes.
    pub fn apply(
        &mut self,
        valid: ValidDraft,
        groups: Vec<GroupId>,
        actor: &str,
        now: DateTime<Utc>,
    ) {
        self.salutation = valid.salutation;
        self.title = valid.title;
        self.first_name = valid.first_name;
        self.last_name = valid.last_name;
        self.company = valid.company;
        self.phones = valid.phones;
        self.email = valid.email;
        self.address = valid.address;
        self.birthday = valid.birthday;
        self.preferred_contact = valid.preferred_contact;
        self.groups = groups;
        self.stylist = valid.stylist;
        self.deactivated = valid.deactivated;
        for (kind, wanted) in [
            (ConsentKind::Reminders, valid.reminder_consent),
            (ConsentKind::Marketing, valid.marketing_consent),
        ] {
            let Some(given) = wanted else { continue };
            let consent = match kind {
                ConsentKind::Reminders => &mut self.reminder_consent,
                ConsentKind::Marketing => &mut self.marketing_consent,
            };
            if consent.given == given && consent.at.is_some() {
                continue;
            }
            let how = valid.consent_how.clone();
            self.record_consent(kind, given, false, now, actor, &how, "");
        }
        self.version += 1;
        self.updated_at = now;
    }

    /// Sets one consent and logs the change (the one way a consent changes). `confirmed`: the
    /// customer confirmed it by answering the confirmation mail; `proof` says how that is known.
    #[allow(clippy::too_many_arguments)]
    pub fn record_consent(
        &mut self,
        kind: ConsentKind,
        given: bool,
        confirmed: bool,
        now: DateTime<Utc>,
        actor: &str,
        how: &str,
        proof: &str,
    ) {
        let consent = match kind {
            ConsentKind::Reminders => &mut self.reminder_consent,
            ConsentKind::Marketing => &mut self.marketing_consent,
        };
        *consent = Consent {
            given,
            at: Some(now),
            by: actor.to_string(),
            how: how.to_string(),
            confirmed: given && confirmed,
        };
        self.consent_log.push(ConsentChange {
            kind,
            given,
            at: now,
            by: actor.to_string(),
            how: how.to_string(),
            proof: proof.to_string(),
            confirmed: given && confirmed,
        });
    }

    /// Newsletters and birthday greetings may go to this customer: marketing consent given and
    /// confirmed by double opt-in, an e-mail address, an active card.
    pub fn may_get_marketing_mail(&self) -> bool {
        self.marketing_consent.given
            && self.marketing_consent.confirmed
            && self.email.is_some()
            && !self.deactivated
            && !self.anonymised
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn all_field_errors_come_at_once_with_api_field_names() {
        let draft = CustomerDraft {
            email: "anna@".into(),
            birthday: "31.02.1990".into(),
            phones: vec![PhoneDraft {
                label: PhoneLabel::Mobile,
                number: "12".into(),
            }],
            address: Address {
                postal_code: "123".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let errors = draft.validate(today()).unwrap_err();
        assert_eq!(errors.get("last_name"), Some(&Msg::NameRequired));
        assert_eq!(errors.get("email"), Some(&Msg::BadEmail));
        assert_eq!(errors.get("birthday"), Some(&Msg::ImpossibleDate));
        assert_eq!(errors.get("phones.0.number"), Some(&Msg::BadPhone));
        assert_eq!(errors.get("address.postal_code"), Some(&Msg::BadPostalCode));
        let de = errors.texts(crate::Lang::De);
        assert_eq!(de["birthday"], "Dieses Datum gibt es nicht.");
        let en = errors.texts(crate::Lang::En);
        assert_eq!(en["birthday"], "This date does not exist.");
    }

    #[test]
    fn a_valid_draft_is_cleaned() {
        let draft = CustomerDraft {
            first_name: "  Anna  Lena ".into(),
            last_name: "Müller".into(),
            email: "anna@Example.de".into(),
            birthday: "24.11.".into(),
            groups: vec!["VIP".into(), "VIP".into(), " ".into()],
            ..Default::default()
        };
        let valid = draft.validate(today()).unwrap();
        assert_eq!(valid.first_name, "Anna Lena");
        assert_eq!(valid.email.unwrap().as_str(), "anna@example.de");
        assert_eq!(valid.group_names, vec!["VIP".to_string()]);
        assert_eq!(valid.address.country, "DE");
        let future = CustomerDraft {
            birthday: "01.01.2030".into(),
            ..draft
        };
        assert!(future.validate(today()).is_err());
    }
}
