//! [`Kartei`]: the one API the faces (server, kiosk, command line) use. It owns the store, the
//! in-memory list rows and the search index of one data folder, and keeps them in step: every
//! change goes through [`Kartei::commit`] (save lock → one durable redb transaction → the rows
//! and the index overlay of the touched cards → change events), so none can skip a step. The
//! store's write methods are `pub(crate)`; other crates get only its readers from
//! [`Kartei::store`].

use crate::audit::{AuditAction, AuditDraft};
use crate::auth::{self, Throttle};
use crate::card::{AppointmentView, CardInput, CustomerCard, CustomerView};
use crate::clock::{Clock, SystemClock};
use crate::error::{CoreError, Result};
use crate::events::Change;
use crate::i18n::{Lang, Msg};
use crate::model::*;
use crate::search::index::{IndexState, TextIndex};
use crate::search::indexer::{self, Indexer};
use crate::search::query::ParsedQuery;
use crate::search::rows::{Row, Rows};
use crate::search::text::DocTerms;
use crate::search::{self, ListContext, SearchPage, SearchRequest};
use crate::settings::Settings;
use crate::stats::{self, Stats};
use crate::store::{BulkCustomer, CustomerFacts, Store};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::broadcast;

mod audit_log;
mod customer_photos;
mod edit;
mod messages;

pub use messages::{
    appointment_text, LeftOut, MailTestReport, NewsletterPreview, NewsletterProgress, Recipient,
    TakenIn,
};

/// The file name of the store inside the data folder.
pub const STORE_FILE: &str = "kartei.redb";
/// The folder of the search index inside the data folder.
pub const INDEX_DIR: &str = "index";
/// How long an erasure waits for reads under way (a backup, an export) before the store's
/// compaction is left for the next start or backup.
pub const COMPACT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);

/// A handle on an open card file; cheap to clone, shared by all faces of the appliance.
#[derive(Clone)]
pub struct Kartei {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    store: Arc<Store>,
    index: Arc<TextIndex>,
    indexer: Indexer,
    rows: RwLock<Rows>,
    groups: RwLock<Vec<Group>>,
    settings: RwLock<Settings>,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<Change>,
    /// Serializes saves so that rows and overlay are updated in commit order.
    save_lock: Mutex<()>,
    throttle: Throttle,
    /// The photo files under `<data>/photos/`.
    photo_files: crate::photos::files::PhotoFiles,
    /// How many uploads are decoded at once (memory).
    photo_work: crate::photos::WorkSlots,
    /// Backup status and the one-run-at-a-time lock.
    backups: crate::backup::automatic::Runner,
    /// When each (person, card) view was last logged (see [`crate::audit::VIEW_LOG_WINDOW`]).
    logged_views: Mutex<std::collections::HashMap<(String, CustomerId), DateTime<Utc>>>,
    /// The mail thread's wake-ups and status (the thread itself runs only in the appliance).
    mail: Arc<crate::mail::worker::Shared>,
}

/// What opening found and did, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenReport {
    pub customers: usize,
    /// The index was missing or corrupt and was rebuilt.
    pub rebuilt_index: bool,
    /// Changes the index had not seen and that were queued for it.
    pub caught_up: usize,
    /// Photo files no row refers to (left by a crash mid-save or mid-delete), removed.
    pub orphan_photo_files: usize,
}

/// What a booking did to the card file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpsertOutcome {
    Created,
    Completed,
    Unchanged,
}

fn lock<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|p| p.into_inner())
}

fn lock_mut<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|p| p.into_inner())
}

impl Kartei {
    /// Opens the card file in `dir` (created if missing) with the wall clock.
    pub fn open(dir: &Path) -> Result<(Kartei, OpenReport)> {
        Kartei::open_with_clock(dir, Arc::new(SystemClock))
    }

