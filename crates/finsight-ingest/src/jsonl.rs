//! JSON Lines, Finsight's own format: one object per line, every value a
//! string (amounts are decimal strings, never JSON numbers, so nothing is
//! ever rounded through a float):
//!
//! ```json
//! {"account_id":"…uuid…","posted_on":"2026-03-14","amount":"-4.50","currency":"USD",
//!  "description":"SQ *BLUE BOTTLE 0423","occurred_at":"2026-03-14T08:12:00-07:00",
//!  "merchant":"Blue Bottle Coffee","mcc":"5814","category":"dining.coffee",
//!  "source_ref":"…"}
//! ```
//!
//! Required: `posted_on`, `amount`, `description`; `account_id` unless the
//! import names the account. Unknown keys are refused, so typos are caught.

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::fields::{DateOrder, DecimalStyle, parse_amount, parse_date};
use crate::record::{ParsedFile, ParsedRecord, RecordError, clip_raw};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default)]
    account_id: Option<String>,
    posted_on: String,
    #[serde(default)]
    occurred_at: Option<String>,
    amount: serde_json::Value,
    #[serde(default)]
    currency: Option<String>,
    description: String,
    #[serde(default)]
    merchant: Option<String>,
    #[serde(default)]
    mcc: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    source_ref: Option<String>,
}

/// The field a serde error is about, when it says.
fn serde_field(message: &str) -> String {
    for marker in ["field `", "missing field `", "unknown field `"] {
        if let Some(start) = message.find(marker) {
            let rest = &message[start + marker.len()..];
            if let Some(end) = rest.find('`') {
                return rest[..end].to_owned();
            }
        }
    }
    "line".to_owned()
}

/// Reads one JSON object into a record.
pub fn parse_line(text: &str, location: String) -> Result<ParsedRecord, RecordError> {
    let raw = clip_raw(text);
    let error = |field: &str, reason: String| {
        RecordError::new(location.clone(), raw.clone(), field, reason)
    };
    let line: Line = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        error(&serde_field(&message), message)
    })?;
    let amount = match &line.amount {
        serde_json::Value::String(text) => {
            parse_amount(text, DecimalStyle::Point).map_err(|r| error("amount", r))?
        }
        _ => {
            return Err(error(
                "amount",
                "must be a decimal string such as \"-12.50\", not a JSON number".into(),
            ));
        }
    };
    let posted_on =
        parse_date(&line.posted_on, DateOrder::Iso).map_err(|r| error("posted_on", r))?;
    let occurred_at = line
        .occurred_at
        .as_deref()
        .map(|t| {
            OffsetDateTime::parse(t, &Rfc3339)
                .map_err(|_| error("occurred_at", format!("{t:?} is not an RFC 3339 timestamp")))
        })
        .transpose()?;
    let _ = line.source;
    Ok(ParsedRecord {
        location: location.clone(),
        raw: raw.clone(),
        account_ref: line.account_id,
        posted_on,
        occurred_at,
        amount,
        currency: line.currency,
        description: line.description,
        merchant: line.merchant,
        mcc: line.mcc,
        category: line.category,
        source_ref: line.source_ref,
    })
}

pub fn parse(text: &str) -> ParsedFile {
    let mut parsed = ParsedFile::default();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line, format!("line {}", index + 1)) {
            Ok(record) => parsed.records.push(record),
            Err(error) => parsed.errors.push(error),
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_and_bad_lines_name_their_field() {
        let text = concat!(
            r#"{"account_id":"a","posted_on":"2026-03-14","amount":"-4.50","currency":"USD","description":"COFFEE","occurred_at":"2026-03-14T08:12:00-07:00"}"#,
            "\n",
            r#"{"posted_on":"2026-03-14","amount":-4.5,"description":"FLOAT"}"#,
            "\n",
            r#"{"posted_on":"2026-13-01","amount":"1","description":"X"}"#,
            "\n",
            r#"{"amount":"1","description":"X"}"#,
            "\n",
            r#"{"posted_on":"2026-03-01","amount":"1","description":"X","colour":"red"}"#,
            "\n",
            "not json\n",
        );
        let parsed = parse(text);
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.records[0].amount, "-4.5".parse().unwrap());
        assert!(parsed.records[0].occurred_at.is_some());
        let fields: Vec<_> = parsed.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["amount", "posted_on", "posted_on", "colour", "line"]
        );
        assert_eq!(parsed.errors[0].location, "line 2");
    }
}
