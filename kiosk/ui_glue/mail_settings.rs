//! `MailSettingsAdapter`: the salon's mail account (owners only). Fills the form from
//! `MailSettings::public` (the password never reaches the screen: the field starts empty and
//! an empty one keeps the stored password), saves through `Kartei::set_mail_settings` and
//! shows its errors by field, edits the templates one at a time, and runs "Testnachricht
//! senden" on the worker (it waits up to some 20 s for the mail to arrive), showing each
//! step's result.

use super::shell::{self, Wire};
use super::ui::{MailSettingsAdapter, MainWindow, TestStep};
use super::Ctx;
use kartei_core::i18n::{FieldErrors, Msg, Word};
use kartei_core::mail::{MailSettings, Security, Template};
use kartei_core::{CoreError, Lang};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    /// The templates as edited so far (the form shows one of them at a time).
    static TEMPLATES: RefCell<Vec<Template>> = const { RefCell::new(Vec::new()) };
}

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<MailSettingsAdapter>();
    let wire = Wire::new(ui, ctx);
    adapter.on_pick_template(wire.call_with(|ui, _, i: i32| {
        keep_template(ui);
        show_template(ui, i);
    }));
    adapter.on_new_template(wire.call(|ui, ctx| {
        keep_template(ui);
        let n = TEMPLATES.with(|t| {
            let mut t = t.borrow_mut();
            t.push(MailSettings::new_template(ctx.lang()));
            t.len() - 1
        });
        show_names(ui);
        show_template(ui, i32::try_from(n).unwrap_or(-1));
    }));
    adapter.on_remove_template(wire.call(|ui, _| {
        let a = ui.global::<MailSettingsAdapter>();
        let Ok(i) = usize::try_from(a.get_template()) else {
            return;
        };
        TEMPLATES.with(|t| {
            let mut t = t.borrow_mut();
            if t.get(i).is_some_and(MailSettings::may_remove_template) {
                t.remove(i);
            }
        });
        show_names(ui);
        show_template(ui, 0);
    }));
    adapter.on_save(wire.call(save));
    adapter.on_test(wire.call(test));
}

/// The templates' names on their chips.
fn show_names(ui: &MainWindow) {
    let names: Vec<SharedString> =
        TEMPLATES.with(|t| t.borrow().iter().map(|t| t.name.as_str().into()).collect());
    ui.global::<MailSettingsAdapter>()
        .set_templates(ModelRc::new(VecModel::from(names)));
}

/// Whether `ctx`'s user may open the mail settings or the newsletter (core's rule: owners); says
/// so when not.
pub fn may_open(ui: &MainWindow, ctx: &Ctx) -> bool {
    match kartei_core::mail::check_may_manage(ctx.role()) {
        Ok(()) => true,
        Err(err) => {
            shell::show_error(ui, &err.user_message(ctx.lang()));
            false
        }
    }
}

/// Fills the form from the stored settings (the password field empty), no errors, no test.
pub fn enter(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let stored = ctx.kartei.mail_settings();
    let password_set = !stored.password.is_empty();
    let s = stored.public();
    let a = ui.global::<MailSettingsAdapter>();
    a.set_address(s.address.into());
    a.set_sender_name(s.sender_name.into());
    a.set_smtp_host(s.smtp_host.into());
    a.set_smtp_port(s.smtp_port.to_string().into());
    a.set_smtp_tls(s.smtp_security == Security::Tls);
    a.set_imap_host(s.imap_host.into());
    a.set_imap_port(s.imap_port.to_string().into());
    a.set_imap_tls(s.imap_security == Security::Tls);
    a.set_user(s.user.into());
    a.set_password("".into());
    a.set_password_set(password_set);
    a.set_certificate(s.extra_ca_pem.into());
    a.set_sent_folder(s.sent_folder.into());
    a.set_per_minute(s.newsletter_per_minute.to_string().into());
    a.set_reminder_hours(s.reminder_hours.to_string().into());
    a.set_birthdays(s.birthday_greetings);
    a.set_placeholders(Word::TemplatePlaceholders.text(ctx.lang()).into());
    TEMPLATES.with(|t| *t.borrow_mut() = s.templates);
    show_names(ui);
    show_template(ui, 0);
    show_errors(ui, &FieldErrors::default(), ctx.lang());
    a.set_testing(false);
    a.set_test_steps(ModelRc::new(VecModel::from(Vec::<TestStep>::new())));
    a.set_test_summary("".into());
    a.set_test_ok(false);
}

