//! The core's change events (`Kartei::subscribe()`), gathered for the one refresh path,
//! [`shell::show_changes`]. The window's own subscription ([`setup`]) holds what the core
//! announced; [`take`] empties it on the UI thread into [`Changes`], which the app shows. Who
//! made the change does not matter: after a save here the controller asks for it at once; when
//! phones change data (or a backup starts or ends), the thread of [`start`] wakes the window.
//! Bursts (an import of thousands) are folded into one refresh, and a refresh that finds
//! nothing new does nothing, so a change the kiosk made is not shown twice.

use super::shell;
use super::ui::MainWindow;
use super::Ctx;
use kartei_core::model::CustomerId;
use kartei_core::Change;
use slint::ComponentHandle;
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::broadcast::Receiver;

/// How long to gather a burst of changes before waking the window once.
const GATHER: Duration = Duration::from_millis(150);

thread_local! {
    /// The window's subscription (UI thread only): what the core announced since the last
    /// [`take`].
    static PENDING: RefCell<Option<Receiver<Change>>> = const { RefCell::new(None) };
}

/// What changed since the last look.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Customers created, changed or deleted.
    pub customers: HashSet<CustomerId>,
    /// Services, groups or settings.
    pub catalog: bool,
    /// The backup status line.
    pub backups: bool,
    /// Messages came in, went out or were read (badges, unassigned list, outbox).
    pub messages: bool,
    /// More changed than was kept (the subscription fell behind): show everything again.
    pub everything: bool,
}

impl Changes {
    fn note(&mut self, change: Change) {
        match change {
            Change::BackupsChanged => self.backups = true,
            Change::MessagesChanged => self.messages = true,
            change => match change.customer() {
                Some(id) => {
                    self.customers.insert(id);
                }
                None => self.catalog = true,
            },
        }
    }

    /// Anything on the cards or the catalogue (not only the backup status).
    pub fn cards(&self) -> bool {
        !self.customers.is_empty() || self.catalog || self.everything
    }
}

/// Subscribes the window (on the UI thread, before anything can change).
pub fn setup(ctx: &Ctx) {
    let events = ctx.kartei.subscribe();
    PENDING.with(|p| *p.borrow_mut() = Some(events));
}

/// What the core announced since the last look (UI thread); empties the subscription.
pub fn take() -> Changes {
    let mut changes = Changes::default();
    PENDING.with(|p| {
        let mut pending = p.borrow_mut();
        let Some(events) = pending.as_mut() else {
            return;
        };
        loop {
            match events.try_recv() {
                Ok(change) => changes.note(change),
                Err(TryRecvError::Lagged(_)) => changes.everything = true,
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
    });
    changes
}

/// Starts the thread that wakes the window when the core announces a change (a phone's save,
/// a backup); the window then shows what changed.
pub fn start(ui: &MainWindow, ctx: &Arc<Ctx>) -> std::io::Result<()> {
    let mut events = ctx.kartei.subscribe();
    let weak = ui.as_weak();
    let ctx = ctx.clone();
    std::thread::Builder::new()
        .name("kiosk-live".into())
        .spawn(move || loop {
            match events.blocking_recv() {
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
            std::thread::sleep(GATHER);
            loop {
                match events.try_recv() {
                    Ok(_) | Err(TryRecvError::Lagged(_)) => {}
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Closed) => return,
                }
            }
            let c = ctx.clone();
            if weak
                .upgrade_in_event_loop(move |ui| shell::show_changes(&ui, &c))
                .is_err()
            {
                return;
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_folded_by_kind() {
        let mut changes = Changes::default();
        for change in [
            Change::CustomerCreated(CustomerId(1)),
            Change::CustomerChanged(CustomerId(1)),
            Change::CustomerDeleted(CustomerId(2)),
        ] {
            changes.note(change);
        }
        assert_eq!(
            changes.customers,
            HashSet::from([CustomerId(1), CustomerId(2)])
        );
        assert!(changes.cards() && !changes.catalog && !changes.backups);

        let mut backups = Changes::default();
        backups.note(Change::BackupsChanged);
        assert!(backups.backups && !backups.cards());
        backups.note(Change::CatalogChanged);
        assert!(backups.catalog && backups.cards());
    }
}
