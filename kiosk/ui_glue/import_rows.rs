//! The rows of the import preview as a lazy Slint model: a file may hold up to 200,000
//! contacts, so a row's texts are made only when the list shows it. The model also keeps which
//! rows are chosen (new and completing rows at first).

use super::format::date;
use super::ui::ImportRow;
use kartei_core::i18n::Msg;
use kartei_core::i18n::Word;
use kartei_core::import::{ImportPreview, PreviewRow, RowAction};
use kartei_core::Lang;
use slint::{Model, ModelNotify, ModelTracker};
use std::cell::RefCell;
use std::sync::Arc;

/// What a row does, as the UI colours it.
pub const NEW: i32 = 0;
pub const MERGE: i32 = 1;
pub const DUPLICATE: i32 = 2;
pub const INVALID: i32 = 3;

pub struct ImportRowsModel {
    preview: Arc<ImportPreview>,
    lang: Lang,
    chosen: RefCell<Vec<bool>>,
    notify: ModelNotify,
}

impl ImportRowsModel {
    /// The preview's rows with every new and completing row chosen.
    pub fn new(preview: Arc<ImportPreview>, lang: Lang) -> ImportRowsModel {
        let chosen = preview.rows.iter().map(PreviewRow::choosable).collect();
        ImportRowsModel {
            preview,
            lang,
            chosen: RefCell::new(chosen),
            notify: ModelNotify::default(),
        }
    }

    pub fn preview(&self) -> &Arc<ImportPreview> {
        &self.preview
    }

    /// Chooses or leaves a row (rows that cannot be taken stay unchosen).
    pub fn toggle(&self, index: usize) {
        let Some(row) = self.preview.rows.get(index) else {
            return;
        };
        if row.choosable() {
            if let Some(c) = self.chosen.borrow_mut().get_mut(index) {
                *c = !*c;
            }
            self.notify.row_changed(index);
        }
    }

    /// Chooses every row that can be taken, or none.
    pub fn choose_all(&self, chosen: bool) {
        let mut all = self.chosen.borrow_mut();
        for (c, row) in all.iter_mut().zip(&self.preview.rows) {
            *c = chosen && row.choosable();
        }
        drop(all);
        self.notify.reset();
    }

    /// The lines of the chosen rows, for the commit.
    pub fn chosen_lines(&self) -> Vec<usize> {
        self.preview
            .rows
            .iter()
            .zip(self.chosen.borrow().iter())
            .filter(|(_, c)| **c)
            .map(|(r, _)| r.line)
            .collect()
    }

    pub fn chosen_count(&self) -> usize {
        self.chosen.borrow().iter().filter(|c| **c).count()
    }
}

impl Model for ImportRowsModel {
    type Data = ImportRow;

    fn row_count(&self) -> usize {
        self.preview.rows.len()
    }

    fn row_data(&self, index: usize) -> Option<ImportRow> {
        let row = self.preview.rows.get(index)?;
        let chosen = self.chosen.borrow().get(index).copied().unwrap_or(false);
        Some(import_row(row, chosen, self.lang))
    }

    fn model_tracker(&self) -> &dyn ModelTracker {
        &self.notify
    }
}

/// One preview row as the list shows it.
pub fn import_row(row: &PreviewRow, chosen: bool, lang: Lang) -> ImportRow {
    let name = if row.name.trim().is_empty() {
        Word::NoName.text(lang).to_string()
    } else {
        row.name.clone()
    };
    let mut detail: Vec<String> = row.phones.clone();
    if !row.email.is_empty() {
        detail.push(row.email.clone());
    }
    if !row.birthday.is_empty() {
        detail.push(birthday(&row.birthday));
    }
    detail.extend(row.warnings.iter().map(|w| format!("⚠ {}", w.text(lang))));
    let (kind, action) = match &row.action {
        RowAction::New => (NEW, Word::ImportNew.text(lang).to_string()),
        RowAction::Merge {
            card_name: name,
            adds,
            conflicts,
            ..
        } => {
            let adds: Vec<String> = adds.iter().map(|f| field_label(f, lang)).collect();
            let mut text = Word::ImportCompletesNamed
                .fill(lang, &[("name", name), ("adds", &adds.join(", "))]);
            if !conflicts.is_empty() {
                text.push(' ');
                text.push_str(&Word::ImportDifferingKept.fill(lang, &[("n", &conflicts.len())]));
            }
            (MERGE, text)
        }
        RowAction::Duplicate {
            card_name: name, ..
        } => (
            DUPLICATE,
            Word::ImportAlreadyNamed.fill(lang, &[("name", name)]),
        ),
        RowAction::DuplicateInFile { line } => {
            (DUPLICATE, Msg::DuplicateInFile { line: *line }.text(lang))
        }
        RowAction::Invalid { reasons } => {
            let why: Vec<String> = reasons.iter().map(|r| r.message.text(lang)).collect();
            (
                INVALID,
                format!("{}: {}", Word::ImportInvalid.text(lang), why.join(" ")),
            )
        }
    };
    ImportRow {
        name: name.into(),
        detail: detail.join("  ·  ").into(),
        action: action.into(),
        kind,
        choosable: row.choosable(),
        chosen: chosen && row.choosable(),
    }
}

/// A birthday as read (`1990-02-28`, `--07-05`) the German way where it can be (`28.02.1990`,
/// `05.07.`).
fn birthday(raw: &str) -> String {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return date(day);
    }
    let day_month = raw
        .strip_prefix("--")
        .and_then(|md| md.split_once('-'))
        .filter(|(m, d)| {
            [m, d]
                .iter()
                .all(|x| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit()))
        });
    match day_month {
        Some((month, day)) => format!("{day}.{month}."),
        None => raw.to_string(),
    }
}

/// The name of a card field in `lang` (the preview lists the fields a contact adds to), from
/// the core's catalogue; a field it does not know is shown by its key.
pub fn field_label(field: &str, lang: Lang) -> String {
    match kartei_core::i18n::field_word(field) {
        Some(word) => word.text(lang).to_string(),
        None => field.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birthdays_as_read_are_shown_the_german_way() {
        for (raw, shown) in [
            ("1990-02-28", "28.02.1990"),
            ("--07-05", "05.07."),
            ("24.11.1985", "24.11.1985"),
            ("--7-5", "--7-5"),
        ] {
            assert_eq!(birthday(raw), shown, "{raw}");
        }
    }
}