fn show_template(ui: &MainWindow, i: i32) {
    let a = ui.global::<MailSettingsAdapter>();
    let t = TEMPLATES.with(|t| {
        usize::try_from(i)
            .ok()
            .and_then(|i| t.borrow().get(i).cloned())
    });
    a.set_template(if t.is_some() { i } else { -1 });
    a.set_template_removable(t.as_ref().is_some_and(MailSettings::may_remove_template));
    let t = t.unwrap_or_else(|| Template {
        name: String::new(),
        ..MailSettings::new_template(Lang::De)
    });
    a.set_template_name(t.name.into());
    a.set_template_subject(t.subject.into());
    a.set_template_body(t.body.into());
}

/// Takes the template on screen back into the edited list (and its new name onto its chip).
fn keep_template(ui: &MainWindow) {
    let a = ui.global::<MailSettingsAdapter>();
    let Ok(i) = usize::try_from(a.get_template()) else {
        return;
    };
    TEMPLATES.with(|t| {
        let mut t = t.borrow_mut();
        if let Some(template) = t.get_mut(i) {
            template.name = a.get_template_name().to_string();
            template.subject = a.get_template_subject().to_string();
            template.body = a.get_template_body().to_string();
        }
    });
    show_names(ui);
}

/// The form as settings; numbers that are not numbers are errors by field.
fn form(ui: &MainWindow, ctx: &Ctx) -> Result<MailSettings, FieldErrors> {
    keep_template(ui);
    let a = ui.global::<MailSettingsAdapter>();
    let mut errors = FieldErrors::default();
    let mut number = |field: &str, text: SharedString| -> u32 {
        match text.trim().parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                errors.add(field, Msg::InvalidInput);
                0
            }
        }
    };
    let port = |n: u32| u16::try_from(n).unwrap_or(0);
    let smtp_port = port(number("smtp_port", a.get_smtp_port()));
    let imap_port = port(number("imap_port", a.get_imap_port()));
    let newsletter_per_minute = number("newsletter_per_minute", a.get_per_minute());
    let reminder_hours = number("reminder_hours", a.get_reminder_hours());
    let security = |tls: bool| {
        if tls {
            Security::Tls
        } else {
            Security::StartTls
        }
    };
    let settings = MailSettings {
        address: a.get_address().trim().to_string(),
        sender_name: a.get_sender_name().trim().to_string(),
        smtp_host: a.get_smtp_host().trim().to_string(),
        smtp_port,
        smtp_security: security(a.get_smtp_tls()),
        imap_host: a.get_imap_host().trim().to_string(),
        imap_port,
        imap_security: security(a.get_imap_tls()),
        user: a.get_user().trim().to_string(),
        password: a.get_password().to_string(),
        extra_ca_pem: a.get_certificate().to_string(),
        sent_folder: a.get_sent_folder().trim().to_string(),
        newsletter_per_minute,
        reminder_hours,
        birthday_greetings: a.get_birthdays(),
        templates: TEMPLATES.with(|t| t.borrow().clone()),
    };
    // The core's checks too, so every wrong field shows at once.
    if let Err(more) = settings.validate() {
        for (field, msg) in more.fields() {
            // A port the form could not read is already marked.
            errors.add(field, msg.clone());
        }
    }
    let _ = ctx;
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(errors)
    }
}

