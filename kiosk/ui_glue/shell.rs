//! The shell around the screens: navigation, short messages ("toasts"), the language, and
//! [`Wire`], the one way controllers hook their callbacks to the window. It knows no
//! controller: a controller that wants another screen asks for a [`Screen`] with [`go`], one that
//! saved something asks for [`show_changes`], and the app's dispatcher (`app::dispatch`, handed
//! in through [`Ctx`] by `build`) does the rest.
//!
//! - [`Screen`]: the closed set of screens (with what each needs, such as the customer);
//!   [`Request`]: what the shell forwards to the dispatcher.
//! - [`show_changes`]: the one refresh path. The core announces every change
//!   (`kartei_core::Change`); what it announced since the last look is shown, whether the kiosk
//!   made the change (right after its save) or a phone did (woken by `live`).

use super::ui::{AppAdapter, KeyboardAdapter, MainWindow, Page};
use super::Ctx;
use kartei_core::model::CustomerId;
use kartei_core::Lang;
use slint::{ComponentHandle, Timer};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

const TOAST_FOR: Duration = Duration::from_secs(4);

/// Every screen the kiosk can show. The app's dispatcher prepares it with its controller and
/// then shows its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The first start: the salon's and the owner's name and PIN.
    Onboarding,
    /// The lock screen: nothing of the card file stays on screen.
    Lock,
    /// The customer list as it was left (the recently opened customers brought up to date).
    List,
    /// The customer list searched anew: after unlocking and after the first start.
    ListAnew,
    /// The card of a customer (remembered among the recently opened).
    Card(CustomerId),
    /// The form for a new customer.
    NewCustomer,
    /// The master-data editor of a customer.
    Edit(CustomerId),
    Dashboard,
    Export,
    Import,
    /// Mail: unread replies, the unassigned mails, failed sends.
    Messages,
    /// The mail account's settings (owners).
    MailSettings,
    /// A newsletter to the list as it is filtered, or to a group.
    Newsletter,
}

/// What the shell asks of the app's dispatcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Go(Screen),
    /// Show what the core announced since the last look.
    ShowChanges,
    /// The language changed: texts made in Rust (dates, labels) follow it.
    Relabel,
}

/// The app's dispatcher: the one function that knows every controller.
pub type Dispatch = fn(&MainWindow, &Arc<Ctx>, Request);

/// Shows `screen`.
pub fn go(ui: &MainWindow, ctx: &Arc<Ctx>, screen: Screen) {
    ctx.dispatch(ui, Request::Go(screen));
}

/// Shows what changed in the card file since the last look: the list, the open card, the
/// group chips, the backup status line. A controller calls it right after its own save, so the
/// result is on screen at once (the live thread finds nothing left to show afterwards).
pub fn show_changes(ui: &MainWindow, ctx: &Arc<Ctx>) {
    ctx.dispatch(ui, Request::ShowChanges);
}

/// Puts up `page` (for the dispatcher, once the screen is prepared): hides the on-screen
/// keyboard and forgets the open card when leaving the card and its editor.
pub fn show_page(ui: &MainWindow, ctx: &Ctx, page: Page) {
    ui.global::<KeyboardAdapter>().set_visible(false);
    if page != Page::Card && page != Page::Edit {
        ctx.set_open_card(None);
    }
    ui.global::<AppAdapter>().set_page(page);
}

/// The page on screen.
pub fn page(ui: &MainWindow) -> Page {
    ui.global::<AppAdapter>().get_page()
}

/// Switches the UI language (and remembers it in the settings when the user chose it; then
/// the texts made in Rust follow too).
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
        ctx.dispatch(ui, Request::Relabel);
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
    // The one weak handle outside `Wire`: messages have no `Ctx` to carry.
    let weak = ui.as_weak();
    let shown: Rc<str> = text.into();
    Timer::single_shot(TOAST_FOR, move || {
        let Some(ui) = weak.upgrade() else { return };
        let adapter = ui.global::<AppAdapter>();
        if adapter.get_toast().as_str() == &*shown {
            adapter.set_toast("".into());
        }
    });
}

/// Hooks callbacks and timers to the window: `adapter.on_save(wire.call(save))`,
/// `adapter.on_open(wire.call_with(|ui, ctx, i: i32| …))`. The window is held weakly (the
/// window's globals hold their callbacks, so a strong handle would keep it alive for ever), and a
/// call after the window is gone does nothing.
#[derive(Clone)]
pub struct Wire {
    window: slint::Weak<MainWindow>,
    ctx: Arc<Ctx>,
}

impl Wire {
    pub fn new(ui: &MainWindow, ctx: &Arc<Ctx>) -> Wire {
        Wire {
            window: ui.as_weak(),
            ctx: ctx.clone(),
        }
    }

    /// A callback without arguments (or a timer's tick).
    pub fn call(&self, f: impl Fn(&MainWindow, &Arc<Ctx>) + 'static) -> impl FnMut() + 'static {
        let wire = self.clone();
        move || {
            if let Some(ui) = wire.window.upgrade() {
                f(&ui, &wire.ctx);
            }
        }
    }

    /// A callback with one argument.
    pub fn call_with<A>(
        &self,
        f: impl Fn(&MainWindow, &Arc<Ctx>, A) + 'static,
    ) -> impl FnMut(A) + 'static {
        let wire = self.clone();
        move |arg| {
            if let Some(ui) = wire.window.upgrade() {
                f(&ui, &wire.ctx, arg);
            }
        }
    }
}
