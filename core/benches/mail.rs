//! Mail figures (issue 16) on 100,000 demo customers: taking 10,000 received replies into the
//! histories (parse, match by thread or sender, store; in the inbox watcher's batches of 500),
//! and the preview of a 1,000-recipient newsletter.
//!
//! `cargo bench -p kartei-core --bench mail` (release). `KARTEI_BENCH_CUSTOMERS` and
//! `KARTEI_BENCH_REPLIES` change the sizes. The replies are raw mails handed to the same
//! `Kartei::take_in` the inbox watcher calls after fetching, so the figure is Kartei's part;
//! fetching from a local Dovecot adds about 3 ms per mail on this machine.

use kartei_core::mail::imap::Fetched;
use kartei_core::mail::{MailSettings, Security};
use kartei_core::model::*;
use kartei_core::store::MailboxState;
use kartei_core::{Kartei, Lang};
use std::time::Instant;
use support::env_or;

mod support;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = !args.iter().any(|a| a == "--bench");
    let customers = if quick {
        300
    } else {
        env_or("KARTEI_BENCH_CUSTOMERS", 100_000)
    };
    let replies = if quick {
        200
    } else {
        env_or("KARTEI_BENCH_REPLIES", 10_000)
    };
    let recipients = if quick { 50 } else { 1_000 };

    let dir = tempfile::tempdir().expect("temp dir");
    let (kartei, _) = Kartei::open(dir.path()).expect("open");
    let started = Instant::now();
    kartei_core::demo::generate(&kartei, customers, 2026, |_| {}).expect("demo data");
    println!(
        "{customers} demo customers generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    kartei
        .set_mail_settings(
            MailSettings {
                address: "salon@kartei.test".into(),
                smtp_host: "127.0.0.1".into(),
                smtp_port: 1,
                smtp_security: Security::StartTls,
                imap_host: "127.0.0.1".into(),
                imap_port: 1,
                user: "salon".into(),
                password: "x".into(),
                ..MailSettings::default()
            },
            "Bench",
        )
        .expect("mail settings");

    let mut with_email: Vec<(CustomerId, String)> = Vec::new();
    kartei
        .store()
        .for_each_customer(|c| {
            if let (Some(e), false) = (&c.email, c.deactivated) {
                with_email.push((c.id, e.as_str().to_string()));
            }
            Ok(())
        })
        .expect("customers");
    // Addresses several cards share match nobody by address; keep those that are unique.
    let mut counts = std::collections::HashMap::new();
    for (_, e) in &with_email {
        *counts.entry(e.to_lowercase()).or_insert(0) += 1;
    }
    with_email.retain(|(_, e)| counts[&e.to_lowercase()] == 1);
    assert!(
        with_email.len() >= recipients,
        "too few customers with an address"
    );

    // A consent request to `recipients` customers (not timed): their answers confirm it.
    let started = Instant::now();
    let requests: Vec<Message> = with_email[..recipients]
        .iter()
        .map(|(id, _)| {
            kartei
                .request_consent(*id, "Bench", Lang::De)
                .expect("request")
        })
        .collect();
    println!(
        "{recipients} consent requests queued in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The replies: answers to the requests (matched by thread, consent confirmed), mails from
    // known addresses (matched by sender), and a tenth from strangers (unassigned).
    let mut mails = Vec::with_capacity(replies);
    for i in 0..replies {
        let raw = if i < requests.len() {
            let r = &requests[i];
            format!(
                "From: Kundin <{}>\r\nTo: salon@kartei.test\r\nSubject: Re: Bitte =?UTF-8?Q?best=C3=A4tigen?=\r\nMessage-ID: <a{i}@example.org>\r\nIn-Reply-To: <{}>\r\nReferences: <{}>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nJa, gerne. Grüße!\r\n",
                r.address, r.header_id, r.header_id
            )
        } else if i % 10 == 0 {
            format!(
                "From: Fremd <fremd{i}@example.net>\r\nSubject: Anfrage {i}\r\nMessage-ID: <s{i}@example.net>\r\n\r\nHabt ihr Samstag frei?\r\n"
            )
        } else {
            let (_, email) = &with_email[i % with_email.len()];
            format!(
                "From: <{email}>\r\nSubject: Termin {i}\r\nMessage-ID: <m{i}@example.org>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Kann ich den Termin <b>verschieben</b>?</p>\r\n"
            )
        };
        mails.push(raw.into_bytes());
    }

    let started = Instant::now();
    let mut uid = 0u32;
    let mut matched = 0;
    let mut unassigned = 0;
    for batch in mails.chunks(500) {
        let fetched: Vec<Fetched> = batch
            .iter()
            .map(|raw| {
                uid += 1;
                Fetched {
                    uid,
                    size: raw.len() as u32,
                    raw: raw.clone(),
                    truncated: false,
                }
            })
            .collect();
        let state = MailboxState {
            uid_validity: 1,
            last_uid: uid,
        };
        let taken = kartei.take_in("INBOX", fetched, &state).expect("take in");
        matched += taken.matched;
        unassigned += taken.unassigned;
    }
    let took = started.elapsed();
    println!(
        "taking in {replies} replies on {customers} customers: {:.2} s ({matched} matched, {unassigned} unassigned; target ≤ 10 s)",
        took.as_secs_f64()
    );

    let ids: Vec<CustomerId> = with_email[..recipients].iter().map(|(id, _)| *id).collect();
    let audience = Audience::Customers { ids };
    for run in 1..=3 {
        let started = Instant::now();
        let preview = kartei
            .newsletter_preview(&audience, Lang::De)
            .expect("preview");
        println!(
            "newsletter preview of {recipients} (run {run}): {:.1} ms, {} recipients, {} left out (target ≤ 200 ms)",
            started.elapsed().as_secs_f64() * 1000.0,
            preview.recipients.len(),
            preview.left_out.len()
        );
    }
}
