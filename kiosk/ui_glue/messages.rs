//! `MessagesAdapter`: mail at the counter. The top bar's unread badge, the warning when
//! messages could not be sent or the mail thread reports an error (also on the start screen),
//! and the "Nachrichten" screen: customers with unread replies, and the mails matched to
//! nobody ("Nicht zugeordnet"), which staff open and give to a customer found with the search.
//! [`refresh`] runs when the core announces `MessagesChanged` (and after the kiosk's own
//! changes, through the shell).

use super::format::{self, attachments, count, customer_row, initials, list_name, local_date};
use super::shell::{self, Screen, Wire};
use super::ui::{CustomerRow, MailRow, MainWindow, MessagesAdapter};
use super::{customer_id, Ctx};
use kartei_core::i18n::{Msg, Word};
use kartei_core::model::{Message, MessageId, Role};
use kartei_core::search::SearchRequest;
use kartei_core::Lang;
use slint::{ComponentHandle, Model, ModelRc, VecModel};
use std::sync::Arc;

/// How many customers the assign search offers.
const HITS: usize = 5;

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<MessagesAdapter>();
    let wire = Wire::new(ui, ctx);
    adapter.on_open_mail(wire.call_with(open_mail));
    adapter.on_search_customer(
        wire.call_with(|ui, c, q: slint::SharedString| search_customer(ui, c, &q)),
    );
    adapter.on_assign(wire.call_with(assign));
    adapter.on_mark_unread(wire.call(mark_unread));
    adapter.on_open_card(wire.call_with(|ui, c, id: i32| {
        if let Some(id) = customer_id(id) {
            shell::go(ui, c, Screen::Card(id));
        }
    }));
    adapter.on_open_settings(wire.call(|ui, c| shell::go(ui, c, Screen::MailSettings)));
    adapter.on_open_newsletter(wire.call(|ui, c| shell::go(ui, c, Screen::Newsletter)));
}

/// Prepares the "Nachrichten" screen: nothing opened, everything read anew.
pub fn enter(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<MessagesAdapter>();
    adapter.set_selected(-1);
    adapter.set_assign_query("".into());
    adapter.set_assign_hits(ModelRc::new(VecModel::from(Vec::<CustomerRow>::new())));
    refresh(ui, ctx);
}

/// What the screen, the badge and the warnings show, loaded off the UI thread.
struct Loaded {
    unread: u64,
    per_customer: Vec<CustomerRow>,
    unassigned: Vec<Message>,
    failed: usize,
}

/// Reads the unread counts, the unassigned mails and the failed sends again; the mail
/// status comes from memory.
pub fn refresh(ui: &MainWindow, ctx: &Arc<Ctx>) {
    show_status(ui, ctx);
    let kartei = ctx.kartei.clone();
    let lang = ctx.lang();
    let c = ctx.clone();
    ctx.worker.run(
        ui,
        move || {
            let (unread, per) = kartei.unread_counts()?;
            let mut per_customer = Vec::new();
            for (id, n) in per {
                let Some(id) = id else { continue };
                let Ok(customer) = kartei.customer(id) else {
                    continue;
                };
                per_customer.push(CustomerRow {
                    id: i32::try_from(id.0).unwrap_or(i32::MAX),
                    name: list_name(&customer.first_name, &customer.last_name, &customer.company)
                        .into(),
                    detail: Word::UnreadCount.fill(lang, &[("n", &n)]).into(),
                    initials: initials(
                        &customer.first_name,
                        &customer.last_name,
                        &customer.company,
                    )
                    .into(),
                    loaded: true,
                    ..Default::default()
                });
            }
            Ok(Loaded {
                unread,
                per_customer,
                unassigned: kartei.unassigned_messages()?,
                failed: kartei.failed_messages()?.len(),
            })
        },
        move |ui, result| match result {
            Ok(loaded) => show(ui, &c, loaded, lang),
            Err(err) => shell::show_error(ui, &err.user_message(lang)),
        },
    );
}

fn show(ui: &MainWindow, ctx: &Ctx, loaded: Loaded, lang: Lang) {
    let adapter = ui.global::<MessagesAdapter>();
    adapter.set_is_owner(ctx.role() == Role::Owner);
    adapter.set_unread(i32::try_from(loaded.unread).unwrap_or(i32::MAX));
    adapter.set_failed_text(match loaded.failed {
        0 => "".into(),
        n => Word::MessagesNotSent
            .fill(lang, &[("n", &count(n, lang))])
            .into(),
    });
    adapter.set_unread_customers(ModelRc::new(VecModel::from(loaded.per_customer)));
    // The opened mail stays open while it is still unassigned.
    let opened = usize::try_from(adapter.get_selected())
        .ok()
        .and_then(|i| adapter.get_unassigned().row_data(i))
        .map(|m| m.id);
    let rows: Vec<MailRow> = loaded
        .unassigned
        .iter()
        .map(|m| MailRow {
            id: i32::try_from(m.id.0).unwrap_or(i32::MAX),
            from: match m.display_name.trim() {
                "" => m.address.clone(),
                name => format!("{name} <{}>", m.address),
            }
            .into(),
            subject: m.subject.as_str().into(),
            date: format!("{} {}", local_date(m.at), format::local_time(m.at)).into(),
            text: m.text.as_str().into(),
            attachments: attachments(&m.attachments).into(),
            unread: m.unread,
        })
        .collect();
    let selected = opened
        .and_then(|id| rows.iter().position(|r| r.id == id))
        .and_then(|i| i32::try_from(i).ok())
        .unwrap_or(-1);
    adapter.set_unassigned(ModelRc::new(VecModel::from(rows)));
    adapter.set_selected(selected);
}

