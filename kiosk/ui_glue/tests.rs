//! UI flows tested headless with Slint's testing backend, through accessible labels as a
//! screen reader (or a finger) would use them: search, the new-customer form, the PIN lock,
//! the first start and the on-screen keyboard. Work runs inline, so no test waits for anything.

use super::ui::{
    AppAdapter, EditorAdapter, KeyboardAdapter, KeyboardLayout, ListAdapter, LockAdapter,
    MainWindow, Page,
};
use super::worker::Worker;
use super::{build, Ctx};
use i_slint_backend_testing::ElementHandle;
use kartei_core::model::{CustomerId, Role};
use kartei_core::search::SearchRequest;
use kartei_core::Kartei;
use slint::platform::{PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition, Model};
use std::sync::Arc;

struct Fixture {
    _dir: tempfile::TempDir,
    kartei: Kartei,
    ui: MainWindow,
    ctx: Arc<Ctx>,
}

/// A card file with `customers` demo customers and two staff members (Sabine 2468 as owner,
/// Lena 1357), and the kiosk over it.
fn fixture(customers: usize) -> Fixture {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let (kartei, _) = Kartei::open(dir.path()).unwrap();
    if customers > 0 {
        kartei_core::demo::generate(&kartei, customers, 7, |_| {}).unwrap();
        kartei.add_staff("Sabine", "2468", Role::Owner).unwrap();
        kartei.add_staff("Lena", "1357", Role::Staff).unwrap();
    }
    let (ui, ctx) = build(&kartei, Worker::Inline).unwrap();
    ui.window().set_size(slint::PhysicalSize::new(1280, 800));
    ui.show().unwrap();
    Fixture {
        _dir: dir,
        kartei,
        ui,
        ctx,
    }
}

fn element(ui: &MainWindow, label: &str) -> ElementHandle {
    ElementHandle::find_by_accessible_label(ui, label)
        .next()
        .unwrap_or_else(|| panic!("no element labelled {label:?}"))
}

fn tap(ui: &MainWindow, label: &str) {
    element(ui, label).invoke_accessible_default_action();
}

/// Types into the text field labelled `label` (not the label's own text element).
fn type_into(ui: &MainWindow, label: &str, text: &str) {
    ElementHandle::find_by_accessible_label(ui, label)
        .find(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::TextInput))
        .unwrap_or_else(|| panic!("no text field labelled {label:?}"))
        .set_accessible_value(text);
}

fn page(ui: &MainWindow) -> Page {
    ui.global::<AppAdapter>().get_page()
}

/// Lena is a stylist (staff).
fn unlock_as_lena(f: &Fixture) {
    unlock_as(f, "Lena", "1357");
}

fn unlock_as(f: &Fixture, name: &str, pin: &str) {
    tap(&f.ui, name);
    for digit in pin.chars() {
        tap(&f.ui, &digit.to_string());
    }
    tap(&f.ui, "Entsperren");
    assert_eq!(page(&f.ui), Page::List);
}

fn list_names(ui: &MainWindow, n: usize) -> Vec<String> {
    let rows = ui.global::<ListAdapter>().get_rows();
    (0..rows.row_count().min(n))
        .filter_map(|i| rows.row_data(i))
        .map(|r| r.name.to_string())
        .collect()
}

