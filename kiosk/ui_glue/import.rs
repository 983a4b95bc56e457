//! `ImportAdapter`: "import from the USB stick". Lists the files the import can read on the
//! mounted sticks (`kartei_core::usb`, the same stick detection as the export), shows the
//! preview of the file tapped with a progress bar while it is read, lets the receptionist pick
//! the rows (new and completing rows chosen at first) and commits them in one transaction with
//! a progress bar, then says what happened. A bad file gets the core's message and changes
//! nothing; so does a failed commit. After a commit the shell shows the changes (the list
//! searches again).

use super::format::{count, tr};
use super::import_rows::ImportRowsModel;
use super::shell::{self, Wire};
use super::ui::{ImportAdapter, ImportFile, MainWindow};
use super::Ctx;
use kartei_core::i18n::Msg;
use kartei_core::i18n::Word;
use kartei_core::import::{self, ImportOutcome, ImportPreview, Progress};
use kartei_core::{CoreError, Lang};
use slint::{ComponentHandle, Model, ModelRc, VecModel};
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

/// The steps of the page.
pub const FILES: i32 = 0;
pub const PREVIEW: i32 = 1;
pub const DONE: i32 = 2;

/// Status colours of the banner.
const NEUTRAL: i32 = 0;
const SUCCESS: i32 = 1;
const FAILURE: i32 = 2;

thread_local! {
    /// The files listed and the preview on screen (UI thread only).
    static STATE: RefCell<State> = RefCell::new(State::default());
}

#[derive(Default)]
struct State {
    files: Vec<PathBuf>,
    rows: Option<Rc<ImportRowsModel>>,
}

/// A file on a stick that the import can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StickFile {
    pub path: PathBuf,
    /// The stick's label ("INTENSO").
    pub stick: String,
    /// The path on the stick ("Kontakte/kunden.vcf").
    pub name: String,
    pub bytes: u64,
}

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<ImportAdapter>();
    let wire = Wire::new(ui, ctx);
    a.on_scan(wire.call(scan));
    a.on_open(
        wire.call_with(|ui, c, i: i32| open(ui, c, usize::try_from(i).unwrap_or(usize::MAX))),
    );
    a.on_toggle(wire.call_with(|ui, _, i: i32| {
        with_rows(|rows| rows.toggle(usize::try_from(i).unwrap_or(usize::MAX)));
        show_chosen(ui);
    }));
    a.on_choose_all(wire.call_with(|ui, _, all| {
        with_rows(|rows| rows.choose_all(all));
        show_chosen(ui);
    }));
    a.on_commit(wire.call(commit));
    a.on_back(wire.call(|ui, c| {
        if !ui.global::<ImportAdapter>().get_running() {
            forget_preview(ui);
            scan(ui, c);
        }
    }));
}

/// The page is opened: a preview on screen stays, otherwise the sticks are searched again.
pub fn enter(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<ImportAdapter>();
    if a.get_running() || a.get_step() == PREVIEW {
        return;
    }
    scan(ui, ctx);
}

fn with_rows(f: impl FnOnce(&ImportRowsModel)) {
    let rows = STATE.with(|s| s.borrow().rows.clone());
    if let Some(rows) = rows {
        f(&rows);
    }
}

fn show_chosen(ui: &MainWindow) {
    let n = STATE.with(|s| s.borrow().rows.as_ref().map_or(0, |r| r.chosen_count()));
    ui.global::<ImportAdapter>()
        .set_chosen_count(i32::try_from(n).unwrap_or(i32::MAX));
}

fn forget_preview(ui: &MainWindow) {
    STATE.with(|s| s.borrow_mut().rows = None);
    let a = ui.global::<ImportAdapter>();
    a.set_rows(ModelRc::default());
    a.set_chosen_count(0);
    a.set_file_name("".into());
    a.set_unknown_columns("".into());
    a.set_step(FILES);
}

