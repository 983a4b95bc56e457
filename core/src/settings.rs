//! The salon's settings, stored in the data folder (the appliance has no other config source;
//! command-line flags override them for one run).
//!
//! Settings with a rule of their own are set through a `Kartei` method that checks it (who may,
//! which values): [`Kartei::set_session_idle_minutes`] here, `set_retention_years` in
//! `retention`, the backup and mail settings in their modules.

use crate::error::{CoreError, Result};
use crate::i18n::Msg;
use crate::model::Role;
use crate::{Kartei, Lang};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long a phone session lasts without a request unless the owner says otherwise: a
/// working day (12 hours).
pub const DEFAULT_SESSION_IDLE_MINUTES: u32 = 12 * 60;

/// The shortest and longest session length an owner may set, in minutes: from a quarter of an
/// hour (phones passed round at the counter) to a day.
pub const SESSION_IDLE_MINUTES: std::ops::RangeInclusive<u32> = 15..=24 * 60;

/// The choices the faces offer (the API takes any whole number of minutes in the range).
pub const SESSION_IDLE_CHOICES: &[u32] = &[15, 30, 60, 120, 240, 480, 720, 1440];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Shown on the login page, the kiosk and in mDNS.
    pub salon_name: String,
    /// The language of the kiosk and of exports.
    pub lang: Lang,
    /// How long a passed patch test stays valid.
    pub patch_test_validity_months: u32,
    /// "No recent visit" means no visit for this many days.
    pub no_visit_days: u32,
    /// The kiosk locks after this many idle minutes.
    pub lock_after_minutes: u32,
    /// Automatic backups: on, when, where.
    pub backup: crate::backup::BackupSettings,
    /// Customers without a visit for this many years are listed for review (erase or
    /// anonymise; DSGVO Art. 5(1)(e)).
    pub retention_years: u32,
    /// The salon's mail account, automatic mails and templates (issue 16).
    pub mail: crate::mail::MailSettings,
    /// A phone session ends after this many minutes without a request (shared phones);
    /// [`SESSION_IDLE_MINUTES`]. Read by the LAN server at every request, so a change applies
    /// to the sessions already running.
    pub session_idle_minutes: u32,
}

impl Settings {
    /// The session length as a duration; a stored value outside the range (an edited file)
    /// is brought into it.
    pub fn session_idle(&self) -> Duration {
        let minutes = self
            .session_idle_minutes
            .clamp(*SESSION_IDLE_MINUTES.start(), *SESSION_IDLE_MINUTES.end());
        Duration::from_secs(u64::from(minutes) * 60)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            salon_name: String::new(),
            lang: Lang::De,
            patch_test_validity_months: 6,
            no_visit_days: 90,
            lock_after_minutes: 5,
            backup: crate::backup::BackupSettings::default(),
            retention_years: crate::retention::DEFAULT_YEARS,
            mail: crate::mail::MailSettings::default(),
            session_idle_minutes: DEFAULT_SESSION_IDLE_MINUTES,
        }
    }
}

impl Kartei {
    /// Sets how long phone sessions last without a request (owners only,
    /// [`SESSION_IDLE_MINUTES`]).
    pub fn set_session_idle_minutes(&self, role: Role, minutes: u32) -> Result<()> {
        if role != Role::Owner {
            return Err(CoreError::Forbidden(Msg::SessionIdleOwnerOnly));
        }
        if !SESSION_IDLE_MINUTES.contains(&minutes) {
            return Err(CoreError::invalid(
                "minutes",
                Msg::SessionIdleMinutes {
                    min: *SESSION_IDLE_MINUTES.start(),
                    max: *SESSION_IDLE_MINUTES.end(),
                },
            ));
        }
        let mut settings = self.settings();
        settings.session_idle_minutes = minutes;
        self.set_settings(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_length_is_bounded_owner_only_and_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let (kartei, _) = Kartei::open(dir.path()).unwrap();
        assert_eq!(kartei.settings().session_idle_minutes, 720);
        assert_eq!(kartei.session_idle(), Duration::from_secs(12 * 3600));

        let refused = |minutes: u32| match kartei.set_session_idle_minutes(Role::Owner, minutes) {
            Err(CoreError::Invalid(fields)) => fields,
            other => panic!("{minutes}: {other:?}"),
        };
        for minutes in [0, 14, 1441, u32::MAX] {
            let fields = refused(minutes);
            assert_eq!(
                fields.get("minutes").map(|m| m.text(Lang::De)).as_deref(),
                Some("Bitte eine Dauer von 15 bis 1440 Minuten."),
                "{minutes}"
            );
        }
        assert!(matches!(
            kartei.set_session_idle_minutes(Role::Staff, 30),
            Err(CoreError::Forbidden(Msg::SessionIdleOwnerOnly))
        ));
        assert_eq!(kartei.settings().session_idle_minutes, 720);

        for minutes in [15, 1440, 30] {
            kartei
                .set_session_idle_minutes(Role::Owner, minutes)
                .unwrap();
            assert_eq!(
                kartei.session_idle(),
                Duration::from_secs(u64::from(minutes) * 60)
            );
        }
        drop(kartei);
        let (kartei, _) = Kartei::open(dir.path()).unwrap();
        assert_eq!(kartei.settings().session_idle_minutes, 30);

        // A stored value outside the range (a hand-edited file) is brought into it.
        let mut settings = kartei.settings();
        settings.session_idle_minutes = 1;
        assert_eq!(settings.session_idle(), Duration::from_secs(15 * 60));
        settings.session_idle_minutes = 100_000;
        assert_eq!(settings.session_idle(), Duration::from_secs(24 * 3600));
        // Settings saved before the field existed read with the default.
        let old: Settings = serde_json::from_str(r#"{"salon_name": "Salon"}"#).unwrap();
        assert_eq!(old.session_idle_minutes, DEFAULT_SESSION_IDLE_MINUTES);
    }
}