#[test]
fn typing_in_the_search_narrows_the_list_on_every_key() {
    let f = fixture(400);
    unlock_as_lena(&f);
    let list = f.ui.global::<ListAdapter>();
    assert_eq!(list.get_total(), 400);
    assert_eq!(f.ui.global::<ListAdapter>().get_rows().row_count(), 400);

    type_into(&f.ui, "Suche", "B");
    let after_b = list.get_total();
    assert!(after_b > 0 && after_b < 400, "{after_b}");
    let expected = f
        .kartei
        .search(&SearchRequest {
            q: "B".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(after_b as usize, expected.total);
    let first = &expected.items[0];
    assert_eq!(
        list_names(&f.ui, 1),
        [format!("{}, {}", first.last_name, first.first_name)]
    );

    type_into(&f.ui, "Suche", "Be");
    assert!(list.get_total() < after_b);
    assert!(list_names(&f.ui, 5)
        .iter()
        .all(|n| n.to_lowercase().contains("be")));

    type_into(&f.ui, "Suche", "");
    assert_eq!(list.get_total(), 400);
    assert_eq!(list.get_total_text(), "400");
}

#[test]
fn filter_chips_and_sort_change_the_list() {
    let f = fixture(300);
    unlock_as_lena(&f);
    let list = f.ui.global::<ListAdapter>();
    tap(&f.ui, "Stammkunden");
    let regulars = f
        .kartei
        .search(&SearchRequest {
            filter: kartei_core::search::Filter::Regular,
            ..Default::default()
        })
        .unwrap()
        .total;
    assert_eq!(list.get_total() as usize, regulars);
    assert_eq!(
        element(&f.ui, "Stammkunden").accessible_checked(),
        Some(true)
    );
    tap(&f.ui, "Alle");
    let a_to_z = list_names(&f.ui, 1);
    tap(&f.ui, "A–Z");
    assert_eq!(list.get_sort(), 1);
    assert_ne!(list_names(&f.ui, 1), a_to_z);
}

#[test]
fn the_new_customer_form_shows_field_errors_then_saves_into_core() {
    let f = fixture(20);
    unlock_as_lena(&f);
    let before = f.kartei.customer_count();
    tap(&f.ui, "+ Neuer Kunde");
    assert_eq!(page(&f.ui), Page::Edit);

    type_into(&f.ui, "Vorname", "Jana");
    type_into(&f.ui, "Nachname", "Nowak");
    type_into(&f.ui, "Telefon", "0170 7654321");
    type_into(&f.ui, "E-Mail", "jana@");
    tap(&f.ui, "Speichern");
    let editor = f.ui.global::<EditorAdapter>();
    assert_eq!(page(&f.ui), Page::Edit);
    assert!(
        editor.get_email_error().contains("E-Mail"),
        "{}",
        editor.get_email_error()
    );
    assert_eq!(f.kartei.customer_count(), before);

    type_into(&f.ui, "E-Mail", "jana.nowak@example.de");
    tap(&f.ui, "Speichern");
    assert_eq!(page(&f.ui), Page::Card);
    assert_eq!(f.kartei.customer_count(), before + 1);
    let found = f
        .kartei
        .search(&SearchRequest {
            q: "Nowak Jana".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.total, 1);
    let saved = f.kartei.customer(found.items[0].id).unwrap();
    assert_eq!(saved.email.unwrap().to_string(), "jana.nowak@example.de");
    assert_eq!(saved.phones[0].number, "+491707654321");
    assert_eq!(
        element(&f.ui, "Name auf der Karte")
            .accessible_value()
            .unwrap(),
        "Jana Nowak"
    );
    // The new card is among the recently opened ones.
    assert_eq!(f.ctx.recent()[0], found.items[0].id);
}

#[test]
fn the_lock_opens_with_the_right_pin_only_and_shows_the_wait_after_guessing() {
    let f = fixture(5);
    assert_eq!(page(&f.ui), Page::Lock);
    let lock = f.ui.global::<LockAdapter>();

    tap(&f.ui, "Entsperren");
    assert!(
        lock.get_message().contains("Namen"),
        "{}",
        lock.get_message()
    );

    tap(&f.ui, "Lena");
    for digit in ["1", "3", "5", "8"] {
        tap(&f.ui, digit);
    }
    assert_eq!(
        element(&f.ui, "Eingegebene Ziffern")
            .accessible_value()
            .unwrap(),
        "4"
    );
    tap(&f.ui, "Entsperren");
    assert_eq!(page(&f.ui), Page::Lock);
    assert_eq!(lock.get_message(), "Name oder PIN falsch.");
    assert_eq!(lock.get_pin(), "");

    for digit in ["1", "3", "5", "7"] {
        tap(&f.ui, digit);
    }
    tap(&f.ui, "Entsperren");
    assert_eq!(page(&f.ui), Page::List);
    assert_eq!(f.ctx.user(), "Lena");

    // Locking again hides everything; five wrong PINs make the kiosk wait, and say how long.
    tap(&f.ui, "Sperren");
    assert_eq!(page(&f.ui), Page::Lock);
    tap(&f.ui, "Sabine");
    for _ in 0..5 {
        tap(&f.ui, "0");
        tap(&f.ui, "0");
        tap(&f.ui, "0");
        tap(&f.ui, "0");
        tap(&f.ui, "Entsperren");
    }
    for digit in ["2", "4", "6", "8"] {
        tap(&f.ui, digit);
    }
    tap(&f.ui, "Entsperren");
    assert_eq!(page(&f.ui), Page::Lock);
    assert!(
        lock.get_message()
            .starts_with("Zu viele Fehlversuche. Bitte in ")
            && lock.get_message().ends_with(" Sekunden erneut versuchen."),
        "{}",
        lock.get_message()
    );
}

#[test]
fn first_start_asks_for_salon_owner_and_pin_before_anything_else() {
    let f = fixture(0);
    assert_eq!(page(&f.ui), Page::Onboarding);
    assert!(ElementHandle::find_by_accessible_label(&f.ui, "Suche")
        .next()
        .is_none());

    type_into(&f.ui, "Name des Salons", "Salon Haarmonie");
    type_into(&f.ui, "Ihr Name (Inhaber/in)", "Sabine");
    type_into(&f.ui, "PIN (4–12 Ziffern)", "2468");
    type_into(&f.ui, "PIN wiederholen", "2469");
    tap(&f.ui, "Kartei einrichten");
    assert_eq!(page(&f.ui), Page::Onboarding);
    assert!(f.kartei.staff().unwrap().is_empty());

    type_into(&f.ui, "PIN wiederholen", "2468");
    tap(&f.ui, "Kartei einrichten");
    let onboarding = f.ui.global::<super::ui::OnboardingAdapter>();
    assert_eq!(
        page(&f.ui),
        Page::List,
        "{} / {} / {}",
        onboarding.get_salon_error(),
        onboarding.get_owner_error(),
        onboarding.get_pin_error()
    );
    let staff = f.kartei.staff().unwrap();
    assert_eq!(staff.len(), 1);
    assert_eq!(
        (staff[0].name.as_str(), staff[0].role),
        ("Sabine", Role::Owner)
    );
    assert_eq!(f.kartei.settings().salon_name, "Salon Haarmonie");
    assert!(f.kartei.verify_pin("Sabine", "2468", "test").is_ok());
}

#[test]
fn the_on_screen_keyboard_types_into_the_focused_field_with_its_layout() {
    let f = fixture(200);
    unlock_as_lena(&f);
    // A finger on the search field focuses it and brings up the German letters.
    let search = element(&f.ui, "Suche");
    let at = search.absolute_position();
    let size = search.size();
    let position = LogicalPosition::new(at.x + size.width / 2.0, at.y + size.height / 2.0);
    let window = f.ui.window();
    let button = PointerEventButton::Left;
    window.dispatch_event(WindowEvent::PointerPressed { position, button });
    window.dispatch_event(WindowEvent::PointerReleased { position, button });
    let keyboard = f.ui.global::<KeyboardAdapter>();
    assert!(keyboard.get_visible());
    assert_eq!(keyboard.get_layout(), KeyboardLayout::Text);

    keyboard.invoke_key("M".into());
    keyboard.invoke_key("ü".into());
    let list = f.ui.global::<ListAdapter>();
    assert_eq!(list.get_query(), "Mü");
    let expected = f
        .kartei
        .search(&SearchRequest {
            q: "Mü".into(),
            ..Default::default()
        })
        .unwrap()
        .total;
    assert_eq!(list.get_total() as usize, expected);
    keyboard.invoke_backspace();
    assert_eq!(list.get_query(), "M");
    keyboard.invoke_enter();
    assert!(!keyboard.get_visible());
}

#[test]
fn english_can_be_chosen_and_is_remembered() {
    let f = fixture(5);
    tap(&f.ui, "English");
    assert_eq!(f.kartei.settings().lang, kartei_core::Lang::En);
    assert!(ElementHandle::find_by_accessible_label(&f.ui, "Unlock")
        .next()
        .is_some());
    tap(&f.ui, "Deutsch");
    assert!(ElementHandle::find_by_accessible_label(&f.ui, "Entsperren")
        .next()
        .is_some());
}

/// The `@tr()` strings of every `.slint` file.
fn tr_strings(dir: &std::path::Path, found: &mut std::collections::BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            tr_strings(&path, found);
        } else if path.extension().is_some_and(|e| e == "slint") {
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("@tr(\"").skip(1) {
                found.insert(part.split('"').next().unwrap().to_string());
            }
        }
    }
}

#[test]
fn every_ui_text_has_an_english_translation() {
    let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk/ui");
    let mut texts = std::collections::BTreeSet::new();
    tr_strings(&ui, &mut texts);
    assert!(texts.len() > 50, "{}", texts.len());
    let po = std::fs::read_to_string(ui.join("translations/en/LC_MESSAGES/kartei.po")).unwrap();
    let translated: std::collections::BTreeSet<String> = po
        .lines()
        .filter_map(|l| {
            l.strip_prefix("msgid \"")?
                .strip_suffix('"')
                .map(str::to_string)
        })
        .collect();
    let missing: Vec<&String> = texts.difference(&translated).collect();
    assert!(missing.is_empty(), "no English for {missing:?}");
}

#[test]
fn export_says_when_no_stick_is_there_and_writes_onto_a_stick_folder() {
    let f = fixture(30);
    let roots = tempfile::tempdir().unwrap();
    f.ctx.set_usb_roots(vec![roots.path().to_path_buf()]);
    let export = f.ui.global::<super::ui::ExportAdapter>();

    // A stylist may not take the customer list away.
    unlock_as_lena(&f);
    tap(&f.ui, "Export");
    assert_eq!(page(&f.ui), Page::Export);
    tap(&f.ui, "Auf USB-Stick exportieren");
    assert!(!export.get_running());
    assert_eq!(export.get_status_kind(), 2);
    assert!(
        export
            .get_status()
            .starts_with("Die Kundenliste exportieren kann nur ein Inhaber"),
        "{}",
        export.get_status()
    );

    f.ui.global::<AppAdapter>().invoke_lock();
    unlock_as(&f, "Sabine", "2468");
    tap(&f.ui, "Export");
    tap(&f.ui, "Auf USB-Stick exportieren");
    assert!(!export.get_running());
    assert_eq!(export.get_status_kind(), 2);
    assert_eq!(
        export.get_status(),
        "Kein USB-Stick gefunden. Bitte einstecken und kurz warten."
    );

    // The write itself, onto a folder standing in for a mounted stick, read back by a real
    // xlsx reader is the io branch's test; here: the file lands and the message says so.
    let stick = tempfile::tempdir().unwrap();
    let scope = kartei_core::export::ExportQuery::default().scope();
    let mut steps = 0;
    let (file, summary) = kartei_core::usb::export_to_dir(
        &f.kartei,
        &scope,
        kartei_core::Lang::De,
        stick.path(),
        "Test",
        |_| steps += 1,
    )
    .unwrap();
    assert!(steps > 0);
    assert!(file.exists());
    let message = super::export::written_message(
        &super::export::Written {
            stick: "INTENSO".into(),
            file,
            summary,
        },
        kartei_core::Lang::De,
    );
    assert!(message.starts_with("30 Kunden als „kunden-"), "{message}");
    assert!(
        message.ends_with("auf „INTENSO“ geschrieben. Sie können den USB-Stick jetzt abziehen.")
    );
}

#[test]
fn the_gallery_shows_photos_marks_favourites_and_deletes_after_asking() {
    let f = fixture(10);
    unlock_as_lena(&f);
    let id = f.kartei.search(&SearchRequest::default()).unwrap().items[0].id;
    super::screenshots::add_sample_photos(&f.kartei, id).unwrap();
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(id));
    let card = f.ui.global::<super::ui::CardAdapter>();
    assert_eq!(card.get_card().photo_count, 5);
    tap(&f.ui, "Fotos (5)");
    assert_eq!(card.get_photos().row_count(), 5);
    assert!(card.get_photos().row_data(0).unwrap().picture.size().width > 0);

    let favourites =
        || ElementHandle::find_by_accessible_label(&f.ui, "Favorit").collect::<Vec<_>>();
    assert_eq!(favourites()[1].accessible_checked(), Some(false));
    favourites()[1].invoke_accessible_default_action();
    tap(&f.ui, "Favoriten");
    assert_eq!(card.get_photos().row_count(), 1);
    assert_eq!(
        f.kartei
            .photos(id, kartei_core::photos::PhotoFilter::Favourites)
            .unwrap()
            .len(),
        1
    );

    tap(&f.ui, "Neueste");
    tap(&f.ui, "Foto löschen");
    assert!(card.get_confirm_delete() >= 0);
    tap(&f.ui, "Abbrechen");
    assert_eq!(card.get_photos().row_count(), 5);
    tap(&f.ui, "Foto löschen");
    tap(&f.ui, "Löschen");
    assert_eq!(card.get_photos().row_count(), 4);
    assert_eq!(card.get_card().photo_count, 4);
    assert_eq!(
        f.kartei
            .photos(id, kartei_core::photos::PhotoFilter::Newest)
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn the_kiosk_locks_itself_after_the_idle_minutes_and_a_touch_restarts_the_wait() {
    let f = fixture(5);
    let mut settings = f.kartei.settings();
    settings.lock_after_minutes = 2;
    f.kartei.set_settings(settings).unwrap();
    unlock_as_lena(&f);
    let idle = |seconds: u64| {
        for _ in 0..seconds / 15 {
            i_slint_backend_testing::mock_elapsed_time(super::app::IDLE_TICK);
        }
    };
    idle(105);
    assert_eq!(page(&f.ui), Page::List);
    // A touch (any button) starts the two minutes again.
    tap(&f.ui, "Stammkunden");
    idle(105);
    assert_eq!(page(&f.ui), Page::List);
    idle(30);
    assert_eq!(page(&f.ui), Page::Lock);
    assert_eq!(f.ctx.user(), "");
}

/// Phone contacts as an iPhone writes them (vCard 3.0, CRLF, umlauts): three new people, one
/// who completes a card (Ayşe: the e-mail is new), one already there (Zoë) and one with a
/// broken e-mail address.
const STICK_VCF: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.1//EN\r\nN:Weiß;Jürgen;;;\r\nFN:Jürgen Weiß\r\nTEL;type=CELL;type=VOICE;type=pref:0171 1111111\r\nEMAIL;type=INTERNET:juergen.weiss@example.de\r\nBDAY:1980-03-15\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Käthe;;;\r\nFN:Käthe Müller\r\nTEL;type=CELL:+49 160 2222222\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Öztürk;Ayşe;;;\r\nFN:Ayşe Öztürk\r\nTEL;type=CELL:0176 12345678\r\nEMAIL;type=INTERNET:ayse.oeztuerk@example.de\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Bäcker;Sören;;;\r\nFN:Sören Bäcker\r\nTEL;type=HOME:0221 3333333\r\nNOTE:Färbt seit 2019\\, immer 7/1.\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Kraus;Sabine;;;\r\nFN:Sabine Kraus\r\nEMAIL;type=INTERNET:sabine.kraus(at)example\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Schröder;Zoë;;;\r\nFN:Zoë Schröder\r\nTEL;type=CELL:0160 9876543\r\nEND:VCARD\r\n";

/// A folder standing in for a stick labelled INTENSO, mounted under the kiosk's USB roots.
struct Stick {
    _roots: tempfile::TempDir,
    dir: std::path::PathBuf,
}

fn plug_in_stick(f: &Fixture) -> Stick {
    let roots = tempfile::tempdir().unwrap();
    let dir = roots.path().join("INTENSO");
    std::fs::create_dir(&dir).unwrap();
    f.ctx.set_usb_roots(vec![roots.path().to_path_buf()]);
    f.ctx.set_mounts_table(Some(format!(
        "/dev/mmcblk0p2 / ext4 rw 0 0\n/dev/sda1 {} vfat rw,nosuid 0 0\n",
        dir.display()
    )));
    Stick { _roots: roots, dir }
}

fn add_customer(kartei: &Kartei, first: &str, last: &str, phone: &str) {
    let draft = kartei_core::model::CustomerDraft {
        first_name: first.into(),
        last_name: last.into(),
        phones: vec![kartei_core::model::PhoneDraft {
            label: Default::default(),
            number: phone.into(),
        }],
        ..Default::default()
    };
    kartei
        .create_customer(&draft, kartei_core::model::Source::Manual, "Lena")
        .unwrap();
}

fn import_rows(ui: &MainWindow) -> Vec<super::ui::ImportRow> {
    let rows = ui.global::<super::ui::ImportAdapter>().get_rows();
    (0..rows.row_count())
        .filter_map(|i| rows.row_data(i))
        .collect()
}

#[test]
fn import_from_a_stick_previews_lets_the_receptionist_pick_and_writes_the_chosen_rows() {
    let f = fixture(5);
    unlock_as_lena(&f);
    add_customer(&f.kartei, "Ayşe", "Öztürk", "+49 176 12345678");
    add_customer(&f.kartei, "Zoë", "Schröder", "0160 9876543");
    let stick = plug_in_stick(&f);
    std::fs::create_dir(stick.dir.join("Kontakte")).unwrap();
    std::fs::write(stick.dir.join("Kontakte/iPhone.vcf"), STICK_VCF).unwrap();
    std::fs::write(stick.dir.join("Urlaub.jpg"), b"\xff\xd8\xff").unwrap();
    let before = f.kartei.customer_count();
    let kaethes_before = f
        .kartei
        .search(&SearchRequest {
            q: "Käthe Müller".into(),
            ..Default::default()
        })
        .unwrap()
        .total;

    tap(&f.ui, "Import");
    assert_eq!(page(&f.ui), Page::Import);
    let import = f.ui.global::<super::ui::ImportAdapter>();
    let files = import.get_files();
    assert_eq!(files.row_count(), 1, "only files the import can read");
    let file = files.row_data(0).unwrap();
    assert_eq!(file.name, "Kontakte/iPhone.vcf");
    assert_eq!(file.detail, "INTENSO  ·  1 KB");
    assert_eq!(import.get_status(), "");

    tap(&f.ui, "Kontakte/iPhone.vcf");
    assert_eq!(
        import.get_step(),
        super::import::PREVIEW,
        "{}",
        import.get_status()
    );
    assert_eq!(import.get_file_name(), "iPhone.vcf");
    let counts = [
        import.get_new_count(),
        import.get_merge_count(),
        import.get_duplicate_count(),
        import.get_invalid_count(),
    ];
    // Sabine Kraus's broken e-mail no longer refuses her: she arrives with a warning (issue 11).
    assert_eq!(counts, [4, 1, 1, 0]);
    assert_eq!(element(&f.ui, "Ungültig").accessible_value().unwrap(), "0");
    let rows = import_rows(&f.ui);
    let shown: Vec<(&str, &str, bool)> = rows
        .iter()
        .map(|r| (r.name.as_str(), r.action.as_str(), r.chosen))
        .collect();
    assert_eq!(
        shown,
        [
            ("Jürgen Weiß", "Neu", true),
            ("Käthe Müller", "Neu", true),
            ("Ayşe Öztürk", "Ergänzt „Ayşe Öztürk“: E-Mail", true),
            ("Sören Bäcker", "Neu", true),
            ("Sabine Kraus", "Neu", true),
            ("Zoë Schröder", "Schon vorhanden: „Zoë Schröder“", false),
        ]
    );
    assert_eq!(
        rows[0].detail,
        "0171 1111111  ·  juergen.weiss@example.de  ·  15.03.1980"
    );
    assert_eq!(import.get_chosen_count(), 5);
    assert_eq!(
        f.kartei.customer_count(),
        before,
        "a preview writes nothing"
    );

    // Käthe and Sabine (her row has a warning) stay out.
    let kaethe = element(&f.ui, "Käthe Müller");
    assert_eq!(kaethe.accessible_checked(), Some(true));
    kaethe.invoke_accessible_default_action();
    assert_eq!(
        element(&f.ui, "Käthe Müller").accessible_checked(),
        Some(false)
    );
    tap(&f.ui, "Sabine Kraus");
    assert_eq!(
        element(&f.ui, "Sabine Kraus").accessible_checked(),
        Some(false)
    );
    assert_eq!(import.get_chosen_count(), 3);

    tap(&f.ui, "3 Kontakte importieren");
    assert_eq!(
        import.get_step(),
        super::import::DONE,
        "{}",
        import.get_status()
    );
    assert_eq!(import.get_status_kind(), 1);
    assert_eq!(
        import.get_status(),
        "2 Kunden neu angelegt, 1 Karte ergänzt."
    );
    assert_eq!(f.kartei.customer_count(), before + 2);
    let find = |q: &str| {
        f.kartei
            .search(&SearchRequest {
                q: q.into(),
                ..Default::default()
            })
            .unwrap()
    };
    assert_eq!(
        find("Käthe Müller").total,
        kaethes_before,
        "Käthe was not chosen"
    );
    let ayse = f.kartei.customer(find("Öztürk").items[0].id).unwrap();
    assert_eq!(
        ayse.email.map(|e| e.to_string()).as_deref(),
        Some("ayse.oeztuerk@example.de")
    );
    let soeren = find("Sören").items[0].id;
    assert_eq!(
        f.kartei.notes(soeren).unwrap()[0].text,
        "Färbt seit 2019, immer 7/1."
    );
    assert_eq!(f.kartei.notes(soeren).unwrap()[0].author, "Lena");

    tap(&f.ui, "Zur Kundenliste");
    assert_eq!(page(&f.ui), Page::List);
    assert_eq!(
        f.ui.global::<ListAdapter>().get_total() as usize,
        before + 2
    );
    type_into(&f.ui, "Suche", "Bäcker");
    assert_eq!(list_names(&f.ui, 5), ["Bäcker, Sören"]);

    // The same file again: nothing new to take.
    tap(&f.ui, "Import");
    tap(&f.ui, "Kontakte/iPhone.vcf");
    assert_eq!(
        import.get_new_count(),
        2,
        "Käthe and Sabine, left out before, are still new"
    );
    assert_eq!(import.get_merge_count(), 0);
    assert_eq!(import.get_duplicate_count(), 4);
    tap(&f.ui, "Abbrechen");
    assert_eq!(import.get_step(), super::import::FILES);
    assert_eq!(f.kartei.customer_count(), before + 2);
}

#[test]
fn import_of_a_bad_file_says_why_and_changes_nothing() {
    let f = fixture(5);
    unlock_as_lena(&f);
    let stick = plug_in_stick(&f);
    let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(stick.dir.join("kaputt.vcf"), &junk).unwrap();
    // A workbook cut off in the middle (the stick was pulled while copying).
    std::fs::write(stick.dir.join("Kunden.xlsx"), b"PK\x03\x04\x14\x00\x06\x00").unwrap();
    let big = std::fs::File::create(stick.dir.join("riesig.csv")).unwrap();
    big.set_len(kartei_core::import::MAX_FILE_BYTES as u64 + 1)
        .unwrap();
    let before = f.kartei.customer_count();
    tap(&f.ui, "Import");
    let import = f.ui.global::<super::ui::ImportAdapter>();
    assert_eq!(import.get_files().row_count(), 3);

    for (file, message) in [
        (
            "kaputt.vcf",
            "Unbekanntes Dateiformat. Möglich sind Kontakte (.vcf), CSV (.csv) und Excel (.xlsx).",
        ),
        (
            "Kunden.xlsx",
            "Die Datei ist beschädigt oder unvollständig und kann nicht gelesen werden.",
        ),
        ("riesig.csv", "Die Datei ist zu groß (höchstens 20 MB)."),
    ] {
        tap(&f.ui, file);
        assert_eq!(import.get_step(), super::import::FILES, "{file}");
        assert!(!import.get_running());
        assert_eq!(import.get_status_kind(), 2, "{file}");
        assert_eq!(import.get_status(), message, "{file}");
        assert_eq!(
            element(&f.ui, message).accessible_role(),
            Some(i_slint_backend_testing::AccessibleRole::Text)
        );
    }
    assert_eq!(f.kartei.customer_count(), before);
}

#[test]
fn import_says_when_no_stick_is_there_or_it_holds_nothing_to_import() {
    let f = fixture(5);
    unlock_as_lena(&f);
    let roots = tempfile::tempdir().unwrap();
    f.ctx.set_usb_roots(vec![roots.path().to_path_buf()]);
    tap(&f.ui, "Import");
    let import = f.ui.global::<super::ui::ImportAdapter>();
    assert_eq!(import.get_status_kind(), 2);
    assert_eq!(
        import.get_status(),
        "Kein USB-Stick gefunden. Bitte einstecken und kurz warten."
    );
    assert_eq!(import.get_files().row_count(), 0);

    let stick = plug_in_stick(&f);
    std::fs::write(stick.dir.join("Urlaub.jpg"), b"\xff\xd8\xff").unwrap();
    tap(&f.ui, "Erneut suchen");
    assert_eq!(
        import.get_status(),
        "Auf dem USB-Stick ist keine Datei, die Kartei lesen kann (.vcf, .csv oder .xlsx)."
    );
    std::fs::write(stick.dir.join("Kontakte.vcf"), STICK_VCF).unwrap();
    tap(&f.ui, "Erneut suchen");
    assert_eq!(import.get_status(), "");
    assert_eq!(import.get_files().row_count(), 1);
}

/// A job that panics (a bug in parsing a stick's file, say) reaches its screen as an error, as
/// any failure does, instead of leaving the screen waiting for ever.
#[test]
fn a_panicking_job_reaches_its_screen_as_an_error() {
    let f = fixture(0);
    f.ctx.worker.run(
        &f.ui,
        || -> Result<(), kartei_core::CoreError> { panic!("a bug in the vCard parser") },
        |ui, result| match result {
            Err(err) => super::shell::show_error(ui, &err.user_message(kartei_core::Lang::De)),
            Ok(()) => super::shell::show_message(ui, "fertig"),
        },
    );
    let app = f.ui.global::<AppAdapter>();
    assert!(app.get_toast_error());
    assert_eq!(
        app.get_toast().as_str(),
        kartei_core::i18n::Msg::Internal.text(kartei_core::Lang::De)
    );
}

/// The worker thread lives on after a job panicked: the next job runs.
#[test]
fn the_worker_thread_survives_a_panicking_job() {
    i_slint_backend_testing::init_no_event_loop();
    let ui = MainWindow::new().unwrap();
    let worker = Worker::thread().unwrap();
    let (panicked, outcome) = std::sync::mpsc::channel();
    worker.run(
        &ui,
        move || -> Result<(), kartei_core::CoreError> {
            let caught = super::worker::caught(|| -> Result<(), kartei_core::CoreError> {
                panic!("first job")
            });
            panicked.send(caught.map_err(|e| e.to_string())).unwrap();
            panic!("and the job itself")
        },
        |_, _| {},
    );
    assert_eq!(
        outcome
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap(),
        Err("internal error: first job".to_string())
    );
    let (ran, next) = std::sync::mpsc::channel();
    worker.run(
        &ui,
        move || {
            ran.send(()).unwrap();
            Ok(())
        },
        |_, _| {},
    );
    next.recv_timeout(std::time::Duration::from_secs(10))
        .expect("the worker thread took the next job");
}

/// The master-data editor sends only what was changed: saved unchanged, the card keeps its
/// version; with a new last name, only the last name changes (the second phone, stylist, title,
/// company and groups it does not show stay); a save in between by another device is kept.
#[test]
fn the_editor_saves_only_what_was_changed() {
    use kartei_core::model::{CustomerDraft, PhoneDraft, PhoneLabel, Source};
    let f = fixture(5);
    unlock_as_lena(&f);
    let draft = CustomerDraft {
        title: "Dr.".into(),
        first_name: "Jana".into(),
        last_name: "Nowak".into(),
        company: "Nowak GmbH".into(),
        phones: vec![
            PhoneDraft {
                label: PhoneLabel::Private,
                number: "030 1234567".into(),
            },
            PhoneDraft {
                label: PhoneLabel::Mobile,
                number: "0170 7654321".into(),
            },
        ],
        birthday: "24.11.1985".into(),
        groups: vec!["VIP".into()],
        stylist: "Lena".into(),
        marketing_consent: Some(true),
        ..Default::default()
    };
    let card = f
        .kartei
        .create_customer(&draft, Source::Manual, "Test")
        .unwrap();
    let editor_for = |id| super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Edit(id));

    editor_for(card.id);
    assert_eq!(page(&f.ui), Page::Edit);
    tap(&f.ui, "Speichern");
    assert_eq!(page(&f.ui), Page::Card);
    assert_eq!(f.kartei.customer(card.id).unwrap(), card, "nothing written");

    editor_for(card.id);
    type_into(&f.ui, "Nachname", "Nowak-Berg");
    // Meanwhile another phone saves the stylist.
    let other = f
        .kartei
        .patch_customer(
            card.id,
            card.version,
            &serde_json::json!({"stylist": "Mehmet"}),
            "Mia",
        )
        .unwrap();
    tap(&f.ui, "Speichern");
    // The kiosk's edit was made on the old version: refused, the form keeps what was typed.
    assert_eq!(page(&f.ui), Page::Edit);
    assert!(!f.ui.global::<EditorAdapter>().get_form_error().is_empty());
    assert_eq!(f.ui.global::<EditorAdapter>().get_last_name(), "Nowak-Berg");
    assert_eq!(f.kartei.customer(card.id).unwrap(), other);

    editor_for(card.id);
    type_into(&f.ui, "Nachname", "Nowak-Berg");
    tap(&f.ui, "Speichern");
    assert_eq!(page(&f.ui), Page::Card);
    let saved = f.kartei.customer(card.id).unwrap();
    let mut expected = other.clone();
    expected.last_name = "Nowak-Berg".into();
    expected.version = other.version + 1;
    expected.updated_at = saved.updated_at;
    assert_eq!(saved, expected);
}

/// The owner sets how long a phone stays logged in on the start screen; the core keeps it
/// (the LAN server reads it at every request). A stylist does not see the setting.
#[test]
fn owners_set_the_phone_session_length_on_the_start_screen() {
    let f = fixture(5);
    let dashboard = f.ui.global::<super::ui::DashboardAdapter>();
    unlock_as_lena(&f);
    tap(&f.ui, "Übersicht");
    assert_eq!(page(&f.ui), Page::Dashboard);
    assert!(!dashboard.get_is_owner());
    assert!(ElementHandle::find_by_accessible_label(&f.ui, "Kürzer")
        .next()
        .is_none());

    f.ui.global::<AppAdapter>().invoke_lock();
    unlock_as(&f, "Sabine", "2468");
    tap(&f.ui, "Übersicht");
    assert!(dashboard.get_is_owner());
    // The value, next to its label's text.
    let shown = || {
        ElementHandle::find_by_accessible_label(&f.ui, "Handy-Anmeldung endet nach")
            .filter_map(|e| e.accessible_value())
            .map(|v| v.to_string())
            .find(|v| !v.is_empty())
            .unwrap_or_default()
    };
    assert_eq!(shown(), "12 Stunden");
    tap(&f.ui, "Kürzer");
    assert_eq!(f.kartei.settings().session_idle_minutes, 480);
    assert_eq!(shown(), "8 Stunden");
    for _ in 0..10 {
        tap(&f.ui, "Kürzer");
    }
    assert_eq!(
        f.kartei.settings().session_idle_minutes,
        15,
        "not below the range"
    );
    assert_eq!(shown(), "15 Minuten");
    tap(&f.ui, "Länger");
    tap(&f.ui, "Länger");
    assert_eq!(shown(), "1 Stunde");
    for _ in 0..10 {
        tap(&f.ui, "Länger");
    }
    assert_eq!(
        f.kartei.settings().session_idle_minutes,
        1440,
        "not above the range"
    );
    assert_eq!(shown(), "24 Stunden");
    assert!(!f.ui.global::<AppAdapter>().get_toast_error());
}

#[test]
fn the_start_screen_shows_the_backup_status_and_owners_back_up_now() {
    let f = fixture(20);
    let dashboard = f.ui.global::<super::ui::DashboardAdapter>();
    unlock_as_lena(&f);
    tap(&f.ui, "Übersicht");
    assert_eq!(page(&f.ui), Page::Dashboard);
    assert!(!dashboard.get_backup_good());
    assert_eq!(
        dashboard.get_backup_text(),
        "Achtung: es gibt noch keine geprüfte Sicherung."
    );
    // A stylist may not start one.
    tap(&f.ui, "Jetzt sichern");
    let app = f.ui.global::<AppAdapter>();
    assert!(app.get_toast_error());
    assert_eq!(
        app.get_toast(),
        "Sicherungen starten und einrichten dürfen nur Inhaber."
    );
    assert!(!f.kartei.backup_running());
    assert_eq!(f.kartei.backup_status().last_attempt, None);

    app.invoke_lock();
    unlock_as(&f, "Sabine", "2468");
    tap(&f.ui, "Übersicht");
    tap(&f.ui, "Jetzt sichern");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while f.kartei.backup_running() || f.kartei.backup_status().last_good().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no backup within 60 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The live thread does this on `BackupsChanged`; tests run without it.
    super::dashboard::refresh_backup(&f.ui, &f.ctx);
    assert!(dashboard.get_backup_good());
    assert!(!dashboard.get_backup_running());
    let text = dashboard.get_backup_text().to_string();
    assert!(
        text.starts_with("letzte Sicherung ") && text.ends_with(" geprüft ✓"),
        "{text}"
    );
}

/// What every module of `ui_glue` may take from its parent besides its own sub-models: the
/// shell, the shared helpers and the context, never a controller.
const SHARED: [&str; 7] = [
    "shell",
    "format",
    "ui",
    "worker",
    "Ctx",
    "customer_id",
    "RECENT",
];

/// A module's own sub-models (and what the screenshot driver builds the window with).
fn own_parts(module: &str) -> &'static [&'static str] {
    match module {
        "list" => &["list_model"],
        "import" => &["import_rows"],
        "screenshots" => &["build"],
        _ => &[],
    }
}

