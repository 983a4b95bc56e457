//! Reading the salon's mailbox with async-imap on tokio: connect (TLS or STARTTLS, rustls), log
//! in, fetch what arrived after the last UID seen (in chunks, sizes bounded), copy sent mail into
//! the Sent folder, and wait for new mail with IDLE (bounded, because servers drop IDLE
//! silently; the caller re-checks). Nothing is ever deleted or flagged on the server: `BODY.PEEK`
//! leaves mails unread for the salon's own mail program.

use super::settings::{MailSettings, Security};
use super::MailError;
use crate::i18n::MailMsg;
use crate::store::MailboxState;
use async_imap::types::NameAttribute;
use futures_util::StreamExt;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

pub type Session = async_imap::Session<TlsStream<TcpStream>>;

/// How long connecting, logging in or one command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// Mails larger than this are read without their body (the text says so; the mail stays on
/// the server): bounds memory on the Pi.
pub const MAX_MAIL_BYTES: u32 = 32 * 1024 * 1024;
/// UIDs fetched per command.
const FETCH_CHUNK: usize = 200;

/// A mail as fetched: its UID and raw bytes (headers only when it was too large).
pub struct Fetched {
    pub uid: u32,
    pub raw: Vec<u8>,
    /// The body was left on the server (larger than [`MAX_MAIL_BYTES`]).
    pub truncated: bool,
    pub size: u32,
}

fn server_name(settings: &MailSettings) -> String {
    format!("IMAP {}:{}", settings.imap_host, settings.imap_port)
}

async fn timed<T>(
    settings: &MailSettings,
    fut: impl std::future::Future<Output = Result<T, MailError>>,
) -> Result<T, MailError> {
    match tokio::time::timeout(COMMAND_TIMEOUT, fut).await {
        Ok(r) => r,
        Err(_) => Err(MailError::transient(MailMsg::Timeout {
            server: server_name(settings),
        })),
    }
}

/// An IMAP error as a sentence (`NO [OVERQUOTA]` is a full mailbox).
fn explain(settings: &MailSettings, e: async_imap::error::Error) -> MailError {
    use async_imap::error::Error;
    let server = server_name(settings);
    match e {
        Error::No(text) | Error::Bad(text) => {
            let lower = text.to_lowercase();
            if lower.contains("overquota") || lower.contains("quota") {
                MailError::transient(MailMsg::MailboxFull { server })
            } else {
                MailError::transient(MailMsg::ServerSaid {
                    server,
                    reply: text,
                })
            }
        }
        Error::Io(io) => io_error(settings, &io),
        other => MailError::transient(MailMsg::ServerSaid {
            server,
            reply: other.to_string(),
        }),
    }
}

fn io_error(settings: &MailSettings, io: &std::io::Error) -> MailError {
    let server = server_name(settings);
    let text = io.to_string();
    let is_tls = io
        .get_ref()
        .is_some_and(|inner| inner.is::<tokio_rustls::rustls::Error>())
        || text.contains("certificate")
        || text.contains("tls")
        || text.contains("TLS");
    if is_tls {
        let reason = if text.contains("UnknownIssuer") || text.contains("invalid peer certificate")
        {
            "Zertifikat nicht vertrauenswürdig / certificate not trusted".to_string()
        } else {
            text
        };
        MailError::transient(MailMsg::TlsFailed { server, reason })
    } else {
        MailError::transient(MailMsg::Unreachable {
            server,
            reason: text,
        })
    }
}

/// Connects and logs in.
pub async fn connect(settings: &MailSettings) -> Result<Session, MailError> {
    timed(settings, connect_inner(settings)).await
}