/// Each field's error under it; template errors above the template (naming which one).
fn show_errors(ui: &MainWindow, errors: &FieldErrors, lang: Lang) {
    let a = ui.global::<MailSettingsAdapter>();
    let text = |field: &str| -> SharedString { errors.text(field, lang).into() };
    a.set_address_error(text("address"));
    a.set_sender_name_error(text("sender_name"));
    a.set_smtp_host_error(text("smtp_host"));
    a.set_smtp_port_error(text("smtp_port"));
    a.set_imap_host_error(text("imap_host"));
    a.set_imap_port_error(text("imap_port"));
    a.set_user_error(text("user"));
    a.set_password_error(text("password"));
    a.set_certificate_error(text("extra_ca_pem"));
    a.set_sent_folder_error(text("sent_folder"));
    a.set_per_minute_error(text("newsletter_per_minute"));
    a.set_reminder_hours_error(text("reminder_hours"));
    let names = TEMPLATES.with(|t| {
        t.borrow()
            .iter()
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
    });
    let template_errors: Vec<String> = errors
        .fields()
        .filter(|(f, _)| *f == "templates" || f.starts_with("templates."))
        .map(|(f, m)| {
            let which = f
                .split('.')
                .nth(1)
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| names.get(i).cloned())
                .unwrap_or_default();
            match which.trim() {
                "" => m.text(lang),
                name => format!("„{name}“: {}", m.text(lang)),
            }
        })
        .collect();
    a.set_template_error(template_errors.join("\n").into());
    a.set_form_error(if errors.is_empty() {
        "".into()
    } else {
        errors.summary(lang).into()
    });
}

fn save(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let lang = ctx.lang();
    if !may_open(ui, ctx) {
        return;
    }
    let settings = match form(ui, ctx) {
        Ok(s) => s,
        Err(errors) => return show_errors(ui, &errors, lang),
    };
    let (kartei, by, c) = (ctx.kartei.clone(), ctx.user(), ctx.clone());
    ctx.worker.run(
        ui,
        move || kartei.set_mail_settings(settings, &by),
        move |ui, result| match result {
            Ok(()) => {
                enter(ui, &c);
                shell::show_message(ui, Word::Saved.text(lang));
                shell::show_changes(ui, &c);
            }
            Err(CoreError::Invalid(errors)) => show_errors(ui, &errors, lang),
            Err(err) => {
                ui.global::<MailSettingsAdapter>()
                    .set_form_error(err.user_message(lang).into());
            }
        },
    );
}

/// Sends the test mail with the stored settings (save first) and shows every step.
fn test(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let lang = ctx.lang();
    if !may_open(ui, ctx) {
        return;
    }
    let a = ui.global::<MailSettingsAdapter>();
    if !ctx.kartei.mail_settings().is_configured() {
        a.set_test_ok(false);
        a.set_test_summary(Word::MailStatusOff.text(lang).into());
        return;
    }
    a.set_testing(true);
    a.set_test_ok(false);
    a.set_test_summary(Word::TestMailRunning.text(lang).into());
    a.set_test_steps(ModelRc::new(VecModel::from(Vec::<TestStep>::new())));
    let kartei = ctx.kartei.clone();
    ctx.worker.run(
        ui,
        move || Ok(kartei.test_mail()),
        move |ui, result| {
            let a = ui.global::<MailSettingsAdapter>();
            a.set_testing(false);
            let report = match result {
                Ok(report) => report,
                Err(err) => {
                    a.set_test_summary(err.user_message(lang).into());
                    return;
                }
            };
            let step = |word: Word, result: Result<String, kartei_core::i18n::MailMsg>| {
                let (ok, text) = match result {
                    Ok(text) => (true, text),
                    Err(msg) => (false, Msg::Mail(msg).text(lang)),
                };
                TestStep {
                    label: word.text(lang).into(),
                    ok,
                    text: text.into(),
                }
            };
            let ok = || "OK".to_string();
            let steps = vec![
                step(Word::TestStepSend, report.sent.clone().map(|()| ok())),
                step(Word::TestStepRead, report.read.clone().map(|()| ok())),
                step(
                    Word::TestStepSentFolder,
                    report.sent_folder.clone().map(|()| ok()),
                ),
                step(
                    Word::TestStepArrived,
                    report.arrived_ms.clone().map(|ms| format!("{ms} ms")),
                ),
            ];
            let all_ok = steps.iter().all(|s| s.ok);
            a.set_test_ok(all_ok);
            a.set_test_summary(
                match (&report.arrived_ms, all_ok) {
                    (Ok(ms), true) => Word::TestMailOk.fill(lang, &[("ms", ms)]),
                    _ => Word::TestMailFailed.text(lang).to_string(),
                }
                .into(),
            );
            a.set_test_steps(ModelRc::new(VecModel::from(steps)));
        },
    );
}
