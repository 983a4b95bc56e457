//! Backups without being asked: a run writes a backup to every target (the appliance's folder and
//! each USB stick), reads each one back into a test store ([`super::verify`]), and only then
//! applies the retention rule to that folder and records it as good. A failure on one target
//! (a full or pulled stick, a NAS that is gone) leaves that folder's older backups untouched,
//! is recorded with its reason and does not stop the other targets.
//!
//! [`Scheduler`] is the thread that starts a run every night at the owner's time (and catches up
//! a night the appliance was off); the faces' "Jetzt sichern" starts the same run.

use super::retention::{self, KEEP};
use super::schedule::BackupSettings;
use super::schedule::{self, Decision, LastRuns};
use super::status::{BackupStatus, GoodBackup, TargetKind, Texts};
use crate::error::{CoreError, Result};
use crate::i18n::{BackupMsg, Msg};
use crate::model::Role;
use crate::Kartei;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// The folder inside the data folder that holds the appliance's own backups by default.
pub const DEFAULT_FOLDER: &str = "backups";
/// The folder on a USB stick that holds its backups.
pub const STICK_FOLDER: &str = "kartei-sicherungen";
/// Where a new backup is restored for its check (inside the data folder, removed afterwards).
const VERIFY_DIR: &str = ".backup-verify";

/// The backup side of an open card file: its status and the flag that lets one run at a time.
pub(crate) struct Runner {
    status: Mutex<BackupStatus>,
    running: AtomicBool,
}

impl Runner {
    pub(crate) fn open(data_dir: &Path) -> Runner {
        Runner {
            status: Mutex::new(BackupStatus::load(data_dir)),
            running: AtomicBool::new(false),
        }
    }

    fn status(&self) -> MutexGuard<'_, BackupStatus> {
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The one run under way; ends the run (for [`Kartei::backup_running`]) when dropped.
struct RunGuard(Kartei);

impl RunGuard {
    fn take(kartei: &Kartei) -> Result<RunGuard> {
        kartei
            .backup_runner()
            .running
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .map(|_| RunGuard(kartei.clone()))
            .map_err(|_| CoreError::Forbidden(Msg::Backup(BackupMsg::AlreadyRunning)))
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        self.0
            .backup_runner()
            .running
            .store(false, Ordering::Release);
        self.0.announce(crate::events::Change::BackupsChanged);
    }
}

/// A place backups go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub folder: PathBuf,
    pub kind: TargetKind,
    pub label: String,
}

/// Starting backups and changing their settings is for owners (the kiosk's owner screen, an
/// owner's phone, the command line of the service user).
pub fn check_may_manage(role: Role) -> Result<()> {
    match role {
        Role::Owner => Ok(()),
        Role::Staff => Err(CoreError::Forbidden(Msg::Backup(BackupMsg::OwnerOnly))),
    }
}

/// The longest folder path taken.
const MAX_FOLDER_LEN: usize = 1024;

impl Kartei {
    /// Changes the backup settings (owners only). A folder must be an absolute path; it is
    /// created at the next backup, and a folder that cannot be written shows up in the status.
    pub fn set_backup_settings(&self, role: Role, backup: BackupSettings) -> Result<()> {
        check_may_manage(role)?;
        if let Some(folder) = &backup.folder {
            let text = folder.to_string_lossy();
            if !folder.is_absolute()
                || text.len() > MAX_FOLDER_LEN
                || text.chars().any(char::is_control)
            {
                return Err(CoreError::invalid(
                    "folder",
                    Msg::Backup(BackupMsg::FolderNotAbsolute),
                ));
            }
        }
        let mut settings = self.settings();
        settings.backup = backup;
        self.set_settings(settings)
    }

    /// What became of the backups so far.
    pub fn backup_status(&self) -> BackupStatus {
        self.backup_runner().status().clone()
    }

    /// Whether a backup is being written right now.
    pub fn backup_running(&self) -> bool {
        self.backup_runner().running.load(Ordering::Acquire)
    }

