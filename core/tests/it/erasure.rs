//! An erasure is real on disk: once `delete_customer` returns, no file of the data folder holds
//! the person's name, phone or notes, in any form (redb's freed pages, tantivy's deleted
//! documents and their folded terms, photo files and thumbnails).

use crate::fixture::{phone, Fixture};
use kartei_core::model::*;
use std::path::{Path, PathBuf};

/// What must not be found, lower case: the name as typed and as tantivy folds it, the phone's
/// digits (stored as +49 171 …, searched by its digits) and the note's words. Each is looked for
/// forwards and backwards (tantivy's term dictionary, an FST, may store a term's bytes either
/// way).
///
/// Not the brief's `Zyxwvutsrq Qponmlkji`: runs of the alphabet are in every FST with enough
/// terms (a node's transition labels, stored in reverse order), so such a name is "found" in a
/// segment that holds none of the person's terms. These names have no such runs.
const TRACES: &[&str] = &[
    "xaverinda",
    "quorbluffke",
    "9182736",
    "qwertzuiop",
    "allergie gegen qwertzuiop",
];

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every (file, trace) where a file under `dir` contains a trace, compared in ASCII lower case.
fn traces_in(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    let mut found = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).unwrap().to_ascii_lowercase();
        for trace in TRACES {
            let forwards = trace.as_bytes();
            let backwards: Vec<u8> = forwards.iter().rev().copied().collect();
            if bytes
                .windows(trace.len())
                .any(|w| w == forwards || w == backwards.as_slice())
            {
                found.push((file.clone(), *trace));
            }
        }
    }
    found
}

/// The search index seen through tantivy (its term dictionaries are compressed, so the bytes
/// of a term need not appear in a file): every term of every segment that contains a trace,
/// every segment that still holds deleted documents, and every segment file on disk that
/// belongs to no segment of the index.
fn index_traces(dir: &Path) -> Vec<String> {
    let index = tantivy::Index::open_in_dir(dir).unwrap();
    let schema = index.schema();
    let mut found = Vec::new();
    let mut live = Vec::new();
    for segment in index.searchable_segments().unwrap() {
        let meta = segment.meta();
        let id = meta.id().uuid_string();
        if meta.has_deletes() {
            found.push(format!(
                "segment {id} keeps {} deleted",
                meta.num_deleted_docs()
            ));
        }
        let reader = tantivy::SegmentReader::open(&segment).unwrap();
        for name in ["keys", "words"] {
            let field = schema.get_field(name).unwrap();
            let inverted = reader.inverted_index(field).unwrap();
            let mut terms = inverted.terms().stream().unwrap();
            while terms.advance() {
                let term = String::from_utf8_lossy(terms.key()).to_lowercase();
                for trace in TRACES {
                    if term.contains(trace) {
                        found.push(format!("segment {id} {name}: {term}"));
                    }
                }
            }
        }
        live.push(id);
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let stem = name.split('.').next().unwrap_or_default();
        let is_segment_file = stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit());
        if is_segment_file && !live.iter().any(|id| id == stem) {
            found.push(format!("file {name} of a segment no longer in the index"));
        }
    }
    found
}

fn note(f: &Fixture, c: CustomerId, text: &str) {
    f.kartei
        .add_note(
            c,
            &NoteDraft {
                text: text.into(),
                kind: NoteKind::Allergy,
                ..Default::default()
            },
            "Lena",
        )
        .unwrap();
}

#[test]
fn an_erased_customer_leaves_no_trace_in_any_file_of_the_data_folder() {
    let f = Fixture::new();
    // Neighbours before and after, so that the person's records share pages with others'.
    for i in 0..150 {
        let c = f.add(&format!("Vorher{i}"), "Nachbarin");
        note(&f, c.id, &format!("Notiz Nummer {i} über Färbung"));
    }
    let person = f.add_with(CustomerDraft {
        first_name: "Xaverinda".into(),
        last_name: "Quorbluffke".into(),
        phones: phone("0171 9182736"),
        ..Default::default()
    });
    note(&f, person.id, "Allergie gegen Qwertzuiopü");
    // A long history too: records bigger than a page get pages of their own, which redb frees
    // whole and a later small write does not reuse.
    let history = "Reaktion 2024: Allergie gegen Qwertzuiopü, Kopfhaut gerötet. ".repeat(150);
    note(&f, person.id, &history);
    let jpeg = kartei_core::photos::samples::jpeg(32, 24, 7);
    f.kartei
        .add_photo(
            person.id,
            &jpeg,
            kartei_core::photos::PhotoKind::After,
            "",
            "Lena",
        )
        .unwrap();
    for i in 0..150 {
        let c = f.add(&format!("Nachher{i}"), "Nachbar");
        note(&f, c.id, &format!("Notiz danach {i}"));
    }
    // An edit leaves an older copy of the record in a freed page too.
    let saved = f.kartei.customer(person.id).unwrap();
    let mut draft = CustomerDraft::from_customer(&saved, Vec::new());
    draft.email = "xaverinda@example.org".into();
    f.kartei
        .update_customer(person.id, saved.version, &draft, "Lena")
        .unwrap();
    f.kartei.flush_index().unwrap();
    let photos = f.dir.path().join("photos");
    let photo_files = |dir: &Path| std::fs::read_dir(dir).unwrap().count();
    let with_person = photo_files(&photos);

    // The scan sees the person before the erasure, in the store and in the index.
    let before = traces_in(f.dir.path());
    for trace in TRACES {
        assert!(
            before.iter().any(|(_, t)| t == trace),
            "{trace} not on disk before the erasure: the scan would prove nothing"
        );
    }
    assert!(before.iter().any(|(p, _)| p.ends_with("kartei.redb")));
    let index_dir = f.dir.path().join("index");
    let in_index = index_traces(&index_dir);
    // Notes are not searchable, so the index holds the name, phone and e-mail only.
    for trace in ["xaverinda", "quorbluffke", "9182736"] {
        assert!(
            in_index.iter().any(|t| t.contains(trace)),
            "{trace} not in the index before the erasure: {in_index:?}"
        );
    }

    f.kartei.delete_customer(person.id, "Inhaberin").unwrap();

    let after = traces_in(f.dir.path());
    assert!(
        after.is_empty(),
        "the erased person is still on disk: {after:?}"
    );
    let in_index = index_traces(&index_dir);
    assert!(
        in_index.is_empty(),
        "the erased person is still in the index: {in_index:?}"
    );
    // The photo and its thumbnail are gone, the neighbours are all there and found.
    assert_eq!(photo_files(&photos), with_person - 2);
    assert_eq!(f.kartei.store().customer_count().unwrap(), 300);
    let found = |q: &str| {
        f.kartei
            .search(&kartei_core::search::SearchRequest {
                q: q.into(),
                ..Default::default()
            })
            .unwrap()
            .total
    };
    assert_eq!(found("nachbarin"), 150);
    assert_eq!(found("xaverinda"), 0);
}
