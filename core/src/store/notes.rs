//! Notes (colour formulas among them) and patch tests of a customer.

use super::*;

impl Store {
    pub fn notes(&self, customer: CustomerId) -> Result<Vec<Note>> {
        let txn = self.read()?;
        let ids = keys_in(&txn.open_table(NOTES_BY_CUSTOMER)?, customer.0)?;
        let table = txn.open_table(NOTES)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(note) = get_json(&table, id)? {
                out.push(note);
            }
        }
        Ok(out)
    }

    pub fn note(&self, id: NoteId) -> Result<Note> {
        let txn = self.read()?;
        get_json(&txn.open_table(NOTES)?, id.0)?.ok_or_else(|| CoreError::not_found("note", id))
    }

    pub(crate) fn add_note(
        &self,
        customer: CustomerId,
        draft: &NoteDraft,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(Note, u64)> {
        self.write(|txn| {
            ensure_customer(txn, customer)?;
            let note = Note {
                id: NoteId(next_id(txn, "note")?),
                customer_id: customer,
                kind: draft.kind,
                text: draft.text.trim().to_string(),
                author: author.to_string(),
                created_at: now,
                updated_at: now,
                pinned: draft.pinned,
                formula: draft.formula.clone(),
            };
            put_json(&mut txn.open_table(NOTES)?, note.id.0, &note)?;
            txn.open_table(NOTES_BY_CUSTOMER)?
                .insert((customer.0, note.id.0), note.kind.as_u8())?;
            let seq = record_change(txn, customer)?;
            Ok((note, seq))
        })
    }

    /// Edits a note; colour formulas only within 24 hours of writing.
    pub(crate) fn update_note(
        &self,
        id: NoteId,
        draft: &NoteDraft,
        now: DateTime<Utc>,
    ) -> Result<(Note, u64)> {
        self.write(|txn| {
            let mut table = txn.open_table(NOTES)?;
            let mut note: Note =
                get_json(&table, id.0)?.ok_or_else(|| CoreError::not_found("note", id))?;
            // Once locked, only the pin may change (it is not part of the record).
            let pin_only = !note.content_differs(draft) && note.pinned != draft.pinned;
            if (!note.editable(now) && !pin_only)
                || (note.kind == NoteKind::ColourFormula && draft.kind != note.kind)
            {
                return Err(CoreError::Forbidden(Msg::FormulaLocked));
            }
            note.kind = draft.kind;
            note.text = draft.text.trim().to_string();
            note.pinned = draft.pinned;
            note.formula = draft.formula.clone();
            note.updated_at = now;
            put_json(&mut table, id.0, &note)?;
            drop(table);
            txn.open_table(NOTES_BY_CUSTOMER)?
                .insert((note.customer_id.0, id.0), note.kind.as_u8())?;
            let seq = record_change(txn, note.customer_id)?;
            Ok((note, seq))
        })
    }

    /// Deletes a note; colour formulas are kept until the customer is deleted.
    pub(crate) fn delete_note(&self, id: NoteId) -> Result<(CustomerId, u64)> {
        self.write(|txn| {
            let mut table = txn.open_table(NOTES)?;
            let note: Note =
                get_json(&table, id.0)?.ok_or_else(|| CoreError::not_found("note", id))?;
            if !note.deletable() {
                return Err(CoreError::Forbidden(Msg::FormulaNotDeletable));
            }
            table.remove(id.0)?;
            drop(table);
            txn.open_table(NOTES_BY_CUSTOMER)?
                .remove((note.customer_id.0, id.0))?;
            let seq = record_change(txn, note.customer_id)?;
            Ok((note.customer_id, seq))
        })
    }

    pub fn patch_tests(&self, customer: CustomerId) -> Result<Vec<PatchTest>> {
        let txn = self.read()?;
        let ids = keys_in(&txn.open_table(PATCH_TESTS_BY_CUSTOMER)?, customer.0)?;
        let table = txn.open_table(PATCH_TESTS)?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(test) = get_json(&table, id)? {
                out.push(test);
            }
        }
        Ok(out)
    }

    pub(crate) fn add_patch_test(
        &self,
        customer: CustomerId,
        draft: &PatchTestDraft,
        by: &str,
        today: NaiveDate,
    ) -> Result<PatchTest> {
        self.write(|txn| {
            ensure_customer(txn, customer)?;
            let test = PatchTest {
                id: PatchTestId(next_id(txn, "patch_test")?),
                customer_id: customer,
                date: draft.date.unwrap_or(today),
                product: draft.product.trim().to_string(),
                result: draft.result,
                by: by.to_string(),
                note: draft.note.trim().to_string(),
            };
            put_json(&mut txn.open_table(PATCH_TESTS)?, test.id.0, &test)?;
            txn.open_table(PATCH_TESTS_BY_CUSTOMER)?
                .insert((customer.0, test.id.0), ())?;
            Ok(test)
        })
    }
}
