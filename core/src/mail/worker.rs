//! The appliance's mail thread (one tokio runtime on its own thread, started by the appliance,
//! never by opening a card file): the outbox sends what the store holds, with retries and a
//! throttle for bulk mail, and copies each sent mail into the Sent folder; the inbox watcher
//! fetches new mail, waits with IDLE (re-issued every few minutes, since servers drop it
//! silently) and re-checks on a timer; the schedule queues reminders and greetings every minute.
//! [`MailWorker`] stops and joins the thread when dropped.

use super::imap::{self, Session};
use super::smtp::{self, Envelope};
use super::{MailError, MailSettings};
use crate::i18n::MailMsg;
use crate::kartei::Kartei;
use crate::model::{Delivery, Message, MessageKind};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The inbox folder that is watched.
pub const INBOX: &str = "INBOX";
/// IDLE is re-issued after this long; the inbox is re-checked at least this often.
pub const IDLE_FOR: Duration = Duration::from_secs(240);
/// Tries before an outgoing message is given up (about a day in all).
pub const MAX_ATTEMPTS: u32 = 12;
/// The wait after the n-th failed try of a message.
const BACKOFF_SECS: [i64; 11] = [10, 30, 60, 120, 300, 900, 1800, 3600, 7200, 14400, 28800];

/// What the mail thread last saw, for the settings and the kiosk's status line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MailStatus {
    /// The mail thread runs (the appliance started it).
    pub running: bool,
    /// When the inbox was last read without error.
    pub inbox_checked_at: Option<DateTime<Utc>>,
    /// Why the inbox cannot be read right now.
    pub inbox_error: Option<MailMsg>,
    /// Why the last send failed (cleared by the next success).
    pub send_error: Option<MailMsg>,
    /// Why the last copy into the Sent folder failed.
    pub sent_folder_error: Option<MailMsg>,
    pub last_sent_at: Option<DateTime<Utc>>,
}

/// What the faces' calls and the thread share: the wake-ups and the status.
#[derive(Default)]
pub struct Shared {
    outbox: Notify,
    inbox: Notify,
    reconnect: AtomicBool,
    stop: AtomicBool,
    status: Mutex<MailStatus>,
}

impl Shared {
    /// New messages are queued: send now.
    pub fn wake_outbox(&self) {
        self.outbox.notify_one();
    }

    /// The settings changed: log in again with the new ones.
    pub fn settings_changed(&self) {
        self.reconnect.store(true, Ordering::SeqCst);
        self.inbox.notify_one();
        self.outbox.notify_one();
    }

