//! Merging two cards of the same person: a [`preview`] lists the fields where they differ and
//! what moves; [`apply`] keeps one card with the values the user chose, moves everything the
//! other card owns (notes, patch tests, appointments, photos: the store's [`Owned`]) to it and
//! deletes the other, in one transaction.
//!
//! Nothing is overwritten silently: where both cards have a different value, the kept card's
//! value stays unless the user names the field in `take_from_removed`. Empty fields are filled
//! from the other card; phones and groups are joined.

use crate::audit::{AuditAction, AuditDraft};
use crate::card::{group_names, CustomerView};
use crate::error::{CoreError, Result};
use crate::events::Change;
use crate::i18n::Msg;
use crate::kartei::Written;
use crate::model::*;
use crate::store::Owned;
use crate::Kartei;
use serde::{Deserialize, Serialize};

/// A field where the two cards differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChoice {
    /// The API field name (`email`, `birthday`, `address`, …).
    pub field: String,
    pub kept: String,
    pub removed: String,
}

/// How many records of each customer-owned kind ([`Owned`]) move to the kept card.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Moves {
    pub notes: usize,
    pub patch_tests: usize,
    pub appointments: usize,
    pub photos: usize,
    pub messages: usize,
}

impl Moves {
    fn of(counts: Vec<(Owned, usize)>) -> Moves {
        let mut moves = Moves::default();
        for (kind, n) in counts {
            // Exhaustive: a new kind of customer-owned record is shown here too.
            match kind {
                Owned::Notes => moves.notes = n,
                Owned::PatchTests => moves.patch_tests = n,
                Owned::Appointments => moves.appointments = n,
                Owned::Photos => moves.photos = n,
                Owned::Messages => moves.messages = n,
            }
        }
        moves
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergePreview {
    pub keep: CustomerView,
    pub remove: CustomerView,
    /// Fields the user must decide; by default the kept card's value stays.
    pub conflicts: Vec<FieldChoice>,
    /// What moves from the removed card to the kept one.
    pub moves: Moves,
    /// The kept card's master data after the merge with the defaults.
    pub result: CustomerDraft,
}

/// What the user decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRequest {
    pub keep: CustomerId,
    pub keep_version: u64,
    pub remove: CustomerId,
    pub remove_version: u64,
    /// Fields (from the preview's conflicts) where the removed card's value wins.
    #[serde(default)]
    pub take_from_removed: Vec<String>,
}

/// The fields a merge decides one by one.
const FIELDS: &[&str] = &[
    "salutation",
    "title",
    "first_name",
    "last_name",
    "company",
    "email",
    "birthday",
    "address",
    "preferred_contact",
    "stylist",
];

fn value_of(d: &CustomerDraft, field: &str) -> String {
    match field {
        "salutation" => format!("{:?}", d.salutation).replace("None", ""),
        "title" => d.title.clone(),
        "first_name" => d.first_name.clone(),
        "last_name" => d.last_name.clone(),
        "company" => d.company.clone(),
        "email" => d.email.clone(),
        "birthday" => d.birthday.clone(),
        "address" => {
            let a = &d.address;
            if a.is_empty() {
                String::new()
            } else {
                format!("{}, {} {}", a.street, a.postal_code, a.city)
            }
        }
        "preferred_contact" => match d.preferred_contact {
            ContactChannel::None => String::new(),
            other => format!("{other:?}").to_lowercase(),
        },
        "stylist" => d.stylist.clone(),
        _ => String::new(),
    }
}

fn take(target: &mut CustomerDraft, from: &CustomerDraft, field: &str) {
    match field {
        "salutation" => target.salutation = from.salutation,
        "title" => target.title = from.title.clone(),
        "first_name" => target.first_name = from.first_name.clone(),
        "last_name" => target.last_name = from.last_name.clone(),
        "company" => target.company = from.company.clone(),
        "email" => target.email = from.email.clone(),
        "birthday" => target.birthday = from.birthday.clone(),
        "address" => target.address = from.address.clone(),
        "preferred_contact" => target.preferred_contact = from.preferred_contact,
        "stylist" => target.stylist = from.stylist.clone(),
        _ => {}
    }
}

/// The two cards as forms, the conflicts, and the default result.
fn combine(
    keep: &CustomerDraft,
    remove: &CustomerDraft,
    take_from_removed: &[String],
) -> Result<(CustomerDraft, Vec<FieldChoice>)> {
    let mut result = keep.clone();
    let mut conflicts = Vec::new();
    for field in take_from_removed {
        if !FIELDS.contains(&field.as_str()) {
            return Err(CoreError::invalid("take_from_removed", Msg::InvalidInput));
        }
    }
    for field in FIELDS {
        let (k, r) = (value_of(keep, field), value_of(remove, field));
        if r.is_empty() || k == r {
            continue;
        }
        if k.is_empty() {
            take(&mut result, remove, field);
        } else {
            conflicts.push(FieldChoice {
                field: field.to_string(),
                kept: k,
                removed: r,
            });
            if take_from_removed.iter().any(|f| f == field) {
                take(&mut result, remove, field);
            }
        }
    }
    for phone in &remove.phones {
        if !result.phones.iter().any(|p| p.number == phone.number) {
            result.phones.push(phone.clone());
        }
    }
    for group in &remove.groups {
        if !result.groups.contains(group) {
            result.groups.push(group.clone());
        }
    }
    Ok((result, conflicts))
}

fn forms(kartei: &Kartei, keep: &Customer, remove: &Customer) -> (CustomerDraft, CustomerDraft) {
    let groups = kartei.groups();
    (
        CustomerDraft::from_customer(keep, group_names(&keep.groups, &groups)),
        CustomerDraft::from_customer(remove, group_names(&remove.groups, &groups)),
    )
}

/// What merging `remove` into `keep` would do. Writes nothing.
pub fn preview(kartei: &Kartei, keep: CustomerId, remove: CustomerId) -> Result<MergePreview> {
    if keep == remove {
        return Err(CoreError::invalid("remove", Msg::MergeSameCustomer));
    }
    let kept = kartei.customer(keep)?;
    let removed = kartei.customer(remove)?;
    let (k, r) = forms(kartei, &kept, &removed);
    let (result, conflicts) = combine(&k, &r, &[])?;
    let groups = kartei.groups();
    Ok(MergePreview {
        keep: CustomerView::new(&kept, &groups),
        remove: CustomerView::new(&removed, &groups),
        conflicts,
        moves: Moves::of(kartei.store().owned_counts(remove)?),
        result,
    })
}

/// Merges as the user decided; refused with [`CoreError::Conflict`] if either card changed
/// since the preview.
pub fn apply(kartei: &Kartei, request: &MergeRequest, actor: &str) -> Result<Customer> {
    if request.keep == request.remove {
        return Err(CoreError::invalid("remove", Msg::MergeSameCustomer));
    }
    let kept = kartei.customer(request.keep)?;
    let removed = kartei.customer(request.remove)?;
    let (k, r) = forms(kartei, &kept, &removed);
    let (result, _) = combine(&k, &r, &request.take_from_removed)?;
    let valid = result
        .validate(kartei.today())
        .map_err(CoreError::Invalid)?;
    kartei.commit(|store| {
        let (customer, seqs) = store.merge_customers(
            (request.keep, request.keep_version),
            (request.remove, request.remove_version),
            valid,
            actor,
            kartei.now(),
        )?;
        let mut written = Written::default();
        for (id, seq) in seqs {
            written = written.refresh(id, seq);
        }
        let written = written
            .announce(Change::CustomerChanged(request.keep))
            .announce(Change::CustomerDeleted(request.remove))
            .audit(
                AuditDraft::new(actor, AuditAction::Merged, Some(request.keep))
                    .with_detail(format!("← #{}", request.remove.0)),
            )
            .audit(
                AuditDraft::new(actor, AuditAction::Merged, Some(request.remove))
                    .with_detail(format!("→ #{}", request.keep.0)),
            );
        Ok((customer, written))
    })
}
