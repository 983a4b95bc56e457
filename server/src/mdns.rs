//! Discovery on the LAN with mDNS (mdns-sd): [`Advertiser`] announces the host and the two
//! services `_http._tcp` (any mDNS browser shows it) and `_kartei._tcp` (TXT `version`, `path`,
//! `api`, `salon`), and withdraws them on shutdown; [`discover`] browses `_kartei._tcp`.
//!
//! Avahi: Raspberry Pi OS runs avahi-daemon, which answers for `<hostname>.local`. Two stacks
//! answering one name with different records make avahi rename the host. So when avahi runs
//! ([`avahi_running`]) we claim no host name of our own: the services point at avahi's
//! `<hostname>.local` with the same interface addresses avahi publishes, and only the
//! services are ours. Without avahi, we answer for `<name>.local` (default `kartei.local`).

use mdns_sd::{ServiceDaemon, ServiceEvent, ServiceInfo, UnregisterStatus};
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

pub const KARTEI_SERVICE: &str = "_kartei._tcp.local.";
pub const HTTP_SERVICE: &str = "_http._tcp.local.";

/// What to advertise.
#[derive(Debug, Clone)]
pub struct MdnsConfig {
    /// The host label, `kartei` → `kartei.local` (ignored when avahi owns the host name).
    pub name: String,
    pub port: u16,
    /// The salon's name (TXT `salon`, and the instance name people see).
    pub salon: String,
    /// Whether avahi-daemon answers for this machine's host name (see [`avahi_running`]).
    pub avahi: bool,
}

/// Whether avahi-daemon runs on this machine (its socket exists).
pub fn avahi_running() -> bool {
    Path::new("/run/avahi-daemon/socket").exists()
        || Path::new("/var/run/avahi-daemon/socket").exists()
}

/// This machine's host name (as avahi publishes it, without `.local`).
pub fn system_host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "kartei".into())
}

/// The running advertisement; [`Advertiser::stop`] withdraws it.
pub struct Advertiser {
    daemon: ServiceDaemon,
    fullnames: Vec<String>,
    /// The `.local` name the services point at (`kartei.local.`).
    pub host: String,
}

impl Advertiser {
    pub fn start(config: &MdnsConfig) -> Result<Advertiser, mdns_sd::Error> {
        let label = if config.avahi {
            system_host_name()
        } else {
            config.name.trim_end_matches(".local").to_string()
        };
        let host = format!("{label}.local.");
        let instance = match config.salon.trim() {
            "" => format!("Kartei {label}"),
            salon => format!("{salon} (Kartei)"),
        };
        let daemon = ServiceDaemon::new()?;
        let mut txt: HashMap<String, String> = HashMap::new();
        txt.insert("version".into(), env!("CARGO_PKG_VERSION").into());
        txt.insert("path".into(), "/".into());
        txt.insert("api".into(), "/api/v1".into());
        txt.insert("salon".into(), truncate(&config.salon, 200));
        let mut fullnames = Vec::new();
        for ty in [KARTEI_SERVICE, HTTP_SERVICE] {
            let info = ServiceInfo::new(ty, &instance, &host, "", config.port, txt.clone())?
                .enable_addr_auto();
            fullnames.push(info.get_fullname().to_string());
            daemon.register(info)?;
        }
        Ok(Advertiser {
            daemon,
            fullnames,
            host,
        })
    }

    /// Withdraws the services (goodbye packets) and stops the responder.
    pub fn stop(self) {
        for name in &self.fullnames {
            if let Ok(done) = self.daemon.unregister(name) {
                match done.recv_timeout(Duration::from_secs(2)) {
                    Ok(UnregisterStatus::OK) => {}
                    other => log::warn!("mDNS: unregister {name}: {other:?}"),
                }
            }
        }
        if let Ok(done) = self.daemon.shutdown() {
            let _ = done.recv_timeout(Duration::from_secs(2));
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// A Kartei appliance found on the LAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The instance name (the salon).
    pub name: String,
    pub host: String,
    pub addresses: Vec<IpAddr>,
    pub port: u16,
    pub version: String,
    pub salon: String,
}

/// Browses `_kartei._tcp` for `wait` and returns what answered, sorted by name.
pub fn discover(wait: Duration) -> Result<Vec<Found>, mdns_sd::Error> {
    let daemon = ServiceDaemon::new()?;
    let events = daemon.browse(KARTEI_SERVICE)?;
    let deadline = Instant::now() + wait;
    let mut found: Vec<Found> = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(event) = events.recv_timeout(left) else {
            break;
        };
        if let ServiceEvent::ServiceResolved(service) = event {
            let mut addresses: Vec<IpAddr> =
                service.addresses.iter().map(|a| a.to_ip_addr()).collect();
            addresses.sort_by_key(|a| (a.is_ipv6(), a.is_loopback(), *a));
            let name = service
                .fullname
                .strip_suffix(&format!(".{KARTEI_SERVICE}"))
                .unwrap_or(&service.fullname)
                .replace("\\", "");
            let entry = Found {
                name,
                host: service.host.clone(),
                addresses,
                port: service.port,
                version: prop(&service.txt_properties, "version"),
                salon: prop(&service.txt_properties, "salon"),
            };
            match found.iter_mut().find(|f| f.name == entry.name) {
                Some(existing) => *existing = entry,
                None => found.push(entry),
            }
        }
    }
    let _ = daemon.stop_browse(KARTEI_SERVICE);
    if let Ok(done) = daemon.shutdown() {
        let _ = done.recv_timeout(Duration::from_secs(1));
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

fn prop(txt: &mdns_sd::TxtProperties, key: &str) -> String {
    txt.get_property_val_str(key)
        .unwrap_or_default()
        .to_string()
}

/// The machine's LAN addresses (IPv4 first, no loopback), for the "open http://IP:PORT" hint.
pub fn lan_addresses() -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .map(|i| i.ip())
        .filter(|ip| match ip {
            IpAddr::V4(_) => true,
            IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) != 0xfe80,
        })
        .collect();
    ips.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    ips.dedup();
    ips
}
