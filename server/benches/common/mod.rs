//! What the server benchmarks share: the demo card file they run on (kept in
//! `target/load-data-N` between runs) and the server on its own runtime, as in the appliance.

use kartei_core::model::Role;
use kartei_core::Kartei;
use kartei_server::ServerConfig;
use std::net::SocketAddr;
use std::path::PathBuf;

type Error = Box<dyn std::error::Error>;

/// Opens the shared card file with `customers` demo customers (generated the first time) and
/// makes sure a login `name`/`pin` with `role` exists.
pub fn card_file(customers: usize, name: &str, pin: &str, role: Role) -> Result<Kartei, Error> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target")
        .join(format!("load-data-{customers}"));
    let (kartei, _) = Kartei::open(&dir)?;
    if kartei.customer_count() < customers {
        eprintln!(
            "generating {customers} demo customers in {} …",
            dir.display()
        );
        kartei_core::demo::generate(&kartei, customers - kartei.customer_count(), 2026, |_| {})?;
        kartei.flush_index()?;
    }
    if !kartei.staff()?.iter().any(|s| s.name == name) {
        kartei.add_staff(name, pin, role)?;
    }
    eprintln!("{} customers", kartei.customer_count());
    Ok(kartei)
}

/// The server, serving `kartei` on a free local port on its own multi-threaded runtime.
pub struct Served {
    pub addr: SocketAddr,
    runtime: tokio::runtime::Runtime,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

pub fn serve(kartei: Kartei) -> Result<Served, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(kartei_server::run(
        listener,
        kartei,
        ServerConfig::default(),
        None,
        async move {
            let _ = stopped.await;
        },
    ));
    Ok(Served {
        addr,
        runtime,
        stop,
        server,
    })
}

impl Served {
    /// Stops the server and waits until it has shut down.
    pub fn stop(self) -> Result<(), Error> {
        let _ = self.stop.send(());
        self.runtime.block_on(self.server)??;
        Ok(())
    }
}
