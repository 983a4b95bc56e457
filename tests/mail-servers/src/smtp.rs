//! The submission server: `smtp_server.py` (aiosmtpd), shipped inside this crate and written into
//! the server folder at start, run by Debian's `/usr/bin/python3` (which sees `python3-aiosmtpd`
//! even where another `python3` comes first on PATH).

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use crate::process::{self, RunAs};
use crate::{Account, Error};

const SCRIPT: &str = include_str!("../smtp_server.py");

/// Everything the script needs; kept so that `start_smtp` restarts it with the same ports.
pub(crate) struct Settings {
    pub dir: PathBuf,
    pub account: Account,
    pub starttls_port: u16,
    pub tls_port: u16,
    pub lmtp_socket: PathBuf,
    pub delay: Option<Duration>,
}

impl Settings {
    pub(crate) fn spool(&self) -> PathBuf {
        self.dir.join("spool")
    }
    fn log(&self) -> PathBuf {
        self.dir.join("smtp.log")
    }
}

/// Writes the script and the spool folder (call before handing the folder to the server user).
pub(crate) fn prepare(s: &Settings) -> Result<(), Error> {
    std::fs::write(s.dir.join("smtp_server.py"), SCRIPT)?;
    std::fs::create_dir_all(s.spool())?;
    Ok(())
}

/// Starts the script; `wait` waits for both ports (the caller may instead wait later, to start
/// Dovecot meanwhile).
pub(crate) fn spawn(s: &Settings, run_as: &RunAs) -> Result<Child, Error> {
    let mut cmd = Command::new(python());
    cmd.arg(s.dir.join("smtp_server.py"))
        .arg("--starttls-port")
        .arg(s.starttls_port.to_string())
        .arg("--tls-port")
        .arg(s.tls_port.to_string())
        .arg("--cert")
        .arg(s.dir.join("cert.pem"))
        .arg("--key")
        .arg(s.dir.join("key.pem"))
        .arg("--user")
        .arg(&s.account.user)
        .arg("--password")
        .arg(&s.account.password)
        .arg("--local-address")
        .arg(&s.account.address)
        .arg("--lmtp")
        .arg(&s.lmtp_socket)
        .arg("--spool")
        .arg(s.spool())
        .arg("--delay")
        .arg(s.delay.unwrap_or_default().as_secs_f64().to_string())
        // No .pyc files in the folder, no user site-packages of whoever runs the tests.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONNOUSERSITE", "1");
    run_as.prepare(&mut cmd, &s.log(), &s.dir)?;
    cmd.spawn().map_err(|e| Error::missing("python3", e))
}

pub(crate) fn wait(s: &Settings, child: &mut Child) -> Result<(), Error> {
    if let Err(why) = process::wait_for_ports(child, &[s.starttls_port, s.tls_port], &[]) {
        process::kill_group(child);
        let mut log = crate::read_logs(&[&s.log()]);
        if log.contains("No module named 'aiosmtpd'") {
            log.push_str("\n(install Debian's python3-aiosmtpd: scripts/setup does)");
        }
        return Err(Error::Startup {
            server: "smtp_server.py",
            why,
            log,
        });
    }
    Ok(())
}

fn python() -> PathBuf {
    let debian = Path::new("/usr/bin/python3");
    if debian.exists() {
        debian.to_path_buf()
    } else {
        PathBuf::from("python3")
    }
}
