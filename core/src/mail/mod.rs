//! Mail through the salon's own account (issue 16): messages from the card, replies matched back
//! into the customer's history, newsletters with consent, reminders and greetings.
//!
//! - [`settings`]: the account, the automatic mails and the templates.
//! - [`templates`]: filling `{Vorname}`, `{Termin}` … .
//! - [`smtp`]: sending (lettre), [`imap`]: reading and the Sent folder (async-imap), [`tls`]:
//!   rustls for both.
//! - [`parse`]: a received mail's sender, thread, text and attachments (mail-parser).
//! - [`matching`]: which customer a reply belongs to and what it does to their consent.
//! - [`worker`]: the appliance's mail thread: the outbox with retries, the inbox watcher (IDLE
//!   plus a periodic re-check), the schedule of reminders and greetings.
//!
//! Every message is stored before anything is sent; the outbox only ever reads the store, so a
//! restart or a dead server loses nothing. The domain calls are on [`crate::Kartei`]
//! (`kartei/messages.rs`).

pub mod imap;
pub mod matching;
pub mod parse;
pub mod settings;
pub mod smtp;
pub mod templates;
pub mod tls;
pub mod worker;

pub use settings::{MailSettings, Security, Template, TemplateUse};

use crate::error::{CoreError, Result};
use crate::i18n::{MailMsg, Msg, Word};
use crate::model::{Delivery, Role};

/// Who may set up the salon's mail account and send newsletters: an owner. Every staff member
/// writes messages from a card; the whole list in one mail is the owner's decision.
pub fn check_may_manage(role: Role) -> Result<()> {
    match role {
        Role::Owner => Ok(()),
        Role::Staff => Err(CoreError::Forbidden(Msg::MailOwnerOnly)),
    }
}

/// A failed mail operation: what to tell people, and whether trying later can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailError {
    pub msg: MailMsg,
    /// A dead connection or a busy server: the outbox tries again later. Otherwise (wrong
    /// password, a refused address) only a change of settings or message helps.
    pub transient: bool,
}

impl MailError {
    pub fn transient(msg: MailMsg) -> MailError {
        MailError {
            msg,
            transient: true,
        }
    }

    pub fn permanent(msg: MailMsg) -> MailError {
        MailError {
            msg,
            transient: false,
        }
    }
}

/// The word for a message's delivery state, for the history line.
pub fn delivery_word(delivery: &Delivery) -> Word {
    match delivery {
        Delivery::Queued { attempts: 0, .. } => Word::MessageQueued,
        Delivery::Queued { .. } => Word::MessageRetrying,
        Delivery::Paused => Word::MessagePaused,
        Delivery::Sent { .. } => Word::MessageSent,
        Delivery::Failed { .. } => Word::MessageFailed,
        Delivery::Received => Word::MessageReceived,
    }
}

/// A new `Message-ID` for a mail from `address`'s domain: random, so nobody can guess the
/// token of somebody else's newsletter.
pub fn new_header_id(address: &str) -> String {
    let domain = address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
        .unwrap_or("kartei.local");
    format!("kartei-{:016x}@{domain}", rand::random::<u64>())
}

/// The prefix of the settings test's mails, which the inbox watcher skips.
pub const TEST_PREFIX: &str = "kartei-test-";
