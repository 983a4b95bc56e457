//! Proves the servers are real: each test starts its own pair and talks to them with Python's
//! smtplib/imaplib (another client than the product's), trusting only `ca_pem()`.

use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use kartei_test_mail::{Error, MailServers, Options};

/// A Python client (smtplib/imaplib): snippets run with `ctx` (an SSL context trusting only the
/// test CA), `host`, the four ports, `user` and `password` predefined. Cloneable and `Send`, so a
/// test can run one in a thread while it stops a server.
#[derive(Clone)]
struct Python {
    env: Vec<(&'static str, String)>,
}

impl Python {
    fn new(servers: &MailServers) -> Python {
        let ca = servers.dir().join("client-ca.pem");
        std::fs::write(&ca, servers.ca_pem()).unwrap();
        let account = servers.account();
        Python {
            env: vec![
                ("CA", ca.display().to_string()),
                ("USER_", account.user),
                ("PASSWORD", account.password),
                ("SMTP_STARTTLS", servers.smtp_starttls_port().to_string()),
                ("SMTP_TLS", servers.smtp_tls_port().to_string()),
                ("IMAP_PLAIN", servers.imap_plain_port().to_string()),
                ("IMAP_TLS", servers.imap_tls_port().to_string()),
            ],
        }
    }

