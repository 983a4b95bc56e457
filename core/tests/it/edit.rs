//! Partial edits (`Kartei::patch_customer`): for every field of a fully filled card, saving an
//! unchanged form writes nothing and a patch of one field changes only that field; stale
//! versions and bad values are refused and change nothing.

use crate::fixture::{now, Fixture};
use kartei_core::i18n::Msg;
use kartei_core::model::*;
use kartei_core::patch;
use kartei_core::CoreError;
use serde_json::{json, Value};

/// A card with every field of the form set: three phones with their labels, both consents,
/// two groups, title, company, stylist, a birthday, an address, a preferred channel.
fn full_card(f: &Fixture) -> Customer {
    f.add_with(CustomerDraft {
        salutation: Salutation::Frau,
        title: "Dr.".into(),
        first_name: "Anna".into(),
        last_name: "Müller".into(),
        company: "Salon Schnitt GmbH".into(),
        phones: vec![
            PhoneDraft {
                label: PhoneLabel::Mobile,
                number: "0170 1234567".into(),
            },
            PhoneDraft {
                label: PhoneLabel::Private,
                number: "030 1234567".into(),
            },
            PhoneDraft {
                label: PhoneLabel::Business,
                number: "+49 89 7654321".into(),
            },
        ],
        email: "anna@example.de".into(),
        address: Address {
            street: "Hauptstraße 5".into(),
            postal_code: "10115".into(),
            city: "Berlin".into(),
            country: "DE".into(),
        },
        birthday: "24.11.1985".into(),
        preferred_contact: ContactChannel::Sms,
        groups: vec!["VIP".into(), "Stammkunde".into()],
        stylist: "Lena".into(),
        marketing_consent: Some(true),
        reminder_consent: Some(true),
        consent_how: "Formular".into(),
        deactivated: false,
    })
}

/// What a patch should do to the card.
type Change = Box<dyn Fn(&mut Customer)>;

/// The saved card is exactly `expected` (version bumped by one when `wrote`).
fn assert_saved(f: &Fixture, before: &Customer, expected: &Customer, wrote: bool) {
    let saved = f.kartei.customer(before.id).unwrap();
    let mut want = expected.clone();
    want.version = before.version + u64::from(wrote);
    if wrote {
        want.updated_at = saved.updated_at;
    }
    assert_eq!(saved, want);
}

#[test]
fn saving_an_unchanged_form_writes_nothing() {
    let f = Fixture::new();
    let card = full_card(&f);
    let mut changes = f.kartei.subscribe();
    // The empty patch, the diff of the unchanged form, and the whole form sent back as it came.
    let base = f.kartei.customer_draft(&card);
    let same = patch::draft_diff(&base, &base.clone());
    assert_eq!(same, json!({}));
    let whole = serde_json::to_value(&base).unwrap();
    for p in [json!({}), same, whole] {
        let back = f
            .kartei
            .patch_customer(card.id, card.version, &p, "Mia")
            .unwrap();
        assert_eq!(back, card, "{p}");
        assert_saved(&f, &card, &card, false);
    }
    // Values typed in another form than saved, and consents given again, are no change either.
    for p in [
        json!({"phones": [
            {"label": "mobile", "number": "+49 170 1234567"},
            {"label": "private", "number": "(030) 123 45 67"},
            {"label": "business", "number": "089 7654321"}]}),
        json!({"email": "anna@Example.DE", "birthday": "1985-11-24", "stylist": " Lena "}),
        json!({"marketing_consent": true, "reminder_consent": true}),
        json!({"groups": ["vip", "Stammkunde"]}),
        json!({"address": {"country": "de"}}),
    ] {
        let back = f
            .kartei
            .patch_customer(card.id, card.version, &p, "Mia")
            .unwrap();
        assert_eq!(back.version, card.version, "{p}");
        assert_saved(&f, &card, &card, false);
    }
    assert!(changes.try_recv().is_err(), "nothing was announced");
}

