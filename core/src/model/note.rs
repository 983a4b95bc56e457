//! Private notes on a card (never shown to the customer) and patch tests.
//!
//! Rules that live here: an allergy note flags the customer everywhere; a colour formula is the
//! salon's record of what went on someone's head, so it cannot be edited after 24 hours and is
//! deleted only with the customer; a patch test is valid for a configurable number of months.

use super::{CustomerId, NoteId, PatchTestId};
use crate::i18n::{FieldErrors, Msg};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    #[default]
    General,
    Allergy,
    ColourFormula,
    Preference,
    Personal,
}

impl NoteKind {
    pub const ALL: [NoteKind; 5] = [
        NoteKind::General,
        NoteKind::Allergy,
        NoteKind::ColourFormula,
        NoteKind::Preference,
        NoteKind::Personal,
    ];

    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// The kind as stored and sent (`colour_formula`, …).
    pub fn key(self) -> &'static str {
        match self {
            NoteKind::General => "general",
            NoteKind::Allergy => "allergy",
            NoteKind::ColourFormula => "colour_formula",
            NoteKind::Preference => "preference",
            NoteKind::Personal => "personal",
        }
    }

    pub fn from_u8(v: u8) -> NoteKind {
        NoteKind::ALL.get(v as usize).copied().unwrap_or_default()
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        self.word().text(lang)
    }

    /// The kind's word in the catalogue (`kind_allergy`, …).
    pub fn word(self) -> crate::i18n::Word {
        use crate::i18n::Word;
        match self {
            NoteKind::General => Word::KindGeneral,
            NoteKind::Allergy => Word::KindAllergy,
            NoteKind::ColourFormula => Word::KindColourFormula,
            NoteKind::Preference => Word::KindPreference,
            NoteKind::Personal => Word::KindPersonal,
        }
    }
}

/// The structured part of a colour formula.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ColourFormula {
    /// Products and amounts, e.g. `Koleston 7/1 30 g + 6/0 30 g`.
    pub products: String,
    /// Developer / oxidant, e.g. `6 %`.
    pub developer: String,
    pub processing_minutes: Option<u32>,
    pub result: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: NoteId,
    pub customer_id: CustomerId,
    pub kind: NoteKind,
    pub text: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub pinned: bool,
    #[serde(default)]
    pub formula: Option<ColourFormula>,
}

/// How long a colour formula may still be corrected after it was written.
pub const FORMULA_EDIT_WINDOW: Duration = Duration::hours(24);

impl Note {
    /// Whether the note may still be edited at `now`.
    pub fn editable(&self, now: DateTime<Utc>) -> bool {
        self.kind != NoteKind::ColourFormula || now - self.created_at < FORMULA_EDIT_WINDOW
    }

    /// Whether the note may be deleted on its own (not together with its customer).
    pub fn deletable(&self) -> bool {
        self.kind != NoteKind::ColourFormula
    }
}

/// A note as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoteDraft {
    pub kind: NoteKind,
    pub text: String,
    pub pinned: bool,
    pub formula: Option<ColourFormula>,
}

impl NoteDraft {
    /// The draft a saved note fills (the base of a partial edit).
    pub fn from_note(note: &Note) -> NoteDraft {
        NoteDraft {
            kind: note.kind,
            text: note.text.clone(),
            pinned: note.pinned,
            formula: note.formula.clone(),
        }
    }
}

pub const MAX_NOTE_LEN: usize = 10_000;
/// Products, developer and result of a colour formula: each at most this many characters.
pub const MAX_FORMULA_FIELD_LEN: usize = 1_000;
/// A processing time longer than this (minutes) is a typing mistake.
pub const MAX_PROCESSING_MINUTES: u32 = 600;

