//! Key rotation while the server answers a load of reads: every read
//! succeeds with clear text, and afterwards nothing is sealed under an old
//! key, which no longer exists.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::auth::http;
use crate::{SMALL_DEMO, finsight, ok, with_dir};

fn data_key_ids(status: &str) -> Vec<String> {
    status
        .lines()
        .skip(1)
        .filter(|l| l.contains(" data "))
        .filter_map(|l| l.split_whitespace().nth_back(1).map(str::to_owned))
        .collect()
}

#[test]
fn keys_rotate_while_the_server_serves_reads() {
    let dir = tempfile::tempdir().unwrap();
    ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    let before = ok(&finsight(&with_dir(dir.path(), &["keys", "status"])));
    let old_keys = data_key_ids(&before);
    assert!(!old_keys.is_empty(), "{before}");

    let mut server = Command::new(env!("CARGO_BIN_EXE_finsight"))
        .args(with_dir(dir.path(), &["serve", "--listen", "127.0.0.1:0"]))
        .env("FINSIGHT__LOG__FILTER", "warn")
        .env("FINSIGHT__SERVER__RATE_LIMIT_PER_SECOND", "100000")
        .env("FINSIGHT__SERVER__RATE_LIMIT_BURST", "100000")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line.trim().rsplit("http://").next().unwrap().to_owned();
    let (status, session) = http(
        &address,
        "POST",
        "/v1/auth/login",
        None,
        Some(r#"{"email":"demo@finsight.local","password":"finsight-demo-password"}"#),
    );
    assert_eq!(status, 200);
    let session: serde_json::Value = serde_json::from_str(&session).unwrap();
    let token = session["access_token"].as_str().unwrap().to_owned();

    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (address, token, stop) = (address.clone(), token.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut reads = 0u32;
                while !stop.load(Ordering::Relaxed) || reads < 5 {
                    let (status, body) = http(
                        &address,
                        "GET",
                        "/v1/transactions?limit=200",
                        Some(&token),
                        None,
                    );
                    assert_eq!(status, 200, "read {reads} during rotation: {body}");
                    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
                    let transactions = page["transactions"].as_array().unwrap();
                    assert!(!transactions.is_empty());
                    for t in transactions {
                        let text = t["description"].as_str().unwrap();
                        assert!(!text.starts_with("e1:"), "{text}");
                    }
                    let (status, me) = http(&address, "GET", "/v1/me", Some(&token), None);
                    assert_eq!(status, 200, "{me}");
                    assert!(!me.contains("e1:"), "{me}");
                    reads += 1;
                }
                reads
            })
        })
        .collect();

    let rotated = ok(&finsight(&with_dir(
        dir.path(),
        &["keys", "rotate", "--batch", "200"],
    )));
    assert!(rotated.contains("destroyed"), "{rotated}");
    stop.store(true, Ordering::Relaxed);
    let reads: u32 = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(reads >= 15, "{reads} reads");

    let after = ok(&finsight(&with_dir(dir.path(), &["keys", "status"])));
    assert!(!after.contains("retiring"), "{after}");
    let new_keys = data_key_ids(&after);
    assert_eq!(new_keys.len(), old_keys.len(), "{after}");
    for old in &old_keys {
        assert!(
            !after.contains(old.as_str()),
            "old key {old} still listed:\n{after}"
        );
    }
    // Straight from the database file: nothing under an old key.
    let url = format!("sqlite://{}", dir.path().join("finsight.sqlite").display());
    let old = old_keys.clone();
    let leftover: i64 = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let mut total = 0;
            for key in old {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM transactions WHERE description LIKE $1)
                          + (SELECT COUNT(*) FROM users WHERE display_name LIKE $1)
                          + (SELECT COUNT(*) FROM logins WHERE email LIKE $1)",
                )
                .bind(format!("e1:{key}:%"))
                .fetch_one(&pool)
                .await
                .unwrap();
                total += n;
            }
            total
        });
    assert_eq!(leftover, 0);
    let audit = ok(&finsight(&with_dir(dir.path(), &["audit", "list"])));
    assert!(
        audit.contains("keys.rotate") && audit.contains("keys.destroy"),
        "{audit}"
    );

    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(server.wait().unwrap().success());

    // The key-encryption key rotates too: every data key is re-wrapped and
    // the key file replaced; the data still opens, under the new key only.
    let new_key = "ab".repeat(32);
    let rewrap = Command::new(env!("CARGO_BIN_EXE_finsight"))
        .args(with_dir(dir.path(), &["keys", "rewrap"]))
        .env("FINSIGHT__LOG__FILTER", "warn")
        .env("FINSIGHT_NEW_ENCRYPTION_KEY", &new_key)
        .output()
        .unwrap();
    let said = ok(&rewrap);
    assert!(said.contains("re-wrapped 5 data keys"), "{said}");
    let on_disk = std::fs::read_to_string(dir.path().join("master.key")).unwrap();
    assert_eq!(on_disk, new_key);
    let stats = ok(&finsight(&with_dir(dir.path(), &["stats"])));
    assert!(stats.contains("users"), "{stats}");
    let old_key = Command::new(env!("CARGO_BIN_EXE_finsight"))
        .args(with_dir(dir.path(), &["stats"]))
        .env("FINSIGHT__LOG__FILTER", "warn")
        .env("FINSIGHT__ENCRYPTION__KEY", "cd".repeat(32))
        .output()
        .unwrap();
    assert!(!old_key.status.success());
    assert!(String::from_utf8_lossy(&old_key.stderr).contains("encryption key"));
}
