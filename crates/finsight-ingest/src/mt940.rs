//! SWIFT MT940 customer statements: `:25:` names the account, `:60F:` the
//! currency, each `:61:` statement line is a transaction and the `:86:`
//! after it (often several lines long) its details — either free text or
//! the German structured form `GVC?00text?20ref…?32name` with numbered
//! sub-fields.

use rust_decimal::Decimal;
use time::Date;

use crate::fields::{DecimalStyle, parse_amount};
use finsight_core::AccountKind;

use crate::record::{FileAccount, FileError, ParsedFile, ParsedRecord, RecordError, clip_raw};

/// One tag and its (possibly multi-line) content.
struct Field<'a> {
    tag: &'a str,
    line: usize,
    lines: Vec<&'a str>,
}

fn fields(text: &str) -> Vec<Field<'_>> {
    let mut out: Vec<Field> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_end();
        if let Some(rest) = trimmed.strip_prefix(':')
            && let Some(end) = rest.find(':')
            && end <= 4
            && rest[..end].chars().all(|c| c.is_ascii_alphanumeric())
        {
            out.push(Field {
                tag: &rest[..end],
                line: index + 1,
                lines: vec![&rest[end + 1..]],
            });
        } else if trimmed == "-" || trimmed.starts_with('{') || trimmed.starts_with('}') {
            // Message separators and SWIFT block headers.
            continue;
        } else if let Some(last) = out.last_mut() {
            last.lines.push(trimmed);
        }
    }
    out
}

/// A `:61:` line: value date, optional entry date, debit/credit mark,
/// amount, transaction type, customer and bank references.
struct StatementLine {
    value_date: Date,
    entry_date: Option<Date>,
    amount: Decimal,
    reference: Option<String>,
    bank_reference: Option<String>,
    supplement: Option<String>,
    /// The SWIFT transaction type code (`NTRF`, `NCHG`, …).
    kind: String,
}

impl StatementLine {
    /// A description from the transaction type, for lines without details.
    fn kind_text(&self) -> String {
        let code = self.kind.get(1..).unwrap_or("");
        let text = match code {
            "TRF" => "Transfer",
            "CHG" => "Charges",
            "INT" => "Interest",
            "DDT" => "Direct debit",
            "CHK" => "Cheque",
            "STO" => "Standing order",
            "SAL" => "Salary",
            "DIV" => "Dividend",
            "CMI" | "MSC" | "" => {
                return if self.amount < Decimal::ZERO {
                    "Debit".to_owned()
                } else {
                    "Credit".to_owned()
                };
            }
            other => return format!("Transaction {other}"),
        };
        text.to_owned()
    }
}

fn yymmdd(text: &str) -> Option<Date> {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i32 = text.parse().ok()?;
    let year = n / 10000;
    let year = if year < 70 { 2000 + year } else { 1900 + year };
    let month = time::Month::try_from(u8::try_from((n / 100) % 100).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(n % 100).ok()?).ok()
}

fn statement_line(lines: &[&str]) -> Result<StatementLine, String> {
    let line = lines.first().copied().unwrap_or("");
    let bad = |what: &str| format!("{line:?}: {what}");
    let value_date =
        yymmdd(line.get(..6).unwrap_or("")).ok_or_else(|| bad("no value date YYMMDD"))?;
    let mut rest = line.get(6..).unwrap_or("");
    let mut entry_date = None;
    if rest
        .get(..4)
        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    {
        let (month, day) = (&rest[..2], &rest[2..4]);
        entry_date = yymmdd(&format!("{:02}{month}{day}", value_date.year() % 100)).map(|d| {
            // An entry in early January for a late-December value date.
            if d < value_date - time::Duration::days(180) {
                d.replace_year(d.year() + 1).unwrap_or(d)
            } else {
                d
            }
        });
        rest = &rest[4..];
    }
    let (negative, after_mark) = if let Some(r) = rest.strip_prefix("RC") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("RD") {
        (false, r)
    } else if let Some(r) = rest.strip_prefix('C') {
        (false, r)
    } else if let Some(r) = rest.strip_prefix('D') {
        (true, r)
    } else {
        return Err(bad("no debit/credit mark (C, D, RC, RD)"));
    };
    let mut rest = after_mark;
    if rest.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        rest = rest.get(1..).unwrap_or(""); // funds code
    }
    let amount_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(rest.len());
    if amount_len == 0 {
        return Err(bad("no amount"));
    }
    let amount = parse_amount(&rest[..amount_len], DecimalStyle::Comma).map_err(|e| bad(&e))?;
    let rest = &rest[amount_len..];
    // Transaction type: N/F/S and three characters.
    let kind = rest.get(..4).unwrap_or("").to_owned();
    let rest = rest.get(4..).unwrap_or("");
    let (reference, bank_reference) = match rest.split_once("//") {
        Some((customer, bank)) => (customer, Some(bank.trim().to_owned())),
        None => (rest, None),
    };
    let reference = Some(reference.trim().to_owned()).filter(|r| !r.is_empty() && r != "NONREF");
    Ok(StatementLine {
        value_date,
        entry_date,
        amount: if negative { -amount } else { amount },
        reference,
        bank_reference: bank_reference.filter(|r| !r.is_empty()),
        supplement: lines
            .get(1)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        kind,
    })
}

