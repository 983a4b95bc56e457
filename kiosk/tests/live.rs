//! Live updates with the real event loop and the real background worker: a change made
//! elsewhere (as by a stylist's phone through the server) shows up on the kiosk's list and open
//! card without anyone touching the kiosk. One test per process: the testing backend's event
//! loop can be set up once.

use kartei::ui_glue::shell::{self, Screen};
use kartei::ui_glue::ui::{CardAdapter, ListAdapter, LockAdapter};
use kartei::ui_glue::{build, live, worker::Worker};
use kartei_core::model::{CustomerDraft, NoteDraft, NoteKind, Role, Source};
use kartei_core::Kartei;
use slint::{ComponentHandle, Timer, TimerMode};
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[test]
fn changes_from_elsewhere_show_up_live_on_the_list_and_the_open_card() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let dir = tempfile::tempdir().unwrap();
    let (kartei, _) = Kartei::open(dir.path()).unwrap();
    kartei_core::demo::generate(&kartei, 50, 1, |_| {}).unwrap();
    kartei.add_staff("Lena", "1357", Role::Staff).unwrap();
    let (ui, ctx) = build(&kartei, Worker::thread().unwrap()).unwrap();
    live::start(&ui, &ctx).unwrap();
    ui.show().unwrap();

    let lock = ui.global::<LockAdapter>();
    lock.set_pin("1357".into());
    lock.invoke_unlock();

    // The phone's changes, from another thread once the kiosk shows its list.
    let phone = kartei.clone();
    let opened = kartei.search(&Default::default()).unwrap().items[0].id;
    let step = Rc::new(Cell::new(0));
    let started = Instant::now();
    let timer = Timer::default();
    let weak = ui.as_weak();
    let (c, s) = (ctx.clone(), step.clone());
    timer.start(TimerMode::Repeated, Duration::from_millis(20), move || {
        let Some(ui) = weak.upgrade() else { return };
        let list = ui.global::<ListAdapter>();
        let card = ui.global::<CardAdapter>();
        match s.get() {
            0 if list.get_total() == 50 => {
                shell::go(&ui, &c, Screen::Card(opened));
                s.set(1);
            }
            1 if card.get_card().id as u64 == opened.0 => {
                let phone = phone.clone();
                std::thread::spawn(move || {
                    let draft = CustomerDraft {
                        first_name: "Mia".into(),
                        last_name: "Vom-Handy".into(),
                        ..Default::default()
                    };
                    phone
                        .create_customer(&draft, Source::Manual, "Handy")
                        .unwrap();
                    let note = NoteDraft {
                        kind: NoteKind::Allergy,
                        text: "Latex".into(),
                        pinned: false,
                        formula: None,
                    };
                    phone.add_note(opened, &note, "Handy").unwrap();
                });
                s.set(2);
            }
            2 if list.get_total() == 51 && card.get_card().allergy.contains("Latex") => {
                s.set(3);
                let _ = slint::quit_event_loop();
            }
            _ if started.elapsed() > Duration::from_secs(30) => {
                let _ = slint::quit_event_loop();
            }
            _ => {}
        }
    });
    slint::run_event_loop().unwrap();
    assert_eq!(
        step.get(),
        3,
        "live updates did not arrive (list {} customers, allergy banner {:?})",
        ui.global::<ListAdapter>().get_total(),
        ui.global::<CardAdapter>().get_card().allergy
    );
}
