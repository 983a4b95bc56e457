//! The import preview (what would happen to each contact) and the commit of the rows the user
//! picked, in one transaction.
//!
//! A contact is the same person as a card when it has the same e-mail, the same normalised
//! phone number, or the same name and birthday; a contact with nothing but a name is the same as
//! a card with that name. Such a contact completes the card: empty fields are filled, phones,
//! groups and notes added; differing values are listed as conflicts and the card keeps its own.
//! A contact that would add nothing is skipped as an exact duplicate, which is why importing the
//! same file twice creates nothing new. The commit plans again against the card file as it is
//! then, so a second commit of the same preview creates nothing either.

use super::{read, EmbeddedPhoto, Format, Parsed, Record};
use crate::audit::{AuditAction, AuditDraft};
use crate::error::{CoreError, Result};
use crate::events::Change;
use crate::export::Progress;
use crate::i18n::{Lang, Msg};
use crate::kartei::Written;
use crate::model::*;
use crate::photos::PhotoKind;
use crate::search::text::{fold, name_words};
use crate::store::{BulkCustomer, ImportUpdate};
use crate::Kartei;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What one contact would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RowAction {
    /// A new card.
    New,
    /// Completes an existing card.
    Merge {
        into: CustomerId,
        /// The card's name (the row's own `name` is the contact's).
        card_name: String,
        /// The fields the contact fills or adds to (`phones`, `email`, `notes`, …).
        adds: Vec<String>,
        /// Fields where card and contact differ; the card keeps its value.
        conflicts: Vec<Conflict>,
    },
    /// The card already has everything the contact has.
    Duplicate { of: CustomerId, card_name: String },
    /// The same person appears earlier in the file.
    DuplicateInFile { line: usize },
    /// Cannot be imported; one message per field.
    Invalid { reasons: Vec<Reason> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub field: String,
    pub current: String,
    pub imported: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub field: String,
    pub message: Msg,
}

/// One contact of the file with what would happen to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewRow {
    /// The row's key for choosing it: its line (spreadsheet row, or card number in a vCard).
    pub line: usize,
    pub name: String,
    pub phones: Vec<String>,
    pub email: String,
    pub birthday: String,
    #[serde(flatten)]
    pub action: RowAction,
    /// Things the user should know (a group that does not exist, …).
    pub warnings: Vec<Msg>,
    pub has_photo: bool,
}

impl PreviewRow {
    /// Whether the row can be taken (new or merge).
    pub fn choosable(&self) -> bool {
        matches!(self.action, RowAction::New | RowAction::Merge { .. })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub new: usize,
    pub merge: usize,
    pub duplicate: usize,
    pub invalid: usize,
    /// New and merge rows that carry a warning (a value kept in the import note, …): the user
    /// takes or leaves them.
    pub with_warnings: usize,
}

/// What an import would do; nothing has been written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportPreview {
    pub filename: String,
    pub format: Format,
    pub rows: Vec<PreviewRow>,
    pub counts: Counts,
    pub mapped_columns: Vec<(String, super::mapping::Field)>,
    pub ignored_columns: Vec<String>,
    pub unknown_columns: Vec<String>,
    /// Groups the file names that the card file does not have: created by the commit when a
    /// row that names them is taken.
    pub new_groups: Vec<String>,
    /// The contacts as read, for the commit.
    #[serde(skip)]
    records: Vec<Record>,
    /// Their phone numbers as read by the preview: the commit reads none again.
    #[serde(skip)]
    phones: PhoneCache,
}

impl ImportPreview {
    /// About how much memory the preview holds (the contacts as read, their photos, the rows).
    pub fn approx_bytes(&self) -> usize {
        let records: usize = self
            .records
            .iter()
            .map(|r| {
                std::mem::size_of::<Record>()
                    + 256
                    + r.notes.iter().map(String::len).sum::<usize>()
                    + r.photo.as_ref().map_or(0, |p| p.bytes.len())
            })
            .sum();
        records
            + self.rows.len() * (std::mem::size_of::<PreviewRow>() + 256)
            + self.phones.approx_bytes()
    }

    /// The lines of every new and merge row: what `--yes` takes.
    pub fn choosable_lines(&self) -> Vec<usize> {
        self.rows
            .iter()
            .filter(|r| r.choosable())
            .map(|r| r.line)
            .collect()
    }

