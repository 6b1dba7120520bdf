//! CSV bank exports: the dialect (delimiter, header, date order, decimal
//! style) is detected from the content, columns are found by their header
//! names in several languages or by what their values look like, and the
//! result can be saved as a [`CsvProfile`] for the next file of that bank.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fields::{DateOrder, DecimalStyle, parse_amount, parse_date};
use crate::record::{FileError, ParsedFile, ParsedRecord, RecordError, clip_raw};

/// How amounts are laid out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountColumns {
    /// One signed column.
    Signed(usize),
    /// Money out and money in in separate columns (both usually unsigned).
    DebitCredit { debit: usize, credit: usize },
}

/// Which sign means money out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignConvention {
    /// Negative amounts are money out (most bank accounts).
    #[default]
    NegativeIsOutflow,
    /// Positive amounts are money out (many credit-card exports).
    PositiveIsOutflow,
}

/// A CSV dialect and column mapping. Column numbers are zero-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvProfile {
    pub delimiter: char,
    pub has_header: bool,
    pub date_order: DateOrder,
    pub decimal: DecimalStyle,
    #[serde(default)]
    pub sign: SignConvention,
    pub date: usize,
    pub amount: AmountColumns,
    /// Joined with " " to make the description.
    pub description: Vec<usize>,
    #[serde(default)]
    pub payee: Option<usize>,
    #[serde(default)]
    pub currency: Option<usize>,
    #[serde(default)]
    pub category: Option<usize>,
    #[serde(default)]
    pub mcc: Option<usize>,
    #[serde(default)]
    pub reference: Option<usize>,
}

const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

fn split_line(line: &str, delimiter: char) -> Vec<String> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter as u8)
        .flexible(true)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(|f| f.trim().to_owned()).collect())
        .unwrap_or_default()
}

/// The delimiter that splits the sample lines into the same number (> 1) of
/// fields most often.
fn detect_delimiter(lines: &[&str]) -> Option<char> {
    DELIMITERS
        .into_iter()
        .filter_map(|delimiter| {
            let counts: Vec<usize> = lines
                .iter()
                .map(|l| split_line(l, delimiter).len())
                .collect();
            let mut best = (0usize, 0usize);
            for &count in &counts {
                let same = counts.iter().filter(|c| **c == count).count();
                if count > 1 && (same, count) > best {
                    best = (same, count);
                }
            }
            (best.0 > 0).then_some((best, delimiter))
        })
        .max_by_key(|(score, _)| *score)
        .map(|(_, delimiter)| delimiter)
}

fn header_index(header: &[String], names: &[&str]) -> Option<usize> {
    let normalized: Vec<String> = header
        .iter()
        .map(|h| h.to_lowercase().replace(['_', '-'], " ").trim().to_owned())
        .collect();
    names
        .iter()
        .find_map(|name| normalized.iter().position(|h| h == name))
        .or_else(|| {
            names
                .iter()
                .find_map(|name| normalized.iter().position(|h| h.contains(name)))
        })
}

const DATE_NAMES: &[&str] = &[
    "date",
    "posting date",
    "posted date",
    "booking date",
    "transaction date",
    "buchungstag",
    "buchungsdatum",
    "datum",
    "fecha",
    "date opération",
    "date operation",
    "data",
    "valuta",
];
const AMOUNT_NAMES: &[&str] = &[
    "amount", "betrag", "montant", "importe", "importo", "bedrag", "value", "sum",
];
const DEBIT_NAMES: &[&str] = &[
    "debit",
    "withdrawal",
    "withdrawals",
    "money out",
    "paid out",
    "soll",
    "ausgang",
    "débit",
    "outflow",
];
const CREDIT_NAMES: &[&str] = &[
    "credit", "deposit", "deposits", "money in", "paid in", "haben", "eingang", "crédit", "inflow",
];
const DESCRIPTION_NAMES: &[&str] = &[
    "description",
    "memo",
    "details",
    "narrative",
    "verwendungszweck",
    "buchungstext",
    "libellé",
    "libelle",
    "concepto",
    "text",
    "transaction",
    "particulars",
];
const PAYEE_NAMES: &[&str] = &[
    "payee",
    "merchant",
    "name",
    "counterparty",
    "beguenstigter",
    "empfänger",
    "auftraggeber",
    "beneficiary",
];
const CURRENCY_NAMES: &[&str] = &["currency", "währung", "waehrung", "devise", "moneda", "ccy"];
const CATEGORY_NAMES: &[&str] = &["category", "kategorie", "catégorie"];
const MCC_NAMES: &[&str] = &["mcc", "merchant category code"];
const REFERENCE_NAMES: &[&str] = &[
    "reference",
    "transaction id",
    "id",
    "fitid",
    "referenz",
    "ref",
];

