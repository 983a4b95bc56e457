//! The salon's mail account as the owner sets it up once (SMTP submission to send, IMAP to read
//! the replies), what Kartei sends on its own (reminders, greetings) and the message templates.
//! The password is stored for the servers' login (it cannot be hashed) and never leaves the
//! appliance: [`MailSettings::public`] blanks it for the faces.

use crate::i18n::{FieldErrors, Lang, Msg};
use serde::{Deserialize, Serialize};

/// How a connection is protected. There is no plain-text option: the password would cross
/// the network readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// TLS from the first byte (SMTP 465, IMAP 993).
    #[default]
    Tls,
    /// Plain connection upgraded with STARTTLS (SMTP 587, IMAP 143).
    StartTls,
}

/// What a template is used for. Kartei picks the reminder, greeting and confirmation
/// templates by this; staff pick free ones by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateUse {
    Message,
    Reminder,
    Birthday,
    ConsentRequest,
    Newsletter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Stable key (`reminder_de`, or chosen by staff for their own).
    pub key: String,
    pub name: String,
    #[serde(rename = "use")]
    pub use_for: TemplateUse,
    pub lang: Lang,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MailSettings {
    /// The salon's address; mails go out from it and replies come back to it.
    pub address: String,
    /// The sender's name in the recipient's mail program (the salon's name when empty).
    pub sender_name: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: Security,
    pub imap_host: String,
    pub imap_port: u16,
    pub imap_security: Security,
    /// The login for both servers (most providers: the address).
    pub user: String,
    pub password: String,
    /// A certificate (PEM) to trust besides the public authorities, for a salon's own mail
    /// server with a self-made certificate.
    pub extra_ca_pem: String,
    /// The folder sent mail is copied to; empty: the one the server marks as `\Sent`.
    pub sent_folder: String,
    /// Newsletter mails per minute (providers limit bulk mail; 1–600).
    pub newsletter_per_minute: u32,
    /// Appointment reminders this many hours before (0: none).
    pub reminder_hours: u32,
    /// Birthday greetings to customers with confirmed marketing consent.
    pub birthday_greetings: bool,
    pub templates: Vec<Template>,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            address: String::new(),
            sender_name: String::new(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: Security::StartTls,
            imap_host: String::new(),
            imap_port: 993,
            imap_security: Security::Tls,
            user: String::new(),
            password: String::new(),
            extra_ca_pem: String::new(),
            sent_folder: String::new(),
            newsletter_per_minute: 20,
            reminder_hours: 24,
            birthday_greetings: false,
            templates: default_templates(),
        }
    }
}

/// Upper bounds of the settings' values.
const MAX_HOST: usize = 253;
const MAX_FIELD: usize = 320;
const MAX_PEM: usize = 64 * 1024;
const MAX_TEMPLATES: usize = 50;
const MAX_KEY: usize = 40;

/// The uses Kartei sends on its own; each needs a template ([`MailSettings::validate`]).
const AUTOMATIC_USES: [TemplateUse; 4] = [
    TemplateUse::Reminder,
    TemplateUse::Birthday,
    TemplateUse::ConsentRequest,
    TemplateUse::Newsletter,
];
pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 20_000;

impl MailSettings {
    /// Server, address and login are there: Kartei can try to send and read.
    pub fn is_configured(&self) -> bool {
        !self.address.is_empty()
            && !self.smtp_host.is_empty()
            && !self.imap_host.is_empty()
            && !self.user.is_empty()
            && !self.password.is_empty()
    }

    /// The settings as the faces see them: the password blanked (`password_set` says whether
    /// one is stored).
    pub fn public(&self) -> MailSettings {
        MailSettings {
            password: String::new(),
            ..self.clone()
        }
    }

