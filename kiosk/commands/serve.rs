//! `kartei serve` and the appliance default (`kartei`, `kartei --headless`): opens the card file
//! and runs the LAN server until Ctrl-C or SIGTERM, advertised by mDNS unless `--no-mdns`.
//!
//! The listener is bound first and the card file opened next; connections wait in the backlog
//! meanwhile, so the first answer (`/healthz` included) comes from a fully open card file.

use super::open;
use crate::cli::ServeOptions;
use anyhow::Context;
use kartei_server::mdns::{self, MdnsConfig};
use kartei_server::ServerConfig;
use std::path::Path;
use tokio::net::TcpListener;

/// Why the server runs, for what it says on start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `kartei serve`.
    Serve,
    /// `kartei` without a display (or with `--headless`): only the LAN server.
    NoScreen,
    /// `kartei` with a display; the kiosk window joins here once it exists.
    Appliance,
}

pub fn run(data: &Path, options: ServeOptions, mode: Mode) -> anyhow::Result<()> {
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(data, options, mode))
}

async fn serve(data: &Path, options: ServeOptions, mode: Mode) -> anyhow::Result<()> {
    let listener = TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("Adresse {} nicht verfügbar", options.listen))?;
    let local = listener.local_addr()?;
    let shutdown = shutdown_signal()?;
    let data = data.to_path_buf();
    let kartei = tokio::task::spawn_blocking(move || open(&data))
        .await
        .context("opening the card file failed")??;
    let url = kartei_server::public_url(local);
    let mdns = (!options.no_mdns).then(|| MdnsConfig {
        name: options.name.clone(),
        port: local.port(),
        salon: kartei.settings().salon_name,
        avahi: mdns::avahi_running(),
    });
    let local_name = mdns.as_ref().map(|m| {
        let host = if m.avahi {
            mdns::system_host_name()
        } else {
            m.name.clone()
        };
        format!("http://{host}.local:{}", local.port())
    });
    match mode {
        Mode::NoScreen => {
            println!("Kein Bildschirm gefunden – nur der LAN-Server läuft. Öffnen Sie {url}")
        }
        Mode::Serve | Mode::Appliance => println!("Kartei-Server läuft: {url}"),
    }
    if let Some(name) = local_name {
        println!("Im WLAN auch unter {name} (mDNS).");
    }
    if kartei.staff()?.is_empty() {
        println!("Noch kein Zugang angelegt: kartei staff add --name NAME --pin PIN --role owner");
    }
    let config = ServerConfig {
        public_url: url,
        ..ServerConfig::default()
    };
    kartei_server::run(listener, kartei, config, mdns, shutdown).await?;
    println!("Kartei-Server beendet.");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM (systemd stop). The handlers are installed here, at once, so
/// a signal that arrives before the server runs is not lost (nor kills the process).
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// Warnings and errors of the server go to stderr (`RUST_LOG` to change).
fn init_logging() {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .try_init();
}
