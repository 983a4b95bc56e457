//! `CardAdapter`: the customer card. Loads `Kartei::card` off the UI thread and shows master
//! data, the allergy banner, notes, appointments, the most booked services and the history;
//! saves new notes and appointments for this customer and then asks the shell to show the
//! changes (the card and the list follow from the core's change event). The gallery on the same
//! adapter is [`photos`](super::photos)'s.

use super::format::{attachments, date, initials, local_date, local_time};
use super::shell::{self, Screen, Wire};
use super::ui::{
    AppointmentRow, CardAdapter, CardData, Detail, HistoryRow, KeyboardAdapter, MainWindow,
    NoteRow, ServiceTile,
};
use super::Ctx;
use chrono::{Datelike, Local, NaiveDate, NaiveTime, TimeZone, Utc};
use kartei_core::audit::{AuditAction, AuditEntry};
use kartei_core::card::{AppointmentView, CustomerCard, HistoryKind, WarningKind};
use kartei_core::i18n::Msg;
use kartei_core::i18n::Word;
use kartei_core::mail::TemplateUse;
use kartei_core::model::{
    AppointmentDraft, AppointmentStatus, ConsentKind, ContactChannel, CustomerId, Delivery,
    Direction, Message, MessageEffect, MessageId, MessageKind, NoteDraft, NoteKind, Role,
    Salutation, ServiceId,
};
use kartei_core::{CoreError, Lang};
use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

/// The history tab (`CardAdapter.tab`).
pub const HISTORY_TAB: i32 = 3;

thread_local! {
    /// Messages that were unread when the history was opened during this visit of the card:
    /// they are marked read at once, but keep their mark on screen until the card is left.
    static SEEN_UNREAD: RefCell<HashSet<MessageId>> = RefCell::new(HashSet::new());
    /// The template keys behind the message dialog's chips.
    static TEMPLATE_KEYS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<CardAdapter>();
    let wire = Wire::new(ui, ctx);
    adapter.on_edit(wire.call(|ui, c| {
        if let Some(id) = c.open_card() {
            shell::go(ui, c, Screen::Edit(id));
        }
    }));
    adapter.on_new_note(wire.call(|ui, c| {
        let adapter = ui.global::<CardAdapter>();
        let kinds: Vec<SharedString> = NoteKind::ALL
            .iter()
            .map(|k| k.label(c.lang()).into())
            .collect();
        adapter.set_note_kinds(ModelRc::new(VecModel::from(kinds)));
        adapter.set_note_kind(0);
        adapter.set_note_text("".into());
        adapter.set_dialog_error("".into());
        adapter.set_dialog(1);
    }));
    adapter.on_save_note(wire.call(save_note));
    adapter.on_new_appointment(wire.call(|ui, c| {
        let adapter = ui.global::<CardAdapter>();
        let services = c.kartei.services().unwrap_or_default();
        let names: Vec<SharedString> = services.iter().map(|s| s.name.as_str().into()).collect();
        adapter.set_services(ModelRc::new(VecModel::from(names)));
        adapter.set_appointment_services(ModelRc::new(VecModel::from(vec![false; services.len()])));
        adapter.set_appointment_date(date(c.kartei.today()).into());
        adapter.set_appointment_time("".into());
        adapter.set_dialog_error("".into());
        adapter.set_dialog(2);
    }));
    adapter.on_toggle_service(wire.call_with(|ui, _, i: i32| {
        let chosen = ui.global::<CardAdapter>().get_appointment_services();
        if let Ok(i) = usize::try_from(i) {
            if let Some(on) = chosen.row_data(i) {
                chosen.set_row_data(i, !on);
            }
        }
    }));
    adapter.on_save_appointment(wire.call(save_appointment));
    adapter.on_anonymise(wire.call(anonymise));
    adapter.on_write_message(wire.call(write_message));
    adapter.on_pick_template(wire.call_with(pick_template));
    adapter.on_send_message(wire.call(send_message));
    adapter.on_retry_message(wire.call_with(retry_message));
    adapter.on_request_consent(wire.call(request_consent));
    adapter.on_open_history(wire.call(open_history));
}