fn looks_like_date(text: &str) -> bool {
    [DateOrder::Iso, DateOrder::DayFirst, DateOrder::MonthFirst]
        .iter()
        .any(|order| parse_date(text, *order).is_ok())
}

/// Digits with separators and signs, and at most one word that is a
/// currency code or `CR`/`DR` (`USD 3.10`, `12.50 CR`).
fn looks_like_amount(text: &str) -> bool {
    let t = text.trim();
    let words: Vec<&str> = t
        .split_whitespace()
        .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
        .collect();
    let word_ok = words.len() <= 1
        && words
            .iter()
            .all(|w| (2..=3).contains(&w.len()) && w.chars().all(|c| c.is_ascii_uppercase()));
    word_ok
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| {
            c.is_ascii_digit() || " .,-+()'€$£\u{a0}".contains(c) || c.is_ascii_uppercase()
        })
        && !looks_like_date(t)
        && t.chars().filter(char::is_ascii_digit).count() <= 20
}

/// Picks the date order under which most samples parse (a few bad dates
/// must not change the reading of the good ones). Between equally good
/// orders ISO wins, then the decimal style decides (comma countries write
/// the day first).
pub(crate) fn detect_date_order(samples: &[&str], decimal: DecimalStyle) -> DateOrder {
    let score = |order| {
        samples
            .iter()
            .filter(|s| parse_date(s, order).is_ok())
            .count()
    };
    let iso = score(DateOrder::Iso);
    let day_first = score(DateOrder::DayFirst);
    let month_first = score(DateOrder::MonthFirst);
    if iso >= day_first && iso >= month_first && iso > 0 {
        DateOrder::Iso
    } else if day_first > month_first {
        DateOrder::DayFirst
    } else if month_first > day_first {
        DateOrder::MonthFirst
    } else if decimal == DecimalStyle::Comma {
        DateOrder::DayFirst
    } else {
        DateOrder::MonthFirst
    }
}

/// Votes over the sample amounts: `1.234,56` / `12,50` mean comma,
/// `1,234.56` / `12.50` mean point.
fn detect_decimal(samples: &[&str]) -> DecimalStyle {
    let mut comma = 0;
    let mut point = 0;
    for sample in samples {
        let digits: String = sample
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
            .collect();
        let last_comma = digits.rfind(',');
        let last_point = digits.rfind('.');
        match (last_comma, last_point) {
            (Some(c), Some(p)) if c > p => comma += 1,
            (Some(_), Some(_)) => point += 1,
            (Some(c), None) if digits.len() - c - 1 != 3 => comma += 1,
            (None, Some(p)) if digits.len() - p - 1 != 3 => point += 1,
            _ => {}
        }
    }
    if comma > point {
        DecimalStyle::Comma
    } else {
        DecimalStyle::Point
    }
}

