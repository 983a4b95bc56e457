//! Staff members who log in (on a phone or at the kiosk's lock screen) with a name and a PIN.
//! PINs are never stored, only their argon2 hashes.

use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May manage staff and settings, export everything.
    Owner,
    #[default]
    Staff,
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "owner" => Ok(Role::Owner),
            "staff" => Ok(Role::Staff),
            other => Err(format!("unknown role {other:?} (owner or staff)")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub name: String,
    pub role: Role,
    /// argon2id PHC string.
    pub pin_hash: String,
    pub created_at: DateTime<Utc>,
}

/// PINs are 4 to 12 digits.
pub fn check_pin_format(pin: &str) -> Result<(), Msg> {
    if (4..=12).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Msg::BadPin)
    }
}
