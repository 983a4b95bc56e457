//! Customer groups, and turning group names into ids inside a write.

use super::*;

impl Store {
    pub fn groups(&self) -> Result<Vec<Group>> {
        let txn = self.read()?;
        all_json(&txn.open_table(GROUPS)?)
    }

    pub(crate) fn create_group(&self, name: &str) -> Result<Group> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CoreError::invalid("name", Msg::Required));
        }
        self.write(|txn| {
            let existing: Vec<Group> = all_json(&txn.open_table(GROUPS)?)?;
            if Group::named(&existing, name).is_some() {
                return Err(CoreError::invalid("name", Msg::DuplicateGroup));
            }
            let group = Group {
                id: GroupId(next_id(txn, "group")?),
                name: name.to_string(),
            };
            put_json(&mut txn.open_table(GROUPS)?, group.id.0, &group)?;
            Ok(group)
        })
    }
}

pub(super) fn resolve_groups(txn: &WriteTransaction, names: &[String]) -> Result<Vec<GroupId>> {
    let groups: Vec<Group> = all_json(&txn.open_table(GROUPS)?)?;
    let mut errors = FieldErrors::default();
    let mut ids = Vec::new();
    for name in names {
        match Group::named(&groups, name) {
            Some(g) => ids.push(g.id),
            None => errors.add("groups", Msg::UnknownGroup { name: name.clone() }),
        }
    }
    errors.into_result()?;
    Ok(ids)
}
