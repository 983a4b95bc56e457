//! `ExportAdapter`: the "export to USB stick" button. The Excel export is its own piece of work
//! (branch `io`); until it is merged the button says plainly that it is not available yet.

use super::format::tr;
use super::ui::{ExportAdapter, MainWindow};
use super::Ctx;
use slint::ComponentHandle;
use std::sync::Arc;

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<ExportAdapter>();
    a.set_available(false);
    a.set_status_kind(0);
    a.set_status(
        tr(
            ctx.lang(),
            "Noch nicht verfügbar: Der Export auf USB-Stick kommt mit dem nächsten Update.",
            "Not available yet: export to a USB stick comes with the next update.",
        )
        .into(),
    );
}
