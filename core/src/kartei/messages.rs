//! Messages on [`Kartei`]: writing to a customer (stored, then sent by the outbox), the history
//! and its unread marks, received mails taken in and matched, the unassigned list, newsletters
//! with their preview and consent rules, consent requests (double opt-in), and the reminders and
//! greetings the schedule queues. Every write goes through [`Kartei::commit`].

use super::{lock, Kartei, Written};
use crate::audit::{AuditAction, AuditDraft};
use crate::error::{CoreError, Result};
use crate::events::Change;
use crate::i18n::{FieldErrors, Lang, MailMsg, Msg};
use crate::mail::imap::Fetched;
use crate::mail::matching::{self, Known};
use crate::mail::settings::{MAX_BODY, MAX_SUBJECT};
use crate::mail::templates::{self, Placeholders};
use crate::mail::{MailSettings, TemplateUse};
use crate::model::*;
use crate::store::{ConsentUpdate, MailboxState};
use chrono::{DateTime, Datelike, Local, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Who a newsletter reaches and who not, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewsletterPreview {
    pub recipients: Vec<Recipient>,
    pub left_out: Vec<LeftOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recipient {
    pub id: CustomerId,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeftOut {
    pub id: CustomerId,
    pub name: String,
    pub reason: MailMsg,
    /// The reason in the asked language.
    pub reason_text: String,
}

/// How far a newsletter has got.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewsletterProgress {
    pub newsletter: Newsletter,
    pub total: u32,
    pub sent: u32,
    pub failed: u32,
    pub waiting: u32,
}

/// Where a received mail ended up (the inbox watcher's count).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TakenIn {
    pub matched: usize,
    pub unassigned: usize,
    pub duplicates: usize,
}

/// The mail the settings' "Testnachricht senden" checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailTestReport {
    /// Logged in to the SMTP server and the mail was accepted.
    pub sent: Result<(), MailMsg>,
    /// Logged in to the IMAP server.
    pub read: Result<(), MailMsg>,
    /// A copy went into the Sent folder (fails when the mailbox is full).
    pub sent_folder: Result<(), MailMsg>,
    /// The test mail arrived in the inbox, after how many milliseconds.
    pub arrived_ms: Result<u64, MailMsg>,
}

fn mail_error(msg: MailMsg) -> CoreError {
    CoreError::Forbidden(Msg::Mail(msg))
}