/// SWIFT-style structured `:86:` (`/EREF/…/NAME/…/REMI/…/`): the
/// counterparty and the remittance text, when the details use it.
fn slash_codes(joined: &str) -> Option<(String, Option<String>)> {
    const CODES: [&str; 12] = [
        "NAME", "REMI", "EREF", "MARF", "CSID", "IBAN", "BIC", "ORDP", "BENM", "ADDR", "TRTP",
        "PURP",
    ];
    if !joined.contains("/NAME/") && !joined.contains("/REMI/") {
        return None;
    }
    let mut name = None;
    let mut remittance = Vec::new();
    let mut rest = joined.trim();
    while let Some(after) = rest.strip_prefix('/') {
        let Some((code, value_and_rest)) = after.split_once('/') else {
            break;
        };
        // A value runs to the next `/CODE/` this format knows.
        let end = (0..value_and_rest.len())
            .filter(|i| value_and_rest.is_char_boundary(*i))
            .find(|i| {
                CODES.iter().any(|c| {
                    value_and_rest[*i..]
                        .strip_prefix('/')
                        .and_then(|r| r.strip_prefix(c))
                        .is_some_and(|r| r.starts_with('/'))
                })
            })
            .unwrap_or(value_and_rest.len());
        let value = value_and_rest[..end].trim().trim_end_matches('/').trim();
        match code {
            "NAME" | "BENM" | "ORDP" if name.is_none() && !value.is_empty() => {
                name = Some(value.to_owned());
            }
            "REMI" if !value.is_empty() => remittance.push(value.to_owned()),
            _ => {}
        }
        rest = &value_and_rest[end..];
    }
    let description = name
        .iter()
        .chain(&remittance)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    Some((description, name))
}

