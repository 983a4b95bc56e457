//! `kartei serve` and the appliance default (`kartei`, `kartei --headless`): opens the card file
//! and runs the LAN server until Ctrl-C or SIGTERM, advertised by mDNS unless `--no-mdns`.
//!
//! The listener is bound first and the card file opened next; connections wait in the backlog
//! meanwhile, so the first answer (`/healthz` included) comes from a fully open card file.

use super::control::ControlSocket;
use super::open;
use crate::cli::ServeOptions;
use anyhow::Context;
use kartei_core::backup::automatic::Scheduler;
use kartei_core::i18n::Word;
use kartei_core::Lang;
use kartei_server::mdns::{self, MdnsConfig};
use kartei_server::ServerConfig;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
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

pub fn run(data: &Path, lang: Lang, options: ServeOptions, mode: Mode) -> anyhow::Result<()> {
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    if mode == Mode::Appliance {
        return appliance(&runtime, data, lang, options);
    }
    runtime.block_on(async {
        let server = prepare(data, lang, options, mode).await?;
        let _control = server.control;
        let _backups = server.backups;
        let _mail = server.mail;
        kartei_server::run(
            server.listener,
            server.kartei,
            server.config,
            server.mdns,
            server.shutdown,
        )
        .await?;
        println!("{}", Word::CliServerStopped.text(lang));
        Ok(())
    })
}

/// The appliance with a screen: the server runs on the runtime's threads while the kiosk window
/// runs on this (the main) thread, over the same card file. Closing the window stops the server
/// cleanly; Ctrl-C or SIGTERM closes the window and stops the server.
fn appliance(
    runtime: &tokio::runtime::Runtime,
    data: &Path,
    lang: Lang,
    options: ServeOptions,
) -> anyhow::Result<()> {
    let usb_roots = options.usb_roots.clone();
    let server = runtime.block_on(prepare(data, lang, options, Mode::Appliance))?;
    let _control = server.control;
    let _backups = server.backups;
    let _mail = server.mail;
    let kartei = server.kartei.clone();
    let (window_closed, closed) = tokio::sync::oneshot::channel::<()>();
    let signal = server.shutdown;
    let shutdown = async move {
        tokio::select! {
            Ok(()) = closed => {}
            _ = signal => {
                let _ = slint::invoke_from_event_loop(|| {
                    let _ = slint::quit_event_loop();
                });
            }
        }
    };
    let serving = runtime.spawn(kartei_server::run(
        server.listener,
        server.kartei,
        server.config,
        server.mdns,
        shutdown,
    ));
    match super::kiosk::run_window(&kartei, lang, usb_roots) {
        Ok(()) => {
            let _ = window_closed.send(());
        }
        Err(err) => {
            // The counter screen failed; the phones keep working until the service is stopped
            // (dropping the sender leaves only the signal to end the server).
            let error = format!("{err:#}");
            eprintln!("{}", Word::CliWindowFailed.fill(lang, &[("error", &error)]));
            drop(window_closed);
        }
    }
    runtime
        .block_on(serving)
        .context("the LAN server task failed")??;
    println!("{}", Word::CliServerStopped.text(lang));
    Ok(())
}

/// What the server needs, ready: the bound listener, the open card file, its configuration, and
/// the signal that stops it.
struct Prepared {
    listener: TcpListener,
    kartei: kartei_core::Kartei,
    config: ServerConfig,
    mdns: Option<MdnsConfig>,
    shutdown: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// `kartei backup` reaches the running process here; kept open while the server runs.
    control: Option<ControlSocket>,
    /// The nightly backups; run while the server runs.
    backups: Option<Scheduler>,
    /// The mail thread (outbox, inbox watcher, reminders); runs while the server runs.
    mail: Option<kartei_core::mail::worker::MailWorker>,
}

async fn prepare(
    data: &Path,
    lang: Lang,
    options: ServeOptions,
    mode: Mode,
) -> anyhow::Result<Prepared> {
    let listener = TcpListener::bind(options.listen)
        .await
        .with_context(|| Word::CliAddressUnavailable.fill(lang, &[("address", &options.listen)]))?;
    let local = listener.local_addr()?;
    let shutdown = Box::pin(shutdown_signal()?);
    let data = data.to_path_buf();
    let kartei = tokio::task::spawn_blocking(move || open(&data, lang))
        .await
        .context("opening the card file failed")??;
    let control = match ControlSocket::start(kartei.clone(), options.usb_roots.clone()) {
        Ok(socket) => Some(socket),
        Err(e) => {
            eprintln!(
                "{}",
                Word::CliControlSocketUnavailable.fill(lang, &[("error", &e)])
            );
            None
        }
    };
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
        Mode::NoScreen => println!("{}", Word::CliNoDisplay.fill(lang, &[("url", &url)])),
        Mode::Serve | Mode::Appliance => {
            println!("{}", Word::CliServerRunning.fill(lang, &[("url", &url)]))
        }
    }
    if let Some(name) = local_name {
        println!("{}", Word::CliMdnsName.fill(lang, &[("name", &name)]));
    }
    if kartei.staff()?.is_empty() {
        println!("{}", Word::CliNoStaffYet.text(lang));
    }
    let backups = match Scheduler::start(kartei.clone(), options.usb_roots.clone()) {
        Ok(scheduler) => Some(scheduler),
        Err(e) => {
            eprintln!(
                "{}",
                Word::CliBackupsNotStarted.fill(lang, &[("error", &e)])
            );
            None
        }
    };
    let mail = match kartei.start_mail() {
        Ok(worker) => Some(worker),
        Err(e) => {
            eprintln!("mail: {e}");
            None
        }
    };
    let config = ServerConfig {
        public_url: url,
        usb_roots: options.usb_roots.clone(),
        allowed_hosts: allowed_hosts(&options),
        ..ServerConfig::default()
    };
    Ok(Prepared {
        listener,
        kartei,
        config,
        mdns,
        shutdown,
        control,
        backups,
        mail,
    })
}

/// The names phones may reach this appliance by (besides IP addresses and `localhost`): the
/// mDNS name, the system host name (avahi's `<hostname>.local`, and bare for a router's DNS)
/// and what the owner added with `--allow-host`.
fn allowed_hosts(options: &ServeOptions) -> Vec<String> {
    let label = options.name.trim().trim_end_matches(".local").to_string();
    let system = mdns::system_host_name();
    let mut names = vec![
        format!("{label}.local"),
        label,
        format!("{system}.local"),
        system,
    ];
    names.extend(options.allow_hosts.iter().cloned());
    names
}

/// Completes on Ctrl-C or SIGTERM (systemd stop). The handlers are installed here, at once, so
/// a signal that arrives before the server runs is not lost (nor kills the process).
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send> {
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
