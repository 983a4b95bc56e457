//! The phone web app in a real browser: headless Chromium (Debian's `chromium`, driven by
//! `playwright-core` from `tests/browser/`) against the real binary on a free port, on a
//! phone-sized viewport. The script logs in, creates a customer, finds them by typing the first
//! letters, opens the card, adds an allergy note and sees the warning. With `SCREENSHOT_DIR`
//! set it saves the main pages as PNG (`docs/screenshots/`).

use crate::server_support::Server;
use crate::support::{kartei, stderr};
use std::path::Path;
use std::process::Command;

#[test]
fn phone_web_app_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = root.join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "run scripts/setup (npm ci in tests/browser) first"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = kartei(dir.path(), &["demo", "--customers", "200"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kartei(
        dir.path(),
        &["staff", "add", "--name", "Mia", "--pin", "4711"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let server = Server::start(dir.path(), &["serve", "--no-mdns"]);

    let mut node = Command::new("node");
    node.arg("phone.spec.mjs")
        .current_dir(&browser_dir)
        .env("KARTEI_URL", &server.url)
        .env("KARTEI_STAFF", "Mia")
        .env("KARTEI_PIN", "4711");
    if std::env::var_os("SCREENSHOT_DIR").is_none() {
        node.env_remove("SCREENSHOT_DIR");
    }
    let out = node.output().expect("node runs");
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser test failed:\n{log}");
    let (status, _) = server.stop();
    assert!(status.success());
}
