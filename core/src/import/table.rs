//! A spreadsheet as the import sees it: one header row and text cells, whatever the file was.

/// Header and rows; each row with its line number in the file (the header is line 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}
