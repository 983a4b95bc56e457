//! The customer card as every face shows it: master data with group names and phone display
//! forms, notes (pinned first), warnings, patch tests, appointments past and upcoming, the most
//! booked services, the history timeline.

use crate::i18n::{Lang, Word};
use crate::model::*;
use crate::search::rows::PhoneView;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A customer's master data as shown and sent: groups by name, phones with display form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerView {
    pub id: CustomerId,
    pub version: u64,
    pub salutation: Salutation,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phones: Vec<PhoneView>,
    pub email: Option<String>,
    pub address: Address,
    pub birthday: Option<Birthday>,
    pub preferred_contact: ContactChannel,
    pub groups: Vec<String>,
    pub stylist: String,
    pub reminder_consent: Consent,
    pub marketing_consent: Consent,
    pub consent_log: Vec<ConsentChange>,
    pub source: Source,
    pub customer_since: NaiveDate,
    pub deactivated: bool,
    /// Anonymised after the retention period (the person is gone, the visits stay).
    #[serde(default)]
    pub anonymised: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CustomerView {
    pub fn new(c: &Customer, groups: &[Group]) -> CustomerView {
        CustomerView {
            id: c.id,
            version: c.version,
            salutation: c.salutation,
            title: c.title.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            company: c.company.clone(),
            phones: c.phones.iter().map(PhoneView::from).collect(),
            email: c.email.as_ref().map(|e| e.to_string()),
            address: c.address.clone(),
            birthday: c.birthday,
            preferred_contact: c.preferred_contact,
            groups: group_names(&c.groups, groups),
            stylist: c.stylist.clone(),
            reminder_consent: c.reminder_consent.clone(),
            marketing_consent: c.marketing_consent.clone(),
            consent_log: c.consent_log.clone(),
            source: c.source,
            customer_since: c.customer_since,
            deactivated: c.deactivated,
            anonymised: c.anonymised,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

pub fn group_names(ids: &[GroupId], groups: &[Group]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| groups.iter().find(|g| g.id == *id).map(|g| g.name.clone()))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteView {
    #[serde(flatten)]
    pub note: Note,
    /// Whether it may still be edited (colour formulas: 24 hours).
    pub editable: bool,
    pub deletable: bool,
    /// Why it can no longer be edited, in the card's language (`None` while editable).
    pub locked: Option<String>,
}

impl NoteView {
    pub fn new(note: Note, now: DateTime<Utc>, lang: Lang) -> NoteView {
        let editable = note.editable(now);
        NoteView {
            editable,
            deletable: note.deletable(),
            locked: (!editable).then(|| crate::i18n::Msg::FormulaLocked.text(lang)),
            note,
        }
    }
}

/// The most recent patch test and what it means today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatchTestStatus {
    #[serde(flatten)]
    pub test: PatchTest,
    /// Passed and within the validity months today.
    pub valid: bool,
    /// The last day it counts (passed tests only).
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    Allergy,
    PatchTestMissing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRef {
    pub id: ServiceId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppointmentView {
    pub id: AppointmentId,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub services: Vec<ServiceRef>,
    pub staff: String,
    pub status: AppointmentStatus,
    pub note: String,
}

impl AppointmentView {
    pub fn new(a: &Appointment, customer_name: &str, services: &[Service]) -> AppointmentView {
        AppointmentView {
            id: a.id,
            customer_id: a.customer_id,
            customer_name: customer_name.to_string(),
            start: a.start,
            end: a.end,
            services: a
                .services
                .iter()
                .map(|id| ServiceRef {
                    id: *id,
                    name: services
                        .iter()
                        .find(|s| s.id == *id)
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            staff: a.staff.clone(),
            status: a.status,
            note: a.note.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appointments {
    /// Newest first.
    pub past: Vec<AppointmentView>,
    /// Soonest first.
    pub upcoming: Vec<AppointmentView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceCount {
    pub name: String,
    pub count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    Appointment,
    Note,
    /// A mail the salon sent (or is sending).
    MessageOut,
    /// A mail the customer sent.
    MessageIn,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub kind: HistoryKind,
    pub title: String,
    pub detail: String,
    /// The whole message of a mail entry (text, attachments, delivery, unread).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerCard {
    pub customer: CustomerView,
    pub notes: Vec<NoteView>,
    pub warnings: Vec<Warning>,
    pub patch_tests: Vec<PatchTest>,
    /// The newest patch test by date (the later recorded one on the same day), with its validity.
    pub latest_patch_test: Option<PatchTestStatus>,
    pub appointments: Appointments,
    pub top_services: Vec<ServiceCount>,
    pub history: Vec<HistoryEntry>,
    pub visit_count: usize,
    pub last_visit: Option<NaiveDate>,
    /// How many photos the card has (the gallery loads them separately).
    pub photo_count: usize,
    /// Received messages in the history nobody has opened yet.
    pub unread_messages: usize,
}

pub struct CardInput<'a> {
    pub customer: &'a Customer,
    pub notes: Vec<Note>,
    pub patch_tests: Vec<PatchTest>,
    pub appointments: Vec<Appointment>,
    pub services: &'a [Service],
    pub groups: &'a [Group],
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub patch_test_validity_months: u32,
    pub photo_count: usize,
    pub messages: Vec<Message>,
    pub lang: Lang,
}

impl CustomerCard {
    pub fn build(input: CardInput) -> CustomerCard {
        let CardInput {
            customer,
            mut notes,
            patch_tests,
            appointments,
            services,
            groups,
            now,
            today,
            lang,
            messages,
            ..
        } = input;
        let name = customer.display_name();
        notes.sort_by(|a, b| {
            b.pinned
                .cmp(&a.pinned)
                .then(b.created_at.cmp(&a.created_at))
        });

        let mut warnings = Vec::new();
        let allergies: Vec<&str> = notes
            .iter()
            .filter(|n| n.kind == NoteKind::Allergy)
            .map(|n| n.text.as_str())
            .collect();
        if !allergies.is_empty() {
            let label = Word::Allergy.text(lang);
            warnings.push(Warning {
                kind: WarningKind::Allergy,
                message: format!("{label}: {}", allergies.join("; ")),
            });
        }
        let needs_patch_test = notes.iter().any(|n| n.kind == NoteKind::ColourFormula)
            || !patch_tests.is_empty()
            || appointments.iter().any(|a| {
                a.start > now
                    && a.status == AppointmentStatus::Booked
                    && a.services.iter().any(|id| {
                        services
                            .iter()
                            .any(|s| s.id == *id && s.requires_patch_test)
                    })
            });
        let has_valid = patch_tests
            .iter()
            .any(|t| t.is_valid_on(today, input.patch_test_validity_months));
        if needs_patch_test && !has_valid {
            let message = Word::WarnNoPatchTest.text(lang);
            warnings.push(Warning {
                kind: WarningKind::PatchTestMissing,
                message: message.into(),
            });
        }

        let months = input.patch_test_validity_months;
        let latest_patch_test = patch_tests
            .iter()
            .max_by_key(|t| (t.date, t.id.0))
            .map(|t| PatchTestStatus {
                valid: t.is_valid_on(today, months),
                valid_until: (t.result == PatchResult::Passed)
                    .then(|| t.date.checked_add_months(chrono::Months::new(months)))
                    .flatten(),
                test: t.clone(),
            });

        let (mut past, mut upcoming): (Vec<&Appointment>, Vec<&Appointment>) =
            appointments.iter().partition(|a| a.start <= now);
        past.sort_by_key(|a| std::cmp::Reverse(a.start));
        upcoming.sort_by_key(|a| a.start);
        let visits: Vec<&&Appointment> = past.iter().filter(|a| a.status.is_visit()).collect();
        let visit_count = visits.len();
        let last_visit = visits
            .first()
            .map(|a| crate::search::text::local_day(a.start.timestamp()))
            .and_then(|d| d);

        let mut counts: Vec<(ServiceId, usize)> = Vec::new();
        for a in &visits {
            for s in &a.services {
                match counts.iter_mut().find(|(id, _)| id == s) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((*s, 1)),
                }
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let top_services = counts
            .iter()
            .take(3)
            .filter_map(|(id, count)| {
                services.iter().find(|s| s.id == *id).map(|s| ServiceCount {
                    name: s.name.clone(),
                    count: *count,
                })
            })
            .collect();

        let view = |a: &Appointment| AppointmentView::new(a, &name, services);
        let mut history: Vec<HistoryEntry> = appointments
            .iter()
            .map(|a| {
                let v = view(a);
                HistoryEntry {
                    at: a.start,
                    kind: HistoryKind::Appointment,
                    title: v
                        .services
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    detail: a.status.label(lang).to_string(),
                    message: None,
                }
            })
            .collect();
        let unread_messages = messages.iter().filter(|m| m.unread).count();
        history.extend(messages.into_iter().map(|m| {
            HistoryEntry {
                at: m.at,
                kind: match m.direction {
                    Direction::Out => HistoryKind::MessageOut,
                    Direction::In => HistoryKind::MessageIn,
                },
                title: m.subject.clone(),
                detail: crate::mail::delivery_word(&m.delivery)
                    .text(lang)
                    .to_string(),
                message: Some(m),
            }
        }));
        history.sort_by_key(|h| std::cmp::Reverse(h.at));

        CustomerCard {
            customer: CustomerView::new(customer, groups),
            notes: notes
                .into_iter()
                .map(|n| NoteView::new(n, now, lang))
                .collect(),
            warnings,
            patch_tests,
            latest_patch_test,
            appointments: Appointments {
                past: past.into_iter().map(view).collect(),
                upcoming: upcoming.into_iter().map(view).collect(),
            },
            top_services,
            history,
            visit_count,
            last_visit,
            photo_count: input.photo_count,
            unread_messages,
        }
    }
}
