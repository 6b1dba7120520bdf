//! Integration tests of finsight-synth: determinism, realism properties of
//! the generated world, and the export formats.

mod export;
mod world;

use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::date;

pub fn synth(users: u32, months: u32, seed: u64) -> Synthesizer {
    Synthesizer::new(SynthConfig {
        users,
        months,
        seed,
        first_month: date!(2024 - 11 - 01),
    })
    .unwrap()
}
