//! The audit part of the [`Kartei`] API: opening a card as someone (logged as a view, or as a
//! view of health data when the card holds an allergy note), logging exports, and reading the
//! log (owners only). Changes are logged by [`Kartei::commit`] itself.

use super::*;
use crate::audit::{self, AuditEntry};

impl Kartei {
    /// The whole card, opened by `viewer`: the view goes into the audit log (once per person,
    /// card and [`audit::VIEW_LOG_WINDOW`]). Faces use this when a person opens a card, and
    /// [`Kartei::card`] to redraw a card already open.
    pub fn open_card(&self, id: CustomerId, lang: Lang, viewer: &str) -> Result<CustomerCard> {
        let card = self.card(id, lang)?;
        // The card holds the notes already: no second read of the store.
        let health = card.notes.iter().any(|n| n.note.kind == NoteKind::Allergy);
        let action = if health {
            AuditAction::ViewedHealth
        } else {
            AuditAction::Viewed
        };
        if self.view_is_new(viewer, id) {
            self.record_audit(&[AuditDraft::new(viewer, action, Some(id))])?;
        }
        Ok(card)
    }

    /// Whether `viewer` opening `id` now should be logged (not logged in the last window).
    fn view_is_new(&self, viewer: &str, id: CustomerId) -> bool {
        let now = self.now();
        let mut seen = self
            .inner
            .logged_views
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if seen.len() >= audit::MAX_REMEMBERED_VIEWS {
            seen.clear();
        }
        let key = (viewer.to_string(), id);
        match seen.get(&key) {
            Some(at) if now - *at < audit::VIEW_LOG_WINDOW && *at <= now => false,
            _ => {
                seen.insert(key, now);
                true
            }
        }
    }

    /// Appends entries that are not part of a store change (views, exports), durably.
    pub(crate) fn record_audit(&self, entries: &[AuditDraft]) -> Result<()> {
        let _guard = self.save_guard();
        self.inner.store.append_audit(entries, self.now())
    }

    /// One customer's entries, newest first; owners only.
    pub fn audit_of(&self, customer: CustomerId, role: Role) -> Result<Vec<AuditEntry>> {
        audit::check_may_read(role)?;
        self.inner.store.audit_of(customer)
    }

    /// The whole log, newest first, `limit` entries (at most [`audit::MAX_PAGE`]) older than
    /// entry `before`; owners only.
    pub fn audit_log(
        &self,
        role: Role,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>> {
        audit::check_may_read(role)?;
        self.inner
            .store
            .audit_page(before, limit.clamp(1, audit::MAX_PAGE))
    }
}
