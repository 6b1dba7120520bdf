//! The field readers every parser relies on.
#![no_main]

use finsight_ingest::fields::{DateOrder, DecimalStyle, parse_amount, parse_date, parse_ofx_datetime};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = parse_amount(text, DecimalStyle::Point);
    let _ = parse_amount(text, DecimalStyle::Comma);
    for order in [DateOrder::Iso, DateOrder::MonthFirst, DateOrder::DayFirst] {
        let _ = parse_date(text, order);
    }
    let _ = parse_ofx_datetime(text);
});