    pub fn status(&self) -> MailStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Changes the status; `true` when it is different now.
    fn update(&self, f: impl FnOnce(&mut MailStatus)) -> bool {
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let before = status.clone();
        f(&mut status);
        *status != before
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// The running mail thread; dropping it stops the thread.
pub struct MailWorker {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MailWorker {
    pub(crate) fn start(kartei: Kartei, shared: Arc<Shared>) -> std::io::Result<MailWorker> {
        shared.stop.store(false, Ordering::SeqCst);
        shared.update(|s| s.running = true);
        let for_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name("kartei-mail".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        log::error!("mail: no runtime: {e}");
                        return;
                    }
                };
                runtime.block_on(async {
                    tokio::join!(
                        outbox_loop(&kartei, &for_thread),
                        inbox_loop(&kartei, &for_thread),
                        schedule_loop(&kartei, &for_thread),
                    );
                });
                for_thread.update(|s| s.running = false);
            })?;
        Ok(MailWorker {
            shared,
            thread: Some(thread),
        })
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

impl Drop for MailWorker {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.outbox.notify_one();
        self.shared.inbox.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Sleeps up to `max`, waking early on `notify` (or a stop).
async fn nap(notify: &Notify, max: Duration) {
    let _ = tokio::time::timeout(max, notify.notified()).await;
}

fn sender_name(kartei: &Kartei, settings: &MailSettings) -> String {
    if !settings.sender_name.trim().is_empty() {
        return settings.sender_name.clone();
    }
    let salon = kartei.settings().salon_name;
    if salon.trim().is_empty() {
        "Kartei".into()
    } else {
        salon
    }
}

async fn outbox_loop(kartei: &Kartei, shared: &Shared) {
    let mut sent_session: Option<(Session, String)> = None;
    let mut last_bulk: Option<Instant> = None;
    while !shared.stopped() {
        let settings = kartei.mail_settings();
        if !settings.is_configured() {
            nap(&shared.outbox, Duration::from_secs(60)).await;
            continue;
        }
        if shared.reconnect.load(Ordering::SeqCst) {
            sent_session = None;
        }
        let due = match kartei.store().outbox_due(kartei.now(), 20) {
            Ok(due) => due,
            Err(e) => {
                log::error!("mail: outbox unreadable: {e}");
                nap(&shared.outbox, Duration::from_secs(30)).await;
                continue;
            }
        };
        if due.is_empty() {
            let wait = match kartei.store().outbox_next() {
                Ok(Some(next)) => (next - kartei.now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(Duration::from_secs(60)),
                _ => Duration::from_secs(60),
            };
            nap(&shared.outbox, wait.max(Duration::from_millis(50))).await;
            continue;
        }
        for message in due {
            if shared.stopped() {
                return;
            }
            if message.kind.is_bulk() {
                let gap = Duration::from_secs(60) / settings.newsletter_per_minute.max(1);
                if let Some(last) = last_bulk {
                    let next = last + gap;
                    if next > Instant::now() {
                        tokio::time::sleep_until(next.into()).await;
                    }
                }
                last_bulk = Some(Instant::now());
            }
            let transient_failure =
                send_one(kartei, shared, &settings, message, &mut sent_session).await;
            if transient_failure {
                // The server is down or busy: give it a moment before the next message.
                nap(&shared.outbox, Duration::from_secs(2)).await;
                break;
            }
        }
    }
}

/// Sends one message and records the outcome; `true` when it failed and may work later.
async fn send_one(
    kartei: &Kartei,
    shared: &Shared,
    settings: &MailSettings,
    mut message: Message,
    sent_session: &mut Option<(Session, String)>,
) -> bool {
    // Read again: a pause or an erasure may have come in between.
    match kartei.store().message(message.id) {
        Ok(fresh) if matches!(fresh.delivery, Delivery::Queued { .. }) => message = fresh,
        _ => return false,
    }
    let name = sender_name(kartei, settings);
    let unsubscribe = matches!(
        message.kind,
        MessageKind::Newsletter | MessageKind::Birthday
    )
    .then(|| {
        format!(
            "mailto:{}?subject=Abmelden%20{}",
            settings.address, message.header_id
        )
    });
    let env = Envelope {
        settings,
        sender_name: &name,
        in_reply_to: message.refers_to.first().map(String::as_str),
        unsubscribe,
    };
    let outcome = match smtp::build(&message, &env) {
        Ok(mail) => smtp::send(settings, &mail).await.map(|_| mail),
        Err(e) => Err(e),
    };
    let now = kartei.now();
    match outcome {
        Ok(mail) => {
            message.delivery = Delivery::Sent { at: now };
            // Durable before anything else: a restart never sends it again.
            if let Err(e) = kartei.update_messages(vec![message.clone()]) {
                log::error!("mail: sent message {} not recorded: {e}", message.id);
            }
            if shared.update(|s| {
                s.send_error = None;
                s.last_sent_at = Some(now);
            }) {
                kartei.announce(crate::events::Change::MessagesChanged);
            }
            if message.kind != MessageKind::Test {
                match copy_to_sent(settings, sent_session, &mail.formatted()).await {
                    Ok(()) => {
                        message.in_sent_folder = true;
                        let _ = kartei.update_messages(vec![message]);
                        shared.update(|s| s.sent_folder_error = None);
                    }
                    Err(e) => {
                        *sent_session = None;
                        shared.update(|s| s.sent_folder_error = Some(e.msg));
                    }
                }
            }
            false
        }
        Err(e) => {
            let attempts = match &message.delivery {
                Delivery::Queued { attempts, .. } => attempts + 1,
                _ => 1,
            };
            let text = crate::i18n::Msg::Mail(e.msg.clone()).text(kartei.settings().lang);
            message.delivery = if !e.transient || attempts >= MAX_ATTEMPTS {
                Delivery::Failed {
                    at: now,
                    attempts,
                    error: text,
                }
            } else {
                let wait = BACKOFF_SECS[(attempts as usize - 1).min(BACKOFF_SECS.len() - 1)];
                Delivery::Queued {
                    attempts,
                    next_try: now + chrono::Duration::seconds(wait),
                    last_error: Some(text),
                }
            };
            log::warn!(
                "mail: message {} not sent (try {attempts}): {:?}",
                message.id,
                e.msg
            );
            let _ = kartei.update_messages(vec![message]);
            shared.update(|s| s.send_error = Some(e.msg.clone()));
            e.transient
        }
    }
}

async fn copy_to_sent(
    settings: &MailSettings,
    sent_session: &mut Option<(Session, String)>,
    raw: &[u8],
) -> Result<(), MailError> {
    if sent_session.is_none() {
        let mut session = imap::connect(settings).await?;
        let folder = imap::sent_folder(settings, &mut session).await?;
        *sent_session = Some((session, folder));
    }
    let Some((session, folder)) = sent_session.as_mut() else {
        return Ok(());
    };
    let folder = folder.clone();
    imap::append(settings, session, &folder, raw).await
}

async fn inbox_loop(kartei: &Kartei, shared: &Shared) {
    let mut backoff = Duration::from_secs(2);
    while !shared.stopped() {
        let settings = kartei.mail_settings();
        shared.reconnect.store(false, Ordering::SeqCst);
        if !settings.is_configured() {
            nap(&shared.inbox, Duration::from_secs(60)).await;
            continue;
        }
        let session = match imap::connect(&settings).await {
            Ok(s) => s,
            Err(e) => {
                if shared.update(|s| s.inbox_error = Some(e.msg.clone())) {
                    kartei.announce(crate::events::Change::MessagesChanged);
                }
                nap(&shared.inbox, backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(120));
                continue;
            }
        };
        backoff = Duration::from_secs(2);
        if let Err(e) = watch(kartei, shared, &settings, session).await {
            log::warn!("mail: inbox: {:?}", e.msg);
            if shared.update(|s| s.inbox_error = Some(e.msg.clone())) {
                kartei.announce(crate::events::Change::MessagesChanged);
            }
            nap(&shared.inbox, backoff).await;
        }
    }
}

/// Reads and waits on one connection until it breaks, the settings change or the thread stops.
async fn watch(
    kartei: &Kartei,
    shared: &Shared,
    settings: &MailSettings,
    mut session: Session,
) -> Result<(), MailError> {
    const BATCH: usize = 500;
    loop {
        loop {
            let seen = kartei
                .store()
                .mailbox_state(INBOX)
                .map_err(|e| internal(&e))?;
            let (state, fetched) =
                imap::fetch_new(settings, &mut session, seen.as_ref(), BATCH).await?;
            let n = fetched.len();
            if n > 0 || seen.as_ref() != Some(&state) {
                kartei
                    .take_in(INBOX, fetched, &state)
                    .map_err(|e| internal(&e))?;
            }
            if shared.update(|s| {
                s.inbox_error = None;
                s.inbox_checked_at = Some(kartei.now());
            }) {
                kartei.announce(crate::events::Change::MessagesChanged);
            }
            if n < BATCH {
                break;
            }
        }
        if shared.stopped() || shared.reconnect.load(Ordering::SeqCst) {
            let _ = session.logout().await;
            return Ok(());
        }
        let seen_up_to = kartei
            .store()
            .mailbox_state(INBOX)
            .map_err(|e| internal(&e))?
            .map(|s| s.last_uid)
            .unwrap_or(0);
        session =
            imap::wait_for_mail(settings, session, IDLE_FOR, &shared.inbox, seen_up_to).await?;
        if shared.stopped() || shared.reconnect.load(Ordering::SeqCst) {
            let _ = session.logout().await;
            return Ok(());
        }
    }
}

fn internal(e: &crate::error::CoreError) -> MailError {
    MailError::transient(MailMsg::ServerSaid {
        server: "Kartei".into(),
        reply: e.to_string(),
    })
}

async fn schedule_loop(kartei: &Kartei, shared: &Shared) {
    while !shared.stopped() {
        match kartei.queue_scheduled_mail() {
            Ok(0) => {}
            Ok(_) => shared.wake_outbox(),
            Err(e) => log::error!("mail: schedule: {e}"),
        }
        // Woken with the outbox only to notice a stop quickly.
        for _ in 0..60 {
            if shared.stopped() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// The settings' "Testnachricht senden": send a mail to the salon's own address, log in to
/// the inbox, copy it to the Sent folder, and wait up to `wait` for it to arrive. Runs on the
/// calling thread (blocking).
pub fn test_mail(
    settings: &MailSettings,
    sender: &str,
    wait: Duration,
) -> crate::kartei::MailTestReport {
    use crate::kartei::MailTestReport;
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let msg = MailMsg::ServerSaid {
                server: "Kartei".into(),
                reply: e.to_string(),
            };
            return MailTestReport {
                sent: Err(msg.clone()),
                read: Err(msg.clone()),
                sent_folder: Err(msg.clone()),
                arrived_ms: Err(msg),
            };
        }
    };
    runtime.block_on(async {
        if !settings.is_configured() {
            let msg = MailMsg::NotConfigured;
            return MailTestReport {
                sent: Err(msg.clone()),
                read: Err(msg.clone()),
                sent_folder: Err(msg.clone()),
                arrived_ms: Err(msg),
            };
        }
        let now = Utc::now();
        let header_id = format!("{}{:016x}@kartei.local", super::TEST_PREFIX, rand::random::<u64>());
        let mut message = Message::outgoing(
            MessageKind::Test,
            now,
            crate::model::Addressee {
                address: settings.address.clone(),
                display_name: sender.to_string(),
                by: String::new(),
            },
            "Kartei: Testnachricht / test message".into(),
            "Diese Nachricht prüft die E-Mail-Einstellungen von Kartei.\nThis message checks Kartei's e-mail settings.".into(),
            header_id.clone(),
        );
        message.delivery = Delivery::Received;
        let env = Envelope {
            settings,
            sender_name: sender,
            in_reply_to: None,
            unsubscribe: None,
        };
        let built = smtp::build(&message, &env);
        let sent = match &built {
            Ok(mail) => smtp::send(settings, mail).await.map_err(|e| e.msg),
            Err(e) => Err(e.msg.clone()),
        };
        let mut session = match imap::connect(settings).await {
            Ok(s) => s,
            Err(e) => {
                return MailTestReport {
                    sent,
                    read: Err(e.msg.clone()),
                    sent_folder: Err(e.msg.clone()),
                    arrived_ms: Err(e.msg),
                }
            }
        };
        let sent_folder = match (&built, imap::sent_folder(settings, &mut session).await) {
            (Ok(mail), Ok(folder)) => imap::append(settings, &mut session, &folder, &mail.formatted())
                .await
                .map_err(|e| e.msg),
            (_, Err(e)) => Err(e.msg),
            (Err(e), _) => Err(e.msg.clone()),
        };
        let arrived_ms = if let Err(e) = &sent {
            Err(e.clone())
        } else {
            let started = Instant::now();
            loop {
                match imap::inbox_has(settings, &mut session, &header_id).await {
                    Ok(true) => break Ok(started.elapsed().as_millis() as u64),
                    Ok(false) if started.elapsed() < wait => {
                        tokio::time::sleep(Duration::from_millis(200)).await
                    }
                    Ok(false) => {
                        break Err(MailMsg::TestNotArrived {
                            seconds: wait.as_secs(),
                        })
                    }
                    Err(e) => break Err(e.msg),
                }
            }
        };
        let _ = session.logout().await;
        MailTestReport {
            sent,
            read: Ok(()),
            sent_folder,
            arrived_ms,
        }
    })
}