    /// The reasons of an invalid row in `lang`, as "field: message" lines.
    pub fn reason_texts(row: &PreviewRow, lang: Lang) -> Vec<String> {
        match &row.action {
            RowAction::Invalid { reasons } => reasons
                .iter()
                .map(|r| format!("{}: {}", r.field, r.message.text(lang)))
                .collect(),
            RowAction::DuplicateInFile { line } => {
                vec![Msg::DuplicateInFile { line: *line }.text(lang)]
            }
            _ => Vec::new(),
        }
    }
}

/// What the commit did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportOutcome {
    pub created: Vec<CustomerId>,
    pub merged: Vec<CustomerId>,
    /// Chosen rows that were skipped because the card file already has them by now.
    pub skipped: usize,
    /// Photos embedded in the chosen contacts that were put on their cards.
    pub photos_added: usize,
    /// Embedded photos that could not be read (damaged, an unknown format); the contact was
    /// imported without them.
    pub photos_refused: usize,
}

/// Reads `bytes` and shows what importing them would do. Writes nothing.
pub fn preview(kartei: &Kartei, bytes: &[u8], filename: &str) -> Result<ImportPreview> {
    preview_with_progress(kartei, bytes, filename, |_| {})
}

/// [`preview`] for a progress bar. Once the file is read (the count of contacts is known),
/// `progress` hears one step for the read file, one for the card file's keys and one per
/// contact, ending at `total`; every report has the same `total`.
///
/// Phone numbers are read on a second thread while the file is parsed: reading numbers
/// (libphonenumber) costs about as much as parsing the vCards, and the first number read after
/// a start waits for libphonenumber's rules to load. The thread hands each contact's numbers
/// back as it has read them, so the plan starts as soon as the file is parsed and waits, if at
/// all, only for the numbers of the contact it is at. Without a second thread the plan reads
/// the numbers itself.
pub fn preview_with_progress(
    kartei: &Kartei,
    bytes: &[u8],
    filename: &str,
    progress: impl FnMut(Progress),
) -> Result<ImportPreview> {
    std::thread::scope(|scope| {
        let (numbers, incoming) = std::sync::mpsc::channel::<Vec<String>>();
        let (read_back, phones_read) = std::sync::mpsc::channel::<PhoneCache>();
        let reader = std::thread::Builder::new()
            .name("import-phones".into())
            .spawn_scoped(scope, move || {
                // Each distinct text is read once, in the order of the contacts; one batch
                // goes back per contact (empty when its numbers were read before).
                let mut seen = HashSet::new();
                for texts in incoming {
                    let mut batch = PhoneCache::without_display();
                    for text in texts {
                        if seen.len() < PhoneCache::MAX_NUMBERS && !seen.contains(&text) {
                            batch.learn(&text);
                            seen.insert(text);
                        }
                    }
                    if read_back.send(batch).is_err() {
                        break;
                    }
                }
            });
        let Ok(reader) = reader else {
            let parsed = read(bytes, filename)?;
            return preview_parsed_with_phones(kartei, parsed, None, filename, progress);
        };
        let parsed = super::read_with(bytes, filename, &mut |record| {
            let texts = record.draft.phones.iter().map(|p| p.number.clone());
            // A reader that is gone (it cannot be) only means the plan reads the numbers.
            let _ = numbers.send(texts.collect());
        });
        drop(numbers);
        let preview = parsed.and_then(|parsed| {
            preview_parsed_with_phones(kartei, parsed, Some(&phones_read), filename, progress)
        });
        // A reader that failed only means the plan read the numbers it did not hand back.
        let _ = reader.join();
        preview
    })
}

/// [`preview`] of contacts already read.
pub fn preview_parsed(kartei: &Kartei, parsed: Parsed, filename: &str) -> Result<ImportPreview> {
    preview_parsed_with_progress(kartei, parsed, filename, |_| {})
}

fn preview_parsed_with_progress(
    kartei: &Kartei,
    parsed: Parsed,
    filename: &str,
    progress: impl FnMut(Progress),
) -> Result<ImportPreview> {
    preview_parsed_with_phones(kartei, parsed, None, filename, progress)
}