    /// Checks every field; all errors at once, by field name.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if !self.address.is_empty() && crate::model::Email::parse(&self.address).is_err() {
            errors.add("address", Msg::BadEmail);
        }
        for (field, value, max) in [
            ("sender_name", &self.sender_name, MAX_FIELD),
            ("smtp_host", &self.smtp_host, MAX_HOST),
            ("imap_host", &self.imap_host, MAX_HOST),
            ("user", &self.user, MAX_FIELD),
            ("password", &self.password, MAX_FIELD),
            ("sent_folder", &self.sent_folder, MAX_FIELD),
            ("extra_ca_pem", &self.extra_ca_pem, MAX_PEM),
        ] {
            if value.chars().count() > max {
                errors.add(field, Msg::TooLong { max });
            }
        }
        for (field, host) in [
            ("smtp_host", &self.smtp_host),
            ("imap_host", &self.imap_host),
        ] {
            if host
                .chars()
                .any(|c| c.is_whitespace() || c == '/' || c == '@')
            {
                errors.add(field, Msg::InvalidInput);
            }
        }
        for (field, port) in [("smtp_port", self.smtp_port), ("imap_port", self.imap_port)] {
            if port == 0 {
                errors.add(field, Msg::Required);
            }
        }
        if !(1..=600).contains(&self.newsletter_per_minute) {
            errors.add("newsletter_per_minute", Msg::InvalidInput);
        }
        if self.reminder_hours > 24 * 14 {
            errors.add("reminder_hours", Msg::InvalidInput);
        }
        if !self.extra_ca_pem.trim().is_empty()
            && crate::mail::tls::certificates_in(&self.extra_ca_pem).is_err()
        {
            errors.add("extra_ca_pem", Msg::InvalidInput);
        }
        if self.templates.len() > MAX_TEMPLATES {
            errors.add("templates", Msg::TooMany { max: MAX_TEMPLATES });
        }
        // Kartei's own mails pick their template by use: one of each must stay.
        for use_for in AUTOMATIC_USES {
            if !self.templates.iter().any(|t| t.use_for == use_for) {
                errors.add("templates", Msg::Required);
            }
        }
        for (i, t) in self.templates.iter().enumerate() {
            // An empty key is a new template's: it gets one on saving ([`Self::assign_keys`]).
            let key_taken = !t.key.is_empty() && self.templates[..i].iter().any(|o| o.key == t.key);
            if t.key.chars().count() > MAX_KEY || key_taken {
                errors.add(&format!("templates.{i}.key"), Msg::InvalidInput);
            }
            if t.name.trim().is_empty() {
                errors.add(&format!("templates.{i}.name"), Msg::Required);
            }
            if t.subject.chars().count() > MAX_SUBJECT {
                errors.add(
                    &format!("templates.{i}.subject"),
                    Msg::TooLong { max: MAX_SUBJECT },
                );
            }
            if t.body.chars().count() > MAX_BODY {
                errors.add(
                    &format!("templates.{i}.body"),
                    Msg::TooLong { max: MAX_BODY },
                );
            }
            for (part, text) in [("subject", &t.subject), ("body", &t.body)] {
                if let Err(name) = crate::mail::templates::check_placeholders(text) {
                    errors.add(
                        &format!("templates.{i}.{part}"),
                        Msg::Mail(crate::i18n::MailMsg::UnknownPlaceholder { name }),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// A new message template of the owner's (empty, named "Neue Vorlage"). A face adds it to the
    /// list it edits; its key is given when the settings are saved ([`Self::assign_keys`]).
    pub fn new_template(lang: Lang) -> Template {
        Template {
            key: String::new(),
            name: crate::i18n::Word::TemplateNew.text(lang).to_string(),
            use_for: TemplateUse::Message,
            lang,
            subject: String::new(),
            body: String::new(),
        }
    }

    /// Gives every template without a key (a new one from a face) a key no other template has.
    pub fn assign_keys(&mut self) {
        for i in 0..self.templates.len() {
            if !self.templates[i].key.trim().is_empty() {
                continue;
            }
            let free = (1..)
                .map(|n| format!("own_{n}"))
                .find(|k| self.templates.iter().all(|t| &t.key != k));
            if let Some(key) = free {
                self.templates[i].key = key;
            }
        }
    }

    /// Templates staff pick by name may be removed; those Kartei's own mails use stay.
    pub fn may_remove_template(template: &Template) -> bool {
        template.use_for == TemplateUse::Message
    }

    /// The template for `use_for` in `lang` (German when there is none in that language).
    pub fn template(&self, use_for: TemplateUse, lang: Lang) -> Option<&Template> {
        let of_use = || self.templates.iter().filter(move |t| t.use_for == use_for);
        of_use()
            .find(|t| t.lang == lang)
            .or_else(|| of_use().next())
    }
}

/// The templates Kartei ships, German and English; the owner edits them in the settings.
pub fn default_templates() -> Vec<Template> {
    let t = |key: &str, name: &str, use_for, lang, subject: &str, body: &str| Template {
        key: key.into(),
        name: name.into(),
        use_for,
        lang,
        subject: subject.into(),
        body: body.into(),
    };
    vec![
        t("message_de", "Nachricht", TemplateUse::Message, Lang::De,
          "Nachricht von {Salon}",
          "Hallo {Vorname},\n\n\n\nViele Grüße\n{Salon}"),
        t("message_en", "Message", TemplateUse::Message, Lang::En,
          "A message from {salon}",
          "Hello {first_name},\n\n\n\nBest wishes\n{salon}"),
        t("next_de", "Terminbestätigung", TemplateUse::Message, Lang::De,
          "Ihr Termin bei {Salon}",
          "Hallo {Vorname},\n\nwir freuen uns auf Ihren Termin am {Termin}.\n\nViele Grüße\n{Salon}"),
        t("next_en", "Appointment confirmation", TemplateUse::Message, Lang::En,
          "Your appointment at {salon}",
          "Hello {first_name},\n\nwe look forward to seeing you on {next_appointment}.\n\nBest wishes\n{salon}"),
        t("reminder_de", "Terminerinnerung", TemplateUse::Reminder, Lang::De,
          "Erinnerung: Ihr Termin am {Termin}",
          "Hallo {Vorname},\n\nwir erinnern Sie an Ihren Termin am {Termin}. Falls Sie nicht kommen können, antworten Sie einfach auf diese Nachricht.\n\nViele Grüße\n{Salon}"),
        t("reminder_en", "Appointment reminder", TemplateUse::Reminder, Lang::En,
          "Reminder: your appointment on {next_appointment}",
          "Hello {first_name},\n\nthis is a reminder of your appointment on {next_appointment}. If you cannot come, simply reply to this message.\n\nBest wishes\n{salon}"),
        t("birthday_de", "Geburtstagsgruß", TemplateUse::Birthday, Lang::De,
          "Alles Gute zum Geburtstag, {Vorname}!",
          "Hallo {Vorname},\n\ndas ganze Team von {Salon} wünscht Ihnen alles Gute zum Geburtstag!\n\nHerzliche Grüße\n{Salon}"),
        t("birthday_en", "Birthday greeting", TemplateUse::Birthday, Lang::En,
          "Happy birthday, {first_name}!",
          "Hello {first_name},\n\neveryone at {salon} wishes you a happy birthday!\n\nWarm wishes\n{salon}"),
        t("consent_de", "Newsletter-Bestätigung", TemplateUse::ConsentRequest, Lang::De,
          "Bitte bestätigen: Newsletter von {Salon}",
          "Hallo {Vorname},\n\nSie möchten Neuigkeiten und Angebote von {Salon} per E-Mail erhalten. Bitte bestätigen Sie das, indem Sie einfach auf diese Nachricht antworten.\n\nWenn Sie das nicht wünschen, ignorieren Sie diese Nachricht; Sie erhalten dann keinen Newsletter.\n\nViele Grüße\n{Salon}"),
        t("consent_en", "Newsletter confirmation", TemplateUse::ConsentRequest, Lang::En,
          "Please confirm: newsletter from {salon}",
          "Hello {first_name},\n\nyou would like to receive news and offers from {salon} by e-mail. Please confirm by simply replying to this message.\n\nIf you do not want this, ignore this message; you will then get no newsletter.\n\nBest wishes\n{salon}"),
        t("newsletter_de", "Newsletter", TemplateUse::Newsletter, Lang::De,
          "Neuigkeiten von {Salon}",
          "Hallo {Vorname},\n\n\n\nViele Grüße\n{Salon}"),
        t("newsletter_en", "Newsletter", TemplateUse::Newsletter, Lang::En,
          "News from {salon}",
          "Hello {first_name},\n\n\n\nBest wishes\n{salon}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_template_gets_a_free_key_and_message_templates_alone_may_go() {
        let mut s = MailSettings::default();
        let first = MailSettings::new_template(Lang::De);
        assert_eq!(first.name, "Neue Vorlage");
        s.templates.push(first);
        let mut second = MailSettings::new_template(Lang::En);
        second.name = "Colour".into();
        s.templates.push(second);
        assert_eq!(s.validate(), Ok(()), "keys are given on saving");
        s.assign_keys();
        let n = s.templates.len();
        assert_eq!(s.templates[n - 2].key, "own_1");
        assert_eq!(s.templates[n - 1].key, "own_2");
        assert_eq!(s.validate(), Ok(()));
        for t in &s.templates {
            assert_eq!(
                MailSettings::may_remove_template(t),
                t.use_for == TemplateUse::Message,
                "{}",
                t.key
            );
        }
    }

    #[test]
    fn a_duplicate_key_or_a_missing_automatic_template_is_refused() {
        let mut s = MailSettings::default();
        let mut twin = s.templates[0].clone();
        twin.name = "Zwilling".into();
        s.templates.push(twin);
        let last = s.templates.len() - 1;
        let errors = s.validate().unwrap_err();
        assert!(
            errors.get(&format!("templates.{last}.key")).is_some(),
            "{errors:?}"
        );

        let mut s = MailSettings::default();
        s.templates.retain(|t| t.use_for != TemplateUse::Reminder);
        let errors = s.validate().unwrap_err();
        assert!(errors.get("templates").is_some(), "{errors:?}");
    }
}
