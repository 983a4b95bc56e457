//! The command line: demo data, search, stats, reindex, and clear one-line errors.

use crate::support::{kartei, stderr, stdout};

#[test]
fn demo_search_stats_and_reindex() {
    let dir = tempfile::tempdir().unwrap();
    let out = kartei(dir.path(), &["demo", "--customers", "500"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("500 Demo-Kunden angelegt"));

    let out = kartei(dir.path(), &["search", "müller"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Müller, "), "{text}");
    assert!(
        text.lines().last().unwrap_or("").contains("Treffer"),
        "{text}"
    );

    let out = kartei(dir.path(), &["stats"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["total_customers"], 500);
    assert_eq!(stats["visits_per_month"].as_array().map(Vec::len), Some(12));

    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    let out = kartei(
        dir.path(),
        &["search", "--filter", "regular", "--sort", "last_visit", "s"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Suchindex neu aufgebaut (500 Kunden)"));

    let out = kartei(dir.path(), &["reindex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("500 Kunden"));
}

#[test]
fn a_second_process_gets_a_clear_already_in_use_error() {
    let dir = tempfile::tempdir().unwrap();
    let (owner, _) = kartei_core::Kartei::open(dir.path()).unwrap();
    let out = kartei(dir.path(), &["stats"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("wird bereits von einem anderen Kartei-Prozess benutzt"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(!err.contains("panicked"));
    drop(owner);
    assert!(
        kartei(dir.path(), &["stats"]).status.success(),
        "free again once the owner is gone"
    );
}

#[test]
fn a_store_from_a_newer_kartei_is_refused_in_the_users_language() {
    let dir = tempfile::tempdir().unwrap();
    assert!(kartei(dir.path(), &["stats"]).status.success());
    kartei_core::store::force_schema_version(&dir.path().join("kartei.redb"), 7).unwrap();
    let out = kartei(dir.path(), &["stats"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("neueren Kartei-Version (Schema 7"),
        "{}",
        stderr(&out)
    );
    let out = kartei(dir.path(), &["--lang", "en", "stats"]);
    assert!(
        stderr(&out).contains("written by a newer Kartei (schema 7"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn user_mistakes_get_one_line_not_a_backtrace() {
    let dir = tempfile::tempdir().unwrap();
    let out = kartei(dir.path(), &["search", "--group", "Gold", "x"]);
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out).trim(),
        "kartei: Die Gruppe „Gold“ gibt es nicht."
    );
    let out = kartei(dir.path(), &["search", "--filter", "bogus", "x"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unknown filter \"bogus\""),
        "{}",
        stderr(&out)
    );
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let out = kartei(&file, &["stats"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("kann nicht benutzt werden"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

/// `kartei search … | head`: output cut off ends the command quietly (as Unix tools do), not
/// with a panic about a broken pipe.
#[test]
fn cut_off_output_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let out = kartei(dir.path(), &["demo", "--customers", "50"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut child = std::process::Command::new(crate::support::kartei_bin())
        .arg("--data")
        .arg(dir.path())
        .args(["search", "--limit", "50", "e"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before anything is printed.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let errors = stderr(&out);
    assert!(!errors.contains("panicked"), "{errors}");
    assert!(
        out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
        "{:?}: {errors}",
        out.status
    );
}

/// `--lang en` gives every line in English: the words come from the core's catalogue.
#[test]
fn the_command_line_speaks_english_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out = kartei(dir.path(), &["--lang", "en", "staff", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "No staff members.");
    let out = kartei(dir.path(), &["--lang", "en", "demo", "--customers", "20"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("20 demo customers created"),
        "{}",
        stdout(&out)
    );
    let out = kartei(dir.path(), &["--lang", "en;q=0.1, de", "reindex"]);
    assert!(
        stdout(&out).contains("Suchindex neu aufgebaut: 20 Kunden"),
        "{}",
        stdout(&out)
    );
    let out = kartei(
        dir.path(),
        &[
            "--lang", "en", "staff", "add", "--name", "Mia", "--pin", "4711",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "Staff member Mia added (staff).");
}
