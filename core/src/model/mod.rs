//! The domain types of the card file, validated at the edge and stored as they are.
//!
//! - [`customer`]: the customer card's master data and its input form ([`CustomerDraft`]).
//! - [`values`]: validated value types ([`Phone`], [`Email`], [`Birthday`]) built once from input.
//! - [`note`]: private notes (allergies, colour formulas …) and patch tests.
//! - [`appointment`]: the service catalog and appointments.
//! - [`message`]: mails to and from a customer, their delivery state, newsletters.
//! - [`staff`]: staff members who log in with a PIN.

pub mod appointment;
pub mod customer;
pub mod message;
pub mod note;
pub mod staff;
pub mod values;

pub use appointment::*;
pub use customer::*;
pub use message::{
    Addressee, Attachment, Audience, Delivery, Direction, Message, MessageEffect, MessageKind,
    Newsletter,
};
pub use note::*;
pub use staff::*;
pub use values::*;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

id_type!(
    /// A customer card; ids are never reused.
    CustomerId,
    /// A note on a customer card.
    NoteId,
    /// A patch test record.
    PatchTestId,
    /// An appointment.
    AppointmentId,
    /// A service of the salon's catalog.
    ServiceId,
    /// A customer group defined by the salon.
    GroupId,
    /// A photo on a customer card.
    PhotoId,
    /// A message (sent or received); ids are never reused.
    MessageId,
    /// A newsletter send-out to many customers.
    NewsletterId,
);

/// A customer group ("Stammkunde", "VIP", …), defined by the salon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
}

impl Group {
    /// The group called `name`: group names are the salon's words, matched without regard to
    /// case ("vip" is the group "VIP").
    pub fn named<'g>(groups: &'g [Group], name: &str) -> Option<&'g Group> {
        let wanted = name.to_lowercase();
        groups.iter().find(|g| g.name.to_lowercase() == wanted)
    }
}

/// The groups a new store starts with.
pub const DEFAULT_GROUPS: [&str; 3] = ["Stammkunde", "Neukunde", "VIP"];