    /// Runs `code`; its standard output, or Err with its error output.
    fn run(&self, code: &str) -> Result<String, String> {
        let prelude = "import os, ssl, smtplib, imaplib\n\
            ctx = ssl.create_default_context(cafile=os.environ['CA'])\n\
            host = '127.0.0.1'\n\
            user, password = os.environ['USER_'], os.environ['PASSWORD']\n\
            smtp_starttls, smtp_tls = int(os.environ['SMTP_STARTTLS']), int(os.environ['SMTP_TLS'])\n\
            imap_plain, imap_tls = int(os.environ['IMAP_PLAIN']), int(os.environ['IMAP_TLS'])\n";
        let out = Command::new("/usr/bin/python3")
            .arg("-c")
            .arg(format!("{prelude}{code}"))
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

/// Runs a snippet that must succeed; panics with its errors and the servers' logs otherwise.
fn py(servers: &MailServers, code: &str) -> String {
    Python::new(servers)
        .run(code)
        .unwrap_or_else(|e| panic!("python failed:\n{e}\n{}", servers.logs()))
}

fn mail(subject: &str, to: &str) -> Vec<u8> {
    format!(
        "From: Kundin <kundin@example.org>\r\nTo: {to}\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@example.org>\r\n\r\nHallo,\r\n.ein Punkt am Anfang\r\n"
    )
    .into_bytes()
}

#[test]
fn starts_quickly_and_lmtp_delivery_is_readable_by_imap_and_on_disk() {
    let started = Instant::now();
    let servers = MailServers::start().unwrap();
    let took = started.elapsed();
    eprintln!("start took {took:?}");
    assert!(took < Duration::from_secs(3), "start took {took:?}");

    servers
        .deliver_to_inbox(&mail("Re-Termin", "salon@kartei.test"))
        .unwrap();
    let inbox = servers.mailbox("INBOX");
    assert_eq!(inbox.len(), 1);
    let text = String::from_utf8_lossy(&inbox[0]);
    assert!(text.contains("Subject: Re-Termin"), "{text}");
    assert!(
        text.contains("\n.ein Punkt am Anfang"),
        "dot-stuffing undone: {text}"
    );

    let out = py(
        &servers,
        "m = imaplib.IMAP4_SSL(host, imap_tls, ssl_context=ctx)\n\
         print('IDLE' in m.capabilities)\n\
         m.login(user, password)\n\
         typ, data = m.select('INBOX')\n\
         print(data[0].decode())\n\
         typ, hits = m.search(None, 'HEADER', 'Message-ID', 'Re-Termin@example.org')\n\
         typ, msg = m.fetch(hits[0].split()[0], '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')\n\
         print(msg[0][1].decode().strip())\n\
         print([l.decode() for l in m.list()[1]])\n",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[..3], ["True", "1", "Subject: Re-Termin"], "{out}");
    assert!(
        lines[3].contains(r#"(\\HasNoChildren \\Sent) "/" Sent"#),
        "{out}"
    );
}

#[test]
fn smtp_starttls_auth_and_what_goes_where() {
    let servers = MailServers::start().unwrap();
    let out = py(
        &servers,
        "s = smtplib.SMTP(host, smtp_starttls)\n\
         s.ehlo()\n\
         print('auth before tls:', s.has_extn('auth'), s.has_extn('starttls'))\n\
         print('mail before auth:', s.docmd('MAIL FROM:<salon@kartei.test>')[0])\n\
         s.starttls(context=ctx)\n\
         s.ehlo()\n\
         print('auth after tls:', s.esmtp_features['auth'].strip())\n\
         s.login(user, password)\n\
         msg = b'Subject: Erinnerung\\r\\n\\r\\nMorgen 10 Uhr\\r\\n'\n\
         print(s.sendmail('salon@kartei.test', ['kundin@example.org', 'salon@kartei.test', 'b@example.com'], msg))\n\
         s.quit()\n\
         s = smtplib.SMTP_SSL(host, smtp_tls, context=ctx)\n\
         s.login(user, password)\n\
         s.sendmail('salon@kartei.test', ['zweite@example.org'], b'Subject: Zweite\\r\\n\\r\\nx\\r\\n')\n\
         s.quit()\n",
    );
    assert_eq!(
        out,
        "auth before tls: False True\nmail before auth: 530\nauth after tls: LOGIN PLAIN\n{}\n"
    );
    let sent = servers.sent_out();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].mail_from, "salon@kartei.test");
    assert_eq!(sent[0].rcpt_to, ["kundin@example.org", "b@example.com"]);
    assert!(String::from_utf8_lossy(&sent[0].raw).contains("Morgen 10 Uhr"));
    assert_eq!(sent[1].rcpt_to, ["zweite@example.org"]);
    // The copy to the salon itself went through LMTP into the INBOX.
    let inbox = servers.mailbox("INBOX");
    assert_eq!(inbox.len(), 1);
    assert!(String::from_utf8_lossy(&inbox[0]).contains("Subject: Erinnerung"));
}

#[test]
fn wrong_password_is_refused_by_smtp_and_imap() {
    let servers = MailServers::start().unwrap();
    let out = py(
        &servers,
        "s = smtplib.SMTP(host, smtp_starttls)\n\
         s.starttls(context=ctx)\n\
         try:\n    s.login(user, 'falsch')\nexcept smtplib.SMTPAuthenticationError as e:\n    print('smtp', e.smtp_code)\n\
         m = imaplib.IMAP4(host, imap_plain)\n\
         m.starttls(ssl_context=ctx)\n\
         try:\n    m.login(user, 'falsch')\nexcept imaplib.IMAP4.error as e:\n    print('imap', e)\n\
         m.login(user, password)\n\
         print('starttls login ok')\n",
    );
    assert_eq!(
        out,
        "smtp 535\nimap b'[AUTHENTICATIONFAILED] Authentication failed.'\nstarttls login ok\n"
    );
}

#[test]
fn stopped_smtp_restarts_on_the_same_port_and_keeps_the_spool() {
    let mut servers = MailServers::start_with(Options {
        smtp_delay: Some(Duration::from_millis(300)),
        ..Options::default()
    })
    .unwrap();
    let send = "s = smtplib.SMTP_SSL(host, smtp_tls, context=ctx)\n\
                s.login(user, password)\n\
                s.sendmail('salon@kartei.test', ['kundin@example.org'], b'Subject: x\\r\\n\\r\\nx\\r\\n')\n\
                print('sent')\n";
    assert_eq!(py(&servers, send), "sent\n");
    let port = servers.smtp_tls_port();

    // Killed while it holds a message before answering DATA: the client loses the connection,
    // nothing is kept.
    let client = Python::new(&servers);
    let script = format!(
        "try:\n    exec({send:?})\nexcept (smtplib.SMTPException, OSError) as e:\n    print('lost', type(e).__name__)\n"
    );
    let sending = std::thread::spawn(move || client.run(&script));
    let deadline = Instant::now() + Duration::from_secs(10);
    while servers
        .logs()
        .matches("delaying the answer to DATA")
        .count()
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "second DATA never arrived:\n{}",
            servers.logs()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    servers.stop_smtp();
    assert_eq!(
        sending.join().unwrap().unwrap(),
        "lost SMTPServerDisconnected\n"
    );
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port still open after stop_smtp"
    );
    assert!(matches!(servers.start_smtp(), Ok(())));
    assert_eq!(servers.smtp_tls_port(), port);
    assert_eq!(py(&servers, send), "sent\n");
    assert_eq!(
        servers.sent_out().len(),
        2,
        "the interrupted message must not be kept"
    );
}

#[test]
fn quota_makes_append_and_delivery_fail() {
    let servers = MailServers::start_with(Options {
        quota_bytes: Some(2_000),
        ..Options::default()
    })
    .unwrap();
    servers
        .deliver_to_inbox(&mail("klein", "salon@kartei.test"))
        .unwrap();
    let big = format!("Subject: gross\r\n\r\n{}\r\n", "x".repeat(5_000));
    match servers.deliver_to_inbox(big.as_bytes()) {
        Err(Error::Refused(reply)) => assert!(reply.contains("552"), "{reply}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let out = py(
        &servers,
        &format!(
            "m = imaplib.IMAP4_SSL(host, imap_tls, ssl_context=ctx)\n\
             m.login(user, password)\n\
             print(m.append('Sent', None, None, {big:?}.encode()))\n"
        ),
    );
    assert!(
        out.starts_with("('NO', [b'[OVERQUOTA] Quota exceeded"),
        "{out}"
    );
    assert_eq!(servers.mailbox("INBOX").len(), 1);
    assert_eq!(servers.mailbox("Sent").len(), 0);
}

#[test]
fn reset_uidvalidity_renumbers_the_same_messages() {
    let mut servers = MailServers::start().unwrap();
    servers
        .deliver_to_inbox(&mail("eins", "salon@kartei.test"))
        .unwrap();
    servers
        .deliver_to_inbox(&mail("zwei", "salon@kartei.test"))
        .unwrap();
    let select = "m = imaplib.IMAP4_SSL(host, imap_tls, ssl_context=ctx)\n\
                  m.login(user, password)\n\
                  typ, n = m.select('INBOX')\n\
                  v = m.response('UIDVALIDITY')[1][0].decode()\n\
                  typ, uids = m.uid('SEARCH', 'ALL')\n\
                  print(v, n[0].decode(), uids[0].decode())\n";
    let before = py(&servers, select);
    let uidvalidity = |s: &str| s.split_whitespace().next().unwrap().parse::<u64>().unwrap();
    servers.reset_uidvalidity().unwrap();
    let after = py(&servers, select);
    assert_ne!(
        uidvalidity(&before),
        uidvalidity(&after),
        "{before} / {after}"
    );
    assert!(
        before.ends_with(" 2 1 2\n") && after.ends_with(" 2 1 2\n"),
        "{before} / {after}"
    );
    let inbox = servers.mailbox("INBOX");
    assert_eq!(inbox.len(), 2);
    assert!(String::from_utf8_lossy(&inbox[0]).contains("Subject: eins"));
}

#[test]
fn sent_folder_takes_appends_and_reads_back_from_disk() {
    let servers = MailServers::start().unwrap();
    py(
        &servers,
        "m = imaplib.IMAP4(host, imap_plain)\n\
         m.starttls(ssl_context=ctx)\n\
         m.login(user, password)\n\
         for i in range(3):\n    m.append('Sent', '(\\\\Seen)', None, f'Subject: gesendet {i}\\r\\n\\r\\nx\\r\\n'.encode())\n",
    );
    let sent: Vec<String> = servers
        .mailbox("Sent")
        .iter()
        .map(|m| {
            String::from_utf8_lossy(m)
                .lines()
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        sent,
        [
            "Subject: gesendet 0",
            "Subject: gesendet 1",
            "Subject: gesendet 2"
        ]
    );
}

#[test]
fn drop_kills_the_servers_and_removes_the_folder() {
    let servers = MailServers::start().unwrap();
    let dir = servers.dir().to_path_buf();
    let ports = [
        servers.imap_plain_port(),
        servers.imap_tls_port(),
        servers.smtp_starttls_port(),
        servers.smtp_tls_port(),
    ];
    drop(servers);
    assert!(!dir.exists(), "{} left behind", dir.display());
    for port in ports {
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_err(),
            "port {port} still open"
        );
    }
}
