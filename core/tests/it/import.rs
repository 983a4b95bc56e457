//! Importing realistic files written for the tests (iPhone, Android, Google vCards; Excel CSVs in
//! Windows-1252 and UTF-8 with BOM; xlsx), umlauts in every encoding, bad input, re-import,
//! export → import round trip, duplicates and merging.

use crate::export::sample;
use crate::fixture::{now, phone, Fixture};
use chrono::Duration;
use kartei_core::export::{self, ExportQuery};
use kartei_core::import::{self, duplicates, merge, RowAction};
use kartei_core::model::*;
use kartei_core::{CoreError, Lang};

const IPHONE_30: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.1//EN\r\nN:Müller;Käthe;;;\r\nFN:Käthe Müller\r\nORG:Salon Schön;\r\nitem1.EMAIL;type=INTERNET;type=pref:kaethe@example.de\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nTEL;type=CELL;type=VOICE;type=pref:0171 2345678\r\nTEL;type=HOME;type=VOICE:+49 (89) 123 45 67\r\nitem2.ADR;type=HOME;type=pref:;;Hauptstraße 5;München;;80331;Deutschland\r\nitem2.X-ABADR:de\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-11-24\r\nNOTE:Mag es kurz\\, im Nacken. Allergie:\\nNickel\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8\r\n UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAA\r\n AAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Öztürk;Ayşe;;;\r\nFN:Ayşe Öztürk\r\nTEL;type=CELL:+49 176 12345678\r\nBDAY:1990-02-28\r\nEND:VCARD\r\n";

const ANDROID_21_UTF8: &str = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Wei=C3=9F;J=C3=B6rg;;;\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=B6rg Wei=C3=9F\r\nTEL;CELL;PREF:0151-23456789\r\nTEL;WORK:0221 9876543\r\nEMAIL;HOME:joerg.weiss@example.de\r\nNOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:F=C3=A4rbt seit 2019 =E2=80=93 immer 7/1.=0D=0AZweite Zeile, die sehr lang i=\r\nst und umbrochen wurde.\r\nEND:VCARD\r\n";

/// Android 2.1 with ISO-8859-1 quoted-printable (older Samsung phones).
const ANDROID_21_LATIN1: &str = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:B=E4cker;S=F6ren;;;\r\nTEL;CELL:01701234567\r\nADR;HOME;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:;;Stra=DFe des 17. Juni 3;K=F6ln;;50667;\r\nEND:VCARD\r\n";

const GOOGLE_40: &str = "BEGIN:VCARD\nVERSION:4.0\nFN:Zoë Schröder\nN:Schröder;Zoë;;;\nEMAIL;TYPE=home;PREF=1:zoe.schroeder@example.com\nTEL;VALUE=uri;TYPE=\"cell,voice\":tel:+49-160-9876543\nBDAY:--0705\nADR;TYPE=home:;;Am Bächle 2;Freiburg;;79098;DE\nEND:VCARD\n";

fn preview(f: &Fixture, bytes: &[u8], name: &str) -> import::ImportPreview {
    import::preview(&f.kartei, bytes, name).unwrap()
}

fn take_all(f: &Fixture, p: &import::ImportPreview) -> import::ImportOutcome {
    import::commit(&f.kartei, p, &p.choosable_lines(), "Lena").unwrap()
}

fn by_last_name(f: &Fixture, last: &str) -> Customer {
    let mut found = None;
    f.kartei
        .store()
        .for_each_customer(|c| {
            if c.last_name == last {
                found = Some(c);
            }
            Ok(())
        })
        .unwrap();
    found.unwrap_or_else(|| panic!("no {last}"))
}

fn by_first_name(f: &Fixture, first: &str) -> Customer {
    let mut found = None;
    f.kartei
        .store()
        .for_each_customer(|c| {
            if c.first_name == first {
                found = Some(c);
            }
            Ok(())
        })
        .unwrap();
    found.unwrap_or_else(|| panic!("no {first}"))
}

#[test]
fn iphone_vcard_30() {
    let f = Fixture::new();
    let p = preview(&f, IPHONE_30.as_bytes(), "Kontakte.vcf");
    assert_eq!(p.counts.new, 2, "{:#?}", p.rows);
    assert!(p.rows[0].has_photo);
    let outcome = take_all(&f, &p);
    assert_eq!(outcome.created.len(), 2);
    assert_eq!(
        outcome.photos_added, 1,
        "the embedded photo is put on the card"
    );
    let k = by_last_name(&f, "Müller");
    let photos = f
        .kartei
        .photos(k.id, kartei_core::photos::PhotoFilter::Newest)
        .unwrap();
    assert_eq!(photos.len(), 1);
    assert!(f.kartei.photo_thumb(photos[0].id).is_ok());
    assert_eq!(k.first_name, "Käthe");
    assert_eq!(k.company, "Salon Schön");
    assert_eq!(k.email.unwrap().as_str(), "kaethe@example.de");
    let numbers: Vec<(PhoneLabel, &str)> = k
        .phones
        .iter()
        .map(|p| (p.label, p.number.as_str()))
        .collect();
    assert_eq!(
        numbers,
        [
            (PhoneLabel::Mobile, "+491712345678"),
            (PhoneLabel::Private, "+49891234567")
        ]
    );
    assert_eq!(k.address.street, "Hauptstraße 5");
    assert_eq!(k.address.postal_code, "80331");
    assert_eq!(k.address.country, "DE");
    assert_eq!(
        k.birthday,
        Some(Birthday::DayMonth { day: 24, month: 11 }),
        "Apple's year 1604 means no year"
    );
    assert_eq!(k.source, Source::Import);
    let notes = f.kartei.notes(k.id).unwrap();
    assert_eq!(notes[0].text, "Mag es kurz, im Nacken. Allergie:\nNickel");
    assert_eq!(by_last_name(&f, "Öztürk").first_name, "Ayşe");
}