/// The names a source takes from its parent (`use super::{a, b::c}`, `super::a::f()`,
/// `crate::ui_glue::a`), outside comments and its test module.
fn names_from_parent(source: &str) -> std::collections::BTreeSet<String> {
    let code: String = source
        .split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = std::collections::BTreeSet::new();
    for prefix in ["super::", "crate::ui_glue::"] {
        for part in code.split(prefix).skip(1) {
            let Some(group) = part.strip_prefix('{') else {
                names.insert(ident(part));
                continue;
            };
            let (mut depth, mut item) = (0, String::new());
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.insert(ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(ch);
            }
            names.insert(ident(&item));
        }
    }
    names.remove("");
    names
}

/// The invariant of the kiosk's code map: controllers never use each other. Only `app.rs` (the
/// dispatcher) and `mod.rs` (`build`) know the controllers; every other module of `ui_glue`,
/// the shell included, takes from its parent only the shell, the shared helpers, the context
/// and its own sub-models. A new module is checked as soon as it exists.
#[test]
fn controllers_never_import_each_other() {
    let parsed = names_from_parent(
        "use super::{card, shell::{self, Screen}, Ctx};\n// super::editor\nfn f() { super::list::refresh(); }\n#[cfg(test)]\nuse super::*;",
    );
    assert_eq!(
        parsed.iter().map(String::as_str).collect::<Vec<_>>(),
        ["Ctx", "card", "list", "shell"]
    );

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk/ui_glue");
    let mut checked = Vec::new();
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        let Some(module) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "rs") || ["app", "mod", "tests"].contains(&module) {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for name in names_from_parent(&source) {
            if !SHARED.contains(&name.as_str()) && !own_parts(module).contains(&name.as_str()) {
                wrong.push(format!("{module}.rs uses super::{name}"));
            }
        }
        checked.push(module.to_string());
    }
    checked.sort();
    for module in ["card", "editor", "list", "live", "lock", "photos", "shell"] {
        assert!(
            checked.iter().any(|m| m == module),
            "{module}.rs not checked"
        );
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A note saved on the card is on screen at once, on the card (the allergy banner) and in the
/// list (the recently opened row), with no live thread running: the saving controller shows
/// the changes the core announced. Nothing is left for the live thread to show a second time.
#[test]
fn a_saved_note_shows_at_once_on_the_card_and_the_list_and_only_once() {
    let f = fixture(30);
    unlock_as_lena(&f);
    let id = f
        .kartei
        .search(&SearchRequest::default())
        .unwrap()
        .items
        .iter()
        .find(|i| !i.allergy)
        .unwrap()
        .id;
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(id));
    let card = f.ui.global::<super::ui::CardAdapter>();
    assert_eq!(card.get_card().allergy, "");
    let recent = || {
        let rows = f.ui.global::<ListAdapter>().get_recent();
        (0..rows.row_count())
            .filter_map(|i| rows.row_data(i))
            .map(|r| (r.id, r.allergy))
            .collect::<Vec<_>>()
    };
    assert_eq!(recent(), []);

    card.invoke_new_note();
    card.set_note_kind(1);
    card.set_note_text("Latex".into());
    card.invoke_save_note();
    assert_eq!(card.get_dialog(), 0, "{}", card.get_dialog_error());
    assert_eq!(f.ui.global::<AppAdapter>().get_toast(), "Gespeichert.");
    assert!(
        card.get_card().allergy.contains("Latex"),
        "{}",
        card.get_card().allergy
    );
    assert_eq!(recent(), [(id.0 as i32, true)]);
    // The live thread, woken by the same change, finds nothing left to show.
    assert_eq!(super::live::take(), super::live::Changes::default());
}

