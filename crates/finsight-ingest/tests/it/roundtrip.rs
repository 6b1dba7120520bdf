//! Synthetic bank exports of every format import completely.

use finsight_ingest::format::FileFormat;
use finsight_store::Directory;
use finsight_synth::export::{Format, write_dataset};
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::date;

use crate::harness;

#[tokio::test]
async fn every_synthetic_export_imports_completely_and_only_once() {
    let synth = Synthesizer::new(SynthConfig {
        users: 3,
        months: 2,
        seed: 5,
        first_month: date!(2026 - 01 - 01),
    })
    .unwrap();
    let expected: usize = (0..3)
        .map(|i| synth.generate_user(i).transactions.len())
        .sum();
    for (format, file_format) in [
        (Format::Csv, FileFormat::Csv),
        (Format::Ofx, FileFormat::Ofx),
        (Format::Qif, FileFormat::Qif),
        (Format::Jsonl, FileFormat::Jsonl),
    ] {
        let h = harness().await;
        h.store
            .upsert_directory(&Directory {
                tenants: synth.tenants().to_vec(),
                households: synth.households().to_vec(),
                users: synth.profiles().iter().map(|p| p.user.clone()).collect(),
                accounts: synth.accounts().cloned().collect(),
            })
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        write_dataset(&synth, format, dir.path(), |_| {}).unwrap();
        let manifest = std::fs::read_to_string(dir.path().join("accounts.csv")).unwrap();
        let mut accepted = 0;
        let mut seen = std::collections::HashSet::new();
        for line in manifest.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            let (file, account) = (fields[0], fields[1]);
            if !seen.insert(file.to_owned()) {
                continue;
            }
            let account = (format != Format::Jsonl).then(|| account.parse().unwrap());
            let bytes = std::fs::read(dir.path().join(file)).unwrap();
            let outcome = h.import(bytes.clone(), file, account).await;
            assert_eq!(outcome.format, file_format);
            assert_eq!(outcome.quarantined, 0, "{format:?} {file}");
            accepted += outcome.accepted;
            let again = h.import(bytes, file, account).await;
            assert_eq!(again.accepted, 0, "{format:?} {file} twice");
        }
        assert_eq!(accepted as usize, expected, "{format:?}");
    }
}
