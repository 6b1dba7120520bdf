//! Market data files: daily closes and FX rates, validated row by row.
//! Two layouts are read: long (`date,symbol,close[,currency]`, the one
//! Finsight documents) and wide (`date,SYM1,SYM2,…`, one column per symbol,
//! as price downloads often come). A bad row is rejected with its line and
//! reason; the good rows still count.

use rust_decimal::Decimal;
use time::Date;

use crate::event::MarketFact;

/// A row that was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketReject {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    pub raw: String,
    pub field: &'static str,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct MarketFile {
    pub facts: Vec<MarketFact>,
    pub rejects: Vec<MarketReject>,
}

/// Longest symbol accepted.
pub const MAX_SYMBOL_CHARS: usize = 32;

/// Reads a market file; `Err` only when the file as a whole is unusable
/// (no header, or a header that is neither layout).
pub fn parse_market_csv(text: &str, created_at: i64) -> Result<MarketFile, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("header: {e}"))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    if header.first().map(String::as_str) != Some("date") || header.len() < 2 {
        return Err("header: the first column must be `date`, then `symbol,close[,currency]` or one column per symbol".into());
    }
    let long = header.get(1).map(String::as_str) == Some("symbol")
        && header.get(2).map(String::as_str) == Some("close");
    let symbols: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .skip(1)
        .map(str::to_owned)
        .collect();
    if !long {
        for symbol in &symbols {
            check_symbol(symbol).map_err(|reason| format!("header: {symbol:?}: {reason}"))?;
        }
    }
    let mut file = MarketFile::default();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                file.rejects.push(MarketReject {
                    line,
                    raw: String::new(),
                    field: "row",
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let raw = record.iter().collect::<Vec<_>>().join(",");
        let mut reject = |field: &'static str, reason: String| {
            file.rejects.push(MarketReject {
                line,
                raw: raw.clone(),
                field,
                reason,
            });
        };
        let day = match parse_day(record.get(0).unwrap_or("")) {
            Ok(day) => day,
            Err(reason) => {
                reject("date", reason);
                continue;
            }
        };
        if long {
            let symbol = record.get(1).unwrap_or("");
            if let Err(reason) = check_symbol(symbol) {
                reject("symbol", reason);
                continue;
            }
            let close = match parse_close(record.get(2).unwrap_or("")) {
                Ok(close) => close,
                Err(reason) => {
                    reject("close", reason);
                    continue;
                }
            };
            let currency = match record.get(3).filter(|c| !c.is_empty()) {
                None => None,
                Some(code) => match finsight_core::Currency::parse(code) {
                    Ok(c) => Some(c.code().to_owned()),
                    Err(e) => {
                        reject("currency", e.reason);
                        continue;
                    }
                },
            };
            file.facts
                .push(MarketFact::new(symbol, day, close, currency, created_at));
        } else {
            for (symbol, text) in symbols.iter().zip(record.iter().skip(1)) {
                if text.is_empty() {
                    continue; // not listed that day
                }
                match parse_close(text) {
                    Ok(close) => file
                        .facts
                        .push(MarketFact::new(symbol, day, close, None, created_at)),
                    Err(reason) => reject("close", format!("{symbol}: {reason}")),
                }
            }
        }
    }
    Ok(file)
}

fn parse_day(text: &str) -> Result<Date, String> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

fn check_symbol(symbol: &str) -> Result<(), String> {
    let ok = !symbol.is_empty()
        && symbol.len() <= MAX_SYMBOL_CHARS
        && symbol
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/' | '^' | '='));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{symbol:?} is not a symbol (1 to {MAX_SYMBOL_CHARS} letters, digits, . - / ^ =)"
        ))
    }
}

fn parse_close(text: &str) -> Result<Decimal, String> {
    match text.parse::<Decimal>() {
        Ok(close) if close > Decimal::ZERO => Ok(close),
        Ok(_) => Err(format!("{text:?} is not above zero")),
        Err(_) => Err(format!("{text:?} is not a decimal number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_files_keep_good_rows_and_name_bad_ones() {
        let text = "date,symbol,close,currency\n2026-01-02,AAPL,185.64,USD\n2026-01-02,EURUSD,1.0845,\n2026-13-01,AAPL,1,USD\n2026-01-05,AAPL,-3,USD\n2026-01-05,AA PL,3,USD\n2026-01-05,MSFT,410,XYZ\n";
        let file = parse_market_csv(text, 0).unwrap();
        assert_eq!(file.facts.len(), 2);
        assert_eq!(file.facts[1].entity.id, "EUR-USD");
        let fields: Vec<_> = file.rejects.iter().map(|r| (r.line, r.field)).collect();
        assert_eq!(
            fields,
            [(4, "date"), (5, "close"), (6, "symbol"), (7, "currency")]
        );
    }

    #[test]
    fn wide_files_have_a_column_per_symbol() {
        let text = "Date,AAPL,AMD\n1990-01-02,0.264,4.125\n1990-01-03,,4.0\n1990-01-04,x,4.1\n";
        let file = parse_market_csv(text, 0).unwrap();
        assert_eq!(file.facts.len(), 4);
        assert_eq!(file.rejects.len(), 1);
        assert!(parse_market_csv("when,price\n", 0).is_err());
    }
}
