//! The tantivy full-text index: derived data, always rebuildable from the store.
//!
//! One document per customer: its `id` (fast field) and its [`DocTerms`] as untokenized terms.
//! Tantivy commits are slow (tens of milliseconds, more segments each time), so saves do not wait
//! for them: a saved customer's terms go into the [`Overlay`] at once and are merged into every
//! query's answer until the background indexer has committed them. That is how a customer saved a
//! moment ago is found by the very next keystroke.
//!
//! The commit payload records the store's change sequence the index has seen; on start a stale
//! index catches up from the store's change log, a missing or corrupt one is rebuilt.

use super::query::ParsedQuery;
use super::text::{fuzzy_prefix_match, DocTerms};
use crate::error::Result;
use crate::model::CustomerId;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, RwLock};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED,
};
use tantivy::{
    DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, TantivyDocument,
    Term,
};

const WRITER_MEMORY: usize = 50_000_000;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    keys: Field,
    words: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let raw = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic),
    );
    let id = builder.add_u64_field("id", INDEXED | FAST);
    let keys = builder.add_text_field("keys", raw.clone());
    let words = builder.add_text_field("words", raw);
    (builder.build(), Fields { id, keys, words })
}

/// Changes not yet in a committed segment: customer → (change sequence, terms or deleted).
#[derive(Default)]
struct Overlay {
    entries: HashMap<CustomerId, (u64, Option<DocTerms>)>,
}

pub struct TextIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    overlay: RwLock<Overlay>,
}

/// How the index was found at open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexState {
    /// Opened; it has seen changes up to this sequence.
    Seen(u64),
    /// It was missing or unreadable and was created empty: it needs a rebuild.
    Empty,
}

impl TextIndex {
    /// Opens the index in `dir`, or creates it empty if it is missing or corrupt.
    pub fn open(dir: &Path) -> Result<(TextIndex, IndexState)> {
        match Self::try_open(dir) {
            Ok(Some(opened)) => Ok(opened),
            Ok(None) | Err(_) => {
                if dir.exists() {
                    log::warn!(
                        "search index at {} is missing or unreadable; rebuilding",
                        dir.display()
                    );
                    std::fs::remove_dir_all(dir)?;
                }
                std::fs::create_dir_all(dir)?;
                let (schema, fields) = schema();
                let index = Index::create_in_dir(dir, schema)?;
                Ok((Self::with_index(index, fields)?, IndexState::Empty))
            }
        }
    }

    fn try_open(dir: &Path) -> Result<Option<(TextIndex, IndexState)>> {
        if !dir.join("meta.json").exists() {
            return Ok(None);
        }
        let index = Index::open_in_dir(dir)?;
        let (expected, fields) = schema();
        if index.schema() != expected {
            return Ok(None);
        }
        let seen = index
            .load_metas()?
            .payload
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(0);
        // Read every segment's term dictionaries once: a corrupt file fails here, not later.
        let text = Self::with_index(index, fields)?;
        let searcher = text.reader.searcher();
        for segment in searcher.segment_readers() {
            segment.inverted_index(fields.keys)?;
            segment.fast_fields().u64("id")?;
        }
        Ok(Some((text, IndexState::Seen(seen))))
    }

