//! The feature store from the command line: the demo materializes it,
//! views are listed and described, an entity's vector is read after a
//! cold start, training sets are written as Parquet and CSV, market files
//! are imported with bad rows kept, and a changed view under an old
//! version is refused.

use super::{SMALL_DEMO, finsight, ok, with_dir};

#[test]
fn the_demo_materializes_features_that_commands_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let demo = ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    assert!(demo.contains("days materialized"), "{demo}");
    let list = ok(&finsight(&with_dir(dir.path(), &["features", "list"])));
    for view in [
        "user_activity",
        "user_category_spending",
        "user_merchant_history",
        "account_balance",
        "asset_market",
        "fx_rates",
    ] {
        assert!(list.contains(view), "{list}");
    }
    let describe = ok(&finsight(&with_dir(
        dir.path(),
        &["features", "describe", "user_activity"],
    )));
    assert!(describe.contains("income_regularity"), "{describe}");

    let accounts = ok(&finsight(&with_dir(dir.path(), &["accounts"])));
    let account = accounts
        .lines()
        .find_map(|l| l.split_whitespace().next().filter(|w| w.len() == 36))
        .unwrap();
    let vector = ok(&finsight(&with_dir(
        dir.path(),
        &["features", "get", "account", account],
    )));
    assert!(
        vector.contains("balance") && !vector.contains("no vector"),
        "{vector}"
    );
    let fx = ok(&finsight(&with_dir(
        dir.path(),
        &["features", "get", "currency_pair", "EUR-USD"],
    )));
    assert!(fx.contains("rate"), "{fx}");

    let entities = dir.path().join("entities.csv");
    std::fs::write(
        &entities,
        format!("entity_type,entity_id,event_timestamp\naccount,{account},2026-09-15\nasset,VTI,2026-09-15T12:00:00Z\n"),
    )
    .unwrap();
    let parquet = dir.path().join("train.parquet");
    let csv = dir.path().join("train.csv");
    for out in [&parquet, &csv] {
        let written = ok(&finsight(&with_dir(
            dir.path(),
            &[
                "features",
                "training-set",
                "--entities",
                entities.to_str().unwrap(),
                "--features",
                "account_balance,asset_market.close",
                "--out",
                out.to_str().unwrap(),
            ],
        )));
        assert!(written.contains("2 rows x 8 features"), "{written}");
    }
    let bytes = std::fs::read(&parquet).unwrap();
    assert_eq!(
        (&bytes[..4], &bytes[bytes.len() - 4..]),
        (&b"PAR1"[..], &b"PAR1"[..])
    );
    let table = std::fs::read_to_string(&csv).unwrap();
    assert!(
        table.starts_with("entity_type,entity_id,event_timestamp,account_balance.balance,"),
        "{table}"
    );
    assert_eq!(table.lines().count(), 3);

    let bad = finsight(&with_dir(
        dir.path(),
        &[
            "features",
            "training-set",
            "--entities",
            entities.to_str().unwrap(),
            "--features",
            "nope",
            "--out",
            csv.to_str().unwrap(),
        ],
    ));
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("features: nope: no such feature view"));
}

#[test]
fn market_files_import_once_and_keep_bad_rows_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prices.csv");
    std::fs::write(&file, "date,symbol,close,currency\n2026-11-02,ACME,10.50,USD\n2026-11-03,ACME,-1,USD\n2026-11-03,EUR/USD,1.09,\n").unwrap();
    let first = ok(&finsight(&with_dir(
        dir.path(),
        &["market", "import", file.to_str().unwrap()],
    )));
    assert!(
        first.contains("2 prices accepted (2 new, 0 already held), 1 rows rejected"),
        "{first}"
    );
    let again = ok(&finsight(&with_dir(
        dir.path(),
        &["market", "import", file.to_str().unwrap()],
    )));
    assert!(again.contains("(0 new, 2 already held)"), "{again}");
    let quarantine = ok(&finsight(&with_dir(dir.path(), &["market", "quarantine"])));
    assert!(
        quarantine.contains("prices.csv:3 close: \"-1\" is not above zero"),
        "{quarantine}"
    );
}

#[test]
fn a_changed_view_under_an_old_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("features.toml");
    let view = |window: &str| {
        format!(
            "[[view]]\nname = \"mine\"\nversion = 1\nentity = \"user\"\n[[view.feature]]\nname = \"spend\"\naggregation = \"sum\"\nfield = \"spend\"\nwindow = \"{window}\"\n"
        )
    };
    std::fs::write(&file, view("30d")).unwrap();
    let path = file.to_str().unwrap();
    let env_args = with_dir(dir.path(), &["features", "list"]);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_finsight"))
            .args(args)
            .env("FINSIGHT__FEATURES__FILE", path)
            .env("FINSIGHT__LOG__FILTER", "warn")
            .output()
            .unwrap()
    };
    assert!(ok(&run(&env_args)).contains("mine"));
    std::fs::write(&file, view("90d")).unwrap();
    let refused = run(&env_args);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("bump its version"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