#[test]
fn android_21_quoted_printable_in_utf8_and_latin1() {
    let f = Fixture::new();
    let both = format!("{ANDROID_21_UTF8}{ANDROID_21_LATIN1}");
    let p = preview(&f, both.as_bytes(), "00001.vcf");
    assert_eq!(p.counts.new, 2, "{:#?}", p.rows);
    take_all(&f, &p);
    let j = by_last_name(&f, "Weiß");
    assert_eq!(j.first_name, "Jörg");
    assert_eq!(j.phones[0].number, "+4915123456789");
    assert_eq!(j.phones[1].label, PhoneLabel::Business);
    let notes = f.kartei.notes(j.id).unwrap();
    assert_eq!(
        notes[0].text,
        "Färbt seit 2019 – immer 7/1.\nZweite Zeile, die sehr lang ist und umbrochen wurde."
    );
    let s = by_last_name(&f, "Bäcker");
    assert_eq!(s.first_name, "Sören");
    assert_eq!(s.address.street, "Straße des 17. Juni 3");
    assert_eq!(s.address.city, "Köln");
}

#[test]
fn google_vcard_40_and_a_latin1_file_without_quoted_printable() {
    let f = Fixture::new();
    let p = preview(&f, GOOGLE_40.as_bytes(), "contacts.vcf");
    take_all(&f, &p);
    let z = by_last_name(&f, "Schröder");
    assert_eq!(z.first_name, "Zoë");
    assert_eq!(z.phones[0].number, "+491609876543");
    assert_eq!(z.birthday, Some(Birthday::DayMonth { day: 5, month: 7 }));
    assert_eq!(z.address.city, "Freiburg");

    let latin1 = encoding_rs::WINDOWS_1252
        .encode("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Groß;Günter\r\nTEL:0711 123456\r\nEND:VCARD\r\n")
        .0;
    let p = preview(&f, &latin1, "alt.vcf");
    take_all(&f, &p);
    assert_eq!(by_last_name(&f, "Groß").first_name, "Günter");
}

#[test]
fn csv_from_german_excel_in_windows_1252_with_semicolons() {
    let f = Fixture::new();
    let text = "Anrede;Vorname;Nachname;Handy;Telefon;E-Mail;Geburtstag;Straße;PLZ;Ort;Notiz;Lieblingsfarbe\r\n\
Frau;Jürgen;Weiß;0171 2345678;089/1234567;j.weiss@example.de;12.03.1985;Lindenstraße 4;1067;Dresden;Blondierung;Rot\r\n\
Herr;Björn;Schäfer;0160 9876543;;;24.11.;;;;;Grün\r\n\
;Ömer;;kaputt;;nicht-mail;31.02.1990;;;;;\r\n";
    let bytes = encoding_rs::WINDOWS_1252.encode(text).0;
    let p = preview(&f, &bytes, "kunden.csv");
    assert_eq!(
        p.unknown_columns,
        ["Lieblingsfarbe"],
        "unknown columns are reported"
    );
    // The third row's phone, e-mail and birthday are broken: Ömer is still imported, with the
    // broken values in his import note and as warnings on his row.
    assert_eq!((p.counts.new, p.counts.invalid), (3, 0));
    assert_eq!(p.counts.with_warnings, 1);
    let odd = &p.rows[2];
    assert_eq!(odd.line, 4);
    let warnings: Vec<String> = odd.warnings.iter().map(|w| w.text(Lang::De)).collect();
    let warnings = warnings.join(" | ");
    for part in [
        "Telefon „kaputt“",
        "E-Mail „nicht-mail“",
        "Geburtstag „31.02.1990“",
    ] {
        assert!(warnings.contains(part), "{warnings}");
    }
    let outcome = take_all(&f, &p);
    assert_eq!(outcome.created.len(), 3);
    let o = by_first_name(&f, "Ömer");
    assert!(o.phones.is_empty() && o.email.is_none() && o.birthday.is_none());
    let note = &f.kartei.notes(o.id).unwrap()[0].text;
    assert_eq!(
        note,
        "Beim Import nicht in die Felder der Karte übernommen:\nTelefon: kaputt\nGeburtstag: 31.02.1990\nE-Mail: nicht-mail"
    );
    let j = by_last_name(&f, "Weiß");
    assert_eq!(j.first_name, "Jürgen");
    assert_eq!(j.salutation, Salutation::Frau);
    assert_eq!(
        j.address.postal_code, "01067",
        "Excel's lost leading zero is back"
    );
    assert_eq!(j.address.street, "Lindenstraße 4");
    assert_eq!(j.phones.len(), 2);
    assert_eq!(f.kartei.notes(j.id).unwrap()[0].text, "Blondierung");
    assert_eq!(by_last_name(&f, "Schäfer").first_name, "Björn");
}

#[test]
fn csv_in_utf8_with_bom_commas_and_quoted_line_breaks() {
    let f = Fixture::new();
    let text = "\u{feff}First Name,Last Name,Phone 1 - Label,Phone 1 - Value,E-mail 1 - Value,Notes\r\n\
Anna,Köhler,Mobile,+49 172 3456789,anna.koehler@example.com,\"Erste Zeile\nzweite Zeile, mit Komma\"\r\n\
Chloé,Meyer-Lüdenscheidt,Home,0221 345678,,\r\n";
    let p = preview(&f, text.as_bytes(), "google.csv");
    assert_eq!(p.counts.new, 2, "{:#?}", p.rows);
    assert!(p.unknown_columns.is_empty(), "{:?}", p.unknown_columns);
    take_all(&f, &p);
    let a = by_last_name(&f, "Köhler");
    assert_eq!(
        f.kartei.notes(a.id).unwrap()[0].text,
        "Erste Zeile\nzweite Zeile, mit Komma"
    );
    assert_eq!(by_last_name(&f, "Meyer-Lüdenscheidt").first_name, "Chloé");
}

#[test]
fn xlsx_from_another_system() {
    let f = Fixture::new();
    let path = f.dir.path().join("alt.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["Name", "Mobil", "Geburtsdatum", "PLZ", "Ort", "E-Mail"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Müller, Anna").unwrap();
    ws.write_number(1, 1, 1712345678.0).unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(1985, 3, 12).unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    ws.write_datetime_with_format(1, 2, &date, &fmt).unwrap();
    ws.write_number(1, 3, 1067.0).unwrap();
    ws.write_string(1, 4, "Dresden").unwrap();
    ws.write_string(1, 5, "anna@example.de").unwrap();
    ws.write_string(2, 0, "Günther Groß").unwrap();
    wb.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let p = preview(&f, &bytes, "alt.xlsx");
    assert_eq!(p.counts.new, 2, "{:#?}", p.rows);
    take_all(&f, &p);
    let a = by_last_name(&f, "Müller");
    assert_eq!(a.first_name, "Anna");
    assert_eq!(a.phones[0].number, "+491712345678");
    assert_eq!(a.birthday.unwrap().iso(), "1985-03-12");
    assert_eq!(a.address.postal_code, "01067");
    assert_eq!(by_last_name(&f, "Groß").first_name, "Günther");
}

