//! QIF (Quicken Interchange Format): bank, credit-card, cash and asset or
//! liability accounts, `L` category lines and splits (`S`/`E`/`$`). The
//! date order and decimal style are detected over the whole file, since
//! QIF writers differ by locale (`03/14/2026`, `3/14'26`, `14.03.2026`).

use rust_decimal::Decimal;

use crate::fields::{DateOrder, DecimalStyle, parse_amount, parse_date};
use crate::record::{FileError, ParsedFile, ParsedRecord, RecordError, clip_raw};

const SUPPORTED: &[&str] = &["bank", "ccard", "cash", "oth a", "oth l"];

struct Entry<'a> {
    first_line: usize,
    lines: Vec<&'a str>,
}

fn detect_styles(text: &str) -> (DateOrder, DecimalStyle) {
    let dates: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix('D'))
        .take(200)
        .collect();
    let amounts: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix('T').or_else(|| l.strip_prefix('U')))
        .take(200)
        .collect();
    let comma = amounts.iter().filter(|a| {
        let last_comma = a.rfind(',');
        let last_point = a.rfind('.');
        match (last_comma, last_point) {
            (Some(c), Some(p)) => c > p,
            (Some(c), None) => a.len() - c - 1 != 3,
            _ => false,
        }
    });
    let decimal = if comma.count() * 2 > amounts.len() {
        DecimalStyle::Comma
    } else {
        DecimalStyle::Point
    };
    let order = crate::csv::detect_date_order(&dates, decimal);
    (order, decimal)
}

pub fn parse(text: &str) -> Result<ParsedFile, FileError> {
    let (order, decimal) = detect_styles(text);
    let mut parsed = ParsedFile::default();
    let mut account_type: Option<String> = None;
    let mut in_account_block = false;
    let mut account_name: Option<String> = None;
    let mut entry: Option<Entry> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('!') {
            let lower = header.trim().to_ascii_lowercase();
            if lower == "account" {
                in_account_block = true;
            } else if let Some(kind) = lower.strip_prefix("type:") {
                in_account_block = false;
                account_type = Some(kind.trim().to_owned());
            }
            continue;
        }
        if in_account_block {
            if let Some(name) = line.strip_prefix('N') {
                account_name = Some(name.trim().to_owned());
            }
            continue;
        }
        let current = entry.get_or_insert_with(|| Entry {
            first_line: number,
            lines: Vec::new(),
        });
        if line == "^" {
            let done = entry.take().expect("entry exists");
            if done.lines.is_empty() {
                continue;
            }
            let location = format!("line {}", done.first_line);
            let raw = clip_raw(&done.lines.join("\n"));
            let kind = account_type.as_deref().unwrap_or("");
            if !SUPPORTED.contains(&kind) {
                parsed.errors.push(RecordError::new(
                    location,
                    raw,
                    "type",
                    format!("QIF account type {kind:?} is not supported (bank, ccard, cash, oth a, oth l)"),
                ));
                continue;
            }
            match record(&done.lines, order, decimal) {
                Ok(mut record) => {
                    record.location = location;
                    record.raw = raw;
                    record.account_ref = account_name.clone();
                    parsed.records.push(record);
                }
                Err((field, reason)) => parsed
                    .errors
                    .push(RecordError::new(location, raw, field, reason)),
            }
        } else {
            current.lines.push(line);
        }
    }
    if let Some(rest) = entry.filter(|e| !e.lines.is_empty()) {
        parsed.errors.push(RecordError::new(
            format!("line {}", rest.first_line),
            clip_raw(&rest.lines.join("\n")),
            "record",
            "the file ends before this entry's ^ (truncated file)",
        ));
    }
    if account_type.is_none() {
        return Err(FileError::new("qif", "no !Type: header"));
    }
    parsed.account_ref = account_name;
    Ok(parsed)
}