/// The preview of contacts read; `phones_read` hands over each contact's numbers, one batch
/// per contact in the file's order, as another thread reads them.
fn preview_parsed_with_phones(
    kartei: &Kartei,
    parsed: Parsed,
    phones_read: Option<&std::sync::mpsc::Receiver<PhoneCache>>,
    filename: &str,
    mut progress: impl FnMut(Progress),
) -> Result<ImportPreview> {
    let total = parsed.records.len() as u64 + 2;
    progress(Progress { done: 1, total });
    let mut phones = PhoneCache::without_display();
    let mut arrived = |phones: &mut PhoneCache| {
        // Once the reader is done (or gone) there is nothing more to wait for.
        if let Some(batch) = phones_read.and_then(|r| r.recv().ok()) {
            phones.absorb(batch);
        }
    };
    let (planned, new_groups) = plan(
        kartei,
        &parsed.records,
        &mut phones,
        &mut arrived,
        &mut |done| {
            progress(Progress {
                done: done + 1,
                total,
            })
        },
    )?;
    let mut counts = Counts::default();
    let rows: Vec<PreviewRow> = planned
        .into_iter()
        .zip(&parsed.records)
        .map(|(p, record)| {
            match &p.action {
                RowAction::New => counts.new += 1,
                RowAction::Merge { .. } => counts.merge += 1,
                RowAction::Duplicate { .. } | RowAction::DuplicateInFile { .. } => {
                    counts.duplicate += 1
                }
                RowAction::Invalid { .. } => counts.invalid += 1,
            }
            if !p.warnings.is_empty()
                && matches!(p.action, RowAction::New | RowAction::Merge { .. })
            {
                counts.with_warnings += 1;
            }
            let d = &record.draft;
            PreviewRow {
                line: record.line,
                name: display_name(&d.first_name, &d.last_name, &d.company),
                phones: d.phones.iter().map(|p| p.number.clone()).collect(),
                email: d.email.clone(),
                birthday: d.birthday.clone(),
                action: p.action,
                warnings: p.warnings,
                has_photo: record.photo.is_some(),
            }
        })
        .collect();
    Ok(ImportPreview {
        filename: filename.to_string(),
        format: parsed.format,
        rows,
        counts,
        mapped_columns: parsed.mapped_columns,
        ignored_columns: parsed.ignored_columns,
        unknown_columns: parsed.unknown_columns,
        new_groups,
        records: parsed.records,
        phones,
    })
}

/// Takes the rows with the given lines, in one transaction. Rows that are not new or merge
/// rows (any more) are skipped; a line the preview does not have is refused.
pub fn commit(
    kartei: &Kartei,
    preview: &ImportPreview,
    chosen: &[usize],
    actor: &str,
) -> Result<ImportOutcome> {
    commit_with_progress(kartei, preview, chosen, actor, |_| {})
}