/// Detects the dialect and mapping of a CSV file from its first lines.
pub fn detect_profile(text: &str) -> Result<CsvProfile, FileError> {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    if lines.is_empty() {
        return Err(FileError::new("csv", "the file has no lines"));
    }
    let delimiter = detect_delimiter(&lines).ok_or_else(|| {
        FileError::new(
            "csv",
            "no delimiter (, ; tab |) splits the lines into columns",
        )
    })?;
    let rows: Vec<Vec<String>> = lines.iter().map(|l| split_line(l, delimiter)).collect();
    let first = &rows[0];
    let has_header = !first.iter().any(|f| looks_like_date(f))
        && rows
            .iter()
            .skip(1)
            .any(|r| r.iter().any(|f| looks_like_date(f)));
    let body: Vec<&Vec<String>> = rows.iter().skip(usize::from(has_header)).collect();
    let width = first.len();
    let column_samples = |index: usize| -> Vec<&str> {
        body.iter()
            .filter_map(|r| r.get(index).map(String::as_str))
            .filter(|s| !s.is_empty())
            .collect()
    };
    let fraction = |index: usize, test: &dyn Fn(&str) -> bool| -> f64 {
        let samples = column_samples(index);
        if samples.is_empty() {
            return 0.0;
        }
        samples.iter().filter(|s| test(s)).count() as f64 / samples.len() as f64
    };

    let by_name = |names: &[&str]| {
        if has_header {
            header_index(first, names)
        } else {
            None
        }
    };
    // A few bad dates must not hide the date column: a named column needs a
    // third of its values to be dates, an unnamed one half.
    let date = by_name(DATE_NAMES)
        .filter(|i| fraction(*i, &looks_like_date) >= 0.3)
        .or_else(|| {
            (0..width)
                .map(|i| (i, fraction(i, &looks_like_date)))
                .filter(|(_, share)| *share >= 0.5)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(i, _)| i)
        })
        .ok_or_else(|| FileError::new("csv", "no column holds dates"))?;
    let amount = match (
        by_name(DEBIT_NAMES),
        by_name(CREDIT_NAMES),
        by_name(AMOUNT_NAMES),
    ) {
        (Some(debit), Some(credit), _) if debit != credit => {
            AmountColumns::DebitCredit { debit, credit }
        }
        (_, _, Some(amount)) => AmountColumns::Signed(amount),
        _ => AmountColumns::Signed(
            (0..width)
                .filter(|i| *i != date && fraction(*i, &looks_like_amount) >= 0.6)
                .find(|i| {
                    // A running balance is numeric too; prefer a column with
                    // both signs or the first numeric one.
                    let samples = column_samples(*i);
                    samples.iter().any(|s| s.contains('-')) || samples.len() < 2
                })
                .or_else(|| {
                    (0..width).find(|i| *i != date && fraction(*i, &looks_like_amount) >= 0.6)
                })
                .ok_or_else(|| FileError::new("csv", "no column holds amounts"))?,
        ),
    };
    let amount_columns: Vec<usize> = match &amount {
        AmountColumns::Signed(i) => vec![*i],
        AmountColumns::DebitCredit { debit, credit } => vec![*debit, *credit],
    };
    let taken = |i: &usize| *i == date || amount_columns.contains(i);
    let payee = by_name(PAYEE_NAMES).filter(|i| !taken(i));
    let currency = by_name(CURRENCY_NAMES).filter(|i| !taken(i));
    let category = by_name(CATEGORY_NAMES).filter(|i| !taken(i));
    let mcc = by_name(MCC_NAMES).filter(|i| !taken(i));
    let reference = by_name(REFERENCE_NAMES).filter(|i| !taken(i) && Some(*i) != mcc);
    let used =
        |i: &usize| taken(i) || [payee, currency, category, mcc, reference].contains(&Some(*i));
    let mut description: Vec<usize> = by_name(DESCRIPTION_NAMES)
        .filter(|i| !used(i))
        .into_iter()
        .collect();
    if description.is_empty() {
        // The text column with the longest values.
        description = (0..width)
            .filter(|i| !used(i) && fraction(*i, &looks_like_amount) < 0.5)
            .max_by_key(|i| column_samples(*i).iter().map(|s| s.len()).sum::<usize>())
            .into_iter()
            .collect();
    }
    if description.is_empty() {
        description = payee.into_iter().collect();
    }
    let amount_samples: Vec<&str> = amount_columns
        .iter()
        .flat_map(|i| column_samples(*i))
        .collect();
    let decimal = detect_decimal(&amount_samples);
    let date_order = detect_date_order(&column_samples(date), decimal);
    Ok(CsvProfile {
        delimiter,
        has_header,
        date_order,
        decimal,
        sign: SignConvention::NegativeIsOutflow,
        date,
        amount,
        description,
        payee,
        currency,
        category,
        mcc,
        reference,
    })
}

