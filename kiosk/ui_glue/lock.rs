//! `LockAdapter`: the lock screen. Unlocks with a staff member's PIN through
//! `Kartei::verify_pin(name, pin, "kiosk")`, which throttles guessing like the server does; the
//! wait is shown in seconds. Unlocked, the shell shows the list searched anew
//! ([`Screen::ListAnew`]).

use super::shell::{self, Screen, Wire};
use super::ui::{AppAdapter, LockAdapter, MainWindow};
use super::Ctx;
use kartei_core::i18n::Msg;
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::sync::Arc;

/// The throttle's client key for the counter screen.
pub const CLIENT: &str = "kiosk";

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    ui.global::<LockAdapter>()
        .on_unlock(Wire::new(ui, ctx).call(unlock));
}

/// Prepares [`Screen::Lock`]: nobody is logged in, no card is open, the names to choose from
/// and an empty PIN (the shell then puts up the page, so nothing of the card file stays on
/// screen).
pub fn lock(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let names: Vec<SharedString> = match ctx.kartei.staff() {
        Ok(staff) => staff.iter().map(|s| s.name.as_str().into()).collect(),
        Err(err) => {
            eprintln!("kartei: reading the staff list failed: {err}");
            Vec::new()
        }
    };
    let adapter = ui.global::<LockAdapter>();
    if names.len() == 1 {
        adapter.set_selected(names[0].clone());
    } else if !names.iter().any(|n| *n == adapter.get_selected()) {
        adapter.set_selected("".into());
    }
    adapter.set_staff(ModelRc::new(VecModel::from(names)));
    adapter.set_pin("".into());
    adapter.set_message("".into());
    ctx.set_user("", kartei_core::model::Role::Staff);
    ctx.set_open_card(None);
}

fn unlock(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<LockAdapter>();
    let lang = ctx.lang();
    let name = adapter.get_selected().to_string();
    if name.is_empty() {
        adapter.set_message(Msg::ChooseName.text(lang).into());
        return;
    }
    if adapter.get_busy() {
        return;
    }
    let pin = adapter.get_pin().to_string();
    adapter.set_busy(true);
    let kartei = ctx.kartei.clone();
    let c = ctx.clone();
    ctx.worker.run(
        ui,
        move || kartei.verify_pin(&name, &pin, CLIENT),
        move |ui, result| {
            let adapter = ui.global::<LockAdapter>();
            adapter.set_busy(false);
            adapter.set_pin("".into());
            match result {
                Ok(staff) => {
                    c.set_user(&staff.name, staff.role);
                    adapter.set_message("".into());
                    ui.global::<AppAdapter>().set_user_name(staff.name.into());
                    shell::go(ui, &c, Screen::ListAnew);
                }
                Err(err) => adapter.set_message(err.user_message(lang).into()),
            }
        },
    );
}
