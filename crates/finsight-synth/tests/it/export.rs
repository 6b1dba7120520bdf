//! The export files are well-formed and complete.

use finsight_synth::export::{Format, write_dataset};

use crate::synth;

#[test]
fn every_format_writes_every_transaction_and_a_manifest() {
    let world = synth(6, 3, 77);
    let expected: usize = (0..6)
        .map(|i| world.generate_user(i).transactions.len())
        .sum();
    for format in [Format::Csv, Format::Ofx, Format::Qif, Format::Jsonl] {
        let dir = tempfile::tempdir().unwrap();
        let mut progress = 0;
        let summary = write_dataset(&world, format, dir.path(), |_| progress += 1).unwrap();
        assert_eq!(progress, 6);
        assert_eq!(summary.transactions, expected);
        let manifest = std::fs::read_to_string(dir.path().join("accounts.csv")).unwrap();
        let accounts = world.accounts().count();
        assert_eq!(manifest.lines().count(), accounts + 1);
        let mut records = 0;
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().unwrap() != format.extension()
                || path.ends_with("accounts.csv")
                || path.ends_with("anomaly-labels.csv")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            records += match format {
                Format::Csv => text.lines().count() - 1,
                Format::Ofx => {
                    assert!(text.starts_with("OFXHEADER:100"));
                    assert!(text.trim_end().ends_with("</OFX>"));
                    text.matches("<STMTTRN>").count()
                }
                Format::Qif => {
                    assert!(text.starts_with("!Type:"));
                    text.lines().filter(|l| *l == "^").count()
                }
                Format::Jsonl => {
                    for line in text.lines() {
                        let value: serde_json::Value = serde_json::from_str(line).unwrap();
                        assert!(value["amount"].is_string());
                        assert!(value["account_id"].is_string());
                    }
                    text.lines().count()
                }
            };
        }
        assert_eq!(records, expected, "{format:?}");
    }
}
