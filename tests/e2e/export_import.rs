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

/// The exported workbook opened by LibreOffice Calc (headless), a second real reader besides
/// calamine: every sheet converts, dates show in the German format, phone numbers keep their
/// leading zero and text that looks like a formula stays text.
#[test]
fn libreoffice_opens_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let contacts = dir.path().join("kontakte.vcf");
    std::fs::write(
        &contacts,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Öztürk;Ayşe;;;\r\nTEL;type=CELL:0171 2345678\r\n\
         BDAY:1990-02-28\r\nNOTE:=1+1\r\nEND:VCARD\r\n",
    )
    .unwrap();
    let out = kartei(&data, &["import", contacts.to_str().unwrap(), "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let xlsx = dir.path().join("kunden.xlsx");
    let out = kartei(&data, &["export", "--out", xlsx.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));

    let converted = dir.path().join("csv");
    let profile = format!("file://{}", dir.path().join("lo-profile").display());
    // Filter options: `;` separated, `"` quoted, UTF-8, values as shown, every sheet.
    let out = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to"])
        .arg("csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,true,false,false,-1")
        .arg("--outdir")
        .arg(&converted)
        .arg(&xlsx)
        .output()
        .expect("LibreOffice (soffice) is installed by scripts/setup");
    assert!(out.status.success(), "{}", stderr(&out));
    let sheet = |name: &str| {
        let path = converted.join(format!("kunden-{name}.csv"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; {}", path.display(), stdout(&out)))
    };
    let customers = sheet("Kunden");
    let mut lines = customers.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let row: Vec<&str> = lines.next().unwrap().split(';').collect();
    let cell = |name: &str| {
        let col = header.iter().position(|h| *h == name).unwrap();
        row[col].trim_matches('"')
    };
    assert_eq!(cell("Vorname"), "Ayşe");
    assert_eq!(cell("Mobil"), "0171 2345678");
    assert_eq!(cell("Geburtstag"), "28.02.1990");
    assert!(
        cell("Angelegt").len() == 16 && cell("Angelegt").as_bytes()[2] == b'.',
        "a date and time as 24.11.2026 10:30: {}",
        cell("Angelegt")
    );
    assert!(sheet("Termine").starts_with("Termin-Nr.;Kunden-Nr.;Kunde;Beginn"));
    let notes = sheet("Notizen");
    assert!(
        notes.contains("\"=1+1\"") || notes.contains(";=1+1;"),
        "{notes}"
    );
    assert!(!notes.contains(";2;"), "the note became a formula: {notes}");
}
