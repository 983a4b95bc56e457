//! Mail through real servers (issue 16): Dovecot (IMAP, LMTP) and an aiosmtpd submission server
//! with STARTTLS and AUTH, started on loopback by `kartei-test-mail`. Sending from a card, the
//! reply on the right card, a reply nobody matches, a server killed mid-send, a new UIDVALIDITY
//! and a restart, wrong password / untrusted certificate / full mailbox in the settings' test,
//! umlauts, HTML-only replies and a 10 MB attachment, a newsletter that reaches exactly the
//! confirmed consents, and an unsubscribe by reply.
//!
//! These use the wall clock (the outbox waits for real time), not the fixture's fixed one.

use kartei_core::i18n::MailMsg;
use kartei_core::mail::{MailSettings, Security};
use kartei_core::model::*;
use kartei_core::{Kartei, Lang};
use kartei_test_mail::{MailServers, Options};
use std::time::{Duration, Instant};

struct Salon {
    _dir: tempfile::TempDir,
    kartei: Kartei,
}

fn salon() -> Salon {
    let dir = tempfile::tempdir().unwrap();
    let (kartei, _) = Kartei::open(dir.path()).unwrap();
    let mut settings = kartei.settings();
    settings.salon_name = "Salon Schnittpunkt".into();
    kartei.set_settings(settings).unwrap();
    Salon { _dir: dir, kartei }
}

fn account_settings(servers: &MailServers) -> MailSettings {
    let account = servers.account();
    MailSettings {
        address: account.address,
        smtp_host: "127.0.0.1".into(),
        smtp_port: servers.smtp_starttls_port(),
        smtp_security: Security::StartTls,
        imap_host: "127.0.0.1".into(),
        imap_port: servers.imap_tls_port(),
        imap_security: Security::Tls,
        user: account.user,
        password: account.password,
        extra_ca_pem: servers.ca_pem(),
        newsletter_per_minute: 600,
        ..MailSettings::default()
    }
}

fn customer(k: &Kartei, first: &str, last: &str, email: &str) -> Customer {
    k.create_customer(
        &CustomerDraft {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            ..Default::default()
        },
        Source::Manual,
        "Lena",
    )
    .unwrap()
}

/// Waits until `done` holds, up to `max`; the time it took.
fn wait_for(max: Duration, what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < max, "waited {max:?} for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines()
        .find(|l| {
            l.to_lowercase()
                .starts_with(&format!("{}:", name.to_lowercase()))
        })
        .map(|l| l[name.len() + 1..].trim())
}

fn message_id(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    header(&text, "Message-ID")
        .unwrap_or_default()
        .trim_matches(['<', '>'])
        .to_string()
}

fn incoming(k: &Kartei, c: CustomerId) -> Vec<Message> {
    k.messages_of(c)
        .unwrap()
        .into_iter()
        .filter(|m| m.direction == Direction::In)
        .collect()
}