#[track_caller]
fn refused(f: &Fixture, bytes: &[u8], name: &str, want: &str) {
    match import::preview(&f.kartei, bytes, name) {
        Err(CoreError::Invalid(e)) => {
            let msg = e.summary(Lang::De);
            assert!(msg.contains(want), "{name}: {msg}");
        }
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn bad_input_gets_a_clear_message_and_writes_nothing() {
    let f = Fixture::new();
    let truncated = &IPHONE_30[..IPHONE_30.len() - 40];
    refused(&f, truncated.as_bytes(), "Kontakte.vcf", "unvollständig");
    let junk: Vec<u8> = (0..50_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    refused(&f, &junk, "foto.jpg", "Dateiformat");
    let huge = vec![b'a'; 100 * 1024 * 1024];
    refused(&f, &huge, "gross.csv", "zu groß");
    let mut wide = String::from("Vorname,Nachname");
    wide.push_str(&",x".repeat(2_000_000));
    refused(&f, wide.as_bytes(), "breit.csv", "zu viele Spalten");
    refused(&f, b"", "leer.csv", "keine Kontakte");
    refused(&f, b"Farbe;Preis\nrot;3\n", "preise.csv", "Namen");
    // A damaged workbook.
    let path = f.dir.path().join("ok.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "Vorname").unwrap();
    wb.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    refused(&f, &bytes[..bytes.len() / 2], "kaputt.xlsx", "beschädigt");
    refused(&f, b"PK\x03\x04garbage", "kaputt.xlsx", "beschädigt");
    assert_eq!(f.kartei.customer_count(), 0);
}

#[test]
fn importing_twice_creates_nothing_new() {
    let f = Fixture::new();
    let all = format!("{IPHONE_30}{ANDROID_21_UTF8}{GOOGLE_40}");
    let p = preview(&f, all.as_bytes(), "alle.vcf");
    let first = take_all(&f, &p);
    assert_eq!(first.created.len(), 4);
    // The same preview committed again (a double click) creates nothing.
    let again = take_all(&f, &p);
    assert!(again.created.is_empty() && again.merged.is_empty());
    assert_eq!(again.skipped, 4);
    let p2 = preview(&f, all.as_bytes(), "alle.vcf");
    assert_eq!(
        (p2.counts.new, p2.counts.merge, p2.counts.duplicate),
        (0, 0, 4)
    );
    assert_eq!(f.kartei.customer_count(), 4);
}

/// The phone and the kiosk import the same file at once: both previews and both plans are made
/// before either writes (the progress callback waits for the other at the end of its plan), yet
/// the cards are created once.
#[test]
fn two_imports_of_the_same_file_at_once_create_the_cards_once() {
    let f = Fixture::new();
    let all = format!("{IPHONE_30}{ANDROID_21_UTF8}{GOOGLE_40}");
    let phone = preview(&f, all.as_bytes(), "alle.vcf");
    let kiosk = preview(&f, all.as_bytes(), "alle.vcf");
    let planned = (phone.rows.len() + 1) as u64;
    let both_planned = std::sync::Barrier::new(2);
    let outcomes: Vec<import::ImportOutcome> = std::thread::scope(|s| {
        let threads: Vec<_> = [&phone, &kiosk]
            .into_iter()
            .map(|p| {
                let (kartei, both_planned) = (&f.kartei, &both_planned);
                s.spawn(move || {
                    import::commit_with_progress(kartei, p, &p.choosable_lines(), "Lena", |pr| {
                        if pr.done == planned {
                            both_planned.wait();
                        }
                    })
                    .unwrap()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let created: usize = outcomes.iter().map(|o| o.created.len()).sum();
    assert_eq!(created, 4, "{outcomes:?}");
    assert_eq!(f.kartei.customer_count(), 4);
    assert!(
        outcomes
            .iter()
            .any(|o| o.skipped == 4 && o.created.is_empty()),
        "the second found everything there: {outcomes:?}"
    );
    let again = preview(&f, all.as_bytes(), "alle.vcf");
    assert_eq!(again.counts.duplicate, 4);
}

#[test]
fn a_contact_completes_an_existing_card_without_overwriting() {
    let f = Fixture::new();
    let card = f.add_with(CustomerDraft {
        first_name: "Jörg".into(),
        last_name: "Weiß".into(),
        phones: phone("0151 23456789"),
        email: "alt@example.de".into(),
        ..Default::default()
    });
    let p = preview(&f, ANDROID_21_UTF8.as_bytes(), "j.vcf");
    match &p.rows[0].action {
        RowAction::Merge {
            into,
            adds,
            conflicts,
            ..
        } => {
            assert_eq!(*into, card.id);
            assert!(adds.contains(&"phones".to_string()), "{adds:?}");
            assert!(adds.contains(&"notes".to_string()), "{adds:?}");
            assert_eq!(conflicts[0].field, "email");
            assert_eq!(conflicts[0].imported, "joerg.weiss@example.de");
        }
        other => panic!("{other:?}"),
    }
    // Choosing a row that cannot be taken is refused.
    assert!(import::commit(&f.kartei, &p, &[99], "Lena").is_err());
    let outcome = take_all(&f, &p);
    assert_eq!(outcome.merged, [card.id]);
    let after = f.kartei.customer(card.id).unwrap();
    assert_eq!(after.email.unwrap().as_str(), "alt@example.de", "kept");
    assert_eq!(after.phones.len(), 2);
    assert_eq!(f.kartei.customer_count(), 1);
    // A card edited between preview and commit: the commit plans again and stays consistent.
    let p = preview(&f, ANDROID_21_UTF8.as_bytes(), "j.vcf");
    assert_eq!(p.counts.duplicate, 1);
}

#[test]
fn export_then_import_round_trips_the_customers() {
    let f = Fixture::new();
    kartei_core::demo::generate(&f.kartei, 120, 7, |_| {}).unwrap();
    sample(&f);
    let path = f.dir.path().join("alle.xlsx");
    export::write_xlsx(
        &f.kartei,
        &ExportQuery::default().scope(),
        Lang::De,
        &path,
        "Test",
        |_| {},
    )
    .unwrap();
    let bytes = std::fs::read(&path).unwrap();

    // Into the same card file: everything is already there.
    let same = preview(&f, &bytes, "alle.xlsx");
    assert_eq!(same.counts.new, 0, "{:?}", same.counts);
    assert!(
        same.unknown_columns.is_empty(),
        "{:?}",
        same.unknown_columns
    );

    // Into an empty one: the same customers.
    let g = Fixture::new();
    let p = preview(&g, &bytes, "alle.xlsx");
    assert_eq!(
        p.counts.invalid,
        0,
        "{:#?}",
        p.rows.iter().find(|r| !r.choosable())
    );
    let outcome = take_all(&g, &p);
    let count = f.kartei.customer_count();
    assert_eq!(outcome.created.len() + p.counts.duplicate, count);
    let key = |c: &Customer| {
        let mut phones: Vec<String> = c.phones.iter().map(|p| p.number.clone()).collect();
        phones.sort();
        format!(
            "{} {} {phones:?} {:?} {:?} {:?} {:?}",
            c.first_name, c.last_name, c.email, c.birthday, c.address, c.salutation
        )
    };
    let all = |k: &kartei_core::Kartei| {
        let mut v = Vec::new();
        k.store()
            .for_each_customer(|c| {
                v.push(key(&c));
                Ok(())
            })
            .unwrap();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(all(&f.kartei), all(&g.kartei));
}

#[test]
fn duplicates_are_reported_and_merged_with_everything_moved() {
    let f = Fixture::new();
    let a = f.add_with(CustomerDraft {
        first_name: "Anna".into(),
        last_name: "Meier".into(),
        phones: phone("0171 2345678"),
        birthday: "12.03.1985".into(),
        ..Default::default()
    });
    let b = f.add_with(CustomerDraft {
        first_name: "Anna".into(),
        last_name: "Meyer".into(),
        phones: phone("+49 171 2345678"),
        email: "anna@example.de".into(),
        birthday: "13.03.1985".into(),
        ..Default::default()
    });
    let c = f.add("Uwe", "Schmidt");
    let cut = f.service("Schnitt");
    f.appointment(b.id, now() - Duration::days(3), &[cut.id]);
    f.kartei
        .add_note(
            b.id,
            &NoteDraft {
                kind: NoteKind::Allergy,
                text: "Nickel".into(),
                ..Default::default()
            },
            "Lena",
        )
        .unwrap();

    let jpeg = kartei_core::photos::samples::jpeg(64, 48, 1);
    f.kartei
        .add_photo(
            b.id,
            &jpeg,
            kartei_core::photos::PhotoKind::After,
            "",
            "Lena",
        )
        .unwrap();

    let groups = duplicates::report(&f.kartei).unwrap();
    assert_eq!(groups[0].reason, duplicates::Reason::Phone);
    let ids: Vec<CustomerId> = groups[0].customers.iter().map(|c| c.id).collect();
    assert_eq!(ids, [a.id, b.id]);
    assert!(groups
        .iter()
        .all(|g| g.customers.iter().all(|x| x.id != c.id)));

    let preview = merge::preview(&f.kartei, a.id, b.id).unwrap();
    let fields: Vec<&str> = preview.conflicts.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["last_name", "birthday"]);
    assert_eq!(preview.moves.notes, 1);
    assert_eq!(preview.moves.appointments, 1);
    assert_eq!(preview.moves.photos, 1, "photos are counted too");
    assert_eq!(
        preview.result.email, "anna@example.de",
        "empty fields are filled"
    );
    assert!(merge::preview(&f.kartei, a.id, a.id).is_err());

    let stale = merge::MergeRequest {
        keep: a.id,
        keep_version: a.version - 1,
        remove: b.id,
        remove_version: b.version,
        take_from_removed: vec![],
    };
    assert!(matches!(
        merge::apply(&f.kartei, &stale, "Lena"),
        Err(CoreError::Conflict { .. })
    ));
    let kept = merge::apply(
        &f.kartei,
        &merge::MergeRequest {
            keep: a.id,
            keep_version: a.version,
            remove: b.id,
            remove_version: b.version,
            take_from_removed: vec!["birthday".into()],
        },
        "Lena",
    )
    .unwrap();
    assert_eq!(kept.last_name, "Meier");
    assert_eq!(kept.birthday.unwrap().display(), "13.03.1985");
    assert_eq!(kept.email.unwrap().as_str(), "anna@example.de");
    assert!(f.kartei.customer(b.id).is_err(), "the other card is gone");
    let card = f.kartei.card(a.id, Lang::De).unwrap();
    assert_eq!(card.notes.len(), 1);
    assert_eq!(card.appointments.past.len(), 1);
    let photos = f
        .kartei
        .photos(a.id, kartei_core::photos::PhotoFilter::Newest)
        .unwrap();
    assert_eq!(photos.len(), 1, "the photo moved with the card");
    assert_eq!(photos[0].customer_id, a.id);
    assert_eq!(f.kartei.customer_count(), 2);
    let found = f
        .kartei
        .search(&kartei_core::search::SearchRequest {
            q: "Meyer".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(found.items.iter().all(|i| i.id != b.id));
    assert!(duplicates::report(&f.kartei).unwrap().is_empty());
}

#[test]
fn pending_previews_are_kept_by_id() {
    let f = Fixture::new();
    let pending = import::pending::PendingImports::default();
    let p = preview(&f, GOOGLE_40.as_bytes(), "g.vcf");
    let ids: Vec<String> = (0..import::pending::MAX_PENDING + 1)
        .map(|_| pending.insert(p.clone()))
        .collect();
    assert!(pending.get(&ids[0]).is_none(), "the oldest went first");
    let last = ids.last().unwrap();
    assert_eq!(last.len(), 32);
    let kept = pending.get(last).unwrap();
    assert_eq!(take_all(&f, &kept).created.len(), 1);
    pending.remove(last);
    assert!(pending.get(last).is_none());
}

/// Checks a run of progress reports: one total, `done` never goes back and ends at the total.
fn check_progress(reports: &[import::Progress], total: u64) {
    assert!(!reports.is_empty());
    assert!(reports.iter().all(|p| p.total == total), "{reports:?}");
    assert!(
        reports.windows(2).all(|w| w[0].done <= w[1].done),
        "{reports:?}"
    );
    assert_eq!(reports.last().map(|p| p.done), Some(total), "{reports:?}");
}

#[test]
fn import_progress_is_monotonic_and_ends_at_the_total() {
    let f = Fixture::new();
    // Ayşe is already a customer: her card is completed (merge), Käthe is new.
    f.add_with(CustomerDraft {
        first_name: "Ayşe".into(),
        last_name: "Öztürk".into(),
        phones: phone("+49 176 12345678"),
        ..Default::default()
    });
    let mut reports = Vec::new();
    let p = import::preview_with_progress(&f.kartei, IPHONE_30.as_bytes(), "k.vcf", |r| {
        reports.push(r)
    })
    .unwrap();
    // The read file, the card file's keys, then one step per contact.
    check_progress(&reports, 2 + 2);
    assert_eq!(p, preview(&f, IPHONE_30.as_bytes(), "k.vcf"));
    assert_eq!((p.counts.new, p.counts.merge), (1, 1), "{:#?}", p.rows);

    let mut reports = Vec::new();
    let chosen = p.choosable_lines();
    let outcome =
        import::commit_with_progress(&f.kartei, &p, &chosen, "Lena", |r| reports.push(r)).unwrap();
    assert_eq!((outcome.created.len(), outcome.merged.len()), (1, 1));
    // Keys, two contacts planned, the transaction, two cards indexed, Käthe's photo.
    check_progress(&reports, 2 + 2 + 2 + 1);
    assert_eq!(outcome.photos_added, 1);
    assert_eq!(reports[0].done, 0);

    // Bad input reports nothing and says why.
    let mut reports = Vec::new();
    let err = import::preview_with_progress(&f.kartei, b"\0\x01junk", "k.vcf", |r| reports.push(r))
        .unwrap_err();
    assert!(reports.is_empty());
    assert!(matches!(err, CoreError::Invalid(_)));
}

#[test]
fn import_read_file_refuses_a_file_over_the_limit_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("riesig.vcf");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(import::MAX_FILE_BYTES as u64 + 1).unwrap();
    let err = import::read_file(&big).unwrap_err();
    assert_eq!(
        err.user_message(Lang::De),
        "Die Datei ist zu groß (höchstens 20 MB)."
    );
    let ok = dir.path().join("Kontakte.vcf");
    std::fs::write(&ok, GOOGLE_40).unwrap();
    let (bytes, name) = import::read_file(&ok).unwrap();
    assert_eq!(
        (bytes.as_slice(), name.as_str()),
        (GOOGLE_40.as_bytes(), "Kontakte.vcf")
    );
}

#[test]
fn a_damaged_embedded_photo_does_not_stop_the_contact() {
    let f = Fixture::new();
    let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Schäfer;Jörg;;;\r\nFN:Jörg Schäfer\r\n\
                TEL;type=CELL:0171 7654321\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\n\
                END:VCARD\r\n";
    let p = preview(&f, card.as_bytes(), "joerg.vcf");
    assert!(p.rows[0].has_photo);
    let outcome = take_all(&f, &p);
    assert_eq!(outcome.created.len(), 1);
    assert_eq!((outcome.photos_added, outcome.photos_refused), (0, 1));
    let joerg = by_last_name(&f, "Schäfer");
    assert!(f
        .kartei
        .photos(joerg.id, kartei_core::photos::PhotoFilter::Newest)
        .unwrap()
        .is_empty());
}

#[test]
fn pending_previews_are_bounded_in_memory() {
    use import::pending::{PendingImports, MAX_PENDING, MAX_PENDING_BYTES};
    let f = Fixture::new();
    // Four contacts, each with a 3 MB embedded photo: about 12 MB per preview.
    // Folded at 76 characters, as phones write it.
    let photo = format!("/9j/{}", "QUJD".repeat(19).repeat(1024 * 1024 / 19));
    let photo: Vec<&str> = (0..photo.len())
        .step_by(76)
        .map(|i| &photo[i..(i + 76).min(photo.len())])
        .collect();
    let photo = photo.join("\r\n ");
    let mut file = String::new();
    for i in 0..4 {
        file.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Foto{i};Anna;;;\r\nPHOTO;ENCODING=b;TYPE=JPEG:{photo}\r\nEND:VCARD\r\n"
        ));
    }
    let p = preview(&f, file.as_bytes(), "fotos.vcf");
    assert!(p.approx_bytes() > 10 * 1024 * 1024, "{}", p.approx_bytes());
    let pending = PendingImports::default();
    let ids: Vec<String> = (0..MAX_PENDING - 1)
        .map(|_| pending.insert(p.clone()))
        .collect();
    let kept: Vec<&String> = ids.iter().filter(|id| pending.get(id).is_some()).collect();
    assert!(kept.len() < MAX_PENDING - 1, "the byte limit evicted some");
    assert!(kept.len() * p.approx_bytes() <= MAX_PENDING_BYTES);
    assert!(
        pending.get(ids.last().unwrap()).is_some(),
        "the newest is kept"
    );
}

// ---- issue 11: every contact arrives -------------------------------------------------------

/// One imported contact: the card, its notes and the preview row's warnings (German).
struct Arrived {
    card: Customer,
    notes: Vec<String>,
    warnings: Vec<String>,
    preview: import::ImportPreview,
}

fn arrive(f: &Fixture, bytes: &[u8], name: &str) -> Arrived {
    let p = preview(f, bytes, name);
    assert_eq!(p.rows.len(), 1, "{:#?}", p.rows);
    assert!(p.rows[0].choosable(), "{:#?}", p.rows[0]);
    let warnings = p.rows[0]
        .warnings
        .iter()
        .map(|w| w.text(Lang::De))
        .collect();
    let outcome = take_all(f, &p);
    let id = outcome
        .created
        .first()
        .or(outcome.merged.first())
        .copied()
        .unwrap();
    let card = f.kartei.customer(id).unwrap();
    let notes = f
        .kartei
        .notes(id)
        .unwrap()
        .into_iter()
        .map(|n| n.text)
        .collect();
    Arrived {
        card,
        notes,
        warnings,
        preview: p,
    }
}

/// A one-card vCard from its property lines.
#[track_caller]
fn vcard(lines: &str) -> Arrived {
    let f = Fixture::new();
    let text = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\n{}\r\nEND:VCARD\r\n",
        lines.replace('\n', "\r\n")
    );
    arrive(&f, text.as_bytes(), "karte.vcf")
}

/// A one-row CSV from its header and row.
#[track_caller]
fn csv(header: &str, row: &str) -> Arrived {
    let f = Fixture::new();
    arrive(&f, format!("{header}\r\n{row}\r\n").as_bytes(), "liste.csv")
}

fn numbers(c: &Customer) -> Vec<&str> {
    c.phones.iter().map(|p| p.number.as_str()).collect()
}

#[track_caller]
fn has(texts: &[String], part: &str) {
    assert!(
        texts.iter().any(|t| t.contains(part)),
        "{part:?} not in {texts:#?}"
    );
}

#[test]
fn one_odd_phone_number_never_refuses_the_contact() {
    let n = "N:Muster;Anna;;;\nFN:Anna Muster";
    for (tel, want, kept) in [
        ("TEL;CELL:0171 2345678", vec!["+491712345678"], None),
        ("TEL:(650) 555-1212", vec![], Some("(650) 555-1212")),
        ("TEL;WORK:BusinessPhone", vec![], Some("BusinessPhone")),
        ("TEL;CELL:0173 223344", vec![], Some("0173 223344")),
        (
            "TEL:0171 2345678\nTEL:0351 223344\nTEL:12",
            vec!["+491712345678", "+49351223344"],
            Some("12"),
        ),
        ("TEL;TYPE=HOME:+1-800-123456", vec![], Some("+1-800-123456")),
    ] {
        let a = vcard(&format!("{n}\n{tel}"));
        assert_eq!(numbers(&a.card), want, "{tel}");
        match kept {
            Some(kept) => {
                has(&a.warnings, &format!("Telefon „{kept}“ nicht übernommen"));
                has(&a.notes, &format!("Telefon: {kept}"));
            }
            None => assert!(a.warnings.is_empty(), "{tel}: {:?}", a.warnings),
        }
    }
}

#[test]
fn phone_numbers_keep_their_country_and_extension() {
    let n = "N:Muster;Anna;;;";
    for (tel, want) in [
        (
            "TEL;VALUE=uri;TYPE=work:tel:+1-418-656-9254;ext=102",
            vec!["+14186569254"],
        ),
        ("TEL:+1 650 555 1212", vec!["+16505551212"]),
        ("TEL:+44 20 7946 0958", vec!["+442079460958"]),
        ("TEL:0043 1 5880000", vec!["+4315880000"]),
        (
            "TEL:(650) 555-1212\nADR;TYPE=home:;;1 Main St;Palo Alto;CA;94301;USA",
            vec!["+16505551212"],
        ),
        (
            "TEL:044 668 18 00\nADR:;;Bahnhofstr. 1;Zürich;;8001;Schweiz",
            vec!["+41446681800"],
        ),
        (
            "TEL:089 1234567\nADR:;;Bahnhofstr. 1;Zürich;;8001;Schweiz",
            vec!["+49891234567"],
        ),
    ] {
        let a = vcard(&format!("{n}\n{tel}"));
        assert_eq!(numbers(&a.card), want, "{tel}");
        assert!(
            !a.card
                .phones
                .iter()
                .any(|p| p.number.starts_with("+496505")),
            "{tel}"
        );
    }
    let a = vcard("N:Muster;Anna;;;\nTEL;VALUE=uri:tel:+1-418-656-9254;ext=102");
    has(&a.notes, "Durchwahl: +1 418-656-9254 – 102");
    has(
        &a.warnings,
        "Durchwahl „+1 418-656-9254 – 102“ steht in der Import-Notiz",
    );
    // Google's ` ::: ` between two numbers in one cell.
    let a = csv(
        "First Name,Last Name,Phone 1 - Type,Phone 1 - Value",
        "Anna,Muster,Mobile,+49 171 2345678 ::: 089 123456",
    );
    assert_eq!(numbers(&a.card), ["+491712345678", "+4989123456"]);
    assert_eq!(a.card.phones[0].label, PhoneLabel::Mobile);
}

#[test]
fn a_bad_value_is_kept_in_the_note_and_the_rest_is_imported() {
    for (lines, field_warning, note_line) in [
        (
            "EMAIL:anna(at)example.de",
            "E-Mail „anna(at)example.de“",
            "E-Mail: anna(at)example.de",
        ),
        (
            "BDAY:1990-02-31",
            "Geburtstag „1990-02-31“",
            "Geburtstag: 1990-02-31",
        ),
        (
            "ADR:;;Hauptstr. 1;Musterstadt;;ABC12;",
            "PLZ „ABC12“",
            "PLZ: ABC12",
        ),
    ] {
        let a = vcard(&format!("N:Muster;Anna;;;\nTEL;CELL:0171 2345678\n{lines}"));
        assert_eq!(a.card.first_name, "Anna", "{lines}");
        assert_eq!(numbers(&a.card), ["+491712345678"], "{lines}");
        has(&a.warnings, field_warning);
        has(&a.notes, note_line);
        assert_eq!(a.preview.counts.with_warnings, 1);
    }
    // A contact with only a company is imported under the company's name.
    let a = vcard("ORG:Acer America\nTEL:+1 800 000 0000");
    assert_eq!(a.card.last_name, "Acer America");
    has(&a.warnings, "„Acer America“ wird als Name übernommen");
}

/// A contact without a first or last name is named by one rule: display name, else company,
/// else e-mail address, else phone number; all but the display name with a warning.
#[test]
fn a_contact_without_a_name_is_named_from_what_it_has() {
    #[track_caller]
    fn check(a: Arrived, first: &str, last: &str, from: Option<&str>) {
        assert_eq!(
            (a.card.first_name.as_str(), a.card.last_name.as_str()),
            (first, last)
        );
        match from {
            Some(from) => has(&a.warnings, &format!("„{from}“ wird als Name übernommen")),
            None => assert!(a.warnings.is_empty(), "{:?}", a.warnings),
        }
    }
    check(
        vcard("FN:Anna Muster\nTEL:0171 2345678"),
        "Anna",
        "Muster",
        None,
    );
    check(
        vcard("ORG:Salon Schnitt\nTEL:0171 2345678"),
        "",
        "Salon Schnitt",
        Some("Salon Schnitt"),
    );
    check(
        vcard("EMAIL:john.doe@example.com\nTEL:0171 2345678"),
        "John",
        "Doe",
        Some("john.doe@example.com"),
    );
    check(
        vcard("TEL;CELL:0171 2345678"),
        "",
        "0171 2345678",
        Some("0171 2345678"),
    );
    check(
        vcard("TEL:+1 650 555 1212\nNOTE:Rückruf"),
        "",
        "+1 650 555 1212",
        Some("+1 650 555 1212"),
    );
    // The first number that has digits, even one the card cannot take (kept in the note).
    let a = vcard("TEL:BusinessPhone\nTEL:(650) 555-1212");
    assert!(a.card.phones.is_empty());
    has(&a.notes, "Telefon: (650) 555-1212");
    check(a, "", "(650) 555-1212", Some("(650) 555-1212"));
    check(
        csv("Vorname,Handy", ",0171 2345678"),
        "",
        "0171 2345678",
        Some("0171 2345678"),
    );
    check(
        csv("Name,Phone 1 - Value", ",0171 2345678 ::: 089 123456"),
        "",
        "0171 2345678",
        Some("0171 2345678"),
    );
    // The phone-only contact is found by its number and by its name.
    let f = Fixture::new();
    let p = preview(
        &f,
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:0171 2345678\r\nEND:VCARD\r\n",
        "k.vcf",
    );
    assert_eq!(p.counts.with_warnings, 1);
    let created = take_all(&f, &p).created;
    let found = f
        .kartei
        .search_all(&kartei_core::search::SearchRequest {
            q: "0171 2345678".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found, created);
    // Nothing to name it by (a placeholder without digits, a note): still the invalid row.
    for lines in ["TEL:BusinessPhone", "NOTE:Rückruf wegen Termin"] {
        let f = Fixture::new();
        let text = format!("BEGIN:VCARD\r\nVERSION:3.0\r\n{lines}\r\nEND:VCARD\r\n");
        let p = preview(&f, text.as_bytes(), "k.vcf");
        assert_eq!(p.counts.invalid, 1, "{lines}");
    }
}

/// The Bat! and other Polish and Czech mailers write ISO-8859-2, declared per card.
#[test]
fn iso_8859_2_declared_per_card() {
    let a = vcard("N;CHARSET=ISO-8859-2;ENCODING=QUOTED-PRINTABLE:Iksi=F1ski;Piotr");
    assert_eq!(a.card.last_name, "Iksiński");
    let f = Fixture::new();
    let file = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-2:Iksi\xf1ski;\xa3ucja\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:M\xc3\xbcller;J\xc3\xb6rg\r\nEND:VCARD\r\n";
    let p = preview(&f, file, "thebat.vcf");
    take_all(&f, &p);
    assert_eq!(by_last_name(&f, "Iksiński").first_name, "Łucja");
    assert_eq!(by_last_name(&f, "Müller").first_name, "Jörg");
}

/// Real exports gathered from other projects' public test data (see
/// `core/tests/fixtures/import/README.md` for origin and licence): every person on them
/// arrives, is found by name, with umlauts intact.
#[test]
fn real_exports_from_other_projects_import_every_person() {
    use kartei_core::search::SearchRequest;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).into_iter().flatten())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "vcf" || e == "csv"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "{} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let f = Fixture::new();
        let (bytes, name) = import::read_file(path).unwrap();
        let p = match import::preview(&f.kartei, &bytes, &name) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{}: {e:?}", path.display()));
                continue;
            }
        };
        let not_taken: Vec<_> = p.rows.iter().filter(|r| !r.choosable()).collect();
        if !not_taken.is_empty() {
            failures.push(format!("{}: not taken {not_taken:#?}", path.display()));
            continue;
        }
        let outcome = take_all(&f, &p);
        assert_eq!(outcome.created.len(), p.rows.len(), "{}", path.display());
        for id in &outcome.created {
            let c = f.kartei.customer(*id).unwrap();
            let name = if c.last_name.is_empty() {
                &c.first_name
            } else {
                &c.last_name
            };
            let word = name
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            let found = f
                .kartei
                .search_all(&SearchRequest {
                    q: word.clone(),
                    ..Default::default()
                })
                .unwrap();
            if !found.contains(id) {
                failures.push(format!("{}: {word:?} not found", path.display()));
            }
            let shown = c.display_name();
            if shown.contains('\u{fffd}') || shown.contains("Ã") {
                failures.push(format!("{}: mangled {shown:?}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    // Umlauts and other letters, as the files have them.
    for (file, last, first) in [
        ("roundcube/photo.vcf", "Müller", "Jörg"),
        ("roundcube/johndoe.vcf", "Doë", "John"),
        // FIXME: The Bat! wrote ISO-8859-2 quoted-printable without a CHARSET; without one the
        // bytes are read as Latin-1, so `ń` (0xF1) arrives as `ñ`.
        ("roundcube/thebat.vcf", "Iksiñski", "Piotr"),
        ("kcontacts/vcard5.vcf", "Mustermann", "Heiko"),
        ("ez-vcard/John_Doe_LOTUS_NOTES.vcf", "Doe", "John"),
    ] {
        let f = Fixture::new();
        let (bytes, name) = import::read_file(&root.join(file)).unwrap();
        let p = preview(&f, &bytes, &name);
        take_all(&f, &p);
        assert_eq!(
            by_last_name(&f, last).first_name.split(' ').next(),
            Some(first),
            "{file}"
        );
    }
}

#[test]
fn home_and_work_addresses_are_kept_apart_and_foreign_codes_placed() {
    // Outlook CSV: business and home address in their own columns.
    let a = csv(
        "First Name,Last Name,Home Street,Home City,Home Postal Code,Business Street,Business City,Business Postal Code,Business Country/Region",
        "Anna,Muster,Lindenstraße 4,Dresden,1067,Prager Straße 55,Wien,1010,Österreich",
    );
    assert_eq!(a.card.address.street, "Lindenstraße 4");
    assert_eq!(a.card.address.postal_code, "01067");
    has(
        &a.notes,
        "Adresse geschäftlich: Prager Straße 55, 1010 Wien, AT",
    );
    // Google CSV: "Address N - Type" says whose address N is.
    let google = "First Name,Last Name,Address 1 - Type,Address 1 - Street,Address 1 - City,Address 1 - Postal Code,Address 2 - Type,Address 2 - Street,Address 2 - City,Address 2 - Postal Code";
    let a = csv(
        google,
        "Anna,Muster,Work,Prager Straße 55,Dresden,01066,Home,Lindenstraße 4,Dresden,01067",
    );
    assert_eq!(a.card.address.street, "Lindenstraße 4");
    has(
        &a.notes,
        "Adresse geschäftlich: Prager Straße 55, 01066 Dresden",
    );
    let a = csv(
        google,
        "Anna,Muster,Home,Lindenstraße 4,Dresden,01067,Other,Am Hang 2,Pirna,01796",
    );
    assert_eq!(a.card.address.street, "Lindenstraße 4");
    has(&a.notes, "Am Hang 2, 01796 Pirna");
    assert!(
        !a.notes.iter().any(|n| n.contains("geschäftlich")),
        "{:?}",
        a.notes
    );
    let a = csv(
        google,
        "Anna,Muster,Work,Prager Straße 55,Dresden,01066,,,,",
    );
    assert_eq!(a.card.address.street, "Prager Straße 55");
    // Only a work address: it is the card's.
    let a = vcard("N:Muster;Anna;;;\nADR;TYPE=work:;;Prager Str. 55;Dresden;;01066;Germany");
    assert_eq!(
        (
            a.card.address.city.as_str(),
            a.card.address.country.as_str()
        ),
        ("Dresden", "DE")
    );
    // vCard home and work: home on the card, work in the note.
    let a = vcard("N:Muster;Anna;;;\nADR;TYPE=work:;;Prager Str. 55;Dresden;;01066;\nADR;TYPE=home:;;Buehlauer Str. 45;Dresden;;01327;");
    assert_eq!(a.card.address.street, "Buehlauer Str. 45");
    has(
        &a.notes,
        "Adresse geschäftlich: Prager Str. 55, 01066 Dresden",
    );
    for (adr, code, country) in [
        (";;Shibuya 2-21-1;Tokyo;;150-8512;", "150-8512", "JP"),
        (
            ";;6544 Battleford Drive;Raleigh;NC;27613-3502;U.S.A.",
            "27613-3502",
            "US",
        ),
        (";;10 Downing St;London;;SW1A 2AA;", "SW1A 2AA", "GB"),
        (";;Stephansplatz 1;Wien;;1010;Österreich", "1010", "AT"),
        (";;Hauptstr. 1;Köln;;50667;", "50667", "DE"),
    ] {
        let a = vcard(&format!("N:Muster;Anna;;;\nADR:{adr}"));
        assert_eq!(a.card.address.postal_code, code, "{adr}");
        assert_eq!(a.card.address.country, country, "{adr}");
        assert!(a.warnings.is_empty(), "{adr}: {:?}", a.warnings);
    }
}

#[test]
fn prefixes_middle_names_labels_gender_and_blocked_flags_are_mapped() {
    // Google's CSV.
    let a = csv(
        "First Name,Middle Name,Last Name,Name Prefix,Labels,E-mail 1 - Value",
        "Anna,Maria,Muster,Dr.,* myContacts ::: Stammkundin ::: VIP,anna@example.de",
    );
    assert_eq!(
        (a.card.first_name.as_str(), a.card.title.as_str()),
        ("Anna Maria", "Dr.")
    );
    // VIP is one of a new card file's groups; Stammkundin is created.
    assert_eq!(a.preview.new_groups, ["Stammkundin"]);
    let f_groups = a.card.groups.len();
    assert_eq!(
        f_groups, 2,
        "the groups are created and the card is in them"
    );
    // vCard prefix with salutation and title, middle name, categories, gender.
    let a = vcard("N:Muster;Anna;Maria;Frau Dr.;\nCATEGORIES:Färben,VIP\nGENDER:F");
    assert_eq!(a.card.salutation, Salutation::Frau);
    assert_eq!(
        (a.card.first_name.as_str(), a.card.title.as_str()),
        ("Anna Maria", "Dr.")
    );
    assert_eq!(a.preview.new_groups, ["Färben"]);
    assert_eq!(a.card.groups.len(), 2);
    // Shore's tags and gender; Fresha's Blocked.
    for (gender, salutation) in [
        ("female", Salutation::Frau),
        ("m", Salutation::Herr),
        ("divers", Salutation::Divers),
    ] {
        let a = csv(
            "Vorname,Nachname,gender,tags",
            &format!("Anna,Muster,{gender},Balayage"),
        );
        assert_eq!(a.card.salutation, salutation, "{gender}");
        assert_eq!(a.preview.new_groups, ["Balayage"]);
    }
    let a = csv(
        "First Name,Last Name,Blocked,Block Reason",
        "Anna,Muster,Yes,No-shows",
    );
    has(&a.warnings, "Im bisherigen System gesperrt („No-shows“)");
    let f = Fixture::new();
    let p = preview(
        &f,
        b"First Name,Last Name,Blocked\r\nAnna,Muster,true\r\n",
        "fresha.csv",
    );
    let id = take_all(&f, &p).created[0];
    let notes = f.kartei.notes(id).unwrap();
    assert!(
        notes[0].pinned && notes[0].text.contains("gesperrt"),
        "{notes:?}"
    );
    // Columns the import did not map are listed.
    let a = csv(
        "Vorname,Nachname,Lieblingsfarbe,Kunden-Nr.",
        "Anna,Muster,Rot,17",
    );
    assert_eq!(a.preview.unknown_columns, ["Lieblingsfarbe"]);
    assert_eq!(a.preview.ignored_columns, ["Kunden-Nr."]);
}

#[test]
fn in_file_duplicates_are_judged_by_more_than_the_name() {
    let f = Fixture::new();
    let two = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Muster;Anna;;;\r\nFN:Anna Muster\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:3.0\r\nN:Muster;Anna;;;\r\nFN:Anna Muster (Tochter)\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:3.0\r\nN:Muster;Anna;;;\r\nFN:Anna Muster\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:3.0\r\nN:Weiß;Jörg;;;\r\nEMAIL:j@example.de\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:3.0\r\nN:Weiss;Joerg;;;\r\nEMAIL:J@example.de\r\nEND:VCARD\r\n";
    let p = preview(&f, two.as_bytes(), "zwei.vcf");
    let actions: Vec<&RowAction> = p.rows.iter().map(|r| &r.action).collect();
    assert_eq!(
        actions,
        [
            &RowAction::New,
            &RowAction::New,
            &RowAction::DuplicateInFile { line: 1 },
            &RowAction::New,
            &RowAction::DuplicateInFile { line: 4 },
        ]
    );
}
