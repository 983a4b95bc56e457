//! A fresh card file in a temporary folder with a fixed clock, and quick ways to fill it.

use chrono::{DateTime, TimeZone, Utc};
use kartei_core::clock::FixedClock;
use kartei_core::model::*;
use kartei_core::Kartei;
use std::sync::Arc;
use tempfile::TempDir;

pub struct Fixture {
    pub dir: TempDir,
    pub clock: FixedClock,
    pub kartei: Kartei,
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock::new(now());
        let (kartei, _) = Kartei::open_with_clock(dir.path(), Arc::new(clock.clone())).unwrap();
        Fixture { dir, clock, kartei }
    }

    /// What the fixture's clock says now.
    pub fn clock_now(&self) -> DateTime<Utc> {
        kartei_core::clock::Clock::now(&self.clock)
    }

    /// Closes the card file and opens it again from disk.
    pub fn reopen(self) -> (Fixture, kartei_core::OpenReport) {
        let Fixture { dir, clock, kartei } = self;
        drop(kartei);
        let (kartei, report) =
            Kartei::open_with_clock(dir.path(), Arc::new(clock.clone())).unwrap();
        (Fixture { dir, clock, kartei }, report)
    }

    pub fn add(&self, first: &str, last: &str) -> Customer {
        self.add_with(CustomerDraft {
            first_name: first.into(),
            last_name: last.into(),
            ..Default::default()
        })
    }

    pub fn add_with(&self, draft: CustomerDraft) -> Customer {
        self.kartei
            .create_customer(&draft, Source::Manual, "Test")
            .unwrap()
    }

    pub fn service(&self, name: &str) -> Service {
        self.kartei
            .create_service(&ServiceDraft {
                name: name.into(),
                duration_minutes: 30,
                price_cents: 3000,
                requires_patch_test: false,
            })
            .unwrap()
    }

    pub fn appointment(&self, customer: CustomerId, start: DateTime<Utc>, services: &[ServiceId]) {
        self.kartei
            .create_appointment(&AppointmentDraft {
                customer_id: customer,
                start,
                end: None,
                service_ids: services.to_vec(),
                staff: "Lena".into(),
                status: AppointmentStatus::Completed,
                note: String::new(),
            })
            .unwrap();
    }
}

pub fn phone(number: &str) -> Vec<PhoneDraft> {
    vec![PhoneDraft {
        label: PhoneLabel::Mobile,
        number: number.into(),
    }]
}
