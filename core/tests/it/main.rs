//! Integration tests of kartei-core, one module per topic, each on a fresh temporary data folder
//! with a fixed clock (24.11.2026 10:00 UTC).

mod audit;
mod backup;
mod customers;
mod edit;
mod erasure;
mod export;
mod fixture;
mod fuzz;
mod import;
mod layering;
mod mail;
mod nightly;
mod photos;
mod retention;
mod search;
mod store;