/// [`commit`] for a progress bar: `0 of total`, then one step for the card file's keys, one per
/// contact planned again, one for the transaction and one per chosen row put into the search
/// index, ending at `total`.
pub fn commit_with_progress(
    kartei: &Kartei,
    preview: &ImportPreview,
    chosen: &[usize],
    actor: &str,
    mut progress: impl FnMut(Progress),
) -> Result<ImportOutcome> {
    // Lines as a set: a file may hold 200,000 contacts, all of them chosen.
    let choosable: HashSet<usize> = preview
        .rows
        .iter()
        .filter(|r| r.choosable())
        .map(|r| r.line)
        .collect();
    if let Some(line) = chosen.iter().find(|l| !choosable.contains(l)) {
        return Err(CoreError::invalid(
            "rows",
            Msg::ImportRowNotChoosable { line: *line },
        ));
    }
    let chosen: HashSet<usize> = chosen.iter().copied().collect();
    let records = preview.records.len() as u64;
    let with_photo = preview
        .records
        .iter()
        .filter(|r| r.photo.is_some() && chosen.contains(&r.line))
        .count() as u64;
    let total = records + 2 + chosen.len() as u64 + with_photo;
    progress(Progress { done: 0, total });
    // The plan is made without the save lock (it reads the whole card file); the transaction
    // checks that no card changed since `planned_at`, else it is made again under the lock.
    let planned_at = kartei.store().change_mark()?;
    // The numbers the preview read; the cards written get their display forms.
    let mut phones = preview.phones.clone().with_display();
    let (planned, new_groups) = plan(
        kartei,
        &preview.records,
        &mut phones,
        &mut |_| {},
        &mut |done| progress(Progress { done, total }),
    )?;
    create_groups(kartei, &planned, &preview.records, &chosen, &new_groups)?;
    let prepared = prepare(
        kartei,
        planned,
        &preview.records,
        &chosen,
        actor,
        &mut phones,
    )?;
    let progress = std::cell::RefCell::new(progress);
    let report = |done: u64| (progress.borrow_mut())(Progress { done, total });
    let (written, prepared) = kartei.commit_reporting(
        |store| {
            let mut prepared = prepared;
            let now = kartei.now();
            let mut written = store.apply_import(
                planned_at,
                std::mem::take(&mut prepared.creates),
                std::mem::take(&mut prepared.updates),
                actor,
                now,
            )?;
            if written.is_none() {
                // Another import (the other face) or a save came first: plan again. Under the
                // save lock nothing else writes, so this plan holds for the transaction.
                // Groups the rows name were created above; a new plan finds them.
                let (planned, _) = plan(
                    kartei,
                    &preview.records,
                    &mut phones,
                    &mut |_| {},
                    &mut |_| {},
                )?;
                prepared = prepare(
                    kartei,
                    planned,
                    &preview.records,
                    &chosen,
                    actor,
                    &mut phones,
                )?;
                written = store.apply_import(
                    store.change_mark()?,
                    std::mem::take(&mut prepared.creates),
                    std::mem::take(&mut prepared.updates),
                    actor,
                    now,
                )?;
            }
            let written =
                written.ok_or_else(|| CoreError::invalid("rows", Msg::ImportPreviewStale))?;
            report(records + 2);
            let mut cards = Written::default();
            // The audit log: who imported which cards ("import" in the detail).
            for (id, seq) in &written.created {
                cards = cards
                    .refresh(*id, *seq)
                    .announce(Change::CustomerCreated(*id))
                    .audit(
                        AuditDraft::new(actor, AuditAction::Created, Some(*id))
                            .with_detail("import"),
                    );
            }
            for (id, seq) in &written.updated {
                cards = cards
                    .refresh(*id, *seq)
                    .announce(Change::CustomerChanged(*id))
                    .audit(
                        AuditDraft::new(actor, AuditAction::Changed, Some(*id))
                            .with_detail("import"),
                    );
            }
            Ok(((written, prepared), cards))
        },
        |refreshed| report(records + 2 + refreshed as u64),
    )?;
    let mut progress = progress.into_inner();
    let mut outcome = ImportOutcome {
        created: written.created.iter().map(|(id, _)| *id).collect(),
        merged: written.updated.iter().map(|(id, _)| *id).collect(),
        skipped: prepared.skipped,
        ..Default::default()
    };
    // The cards are written; their embedded photos follow, each on its own. A photo that
    // cannot be read does not undo the contact.
    let created = written
        .created
        .iter()
        .map(|(id, _)| *id)
        .zip(prepared.created_photos);
    let mut done = records + 2 + (written.created.len() + written.updated.len()) as u64;
    for (id, photo) in created.chain(prepared.merged_photos) {
        let Some(photo) = photo else { continue };
        match kartei.add_photo(id, &photo.bytes, PhotoKind::Other, "", actor) {
            Ok(_) => outcome.photos_added += 1,
            Err(CoreError::Invalid(_)) => outcome.photos_refused += 1,
            Err(e) => return Err(e),
        }
        done += 1;
        progress(Progress { done, total });
    }
    if done < total {
        progress(Progress { done: total, total });
    }
    Ok(outcome)
}

/// The chosen rows of a plan as the store writes them, with the photos that follow.
struct Prepared {
    creates: Vec<BulkCustomer>,
    created_photos: Vec<Option<EmbeddedPhoto>>,
    updates: Vec<ImportUpdate>,
    merged_photos: Vec<(CustomerId, Option<EmbeddedPhoto>)>,
    /// Chosen rows the card file has by now.
    skipped: usize,
}

