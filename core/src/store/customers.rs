//! Customers: reading cards and their search facts, creating, updating, erasing and merging them, bulk and import writes.

use super::*;

/// What search and the customer list need to know about one customer.
#[derive(Debug, Clone)]
pub struct CustomerFacts {
    pub customer: Customer,
    /// (start as unix seconds, status) of every appointment, oldest first.
    pub appointments: Vec<(i64, AppointmentStatus)>,
    pub allergy: bool,
}

/// A customer with everything that comes along in a bulk load (demo data, imports).
#[derive(Debug, Clone)]
pub struct BulkCustomer {
    pub customer: Customer,
    pub notes: Vec<Note>,
    pub appointments: Vec<Appointment>,
}

/// A completion of an existing card by an import.
#[derive(Debug, Clone)]
pub struct ImportUpdate {
    pub id: CustomerId,
    /// The version the preview was made from.
    pub expected_version: u64,
    /// The card's master data after the completion.
    pub valid: ValidDraft,
    /// Notes to add (ids and customer are assigned here).
    pub notes: Vec<Note>,
}

/// What [`Store::apply_import`] wrote, with the change sequence of each card.
#[derive(Debug, Clone, Default)]
pub struct ImportWrite {
    pub created: Vec<(CustomerId, u64)>,
    pub updated: Vec<(CustomerId, u64)>,
}

impl Store {
    pub fn customer(&self, id: CustomerId) -> Result<Customer> {
        let txn = self.read()?;
        get_json(&txn.open_table(CUSTOMERS)?, id.0)?
            .ok_or_else(|| CoreError::not_found("customer", id))
    }