    pub fn open_with_clock(dir: &Path, clock: Arc<dyn Clock>) -> Result<(Kartei, OpenReport)> {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::DataDir {
            dir: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        crate::model::values::warm_up_phone_rules();
        let store = Arc::new(Store::open(&dir.join(STORE_FILE))?);
        // An erasure whose compaction a long read kept waiting: nobody reads yet.
        store.compact_if_owed(COMPACT_PATIENCE)?;
        let settings = store.settings()?;
        let throttle = store.throttle()?;
        let groups = store.groups()?;
        let all_rows = load_rows(&store)?;
        let (index, state) = TextIndex::open(&dir.join(INDEX_DIR))?;
        let index = Arc::new(index);
        let last_change = store.last_change()?;
        let mut report = OpenReport {
            customers: all_rows.len(),
            rebuilt_index: false,
            caught_up: 0,
            orphan_photo_files: 0,
        };
        match state {
            IndexState::Empty => {
                rebuild_index(&store, &index, last_change)?;
                report.rebuilt_index = true;
            }
            IndexState::Seen(seen) if seen < last_change => {
                // Searchable at once through the overlay; the indexer commits them shortly.
                for (seq, id) in store.changes_since(seen, usize::MAX)? {
                    index.stage(id, seq, store.facts(id)?.as_ref().map(terms_of));
                    report.caught_up += 1;
                }
            }
            IndexState::Seen(_) => {}
        }
        if let Ok(seen) = index.seen() {
            if report.caught_up == 0 && seen > 0 {
                store.prune_changes(seen)?;
            }
        }
        let photo_files = crate::photos::files::PhotoFiles::open(dir)?;
        report.orphan_photo_files = photo_files.clean_orphans(&store.photo_hashes()?)?;
        let rows = Rows::new(all_rows);
        let indexer = Indexer::start(store.clone(), index.clone())?;
        if report.caught_up > 0 {
            indexer.notify();
        }
        let (events, _) = broadcast::channel(1024);
        let kartei = Kartei {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                store,
                index,
                indexer,
                rows: RwLock::new(rows),
                groups: RwLock::new(groups),
                settings: RwLock::new(settings),
                clock,
                events,
                save_lock: Mutex::new(()),
                throttle: Throttle::from_state(throttle),
                photo_files,
                photo_work: crate::photos::WorkSlots::new(2),
                backups: crate::backup::automatic::Runner::open(dir),
                logged_views: Mutex::new(Default::default()),
                mail: Default::default(),
            }),
        };
        Ok((kartei, report))
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.dir
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.inner.clock.today()
    }

    /// Live change notifications.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.inner.events.subscribe()
    }

    /// The store, for bulk readers (export, import, tests). Only its readers are public: every
    /// write goes through a `Kartei` method and so through [`Kartei::commit`].
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    // ---- settings and groups --------------------------------------------------------------

    pub fn settings(&self) -> Settings {
        lock(&self.inner.settings).clone()
    }

    /// How long a phone session lasts without a request ([`Settings::session_idle`]), without
    /// copying the whole settings: the LAN server asks at every request.
    pub fn session_idle(&self) -> std::time::Duration {
        lock(&self.inner.settings).session_idle()
    }

    pub fn set_settings(&self, settings: Settings) -> Result<()> {
        self.commit(|store| {
            store.put_settings(&settings)?;
            *lock_mut(&self.inner.settings) = settings;
            Ok(((), Written::default().announce(Change::CatalogChanged)))
        })
    }

    pub fn groups(&self) -> Vec<Group> {
        lock(&self.inner.groups).clone()
    }

    /// The id of the group called `name` (any case), or [`Msg::UnknownGroup`] on the field
    /// `group` (list filters and exports by group name).
    pub fn group_id_named(&self, name: &str) -> Result<GroupId> {
        Group::named(&lock(&self.inner.groups), name)
            .map(|g| g.id)
            .ok_or_else(|| CoreError::invalid("group", Msg::UnknownGroup { name: name.into() }))
    }

    pub fn create_group(&self, name: &str) -> Result<Group> {
        self.commit(|store| {
            let group = store.create_group(name)?;
            lock_mut(&self.inner.groups).push(group.clone());
            Ok((group, Written::default().announce(Change::CatalogChanged)))
        })
    }

    // ---- customers ------------------------------------------------------------------------

    pub fn customer(&self, id: CustomerId) -> Result<Customer> {
        self.inner.store.customer(id)
    }

    pub fn customer_view(&self, id: CustomerId) -> Result<CustomerView> {
        Ok(CustomerView::new(&self.customer(id)?, &self.groups()))
    }

    pub fn customer_count(&self) -> usize {
        lock(&self.inner.rows).len()
    }

    pub fn create_customer(
        &self,
        draft: &CustomerDraft,
        source: Source,
        actor: &str,
    ) -> Result<Customer> {
        let valid = draft.validate(self.today()).map_err(CoreError::Invalid)?;
        self.commit(|store| {
            let (customer, seq) =
                store.create_customer(valid, source, actor, self.now(), self.today())?;
            let id = customer.id;
            let written = Written::card(id, seq, Change::CustomerCreated(id))
                .audit(AuditDraft::new(actor, AuditAction::Created, Some(id)));
            Ok((customer, written))
        })
    }

    /// Saves an edit made on `version`; refused with [`CoreError::Conflict`] if somebody saved
    /// in between.
    pub fn update_customer(
        &self,
        id: CustomerId,
        version: u64,
        draft: &CustomerDraft,
        actor: &str,
    ) -> Result<Customer> {
        let valid = draft.validate(self.today()).map_err(CoreError::Invalid)?;
        self.commit(|store| {
            let before = store.customer(id)?;
            let (customer, seq) = store.update_customer(id, version, valid, actor, self.now())?;
            let fields = crate::audit::changed_fields(
                &serde_json::to_value(&before)?,
                &serde_json::to_value(&customer)?,
            );
            let written = Written::card(id, seq, Change::CustomerChanged(id))
                .audit(AuditDraft::new(actor, AuditAction::Changed, Some(id)).with_detail(fields));
            Ok((customer, written))
        })
    }

    /// Erases the customer and everything about them (GDPR Art. 17), from store and index;
    /// the audit log keeps that `by` erased the card (by id only).
    ///
    /// Returns only once the erasure is real on disk: the id is in the erased list (backups
    /// carry it), the photo files are gone, the index's segments that held the card are
    /// rewritten without it and the store file is compacted ([`Kartei::scrub_erased`]).
    pub fn delete_customer(&self, id: CustomerId, by: &str) -> Result<()> {
        self.commit(|store| {
            let (seq, freed) = store.delete_customer(id, self.now())?;
            self.remove_photo_files(&freed);
            let written = Written::card(id, seq, Change::CustomerDeleted(id))
                .audit(AuditDraft::new(by, AuditAction::Erased, Some(id)));
            Ok(((), written))
        })?;
        self.scrub_erased()
    }

    /// After an erasure or anonymisation has committed: makes sure no file of the data folder
    /// still holds the person. The index commits the deletion and rewrites the segments that
    /// hold deleted documents (their old files are removed); the store is compacted, so no
    /// freed page keeps the old records. Takes a moment on a big card file (see README,
    /// "Löschen"); the faces call it off their UI thread. If a long read (a backup, an export)
    /// keeps the store busy past [`COMPACT_PATIENCE`], the compaction is owed and done at the
    /// next start or backup.
    pub(crate) fn scrub_erased(&self) -> Result<()> {
        self.flush_index()?;
        self.inner.index.purge_deleted()?;
        self.inner.store.compact(COMPACT_PATIENCE)?;
        Ok(())
    }

    /// A booking arrived with a customer's data: complete the card found by e-mail or phone
    /// (only empty fields are filled, nothing is overwritten), or create one.
    pub fn upsert_from_booking(
        &self,
        draft: &CustomerDraft,
        actor: &str,
    ) -> Result<(Customer, UpsertOutcome)> {
        let valid = draft.validate(self.today()).map_err(CoreError::Invalid)?;
        let existing = {
            let rows = lock(&self.inner.rows);
            valid
                .email
                .as_ref()
                .and_then(|e| rows.find_by_email(e.as_str()))
                .or_else(|| {
                    valid
                        .phones
                        .iter()
                        .find_map(|p| rows.find_by_phone(&p.number))
                })
        };
        let Some(id) = existing else {
            let customer = self.create_customer(draft, Source::Booking, actor)?;
            return Ok((customer, UpsertOutcome::Created));
        };
        let current = self.customer(id)?;
        let group_names = crate::card::group_names(&current.groups, &self.groups());
        let mut merged = CustomerDraft::from_customer(&current, group_names);
        let before = merged.clone();
        fill(&mut merged.first_name, &valid.first_name);
        fill(&mut merged.last_name, &valid.last_name);
        fill(&mut merged.company, &valid.company);
        if merged.email.is_empty() {
            merged.email = valid
                .email
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_default();
        }
        for phone in &valid.phones {
            if !current.phones.iter().any(|p| p.number == phone.number) {
                merged.phones.push(PhoneDraft {
                    label: phone.label,
                    number: phone.number.clone(),
                });
            }
        }
        if merged.birthday.is_empty() {
            merged.birthday = valid.birthday.map(|b| b.iso()).unwrap_or_default();
        }
        if current.address.is_empty() && !valid.address.is_empty() {
            merged.address = valid.address.clone();
        }
        if merged == before {
            return Ok((current, UpsertOutcome::Unchanged));
        }
        let customer = self.update_customer(id, current.version, &merged, actor)?;
        Ok((customer, UpsertOutcome::Completed))
    }

    /// Searches, filters, sorts and pages the customer list.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchPage> {
        let limit = match request.limit {
            0 => search::DEFAULT_PAGE,
            n => n.min(search::MAX_PAGE),
        };
        self.search_limited(request, limit)
    }

    fn search_limited(&self, request: &SearchRequest, limit: usize) -> Result<SearchPage> {
        let query = ParsedQuery::parse(&request.q);
        let matched = if query.is_empty() {
            None
        } else {
            let exact = self.inner.index.matches(&query, false)?;
            let fuzzy = if query.has_fuzzy() && exact.len() < search::TYPO_RESCUE_BELOW {
                let exact_set: std::collections::HashSet<CustomerId> =
                    exact.iter().copied().collect();
                let mut all = self.inner.index.matches(&query, true)?;
                all.retain(|id| !exact_set.contains(id));
                all
            } else {
                Vec::new()
            };
            Some((exact, fuzzy))
        };
        let groups = lock(&self.inner.groups);
        let settings = lock(&self.inner.settings);
        let ctx = ListContext {
            now: self.now(),
            no_visit_days: settings.no_visit_days,
            groups: &groups,
        };
        let rows = lock(&self.inner.rows);
        search::page_of(&rows, matched, request, &ctx, limit)
    }

    /// Every customer the list would show for `request`, in its order, without paging
    /// (filtered exports).
    pub fn search_all(&self, request: &SearchRequest) -> Result<Vec<CustomerId>> {
        let request = SearchRequest {
            cursor: None,
            ..request.clone()
        };
        let page = self.search_limited(&request, usize::MAX)?;
        Ok(page.items.iter().map(|i| i.id).collect())
    }

    /// The whole card of one customer.
    pub fn card(&self, id: CustomerId, lang: Lang) -> Result<CustomerCard> {
        let store = &self.inner.store;
        let customer = store.customer(id)?;
        let services = store.services()?;
        let groups = self.groups();
        let settings = self.settings();
        Ok(CustomerCard::build(CardInput {
            customer: &customer,
            notes: store.notes(id)?,
            patch_tests: store.patch_tests(id)?,
            appointments: store.appointments_of(id)?,
            services: &services,
            groups: &groups,
            now: self.now(),
            today: self.today(),
            patch_test_validity_months: settings.patch_test_validity_months,
            photo_count: store.photo_count(id)?,
            messages: store.messages_of(id)?,
            lang,
        }))
    }

    pub fn stats(&self) -> Stats {
        let groups = lock(&self.inner.groups);
        let settings = lock(&self.inner.settings);
        let ctx = ListContext {
            now: self.now(),
            no_visit_days: settings.no_visit_days,
            groups: &groups,
        };
        stats::compute(&lock(&self.inner.rows), &ctx, self.today())
    }

    // ---- notes and patch tests ------------------------------------------------------------

    pub fn notes(&self, customer: CustomerId) -> Result<Vec<Note>> {
        self.inner.store.notes(customer)
    }

    pub fn add_note(&self, customer: CustomerId, draft: &NoteDraft, author: &str) -> Result<Note> {
        draft.validate().map_err(CoreError::Invalid)?;
        self.commit(|store| {
            let (note, seq) = store.add_note(customer, draft, author, self.now())?;
            let written = Written::card(customer, seq, Change::CustomerChanged(customer))
                .audit(note_written(author, &note));
            Ok((note, written))
        })
    }

    /// Saves an edited note; `by` is who edited it (the audit log).
    pub fn update_note(&self, id: NoteId, draft: &NoteDraft, by: &str) -> Result<Note> {
        draft.validate().map_err(CoreError::Invalid)?;
        self.commit(|store| {
            let (note, seq) = store.update_note(id, draft, self.now())?;
            let customer = note.customer_id;
            let written = Written::card(customer, seq, Change::CustomerChanged(customer))
                .audit(note_written(by, &note));
            Ok((note, written))
        })
    }

    pub fn delete_note(&self, id: NoteId, by: &str) -> Result<()> {
        let kind = self.inner.store.note(id)?.kind;
        self.commit(|store| {
            let (customer, seq) = store.delete_note(id)?;
            let written = Written::card(customer, seq, Change::CustomerChanged(customer)).audit(
                AuditDraft::new(by, AuditAction::NoteWritten, Some(customer))
                    .with_detail(format!("{} (deleted)", kind.key())),
            );
            Ok(((), written))
        })
    }

    pub fn add_patch_test(
        &self,
        customer: CustomerId,
        draft: &PatchTestDraft,
        by: &str,
    ) -> Result<PatchTest> {
        draft.validate(self.today()).map_err(CoreError::Invalid)?;
        self.commit(|store| {
            // Patch tests are not in the list rows or the index: nothing to refresh.
            let test = store.add_patch_test(customer, draft, by, self.today())?;
            Ok((
                test,
                Written::default().announce(Change::CustomerChanged(customer)),
            ))
        })
    }

    // ---- services and appointments ---------------------------------------------------------

    pub fn services(&self) -> Result<Vec<Service>> {
        self.inner.store.services()
    }

    pub fn create_service(&self, draft: &ServiceDraft) -> Result<Service> {
        self.commit(|store| {
            let service = store.create_service(draft)?;
            Ok((service, Written::default().announce(Change::CatalogChanged)))
        })
    }

    pub fn appointment(&self, id: AppointmentId) -> Result<AppointmentView> {
        let a = self.inner.store.appointment(id)?;
        self.appointment_view(&a)
    }

    fn appointment_view(&self, a: &Appointment) -> Result<AppointmentView> {
        let name = self
            .customer(a.customer_id)
            .map(|c| c.display_name())
            .unwrap_or_default();
        Ok(AppointmentView::new(a, &name, &self.services()?))
    }

    pub fn appointments_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<AppointmentView>> {
        let mut errors = crate::i18n::FieldErrors::default();
        for (field, time) in [("from", from), ("to", to)] {
            if let Err(msg) = crate::model::values::check_time(time) {
                errors.add(field, msg);
            }
        }
        errors.into_result()?;
        let services = self.services()?;
        let rows = lock(&self.inner.rows);
        Ok(self
            .inner
            .store
            .appointments_between(from, to)?
            .iter()
            .map(|a| {
                let name = rows
                    .get(a.customer_id)
                    .map(|r| display_name(&r.first_name, &r.last_name, &r.company))
                    .unwrap_or_default();
                AppointmentView::new(a, &name, &services)
            })
            .collect())
    }
}

