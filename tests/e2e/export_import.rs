//! `kartei export`, `kartei import` (dry run, --yes, twice), `kartei duplicates` and
//! `kartei merge` on the real binary; the exported file is read back with calamine.

use crate::support::{kartei, stderr, stdout};

const CONTACTS: &str = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Wei=C3=9F;J=C3=B6rg;;;\r\nTEL;CELL:0151 23456789\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Weiss;Jörg;;;\r\nTEL;type=HOME:089 1234567\r\nEMAIL:joerg@example.de\r\nEND:VCARD\r\n";

#[test]
fn export_import_duplicates_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("kontakte.vcf");
    std::fs::write(&file, CONTACTS).unwrap();
    let file = file.to_str().unwrap();

    let out = kartei(&data, &["import", file, "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Vorschau: 2 neu"), "{}", stdout(&out));
    assert!(stdout(&out).contains("Nichts importiert."));

    let out = kartei(&data, &["import", file, "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 neu angelegt"), "{}", stdout(&out));

    let out = kartei(&data, &["import", file, "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 schon vorhanden"),
        "{}",
        stdout(&out)
    );

    let out = kartei(&data, &["duplicates"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ähnlicher Name"), "{}", stdout(&out));

    let out = kartei(&data, &["merge", "1", "2", "--take", "last_name", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Zusammengeführt in #1"),
        "{}",
        stdout(&out)
    );

    let xlsx = dir.path().join("kunden.xlsx");
    let out = kartei(&data, &["export", "--out", xlsx.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 Kunden"), "{}", stdout(&out));
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let rows = wb.worksheet_range("Kunden").unwrap();
    assert_eq!(rows.height(), 2);
    assert_eq!(rows.get((1, 4)).unwrap().to_string(), "Weiss");
    assert_eq!(
        rows.get((1, 6)).unwrap().to_string(),
        "01512 3456789",
        "DIN display form, as text"
    );

    let junk = dir.path().join("foto.bin");
    std::fs::write(&junk, [0u8, 159, 146, 150, 1, 2, 3, 0, 0, 7]).unwrap();
    let out = kartei(&data, &["import", junk.to_str().unwrap(), "--yes"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("Unbekanntes Dateiformat"),
        "{}",
        stderr(&out)
    );
}