fn prepare(
    kartei: &Kartei,
    planned: Vec<Planned>,
    records: &[Record],
    chosen: &HashSet<usize>,
    actor: &str,
    phones: &mut PhoneCache,
) -> Result<Prepared> {
    let now = kartei.now();
    let today = kartei.today();
    let groups = kartei.groups();
    let mut prepared = Prepared {
        creates: Vec::new(),
        created_photos: Vec::new(),
        updates: Vec::new(),
        merged_photos: Vec::new(),
        skipped: 0,
    };
    for (p, record) in planned.into_iter().zip(records) {
        if !chosen.contains(&record.line) {
            continue;
        }
        let note = |(text, pinned): (&String, bool)| Note {
            id: NoteId(0),
            customer_id: CustomerId(0),
            kind: NoteKind::General,
            text: text.clone(),
            author: actor.to_string(),
            created_at: now,
            updated_at: now,
            pinned,
            formula: None,
        };
        let notes: Vec<Note> = p
            .pinned
            .iter()
            .map(|t| (t, true))
            .chain(p.notes.iter().map(|t| (t, false)))
            .map(note)
            .collect();
        match p.write {
            Write::Create(draft) => {
                let valid = draft
                    .validate_with(today, phones)
                    .map_err(CoreError::Invalid)?;
                let group_ids = valid
                    .group_names
                    .iter()
                    .filter_map(|n| Group::named(&groups, n).map(|g| g.id))
                    .collect();
                let customer = Customer::new(
                    CustomerId(0),
                    valid,
                    group_ids,
                    Source::Import,
                    actor,
                    now,
                    today,
                );
                prepared.creates.push(BulkCustomer {
                    customer,
                    notes,
                    appointments: Vec::new(),
                });
                prepared.created_photos.push(record.photo.clone());
            }
            Write::Update { id, version, draft } => {
                let valid = draft
                    .validate_with(today, phones)
                    .map_err(CoreError::Invalid)?;
                prepared.updates.push(ImportUpdate {
                    id,
                    expected_version: version,
                    valid,
                    notes,
                });
                prepared.merged_photos.push((id, record.photo.clone()));
            }
            Write::Nothing => prepared.skipped += 1,
        }
    }
    Ok(prepared)
}

/// Creates the new groups that the chosen rows name (each once, before the cards are written;
/// a group left empty by a failed commit is harmless and is reused by the next try).
fn create_groups(
    kartei: &Kartei,
    planned: &[Planned],
    records: &[Record],
    chosen: &HashSet<usize>,
    new_groups: &[String],
) -> Result<()> {
    if new_groups.is_empty() {
        return Ok(());
    }
    let mut wanted: Vec<&String> = Vec::new();
    for (p, record) in planned.iter().zip(records) {
        if !chosen.contains(&record.line) {
            continue;
        }
        let draft = match &p.write {
            Write::Create(draft) | Write::Update { draft, .. } => draft,
            Write::Nothing => continue,
        };
        for name in new_groups {
            let lower = name.to_lowercase();
            if !wanted.contains(&name) && draft.groups.iter().any(|g| g.to_lowercase() == lower) {
                wanted.push(name);
            }
        }
    }
    for name in wanted {
        if Group::named(&kartei.groups(), name).is_none() {
            kartei.create_group(name)?;
        }
    }
    Ok(())
}

/// What the commit would write for one row.
enum Write {
    Create(CustomerDraft),
    Update {
        id: CustomerId,
        version: u64,
        draft: CustomerDraft,
    },
    Nothing,
}

struct Planned {
    action: RowAction,
    warnings: Vec<Msg>,
    write: Write,
    /// Notes to add (those the card does not have yet).
    notes: Vec<String>,
    /// Pinned notes to add (a contact the other system had blocked).
    pinned: Vec<String>,
}

/// Who is who in the card file: the keys a contact is matched by.
#[derive(Default)]
struct Known {
    by_email: HashMap<String, CustomerId>,
    by_phone: HashMap<String, CustomerId>,
    by_name_birthday: HashMap<(String, String), CustomerId>,
    by_name: HashMap<String, CustomerId>,
}

/// The folded name key: "Jürgen Müller" and "jurgen muller" are one.
pub fn name_key(first: &str, last: &str) -> String {
    let mut words: Vec<String> = name_words(first)
        .chain(name_words(last))
        .map(fold)
        .filter(|w| !w.is_empty())
        .collect();
    words.sort();
    words.join(" ")
}

