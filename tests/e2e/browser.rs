//! The phone web app in a real browser: headless Chromium (Debian's `chromium`, driven by
//! `playwright-core` from `tests/browser/`) against the real binary on a free port, on a
//! phone-sized viewport. The script logs in, creates a customer, finds them by typing the first
//! letters, opens the card, adds an allergy note and sees the warning; a second script imports
//! contacts and downloads the Excel exports (`import.spec.mjs`); `a11y.spec.mjs` runs axe-core and
//! `lighthouse.spec.mjs` Lighthouse on the screens. With `SCREENSHOT_DIR`
//! set it saves the main pages as PNG (`docs/screenshots/`).

use crate::server_support::{run_browser_spec, Server};
use crate::support::{kartei, stderr};

/// `kartei serve` as the browser specs reach it: on the LAN-style name `kartei.test` (mapped to
/// loopback in Chromium), which the server's Host check must know; no mDNS.
const SERVE: &[&str] = &["serve", "--no-mdns", "--allow-host", "kartei.test"];

/// Runs the browser spec `spec` against a card file of `customers` demo customers with Mia (PIN
/// 4711) as `role` ("owner" or "staff"), served as the specs reach it; the server must stop
/// cleanly afterwards.
fn run_spec_on_demo(spec: &str, customers: u32, role: &str) {
    let dir = tempfile::tempdir().unwrap();
    let customers = customers.to_string();
    let out = kartei(dir.path(), &["demo", "--customers", &customers]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kartei(
        dir.path(),
        &[
            "staff", "add", "--name", "Mia", "--pin", "4711", "--role", role,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let server = Server::start(dir.path(), SERVE);
    run_browser_spec(spec, &server, &[]);
    let (status, _) = server.stop();
    assert!(status.success());
}

#[test]
fn phone_web_app_in_headless_chromium() {
    run_spec_on_demo("phone.spec.mjs", 200, "staff");
}

/// Seven contacts as phones write them (iPhone 3.0, Android 2.1 quoted-printable, 4.0), with
/// umlauts, one invalid e-mail address (Franz arrives without it, with a warning), one contact
/// twice, Sabine, who is a customer already and brings her e-mail address, and a card with no name
/// and nothing to make one from (the one row that cannot be imported).
const CONTACTS: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.1//EN\r\n\
N:Müller;Käthe;;;\r\nFN:Käthe Müller\r\nitem1.EMAIL;type=INTERNET;type=pref:kaethe@example.de\r\n\
TEL;type=CELL;type=VOICE;type=pref:0171 2345678\r\nBDAY:1985-03-02\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Wei=C3=9F;J=C3=B6rg;;;\r\n\
TEL;CELL:0151 23456789\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ayşe Öztürk\r\nN:Öztürk;Ayşe;;;\r\nTEL;TYPE=cell:+49 176 12345678\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nN:Fehler;Franz;;;\r\nEMAIL:franz(at)example.de\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nN:Weiß;Jörg;;;\r\nTEL;type=CELL:0151 23456789\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nN:Schröder;Sabine;;;\r\nTEL;type=CELL:0170 5556667\r\n\
EMAIL:sabine@example.de\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:Rückruf wegen Termin\r\nEND:VCARD\r\n";

/// The phone imports a vCard file (preview, one row left out, commit), finds an imported
/// customer by typing, and downloads the list and one customer's data; afterwards the command
/// line's preview of the same file offers only the contact that was left out.
#[test]
fn phone_imports_contacts_and_downloads_excel() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // An owner: only owners may export the customer list.
    let out = kartei(
        &data,
        &[
            "staff", "add", "--name", "Mia", "--pin", "4711", "--role", "owner",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kartei(&data, &["demo", "--customers", "20"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sabine = dir.path().join("sabine.vcf");
    std::fs::write(
        &sabine,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Schröder;Sabine;;;\r\nTEL;type=CELL:0170 5556667\r\nEND:VCARD\r\n",
    )
    .unwrap();
    let out = kartei(&data, &["import", sabine.to_str().unwrap(), "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let contacts = dir.path().join("Kontakte.vcf");
    std::fs::write(&contacts, CONTACTS).unwrap();

    let server = Server::start(&data, SERVE);
    run_browser_spec(
        "import.spec.mjs",
        &server,
        &[("KARTEI_VCF", contacts.as_os_str())],
    );
    let (status, _) = server.stop();
    assert!(status.success());

    let out = kartei(&data, &["import", contacts.to_str().unwrap(), "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let preview = String::from_utf8_lossy(&out.stdout);
    assert!(
        preview.contains("Vorschau: 1 neu, 0 ergänzen, 5 schon vorhanden, 1 ungültig."),
        "{preview}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with(".download-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Edits that lose nothing, on a LAN-style origin (`http://kartei.test:PORT`): a customer with
/// every field set survives "Bearbeiten → Speichern" unchanged; two phones editing one card get
/// the conflict shown field by field and keep both changes (`edit.spec.mjs`).
#[test]
fn phone_edits_lose_nothing_and_show_conflicts() {
    run_spec_on_demo("edit.spec.mjs", 20, "staff");
}

/// The owner's phone shows the backup status, runs "Jetzt sichern" and keeps the backup time; a
/// stylist sees none of it; the stylist opening a card shows up in the owner's audit log, on the
/// statistics screen and on the card (`backups.spec.mjs`).
#[test]
fn phone_owner_backs_up_and_sees_the_status() {
    let dir = tempfile::tempdir().unwrap();
    let out = kartei(dir.path(), &["demo", "--customers", "50"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (name, pin, role) in [("Mia", "4711", "owner"), ("Jan", "2580", "staff")] {
        let out = kartei(
            dir.path(),
            &["staff", "add", "--name", name, "--pin", pin, "--role", role],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let server = Server::start(dir.path(), SERVE);
    run_browser_spec(
        "backups.spec.mjs",
        &server,
        &[
            ("KARTEI_STYLIST", std::ffi::OsStr::new("Jan")),
            ("KARTEI_STYLIST_PIN", std::ffi::OsStr::new("2580")),
        ],
    );
    let (status, _) = server.stop();
    assert!(status.success());
    assert_eq!(
        std::fs::read_dir(dir.path().join("backups"))
            .unwrap()
            .filter(|e| {
                e.as_ref().is_ok_and(|e| {
                    e.file_name().to_string_lossy() != kartei_core::backup::ERASED_SIDE_FILE
                })
            })
            .count(),
        1
    );
}

/// The card's notes, patch tests and appointments on a phone (`card.spec.mjs`): edit, pin and
/// delete a note, a colour formula in its form, a patch test that ends the warning, moving and
/// cancelling an appointment and a no-show, a live update that leaves open forms alone, 44 px
/// tap targets and no sideways scroll at 320 px; a demo customer's old colour formula is locked.
#[test]
fn phone_card_notes_patch_tests_and_appointments() {
    run_spec_on_demo("card.spec.mjs", 30, "staff");
}

/// Messages with real mail servers (`messages.spec.mjs`): the owner sets up mail in the phone
/// (trusting the test CA through the certificate field), the settings' test is good in every
/// step, a message from a card goes out through the submission server; the reply this test
/// delivers into the salon's inbox (In-Reply-To = the sent mail's Message-ID) shows on the
/// right card within 2 s, unread, with the header's badge, and a half-typed message stays.
#[test]
fn phone_messages_with_real_mail_servers() {
    use std::io::{BufRead, BufReader, Write};
    let servers = kartei_test_mail::MailServers::start().expect("mail servers (scripts/setup)");
    let account = servers.account();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = kartei(
        &data,
        &[
            "staff", "add", "--name", "Mia", "--pin", "4711", "--role", "owner",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, servers.ca_pem()).unwrap();
    let server = Server::start(&data, SERVE);

    let browser_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "run scripts/setup (npm ci in tests/browser) first"
    );
    let mut node = std::process::Command::new("node");
    node.arg("messages.spec.mjs")
        .current_dir(&browser_dir)
        .env("KARTEI_URL", &server.url)
        .env("KARTEI_STAFF", "Mia")
        .env("KARTEI_PIN", "4711")
        .env("MAIL_ADDRESS", &account.address)
        .env("MAIL_USER", &account.user)
        .env("MAIL_PASSWORD", &account.password)
        .env("SMTP_PORT", servers.smtp_starttls_port().to_string())
        .env("IMAP_PORT", servers.imap_tls_port().to_string())
        .env("MAIL_CA_FILE", &ca)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if std::env::var_os("SCREENSHOT_DIR").is_none() {
        node.env_remove("SCREENSHOT_DIR");
    }
    let mut child = node.spawn().expect("node runs");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut said = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        said.push(line.clone());
        if line != "SENT" {
            continue;
        }
        // The customer answers the mail that went out.
        let sent = servers
            .sent_out()
            .into_iter()
            .find(|m| m.rcpt_to.iter().any(|r| r == "joerg@example.org"))
            .expect("the message went out");
        let raw = String::from_utf8_lossy(&sent.raw).to_string();
        let header = raw
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("message-id")
                    .then(|| value.trim().to_string())
            })
            .expect("a Message-ID");
        let reply = format!(
            "From: =?utf-8?q?J=C3=B6rg_Brief?= <joerg@example.org>\r\nTo: {}\r\n\
             Message-ID: <antwort-joerg@example.org>\r\nIn-Reply-To: {header}\r\nReferences: {header}\r\n\
             Subject: Re: Ihr Termin am Dienstag\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Dienstag passt, <b>nicht fett</b> <script>alert(1)</script>\r\n",
            account.address
        );
        servers.deliver_to_inbox(reply.as_bytes()).unwrap();
        writeln!(stdin, "DELIVERED").unwrap();
    }
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        status.success(),
        "browser test messages.spec.mjs failed:\n{}\n{err}\n{}",
        said.join("\n"),
        servers.logs()
    );
    println!("{err}");
    let (status, _) = server.stop();
    assert!(status.success());
}

/// axe-core on every screen of the phone app (`a11y.spec.mjs`, 390×844, German, LAN-style
/// origin): login, the 404 page, list, a card with notes, patch test, appointments and a photo,
/// its photo tab, the edit and new-customer forms, booking, statistics with the owner's panels
/// (backups, session length, retention, audit), import, messages, mail settings, newsletter. No
/// violation of impact critical, serious or moderate.
#[test]
fn phone_screens_pass_axe_core() {
    run_spec_on_demo("a11y.spec.mjs", 30, "owner");
}

/// Lighthouse's accessibility score is 100 on the list, a card, the edit form and booking
/// (`lighthouse.spec.mjs`, 390×844, German, LAN-style origin).
#[test]
fn phone_main_screens_score_100_in_lighthouse_accessibility() {
    run_spec_on_demo("lighthouse.spec.mjs", 30, "staff");
}
