//! Every search rule of the customer list, with German names.

use crate::fixture::{now, phone, Fixture};
use chrono::Duration;
use kartei_core::model::*;
use kartei_core::search::{Filter, SearchRequest, Sort};

fn salon() -> Fixture {
    let f = Fixture::new();
    f.add_with(CustomerDraft {
        first_name: "Anna".into(),
        last_name: "Müller".into(),
        phones: phone("0171 2345678"),
        email: "anna.mueller@web.de".into(),
        birthday: "12.03.1985".into(),
        ..Default::default()
    });
    f.add("Andreas", "Mueller");
    f.add("Jürgen", "Möller");
    f.add("Bernd", "Bäcker");
    f.add("Sabine", "Straßer");
    f.add_with(CustomerDraft {
        first_name: "Björn".into(),
        last_name: "Schmidt".into(),
        phones: phone("030 98765432"),
        email: "b.schmidt@gmx.de".into(),
        ..Default::default()
    });
    f.add("Ömer", "Öztürk");
    f.add_with(CustomerDraft {
        first_name: "Berta".into(),
        last_name: "Bauer".into(),
        birthday: "12.03.".into(),
        ..Default::default()
    });
    let bianca = f.add("Bianca", "Braun");
    let cut = f.service("Schnitt");
    f.appointment(bianca.id, now() + Duration::hours(2), &[cut.id]);
    f.add("Zoë", "Bäcker-Öztürk");
    f
}

