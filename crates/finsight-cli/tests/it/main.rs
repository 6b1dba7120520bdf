//! End-to-end tests of the `finsight` binary, as a user runs it: demo
//! loads, reloads add nothing, both backends print the same stats, bad
//! input is named, and the server starts and stops on a signal.

mod auth;
mod crash;
mod eval;
mod features;
mod keys;
mod models;
mod own_files;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const SMALL_DEMO: &[&str] = &[
    "demo",
    "--no-serve",
    "--users",
    "12",
    "--months",
    "4",
    "--seed",
    "7",
    "--end-month",
    "2026-10",
];

pub fn finsight(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_finsight"))
        .args(args)
        .env_remove("RUST_LOG")
        .env("FINSIGHT__LOG__FILTER", "warn")
        .output()
        .unwrap()
}

pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn with_dir<'a>(dir: &'a Path, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--data-dir", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    all
}

#[test]
fn demo_twice_adds_nothing_and_stats_match_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let first = ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    assert!(first.contains(" 0 duplicates"), "{first}");
    let stats = ok(&finsight(&with_dir(dir.path(), &["stats"])));
    let again = ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    assert!(again.contains(": 0 new transactions"), "{again}");
    assert_eq!(ok(&finsight(&with_dir(dir.path(), &["stats"]))), stats);
    assert!(stats.contains("users                 12"), "{stats}");
    let labels = std::fs::read_to_string(dir.path().join("anomaly-labels.csv")).unwrap();
    assert!(labels.starts_with("transaction_id,user_id,account_id,kind,incident"));

    let database = postgres::fresh_database();
    let url = database.url();
    let pg_dir = tempfile::tempdir().unwrap();
    let mut args = vec!["--database-url", url.as_str()];
    args.extend_from_slice(&with_dir(pg_dir.path(), SMALL_DEMO));
    ok(&finsight(&args));
    let mut args = vec!["--database-url", url.as_str()];
    args.extend_from_slice(&with_dir(pg_dir.path(), &["stats"]));
    let pg_stats = ok(&finsight(&args));
    assert_eq!(
        pg_stats, stats,
        "SQLite and PostgreSQL print the same stats"
    );
}

#[test]
fn synth_writes_bank_exports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exports");
    for format in ["csv", "ofx", "qif", "jsonl"] {
        let text = ok(&finsight(&[
            "synth",
            "--users",
            "3",
            "--months",
            "2",
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
            "--end-month",
            "2026-01",
        ]));
        assert!(text.starts_with("wrote "), "{text}");
        let written = std::fs::read_dir(&out)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == format)
            })
            .count();
        assert!(written >= 1, "{format}");
    }
}

