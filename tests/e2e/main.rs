//! End-to-end tests: the real `kartei` binary, started as a user would, on temporary data
//! folders. One module per topic.

mod backup;
mod browser;
mod cli;
mod export_import;
mod fuzz;
mod hostile;
mod kiosk;
mod photos;
mod powercut;
mod server;
mod server_support;
mod support;
