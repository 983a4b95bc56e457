//! The audit log (DSGVO Art. 5(2), 9 and 30): who viewed, created, changed, exported, merged
//! or erased which card, and when. Allergy notes are health data, so opening a card that holds
//! one is logged as such.
//!
//! The log is append-only: the store has a writer and readers for it and nothing that edits or
//! deletes an entry. Entries name the customer by id and the fields by name, never a value:
//! an erased customer's entries stay (the salon can show it erased on request) without keeping
//! anything of the person. Only owners read it ([`check_may_read`]).
//!
//! Changes are logged by [`crate::Kartei::commit`] right after the change's own transaction,
//! under the same save lock; views and exports by the methods that serve them. A view is logged
//! once per person, card and [`VIEW_LOG_WINDOW`], so a card kept open through live updates
//! does not fill the log.

use crate::error::{CoreError, Result};
use crate::i18n::{Lang, Msg, Word};
use crate::model::{CustomerId, Role};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Opening the same card again within this time is not logged again.
pub const VIEW_LOG_WINDOW: Duration = Duration::minutes(10);
/// The longest page of entries a face may ask for.
pub const MAX_PAGE: usize = 500;
/// How many (person, card) pairs the view de-duplication remembers before it starts afresh.
pub(crate) const MAX_REMEMBERED_VIEWS: usize = 10_000;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// The card was opened.
    Viewed,
    /// The card was opened and holds health data (an allergy note).
    ViewedHealth,
    Created,
    /// Master data changed; the detail names the fields.
    Changed,
    /// A note was added, edited or deleted; the detail says which kind of note.
    NoteWritten,
    /// One customer's data was exported (access request, Art. 15); the detail is the format.
    Exported,
    /// The customer list was exported; the detail is how many customers.
    ListExported,
    /// Another card was merged into this one; the detail is the removed card's id.
    Merged,
    /// The customer was erased (Art. 17).
    Erased,
    /// The customer was anonymised after the retention period.
    Anonymised,
    /// A message was written to the customer; the detail is its kind.
    MessageSent,
    /// A newsletter went out; the detail is the number of recipients.
    NewsletterSent,
    /// A consent changed by a mail from the customer (double opt-in, unsubscribe).
    ConsentByMail,
}

impl AuditAction {
    pub const ALL: [AuditAction; 13] = [
        AuditAction::Viewed,
        AuditAction::ViewedHealth,
        AuditAction::Created,
        AuditAction::Changed,
        AuditAction::NoteWritten,
        AuditAction::Exported,
        AuditAction::ListExported,
        AuditAction::Merged,
        AuditAction::Erased,
        AuditAction::Anonymised,
        AuditAction::MessageSent,
        AuditAction::NewsletterSent,
        AuditAction::ConsentByMail,
    ];

    /// The action in the user's language (log screens and the export).
    pub fn label(self, lang: Lang) -> &'static str {
        self.word().text(lang)
    }

    /// The action's word in the catalogue.
    pub fn word(self) -> Word {
        match self {
            AuditAction::Viewed => Word::AuditViewed,
            AuditAction::ViewedHealth => Word::AuditViewedHealth,
            AuditAction::Created => Word::AuditCreated,
            AuditAction::Changed => Word::AuditChanged,
            AuditAction::NoteWritten => Word::AuditNoteWritten,
            AuditAction::Exported => Word::AuditExported,
            AuditAction::ListExported => Word::AuditListExported,
            AuditAction::Merged => Word::AuditMerged,
            AuditAction::Erased => Word::AuditErased,
            AuditAction::Anonymised => Word::AuditAnonymised,
            AuditAction::MessageSent => Word::AuditMessageSent,
            AuditAction::NewsletterSent => Word::AuditNewsletterSent,
            AuditAction::ConsentByMail => Word::AuditConsentByMail,
        }
    }
}

/// An entry to append (the store gives it its number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDraft {
    pub by: String,
    pub action: AuditAction,
    pub customer: Option<CustomerId>,
    /// Field names, a format, a count or an id: never a customer's data.
    pub detail: String,
}

impl AuditDraft {
    pub fn new(by: &str, action: AuditAction, customer: Option<CustomerId>) -> AuditDraft {
        AuditDraft {
            by: by.to_string(),
            action,
            customer,
            detail: String::new(),
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> AuditDraft {
        self.detail = detail.into();
        self
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log, from 1; newer entries have higher numbers.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub by: String,
    pub action: AuditAction,
    #[serde(default)]
    pub customer: Option<CustomerId>,
    #[serde(default)]
    pub detail: String,
}

/// Only owners read the log (it shows what every colleague did).
pub fn check_may_read(role: Role) -> Result<()> {
    match role {
        Role::Owner => Ok(()),
        Role::Staff => Err(CoreError::Forbidden(Msg::AuditOwnerOnly)),
    }
}

/// The top-level fields in which two JSON objects differ (the "changed" detail), sorted,
/// without bookkeeping fields (version, timestamps).
pub(crate) fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> String {
    const BOOKKEEPING: [&str; 4] = ["version", "updated_at", "created_at", "id"];
    let empty = serde_json::Map::new();
    let (a, b) = (
        before.as_object().unwrap_or(&empty),
        after.as_object().unwrap_or(&empty),
    );
    let mut fields: Vec<&str> = a
        .keys()
        .chain(b.keys())
        .map(String::as_str)
        .filter(|k| !BOOKKEEPING.contains(k) && a.get(*k) != b.get(*k))
        .collect();
    fields.sort_unstable();
    fields.dedup();
    fields.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changed_fields_names_what_differs_and_skips_bookkeeping() {
        let before =
            json!({"id": 1, "version": 3, "first_name": "Anna", "email": "a@b.de", "phones": []});
        let after = json!({"id": 1, "version": 4, "first_name": "Anna", "email": "x@b.de", "phones": [1], "title": "Dr."});
        assert_eq!(changed_fields(&before, &after), "email, phones, title");
        assert_eq!(changed_fields(&before, &before), "");
    }

    #[test]
    fn every_action_has_words_in_both_languages() {
        for action in AuditAction::ALL {
            assert!(!action.label(Lang::De).is_empty());
            assert!(!action.label(Lang::En).is_empty());
            assert_ne!(action.label(Lang::De), action.label(Lang::En));
        }
    }

    #[test]
    fn only_owners_read_the_log() {
        assert!(check_may_read(Role::Owner).is_ok());
        assert!(matches!(
            check_may_read(Role::Staff),
            Err(CoreError::Forbidden(Msg::AuditOwnerOnly))
        ));
    }
}
