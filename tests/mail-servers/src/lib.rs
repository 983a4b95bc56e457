//! Real mail servers on loopback for Kartei's tests (dev-only, never shipped).
//!
//! [`MailServers::start`] gives a test the salon's mail provider in miniature, in a fresh temporary
//! folder, in well under a second:
//! - **Dovecot** (Debian's `dovecot-imapd`, `dovecot-lmtpd`): IMAP with implicit TLS
//!   ([`imap_tls_port`](MailServers::imap_tls_port), "993-style") and plain IMAP offering STARTTLS
//!   ([`imap_plain_port`](MailServers::imap_plain_port), "143-style"); IDLE, a `Sent` folder
//!   (special-use `\Sent`), and with [`Options::quota_bytes`] a quota that makes APPEND fail with
//!   `NO [OVERQUOTA]`. Local delivery by LMTP on a unix socket.
//! - **A submission server** (`smtp_server.py`, Debian's `python3-aiosmtpd`): STARTTLS
//!   ([`smtp_starttls_port`](MailServers::smtp_starttls_port), "587-style") and implicit TLS
//!   ([`smtp_tls_port`](MailServers::smtp_tls_port), "465-style"), AUTH PLAIN/LOGIN required
//!   (only after TLS). Mail to the salon's own address goes by LMTP into its INBOX; everything else
//!   is kept for [`sent_out`](MailServers::sent_out) — nothing ever leaves the machine.
//!
//! Both use one certificate for `IP:127.0.0.1` and `DNS:localhost`, signed by a throw-away CA:
//! trust [`ca_pem`](MailServers::ca_pem) and connect to `127.0.0.1` (or `localhost`).
//!
//! Under root (as in CI) the servers run as `nobody`, the folder handed to it; otherwise as the
//! user running the tests. Dropping [`MailServers`] kills both servers (with every process they
//! forked) and removes the folder.
//!
//! Layout: `process` (user, ports, readiness, killing), `cert` (openssl), `dovecot` (config,
//! start, UIDVALIDITY), `smtp` (the Python script), `lmtp` (a tiny client), `maildir` (reading
//! mail from disk).
//!
//! ```no_run
//! let servers = kartei_test_mail::MailServers::start()?;
//! servers.deliver_to_inbox(b"From: kunde@example.org\r\nSubject: Re: Termin\r\n\r\nPasst!\r\n")?;
//! assert_eq!(servers.mailbox("INBOX").len(), 1);
//! # Ok::<(), kartei_test_mail::Error>(())
//! ```

mod cert;
mod dovecot;
mod lmtp;
mod maildir;
mod process;
mod smtp;

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use process::RunAs;

/// What can go wrong while starting or driving the servers.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A program is not installed (run `scripts/setup`).
    #[error("cannot run {program} ({source}); scripts/setup installs it")]
    Missing {
        program: &'static str,
        source: std::io::Error,
    },
    #[error("no user {0} to run the mail servers as")]
    NoUser(&'static str),
    #[error("openssl could not make the test certificate: {0}")]
    Certificate(String),
    /// A server did not open its ports in time or died; `log` is what it wrote.
    #[error("{server} did not start: {why}\n--- its log ---\n{log}")]
    Startup {
        server: &'static str,
        why: String,
        log: String,
    },
    /// The server refused a delivery; the text is its reply (e.g. `552 5.2.2 ... Quota exceeded`).
    #[error("refused: {0}")]
    Refused(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl Error {
    fn missing(program: &'static str, source: std::io::Error) -> Error {
        Error::Missing { program, source }
    }
}

/// How to set the servers up; `Options::default()` is what [`MailServers::start`] uses.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The salon's mailbox holds at most this many bytes (Dovecot's quota): APPEND beyond it
    /// answers `NO [OVERQUOTA]`, and mail sent to the salon is refused with 552.
    pub quota_bytes: Option<u64>,
    /// The submission server waits this long before it answers each message's DATA, so a test can
    /// kill it (`stop_smtp`) in the middle of a batch.
    pub smtp_delay: Option<Duration>,
}

/// The salon's own mail account: IMAP login and SMTP AUTH take `user` and `password`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// `salon@kartei.test`
    pub address: String,
    /// The login name (the address itself, as with most providers).
    pub user: String,
    pub password: String,
}

/// A message the submission server accepted for the outside world (anyone but the salon).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub mail_from: String,
    /// The envelope recipients outside the salon (`RCPT TO`), in the order given.
    pub rcpt_to: Vec<String>,
    /// The message as the client sent it after DATA.
    pub raw: Vec<u8>,
}