#[test]
fn an_owner_sees_who_viewed_the_card_and_a_stylist_sees_no_log() {
    let f = fixture(10);
    let id = f
        .kartei
        .search(&SearchRequest::default())
        .unwrap()
        .items
        .iter()
        .find(|i| i.allergy)
        .expect("the demo data has an allergy")
        .id;
    let card = f.ui.global::<super::ui::CardAdapter>();

    // Lena (staff) opens the card: the view is logged, but she sees no log.
    unlock_as_lena(&f);
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(id));
    assert!(!card.get_show_audit());
    assert_eq!(card.get_audit().row_count(), 0);

    // Sabine (owner) sees Lena's view of health data, newest first, in red.
    f.ui.global::<AppAdapter>().invoke_lock();
    unlock_as(&f, "Sabine", "2468");
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(id));
    assert!(card.get_show_audit());
    let rows: Vec<_> = (0..card.get_audit().row_count())
        .filter_map(|i| card.get_audit().row_data(i))
        .collect();
    let lena = rows
        .iter()
        .find(|r| r.detail == "Lena")
        .expect("Lena's view is in the log");
    assert_eq!(lena.title, "angesehen (Gesundheitsdaten)");
    assert!(lena.appointment, "health-data views are marked");
    assert_eq!(rows[0].detail, "Sabine", "her own view comes first");
}

