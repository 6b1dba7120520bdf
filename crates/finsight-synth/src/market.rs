//! Deterministic daily market data for the demo: a stock index fund, a
//! bond fund and the FX rates of the demo's currencies, as geometric
//! Brownian motions on weekdays. Written in the long layout that `finsight
//! market import` reads (`date,symbol,close,currency`).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use time::{Date, Weekday};

use crate::generate::standard_normal;

/// (symbol, currency, first close, yearly drift, yearly volatility).
const INSTRUMENTS: [(&str, &str, f64, f64, f64); 5] = [
    ("VTI", "USD", 210.0, 0.07, 0.16),
    ("BND", "USD", 72.0, 0.02, 0.05),
    ("EURUSD", "USD", 1.08, 0.0, 0.07),
    ("GBPUSD", "USD", 1.26, 0.0, 0.08),
    ("EURGBP", "GBP", 0.86, 0.0, 0.05),
];

/// One close per instrument and weekday from `first` to `last`.
pub fn market_csv(seed: u64, first: Date, last: Date) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6d61_726b_6574);
    let mut prices: Vec<f64> = INSTRUMENTS.iter().map(|i| i.2).collect();
    let dt = 1.0 / 252.0;
    let mut out = String::from("date,symbol,close,currency\n");
    let mut day = first;
    while day <= last {
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            for (price, (symbol, currency, _, drift, vol)) in prices.iter_mut().zip(INSTRUMENTS) {
                let step = (drift - vol * vol / 2.0) * dt
                    + vol * libm::sqrt(dt) * standard_normal(&mut rng);
                *price *= libm::exp(step);
                let decimals = if *price < 10.0 { 4 } else { 2 };
                let close = Decimal::from_f64_retain(*price)
                    .unwrap_or_default()
                    .round_dp(decimals);
                out.push_str(&format!("{day},{symbol},{close},{currency}\n"));
            }
        }
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_same_seed_gives_the_same_prices_on_weekdays_only() {
        let a = market_csv(7, date!(2026 - 01 - 01), date!(2026 - 01 - 31));
        assert_eq!(
            a,
            market_csv(7, date!(2026 - 01 - 01), date!(2026 - 01 - 31))
        );
        assert_ne!(
            a,
            market_csv(8, date!(2026 - 01 - 01), date!(2026 - 01 - 31))
        );
        // 22 weekdays in January 2026, five instruments, one header.
        assert_eq!(a.lines().count(), 22 * 5 + 1);
        assert!(!a.contains("2026-01-03"), "a Saturday");
    }
}
