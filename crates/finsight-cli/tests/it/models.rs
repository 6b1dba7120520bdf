//! Models from the command line: training is tracked and promoted by its
//! rule, aliases move and move back (each an audit entry), and the
//! unchanged MLflow client logs to `finsight serve` what `finsight runs
//! show` then reads back.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::{SMALL_DEMO, finsight, ok, with_dir};

fn first_tenant(dir: &std::path::Path) -> String {
    let tenants = ok(&finsight(&with_dir(dir, &["tenants", "list"])));
    tenants.split_whitespace().next().unwrap().to_owned()
}

#[test]
fn training_promotion_and_rollback_are_tracked_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    let tenant = first_tenant(dir.path());
    // The demo trained version 1 and promoted it (no champion yet).
    let listed = ok(&finsight(&with_dir(
        dir.path(),
        &["models", "list", "--tenant", &tenant],
    )));
    assert!(
        listed.contains("v1") && listed.contains("champion"),
        "{listed}"
    );
    let again = ok(&finsight(&with_dir(
        dir.path(),
        &["train", "categorizer", "--tenant", &tenant],
    )));
    assert!(again.contains("categorizer version 2"), "{again}");
    assert!(again.contains("champion version 1"), "{again}");
    let promoted = ok(&finsight(&with_dir(
        dir.path(),
        &["models", "promote", "categorizer", "2", "--tenant", &tenant],
    )));
    assert!(promoted.contains("→ v2"), "{promoted}");
    let back = ok(&finsight(&with_dir(
        dir.path(),
        &["models", "rollback", "categorizer", "--tenant", &tenant],
    )));
    assert!(back.contains("categorizer@champion: v2 → v1"), "{back}");
    let listed = ok(&finsight(&with_dir(
        dir.path(),
        &["models", "list", "--tenant", &tenant],
    )));
    assert!(
        listed.contains("v1") && listed.contains("champion"),
        "{listed}"
    );
    let runs = ok(&finsight(&with_dir(dir.path(), &["runs", "list"])));
    let ids: Vec<&str> = runs
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() >= 2, "{runs}");
    let compared = ok(&finsight(&with_dir(
        dir.path(),
        &["runs", "compare", ids[0], ids[1]],
    )));
    assert!(compared.contains("metric holdout.macro_f1"), "{compared}");
    let audit = ok(&finsight(&with_dir(
        dir.path(),
        &["audit", "list", "--limit", "10"],
    )));
    for action in ["model.train", "model.promote", "model.rollback"] {
        assert!(audit.contains(action), "{action}: {audit}");
    }
    // A promotion to a version that does not exist names the field.
    let refused = finsight(&with_dir(
        dir.path(),
        &["models", "promote", "categorizer", "9", "--tenant", &tenant],
    ));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("version"));
}

#[test]
fn the_mlflow_client_logs_to_finsight_and_runs_show_reads_it_back() {
    let python = std::env::var("FINSIGHT_TEST_MLFLOW_PYTHON").unwrap_or_else(|_| {
        panic!(
            "FINSIGHT_TEST_MLFLOW_PYTHON must name a Python with mlflow-skinny installed \
             (scripts/test installs it into target/venv)"
        )
    });
    let dir = tempfile::tempdir().unwrap();
    ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    let tenant = first_tenant(dir.path());
    let created = ok(&finsight(&with_dir(
        dir.path(),
        &[
            "api-keys",
            "create",
            "--tenant",
            &tenant,
            "--name",
            "notebooks",
        ],
    )));
    let key = created
        .split_whitespace()
        .find(|w| w.starts_with("fsk_"))
        .unwrap()
        .to_owned();
    let mut server = Command::new(env!("CARGO_BIN_EXE_finsight"))
        .args(with_dir(dir.path(), &["serve", "--listen", "127.0.0.1:0"]))
        .env("FINSIGHT__LOG__FILTER", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line.trim().rsplit("http://").next().unwrap().to_owned();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/mlflow_client.py"
    );
    let logged = Command::new(&python)
        .arg(script)
        .arg("notebook")
        .env("MLFLOW_TRACKING_URI", format!("http://{address}"))
        .env("MLFLOW_TRACKING_TOKEN", &key)
        .output()
        .unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    let run_id = ok(&logged).trim().lines().last().unwrap().to_owned();
    let shown = ok(&finsight(&with_dir(dir.path(), &["runs", "show", &run_id])));
    for expected in [
        "param  learning_rate = 0.3",
        "metric loss = 0.2 (step 4)",
        "tag    team = categorization",
        "status FINISHED",
    ] {
        assert!(shown.contains(expected), "{expected}: {shown}");
    }
    let models = ok(&finsight(&with_dir(
        dir.path(),
        &["models", "list", "--tenant", &tenant],
    )));
    assert!(models.contains("notebook-model"), "{models}");
}
