//! `AppAdapter`: navigation between the screens, the language, short messages ("toasts") and
//! the idle lock: after `settings.lock_after_minutes` without a touch the kiosk locks.

use super::ui::{AppAdapter, KeyboardAdapter, MainWindow, Page};
use super::{card, dashboard, editor, import, list, lock, Ctx};
use kartei_core::Lang;
use slint::{ComponentHandle, Timer, TimerMode};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// How often the idle lock looks at the clock.
pub const IDLE_TICK: Duration = Duration::from_secs(15);
const TOAST_FOR: Duration = Duration::from_secs(4);

thread_local! {
    /// Ticks of [`IDLE_TICK`] since the last touch.
    static IDLE_TICKS: Cell<u32> = const { Cell::new(0) };
    static TIMERS: std::cell::RefCell<Vec<Timer>> = const { std::cell::RefCell::new(Vec::new()) };
}

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<AppAdapter>();
    adapter.on_activity(|| IDLE_TICKS.with(|t| t.set(0)));

    let weak = ui.as_weak();
    let c = ctx.clone();
    adapter.on_navigate(move |page| {
        if let Some(ui) = weak.upgrade() {
            navigate(&ui, &c, page);
        }
    });

    let weak = ui.as_weak();
    let c = ctx.clone();
    adapter.on_new_customer(move || {
        if let Some(ui) = weak.upgrade() {
            editor::open_new(&ui, &c);
        }
    });

    let weak = ui.as_weak();
    let c = ctx.clone();
    adapter.on_lock(move || {
        if let Some(ui) = weak.upgrade() {
            lock::lock(&ui, &c);
        }
    });

    let weak = ui.as_weak();
    let c = ctx.clone();
    adapter.on_set_language(move |code| {
        if let Some(ui) = weak.upgrade() {
            let lang = if code == "en" { Lang::En } else { Lang::De };
            set_language(&ui, &c, lang, true);
        }
    });

    let weak = ui.as_weak();
    let c = ctx.clone();
    let idle = Timer::default();
    idle.start(TimerMode::Repeated, IDLE_TICK, move || {
        let Some(ui) = weak.upgrade() else { return };
        let page = ui.global::<AppAdapter>().get_page();
        if matches!(page, Page::Lock | Page::Onboarding) {
            return;
        }
        let ticks = IDLE_TICKS.with(|t| {
            t.set(t.get() + 1);
            t.get()
        });
        let minutes = u64::from(c.kartei.settings().lock_after_minutes.max(1));
        if u64::from(ticks) * IDLE_TICK.as_secs() >= minutes * 60 {
            lock::lock(&ui, &c);
        }
    });
    TIMERS.with(|t| t.borrow_mut().push(idle));
}

/// The first screen: onboarding on a fresh card file, the lock screen otherwise.
pub fn start(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let settings = ctx.kartei.settings();
    set_language(ui, ctx, settings.lang, false);
    ui.global::<AppAdapter>()
        .set_salon_name(settings.salon_name.into());
    let has_staff = ctx.kartei.staff().map(|s| !s.is_empty()).unwrap_or(false);
    if has_staff {
        lock::lock(ui, ctx);
    } else {
        ui.global::<AppAdapter>().set_page(Page::Onboarding);
    }
}

pub fn navigate(ui: &MainWindow, ctx: &Arc<Ctx>, page: Page) {
    ui.global::<KeyboardAdapter>().set_visible(false);
    if page != Page::Card && page != Page::Edit {
        ctx.set_open_card(None);
    }
    match page {
        Page::Dashboard => dashboard::refresh(ui, ctx),
        Page::List => list::refresh_recent(ui, ctx),
        Page::Import => import::enter(ui, ctx),
        _ => {}
    }
    ui.global::<AppAdapter>().set_page(page);
}

/// Switches the UI language (and remembers it in the settings when the user chose it).
pub fn set_language(ui: &MainWindow, ctx: &Arc<Ctx>, lang: Lang, save: bool) {
    let code = match lang {
        Lang::De => "",
        Lang::En => "en",
    };
    if let Err(err) = slint::select_bundled_translation(code) {
        eprintln!("kartei: selecting the UI language failed: {err:?}");
    }
    ctx.set_lang(lang);
    ui.global::<AppAdapter>().set_language(
        match lang {
            Lang::De => "de",
            Lang::En => "en",
        }
        .into(),
    );
    if save {
        let mut settings = ctx.kartei.settings();
        if settings.lang != lang {
            settings.lang = lang;
            if let Err(err) = ctx.kartei.set_settings(settings) {
                show_error(ui, &err.user_message(lang));
            }
        }
        // Texts made in Rust (dates, labels) follow the language too.
        list::search(ui, ctx);
        list::refresh_recent(ui, ctx);
        if let Some(id) = ctx.open_card() {
            card::reload(ui, ctx, id);
        }
        dashboard::refresh(ui, ctx);
    }
}

pub fn show_message(ui: &MainWindow, text: &str) {
    toast(ui, text, false);
}

pub fn show_error(ui: &MainWindow, text: &str) {
    toast(ui, text, true);
}

fn toast(ui: &MainWindow, text: &str, error: bool) {
    let adapter = ui.global::<AppAdapter>();
    adapter.set_toast(text.into());
    adapter.set_toast_error(error);
    let weak = ui.as_weak();
    let shown: Rc<str> = text.into();
    Timer::single_shot(TOAST_FOR, move || {
        if let Some(ui) = weak.upgrade() {
            let adapter = ui.global::<AppAdapter>();
            if adapter.get_toast().as_str() == &*shown {
                adapter.set_toast("".into());
            }
        }
    });
}
