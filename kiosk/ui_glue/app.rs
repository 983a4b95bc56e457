//! `AppAdapter` and the dispatcher: the only module that knows every controller. [`dispatch`]
//! prepares a [`Screen`] with its controller and shows its page, shows the changes the core
//! announced (list, open card, group chips, backup status) and relabels the screens after a
//! change of language. Controllers reach it through the [`shell`](super::shell), never each
//! other. Also the idle lock: after `settings.lock_after_minutes` without a touch the kiosk
//! locks.

use super::shell::{self, Request, Screen, Wire};
use super::ui::{AppAdapter, CardAdapter, MainWindow, Page};
use super::{
    card, dashboard, editor, import, list, live, lock, mail_settings, messages, newsletter, photos,
    Ctx,
};
use kartei_core::model::CustomerId;
use kartei_core::Lang;
use slint::{ComponentHandle, Timer, TimerMode};
use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

/// How often the idle lock looks at the clock.
pub const IDLE_TICK: Duration = Duration::from_secs(15);

thread_local! {
    /// Ticks of [`IDLE_TICK`] since the last touch.
    static IDLE_TICKS: Cell<u32> = const { Cell::new(0) };
    static TIMERS: std::cell::RefCell<Vec<Timer>> = const { std::cell::RefCell::new(Vec::new()) };
}

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<AppAdapter>();
    let wire = Wire::new(ui, ctx);
    adapter.on_activity(|| IDLE_TICKS.with(|t| t.set(0)));
    adapter.on_navigate(wire.call_with(|ui, c, page| go(ui, c, screen_of(c, page))));
    adapter.on_new_customer(wire.call(|ui, c| go(ui, c, Screen::NewCustomer)));
    adapter.on_lock(wire.call(|ui, c| go(ui, c, Screen::Lock)));
    adapter.on_set_language(wire.call_with(|ui, c, code: slint::SharedString| {
        let lang = if code == "en" { Lang::En } else { Lang::De };
        shell::set_language(ui, c, lang, true);
    }));

    let idle = Timer::default();
    idle.start(
        TimerMode::Repeated,
        IDLE_TICK,
        wire.call(|ui, c| {
            if matches!(shell::page(ui), Page::Lock | Page::Onboarding) {
                return;
            }
            let ticks = IDLE_TICKS.with(|t| {
                t.set(t.get() + 1);
                t.get()
            });
            let minutes = u64::from(c.kartei.settings().lock_after_minutes.max(1));
            if u64::from(ticks) * IDLE_TICK.as_secs() >= minutes * 60 {
                go(ui, c, Screen::Lock);
            }
        }),
    );
    TIMERS.with(|t| t.borrow_mut().push(idle));
}

/// The first screen: onboarding on a fresh card file, the lock screen otherwise.
pub fn start(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let settings = ctx.kartei.settings();
    shell::set_language(ui, ctx, settings.lang, false);
    ui.global::<AppAdapter>()
        .set_salon_name(settings.salon_name.into());
    let has_staff = ctx.kartei.staff().map(|s| !s.is_empty()).unwrap_or(false);
    go(
        ui,
        ctx,
        if has_staff {
            Screen::Lock
        } else {
            Screen::Onboarding
        },
    );
}

/// Answers the shell: the one place that knows which controller prepares which screen and
/// what a change shows.
pub fn dispatch(ui: &MainWindow, ctx: &Arc<Ctx>, request: Request) {
    match request {
        Request::Go(screen) => go(ui, ctx, screen),
        Request::ShowChanges => show_changes(ui, ctx, live::take()),
        Request::Relabel => relabel(ui, ctx),
    }
}

/// The screen a page button of the UI asks for (the top bar's and the "back" buttons).
fn screen_of(ctx: &Ctx, page: Page) -> Screen {
    match page {
        Page::Onboarding => Screen::Onboarding,
        Page::Lock => Screen::Lock,
        Page::List => Screen::List,
        Page::Card | Page::Edit => match ctx.open_card() {
            Some(id) => Screen::Card(id),
            None => Screen::List,
        },
        Page::Dashboard => Screen::Dashboard,
        Page::Export => Screen::Export,
        Page::Import => Screen::Import,
        Page::Messages => Screen::Messages,
        Page::MailSettings => Screen::MailSettings,
        Page::Newsletter => Screen::Newsletter,
    }
}

