//! Where slow work runs: on one background thread in the real kiosk (results come back to the UI
//! thread with `upgrade_in_event_loop`), or inline on the caller's thread in tests and
//! screenshots, so that they are deterministic and need no event loop.
//!
//! A job that panics (a bug, say in parsing a file from a USB stick) is caught in both modes:
//! its screen gets [`CoreError::Internal`] through the same path as any other error, so it says
//! so instead of waiting forever, and the worker thread lives on for the next job.

use super::ui::MainWindow;
use kartei_core::CoreError;
use slint::ComponentHandle;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub enum Worker {
    Thread(mpsc::Sender<Job>),
    Inline,
}

impl Worker {
    /// Starts the background thread; it ends when the last `Worker` clone is dropped.
    pub fn thread() -> std::io::Result<Worker> {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("kiosk-worker".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job();
                }
            })?;
        Ok(Worker::Thread(tx))
    }

    /// Runs `work` off the UI thread, then `apply` with its result on the UI thread. A panic in
    /// `work` reaches `apply` as `Err(CoreError::Internal)`.
    pub fn run<T: Send + 'static>(
        &self,
        ui: &MainWindow,
        work: impl FnOnce() -> Result<T, CoreError> + Send + 'static,
        apply: impl FnOnce(&MainWindow, Result<T, CoreError>) + Send + 'static,
    ) {
        match self {
            Worker::Inline => apply(ui, caught(work)),
            Worker::Thread(tx) => {
                let weak = ui.as_weak();
                let job: Job = Box::new(move || {
                    let result = caught(work);
                    // Fails only when the window is gone: then nobody waits for the result.
                    let _ = weak.upgrade_in_event_loop(move |ui| apply(&ui, result));
                });
                if tx.send(job).is_err() {
                    eprintln!("kartei: the kiosk worker thread has stopped");
                }
            }
        }
    }

    pub fn is_inline(&self) -> bool {
        matches!(self, Worker::Inline)
    }
}

/// Runs `work`, turning a panic into [`CoreError::Internal`] with the panic's text (logged).
pub fn caught<T>(work: impl FnOnce() -> Result<T, CoreError>) -> Result<T, CoreError> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let error = CoreError::from_panic(panic);
        eprintln!("kartei: a kiosk job panicked: {error}");
        Err(error)
    })
}
