//! What became of the automatic backups, per target folder (the appliance's folder, each USB
//! stick): kept in `<data>/backup-status.json` (written atomically) so the kiosk and the owner's
//! phone can say "letzte Sicherung … geprüft ✓", or warn in red when the last verified one is
//! older than two days or the last attempt failed.

use crate::i18n::{BackupMsg, Lang, Msg};
use chrono::{DateTime, Duration, Local, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The status file inside the data folder.
pub const STATUS_FILE: &str = "backup-status.json";

/// A verified backup older than this is a warning.
pub const STALE_AFTER: Duration = Duration::days(2);

/// The status of all targets, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupStatus {
    /// When the last run (automatic or "Jetzt sichern") started.
    pub last_attempt: Option<DateTime<Utc>>,
    pub targets: Vec<TargetStatus>,
}

/// Where backups go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// A folder of the appliance (`<data>/backups` or the owner's choice, e.g. a NAS mount).
    Folder,
    /// A USB stick plugged into the appliance.
    Stick,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetStatus {
    pub folder: PathBuf,
    pub kind: TargetKind,
    /// What a person calls it: the stick's label, or the folder.
    pub label: String,
    pub last_attempt: Option<DateTime<Utc>>,
    /// Why the last attempt on this target failed (in both languages), if it did.
    pub error: Option<Texts>,
    pub last_good: Option<GoodBackup>,
}

/// A message kept for later, in each language of the faces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    pub de: String,
    pub en: String,
}

impl Texts {
    pub fn of(error: &crate::CoreError) -> Texts {
        Texts {
            de: error.user_message(Lang::De),
            en: error.user_message(Lang::En),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.de,
            Lang::En => &self.en,
        }
    }
}

/// A backup that was written, read back and restored into a test folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodBackup {
    pub at: DateTime<Utc>,
    pub file: PathBuf,
    pub bytes: u64,
    pub customers: u64,
    pub photo_files: u64,
    pub verified_at: DateTime<Utc>,
    /// Older backups removed by the retention rule after this one was verified.
    pub removed_old: usize,
}

/// How the backups stand, for a status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// A verified backup from the last two days, and the last attempt went well.
    Good,
    /// No verified backup for two days, none at all, or the last attempt failed somewhere.
    Warning,
}

/// The status line the kiosk and the phones show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub health: Health,
    pub text: String,
    pub last_verified: Option<DateTime<Utc>>,
}