impl Known {
    fn load(kartei: &Kartei) -> Result<Known> {
        let mut known = Known::default();
        kartei.store().for_each_customer(|c| {
            if let Some(e) = &c.email {
                known.by_email.entry(e.key()).or_insert(c.id);
            }
            for p in &c.phones {
                known.by_phone.entry(p.number.clone()).or_insert(c.id);
            }
            let name = name_key(&c.first_name, &c.last_name);
            if !name.is_empty() {
                if let Some(b) = c.birthday {
                    known
                        .by_name_birthday
                        .entry((name.clone(), b.iso()))
                        .or_insert(c.id);
                }
                known.by_name.entry(name).or_insert(c.id);
            }
            Ok(())
        })?;
        Ok(known)
    }
}

/// Per-file keys of rows planned as new, so that the same person twice in one file is one card.
#[derive(Default)]
struct Seen {
    keys: HashMap<String, usize>,
    merged_into: HashMap<CustomerId, usize>,
}

/// The keys a contact is found by in the same file: e-mail, each phone, name and birthday, and
/// — for a contact with none of these — the name together with the display name, so that two
/// cards with the same first and last name but different display names stay two people.
/// `name` is the draft's [`name_key`].
fn keys_of(valid: &ValidDraft, display_name: &str, name: &str) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(e) = &valid.email {
        keys.push(format!("e:{}", e.key()));
    }
    for p in &valid.phones {
        keys.push(format!("p:{}", p.number));
    }
    if let Some(b) = valid.birthday {
        keys.push(format!("nb:{name}:{}", b.iso()));
    }
    if valid.email.is_none() && valid.phones.is_empty() && valid.birthday.is_none() {
        let shown = name_key(display_name, "");
        if shown.is_empty() || shown == name {
            keys.push(format!("n:{name}"));
        } else {
            keys.push(format!("n:{name}|{shown}"));
        }
    }
    keys
}

/// Plans every record; `arrived` is called before each record with the numbers read so far
/// (the preview adds that record's numbers from its phone thread); `planned` hears how many are
/// planned so far, after the card file's keys are loaded (1) and after each record (2, 3, …,
/// `records.len() + 1`). Also returns the groups the rows name that the card file does not have
/// yet.
fn plan(
    kartei: &Kartei,
    records: &[Record],
    phones: &mut PhoneCache,
    arrived: &mut dyn FnMut(&mut PhoneCache),
    planned: &mut dyn FnMut(u64),
) -> Result<(Vec<Planned>, Vec<String>)> {
    let known = Known::load(kartei)?;
    planned(1);
    let mut context = Context {
        groups: kartei.groups(),
        new_groups: Vec::new(),
        today: kartei.today(),
        lang: kartei.settings().lang,
    };
    let mut seen = Seen::default();
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        arrived(phones);
        out.push(plan_one(
            kartei,
            &known,
            &mut context,
            &mut seen,
            phones,
            record,
        )?);
        planned(out.len() as u64 + 1);
    }
    Ok((out, context.new_groups))
}

/// The most groups one import creates; a file naming more keeps the rest out (with a warning).
pub const MAX_NEW_GROUPS: usize = 50;
/// The longest group name an import creates.
const MAX_GROUP_NAME: usize = 50;

/// What every row is planned against.
struct Context {
    groups: Vec<Group>,
    /// Groups the file names that the card file does not have yet, in the order first met.
    new_groups: Vec<String>,
    today: chrono::NaiveDate,
    /// The salon's language, for the notes the import writes on cards.
    lang: Lang,
}

/// The import note: one line per kept value under a heading, in the salon's language.
fn import_note(kept: &[super::Kept], lang: Lang) -> Option<String> {
    if kept.is_empty() {
        return None;
    }
    let mut note = Msg::ImportNoteHeading.text(lang);
    for k in kept {
        note.push('\n');
        note.push_str(crate::i18n::import_field_label(&k.field, lang));
        note.push_str(": ");
        note.push_str(&k.value);
    }
    Some(note.chars().take(MAX_NOTE_LEN).collect())
}

