//! [`AppState`]: what every handler shares — the card file, the session table, the pending
//! import previews and the server's configuration.

use crate::session::Sessions;
use kartei_core::import::pending::PendingImports;
use kartei_core::Kartei;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How this server runs; filled by the command line (`kartei serve`) or the kiosk.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The plain address phones type or scan (`http://192.168.1.20:8080`), shown on the login
    /// page with its QR code, because not every phone resolves `.local` names.
    pub public_url: String,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// Where USB sticks are mounted ("Jetzt sichern" backs up onto them too).
    pub usb_roots: Vec<std::path::PathBuf>,
    /// A connection that has not sent a complete request head within this is closed: new
    /// ones, half-sent headers and keep-alive connections idle between requests.
    pub header_timeout: Duration,
    /// Open connections at most; see [`crate::listen`] for who makes room. Well below the
    /// unit's `LimitNOFILE`, so the store, the index and the photos always have descriptors.
    pub max_connections: usize,
    /// The names this appliance answers to besides IP literals and `localhost` (lower case,
    /// without port): its mDNS name (`kartei.local`), the system host name, and what the owner
    /// adds with `--allow-host`. A request whose `Host` is anything else is refused
    /// ([`crate::security::check_host`]), so a DNS-rebinding page cannot talk to the API.
    pub allowed_hosts: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            public_url: "http://127.0.0.1:8080".into(),
            body_limit: 1024 * 1024,
            usb_roots: kartei_core::usb::DEFAULT_MOUNT_ROOTS
                .iter()
                .map(std::path::PathBuf::from)
                .collect(),
            header_timeout: Duration::from_secs(10),
            max_connections: 256,
            allowed_hosts: vec!["kartei.local".into()],
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub kartei: Kartei,
    pub sessions: Arc<Sessions>,
    pub config: Arc<ServerConfig>,
    /// Import previews waiting for the user's pick (`POST /api/v1/import` → `…/commit`).
    pub imports: Arc<PendingImports>,
    /// Turns `true` when the server shuts down, so long-lived responses (event streams) end.
    pub closing: watch::Receiver<bool>,
    /// The pool for CPU-heavy work (searches, exports, imports; [`AppState::heavy`]).
    pub heavy_pool: crate::heavy::Pool,
    close: Arc<watch::Sender<bool>>,
}

impl AppState {
    pub fn new(kartei: Kartei, config: ServerConfig) -> AppState {
        let (close, closing) = watch::channel(false);
        AppState {
            sessions: Arc::new(Sessions::new()),
            kartei,
            config: Arc::new(config),
            imports: Arc::new(PendingImports::default()),
            closing,
            heavy_pool: crate::heavy::Pool::start(crate::heavy::HEAVY_AT_ONCE),
            close: Arc::new(close),
        }
    }

    /// Ends the event streams (graceful shutdown waits for open connections).
    pub fn close(&self) {
        let _ = self.close.send(true);
    }

    /// Runs CPU-heavy core work (a search, an export, an import) on the heavy pool
    /// ([`crate::heavy`]: at most two at once, at a lower priority), so however many phones ask
    /// at once, the async workers stay free for everything else.
    pub async fn heavy<T, F>(&self, work: F) -> crate::error::ApiResult<T>
    where
        F: FnOnce(&Kartei) -> kartei_core::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let kartei = self.kartei.clone();
        match self.heavy_pool.run(move || work(&kartei)).await {
            Some(result) => result.map_err(Into::into),
            None => Err(kartei_core::CoreError::Internal("a heavy job failed".into()).into()),
        }
    }

    /// Runs blocking core work (disk writes, PIN hashing) off the async workers.
    pub async fn blocking<T, F>(&self, work: F) -> crate::error::ApiResult<T>
    where
        F: FnOnce(&Kartei) -> kartei_core::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let kartei = self.kartei.clone();
        match tokio::task::spawn_blocking(move || work(&kartei)).await {
            Ok(result) => result.map_err(Into::into),
            Err(join) => {
                Err(kartei_core::CoreError::Store(format!("worker failed: {join}")).into())
            }
        }
    }
}
