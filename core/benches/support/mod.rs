//! What the benchmark programs share: reading their own memory figures from `/proc`, sizes from
//! the environment, and the folder under `target/` where generated card files are kept between
//! runs. Each bench uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A `kB` field of `/proc/self/status` (`VmRSS:`, `VmHWM:`), 0 where there is none.
pub fn status(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Sets VmHWM back to the current RSS, so a later VmHWM is the peak of what came after.
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", b"5");
}

/// Kilobytes as megabytes.
pub fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// A size from the environment (`KARTEI_BENCH_…`), or `default`.
pub fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `target/bench-data/<name>`: generated card files live here between runs.
pub fn bench_data(name: &str) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("bench-data")
        .join(name)
}
