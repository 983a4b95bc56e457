//! `NewsletterAdapter`: a newsletter from the kiosk. The audience is the customer list as it
//! is searched and filtered when the screen opens (handed in by the dispatcher) or a group;
//! the preview (`Kartei::newsletter_preview`) counts who gets it and lists who is left out and
//! why (only confirmed marketing consent counts). A test goes to the salon's own address;
//! sending asks once more; the newest newsletter's progress shows with pause and resume, and
//! follows the core's `MessagesChanged` events ([`refresh_progress`]).

use super::format::{count, local_date};
use super::shell::{self, Wire};
use super::ui::{Detail, MainWindow, NewsletterAdapter};
use super::Ctx;
use kartei_core::i18n::Word;
use kartei_core::kartei::NewsletterProgress;
use kartei_core::model::{Audience, CustomerId, GroupId, Newsletter, NewsletterId};
use kartei_core::search::SearchRequest;
use kartei_core::{CoreError, Lang};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::sync::Arc;

/// How many left-out customers the preview names (the count says how many there are).
const LEFT_OUT_SHOWN: usize = 200;

#[derive(Default)]
struct State {
    /// The customers of the list when the screen opened.
    list: Vec<CustomerId>,
    /// The groups behind the audience chips after the first.
    groups: Vec<(GroupId, String)>,
    /// The newsletter whose progress is shown.
    shown: Option<NewsletterId>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<NewsletterAdapter>();
    let wire = Wire::new(ui, ctx);
    adapter.on_set_audience(wire.call_with(|ui, c, i: i32| {
        ui.global::<NewsletterAdapter>().set_audience(i);
        preview(ui, c);
    }));
    adapter.on_send_test(wire.call(send_test));
    adapter.on_ask_send(wire.call(ask_send));
    adapter.on_cancel_send(wire.call(|ui, _| {
        ui.global::<NewsletterAdapter>().set_confirm(false);
    }));
    adapter.on_send(wire.call(send));
    adapter.on_pause(wire.call_with(pause));
}

/// Prepares the screen for the list as `request` finds it (the list's search and filters) and
/// the salon's groups; keeps a subject and text already typed.
pub fn enter(ui: &MainWindow, ctx: &Arc<Ctx>, request: &SearchRequest) {
    let lang = ctx.lang();
    let list = match ctx.kartei.search_all(request) {
        Ok(ids) => ids,
        Err(err) => {
            shell::show_error(ui, &err.user_message(lang));
            Vec::new()
        }
    };
    let groups: Vec<(GroupId, String)> = ctx
        .kartei
        .groups()
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let mut audiences: Vec<SharedString> = vec![Word::CurrentList
        .fill(lang, &[("n", &count(list.len(), lang))])
        .into()];
    audiences.extend(
        groups
            .iter()
            .map(|(_, name)| SharedString::from(name.as_str())),
    );
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.list = list;
        s.groups = groups;
    });
    let a = ui.global::<NewsletterAdapter>();
    a.set_audiences(ModelRc::new(VecModel::from(audiences)));
    a.set_audience(0);
    a.set_confirm(false);
    a.set_error("".into());
    a.set_subject_error("".into());
    a.set_text_error("".into());
    preview(ui, ctx);
    refresh_progress(ui, ctx);
}

/// The chosen audience and how to describe it in the newsletter's record.
fn audience(ui: &MainWindow, lang: Lang) -> (Audience, String) {
    let i = usize::try_from(ui.global::<NewsletterAdapter>().get_audience()).unwrap_or(0);
    STATE.with(|s| {
        let s = s.borrow();
        match i.checked_sub(1).and_then(|g| s.groups.get(g)) {
            Some((id, name)) => (Audience::Group { group: *id }, name.clone()),
            None => (
                Audience::Customers {
                    ids: s.list.clone(),
                },
                Word::CurrentList.fill(lang, &[("n", &s.list.len())]),
            ),
        }
    })
}

/// Counts who gets it and who is left out (with the reason).
pub fn preview(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let lang = ctx.lang();
    let (audience, _) = audience(ui, lang);
    let kartei = ctx.kartei.clone();
    ctx.worker.run(
        ui,
        move || kartei.newsletter_preview(&audience, lang),
        move |ui, result| {
            let a = ui.global::<NewsletterAdapter>();
            match result {
                Ok(p) => {
                    a.set_recipients(i32::try_from(p.recipients.len()).unwrap_or(i32::MAX));
                    a.set_gets_text(
                        Word::NewsletterGets
                            .fill(lang, &[("n", &count(p.recipients.len(), lang))])
                            .into(),
                    );
                    a.set_left_out_text(
                        Word::NewsletterLeftOut
                            .fill(lang, &[("n", &count(p.left_out.len(), lang))])
                            .into(),
                    );
                    let rows: Vec<Detail> = p
                        .left_out
                        .iter()
                        .take(LEFT_OUT_SHOWN)
                        .map(|l| Detail {
                            label: l.name.as_str().into(),
                            value: l.reason_text.as_str().into(),
                        })
                        .collect();
                    a.set_left_out(ModelRc::new(VecModel::from(rows)));
                }
                Err(err) => a.set_error(err.user_message(lang).into()),
            }
        },
    );
}

/// Subject and text errors by field; other errors above the form. `true` when there were none.
fn show_result(ui: &MainWindow, result: &Result<(), CoreError>, lang: Lang) -> bool {
    let a = ui.global::<NewsletterAdapter>();
    a.set_subject_error("".into());
    a.set_text_error("".into());
    a.set_error("".into());
    match result {
        Ok(()) => true,
        Err(CoreError::Invalid(errors)) => {
            a.set_subject_error(errors.text("subject", lang).into());
            a.set_text_error(errors.text("text", lang).into());
            false
        }
        Err(err) => {
            a.set_error(err.user_message(lang).into());
            false
        }
    }
}

