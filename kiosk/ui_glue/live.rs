//! Live updates: a thread listens to `Kartei::subscribe()` and, when phones (or the kiosk
//! itself) change data, refreshes the list, the open card and the group chips, and the backup
//! status line when a backup starts or ends. Bursts (an import of thousands) are folded into
//! one refresh.

use super::ui::MainWindow;
use super::{card, dashboard, list, Ctx};
use kartei_core::Change;
use slint::ComponentHandle;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// How long to gather a burst of changes before refreshing once.
const GATHER: Duration = Duration::from_millis(150);

pub fn start(ui: &MainWindow, ctx: &Arc<Ctx>) -> std::io::Result<()> {
    let mut events = ctx.kartei.subscribe();
    let weak = ui.as_weak();
    let ctx = ctx.clone();
    std::thread::Builder::new()
        .name("kiosk-live".into())
        .spawn(move || loop {
            let mut changed = HashSet::new();
            let mut catalog = false;
            let mut backups = false;
            let mut everything = false;
            match events.blocking_recv() {
                Ok(Change::BackupsChanged) => backups = true,
                Ok(change) => note(change, &mut changed, &mut catalog),
                Err(RecvError::Lagged(_)) => everything = true,
                Err(RecvError::Closed) => return,
            }
            std::thread::sleep(GATHER);
            loop {
                match events.try_recv() {
                    Ok(Change::BackupsChanged) => backups = true,
                    Ok(change) => note(change, &mut changed, &mut catalog),
                    Err(TryRecvError::Lagged(_)) => everything = true,
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Closed) => return,
                }
            }
            let c = ctx.clone();
            let only_backups = backups && changed.is_empty() && !catalog && !everything;
            let sent = weak.upgrade_in_event_loop(move |ui| {
                if backups || everything {
                    dashboard::refresh_backup(&ui, &c);
                }
                if only_backups {
                    return;
                }
                if catalog || everything {
                    list::refresh_groups(&ui, &c);
                }
                list::refresh(&ui, &c);
                if let Some(open) = c.open_card() {
                    if everything || changed.contains(&open) {
                        card::reload(&ui, &c, open);
                    }
                }
            });
            if sent.is_err() {
                return;
            }
        })?;
    Ok(())
}

fn note(change: Change, changed: &mut HashSet<kartei_core::model::CustomerId>, catalog: &mut bool) {
    match change.customer() {
        Some(id) => {
            changed.insert(id);
        }
        None => *catalog = true,
    }
}
