//! No input makes a parser panic: random bytes, and random damage to each
//! realistic fixture (bytes flipped, cut short, duplicated).

use finsight_ingest::format::{FileFormat, parse};
use proptest::prelude::*;

use crate::fixture;

const FIXTURES: &[&str] = &[
    "chase_checking.csv",
    "sparkasse.csv",
    "checking.ofx",
    "card.qfx",
    "quicken.qif",
    "camt053_batch.xml",
    "mt940_multiline.sta",
    "transactions.jsonl",
];

fn every_parser(bytes: &[u8]) {
    let decoded = finsight_ingest::decode(bytes);
    let detected = finsight_ingest::format::detect(&decoded.text, None);
    let _ = parse(&decoded.text, detected, None);
    for format in FileFormat::ALL {
        let _ = parse(&decoded.text, format, None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        every_parser(&bytes);
    }

    #[test]
    fn damaged_fixtures(
        which in 0..FIXTURES.len(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..40),
        cut in any::<prop::sample::Index>(),
        repeat in any::<bool>(),
    ) {
        let mut bytes = fixture(FIXTURES[which]);
        for (at, byte) in flips {
            let index = at.index(bytes.len());
            bytes[index] = byte;
        }
        let end = cut.index(bytes.len() + 1);
        bytes.truncate(end.max(1));
        if repeat {
            let copy = bytes.clone();
            bytes.extend(copy);
        }
        every_parser(&bytes);
    }
}
