//! The kiosk's Rust side: the compiled UI ([`ui`]) and one controller per adapter global of
//! `kiosk/ui/adapters.slint`, each with a `setup(&MainWindow, &Arc<Ctx>)` that answers its
//! callbacks.
//!
//! - [`shell`]: navigation to a [`shell::Screen`], messages, the language, the one refresh path
//!   ([`shell::show_changes`]) and [`shell::Wire`] for callbacks; it knows no controller.
//! - [`app`]: the dispatcher, the only module that knows every controller (and the idle lock
//!   timer); [`keyboard`]: on-screen keys.
//! - [`onboarding`], [`lock`]: first start and the PIN lock.
//! - [`list`] with [`list_model`] (the lazy paged model), [`card`], [`editor`], [`dashboard`],
//!   [`export`], [`import`] with [`import_rows`] (its lazy preview rows), [`photos`] (the card's
//!   gallery), [`messages`] (unread badge, failed sends, "Nicht zugeordnet"),
//!   [`mail_settings`] (owners), [`newsletter`]: the screens.
//! - [`live`]: the core's change events, gathered for [`shell::show_changes`]; its thread wakes
//!   the window when phones change data.
//! - [`worker`]: slow work off the UI thread. [`screenshots`]: every screen to PNG, no display.
//!
//! Controllers never use each other: they reach other screens through the shell, and a save
//! shows up everywhere through the change events. `controllers_never_import_each_other`
//! (`tests.rs`) checks the sources.

pub mod app;
pub mod card;
pub mod dashboard;
pub mod editor;
pub mod export;
pub mod format;
pub mod import;
pub mod import_rows;
pub mod keyboard;
pub mod list;
pub mod list_model;
pub mod live;
pub mod lock;
pub mod mail_settings;
pub mod messages;
pub mod newsletter;
pub mod onboarding;
pub mod photos;
pub mod screenshots;
pub mod shell;
pub mod worker;

#[cfg(test)]
mod tests;

/// The `.slint` UI compiled by `build.rs`.
pub mod ui {
    slint::include_modules!();
}

use kartei_core::model::CustomerId;
use kartei_core::{Kartei, Lang};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use ui::MainWindow;
use worker::Worker;

/// What every controller shares: the card file, the worker and the session.
pub struct Ctx {
    pub kartei: Kartei,
    pub worker: Worker,
    /// The app's dispatcher, so that the shell can reach the controllers without knowing them.
    dispatch: shell::Dispatch,
    session: Mutex<Session>,
    /// Where USB sticks get mounted (`--usb-roots`; default `/media` and `/run/media`).
    usb_roots: Mutex<Vec<PathBuf>>,
    /// A mounts table to use instead of `/proc/self/mounts` (tests and screenshots: a folder
    /// standing in for a mounted stick).
    mounts_table: Mutex<Option<String>>,
}

#[derive(Default)]
struct Session {
    lang: Lang,
    /// The staff member who unlocked the kiosk (the author of notes), and their role.
    user: String,
    role: kartei_core::model::Role,
    /// Most recently opened first.
    recent: Vec<CustomerId>,
    /// The card on screen (or being edited).
    open_card: Option<CustomerId>,
}

/// How many recently opened customers are offered.
pub const RECENT: usize = 6;

impl Ctx {
    pub fn new(kartei: Kartei, worker: Worker, dispatch: shell::Dispatch) -> Arc<Ctx> {
        let lang = kartei.settings().lang;
        Arc::new(Ctx {
            kartei,
            worker,
            dispatch,
            session: Mutex::new(Session {
                lang,
                ..Default::default()
            }),
            usb_roots: Mutex::new(
                kartei_core::usb::DEFAULT_MOUNT_ROOTS
                    .iter()
                    .map(PathBuf::from)
                    .collect(),
            ),
            mounts_table: Mutex::new(None),
        })
    }

    pub fn usb_roots(&self) -> Vec<PathBuf> {
        self.usb_roots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_usb_roots(&self, roots: Vec<PathBuf>) {
        *self.usb_roots.lock().unwrap_or_else(|p| p.into_inner()) = roots;
    }

    /// Pretends that the file systems in `table` (lines as in `/proc/mounts`) are mounted.
    pub fn set_mounts_table(&self, table: Option<String>) {
        *self.mounts_table.lock().unwrap_or_else(|p| p.into_inner()) = table;
    }

    /// The USB sticks mounted under the USB roots.
    pub fn sticks(&self) -> Vec<kartei_core::usb::Stick> {
        let roots = self.usb_roots();
        let roots: Vec<&std::path::Path> = roots.iter().map(PathBuf::as_path).collect();
        match &*self.mounts_table.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(table) => kartei_core::usb::sticks_in(table, &roots),
            None => kartei_core::usb::sticks(&roots),
        }
    }

    /// Hands `request` to the app's dispatcher (through [`shell`]).
    fn dispatch(self: &Arc<Self>, ui: &MainWindow, request: shell::Request) {
        (self.dispatch)(ui, self, request);
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn lang(&self) -> Lang {
        self.session().lang
    }

    pub fn set_lang(&self, lang: Lang) {
        self.session().lang = lang;
    }

    pub fn user(&self) -> String {
        self.session().user.clone()
    }

    pub fn role(&self) -> kartei_core::model::Role {
        self.session().role
    }

    pub fn set_user(&self, name: &str, role: kartei_core::model::Role) {
        let mut session = self.session();
        session.user = name.to_string();
        session.role = role;
    }

    pub fn open_card(&self) -> Option<CustomerId> {
        self.session().open_card
    }

    pub fn set_open_card(&self, id: Option<CustomerId>) {
        self.session().open_card = id;
    }

    pub fn recent(&self) -> Vec<CustomerId> {
        self.session().recent.clone()
    }

    pub fn remember(&self, id: CustomerId) {
        let mut session = self.session();
        session.recent.retain(|r| *r != id);
        session.recent.insert(0, id);
        session.recent.truncate(RECENT);
    }

    pub fn forget(&self, id: CustomerId) {
        self.session().recent.retain(|r| *r != id);
    }
}

/// The customer id behind a row id of the UI (`int` in Slint).
pub fn customer_id(id: i32) -> Option<CustomerId> {
    u64::try_from(id).ok().map(CustomerId)
}

/// Creates the window over `kartei` with every controller wired up, showing the first screen:
/// onboarding on a fresh card file, otherwise the lock screen.
pub fn build(
    kartei: &Kartei,
    worker: Worker,
) -> Result<(MainWindow, Arc<Ctx>), slint::PlatformError> {
    let ui = MainWindow::new()?;
    let ctx = Ctx::new(kartei.clone(), worker, app::dispatch);
    live::setup(&ctx);
    app::setup(&ui, &ctx);
    keyboard::setup(&ui, &ctx);
    onboarding::setup(&ui, &ctx);
    lock::setup(&ui, &ctx);
    list::setup(&ui, &ctx);
    card::setup(&ui, &ctx);
    photos::setup(&ui, &ctx);
    editor::setup(&ui, &ctx);
    dashboard::setup(&ui, &ctx);
    export::setup(&ui, &ctx);
    import::setup(&ui, &ctx);
    messages::setup(&ui, &ctx);
    mail_settings::setup(&ui, &ctx);
    newsletter::setup(&ui, &ctx);
    app::start(&ui, &ctx);
    Ok((ui, ctx))
}
