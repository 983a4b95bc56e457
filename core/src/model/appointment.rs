//! The salon's service catalog and appointments. An appointment names its customer; the
//! customer's visits, last visit and most booked services are derived from appointments.

use super::{AppointmentId, CustomerId, ServiceId};
use crate::i18n::{FieldErrors, Msg};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub duration_minutes: u32,
    /// Price in euro cents.
    pub price_cents: u32,
    /// Colour services need a valid patch test; the card warns before booking one without.
    #[serde(default)]
    pub requires_patch_test: bool,
}

/// A service's name.
pub const MAX_SERVICE_NAME: usize = 100;
/// An appointment's note.
pub const MAX_APPOINTMENT_NOTE: usize = 2_000;
/// The staff member's name on an appointment.
pub const MAX_STAFF_NAME: usize = 100;
/// Services booked in one appointment.
pub const MAX_APPOINTMENT_SERVICES: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceDraft {
    pub name: String,
    pub duration_minutes: u32,
    pub price_cents: u32,
    pub requires_patch_test: bool,
}

impl ServiceDraft {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.name.trim().is_empty() {
            errors.add("name", Msg::Required);
        }
        super::values::check_len(&mut errors, "name", &self.name, MAX_SERVICE_NAME);
        if self.duration_minutes == 0 || self.duration_minutes > 24 * 60 {
            errors.add("duration_minutes", Msg::InvalidInput);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    #[default]
    Booked,
    Completed,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    pub fn from_u8(v: u8) -> AppointmentStatus {
        match v {
            1 => AppointmentStatus::Completed,
            2 => AppointmentStatus::Cancelled,
            3 => AppointmentStatus::NoShow,
            _ => AppointmentStatus::Booked,
        }
    }

    /// Whether an appointment with this status, once its start has passed, counts as a visit.
    /// A past appointment still marked "booked" counts: most salons never mark visits complete.
    pub fn is_visit(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Booked | AppointmentStatus::Completed
        )
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        self.word().text(lang)
    }

    /// The status's word in the catalogue (`st_booked`, …).
    pub fn word(self) -> crate::i18n::Word {
        use crate::i18n::Word;
        match self {
            AppointmentStatus::Booked => Word::StBooked,
            AppointmentStatus::Completed => Word::StCompleted,
            AppointmentStatus::Cancelled => Word::StCancelled,
            AppointmentStatus::NoShow => Word::StNoShow,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    pub id: AppointmentId,
    pub customer_id: CustomerId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub services: Vec<ServiceId>,
    /// The staff member doing the work.
    #[serde(default)]
    pub staff: String,
    pub status: AppointmentStatus,
    #[serde(default)]
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentDraft {
    pub customer_id: CustomerId,
    pub start: DateTime<Utc>,
    /// Defaults to start + the services' durations.
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub service_ids: Vec<ServiceId>,
    #[serde(default)]
    pub staff: String,
    #[serde(default)]
    pub status: AppointmentStatus,
    #[serde(default)]
    pub note: String,
}
