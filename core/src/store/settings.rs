//! The salon's settings and the PIN throttle's saved state: one JSON value each.

use super::*;

impl Store {
    pub fn settings(&self) -> Result<Settings> {
        let txn = self.read()?;
        let table = txn.open_table(META)?;
        Ok(match table.get("settings")? {
            Some(v) => serde_json::from_slice(v.value())?,
            None => Settings::default(),
        })
    }

    pub(crate) fn put_settings(&self, settings: &Settings) -> Result<()> {
        self.write(|txn| {
            let bytes = serde_json::to_vec(settings)?;
            txn.open_table(META)?.insert("settings", bytes.as_slice())?;
            Ok(())
        })
    }

    /// The PIN throttle's saved state (empty when none was saved).
    pub fn throttle(&self) -> Result<crate::auth::ThrottleState> {
        let txn = self.read()?;
        let table = txn.open_table(META)?;
        Ok(match table.get("pin_throttle")? {
            // A state that does not read (a newer format) starts afresh rather than lock out.
            Some(v) => serde_json::from_slice(v.value()).unwrap_or_default(),
            None => Default::default(),
        })
    }

    pub(crate) fn put_throttle(&self, state: &crate::auth::ThrottleState) -> Result<()> {
        self.write(|txn| {
            let bytes = serde_json::to_vec(state)?;
            txn.open_table(META)?
                .insert("pin_throttle", bytes.as_slice())?;
            Ok(())
        })
    }
}