    /// The customers of `ids` that exist, in one read (ids that are gone are skipped).
    pub fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>> {
        let txn = self.read()?;
        let table = txn.open_table(CUSTOMERS)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = get_json(&table, id.0)? {
                out.push(c);
            }
        }
        Ok(out)
    }

    pub fn customer_count(&self) -> Result<u64> {
        let txn = self.read()?;
        let table = txn.open_table(CUSTOMERS)?;
        Ok(table.len()?)
    }

    /// A read snapshot for passes over everything (exports, reports).
    pub fn snapshot(&self) -> Result<Snapshot> {
        Ok(Snapshot::new(self.read()?))
    }

    /// Calls `f` for every customer in id order (reindexing, reports), in one read snapshot.
    pub fn for_each_customer(&self, f: impl FnMut(Customer) -> Result<()>) -> Result<()> {
        self.snapshot()?.for_each_customer(f)
    }

    pub fn facts(&self, id: CustomerId) -> Result<Option<CustomerFacts>> {
        let txn = self.read()?;
        let Some(customer) = get_json::<Customer>(&txn.open_table(CUSTOMERS)?, id.0)? else {
            return Ok(None);
        };
        let mut appointments = Vec::new();
        for entry in txn
            .open_table(APPOINTMENTS_BY_CUSTOMER)?
            .range((id.0, i64::MIN, 0)..=(id.0, i64::MAX, u64::MAX))?
        {
            let (k, v) = entry?;
            appointments.push((k.value().1, AppointmentStatus::from_u8(v.value())));
        }
        let mut allergy = false;
        for entry in txn
            .open_table(NOTES_BY_CUSTOMER)?
            .range((id.0, 0)..=(id.0, u64::MAX))?
        {
            let (_, kind) = entry?;
            allergy |= NoteKind::from_u8(kind.value()) == NoteKind::Allergy;
        }
        Ok(Some(CustomerFacts {
            customer,
            appointments,
            allergy,
        }))
    }

    /// Calls `f` with the facts of every customer in id order, for building the in-memory list
    /// and the index at start-up. One read snapshot; the three tables are walked side by side
    /// (all are keyed by customer first), so nothing but the current customer is held.
    pub fn for_each_facts(&self, mut f: impl FnMut(CustomerFacts) -> Result<()>) -> Result<()> {
        let txn = self.read()?;
        let customers = txn.open_table(CUSTOMERS)?;
        let appts_table = txn.open_table(APPOINTMENTS_BY_CUSTOMER)?;
        let notes_table = txn.open_table(NOTES_BY_CUSTOMER)?;
        let mut appts = appts_table.iter()?.peekable();
        let mut notes = notes_table.iter()?.peekable();
        for entry in customers.iter()? {
            let (k, v) = entry?;
            let id = k.value();
            let mut facts = CustomerFacts {
                customer: serde_json::from_slice(v.value())?,
                appointments: Vec::new(),
                allergy: false,
            };
            while let Some(Ok((key, _))) = appts.peek() {
                let (customer, start, _) = key.value();
                if customer > id {
                    break;
                }
                if let Some(Ok((_, status))) = appts.next() {
                    if customer == id {
                        facts
                            .appointments
                            .push((start, AppointmentStatus::from_u8(status.value())));
                    }
                }
            }
            while let Some(Ok((key, _))) = notes.peek() {
                let (customer, _) = key.value();
                if customer > id {
                    break;
                }
                if let Some(Ok((_, kind))) = notes.next() {
                    facts.allergy |=
                        customer == id && NoteKind::from_u8(kind.value()) == NoteKind::Allergy;
                }
            }
            f(facts)?;
        }
        Ok(())
    }

    pub(crate) fn create_customer(
        &self,
        valid: ValidDraft,
        source: Source,
        actor: &str,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<(Customer, u64)> {
        self.write(|txn| {
            let groups = resolve_groups(txn, &valid.group_names)?;
            let id = CustomerId(next_id(txn, "customer")?);
            let customer = Customer::new(id, valid, groups, source, actor, now, today);
            put_json(&mut txn.open_table(CUSTOMERS)?, id.0, &customer)?;
            let seq = record_change(txn, id)?;
            Ok((customer, seq))
        })
    }

    /// Saves an edit if `expected_version` is still the current one.
    pub(crate) fn update_customer(
        &self,
        id: CustomerId,
        expected_version: u64,
        valid: ValidDraft,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(Customer, u64)> {
        self.write(|txn| {
            let mut table = txn.open_table(CUSTOMERS)?;
            let mut customer: Customer =
                get_json(&table, id.0)?.ok_or_else(|| CoreError::not_found("customer", id))?;
            if customer.version != expected_version {
                return Err(CoreError::Conflict {
                    expected: expected_version,
                    current: customer.version,
                });
            }
            let groups = resolve_groups(txn, &valid.group_names)?;
            customer.apply(valid, groups, actor, now);
            put_json(&mut table, id.0, &customer)?;
            drop(table);
            let seq = record_change(txn, id)?;
            Ok((customer, seq))
        })
    }

    /// Erases the customer and everything about them: every kind of record in [`Owned`] (notes,
    /// patch tests, appointments, photo rows). Returns the change sequence and the content hashes of photo files that no photo
    /// refers to any more (the caller removes those files). The id goes into the erased list
    /// ([`super::Erasure`]) in the same transaction, so backups carry it.
    pub(crate) fn delete_customer(
        &self,
        id: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<(u64, Vec<String>)> {
        self.write(|txn| {
            if txn.open_table(CUSTOMERS)?.remove(id.0)?.is_none() {
                return Err(CoreError::not_found("customer", id));
            }
            let freed = owned::erase_all(txn, id)?;
            super::erased::record(
                txn,
                id,
                super::Erasure {
                    at: now,
                    anonymised: false,
                },
            )?;
            Ok((record_change(txn, id)?, freed))
        })
    }

    /// Anonymises a customer (retention, DSGVO Art. 5(1)(e)): in one transaction the card
    /// keeps only its id, dates, source and stylist, its notes, patch tests and photo rows go,
    /// its appointments stay for the statistics without their notes. Returns the card, the change sequence and the
    /// freed photo files (the caller removes them).
    pub(crate) fn anonymise_customer(
        &self,
        id: CustomerId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(Customer, u64, Vec<String>)> {
        self.write(|txn| {
            let mut table = txn.open_table(CUSTOMERS)?;
            let old: Customer =
                get_json(&table, id.0)?.ok_or_else(|| CoreError::not_found("customer", id))?;
            let customer = old.anonymised(now, name);
            put_json(&mut table, id.0, &customer)?;
            drop(table);
            let mut freed = Vec::new();
            for kind in [
                Owned::Notes,
                Owned::PatchTests,
                Owned::Photos,
                Owned::Messages,
            ] {
                kind.erase(txn, id, &mut freed)?;
            }
            // The appointments stay for the statistics, without their free-text notes.
            let ids: Vec<u64> = txn
                .open_table(APPOINTMENTS_BY_CUSTOMER)?
                .range((id.0, i64::MIN, 0)..=(id.0, i64::MAX, u64::MAX))?
                .map(|entry| entry.map(|(k, _)| k.value().2))
                .collect::<std::result::Result<_, _>>()?;
            let mut appointments = txn.open_table(APPOINTMENTS)?;
            for appointment_id in ids {
                if let Some(mut a) = get_json::<Appointment>(&appointments, appointment_id)? {
                    if !a.note.is_empty() {
                        a.note.clear();
                        put_json(&mut appointments, appointment_id, &a)?;
                    }
                }
            }
            drop(appointments);
            super::erased::record(
                txn,
                id,
                super::Erasure {
                    at: now,
                    anonymised: true,
                },
            )?;
            Ok((customer, record_change(txn, id)?, freed))
        })
    }

    /// Writes many complete customers in one transaction (demo data, imports): all or nothing.
    /// Ids of `customer`, notes and appointments are assigned here. Returns the new ids with
    /// their change sequences.
    pub(crate) fn bulk_insert(&self, batch: Vec<BulkCustomer>) -> Result<Vec<(CustomerId, u64)>> {
        self.write(|txn| {
            let ids = insert_new_customers(txn, batch)?;
            ids.into_iter()
                .map(|id| Ok((id, record_change(txn, id)?)))
                .collect()
        })
    }

    /// Commits an import in one transaction: new cards (with their notes) and completions of
    /// existing cards, planned against the card file as it was at `planned_at` (a
    /// [`Store::change_mark`]). If any card changed since then (another import, a save on the
    /// other face), nothing is written and `None` comes back: the caller plans again. If a card
    /// named in `updates` is not at its version, the whole import is refused with
    /// [`CoreError::Conflict`] and nothing is written.
    pub(crate) fn apply_import(
        &self,
        planned_at: u64,
        creates: Vec<BulkCustomer>,
        updates: Vec<ImportUpdate>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ImportWrite>> {
        self.write(|txn| {
            if change_mark_in(txn)? != planned_at {
                return Ok(None);
            }
            let mut written = ImportWrite::default();
            for update in updates {
                let mut table = txn.open_table(CUSTOMERS)?;
                let mut customer: Customer = get_json(&table, update.id.0)?
                    .ok_or_else(|| CoreError::not_found("customer", update.id))?;
                if customer.version != update.expected_version {
                    return Err(CoreError::Conflict {
                        expected: update.expected_version,
                        current: customer.version,
                    });
                }
                let groups = resolve_groups(txn, &update.valid.group_names)?;
                customer.apply(update.valid, groups, actor, now);
                put_json(&mut table, update.id.0, &customer)?;
                drop(table);
                let mut notes = txn.open_table(NOTES)?;
                let mut notes_by_customer = txn.open_table(NOTES_BY_CUSTOMER)?;
                for mut note in update.notes {
                    note.id = NoteId(next_id(txn, "note")?);
                    note.customer_id = update.id;
                    put_json(&mut notes, note.id.0, &note)?;
                    notes_by_customer.insert((update.id.0, note.id.0), note.kind.as_u8())?;
                }
                drop((notes, notes_by_customer));
                written
                    .updated
                    .push((update.id, record_change(txn, update.id)?));
            }
            let created = insert_new_customers(txn, creates)?;
            for id in created {
                written.created.push((id, record_change(txn, id)?));
            }
            Ok(Some(written))
        })
    }

    /// A mark that moves with every write that changes a card (the change sequence counter;
    /// unlike [`Store::last_change`] it does not go back when the log is pruned). Plans made
    /// from what was read after taking a mark are still true while the mark stands.
    pub(crate) fn change_mark(&self) -> Result<u64> {
        let txn = self.read()?;
        let table = txn.open_table(SEQUENCES)?;
        Ok(table.get("change")?.map(|v| v.value()).unwrap_or(0))
    }

    /// Merges card `remove` into card `keep` in one transaction: `keep` gets `valid` (the
    /// master data the user chose), everything owned by `remove` moves to `keep`
    /// ([`owned::move_all`]), and `remove` is deleted. Both versions must be current.
    pub(crate) fn merge_customers(
        &self,
        keep: (CustomerId, u64),
        remove: (CustomerId, u64),
        valid: ValidDraft,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(Customer, Vec<(CustomerId, u64)>)> {
        self.write(|txn| {
            let mut table = txn.open_table(CUSTOMERS)?;
            let mut kept: Customer = get_json(&table, keep.0 .0)?
                .ok_or_else(|| CoreError::not_found("customer", keep.0))?;
            let removed: Customer = get_json(&table, remove.0 .0)?
                .ok_or_else(|| CoreError::not_found("customer", remove.0))?;
            for (customer, expected) in [(&kept, keep.1), (&removed, remove.1)] {
                if customer.version != expected {
                    return Err(CoreError::Conflict {
                        expected,
                        current: customer.version,
                    });
                }
            }
            let groups = resolve_groups(txn, &valid.group_names)?;
            kept.apply(valid, groups, actor, now);
            absorb_history(&mut kept, &removed);
            put_json(&mut table, keep.0 .0, &kept)?;
            table.remove(remove.0 .0)?;
            drop(table);
            owned::move_all(txn, remove.0, keep.0)?;
            let seqs = vec![
                (keep.0, record_change(txn, keep.0)?),
                (remove.0, record_change(txn, remove.0)?),
            ];
            Ok((kept, seqs))
        })
    }

    /// How many records of each customer-owned kind `customer` has (what a merge moves).
    pub fn owned_counts(&self, customer: CustomerId) -> Result<Vec<(Owned, usize)>> {
        owned::counts(&self.read()?, customer)
    }

    /// Every table in the file with its number of entries (checks and tests that walk the
    /// whole store).
    pub fn table_sizes(&self) -> Result<Vec<(String, u64)>> {
        let txn = self.read()?;
        let mut out = Vec::new();
        for handle in txn.list_tables()? {
            let name = handle.name().to_string();
            out.push((name, txn.open_untyped_table(handle)?.len()?));
        }
        for handle in txn.list_multimap_tables()? {
            let name = handle.name().to_string();
            out.push((name, txn.open_untyped_multimap_table(handle)?.len()?));
        }
        Ok(out)
    }
}

/// Writes new cards with their notes and appointments, assigning every id. Records no changes:
/// the caller does, once the whole transaction's writes are known.
fn insert_new_customers(
    txn: &WriteTransaction,
    batch: Vec<BulkCustomer>,
) -> Result<Vec<CustomerId>> {
    let mut customers = txn.open_table(CUSTOMERS)?;
    let mut notes = txn.open_table(NOTES)?;
    let mut notes_by_customer = txn.open_table(NOTES_BY_CUSTOMER)?;
    let mut appts = txn.open_table(APPOINTMENTS)?;
    let mut appts_by_customer = txn.open_table(APPOINTMENTS_BY_CUSTOMER)?;
    let mut appts_by_start = txn.open_table(APPOINTMENTS_BY_START)?;
    let mut ids = Vec::with_capacity(batch.len());
    for mut item in batch {
        let id = CustomerId(next_id(txn, "customer")?);
        item.customer.id = id;
        put_json(&mut customers, id.0, &item.customer)?;
        for mut note in item.notes {
            note.id = NoteId(next_id(txn, "note")?);
            note.customer_id = id;
            put_json(&mut notes, note.id.0, &note)?;
            notes_by_customer.insert((id.0, note.id.0), note.kind.as_u8())?;
        }
        for mut appt in item.appointments {
            appt.id = AppointmentId(next_id(txn, "appointment")?);
            appt.customer_id = id;
            put_json(&mut appts, appt.id.0, &appt)?;
            let start = appt.start.timestamp();
            appts_by_customer.insert((id.0, start, appt.id.0), appt.status.as_u8())?;
            appts_by_start.insert((start, appt.id.0), id.0)?;
        }
        ids.push(id);
    }
    Ok(ids)
}

/// What a merged card keeps of the card merged into it besides the chosen master data: the
/// earlier "customer since", and the consent log (proof of consent must not be lost). A consent
/// recorded more recently on the removed card wins over an older one on the kept card.
fn absorb_history(kept: &mut Customer, removed: &Customer) {
    kept.customer_since = kept.customer_since.min(removed.customer_since);
    kept.created_at = kept.created_at.min(removed.created_at);
    kept.consent_log.extend(removed.consent_log.iter().cloned());
    kept.consent_log.sort_by_key(|c| c.at);
    for (mine, theirs) in [
        (&mut kept.marketing_consent, &removed.marketing_consent),
        (&mut kept.reminder_consent, &removed.reminder_consent),
    ] {
        if theirs.at.is_some() && theirs.at > mine.at {
            *mine = theirs.clone();
        }
    }
}
