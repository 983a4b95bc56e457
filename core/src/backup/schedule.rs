//! When automatic backups run: the owner's settings ([`BackupSettings`]: on or off, the time of
//! night, an extra folder, USB sticks) and the one rule deciding whether a backup is due
//! ([`due`]), kept free of threads and clocks so it can be tested hour by hour.

use chrono::{DateTime, Duration, Local, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A failed automatic backup is tried again after this long (a stick plugged back in, a NAS
/// back up), not every minute.
pub const RETRY_AFTER: Duration = Duration::hours(1);

/// After a start the missed backup of the night runs this much later, so starting is not slowed.
pub const CATCH_UP_DELAY: Duration = Duration::minutes(2);

/// The owner's backup settings (part of [`crate::settings::Settings`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupSettings {
    /// Back up every night without being asked (on unless the owner turns it off).
    pub automatic: bool,
    /// The local time of night the backup runs.
    #[serde(with = "hh_mm")]
    pub time: NaiveTime,
    /// Where the backups on the appliance itself go (a NAS mount, say); none: `<data>/backups`.
    pub folder: Option<PathBuf>,
    /// Also onto every USB stick plugged into the appliance (folder `kartei-sicherungen`).
    pub usb_sticks: bool,
}

impl Default for BackupSettings {
    fn default() -> Self {
        BackupSettings {
            automatic: true,
            time: NaiveTime::from_hms_opt(2, 30, 0).unwrap_or_default(),
            folder: None,
            usb_sticks: true,
        }
    }
}

/// Times are written `"02:30"` in the settings (and on the wire).
pub mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).ok_or_else(|| serde::de::Error::custom("a time of day such as 02:30"))
    }

    /// `"2:30"`, `"02:30"` or `"02:30:00"`.
    pub fn parse(text: &str) -> Option<NaiveTime> {
        let text = text.trim();
        NaiveTime::parse_from_str(text, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
            .ok()
    }
}

/// What the scheduler knows about the last runs (from [`super::status::BackupStatus`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LastRuns {
    /// When an automatic backup last started, whatever came of it.
    pub attempt: Option<DateTime<Utc>>,
    /// Whether that attempt failed on some target.
    pub failed: bool,
}

/// Whether an automatic backup is due at `now`, and if not, when next to look.
///
/// Due when the last occurrence of the backup time has passed since the last attempt (so a
/// night the appliance was off is caught up after a start, [`CATCH_UP_DELAY`] after it), or
/// [`RETRY_AFTER`] after a failed attempt.
pub fn due(
    settings: &BackupSettings,
    last: LastRuns,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Decision {
    due_in(settings, last, started, now, &Local)
}

/// The answer of [`due`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Now,
    /// Not before this time (or a change of the settings).
    NotBefore(DateTime<Utc>),
    /// Automatic backups are off.
    Off,
}

/// [`due`] in a given time zone (testable).
pub fn due_in<Tz: TimeZone>(
    settings: &BackupSettings,
    last: LastRuns,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
    zone: &Tz,
) -> Decision {
    if !settings.automatic {
        return Decision::Off;
    }
    let previous = previous_occurrence(settings.time, now, zone);
    let next = previous + Duration::days(1);
    let earliest = started + CATCH_UP_DELAY;
    let wanted = match last.attempt {
        None => Some(previous.max(earliest)),
        Some(at) if at < previous => Some(previous.max(earliest)),
        Some(at) if last.failed => Some((at + RETRY_AFTER).min(next)),
        Some(_) => None,
    };
    match wanted {
        Some(when) if when <= now => Decision::Now,
        Some(when) => Decision::NotBefore(when),
        None => Decision::NotBefore(next),
    }
}

