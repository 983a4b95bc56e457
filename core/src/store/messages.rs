//! The messages' tables seen from the store: saving messages (with the consent changes a
//! received mail brings, in the same transaction), reading a customer's history, the outbox,
//! the unread marks, the unassigned list, newsletters and how far the inbox has been read.

use super::*;

/// A customer's consent changed by a received mail (unsubscribe, confirmed opt-in).
pub(crate) struct ConsentUpdate {
    pub customer: CustomerId,
    pub given: bool,
    pub confirmed: bool,
    pub how: String,
    pub proof: String,
}

/// How far one mailbox has been read.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailboxState {
    pub uid_validity: u32,
    pub last_uid: u32,
}

/// Unread received messages: in all, and per customer (`None`: unassigned).
pub type UnreadCounts = (u64, Vec<(Option<CustomerId>, u64)>);

/// The saved messages and the change sequences of the customers whose card changed.
pub(crate) type SavedMessages = (Vec<Message>, Vec<(CustomerId, u64)>);

impl Store {
    /// Saves messages (new ones get ids), the consent changes they bring, and optionally how far
    /// the inbox has been read, in one durable transaction. Returns the saved messages and the
    /// change sequences of the customers whose card changed.
    pub(crate) fn save_messages(
        &self,
        mut batch: Vec<Message>,
        consents: &[ConsentUpdate],
        mailbox: Option<(&str, &MailboxState)>,
        now: DateTime<Utc>,
    ) -> Result<SavedMessages> {
        self.write(|txn| {
            for message in batch.iter_mut() {
                if let Some(c) = message.customer {
                    ensure_customer(txn, c)?;
                }
                message_rows::save(txn, message)?;
            }
            let mut cards = Vec::new();
            for update in consents {
                let mut table = txn.open_table(CUSTOMERS)?;
                let Some(mut customer) = get_json::<Customer>(&table, update.customer.0)? else {
                    continue;
                };
                customer.record_consent(
                    ConsentKind::Marketing,
                    update.given,
                    update.confirmed,
                    now,
                    "",
                    &update.how,
                    &update.proof,
                );
                customer.version += 1;
                customer.updated_at = now;
                put_json(&mut table, update.customer.0, &customer)?;
                drop(table);
                cards.push((update.customer, record_change(txn, update.customer)?));
            }
            if let Some((name, state)) = mailbox {
                let bytes = serde_json::to_vec(state)?;
                txn.open_table(MAILBOX_STATE)?
                    .insert(name, bytes.as_slice())?;
            }
            Ok((batch, cards))
        })
    }

    pub fn message(&self, id: MessageId) -> Result<Message> {
        get_json(&self.read()?.open_table(MESSAGES)?, id.0)?
            .ok_or_else(|| CoreError::not_found("message", id))
    }

    /// The message a mail's `Message-ID` belongs to.
    pub fn message_by_header(&self, header_id: &str) -> Result<Option<MessageId>> {
        Ok(self
            .read()?
            .open_table(MESSAGE_HEADERS)?
            .get(header_id)?
            .map(|v| MessageId(v.value())))
    }

    /// The messages of the `Message-ID`s that are known, in one read.
    pub fn messages_by_headers(&self, header_ids: &[&str]) -> Result<Vec<Option<MessageId>>> {
        let txn = self.read()?;
        let table = txn.open_table(MESSAGE_HEADERS)?;
        header_ids
            .iter()
            .map(|h| Ok(table.get(*h)?.map(|v| MessageId(v.value()))))
            .collect()
    }

