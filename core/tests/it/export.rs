//! The Excel export read back with calamine: sheets, headers, typed cells, row counts, filtered
//! lists, one customer, the USB stick's temp-file-and-rename.

use crate::fixture::{now, phone, Fixture};
use calamine::{open_workbook, Data, Reader, Xlsx};
use chrono::Duration;
use kartei_core::export::{self, ExportQuery, ExportScope};
use kartei_core::model::*;
use kartei_core::search::SearchRequest;
use kartei_core::Lang;
use std::path::Path;

pub fn sample(f: &Fixture) -> Customer {
    let anna = f.add_with(CustomerDraft {
        salutation: Salutation::Frau,
        first_name: "Anna".into(),
        last_name: "Müller".into(),
        company: "=1+1".into(),
        phones: phone("0171 2345678"),
        email: "anna@example.de".into(),
        birthday: "12.03.1985".into(),
        address: Address {
            street: "Königsbrücker Straße 5".into(),
            postal_code: "01067".into(),
            city: "Dresden".into(),
            country: "DE".into(),
        },
        groups: vec!["VIP".into()],
        ..Default::default()
    });
    f.add_with(CustomerDraft {
        first_name: "Jörg".into(),
        last_name: "Weiß".into(),
        birthday: "24.11.".into(),
        ..Default::default()
    });
    let cut = f.service("Schnitt");
    f.appointment(anna.id, now() - Duration::days(10), &[cut.id]);
    f.appointment(anna.id, now() - Duration::days(40), &[cut.id]);
    f.kartei
        .add_note(
            anna.id,
            &NoteDraft {
                kind: NoteKind::Allergy,
                text: "-Nickel".into(),
                ..Default::default()
            },
            "Lena",
        )
        .unwrap();
    anna
}

fn rows(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn col(header: &[Data], name: &str) -> usize {
    header
        .iter()
        .position(|h| matches!(h, Data::String(s) if s == name))
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn the_export_reads_back_with_typed_cells() {
    let f = Fixture::new();
    sample(&f);
    let path = f.dir.path().join("out.xlsx");
    let mut calls = 0;
    let summary = export::write_xlsx(
        &f.kartei,
        &ExportQuery::default().scope(),
        Lang::De,
        &path,
        "Test",
        |_| calls += 1,
    )
    .unwrap();
    assert_eq!(
        (summary.customers, summary.appointments, summary.notes),
        (2, 2, 1)
    );
    assert!(calls >= 2);

    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), ["Kunden", "Termine", "Notizen"]);

    let kunden = rows(&path, "Kunden");
    assert_eq!(kunden.len(), 3, "header and two customers");
    let h = &kunden[0];
    assert_eq!(h[3].to_string(), "Vorname");
    // Sorted by name: Müller before Weiß.
    let anna = &kunden[1];
    assert_eq!(anna[col(h, "Nachname")], Data::String("Müller".into()));
    assert_eq!(
        anna[col(h, "Mobil")],
        Data::String("0171 2345678".into()),
        "phone numbers stay text with their leading zero"
    );
    assert_eq!(anna[col(h, "PLZ")], Data::String("01067".into()));
    assert_eq!(
        anna[col(h, "Firma")],
        Data::String("=1+1".into()),
        "a formula-looking text stays text"
    );
    match &anna[col(h, "Geburtstag")] {
        Data::DateTime(d) => assert_eq!(
            d.as_datetime().unwrap().date(),
            chrono::NaiveDate::from_ymd_opt(1985, 3, 12).unwrap()
        ),
        other => panic!("birthday is not a date: {other:?}"),
    }
    assert!(matches!(anna[col(h, "Letzter Besuch")], Data::DateTime(_)));
    assert_eq!(anna[col(h, "Besuche")], Data::Float(2.0));
    assert_eq!(
        anna[col(h, "Häufigste Leistung")],
        Data::String("Schnitt".into())
    );
    assert_eq!(anna[col(h, "Gruppen")], Data::String("VIP".into()));
    let jorg = &kunden[2];
    assert_eq!(jorg[col(h, "Geburtstag")], Data::String("24.11.".into()));

    let termine = rows(&path, "Termine");
    assert_eq!(termine.len(), 3);
    assert_eq!(termine[1][2], Data::String("Anna Müller".into()));
    assert!(matches!(termine[1][3], Data::DateTime(_)));

    let notizen = rows(&path, "Notizen");
    assert_eq!(notizen.len(), 2);
    assert_eq!(notizen[1][3], Data::String("Allergie".into()));
    assert_eq!(notizen[1][4], Data::String("-Nickel".into()));
}