#[test]
fn a_patch_of_one_field_changes_only_that_field() {
    let f = Fixture::new();
    let card = full_card(&f);
    let phones = |f: &dyn Fn(&mut Vec<Value>)| {
        let mut list: Vec<Value> = card
            .phones
            .iter()
            .map(|p| json!({"label": p.label, "number": p.number}))
            .collect();
        f(&mut list);
        json!({ "phones": list })
    };
    let consent_now = |given: bool| Consent {
        given,
        at: Some(now()),
        by: "Mia".into(),
        how: "persönlich".into(),
        confirmed: false,
    };
    let cases: Vec<(Value, Change)> = vec![
        (
            json!({"salutation": "Herr"}),
            Box::new(|c| c.salutation = Salutation::Herr),
        ),
        (
            json!({"salutation": null}),
            Box::new(|c| c.salutation = Salutation::None),
        ),
        (
            json!({"title": "Prof."}),
            Box::new(|c| c.title = "Prof.".into()),
        ),
        (
            json!({"first_name": "Anne"}),
            Box::new(|c| c.first_name = "Anne".into()),
        ),
        (
            json!({"last_name": "Schmidt"}),
            Box::new(|c| c.last_name = "Schmidt".into()),
        ),
        (
            json!({"company": ""}),
            Box::new(|c| c.company = String::new()),
        ),
        (
            phones(&|l| l[1]["label"] = json!("business")),
            Box::new(|c| c.phones[1].label = PhoneLabel::Business),
        ),
        (
            phones(&|l| {
                l.remove(0);
            }),
            Box::new(|c| {
                c.phones.remove(0);
            }),
        ),
        (
            phones(&|l| l.push(json!({"label": "private", "number": "0221 555666"}))),
            Box::new(|c| {
                c.phones
                    .push(Phone::parse(PhoneLabel::Private, "0221 555666").unwrap())
            }),
        ),
        (
            json!({"email": "anna.mueller@example.de"}),
            Box::new(|c| c.email = Some(Email::parse("anna.mueller@example.de").unwrap())),
        ),
        (json!({"email": null}), Box::new(|c| c.email = None)),
        (
            json!({"address": {"city": "Potsdam"}}),
            Box::new(|c| c.address.city = "Potsdam".into()),
        ),
        (
            json!({"address": {"street": null}}),
            Box::new(|c| c.address.street = String::new()),
        ),
        (
            json!({"birthday": "02.03."}),
            Box::new(|c| c.birthday = Some(Birthday::parse("02.03.").unwrap())),
        ),
        (json!({"birthday": ""}), Box::new(|c| c.birthday = None)),
        (
            json!({"preferred_contact": "email"}),
            Box::new(|c| c.preferred_contact = ContactChannel::Email),
        ),
        (
            json!({"groups": ["Stammkunde"]}),
            Box::new(|c| {
                c.groups.remove(0);
            }),
        ),
        (
            json!({"stylist": "Mehmet"}),
            Box::new(|c| c.stylist = "Mehmet".into()),
        ),
        (
            json!({"marketing_consent": false}),
            Box::new(move |c| {
                c.marketing_consent = consent_now(false);
                c.consent_log.push(ConsentChange {
                    kind: ConsentKind::Marketing,
                    given: false,
                    at: now(),
                    by: "Mia".into(),
                    how: "persönlich".into(),
                    proof: String::new(),
                    confirmed: false,
                });
            }),
        ),
        (
            json!({"reminder_consent": false, "consent_how": "E-Mail"}),
            Box::new(|c| {
                c.reminder_consent = Consent {
                    given: false,
                    at: Some(now()),
                    by: "Mia".into(),
                    how: "E-Mail".into(),
                    confirmed: false,
                };
                c.consent_log.push(ConsentChange {
                    kind: ConsentKind::Reminders,
                    given: false,
                    at: now(),
                    by: "Mia".into(),
                    how: "E-Mail".into(),
                    proof: String::new(),
                    confirmed: false,
                });
            }),
        ),
        (
            json!({"deactivated": true}),
            Box::new(|c| c.deactivated = true),
        ),
    ];
    for (p, change) in cases {
        // Each case on a fresh copy of the full card.
        let f = Fixture::new();
        let card = full_card(&f);
        let mut expected = card.clone();
        change(&mut expected);
        let saved = f
            .kartei
            .patch_customer(card.id, card.version, &p, "Mia")
            .unwrap_or_else(|e| panic!("{p}: {e:?}"));
        assert_eq!(saved.version, card.version + 1, "{p}");
        let mut want = expected.clone();
        want.version = saved.version;
        want.updated_at = saved.updated_at;
        assert_eq!(saved, want, "{p}");
        assert_saved(&f, &card, &expected, true);
    }
}

