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

    // The backup, and beside it the list of erased customers every backup run keeps.
    let files: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with(kartei_core::backup::ERASED_SIDE_FILE))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(backups.join(kartei_core::backup::ERASED_SIDE_FILE).exists());
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

/// Runs `script` with `sh` in a mount namespace of its own (so the test's stick is seen by
/// nobody else and goes away with it), with `$KARTEI`, `$DATA`, `$MEDIA` and `$IMAGE` set.
fn in_private_mounts(
    script: &str,
    data: &std::path::Path,
    media: &std::path::Path,
    image: &std::path::Path,
) -> std::process::Output {
    std::process::Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-eu", "-c", script])
        .env("KARTEI", crate::support::kartei_bin())
        .env("DATA", data)
        .env("MEDIA", media)
        .env("IMAGE", image)
        .env_remove("KARTEI_LANG")
        .output()
        .expect("unshare runs")
}

/// A real USB stick, as far as Linux can tell: an ext4 file system on a loop device, mounted
/// under the folder Kartei looks for sticks in. The nightly backup (`kartei backup` without
/// `--out` runs the same) goes onto the appliance's folder and the stick, each read back; when
/// the stick is full, the stick's older backup stays intact and the failure names the stick,
/// while the appliance's own backup still succeeds.
#[test]
fn the_automatic_backup_goes_onto_a_real_stick_and_a_full_stick_keeps_its_older_backup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = kartei(&data, &["demo", "--customers", "300"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let media = dir.path().join("media");
    let image = dir.path().join("stick.img");
    let script = r#"
        truncate -s 8M "$IMAGE"
        mkfs.ext4 -q -F -L INTENSO "$IMAGE"
        mkdir -p "$MEDIA/INTENSO"
        mount -o loop "$IMAGE" "$MEDIA/INTENSO"
        echo "== first"
        "$KARTEI" --data "$DATA" --usb-roots "$MEDIA" backup
        ls "$MEDIA/INTENSO/kartei-sicherungen"
        first=$(ls "$MEDIA/INTENSO/kartei-sicherungen" | head -n1)
        cp "$MEDIA/INTENSO/kartei-sicherungen/$first" "$DATA/../first-on-stick.tar"
        sleep 1
        echo "== full"
        dd if=/dev/zero of="$MEDIA/INTENSO/fill" bs=64k 2>/dev/null || true
        sync
        if "$KARTEI" --data "$DATA" --usb-roots "$MEDIA" backup; then echo "SECOND-OK"; else echo "SECOND-FAILED"; fi
        echo "== left on the stick"
        ls -a "$MEDIA/INTENSO/kartei-sicherungen"
        cmp "$MEDIA/INTENSO/kartei-sicherungen/$first" "$DATA/../first-on-stick.tar" && echo "FIRST-INTACT"
        umount "$MEDIA/INTENSO"
    "#;
    let out = in_private_mounts(script, &data, &media, &image);
    let (so, se) = (stdout(&out), stderr(&out));
    if !out.status.success() && se.contains("unshare") {
        panic!("this test needs root for a private mount namespace and a loop device: {se}");
    }
    assert!(out.status.success(), "{so}\n{se}");
    let first = so.split("== full").next().unwrap();
    assert!(first.contains("✓ INTENSO: "), "{so}\n{se}");
    assert!(first.contains("300 Kunden"), "{so}");
    assert!(first.contains("zurückgelesen und geprüft"), "{so}");
    assert!(first.contains("letzte Sicherung "), "{so}");
    assert!(
        so.contains("SECOND-FAILED"),
        "a full stick fails the run: {so}\n{se}"
    );
    assert!(
        se.contains("✗ INTENSO: ") && se.contains("Platz"),
        "the failure names the stick and the reason: {se}"
    );
    let left = so.split("== left on the stick").nth(1).unwrap();
    assert!(!left.contains(".partial"), "no half backup left: {left}");
    assert!(so.contains("FIRST-INTACT"), "{so}");
    // The appliance's own folder got the second backup too; of two on one day the retention
    // rule keeps the newer.
    let in_folder: Vec<_> = std::fs::read_dir(data.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != kartei_core::backup::ERASED_SIDE_FILE)
        .collect();
    assert_eq!(in_folder.len(), 1, "{in_folder:?}");
    let first_name = left
        .split_whitespace()
        .find(|n| n.ends_with(".tar"))
        .unwrap();
    assert!(
        in_folder[0].as_str() > first_name,
        "{in_folder:?} vs {first_name}"
    );
    // The stick's backup restores.
    let restored = dir.path().join("restored");
    let file = dir.path().join("first-on-stick.tar");
    let out = kartei(&restored, &["restore", file.to_str().unwrap(), "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The status the kiosk and phones show names the failed stick.
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("backup-status.json")).unwrap()).unwrap();
    let stick = status["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "INTENSO")
        .unwrap();
    assert!(
        stick["error"]["de"].as_str().unwrap().contains("Platz"),
        "{stick}"
    );
    assert!(
        stick["last_good"].is_object(),
        "the older good one is still recorded"
    );
}