#[test]
fn a_message_from_the_card_goes_out_and_the_reply_lands_on_that_card_within_2_s() {
    let servers = MailServers::start().unwrap();
    let s = salon();
    let k = &s.kartei;
    k.set_mail_settings(account_settings(&servers), "Anna")
        .unwrap();
    // Two cards share the address: the reply must find the right one by its thread.
    let jurgen = customer(k, "Jürgen", "Groß", "juergen@example.org");
    let _other = customer(k, "Jutta", "Groß", "juergen@example.org");
    let _worker = k.start_mail().unwrap();

    let sent = k
        .send_message(
            jurgen.id,
            "Ihr Termin: Färben & Schneiden",
            "Hallo Jürgen,\nbis Dienstag!",
            "Lena",
        )
        .unwrap();
    assert!(matches!(sent.delivery, Delivery::Queued { .. }));
    wait_for(Duration::from_secs(30), "the mail to go out", || {
        servers.sent_out().len() == 1
    });
    let out = &servers.sent_out()[0];
    assert_eq!(out.rcpt_to, vec!["juergen@example.org".to_string()]);
    let raw = String::from_utf8_lossy(&out.raw).to_string();
    // RFC 2047 for the umlauts in subject and name; the text in UTF-8.
    assert!(
        header(&raw, "Subject").unwrap().contains("=?utf-8?"),
        "{raw}"
    );
    assert!(header(&raw, "To").unwrap().starts_with("=?utf-8?"), "{raw}");
    assert_eq!(message_id(&out.raw), sent.header_id);
    let parsed = kartei_core::mail::parse::parse(&out.raw).unwrap();
    assert_eq!(parsed.subject, "Ihr Termin: Färben & Schneiden");
    assert!(parsed.text.contains("Hallo Jürgen"));
    wait_for(Duration::from_secs(30), "the copy in Sent", || {
        servers.mailbox("Sent").len() == 1
    });
    wait_for(Duration::from_secs(30), "the message marked sent", || {
        let m = k.message(sent.id).unwrap();
        matches!(m.delivery, Delivery::Sent { .. }) && m.in_sent_folder
    });

    // The reply: HTML only, umlauts in subject and name, answering our Message-ID.
    let reply = format!(
        "From: =?UTF-8?Q?J=C3=BCrgen_Gro=C3=9F?= <juergen@example.org>\r\n\
         To: {salon}\r\n\
         Subject: =?UTF-8?Q?AW:_Ihr_Termin:_F=C3=A4rben?=\r\n\
         Message-ID: <antwort-1@example.org>\r\n\
         In-Reply-To: <{id}>\r\n\
         References: <{id}>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n\
         <html><body><p>Gern, bis <b>Dienstag</b>! Gr&uuml;&szlig;e</p></body></html>\r\n",
        salon = servers.account().address,
        id = sent.header_id
    );
    servers.deliver_to_inbox(reply.as_bytes()).unwrap();
    // 2 s is the issue's target; under a full parallel test run on 2 cores a little slack.
    let took = wait_for(Duration::from_secs(5), "the reply on the card", || {
        !incoming(k, jurgen.id).is_empty()
    });
    println!("reply on the card after {took:?}");
    let got = &incoming(k, jurgen.id)[0];
    assert_eq!(got.subject, "AW: Ihr Termin: Färben");
    assert_eq!(got.display_name, "Jürgen Groß");
    assert!(
        got.text.contains("Grüße") && !got.text.contains("<b>"),
        "{}",
        got.text
    );
    assert!(got.unread);
    let (unread, _) = k.unread_counts().unwrap();
    assert_eq!(unread, 1);
    // The card's history holds both, newest first; opening it marks the reply read.
    let card = k.card(jurgen.id, Lang::De).unwrap();
    assert_eq!(card.unread_messages, 1);
    let kinds: Vec<_> = card.history.iter().map(|h| h.kind).collect();
    assert_eq!(
        kinds,
        vec![
            kartei_core::card::HistoryKind::MessageIn,
            kartei_core::card::HistoryKind::MessageOut
        ]
    );
    assert_eq!(k.mark_read(jurgen.id).unwrap(), 1);
    assert_eq!(k.unread_counts().unwrap().0, 0);
    // Nothing is deleted or marked on the server.
    assert_eq!(servers.mailbox("INBOX").len(), 1);
}

