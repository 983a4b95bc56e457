//! The photo gallery of the phone web app in a real browser (headless Chromium, like
//! `browser.rs`), against the real binary: a phone JPEG with EXIF orientation, written here with
//! the `image` crate, is uploaded on a phone-sized viewport and its thumbnail appears upright; a
//! text file named `.jpg` is refused. The files in the data folder are checked afterwards.

use crate::server_support::Server;
use crate::support::{kartei, stderr, stdout};
use kartei_core::photos::samples::{self, ExifSpec};
use std::path::Path;
use std::process::Command;

#[test]
fn phone_uploads_a_photo_and_sees_its_thumbnail() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = root.join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "run scripts/setup (npm ci in tests/browser) first"
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = kartei(&data, &["staff", "add", "--name", "Mia", "--pin", "4711"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kartei(&data, &["demo", "--customers", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let photo = dir.path().join("IMG_2041.jpg");
    let jpeg = samples::with_exif(
        &samples::jpeg(1200, 800, 9),
        &ExifSpec {
            orientation: 6,
            taken: "2026:11:20 15:04:05",
            gps: true,
        },
    );
    std::fs::write(&photo, jpeg).unwrap();
    let not_a_photo = dir.path().join("Einkaufsliste.jpg");
    std::fs::write(&not_a_photo, "Shampoo, Föhn, Spangen\n").unwrap();

    let server = Server::start(&data, &["serve", "--no-mdns"]);
    let mut node = Command::new("node");
    node.arg("photos.spec.mjs")
        .current_dir(&browser_dir)
        .env("KARTEI_URL", &server.url)
        .env("KARTEI_STAFF", "Mia")
        .env("KARTEI_PIN", "4711")
        .env("KARTEI_CUSTOMER", "1")
        .env("KARTEI_PHOTO", &photo)
        .env("KARTEI_NOT_A_PHOTO", &not_a_photo);
    if std::env::var_os("SCREENSHOT_DIR").is_none() {
        node.env_remove("SCREENSHOT_DIR");
    }
    let out = node.output().expect("node runs");
    assert!(
        out.status.success(),
        "browser test failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let (status, _) = server.stop();
    assert!(status.success());
    // The photo was deleted at the end: its files went with it, nothing half-written is left.
    let left: Vec<_> = std::fs::read_dir(data.join("photos")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}
