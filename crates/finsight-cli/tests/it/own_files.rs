//! A person's own bank files on a fresh install (issue 9): `finsight setup`,
//! then `finsight import --user` of an OFX, a QFX, a camt.053 and an MT940
//! file opens one account per file account and loads every transaction;
//! a second import adds nothing.

use serde_json::Value;

use crate::auth::with_stdin;
use crate::{finsight, ok, with_dir};

const PASSWORD: &str = "my own long password\n";

fn fixture(name: &str) -> String {
    format!(
        "{}/../finsight-ingest/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn json(output: &std::process::Output) -> Value {
    serde_json::from_str(ok(output).trim()).unwrap()
}

#[test]
fn setup_then_import_of_real_files_opens_their_accounts_and_loads_everything() {
    let dir = tempfile::tempdir().unwrap();
    let setup = json(&with_stdin(
        &with_dir(
            dir.path(),
            &[
                "setup",
                "--email",
                "ada@example.com",
                "--password-stdin",
                "--name",
                "Ada Lee",
                "--output",
                "json",
            ],
        ),
        PASSWORD,
    ));
    let user = setup["user_id"].as_str().unwrap().to_owned();
    assert!(setup["tenant_id"].is_string() && setup["household_id"].is_string());
    // A second setup without --tenant-name is refused by name.
    let again = with_stdin(
        &with_dir(
            dir.path(),
            &["setup", "--email", "bo@example.com", "--password-stdin"],
        ),
        PASSWORD,
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("tenant:"));

    let files = [
        ("no_name_checking.ofx", 5, "USD", "Checking …6789"),
        ("visa_cad.qfx", 3, "CAD", "Card …7812"),
        ("wrapped_remittance.camt053.xml", 4, "EUR", "Checking …2051"),
        ("structured.mt940.sta", 4, "EUR", "Checking …4300"),
    ];
    let mut opened = Vec::new();
    for (name, count, currency, account_name) in files {
        let path = fixture(name);
        let first = json(&finsight(&with_dir(
            dir.path(),
            &["import", &path, "--user", &user, "--output", "json"],
        )));
        assert_eq!(
            (first["accepted"].as_u64(), first["quarantined"].as_u64()),
            (Some(count), Some(0)),
            "{name}: {first}"
        );
        let account = &first["accounts"][0];
        assert_eq!(account["opened"], true, "{name}");
        assert_eq!(
            (account["currency"].as_str(), account["name"].as_str()),
            (Some(currency), Some(account_name)),
            "{name}"
        );
        opened.push(account["id"].as_str().unwrap().to_owned());
        let second = json(&finsight(&with_dir(
            dir.path(),
            &["import", &path, "--user", &user, "--output", "json"],
        )));
        assert_eq!(
            (second["accepted"].as_u64(), second["duplicates"].as_u64()),
            (Some(0), Some(count)),
            "{name} twice: {second}"
        );
        assert_eq!(second["accounts"][0]["id"], account["id"]);
        assert_eq!(second["accounts"][0]["opened"], false);
    }
    opened.sort();
    opened.dedup();
    assert_eq!(opened.len(), 4, "one account per file account");
    let listed = ok(&finsight(&with_dir(
        dir.path(),
        &["accounts", "--user", &user],
    )));
    assert_eq!(listed.lines().count(), 4, "{listed}");
    // Nothing was quarantined; the file with neither NAME nor MEMO and
    // the wrapped remittance text loaded as readable descriptions.
    let quarantine = ok(&finsight(&with_dir(dir.path(), &["quarantine", "list"])));
    assert!(!quarantine.contains("description"), "{quarantine}");
    let stats = ok(&finsight(&with_dir(dir.path(), &["stats"])));
    let transactions = stats
        .lines()
        .find_map(|l| l.strip_prefix("transactions"))
        .map(str::trim);
    assert_eq!(transactions, Some("16"), "{stats}");

    // CSV names no account: the error says what to do; with an account
    // opened from the command line it loads.
    let csv = fixture("chase_checking.csv");
    let refused = finsight(&with_dir(dir.path(), &["import", &csv, "--user", &user]));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--account"));
    let account = ok(&finsight(&with_dir(
        dir.path(),
        &[
            "accounts",
            "create",
            "--user",
            &user,
            "--kind",
            "checking",
            "--currency",
            "USD",
            "--name",
            "Chase checking",
            "--institution",
            "Chase",
        ],
    )));
    let loaded = json(&finsight(&with_dir(
        dir.path(),
        &[
            "import",
            &csv,
            "--account",
            account.trim(),
            "--output",
            "json",
        ],
    )));
    assert!(loaded["accepted"].as_u64().unwrap() > 0, "{loaded}");
}
