//! Running the real `kartei` binary on a temporary data folder.

use std::path::Path;
use std::process::{Command, Output};

/// The binary Cargo built for these tests.
pub fn kartei_bin() -> &'static str {
    env!("CARGO_BIN_EXE_kartei")
}

/// Runs `kartei --data DIR ARGS…` to completion, with German messages.
pub fn kartei(data: &Path, args: &[&str]) -> Output {
    Command::new(kartei_bin())
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("KARTEI_LANG")
        .output()
        .expect("the kartei binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