/// Prepares the card of `id` for [`Screen::Card`] (and remembers it among the recently opened):
/// the overview tab, no dialog, the card loading.
pub fn open(ui: &MainWindow, ctx: &Arc<Ctx>, id: CustomerId) {
    ctx.remember(id);
    ctx.set_open_card(Some(id));
    let adapter = ui.global::<CardAdapter>();
    adapter.set_tab(0);
    adapter.set_dialog(0);
    adapter.set_confirm_delete(-1);
    adapter.set_photo_filter(0);
    SEEN_UNREAD.with(|s| s.borrow_mut().clear());
    load(ui, ctx, id, Some(ctx.user()));
}

/// Loads the card again when a change to it is shown (not a new view for the audit log).
pub fn reload(ui: &MainWindow, ctx: &Arc<Ctx>, id: CustomerId) {
    load(ui, ctx, id, None);
}

/// Loads the card; `viewer` opens it (the view goes into the audit log).
fn load(ui: &MainWindow, ctx: &Arc<Ctx>, id: CustomerId, viewer: Option<String>) {
    let kartei = ctx.kartei.clone();
    let lang = ctx.lang();
    let role = ctx.role();
    let c = ctx.clone();
    ctx.worker.run(
        ui,
        move || {
            let card = match &viewer {
                Some(viewer) => kartei.open_card(id, lang, viewer)?,
                None => kartei.card(id, lang)?,
            };
            // Owners see who viewed and changed the card; for staff the log stays closed.
            let audit = match role {
                Role::Owner => Some(kartei.audit_of(id, role)?),
                Role::Staff => None,
            };
            Ok((card, audit))
        },
        move |ui, result| {
            if c.open_card() != Some(id) {
                return;
            }
            match result {
                Ok((card, audit)) => {
                    let adapter = ui.global::<CardAdapter>();
                    let seen = SEEN_UNREAD.with(|s| s.borrow().clone());
                    adapter.set_card(card_data_with(&card, lang, &seen));
                    // Opened while the history is on screen: what came in counts as read.
                    if adapter.get_tab() == HISTORY_TAB && card.unread_messages > 0 {
                        open_history(ui, &c);
                    }
                    adapter.set_show_audit(audit.is_some());
                    // Owners may anonymise (retention); the question names the customer.
                    adapter.set_can_anonymise(audit.is_some() && !card.customer.anonymised);
                    adapter.set_anonymise_question(
                        Word::RetentionConfirm
                            .fill(lang, &[("name", &card_name(&card))])
                            .into(),
                    );
                    adapter.set_audit(model(
                        audit
                            .unwrap_or_default()
                            .iter()
                            .map(|e| audit_row(e, lang))
                            .collect(),
                    ));
                }
                Err(CoreError::NotFound { .. }) => {
                    // Deleted meanwhile (for example on a phone).
                    c.forget(id);
                    shell::show_message(ui, &Msg::NotFound.text(lang));
                    shell::go(ui, &c, Screen::List);
                }
                Err(err) => shell::show_error(ui, &err.user_message(lang)),
            }
        },
    );
}

/// One audit entry as a row of the Verlauf tab (health-data views in red).
fn audit_row(e: &AuditEntry, lang: Lang) -> HistoryRow {
    let detail = match e.detail.is_empty() {
        true => e.by.clone(),
        false => format!("{} · {}", e.by, e.detail),
    };
    HistoryRow {
        date: format!("{} {}", local_date(e.at), local_time(e.at)).into(),
        title: e.action.label(lang).into(),
        detail: detail.into(),
        appointment: e.action == AuditAction::ViewedHealth,
        ..Default::default()
    }
}

fn salutation(s: Salutation, lang: Lang) -> String {
    match s {
        Salutation::None => String::new(),
        Salutation::Frau => Word::SalutationFrau.text(lang).to_string(),
        Salutation::Herr => Word::SalutationHerr.text(lang).to_string(),
        Salutation::Divers => Word::SalutationDivers.text(lang).to_string(),
    }
}

