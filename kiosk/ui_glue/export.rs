//! `ExportAdapter`: "export to USB stick". Finds a mounted stick under the mount roots
//! (`kartei_core::usb`, default `/media` and `/run/media`), writes the Excel export of all
//! customers onto it with a progress bar, and says clearly: no stick / not enough space /
//! written, safe to remove.

use super::format::{count, tr};
use super::shell::Wire;
use super::ui::{ExportAdapter, MainWindow};
use super::Ctx;
use kartei_core::export::{ExportQuery, ExportSummary, Progress};
use kartei_core::i18n::Msg;
use kartei_core::i18n::Word;
use kartei_core::{usb, CoreError, Kartei, Lang};
use slint::ComponentHandle;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Status colours of the banner.
const NEUTRAL: i32 = 0;
const SUCCESS: i32 = 1;
const FAILURE: i32 = 2;

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<ExportAdapter>();
    a.set_available(true);
    a.on_start(Wire::new(ui, ctx).call(start));
}

/// What was written where.
pub struct Written {
    pub stick: String,
    pub file: PathBuf,
    pub summary: ExportSummary,
}

/// Finds the stick with the most free space under `roots` and writes the export onto it.
pub fn export_to_stick(
    kartei: &Kartei,
    roots: &[PathBuf],
    lang: Lang,
    by: &str,
    progress: impl FnMut(Progress),
) -> Result<Written, CoreError> {
    let roots: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
    let stick = usb::sticks(&roots)
        .into_iter()
        .max_by_key(|s| s.free_bytes)
        .ok_or(CoreError::Forbidden(Msg::NoUsbStick))?;
    let scope = ExportQuery::default().scope();
    let (file, summary) =
        usb::export_to_dir(kartei, &scope, lang, &stick.mount_point, by, progress)?;
    Ok(Written {
        stick: stick.label,
        file,
        summary,
    })
}

/// The sentence shown when the file is on the stick.
pub fn written_message(w: &Written, lang: Lang) -> String {
    let name = w
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let customers = count(w.summary.customers as usize, lang);
    Word::ExportWritten.fill(
        lang,
        &[
            ("customers", &customers),
            ("file", &name),
            ("stick", &w.stick),
        ],
    )
}

fn start(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<ExportAdapter>();
    if a.get_running() {
        return;
    }
    let lang = ctx.lang();
    if let Err(refused) = kartei_core::export::check_may_export_list(ctx.role()) {
        a.set_status_kind(FAILURE);
        a.set_status(refused.user_message(lang).into());
        return;
    }
    a.set_running(true);
    a.set_progress(0.0);
    a.set_status_kind(NEUTRAL);
    a.set_status(
        tr(
            lang,
            "USB-Stick wird gesucht …",
            "Looking for a USB stick …",
        )
        .into(),
    );
    let kartei = ctx.kartei.clone();
    let roots = ctx.usb_roots();
    let by = ctx.user();
    let weak = ui.as_weak();
    ctx.worker.run(
        ui,
        move || {
            let mut shown = -1i64;
            export_to_stick(&kartei, &roots, lang, &by, |p: Progress| {
                let percent = (p.done * 100).checked_div(p.total).unwrap_or(0) as i64;
                if percent != shown {
                    shown = percent;
                    let _ = weak.upgrade_in_event_loop(move |ui| {
                        let a = ui.global::<ExportAdapter>();
                        a.set_progress(percent as f32 / 100.0);
                        a.set_status(Word::ExportWriting.text(lang).to_string().into());
                    });
                }
            })
        },
        move |ui, result| {
            let a = ui.global::<ExportAdapter>();
            a.set_running(false);
            match result {
                Ok(written) => {
                    a.set_progress(1.0);
                    a.set_status_kind(SUCCESS);
                    a.set_status(written_message(&written, lang).into());
                }
                Err(err) => {
                    a.set_status_kind(FAILURE);
                    a.set_status(err.user_message(lang).into());
                }
            }
        },
    );
}
