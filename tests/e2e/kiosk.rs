//! The kiosk as a user starts it: `kartei screenshots` writes real PNGs that a PNG reader opens,
//! and `kartei` with a display (a virtual X server, `Xvfb`) opens the window next to the LAN
//! server and stops both cleanly.

use crate::server_support::{try_http, Server};
use crate::support::{kartei, stderr, stdout};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[test]
fn screenshots_render_every_screen_in_both_panel_sizes() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = kartei(
        data.path(),
        &["screenshots", "--out", out.path().to_str().unwrap()],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let files: Vec<String> = stdout(&run).lines().map(str::to_string).collect();
    assert_eq!(files.len(), 32, "{files:?}");
    for screen in [
        "onboarding",
        "lock",
        "list",
        "search",
        "card",
        "card-photos",
        "new-customer",
        "dashboard",
        "import",
        "import-preview",
    ] {
        for (w, h) in [(1280, 800), (800, 480)] {
            let path = out.path().join(format!("kiosk-{screen}-{w}x{h}.png"));
            let image = image::open(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .to_rgb8();
            assert_eq!(image.dimensions(), (w, h), "{}", path.display());
            let mut colours: Vec<[u8; 3]> = image.pixels().map(|p| p.0).collect();
            colours.sort_unstable();
            colours.dedup();
            assert!(colours.len() > 50, "{} looks blank", path.display());
        }
    }
    // The salon's own data folder was not touched: the screens show temporary demo data.
    assert!(!data.path().join("kartei.redb").exists());
}

/// A virtual X display, stopped on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs (Debian package xvfb)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("Xvfb prints its display number");
        Xvfb {
            child,
            display: format!(":{}", line.trim()),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_appliance_with_a_display_runs_window_and_server_and_stops_both() {
    let x = Xvfb::start();
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_on_display(data.path(), &["--no-mdns"], Some(&x.display));
    assert!(
        server
            .banner
            .join("\n")
            .contains("Kartei-Server läuft: http://127.0.0.1:"),
        "{:?}",
        server.banner
    );
    server.wait_for_line("Kiosk-Fenster geöffnet.", Duration::from_secs(60));
    let health = try_http(server.port, "GET", "/healthz", &[], None).unwrap();
    assert_eq!(health.status, 200);
    let (status, rest) = server.stop();
    assert!(status.success(), "{status:?}");
    assert!(
        rest.iter().any(|l| l == "Kartei-Server beendet."),
        "{rest:?}"
    );
}
