//! The customer list as a lazy `slint::Model`: it knows the number of matches and fetches pages
//! of [`PAGE_SIZE`] rows from `Kartei::search` with its keyset cursor only when the list view
//! asks for a row, and keeps at most [`MAX_CACHED_PAGES`] pages in memory. Cursors of pages seen
//! are remembered (a few bytes each), so scrolling back needs one search, and a jump far down
//! walks forward in steps of [`WALK_PAGES`] pages.

use super::format::customer_row;
use super::ui::{CustomerRow, ListAdapter, MainWindow};
use super::worker::Worker;
use kartei_core::search::{SearchPage, SearchRequest, MAX_PAGE};
use kartei_core::{Kartei, Lang};
use slint::{ComponentHandle, Model, ModelNotify, ModelTracker};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet, VecDeque};

/// Rows per page: about ten screens of the 1280×800 list.
pub const PAGE_SIZE: usize = 100;
/// Pages kept in memory; the least recently used one is dropped beyond this.
pub const MAX_CACHED_PAGES: usize = 4;
/// Pages skipped per search when walking to a far page (the core's page limit).
pub const WALK_PAGES: usize = MAX_PAGE / PAGE_SIZE;

/// One fetched page, converted for the UI (done off the UI thread).
pub struct FetchedPage {
    pub generation: u64,
    pub index: usize,
    pub rows: Vec<CustomerRow>,
    /// Cursors learned on the way: (page index, cursor that fetches it).
    pub cursors: Vec<(usize, String)>,
    pub total: usize,
}

/// Fetches page `target` of `request`, starting from page `from` whose cursor is `cursor`.
pub fn fetch_page(
    kartei: &Kartei,
    request: &SearchRequest,
    generation: u64,
    from: usize,
    cursor: Option<String>,
    target: usize,
    lang: Lang,
) -> kartei_core::Result<FetchedPage> {
    let mut at = from;
    let mut cursor = cursor;
    let mut cursors = Vec::new();
    let mut total = 0;
    while at < target {
        let step = (target - at).min(WALK_PAGES);
        let page = search(kartei, request, cursor.take(), step * PAGE_SIZE)?;
        total = page.total;
        let Some(next) = page.next_cursor else {
            // The list got shorter meanwhile: nothing at the target.
            return Ok(FetchedPage {
                generation,
                index: target,
                rows: Vec::new(),
                cursors,
                total,
            });
        };
        at += step;
        cursors.push((at, next.clone()));
        cursor = Some(next);
    }
    let page = search(kartei, request, cursor, PAGE_SIZE)?;
    if let Some(next) = &page.next_cursor {
        cursors.push((target + 1, next.clone()));
    }
    Ok(FetchedPage {
        generation,
        index: target,
        rows: page.items.iter().map(|i| customer_row(i, lang)).collect(),
        cursors,
        total: page.total.max(total),
    })
}

fn search(
    kartei: &Kartei,
    request: &SearchRequest,
    cursor: Option<String>,
    limit: usize,
) -> kartei_core::Result<SearchPage> {
    kartei.search(&SearchRequest {
        cursor,
        limit,
        ..request.clone()
    })
}

struct State {
    request: SearchRequest,
    total: usize,
    /// Page index → the cursor that fetches it (page 0 needs none).
    cursors: HashMap<usize, String>,
    /// Cached pages, least recently used first.
    pages: VecDeque<(usize, Vec<CustomerRow>)>,
    /// Pages asked of the worker and not back yet.
    pending: HashSet<usize>,
}

/// Where the model gets pages from.
pub struct Source {
    pub kartei: Kartei,
    pub worker: Worker,
    pub lang: Lang,
    /// The window to send background results to; `None` fetches inline (benchmarks).
    pub window: Option<slint::Weak<MainWindow>>,
}

pub struct CustomerListModel {
    source: Source,
    state: RefCell<State>,
    lang: Cell<Lang>,
    generation: Cell<u64>,
    notify: ModelNotify,
    /// Pages fetched since the last reset (for the benchmark's report).
    pub pages_loaded: Cell<usize>,
}

impl CustomerListModel {
    pub fn new(source: Source) -> CustomerListModel {
        CustomerListModel {
            lang: Cell::new(source.lang),
            source,
            state: RefCell::new(State {
                request: SearchRequest::default(),
                total: 0,
                cursors: HashMap::new(),
                pages: VecDeque::new(),
                pending: HashSet::new(),
            }),
            generation: Cell::new(0),
            notify: ModelNotify::default(),
            pages_loaded: Cell::new(0),
        }
    }

    /// Starts a new search: returns its generation; results of older ones are ignored.
    pub fn begin(&self, request: SearchRequest, lang: Lang) -> u64 {
        self.lang.set(lang);
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        self.state.borrow_mut().request = request;
        generation
    }

    pub fn request(&self) -> SearchRequest {
        self.state.borrow().request.clone()
    }

    pub fn generation(&self) -> u64 {
        self.generation.get()
    }

    /// Replaces the whole list with the first page of a new search.
    pub fn reset(&self, first: FetchedPage) {
        if first.generation != self.generation.get() {
            return;
        }
        {
            let mut state = self.state.borrow_mut();
            state.total = first.total;
            state.cursors = first.cursors.into_iter().collect();
            state.pages.clear();
            state.pending.clear();
            state.pages.push_back((0, first.rows));
        }
        self.pages_loaded.set(1);
        self.notify.reset();
    }

    /// Takes a page that came back from the worker.
    pub fn receive(&self, page: FetchedPage) {
        if page.generation != self.generation.get() {
            return;
        }
        let index = page.index;
        let rows = page.rows.len();
        self.insert(page);
        let first = index * PAGE_SIZE;
        for row in first..first + rows {
            self.notify.row_changed(row);
        }
    }

