//! CSV files as Excel and other salon systems write them: `;` (German Excel) or `,` or tab
//! separated, quoted fields with separators and line breaks inside, any encoding that
//! [`super::text`] knows. The separator is the one the header line uses most.

use super::mapping;
use super::table::Table;
use super::{refuse, Format, Parsed, MAX_COLUMNS, MAX_RECORDS};
use crate::error::Result;
use crate::i18n::Msg;

pub fn read(text: &str) -> Result<Parsed> {
    mapping::records(table(text)?, Format::Csv)
}

/// The separator the first line uses most, outside quotes.
pub fn separator(text: &str) -> u8 {
    let mut counts = [(b';', 0usize), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(c) = counts.iter_mut().find(|(s, _)| *s == b) {
                    c.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(s, _)| *s)
        .unwrap_or(b',')
}

/// Reads the CSV into a table; refuses files with more than [`MAX_COLUMNS`] columns or
/// [`MAX_RECORDS`] rows.
pub fn table(text: &str) -> Result<Table> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(separator(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    let mut record = ::csv::StringRecord::new();
    let mut first = true;
    // Line numbers as an editor shows them, counting line breaks inside quoted fields.
    let (mut counted_to, mut line_at) = (0usize, 1usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => return Err(refuse(Msg::ImportUnreadable)),
        }
        if record.len() > MAX_COLUMNS {
            return Err(refuse(Msg::ImportTooManyColumns { max: MAX_COLUMNS }));
        }
        let mut start = record
            .position()
            .map(|p| p.byte() as usize)
            .unwrap_or(counted_to)
            .min(text.len());
        // The position may point at the line break that ended the previous record.
        while start < text.len() && matches!(text.as_bytes()[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > counted_to {
            line_at += text.as_bytes()[counted_to..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            counted_to = start;
        }
        let line = line_at;
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if first {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            table.headers = cells;
            first = false;
        } else {
            if table.rows.len() >= MAX_RECORDS {
                return Err(refuse(Msg::ImportTooManyRows { max: MAX_RECORDS }));
            }
            table.rows.push((line, cells));
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_quoted_line_breaks() {
        assert_eq!(separator("Vorname;Nachname;Notiz\n"), b';');
        assert_eq!(separator("\"a;b\",c,d\n"), b',');
        assert_eq!(separator("a\tb\tc"), b'\t');
        let t = table("Vorname,Nachname,Notiz\r\nAnna,Müller,\"Zeile 1\nZeile 2, mit Komma\"\r\nJörg,Weiß,\r\n")
            .unwrap();
        assert_eq!(t.headers, ["Vorname", "Nachname", "Notiz"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].1[2], "Zeile 1\nZeile 2, mit Komma");
        assert_eq!(t.rows[1].0, 4);
    }
}