    fn with_index(index: Index, fields: Fields) -> Result<TextIndex> {
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(TextIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            overlay: RwLock::default(),
        })
    }

    /// The change sequence recorded by the last commit.
    pub fn seen(&self) -> Result<u64> {
        Ok(self
            .index
            .load_metas()?
            .payload
            .and_then(|p| p.parse().ok())
            .unwrap_or(0))
    }

    /// Makes a change searchable now, ahead of the next commit. `None` means deleted.
    pub fn stage(&self, id: CustomerId, seq: u64, terms: Option<DocTerms>) {
        let mut overlay = self.overlay.write().unwrap_or_else(|p| p.into_inner());
        match overlay.entries.get(&id) {
            Some((existing, _)) if *existing > seq => {}
            _ => {
                overlay.entries.insert(id, (seq, terms));
            }
        }
    }

    /// How many changes wait for a commit.
    pub fn pending(&self) -> usize {
        self.overlay
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .entries
            .len()
    }

    /// Writes documents (replacing earlier ones of the same customer), commits with `seq` as the
    /// payload, reloads the reader and drops the overlay entries the commit now covers.
    pub fn commit(&self, docs: Vec<(CustomerId, Option<DocTerms>)>, seq: u64) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        for (id, terms) in docs {
            writer.delete_term(Term::from_field_u64(self.fields.id, id.0));
            if let Some(terms) = terms {
                writer.add_document(self.document(id, &terms))?;
            }
        }
        self.commit_locked(&mut writer, seq)
    }

    /// Replaces the whole index with the documents `fill` adds, then commits with `seq`.
    /// Nothing is committed if `fill` fails.
    pub fn rebuild(
        &self,
        fill: impl FnOnce(&mut dyn FnMut(CustomerId, DocTerms) -> Result<()>) -> Result<()>,
        seq: u64,
    ) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        writer.delete_all_documents()?;
        let filled = {
            let mut add = |id: CustomerId, terms: DocTerms| -> Result<()> {
                writer.add_document(self.document(id, &terms))?;
                Ok(())
            };
            fill(&mut add)
        };
        if let Err(e) = filled {
            writer.rollback()?;
            return Err(e);
        }
        self.commit_locked(&mut writer, seq)
    }

    /// Rewrites every committed segment that holds deleted documents without them and removes
    /// the old segment files: after an erasure, tantivy's deleted documents (the person's terms)
    /// would otherwise stay on disk until a merge happened to pick their segment. Call after the
    /// deletion is committed ([`crate::Kartei::flush_index`]).
    pub fn purge_deleted(&self) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        // A background merge may hold a segment for a moment: try again on the segments then.
        let mut tries = 0;
        loop {
            let with_deletes: Vec<_> = self
                .index
                .searchable_segment_metas()?
                .into_iter()
                .filter(|m| m.has_deletes())
                .map(|m| m.id())
                .collect();
            if with_deletes.is_empty() {
                break;
            }
            match writer.merge(&with_deletes).wait() {
                Ok(_) => break,
                Err(e) if tries < 50 => {
                    log::debug!("index merge after an erasure postponed: {e}");
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e.into()),
            }
        }
        // The reader lets go of the old segments first, then their files go.
        self.reader.reload()?;
        writer.garbage_collect_files().wait()?;
        Ok(())
    }

    fn commit_locked(&self, writer: &mut IndexWriter, seq: u64) -> Result<()> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&seq.to_string());
        prepared.commit()?;
        self.reader.reload()?;
        let mut overlay = self.overlay.write().unwrap_or_else(|p| p.into_inner());
        overlay.entries.retain(|_, (s, _)| *s > seq);
        Ok(())
    }

    fn document(&self, id: CustomerId, terms: &DocTerms) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_u64(self.fields.id, id.0);
        for key in &terms.keys {
            doc.add_text(self.fields.keys, key);
        }
        for word in &terms.words {
            doc.add_text(self.fields.words, word);
        }
        doc
    }

    /// The customers matching every clause of `query`; with `fuzzy`, a clause's long word may
    /// also match a name word with one typo. Committed segments and the overlay together.
    pub fn matches(&self, query: &ParsedQuery, fuzzy: bool) -> Result<Vec<CustomerId>> {
        let overlay = self.overlay.read().unwrap_or_else(|p| p.into_inner());
        let searcher = self.reader.searcher();
        let tantivy_query = self.build_query(query, fuzzy);
        let hits = searcher.search(tantivy_query.as_ref(), &IdCollector)?;
        let mut out: Vec<CustomerId> = hits
            .into_iter()
            .map(CustomerId)
            .filter(|id| !overlay.entries.contains_key(id))
            .collect();
        for (id, (_, terms)) in &overlay.entries {
            if let Some(terms) = terms {
                if overlay_matches(terms, query, fuzzy) {
                    out.push(*id);
                }
            }
        }
        Ok(out)
    }

    fn build_query(&self, query: &ParsedQuery, fuzzy: bool) -> Box<dyn Query> {
        let mut clauses: Vec<Box<dyn Query>> = query
            .clauses
            .iter()
            .map(|clause| {
                let mut alternatives: Vec<Box<dyn Query>> = clause
                    .keys
                    .iter()
                    .map(|k| {
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.keys, k),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>
                    })
                    .collect();
                if let (true, Some(word)) = (fuzzy, &clause.fuzzy) {
                    let term = Term::from_field_text(self.fields.words, word);
                    alternatives.push(Box::new(FuzzyTermQuery::new_prefix(term, 1, true)));
                }
                one_or(alternatives, BooleanQuery::union)
            })
            .collect();
        if clauses.len() == 1 {
            clauses.remove(0)
        } else {
            one_or(clauses, BooleanQuery::intersection)
        }
    }
}

fn one_or(
    mut queries: Vec<Box<dyn Query>>,
    combine: fn(Vec<Box<dyn Query>>) -> BooleanQuery,
) -> Box<dyn Query> {
    if queries.len() == 1 {
        queries.remove(0)
    } else {
        Box::new(combine(queries))
    }
}

fn overlay_matches(terms: &DocTerms, query: &ParsedQuery, fuzzy: bool) -> bool {
    query.clauses.iter().all(|clause| {
        clause
            .keys
            .iter()
            .any(|k| terms.keys.binary_search(k).is_ok())
            || (fuzzy
                && clause
                    .fuzzy
                    .as_ref()
                    .is_some_and(|w| terms.words.iter().any(|cand| fuzzy_prefix_match(w, cand))))
    })
}

/// Collects the `id` fast field of every matching document, without scoring.
struct IdCollector;

struct IdSegmentCollector {
    ids: Column<u64>,
    out: Vec<u64>,
}

impl Collector for IdCollector {
    type Fruit = Vec<u64>;
    type Child = IdSegmentCollector;

    fn for_segment(
        &self,
        _segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<IdSegmentCollector> {
        Ok(IdSegmentCollector {
            ids: reader.fast_fields().u64("id")?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        Ok(fruits.concat())
    }
}

impl SegmentCollector for IdSegmentCollector {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(id) = self.ids.first(doc) {
            self.out.push(id);
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.out
    }
}
