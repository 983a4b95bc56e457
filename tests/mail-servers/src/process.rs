//! Running the server processes: which unprivileged user they run as, free loopback ports, waiting
//! for a port to open, and killing a server with everything it forked.

use std::collections::HashSet;
use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::Error;

/// How long a server may take to open its ports before `start` gives up.
pub(crate) const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// The user the servers run as: `nobody` when the tests run as root (Dovecot and the CI issue want
/// an unprivileged user), otherwise the user running the tests.
#[derive(Debug, Clone)]
pub(crate) struct RunAs {
    pub name: String,
    pub group: String,
    pub uid: u32,
    pub gid: u32,
    /// Whether we are root and must switch to `uid`/`gid` (and chown the folder to them).
    pub switch: bool,
}

impl RunAs {
    pub(crate) fn detect() -> Result<RunAs, Error> {
        // SAFETY: getuid/getgid cannot fail and touch no memory.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        let group = std::fs::read_to_string("/etc/group").unwrap_or_default();
        let by_name = |name: &str| {
            passwd
                .lines()
                .map(|l| l.split(':').collect::<Vec<_>>())
                .find(|f| f.len() > 3 && f[0] == name)
        };
        let by_uid = |uid: u32| {
            passwd
                .lines()
                .map(|l| l.split(':').collect::<Vec<_>>())
                .find(|f| f.len() > 3 && f[2].parse() == Ok(uid))
        };
        let group_name = |gid: u32| {
            group
                .lines()
                .map(|l| l.split(':').collect::<Vec<_>>())
                .find(|f| f.len() > 2 && f[2].parse() == Ok(gid))
                .map(|f| f[0].to_string())
        };
        let (entry, switch) = if uid == 0 {
            (by_name("nobody").ok_or(Error::NoUser("nobody"))?, true)
        } else {
            (
                by_uid(uid).ok_or(Error::NoUser("the current user (no /etc/passwd entry)"))?,
                false,
            )
        };
        let uid: u32 = entry[2].parse().map_err(|_| Error::NoUser("nobody"))?;
        let gid: u32 = if switch {
            entry[3].parse().map_err(|_| Error::NoUser("nobody"))?
        } else {
            gid
        };
        let group =
            group_name(gid).ok_or(Error::NoUser("the user's group (no /etc/group entry)"))?;
        Ok(RunAs {
            name: entry[0].to_string(),
            group,
            uid,
            gid,
            switch,
        })
    }

    /// Makes `cmd` run as this user, in a process group of its own (so it can be killed with all
    /// its children), with `log` as standard output and error.
    pub(crate) fn prepare(&self, cmd: &mut Command, log: &Path, home: &Path) -> Result<(), Error> {
        let log = File::options().create(true).append(true).open(log)?;
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .env("HOME", home)
            .process_group(0);
        if self.switch {
            // std also drops root's supplementary groups when it changes the uid.
            cmd.uid(self.uid).gid(self.gid);
        }
        Ok(())
    }

    /// Hands `path` (and everything below it) to this user, when we are root.
    pub(crate) fn chown_all(&self, path: &Path) -> Result<(), Error> {
        if !self.switch {
            return Ok(());
        }
        std::os::unix::fs::lchown(path, Some(self.uid), Some(self.gid))?;
        if path.is_dir() && !path.is_symlink() {
            for entry in std::fs::read_dir(path)? {
                self.chown_all(&entry?.path())?;
            }
        }
        Ok(())
    }
}

/// Ports handed out by this process, so that two servers started in parallel tests never get the
/// same one between "the kernel said it is free" and "the server bound it".
fn handed_out() -> &'static Mutex<HashSet<u16>> {
    static PORTS: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    PORTS.get_or_init(Default::default)
}

/// `N` distinct free ports on 127.0.0.1 (bound to port 0, then released for the server to take).
pub(crate) fn free_ports<const N: usize>() -> Result<[u16; N], Error> {
    let mut taken = handed_out().lock().unwrap_or_else(|e| e.into_inner());
    let mut listeners = Vec::new();
    let mut ports = [0; N];
    let mut i = 0;
    while i < N {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = listener.local_addr()?.port();
        listeners.push(listener);
        if taken.insert(port) {
            ports[i] = port;
            i += 1;
        }
    }
    Ok(ports)
}

/// Waits until every port accepts connections (or `child` dies, or the timeout passes).
pub(crate) fn wait_for_ports(
    child: &mut Child,
    ports: &[u16],
    unix_sockets: &[&Path],
) -> Result<(), String> {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    let open = |port: u16| {
        TcpStream::connect_timeout(
            &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            Duration::from_millis(200),
        )
        .is_ok()
    };
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the server exited during startup ({status})"));
        }
        let all_open = ports.iter().all(|&p| open(p))
            && unix_sockets
                .iter()
                .all(|s| std::os::unix::net::UnixStream::connect(s).is_ok());
        if all_open {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "ports {ports:?} not open after {STARTUP_TIMEOUT:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Kills `child` and every process in its process group with SIGKILL, reaps it, and waits (up to
/// 2 s) until the others are gone too: Dovecot's login processes share its listening sockets, so
/// the ports are closed only when the last of them has exited.
pub(crate) fn kill_group(child: &mut Child) {
    let Ok(pgid) = i32::try_from(child.id()) else {
        let _ = child.kill();
        let _ = child.wait();
        return;
    };
    // SAFETY: plain system call; the group is our own child's, made by `process_group(0)`, and
    // the child is not reaped yet, so its id cannot have been reused.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(2);
    while group_alive(pgid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Whether a process of group `pgid` is still running (zombies, which hold no sockets, don't count).
fn group_alive(pgid: i32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        // /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1).and_then(|f| f.parse::<i32>().ok());
        pgrp == Some(pgid) && state != Some("Z")
    })
}