    /// Where a run writes now: the configured folder (or `<data>/backups`) and, unless turned
    /// off, every USB stick mounted under `stick_roots`.
    pub fn backup_targets(&self, stick_roots: &[PathBuf]) -> Vec<Target> {
        let settings = self.settings().backup;
        let folder = settings
            .folder
            .clone()
            .unwrap_or_else(|| self.data_dir().join(DEFAULT_FOLDER));
        let mut targets = vec![Target {
            label: folder.display().to_string(),
            folder,
            kind: TargetKind::Folder,
        }];
        if settings.usb_sticks {
            let roots: Vec<&Path> = stick_roots.iter().map(PathBuf::as_path).collect();
            for stick in crate::usb::sticks(&roots) {
                targets.push(Target {
                    folder: stick.mount_point.join(STICK_FOLDER),
                    kind: TargetKind::Stick,
                    label: stick.label,
                });
            }
        }
        targets
    }

    /// Backs up to every target now (the nightly run and `kartei backup`), returning when done.
    /// Refused while another run is under way. Failures of single targets are in the returned
    /// status, not an `Err`.
    pub fn run_backups(&self, stick_roots: &[PathBuf]) -> Result<BackupStatus> {
        let guard = RunGuard::take(self)?;
        let status = self.run_with(stick_roots);
        drop(guard);
        self.compact_owed_after_backup();
        Ok(status)
    }

    /// An erasure whose compaction a long read (this backup, most likely) kept waiting gets it
    /// now that the backup's snapshot is closed.
    fn compact_owed_after_backup(&self) {
        if let Err(e) = self
            .store()
            .compact_if_owed(crate::kartei::COMPACT_PATIENCE)
        {
            log::warn!("compaction owed by an erasure failed: {e}");
        }
    }

    /// "Jetzt sichern" on a screen: starts a run on a thread of its own and returns once it is
    /// under way ([`Kartei::backup_running`] is true), or refuses while one runs.
    pub fn start_backups(&self, stick_roots: Vec<PathBuf>) -> Result<()> {
        let guard = RunGuard::take(self)?;
        let kartei = self.clone();
        std::thread::Builder::new()
            .name("kartei-backup-now".into())
            .spawn(move || {
                kartei.run_with(&stick_roots);
                drop(guard);
                kartei.compact_owed_after_backup();
            })?;
        Ok(())
    }

    fn run_with(&self, stick_roots: &[PathBuf]) -> BackupStatus {
        let started = self.now();
        let targets = self.backup_targets(stick_roots);
        self.record(|status| {
            status.last_attempt = Some(started);
            // Targets that are gone (a stick taken home) keep their last good backup.
            for t in &targets {
                status.target_mut(&t.folder, t.kind, &t.label).last_attempt = Some(started);
            }
        });
        for target in &targets {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.back_up_to(&target.folder)
            }))
            .unwrap_or_else(|panic| Err(CoreError::from_panic(panic)));
            self.record(|status| {
                let entry = status.target_mut(&target.folder, target.kind, &target.label);
                match outcome {
                    Ok(good) => {
                        entry.error = None;
                        entry.last_good = Some(good);
                    }
                    Err(e) => {
                        log::warn!("backup to {} failed: {e}", target.folder.display());
                        entry.error = Some(Texts::of(&e));
                    }
                }
            });
        }
        self.backup_status()
    }

    /// One target: write, read back into a test store, then prune the folder.
    fn back_up_to(&self, folder: &Path) -> Result<GoodBackup> {
        remove_partials(folder);
        let summary = super::create(self, folder)?;
        let scratch = self.data_dir().join(VERIFY_DIR);
        if let Err(e) = super::verify(&summary.path, &scratch) {
            let _ = std::fs::remove_file(&summary.path);
            let reason = e.user_message(crate::Lang::De);
            return Err(CoreError::Forbidden(Msg::Backup(BackupMsg::VerifyFailed {
                reason,
            })));
        }
        let verified_at = self.now();
        let mut removed_old = 0;
        for old in retention::to_delete(&retention::backups_in(folder), KEEP) {
            if old != summary.path && std::fs::remove_file(&old).is_ok() {
                removed_old += 1;
            }
        }
        let _ = super::write::sync_dir(folder);
        Ok(GoodBackup {
            at: summary.manifest.header.created_at,
            file: summary.path,
            bytes: summary.bytes,
            customers: summary
                .manifest
                .tables
                .get("customers")
                .copied()
                .unwrap_or(0),
            photo_files: summary.manifest.photo_files,
            verified_at,
            removed_old,
        })
    }

    /// Changes the status, keeps it in the status file and tells the faces.
    fn record(&self, change: impl FnOnce(&mut BackupStatus)) {
        {
            let mut status = self.backup_runner().status();
            change(&mut status);
            if let Err(e) = status.save(self.data_dir()) {
                log::warn!("cannot write the backup status: {e}");
            }
        }
        self.announce(crate::events::Change::BackupsChanged);
    }
}

