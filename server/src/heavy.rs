//! The pool for CPU-heavy requests (searches, exports, imports): [`HEAVY_AT_ONCE`] threads of
//! their own, at a lower CPU priority (nice 10), fed by a queue. However many phones search at
//! once, the async workers never run this work and at most two such jobs compete for the
//! cores; the lower priority lets `/healthz`, logins, card reads and the kiosk's own thread
//! go first when the cores are busy. (Tokio's blocking pool is shared with PIN checks and
//! writes, which must not run niced; a niced thread cannot be un-niced without privileges.)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// How many heavy jobs run at once. The Pi has four cores and the kiosk needs one; two heavy
/// jobs leave the rest free (a 56 KB search word costs up to a second of CPU).
pub const HEAVY_AT_ONCE: usize = 2;

/// The CPU priority of the pool's threads (Linux nice value; 0 is normal).
const NICE: i32 = 10;

type Job = Box<dyn FnOnce() + Send>;

/// The queue into the pool; the threads end when the last handle is dropped.
#[derive(Clone)]
pub struct Pool {
    jobs: Option<mpsc::Sender<Job>>,
}

impl Pool {
    /// Starts the threads. If none can be started, jobs run on tokio's blocking pool instead
    /// (unbounded, logged), so the server still answers.
    pub fn start(threads: usize) -> Pool {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut started = 0;
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("kartei-heavy-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = {
                            let queue = rx.lock().unwrap_or_else(|p| p.into_inner());
                            queue.recv()
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => break,
                        }
                    }
                });
            match spawned {
                Ok(_) => started += 1,
                Err(e) => log::warn!("heavy-work thread not started: {e}"),
            }
        }
        Pool {
            jobs: (started > 0).then_some(tx),
        }
    }

    /// Runs `work` on the pool and waits for it without holding an async worker. `None` when
    /// the job panicked (it is logged; the thread lives on).
    pub async fn run<T, F>(&self, work: F) -> Option<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = catch_unwind(AssertUnwindSafe(work));
            if outcome.is_err() {
                log::error!("a heavy job panicked");
            }
            let _ = done.send(outcome.ok());
        });
        match &self.jobs {
            Some(jobs) => match jobs.send(job) {
                Ok(()) => result.await.ok().flatten(),
                Err(mpsc::SendError(job)) => fallback(job, result).await,
            },
            None => fallback(job, result).await,
        }
    }
}

async fn fallback<T>(job: Job, result: oneshot::Receiver<Option<T>>) -> Option<T> {
    tokio::task::spawn_blocking(job).await.ok()?;
    result.await.ok().flatten()
}

/// Nice 10 for the calling thread (on Linux `setpriority` with `PRIO_PROCESS` and 0 applies to
/// the calling thread only).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments; 0 names the calling thread.
    unsafe {
        if libc::setpriority(libc::PRIO_PROCESS, 0, NICE) != 0 {
            log::warn!(
                "heavy-work thread keeps its priority: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_at_most_two_at_once_and_a_panic_leaves_the_pool_working() {
        let pool = Pool::start(HEAVY_AT_ONCE);
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let jobs: Vec<_> = (0..6)
            .map(|_| {
                let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    pool.run(move || {
                        use std::sync::atomic::Ordering::SeqCst;
                        let now = running.fetch_add(1, SeqCst) + 1;
                        most.fetch_max(now, SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(30));
                        running.fetch_sub(1, SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for job in jobs {
            assert_eq!(job.await.unwrap(), Some(()));
        }
        assert_eq!(most.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert_eq!(pool.run(|| -> u8 { panic!("boom") }).await, None);
        assert_eq!(pool.run(|| 7).await, Some(7));
    }
}