#[test]
fn an_owner_anonymises_a_card_after_the_question_and_a_stylist_cannot() {
    let f = fixture(10);
    let id = f.kartei.search(&SearchRequest::default()).unwrap().items[0].id;
    let card = f.ui.global::<super::ui::CardAdapter>();
    unlock_as_lena(&f);
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(id));
    assert!(!card.get_can_anonymise(), "a stylist gets no button");

    f.ui.global::<AppAdapter>().invoke_lock();
    unlock_as(&f, "Sabine", "2468");
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(id));
    assert!(card.get_can_anonymise());
    let name = f.kartei.customer(id).unwrap().display_name();
    assert!(
        card.get_anonymise_question().contains(&name),
        "{}",
        card.get_anonymise_question()
    );
    card.set_dialog(3);
    card.invoke_anonymise();
    assert_eq!(card.get_dialog(), 0, "{}", card.get_dialog_error());
    let after = f.kartei.customer(id).unwrap();
    assert!(after.anonymised && after.phones.is_empty());
    assert_eq!(card.get_card().name, "Anonymisiert");
    assert!(!card.get_can_anonymise(), "once is enough");

    // The owner's start screen names how many are due, as the core counts them.
    let due = f.kartei.retention_review(Role::Owner).unwrap();
    super::dashboard::refresh(&f.ui, &f.ctx);
    let dashboard = f.ui.global::<super::ui::DashboardAdapter>();
    let text = dashboard.get_retention_text().to_string();
    match due.len() {
        0 => assert_eq!(text, ""),
        n => {
            assert!(text.ends_with(&format!("· {n}")), "{text}");
            assert_eq!(dashboard.get_retention_due().row_count(), n.min(4));
        }
    }
}

