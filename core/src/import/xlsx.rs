//! Excel workbooks (`.xlsx`, read with calamine): the sheet named like Kartei's customer sheet
//! ("Kunden"/"Customers") if there is one, else the first sheet; its first non-empty row is
//! the header. Cells are streamed and bounded, so a sheet claiming two million columns is
//! refused instead of being allocated.
//!
//! Before calamine opens the workbook, every part is unpacked once into nothing and counted
//! (declared sizes can lie): a workbook that unpacks to more than [`MAX_UNPACKED_BYTES`], or
//! whose shared strings (which calamine keeps in memory whole) exceed
//! [`MAX_SHARED_STRINGS_BYTES`], is refused, as is a sheet with more than [`MAX_CELLS`] filled
//! cells. A 1 MB upload can thus no longer grow the process by gigabytes.

use super::mapping;
use super::table::Table;
use super::{refuse, Format, Parsed, MAX_COLUMNS, MAX_RECORDS};
use crate::error::Result;
use crate::i18n::Msg;
use calamine::{DataRef, Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// All parts of a workbook together, unpacked.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;
/// The shared strings part, unpacked (calamine holds it in memory).
pub const MAX_SHARED_STRINGS_BYTES: u64 = 32 * 1024 * 1024;
/// Filled cells read from the sheet (each is kept until the preview is made).
pub const MAX_CELLS: usize = 1_000_000;
/// Parts of a workbook (a real one has a few dozen).
const MAX_PARTS: usize = 1_000;

/// The bounds of one read; the defaults are the constants above (tests use smaller ones).
#[derive(Debug, Clone, Copy)]
struct Limits {
    unpacked: u64,
    shared_strings: u64,
    cells: usize,
}

const LIMITS: Limits = Limits {
    unpacked: MAX_UNPACKED_BYTES,
    shared_strings: MAX_SHARED_STRINGS_BYTES,
    cells: MAX_CELLS,
};

pub fn read(bytes: &[u8]) -> Result<Parsed> {
    mapping::records(table(bytes)?, Format::Xlsx)
}

pub fn table(bytes: &[u8]) -> Result<Table> {
    table_within(bytes, LIMITS)
}

/// Unpacks every part into nothing, counting, and refuses the file when a bound is passed.
fn check_unpacked(bytes: &[u8], limits: Limits) -> Result<()> {
    let unreadable = |_| refuse(Msg::ImportUnreadable);
    let too_large = || {
        refuse(Msg::ImportUnpackedTooLarge {
            max_mb: limits.unpacked / (1024 * 1024),
        })
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > MAX_PARTS {
        return Err(too_large());
    }
    let mut left = limits.unpacked;
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(unreadable)?;
        let shared_strings = part
            .name()
            .is_ok_and(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml"));
        let cap = match shared_strings {
            true => left.min(limits.shared_strings),
            false => left,
        };
        if part.size() > cap {
            return Err(too_large());
        }
        let read = std::io::copy(&mut (&mut part).take(cap + 1), &mut std::io::sink())
            .map_err(|_| refuse(Msg::ImportUnreadable))?;
        if read > cap {
            return Err(too_large());
        }
        left -= read;
    }
    Ok(())
}

fn table_within(bytes: &[u8], limits: Limits) -> Result<Table> {
    check_unpacked(bytes, limits)?;
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
    let mut filled = 0usize;
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        if col as usize >= MAX_COLUMNS {
            return Err(refuse(Msg::ImportTooManyColumns { max: MAX_COLUMNS }));
        }
        let value = text_of(cell.get_value());
        if value.is_empty() {
            continue;
        }
        filled += 1;
        if filled > limits.cells {
            return Err(refuse(Msg::ImportTooManyCells { max: limits.cells }));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A real workbook: a "Kunden" sheet with a header and `rows` contacts.
    fn workbook(rows: u32) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Kunden").unwrap();
        sheet.write_string(0, 0, "Vorname").unwrap();
        sheet.write_string(0, 1, "Nachname").unwrap();
        for r in 1..=rows {
            sheet.write_string(r, 0, format!("Anna{r}")).unwrap();
            sheet.write_string(r, 1, "Bombe").unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    /// The same workbook with its shared strings replaced by `unpacked` bytes of strings that
    /// deflate to almost nothing.
    fn bomb(unpacked: usize) -> Vec<u8> {
        let original = workbook(1);
        let mut source = zip::ZipArchive::new(Cursor::new(&original)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1));
        for i in 0..source.len() {
            let part = source.by_index(i).unwrap();
            if part.name().unwrap() != "xl/sharedStrings.xml" {
                out.raw_copy_file(part).unwrap();
                continue;
            }
            drop(part);
            out.start_file("xl/sharedStrings.xml", options).unwrap();
            out.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#).unwrap();
            let chunk = "<si><t>x</t></si>".repeat(64 * 1024);
            let mut written = 0;
            while written < unpacked {
                out.write_all(chunk.as_bytes()).unwrap();
                written += chunk.len();
            }
            out.write_all(b"</sst>").unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_normal_workbook_reads() {
        let table = table(&workbook(3)).unwrap();
        assert_eq!(table.headers, ["Vorname", "Nachname"]);
        assert_eq!(table.rows.len(), 3);
    }

    #[test]
    fn a_zip_bomb_is_refused_with_a_clear_message_before_it_is_read() {
        let bomb = bomb(40 * 1024 * 1024);
        assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
        let started = std::time::Instant::now();
        let err = table(&bomb).unwrap_err();
        // (core never prints: the figures are in README's security section)
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(err
            .user_message(crate::Lang::De)
            .contains("entpackt zu groß (höchstens 100 MB)"));
        assert!(err
            .user_message(crate::Lang::En)
            .contains("too large unpacked (at most 100 MB)"));
        // Bounded by the total as well: small limits, so the test stays quick.
        let tight = Limits {
            unpacked: 1024 * 1024,
            shared_strings: u64::MAX,
            cells: MAX_CELLS,
        };
        assert!(matches!(
            table_within(&bomb, tight),
            Err(crate::CoreError::Invalid(_))
        ));
    }

    #[test]
    fn too_many_cells_are_refused() {
        let limits = Limits {
            cells: 100,
            ..LIMITS
        };
        assert!(table_within(&workbook(49), limits).is_ok());
        let err = table_within(&workbook(60), limits).unwrap_err();
        assert!(err
            .user_message(crate::Lang::En)
            .contains("too many filled cells (at most 100)"));
    }
}