/// The names found for `q`: exact matches, then those found only through a typo.
fn names(f: &Fixture, q: &str) -> (Vec<String>, Vec<String>) {
    let page = f
        .kartei
        .search(&SearchRequest {
            q: q.into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        page.total,
        page.items.len(),
        "{q}: everything fits on one page here"
    );
    let name = |i: &kartei_core::search::ListItem| format!("{} {}", i.first_name, i.last_name);
    let exact = page.items.iter().filter(|i| !i.fuzzy).map(name).collect();
    let fuzzy = page.items.iter().filter(|i| i.fuzzy).map(name).collect();
    (exact, fuzzy)
}

#[track_caller]
fn check(f: &Fixture, q: &str, exact: &[&str], fuzzy: &[&str]) {
    let (got_exact, got_fuzzy) = names(f, q);
    assert_eq!(got_exact, exact, "exact matches for {q:?}");
    assert_eq!(got_fuzzy, fuzzy, "typo matches for {q:?}");
}

#[test]
fn every_word_is_a_prefix_of_a_first_or_last_name() {
    let f = salon();
    check(
        &f,
        "b",
        &[
            "Bernd Bäcker",
            "Zoë Bäcker-Öztürk",
            "Berta Bauer",
            "Bianca Braun",
            "Björn Schmidt",
        ],
        &[],
    );
    check(&f, "an mü", &["Andreas Mueller", "Anna Müller"], &[]);
    check(&f, "anna mü", &["Anna Müller"], &[]);
    check(&f, "müller anna", &["Anna Müller"], &[]);
    check(&f, "ANNA", &["Anna Müller"], &[]);
    check(&f, "bäcker-öz", &["Zoë Bäcker-Öztürk"], &[]);
    check(&f, "zoe", &["Zoë Bäcker-Öztürk"], &[]);
    check(&f, "xyz", &[], &[]);
}

#[test]
fn german_folding_finds_umlauts_either_way() {
    let f = salon();
    check(
        &f,
        "müller",
        &["Anna Müller"],
        &["Jürgen Möller", "Andreas Mueller"],
    );
    check(
        &f,
        "muller",
        &["Anna Müller"],
        &["Jürgen Möller", "Andreas Mueller"],
    );
    check(
        &f,
        "mueller",
        &["Andreas Mueller", "Anna Müller"],
        &["Jürgen Möller"],
    );
    check(&f, "juergen", &["Jürgen Möller"], &[]);
    check(&f, "jurgen", &["Jürgen Möller"], &[]);
    check(&f, "strasser", &["Sabine Straßer"], &[]);
    check(&f, "straßer", &["Sabine Straßer"], &[]);
    check(&f, "strasse", &["Sabine Straßer"], &[]);
    check(&f, "oztu", &["Zoë Bäcker-Öztürk", "Ömer Öztürk"], &[]);
    check(&f, "oeztuerk", &["Zoë Bäcker-Öztürk", "Ömer Öztürk"], &[]);
}

#[test]
fn one_typo_is_tolerated_from_four_letters_and_ranked_below_exact_matches() {
    let f = salon();
    check(&f, "schmitd", &[], &["Björn Schmidt"]);
    check(&f, "shmidt", &[], &["Björn Schmidt"]);
    check(&f, "braum", &[], &["Bianca Braun"]);
    check(&f, "brau", &["Bianca Braun"], &["Berta Bauer"]);
    check(&f, "brn", &[], &[]);
    check(&f, "schxxdt", &[], &[]);
}

#[test]
fn email_whole_or_its_start() {
    let f = salon();
    check(&f, "anna.mueller@web.de", &["Anna Müller"], &[]);
    check(&f, "anna.mu", &["Anna Müller"], &[]);
    check(&f, "b.schmidt@", &["Björn Schmidt"], &[]);
    check(&f, "@gmx", &[], &[]);
}

#[test]
fn phone_any_run_of_digits_whatever_the_spacing_or_prefix() {
    let f = salon();
    for q in [
        "0171 23",
        "+49171 23",
        "+49 171 2345678",
        "0049171234",
        "2345678",
        "171-234",
        "(0171) 2345",
    ] {
        check(&f, q, &["Anna Müller"], &[]);
    }
    check(&f, "030 9876", &["Björn Schmidt"], &[]);
    check(&f, "98765432", &["Björn Schmidt"], &[]);
    check(&f, "0172", &[], &[]);
}

#[test]
fn birthdays_and_appointment_days() {
    let f = salon();
    check(&f, "12.03.", &["Berta Bauer", "Anna Müller"], &[]);
    check(&f, "12.03", &["Berta Bauer", "Anna Müller"], &[]);
    check(&f, "12.03.1985", &["Anna Müller"], &[]);
    check(&f, "1985-03-12", &["Anna Müller"], &[]);
    check(&f, "24.11.2026", &["Bianca Braun"], &[]);
    check(&f, "2026-11-24", &["Bianca Braun"], &[]);
    check(&f, "25.11.2026", &[], &[]);
}

#[test]
fn names_sort_in_german_dictionary_order_both_ways() {
    let f = Fixture::new();
    for last in ["Zander", "Abt", "Äbel", "Öhler", "Oz", "Ulm", "Über"] {
        f.add("X", last);
    }
    let order = |sort| -> Vec<String> {
        f.kartei
            .search(&SearchRequest {
                sort,
                ..Default::default()
            })
            .unwrap()
            .items
            .into_iter()
            .map(|i| i.last_name)
            .collect()
    };
    assert_eq!(
        order(Sort::NameAsc),
        ["Äbel", "Abt", "Öhler", "Oz", "Über", "Ulm", "Zander"]
    );
    assert_eq!(
        order(Sort::NameDesc),
        ["Zander", "Ulm", "Über", "Oz", "Öhler", "Abt", "Äbel"]
    );
}

#[test]
fn sort_by_last_visit_and_newest() {
    let f = Fixture::new();
    let cut = f.service("Schnitt");
    let old = f.add("Olga", "Alt");
    let recent = f.add("Rita", "Recent");
    let never = f.add("Nina", "Nie");
    f.appointment(old.id, now() - Duration::days(200), &[cut.id]);
    f.appointment(recent.id, now() - Duration::days(2), &[cut.id]);
    let order = |sort| -> Vec<CustomerId> {
        f.kartei
            .search(&SearchRequest {
                sort,
                ..Default::default()
            })
            .unwrap()
            .items
            .iter()
            .map(|i| i.id)
            .collect()
    };
    assert_eq!(order(Sort::LastVisit), [recent.id, old.id, never.id]);
    f.clock.advance(Duration::minutes(1));
    let newest = f.add("Neu", "Neuer");
    assert_eq!(order(Sort::Newest)[0], newest.id);
}

#[test]
fn filters_and_groups() {
    let f = Fixture::new();
    let cut = f.service("Schnitt");
    let regular = f.add_with(CustomerDraft {
        first_name: "Rosa".into(),
        last_name: "Regel".into(),
        groups: vec!["VIP".into()],
        ..Default::default()
    });
    for days in [10, 40, 100] {
        f.appointment(regular.id, now() - Duration::days(days), &[cut.id]);
    }
    let lapsed = f.add("Lars", "Lange-Weg");
    f.appointment(lapsed.id, now() - Duration::days(400), &[cut.id]);
    let newcomer = f.add("Nele", "Neu");
    f.appointment(newcomer.id, now() - Duration::days(5), &[cut.id]);
    let no_visit = f.add("Otto", "Ohne");
    let filtered = |filter, group: Option<GroupId>| -> Vec<CustomerId> {
        let mut ids: Vec<CustomerId> = f
            .kartei
            .search(&SearchRequest {
                filter,
                group,
                ..Default::default()
            })
            .unwrap()
            .items
            .iter()
            .map(|i| i.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(filtered(Filter::All, None).len(), 4);
    assert_eq!(
        filtered(Filter::WithBookings, None),
        [regular.id, lapsed.id, newcomer.id]
    );
    assert_eq!(filtered(Filter::NoRecentVisit, None), [lapsed.id]);
    assert_eq!(filtered(Filter::Regular, None), [regular.id]);
    assert_eq!(filtered(Filter::New, None), [newcomer.id, no_visit.id]);
    let vip = f
        .kartei
        .groups()
        .into_iter()
        .find(|g| g.name == "VIP")
        .unwrap();
    assert_eq!(filtered(Filter::All, Some(vip.id)), [regular.id]);
    let page = f
        .kartei
        .search(&SearchRequest {
            q: "rosa".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.items[0].groups, ["VIP"]);
    assert_eq!(
        page.items[0].last_visit,
        Some((now() - Duration::days(10)).date_naive())
    );
}

#[test]
fn allergy_notes_flag_the_customer_in_lists() {
    let f = salon();
    let anna = f
        .kartei
        .search(&SearchRequest {
            q: "anna".into(),
            ..Default::default()
        })
        .unwrap()
        .items[0]
        .clone();
    assert!(!anna.allergy);
    f.kartei
        .add_note(
            anna.id,
            &NoteDraft {
                kind: NoteKind::Allergy,
                text: "PPD".into(),
                ..Default::default()
            },
            "Lena",
        )
        .unwrap();
    let again = f
        .kartei
        .search(&SearchRequest {
            q: "anna".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(again.items[0].allergy);
}

#[test]
fn read_your_writes_before_and_after_the_index_commit() {
    let f = salon();
    let created = f.add("Frieda", "Frisch");
    check(&f, "fri", &["Frieda Frisch"], &[]);
    let draft = CustomerDraft {
        first_name: "Frieda".into(),
        last_name: "Gärtner".into(),
        ..Default::default()
    };
    f.kartei
        .update_customer(created.id, created.version, &draft, "Test")
        .unwrap();
    check(&f, "frisch", &[], &[]);
    check(&f, "gaertner", &["Frieda Gärtner"], &[]);
    f.kartei.flush_index().unwrap();
    assert_eq!(f.kartei.pending_index_changes(), 0);
    check(&f, "gärt", &["Frieda Gärtner"], &[]);
    f.kartei.delete_customer(created.id, "Test").unwrap();
    check(&f, "gärt", &[], &[]);
    f.kartei.flush_index().unwrap();
    check(&f, "gärt", &[], &[]);
}

#[test]
fn cursor_pages_stay_stable_while_data_changes() {
    let f = Fixture::new();
    for last in [
        "Adler", "Bach", "Clemens", "Dorn", "Ernst", "Fink", "Gerber",
    ] {
        f.add("Kim", last);
    }
    let page = |cursor: Option<String>| {
        f.kartei
            .search(&SearchRequest {
                limit: 3,
                cursor,
                ..Default::default()
            })
            .unwrap()
    };
    let first = page(None);
    assert_eq!(first.total, 7);
    let lasts = |p: &kartei_core::search::SearchPage| {
        p.items
            .iter()
            .map(|i| i.last_name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(lasts(&first), ["Adler", "Bach", "Clemens"]);
    // Someone adds a customer who sorts before the cursor, another one after it.
    f.add("Kim", "Abel");
    f.add("Kim", "Dahl");
    let second = page(first.next_cursor.clone());
    assert_eq!(lasts(&second), ["Dahl", "Dorn", "Ernst"]);
    assert_eq!(second.total, 9);
    let third = page(second.next_cursor.clone());
    assert_eq!(lasts(&third), ["Fink", "Gerber"]);
    assert_eq!(third.next_cursor, None);
    let bad = f.kartei.search(&SearchRequest {
        cursor: Some("zz".into()),
        ..Default::default()
    });
    assert!(matches!(bad, Err(kartei_core::CoreError::Invalid(_))));
}

#[test]
fn deactivated_customers_are_hidden_unless_asked_for() {
    let f = Fixture::new();
    let c = f.add("Dora", "Deaktiviert");
    let draft = CustomerDraft {
        first_name: "Dora".into(),
        last_name: "Deaktiviert".into(),
        deactivated: true,
        ..Default::default()
    };
    f.kartei
        .update_customer(c.id, c.version, &draft, "Test")
        .unwrap();
    check(&f, "dora", &[], &[]);
    let all = f.kartei.search(&SearchRequest {
        q: "dora".into(),
        include_deactivated: true,
        ..Default::default()
    });
    assert_eq!(all.unwrap().total, 1);
}