/// The importable files on every mounted stick, or why there are none to offer.
pub fn files_on_sticks(ctx: &Ctx) -> Result<Vec<StickFile>, CoreError> {
    let sticks = ctx.sticks();
    if sticks.is_empty() {
        return Err(CoreError::Forbidden(Msg::NoUsbStick));
    }
    let mut out = Vec::new();
    for stick in sticks {
        for path in kartei_core::usb::import_files(&stick.mount_point) {
            let name = path
                .strip_prefix(&stick.mount_point)
                .unwrap_or(&path)
                .display()
                .to_string();
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            out.push(StickFile {
                path,
                stick: stick.label.clone(),
                name,
                bytes,
            });
        }
    }
    Ok(out)
}

/// Searches the sticks for files and lists them.
pub fn scan(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<ImportAdapter>();
    if a.get_running() {
        return;
    }
    let lang = ctx.lang();
    a.set_step(FILES);
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
    let c = ctx.clone();
    ctx.worker.run(
        ui,
        move || files_on_sticks(&c),
        move |ui, result| {
            let a = ui.global::<ImportAdapter>();
            a.set_running(false);
            let files = result.as_ref().map(Vec::as_slice).unwrap_or_default();
            let shown: Vec<ImportFile> = files
                .iter()
                .map(|f| ImportFile {
                    name: f.name.clone().into(),
                    detail: format!("{}  ·  {}", f.stick, size(f.bytes, lang)).into(),
                })
                .collect();
            a.set_files(ModelRc::new(VecModel::from(shown)));
            STATE.with(|s| s.borrow_mut().files = files.iter().map(|f| f.path.clone()).collect());
            match result {
                Err(err) => {
                    a.set_status_kind(FAILURE);
                    a.set_status(err.user_message(lang).into());
                }
                Ok(files) if files.is_empty() => {
                    a.set_status_kind(FAILURE);
                    a.set_status(
                        tr(
                            lang,
                            "Auf dem USB-Stick ist keine Datei, die Kartei lesen kann (.vcf, .csv oder .xlsx).",
                            "The USB stick holds no file Kartei can read (.vcf, .csv or .xlsx).",
                        )
                        .into(),
                    );
                }
                Ok(_) => a.set_status("".into()),
            }
        },
    );
}

/// A progress reporter for the worker thread: moves the bar when the percentage changes.
fn progress_bar(ui: &MainWindow) -> impl FnMut(Progress) + Send + 'static {
    let weak = ui.as_weak();
    let mut shown = -1i64;
    move |p: Progress| {
        let percent = (p.done * 100).checked_div(p.total).unwrap_or(0) as i64;
        if percent != shown {
            shown = percent;
            let _ = weak.upgrade_in_event_loop(move |ui| {
                ui.global::<ImportAdapter>()
                    .set_progress(percent as f32 / 100.0);
            });
        }
    }
}

/// Reads the `index`th listed file and shows its preview.
pub fn open(ui: &MainWindow, ctx: &Arc<Ctx>, index: usize) {
    let a = ui.global::<ImportAdapter>();
    let Some(path) = STATE.with(|s| s.borrow().files.get(index).cloned()) else {
        return;
    };
    if a.get_running() {
        return;
    }
    let lang = ctx.lang();
    a.set_running(true);
    a.set_progress(0.0);
    a.set_status_kind(NEUTRAL);
    a.set_status(Word::ImportReading.text(lang).to_string().into());
    let kartei = ctx.kartei.clone();
    let progress = progress_bar(ui);
    ctx.worker.run(
        ui,
        move || {
            let (bytes, name) = import::read_file(&path).map_err(unreadable)?;
            import::preview_with_progress(&kartei, &bytes, &name, progress)
        },
        move |ui, result| {
            let a = ui.global::<ImportAdapter>();
            a.set_running(false);
            match result {
                Ok(preview) => show_preview(ui, Arc::new(preview), lang),
                Err(err) => {
                    a.set_status_kind(FAILURE);
                    a.set_status(err.user_message(lang).into());
                }
            }
        },
    );
}