#[test]
fn bad_input_is_named_and_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["demo", "--no-serve", "--users", "0"], "users"),
        (&["demo", "--no-serve", "--months", "0"], "months"),
        (&["demo", "--no-serve", "--end-month", "2026-13"], "YYYY-MM"),
        (&["--database-url", "mysql://x", "stats"], "database url"),
        (&["--config", "/no/such/file.toml", "stats"], "config"),
        (&["serve", "--listen", "not-an-address"], "listen"),
    ];
    for (args, needle) in cases {
        let output = finsight(&with_dir(dir.path(), args));
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn serve_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_finsight"))
        .args(with_dir(dir.path(), &["serve", "--listen", "127.0.0.1:0"]))
        .env("FINSIGHT__LOG__FILTER", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let address = line.trim().rsplit("http://").next().unwrap().to_owned();
    let mut socket = std::net::TcpStream::connect(&address).unwrap();
    socket
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    socket.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful stop exits 0, got {status:?}");
}

mod postgres {
    //! A fresh database on the real PostgreSQL server (never skipped).
    use std::process::Command;

    pub struct Database {
        name: String,
    }

    fn admin_url() -> String {
        std::env::var("FINSIGHT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
    }

    fn psql(sql: &str) {
        let status = Command::new("psql")
            .args([admin_url().as_str(), "-qc", sql])
            .status()
            .expect("psql is required to create test databases");
        assert!(status.success(), "psql failed: {sql}");
    }

    pub fn fresh_database() -> Database {
        let name = format!(
            "finsight_cli_it_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        psql(&format!("CREATE DATABASE {name}"));
        Database { name }
    }

    impl Database {
        pub fn url(&self) -> String {
            let admin = admin_url();
            let (base, _) = admin.rsplit_once('/').unwrap();
            format!("{base}/{}", self.name)
        }
    }

    impl Drop for Database {
        fn drop(&mut self) {
            psql(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

#[test]
fn rules_processing_and_backfill_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    let stats = ok(&finsight(&with_dir(dir.path(), &["stats"])));
    let user = stats
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("user_id"))
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    let added = ok(&finsight(&with_dir(
        dir.path(),
        &[
            "rules",
            "add",
            "--user",
            &user,
            "--contains",
            "netflix",
            "--category",
            "subscriptions.streaming",
        ],
    )));
    assert!(added.starts_with("added rule "), "{added}");
    let listed = ok(&finsight(&with_dir(
        dir.path(),
        &["rules", "list", "--user", &user],
    )));
    assert!(
        listed.contains("\"netflix\" → subscriptions.streaming"),
        "{listed}"
    );
    let bad = finsight(&with_dir(
        dir.path(),
        &[
            "rules",
            "add",
            "--user",
            &user,
            "--contains",
            "xy",
            "--category",
            "dining.spaceship",
        ],
    ));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("category:"));
    let processed = ok(&finsight(&with_dir(dir.path(), &["process"])));
    assert!(processed.starts_with("processed "), "{processed}");
    assert_eq!(
        ok(&finsight(&with_dir(dir.path(), &["process"]))).trim(),
        "processed 0 outbox entries"
    );
    let first = ok(&finsight(&with_dir(
        dir.path(),
        &["backfill", "--from", "2026-09-01", "--to", "2026-09-03"],
    )));
    // Five daily jobs (categorizer-train, features-materialize, expiry,
    // volume-check, audit-retention) × three days.
    assert_eq!(first.matches(": ran: ").count(), 15, "{first}");
    assert!(first.contains("categorizers promoted"), "{first}");
    let again = ok(&finsight(&with_dir(
        dir.path(),
        &["backfill", "--from", "2026-09-01", "--to", "2026-09-03"],
    )));
    assert_eq!(again.matches(": already done: ").count(), 15, "{again}");
}

#[test]
fn import_and_quarantine_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    let accounts = ok(&finsight(&with_dir(dir.path(), &["accounts"])));
    let account = accounts
        .lines()
        .find(|l| l.contains(" USD "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    let file = dir.path().join("march.csv");
    std::fs::write(
        &file,
        "Date,Description,Amount\n2026-03-01,A,-1.00\n2026-02-30,B,-2.00\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let json = ok(&finsight(&with_dir(
        dir.path(),
        &[
            "import",
            file,
            "--account",
            &account,
            "--output",
            "json",
            "--save-profile",
            "mybank",
        ],
    )));
    assert_eq!(
        json.trim(),
        r#"{"accepted":1,"duplicates":0,"quarantined":1}"#
    );
    let json = ok(&finsight(&with_dir(
        dir.path(),
        &[
            "import",
            file,
            "--account",
            &account,
            "--output",
            "json",
            "--profile",
            "mybank",
        ],
    )));
    assert_eq!(
        json.trim(),
        r#"{"accepted":0,"duplicates":1,"quarantined":1}"#
    );
    let list = ok(&finsight(&with_dir(dir.path(), &["quarantine", "list"])));
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(list.contains("march.csv line 3: date:"), "{list}");
    let id = list.split_whitespace().next().unwrap();
    let shown = ok(&finsight(&with_dir(
        dir.path(),
        &["quarantine", "show", id],
    )));
    assert!(shown.contains("2026-02-30,B,-2.00"), "{shown}");
    let retry = finsight(&with_dir(dir.path(), &["quarantine", "retry", id]));
    assert!(!retry.status.success());
    assert!(String::from_utf8_lossy(&retry.stderr).contains("still invalid"));
    let missing = finsight(&with_dir(dir.path(), &["import", "/no/such.csv"]));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("file: cannot read"));
}

mod audit {
    //! `finsight audit verify` catches every kind of tampering.
    use crate::{SMALL_DEMO, finsight, ok, with_dir};

    /// A ledger whose audit log has five entries (five imports).
    fn audited() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
        let accounts = ok(&finsight(&with_dir(dir.path(), &["accounts"])));
        let account = accounts
            .lines()
            .find(|l| l.contains(" USD "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .to_owned();
        for n in 0..5 {
            let file = dir.path().join(format!("f{n}.csv"));
            std::fs::write(
                &file,
                format!(
                    "Date,Description,Amount\n2026-03-0{},ITEM {n},-1.00\n",
                    n + 1
                ),
            )
            .unwrap();
            ok(&finsight(&with_dir(
                dir.path(),
                &["import", file.to_str().unwrap(), "--account", &account],
            )));
        }
        dir
    }

    fn tamper(dir: &std::path::Path, statements: &[&str]) {
        let url = format!("sqlite://{}", dir.join("finsight.sqlite").display());
        let statements: Vec<String> = statements.iter().map(|s| (*s).to_owned()).collect();
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                for statement in statements {
                    sqlx::query(&statement).execute(&pool).await.unwrap();
                }
                pool.close().await;
            });
    }

    fn verify(dir: &std::path::Path) -> (bool, String) {
        let output = finsight(&with_dir(dir, &["audit", "verify"]));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }

    #[test]
    fn no_door_prunes_inside_twelve_months() {
        let dir = audited();
        let refused = finsight(&with_dir(
            dir.path(),
            &["audit", "prune", "--keep-days", "0"],
        ));
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("keep-days"));
        // A short retention in the configuration is refused by every
        // command, backfill included, not only by `serve`.
        let backfill = std::process::Command::new(env!("CARGO_BIN_EXE_finsight"))
            .args(with_dir(
                dir.path(),
                &["backfill", "--from", "2030-01-01", "--to", "2030-01-01"],
            ))
            .env("FINSIGHT__AUDIT__RETENTION_DAYS", "10")
            .output()
            .unwrap();
        assert!(!backfill.status.success());
        assert!(String::from_utf8_lossy(&backfill.stderr).contains("audit.retention_days"));
        // A backfill of a date far ahead prunes nothing recent: the
        // twelve months are counted from now, not from the job's date.
        let ahead = finsight(&with_dir(
            dir.path(),
            &[
                "backfill",
                "--from",
                "2031-06-01",
                "--to",
                "2031-06-01",
                "--job",
                "audit-retention",
            ],
        ));
        assert!(!String::from_utf8_lossy(&ahead.stdout).contains("pruned entries"));
        let (intact, text) = verify(dir.path());
        assert!(
            intact && text.contains("audit log intact: 41 entries"),
            "{text}"
        );
    }

    #[test]
    fn edits_deletions_and_swaps_are_each_caught() {
        let intact = audited();
        assert_eq!(
            verify(intact.path()),
            (true, "audit log intact: 41 entries\n".to_owned())
        );

        let edited = audited();
        tamper(
            edited.path(),
            &["UPDATE audit_log SET detail = 'format=csv accepted=0' WHERE seq = 2"],
        );
        let (ok, text) = verify(edited.path());
        assert!(
            !ok && text.contains("broken at entry 2") && text.contains("edited"),
            "{text}"
        );

        let deleted = audited();
        tamper(deleted.path(), &["DELETE FROM audit_log WHERE seq = 3"]);
        let (ok, text) = verify(deleted.path());
        assert!(
            !ok && text.contains("broken at entry 4") && text.contains("missing"),
            "{text}"
        );

        let swapped = audited();
        tamper(
            swapped.path(),
            &[
                "UPDATE audit_log SET seq = -2 WHERE seq = 2",
                "UPDATE audit_log SET seq = 2 WHERE seq = 4",
                "UPDATE audit_log SET seq = 4 WHERE seq = -2",
            ],
        );
        let (ok, text) = verify(swapped.path());
        assert!(!ok && text.contains("broken at entry 2"), "{text}");

        // The demo's five keys (data and index key of two tenants, the
        // system index key), its market prices, the training and promotion
        // of two tenants' categorizers, a budget and a goal for each of its
        // twelve people and its two logins, then the five imports.
        let listed = ok_list(intact.path());
        let lines: Vec<&str> = listed.lines().collect();
        assert_eq!(lines.len(), 41, "{listed}");
        let count = |actor: &str, action: &str| {
            lines[..36]
                .iter()
                .filter(|l| l.contains(actor) && l.contains(action))
                .count()
        };
        assert_eq!(count(" system ", "keys.create"), 5, "{listed}");
        assert_eq!(count(" cli ", "market.import"), 1, "{listed}");
        assert_eq!(count(" demo ", "login.create"), 2, "{listed}");
        assert_eq!(count(" cli ", "model.train"), 2, "{listed}");
        assert_eq!(count(" cli ", "model.promote"), 2, "{listed}");
        assert_eq!(count(" cli ", "budget.put"), 12, "{listed}");
        assert_eq!(count(" cli ", "goal.create"), 12, "{listed}");
        assert!(
            lines[36..]
                .iter()
                .all(|l| l.contains(" cli ") && l.contains(" import")),
            "{listed}"
        );
    }

    fn ok_list(dir: &std::path::Path) -> String {
        ok(&finsight(&with_dir(
            dir,
            &["audit", "list", "--limit", "100"],
        )))
    }
}

