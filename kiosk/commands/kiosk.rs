//! The kiosk window of the appliance (`kartei` with no command, see [`super::serve`]): whether
//! there is a display (a desktop session, or with the `kiosk-kms` feature the Pi's DRM device),
//! and running the window on the main thread.

use kartei::ui_glue::{self, worker::Worker};
use kartei_core::i18n::Word;
use kartei_core::{Kartei, Lang};
use slint::ComponentHandle;

/// Whether a screen is there to draw on.
pub fn display_available() -> bool {
    if cfg!(feature = "kiosk-kms") && drm_device_present() {
        return true;
    }
    cfg!(feature = "desktop")
        && ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

fn drm_device_present() -> bool {
    std::fs::read_dir("/dev/dri")
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("card"))
        })
        .unwrap_or(false)
}

/// Runs the kiosk window on this (the main) thread until it is closed.
pub fn run_window(
    kartei: &Kartei,
    lang: Lang,
    usb_roots: Vec<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let (ui, ctx) = ui_glue::build(kartei, Worker::thread()?)?;
    ctx.set_usb_roots(usb_roots);
    ui_glue::live::start(&ui, &ctx)?;
    ui.show()?;
    println!("{}", Word::CliKioskOpened.text(lang));
    slint::run_event_loop()?;
    ui.hide()?;
    Ok(())
}