// ---- Messages, mail settings and newsletters (issue 16). No mail servers: the outbox thread
// is not started, so what is written stays queued, and replies are handed to the core as the
// inbox watcher would (`Kartei::take_in`).

/// Mail set up (no server behind it) and a customer `first last` with an e-mail address and,
/// when `consent`, marketing consent (not yet confirmed).
fn mail_customer(f: &Fixture, first: &str, last: &str, consent: bool) -> CustomerId {
    let mut mail = f.kartei.mail_settings();
    if !mail.is_configured() {
        mail.address = "salon@kartei.test".into();
        mail.smtp_host = "127.0.0.1".into();
        mail.imap_host = "127.0.0.1".into();
        mail.user = "salon".into();
        mail.password = "geheim".into();
        f.kartei.set_mail_settings(mail, "Sabine").unwrap();
    }
    let draft = kartei_core::model::CustomerDraft {
        first_name: first.into(),
        last_name: last.into(),
        ..Default::default()
    };
    let c = f
        .kartei
        .create_customer(&draft, kartei_core::model::Source::Manual, "Lena")
        .unwrap();
    f.kartei
        .patch_customer(
            c.id,
            c.version,
            &serde_json::json!({
                "email": format!("{}@example.org", first.to_lowercase()),
                "marketing_consent": consent,
            }),
            "Lena",
        )
        .unwrap();
    c.id
}

/// A mail as the inbox watcher hands it over.
fn receive(f: &Fixture, uid: u32, from: &str, subject: &str, in_reply_to: Option<&str>) {
    let reply_to = in_reply_to
        .map(|id| format!("In-Reply-To: <{id}>\r\n"))
        .unwrap_or_default();
    let raw = format!(
        "From: <{from}>\r\nTo: salon@kartei.test\r\nMessage-ID: <mail-{uid}@example.org>\r\n{reply_to}Subject: {subject}\r\n\r\nJa, gerne. Bis Dienstag!\r\n"
    );
    f.kartei
        .take_in(
            "INBOX",
            vec![kartei_core::mail::imap::Fetched {
                uid,
                size: raw.len() as u32,
                raw: raw.into_bytes(),
                truncated: false,
            }],
            &kartei_core::store::MailboxState {
                uid_validity: 1,
                last_uid: uid,
            },
        )
        .unwrap();
}

fn history(ui: &MainWindow) -> Vec<super::ui::HistoryRow> {
    let rows = ui.global::<super::ui::CardAdapter>().get_card().history;
    (0..rows.row_count())
        .filter_map(|i| rows.row_data(i))
        .collect()
}

#[test]
fn a_message_written_on_the_card_shows_in_the_history_as_queued() {
    let f = fixture(10);
    let id = mail_customer(&f, "Mara", "Zwiebel", false);
    unlock_as_lena(&f);
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(id));
    let card = f.ui.global::<super::ui::CardAdapter>();
    tap(&f.ui, "Nachricht");
    assert_eq!(card.get_dialog(), 4);
    // Empty: the errors show by field.
    tap(&f.ui, "Senden");
    assert_eq!(card.get_dialog(), 4);
    assert_eq!(card.get_subject_error(), "Pflichtfeld.");
    assert_eq!(card.get_text_error(), "Pflichtfeld.");
    // A template fills both with the customer's name.
    tap(&f.ui, "Nachricht");
    let templates = card.get_templates();
    let names: Vec<String> = (0..templates.row_count())
        .filter_map(|i| templates.row_data(i))
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        names.first().map(String::as_str),
        Some("Nachricht"),
        "{names:?}"
    );
    card.invoke_pick_template(0);
    assert!(card.get_message_text().starts_with("Hallo Mara,"));
    type_into(&f.ui, "Betreff", "Ihr Termin am Dienstag");
    type_into(&f.ui, "Text", "Hallo Mara,\nbis Dienstag um 14 Uhr!");
    tap(&f.ui, "Senden");
    assert_eq!(card.get_dialog(), 0, "{}", card.get_dialog_error());
    assert_eq!(card.get_tab(), super::card::HISTORY_TAB);
    let rows = history(&f.ui);
    let sent = rows
        .iter()
        .find(|h| h.kind == 2)
        .expect("the message in the history");
    assert_eq!(sent.title, "Ihr Termin am Dienstag");
    assert_eq!(sent.text, "Hallo Mara,\nbis Dienstag um 14 Uhr!");
    assert!(sent.detail.contains("wird gesendet"), "{}", sent.detail);
    assert!(sent.detail.contains("mara@example.org"), "{}", sent.detail);
    assert!(!sent.unread && !sent.failed);
    assert!(element(&f.ui, "Nachricht im Verlauf")
        .accessible_value()
        .is_some_and(|v| v.contains("Ihr Termin am Dienstag")));
    let stored = f.kartei.messages_of(id).unwrap();
    assert_eq!(stored.len(), 1);
    assert!(matches!(
        stored[0].delivery,
        kartei_core::model::Delivery::Queued { .. }
    ));
}