fn channel(c: ContactChannel, lang: Lang) -> String {
    match c {
        ContactChannel::Phone => Word::ChannelPhone.text(lang).to_string(),
        ContactChannel::Sms => "SMS".into(),
        ContactChannel::Email => Word::Email.text(lang).to_string(),
        ContactChannel::None => Word::ChannelNone.text(lang).to_string(),
    }
}

fn appointment_row(a: &AppointmentView, lang: Lang) -> AppointmentRow {
    AppointmentRow {
        date: local_date(a.start).into(),
        time: format!("{} – {}", local_time(a.start), local_time(a.end)).into(),
        services: a
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
            .into(),
        staff: a.staff.as_str().into(),
        status: a.status.label(lang).into(),
    }
}

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items))
}

/// The card as the UI shows it.
pub fn card_data(card: &CustomerCard, lang: Lang) -> CardData {
    card_data_with(card, lang, &HashSet::new())
}

/// One message of the history: subject, who and its delivery, the text as plain text, the
/// attachments, the unread mark (kept for `seen` during this visit) and a failure's reason.
fn message_row(m: &Message, lang: Lang, seen: &HashSet<MessageId>) -> HistoryRow {
    let kind = match m.kind {
        MessageKind::Personal => None,
        MessageKind::Newsletter => Some(Word::MsgKindNewsletter),
        MessageKind::Reminder => Some(Word::MsgKindReminder),
        MessageKind::Birthday => Some(Word::MsgKindBirthday),
        MessageKind::ConsentRequest => Some(Word::MsgKindConsentRequest),
        MessageKind::Test => Some(Word::MsgKindTest),
    };
    let mut detail: Vec<String> = Vec::new();
    if let Some(kind) = kind {
        detail.push(kind.text(lang).to_string());
    }
    match m.direction {
        Direction::In => detail.push(format!(
            "{} {}",
            Word::MessageFrom.text(lang),
            match m.display_name.trim() {
                "" => m.address.clone(),
                name => format!("{name} <{}>", m.address),
            }
        )),
        Direction::Out => {
            detail.push(format!("{} {}", Word::MessageTo.text(lang), m.address));
            if !m.by.is_empty() {
                detail.push(m.by.clone());
            }
        }
    }
    detail.push(format!(
        "{} {}",
        local_time(m.at),
        kartei_core::mail::delivery_word(&m.delivery).text(lang)
    ));
    match m.effect {
        Some(MessageEffect::ConsentConfirmed) => {
            detail.push(Word::MessageConfirmedConsent.text(lang).to_string())
        }
        Some(MessageEffect::Unsubscribed) => {
            detail.push(Word::MessageUnsubscribed.text(lang).to_string())
        }
        None => {}
    }
    let (failed, error) = match &m.delivery {
        Delivery::Failed { error, .. } => (true, error.clone()),
        Delivery::Queued {
            last_error: Some(error),
            ..
        } => (false, error.clone()),
        _ => (false, String::new()),
    };
    HistoryRow {
        date: local_date(m.at).into(),
        title: m.subject.as_str().into(),
        detail: detail.join(" · ").into(),
        appointment: false,
        kind: if m.direction == Direction::In { 3 } else { 2 },
        message_id: i32::try_from(m.id.0).unwrap_or(i32::MAX),
        text: m.text.trim_end().into(),
        attachments: attachments(&m.attachments).into(),
        unread: m.unread || seen.contains(&m.id),
        failed,
        error: error.into(),
    }
}

/// The newsletter consent as the card says it, and whether a confirmation may be asked for.
fn consent_state(card: &CustomerCard, lang: Lang) -> (String, bool) {
    let c = &card.customer;
    let consent = &c.marketing_consent;
    if !consent.given {
        return (Word::No.text(lang).to_string(), false);
    }
    if consent.confirmed {
        return (Word::ConsentConfirmed.text(lang).to_string(), false);
    }
    (
        Word::ConsentUnconfirmed.text(lang).to_string(),
        c.email.is_some() && !c.deactivated && !c.anonymised,
    )
}