    /// A customer's messages, oldest first.
    pub fn messages_of(&self, customer: CustomerId) -> Result<Vec<Message>> {
        let txn = self.read()?;
        let ids = keys_in(&txn.open_table(MESSAGES_BY_CUSTOMER)?, customer.0)?;
        let table = txn.open_table(MESSAGES)?;
        let mut out: Vec<Message> = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(m) = get_json(&table, id)? {
                out.push(m);
            }
        }
        out.sort_by_key(|m| (m.at, m.id));
        Ok(out)
    }

    /// Up to `limit` queued messages due at `now`, most overdue first.
    pub fn outbox_due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Message>> {
        let txn = self.read()?;
        let outbox = txn.open_table(OUTBOX)?;
        let table = txn.open_table(MESSAGES)?;
        let mut out = Vec::new();
        for entry in outbox.range((i64::MIN, 0)..=(now.timestamp(), u64::MAX))? {
            if out.len() >= limit {
                break;
            }
            let (k, _) = entry?;
            if let Some(m) = get_json(&table, k.value().1)? {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// When the next queued message is due, if any.
    pub fn outbox_next(&self) -> Result<Option<DateTime<Utc>>> {
        let txn = self.read()?;
        let table = txn.open_table(OUTBOX)?;
        let first = table.first()?.map(|(k, _)| k.value().0);
        Ok(first.and_then(|secs| DateTime::from_timestamp(secs, 0)))
    }

    pub fn outbox_len(&self) -> Result<u64> {
        Ok(self.read()?.open_table(OUTBOX)?.len()?)
    }

    /// Unread received messages: all, and per customer (0: unassigned).
    pub fn unread_counts(&self) -> Result<UnreadCounts> {
        let txn = self.read()?;
        let table = txn.open_table(UNREAD)?;
        let mut per: Vec<(Option<CustomerId>, u64)> = Vec::new();
        let mut total = 0;
        for entry in table.iter()? {
            let (k, _) = entry?;
            let owner = k.value().0;
            let key = (owner != 0).then_some(CustomerId(owner));
            total += 1;
            match per.last_mut() {
                Some((c, n)) if *c == key => *n += 1,
                _ => per.push((key, 1)),
            }
        }
        Ok((total, per))
    }

    /// The received messages matched to nobody, newest first.
    pub fn unassigned_messages(&self) -> Result<Vec<Message>> {
        let txn = self.read()?;
        let ids: Vec<u64> = txn
            .open_table(UNASSIGNED)?
            .iter()?
            .map(|e| e.map(|(k, _)| k.value()))
            .collect::<std::result::Result<_, _>>()?;
        let table = txn.open_table(MESSAGES)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids.into_iter().rev() {
            if let Some(m) = get_json(&table, id)? {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Failed outgoing messages, newest first (for the kiosk's warning and the settings).
    pub fn failed_messages(&self, limit: usize) -> Result<Vec<Message>> {
        let txn = self.read()?;
        let table = txn.open_table(MESSAGES)?;
        let mut out = Vec::new();
        for entry in table.iter()?.rev() {
            let (_, v) = entry?;
            let m: Message = serde_json::from_slice(v.value())?;
            if matches!(m.delivery, Delivery::Failed { .. }) {
                out.push(m);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Every message of a newsletter.
    pub fn newsletter_messages(&self, id: NewsletterId) -> Result<Vec<Message>> {
        let txn = self.read()?;
        let table = txn.open_table(MESSAGES)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (_, v) = entry?;
            let m: Message = serde_json::from_slice(v.value())?;
            if m.newsletter == Some(id) {
                out.push(m);
            }
        }
        Ok(out)
    }

    pub(crate) fn save_newsletter(&self, newsletter: &mut Newsletter) -> Result<()> {
        self.write(|txn| {
            if newsletter.id.0 == 0 {
                newsletter.id = NewsletterId(next_id(txn, "newsletter")?);
            }
            put_json(
                &mut txn.open_table(NEWSLETTERS)?,
                newsletter.id.0,
                newsletter,
            )
        })
    }

    pub fn newsletter(&self, id: NewsletterId) -> Result<Newsletter> {
        get_json(&self.read()?.open_table(NEWSLETTERS)?, id.0)?
            .ok_or_else(|| CoreError::not_found("newsletter", id))
    }

    /// All newsletters, newest first.
    pub fn newsletters(&self) -> Result<Vec<Newsletter>> {
        let mut all: Vec<Newsletter> = all_json(&self.read()?.open_table(NEWSLETTERS)?)?;
        all.reverse();
        Ok(all)
    }

    pub fn mailbox_state(&self, name: &str) -> Result<Option<MailboxState>> {
        let txn = self.read()?;
        let table = txn.open_table(MAILBOX_STATE)?;
        let found = table.get(name)?;
        Ok(match found {
            Some(v) => Some(serde_json::from_slice(v.value())?),
            None => None,
        })
    }

    /// Whether the appointment's reminder has been sent (or queued).
    pub fn reminder_sent(&self, appointment: AppointmentId) -> Result<bool> {
        Ok(self
            .read()?
            .open_table(REMINDERS_SENT)?
            .get(appointment.0)?
            .is_some())
    }

    /// Whether this year's birthday greeting has gone to the customer.
    pub fn greeting_sent(&self, customer: CustomerId, year: u64) -> Result<bool> {
        Ok(self
            .read()?
            .open_table(GREETINGS_SENT)?
            .get((customer.0, year))?
            .is_some())
    }

    /// Queues scheduled mails and marks them as sent once (reminders by appointment, greetings
    /// by customer and year), in one transaction: a restart never sends them twice.
    pub(crate) fn queue_scheduled(&self, mut batch: Vec<Message>) -> Result<Vec<Message>> {
        self.write(|txn| {
            for message in batch.iter_mut() {
                let Some(customer) = message.customer else {
                    continue;
                };
                if txn.open_table(CUSTOMERS)?.get(customer.0)?.is_none() {
                    continue;
                }
                message_rows::save(txn, message)?;
                match (message.kind, message.appointment) {
                    (MessageKind::Reminder, Some(a)) => {
                        txn.open_table(REMINDERS_SENT)?.insert(a.0, message.id.0)?;
                    }
                    (MessageKind::Birthday, _) => {
                        let year = chrono::Datelike::year(&message.at) as u64;
                        txn.open_table(GREETINGS_SENT)?
                            .insert((customer.0, year), message.id.0)?;
                    }
                    _ => {}
                }
            }
            Ok(batch)
        })
    }
}
