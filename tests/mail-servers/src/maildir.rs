//! Reading what the servers stored, straight from disk: a Maildir folder's messages in the order
//! Dovecot numbered them, and the submission server's spool of mail "sent out".

use std::path::{Path, PathBuf};

use crate::Outgoing;

/// The directory of `folder` in a Maildir++ tree: INBOX is the root, `Sent` is `.Sent`, and a
/// nested `Kunden/2024` is `.Kunden.2024`.
pub(crate) fn folder_dir(maildir: &Path, folder: &str) -> PathBuf {
    if folder.eq_ignore_ascii_case("INBOX") {
        maildir.to_path_buf()
    } else {
        maildir.join(format!(".{}", folder.replace('/', ".")))
    }
}

/// The raw messages in `dir` (`new/` and `cur/`), in UID order where Dovecot has numbered them
/// (its `dovecot-uidlist`), then the rest by delivery time.
pub(crate) fn messages(dir: &Path) -> std::io::Result<Vec<Vec<u8>>> {
    let uidlist = std::fs::read_to_string(dir.join("dovecot-uidlist")).unwrap_or_default();
    let uid_of = |base: &str| -> Option<u32> {
        // Lines after the header: "<uid> [fields] :<file name without flags>".
        uidlist.lines().skip(1).find_map(|line| {
            let (head, name) = line.split_once(':')?;
            (name == base).then(|| head.split_whitespace().next()?.parse().ok())?
        })
    };
    let mut found = Vec::new();
    for sub in ["new", "cur"] {
        let entries = match std::fs::read_dir(dir.join(sub)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // "<secs>.M<usecs>P<pid>.<host>,S=<size>,W=<size>:2,<flags>": the base name is
            // everything before ':' (flags) — and Dovecot's uidlist names files without ",S=".
            let base = name.split(':').next().unwrap_or(&name).to_string();
            let short = base.split(',').next().unwrap_or(&base).to_string();
            let uid = uid_of(&base).or_else(|| uid_of(&short)).unwrap_or(u32::MAX);
            found.push((uid, delivery_time(&name), name, entry.path()));
        }
    }
    found.sort();
    found
        .into_iter()
        .map(|(_, _, _, path)| std::fs::read(path))
        .collect()
}

/// (seconds, microseconds) from a Maildir file name, for mail Dovecot has not numbered yet.
fn delivery_time(name: &str) -> (u64, u64) {
    let mut parts = name.split('.');
    let secs = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(u64::MAX);
    let usecs = parts
        .next()
        .and_then(|s| s.strip_prefix('M'))
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (secs, usecs)
}

/// The spool of the submission server, in arrival order (only complete messages: the `.env` file is
/// written last).
pub(crate) fn spool(dir: &Path) -> std::io::Result<Vec<Outgoing>> {
    let mut envs: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "env"))
        .collect();
    envs.sort();
    envs.into_iter()
        .map(|env| {
            let text = std::fs::read_to_string(&env)?;
            let mut lines = text.lines().map(str::to_string);
            let mail_from = lines.next().unwrap_or_default();
            Ok(Outgoing {
                mail_from,
                rcpt_to: lines.collect(),
                raw: std::fs::read(env.with_extension("eml"))?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_map_to_maildir_plus_plus() {
        let root = Path::new("/m");
        assert_eq!(folder_dir(root, "INBOX"), Path::new("/m"));
        assert_eq!(folder_dir(root, "inbox"), Path::new("/m"));
        assert_eq!(folder_dir(root, "Sent"), Path::new("/m/.Sent"));
        assert_eq!(
            folder_dir(root, "Kunden/2024"),
            Path::new("/m/.Kunden.2024")
        );
    }

    #[test]
    fn delivery_time_orders_microseconds_numerically() {
        assert_eq!(
            delivery_time("1700000000.M99P1.host,S=3:2,"),
            (1700000000, 99)
        );
        assert!(delivery_time("1700000000.M99P1.h") < delivery_time("1700000000.M100P1.h"));
        assert_eq!(delivery_time("garbage").0, u64::MAX);
    }
}
