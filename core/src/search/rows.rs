//! The customer list in memory: one compact [`Row`] per customer with what lists show, filter and
//! sort by (names, phones, groups, allergy flag, visit times). Built from the store at start and
//! kept current by every save, so filters and sorting never touch the disk.

use super::text::name_sort_key;
use crate::model::{Birthday, CustomerId, GroupId, Phone, PhoneLabel};
use crate::store::CustomerFacts;
use serde::Serialize;

/// A phone as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneView {
    pub label: PhoneLabel,
    /// E.164.
    pub number: String,
    /// DIN 5008 (`0170 12345678`).
    pub display: String,
}

impl From<&Phone> for PhoneView {
    fn from(p: &Phone) -> Self {
        PhoneView {
            label: p.label,
            number: p.number.clone(),
            display: p.display(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    pub id: CustomerId,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phones: Vec<PhoneView>,
    pub email: Option<String>,
    pub birthday: Option<Birthday>,
    pub groups: Vec<GroupId>,
    pub allergy: bool,
    pub deactivated: bool,
    pub created_at: i64,
    /// German dictionary order key; see [`name_sort_key`].
    pub sort_key: String,
    /// The first 8 bytes of `sort_key`, big-endian: most comparisons end here.
    pub sort_prefix: u64,
    /// Start times (unix seconds) of appointments that count as visits once passed, sorted.
    pub visit_starts: Vec<i64>,
    /// Appointments that are not cancelled, past or upcoming.
    pub bookings: u32,
}

impl Row {
    pub fn from_facts(facts: &CustomerFacts) -> Row {
        let c = &facts.customer;
        let sort_key = name_sort_key(&c.first_name, &c.last_name, &c.company);
        let mut prefix = [0u8; 8];
        for (dst, src) in prefix.iter_mut().zip(sort_key.bytes()) {
            *dst = src;
        }
        let mut visit_starts: Vec<i64> = facts
            .appointments
            .iter()
            .filter(|(_, status)| status.is_visit())
            .map(|(start, _)| *start)
            .collect();
        visit_starts.sort_unstable();
        let bookings = facts
            .appointments
            .iter()
            .filter(|(_, status)| *status != crate::model::AppointmentStatus::Cancelled)
            .count() as u32;
        Row {
            id: c.id,
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            company: c.company.clone(),
            phones: c.phones.iter().map(PhoneView::from).collect(),
            email: c.email.as_ref().map(|e| e.to_string()),
            birthday: c.birthday,
            groups: c.groups.clone(),
            allergy: facts.allergy,
            deactivated: c.deactivated,
            created_at: c.created_at.timestamp(),
            sort_key,
            sort_prefix: u64::from_be_bytes(prefix),
            visit_starts,
            bookings,
        }
    }

    /// The last visit before `now` (unix seconds).
    pub fn last_visit(&self, now: i64) -> Option<i64> {
        let passed = self.visit_starts.partition_point(|s| *s <= now);
        passed.checked_sub(1).map(|i| self.visit_starts[i])
    }

    pub fn first_visit(&self, now: i64) -> Option<i64> {
        self.visit_starts.first().copied().filter(|s| *s <= now)
    }

    /// Visits in `(from, to]`.
    pub fn visits_between(&self, from: i64, to: i64) -> usize {
        let lo = self.visit_starts.partition_point(|s| *s <= from);
        let hi = self.visit_starts.partition_point(|s| *s <= to);
        hi.saturating_sub(lo)
    }
}

/// All rows, in a vector for fast scans, with an id → position table. Ids are dense (assigned
/// 1, 2, 3 …), so the table is a plain vector: a search touching 30,000 hits does 30,000 array
/// reads, not hash look-ups.
#[derive(Default)]
pub struct Rows {
    rows: Vec<Row>,
    slots: Vec<u32>,
}

const NO_SLOT: u32 = u32::MAX;

impl Rows {
    pub fn new(rows: Vec<Row>) -> Rows {
        let mut table = Rows {
            rows: Vec::with_capacity(rows.len()),
            slots: Vec::new(),
        };
        for row in rows {
            table.upsert(row);
        }
        table
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, id: CustomerId) -> Option<&Row> {
        match self.slots.get(id.0 as usize) {
            Some(&slot) if slot != NO_SLOT => self.rows.get(slot as usize),
            _ => None,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter()
    }

    pub fn upsert(&mut self, row: Row) {
        let key = row.id.0 as usize;
        if self.slots.len() <= key {
            self.slots.resize(key + 1, NO_SLOT);
        }
        match self.slots[key] {
            NO_SLOT => {
                self.slots[key] = self.rows.len() as u32;
                self.rows.push(row);
            }
            slot => self.rows[slot as usize] = row,
        }
    }

    pub fn remove(&mut self, id: CustomerId) {
        let Some(&slot) = self.slots.get(id.0 as usize) else {
            return;
        };
        if slot == NO_SLOT {
            return;
        }
        self.slots[id.0 as usize] = NO_SLOT;
        self.rows.swap_remove(slot as usize);
        if let Some(moved) = self.rows.get(slot as usize) {
            self.slots[moved.id.0 as usize] = slot;
        }
    }

    /// The customer with this e-mail address (case-insensitive), if any.
    pub fn find_by_email(&self, email: &str) -> Option<CustomerId> {
        let wanted = email.to_lowercase();
        self.rows
            .iter()
            .find(|r| r.email.as_ref().is_some_and(|e| e.to_lowercase() == wanted))
            .map(|r| r.id)
    }

    /// The customer with this phone number (E.164), if any.
    pub fn find_by_phone(&self, e164: &str) -> Option<CustomerId> {
        self.rows
            .iter()
            .find(|r| r.phones.iter().any(|p| p.number == e164))
            .map(|r| r.id)
    }
}
