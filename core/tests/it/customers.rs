//! Customers, notes, appointments and the card: validation, concurrency, booking upserts, the
//! colour-formula lock, warnings, most booked services, stats, staff PINs.

use crate::fixture::{now, phone, Fixture};
use chrono::Duration;
use kartei_core::card::WarningKind;
use kartei_core::model::*;
use kartei_core::{CoreError, Lang, UpsertOutcome};

#[test]
fn invalid_input_is_refused_with_field_messages_in_both_languages() {
    let f = Fixture::new();
    let draft = CustomerDraft {
        first_name: "Anna".into(),
        email: "anna@".into(),
        birthday: "30.02.1990".into(),
        ..Default::default()
    };
    match f.kartei.create_customer(&draft, Source::Manual, "Lena") {
        Err(CoreError::Invalid(errors)) => {
            assert_eq!(
                errors.texts(Lang::De)["email"],
                "Keine gültige E-Mail-Adresse (Beispiel: anna@beispiel.de)."
            );
            assert_eq!(
                errors.texts(Lang::En)["birthday"],
                "This date does not exist."
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.kartei.customer_count(), 0, "nothing was written");
    let unnamed = CustomerDraft::default();
    let err = f
        .kartei
        .create_customer(&unnamed, Source::Manual, "Lena")
        .unwrap_err();
    assert_eq!(
        err.user_message(Lang::De),
        "Bitte Vor- oder Nachnamen angeben."
    );
    let unknown_group = CustomerDraft {
        last_name: "X".into(),
        groups: vec!["Gold".into()],
        ..Default::default()
    };
    let err = f
        .kartei
        .create_customer(&unknown_group, Source::Manual, "Lena")
        .unwrap_err();
    assert_eq!(
        err.user_message(Lang::De),
        "Die Gruppe „Gold“ gibt es nicht."
    );
}

#[test]
fn a_stale_version_is_refused() {
    let f = Fixture::new();
    let c = f.add("Anna", "Alt");
    let draft = CustomerDraft {
        first_name: "Anna".into(),
        last_name: "Neu".into(),
        ..Default::default()
    };
    let saved = f
        .kartei
        .update_customer(c.id, c.version, &draft, "Lena")
        .unwrap();
    assert_eq!(saved.version, c.version + 1);
    let again = f.kartei.update_customer(c.id, c.version, &draft, "Mehmet");
    assert!(matches!(again, Err(CoreError::Conflict { .. })));
    assert!(matches!(
        f.kartei.update_customer(CustomerId(999), 1, &draft, "Lena"),
        Err(CoreError::NotFound { .. })
    ));
}

#[test]
fn consent_changes_are_logged() {
    let f = Fixture::new();
    let c = f.add_with(CustomerDraft {
        last_name: "Kunde".into(),
        marketing_consent: Some(true),
        reminder_consent: Some(true),
        consent_how: "Formular".into(),
        ..Default::default()
    });
    assert!(c.marketing_consent.given);
    assert_eq!(c.marketing_consent.by, "Test");
    assert_eq!(c.marketing_consent.how, "Formular");
    let draft = CustomerDraft {
        last_name: "Kunde".into(),
        marketing_consent: Some(false),
        ..Default::default()
    };
    let c = f
        .kartei
        .update_customer(c.id, c.version, &draft, "Lena")
        .unwrap();
    assert!(!c.marketing_consent.given && c.reminder_consent.given);
    let log: Vec<(ConsentKind, bool, &str)> = c
        .consent_log
        .iter()
        .map(|e| (e.kind, e.given, e.by.as_str()))
        .collect();
    assert_eq!(
        log,
        [
            (ConsentKind::Reminders, true, "Test"),
            (ConsentKind::Marketing, true, "Test"),
            (ConsentKind::Marketing, false, "Lena"),
        ]
    );
}

#[test]
fn bookings_complete_the_existing_card_or_create_one() {
    let f = Fixture::new();
    let anna = f.add_with(CustomerDraft {
        first_name: "Anna".into(),
        last_name: "Müller".into(),
        email: "anna@web.de".into(),
        ..Default::default()
    });
    let booking = CustomerDraft {
        first_name: "Anna".into(),
        last_name: "Mueller-Falsch".into(),
        email: "ANNA@web.de".into(),
        phones: phone("0171 2345678"),
        birthday: "12.03.1985".into(),
        ..Default::default()
    };
    let (card, outcome) = f.kartei.upsert_from_booking(&booking, "Buchung").unwrap();
    assert_eq!(outcome, UpsertOutcome::Completed);
    assert_eq!(card.id, anna.id);
    assert_eq!(
        card.last_name, "Müller",
        "existing values are never overwritten"
    );
    assert_eq!(card.phones[0].number, "+491712345678");
    assert_eq!(
        card.birthday.map(|b| b.display()),
        Some("12.03.1985".into())
    );
    let (_, again) = f.kartei.upsert_from_booking(&booking, "Buchung").unwrap();
    assert_eq!(again, UpsertOutcome::Unchanged);
    let by_phone = CustomerDraft {
        last_name: "Wer".into(),
        phones: phone("+49 171 2345678"),
        ..Default::default()
    };
    assert_eq!(
        f.kartei
            .upsert_from_booking(&by_phone, "Buchung")
            .unwrap()
            .0
            .id,
        anna.id
    );
    let stranger = CustomerDraft {
        first_name: "Neu".into(),
        last_name: "Kundin".into(),
        ..Default::default()
    };
    let (created, outcome) = f.kartei.upsert_from_booking(&stranger, "Buchung").unwrap();
    assert_eq!(outcome, UpsertOutcome::Created);
    assert_eq!(created.source, Source::Booking);
}

#[test]
fn colour_formulas_lock_after_24_hours_and_stay_until_the_customer_goes() {
    let f = Fixture::new();
    let c = f.add("Fara", "Farbe");
    let formula = NoteDraft {
        kind: NoteKind::ColourFormula,
        text: String::new(),
        pinned: false,
        formula: Some(ColourFormula {
            products: "Koleston 7/1 30 g + 6/0 30 g".into(),
            developer: "6 %".into(),
            processing_minutes: Some(35),
            result: "gut".into(),
        }),
    };
    let note = f.kartei.add_note(c.id, &formula, "Lena").unwrap();
    f.clock.advance(Duration::hours(23));
    f.kartei.update_note(note.id, &formula, "Test").unwrap();
    f.clock.advance(Duration::hours(2));
    let err = f.kartei.update_note(note.id, &formula, "Test").unwrap_err();
    assert_eq!(
        err.user_message(Lang::De),
        "Farbrezepte können nach 24 Stunden nicht mehr geändert werden."
    );
    assert!(matches!(
        f.kartei.delete_note(note.id, "Test"),
        Err(CoreError::Forbidden(_))
    ));
    // Pinning is not part of the record: a locked formula can still be pinned and unpinned.
    let pinned = NoteDraft {
        pinned: true,
        ..formula.clone()
    };
    assert!(
        f.kartei
            .update_note(note.id, &pinned, "Test")
            .unwrap()
            .pinned
    );
    let card = f.kartei.card(c.id, Lang::De).unwrap();
    assert!(!card.notes[0].editable);
    assert!(card.notes[0].note.pinned);
    f.kartei.delete_customer(c.id, "Test").unwrap();
    assert!(matches!(
        f.kartei.store().note(note.id),
        Err(CoreError::NotFound { .. })
    ));
}

#[test]
fn the_card_shows_warnings_appointments_top_services_and_history() {
    let f = Fixture::new();
    let c = f.add("Clara", "Card");
    let cut = f.service("Schnitt");
    let colour = f
        .kartei
        .create_service(&ServiceDraft {
            name: "Färben".into(),
            duration_minutes: 90,
            price_cents: 7900,
            requires_patch_test: true,
        })
        .unwrap();
    let wash = f.service("Waschen");
    for days in [300, 200, 100, 50] {
        f.appointment(c.id, now() - Duration::days(days), &[cut.id, wash.id]);
    }
    f.appointment(c.id, now() - Duration::days(20), &[colour.id, cut.id]);
    f.kartei
        .create_appointment(&AppointmentDraft {
            customer_id: c.id,
            start: now() + Duration::days(7),
            end: None,
            service_ids: vec![colour.id],
            staff: "Lena".into(),
            status: AppointmentStatus::Booked,
            note: String::new(),
        })
        .unwrap();
    f.kartei
        .add_note(
            c.id,
            &NoteDraft {
                kind: NoteKind::Allergy,
                text: "Nickel".into(),
                ..Default::default()
            },
            "Lena",
        )
        .unwrap();
    let card = f.kartei.card(c.id, Lang::De).unwrap();
    let kinds: Vec<WarningKind> = card.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(kinds, [WarningKind::Allergy, WarningKind::PatchTestMissing]);
    assert_eq!(card.warnings[0].message, "Allergie: Nickel");
    assert_eq!(card.appointments.past.len(), 5);
    assert_eq!(card.appointments.upcoming.len(), 1);
    assert_eq!(card.appointments.upcoming[0].services[0].name, "Färben");
    assert_eq!(card.visit_count, 5);
    assert_eq!(
        card.last_visit,
        Some((now() - Duration::days(20)).date_naive())
    );
    let top: Vec<(String, usize)> = card
        .top_services
        .iter()
        .map(|s| (s.name.clone(), s.count))
        .collect();
    assert_eq!(
        top,
        [
            ("Schnitt".to_string(), 5),
            ("Waschen".to_string(), 4),
            ("Färben".to_string(), 1)
        ]
    );
    assert_eq!(card.history.len(), 6);
    assert!(card.history[0].at > card.history[1].at, "newest first");
    f.kartei
        .add_patch_test(
            c.id,
            &PatchTestDraft {
                date: Some(now().date_naive()),
                product: "Koleston".into(),
                result: PatchResult::Passed,
                note: String::new(),
            },
            "Lena",
        )
        .unwrap();
    let card = f.kartei.card(c.id, Lang::En).unwrap();
    assert_eq!(card.warnings.len(), 1);
    assert_eq!(card.warnings[0].message, "Allergy: Nickel");
    let latest = card.latest_patch_test.expect("the test just recorded");
    assert!(latest.valid);
    assert_eq!(latest.test.product, "Koleston");
    assert_eq!(
        latest.valid_until,
        now()
            .date_naive()
            .checked_add_months(chrono::Months::new(6))
    );
}

#[test]
fn a_note_patch_changes_only_what_it_names() {
    let f = Fixture::new();
    let c = f.add("Petra", "Patch");
    let note = f
        .kartei
        .add_note(
            c.id,
            &NoteDraft {
                kind: NoteKind::Preference,
                text: "Mag Tee".into(),
                ..Default::default()
            },
            "Lena",
        )
        .unwrap();
    let pinned = f
        .kartei
        .patch_note(note.id, &serde_json::json!({"pinned": true}), "Test")
        .unwrap();
    assert_eq!((pinned.pinned, pinned.text.as_str()), (true, "Mag Tee"));
    let edited = f
        .kartei
        .patch_note(note.id, &serde_json::json!({"text": "Mag Kaffee"}), "Test")
        .unwrap();
    assert_eq!((edited.pinned, edited.text.as_str()), (true, "Mag Kaffee"));
    let same = f
        .kartei
        .patch_note(note.id, &serde_json::json!({}), "Test")
        .unwrap();
    assert_eq!(same, edited, "an empty patch writes nothing");
    for (patch, field) in [
        (serde_json::json!({"pinned": "ja"}), "pinned"),
        (serde_json::json!({"kind": "colour"}), "kind"),
        (serde_json::json!({"author": "Mia"}), "author"),
        (serde_json::json!({"text": ""}), "text"),
    ] {
        match f.kartei.patch_note(note.id, &patch, "Test") {
            Err(CoreError::Invalid(e)) => assert!(e.texts(Lang::De).contains_key(field), "{patch}"),
            other => panic!("{patch}: {other:?}"),
        }
    }
}

#[test]
fn patch_tests_are_checked_and_the_newest_one_counts() {
    let f = Fixture::new();
    let c = f.add("Paula", "Patch");
    let day = |d: i64| Some((now() - Duration::days(d)).date_naive());
    let record = |date, result| {
        f.kartei.add_patch_test(
            c.id,
            &PatchTestDraft {
                date,
                product: "Majirel".into(),
                result,
                note: String::new(),
            },
            "Lena",
        )
    };
    let err = record(day(-1), PatchResult::Passed).unwrap_err();
    assert_eq!(
        err.user_message(Lang::De),
        "Das Datum des Allergietests liegt in der Zukunft."
    );
    record(day(10), PatchResult::Passed).unwrap();
    record(day(400), PatchResult::Passed).unwrap();
    let card = f.kartei.card(c.id, Lang::De).unwrap();
    let latest = card.latest_patch_test.unwrap();
    assert_eq!((latest.test.date, latest.valid), (day(10).unwrap(), true));
    record(day(2), PatchResult::Failed).unwrap();
    let card = f.kartei.card(c.id, Lang::De).unwrap();
    let latest = card.latest_patch_test.unwrap();
    assert_eq!((latest.valid, latest.valid_until), (false, None));
}

#[test]
fn only_an_appointment_that_has_started_can_be_a_no_show() {
    let f = Fixture::new();
    let c = f.add("Nora", "Nichtda");
    let cut = f.service("Schnitt");
    let draft = |start| AppointmentDraft {
        customer_id: c.id,
        start,
        end: None,
        service_ids: vec![cut.id],
        staff: String::new(),
        status: AppointmentStatus::NoShow,
        note: String::new(),
    };
    let err = f
        .kartei
        .create_appointment(&draft(now() + Duration::hours(2)))
        .unwrap_err();
    let CoreError::Invalid(fields) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        fields.texts(Lang::En)["status"],
        "“No-show” is only possible once the appointment has started."
    );
    let past = f
        .kartei
        .create_appointment(&draft(now() - Duration::hours(2)))
        .unwrap();
    assert_eq!(past.status, AppointmentStatus::NoShow);
}

#[test]
fn stats_count_customers_visits_and_birthdays() {
    let f = Fixture::new();
    let cut = f.service("Schnitt");
    let regular = f.add("Rosa", "Regel");
    for days in [10, 40, 70] {
        f.appointment(regular.id, now() - Duration::days(days), &[cut.id]);
    }
    let occasional = f.add("Olli", "Ab-und-zu");
    f.appointment(occasional.id, now() - Duration::days(3), &[cut.id]);
    f.add_with(CustomerDraft {
        first_name: "Gabi".into(),
        last_name: "Geburtstag".into(),
        birthday: "24.11.1980".into(),
        ..Default::default()
    });
    let stats = f.kartei.stats();
    assert_eq!(stats.total_customers, 3);
    assert_eq!(stats.new_this_week, 3);
    assert_eq!((stats.regulars, stats.occasional), (1, 1));
    assert_eq!(stats.visits_per_month.len(), 12);
    assert_eq!(stats.visits_per_month[11].month, "2026-11");
    assert_eq!(stats.visits_per_month[11].visits, 2);
    assert_eq!(stats.visits_per_month[10].visits, 1);
    assert_eq!(stats.visits_per_month[9].visits, 1);
    assert_eq!(stats.birthdays_today.len(), 1);
    assert_eq!(stats.birthdays_today[0].last_name, "Geburtstag");
}

#[test]
fn staff_pins_are_hashed_and_guessing_is_throttled() {
    let f = Fixture::new();
    f.kartei.add_staff("Lena", "4711", Role::Owner).unwrap();
    assert!(matches!(
        f.kartei.add_staff("lena", "1234", Role::Staff),
        Err(CoreError::Invalid(_))
    ));
    assert!(matches!(
        f.kartei.add_staff("Mehmet", "12", Role::Staff),
        Err(CoreError::Invalid(_))
    ));
    let stored = f.kartei.staff().unwrap();
    assert!(!stored[0].pin_hash.contains("4711"));
    assert_eq!(
        f.kartei.verify_pin("Lena", "4711", "kiosk").unwrap().role,
        Role::Owner
    );
    for _ in 0..5 {
        assert!(matches!(
            f.kartei.verify_pin("Lena", "0000", "phone-1"),
            Err(CoreError::WrongPin)
        ));
    }
    let blocked = f.kartei.verify_pin("Lena", "4711", "phone-1").unwrap_err();
    assert_eq!(
        blocked.user_message(Lang::En),
        "Too many failed attempts. Please try again in 30 seconds."
    );
    // The guessing phone is slowed; the owner's own phone and the kiosk are not.
    assert!(f.kartei.verify_pin("Lena", "4711", "phone-2").is_ok());
    assert!(f.kartei.verify_pin("Lena", "4711", "kiosk").is_ok());
    // A restart does not forget it.
    let (f, _) = f.reopen();
    assert!(matches!(
        f.kartei.verify_pin("Lena", "4711", "phone-1"),
        Err(CoreError::Throttled { .. })
    ));
    f.clock.advance(Duration::seconds(31));
    assert!(f.kartei.verify_pin("Lena", "4711", "phone-1").is_ok());
    assert!(matches!(
        f.kartei.remove_staff("Lena"),
        Err(CoreError::Forbidden(_))
    ));
}

#[test]
fn known_and_unknown_names_take_the_same_time() {
    let f = Fixture::new();
    f.kartei.add_staff("Lena", "4711", Role::Owner).unwrap();
    let median = |name: &str| {
        let mut times: Vec<f64> = (0..7)
            .map(|i| {
                let started = std::time::Instant::now();
                let r = f.kartei.verify_pin(name, "0000", &format!("{name}-{i}"));
                assert!(matches!(r, Err(CoreError::WrongPin)), "{r:?}");
                started.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    median("Nobody"); // the dummy hash is made on first use
    let known = median("Lena");
    let unknown = median("Nobody");
    println!("wrong PIN: known name {known:.4} s, unknown name {unknown:.4} s");
    assert!(
        unknown > known * 0.5 && unknown < known * 2.0,
        "known {known:.4} s, unknown {unknown:.4} s"
    );
}

#[test]
fn change_events_are_announced() {
    let f = Fixture::new();
    let mut events = f.kartei.subscribe();
    let c = f.add("Eva", "Event");
    f.kartei.delete_customer(c.id, "Test").unwrap();
    assert_eq!(
        events.try_recv().unwrap(),
        kartei_core::Change::CustomerCreated(c.id)
    );
    assert_eq!(
        events.try_recv().unwrap(),
        kartei_core::Change::CustomerDeleted(c.id)
    );
}