#[test]
fn english_headers_and_a_filtered_list() {
    let f = Fixture::new();
    sample(&f);
    let path = f.dir.path().join("weiss.xlsx");
    let query = ExportQuery {
        q: "Weiß".into(),
        ..Default::default()
    };
    let summary =
        export::write_xlsx(&f.kartei, &query.scope(), Lang::En, &path, "Test", |_| {}).unwrap();
    assert_eq!(
        (summary.customers, summary.appointments, summary.notes),
        (1, 0, 0)
    );
    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), ["Customers", "Appointments", "Notes"]);
    let customers = rows(&path, "Customers");
    assert_eq!(customers[0][3].to_string(), "First name");
    assert_eq!(customers[1][3], Data::String("Jörg".into()));
}

#[test]
fn one_customers_data_as_xlsx_and_json() {
    let f = Fixture::new();
    let anna = sample(&f);
    let path = f.dir.path().join("anna.xlsx");
    let summary = export::write_xlsx(
        &f.kartei,
        &ExportScope::Customer(anna.id),
        Lang::De,
        &path,
        "Test",
        |_| {},
    )
    .unwrap();
    assert_eq!(
        (summary.customers, summary.appointments, summary.notes),
        (1, 2, 1)
    );
    let data = export::customer_data(&f.kartei, anna.id, "Test").unwrap();
    let json = serde_json::to_value(&data).unwrap();
    assert_eq!(json["customer"]["last_name"], "Müller");
    assert_eq!(json["appointments"].as_array().unwrap().len(), 2);
    assert_eq!(json["notes"][0]["text"], "-Nickel");
    assert!(export::customer_data(&f.kartei, CustomerId(999), "Test").is_err());
}

#[test]
fn the_usb_export_leaves_no_half_file() {
    let f = Fixture::new();
    sample(&f);
    let stick = tempfile::tempdir().unwrap();
    let scope = ExportScope::List(SearchRequest {
        include_deactivated: true,
        ..Default::default()
    });
    let (first, _) =
        kartei_core::usb::export_to_dir(&f.kartei, &scope, Lang::De, stick.path(), "Test", |_| {})
            .unwrap();
    assert_eq!(first.file_name().unwrap(), "kunden-2026-11-24.xlsx");
    let (second, _) =
        kartei_core::usb::export_to_dir(&f.kartei, &scope, Lang::De, stick.path(), "Test", |_| {})
            .unwrap();
    assert_eq!(second.file_name().unwrap(), "kunden-2026-11-24-2.xlsx");
    let names: Vec<String> = std::fs::read_dir(stick.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    let wb: Xlsx<_> = open_workbook(&second).unwrap();
    assert_eq!(wb.sheet_names().len(), 3);
    // A folder that cannot be written gives an error and leaves nothing behind.
    let missing = stick.path().join("gone");
    assert!(
        kartei_core::usb::export_to_dir(&f.kartei, &scope, Lang::De, &missing, "Test", |_| {})
            .is_err()
    );
}

/// The progress bar moves through the whole export: one total, `done` never goes back, steps
/// come during the appointments (the longest pass) and the last report is the total.
#[test]
fn export_progress_moves_through_every_pass() {
    let f = Fixture::new();
    kartei_core::demo::generate(&f.kartei, 300, 7, |_| {}).unwrap();
    let mut appointments = 0u64;
    f.kartei
        .store()
        .for_each_customer(|c| {
            appointments += f.kartei.store().appointments_of(c.id)?.len() as u64;
            Ok(())
        })
        .unwrap();
    assert!(appointments > 2000, "{appointments}");
    let out = f.dir.path().join("fortschritt.xlsx");
    let mut reports = Vec::new();
    export::write_xlsx(
        &f.kartei,
        &ExportQuery::default().scope(),
        Lang::De,
        &out,
        "Test",
        |p| reports.push(p),
    )
    .unwrap();
    let total = reports[0].total;
    assert!(reports.iter().all(|p| p.total == total), "{reports:?}");
    assert!(
        reports.windows(2).all(|w| w[0].done <= w[1].done),
        "{reports:?}"
    );
    assert_eq!(reports.last().map(|p| p.done), Some(total));
    assert!(
        reports
            .iter()
            .filter(|p| p.done > 0 && p.done < appointments)
            .count()
            >= 2,
        "reports during the appointments: {reports:?}"
    );
}