#[test]
fn pseudonymized_exports_cannot_be_joined_across_purposes() {
    let dir = tempfile::tempdir().unwrap();
    ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    let key = "5f".repeat(32);
    let export = |purpose: &str, key: Option<&str>, flag: bool| {
        let out = dir.path().join(format!("{purpose}.jsonl"));
        let mut args = with_dir(dir.path(), &["export", "--purpose", purpose, "--out"]);
        let out_text = out.to_str().unwrap().to_owned();
        args.push(&out_text);
        if flag {
            args.push("--pseudonymize");
        }
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_finsight"));
        command.args(&args).env("FINSIGHT__LOG__FILTER", "warn");
        match key {
            Some(key) => command.env("FINSIGHT__PRIVACY__PSEUDONYM_KEY", key),
            None => command.env_remove("FINSIGHT__PRIVACY__PSEUDONYM_KEY"),
        };
        (command.output().unwrap(), out)
    };
    let (output, analytics) = export("analytics", Some(&key), true);
    ok(&output);
    let (output, training) = export("churn-model", Some(&key), true);
    ok(&output);
    let read = |path: &std::path::Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (a, b) = (read(&analytics), read(&training));
    assert_eq!(a.len(), b.len());
    assert!(a.len() > 100);
    let users = |rows: &[serde_json::Value]| -> std::collections::HashSet<String> {
        rows.iter()
            .map(|r| r["user"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        users(&a).is_disjoint(&users(&b)),
        "purposes give unjoinable pseudonyms"
    );
    assert_eq!(users(&a).len(), 12);
    let text = std::fs::read_to_string(&analytics).unwrap();
    let stats = ok(&finsight(&with_dir(dir.path(), &["stats"])));
    let some_user_id = stats
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("user_id"))
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert!(!text.contains(&some_user_id), "no raw ids in the export");
    assert!(a.iter().all(|r| r.get("description").is_none()));
    let (refused, _) = export("analytics", None, true);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("privacy.pseudonym_key"));
    let (refused, _) = export("analytics", Some(&key), false);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("pseudonymize"));
    let (refused, _) = export("Bad Purpose", Some(&key), true);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("purpose"));
}