/// Half-written backups a pulled stick or a crash left behind (never a finished backup).
fn remove_partials(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!(".{}", super::format::FILE_PREFIX))
            && name.ends_with(".partial")
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The nightly backup thread of the appliance; stops when dropped.
pub struct Scheduler {
    kartei: Kartei,
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How often the scheduler looks at the clock and the settings (a changed time or a clock set
/// by NTP after boot is seen within this).
const LOOK_EVERY: Duration = Duration::from_secs(30);

impl Scheduler {
    /// Starts the schedule for `kartei`; sticks are looked for under `stick_roots`.
    pub fn start(kartei: Kartei, stick_roots: Vec<PathBuf>) -> std::io::Result<Scheduler> {
        Scheduler::start_with(kartei, stick_roots, schedule::CATCH_UP_DELAY)
    }

    /// [`Scheduler::start`] with another delay for the catch-up after the start (tests).
    pub fn start_with(
        kartei: Kartei,
        stick_roots: Vec<PathBuf>,
        catch_up_delay: chrono::Duration,
    ) -> std::io::Result<Scheduler> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let stopping = stop.clone();
        let handle = kartei.clone();
        let started = kartei.now() - schedule::CATCH_UP_DELAY + catch_up_delay;
        let thread = std::thread::Builder::new()
            .name("kartei-backups".into())
            .spawn(move || loop {
                let wait = match next_step(&kartei, started) {
                    Decision::Now => match kartei.run_backups(&stick_roots) {
                        Ok(_) => Duration::ZERO,
                        Err(e) => {
                            // Another run ("Jetzt sichern") is under way; look again later.
                            log::info!("nightly backup skipped: {e}");
                            LOOK_EVERY
                        }
                    },
                    Decision::NotBefore(when) => (when - kartei.now())
                        .to_std()
                        .unwrap_or(Duration::ZERO)
                        .min(LOOK_EVERY),
                    Decision::Off => LOOK_EVERY,
                };
                let (flag, wake) = &*stopping;
                let stopped = flag.lock().unwrap_or_else(|p| p.into_inner());
                let (stopped, _) = wake
                    .wait_timeout_while(stopped, wait, |s| !*s)
                    .unwrap_or_else(|p| p.into_inner());
                if *stopped {
                    return;
                }
            })?;
        Ok(Scheduler {
            kartei: handle,
            stop,
            thread: Some(thread),
        })
    }
}

fn next_step(kartei: &Kartei, started: DateTime<Utc>) -> Decision {
    let status = kartei.backup_status();
    let last = LastRuns {
        attempt: status.last_attempt,
        failed: status.failed_last_time().next().is_some(),
    };
    schedule::due(&kartei.settings().backup, last, started, kartei.now())
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        let (flag, wake) = &*self.stop;
        *flag.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
        // A backup under way is not waited for (a stop must be quick); its half file is
        // removed by the next run.
        if let Some(thread) = self.thread.take() {
            if !self.kartei.backup_running() {
                let _ = thread.join();
            }
        }
    }
}