/// The subject and text of a message, checked for length; errors by field.
fn check_text(subject: &str, text: &str) -> Result<()> {
    let mut errors = FieldErrors::default();
    if subject.trim().is_empty() {
        errors.add("subject", Msg::Required);
    } else if subject.chars().count() > MAX_SUBJECT || subject.contains(['\r', '\n']) {
        errors.add("subject", Msg::TooLong { max: MAX_SUBJECT });
    }
    if text.trim().is_empty() {
        errors.add("text", Msg::Required);
    } else if text.chars().count() > MAX_BODY {
        errors.add("text", Msg::TooLong { max: MAX_BODY });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// An appointment as a customer reads it in a mail: `Di, 24.11.2026, 14:30`.
pub fn appointment_text(start: DateTime<Utc>, lang: Lang) -> String {
    let local = start.with_timezone(&Local);
    let day = match (lang, local.weekday().num_days_from_monday()) {
        (Lang::De, d) => ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"][d as usize],
        (Lang::En, d) => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d as usize],
    };
    match lang {
        Lang::De => format!("{day}, {}", local.format("%d.%m.%Y, %H:%M")),
        Lang::En => format!("{day}, {}", local.format("%d/%m/%Y, %H:%M")),
    }
}

impl Kartei {
    /// The mail settings with the password (for the mail thread; faces use
    /// [`MailSettings::public`]).
    pub fn mail_settings(&self) -> MailSettings {
        lock(&self.inner.settings).mail.clone()
    }

    /// Saves the mail settings (owners). An empty password keeps the stored one: the faces
    /// never see it, so they send none unless it is changed.
    pub fn set_mail_settings(&self, mut new: MailSettings, by: &str) -> Result<()> {
        new.assign_keys();
        new.validate().map_err(CoreError::Invalid)?;
        let mut settings = self.settings();
        if new.password.is_empty() {
            new.password = settings.mail.password.clone();
        }
        if new.user.is_empty() {
            new.user = new.address.clone();
        }
        settings.mail = new;
        self.set_settings(settings)?;
        log::info!("mail settings changed by {by}");
        self.wake_mail(true);
        Ok(())
    }

    /// The values of a template for `customer`: names, the next appointment, the salon.
    pub fn placeholders(&self, customer: &Customer, lang: Lang) -> Result<Placeholders> {
        let now = self.now();
        let next = self
            .inner
            .store
            .appointments_of(customer.id)?
            .into_iter()
            .filter(|a| a.start > now && a.status == AppointmentStatus::Booked)
            .min_by_key(|a| a.start);
        Ok(Placeholders {
            first_name: customer.first_name.clone(),
            last_name: customer.last_name.clone(),
            next_appointment: next
                .map(|a| appointment_text(a.start, lang))
                .unwrap_or_default(),
            salon: self.salon_name(),
        })
    }

    fn salon_name(&self) -> String {
        let settings = lock(&self.inner.settings);
        if !settings.mail.sender_name.trim().is_empty() {
            settings.mail.sender_name.clone()
        } else if !settings.salon_name.trim().is_empty() {
            settings.salon_name.clone()
        } else {
            "Kartei".to_string()
        }
    }

    /// A template filled for `customer` (subject, text), to edit before sending.
    pub fn compose(&self, customer: CustomerId, key: &str) -> Result<(String, String)> {
        let c = self.inner.store.customer(customer)?;
        let settings = self.mail_settings();
        let template = settings
            .templates
            .iter()
            .find(|t| t.key == key)
            .ok_or_else(|| CoreError::not_found("template", key))?;
        let values = self.placeholders(&c, template.lang)?;
        Ok((
            templates::fill(&template.subject, &values),
            templates::fill(&template.body, &values),
        ))
    }

    /// A new outgoing message to `customer` (not yet saved).
    fn outgoing(
        &self,
        customer: &Customer,
        kind: MessageKind,
        subject: String,
        text: String,
        by: &str,
    ) -> Result<Message> {
        let settings = self.mail_settings();
        if !settings.is_configured() {
            return Err(mail_error(MailMsg::NotConfigured));
        }
        let email = customer
            .email
            .as_ref()
            .ok_or_else(|| mail_error(MailMsg::NoEmail))?;
        let mut message = Message::outgoing(
            kind,
            self.now(),
            Addressee {
                address: email.as_str().to_string(),
                display_name: customer.display_name(),
                by: by.to_string(),
            },
            subject,
            text,
            crate::mail::new_header_id(&settings.address),
        );
        message.customer = Some(customer.id);
        Ok(message)
    }

    /// Writes a message to a customer: stored at once, sent by the outbox. A reply to the
    /// customer's last mail carries it in `In-Reply-To`, so mail programs thread it.
    pub fn send_message(
        &self,
        customer: CustomerId,
        subject: &str,
        text: &str,
        by: &str,
    ) -> Result<Message> {
        check_text(subject, text)?;
        let c = self.inner.store.customer(customer)?;
        let mut message = self.outgoing(
            &c,
            MessageKind::Personal,
            subject.trim().to_string(),
            text.to_string(),
            by,
        )?;
        if let Some(last_in) = self
            .inner
            .store
            .messages_of(customer)?
            .into_iter()
            .rev()
            .find(|m| m.direction == Direction::In && !m.header_id.is_empty())
        {
            message.refers_to = vec![last_in.header_id];
        }
        let audit =
            AuditDraft::new(by, AuditAction::MessageSent, Some(customer)).with_detail("personal");
        let saved = self.save_new_messages(vec![message], vec![audit])?;
        saved
            .into_iter()
            .next()
            .ok_or_else(|| CoreError::Internal("message not saved".into()))
    }

    /// Asks the customer to confirm newsletter consent by answering a mail (double opt-in).
    pub fn request_consent(&self, customer: CustomerId, by: &str, lang: Lang) -> Result<Message> {
        let c = self.inner.store.customer(customer)?;
        let settings = self.mail_settings();
        let template = settings
            .template(TemplateUse::ConsentRequest, lang)
            .ok_or_else(|| CoreError::not_found("template", "consent_request"))?;
        let values = self.placeholders(&c, lang)?;
        let message = self.outgoing(
            &c,
            MessageKind::ConsentRequest,
            templates::fill(&template.subject, &values),
            templates::fill(&template.body, &values),
            by,
        )?;
        let audit = AuditDraft::new(by, AuditAction::MessageSent, Some(customer))
            .with_detail("consent_request");
        let saved = self.save_new_messages(vec![message], vec![audit])?;
        saved
            .into_iter()
            .next()
            .ok_or_else(|| CoreError::Internal("message not saved".into()))
    }

    /// Saves new messages in one transaction and tells the outbox and the faces.
    fn save_new_messages(
        &self,
        messages: Vec<Message>,
        audit: Vec<AuditDraft>,
    ) -> Result<Vec<Message>> {
        let now = self.now();
        let saved = self.commit(|store| {
            let (saved, _) = store.save_messages(messages, &[], None, now)?;
            let mut written = Written::default().announce(Change::MessagesChanged);
            let mut customers: Vec<CustomerId> = saved.iter().filter_map(|m| m.customer).collect();
            customers.sort();
            customers.dedup();
            for c in customers {
                written = written.announce(Change::CustomerChanged(c));
            }
            for entry in audit {
                written = written.audit(entry);
            }
            Ok((saved, written))
        })?;
        self.wake_mail(false);
        Ok(saved)
    }

    /// Saves changed messages (the outbox's delivery states).
    pub(crate) fn update_messages(&self, messages: Vec<Message>) -> Result<()> {
        let now = self.now();
        self.commit(|store| {
            let (saved, _) = store.save_messages(messages, &[], None, now)?;
            let mut written = Written::default().announce(Change::MessagesChanged);
            for c in saved.iter().filter_map(|m| m.customer) {
                written = written.announce(Change::CustomerChanged(c));
            }
            Ok(((), written))
        })
    }

    pub fn message(&self, id: MessageId) -> Result<Message> {
        self.inner.store.message(id)
    }

    /// A customer's messages, oldest first.
    pub fn messages_of(&self, customer: CustomerId) -> Result<Vec<Message>> {
        self.inner.store.customer(customer)?;
        self.inner.store.messages_of(customer)
    }

    /// Marks the customer's received messages as read (the card's history was opened).
    pub fn mark_read(&self, customer: CustomerId) -> Result<usize> {
        let unread: Vec<Message> = self
            .inner
            .store
            .messages_of(customer)?
            .into_iter()
            .filter(|m| m.unread)
            .map(|mut m| {
                m.unread = false;
                m
            })
            .collect();
        let n = unread.len();
        if n > 0 {
            self.update_messages(unread)?;
        }
        Ok(n)
    }

    /// Marks one message (an unassigned one, say) as read or unread.
    pub fn set_message_read(&self, id: MessageId, read: bool) -> Result<Message> {
        let mut m = self.inner.store.message(id)?;
        if m.direction == Direction::In && m.unread == read {
            m.unread = !read;
            self.update_messages(vec![m.clone()])?;
        }
        Ok(m)
    }

    /// Unread received messages: in all, and per customer (`None`: unassigned).
    pub fn unread_counts(&self) -> Result<crate::store::UnreadCounts> {
        self.inner.store.unread_counts()
    }

    /// Received mails matched to nobody, newest first.
    pub fn unassigned_messages(&self) -> Result<Vec<Message>> {
        self.inner.store.unassigned_messages()
    }

    /// Gives an unassigned mail to a customer (staff decided whose it is).
    pub fn assign_message(&self, id: MessageId, customer: CustomerId, by: &str) -> Result<Message> {
        self.inner.store.customer(customer)?;
        let mut m = self.inner.store.message(id)?;
        m.customer = Some(customer);
        m.by = by.to_string();
        self.update_messages(vec![m.clone()])?;
        Ok(m)
    }

    /// Sends a failed message again.
    pub fn retry_message(&self, id: MessageId) -> Result<Message> {
        let mut m = self.inner.store.message(id)?;
        if !matches!(m.delivery, Delivery::Failed { .. }) {
            return Err(mail_error(MailMsg::NotRetryable));
        }
        m.delivery = Delivery::Queued {
            attempts: 0,
            next_try: self.now(),
            last_error: None,
        };
        self.update_messages(vec![m.clone()])?;
        self.wake_mail(false);
        Ok(m)
    }

    /// Outgoing messages that failed for good, newest first (kiosk warning, settings).
    pub fn failed_messages(&self) -> Result<Vec<Message>> {
        self.inner.store.failed_messages(50)
    }

    // ---- newsletters ----------------------------------------------------------------------

    fn audience_ids(&self, audience: &Audience) -> Vec<CustomerId> {
        match audience {
            Audience::Group { group } => self
                .rows_where(|r| r.groups.contains(group).then_some(()))
                .into_iter()
                .map(|(_, id)| id)
                .collect(),
            Audience::Customers { ids } => {
                let mut ids = ids.clone();
                ids.sort();
                ids.dedup();
                ids
            }
        }
    }

    /// Who a newsletter to `audience` reaches: only customers with marketing consent,
    /// confirmed by double opt-in, an address and an active card; everyone else with the reason.
    pub fn newsletter_preview(&self, audience: &Audience, lang: Lang) -> Result<NewsletterPreview> {
        let ids = self.audience_ids(audience);
        if ids.len() > 100_000 {
            return Err(CoreError::invalid("ids", Msg::TooMany { max: 100_000 }));
        }
        let customers = self.inner.store.customers(&ids)?;
        let mut preview = NewsletterPreview {
            recipients: Vec::new(),
            left_out: Vec::new(),
        };
        for c in customers {
            let reason = if c.deactivated || c.anonymised {
                Some(MailMsg::Inactive)
            } else if c.email.is_none() {
                Some(MailMsg::NoEmail)
            } else if !c.marketing_consent.given {
                Some(MailMsg::NoMarketingConsent)
            } else if !c.marketing_consent.confirmed {
                Some(MailMsg::ConsentNotConfirmed)
            } else {
                None
            };
            match (reason, &c.email) {
                (None, Some(email)) => preview.recipients.push(Recipient {
                    id: c.id,
                    name: c.display_name(),
                    email: email.as_str().to_string(),
                }),
                (reason, _) => {
                    let reason = reason.unwrap_or(MailMsg::NoEmail);
                    preview.left_out.push(LeftOut {
                        id: c.id,
                        name: c.display_name(),
                        reason_text: Msg::Mail(reason.clone()).text(lang),
                        reason,
                    })
                }
            }
        }
        Ok(preview)
    }

    /// Sends a newsletter to the recipients of [`Kartei::newsletter_preview`]: one message
    /// each (placeholders filled), queued together, sent throttled by the outbox.
    pub fn send_newsletter(
        &self,
        audience: &Audience,
        audience_label: &str,
        subject: &str,
        text: &str,
        by: &str,
    ) -> Result<Newsletter> {
        check_text(subject, text)?;
        let settings = self.mail_settings();
        if !settings.is_configured() {
            return Err(mail_error(MailMsg::NotConfigured));
        }
        let preview = self.newsletter_preview(audience, Lang::De)?;
        let mut newsletter = Newsletter {
            id: NewsletterId(0),
            subject: subject.trim().to_string(),
            text: text.to_string(),
            by: by.to_string(),
            at: self.now(),
            audience: audience_label.chars().take(200).collect(),
            recipients: preview.recipients.len() as u32,
            left_out: preview.left_out.len() as u32,
            paused: false,
        };
        self.inner.store.save_newsletter(&mut newsletter)?;
        let ids: Vec<CustomerId> = preview.recipients.iter().map(|r| r.id).collect();
        let customers = self.inner.store.customers(&ids)?;
        let mut messages = Vec::with_capacity(customers.len());
        let mut audit = Vec::with_capacity(customers.len() + 1);
        for c in &customers {
            let values = Placeholders {
                first_name: c.first_name.clone(),
                last_name: c.last_name.clone(),
                next_appointment: String::new(),
                salon: self.salon_name(),
            };
            let mut m = self.outgoing(
                c,
                MessageKind::Newsletter,
                templates::fill(&newsletter.subject, &values),
                templates::fill(&newsletter.text, &values),
                by,
            )?;
            m.newsletter = Some(newsletter.id);
            messages.push(m);
            audit.push(
                AuditDraft::new(by, AuditAction::MessageSent, Some(c.id)).with_detail("newsletter"),
            );
        }
        audit.push(
            AuditDraft::new(by, AuditAction::NewsletterSent, None)
                .with_detail(messages.len().to_string()),
        );
        self.save_new_messages(messages, audit)?;
        Ok(newsletter)
    }

    /// A newsletter's test mail to the salon's own address, with the placeholders filled
    /// with sample values.
    pub fn send_newsletter_test(&self, subject: &str, text: &str, by: &str) -> Result<Message> {
        check_text(subject, text)?;
        let settings = self.mail_settings();
        if !settings.is_configured() {
            return Err(mail_error(MailMsg::NotConfigured));
        }
        let values = Placeholders {
            first_name: "Anna".into(),
            last_name: "Beispiel".into(),
            next_appointment: appointment_text(self.now(), Lang::De),
            salon: self.salon_name(),
        };
        let message = Message::outgoing(
            MessageKind::Test,
            self.now(),
            Addressee {
                address: settings.address.clone(),
                display_name: self.salon_name(),
                by: by.to_string(),
            },
            format!("[Test] {}", templates::fill(subject.trim(), &values)),
            templates::fill(text, &values),
            format!(
                "{}{:016x}@kartei.local",
                crate::mail::TEST_PREFIX,
                rand::random::<u64>()
            ),
        );
        let saved = self.save_new_messages(vec![message], Vec::new())?;
        saved
            .into_iter()
            .next()
            .ok_or_else(|| CoreError::Internal("message not saved".into()))
    }

    pub fn newsletters(&self) -> Result<Vec<Newsletter>> {
        self.inner.store.newsletters()
    }

    /// How far a newsletter has got (the progress bar).
    pub fn newsletter_progress(&self, id: NewsletterId) -> Result<NewsletterProgress> {
        let newsletter = self.inner.store.newsletter(id)?;
        let messages = self.inner.store.newsletter_messages(id)?;
        let mut p = NewsletterProgress {
            total: messages.len() as u32,
            sent: 0,
            failed: 0,
            waiting: 0,
            newsletter,
        };
        for m in &messages {
            match m.delivery {
                Delivery::Sent { .. } => p.sent += 1,
                Delivery::Failed { .. } => p.failed += 1,
                _ => p.waiting += 1,
            }
        }
        Ok(p)
    }

    /// Pauses or resumes a newsletter: its waiting mails leave or re-enter the outbox.
    pub fn pause_newsletter(&self, id: NewsletterId, paused: bool) -> Result<NewsletterProgress> {
        let mut newsletter = self.inner.store.newsletter(id)?;
        newsletter.paused = paused;
        self.inner.store.save_newsletter(&mut newsletter)?;
        let now = self.now();
        let changed: Vec<Message> = self
            .inner
            .store
            .newsletter_messages(id)?
            .into_iter()
            .filter_map(|mut m| {
                match (&m.delivery, paused) {
                    (Delivery::Queued { .. }, true) => m.delivery = Delivery::Paused,
                    (Delivery::Paused, false) => {
                        m.delivery = Delivery::Queued {
                            attempts: 0,
                            next_try: now,
                            last_error: None,
                        }
                    }
                    _ => return None,
                }
                Some(m)
            })
            .collect();
        if !changed.is_empty() {
            self.update_messages(changed)?;
        }
        self.wake_mail(false);
        self.newsletter_progress(id)
    }

    // ---- received mail --------------------------------------------------------------------

    /// Takes in fetched mails: each matched to its customer (or left unassigned), consents
    /// changed where a mail asks, and the inbox position saved, in one transaction. A mail
    /// already here (same `Message-ID`) is skipped, so a restart or a new UIDVALIDITY never
    /// duplicates one.
    pub fn take_in(
        &self,
        mailbox: &str,
        fetched: Vec<Fetched>,
        state: &MailboxState,
    ) -> Result<TakenIn> {
        let mut counts = TakenIn::default();
        let salon = self.mail_settings().address.to_lowercase();
        let mut by_address: Option<HashMap<String, Option<CustomerId>>> = None;
        let mut messages: Vec<Message> = Vec::new();
        let mut consents: Vec<ConsentUpdate> = Vec::new();
        let mut audit: Vec<AuditDraft> = Vec::new();
        let mut seen_here: std::collections::HashSet<String> = Default::default();
        let now = self.now();
        for f in fetched {
            let Some(mail) = crate::mail::parse::parse(&f.raw) else {
                continue;
            };
            let header_id = if mail.header_id.is_empty() {
                use sha2::Digest;
                format!(
                    "sha256-{}",
                    &hex::encode(sha2::Sha256::digest(&f.raw))[..32]
                )
            } else {
                mail.header_id.clone()
            };
            if header_id.starts_with(crate::mail::TEST_PREFIX)
                || !seen_here.insert(header_id.clone())
                || self.inner.store.message_by_header(&header_id)?.is_some()
            {
                counts.duplicates += 1;
                continue;
            }
            let named = matching::named_ids(&mail);
            let found = self.inner.store.messages_by_headers(&named)?;
            let mut known = Vec::with_capacity(found.len());
            for id in found {
                known.push(match id {
                    Some(id) => {
                        let m = self.inner.store.message(id)?;
                        Some(Known {
                            message: id,
                            customer: m.customer,
                            kind: m.kind,
                        })
                    }
                    None => None,
                });
            }
            let decided = matching::decide(&mail, &known, |address| {
                if address.is_empty() || address == salon {
                    return None;
                }
                let map = by_address.get_or_insert_with(|| self.customers_by_address());
                map.get(address).copied().flatten()
            });
            if let (Some(customer), Some(effect)) = (decided.customer, decided.effect) {
                let proof = format!(
                    "Message-ID <{header_id}> von {} am {}",
                    mail.from,
                    mail.date.unwrap_or(now).format("%d.%m.%Y %H:%M UTC")
                );
                let (given, how) = match effect {
                    MessageEffect::ConsentConfirmed => (true, "Double-Opt-in per E-Mail"),
                    MessageEffect::Unsubscribed => (false, "Abmeldung per E-Mail"),
                };
                consents.push(ConsentUpdate {
                    customer,
                    given,
                    confirmed: given,
                    how: how.to_string(),
                    proof,
                });
                audit.push(
                    AuditDraft::new("", AuditAction::ConsentByMail, Some(customer))
                        .with_detail(if given { "confirmed" } else { "unsubscribed" }),
                );
            }
            let text = if f.truncated {
                format!(
                    "{}\n\n[Diese Nachricht ist {} MB groß; sie liegt vollständig im Postfach.]",
                    mail.text,
                    f.size / (1024 * 1024)
                )
            } else {
                mail.text.clone()
            };
            if decided.customer.is_some() {
                counts.matched += 1;
            } else {
                counts.unassigned += 1;
            }
            messages.push(Message {
                id: MessageId(0),
                customer: decided.customer,
                direction: Direction::In,
                kind: MessageKind::Personal,
                at: mail.date.filter(|d| *d <= now).unwrap_or(now),
                by: String::new(),
                address: mail.from.clone(),
                display_name: mail.from_name.clone(),
                subject: mail.subject.clone(),
                text,
                header_id,
                refers_to: mail.refers_to.clone(),
                attachments: mail.attachments.clone(),
                unread: true,
                delivery: Delivery::Received,
                newsletter: None,
                appointment: None,
                in_sent_folder: false,
                effect: decided.effect.filter(|_| decided.customer.is_some()),
            });
        }
        self.commit(|store| {
            let (saved, cards) =
                store.save_messages(messages, &consents, Some((mailbox, state)), now)?;
            let mut written = Written::default().announce(Change::MessagesChanged);
            for (id, seq) in cards {
                written = written.refresh(id, seq);
            }
            let mut customers: Vec<CustomerId> = saved.iter().filter_map(|m| m.customer).collect();
            customers.sort();
            customers.dedup();
            for c in customers {
                written = written.announce(Change::CustomerChanged(c));
            }
            for entry in audit {
                written = written.audit(entry);
            }
            Ok(((), written))
        })?;
        Ok(counts)
    }

    /// Lower-case address → the one active customer with it (`None` when several share it).
    fn customers_by_address(&self) -> HashMap<String, Option<CustomerId>> {
        let mut map: HashMap<String, Option<CustomerId>> = HashMap::new();
        for (email, id) in self.rows_where(|r| {
            if r.deactivated {
                return None;
            }
            r.email.as_ref().map(|e| e.to_lowercase())
        }) {
            map.entry(email)
                .and_modify(|v| *v = None)
                .or_insert(Some(id));
        }
        map
    }

    // ---- the mail thread -----------------------------------------------------------------

    /// Starts the appliance's mail thread (outbox, inbox watcher, schedule); it stops when the
    /// returned worker is dropped. Only the appliance calls this, once.
    pub fn start_mail(&self) -> Result<crate::mail::worker::MailWorker> {
        crate::mail::worker::MailWorker::start(self.clone(), self.inner.mail.clone())
            .map_err(CoreError::Io)
    }

    /// Tells the mail thread that there is something to send (or new settings).
    pub(crate) fn wake_mail(&self, settings_changed: bool) {
        if settings_changed {
            self.inner.mail.settings_changed();
        } else {
            self.inner.mail.wake_outbox();
        }
    }

    /// What the mail thread last saw (errors for the settings and the kiosk's status line).
    pub fn mail_status(&self) -> crate::mail::worker::MailStatus {
        self.inner.mail.status()
    }

    /// The settings' test: a mail to the salon's own address, both directions (blocking, up to
    /// some 20 seconds).
    pub fn test_mail(&self) -> MailTestReport {
        let settings = self.mail_settings();
        crate::mail::worker::test_mail(
            &settings,
            &self.salon_name(),
            std::time::Duration::from_secs(20),
        )
    }

    // ---- the schedule ---------------------------------------------------------------------

    /// Queues the reminders due now (appointments starting within the lead time, reminder
    /// consent, an address) and, from 9 o'clock, today's birthday greetings (confirmed
    /// marketing consent). Each is queued once, however often this runs.
    pub fn queue_scheduled_mail(&self) -> Result<usize> {
        let settings = self.mail_settings();
        if !settings.is_configured() {
            return Ok(0);
        }
        let now = self.now();
        let mut batch = Vec::new();
        if settings.reminder_hours > 0 {
            let until = now + chrono::Duration::hours(settings.reminder_hours as i64);
            for a in self.inner.store.appointments_between(now, until)? {
                if a.status != AppointmentStatus::Booked || self.inner.store.reminder_sent(a.id)? {
                    continue;
                }
                let Ok(c) = self.inner.store.customer(a.customer_id) else {
                    continue;
                };
                if !c.reminder_consent.given || c.email.is_none() || c.deactivated {
                    continue;
                }
                let lang = lock(&self.inner.settings).lang;
                let Some(t) = settings.template(TemplateUse::Reminder, lang) else {
                    continue;
                };
                let mut values = self.placeholders(&c, lang)?;
                values.next_appointment = appointment_text(a.start, lang);
                let mut m = self.outgoing(
                    &c,
                    MessageKind::Reminder,
                    templates::fill(&t.subject, &values),
                    templates::fill(&t.body, &values),
                    "",
                )?;
                m.appointment = Some(a.id);
                batch.push(m);
            }
        }
        let local = now.with_timezone(&Local);
        if settings.birthday_greetings && chrono::Timelike::hour(&local) >= 9 {
            let today = local.date_naive();
            let year = today.year() as u64;
            let born_today = self.rows_where(|r| {
                let b = r.birthday.as_ref()?;
                (b.month() == today.month() && b.day() == today.day() && !r.deactivated)
                    .then_some(())
            });
            let lang = lock(&self.inner.settings).lang;
            for (_, id) in born_today {
                if self.inner.store.greeting_sent(id, year)? {
                    continue;
                }
                let c = self.inner.store.customer(id)?;
                if !c.may_get_marketing_mail() {
                    continue;
                }
                let Some(t) = settings.template(TemplateUse::Birthday, lang) else {
                    continue;
                };
                let values = self.placeholders(&c, lang)?;
                batch.push(self.outgoing(
                    &c,
                    MessageKind::Birthday,
                    templates::fill(&t.subject, &values),
                    templates::fill(&t.body, &values),
                    "",
                )?);
            }
        }
        if batch.is_empty() {
            return Ok(0);
        }
        let saved = self.commit(|store| {
            let saved = store.queue_scheduled(batch)?;
            let mut written = Written::default().announce(Change::MessagesChanged);
            for c in saved.iter().filter_map(|m| m.customer) {
                written = written.announce(Change::CustomerChanged(c));
            }
            Ok((saved.len(), written))
        })?;
        Ok(saved)
    }
}
