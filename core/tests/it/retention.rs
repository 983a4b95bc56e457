//! Retention (DSGVO Art. 5(1)(e)): the review lists exactly the customers without a visit or
//! booking for the owner's number of years; anonymising takes the person out and keeps the
//! visits; only owners review and anonymise; the review is empty of anonymised cards.

use crate::fixture::{now, Fixture};
use chrono::{Duration, Months};
use kartei_core::audit::AuditAction;
use kartei_core::model::*;
use kartei_core::CoreError;

#[test]
fn the_review_lists_exactly_the_customers_past_the_period_and_anonymising_keeps_the_visits() {
    let f = Fixture::new();
    let cut = f.service("Schnitt");
    let years_ago = |years: u32, days: i64| now() - Months::new(12 * years) + Duration::days(days);

    // Created four years ago: one never came again, one came last just over three years ago,
    // one just under three years ago, one has a booking next week.
    f.clock.set(years_ago(4, 0));
    let never = f.add("Nie", "Wieder");
    let old = f.add_with(CustomerDraft {
        first_name: "Olga".into(),
        last_name: "Alt".into(),
        email: "olga@example.de".into(),
        phones: vec![PhoneDraft {
            label: PhoneLabel::Mobile,
            number: "0170 1112223".into(),
        }],
        ..Default::default()
    });
    let recent = f.add("Rita", "Neulich");
    let booked = f.add("Berta", "Gebucht");
    f.clock.set(years_ago(3, -1));
    f.kartei
        .create_appointment(&AppointmentDraft {
            customer_id: old.id,
            start: f.clock_now(),
            end: None,
            service_ids: vec![cut.id],
            staff: "Lena".into(),
            status: AppointmentStatus::Completed,
            note: "Olga bringt ihre Tochter mit".into(),
        })
        .unwrap();
    f.clock.set(years_ago(3, 1));
    f.appointment(recent.id, f.clock_now(), &[cut.id]);
    f.clock.set(now());
    f.kartei
        .create_appointment(&AppointmentDraft {
            customer_id: booked.id,
            start: now() + Duration::days(7),
            service_ids: vec![cut.id],
            staff: "Lena".into(),
            status: AppointmentStatus::Booked,
            end: None,
            note: String::new(),
        })
        .unwrap();
    f.kartei
        .add_note(
            old.id,
            &NoteDraft {
                kind: NoteKind::Allergy,
                text: "Nickel".into(),
                ..Default::default()
            },
            "Lena",
        )
        .unwrap();
    // A customer created a month ago without a visit is not due.
    f.add("Nora", "Neu");

    let due = f.kartei.retention_review(Role::Owner).unwrap();
    assert_eq!(
        due.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![never.id, old.id]
    );
    assert_eq!(due[0].last_visit, None);
    assert_eq!(due[1].last_visit, Some(years_ago(3, -1).date_naive()));
    assert!(matches!(
        f.kartei.retention_review(Role::Staff),
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        f.kartei.anonymise_customer(old.id, Role::Staff, "Lena"),
        Err(CoreError::Forbidden(_))
    ));

    let visits = |f: &Fixture| serde_json::to_value(f.kartei.stats().visits_per_month).unwrap();
    let visits_before = visits(&f);
    let card = f
        .kartei
        .anonymise_customer(old.id, Role::Owner, "Inhaberin")
        .unwrap();
    assert_eq!(
        (card.first_name.as_str(), card.last_name.as_str()),
        ("", "Anonymisiert")
    );
    assert!(card.phones.is_empty() && card.email.is_none() && card.deactivated && card.anonymised);
    assert!(f.kartei.notes(old.id).unwrap().is_empty());
    let visits_kept = f.kartei.store().appointments_of(old.id).unwrap();
    assert_eq!(visits_kept.len(), 1, "the visit stays");
    assert_eq!(visits_kept[0].note, "", "without its note");
    assert_eq!(visits(&f), visits_before, "the visit statistics stay");
    assert_eq!(
        f.kartei.audit_of(old.id, Role::Owner).unwrap()[0].action,
        AuditAction::Anonymised
    );
    // Nobody finds her by her old name or number any more.
    for q in ["Olga", "Alt", "0170 1112223", "olga@example"] {
        let hits = f
            .kartei
            .search(&kartei_core::search::SearchRequest {
                q: q.into(),
                include_deactivated: true,
                ..Default::default()
            })
            .unwrap();
        assert!(
            hits.items.iter().all(|i| i.id != old.id),
            "{q} still finds her"
        );
    }
    let due = f.kartei.retention_review(Role::Owner).unwrap();
    assert_eq!(due.iter().map(|c| c.id).collect::<Vec<_>>(), vec![never.id]);
}