/// A file that cannot be read (the stick was pulled, a broken sector) says so in words.
fn unreadable(err: CoreError) -> CoreError {
    match err {
        CoreError::Io(_) => CoreError::invalid("file", Msg::ImportUnreadable),
        other => other,
    }
}

fn show_preview(ui: &MainWindow, preview: Arc<ImportPreview>, lang: Lang) {
    let a = ui.global::<ImportAdapter>();
    let rows = Rc::new(ImportRowsModel::new(preview.clone(), lang));
    let c = preview.counts;
    let int = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    a.set_file_name(preview.filename.clone().into());
    a.set_new_count(int(c.new));
    a.set_merge_count(int(c.merge));
    a.set_duplicate_count(int(c.duplicate));
    a.set_invalid_count(int(c.invalid));
    a.set_unknown_columns(columns_line(&preview, lang).into());
    a.set_rows(ModelRc::from(rows.clone() as Rc<dyn Model<Data = _>>));
    STATE.with(|s| s.borrow_mut().rows = Some(rows));
    show_chosen(ui);
    a.set_status("".into());
    a.set_progress(0.0);
    a.set_step(PREVIEW);
}

/// What the preview says about the file's columns and groups: unknown and known-but-ignored
/// columns, the groups the import creates and how many rows carry a warning.
pub fn columns_line(preview: &ImportPreview, lang: Lang) -> String {
    let mut parts = Vec::new();
    let mut list = |names: &[String], de: &str, en: &str| {
        if !names.is_empty() {
            parts.push(format!("{} {}", tr(lang, de, en), names.join(", ")));
        }
    };
    list(
        &preview.unknown_columns,
        "Unbekannte Spalten (werden nicht übernommen):",
        "Unknown columns (not imported):",
    );
    list(
        &preview.ignored_columns,
        "Bekannte, nicht übernommene Spalten:",
        "Known columns not imported:",
    );
    list(
        &preview.new_groups,
        "Neue Gruppen (werden angelegt):",
        "New groups (created):",
    );
    let warned = preview.counts.with_warnings;
    if warned > 0 {
        parts.push(Word::ImportWarned.fill(lang, &[("n", &warned)]));
    }
    parts.join("  ·  ")
}

/// Takes the chosen rows.
pub fn commit(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<ImportAdapter>();
    let Some(rows) = STATE.with(|s| s.borrow().rows.clone()) else {
        return;
    };
    let chosen = rows.chosen_lines();
    if a.get_running() || chosen.is_empty() {
        return;
    }
    let lang = ctx.lang();
    a.set_running(true);
    a.set_progress(0.0);
    a.set_status_kind(NEUTRAL);
    a.set_status(Word::ImportRunning.text(lang).to_string().into());
    let kartei = ctx.kartei.clone();
    let preview = rows.preview().clone();
    let actor = match ctx.user() {
        user if user.is_empty() => "Kiosk".to_string(),
        user => user,
    };
    let progress = progress_bar(ui);
    let c = ctx.clone();
    ctx.worker.run(
        ui,
        move || import::commit_with_progress(&kartei, &preview, &chosen, &actor, progress),
        move |ui, result| {
            let a = ui.global::<ImportAdapter>();
            a.set_running(false);
            match result {
                Ok(outcome) => {
                    forget_preview(ui);
                    a.set_progress(1.0);
                    a.set_status_kind(SUCCESS);
                    a.set_status(outcome_message(&outcome, lang).into());
                    a.set_step(DONE);
                    // The list (and the group chips) follow the change events.
                    shell::show_changes(ui, &c);
                }
                Err(err) => {
                    a.set_status_kind(FAILURE);
                    a.set_status(err.user_message(lang).into());
                }
            }
        },
    );
}