/// The mail thread's state: nothing when mail is not set up (the screen says so), the first
/// error it reports, else when the inbox was last read.
pub fn show_status(ui: &MainWindow, ctx: &Ctx) {
    let lang = ctx.lang();
    let adapter = ui.global::<MessagesAdapter>();
    let (text, error) = status_text(ctx, lang);
    adapter.set_status_text(text.into());
    adapter.set_status_error(error);
}

fn status_text(ctx: &Ctx, lang: Lang) -> (String, bool) {
    if !ctx.kartei.mail_settings().is_configured() {
        return (Word::MailStatusOff.text(lang).to_string(), false);
    }
    let status = ctx.kartei.mail_status();
    let steps = [
        (Word::TestStepRead, status.inbox_error),
        (Word::TestStepSend, status.send_error),
        (Word::TestStepSentFolder, status.sent_folder_error),
    ];
    for (step, error) in steps {
        if let Some(error) = error {
            return (
                format!("{}: {}", step.text(lang), Msg::Mail(error).text(lang)),
                true,
            );
        }
    }
    match status.inbox_checked_at {
        Some(at) => (
            Word::MailStatusOk.fill(
                lang,
                &[(
                    "when",
                    &format!("{} {}", local_date(at), format::local_time(at)),
                )],
            ),
            false,
        ),
        None => (String::new(), false),
    }
}

/// The message behind the opened row.
fn selected_message(ui: &MainWindow) -> Option<MessageId> {
    let adapter = ui.global::<MessagesAdapter>();
    let i = usize::try_from(adapter.get_selected()).ok()?;
    let row = adapter.get_unassigned().row_data(i)?;
    u64::try_from(row.id).ok().map(MessageId)
}

/// Opens an unassigned mail (it counts as read) with an empty customer search.
fn open_mail(ui: &MainWindow, ctx: &Arc<Ctx>, index: i32) {
    let adapter = ui.global::<MessagesAdapter>();
    adapter.set_selected(index);
    adapter.set_assign_query("".into());
    adapter.set_assign_hits(ModelRc::new(VecModel::from(Vec::<CustomerRow>::new())));
    let Some(id) = selected_message(ui) else {
        return;
    };
    set_read(ui, ctx, id, true);
}

fn mark_unread(ui: &MainWindow, ctx: &Arc<Ctx>) {
    if let Some(id) = selected_message(ui) {
        set_read(ui, ctx, id, false);
        ui.global::<MessagesAdapter>().set_selected(-1);
    }
}

fn set_read(ui: &MainWindow, ctx: &Arc<Ctx>, id: MessageId, read: bool) {
    let (kartei, lang, c) = (ctx.kartei.clone(), ctx.lang(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.set_message_read(id, read),
        move |ui, result| match result {
            Ok(_) => shell::show_changes(ui, &c),
            Err(err) => shell::show_error(ui, &err.user_message(lang)),
        },
    );
}

/// The first few customers the search finds for `q` (the list's own search).
fn search_customer(ui: &MainWindow, ctx: &Arc<Ctx>, q: &str) {
    let lang = ctx.lang();
    let hits: Vec<CustomerRow> = if q.trim().is_empty() {
        Vec::new()
    } else {
        let request = SearchRequest {
            q: q.to_string(),
            limit: HITS,
            ..Default::default()
        };
        match ctx.kartei.search(&request) {
            Ok(page) => page.items.iter().map(|i| customer_row(i, lang)).collect(),
            Err(err) => {
                shell::show_error(ui, &err.user_message(lang));
                Vec::new()
            }
        }
    };
    ui.global::<MessagesAdapter>()
        .set_assign_hits(ModelRc::new(VecModel::from(hits)));
}

/// Gives the opened mail to the customer `customer` (a row id); it then shows on their card.
fn assign(ui: &MainWindow, ctx: &Arc<Ctx>, customer: i32) {
    let (Some(id), Some(customer)) = (selected_message(ui), customer_id(customer)) else {
        return;
    };
    let (kartei, by, lang, c) = (ctx.kartei.clone(), ctx.user(), ctx.lang(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.assign_message(id, customer, &by),
        move |ui, result| match result {
            Ok(_) => {
                ui.global::<MessagesAdapter>().set_selected(-1);
                shell::show_message(ui, Word::Saved.text(lang));
                shell::show_changes(ui, &c);
            }
            Err(err) => shell::show_error(ui, &err.user_message(lang)),
        },
    );
}