#[test]
fn stale_versions_and_bad_values_are_refused_and_change_nothing() {
    let f = Fixture::new();
    let card = full_card(&f);
    let saved = f
        .kartei
        .patch_customer(card.id, card.version, &json!({"stylist": "Mehmet"}), "Mia")
        .unwrap();
    // A second phone still on the old version.
    match f
        .kartei
        .patch_customer(card.id, card.version, &json!({"title": "Prof."}), "Lena")
    {
        Err(CoreError::Conflict { expected, current }) => {
            assert_eq!((expected, current), (card.version, saved.version));
        }
        other => panic!("{other:?}"),
    }
    assert_saved(&f, &saved, &saved, false);
    let refused = |p: Value, field: &str, msg: Msg| {
        match f.kartei.patch_customer(card.id, saved.version, &p, "Mia") {
            Err(CoreError::Invalid(errors)) => {
                assert_eq!(errors.get(field), Some(&msg), "{p}: {errors:?}")
            }
            other => panic!("{p}: {other:?}"),
        }
        assert_saved(&f, &saved, &saved, false);
    };
    refused(json!({"email": "anna@"}), "email", Msg::BadEmail);
    refused(
        json!({"phones": [{"label": "mobile", "number": "12"}]}),
        "phones.0.number",
        Msg::BadPhone,
    );
    refused(json!({"nickname": "Ani"}), "nickname", Msg::UnknownField);
    refused(json!({"phones": "0170"}), "phones", Msg::WrongKind);
    refused(
        json!({"first_name": "", "last_name": ""}),
        "last_name",
        Msg::NameRequired,
    );
    refused(
        json!({"groups": ["Gold"]}),
        "groups",
        Msg::UnknownGroup {
            name: "Gold".into(),
        },
    );
    assert!(matches!(
        f.kartei
            .patch_customer(CustomerId(999), 1, &json!({}), "Mia"),
        Err(CoreError::NotFound { .. })
    ));
}

#[test]
fn only_owners_erase_and_only_with_the_name_confirmed() {
    let f = Fixture::new();
    let card = full_card(&f);
    let lang = kartei_core::Lang::De;
    let err = f
        .kartei
        .erase_customer_as(card.id, Role::Staff, "Test", "Anna Müller")
        .unwrap_err();
    assert!(
        matches!(err, CoreError::Forbidden(Msg::DeleteOwnerOnly)),
        "{err:?}"
    );
    assert_eq!(
        err.user_message(lang),
        "Kunden löschen kann nur ein Inhaber-Zugang."
    );
    let err = f
        .kartei
        .erase_customer_as(card.id, Role::Owner, "Test", "Anna Meier")
        .unwrap_err();
    assert_eq!(
        err.user_message(lang),
        "Zum Löschen bitte den Namen „Anna Müller“ bestätigen."
    );
    assert_eq!(f.kartei.customer(card.id).unwrap(), card, "still there");
    f.kartei
        .erase_customer_as(card.id, Role::Owner, "Test", " anna  müller ")
        .unwrap();
    assert!(matches!(
        f.kartei.customer(card.id),
        Err(CoreError::NotFound { .. })
    ));
}
