//! Change notifications for live updates: every save announces what changed, and the faces (the
//! server's event stream, the kiosk) subscribe. Sent after the change is durable and searchable.

use crate::model::CustomerId;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Change {
    CustomerCreated(CustomerId),
    /// Master data, notes, appointments or photos of the customer changed.
    CustomerChanged(CustomerId),
    CustomerDeleted(CustomerId),
    /// Services, groups or settings changed.
    CatalogChanged,
    /// A backup started, finished or failed: the status line changed.
    BackupsChanged,
    /// Messages came in, went out or were read: unread badges, the unassigned list, the
    /// outbox and the mail status changed.
    MessagesChanged,
}

impl Change {
    /// The event name on the wire (`customer_created`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Change::CustomerCreated(_) => "customer_created",
            Change::CustomerChanged(_) => "customer_changed",
            Change::CustomerDeleted(_) => "customer_deleted",
            Change::CatalogChanged => "catalog_changed",
            Change::BackupsChanged => "backups_changed",
            Change::MessagesChanged => "messages_changed",
        }
    }

    pub fn customer(&self) -> Option<CustomerId> {
        match self {
            Change::CustomerCreated(id)
            | Change::CustomerChanged(id)
            | Change::CustomerDeleted(id) => Some(*id),
            Change::CatalogChanged | Change::BackupsChanged | Change::MessagesChanged => None,
        }
    }
}
