//! The service catalogue and appointments (by customer and by time).

use super::*;

/// An appointment's place in the by-start index: its start (Unix seconds) and its id.
pub type StartKey = (i64, u64);

impl Store {
    pub fn services(&self) -> Result<Vec<Service>> {
        let txn = self.read()?;
        all_json(&txn.open_table(SERVICES)?)
    }

    pub(crate) fn create_service(&self, draft: &ServiceDraft) -> Result<Service> {
        draft.validate().map_err(CoreError::Invalid)?;
        self.write(|txn| {
            let service = Service {
                id: ServiceId(next_id(txn, "service")?),
                name: draft.name.trim().to_string(),
                duration_minutes: draft.duration_minutes,
                price_cents: draft.price_cents,
                requires_patch_test: draft.requires_patch_test,
            };
            put_json(&mut txn.open_table(SERVICES)?, service.id.0, &service)?;
            Ok(service)
        })
    }

    pub fn appointment(&self, id: AppointmentId) -> Result<Appointment> {
        let txn = self.read()?;
        get_json(&txn.open_table(APPOINTMENTS)?, id.0)?
            .ok_or_else(|| CoreError::not_found("appointment", id))
    }

    /// A customer's appointments, oldest first.
    pub fn appointments_of(&self, customer: CustomerId) -> Result<Vec<Appointment>> {
        let txn = self.read()?;
        let table = txn.open_table(APPOINTMENTS)?;
        let mut out = Vec::new();
        for entry in txn
            .open_table(APPOINTMENTS_BY_CUSTOMER)?
            .range((customer.0, i64::MIN, 0)..=(customer.0, i64::MAX, u64::MAX))?
        {
            let (k, _) = entry?;
            if let Some(a) = get_json(&table, k.value().2)? {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Appointments starting in `[from, to)`, by start time.
    pub fn appointments_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appointment>> {
        let txn = self.read()?;
        let table = txn.open_table(APPOINTMENTS)?;
        let mut out = Vec::new();
        for entry in txn
            .open_table(APPOINTMENTS_BY_START)?
            .range((from.timestamp(), 0)..(to.timestamp(), 0))?
        {
            let (k, _) = entry?;
            if let Some(a) = get_json(&table, k.value().1)? {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// At most `limit` appointments starting in `from..to`, soonest first, from the key `at`
    /// on (`(start, id)`, a previous page's next key); with the key of the next one when there
    /// are more.
    pub fn appointments_page(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        at: Option<(i64, u64)>,
        limit: usize,
    ) -> Result<(Vec<Appointment>, Option<StartKey>)> {
        let txn = self.read()?;
        let table = txn.open_table(APPOINTMENTS)?;
        let start = at
            .unwrap_or((from.timestamp(), 0))
            .max((from.timestamp(), 0));
        let end = (to.timestamp(), 0);
        let mut out = Vec::new();
        if start >= end {
            return Ok((out, None));
        }
        for entry in txn.open_table(APPOINTMENTS_BY_START)?.range(start..end)? {
            let (k, _) = entry?;
            if out.len() == limit {
                return Ok((out, Some(k.value())));
            }
            if let Some(a) = get_json(&table, k.value().1)? {
                out.push(a);
            }
        }
        Ok((out, None))
    }

    /// Creates (`id == None`) or replaces an appointment. Returns it and the change sequences
    /// of the customers it touched (two when it moved to another customer).
    pub(crate) fn save_appointment(
        &self,
        id: Option<AppointmentId>,
        draft: &AppointmentDraft,
        now: DateTime<Utc>,
    ) -> Result<(Appointment, Vec<(CustomerId, u64)>)> {
        self.write(|txn| {
            ensure_customer(txn, draft.customer_id)?;
            let services: Vec<Service> = all_json(&txn.open_table(SERVICES)?)?;
            let mut errors = FieldErrors::default();
            let mut minutes = 0i64;
            for sid in &draft.service_ids {
                match services.iter().find(|s| s.id == *sid) {
                    Some(s) => minutes += i64::from(s.duration_minutes),
                    None => errors.add("service_ids", Msg::UnknownService),
                }
            }
            use crate::model::appointment::*;
            use crate::model::values::{check_count, check_len};
            check_len(&mut errors, "note", &draft.note, MAX_APPOINTMENT_NOTE);
            check_len(&mut errors, "staff", &draft.staff, MAX_STAFF_NAME);
            let services_booked = draft.service_ids.len();
            check_count(
                &mut errors,
                "service_ids",
                services_booked,
                MAX_APPOINTMENT_SERVICES,
            );
            if let Err(msg) = crate::model::values::check_time(draft.start) {
                errors.add("start", msg);
            }
            if let Some(Err(msg)) = draft.end.map(crate::model::values::check_time) {
                errors.add("end", msg);
            }
            if draft.status == AppointmentStatus::NoShow && draft.start > now {
                errors.add("status", Msg::NoShowBeforeStart);
            }
            errors.into_result()?;
            let end = match draft.end {
                Some(end) => end,
                None => chrono::Duration::try_minutes(minutes.max(15))
                    .and_then(|d| draft.start.checked_add_signed(d))
                    .ok_or_else(|| CoreError::invalid("start", Msg::BadDate))?,
            };
            if end <= draft.start {
                return Err(CoreError::invalid("end", Msg::EndBeforeStart));
            }

            let mut table = txn.open_table(APPOINTMENTS)?;
            let mut by_customer = txn.open_table(APPOINTMENTS_BY_CUSTOMER)?;
            let mut by_start = txn.open_table(APPOINTMENTS_BY_START)?;
            let mut touched = vec![draft.customer_id];
            let (appt_id, created_at) = match id {
                Some(id) => {
                    let old: Appointment = get_json(&table, id.0)?
                        .ok_or_else(|| CoreError::not_found("appointment", id))?;
                    let old_start = old.start.timestamp();
                    by_customer.remove((old.customer_id.0, old_start, id.0))?;
                    by_start.remove((old_start, id.0))?;
                    if old.customer_id != draft.customer_id {
                        touched.push(old.customer_id);
                    }
                    (id, old.created_at)
                }
                None => (AppointmentId(next_id(txn, "appointment")?), now),
            };
            let appt = Appointment {
                id: appt_id,
                customer_id: draft.customer_id,
                start: draft.start,
                end,
                services: draft.service_ids.clone(),
                staff: draft.staff.trim().to_string(),
                status: draft.status,
                note: draft.note.trim().to_string(),
                created_at,
                updated_at: now,
            };
            put_json(&mut table, appt.id.0, &appt)?;
            let start = appt.start.timestamp();
            by_customer.insert((appt.customer_id.0, start, appt.id.0), appt.status.as_u8())?;
            by_start.insert((start, appt.id.0), appt.customer_id.0)?;
            drop((table, by_customer, by_start));
            let mut seqs = Vec::new();
            for c in touched {
                seqs.push((c, record_change(txn, c)?));
            }
            Ok((appt, seqs))
        })
    }

    pub(crate) fn delete_appointment(&self, id: AppointmentId) -> Result<(CustomerId, u64)> {
        self.write(|txn| {
            let mut table = txn.open_table(APPOINTMENTS)?;
            let appt: Appointment =
                get_json(&table, id.0)?.ok_or_else(|| CoreError::not_found("appointment", id))?;
            table.remove(id.0)?;
            let start = appt.start.timestamp();
            txn.open_table(APPOINTMENTS_BY_CUSTOMER)?
                .remove((appt.customer_id.0, start, id.0))?;
            txn.open_table(APPOINTMENTS_BY_START)?
                .remove((start, id.0))?;
            drop(table);
            let seq = record_change(txn, appt.customer_id)?;
            Ok((appt.customer_id, seq))
        })
    }
}