/// [`card_data`] with the unread marks kept for the messages in `seen`.
pub fn card_data_with(card: &CustomerCard, lang: Lang, seen: &HashSet<MessageId>) -> CardData {
    let c = &card.customer;
    let mut details = Vec::new();
    let mut add = |label: String, value: String| {
        if !value.trim().is_empty() {
            details.push(Detail {
                label: label.into(),
                value: value.into(),
            });
        }
    };
    add(Word::Salutation.text(lang).to_string(), {
        let s = salutation(c.salutation, lang);
        format!("{s} {}", c.title).trim().to_string()
    });
    for phone in &c.phones {
        add(Word::Phone.text(lang).to_string(), phone.display.clone());
    }
    add(
        Word::Email.text(lang).to_string(),
        c.email.clone().unwrap_or_default(),
    );
    let a = &c.address;
    add(
        Word::FieldAddress.text(lang).to_string(),
        [a.street.as_str(), &format!("{} {}", a.postal_code, a.city)]
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
    );
    add(
        Word::FieldBirthday.text(lang).to_string(),
        c.birthday.map(|b| b.display()).unwrap_or_default(),
    );
    add(Word::FieldCompany.text(lang).to_string(), c.company.clone());
    add(
        Word::PreferredContact.text(lang).to_string(),
        channel(c.preferred_contact, lang),
    );
    add(Word::Stylist.text(lang).to_string(), c.stylist.clone());
    // The newsletter consent has its own line (`consent`: given and confirmed or not).
    add(
        Word::ColCustomerSince.text(lang).to_string(),
        date(c.customer_since),
    );
    if card.photo_count > 0 {
        add(
            Word::Photos.text(lang).to_string(),
            card.photo_count.to_string(),
        );
    }

    let warning = |kind: WarningKind| {
        card.warnings
            .iter()
            .find(|w| w.kind == kind)
            .map(|w| w.message.clone())
            .unwrap_or_default()
    };
    let notes: Vec<NoteRow> = card
        .notes
        .iter()
        .map(|n| NoteRow {
            kind: n.note.kind.label(lang).into(),
            text: n.note.text.as_str().into(),
            meta: format!("{} · {}", local_date(n.note.created_at), n.note.author).into(),
            allergy: n.note.kind == NoteKind::Allergy,
        })
        .collect();
    let (consent, can_request_consent) = consent_state(card, lang);
    let next = card
        .appointments
        .upcoming
        .iter()
        .find(|a| a.status == AppointmentStatus::Booked)
        .map(|a| {
            let row = appointment_row(a, lang);
            format!("{}, {} – {}", row.date, local_time(a.start), row.services)
        })
        .unwrap_or_default();
    CardData {
        photo_count: i32::try_from(card.photo_count).unwrap_or(i32::MAX),
        id: i32::try_from(c.id.0).unwrap_or(i32::MAX),
        name: kartei_core::model::display_name(&c.first_name, &c.last_name, &c.company).into(),
        initials: initials(&c.first_name, &c.last_name, &c.company).into(),
        groups: c.groups.join(" · ").into(),
        allergy: warning(WarningKind::Allergy).into(),
        patch_test: warning(WarningKind::PatchTestMissing).into(),
        details: model(details),
        visits: i32::try_from(card.visit_count).unwrap_or(i32::MAX),
        last_visit: card.last_visit.map(date).unwrap_or_default().into(),
        next_appointment: next.into(),
        notes: model(notes),
        upcoming: model(
            card.appointments
                .upcoming
                .iter()
                .map(|a| appointment_row(a, lang))
                .collect(),
        ),
        past: model(
            card.appointments
                .past
                .iter()
                .map(|a| appointment_row(a, lang))
                .collect(),
        ),
        top_services: model(
            card.top_services
                .iter()
                .map(|s| ServiceTile {
                    name: s.name.as_str().into(),
                    count: i32::try_from(s.count).unwrap_or(i32::MAX),
                })
                .collect(),
        ),
        history: model(
            card.history
                .iter()
                .map(|h| match &h.message {
                    Some(m) => message_row(m, lang, seen),
                    None => HistoryRow {
                        date: local_date(h.at).into(),
                        title: h.title.as_str().into(),
                        detail: h.detail.as_str().into(),
                        appointment: h.kind == HistoryKind::Appointment,
                        kind: if h.kind == HistoryKind::Appointment {
                            0
                        } else {
                            1
                        },
                        ..Default::default()
                    },
                })
                .collect(),
        ),
        unread: i32::try_from(card.unread_messages).unwrap_or(i32::MAX),
        consent: consent.into(),
        can_request_consent,
        consent_log: model(
            card.customer
                .consent_log
                .iter()
                .rev()
                .map(|e| {
                    let what = match e.kind {
                        ConsentKind::Reminders => Word::ColReminders,
                        ConsentKind::Marketing => Word::ColNewsletter,
                    };
                    let state = match (e.given, e.confirmed) {
                        (true, true) => Word::ConsentConfirmed.text(lang),
                        (true, false) => Word::ConsentGiven.text(lang),
                        (false, _) => Word::No.text(lang),
                    };
                    let mut title = format!("{}: {state}", what.text(lang));
                    if !e.how.is_empty() {
                        title.push_str(&format!(" ({})", e.how));
                    }
                    let detail = [e.by.as_str(), e.proof.as_str()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(" · ");
                    HistoryRow {
                        date: format!("{} {}", local_date(e.at), local_time(e.at)).into(),
                        title: title.into(),
                        detail: detail.into(),
                        ..Default::default()
                    }
                })
                .collect(),
        ),
    }
}

fn save_note(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let Some(id) = ctx.open_card() else { return };
    let adapter = ui.global::<CardAdapter>();
    let kind = usize::try_from(adapter.get_note_kind())
        .ok()
        .and_then(|i| NoteKind::ALL.get(i).copied())
        .unwrap_or_default();
    let draft = NoteDraft {
        kind,
        text: adapter.get_note_text().to_string(),
        pinned: false,
        formula: None,
    };
    let (kartei, author, lang, c) = (ctx.kartei.clone(), ctx.user(), ctx.lang(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.add_note(id, &draft, &author),
        move |ui, result| after_save(ui, &c, result.map(|_| ()), lang),
    );
}

/// The name the anonymise question shows.
fn card_name(card: &CustomerCard) -> String {
    let c = &card.customer;
    let name = format!("{} {}", c.first_name, c.last_name);
    match name.trim() {
        "" => c.company.clone(),
        name => name.to_string(),
    }
}

/// Anonymises the open card after the question (owners; the core checks the role too).
fn anonymise(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let Some(id) = ctx.open_card() else { return };
    let (kartei, role, by, lang, c) = (
        ctx.kartei.clone(),
        ctx.role(),
        ctx.user(),
        ctx.lang(),
        ctx.clone(),
    );
    ctx.worker.run(
        ui,
        move || kartei.anonymise_customer(id, role, &by),
        move |ui, result| after_save(ui, &c, result.map(|_| ()), lang),
    );
}

/// Closes the dialog and shows the saved note or appointment: the core announced the change,
/// so [`shell::show_changes`] brings the card and the list up to date.
fn after_save(ui: &MainWindow, ctx: &Arc<Ctx>, result: Result<(), CoreError>, lang: Lang) {
    let adapter = ui.global::<CardAdapter>();
    match result {
        Ok(()) => {
            adapter.set_dialog(0);
            ui.global::<KeyboardAdapter>().set_visible(false);
            shell::show_message(ui, Word::Saved.text(lang));
            shell::show_changes(ui, ctx);
        }
        Err(err) => adapter.set_dialog_error(err.user_message(lang).into()),
    }
}

/// Opens the message dialog: the templates for messages (the kiosk's language first), empty
/// subject and text.
fn write_message(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let lang = ctx.lang();
    let adapter = ui.global::<CardAdapter>();
    let mut templates: Vec<_> = ctx
        .kartei
        .mail_settings()
        .templates
        .into_iter()
        .filter(|t| t.use_for == TemplateUse::Message)
        .collect();
    templates.sort_by_key(|t| t.lang != lang);
    let names: Vec<SharedString> = templates.iter().map(|t| t.name.as_str().into()).collect();
    TEMPLATE_KEYS.with(|k| *k.borrow_mut() = templates.into_iter().map(|t| t.key).collect());
    adapter.set_templates(ModelRc::new(VecModel::from(names)));
    adapter.set_template(-1);
    adapter.set_message_subject("".into());
    adapter.set_message_text("".into());
    adapter.set_subject_error("".into());
    adapter.set_text_error("".into());
    adapter.set_dialog_error("".into());
    adapter.set_dialog(4);
}

/// Fills subject and text from a template, with the customer's placeholders.
fn pick_template(ui: &MainWindow, ctx: &Arc<Ctx>, i: i32) {
    let Some(id) = ctx.open_card() else { return };
    let Some(key) = usize::try_from(i)
        .ok()
        .and_then(|i| TEMPLATE_KEYS.with(|k| k.borrow().get(i).cloned()))
    else {
        return;
    };
    let adapter = ui.global::<CardAdapter>();
    match ctx.kartei.compose(id, &key) {
        Ok((subject, text)) => {
            adapter.set_template(i);
            adapter.set_message_subject(subject.into());
            adapter.set_message_text(text.into());
        }
        Err(err) => adapter.set_dialog_error(err.user_message(ctx.lang()).into()),
    }
}

/// Stores the message (the outbox sends it); errors by field in the dialog.
fn send_message(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let Some(id) = ctx.open_card() else { return };
    let adapter = ui.global::<CardAdapter>();
    let subject = adapter.get_message_subject().to_string();
    let text = adapter.get_message_text().to_string();
    let (kartei, by, lang, c) = (ctx.kartei.clone(), ctx.user(), ctx.lang(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.send_message(id, &subject, &text, &by),
        move |ui, result| {
            let adapter = ui.global::<CardAdapter>();
            adapter.set_subject_error("".into());
            adapter.set_text_error("".into());
            match result {
                Ok(_) => {
                    adapter.set_dialog(0);
                    adapter.set_tab(HISTORY_TAB);
                    ui.global::<KeyboardAdapter>().set_visible(false);
                    shell::show_message(ui, Word::MessageQueued.text(lang));
                    shell::show_changes(ui, &c);
                }
                Err(CoreError::Invalid(errors)) => {
                    adapter.set_subject_error(errors.text("subject", lang).into());
                    adapter.set_text_error(errors.text("text", lang).into());
                }
                Err(err) => adapter.set_dialog_error(err.user_message(lang).into()),
            }
        },
    );
}

fn retry_message(ui: &MainWindow, ctx: &Arc<Ctx>, id: i32) {
    let Ok(id) = u64::try_from(id).map(MessageId) else {
        return;
    };
    let (kartei, lang, c) = (ctx.kartei.clone(), ctx.lang(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.retry_message(id),
        move |ui, result| match result {
            Ok(_) => {
                shell::show_message(ui, Word::MessageQueued.text(lang));
                shell::show_changes(ui, &c);
            }
            Err(err) => shell::show_error(ui, &err.user_message(lang)),
        },
    );
}

/// Sends the double opt-in mail; the consent counts once the customer's answer is in.
fn request_consent(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let Some(id) = ctx.open_card() else { return };
    let (kartei, by, lang, c) = (ctx.kartei.clone(), ctx.user(), ctx.lang(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.request_consent(id, &by, lang),
        move |ui, result| match result {
            Ok(_) => {
                shell::show_message(ui, Word::ConsentRequested.text(lang));
                shell::show_changes(ui, &c);
            }
            Err(err) => shell::show_error(ui, &err.user_message(lang)),
        },
    );
}

/// The history is on screen: its unread messages are marked read (they keep their mark until
/// the card is left), and the badges follow from the change event.
fn open_history(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let Some(id) = ctx.open_card() else { return };
    let history = ui.global::<CardAdapter>().get_card().history;
    let unread: Vec<MessageId> = (0..history.row_count())
        .filter_map(|i| history.row_data(i))
        .filter(|h| h.unread && h.kind == 3)
        .filter_map(|h| u64::try_from(h.message_id).ok().map(MessageId))
        .collect();
    if ui.global::<CardAdapter>().get_card().unread == 0 {
        return;
    }
    SEEN_UNREAD.with(|s| s.borrow_mut().extend(unread));
    let (kartei, lang, c) = (ctx.kartei.clone(), ctx.lang(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.mark_read(id),
        move |ui, result| match result {
            Ok(_) => shell::show_changes(ui, &c),
            Err(err) => shell::show_error(ui, &err.user_message(lang)),
        },
    );
}

/// `14.30`, `14:30`, `1430` or `14`.
pub fn parse_time(input: &str) -> Option<NaiveTime> {
    let s: String = input.trim().replace([':', '.'], "");
    let (h, m) = match s.len() {
        1 | 2 => (s.parse().ok()?, 0),
        3 | 4 => {
            let (h, m) = s.split_at(s.len() - 2);
            (h.parse().ok()?, m.parse().ok()?)
        }
        _ => return None,
    };
    NaiveTime::from_hms_opt(h, m, 0)
}

pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    NaiveDate::parse_from_str(s, "%d.%m.%Y")
        .ok()
        .filter(|d| d.year_ce().1 >= 2000)
}

fn save_appointment(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let Some(id) = ctx.open_card() else { return };
    let adapter = ui.global::<CardAdapter>();
    let lang = ctx.lang();
    let Some(day) = parse_date(&adapter.get_appointment_date()) else {
        adapter.set_dialog_error(Msg::BadDate.text(lang).into());
        return;
    };
    let Some(time) = parse_time(&adapter.get_appointment_time()) else {
        adapter.set_dialog_error(Msg::BadTime.text(lang).into());
        return;
    };
    let Some(start) = Local
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
    else {
        adapter.set_dialog_error(Msg::BadTime.text(lang).into());
        return;
    };
    let services = ctx.kartei.services().unwrap_or_default();
    let chosen = adapter.get_appointment_services();
    let service_ids: Vec<ServiceId> = services
        .iter()
        .enumerate()
        .filter(|(i, _)| chosen.row_data(*i).unwrap_or(false))
        .map(|(_, s)| s.id)
        .collect();
    let draft = AppointmentDraft {
        customer_id: id,
        start,
        end: None,
        service_ids,
        staff: ctx.user(),
        status: AppointmentStatus::Booked,
        note: String::new(),
    };
    let (kartei, c) = (ctx.kartei.clone(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.create_appointment(&draft),
        move |ui, result| {
            after_save(ui, &c, result.map(|_| ()), lang);
            if ui.global::<CardAdapter>().get_dialog() == 0 {
                ui.global::<CardAdapter>().set_tab(2);
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_dates_as_typed_at_the_counter() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(parse_time("14.30"), t(14, 30));
        assert_eq!(parse_time("14:30"), t(14, 30));
        assert_eq!(parse_time("930"), t(9, 30));
        assert_eq!(parse_time("9"), t(9, 0));
        assert_eq!(parse_time("25.00"), None);
        assert_eq!(parse_time("abc"), None);
        assert_eq!(
            parse_date("24.11.2026"),
            NaiveDate::from_ymd_opt(2026, 11, 24)
        );
        assert_eq!(parse_date("31.02.2026"), None);
        assert_eq!(parse_date("24.11."), None);
    }
}