fn record(
    lines: &[&str],
    order: DateOrder,
    decimal: DecimalStyle,
) -> Result<ParsedRecord, (String, String)> {
    let mut date = None;
    let mut amount = None;
    let mut payee = None;
    let mut memo = None;
    let mut category = None;
    let mut number = None;
    let mut splits: Vec<(Option<String>, Decimal)> = Vec::new();
    let mut split_category: Option<String> = None;
    for line in lines {
        let (code, value) = line.split_at(line.chars().next().map_or(0, char::len_utf8));
        let value = value.trim();
        match code {
            "D" => date = Some(parse_date(value, order).map_err(|r| ("D".to_owned(), r))?),
            "T" | "U" => {
                amount = Some(parse_amount(value, decimal).map_err(|r| ("T".to_owned(), r))?)
            }
            "P" => payee = Some(value.to_owned()),
            "M" => memo = Some(value.to_owned()),
            "L" => category = Some(value.to_owned()),
            "N" => number = Some(value.to_owned()),
            "S" => split_category = Some(value.to_owned()),
            "$" => {
                let part = parse_amount(value, decimal).map_err(|r| ("$".to_owned(), r))?;
                splits.push((split_category.take(), part));
            }
            _ => {}
        }
    }
    let posted_on = date.ok_or(("D".to_owned(), "the entry has no date".to_owned()))?;
    let amount = amount.ok_or(("T".to_owned(), "the entry has no amount".to_owned()))?;
    if !splits.is_empty() {
        let total: Decimal = splits.iter().map(|(_, part)| *part).sum();
        if total != amount {
            return Err((
                "$".to_owned(),
                format!("splits add up to {total}, the entry's total is {amount}"),
            ));
        }
        if category.is_none() {
            category = splits
                .iter()
                .max_by_key(|(_, part)| part.abs())
                .and_then(|(c, _)| c.clone());
        }
    }
    let description = match (&payee, &memo) {
        (Some(p), Some(m)) if !m.is_empty() && m != p => format!("{p} {m}"),
        (Some(p), _) => p.clone(),
        (None, Some(m)) => m.clone(),
        (None, None) => String::new(),
    };
    Ok(ParsedRecord {
        location: String::new(),
        raw: String::new(),
        account_ref: None,
        posted_on,
        occurred_at: None,
        amount,
        currency: None,
        description,
        merchant: payee,
        mcc: None,
        category: category.filter(|c| !c.starts_with('[')),
        source_ref: number,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn bank_entries_with_categories_and_splits() {
        let text = "!Type:Bank\nD03/14/2026\nT-42.10\nPTRADER JOE'S\nLGroceries\n^\nD3/15'26\nT-100.00\nPCOSTCO\nSGroceries\n$-60.00\nSHousehold\n$-40.00\n^\nD03/16/2026\nT1,250.00\nPACME PAYROLL\nN1042\nL[Savings]\n^\n";
        let parsed = parse(text).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.records.len(), 3);
        assert_eq!(parsed.records[0].category.as_deref(), Some("Groceries"));
        assert_eq!(parsed.records[1].posted_on, date!(2026 - 03 - 15));
        assert_eq!(parsed.records[1].category.as_deref(), Some("Groceries"));
        assert_eq!(parsed.records[2].amount, "1250".parse().unwrap());
        assert_eq!(
            parsed.records[2].category, None,
            "transfers in brackets are not categories"
        );
        assert_eq!(parsed.records[2].source_ref.as_deref(), Some("1042"));
        assert_eq!(parsed.records[0].location, "line 2");
    }

    #[test]
    fn european_dates_and_decimal_commas() {
        let text = "!Type:CCard\nD14.03.2026\nT-1.234,56\nPMEDIA MARKT\n^\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.records[0].amount, "-1234.56".parse().unwrap());
        assert_eq!(parsed.records[0].posted_on, date!(2026 - 03 - 14));
    }

    #[test]
    fn broken_entries_are_errors_and_others_load() {
        let text = "!Type:Bank\nD03/14/2026\nTabc\n^\nD03/15/2026\nT-1.00\nPOK\n^\nD03/16/2026\nT-5.00\nS A\n$-1.00\n^\nD03/17/2026\nT-2";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.records.len(), 1);
        let fields: Vec<_> = parsed.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["T", "$", "record"]);
        assert!(parse("no header").is_err());
        let invest = parse("!Type:Invst\nD03/14/2026\nT-1\n^\n").unwrap();
        assert_eq!(invest.errors[0].field, "type");
    }
}