fn field(record: &::csv::StringRecord, index: usize) -> &str {
    record.get(index).map(str::trim).unwrap_or("")
}

fn optional(record: &::csv::StringRecord, index: Option<usize>) -> Option<String> {
    index
        .map(|i| field(record, i))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn row_amount(
    record: &::csv::StringRecord,
    profile: &CsvProfile,
) -> Result<Decimal, (String, String)> {
    let read = |index: usize, name: &str| -> Result<Decimal, (String, String)> {
        let text = field(record, index);
        if text.is_empty() {
            return Ok(Decimal::ZERO);
        }
        parse_amount(text, profile.decimal).map_err(|reason| (name.to_owned(), reason))
    };
    let amount = match profile.amount {
        AmountColumns::Signed(index) => {
            if field(record, index).is_empty() {
                return Err(("amount".into(), "is empty".into()));
            }
            read(index, "amount")?
        }
        AmountColumns::DebitCredit { debit, credit } => {
            if field(record, debit).is_empty() && field(record, credit).is_empty() {
                return Err(("amount".into(), "both debit and credit are empty".into()));
            }
            read(credit, "credit")?.abs() - read(debit, "debit")?.abs()
        }
    };
    Ok(match profile.sign {
        SignConvention::NegativeIsOutflow => amount,
        SignConvention::PositiveIsOutflow => -amount,
    })
}

/// Reads every row with the profile. Rows that do not fit become record
/// errors; the others records.
pub fn parse(text: &str, profile: &CsvProfile) -> ParsedFile {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(profile.delimiter as u8)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut parsed = ParsedFile::default();
    let mut record = ::csv::StringRecord::new();
    let mut header_width = None;
    let mut line_start = 0usize;
    let mut first = true;
    loop {
        let location = format!("line {}", reader.position().line());
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                parsed.errors.push(RecordError::new(
                    location,
                    "",
                    "row",
                    format!("unreadable CSV: {error}"),
                ));
                break;
            }
        }
        let end = reader.position().byte() as usize;
        let raw = clip_raw(text.get(line_start..end).unwrap_or("").trim_end());
        line_start = end;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if std::mem::take(&mut first) && profile.has_header {
            parsed.columns = record.iter().map(|f| f.trim().to_owned()).collect();
            header_width = Some(record.len());
            continue;
        }
        if let Some(width) = header_width
            && record.len() < width
        {
            parsed.errors.push(RecordError::new(
                location,
                raw,
                "row",
                format!("has {} fields, the header has {width}", record.len()),
            ));
            continue;
        }
        let posted_on = match parse_date(field(&record, profile.date), profile.date_order) {
            Ok(date) => date,
            Err(reason) => {
                parsed
                    .errors
                    .push(RecordError::new(location, raw, "date", reason));
                continue;
            }
        };
        let amount = match row_amount(&record, profile) {
            Ok(amount) => amount,
            Err((field, reason)) => {
                parsed
                    .errors
                    .push(RecordError::new(location, raw, field, reason));
                continue;
            }
        };
        let description = profile
            .description
            .iter()
            .map(|i| field(&record, *i))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        parsed.records.push(ParsedRecord {
            location,
            raw,
            account_ref: None,
            posted_on,
            occurred_at: None,
            amount,
            currency: optional(&record, profile.currency),
            description,
            merchant: optional(&record, profile.payee),
            mcc: optional(&record, profile.mcc),
            category: optional(&record, profile.category),
            source_ref: optional(&record, profile.reference),
        });
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn us_bank_export_with_header() {
        let text = "Date,Description,Amount,Balance\n03/14/2026,SQ *BLUE BOTTLE 0423,-4.50,1000.00\n03/15/2026,\"ACME, INC PAYROLL\",\"2,500.00\",3500.00\n";
        let profile = detect_profile(text).unwrap();
        assert_eq!(profile.delimiter, ',');
        assert!(profile.has_header);
        assert_eq!(profile.date_order, DateOrder::MonthFirst);
        assert_eq!(profile.amount, AmountColumns::Signed(2));
        let parsed = parse(text, &profile);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.records.len(), 2);
        assert_eq!(parsed.records[0].posted_on, date!(2026 - 03 - 14));
        assert_eq!(parsed.records[1].amount, Decimal::new(2500, 0));
        assert_eq!(parsed.records[1].description, "ACME, INC PAYROLL");
        assert_eq!(parsed.records[1].location, "line 3");
        assert_eq!(parsed.columns, ["Date", "Description", "Amount", "Balance"]);
    }

    #[test]
    fn german_export_with_semicolons_decimal_comma_and_soll_haben() {
        let text = "Buchungstag;Verwendungszweck;Soll;Haben;Währung\n14.03.2026;REWE MARKT BERLIN;1.234,56;;EUR\n15.03.2026;GEHALT MAERZ;;3.100,00;EUR\n";
        let profile = detect_profile(text).unwrap();
        assert_eq!(profile.delimiter, ';');
        assert_eq!(profile.decimal, DecimalStyle::Comma);
        assert_eq!(profile.date_order, DateOrder::DayFirst);
        assert_eq!(
            profile.amount,
            AmountColumns::DebitCredit {
                debit: 2,
                credit: 3
            }
        );
        let parsed = parse(text, &profile);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.records[0].amount, "-1234.56".parse().unwrap());
        assert_eq!(parsed.records[1].amount, "3100".parse().unwrap());
        assert_eq!(parsed.records[1].currency.as_deref(), Some("EUR"));
    }

    #[test]
    fn headerless_file_is_mapped_by_content() {
        let text = "2026-03-01\tNETFLIX.COM\t-15.49\n2026-03-02\tTESCO STORES 2231\t-42.10\n";
        let profile = detect_profile(text).unwrap();
        assert_eq!(profile.delimiter, '\t');
        assert!(!profile.has_header);
        let parsed = parse(text, &profile);
        assert_eq!(parsed.records.len(), 2);
        assert_eq!(parsed.records[0].description, "NETFLIX.COM");
    }

    #[test]
    fn bad_rows_become_errors_and_good_rows_still_load() {
        let text = "Date,Description,Amount\n2026-03-01,A,-1.00\n2026-02-30,B,-2.00\n2026-03-02,C,abc\n2026-03-03,D\n2026-03-04,E,-5.00\n";
        let profile = detect_profile(text).unwrap();
        let parsed = parse(text, &profile);
        assert_eq!(parsed.records.len(), 2);
        let fields: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (e.location.as_str(), e.field.as_str()))
            .collect();
        assert_eq!(
            fields,
            [("line 3", "date"), ("line 4", "amount"), ("line 5", "row")]
        );
        assert_eq!(parsed.errors[0].raw, "2026-02-30,B,-2.00");
    }

    #[test]
    fn credit_card_exports_can_flip_the_sign() {
        let text = "Date,Description,Amount\n2026-03-01,AMAZON,25.00\n";
        let mut profile = detect_profile(text).unwrap();
        profile.sign = SignConvention::PositiveIsOutflow;
        assert_eq!(
            parse(text, &profile).records[0].amount,
            "-25".parse().unwrap()
        );
    }
}