fn send_test(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<NewsletterAdapter>();
    let (subject, text) = (a.get_subject().to_string(), a.get_text().to_string());
    let (kartei, by, lang) = (ctx.kartei.clone(), ctx.user(), ctx.lang());
    ctx.worker.run(
        ui,
        move || kartei.send_newsletter_test(&subject, &text, &by),
        move |ui, result| {
            let address = result.as_ref().map(|m| m.address.clone()).ok();
            if show_result(ui, &result.map(|_| ()), lang) {
                shell::show_message(
                    ui,
                    &Word::NewsletterTestSent
                        .fill(lang, &[("address", &address.unwrap_or_default())]),
                );
            }
        },
    );
}

/// Asks before sending, naming how many get it (subject and text checked first).
fn ask_send(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let lang = ctx.lang();
    let a = ui.global::<NewsletterAdapter>();
    let mut errors = kartei_core::i18n::FieldErrors::default();
    for (field, value) in [("subject", a.get_subject()), ("text", a.get_text())] {
        if value.trim().is_empty() {
            errors.add(field, kartei_core::i18n::Msg::Required);
        }
    }
    if !show_result(ui, &errors.into_result(), lang) {
        return;
    }
    a.set_confirm_text(
        Word::NewsletterConfirm
            .fill(lang, &[("n", &count(a.get_recipients() as usize, lang))])
            .into(),
    );
    a.set_confirm(true);
}

fn send(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let lang = ctx.lang();
    let a = ui.global::<NewsletterAdapter>();
    a.set_confirm(false);
    let (audience, label) = audience(ui, lang);
    let (subject, text) = (a.get_subject().to_string(), a.get_text().to_string());
    let (kartei, by, c) = (ctx.kartei.clone(), ctx.user(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.send_newsletter(&audience, &label, &subject, &text, &by),
        move |ui, result| {
            let shown = result.as_ref().map(|n| n.id).ok();
            if show_result(ui, &result.map(|_| ()), lang) {
                STATE.with(|s| s.borrow_mut().shown = shown);
                let a = ui.global::<NewsletterAdapter>();
                a.set_subject("".into());
                a.set_text("".into());
                shell::show_changes(ui, &c);
                refresh_progress(ui, &c);
            }
        },
    );
}

fn pause(ui: &MainWindow, ctx: &Arc<Ctx>, paused: bool) {
    let Some(id) = STATE.with(|s| s.borrow().shown) else {
        return;
    };
    let (kartei, lang, c) = (ctx.kartei.clone(), ctx.lang(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.pause_newsletter(id, paused),
        move |ui, result| match result {
            Ok(p) => {
                show_progress(ui, Some(&p), lang);
                shell::show_changes(ui, &c);
            }
            Err(err) => shell::show_error(ui, &err.user_message(lang)),
        },
    );
}

fn progress_line(p: &NewsletterProgress, lang: Lang) -> String {
    let mut line = Word::NewsletterProgress.fill(
        lang,
        &[
            ("sent", &count(p.sent as usize, lang)),
            ("total", &count(p.total as usize, lang)),
        ],
    );
    if p.failed > 0 {
        line.push_str(" · ");
        line.push_str(&Word::MessagesNotSent.fill(lang, &[("n", &p.failed)]));
    }
    if p.newsletter.paused {
        line.push_str(" · ");
        line.push_str(Word::MessagePaused.text(lang));
    }
    line
}

fn show_progress(ui: &MainWindow, p: Option<&NewsletterProgress>, lang: Lang) {
    let a = ui.global::<NewsletterAdapter>();
    a.set_has_running(p.is_some());
    if let Some(p) = p {
        a.set_progress(match p.total {
            0 => 1.0,
            total => (p.sent + p.failed) as f32 / total as f32,
        });
        a.set_paused(p.newsletter.paused);
        a.set_progress_text(
            format!("„{}“: {}", p.newsletter.subject, progress_line(p, lang)).into(),
        );
    }
}

/// The newest newsletter's progress (the one still sending, else the last one) and the list
/// of those sent; shown again on every `MessagesChanged`.
pub fn refresh_progress(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let (kartei, lang) = (ctx.kartei.clone(), ctx.lang());
    let wanted = STATE.with(|s| s.borrow().shown);
    ctx.worker.run(
        ui,
        move || {
            let mut all: Vec<Newsletter> = kartei.newsletters()?;
            all.sort_by_key(|n| std::cmp::Reverse((n.at, n.id.0)));
            let mut progress = Vec::with_capacity(all.len());
            for n in all.iter().take(20) {
                progress.push(kartei.newsletter_progress(n.id)?);
            }
            Ok(progress)
        },
        move |ui, result| {
            let progress = match result {
                Ok(p) => p,
                Err(err) => return shell::show_error(ui, &err.user_message(lang)),
            };
            let current = wanted
                .and_then(|id| progress.iter().find(|p| p.newsletter.id == id))
                .or_else(|| progress.iter().find(|p| p.waiting > 0));
            STATE.with(|s| s.borrow_mut().shown = current.map(|p| p.newsletter.id));
            show_progress(ui, current, lang);
            let sent: Vec<Detail> = progress
                .iter()
                .map(|p| Detail {
                    label: format!("{} · {}", local_date(p.newsletter.at), p.newsletter.subject)
                        .into(),
                    value: format!("{} · {}", p.newsletter.audience, progress_line(p, lang)).into(),
                })
                .collect();
            ui.global::<NewsletterAdapter>()
                .set_sent(ModelRc::new(VecModel::from(sent)));
        },
    );
}
