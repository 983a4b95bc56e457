//! The audit log as an Excel file (owners take it home or hand it to the data-protection
//! authority): one row per entry, newest first, with the action in the user's language.

use super::sheet::{xlsx, Cell, Column, Formats, Kind, SheetWriter};
use crate::audit::{AuditEntry, MAX_PAGE};
use crate::error::Result;
use crate::i18n::{Lang, Word};
use crate::model::Role;
use crate::Kartei;
use rust_xlsxwriter::Workbook;
use std::path::Path;

/// Writes the whole log to `path` (owners only); returns how many entries it holds.
pub fn write_audit_xlsx(kartei: &Kartei, role: Role, lang: Lang, path: &Path) -> Result<u64> {
    let column = |word: Word, width: f64, kind: Kind| Column {
        header: word.text(lang).to_string(),
        width,
        kind,
    };
    let columns = vec![
        column(Word::AuditColNo, 8.0, Kind::Number),
        column(Word::AuditColTime, 18.0, Kind::DateTime),
        column(Word::AuditColWho, 16.0, Kind::Text),
        column(Word::AuditColWhat, 28.0, Kind::Text),
        column(Word::AuditColCustomer, 12.0, Kind::Number),
        column(Word::AuditColDetails, 40.0, Kind::Text),
    ];
    let mut workbook = Workbook::new();
    workbook.set_tempdir(kartei.data_dir()).map_err(xlsx)?;
    let formats = Formats::new();
    let name = Word::AuditSheet.text(lang);
    let mut sheet = SheetWriter::new(&mut workbook, &formats, name, columns)?;
    let mut before = None;
    loop {
        let page: Vec<AuditEntry> = kartei.audit_log(role, before, MAX_PAGE)?;
        for e in &page {
            sheet.write_row(
                &mut workbook,
                &[
                    Cell::Number(e.seq as f64),
                    Cell::DateTime(e.at),
                    Cell::Text(&e.by),
                    Cell::Text(e.action.label(lang)),
                    e.customer
                        .map(|c| Cell::Number(c.0 as f64))
                        .unwrap_or(Cell::Empty),
                    Cell::Text(&e.detail),
                ],
            )?;
        }
        match page.last() {
            Some(last) if page.len() == MAX_PAGE => before = Some(last.seq),
            _ => break,
        }
    }
    let rows = sheet.finish(&mut workbook)?;
    workbook.save(path).map_err(xlsx)?;
    Ok(rows)
}
