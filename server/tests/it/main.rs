//! Integration tests of kartei-server, one module per topic, linked into one test binary (one
//! link instead of ten: a faster build and a third of the disk). Router tests drive `app(state)`
//! without a socket; the others start the server on loopback.

mod api;
mod audit;
mod backups;
mod card;
mod edit;
mod export_import;
mod hostile;
mod hosts;
mod http;
mod mdns;
mod messages;
mod photos;
mod retention;
mod support;
