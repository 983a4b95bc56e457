//! The salon's settings, stored in the data folder (the appliance has no other config source;
//! command-line flags override them for one run).

use crate::Lang;
use serde::{Deserialize, Serialize};

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
        }
    }
}