impl BackupStatus {
    /// Reads the status file of `data_dir`; a missing or unreadable one is "never backed up".
    pub fn load(data_dir: &Path) -> BackupStatus {
        std::fs::read(data_dir.join(STATUS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the status file atomically (temporary file, fsync, rename).
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let temp = data_dir.join(format!(".{STATUS_FILE}.partial"));
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, data_dir.join(STATUS_FILE))?;
        super::write::sync_dir(data_dir)
    }

    /// The entry of `folder`, created if new.
    pub fn target_mut(
        &mut self,
        folder: &Path,
        kind: TargetKind,
        label: &str,
    ) -> &mut TargetStatus {
        let at = match self.targets.iter().position(|t| t.folder == folder) {
            Some(i) => i,
            None => {
                self.targets.push(TargetStatus {
                    folder: folder.to_path_buf(),
                    kind,
                    label: label.to_string(),
                    last_attempt: None,
                    error: None,
                    last_good: None,
                });
                self.targets.len() - 1
            }
        };
        let target = &mut self.targets[at];
        target.label = label.to_string();
        target
    }

    /// The newest verified backup on any target.
    pub fn last_good(&self) -> Option<&GoodBackup> {
        self.targets
            .iter()
            .filter_map(|t| t.last_good.as_ref())
            .max_by_key(|g| g.at)
    }

    /// Targets whose part of the last run failed.
    pub fn failed_last_time(&self) -> impl Iterator<Item = &TargetStatus> {
        self.targets
            .iter()
            .filter(|t| t.error.is_some() && t.last_attempt == self.last_attempt)
    }

    /// The status line at `now`, in `lang`.
    pub fn summary(&self, now: DateTime<Utc>, lang: Lang) -> Summary {
        let good = self.last_good();
        let when = |at: DateTime<Utc>| format_local(at, lang);
        let mut parts = Vec::new();
        let mut health = Health::Good;
        if let Some(failed) = self.failed_last_time().next() {
            health = Health::Warning;
            let reason = failed.error.as_ref().map_or("", |e| e.get(lang));
            let reason = format!("{} ({reason})", failed.label);
            parts.push(Msg::Backup(BackupMsg::LastFailed { reason }).text(lang));
        }
        match good {
            None => {
                health = Health::Warning;
                parts.push(Msg::Backup(BackupMsg::NeverBackedUp).text(lang));
            }
            Some(g) if now - g.at > STALE_AFTER => {
                health = Health::Warning;
                parts.push(Msg::Backup(BackupMsg::Stale { when: when(g.at) }).text(lang));
            }
            Some(g) => {
                parts.push(Msg::Backup(BackupMsg::LastVerified { when: when(g.at) }).text(lang))
            }
        }
        Summary {
            health,
            text: parts.join(" "),
            last_verified: good.map(|g| g.at),
        }
    }
}

/// `03.12.2026 02:30` / `2026-12-03 02:30` in the appliance's time zone.
pub fn format_local(at: DateTime<Utc>, lang: Lang) -> String {
    let local = at.with_timezone(&Local);
    match lang {
        Lang::De => local.format("%d.%m.%Y %H:%M").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn good(when: &str) -> GoodBackup {
        GoodBackup {
            at: at(when),
            file: PathBuf::from("/x/kartei-backup.tar"),
            bytes: 1,
            customers: 1,
            photo_files: 0,
            verified_at: at(when),
            removed_old: 0,
        }
    }

    #[test]
    fn never_backed_up_is_a_warning() {
        let s = BackupStatus::default().summary(at("2026-12-03T10:00:00Z"), Lang::De);
        assert_eq!(s.health, Health::Warning);
        assert!(
            s.text.contains("noch keine geprüfte Sicherung"),
            "{}",
            s.text
        );
    }

    #[test]
    fn a_verified_backup_of_last_night_is_good_and_older_than_two_days_is_not() {
        let mut status = BackupStatus::default();
        let t = status.target_mut(Path::new("/data/backups"), TargetKind::Folder, "Kartei");
        t.last_good = Some(good("2026-12-03T01:30:00Z"));
        t.last_attempt = Some(at("2026-12-03T01:30:00Z"));
        status.last_attempt = Some(at("2026-12-03T01:30:00Z"));
        let s = status.summary(at("2026-12-03T10:00:00Z"), Lang::De);
        assert_eq!(s.health, Health::Good);
        assert!(s.text.starts_with("letzte Sicherung "), "{}", s.text);
        assert!(s.text.ends_with("geprüft ✓"), "{}", s.text);
        let s = status.summary(at("2026-12-05T10:00:00Z"), Lang::En);
        assert_eq!(s.health, Health::Warning);
        assert!(s.text.contains("older than 2 days"), "{}", s.text);
    }

    #[test]
    fn a_failed_stick_is_named_even_when_the_folder_went_well() {
        let mut status = BackupStatus::default();
        let run = at("2026-12-03T01:30:00Z");
        status.last_attempt = Some(run);
        let folder = status.target_mut(Path::new("/data/backups"), TargetKind::Folder, "Kartei");
        folder.last_attempt = Some(run);
        folder.last_good = Some(good("2026-12-03T01:30:00Z"));
        let stick = status.target_mut(Path::new("/media/INTENSO"), TargetKind::Stick, "INTENSO");
        stick.last_attempt = Some(run);
        stick.error = Some(Texts {
            de: "Nicht genug Platz.".into(),
            en: "Not enough space.".into(),
        });
        let s = status.summary(at("2026-12-03T10:00:00Z"), Lang::De);
        assert_eq!(s.health, Health::Warning);
        assert!(
            s.text.contains("INTENSO (Nicht genug Platz.)"),
            "{}",
            s.text
        );
        assert!(s.text.contains("geprüft ✓"), "{}", s.text);
    }

    #[test]
    fn the_status_file_round_trips_and_a_broken_one_is_never_backed_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut status = BackupStatus::default();
        status
            .target_mut(Path::new("/data/backups"), TargetKind::Folder, "Kartei")
            .last_good = Some(good("2026-12-03T01:30:00Z"));
        status.save(dir.path()).unwrap();
        assert_eq!(BackupStatus::load(dir.path()), status);
        std::fs::write(dir.path().join(STATUS_FILE), b"{kaputt").unwrap();
        assert_eq!(BackupStatus::load(dir.path()), BackupStatus::default());
    }
}
