//! One worksheet written row by row in constant-memory mode, with typed cells: text is always
//! stored as text (a value starting with `=` never becomes a formula, `0171…` keeps its zero),
//! dates are real Excel dates with a German format. A sheet that reaches Excel's row limit
//! continues on a second sheet with the same header ("Termine (2)").
//!
//! Each column has a kind, and the column carries the matching cell format (text "@", date,
//! date and time), so a cell of the column's kind is written without a format of its own: it
//! takes the column's. This is the fast path (rust_xlsxwriter hashes a cell's format on every
//! write) and also keeps the column typed when someone adds rows in Excel later.

use crate::error::{CoreError, Result};
use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, Utc};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::collections::HashMap;

/// Excel's last row index (1,048,576 rows).
const MAX_ROW: u32 = 1_048_575;

/// The most a cell may hold, in UTF-16 units (Excel's limit, which rust_xlsxwriter enforces).
pub const MAX_CELL_UTF16: usize = 32_767;
/// What ends a cell that had to be cut, so the reader sees that something is missing.
pub const CUT_MARK: &str = " [\u{2026}]";

/// `text` as it fits into one Excel cell: unchanged when it fits, otherwise cut at a character
/// boundary and ended with [`CUT_MARK`]. Data stored before text lengths were bounded (or
/// bounded more loosely) thus never makes an export fail.
pub fn fit_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_CELL_UTF16 || text.encode_utf16().count() <= MAX_CELL_UTF16 {
        return std::borrow::Cow::Borrowed(text);
    }
    let room = MAX_CELL_UTF16 - CUT_MARK.encode_utf16().count();
    let mut used = 0;
    let end = text
        .char_indices()
        .find(|(_, c)| {
            used += c.len_utf16();
            used > room
        })
        .map_or(text.len(), |(i, _)| i);
    std::borrow::Cow::Owned(format!("{}{CUT_MARK}", &text[..end]))
}

/// A cell value, typed for what it is.
pub enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    Number(f64),
    Date(NaiveDate),
    /// Shown in the salon's local time.
    DateTime(DateTime<Utc>),
    Empty,
}

impl Cell<'_> {
    pub fn opt_date(d: Option<NaiveDate>) -> Cell<'static> {
        d.map(Cell::Date).unwrap_or(Cell::Empty)
    }

    pub fn opt_datetime(d: Option<DateTime<Utc>>) -> Cell<'static> {
        d.map(Cell::DateTime).unwrap_or(Cell::Empty)
    }
}

/// Shared cell formats.
pub struct Formats {
    header: Format,
    general: Format,
    date: Format,
    datetime: Format,
    text: Format,
}

impl Default for Formats {
    fn default() -> Self {
        Formats::new()
    }
}

impl Formats {
    pub fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            general: Format::new(),
            date: Format::new().set_num_format("dd.mm.yyyy"),
            datetime: Format::new().set_num_format("dd.mm.yyyy hh:mm"),
            // "@": the cell is text, also when someone edits it in Excel later.
            text: Format::new().set_num_format("@"),
        }
    }

    /// The cell format of a column of this kind (numbers have none: "General").
    fn of(&self, kind: Kind) -> Option<&Format> {
        match kind {
            Kind::Text => Some(&self.text),
            Kind::Number => None,
            Kind::Date => Some(&self.date),
            Kind::DateTime => Some(&self.datetime),
        }
    }
}

/// What a column holds; decides the column's cell format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    Date,
    DateTime,
}

/// A column: its header, width in characters and kind.
pub struct Column {
    pub header: String,
    pub width: f64,
    pub kind: Kind,
}

/// Writes one sheet. Several can be open on the same workbook at once (each constant-memory
/// sheet has its own temporary file), so the workbook is passed to each call.
pub struct SheetWriter<'f> {
    formats: &'f Formats,
    name: String,
    columns: Vec<Column>,
    index: usize,
    part: u32,
    row: u32,
    rows_written: u64,
    /// The local UTC offset per hour: asking the time zone for every cell is slow.
    offsets: HashMap<i64, FixedOffset>,
}

fn local_time(cache: &mut HashMap<i64, FixedOffset>, t: DateTime<Utc>) -> NaiveDateTime {
    let hour = t.timestamp().div_euclid(3600);
    let offset = *cache
        .entry(hour)
        .or_insert_with(|| *t.with_timezone(&Local).offset());
    t.naive_utc() + offset
}

