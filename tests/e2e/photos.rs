//! The photo gallery of the phone web app in a real browser (headless Chromium, like
//! `browser.rs`), against the real binary: a phone JPEG with EXIF orientation, written here with
//! the `image` crate, is uploaded on a phone-sized viewport and its thumbnail appears upright; a
//! text file named `.jpg` is refused. The files in the data folder are checked afterwards.

use crate::server_support::{run_browser_spec, Server};
use crate::support::{kartei, stderr};
use kartei_core::photos::samples::{self, ExifSpec};

#[test]
fn phone_uploads_a_photo_and_sees_its_thumbnail() {
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
    run_browser_spec(
        "photos.spec.mjs",
        &server,
        &[
            ("KARTEI_CUSTOMER", "1".as_ref()),
            ("KARTEI_PHOTO", photo.as_os_str()),
            ("KARTEI_NOT_A_PHOTO", not_a_photo.as_os_str()),
        ],
    );
    let (status, _) = server.stop();
    assert!(status.success());
    // The photo was deleted at the end: its files went with it, nothing half-written is left.
    let left: Vec<_> = std::fs::read_dir(data.join("photos")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}
