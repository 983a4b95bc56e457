//! Which automatic backups a folder keeps: the newest of each of the last 7 days, of the last 4
//! weeks and of the last 12 months that have a backup (grandfather-father-son, as Home Assistant
//! and restic's `forget --keep-daily 7 --keep-weekly 4 --keep-monthly 12` do). Days, weeks and
//! months are the salon's local ones. Only files named like a backup are ever considered.

use super::format;
use chrono::{DateTime, Datelike, Local, NaiveDate, TimeZone, Utc};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// How many of each kind a folder keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    pub daily: usize,
    pub weekly: usize,
    pub monthly: usize,
}

/// Issue 12's rule: 7 daily, 4 weekly, 12 monthly.
pub const KEEP: Keep = Keep {
    daily: 7,
    weekly: 4,
    monthly: 12,
};

/// The backup files in `dir` with the time in their name, newest first.
pub fn backups_in(dir: &Path) -> Vec<(DateTime<Utc>, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(DateTime<Utc>, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            format::time_of_file(&name).map(|at| (at, e.path()))
        })
        .collect();
    found.sort_by(|a, b| b.cmp(a));
    found
}

/// Of `backups`, the ones `keep` does not keep, in the salon's time zone.
pub fn to_delete(backups: &[(DateTime<Utc>, PathBuf)], keep: Keep) -> Vec<PathBuf> {
    to_delete_in(backups, keep, &Local)
}

/// Which day, week or month a backup's day falls in (the three tiers of retention).
type BucketOf = fn(NaiveDate) -> (i32, u32);

/// [`to_delete`] in a given time zone (testable).
pub fn to_delete_in<Tz: TimeZone>(
    backups: &[(DateTime<Utc>, PathBuf)],
    keep: Keep,
    zone: &Tz,
) -> Vec<PathBuf> {
    let mut newest_first: Vec<&(DateTime<Utc>, PathBuf)> = backups.iter().collect();
    newest_first.sort_by(|a, b| b.cmp(a));
    let days: Vec<NaiveDate> = newest_first
        .iter()
        .map(|(at, _)| at.with_timezone(zone).date_naive())
        .collect();
    let mut kept = BTreeSet::new();
    let buckets: [(usize, BucketOf); 3] = [
        (keep.daily, |d| (d.year(), d.ordinal())),
        (keep.weekly, |d| (d.iso_week().year(), d.iso_week().week())),
        (keep.monthly, |d| (d.year(), d.month())),
    ];
    for (count, bucket_of) in buckets {
        let mut seen = BTreeSet::new();
        for (i, day) in days.iter().enumerate() {
            if seen.len() == count {
                break;
            }
            // The first (newest) backup of each bucket is the one kept for it.
            if seen.insert(bucket_of(*day)) {
                kept.insert(i);
            }
        }
    }
    newest_first
        .iter()
        .enumerate()
        .filter(|(i, _)| !kept.contains(i))
        .map(|(_, (_, path))| path.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, FixedOffset};

    fn nightly(days: i64) -> Vec<(DateTime<Utc>, PathBuf)> {
        let first = DateTime::parse_from_rfc3339("2026-01-01T01:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        (0..days)
            .map(|d| {
                let at = first + Duration::days(d);
                (at, PathBuf::from(format::file_name(at)))
            })
            .collect()
    }

    fn kept(all: &[(DateTime<Utc>, PathBuf)]) -> Vec<String> {
        let gone = to_delete_in(all, KEEP, &FixedOffset::east_opt(3600).unwrap());
        let mut names: Vec<String> = all
            .iter()
            .filter(|(_, p)| !gone.contains(p))
            .map(|(_, p)| p.display().to_string())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_week_of_nightly_backups_is_kept_whole() {
        let all = nightly(7);
        assert_eq!(kept(&all).len(), 7);
    }

    #[test]
    fn a_year_of_nightly_backups_keeps_seven_days_four_weeks_twelve_months() {
        let all = nightly(365);
        let names = kept(&all);
        // 7 days; the weeks and months before them add their newest backup each; the newest
        // day is also the newest of its week and month, so buckets overlap.
        assert!(names.len() >= 12 && names.len() <= 7 + 4 + 12, "{names:?}");
        // The newest seven days are there.
        for (_, p) in &all[all.len() - 7..] {
            assert!(names.contains(&p.display().to_string()), "{p:?} missing");
        }
        // One per month for the last twelve months: Jan … Dec 2026, the last day of each.
        for month in 1..=11 {
            let last = NaiveDate::from_ymd_opt(2026, month + 1, 1)
                .unwrap()
                .pred_opt()
                .unwrap();
            let name = format!("kartei-backup-{}-013000.tar", last.format("%Y%m%d"));
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
        // The oldest (1 January) is gone: December 31 stands for December, 1 January for
        // nothing any more.
        assert!(!names.contains(&"kartei-backup-20260101-013000.tar".to_string()));
    }

    #[test]
    fn several_backups_a_day_keep_the_newest_of_that_day() {
        let base = DateTime::parse_from_rfc3339("2026-03-10T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let all: Vec<_> = (0..5)
            .map(|h| {
                let at = base + Duration::hours(h);
                (at, PathBuf::from(format::file_name(at)))
            })
            .collect();
        assert_eq!(kept(&all), vec!["kartei-backup-20260310-120000.tar"]);
    }

    #[test]
    fn days_are_the_salons_local_days() {
        // 23:30 UTC on the 9th is already the 10th in Berlin (UTC+1): one day, not two.
        let at = |s: &str| {
            let t = DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
            (t, PathBuf::from(format::file_name(t)))
        };
        let all = vec![at("2026-03-09T23:30:00Z"), at("2026-03-10T10:00:00Z")];
        assert_eq!(kept(&all), vec!["kartei-backup-20260310-100000.tar"]);
    }

    #[test]
    fn only_backup_files_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "kartei-backup-20260310-120000.tar",
            ".kartei-backup-20260311-120000.tar.partial",
            "urlaub.jpg",
            "kartei-backup-kaputt.tar",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let found = backups_in(dir.path());
        assert_eq!(found.len(), 1);
        assert!(found[0].1.ends_with("kartei-backup-20260310-120000.tar"));
    }
}