fn go(ui: &MainWindow, ctx: &Arc<Ctx>, screen: Screen) {
    let page = match screen {
        Screen::Onboarding => Page::Onboarding,
        Screen::Lock => {
            lock::lock(ui, ctx);
            Page::Lock
        }
        Screen::List => {
            list::refresh_recent(ui, ctx);
            Page::List
        }
        Screen::ListAnew => {
            list::refresh(ui, ctx);
            messages::refresh(ui, ctx);
            Page::List
        }
        Screen::Card(id) => {
            card::open(ui, ctx, id);
            Page::Card
        }
        Screen::NewCustomer => {
            editor::open_new(ui);
            Page::Edit
        }
        Screen::Edit(id) => {
            if !editor::open_edit(ui, ctx, id) {
                return;
            }
            Page::Edit
        }
        Screen::Dashboard => {
            dashboard::refresh(ui, ctx);
            messages::refresh(ui, ctx);
            Page::Dashboard
        }
        Screen::Export => Page::Export,
        Screen::Import => {
            import::enter(ui, ctx);
            Page::Import
        }
        Screen::Messages => {
            messages::enter(ui, ctx);
            Page::Messages
        }
        Screen::MailSettings => {
            if !mail_settings::may_open(ui, ctx) {
                return;
            }
            mail_settings::enter(ui, ctx);
            Page::MailSettings
        }
        Screen::Newsletter => {
            if !mail_settings::may_open(ui, ctx) {
                return;
            }
            // The audience "current list" is the customer list as it is searched and filtered.
            newsletter::enter(ui, ctx, &list::request(ui, ctx));
            Page::Newsletter
        }
    };
    shell::show_page(ui, ctx, page);
}

/// Shows `changes`: the backup status line; the list (and the group chips after a change of
/// the catalogue); the open card while it is on screen (an open editor keeps its form: its save
/// is checked against the version it started from, and the card loads when it closes).
fn show_changes(ui: &MainWindow, ctx: &Arc<Ctx>, changes: live::Changes) {
    if changes.backups || changes.everything {
        dashboard::refresh_backup(ui, ctx);
    }
    // Mail: the badge, the warnings, the unassigned list, a newsletter's progress. A card's
    // history follows from its `CustomerChanged` below (a message being typed is kept: it
    // lives in the dialog, not in the card).
    if changes.messages || changes.everything {
        messages::refresh(ui, ctx);
        if shell::page(ui) == Page::Newsletter {
            newsletter::refresh_progress(ui, ctx);
        }
    }
    if !changes.cards() {
        return;
    }
    if changes.catalog || changes.everything {
        list::refresh_groups(ui, ctx);
        // Settings are catalogue changes: a session length set on a phone shows here too.
        dashboard::show_session_idle(ui, ctx);
    }
    list::refresh(ui, ctx);
    if let Some(open) = ctx.open_card() {
        let shown = shell::page(ui) == Page::Card;
        if shown && (changes.everything || changes.customers.contains(&open)) {
            reload_card(ui, ctx, open);
        }
    }
}

/// Texts made in Rust (dates, labels) follow a new language.
fn relabel(ui: &MainWindow, ctx: &Arc<Ctx>) {
    list::search(ui, ctx);
    list::refresh_recent(ui, ctx);
    if let Some(id) = ctx.open_card() {
        reload_card(ui, ctx, id);
    }
    dashboard::refresh(ui, ctx);
    messages::refresh(ui, ctx);
}

/// The card of `id` and, when its gallery is open, its photos.
fn reload_card(ui: &MainWindow, ctx: &Arc<Ctx>, id: CustomerId) {
    card::reload(ui, ctx, id);
    if ui.global::<CardAdapter>().get_tab() == photos::TAB {
        photos::load(ui, ctx, id);
    }
}
