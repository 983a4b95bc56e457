//! Named checks of ARCHITECTURE.md's layering: `core` knows nothing of HTTP, Slint or terminals
//! and never prints (faces render its errors and messages).

use std::path::{Path, PathBuf};

fn core_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate names in the `[dependencies]` table of core's manifest.
fn dependencies() -> Vec<String> {
    let manifest = std::fs::read_to_string(core_dir().join("Cargo.toml")).unwrap();
    let mut in_dependencies = false;
    let mut out = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if in_dependencies && !line.is_empty() && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once(['=', '.']) {
                out.push(name.trim().to_string());
            }
        }
    }
    out
}

#[test]
fn core_depends_on_no_face() {
    let deps = dependencies();
    assert!(
        deps.iter().any(|d| d == "redb"),
        "manifest not read: {deps:?}"
    );
    let faces = [
        "axum",
        "hyper",
        "http",
        "tower",
        "tower-http",
        "utoipa",
        "slint",
        "i-slint-core",
        "crossterm",
        "termcolor",
        "clap",
        "anyhow",
        "kartei-server",
        "kartei",
    ];
    for dep in &deps {
        assert!(
            !faces.contains(&dep.as_str()) && !dep.starts_with("slint"),
            "core depends on the face crate {dep}"
        );
    }
}

#[test]
fn core_never_prints() {
    let mut files = Vec::new();
    rust_files(&core_dir().join("src"), &mut files);
    assert!(files.len() > 20, "sources not found");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for printing in [
                "println!",
                "eprintln!",
                "print!(",
                "eprint!(",
                "dbg!(",
                "stdout()",
                "stderr()",
            ] {
                assert!(
                    !code.contains(printing),
                    "{}:{}: core prints ({printing}); return a Msg or log instead",
                    file.display(),
                    n + 1
                );
            }
        }
    }
}
