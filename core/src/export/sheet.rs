//! One worksheet written row by row in constant-memory mode, with typed cells: text is always
//! stored as text (a value starting with `=` never becomes a formula, `0171…` keeps its zero),
//! dates are real Excel dates with a German format. A sheet that reaches Excel's row limit
//! continues on a second sheet with the same header ("Termine (2)").

use crate::error::{CoreError, Result};
use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, Utc};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::collections::HashMap;

/// Excel's last row index (1,048,576 rows).
const MAX_ROW: u32 = 1_048_575;

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
            date: Format::new().set_num_format("dd.mm.yyyy"),
            datetime: Format::new().set_num_format("dd.mm.yyyy hh:mm"),
            // "@": the cell is text, also when someone edits it in Excel later.
            text: Format::new().set_num_format("@"),
        }
    }
}

/// A column: its header and width in characters.
pub struct Column {
    pub header: String,
    pub width: f64,
}

pub struct SheetWriter<'w> {
    workbook: &'w mut Workbook,
    formats: &'w Formats,
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

impl<'w> SheetWriter<'w> {
    pub fn new(
        workbook: &'w mut Workbook,
        formats: &'w Formats,
        name: &str,
        columns: Vec<Column>,
    ) -> Result<SheetWriter<'w>> {
        let mut writer = SheetWriter {
            workbook,
            formats,
            name: name.to_string(),
            columns,
            index: 0,
            part: 0,
            row: 0,
            rows_written: 0,
            offsets: HashMap::new(),
        };
        writer.start_sheet()?;
        Ok(writer)
    }

    fn start_sheet(&mut self) -> Result<()> {
        if self.part > 0 {
            self.finish_sheet()?;
        }
        self.part += 1;
        let name = match self.part {
            1 => self.name.clone(),
            n => format!("{} ({n})", self.name),
        };
        self.index = self.workbook.worksheets().len();
        let sheet = self
            .workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx)?;
        sheet.set_name(name).map_err(xlsx)?;
        for (col, column) in self.columns.iter().enumerate() {
            sheet
                .set_column_width(col as u16, column.width)
                .map_err(xlsx)?;
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
    fn finish_sheet(&mut self) -> Result<()> {
        let last_col = self.columns.len().saturating_sub(1) as u16;
        let row = self.row;
        self.sheet()?
            .autofilter(0, 0, row, last_col)
            .map_err(xlsx)?;
        Ok(())
    }

    fn sheet(&mut self) -> Result<&mut Worksheet> {
        self.workbook.worksheet_from_index(self.index).map_err(xlsx)
    }

    pub fn write_row(&mut self, cells: &[Cell]) -> Result<()> {
        if self.row >= MAX_ROW {
            self.start_sheet()?;
        }
        self.row += 1;
        self.rows_written += 1;
        let row = self.row;
        let formats = self.formats;
        let offsets = &mut self.offsets;
        let sheet = self
            .workbook
            .worksheet_from_index(self.index)
            .map_err(xlsx)?;
        for (col, cell) in cells.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(s) if !s.is_empty() => {
                    sheet.write_string_with_format(row, col, *s, &formats.text)
                }
                Cell::Owned(s) if !s.is_empty() => {
                    sheet.write_string_with_format(row, col, s, &formats.text)
                }
                Cell::Number(n) => sheet.write_number(row, col, *n),
                Cell::Date(d) => sheet.write_datetime_with_format(row, col, d, &formats.date),
                Cell::DateTime(t) => {
                    let local = local_time(offsets, *t);
                    sheet.write_datetime_with_format(row, col, local, &formats.datetime)
                }
                _ => continue,
            }
            .map_err(xlsx)?;
        }
        Ok(())
    }

    /// Data rows written (without headers), across all parts.
    pub fn finish(mut self) -> Result<u64> {
        self.finish_sheet()?;
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