#[test]
fn a_mail_nobody_matches_waits_in_unassigned_until_staff_assign_it() {
    let servers = MailServers::start().unwrap();
    let s = salon();
    let k = &s.kartei;
    k.set_mail_settings(account_settings(&servers), "Anna")
        .unwrap();
    let mia = customer(k, "Mia", "Neu", "mia@example.org");
    let _worker = k.start_mail().unwrap();
    // By address, without a thread.
    servers
        .deliver_to_inbox(
            b"From: Mia <MIA@example.org>\r\nSubject: Termin?\r\nMessage-ID: <m1@example.org>\r\n\r\nHabt ihr Samstag Zeit?\r\n",
        )
        .unwrap();
    // Nobody: an unknown sender.
    servers
        .deliver_to_inbox(
            b"From: Fremd <wer@example.net>\r\nSubject: Anfrage\r\nMessage-ID: <f1@example.net>\r\n\r\nHallo\r\n",
        )
        .unwrap();
    wait_for(Duration::from_secs(30), "both mails taken in", || {
        incoming(k, mia.id).len() == 1 && k.unassigned_messages().unwrap().len() == 1
    });
    let stranger = k.unassigned_messages().unwrap().remove(0);
    assert_eq!(stranger.address, "wer@example.net");
    assert_eq!(k.unread_counts().unwrap().0, 2);
    k.assign_message(stranger.id, mia.id, "Lena").unwrap();
    assert!(k.unassigned_messages().unwrap().is_empty());
    assert_eq!(incoming(k, mia.id).len(), 2);
    // Erasing the customer takes her messages with her.
    k.delete_customer(mia.id, "Anna").unwrap();
    assert_eq!(k.unread_counts().unwrap().0, 0);
}

#[test]
fn a_server_killed_mid_send_is_retried_and_nothing_goes_out_twice() {
    let mut servers = MailServers::start_with(Options {
        smtp_delay: Some(Duration::from_millis(300)),
        ..Options::default()
    })
    .unwrap();
    let s = salon();
    let k = &s.kartei;
    k.set_mail_settings(account_settings(&servers), "Anna")
        .unwrap();
    let ids: Vec<CustomerId> = (0..8)
        .map(|i| {
            customer(
                k,
                &format!("Kundin{i}"),
                "Test",
                &format!("k{i}@example.org"),
            )
            .id
        })
        .collect();
    let _worker = k.start_mail().unwrap();
    for id in &ids {
        k.send_message(*id, "Erinnerung", "Bis bald!", "Lena")
            .unwrap();
    }
    // Kill the server while it holds a mail unanswered.
    wait_for(Duration::from_secs(10), "a mail in flight", || {
        servers.sent_out().len() >= 2 && servers.logs().contains("delaying the answer to DATA")
    });
    servers.stop_smtp();
    std::thread::sleep(Duration::from_millis(500));
    let failed_meanwhile = ids
        .iter()
        .flat_map(|id| k.messages_of(*id).unwrap())
        .filter(|m| matches!(m.delivery, Delivery::Queued { attempts: 1.., .. }))
        .count();
    assert!(
        failed_meanwhile >= 1,
        "a try must have failed while the server was down"
    );
    assert!(k.mail_status().send_error.is_some());
    servers.start_smtp().unwrap();
    wait_for(Duration::from_secs(60), "every mail sent", || {
        ids.iter()
            .flat_map(|id| k.messages_of(*id).unwrap())
            .all(|m| matches!(m.delivery, Delivery::Sent { .. }))
    });
    let out = servers.sent_out();
    let mut seen: Vec<String> = out.iter().map(|o| message_id(&o.raw)).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(out.len(), 8, "each mail exactly once");
    assert_eq!(seen.len(), 8);
    assert!(k.mail_status().send_error.is_none());
}