/// The `:86:` details: (description, counterparty name).
fn details(lines: &[&str]) -> (String, Option<String>) {
    let joined: String = lines.concat();
    if let Some(found) = slash_codes(&joined) {
        return found;
    }
    let structured = joined.len() > 4
        && joined
            .get(..3)
            .is_some_and(|g| g.bytes().all(|b| b.is_ascii_digit()))
        && joined.get(3..).is_some_and(|r| r.starts_with('?'));
    if !structured {
        let text = lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        return (text, None);
    }
    let mut posting_text = String::new();
    let mut remittance = String::new();
    let mut name = String::new();
    for part in joined[3..].split('?') {
        let (Some(code), Some(value)) = (part.get(..2), part.get(2..)) else {
            continue;
        };
        match code {
            "00" => posting_text.push_str(value),
            "20" | "21" | "22" | "23" | "24" | "25" | "26" | "27" | "28" | "29" | "60" | "61"
            | "62" | "63" => remittance.push_str(value),
            "32" | "33" => name.push_str(value),
            _ => {}
        }
    }
    let name = name.trim().to_owned();
    let description = [name.as_str(), remittance.trim(), posting_text.trim()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (description, Some(name).filter(|n| !n.is_empty()))
}

pub fn parse(text: &str) -> Result<ParsedFile, FileError> {
    let fields = fields(text);
    if !fields.iter().any(|f| f.tag == "61" || f.tag == "20") {
        return Err(FileError::new("mt940", "no :20: or :61: fields"));
    }
    let mut parsed = ParsedFile::default();
    let mut account: Option<String> = None;
    let mut currency: Option<String> = None;
    let mut index = 0;
    while index < fields.len() {
        let field = &fields[index];
        match field.tag {
            "25" => {
                account = Some(field.lines.concat().trim().to_owned());
                parsed
                    .account_ref
                    .get_or_insert_with(|| account.clone().unwrap_or_default());
            }
            "60F" | "60M" => {
                let balance = field.lines.concat();
                currency = balance.get(7..10).map(str::to_owned);
                if parsed.currency.is_none() {
                    parsed.currency = currency.clone();
                }
                if let Some(reference) = &account {
                    parsed.describe_account(FileAccount {
                        reference: reference.clone(),
                        currency: currency.clone(),
                        kind: Some(AccountKind::Checking),
                        institution: None,
                    });
                }
            }
            "61" => {
                let info = fields.get(index + 1).filter(|f| f.tag == "86");
                let raw_lines: Vec<String> = std::iter::once(field)
                    .chain(info)
                    .flat_map(|f| {
                        f.lines.iter().enumerate().map(move |(i, l)| {
                            if i == 0 {
                                format!(":{}:{l}", f.tag)
                            } else {
                                (*l).to_owned()
                            }
                        })
                    })
                    .collect();
                let raw = clip_raw(&raw_lines.join("\n"));
                let location = format!("line {}", field.line);
                match statement_line(&field.lines) {
                    Ok(line) => {
                        let (mut description, merchant) =
                            info.map(|f| details(&f.lines)).unwrap_or_default();
                        if description.is_empty() {
                            description = line.supplement.clone().unwrap_or_default();
                        }
                        if description.is_empty() {
                            description = line.kind_text();
                        }
                        parsed.records.push(ParsedRecord {
                            location,
                            raw,
                            account_ref: account.clone(),
                            posted_on: line.entry_date.unwrap_or(line.value_date),
                            occurred_at: None,
                            amount: line.amount,
                            currency: currency.clone(),
                            description,
                            merchant,
                            mcc: None,
                            category: None,
                            source_ref: line.bank_reference.or(line.reference),
                        });
                    }
                    Err(reason) => parsed
                        .errors
                        .push(RecordError::new(location, raw, ":61:", reason)),
                }
                if info.is_some() {
                    index += 1;
                }
            }
            _ => {}
        }
        index += 1;
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    pub(crate) const SAMPLE: &str = ":20:STARTUMSE\n:25:10020030/1234567\n:28C:00001/001\n:60F:C260313EUR1234,56\n:61:2603140314DR42,10NMSCNONREF//BANKREF1\n:86:106?00KARTENZAHLUNG?20REWE MARKT BERLIN?21SAGT DANKE?32REWE Markt GmbH\n:61:2603150315CR3100,00NTRFGEHALT//BANKREF2\n:86:166?00GUTSCHRIFT?20GEHALT MAERZ 2026?21ACME GMBH LOHN?22UND GEHALT?32ACME GMBH\n:61:260316C5,00NMSCNONREF\n:86:Zinsgutschrift fuer\n den Monat Maerz\n:61:26XX16C5,00NMSC\n:62F:C260316EUR4297,46\n-\n";

    #[test]
    fn statement_lines_with_structured_and_multiline_details() {
        let parsed = parse(SAMPLE).unwrap();
        assert_eq!(parsed.account_ref.as_deref(), Some("10020030/1234567"));
        assert_eq!(parsed.currency.as_deref(), Some("EUR"));
        assert_eq!(parsed.records.len(), 3, "{:?}", parsed.errors);
        let card = &parsed.records[0];
        assert_eq!(card.amount, "-42.10".parse().unwrap());
        assert_eq!(card.posted_on, date!(2026 - 03 - 14));
        assert_eq!(card.merchant.as_deref(), Some("REWE Markt GmbH"));
        assert_eq!(
            card.description,
            "REWE Markt GmbH REWE MARKT BERLINSAGT DANKE KARTENZAHLUNG"
        );
        assert_eq!(card.source_ref.as_deref(), Some("BANKREF1"));
        let salary = &parsed.records[1];
        assert_eq!(salary.amount, "3100".parse().unwrap());
        assert!(
            salary
                .description
                .contains("GEHALT MAERZ 2026ACME GMBH LOHNUND GEHALT")
        );
        assert_eq!(
            parsed.records[2].description,
            "Zinsgutschrift fuer den Monat Maerz"
        );
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].field, ":61:");
        assert!(parse("hello").is_err());
    }
}
