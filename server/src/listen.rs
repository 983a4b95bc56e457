//! The accept loop: HTTP/1.1 connections served by hyper with the bounds a crowded or hostile
//! Wi-Fi needs (issue 13), instead of `axum::serve`, which has none of them.
//!
//! - **Header-read and idle timeout** ([`ServerConfig::header_timeout`]): a connection that
//!   has not sent a complete request head within it — a new one, a half-sent header, or a
//!   keep-alive connection idle between requests — is closed. Responses already running (event
//!   streams, downloads) are not cut.
//! - **Connection cap** ([`ServerConfig::max_connections`]): when it is reached, a new
//!   connection makes room by closing the oldest one that never sent a request, else the
//!   oldest idle one; only when every connection is busy is the new one refused. So idle or
//!   half-open sockets can never hold the last slot, and `/healthz` and the phones get in.
//! - An accept error (too many open files) never ends the loop: it waits a moment and goes on.

use crate::state::ServerConfig;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tower::ServiceExt;

/// What the loop knows of one open connection.
struct Open {
    /// Requests it has started.
    requests: Arc<AtomicU64>,
    /// Requests whose response has not been handed to hyper yet.
    in_flight: Arc<AtomicUsize>,
    /// Closes it.
    stop: oneshot::Sender<()>,
}

/// The open connections, oldest first (ids increase).
#[derive(Default)]
struct Slots {
    open: BTreeMap<u64, Open>,
    next: u64,
}

impl Slots {
    /// Makes room for one more connection if the cap is reached; `false` if all are busy.
    fn make_room(&mut self, cap: usize) -> bool {
        if self.open.len() < cap {
            return true;
        }
        let never_asked = self
            .open
            .iter()
            .find(|(_, c)| c.requests.load(Ordering::Relaxed) == 0)
            .map(|(id, _)| *id);
        let idle = || {
            self.open
                .iter()
                .find(|(_, c)| c.in_flight.load(Ordering::Relaxed) == 0)
                .map(|(id, _)| *id)
        };
        match never_asked.or_else(idle) {
            Some(id) => {
                if let Some(conn) = self.open.remove(&id) {
                    let _ = conn.stop.send(());
                }
                true
            }
            None => false,
        }
    }
}

/// Counts a request as in flight until dropped.
struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves `router` on `listener` until `shutdown` completes; then every connection finishes
/// its current request and closes, and this returns when all are closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    config: &ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Mutex::new(Slots::default()));
    let (closing_tx, closing) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .keep_alive(true);
    let cap = config.max_connections.max(1);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    // EMFILE and friends: the sockets free up as timeouts close connections.
                    log::warn!("accepting a connection failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (stop_tx, stop) = oneshot::channel();
        let requests = Arc::new(AtomicU64::new(0));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let id = {
            let mut slots = slots.lock().unwrap_or_else(|p| p.into_inner());
            if !slots.make_room(cap) {
                log::warn!("connection from {peer} refused: all {cap} connections are busy");
                continue;
            }
            let id = slots.next;
            slots.next += 1;
            slots.open.insert(
                id,
                Open {
                    requests: requests.clone(),
                    in_flight: in_flight.clone(),
                    stop: stop_tx,
                },
            );
            id
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request| {
            requests.fetch_add(1, Ordering::Relaxed);
            in_flight.fetch_add(1, Ordering::Relaxed);
            let guard = InFlight(in_flight.clone());
            request.extensions_mut().insert(ConnectInfo(peer));
            let router = router.clone();
            async move {
                let response = router.oneshot(request).await;
                drop(guard);
                response
            }
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let slots = slots.clone();
        let mut closing = closing.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let mut stop = stop;
            let mut shutting_down = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(err) = result {
                            log::debug!("connection from {peer}: {err}");
                        }
                        break;
                    }
                    _ = &mut stop => break,
                    changed = closing.changed(), if !shutting_down => {
                        shutting_down = true;
                        if changed.is_ok() {
                            connection.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
            slots
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .open
                .remove(&id);
        });
    }
    drop(listener);
    let _ = closing_tx.send(true);
    // Wait for the connections to finish their requests and close.
    while !slots
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .open
        .is_empty()
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(slots: &mut Slots, requests: u64, in_flight: usize) -> oneshot::Receiver<()> {
        let (stop, stopped) = oneshot::channel();
        let id = slots.next;
        slots.next += 1;
        slots.open.insert(
            id,
            Open {
                requests: Arc::new(AtomicU64::new(requests)),
                in_flight: Arc::new(AtomicUsize::new(in_flight)),
                stop,
            },
        );
        stopped
    }

    #[test]
    fn room_is_made_by_closing_the_oldest_silent_then_the_oldest_idle_connection() {
        let mut slots = Slots::default();
        let mut busy = open(&mut slots, 3, 1);
        let mut idle = open(&mut slots, 2, 0);
        let mut silent = open(&mut slots, 0, 0);
        assert!(slots.make_room(4));
        assert!(slots.make_room(3));
        assert!(
            silent.try_recv().is_ok(),
            "never asked anything: closed first"
        );
        assert!(idle.try_recv().is_err());
        assert!(slots.make_room(2));
        assert!(idle.try_recv().is_ok(), "then the oldest idle one");
        assert!(!slots.make_room(1), "a busy connection is never closed");
        assert!(busy.try_recv().is_err());
    }
}