fn plan_one(
    kartei: &Kartei,
    known: &Known,
    context: &mut Context,
    seen: &mut Seen,
    phones: &mut PhoneCache,
    record: &Record,
) -> Result<Planned> {
    let mut warnings = Vec::new();
    let mut draft = record.draft.clone();
    if let Some(from) = &record.name_from {
        warnings.push(Msg::ImportNameFrom {
            value: from.clone(),
        });
    }
    draft.groups.retain(|name| {
        if Group::named(&context.groups, name).is_some()
            || context
                .new_groups
                .iter()
                .any(|g| g.to_lowercase() == name.to_lowercase())
        {
            return true;
        }
        if context.new_groups.len() < MAX_NEW_GROUPS && name.chars().count() <= MAX_GROUP_NAME {
            context.new_groups.push(name.clone());
            return true;
        }
        warnings.push(Msg::ImportUnknownGroupDropped { name: name.clone() });
        false
    });
    let mut notes: Vec<String> = record
        .notes
        .iter()
        .map(|n| n.trim().chars().take(MAX_NOTE_LEN).collect::<String>())
        .filter(|n| !n.is_empty())
        .collect();
    let mut pinned = Vec::new();
    if let Some(reason) = &record.blocked {
        warnings.push(Msg::ImportBlocked {
            reason: reason.clone(),
        });
        pinned.push(
            Msg::ImportBlockedNote {
                reason: reason.clone(),
            }
            .text(context.lang),
        );
    }
    let nothing = |action, warnings| Planned {
        action,
        warnings,
        write: Write::Nothing,
        notes: Vec::new(),
        pinned: Vec::new(),
    };
    let invalid = |errors: crate::i18n::FieldErrors| RowAction::Invalid {
        reasons: errors
            .fields()
            .map(|(field, message)| Reason {
                field: field.to_string(),
                message: message.clone(),
            })
            .collect(),
    };
    // A value the card refuses is taken out and kept; the rest of the contact is imported.
    let mut kept = record.kept.clone();
    let valid = match draft.validate_with(context.today, phones) {
        Ok(v) => v,
        Err(errors) => {
            if !super::salvage::take_out(&mut draft, &errors, &mut kept) {
                return Ok(nothing(invalid(errors), warnings));
            }
            match draft.validate_with(context.today, phones) {
                Ok(v) => v,
                Err(errors) => return Ok(nothing(invalid(errors), warnings)),
            }
        }
    };
    for k in &kept {
        let (field, value) = (k.field.clone(), k.value.clone());
        warnings.push(if k.noted_only {
            Msg::ImportValueNoted { field, value }
        } else {
            Msg::ImportValueKept { field, value }
        });
    }
    notes.extend(import_note(&kept, context.lang));

    // The same person earlier in this file?
    let name = name_key(&valid.first_name, &valid.last_name);
    let keys = keys_of(&valid, &record.display_name, &name);
    if let Some(line) = keys.iter().find_map(|k| seen.keys.get(k)) {
        return Ok(nothing(
            RowAction::DuplicateInFile { line: *line },
            warnings,
        ));
    }

    let Some(id) = find(known, &valid, name) else {
        for k in keys {
            seen.keys.insert(k, record.line);
        }
        return Ok(Planned {
            action: RowAction::New,
            warnings,
            write: Write::Create(draft),
            notes,
            pinned,
        });
    };
    if let Some(line) = seen.merged_into.get(&id) {
        return Ok(nothing(
            RowAction::DuplicateInFile { line: *line },
            warnings,
        ));
    }
    seen.merged_into.insert(id, record.line);
    for k in keys {
        seen.keys.insert(k, record.line);
    }

    let current = kartei.customer(id)?;
    let names = crate::card::group_names(&current.groups, &context.groups);
    let existing_notes: Vec<String> = kartei
        .notes(id)?
        .into_iter()
        .map(|n| n.text.trim().to_string())
        .collect();
    let new_notes: Vec<String> = notes
        .into_iter()
        .filter(|n| !existing_notes.contains(n))
        .collect();
    let pinned: Vec<String> = pinned
        .into_iter()
        .filter(|n| !existing_notes.contains(n))
        .collect();
    let (merged, adds, conflicts) = complete(&current, names, &valid);
    let name = current.display_name();
    if adds.is_empty() && new_notes.is_empty() && pinned.is_empty() {
        return Ok(nothing(
            RowAction::Duplicate {
                of: id,
                card_name: name,
            },
            warnings,
        ));
    }
    let mut adds = adds;
    if !new_notes.is_empty() || !pinned.is_empty() {
        adds.push("notes".to_string());
    }
    Ok(Planned {
        action: RowAction::Merge {
            into: id,
            card_name: name,
            adds,
            conflicts,
        },
        warnings,
        write: Write::Update {
            id,
            version: current.version,
            draft: merged,
        },
        notes: new_notes,
        pinned,
    })
}