/// The latest moment at or before `now` whose local time is `time`.
fn previous_occurrence<Tz: TimeZone>(
    time: NaiveTime,
    now: DateTime<Utc>,
    zone: &Tz,
) -> DateTime<Utc> {
    let local_now = now.with_timezone(zone);
    let mut day = local_now.date_naive();
    for _ in 0..3 {
        // A time that does not exist that night (clocks go forward) counts as an hour later.
        let at = zone
            .from_local_datetime(&day.and_time(time))
            .earliest()
            .or_else(|| {
                zone.from_local_datetime(&(day.and_time(time) + Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc));
        if let Some(at) = at {
            if at <= now {
                return at;
            }
        }
        day = day.pred_opt().unwrap_or(day);
    }
    now
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn decide(last: LastRuns, started: &str, now: &str) -> Decision {
        let berlin = FixedOffset::east_opt(3600).unwrap();
        due_in(
            &BackupSettings::default(),
            last,
            utc(started),
            utc(now),
            &berlin,
        )
    }

    #[test]
    fn the_first_start_backs_up_shortly_after() {
        let started = "2026-12-03T09:00:00Z";
        assert_eq!(
            decide(LastRuns::default(), started, "2026-12-03T09:00:30Z"),
            Decision::NotBefore(utc("2026-12-03T09:02:00Z"))
        );
        assert_eq!(
            decide(LastRuns::default(), started, "2026-12-03T09:02:00Z"),
            Decision::Now
        );
    }

    #[test]
    fn after_a_good_night_the_next_is_tomorrow_at_half_past_two_local() {
        let last = LastRuns {
            attempt: Some(utc("2026-12-03T01:30:05Z")),
            failed: false,
        };
        assert_eq!(
            decide(last, "2026-12-01T00:00:00Z", "2026-12-03T15:00:00Z"),
            Decision::NotBefore(utc("2026-12-04T01:30:00Z"))
        );
        assert_eq!(
            decide(last, "2026-12-01T00:00:00Z", "2026-12-04T01:30:00Z"),
            Decision::Now
        );
    }

    #[test]
    fn a_night_the_appliance_was_off_is_caught_up_after_the_start() {
        let last = LastRuns {
            attempt: Some(utc("2026-12-01T01:30:00Z")),
            failed: false,
        };
        // Switched on at 08:00 on the 3rd: the night of the 3rd was missed.
        assert_eq!(
            decide(last, "2026-12-03T07:00:00Z", "2026-12-03T07:01:00Z"),
            Decision::NotBefore(utc("2026-12-03T07:02:00Z"))
        );
    }

    #[test]
    fn a_failed_night_is_retried_hourly_not_every_minute() {
        let last = LastRuns {
            attempt: Some(utc("2026-12-03T01:30:00Z")),
            failed: true,
        };
        assert_eq!(
            decide(last, "2026-12-01T00:00:00Z", "2026-12-03T01:45:00Z"),
            Decision::NotBefore(utc("2026-12-03T02:30:00Z"))
        );
        assert_eq!(
            decide(last, "2026-12-01T00:00:00Z", "2026-12-03T02:30:00Z"),
            Decision::Now
        );
    }

    #[test]
    fn off_means_off() {
        let settings = BackupSettings {
            automatic: false,
            ..BackupSettings::default()
        };
        let now = utc("2026-12-03T09:00:00Z");
        assert_eq!(
            due_in(&settings, LastRuns::default(), now, now, &Utc),
            Decision::Off
        );
    }

    #[test]
    fn times_are_read_as_people_write_them() {
        assert_eq!(hh_mm::parse("2:30"), NaiveTime::from_hms_opt(2, 30, 0));
        assert_eq!(hh_mm::parse(" 23:05 "), NaiveTime::from_hms_opt(23, 5, 0));
        assert_eq!(hh_mm::parse("25:00"), None);
        assert_eq!(hh_mm::parse("halb drei"), None);
        let json = serde_json::to_string(&BackupSettings::default()).unwrap();
        assert!(json.contains("\"time\":\"02:30\""), "{json}");
        let back: BackupSettings = serde_json::from_str(&json).unwrap();
        assert_eq!(back, BackupSettings::default());
    }
}
