//! One message across its tables, inside a transaction: the record, its customer's list, its
//! `Message-ID`, the outbox, the unread marks and the unassigned list are kept in step by
//! [`save`] (the only writer), and erased or moved with their customer ([`super::Owned`]).

use super::tables::*;
use super::{get_json, keys_in, next_id, put_json};
use crate::error::Result;
use crate::model::*;
use redb::{ReadableTable, WriteTransaction};

/// The index entries a message has, derived from the message alone.
#[derive(Default, PartialEq)]
struct Keys {
    by_customer: Option<(u64, u64)>,
    outbox: Option<(i64, u64)>,
    unread: Option<(u64, u64)>,
    unassigned: Option<u64>,
}

fn keys_of(m: &Message) -> Keys {
    let id = m.id.0;
    Keys {
        by_customer: m.customer.map(|c| (c.0, id)),
        outbox: match &m.delivery {
            Delivery::Queued { next_try, .. } => Some((next_try.timestamp(), id)),
            _ => None,
        },
        unread: m.unread.then(|| (m.customer.map(|c| c.0).unwrap_or(0), id)),
        unassigned: (m.direction == Direction::In && m.customer.is_none()).then_some(id),
    }
}

/// Writes `message` (a new one gets its id here) with every index entry it needs, removing
/// those of its previous state.
pub(super) fn save(txn: &WriteTransaction, message: &mut Message) -> Result<()> {
    let mut messages = txn.open_table(MESSAGES)?;
    let old = if message.id.0 == 0 {
        drop(messages);
        message.id = MessageId(next_id(txn, "message")?);
        messages = txn.open_table(MESSAGES)?;
        Keys::default()
    } else {
        get_json::<Message>(&messages, message.id.0)?
            .map(|m| keys_of(&m))
            .unwrap_or_default()
    };
    put_json(&mut messages, message.id.0, message)?;
    let new = keys_of(message);
    if !message.header_id.is_empty() {
        let mut headers = txn.open_table(MESSAGE_HEADERS)?;
        if headers.get(message.header_id.as_str())?.is_none() {
            headers.insert(message.header_id.as_str(), message.id.0)?;
        }
    }
    if old == new {
        return Ok(());
    }
    let mut by_customer = txn.open_table(MESSAGES_BY_CUSTOMER)?;
    let mut outbox = txn.open_table(OUTBOX)?;
    let mut unread = txn.open_table(UNREAD)?;
    let mut unassigned = txn.open_table(UNASSIGNED)?;
    if old.by_customer != new.by_customer {
        if let Some(k) = old.by_customer {
            by_customer.remove(k)?;
        }
        if let Some(k) = new.by_customer {
            by_customer.insert(k, ())?;
        }
    }
    if old.outbox != new.outbox {
        if let Some(k) = old.outbox {
            outbox.remove(k)?;
        }
        if let Some(k) = new.outbox {
            outbox.insert(k, ())?;
        }
    }
    if old.unread != new.unread {
        if let Some(k) = old.unread {
            unread.remove(k)?;
        }
        if let Some(k) = new.unread {
            unread.insert(k, ())?;
        }
    }
    if old.unassigned != new.unassigned {
        if let Some(k) = old.unassigned {
            unassigned.remove(k)?;
        }
        if let Some(k) = new.unassigned {
            unassigned.insert(k, ())?;
        }
    }
    Ok(())
}

/// Removes every message of `customer` with all its index entries and "sent once" marks.
pub(super) fn erase_messages_of(txn: &WriteTransaction, customer: CustomerId) -> Result<()> {
    let ids = keys_in(&txn.open_table(MESSAGES_BY_CUSTOMER)?, customer.0)?;
    let mut messages = txn.open_table(MESSAGES)?;
    let mut by_customer = txn.open_table(MESSAGES_BY_CUSTOMER)?;
    let mut headers = txn.open_table(MESSAGE_HEADERS)?;
    let mut outbox = txn.open_table(OUTBOX)?;
    let mut unread = txn.open_table(UNREAD)?;
    let mut reminders = txn.open_table(REMINDERS_SENT)?;
    for id in ids {
        if let Some(m) = get_json::<Message>(&messages, id)? {
            let keys = keys_of(&m);
            if let Some(k) = keys.outbox {
                outbox.remove(k)?;
            }
            if let Some(k) = keys.unread {
                unread.remove(k)?;
            }
            if !m.header_id.is_empty() {
                headers.remove(m.header_id.as_str())?;
            }
            if let Some(a) = m.appointment {
                reminders.remove(a.0)?;
            }
        }
        messages.remove(id)?;
        by_customer.remove((customer.0, id))?;
    }
    let mut greetings = txn.open_table(GREETINGS_SENT)?;
    let years = keys_in(&greetings, customer.0)?;
    for year in years {
        greetings.remove((customer.0, year))?;
    }
    Ok(())
}

/// Gives every message of `from` to `to` (a merge).
pub(super) fn move_messages_of(
    txn: &WriteTransaction,
    from: CustomerId,
    to: CustomerId,
) -> Result<()> {
    let ids = keys_in(&txn.open_table(MESSAGES_BY_CUSTOMER)?, from.0)?;
    for id in ids {
        let found = get_json::<Message>(&txn.open_table(MESSAGES)?, id)?;
        if let Some(mut m) = found {
            m.customer = Some(to);
            save(txn, &mut m)?;
        }
    }
    let mut greetings = txn.open_table(GREETINGS_SENT)?;
    let moved: Vec<(u64, u64)> = greetings
        .range((from.0, 0)..=(from.0, u64::MAX))?
        .map(|e| e.map(|(k, v)| (k.value().1, v.value())))
        .collect::<std::result::Result<_, _>>()?;
    for (year, message) in moved {
        greetings.remove((from.0, year))?;
        greetings.insert((to.0, year), message)?;
    }
    Ok(())
}