#[test]
fn a_restart_and_a_new_uidvalidity_neither_duplicate_nor_lose_a_mail() {
    let mut servers = MailServers::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mail = |n: u32| {
        format!(
            "From: <nora@example.org>\r\nSubject: Nachricht {n}\r\nMessage-ID: <n{n}@example.org>\r\n\r\nText {n}\r\n"
        )
    };
    let nora;
    {
        let (k, _) = Kartei::open(dir.path()).unwrap();
        k.set_mail_settings(account_settings(&servers), "Anna")
            .unwrap();
        nora = customer(&k, "Nora", "Nachricht", "nora@example.org").id;
        let worker = k.start_mail().unwrap();
        for n in 1..=3 {
            servers.deliver_to_inbox(mail(n).as_bytes()).unwrap();
        }
        wait_for(Duration::from_secs(30), "three mails", || {
            incoming(&k, nora).len() == 3
        });
        drop(worker);
    }
    // While Kartei is off: a new mail, and the server renumbers the inbox.
    servers.deliver_to_inbox(mail(4).as_bytes()).unwrap();
    servers.reset_uidvalidity().unwrap();
    servers.deliver_to_inbox(mail(5).as_bytes()).unwrap();
    let (k, _) = Kartei::open(dir.path()).unwrap();
    let _worker = k.start_mail().unwrap();
    wait_for(Duration::from_secs(30), "five mails", || {
        incoming(&k, nora).len() == 5
    });
    std::thread::sleep(Duration::from_millis(500));
    let subjects: Vec<String> = incoming(&k, nora).into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects.len(), 5, "{subjects:?}");
    for n in 1..=5 {
        assert!(subjects.contains(&format!("Nachricht {n}")), "{subjects:?}");
    }
}

#[test]
fn the_settings_test_names_a_wrong_password_an_untrusted_certificate_and_a_full_mailbox() {
    let servers = MailServers::start_with(Options {
        quota_bytes: Some(64 * 1024),
        ..Options::default()
    })
    .unwrap();
    let s = salon();
    let k = &s.kartei;
    // All well: both directions, with the time the round trip took.
    k.set_mail_settings(account_settings(&servers), "Anna")
        .unwrap();
    let report = k.test_mail();
    assert_eq!(report.sent, Ok(()));
    assert_eq!(report.read, Ok(()));
    assert_eq!(report.sent_folder, Ok(()));
    assert!(report.arrived_ms.is_ok(), "{report:?}");
    // Wrong password: both servers say so, in words that name the fix.
    let mut wrong = account_settings(&servers);
    wrong.password = "falsch".into();
    k.set_mail_settings(wrong, "Anna").unwrap();
    let report = k.test_mail();
    assert!(
        matches!(report.sent, Err(MailMsg::WrongPassword { .. })),
        "{report:?}"
    );
    assert!(
        matches!(report.read, Err(MailMsg::WrongPassword { .. })),
        "{report:?}"
    );
    let text = kartei_core::i18n::Msg::Mail(report.read.clone().unwrap_err()).text(Lang::De);
    assert!(text.contains("Passwort falsch"), "{text}");
    // The servers' certificate is not trusted without the salon's own certificate.
    let mut untrusted = account_settings(&servers);
    untrusted.extra_ca_pem = String::new();
    k.set_mail_settings(untrusted, "Anna").unwrap();
    let report = k.test_mail();
    assert!(
        matches!(report.sent, Err(MailMsg::TlsFailed { .. })),
        "{report:?}"
    );
    assert!(
        matches!(report.read, Err(MailMsg::TlsFailed { .. })),
        "{report:?}"
    );
    // Full: fill the mailbox past its quota, then the copy into Sent is refused.
    k.set_mail_settings(account_settings(&servers), "Anna")
        .unwrap();
    for size in [12 * 1024, 2048, 200] {
        let part = format!(
            "From: <x@example.org>\r\nSubject: voll\r\n\r\n{}\r\n",
            "x".repeat(size)
        );
        let mut delivered = 0;
        while servers.deliver_to_inbox(part.as_bytes()).is_ok() {
            delivered += 1;
            assert!(delivered < 100, "the quota never refused a mail");
        }
    }
    let report = k.test_mail();
    assert!(
        matches!(report.sent_folder, Err(MailMsg::MailboxFull { .. }))
            || matches!(report.sent, Err(MailMsg::MailboxFull { .. })),
        "{report:?}"
    );
    // Bad values are refused by field, and nothing changes.
    let mut bad = account_settings(&servers);
    bad.smtp_host = "mail server".into();
    bad.newsletter_per_minute = 0;
    bad.templates[0].body = "Hallo {Vornahme}".into();
    let Err(kartei_core::CoreError::Invalid(errors)) = k.set_mail_settings(bad, "Anna") else {
        panic!("bad settings accepted");
    };
    for field in ["smtp_host", "newsletter_per_minute", "templates.0.body"] {
        assert!(errors.get(field).is_some(), "{field}: {errors:?}");
    }
    assert_eq!(k.mail_settings().smtp_host, "127.0.0.1");
    // The faces' view has no password; saving it back keeps the stored one.
    let public = k.mail_settings().public();
    assert!(public.password.is_empty());
    k.set_mail_settings(public, "Anna").unwrap();
    assert_eq!(k.mail_settings().password, servers.account().password);
}

