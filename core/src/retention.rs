//! Keeping data only as long as it is needed (DSGVO Art. 5(1)(e)): customers without a visit
//! (past or booked) for the owner's number of years (`Settings::retention_years`, default 3)
//! are listed for review; the owner erases them or anonymises them. Anonymised, a card keeps
//! its id, dates, source and stylist and its appointments (the statistics stay right); the
//! person is gone: names, contact data, birthday, groups, consents, notes, patch tests and
//! photos. Both are owners' decisions and go into the audit log.

use crate::audit::{AuditAction, AuditDraft};
use crate::error::{CoreError, Result};
use crate::events::Change;
use crate::i18n::{Msg, Word};
use crate::kartei::Written;
use crate::model::{Customer, CustomerId, Role};
use crate::Kartei;
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::Serialize;

/// Years without a visit before a customer is listed for review, unless the owner says otherwise.
pub const DEFAULT_YEARS: u32 = 3;

/// The shortest and longest retention period an owner may set, in years.
pub const YEARS: std::ops::RangeInclusive<u32> = 1..=30;

/// A customer past the retention period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionCandidate {
    pub id: CustomerId,
    pub name: String,
    /// The last visit or booking; `None` if there never was one.
    pub last_visit: Option<NaiveDate>,
    pub created: NaiveDate,
}

fn check_owner(role: Role) -> Result<()> {
    match role {
        Role::Owner => Ok(()),
        Role::Staff => Err(CoreError::Forbidden(Msg::RetentionOwnerOnly)),
    }
}

impl Kartei {
    /// The customers whose last visit or booking (or, without any, whose card) is older than
    /// the retention period, longest ago first; anonymised cards are not listed again. Owners
    /// only.
    pub fn retention_review(&self, role: Role) -> Result<Vec<RetentionCandidate>> {
        check_owner(role)?;
        let years = self.settings().retention_years.max(1);
        let cutoff = self
            .now()
            .checked_sub_months(Months::new(years.saturating_mul(12)))
            .map(|t| t.timestamp())
            .unwrap_or(i64::MIN);
        let day = |secs: i64| DateTime::<Utc>::from_timestamp(secs, 0).map(|t| t.date_naive());
        // (last sign of life, last visit) of each customer past the cut-off.
        let mut due = self.rows_where(|row| {
            let last_visit = row.visit_starts.last().copied();
            let last = last_visit.unwrap_or(row.created_at).max(row.created_at);
            (last < cutoff).then_some((last, last_visit))
        });
        due.sort();
        let mut out = Vec::with_capacity(due.len());
        for ((_, last_visit), id) in due {
            let customer = self.customer(id)?;
            if customer.anonymised {
                continue;
            }
            out.push(RetentionCandidate {
                id,
                name: customer.display_name(),
                last_visit: last_visit.and_then(day),
                created: customer.created_at.date_naive(),
            });
        }
        Ok(out)
    }

    /// Sets the retention period (owners only, [`YEARS`]).
    pub fn set_retention_years(&self, role: Role, years: u32) -> Result<()> {
        check_owner(role)?;
        if !YEARS.contains(&years) {
            return Err(CoreError::invalid(
                "years",
                Msg::RetentionYears {
                    min: *YEARS.start(),
                    max: *YEARS.end(),
                },
            ));
        }
        let mut settings = self.settings();
        settings.retention_years = years;
        self.set_settings(settings)
    }

    /// Anonymises a customer (see the module documentation); owners only, `by` goes into the
    /// audit log. The card stays, deactivated, named "Anonymisiert".
    pub fn anonymise_customer(&self, id: CustomerId, role: Role, by: &str) -> Result<Customer> {
        check_owner(role)?;
        let name = Word::Anonymised.text(self.settings().lang);
        self.commit(|store| {
            let (customer, seq, freed) = store.anonymise_customer(id, name, self.now())?;
            self.remove_photo_files(&freed);
            let written = Written::card(id, seq, Change::CustomerChanged(id))
                .audit(AuditDraft::new(by, AuditAction::Anonymised, Some(id)));
            Ok((customer, written))
        })
        .and_then(|customer| {
            // The person's old record is freed, not yet overwritten: make it real on disk.
            self.scrub_erased()?;
            Ok(customer)
        })
    }
}
