//! The appliance's local control socket, `<data>/control.sock`: how `kartei backup` reaches the
//! running process, which holds the card file (redb allows one process).
//!
//! Only the service user can use it: the socket file is mode 0600 and every connection's peer
//! uid (`SO_PEERCRED`) must be the process's own; nothing listens on the network. One JSON line
//! in ([`Request`]), one JSON line out ([`Reply`]).

use kartei_core::backup::{self, BackupStatus, BackupSummary};
use kartei_core::i18n::{BackupMsg, Msg};
use kartei_core::{CoreError, Kartei, Lang};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const SOCKET_FILE: &str = "control.sock";
/// A request line longer than this is not ours.
const MAX_REQUEST: u64 = 64 * 1024;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Write a backup into this folder (absolute path).
    Backup { out: PathBuf, lang: Lang },
    /// Run the automatic backup now, to all its targets.
    BackupNow,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Backup(BackupSummary),
    Backups(BackupStatus),
    /// The message for the person, already in the request's language.
    Error(String),
}

/// The listening socket; removes its file when dropped.
pub struct ControlSocket {
    path: PathBuf,
    stop: Arc<AtomicBool>,
}

impl ControlSocket {
    /// Listens on `<data>/control.sock` and answers requests on a thread of its own.
    /// USB sticks are looked for under `usb_roots`.
    pub fn start(kartei: Kartei, usb_roots: Vec<PathBuf>) -> std::io::Result<ControlSocket> {
        let path = kartei.data_dir().join(SOCKET_FILE);
        // A file left by a process that was killed: nobody answers on it any more.
        if path.exists() && UnixStream::connect(&path).is_err() {
            std::fs::remove_file(&path)?;
        }
        let listener = bind_private(&path)?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::Builder::new()
            .name("kartei-control".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stopping.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    // One request at a time: backups are rare and each takes one snapshot.
                    if let Err(e) = answer(&kartei, &usb_roots, conn) {
                        log::warn!("control socket: {e}");
                    }
                }
            })?;
        Ok(ControlSocket { path, stop })
    }
}

impl Drop for ControlSocket {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accept loop so that it sees the flag.
        let _ = UnixStream::connect(&self.path);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Binds under a temporary name, restricts it to the owner, then renames it into place, so the
/// socket is never reachable under its real name with looser permissions.
fn bind_private(path: &Path) -> std::io::Result<UnixListener> {
    let temp = path.with_file_name(format!(".{SOCKET_FILE}.{}", std::process::id()));
    let _ = std::fs::remove_file(&temp);
    let listener = UnixListener::bind(&temp)?;
    std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o600))?;
    std::fs::rename(&temp, path)?;
    Ok(listener)
}

fn answer(kartei: &Kartei, usb_roots: &[PathBuf], conn: UnixStream) -> std::io::Result<()> {
    if peer_uid(&conn)? != current_uid() {
        return Ok(());
    }
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut line = String::new();
    BufReader::new((&conn).take(MAX_REQUEST)).read_line(&mut line)?;
    let reply = match serde_json::from_str::<Request>(&line) {
        Ok(Request::Backup { out, lang }) => match backup::create(kartei, &out) {
            Ok(summary) => Reply::Backup(summary),
            Err(e) => {
                log::warn!("backup to {} failed: {e}", out.display());
                Reply::Error(e.user_message(lang))
            }
        },
        Ok(Request::BackupNow) => match kartei.run_backups(usb_roots) {
            Ok(status) => Reply::Backups(status),
            Err(e) => Reply::Error(e.user_message(kartei.settings().lang)),
        },
        Err(_) => Reply::Error(Msg::InvalidInput.text(Lang::En)),
    };
    let mut conn = conn;
    serde_json::to_writer(&mut conn, &reply)?;
    conn.write_all(b"\n")
}

/// Asks the running appliance over its control socket; `None` when no process answers there.
pub fn ask(data: &Path, request: &Request) -> Option<anyhow::Result<Reply>> {
    let path = data.join(SOCKET_FILE);
    let mut conn = UnixStream::connect(&path).ok()?;
    Some((|| {
        serde_json::to_writer(&mut conn, request)?;
        conn.write_all(b"\n")?;
        let mut line = String::new();
        BufReader::new(&conn).read_line(&mut line)?;
        if line.is_empty() {
            return Err(
                CoreError::Forbidden(Msg::Backup(BackupMsg::ApplianceNotAnswering {
                    socket: path.display().to_string(),
                }))
                .into(),
            );
        }
        Ok(serde_json::from_str(&line)?)
    })())
}

fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The uid of the process at the other end of a Unix socket.
fn peer_uid(conn: &UnixStream) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: u32::MAX,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes of the sizes given, and the descriptor
    // belongs to `conn` for the duration of the call.
    let rc = unsafe {
        libc::getsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(cred.uid)
}