impl<'f> SheetWriter<'f> {
    /// Adds the sheet (after the workbook's last one) with its header row.
    pub fn new(
        workbook: &mut Workbook,
        formats: &'f Formats,
        name: &str,
        columns: Vec<Column>,
    ) -> Result<SheetWriter<'f>> {
        let mut writer = SheetWriter {
            formats,
            name: name.to_string(),
            columns,
            index: 0,
            part: 0,
            row: 0,
            rows_written: 0,
            offsets: HashMap::new(),
        };
        writer.start_sheet(workbook)?;
        Ok(writer)
    }

    fn start_sheet(&mut self, workbook: &mut Workbook) -> Result<()> {
        if self.part > 0 {
            self.finish_sheet(workbook)?;
        }
        self.part += 1;
        let name = match self.part {
            1 => self.name.clone(),
            n => format!("{} ({n})", self.name),
        };
        self.index = workbook.worksheets().len();
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx)?;
        sheet.set_name(name).map_err(xlsx)?;
        for (col, column) in self.columns.iter().enumerate() {
            let col = col as u16;
            sheet.set_column_width(col, column.width).map_err(xlsx)?;
            if let Some(format) = self.formats.of(column.kind) {
                sheet.set_column_format(col, format).map_err(xlsx)?;
            }
        }
        for (col, column) in self.columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, col as u16, &column.header, &self.formats.header)
                .map_err(xlsx)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
        self.row = 0;
        Ok(())
    }

    /// Sets the autofilter over what was written (called when the sheet is done).
    fn finish_sheet(&mut self, workbook: &mut Workbook) -> Result<()> {
        let last_col = self.columns.len().saturating_sub(1) as u16;
        let row = self.row;
        self.sheet(workbook)?
            .autofilter(0, 0, row, last_col)
            .map_err(xlsx)?;
        Ok(())
    }

    fn sheet<'w>(&self, workbook: &'w mut Workbook) -> Result<&'w mut Worksheet> {
        workbook.worksheet_from_index(self.index).map_err(xlsx)
    }

    pub fn write_row(&mut self, workbook: &mut Workbook, cells: &[Cell]) -> Result<()> {
        if self.row >= MAX_ROW {
            self.start_sheet(workbook)?;
        }
        self.row += 1;
        self.rows_written += 1;
        let row = self.row;
        let formats = self.formats;
        let offsets = &mut self.offsets;
        let sheet = workbook.worksheet_from_index(self.index).map_err(xlsx)?;
        for ((col, cell), column) in cells.iter().enumerate().zip(&self.columns) {
            let col = col as u16;
            let kind = match cell {
                Cell::Text("") | Cell::Empty => continue,
                Cell::Owned(s) if s.is_empty() => continue,
                Cell::Text(_) | Cell::Owned(_) => Kind::Text,
                Cell::Number(_) => Kind::Number,
                Cell::Date(_) => Kind::Date,
                Cell::DateTime(_) => Kind::DateTime,
            };
            // The column's format applies unless the cell is of another kind.
            let own_format = match kind == column.kind {
                true => None,
                false => Some(formats.of(kind).unwrap_or(&formats.general)),
            };
            match (cell, own_format) {
                (Cell::Text(s), None) => sheet.write_string(row, col, fit_cell(s)),
                (Cell::Text(s), Some(f)) => {
                    sheet.write_string_with_format(row, col, fit_cell(s), f)
                }
                (Cell::Owned(s), None) => sheet.write_string(row, col, fit_cell(s)),
                (Cell::Owned(s), Some(f)) => {
                    sheet.write_string_with_format(row, col, fit_cell(s), f)
                }
                (Cell::Number(n), None) => sheet.write_number(row, col, *n),
                (Cell::Number(n), Some(f)) => sheet.write_number_with_format(row, col, *n, f),
                (Cell::Date(d), None) => sheet.write_datetime(row, col, d),
                (Cell::Date(d), Some(f)) => sheet.write_datetime_with_format(row, col, d, f),
                (Cell::DateTime(t), f) => {
                    let local = local_time(offsets, *t);
                    match f {
                        None => sheet.write_datetime(row, col, local),
                        Some(f) => sheet.write_datetime_with_format(row, col, local, f),
                    }
                }
                (Cell::Empty, _) => continue,
            }
            .map_err(xlsx)?;
        }
        Ok(())
    }

    /// Data rows written (without headers), across all parts.
    pub fn finish(mut self, workbook: &mut Workbook) -> Result<u64> {
        self.finish_sheet(workbook)?;
        Ok(self.rows_written)
    }
}

/// rust_xlsxwriter's errors: a full disk stays an I/O error (so that "not enough space" can be
/// told apart), anything else is internal.
pub fn xlsx(e: XlsxError) -> CoreError {
    match e {
        XlsxError::IoError(io) => CoreError::Io(io),
        other => CoreError::Io(std::io::Error::other(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook, Data, Reader, Xlsx};

    #[test]
    fn a_text_over_excels_limit_is_cut_with_a_mark_and_the_export_succeeds() {
        let long = "ä".repeat(40_000);
        let emoji = "😀".repeat(20_000); // two UTF-16 units each
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let formats = Formats::new();
        let mut workbook = Workbook::new();
        let text = |h: &str| Column {
            header: h.into(),
            width: 10.0,
            kind: Kind::Text,
        };
        let mut sheet = SheetWriter::new(
            &mut workbook,
            &formats,
            "T",
            vec![text("a"), text("b"), text("c")],
        )
        .unwrap();
        sheet
            .write_row(
                &mut workbook,
                &[
                    Cell::Text(&long),
                    Cell::Owned(emoji.clone()),
                    Cell::Text("kurz"),
                ],
            )
            .unwrap();
        sheet.finish(&mut workbook).unwrap();
        workbook.save(&path).unwrap();
        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        let range = book.worksheet_range("T").unwrap();
        let cell = |c: u32| match range.get_value((1, c)) {
            Some(Data::String(s)) => s.clone(),
            other => panic!("{other:?}"),
        };
        for (c, original) in [(0, &long), (1, &emoji)] {
            let got = cell(c);
            assert!(got.ends_with(CUT_MARK), "column {c}");
            let units = got.encode_utf16().count();
            assert!(
                (MAX_CELL_UTF16 - 1..=MAX_CELL_UTF16).contains(&units),
                "{c}: {units}"
            );
            assert!(original.starts_with(got.trim_end_matches(CUT_MARK)));
        }
        assert_eq!(cell(2), "kurz");
        assert_eq!(fit_cell("kurz"), "kurz");
    }
}
