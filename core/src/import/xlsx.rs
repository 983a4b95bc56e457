//! Excel workbooks (`.xlsx`, read with calamine): the sheet named like Kartei's customer sheet
//! ("Kunden"/"Customers") if there is one, else the first sheet; its first non-empty row is
//! the header. Cells are streamed and bounded, so a sheet claiming two million columns is
//! refused instead of being allocated.

use super::mapping;
use super::table::Table;
use super::{refuse, Format, Parsed, MAX_COLUMNS, MAX_RECORDS};
use crate::error::Result;
use crate::i18n::Msg;
use calamine::{DataRef, Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::Cursor;

pub fn read(bytes: &[u8]) -> Result<Parsed> {
    mapping::records(table(bytes)?, Format::Xlsx)
}

pub fn table(bytes: &[u8]) -> Result<Table> {
    let unreadable = |_| refuse(Msg::ImportUnreadable);
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let names = workbook.sheet_names();
    let sheet = names
        .iter()
        .find(|n| {
            let n = n.to_lowercase();
            n == "kunden" || n == "customers"
        })
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| refuse(Msg::ImportEmpty))?;
    let mut reader = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(unreadable)?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        if col as usize >= MAX_COLUMNS {
            return Err(refuse(Msg::ImportTooManyColumns { max: MAX_COLUMNS }));
        }
        let value = text_of(cell.get_value());
        if value.is_empty() {
            continue;
        }
        if !rows.contains_key(&row) && rows.len() > MAX_RECORDS {
            return Err(refuse(Msg::ImportTooManyRows { max: MAX_RECORDS }));
        }
        let cells = rows.entry(row).or_default();
        if cells.len() <= col as usize {
            cells.resize(col as usize + 1, String::new());
        }
        cells[col as usize] = value;
    }
    let mut rows = rows.into_iter();
    let Some((_, headers)) = rows.next() else {
        return Ok(Table::default());
    };
    Ok(Table {
        headers,
        rows: rows.map(|(r, cells)| (r as usize + 1, cells)).collect(),
    })
}

/// A cell as text: numbers without a trailing `.0` (phone numbers and postal codes typed as
/// numbers), dates as ISO dates (which the birthday parser reads).
fn text_of(value: &DataRef) -> String {
    match value {
        DataRef::String(s) => s.trim().to_string(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        DataRef::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        DataRef::DurationIso(_) | DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}