/// What the import did, in a sentence.
pub fn outcome_message(outcome: &ImportOutcome, lang: Lang) -> String {
    let n = |k: usize| count(k, lang);
    let (created, merged) = (outcome.created.len(), outcome.merged.len());
    let mut text = match lang {
        Lang::De => format!(
            "{} neu angelegt, {} ergänzt.",
            if created == 1 {
                "1 Kunde".to_string()
            } else {
                format!("{} Kunden", n(created))
            },
            if merged == 1 {
                "1 Karte".to_string()
            } else {
                format!("{} Karten", n(merged))
            },
        ),
        Lang::En => format!(
            "{} created, {} completed.",
            if created == 1 {
                "1 customer".to_string()
            } else {
                format!("{} customers", n(created))
            },
            if merged == 1 {
                "1 card".to_string()
            } else {
                format!("{} cards", n(merged))
            },
        ),
    };
    if outcome.skipped > 0 {
        let skipped = n(outcome.skipped);
        text.push(' ');
        text.push_str(&Word::ImportSkippedByNow.fill(lang, &[("n", &skipped)]));
    }
    let photos = |k: usize, de: &str, en: &str| match (lang, k) {
        (Lang::De, 1) => format!(" 1 Foto {de}."),
        (Lang::De, _) => format!(" {} Fotos {de}.", n(k)),
        (Lang::En, 1) => format!(" 1 photo {en}."),
        (Lang::En, _) => format!(" {} photos {en}.", n(k)),
    };
    if outcome.photos_added > 0 {
        text.push_str(&photos(outcome.photos_added, "übernommen", "added"));
    }
    if outcome.photos_refused > 0 {
        text.push_str(&photos(
            outcome.photos_refused,
            "nicht lesbar, ohne Foto übernommen",
            "unreadable, imported without it",
        ));
    }
    text
}

/// `12 KB`, `3,4 MB`.
fn size(bytes: u64, lang: Lang) -> String {
    const KB: u64 = 1024;
    if bytes < KB * KB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        let mb = format!("{:.1} MB", bytes as f64 / (KB * KB) as f64);
        match lang {
            Lang::De => mb.replace('.', ","),
            Lang::En => mb,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kartei_core::model::CustomerId;

    #[test]
    fn outcome_and_size_in_both_languages() {
        let outcome = |created: u64, merged: u64, skipped| ImportOutcome {
            created: (0..created).map(CustomerId).collect(),
            merged: (0..merged).map(CustomerId).collect(),
            skipped,
            ..Default::default()
        };
        for (o, lang, text) in [
            (outcome(1, 0, 0), Lang::De, "1 Kunde neu angelegt, 0 Karten ergänzt."),
            (outcome(1200, 1, 0), Lang::De, "1.200 Kunden neu angelegt, 1 Karte ergänzt."),
            (
                outcome(0, 2, 3),
                Lang::De,
                "0 Kunden neu angelegt, 2 Karten ergänzt. 3 übersprungen (inzwischen schon vorhanden).",
            ),
            (outcome(1, 1, 0), Lang::En, "1 customer created, 1 card completed."),
            (outcome(2, 0, 1), Lang::En, "2 customers created, 0 cards completed. 1 skipped (already there by now)."),
            (
                ImportOutcome { photos_added: 2, photos_refused: 1, ..outcome(2, 0, 0) },
                Lang::De,
                "2 Kunden neu angelegt, 0 Karten ergänzt. 2 Fotos übernommen. 1 Foto nicht lesbar, ohne Foto übernommen.",
            ),
        ] {
            assert_eq!(outcome_message(&o, lang), text);
        }
        assert_eq!(size(0, Lang::De), "0 KB");
        assert_eq!(size(1, Lang::De), "1 KB");
        assert_eq!(size(3_565_158, Lang::De), "3,4 MB");
        assert_eq!(size(3_565_158, Lang::En), "3.4 MB");
    }
}