/// Dovecot and the submission server, running for one test. See the crate docs.
pub struct MailServers {
    account: Account,
    ca_pem: String,
    run_as: RunAs,
    imap_plain_port: u16,
    imap_tls_port: u16,
    dovecot: dovecot::Layout,
    smtp: smtp::Settings,
    dovecot_child: Option<Child>,
    smtp_child: Option<Child>,
    /// Last, so it is removed after the children are killed (fields drop in order).
    dir: tempfile::TempDir,
}

impl MailServers {
    /// Both servers with [`Options::default`], ports open.
    pub fn start() -> Result<MailServers, Error> {
        MailServers::start_with(Options::default())
    }

    /// Both servers, ports open. Tries again with other ports if one was taken in the meantime.
    pub fn start_with(options: Options) -> Result<MailServers, Error> {
        let mut last = None;
        for _ in 0..3 {
            match MailServers::try_start(&options) {
                Ok(servers) => return Ok(servers),
                Err(e @ Error::Startup { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(Error::Refused("no attempt made".into())))
    }

    fn try_start(options: &Options) -> Result<MailServers, Error> {
        let run_as = RunAs::detect()?;
        let dir = tempfile::Builder::new()
            .prefix("kartei-mail-")
            .tempdir_in(temp_parent(&run_as))?;
        let path = dir.path().to_path_buf();
        let account = Account {
            address: "salon@kartei.test".into(),
            user: "salon@kartei.test".into(),
            password: "Salon-Passwort-1".into(),
        };
        let [imap_plain_port, imap_tls_port, starttls_port, tls_port] = process::free_ports()?;
        let cert = cert::generate(&path)?;
        let layout = dovecot::write_config(&dovecot::Settings {
            dir: &path,
            run_as: &run_as,
            account: &account,
            imap_plain_port,
            imap_tls_port,
            quota_bytes: options.quota_bytes,
        })?;
        let smtp = smtp::Settings {
            dir: path.clone(),
            account: account.clone(),
            starttls_port,
            tls_port,
            lmtp_socket: layout.lmtp_socket.clone(),
            delay: options.smtp_delay,
        };
        smtp::prepare(&smtp)?;
        run_as.chown_all(&path)?;

        let mut servers = MailServers {
            account,
            ca_pem: cert.ca_pem,
            run_as,
            imap_plain_port,
            imap_tls_port,
            dovecot: layout,
            smtp,
            dovecot_child: None,
            smtp_child: None,
            dir,
        };
        // Python takes longer to start than Dovecot: let it start while Dovecot does.
        let mut smtp_child = smtp::spawn(&servers.smtp, &servers.run_as)?;
        let dovecot_started = servers.start_dovecot();
        // On failure `wait` has killed and reaped the child: it must not be killed again by pid.
        smtp::wait(&servers.smtp, &mut smtp_child)?;
        servers.smtp_child = Some(smtp_child);
        dovecot_started?;
        Ok(servers)
    }

    fn start_dovecot(&mut self) -> Result<(), Error> {
        let ports = [self.imap_plain_port, self.imap_tls_port];
        self.dovecot_child = Some(dovecot::start(
            self.dir.path(),
            &self.run_as,
            &self.dovecot,
            &ports,
        )?);
        Ok(())
    }

    /// The salon's own mailbox: IMAP login and SMTP AUTH.
    pub fn account(&self) -> Account {
        self.account.clone()
    }

    /// The CA certificate (PEM) that signed both servers' certificate (SAN `IP:127.0.0.1`,
    /// `DNS:localhost`): a client's only trusted root.
    pub fn ca_pem(&self) -> String {
        self.ca_pem.clone()
    }

    /// IMAP over TLS from the first byte ("993-style").
    pub fn imap_tls_port(&self) -> u16 {
        self.imap_tls_port
    }

    /// Plain IMAP offering STARTTLS ("143-style"). Note: Dovecot counts loopback connections as
    /// secure, so it also accepts LOGIN here without STARTTLS.
    pub fn imap_plain_port(&self) -> u16 {
        self.imap_plain_port
    }

    /// SMTP submission with STARTTLS ("587-style"); AUTH is offered only after STARTTLS.
    pub fn smtp_starttls_port(&self) -> u16 {
        self.smtp.starttls_port
    }

    /// SMTP submission over TLS from the first byte ("465-style").
    pub fn smtp_tls_port(&self) -> u16 {
        self.smtp.tls_port
    }

    /// Delivers a raw RFC 5322 message into the salon's INBOX through Dovecot's LMTP, as the
    /// provider's mail server would when a customer replies. Fails with [`Error::Refused`] when
    /// Dovecot refuses it (quota) or with an I/O error while IMAP (and so LMTP) is stopped.
    pub fn deliver_to_inbox(&self, raw: &[u8]) -> Result<(), Error> {
        lmtp::deliver(&self.dovecot.lmtp_socket, "", &self.account.address, raw)
    }

    /// The raw messages in a folder of the salon's mailbox (`"INBOX"`, `"Sent"`, `"A/B"`), read
    /// from the Maildir on disk, in the order Dovecot numbered them (mail it has not looked at yet
    /// comes last, by delivery time). A folder that does not exist is empty.
    ///
    /// # Panics
    /// If the Maildir cannot be read (the folder is this crate's own, so that is a broken setup).
    pub fn mailbox(&self, folder: &str) -> Vec<Vec<u8>> {
        let dir = maildir::folder_dir(&self.dovecot.maildir, folder);
        maildir::messages(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
    }

    /// Every message the submission server accepted for recipients other than the salon's own
    /// address, with its envelope, in arrival order.
    ///
    /// # Panics
    /// If the spool folder cannot be read.
    pub fn sent_out(&self) -> Vec<Outgoing> {
        let spool = self.smtp.spool();
        maildir::spool(&spool).unwrap_or_else(|e| panic!("reading {}: {e}", spool.display()))
    }

    /// Kills the submission server at once (SIGKILL: connections just drop, as on a crash).
    pub fn stop_smtp(&mut self) {
        if let Some(mut child) = self.smtp_child.take() {
            process::kill_group(&mut child);
        }
    }

    /// Starts the submission server again on the same ports (after [`stop_smtp`](Self::stop_smtp);
    /// does nothing while it runs). Mail in `sent_out()` is kept.
    pub fn start_smtp(&mut self) -> Result<(), Error> {
        if self.smtp_child.is_none() {
            let mut child = smtp::spawn(&self.smtp, &self.run_as)?;
            smtp::wait(&self.smtp, &mut child)?;
            self.smtp_child = Some(child);
        }
        Ok(())
    }

    /// Kills Dovecot at once with all its processes (IMAP sessions drop; LMTP delivery, and so
    /// SMTP mail to the salon itself, fails with 451 until [`start_imap`](Self::start_imap)).
    pub fn stop_imap(&mut self) {
        if let Some(mut child) = self.dovecot_child.take() {
            process::kill_group(&mut child);
        }
    }

    /// Starts Dovecot again on the same ports (does nothing while it runs). The mail is kept.
    pub fn start_imap(&mut self) -> Result<(), Error> {
        if self.dovecot_child.is_none() {
            self.start_dovecot()?;
        }
        Ok(())
    }

    /// Gives the INBOX a new UIDVALIDITY, as a provider does when it rebuilds a mailbox: Dovecot
    /// is stopped, forgets the INBOX's UIDs and is started again, then numbers the same messages
    /// anew (from 1) under a UIDVALIDITY it has not used before. Open IMAP sessions drop.
    pub fn reset_uidvalidity(&mut self) -> Result<(), Error> {
        self.stop_imap();
        dovecot::forget_inbox_uids(&self.dovecot.maildir)?;
        self.start_imap()
    }

    /// Both servers' logs so far, for a test's failure message.
    pub fn logs(&self) -> String {
        let dir = self.dir.path();
        read_logs(&[
            &dir.join("dovecot.out"),
            &self.dovecot.log,
            &dir.join("smtp.log"),
        ])
    }

    /// The temporary folder holding configuration, certificates, mail and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for MailServers {
    fn drop(&mut self) {
        self.stop_smtp();
        self.stop_imap();
    }
}

/// Where the server folder goes: the usual temporary directory, unless we are root and the
/// unprivileged server user could not reach into it (e.g. TMPDIR under /root); then `/tmp`.
fn temp_parent(run_as: &RunAs) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let tmp = std::env::temp_dir();
    if !run_as.switch {
        return tmp;
    }
    let reachable = tmp
        .ancestors()
        .all(|dir| std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o001 != 0));
    if reachable {
        tmp
    } else {
        PathBuf::from("/tmp")
    }
}

/// The named log files, each under a heading; missing ones are skipped.
fn read_logs(paths: &[&Path]) -> String {
    let mut out = String::new();
    for path in paths {
        if let Ok(text) = std::fs::read_to_string(path) {
            if !text.is_empty() {
                out.push_str(&format!("== {} ==\n{text}", path.display()));
            }
        }
    }
    out
}
