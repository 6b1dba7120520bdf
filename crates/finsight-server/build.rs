//! Builds the dashboard (`web/`, React + TypeScript + Vite) into
//! `web/dist` when it is missing or older than its sources, so the one
//! `cargo build` that makes the binary also makes what it embeds. Needs
//! Node.js and npm at build time only (`npm ci` installs from the npm
//! registry the first time); the binary needs neither.
//! `FINSIGHT_WEB_PREBUILT=1` trusts an existing `web/dist` as it is.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// What the build reads; a change to any of them rebuilds the dashboard.
const SOURCES: [&str; 7] = [
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
];

fn main() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    for source in SOURCES {
        println!("cargo:rerun-if-changed={}", web.join(source).display());
    }
    println!("cargo:rerun-if-env-changed=FINSIGHT_WEB_PREBUILT");
    let index = web.join("dist/index.html");
    if std::env::var_os("FINSIGHT_WEB_PREBUILT").is_some() && index.exists() {
        return;
    }
    let built = modified(&index);
    let newest = SOURCES
        .iter()
        .filter_map(|source| newest(&web.join(source)))
        .max();
    if built.is_some() && built >= newest {
        return;
    }
    let lock = modified(&web.join("package-lock.json"));
    let installed = modified(&web.join("node_modules/.package-lock.json"));
    if installed.is_none() || installed < lock {
        npm(&web, &["ci", "--no-audit", "--no-fund"]);
    }
    npm(&web, &["run", "build"]);
}

fn npm(web: &Path, args: &[&str]) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(web)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "building the dashboard needs Node.js 20+ and npm (`apt-get install nodejs npm`): \
                 cannot run npm: {e}"
            )
        });
    assert!(
        status.success(),
        "`npm {}` in {} failed ({status})",
        args.join(" "),
        web.display()
    );
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The latest modification under `path` (itself when it is a file).
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    let mut stack: Vec<PathBuf> = vec![path.to_path_buf()];
    let mut latest = meta.modified().ok();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            }
            latest = latest.max(meta.modified().ok());
        }
    }
    latest
}
