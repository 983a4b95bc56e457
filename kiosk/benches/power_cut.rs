//! The power-cut drill as a benchmark: 100 rounds (or `KARTEI_POWER_CUTS`) of writing over the
//! API, killing the appliance with SIGKILL at a random moment and starting it again; prints how
//! many writes were acknowledged and survived, what became of the unanswered ones, and how long
//! the restarts took. The drill itself (and its checks) is the e2e test module `powercut`.
//!
//! `cargo bench -p kartei --bench power_cut`

#[allow(dead_code)]
#[path = "../../tests/e2e/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../../tests/e2e/server_support.rs"]
mod server_support;

#[allow(dead_code)]
#[path = "../../tests/e2e/powercut.rs"]
mod powercut;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn main() {
    let rounds = std::env::var("KARTEI_POWER_CUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let dir = tempfile::tempdir().expect("a temporary folder");
    println!("power-cut drill: {rounds} SIGKILLs during writes (seed {seed:#x})");
    let mut figures = powercut::drill(dir.path(), rounds, seed);
    figures.restart.sort();
    let at = |q: f64| {
        let i = ((figures.restart.len() as f64 - 1.0) * q).round() as usize;
        figures.restart.get(i).copied().unwrap_or(Duration::ZERO)
    };
    println!(
        "acknowledged writes: {} (all there after every restart, each found once by the search)",
        figures.acknowledged
    );
    println!(
        "unanswered writes (killed mid-request): {}, of which {} were kept, none twice",
        figures.unanswered, figures.unanswered_kept
    );
    println!(
        "restart until /healthz answers: median {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    );
}
