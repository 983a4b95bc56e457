//! Partial edits of a customer's master data ([`Kartei::patch_customer`]): a face sends only
//! the fields the user changed, as a JSON merge patch on the customer form, so a field the face
//! does not show (or did not load) can never be lost by a save. Notes are patched the same way
//! ([`Kartei::patch_note`]): pinning on one phone and correcting the text on another both stay.

use super::Kartei;
use crate::card::group_names;
use crate::error::{CoreError, Result};
use crate::i18n::Msg;
use crate::model::{
    ColourFormula, Customer, CustomerDraft, CustomerId, Group, GroupId, Note, NoteDraft, NoteId,
    NoteKind,
};
use serde_json::Value;

impl Kartei {
    /// The customer form as the saved card fills it: the base every patch is applied to.
    pub fn customer_draft(&self, customer: &Customer) -> CustomerDraft {
        CustomerDraft::from_customer(customer, group_names(&customer.groups, &self.groups()))
    }

    /// Applies the merge patch `patch` (see [`crate::patch`]) to the card as saved in
    /// `expected_version`. Refused with [`CoreError::Conflict`] if somebody saved in between
    /// (the caller shows the saved card and lets the user choose), with
    /// [`CoreError::Invalid`] naming the field for bad values. A patch that changes nothing
    /// writes nothing: the saved card comes back with its version unchanged.
    pub fn patch_customer(
        &self,
        id: CustomerId,
        expected_version: u64,
        patch: &Value,
        actor: &str,
    ) -> Result<Customer> {
        let current = self.customer(id)?;
        if current.version != expected_version {
            return Err(CoreError::Conflict {
                expected: expected_version,
                current: current.version,
            });
        }
        let base = self.customer_draft(&current);
        let draft = crate::patch::patched_draft(&base, patch).map_err(CoreError::Invalid)?;
        if draft == base {
            return Ok(current);
        }
        let valid = draft.validate(self.today()).map_err(CoreError::Invalid)?;
        if let Some(groups) = known_groups(&self.groups(), &valid.group_names) {
            // What the save would make of the card; if that is the card, nothing is written
            // (a value typed in another form, a consent given again, a phone in another format).
            let mut after = current.clone();
            after.apply(valid, groups, actor, self.now());
            after.version = current.version;
            after.updated_at = current.updated_at;
            if after == current {
                return Ok(current);
            }
        }
        // The store checks the version again inside its write transaction.
        self.update_customer(id, expected_version, &draft, actor)
    }
}

/// The keys a note patch may name.
const NOTE_FIELDS: [&str; 4] = ["kind", "text", "pinned", "formula"];

impl Kartei {
    /// One note.
    pub fn note(&self, id: NoteId) -> Result<Note> {
        self.inner.store.note(id)
    }

    /// Applies the merge patch `patch` (keys `kind`, `text`, `pinned`, `formula`; `formula`
    /// merged key by key, `null` removes it) to the note as saved, under the note rules of
    /// [`Kartei::update_note`] (a colour formula is locked after 24 hours, except its pin). A
    /// patch that changes nothing writes nothing.
    pub fn patch_note(&self, id: NoteId, patch: &Value, by: &str) -> Result<Note> {
        let Value::Object(changes) = patch else {
            return Err(CoreError::invalid("body", Msg::InvalidInput));
        };
        if let Some(unknown) = changes.keys().find(|k| !NOTE_FIELDS.contains(&k.as_str())) {
            return Err(CoreError::invalid(unknown, Msg::InvalidInput));
        }
        let current = self.note(id)?;
        let base = NoteDraft::from_note(&current);
        let mut value =
            serde_json::to_value(&base).map_err(|e| CoreError::Internal(e.to_string()))?;
        crate::patch::merge(&mut value, patch);
        // Each field read on its own first, so a bad value is refused naming its field.
        let readable = |key: &str, v: &Value| match key {
            "kind" => serde_json::from_value::<NoteKind>(v.clone()).is_ok(),
            "text" => v.is_string(),
            "pinned" => v.is_boolean(),
            _ => serde_json::from_value::<Option<ColourFormula>>(v.clone()).is_ok(),
        };
        if let Value::Object(fields) = &value {
            if let Some((bad, _)) = fields.iter().find(|(k, v)| !readable(k, v)) {
                return Err(CoreError::invalid(bad, Msg::InvalidInput));
            }
        }
        let draft: NoteDraft = serde_json::from_value(value)
            .map_err(|_| CoreError::invalid("body", Msg::InvalidInput))?;
        if draft == base {
            return Ok(current);
        }
        self.update_note(id, &draft, by)
    }
}

/// The ids of the groups `names`, or `None` if one is unknown (the store then refuses the save
/// with a message naming it).
fn known_groups(groups: &[Group], names: &[String]) -> Option<Vec<GroupId>> {
    names
        .iter()
        .map(|name| Group::named(groups, name).map(|g| g.id))
        .collect()
}

impl Kartei {
    /// Erases a customer for a person at a face: only an owner may (GDPR erasure is the
    /// salon's decision), and only with the customer's name confirmed (typed or shown in the
    /// question and sent back), so a tap on the wrong card cannot erase it.
    pub fn erase_customer_as(
        &self,
        id: CustomerId,
        role: crate::model::Role,
        by: &str,
        confirmed_name: &str,
    ) -> Result<()> {
        if role != crate::model::Role::Owner {
            return Err(CoreError::Forbidden(crate::i18n::Msg::DeleteOwnerOnly));
        }
        let name = self.customer(id)?.display_name();
        let fold = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        if fold(confirmed_name) != fold(&name) {
            return Err(CoreError::invalid(
                "confirm_name",
                crate::i18n::Msg::DeleteConfirmName { name },
            ));
        }
        self.delete_customer(id, by)
    }
}