async fn connect_inner(settings: &MailSettings) -> Result<Session, MailError> {
    let server = server_name(settings);
    let config = super::tls::client_config(&settings.extra_ca_pem).map_err(|reason| {
        MailError::permanent(MailMsg::TlsFailed {
            server: server.clone(),
            reason,
        })
    })?;
    let domain = ServerName::try_from(settings.imap_host.clone()).map_err(|e| {
        MailError::permanent(MailMsg::Unreachable {
            server: server.clone(),
            reason: e.to_string(),
        })
    })?;
    let tcp = TcpStream::connect((settings.imap_host.as_str(), settings.imap_port))
        .await
        .map_err(|e| io_error(settings, &e))?;
    let connector = TlsConnector::from(config);
    let tls = match settings.imap_security {
        Security::Tls => {
            let tls = connector
                .connect(domain, tcp)
                .await
                .map_err(|e| io_error(settings, &e))?;
            let mut client = async_imap::Client::new(tls);
            client
                .read_response()
                .await
                .map_err(|e| io_error(settings, &e))?
                .ok_or_else(|| {
                    MailError::transient(MailMsg::Unreachable {
                        server: server.clone(),
                        reason: "no greeting".into(),
                    })
                })?;
            client
        }
        Security::StartTls => {
            let mut plain = async_imap::Client::new(tcp);
            plain
                .read_response()
                .await
                .map_err(|e| io_error(settings, &e))?
                .ok_or_else(|| {
                    MailError::transient(MailMsg::Unreachable {
                        server: server.clone(),
                        reason: "no greeting".into(),
                    })
                })?;
            plain
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| {
                    MailError::permanent(MailMsg::TlsFailed {
                        server: server.clone(),
                        reason: e.to_string(),
                    })
                })?;
            let tcp = plain.into_inner();
            let tls = connector
                .connect(domain, tcp)
                .await
                .map_err(|e| io_error(settings, &e))?;
            async_imap::Client::new(tls)
        }
    };
    match tls.login(&settings.user, &settings.password).await {
        Ok(session) => Ok(session),
        Err((async_imap::error::Error::No(_), _)) => {
            Err(MailError::permanent(MailMsg::WrongPassword { server }))
        }
        Err((e, _)) => Err(explain(settings, e)),
    }
}

