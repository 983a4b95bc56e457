//! The USB import with the real event loop and the real background worker: the file is read,
//! previewed and committed off the UI thread while the progress bar moves, and the result comes
//! back to the screen. One test per process: the testing backend's event loop can be set up
//! once.

use kartei::ui_glue::import::{DONE, PREVIEW};
use kartei::ui_glue::shell::{self, Screen};
use kartei::ui_glue::ui::{ImportAdapter, ListAdapter, LockAdapter};
use kartei::ui_glue::{build, worker::Worker};
use kartei_core::model::Role;
use kartei_core::Kartei;
use slint::{ComponentHandle, Model, Timer, TimerMode};
use std::cell::{Cell, RefCell};
use std::fmt::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Contacts enough that reading and writing them takes many frames.
const CONTACTS: usize = 4_000;

fn phone_book() -> String {
    let first = [
        "Jürgen", "Käthe", "Sören", "Zoë", "Ayşe", "Björn", "Möhre", "Ülkü",
    ];
    let last = [
        "Weiß",
        "Müller",
        "Bäcker",
        "Schröder",
        "Öztürk",
        "Hüttner",
        "Groß",
    ];
    let mut out = String::new();
    for i in 0..CONTACTS {
        let (f, l) = (first[i % first.len()], last[i % last.len()]);
        let _ = write!(
            out,
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:{l};{f};;;\r\nFN:{f} {l}\r\nTEL;type=CELL:0171 {:07}\r\nEND:VCARD\r\n",
            1_000_000 + i
        );
    }
    out
}

#[test]
fn import_from_a_stick_runs_off_the_ui_thread_with_a_moving_progress_bar() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let dir = tempfile::tempdir().unwrap();
    let (kartei, _) = Kartei::open(dir.path()).unwrap();
    kartei_core::demo::generate(&kartei, 20, 1, |_| {}).unwrap();
    kartei.add_staff("Lena", "1357", Role::Staff).unwrap();
    let (ui, ctx) = build(&kartei, Worker::thread().unwrap()).unwrap();
    ui.show().unwrap();
    let lock = ui.global::<LockAdapter>();
    lock.set_pin("1357".into());
    lock.invoke_unlock();

    let roots = tempfile::tempdir().unwrap();
    let stick = roots.path().join("INTENSO");
    std::fs::create_dir(&stick).unwrap();
    std::fs::write(stick.join("Kontakte.vcf"), phone_book()).unwrap();
    ctx.set_usb_roots(vec![roots.path().to_path_buf()]);
    ctx.set_mounts_table(Some(format!("/dev/sda1 {} vfat rw 0 0\n", stick.display())));

    // What the progress bar showed while the preview (0) and the commit (1) ran.
    let seen: Rc<RefCell<[Vec<f32>; 2]>> = Rc::default();
    let step = Rc::new(Cell::new(0));
    let started = Instant::now();
    let timer = Timer::default();
    let weak = ui.as_weak();
    let (c, s, seen_by_timer) = (ctx.clone(), step.clone(), seen.clone());
    timer.start(TimerMode::Repeated, Duration::from_millis(2), move || {
        let Some(ui) = weak.upgrade() else { return };
        let a = ui.global::<ImportAdapter>();
        match s.get() {
            0 => {
                shell::go(&ui, &c, Screen::Import);
                s.set(1);
            }
            1 if !a.get_running() && a.get_files().row_count() == 1 => {
                a.invoke_open(0);
                s.set(2);
            }
            2 if a.get_running() => seen_by_timer.borrow_mut()[0].push(a.get_progress()),
            2 if a.get_step() == PREVIEW => {
                a.invoke_commit();
                s.set(3);
            }
            3 if a.get_running() => seen_by_timer.borrow_mut()[1].push(a.get_progress()),
            3 if a.get_step() == DONE => s.set(4),
            // The list searches again off the UI thread too.
            4 if ui.global::<ListAdapter>().get_total() as usize == 20 + CONTACTS => {
                s.set(5);
                let _ = slint::quit_event_loop();
            }
            _ if started.elapsed() > Duration::from_secs(120) => {
                let _ = slint::quit_event_loop();
            }
            _ => {}
        }
    });
    slint::run_event_loop().unwrap();

    let a = ui.global::<ImportAdapter>();
    assert_eq!(
        step.get(),
        5,
        "stuck in step {}: {}",
        step.get(),
        a.get_status()
    );
    assert_eq!(
        a.get_status(),
        "4.000 Kunden neu angelegt, 0 Karten ergänzt."
    );
    assert_eq!(kartei.customer_count(), 20 + CONTACTS);
    for (what, values) in ["preview", "commit"].iter().zip(seen.borrow().iter()) {
        assert!(
            values.windows(2).all(|w| w[0] <= w[1]),
            "{what}: the bar went back: {values:?}"
        );
        assert!(
            values.iter().any(|p| *p > 0.0 && *p < 1.0),
            "{what}: the bar never moved while the UI stayed responsive: {values:?}"
        );
    }
}