#[test]
fn a_ten_megabyte_attachment_is_listed_and_the_text_kept() {
    let servers = MailServers::start().unwrap();
    let s = salon();
    let k = &s.kartei;
    k.set_mail_settings(account_settings(&servers), "Anna")
        .unwrap();
    let lea = customer(k, "Lea", "Anhang", "lea@example.org");
    let _worker = k.start_mail().unwrap();
    let payload: String = {
        use std::fmt::Write;
        let bytes: Vec<u8> = (0..10 * 1024 * 1024u32)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let mut b64 = String::new();
        for line in base64_lines(&bytes) {
            let _ = writeln!(b64, "{line}\r");
        }
        b64
    };
    let raw = format!(
        "From: Lea <lea@example.org>\r\nSubject: =?UTF-8?Q?Foto_f=C3=BCr_die_Farbe?=\r\nMessage-ID: <big@example.org>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSo hätte ich es gern.\r\n\
         --b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"=?UTF-8?Q?Fris=C3=BCr.jpg?=\"\r\n\r\n{payload}--b--\r\n"
    );
    servers.deliver_to_inbox(raw.as_bytes()).unwrap();
    wait_for(Duration::from_secs(15), "the big mail", || {
        !incoming(k, lea.id).is_empty()
    });
    let m = &incoming(k, lea.id)[0];
    assert_eq!(m.subject, "Foto für die Farbe");
    assert_eq!(m.text, "So hätte ich es gern.");
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].name, "Frisür.jpg");
    assert_eq!(m.attachments[0].mime, "image/jpeg");
    assert_eq!(m.attachments[0].size, 10 * 1024 * 1024);
}

fn base64_lines(bytes: &[u8]) -> Vec<String> {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut lines = Vec::new();
    for chunk in bytes.chunks(57) {
        let mut line = String::with_capacity(76);
        for triple in chunk.chunks(3) {
            let b = [
                triple[0],
                *triple.get(1).unwrap_or(&0),
                *triple.get(2).unwrap_or(&0),
            ];
            let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
            for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
                if i <= triple.len() {
                    line.push(ABC[(n >> shift & 63) as usize] as char);
                } else {
                    line.push('=');
                }
            }
        }
        lines.push(line);
    }
    lines
}