/// A reply shows as unread on the card and on the top bar; opening the history reads it (the
/// mark stays on screen for this visit), and a message being typed survives the live update.
#[test]
fn a_received_reply_shows_unread_and_the_badge_and_a_half_typed_message_is_kept() {
    let f = fixture(10);
    let id = mail_customer(&f, "Mara", "Zwiebel", false);
    let sent = f
        .kartei
        .send_message(id, "Ihr Termin", "Bis Dienstag?", "Lena")
        .unwrap();
    unlock_as_lena(&f);
    let messages = f.ui.global::<super::ui::MessagesAdapter>();
    assert_eq!(messages.get_unread(), 0);
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(id));
    let card = f.ui.global::<super::ui::CardAdapter>();
    tap(&f.ui, "Nachricht");
    type_into(&f.ui, "Betreff", "Noch eine Frage");

    receive(
        &f,
        7,
        "mara@example.org",
        "Re: Ihr Termin",
        Some(&sent.header_id),
    );
    // The live thread does this on the change event; tests run without it.
    super::shell::show_changes(&f.ui, &f.ctx);
    assert_eq!(messages.get_unread(), 1);
    assert_eq!(
        element(&f.ui, "Ungelesene Nachrichten")
            .accessible_value()
            .as_deref(),
        Some("1")
    );
    assert_eq!(card.get_card().unread, 1);
    assert_eq!(card.get_dialog(), 4, "the dialog stays open");
    assert_eq!(card.get_message_subject(), "Noch eine Frage");
    let reply = history(&f.ui).into_iter().find(|h| h.kind == 3).unwrap();
    assert!(reply.unread);
    assert_eq!(reply.title, "Re: Ihr Termin");
    assert_eq!(reply.text, "Ja, gerne. Bis Dienstag!");

    card.set_dialog(0);
    tap(&f.ui, "Verlauf (1 ungelesen)");
    assert_eq!(card.get_tab(), super::card::HISTORY_TAB);
    assert_eq!(messages.get_unread(), 0, "read once the history is open");
    assert_eq!(card.get_card().unread, 0);
    assert!(
        history(&f.ui).iter().any(|h| h.kind == 3 && h.unread),
        "the mark stays for this visit"
    );
    assert_eq!(f.kartei.unread_counts().unwrap().0, 0);
    // Leaving and coming back: read.
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(id));
    assert!(!history(&f.ui).iter().any(|h| h.unread));
}

#[test]
fn an_unassigned_mail_is_given_to_a_customer_and_moves_onto_the_card() {
    let f = fixture(10);
    let id = mail_customer(&f, "Mara", "Zwiebel", false);
    receive(
        &f,
        3,
        "unbekannt@example.net",
        "Termin frei am Samstag?",
        None,
    );
    unlock_as_lena(&f);
    let messages = f.ui.global::<super::ui::MessagesAdapter>();
    assert_eq!(messages.get_unread(), 1);
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Messages);
    assert_eq!(page(&f.ui), Page::Messages);
    assert_eq!(messages.get_unassigned().row_count(), 1);
    tap(&f.ui, "Termin frei am Samstag?");
    assert_eq!(messages.get_selected(), 0);
    assert_eq!(
        element(&f.ui, "Geöffnete Nachricht")
            .accessible_value()
            .as_deref(),
        Some("Termin frei am Samstag?")
    );
    assert_eq!(messages.get_unread(), 0, "opening it reads it");
    type_into(&f.ui, "Kundin suchen", "zwieb");
    assert_eq!(messages.get_assign_hits().row_count(), 1);
    tap(&f.ui, "Zuordnen: Zwiebel, Mara");
    assert_eq!(messages.get_unassigned().row_count(), 0);
    assert_eq!(messages.get_selected(), -1);
    assert!(f.kartei.unassigned_messages().unwrap().is_empty());
    let on_card = f.kartei.messages_of(id).unwrap();
    assert_eq!(on_card.len(), 1);
    assert_eq!(on_card[0].subject, "Termin frei am Samstag?");
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(id));
    assert!(history(&f.ui)
        .iter()
        .any(|h| h.kind == 3 && h.title == "Termin frei am Samstag?"));
}

#[test]
fn the_newsletter_preview_counts_who_gets_it_and_why_the_others_are_left_out() {
    let f = fixture(10);
    let confirmed = mail_customer(&f, "Mara", "Zwiebelmann", true);
    let unconfirmed = mail_customer(&f, "Nina", "Zwiebelmann", true);
    mail_customer(&f, "Olga", "Zwiebelmann", false);
    add_customer(&f.kartei, "Paula", "Zwiebelmann", "0170 1234567");
    // Mara confirms by answering the consent request (double opt-in).
    let request = f
        .kartei
        .request_consent(confirmed, "Lena", kartei_core::Lang::De)
        .unwrap();
    receive(
        &f,
        9,
        "mara@example.org",
        "Re: Bitte bestätigen",
        Some(&request.header_id),
    );
    unlock_as_lena(&f);
    // The card says which consent is confirmed and offers to ask for the other.
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(confirmed));
    let card = f.ui.global::<super::ui::CardAdapter>();
    assert_eq!(card.get_card().consent, "bestätigt (Double-Opt-in)");
    assert!(!card.get_card().can_request_consent);
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Card(unconfirmed));
    assert_eq!(card.get_card().consent, "noch nicht per E-Mail bestätigt");
    tap(&f.ui, "Einwilligung per E-Mail bestätigen lassen");
    assert_eq!(
        f.ui.global::<AppAdapter>().get_toast(),
        "Bestätigungsanfrage gesendet; die Einwilligung gilt, sobald die Antwort da ist."
    );

    // Newsletters are the owner's.
    f.ui.global::<AppAdapter>().invoke_lock();
    unlock_as(&f, "Sabine", "2468");
    f.ui.global::<ListAdapter>()
        .invoke_search("Zwiebelmann".into());
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Newsletter);
    assert_eq!(page(&f.ui), Page::Newsletter);
    let n = f.ui.global::<super::ui::NewsletterAdapter>();
    assert_eq!(
        n.get_audiences().row_data(0).unwrap(),
        "die aktuelle Liste (4)"
    );
    assert_eq!(n.get_recipients(), 1);
    assert_eq!(
        element(&f.ui, "Empfänger").accessible_value().as_deref(),
        Some("1 erhalten ihn")
    );
    assert_eq!(n.get_left_out_text(), "3 ausgelassen");
    let left = n.get_left_out();
    let reasons: Vec<(String, String)> = (0..left.row_count())
        .filter_map(|i| left.row_data(i))
        .map(|d| (d.label.to_string(), d.value.to_string()))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    for name in ["Nina", "Olga", "Paula"] {
        assert!(
            reasons
                .iter()
                .any(|(n, r)| n.contains(name) && !r.is_empty()),
            "{reasons:?}"
        );
    }

    // Test to me, then send after the question: one mail queued, with its progress.
    type_into(&f.ui, "Betreff", "Neu im Salon");
    type_into(&f.ui, "Text", "Hallo {Vorname}, wir haben neue Farben!");
    tap(&f.ui, "Test an mich senden");
    assert_eq!(
        f.ui.global::<AppAdapter>().get_toast(),
        "Test an salon@kartei.test unterwegs."
    );
    tap(&f.ui, "Newsletter senden");
    assert!(n.get_confirm());
    assert_eq!(
        n.get_confirm_text(),
        "Newsletter jetzt an 1 Empfänger senden?"
    );
    tap(&f.ui, "Jetzt senden");
    assert!(!n.get_confirm());
    assert_eq!(n.get_error(), "");
    assert!(n.get_has_running());
    assert!(
        n.get_progress_text().contains("0 von 1 gesendet"),
        "{}",
        n.get_progress_text()
    );
    tap(&f.ui, "Anhalten");
    assert!(n.get_paused());
    tap(&f.ui, "Fortsetzen");
    assert!(!n.get_paused());
    let mara = f.kartei.messages_of(confirmed).unwrap();
    assert!(mara
        .iter()
        .any(|m| m.text == "Hallo Mara, wir haben neue Farben!"));
}

