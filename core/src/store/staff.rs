//! Staff members (names, roles, PIN hashes).

use super::*;

impl Store {
    pub fn staff(&self) -> Result<Vec<Staff>> {
        let txn = self.read()?;
        let table = txn.open_table(STAFF)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (_, v) = entry?;
            out.push(serde_json::from_slice(v.value())?);
        }
        Ok(out)
    }

    pub fn staff_member(&self, name: &str) -> Result<Option<Staff>> {
        let txn = self.read()?;
        let table = txn.open_table(STAFF)?;
        Ok(match table.get(staff_key(name).as_str())? {
            Some(v) => Some(serde_json::from_slice(v.value())?),
            None => None,
        })
    }

    pub(crate) fn add_staff(&self, staff: &Staff) -> Result<()> {
        self.write(|txn| {
            let mut table = txn.open_table(STAFF)?;
            let key = staff_key(&staff.name);
            if table.get(key.as_str())?.is_some() {
                return Err(CoreError::invalid("name", Msg::StaffExists));
            }
            let bytes = serde_json::to_vec(staff)?;
            table.insert(key.as_str(), bytes.as_slice())?;
            Ok(())
        })
    }

    /// Removes a staff member; the last owner stays.
    pub(crate) fn remove_staff(&self, name: &str) -> Result<()> {
        self.write(|txn| {
            let mut table = txn.open_table(STAFF)?;
            let key = staff_key(name);
            let member: Staff = match table.get(key.as_str())? {
                Some(v) => serde_json::from_slice(v.value())?,
                None => return Err(CoreError::not_found("staff", name)),
            };
            if member.role == Role::Owner {
                let mut owners = 0;
                for entry in table.iter()? {
                    let (_, v) = entry?;
                    let s: Staff = serde_json::from_slice(v.value())?;
                    owners += usize::from(s.role == Role::Owner);
                }
                if owners <= 1 {
                    return Err(CoreError::Forbidden(Msg::LastOwner));
                }
            }
            table.remove(key.as_str())?;
            Ok(())
        })
    }
}

fn staff_key(name: &str) -> String {
    name.trim().to_lowercase()
}
