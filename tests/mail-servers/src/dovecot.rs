//! Dovecot: the IMAP server and LMTP delivery, with a configuration file of its own in the server
//! folder (the system's `/etc/dovecot` is never read).
//!
//! One master process (`dovecot -F`) and its helpers run as [`RunAs`] in their own process group.
//! IMAP listens on two loopback ports (plain with STARTTLS, and implicit TLS); LMTP listens on the
//! unix socket `run/lmtp`, used by the submission server and by `deliver_to_inbox`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::process::{self, RunAs};
use crate::{Account, Error};

/// Where everything of Dovecot's lives inside the server folder.
pub(crate) struct Layout {
    pub config: PathBuf,
    pub log: PathBuf,
    pub lmtp_socket: PathBuf,
    /// The salon's Maildir: INBOX at its root, other folders as `.Name` below it (Maildir++).
    pub maildir: PathBuf,
}

impl Layout {
    pub(crate) fn new(dir: &Path) -> Layout {
        Layout {
            config: dir.join("dovecot.conf"),
            log: dir.join("dovecot.log"),
            lmtp_socket: dir.join("run").join("lmtp"),
            maildir: dir.join("mail").join("salon").join("Maildir"),
        }
    }
}

pub(crate) struct Settings<'a> {
    pub dir: &'a Path,
    pub run_as: &'a RunAs,
    pub account: &'a Account,
    pub imap_plain_port: u16,
    pub imap_tls_port: u16,
    pub quota_bytes: Option<u64>,
}

/// Writes `dovecot.conf` and the passwd-file into the server folder.
pub(crate) fn write_config(s: &Settings) -> Result<Layout, Error> {
    let layout = Layout::new(s.dir);
    let dir = s.dir.display();
    for sub in ["run", "state", "mail/salon"] {
        std::fs::create_dir_all(s.dir.join(sub))?;
    }
    // user:password:uid:gid:gecos:home — the uid must be the one Dovecot runs as.
    std::fs::write(
        s.dir.join("passwd"),
        format!(
            "{}:{{PLAIN}}{}:{}:{}::{}/mail/salon\n",
            s.account.user, s.account.password, s.run_as.uid, s.run_as.gid, dir
        ),
    )?;
    let mut conf = format!(
        r#"# Written by kartei-test-mail for one test run; nothing here is read from /etc/dovecot.
base_dir = {dir}/run
state_dir = {dir}/state
instance_name = kartei-test-mail
log_path = {log}
protocols = imap lmtp
listen = 127.0.0.1
# Not root: every process runs as the one user that started the master.
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
ssl = required
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
auth_mechanisms = plain login
auth_verbose = yes
# A wrong password answers at once (the default waits 2 s, and anvil's penalty makes the next
# attempts from 127.0.0.1 slower still): quick tests, and no test slowed by an earlier one.
auth_failure_delay = 0
mail_max_userip_connections = 100
passdb {{
  driver = passwd-file
  args = {dir}/passwd
}}
userdb {{
  driver = passwd-file
  args = {dir}/passwd
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \Sent
    auto = subscribe
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls}
    ssl = yes
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0666
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"#,
        log = layout.log.display(),
        user = s.run_as.name,
        group = s.run_as.group,
        plain = s.imap_plain_port,
        tls = s.imap_tls_port,
    );
    if let Some(bytes) = s.quota_bytes {
        // The count backend with virtual sizes is Dovecot 2.3's recommended quota. APPEND beyond
        // it fails with `NO [OVERQUOTA]`; LMTP refuses the recipient with 552 (permanent).
        let _ = write!(
            conf,
            r#"mail_plugins = $mail_plugins quota
protocol imap {{
  mail_plugins = $mail_plugins imap_quota
}}
lmtp_rcpt_check_quota = yes
plugin {{
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = *:bytes={bytes}
  quota_full_tempfail = no
}}
"#
        );
    }
    std::fs::write(&layout.config, conf)?;
    Ok(layout)
}

/// Starts the Dovecot master in the foreground (as our child) and waits for its ports and the LMTP
/// socket.
pub(crate) fn start(
    dir: &Path,
    run_as: &RunAs,
    layout: &Layout,
    ports: &[u16],
) -> Result<Child, Error> {
    let mut cmd = Command::new(dovecot_binary());
    cmd.arg("-F").arg("-c").arg(&layout.config);
    run_as.prepare(&mut cmd, &dir.join("dovecot.out"), dir)?;
    let mut child = cmd.spawn().map_err(|e| Error::missing("dovecot", e))?;
    if let Err(why) = process::wait_for_ports(&mut child, ports, &[&layout.lmtp_socket]) {
        process::kill_group(&mut child);
        return Err(Error::Startup {
            server: "dovecot",
            why,
            log: crate::read_logs(&[&dir.join("dovecot.out"), &layout.log]),
        });
    }
    Ok(child)
}

/// `dovecot` lives in `/usr/sbin`, which a normal user's PATH may lack.
fn dovecot_binary() -> PathBuf {
    let sbin = Path::new("/usr/sbin/dovecot");
    if sbin.exists() {
        sbin.to_path_buf()
    } else {
        PathBuf::from("dovecot")
    }
}

/// Makes the next start of Dovecot give the INBOX a new UIDVALIDITY (Dovecot must be stopped):
/// the INBOX's index and UID list go, so Dovecot rebuilds them and numbers the messages anew. The
/// new value comes from `dovecot-uidvalidity`, which only counts up, so it always differs.
pub(crate) fn forget_inbox_uids(maildir: &Path) -> Result<(), Error> {
    let Ok(entries) = std::fs::read_dir(maildir) else {
        return Ok(()); // no mailbox yet: Dovecot will make one with a fresh UIDVALIDITY anyway
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // INBOX's own files (dovecot.index*, dovecot-uidlist) and the mailbox list index, which
        // caches UIDVALIDITY for STATUS; not dovecot-uidvalidity*, the counter that must survive.
        if name.starts_with("dovecot.index")
            || name == "dovecot-uidlist"
            || name.starts_with("dovecot.list.index")
        {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}