#[test]
fn mail_settings_are_for_owners_show_errors_by_field_and_never_the_password() {
    let f = fixture(5);
    unlock_as_lena(&f);
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::MailSettings);
    assert_eq!(page(&f.ui), Page::List, "stylists may not");
    let owners_only = "E-Mail einrichten und Newsletter senden kann nur ein Inhaber-Zugang.";
    assert_eq!(f.ui.global::<AppAdapter>().get_toast(), owners_only);
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Newsletter);
    assert_eq!(page(&f.ui), Page::List, "no newsletter for stylists either");
    assert_eq!(f.ui.global::<AppAdapter>().get_toast(), owners_only);
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Messages);
    let newsletter_button = |ui: &MainWindow| {
        ElementHandle::find_by_accessible_label(ui, "Newsletter")
            .any(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button))
    };
    assert!(
        !newsletter_button(&f.ui),
        "a stylist's messages screen offers no newsletter"
    );
    f.ui.global::<AppAdapter>().invoke_lock();
    unlock_as(&f, "Sabine", "2468");
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::Messages);
    assert!(newsletter_button(&f.ui), "an owner's does");
    tap(&f.ui, "E-Mail-Einstellungen");
    assert_eq!(page(&f.ui), Page::MailSettings);
    let s = f.ui.global::<super::ui::MailSettingsAdapter>();
    assert!(!s.get_password_set());

    type_into(&f.ui, "E-Mail-Adresse des Salons", "salon-at-example");
    type_into(&f.ui, "SMTP-Server Port", "abc");
    type_into(&f.ui, "IMAP-Server", "mail example.org");
    // Further down the form (scrolled out of view: the testing backend finds only what is
    // visible), set through the adapter the fields are bound to.
    s.set_per_minute("0".into());
    s.set_template_body("Hallo {Spitzname}".into());
    tap(&f.ui, "Speichern");
    assert_ne!(s.get_address_error(), "");
    assert_ne!(s.get_smtp_port_error(), "");
    assert_ne!(s.get_imap_host_error(), "");
    assert_ne!(s.get_per_minute_error(), "");
    assert_eq!(s.get_smtp_host_error(), "");
    assert!(
        s.get_template_error().starts_with("„Nachricht“: "),
        "{}",
        s.get_template_error()
    );
    assert!(!f.kartei.mail_settings().is_configured(), "nothing saved");

    type_into(&f.ui, "E-Mail-Adresse des Salons", "salon@example.org");
    type_into(&f.ui, "SMTP-Server", "smtp.example.org");
    type_into(&f.ui, "SMTP-Server Port", "465");
    tap(&f.ui, "SMTP-Server SSL/TLS");
    type_into(&f.ui, "IMAP-Server", "imap.example.org");
    s.set_per_minute("30".into());
    s.set_template_body("Hallo {Vorname}".into());
    type_into(&f.ui, "Benutzername", "salon@example.org");
    type_into(&f.ui, "Passwort", "streng-geheim");
    tap(&f.ui, "Speichern");
    assert_eq!(s.get_form_error(), "");
    assert_eq!(f.ui.global::<AppAdapter>().get_toast(), "Gespeichert.");
    let stored = f.kartei.mail_settings();
    assert_eq!(stored.password, "streng-geheim");
    assert_eq!(stored.smtp_port, 465);
    assert_eq!(stored.smtp_security, kartei_core::mail::Security::Tls);
    assert_eq!(stored.templates[0].body, "Hallo {Vorname}");
    // The password is write-only: the form shows that one is stored, never the password.
    let shown = |s: &super::ui::MailSettingsAdapter| s.get_password().to_string();
    assert_eq!(shown(&s), "");
    assert!(s.get_password_set());
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::MailSettings);
    assert_eq!(shown(&s), "");
    let field = ElementHandle::find_by_accessible_label(&f.ui, "Passwort")
        .find(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::TextInput))
        .unwrap();
    assert_eq!(field.accessible_value().unwrap_or_default(), "");
    // Saving again with the field empty keeps it.
    tap(&f.ui, "Speichern");
    assert_eq!(f.kartei.mail_settings().password, "streng-geheim");
}

/// "Testnachricht senden" against servers that are not there (a loopback port nobody listens
/// on): every step is shown, the sending one as failed with the server named.
#[test]
fn the_settings_test_shows_each_step_and_names_the_server_nobody_answers_at() {
    let f = fixture(5);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut settings = f.kartei.mail_settings();
    settings.address = "salon@example.org".into();
    settings.smtp_host = "127.0.0.1".into();
    settings.smtp_port = port;
    settings.imap_host = "127.0.0.1".into();
    settings.imap_port = port;
    settings.user = "salon@example.org".into();
    settings.password = "geheim".into();
    f.kartei.set_mail_settings(settings, "Sabine").unwrap();
    unlock_as(&f, "Sabine", "2468");
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::MailSettings);
    let s = f.ui.global::<super::ui::MailSettingsAdapter>();
    s.invoke_test();
    assert!(!s.get_testing());
    assert!(!s.get_test_ok());
    let steps: Vec<super::ui::TestStep> = (0..s.get_test_steps().row_count())
        .filter_map(|i| s.get_test_steps().row_data(i))
        .collect();
    assert_eq!(steps.len(), 4, "send, inbox, Sent folder, arrival");
    assert!(steps.iter().all(|x| !x.label.is_empty()));
    assert!(!steps[0].ok, "nobody listens on {port}");
    assert!(
        steps[0].text.contains(&format!("127.0.0.1:{port}")),
        "the failed step names the server: {}",
        steps[0].text
    );
    assert!(!steps[1].ok, "{}", steps[1].text);
}

#[test]
fn an_owner_adds_and_deletes_a_template_and_kartei_keeps_its_own() {
    let f = fixture(5);
    unlock_as(&f, "Sabine", "2468");
    super::shell::go(&f.ui, &f.ctx, super::shell::Screen::MailSettings);
    let s = f.ui.global::<super::ui::MailSettingsAdapter>();
    let shipped = f.kartei.mail_settings().templates.len();
    assert!(
        s.get_template_removable(),
        "the first shipped message template may go"
    );
    let reminder = f
        .kartei
        .mail_settings()
        .templates
        .iter()
        .position(|t| t.use_for == kartei_core::mail::TemplateUse::Reminder)
        .unwrap();
    s.invoke_pick_template(reminder as i32);
    assert!(!s.get_template_removable(), "the reminder's template stays");
    s.invoke_remove_template();
    assert_eq!(s.get_templates().row_count(), shipped, "even when asked");

    // The buttons are below the fold of the settings (the testing backend finds only what is
    // visible): pressed through the adapter they are wired to.
    s.invoke_new_template();
    assert_eq!(s.get_template(), shipped as i32, "the new one is on screen");
    assert_eq!(s.get_template_name(), "Neue Vorlage");
    s.set_template_name("Farbberatung".into());
    s.set_template_subject("Ihre Farbe bei {Salon}".into());
    s.set_template_body("Hallo {Vorname}, …".into());
    tap(&f.ui, "Speichern");
    assert_eq!(s.get_form_error(), "", "{}", s.get_template_error());
    let stored = f.kartei.mail_settings().templates;
    assert_eq!(stored.len(), shipped + 1);
    let own = &stored[shipped];
    assert_eq!(
        (own.key.as_str(), own.name.as_str()),
        ("own_1", "Farbberatung")
    );
    assert_eq!(own.subject, "Ihre Farbe bei {Salon}");

    s.invoke_pick_template(shipped as i32);
    assert!(s.get_template_removable());
    s.invoke_remove_template();
    tap(&f.ui, "Speichern");
    let stored = f.kartei.mail_settings().templates;
    assert_eq!(stored.len(), shipped);
    assert!(stored.iter().all(|t| t.key != "own_1"));
}