#[test]
fn a_newsletter_to_a_group_of_1000_reaches_exactly_the_400_confirmed_and_an_unsubscribe_flips_consent(
) {
    let servers = MailServers::start().unwrap();
    let s = salon();
    let k = &s.kartei;
    k.set_mail_settings(account_settings(&servers), "Anna")
        .unwrap();
    let group = k
        .groups()
        .into_iter()
        .find(|g| g.name == "Stammkunde")
        .unwrap();
    let mut confirmed = Vec::new();
    for i in 0..1000u32 {
        let c = k
            .create_customer(
                &CustomerDraft {
                    first_name: format!("Kundin{i}"),
                    last_name: "Gruppe".into(),
                    // Every tenth without an address; 40 % with consent given in person.
                    email: if i % 10 == 9 {
                        String::new()
                    } else {
                        format!("k{i}@example.org")
                    },
                    groups: vec![group.name.clone()],
                    marketing_consent: Some(i % 10 < 5),
                    ..Default::default()
                },
                Source::Manual,
                "Lena",
            )
            .unwrap();
        if i % 10 < 4 {
            confirmed.push(c.id);
        }
    }
    // Double opt-in for 400 of the 500 who agreed in person: the request, then their answer.
    let requests: Vec<Message> = confirmed
        .iter()
        .map(|id| k.request_consent(*id, "Lena", Lang::De).unwrap())
        .collect();
    let answers: Vec<kartei_core::mail::imap::Fetched> = requests
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let raw = format!(
                "From: <{}>\r\nSubject: Re: {}\r\nMessage-ID: <ja{i}@example.org>\r\nIn-Reply-To: <{}>\r\n\r\nJa\r\n",
                r.address, "Bitte bestätigen", r.header_id
            );
            kartei_core::mail::imap::Fetched {
                uid: i as u32 + 1,
                size: raw.len() as u32,
                raw: raw.into_bytes(),
                truncated: false,
            }
        })
        .collect();
    let state = kartei_core::store::MailboxState {
        uid_validity: 0,
        last_uid: 0,
    };
    k.take_in("Import", answers, &state).unwrap();
    let audience = Audience::Group { group: group.id };
    let started = Instant::now();
    let preview = k.newsletter_preview(&audience, Lang::De).unwrap();
    println!("preview of 1,000: {:?}", started.elapsed());
    assert_eq!(preview.recipients.len(), 400);
    assert_eq!(preview.left_out.len(), 600);
    let reasons = |r: MailMsg| preview.left_out.iter().filter(|l| l.reason == r).count();
    assert_eq!(reasons(MailMsg::NoEmail), 100);
    assert_eq!(reasons(MailMsg::ConsentNotConfirmed), 100);
    assert_eq!(reasons(MailMsg::NoMarketingConsent), 400);

    let newsletter = k
        .send_newsletter(
            &audience,
            "Gruppe Stammkunden",
            "Neu bei {Salon}",
            "Hallo {Vorname},\nwir haben neue Farben!",
            "Anna",
        )
        .unwrap();
    assert_eq!(newsletter.recipients, 400);
    let _worker = k.start_mail().unwrap();
    wait_for(Duration::from_secs(120), "the newsletter sent", || {
        k.newsletter_progress(newsletter.id).unwrap().sent == 400
    });
    let letters: Vec<_> = servers
        .sent_out()
        .into_iter()
        .filter(|o| String::from_utf8_lossy(&o.raw).contains("List-Unsubscribe"))
        .collect();
    assert_eq!(letters.len(), 400, "exactly the confirmed ones, once each");
    let first = String::from_utf8_lossy(&letters[0].raw).to_string();
    assert!(first.contains("Salon Schnittpunkt") || first.contains("Salon_Schnittpunkt"));
    // An unsubscribe by the mailto link: the token in the subject withdraws the consent.
    let token = message_id(&letters[0].raw);
    let who = letters[0].rcpt_to[0].clone();
    servers
        .deliver_to_inbox(
            format!(
                "From: <{who}>\r\nSubject: Abmelden {token}\r\nMessage-ID: <weg@example.org>\r\n\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
    let customer_id = k
        .message(k.store().message_by_header(&token).unwrap().unwrap())
        .unwrap()
        .customer
        .unwrap();
    wait_for(Duration::from_secs(30), "the consent withdrawn", || {
        !k.customer(customer_id).unwrap().marketing_consent.given
    });
    let c = k.customer(customer_id).unwrap();
    let last = c.consent_log.last().unwrap();
    assert_eq!(last.kind, ConsentKind::Marketing);
    assert!(!last.given);
    assert!(last.proof.contains("weg@example.org"), "{}", last.proof);
    let again = k.newsletter_preview(&audience, Lang::De).unwrap();
    assert_eq!(again.recipients.len(), 399);
}