    fn insert(&self, page: FetchedPage) {
        let mut state = self.state.borrow_mut();
        state.pending.remove(&page.index);
        state.cursors.extend(page.cursors);
        state.pages.retain(|(i, _)| *i != page.index);
        state.pages.push_back((page.index, page.rows));
        while state.pages.len() > MAX_CACHED_PAGES {
            state.pages.pop_front();
        }
        self.pages_loaded.set(self.pages_loaded.get() + 1);
    }

    /// Pages held in memory right now (never more than [`MAX_CACHED_PAGES`]).
    pub fn cached_pages(&self) -> usize {
        self.state.borrow().pages.len()
    }

    pub fn total(&self) -> usize {
        self.state.borrow().total
    }

    /// Drops the cached rows so that they are fetched again (after a live change).
    pub fn invalidate(&self) {
        let mut state = self.state.borrow_mut();
        state.pages.clear();
        state.pending.clear();
    }

    fn cached(&self, row: usize) -> Option<CustomerRow> {
        let index = row / PAGE_SIZE;
        let mut state = self.state.borrow_mut();
        let at = state.pages.iter().position(|(i, _)| *i == index)?;
        let page = state.pages.remove(at)?;
        let found = page.1.get(row % PAGE_SIZE).cloned();
        state.pages.push_back(page);
        found
    }

    /// The nearest page at or before `index` whose cursor is known.
    fn start_for(&self, index: usize) -> (usize, Option<String>) {
        let state = self.state.borrow();
        (1..=index)
            .rev()
            .find_map(|i| state.cursors.get(&i).map(|c| (i, Some(c.clone()))))
            .unwrap_or((0, None))
    }

    fn load(&self, index: usize) {
        let (from, cursor) = self.start_for(index);
        let request = self.state.borrow().request.clone();
        let generation = self.generation.get();
        let (kartei, lang) = (self.source.kartei.clone(), self.lang.get());
        let fetch = move || fetch_page(&kartei, &request, generation, from, cursor, index, lang);
        let window = self.source.window.as_ref().and_then(|w| w.upgrade());
        match window {
            Some(ui) if !self.source.worker.is_inline() => {
                if !self.state.borrow_mut().pending.insert(index) {
                    return;
                }
                self.source
                    .worker
                    .run(&ui, fetch, |ui, result| match result {
                        Ok(page) => with_model(ui, |model| model.receive(page)),
                        Err(err) => eprintln!("kartei: loading the customer list failed: {err}"),
                    });
            }
            _ => match fetch() {
                Ok(page) => self.insert(page),
                Err(err) => eprintln!("kartei: loading the customer list failed: {err}"),
            },
        }
    }
}

/// Runs `f` on the list model the window shows, if it is ours.
pub fn with_model(ui: &MainWindow, f: impl FnOnce(&CustomerListModel)) {
    let rows = ui.global::<ListAdapter>().get_rows();
    if let Some(model) = rows.as_any().downcast_ref::<CustomerListModel>() {
        f(model);
    }
}

fn placeholder() -> CustomerRow {
    CustomerRow {
        loaded: false,
        ..Default::default()
    }
}

impl Model for CustomerListModel {
    type Data = CustomerRow;

    fn row_count(&self) -> usize {
        self.state.borrow().total
    }

    fn row_data(&self, row: usize) -> Option<CustomerRow> {
        if row >= self.row_count() {
            return None;
        }
        if let Some(found) = self.cached(row) {
            return Some(found);
        }
        self.load(row / PAGE_SIZE);
        Some(self.cached(row).unwrap_or_else(placeholder))
    }

    fn model_tracker(&self) -> &dyn ModelTracker {
        &self.notify
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_and_jumping_keep_only_a_few_pages_and_every_row_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (kartei, _) = Kartei::open(dir.path()).unwrap();
        kartei_core::demo::generate(&kartei, 1_250, 3, |_| {}).unwrap();
        let model = CustomerListModel::new(Source {
            kartei: kartei.clone(),
            worker: Worker::Inline,
            lang: Lang::De,
            window: None,
        });
        let request = SearchRequest::default();
        let generation = model.begin(request.clone(), Lang::De);
        model.reset(fetch_page(&kartei, &request, generation, 0, None, 0, Lang::De).unwrap());
        assert_eq!(model.row_count(), 1_250);

        let everyone = kartei
            .search(&SearchRequest {
                limit: MAX_PAGE,
                ..Default::default()
            })
            .unwrap();
        for row in 0..1_250 {
            let data = model.row_data(row).unwrap();
            assert!(data.loaded);
            if row < everyone.items.len() {
                assert_eq!(data.id as u64, everyone.items[row].id.0, "row {row}");
            }
            assert!(model.cached_pages() <= MAX_CACHED_PAGES);
        }
        assert_eq!(model.pages_loaded.get(), 13);
        assert_eq!(model.row_data(1_250), None);

        // A jump far down from a fresh search walks there with few searches and caches one page.
        let generation = model.begin(request.clone(), Lang::De);
        model.reset(fetch_page(&kartei, &request, generation, 0, None, 0, Lang::De).unwrap());
        assert!(model.row_data(1_249).unwrap().loaded);
        assert_eq!(model.cached_pages(), 2);
        // Results of an older search are ignored.
        let stale = fetch_page(&kartei, &request, generation - 1, 0, None, 3, Lang::De).unwrap();
        model.receive(stale);
        assert_eq!(model.cached_pages(), 2);
    }
}