impl NoteDraft {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let has_formula = self
            .formula
            .as_ref()
            .is_some_and(|f| !f.products.trim().is_empty());
        if self.text.trim().is_empty() && !has_formula {
            errors.add("text", Msg::Required);
        }
        if self.text.chars().count() > MAX_NOTE_LEN {
            errors.add("text", Msg::TooLong { max: MAX_NOTE_LEN });
        }
        if self.formula.is_some() && self.kind != NoteKind::ColourFormula {
            errors.add("formula", Msg::InvalidInput);
        }
        if let Some(f) = &self.formula {
            for (field, value) in [
                ("formula.products", &f.products),
                ("formula.developer", &f.developer),
                ("formula.result", &f.result),
            ] {
                super::values::check_len(&mut errors, field, value, MAX_FORMULA_FIELD_LEN);
            }
            if f.processing_minutes
                .is_some_and(|m| m > MAX_PROCESSING_MINUTES)
            {
                errors.add("formula.processing_minutes", Msg::InvalidInput);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PatchResult {
    #[default]
    Pending,
    Passed,
    Failed,
}

/// An allergy skin test before colour work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchTest {
    pub id: PatchTestId,
    pub customer_id: CustomerId,
    pub date: NaiveDate,
    pub product: String,
    pub result: PatchResult,
    pub by: String,
    #[serde(default)]
    pub note: String,
}

impl PatchTest {
    /// Passed and not older than `validity_months` on `today`.
    pub fn is_valid_on(&self, today: NaiveDate, validity_months: u32) -> bool {
        self.result == PatchResult::Passed
            && self.date <= today
            && self
                .date
                .checked_add_months(Months::new(validity_months))
                .is_some_and(|until| today <= until)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PatchTestDraft {
    /// The day of the test; today when not given.
    pub date: Option<NaiveDate>,
    pub product: String,
    pub result: PatchResult,
    pub note: String,
}

pub const MAX_PATCH_PRODUCT_LEN: usize = 200;
pub const MAX_PATCH_NOTE_LEN: usize = 1_000;

impl PatchTestDraft {
    /// Bounded texts and no date after `today` (a test is recorded once it was done).
    pub fn validate(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        super::values::check_len(&mut errors, "product", &self.product, MAX_PATCH_PRODUCT_LEN);
        super::values::check_len(&mut errors, "note", &self.note, MAX_PATCH_NOTE_LEN);
        if let Some(Err(msg)) = self.date.map(|d| super::values::check_year(d.year())) {
            errors.add("date", msg);
        }
        if self.date.is_some_and(|d| d > today) {
            errors.add("date", Msg::PatchTestInFuture);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl Note {
    /// Whether `draft` changes more than the pin (the text, kind or formula): only such a
    /// change is refused once the note is locked; pinning a locked formula stays possible.
    pub fn content_differs(&self, draft: &NoteDraft) -> bool {
        self.kind != draft.kind || self.text != draft.text.trim() || self.formula != draft.formula
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_formulas_lock_after_24_hours() {
        let at = |h: i64| DateTime::from_timestamp(1_700_000_000 + h * 3600, 0).unwrap();
        let mut note = Note {
            id: NoteId(1),
            customer_id: CustomerId(1),
            kind: NoteKind::ColourFormula,
            text: String::new(),
            author: "Lena".into(),
            created_at: at(0),
            updated_at: at(0),
            pinned: false,
            formula: None,
        };
        assert!(note.editable(at(23)));
        assert!(!note.editable(at(24)));
        let pin_only = NoteDraft {
            kind: NoteKind::ColourFormula,
            text: String::new(),
            pinned: true,
            formula: None,
        };
        assert!(!note.content_differs(&pin_only));
        assert!(note.content_differs(&NoteDraft {
            text: "7/1".into(),
            ..pin_only
        }));
        assert!(!note.deletable());
        note.kind = NoteKind::Preference;
        assert!(note.editable(at(1000)) && note.deletable());
    }

    #[test]
    fn patch_tests_are_valid_for_six_months_when_passed() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let mut test = PatchTest {
            id: PatchTestId(1),
            customer_id: CustomerId(1),
            date: d(2026, 5, 24),
            product: "Koleston".into(),
            result: PatchResult::Passed,
            by: "Lena".into(),
            note: String::new(),
        };
        assert!(test.is_valid_on(d(2026, 11, 24), 6));
        assert!(!test.is_valid_on(d(2026, 11, 25), 6));
        test.result = PatchResult::Failed;
        assert!(!test.is_valid_on(d(2026, 6, 1), 6));
    }

    #[test]
    fn patch_test_drafts_are_bounded_and_not_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let check = |draft: PatchTestDraft, fields: &[&str]| {
            let got: Vec<String> = match draft.validate(today) {
                Ok(()) => Vec::new(),
                Err(e) => e.texts(crate::Lang::En).into_keys().collect(),
            };
            assert_eq!(got, fields, "{draft:?}");
        };
        check(PatchTestDraft::default(), &[]);
        check(
            PatchTestDraft {
                date: today.succ_opt(),
                ..Default::default()
            },
            &["date"],
        );
        check(
            PatchTestDraft {
                date: Some(today),
                product: "x".repeat(MAX_PATCH_PRODUCT_LEN),
                ..Default::default()
            },
            &[],
        );
        check(
            PatchTestDraft {
                product: "x".repeat(MAX_PATCH_PRODUCT_LEN + 1),
                note: "y".repeat(MAX_PATCH_NOTE_LEN + 1),
                ..Default::default()
            },
            &["note", "product"],
        );
    }
}
