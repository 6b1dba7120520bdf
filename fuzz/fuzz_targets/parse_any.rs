//! Any bytes through decoding, format detection and every parser: none may
//! panic, loop or blow up memory.
#![no_main]

use finsight_ingest::format::{FileFormat, detect, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let decoded = finsight_ingest::decode(bytes);
    let _ = parse(&decoded.text, detect(&decoded.text, None), None);
    for format in FileFormat::ALL {
        let _ = parse(&decoded.text, format, None);
    }
});