/// The longest time range one appointment list may span (a year and a day).
pub const MAX_APPOINTMENT_DAYS: i64 = 366;
/// The most appointments one page holds.
pub const MAX_APPOINTMENT_PAGE: usize = 500;

/// A page of appointments ([`Kartei::appointments_page`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AppointmentPage {
    pub items: Vec<AppointmentView>,
    /// Pass as `cursor` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// `START_ID` (a page's `next_cursor`) → the key it names.
fn parse_appointment_cursor(cursor: &str) -> Option<(i64, u64)> {
    let (start, id) = cursor.split_once('_')?;
    Some((start.parse().ok()?, id.parse().ok()?))
}

impl Kartei {
    /// One page of the appointments starting in `from..to` (at most
    /// [`MAX_APPOINTMENT_DAYS`] days), soonest first: at most `limit` (1–[`MAX_APPOINTMENT_PAGE`],
    /// 0 for the default 200) from `cursor` (a previous page's `next_cursor`) on.
    pub fn appointments_page(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<AppointmentPage> {
        let mut errors = crate::i18n::FieldErrors::default();
        for (field, time) in [("from", from), ("to", to)] {
            if let Err(msg) = crate::model::values::check_time(time) {
                errors.add(field, msg);
            }
        }
        errors.into_result()?;
        if to < from {
            return Err(CoreError::invalid("to", Msg::EndBeforeStart));
        }
        if to - from > chrono::Duration::days(MAX_APPOINTMENT_DAYS) {
            return Err(CoreError::invalid(
                "to",
                Msg::RangeTooLong {
                    days: MAX_APPOINTMENT_DAYS as u64,
                },
            ));
        }
        if limit > MAX_APPOINTMENT_PAGE {
            return Err(CoreError::invalid(
                "limit",
                Msg::TooMany {
                    max: MAX_APPOINTMENT_PAGE,
                },
            ));
        }
        let limit = if limit == 0 { 200 } else { limit };
        let at = match cursor {
            None | Some("") => None,
            Some(c) => Some(
                parse_appointment_cursor(c)
                    .ok_or_else(|| CoreError::invalid("cursor", Msg::InvalidInput))?,
            ),
        };
        let (list, next) = self.inner.store.appointments_page(from, to, at, limit)?;
        let services = self.services()?;
        let rows = lock(&self.inner.rows);
        let items = list
            .iter()
            .map(|a| {
                let name = rows
                    .get(a.customer_id)
                    .map(|r| display_name(&r.first_name, &r.last_name, &r.company))
                    .unwrap_or_default();
                AppointmentView::new(a, &name, &services)
            })
            .collect();
        Ok(AppointmentPage {
            items,
            next_cursor: next.map(|(start, id)| format!("{start}_{id}")),
        })
    }

    pub fn create_appointment(&self, draft: &AppointmentDraft) -> Result<AppointmentView> {
        self.save_appointment(None, draft)
    }

    pub fn update_appointment(
        &self,
        id: AppointmentId,
        draft: &AppointmentDraft,
    ) -> Result<AppointmentView> {
        self.save_appointment(Some(id), draft)
    }

    fn save_appointment(
        &self,
        id: Option<AppointmentId>,
        draft: &AppointmentDraft,
    ) -> Result<AppointmentView> {
        let appt = self.commit(|store| {
            let (appt, touched) = store.save_appointment(id, draft, self.now())?;
            let mut written = Written::default();
            for (customer, seq) in touched {
                written = written
                    .refresh(customer, seq)
                    .announce(Change::CustomerChanged(customer));
            }
            Ok((appt, written))
        })?;
        self.appointment_view(&appt)
    }

    pub fn delete_appointment(&self, id: AppointmentId) -> Result<()> {
        self.commit(|store| {
            let (customer, seq) = store.delete_appointment(id)?;
            Ok((
                (),
                Written::card(customer, seq, Change::CustomerChanged(customer)),
            ))
        })
    }

    // ---- staff ----------------------------------------------------------------------------

    pub fn staff(&self) -> Result<Vec<Staff>> {
        self.inner.store.staff()
    }

    /// The staff member called `name` (any case), if there is one (session checks).
    pub fn staff_member(&self, name: &str) -> Result<Option<Staff>> {
        self.inner.store.staff_member(name)
    }

    pub fn add_staff(&self, name: &str, pin: &str, role: Role) -> Result<Staff> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(CoreError::invalid("name", Msg::Required));
        }
        check_pin_format(pin).map_err(|m| CoreError::invalid("pin", m))?;
        let staff = Staff {
            name: name.to_string(),
            role,
            pin_hash: auth::hash_pin(pin)?,
            created_at: self.now(),
        };
        self.commit(|store| {
            store.add_staff(&staff)?;
            Ok((staff, Written::default()))
        })
    }

    pub fn remove_staff(&self, name: &str) -> Result<()> {
        self.commit(|store| Ok((store.remove_staff(name)?, Written::default())))
    }

    /// Checks a staff member's PIN, throttled per `client` (a phone's address, or "kiosk") and
    /// per name from that client. An unknown name costs as long as a known one. The throttle's
    /// state is saved, so a restart does not reset it.
    pub fn verify_pin(&self, name: &str, pin: &str, client: &str) -> Result<Staff> {
        let now = self.now();
        self.inner.throttle.check(client, name, now)?;
        let member = self.inner.store.staff_member(name)?;
        let hash = member
            .as_ref()
            .map_or(auth::dummy_hash(), |m| m.pin_hash.as_str());
        let right = auth::verify_pin(pin, hash);
        match member {
            Some(staff) if right => {
                if let Some(state) = self.inner.throttle.succeed(client, name) {
                    self.save_throttle(&state)?;
                }
                Ok(staff)
            }
            _ => {
                let state = self.inner.throttle.fail(client, name, now);
                self.save_throttle(&state)?;
                Err(CoreError::WrongPin)
            }
        }
    }

    fn save_throttle(&self, state: &auth::ThrottleState) -> Result<()> {
        self.commit(|store| Ok((store.put_throttle(state)?, Written::default())))
    }

    // ---- bulk and maintenance --------------------------------------------------------------

    /// Writes many complete customers in one durable transaction (demo data, imports) and
    /// makes them searchable.
    pub fn bulk_insert(&self, batch: Vec<BulkCustomer>) -> Result<Vec<CustomerId>> {
        self.commit(|store| {
            let created = store.bulk_insert(batch)?;
            let mut written = Written::default();
            for (id, seq) in &created {
                written = written
                    .refresh(*id, *seq)
                    .announce(Change::CustomerCreated(*id));
            }
            Ok((created.into_iter().map(|(id, _)| id).collect(), written))
        })
    }

    /// Commits everything saved so far to the search index and waits for it.
    pub fn flush_index(&self) -> Result<()> {
        self.inner.indexer.flush()
    }

    /// Rebuilds the search index from the store.
    pub fn reindex(&self) -> Result<usize> {
        // The save lock, so that no save lands between the rebuild and the new rows.
        let _guard = self.save_guard();
        let store = &self.inner.store;
        rebuild_index(store, &self.inner.index, store.last_change()?)?;
        let rows = load_rows(store)?;
        let count = rows.len();
        *lock_mut(&self.inner.rows) = Rows::new(rows);
        Ok(count)
    }

    /// Changes waiting for the next index commit (searchable through the overlay meanwhile).
    pub fn pending_index_changes(&self) -> usize {
        self.inner.index.pending()
    }

    /// Commits what the index has not seen, synchronously (used by `kartei reindex` checks).
    pub fn catch_up_index(&self) -> Result<()> {
        indexer::catch_up(&self.inner.store, &self.inner.index)
    }

    // ---- the one write path ---------------------------------------------------------------

    /// Every change goes through here: under the save lock, `write` makes one durable store
    /// transaction (and may do what belongs to it, such as removing freed photo files); then the
    /// list rows and index overlay of every card it names are brought up to date, and its
    /// changes are announced. An error from `write` changes nothing and announces nothing.
    pub(crate) fn commit<T>(
        &self,
        write: impl FnOnce(&Store) -> Result<(T, Written)>,
    ) -> Result<T> {
        self.commit_reporting(write, |_| {})
    }

    /// [`Kartei::commit`] that tells `refreshed` how many cards are up to date so far (progress
    /// bars of large imports).
    pub(crate) fn commit_reporting<T>(
        &self,
        write: impl FnOnce(&Store) -> Result<(T, Written)>,
        mut refreshed: impl FnMut(usize),
    ) -> Result<T> {
        let _guard = self.save_guard();
        let (out, written) = write(&self.inner.store)?;
        // Right after the change, under the same lock: the log is in the order of the changes.
        self.inner.store.append_audit(&written.audit, self.now())?;
        for (done, (id, seq)) in written.cards.iter().enumerate() {
            self.refresh_card(*id, *seq)?;
            refreshed(done + 1);
        }
        if !written.cards.is_empty() {
            self.inner.indexer.notify();
        }
        for change in written.changes {
            let _ = self.inner.events.send(change);
        }
        Ok(out)
    }

    /// `pick` of every list row that it picks, with the row's customer (passes over all
    /// customers without reading the store: retention review).
    pub(crate) fn rows_where<T>(&self, pick: impl Fn(&Row) -> Option<T>) -> Vec<(T, CustomerId)> {
        lock(&self.inner.rows)
            .iter()
            .filter_map(|row| pick(row).map(|t| (t, row.id)))
            .collect()
    }

    /// The backup status and run lock (the methods are in `crate::backup::automatic`).
    pub(crate) fn backup_runner(&self) -> &crate::backup::automatic::Runner {
        &self.inner.backups
    }

    /// Tells the faces about a change that is not a store write (backup status).
    pub(crate) fn announce(&self, change: Change) {
        let _ = self.inner.events.send(change);
    }

    fn save_guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.inner
            .save_lock
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// After a durable save: bring the customer's row and search terms up to date (the caller,
    /// [`Kartei::commit_reporting`], then wakes the indexer once).
    fn refresh_card(&self, id: CustomerId, seq: u64) -> Result<()> {
        let facts = self.inner.store.facts(id)?;
        let mut rows = lock_mut(&self.inner.rows);
        match &facts {
            Some(f) => rows.upsert(Row::from_facts(f)),
            None => rows.remove(id),
        }
        drop(rows);
        self.inner
            .index
            .stage(id, seq, facts.as_ref().map(terms_of));
        Ok(())
    }
}

