//! `kartei backup` and `kartei restore` with the real binary: a backup taken from the running
//! server over its control socket, a dry run that writes nothing, a restore that is searchable.

use crate::server_support::Server;
use crate::support::{kartei, stderr, stdout};
use std::os::unix::fs::PermissionsExt;

#[test]
fn a_backup_of_the_running_server_restores_into_a_new_folder_and_is_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = kartei(&data, &["demo", "--customers", "200"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let server = Server::start(&data, &["serve", "--no-mdns"]);
    let socket = data.join("control.sock");
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "control socket only for its owner");
    let backups = dir.path().join("backups");
    let out = kartei(&data, &["backup", "--out", backups.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("200 Kunden"), "{}", stdout(&out));
    let (status, _) = server.stop();
    assert!(status.success());
    assert!(!socket.exists(), "the socket file goes with the process");

    let files: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = files[0].to_str().unwrap();

    let restored = dir.path().join("restored");
    let out = kartei(&restored, &["restore", file, "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("customers: 200"), "{}", stdout(&out));
    assert!(!restored.exists(), "a dry run writes nothing");

    let out = kartei(&restored, &["restore", file]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kartei(&restored, &["stats"]);
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["total_customers"], 200);
    let out = kartei(&restored, &["search", "müller"]);
    assert!(stdout(&out).contains("Müller, "), "{}", stdout(&out));

    // A second restore into the same folder is refused with one clear line.
    let out = kartei(&restored, &["restore", file]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("schon eine Kartei"),
        "{}",
        stderr(&out)
    );
}