/// Selects the inbox and fetches every mail after `seen` (all of them when the UIDVALIDITY
/// changed: the caller drops those it has by `Message-ID`). At most `limit` mails per call,
/// oldest first; the returned state covers exactly the returned mails.
pub async fn fetch_new(
    settings: &MailSettings,
    session: &mut Session,
    seen: Option<&MailboxState>,
    limit: usize,
) -> Result<(MailboxState, Vec<Fetched>), MailError> {
    let mailbox = timed(settings, async {
        session
            .select("INBOX")
            .await
            .map_err(|e| explain(settings, e))
    })
    .await?;
    let validity = mailbox.uid_validity.unwrap_or(0);
    let after = match seen {
        Some(s) if s.uid_validity == validity => s.last_uid,
        _ => 0,
    };
    let mut uids: Vec<u32> = timed(settings, async {
        session
            .uid_search(format!("UID {}:*", after.saturating_add(1)))
            .await
            .map_err(|e| explain(settings, e))
    })
    .await?
    .into_iter()
    .filter(|uid| *uid > after)
    .collect();
    uids.sort_unstable();
    uids.truncate(limit);
    let mut state = MailboxState {
        uid_validity: validity,
        last_uid: after,
    };
    let mut out = Vec::with_capacity(uids.len());
    for chunk in uids.chunks(FETCH_CHUNK) {
        let set = chunk
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        // Sizes first, so a huge mail is never loaded whole.
        let sizes: Vec<(u32, u32)> = timed(settings, async {
            let mut stream = session
                .uid_fetch(&set, "(UID RFC822.SIZE)")
                .await
                .map_err(|e| explain(settings, e))?;
            let mut sizes = Vec::new();
            while let Some(item) = stream.next().await {
                let f = item.map_err(|e| explain(settings, e))?;
                if let Some(uid) = f.uid {
                    sizes.push((uid, f.size.unwrap_or(0)));
                }
            }
            Ok(sizes)
        })
        .await?;
        let (small, large): (Vec<_>, Vec<_>) = sizes
            .into_iter()
            .partition(|(_, size)| *size <= MAX_MAIL_BYTES);
        for (part, query, truncated) in [
            (small, "(UID RFC822.SIZE BODY.PEEK[])", false),
            (large, "(UID RFC822.SIZE BODY.PEEK[HEADER])", true),
        ] {
            if part.is_empty() {
                continue;
            }
            let set = part
                .iter()
                .map(|(uid, _)| uid.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let fetched: Vec<Fetched> = tokio::time::timeout(COMMAND_TIMEOUT * 4, async {
                let mut stream = session
                    .uid_fetch(&set, query)
                    .await
                    .map_err(|e| explain(settings, e))?;
                let mut got = Vec::new();
                while let Some(item) = stream.next().await {
                    let f = item.map_err(|e| explain(settings, e))?;
                    let Some(uid) = f.uid else { continue };
                    let raw = if truncated { f.header() } else { f.body() };
                    got.push(Fetched {
                        uid,
                        raw: raw.unwrap_or_default().to_vec(),
                        truncated,
                        size: f.size.unwrap_or(0),
                    });
                }
                Ok::<_, MailError>(got)
            })
            .await
            .map_err(|_| {
                MailError::transient(MailMsg::Timeout {
                    server: server_name(settings),
                })
            })??;
            out.extend(fetched);
        }
    }
    out.sort_by_key(|f| f.uid);
    if let Some(last) = out.last() {
        state.last_uid = last.uid;
    }
    Ok((state, out))
}

/// The folder sent mail goes to: the configured one, or the one marked `\Sent`, or "Sent"
/// (created when missing).
pub async fn sent_folder(
    settings: &MailSettings,
    session: &mut Session,
) -> Result<String, MailError> {
    if !settings.sent_folder.trim().is_empty() {
        return Ok(settings.sent_folder.trim().to_string());
    }
    let names: Vec<(String, bool)> = timed(settings, async {
        let mut stream = session
            .list(Some(""), Some("*"))
            .await
            .map_err(|e| explain(settings, e))?;
        let mut names = Vec::new();
        while let Some(item) = stream.next().await {
            let name = item.map_err(|e| explain(settings, e))?;
            let is_sent = name
                .attributes()
                .iter()
                .any(|a| matches!(a, NameAttribute::Sent));
            names.push((name.name().to_string(), is_sent));
        }
        Ok(names)
    })
    .await?;
    if let Some((name, _)) = names.iter().find(|(_, sent)| *sent) {
        return Ok(name.clone());
    }
    for candidate in ["Sent", "Gesendet", "Sent Messages", "INBOX.Sent"] {
        if names.iter().any(|(n, _)| n == candidate) {
            return Ok(candidate.to_string());
        }
    }
    timed(settings, async {
        session
            .create("Sent")
            .await
            .map_err(|e| explain(settings, e))
    })
    .await?;
    Ok("Sent".to_string())
}

/// Puts a copy of a sent mail into `folder`, marked as read.
pub async fn append(
    settings: &MailSettings,
    session: &mut Session,
    folder: &str,
    raw: &[u8],
) -> Result<(), MailError> {
    timed(settings, async {
        session
            .append(folder, Some("(\\Seen)"), None, raw)
            .await
            .map_err(|e| explain(settings, e))
    })
    .await
}

/// Whether a mail with this `Message-ID` is in the inbox (the settings' round-trip test).
pub async fn inbox_has(
    settings: &MailSettings,
    session: &mut Session,
    header_id: &str,
) -> Result<bool, MailError> {
    timed(settings, async {
        session
            .select("INBOX")
            .await
            .map_err(|e| explain(settings, e))?;
        let found = session
            .uid_search(format!(
                "HEADER Message-ID \"{}\"",
                header_id.replace('"', "")
            ))
            .await
            .map_err(|e| explain(settings, e))?;
        Ok(!found.is_empty())
    })
    .await
}

/// Waits up to `max` for the server to announce new mail in the selected inbox (IDLE), then
/// hands the session back. Servers without IDLE: sleeps instead (the caller polls).
pub async fn wait_for_mail(
    settings: &MailSettings,
    session: Session,
    max: Duration,
    stop: &tokio::sync::Notify,
) -> Result<Session, MailError> {
    let mut session = session;
    let caps = timed(settings, async {
        session
            .capabilities()
            .await
            .map_err(|e| explain(settings, e))
    })
    .await?;
    if !caps.has_str("IDLE") {
        tokio::select! {
            _ = tokio::time::sleep(max) => {}
            _ = stop.notified() => {}
        }
        return Ok(session);
    }
    timed(settings, async {
        session
            .select("INBOX")
            .await
            .map_err(|e| explain(settings, e))
    })
    .await?;
    let mut idle = session.idle();
    timed(settings, async {
        idle.init().await.map_err(|e| explain(settings, e))
    })
    .await?;
    {
        let (wait, interrupt) = idle.wait_with_timeout(max);
        let outcome = tokio::select! {
            r = wait => Some(r),
            _ = stop.notified() => None,
        };
        drop(interrupt);
        if let Some(Err(e)) = outcome {
            return Err(explain(settings, e));
        }
    }
    timed(settings, async {
        idle.done().await.map_err(|e| explain(settings, e))
    })
    .await
}