/// What a write inside [`Kartei::commit`] did: the cards whose list row and search terms
/// changed (with the change sequence the store gave the write) and the events to announce.
#[derive(Debug, Default)]
#[must_use]
pub(crate) struct Written {
    cards: Vec<(CustomerId, u64)>,
    changes: Vec<Change>,
    audit: Vec<AuditDraft>,
}

impl Written {
    /// One card changed: refresh it and announce `change`.
    pub(crate) fn card(id: CustomerId, seq: u64, change: Change) -> Written {
        Written::default().refresh(id, seq).announce(change)
    }

    pub(crate) fn refresh(mut self, id: CustomerId, seq: u64) -> Written {
        self.cards.push((id, seq));
        self
    }

    pub(crate) fn announce(mut self, change: Change) -> Written {
        self.changes.push(change);
        self
    }

    /// Logs who did what (the audit log), right after the change.
    pub(crate) fn audit(mut self, entry: AuditDraft) -> Written {
        self.audit.push(entry);
        self
    }
}

/// The audit entry of a note written by `by`: its kind, never its text.
fn note_written(by: &str, note: &Note) -> AuditDraft {
    AuditDraft::new(by, AuditAction::NoteWritten, Some(note.customer_id))
        .with_detail(note.kind.key())
}

fn load_rows(store: &Store) -> Result<Vec<Row>> {
    let mut rows = Vec::with_capacity(store.customer_count()? as usize);
    store.for_each_facts(|facts| {
        rows.push(Row::from_facts(&facts));
        Ok(())
    })?;
    Ok(rows)
}

fn rebuild_index(store: &Store, index: &TextIndex, seq: u64) -> Result<()> {
    index.rebuild(
        |add: &mut dyn FnMut(CustomerId, DocTerms) -> Result<()>| {
            store.for_each_facts(|facts| add(facts.customer.id, terms_of(&facts)))
        },
        seq,
    )
}

fn terms_of(facts: &CustomerFacts) -> DocTerms {
    DocTerms::of(
        &facts.customer,
        facts.appointments.iter().map(|(start, _)| *start),
    )
}

fn fill(target: &mut String, value: &str) {
    if target.trim().is_empty() && !value.is_empty() {
        *target = value.to_string();
    }
}
