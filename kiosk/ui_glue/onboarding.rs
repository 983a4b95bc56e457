//! `OnboardingAdapter`: the first start. Saves the salon's name and creates the owner with a
//! PIN; until then no other screen is reachable. Then the shell shows the list
//! ([`Screen::ListAnew`]).

use super::shell::{self, Screen, Wire};
use super::ui::{AppAdapter, MainWindow, OnboardingAdapter};
use super::Ctx;
use kartei_core::i18n::Msg;
use kartei_core::model::Role;
use kartei_core::CoreError;
use slint::ComponentHandle;
use std::sync::Arc;

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    ui.global::<OnboardingAdapter>()
        .on_submit(Wire::new(ui, ctx).call(submit));
}

fn submit(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<OnboardingAdapter>();
    let lang = ctx.lang();
    let salon = adapter.get_salon_name().trim().to_string();
    let owner = adapter.get_owner_name().trim().to_string();
    let pin = adapter.get_pin().to_string();
    let salon_error = if salon.is_empty() {
        Msg::Required.text(lang)
    } else if salon.chars().count() > 100 {
        Msg::TooLong { max: 100 }.text(lang)
    } else {
        String::new()
    };
    let pin_error = if pin != adapter.get_pin_repeat().as_str() {
        Msg::PinsDiffer.text(lang)
    } else {
        String::new()
    };
    adapter.set_salon_error(salon_error.clone().into());
    adapter.set_pin_error(pin_error.clone().into());
    adapter.set_owner_error("".into());
    if !salon_error.is_empty() || !pin_error.is_empty() {
        return;
    }
    adapter.set_busy(true);
    let kartei = ctx.kartei.clone();
    let c = ctx.clone();
    ctx.worker.run(
        ui,
        move || -> Result<(), CoreError> {
            kartei.add_staff(&owner, &pin, Role::Owner)?;
            let mut settings = kartei.settings();
            settings.salon_name = salon;
            settings.lang = lang;
            kartei.set_settings(settings)
        },
        move |ui, result| {
            let adapter = ui.global::<OnboardingAdapter>();
            adapter.set_busy(false);
            match result {
                Ok(()) => {
                    let owner = adapter.get_owner_name().trim().to_string();
                    c.set_user(&owner, kartei_core::model::Role::Owner);
                    adapter.set_pin("".into());
                    adapter.set_pin_repeat("".into());
                    ui.global::<AppAdapter>()
                        .set_salon_name(c.kartei.settings().salon_name.into());
                    shell::go(ui, &c, Screen::ListAnew);
                }
                Err(CoreError::Invalid(fields)) => {
                    adapter.set_owner_error(fields.text("name", lang).into());
                    adapter.set_pin_error(fields.text("pin", lang).into());
                }
                Err(err) => shell::show_error(ui, &err.user_message(lang)),
            }
        },
    );
}
