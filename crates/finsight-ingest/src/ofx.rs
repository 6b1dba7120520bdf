//! OFX 1.x (SGML: leaf elements are never closed), OFX 2.x (XML) and QFX
//! (OFX with Intuit's extra elements). One tolerant tokenizer reads all
//! three: an element followed by text is a leaf, anything else opens an
//! aggregate, and closing tags close the nearest open aggregate of that
//! name.

use std::collections::HashMap;

use crate::fields::{DecimalStyle, parse_amount, parse_ofx_datetime};
use finsight_core::AccountKind;

use crate::record::{FileAccount, FileError, ParsedFile, ParsedRecord, RecordError, clip_raw};

/// Replaces the SGML/XML entities OFX files use.
pub(crate) fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find(';').filter(|e| *e <= 10);
        let replacement = end.and_then(|end| {
            let name = &after[..end];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            ch.map(|c| (c, end))
        });
        match replacement {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

struct Transaction {
    start: usize,
    fields: HashMap<String, String>,
}

/// Parses an OFX/QFX document into records; every `STMTTRN` becomes one,
/// with the account and currency of its statement.
pub fn parse(text: &str) -> Result<ParsedFile, FileError> {
    let upper_start = text.find("<OFX>").or_else(|| text.find("<ofx>"));
    let Some(body_start) = upper_start else {
        return Err(FileError::new("ofx", "no <OFX> element"));
    };
    let mut parsed = ParsedFile::default();
    let mut stack: Vec<String> = Vec::new();
    let mut account: Option<String> = None;
    let mut currency: Option<String> = None;
    let mut kind: Option<AccountKind> = None;
    let mut institution: Option<String> = None;
    let mut current: Option<Transaction> = None;
    let mut count = 0usize;
    let mut position = body_start;
    while let Some(offset) = text[position..].find('<') {
        let tag_start = position + offset;
        let Some(tag_len) = text[tag_start..].find('>') else {
            break;
        };
        let tag = text[tag_start + 1..tag_start + tag_len]
            .trim()
            .to_ascii_uppercase();
        let after_tag = tag_start + tag_len + 1;
        let value_end = text[after_tag..]
            .find('<')
            .map_or(text.len(), |i| after_tag + i);
        let value = decode_entities(text[after_tag..value_end].trim());
        position = value_end;
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(closing) = tag.strip_prefix('/') {
            if let Some(depth) = stack.iter().rposition(|open| open == closing) {
                stack.truncate(depth);
                if matches!(closing, "BANKACCTFROM" | "CCACCTFROM")
                    && let Some(reference) = &account
                {
                    parsed.describe_account(FileAccount {
                        reference: reference.clone(),
                        currency: currency.clone(),
                        kind,
                        institution: institution.clone(),
                    });
                }
                if closing == "STMTTRN"
                    && let Some(transaction) = current.take()
                {
                    count += 1;
                    let raw = clip_raw(text[transaction.start..after_tag].trim());
                    let location = format!("transaction {count}");
                    match record(transaction.fields, &location, &raw, &account, &currency) {
                        Ok(record) => parsed.records.push(record),
                        Err((field, reason)) => parsed
                            .errors
                            .push(RecordError::new(location, raw, field, reason)),
                    }
                }
            }
            continue;
        }
        if !value.is_empty() {
            // A leaf element.
            match (stack.last().map(String::as_str), tag.as_str()) {
                (Some("BANKACCTFROM" | "CCACCTFROM"), "ACCTID") => {
                    account = Some(value.clone());
                    parsed.account_ref.get_or_insert(value);
                }
                (Some("BANKACCTFROM"), "ACCTTYPE") => kind = account_kind(&value),
                (Some("FI"), "ORG") => institution = Some(value),
                (_, "CURDEF") => {
                    currency = Some(value.clone());
                    parsed.currency.get_or_insert(value);
                }
                _ => {
                    if let Some(transaction) = &mut current {
                        transaction.fields.entry(tag).or_insert(value);
                    }
                }
            }
            continue;
        }
        match tag.as_str() {
            "BANKACCTFROM" => kind = Some(AccountKind::Checking),
            "CCACCTFROM" => kind = Some(AccountKind::CreditCard),
            _ => {}
        }
        if tag == "STMTTRN" {
            current = Some(Transaction {
                start: tag_start,
                fields: HashMap::new(),
            });
        }
        stack.push(tag);
    }
    if let Some(transaction) = current {
        count += 1;
        parsed.errors.push(RecordError::new(
            format!("transaction {count}"),
            clip_raw(text[transaction.start..].trim()),
            "record",
            "the file ends inside this transaction (truncated file)",
        ));
    }
    if parsed.records.is_empty() && parsed.errors.is_empty() && parsed.account_ref.is_none() {
        return Err(FileError::new("ofx", "no statement found"));
    }
    Ok(parsed)
}

fn record(
    mut fields: HashMap<String, String>,
    location: &str,
    raw: &str,
    account: &Option<String>,
    currency: &Option<String>,
) -> Result<ParsedRecord, (String, String)> {
    let posted = fields
        .get("DTPOSTED")
        .ok_or(("DTPOSTED".to_owned(), "is missing".to_owned()))?;
    let (posted_on, _) = parse_ofx_datetime(posted).map_err(|r| ("DTPOSTED".to_owned(), r))?;
    let occurred_at = fields
        .get("DTUSER")
        .and_then(|d| parse_ofx_datetime(d).ok())
        .and_then(|(_, at)| at);
    let amount_text = fields
        .get("TRNAMT")
        .ok_or(("TRNAMT".to_owned(), "is missing".to_owned()))?;
    let style = if amount_text.contains(',') && !amount_text.contains('.') {
        DecimalStyle::Comma
    } else {
        DecimalStyle::Point
    };
    let amount = parse_amount(amount_text, style).map_err(|r| ("TRNAMT".to_owned(), r))?;
    let name = fields.remove("NAME").unwrap_or_default();
    let memo = fields.remove("MEMO").unwrap_or_default();
    let description = if memo.is_empty() || memo == name {
        name.clone()
    } else if name.is_empty() || memo.starts_with(&name) {
        memo
    } else {
        format!("{name} {memo}")
    };
    // Amount, date and id but no text: what the file does say.
    let description = if description.trim().is_empty() {
        describe_type(
            fields.get("TRNTYPE").map(String::as_str),
            fields.get("CHECKNUM").map(String::as_str),
        )
    } else {
        description
    };
    Ok(ParsedRecord {
        location: location.to_owned(),
        raw: raw.to_owned(),
        account_ref: account.clone(),
        posted_on,
        occurred_at,
        amount,
        currency: currency.clone(),
        description,
        merchant: (!name.is_empty()).then_some(name),
        mcc: fields.remove("SIC"),
        category: None,
        source_ref: fields.remove("FITID"),
    })
}

/// OFX `ACCTTYPE` as an account kind.
fn account_kind(value: &str) -> Option<AccountKind> {
    match value.trim().to_ascii_uppercase().as_str() {
        "CHECKING" | "MONEYMRKT" => Some(AccountKind::Checking),
        "SAVINGS" | "CD" => Some(AccountKind::Savings),
        "CREDITLINE" => Some(AccountKind::Loan),
        _ => None,
    }
}

/// A readable description from the OFX transaction type (and check number).
fn describe_type(trntype: Option<&str>, check: Option<&str>) -> String {
    let kind = trntype.map(|t| t.trim().to_ascii_uppercase());
    let text = match kind.as_deref() {
        Some("CREDIT") => "Credit",
        Some("DEBIT") => "Debit",
        Some("INT") => "Interest",
        Some("DIV") => "Dividend",
        Some("FEE") => "Fee",
        Some("SRVCHG") => "Service charge",
        Some("DEP") => "Deposit",
        Some("ATM") => "ATM withdrawal",
        Some("POS") => "Point of sale",
        Some("XFER") => "Transfer",
        Some("CHECK") => "Check",
        Some("PAYMENT") => "Payment",
        Some("CASH") => "Cash withdrawal",
        Some("DIRECTDEP") => "Direct deposit",
        Some("DIRECTDEBIT") => "Direct debit",
        Some("REPEATPMT") => "Repeating payment",
        Some("HOLD") => "Hold",
        Some(other) if !other.is_empty() => return format!("Transaction ({other})"),
        _ => "Transaction",
    };
    match check.map(str::trim).filter(|c| !c.is_empty()) {
        Some(number) => format!("{text} {number}"),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const SGML: &str = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>\n<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD\n<BANKACCTFROM><BANKID>121000248<ACCTID>000123456789<ACCTTYPE>CHECKING</BANKACCTFROM>\n<BANKTRANLIST>\n<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260314120000.000[-5:EST]<DTUSER>20260313193000[-5:EST]<TRNAMT>-42.10<FITID>2026031401<NAME>TRADER JOE&apos;S #552<MEMO>SAN FRANCISCO CA &amp; more\n</STMTTRN>\n<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260315<TRNAMT>2500.00<FITID>2026031501<NAME>ACME CORP PAYROLL\n</STMTTRN>\n</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n";

    #[test]
    fn ofx1_sgml_with_entities_and_time_zones() {
        let parsed = parse(SGML).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.account_ref.as_deref(), Some("000123456789"));
        assert_eq!(parsed.currency.as_deref(), Some("USD"));
        let first = &parsed.records[0];
        assert_eq!(first.posted_on, date!(2026 - 03 - 14));
        assert_eq!(first.occurred_at, Some(datetime!(2026-03-13 19:30:00 -5)));
        assert_eq!(first.amount, "-42.10".parse().unwrap());
        assert_eq!(
            first.description,
            "TRADER JOE'S #552 SAN FRANCISCO CA & more"
        );
        assert_eq!(first.merchant.as_deref(), Some("TRADER JOE'S #552"));
        assert_eq!(first.source_ref.as_deref(), Some("2026031401"));
        assert_eq!(first.account_ref.as_deref(), Some("000123456789"));
        assert_eq!(parsed.records[1].amount, "2500".parse().unwrap());
    }

    #[test]
    fn ofx2_xml_credit_card_statement() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><?OFX OFXHEADER="200" VERSION="220"?>
<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>EUR</CURDEF>
<CCACCTFROM><ACCTID>4111XXXX1111</ACCTID></CCACCTFROM><BANKTRANLIST>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20260301</DTPOSTED><TRNAMT>-9,99</TRNAMT><FITID>A1</FITID><NAME>SPOTIFY</NAME></STMTTRN>
</BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>"#;
        let parsed = parse(xml).unwrap();
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.records[0].amount, "-9.99".parse().unwrap());
        assert_eq!(parsed.records[0].currency.as_deref(), Some("EUR"));
        assert_eq!(
            parsed.records[0].account_ref.as_deref(),
            Some("4111XXXX1111")
        );
    }

    #[test]
    fn truncated_and_broken_transactions_are_record_errors() {
        let cut = &SGML[..SGML.find("ACME").unwrap()];
        let parsed = parse(cut).unwrap();
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.errors.len(), 1);
        assert!(parsed.errors[0].reason.contains("truncated"));
        let bad = SGML.replace("<TRNAMT>2500.00", "<TRNAMT>lots");
        let parsed = parse(&bad).unwrap();
        assert_eq!(parsed.errors[0].field, "TRNAMT");
        assert!(parse("just text").is_err());
    }
}
