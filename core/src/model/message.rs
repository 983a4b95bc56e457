//! Messages in a customer's history: mails the salon wrote (personal, newsletter, reminder,
//! birthday greeting, consent confirmation) and the replies that came in, with their delivery
//! state. Stored first, then sent by the outbox ([`crate::mail`]); nothing here talks to a server.

use super::{AppointmentId, CustomerId, GroupId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use super::{MessageId, NewsletterId};

/// Whether the salon wrote it or the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Out,
    In,
}

/// What a message is for; decides which consent it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Written by staff from the card, or a reply that came in.
    Personal,
    /// Part of a newsletter (marketing consent, confirmed).
    Newsletter,
    /// An appointment reminder (reminder consent).
    Reminder,
    /// A birthday greeting (marketing consent).
    Birthday,
    /// The double opt-in mail that asks the customer to confirm newsletter consent.
    ConsentRequest,
    /// A test mail to the salon's own address.
    Test,
}

impl MessageKind {
    /// Sent in bulk or on schedule, throttled behind staff's own messages.
    pub fn is_bulk(self) -> bool {
        matches!(
            self,
            MessageKind::Newsletter | MessageKind::Reminder | MessageKind::Birthday
        )
    }
}

/// Where an outgoing message is on its way; incoming ones are [`Delivery::Received`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Delivery {
    /// In the outbox; `attempts` failed tries so far, the last one's reason.
    Queued {
        attempts: u32,
        next_try: DateTime<Utc>,
        #[serde(default)]
        last_error: Option<String>,
    },
    /// Held back with its paused newsletter.
    Paused,
    /// Accepted by the salon's mail server.
    Sent { at: DateTime<Utc> },
    /// Given up after too many tries or refused for good; shown on the message and the kiosk.
    Failed {
        at: DateTime<Utc>,
        attempts: u32,
        error: String,
    },
    /// A mail that came in.
    Received,
}

/// An attachment of a received mail: listed, not kept (it stays in the mailbox on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub mime: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    /// `None`: a received mail nobody could be matched to ("Nicht zugeordnet").
    pub customer: Option<CustomerId>,
    pub direction: Direction,
    pub kind: MessageKind,
    /// Written (outgoing) or received.
    pub at: DateTime<Utc>,
    /// The staff member who wrote it, or who assigned it; empty for the appliance itself.
    #[serde(default)]
    pub by: String,
    /// The other side's address (recipient of an outgoing mail, sender of an incoming one).
    pub address: String,
    /// The other side's display name as the mail gave it.
    #[serde(default)]
    pub display_name: String,
    pub subject: String,
    /// Plain text (the text part, or the text of an HTML-only mail); shown escaped.
    pub text: String,
    /// The mail's `Message-ID` without angle brackets.
    pub header_id: String,
    /// `In-Reply-To` and `References` of a received mail, without angle brackets.
    #[serde(default)]
    pub refers_to: Vec<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// A received message staff have not opened yet.
    #[serde(default)]
    pub unread: bool,
    pub delivery: Delivery,
    /// The newsletter it belongs to.
    #[serde(default)]
    pub newsletter: Option<NewsletterId>,
    /// The appointment a reminder is about.
    #[serde(default)]
    pub appointment: Option<AppointmentId>,
    /// A copy of the sent mail is in the account's Sent folder.
    #[serde(default)]
    pub in_sent_folder: bool,
    /// What a received mail did besides landing in the history ("unsubscribed", "confirmed").
    #[serde(default)]
    pub effect: Option<MessageEffect>,
}

impl Message {
    /// A new outgoing message (not yet saved, id 0), queued to be sent at `at`; the caller sets
    /// `customer`, `newsletter` or `appointment` where the message has them.
    pub fn outgoing(
        kind: MessageKind,
        at: DateTime<Utc>,
        to: Addressee,
        subject: String,
        text: String,
        header_id: String,
    ) -> Message {
        Message {
            id: MessageId(0),
            customer: None,
            direction: Direction::Out,
            kind,
            at,
            by: to.by,
            address: to.address,
            display_name: to.display_name,
            subject,
            text,
            header_id,
            refers_to: Vec::new(),
            attachments: Vec::new(),
            unread: false,
            delivery: Delivery::Queued {
                attempts: 0,
                next_try: at,
                last_error: None,
            },
            newsletter: None,
            appointment: None,
            in_sent_folder: false,
            effect: None,
        }
    }
}

/// Who an outgoing message goes to, and who wrote it (empty for the appliance itself).
#[derive(Debug, Clone, Default)]
pub struct Addressee {
    pub address: String,
    pub display_name: String,
    pub by: String,
}

/// A consent a received mail changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageEffect {
    /// Answered a consent request: newsletter consent confirmed (double opt-in).
    ConsentConfirmed,
    /// Asked to get no more newsletters: marketing consent withdrawn.
    Unsubscribed,
}

/// Who a newsletter goes to: a group, or the customers of the list as staff filtered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Audience {
    Group { group: GroupId },
    Customers { ids: Vec<CustomerId> },
}

/// A newsletter as sent: text, audience and progress. Its mails are ordinary messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Newsletter {
    pub id: NewsletterId,
    pub subject: String,
    pub text: String,
    pub by: String,
    pub at: DateTime<Utc>,
    /// How the audience was described when it was sent ("Gruppe Stammkunden", "Liste: 120").
    pub audience: String,
    pub recipients: u32,
    pub left_out: u32,
    #[serde(default)]
    pub paused: bool,
}