/// The card this contact is, if any; `name` is its [`name_key`].
fn find(known: &Known, valid: &ValidDraft, name: String) -> Option<CustomerId> {
    if let Some(id) = valid
        .email
        .as_ref()
        .and_then(|e| known.by_email.get(&e.key()))
    {
        return Some(*id);
    }
    if let Some(id) = valid
        .phones
        .iter()
        .find_map(|p| known.by_phone.get(&p.number))
    {
        return Some(*id);
    }
    if name.is_empty() {
        return None;
    }
    if let Some(b) = valid.birthday {
        if let Some(id) = known.by_name_birthday.get(&(name.clone(), b.iso())) {
            return Some(*id);
        }
    }
    if valid.email.is_none() && valid.phones.is_empty() && valid.birthday.is_none() {
        return known.by_name.get(&name).copied();
    }
    None
}

/// The card completed with the contact: empty fields filled, phones and groups added. Returns
/// the new form, the fields it adds to and the fields that differ (the card keeps its value).
fn complete(
    current: &Customer,
    group_names: Vec<String>,
    imported: &ValidDraft,
) -> (CustomerDraft, Vec<String>, Vec<Conflict>) {
    let mut draft = CustomerDraft::from_customer(current, group_names);
    let mut adds = Vec::new();
    let mut conflicts = Vec::new();
    let mut text = |field: &str, target: &mut String, value: &str| {
        if value.is_empty() {
            return;
        }
        if target.trim().is_empty() {
            *target = value.to_string();
            adds.push(field.to_string());
        } else if fold(target) != fold(value) {
            conflicts.push(Conflict {
                field: field.to_string(),
                current: target.clone(),
                imported: value.to_string(),
            });
        }
    };
    text("first_name", &mut draft.first_name, &imported.first_name);
    text("last_name", &mut draft.last_name, &imported.last_name);
    text("company", &mut draft.company, &imported.company);
    text("title", &mut draft.title, &imported.title);
    text("stylist", &mut draft.stylist, &imported.stylist);
    let email = imported
        .email
        .as_ref()
        .map(|e| e.to_string())
        .unwrap_or_default();
    text("email", &mut draft.email, &email);
    let birthday = imported.birthday.map(|b| b.iso()).unwrap_or_default();
    text("birthday", &mut draft.birthday, &birthday);
    if current.address.is_empty() && !imported.address.is_empty() {
        draft.address = imported.address.clone();
        adds.push("address".to_string());
    } else if !imported.address.is_empty()
        && fold(&format!(
            "{}{}{}",
            current.address.street, current.address.postal_code, current.address.city
        )) != fold(&format!(
            "{}{}{}",
            imported.address.street, imported.address.postal_code, imported.address.city
        ))
    {
        let show = |a: &Address| format!("{}, {} {}", a.street, a.postal_code, a.city);
        conflicts.push(Conflict {
            field: "address".to_string(),
            current: show(&current.address),
            imported: show(&imported.address),
        });
    }
    if draft.salutation == Salutation::None && imported.salutation != Salutation::None {
        draft.salutation = imported.salutation;
        adds.push("salutation".to_string());
    }
    if draft.preferred_contact == ContactChannel::None
        && imported.preferred_contact != ContactChannel::None
    {
        draft.preferred_contact = imported.preferred_contact;
        adds.push("preferred_contact".to_string());
    }
    let mut phones_added = false;
    for phone in &imported.phones {
        if !current.phones.iter().any(|p| p.number == phone.number) {
            draft.phones.push(PhoneDraft {
                label: phone.label,
                number: phone.number.clone(),
            });
            phones_added = true;
        }
    }
    if phones_added {
        adds.push("phones".to_string());
    }
    let mut groups_added = false;
    for g in &imported.group_names {
        if !draft
            .groups
            .iter()
            .any(|x| x.to_lowercase() == g.to_lowercase())
        {
            draft.groups.push(g.clone());
            groups_added = true;
        }
    }
    if groups_added {
        adds.push("groups".to_string());
    }
    (draft, adds, conflicts)
}
