//! Reading and writing side by side: the producer (decoding records from the store) runs on
//! the calling thread and hands batches to the consumer (writing the sheet) on a second thread
//! over a bounded channel, so decoding and writing use two cores and memory stays flat (at
//! most a few batches in flight).
//!
//! The decoding stays on the calling thread on purpose: the store's page cache and the decoded
//! records are then allocated where the card file was opened, in memory the allocator already
//! holds. Decoding on a fresh thread made glibc give that thread its own arena and put some
//! 30 MB on the export's peak.

use crate::error::{CoreError, Result};
use std::sync::mpsc;

/// Records per batch: large enough that the channel costs nothing, small enough to stay flat.
const BATCH: usize = 512;
/// Batches in flight between the threads.
const IN_FLIGHT: usize = 8;

/// Runs `consume` on a second thread and `produce` here; every item `produce` emits is given
/// to `consume`, in order. The first error of either side ends both and is returned.
pub fn pipelined<T, P, C>(produce: P, mut consume: C) -> Result<()>
where
    T: Send,
    P: FnOnce(&mut dyn FnMut(T) -> Result<()>) -> Result<()>,
    C: FnMut(T) -> Result<()> + Send,
{
    let (sender, receiver) = mpsc::sync_channel::<Vec<T>>(IN_FLIGHT);
    std::thread::scope(|scope| {
        let consumer = std::thread::Builder::new()
            .name("export-writer".into())
            .spawn_scoped(scope, move || {
                receiver
                    .iter()
                    .try_for_each(|batch| batch.into_iter().try_for_each(&mut consume))
                // A failed consumer drops the receiver here, which stops the producer at its
                // next send.
            })?;
        let mut batch = Vec::with_capacity(BATCH);
        let mut emit = |item: T| -> Result<()> {
            batch.push(item);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                sender.send(full).map_err(|_| consumer_stopped())?;
            }
            Ok(())
        };
        let produced = produce(&mut emit).and_then(|()| match batch.is_empty() {
            true => Ok(()),
            false => sender.send(batch).map_err(|_| consumer_stopped()),
        });
        drop(sender);
        let consumed = consumer
            .join()
            .unwrap_or_else(|_| Err(CoreError::Io(std::io::Error::other("writer thread failed"))));
        match (consumed, produced) {
            (Err(e), _) => Err(e),
            (Ok(()), produced) => produced,
        }
    })
}

fn consumer_stopped() -> CoreError {
    CoreError::Io(std::io::Error::other("export stopped"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_arrives_in_order() {
        let mut seen = Vec::new();
        pipelined(
            |emit| (0..10_000u32).try_for_each(&mut *emit),
            |i| {
                seen.push(i);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..10_000).collect::<Vec<_>>());
    }

    /// The memory bound of the export: while the writer is stuck, the reader stops after a few
    /// batches instead of decoding the whole card file into the channel.
    #[test]
    fn at_most_a_few_batches_are_in_flight() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let produced = AtomicUsize::new(0);
        let mut ahead_while_stuck = 0;
        pipelined(
            |emit| {
                for i in 0..(100 * BATCH) as u32 {
                    produced.fetch_add(1, Ordering::SeqCst);
                    emit(i)?;
                }
                Ok(())
            },
            |i| {
                if i == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    ahead_while_stuck = produced.load(Ordering::SeqCst);
                }
                Ok(())
            },
        )
        .unwrap();
        // One batch in the writer's hands, IN_FLIGHT in the channel, one being filled.
        assert!(
            ahead_while_stuck <= (IN_FLIGHT + 2) * BATCH,
            "{ahead_while_stuck} records decoded while the writer was stuck"
        );
        assert!(
            ahead_while_stuck >= BATCH,
            "the reader did not run meanwhile"
        );
    }

    #[test]
    fn a_failing_consumer_stops_the_producer() {
        let mut produced = 0;
        let result = pipelined(
            |emit| {
                for i in 0..1_000_000u32 {
                    produced += 1;
                    emit(i)?;
                }
                Ok(())
            },
            |i| match i {
                700 => Err(CoreError::Io(std::io::Error::other("disk full"))),
                _ => Ok(()),
            },
        );
        assert!(result.unwrap_err().to_string().contains("disk full"));
        assert!(produced < 1_000_000, "the producer went on: {produced}");
    }

    #[test]
    fn a_failing_producer_is_reported_after_what_it_sent() {
        let mut seen = 0;
        let result = pipelined(
            |emit| {
                (0..600u32).try_for_each(&mut *emit)?;
                Err(CoreError::Io(std::io::Error::other("store broken")))
            },
            |_| {
                seen += 1;
                Ok(())
            },
        );
        assert!(result.unwrap_err().to_string().contains("store broken"));
        assert_eq!(seen, 512, "the full batch arrived, the half one did not");
    }
}
