//! End-to-end tests: the real `kartei` binary, started as a user would, on temporary data
//! folders. One module per topic.

mod cli;
mod kiosk;
mod server;
mod server_support;
mod support;
