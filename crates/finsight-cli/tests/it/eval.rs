//! `finsight eval`: the models scored on a user's own labelled file and on
//! generated people, as JSON a script can read; bad files named by line.

use crate::{finsight, ok};

#[test]
fn categorizer_on_a_labelled_file_beats_the_baseline_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labelled.csv");
    let mut csv = String::from("Date,Payee,Memo,Amount,Category\n");
    // Two payees whose text the baseline has never seen in the test months,
    // but whose words it has.
    for month in 1..=10 {
        csv.push_str(&format!(
            "2025-{month:02}-03,SHELL OIL #{month}0,,-40.00,Auto:Fuel\n"
        ));
        csv.push_str(&format!(
            "2025-{month:02}-05,TRADER JOE'S #{month}1,,-82.10,Food:Groceries\n"
        ));
        csv.push_str(&format!(
            "2025-{month:02}-25,ACME PAYROLL,,2500,Income:Salary\n"
        ));
    }
    csv.push_str("2025-11-03,SHELL OIL STATION 9,,-38.00,Auto:Fuel\n");
    csv.push_str("2025-11-05,TRADER JOE'S MARKET,,-70.00,Food:Groceries\n");
    csv.push_str("2025-11-07,,no category here,-1.00,\n");
    std::fs::write(&path, csv).unwrap();
    let output = ok(&finsight(&[
        "eval",
        "categorizer",
        "--data",
        path.to_str().unwrap(),
        "--output",
        "json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&output).unwrap();
    let accuracy = |side: &str| report[side]["accuracy"].as_f64().unwrap();
    assert!(report["model"]["macro_f1"].is_number(), "{report}");
    assert!(accuracy("model") > accuracy("baseline"), "{report}");
    assert_eq!(report["test_rows"], 7, "{report}");

    std::fs::write(
        &path,
        "date,description,category\n2025-13-01,X,Y\n2025-01-01,Z,W\n",
    )
    .unwrap();
    let refused = finsight(&["eval", "categorizer", "--data", path.to_str().unwrap()]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("line 2: date"), "{message}");
}

#[test]
fn recurring_on_generated_people_reports_precision_and_recall() {
    let output = ok(&finsight(&[
        "eval",
        "recurring",
        "--users",
        "8",
        "--months",
        "12",
        "--output",
        "json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert!(report["true_series"].as_u64().unwrap() > 30, "{report}");
    assert!(report["precision"].as_f64().unwrap() > 0.9, "{report}");
    assert!(report["recall"].as_f64().unwrap() > 0.9, "{report}");
}

#[test]
fn forecast_eval_scores_every_method_on_any_series_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("series.csv");
    let mut csv = String::from("series_id,date,value\n");
    for s in 0..4 {
        for t in 0..36 {
            let (year, month) = (2022 + t / 12, t % 12 + 1);
            let seasonal = if month == 12 { 60.0 } else { 0.0 };
            let value = 100.0 + 10.0 * s as f64 + seasonal + ((t * 7 + s) % 5) as f64;
            csv.push_str(&format!("s{s},{year}-{month:02}-01,{value}\n"));
        }
    }
    std::fs::write(&path, csv).unwrap();
    let output = ok(&finsight(&[
        "forecast",
        "eval",
        "--data",
        path.to_str().unwrap(),
        "--horizon",
        "6",
        "--output",
        "json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&output).unwrap();
    for method in [
        "naive", "snaive", "naive2", "ets", "theta", "tsb", "global", "ensemble",
    ] {
        for key in ["smape", "mase", "coverage80", "coverage95"] {
            assert!(report[method][key].is_number(), "{method}.{key}: {report}");
        }
    }
    assert!(
        report["ensemble"]["mase"].as_f64().unwrap() < report["naive"]["mase"].as_f64().unwrap(),
        "{report}"
    );
    std::fs::write(&path, "series_id,date,value\na,2024-01-01,x\n").unwrap();
    let refused = finsight(&[
        "forecast",
        "eval",
        "--data",
        path.to_str().unwrap(),
        "--horizon",
        "1",
    ]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("line 2: value"), "{message}");
}

#[test]
fn anomaly_eval_compares_the_detector_with_a_plain_forest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labelled.csv");
    let output = ok(&finsight(&[
        "anomaly",
        "synthetic",
        "--users",
        "40",
        "--months",
        "6",
        "--output",
        path.to_str().unwrap(),
    ]));
    assert!(output.is_empty());
    let output = ok(&finsight(&[
        "anomaly",
        "eval",
        "--data",
        path.to_str().unwrap(),
        "--output",
        "json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&output).unwrap();
    for side in ["finsight", "iforest_raw"] {
        for key in ["roc_auc", "pr_auc", "precision_at_1pct", "recall_at_1pct"] {
            assert!(report[side][key].is_number(), "{side}.{key}: {report}");
        }
    }
    assert!(
        report["finsight"]["roc_auc"].as_f64().unwrap()
            > report["iforest_raw"]["roc_auc"].as_f64().unwrap(),
        "{report}"
    );
    std::fs::write(
        &path,
        "user_id,timestamp,amount,currency,merchant,label\nu,2024-01-01,-5,USD,x,2\n",
    )
    .unwrap();
    let refused = finsight(&["anomaly", "eval", "--data", path.to_str().unwrap()]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("line 2: label"), "{message}");
}

#[test]
fn goal_eval_scores_probabilities_on_generated_free_cash_flow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("free.csv");
    ok(&finsight(&[
        "goal",
        "synthetic",
        "--users",
        "30",
        "--months",
        "24",
        "--output",
        path.to_str().unwrap(),
    ]));
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.starts_with("series_id,date,value\nu0,2023-01-01,"),
        "{written}"
    );
    assert_eq!(written.lines().count(), 1 + 30 * 24);
    let output = ok(&finsight(&[
        "goal",
        "eval",
        "--data",
        path.to_str().unwrap(),
        "--horizon",
        "12",
        "--paths",
        "500",
        "--output",
        "json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_eq!(report["goals"], 150, "{report}");
    let brier = |name: &str| report["brier"][name].as_f64().unwrap();
    // The simulation beats the yes/no plan check.
    assert!(brier("model") < brier("plan_check"), "{report}");
    assert!(!report["buckets"].as_array().unwrap().is_empty());
    let refused = finsight(&[
        "goal",
        "eval",
        "--data",
        path.to_str().unwrap(),
        "--horizon",
        "30",
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no series has 36 months"));
}
