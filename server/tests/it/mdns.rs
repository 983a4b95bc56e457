//! mDNS with real packets on this machine: the server's advertisement is browsed by a separate
//! mdns-sd daemon (the service types, host, port, TXT records), withdrawn on stop, and found by
//! [`kartei_server::mdns::discover`].

use kartei_server::mdns::{self, Advertiser, MdnsConfig, HTTP_SERVICE, KARTEI_SERVICE};
use mdns_sd::{ServiceDaemon, ServiceEvent};
use std::time::{Duration, Instant};

fn unique_port() -> u16 {
    // Not bound: only the advertised number matters here; unique per run to tell us apart.
    40_000 + (std::process::id() % 20_000) as u16
}

#[test]
fn advertised_services_are_browsable_and_withdrawn_on_stop() {
    let port = unique_port();
    let salon = format!("Salon Test {port}");
    let advertiser = Advertiser::start(&MdnsConfig {
        name: format!("kartei-test-{port}"),
        port,
        salon: salon.clone(),
        avahi: false,
    })
    .expect("mDNS responder starts");

    let browser = ServiceDaemon::new().expect("second mDNS daemon");
    let kartei_events = browser.browse(KARTEI_SERVICE).unwrap();
    let http_events = browser.browse(HTTP_SERVICE).unwrap();

    let wait_resolved = |events: &mdns_sd::Receiver<ServiceEvent>| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match events.recv_timeout(left) {
                Ok(ServiceEvent::ServiceResolved(s)) if s.port == port => return Some(s),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        None
    };
    let found = wait_resolved(&kartei_events).expect("_kartei._tcp resolved within 10 s");
    assert_eq!(found.host, format!("kartei-test-{port}.local."));
    assert!(!found.addresses.is_empty());
    let txt = |k: &str| {
        found
            .txt_properties
            .get_property_val_str(k)
            .map(str::to_string)
    };
    assert_eq!(txt("version").as_deref(), Some(env!("CARGO_PKG_VERSION")));
    assert_eq!(txt("path").as_deref(), Some("/"));
    assert_eq!(txt("api").as_deref(), Some("/api/v1"));
    assert_eq!(txt("salon"), Some(salon.clone()));
    let http = wait_resolved(&http_events).expect("_http._tcp resolved within 10 s");
    assert_eq!(http.port, port);

    // The discover command's browser finds it too.
    let listed = mdns::discover(Duration::from_secs(3)).unwrap();
    assert!(
        listed.iter().any(|f| f.port == port && f.salon == salon),
        "{listed:?}"
    );

    // Stopping sends goodbyes: the browser sees the service removed.
    let fullname = found.fullname.clone();
    advertiser.stop();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut removed = false;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match kartei_events.recv_timeout(left) {
            Ok(ServiceEvent::ServiceRemoved(_, name)) if name == fullname => {
                removed = true;
                break;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!(removed, "goodbye for {fullname} within 10 s");
    let _ = browser.shutdown();
}

/// With avahi-daemon running, Kartei claims no host name of its own: the services point at the
/// name avahi publishes for this machine.
#[test]
fn with_avahi_the_services_point_at_the_system_host_name() {
    let port = unique_port() + 1;
    let advertiser = Advertiser::start(&MdnsConfig {
        name: "kartei".into(),
        port,
        salon: format!("Salon Avahi {port}"),
        avahi: true,
    })
    .expect("mDNS responder starts");
    assert_eq!(
        advertiser.host,
        format!("{}.local.", mdns::system_host_name())
    );
    let browser = ServiceDaemon::new().unwrap();
    let events = browser.browse(KARTEI_SERVICE).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut host = None;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(ServiceEvent::ServiceResolved(s)) if s.port == port => {
                host = Some(s.host.clone());
                break;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert_eq!(host, Some(advertiser.host.clone()));
    advertiser.stop();
    let _ = browser.shutdown();
}
