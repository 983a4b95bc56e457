//! The background thread that moves saved changes from the store's change log into committed
//! tantivy segments, in batches (a commit per save would cost ~65 ms and pile up segments).

use super::index::TextIndex;
use super::text::DocTerms;
use crate::error::{CoreError, Result};
use crate::model::CustomerId;
use crate::store::Store;
use std::collections::BTreeMap;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Changes saved within this time go into one commit.
pub const BATCH_WINDOW: Duration = Duration::from_millis(500);
const CHANGES_PER_COMMIT: usize = 20_000;

enum Command {
    Changed,
    Flush(Sender<Result<()>>),
    Stop,
}

pub struct Indexer {
    commands: Sender<Command>,
    thread: Option<JoinHandle<()>>,
}

impl Indexer {
    /// Starts the indexer thread; an error if the system cannot start a thread (then the card
    /// file does not open: without the indexer, saves would never reach the index).
    pub fn start(store: Arc<Store>, index: Arc<TextIndex>) -> Result<Indexer> {
        let (commands, inbox) = channel::<Command>();
        let thread = std::thread::Builder::new()
            .name("kartei-indexer".into())
            .spawn(move || {
                let mut waiting_flushes: Vec<Sender<Result<()>>> = Vec::new();
                loop {
                    let first = match inbox.recv() {
                        Ok(c) => c,
                        Err(_) => return,
                    };
                    let mut stop = false;
                    match first {
                        Command::Changed => {
                            let deadline = Instant::now() + BATCH_WINDOW;
                            loop {
                                match inbox.recv_timeout(
                                    deadline.saturating_duration_since(Instant::now()),
                                ) {
                                    Ok(Command::Changed) => continue,
                                    Ok(Command::Flush(ack)) => {
                                        waiting_flushes.push(ack);
                                        break;
                                    }
                                    Ok(Command::Stop) => {
                                        stop = true;
                                        break;
                                    }
                                    Err(RecvTimeoutError::Timeout) => break,
                                    Err(RecvTimeoutError::Disconnected) => {
                                        stop = true;
                                        break;
                                    }
                                }
                            }
                        }
                        Command::Flush(ack) => waiting_flushes.push(ack),
                        Command::Stop => stop = true,
                    }
                    let outcome = catch_up(&store, &index);
                    if let Err(e) = &outcome {
                        log::error!("search index update failed (will retry): {e}");
                    }
                    for ack in waiting_flushes.drain(..) {
                        let _ = ack.send(match &outcome {
                            Ok(()) => Ok(()),
                            Err(e) => Err(CoreError::Index(e.to_string())),
                        });
                    }
                    if stop {
                        return;
                    }
                }
            })
            .map_err(|e| CoreError::Index(format!("the indexer thread did not start: {e}")))?;
        Ok(Indexer {
            commands,
            thread: Some(thread),
        })
    }

    /// Something was saved: commit it within [`BATCH_WINDOW`].
    pub fn notify(&self) {
        let _ = self.commands.send(Command::Changed);
    }

    /// Commits everything saved so far and waits for it. An error if the commit failed, or if
    /// the indexer thread is gone (it panicked): nothing was committed then.
    pub fn flush(&self) -> Result<()> {
        let gone = || CoreError::Index("the indexer thread has stopped".into());
        let (ack, done) = channel();
        self.commands
            .send(Command::Flush(ack))
            .map_err(|_| gone())?;
        done.recv().map_err(|_| gone())?
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Commits every change the index has not seen yet.
pub fn catch_up(store: &Store, index: &TextIndex) -> Result<()> {
    loop {
        let seen = index.seen()?;
        let changes = store.changes_since(seen, CHANGES_PER_COMMIT)?;
        let Some(&(last, _)) = changes.last() else {
            return Ok(());
        };
        let ids: BTreeMap<CustomerId, ()> = changes.iter().map(|(_, id)| (*id, ())).collect();
        let mut docs = Vec::with_capacity(ids.len());
        for id in ids.into_keys() {
            let terms = store
                .facts(id)?
                .map(|f| DocTerms::of(&f.customer, f.appointments.iter().map(|(s, _)| *s)));
            docs.push((id, terms));
        }
        index.commit(docs, last)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started() -> (tempfile::TempDir, Indexer) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("kartei.redb")).unwrap());
        let (index, _) = TextIndex::open(&dir.path().join("index")).unwrap();
        (dir, Indexer::start(store, Arc::new(index)).unwrap())
    }

    #[test]
    fn a_running_indexer_flushes() {
        let (_dir, indexer) = started();
        indexer.notify();
        indexer.flush().unwrap();
    }

    /// The thread is gone (as after a panic): a flush must not report success.
    #[test]
    fn flush_fails_when_the_indexer_thread_is_gone() {
        let (_dir, mut indexer) = started();
        let _ = indexer.commands.send(Command::Stop);
        indexer.thread.take().unwrap().join().unwrap();
        match indexer.flush() {
            Err(CoreError::Index(text)) => assert!(text.contains("stopped"), "{text}"),
            other => panic!("{other:?}"),
        }
    }

    /// The thread dies while a flush waits for it: the flush hears of it.
    #[test]
    fn flush_fails_when_the_thread_dies_while_it_waits() {
        let (commands, inbox) = channel::<Command>();
        let thread = std::thread::spawn(move || {
            if let Ok(Command::Flush(ack)) = inbox.recv() {
                drop(ack);
                panic!("the indexer died mid-commit");
            }
        });
        let indexer = Indexer {
            commands,
            thread: None,
        };
        assert!(matches!(indexer.flush(), Err(CoreError::Index(_))));
        assert!(thread.join().is_err());
    }
}
