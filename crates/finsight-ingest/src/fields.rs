//! Field-level readers shared by the parsers: amounts in every notation
//! banks use, and dates in every order they print them.

use rust_decimal::Decimal;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// How a file writes decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecimalStyle {
    /// `1,234.56`
    Point,
    /// `1.234,56`
    Comma,
}

/// Most significant digits an amount may have (before any range check);
/// longer digit strings are rejected, never rounded.
const MAX_DIGITS: usize = 20;

/// Reads an amount such as `-1,234.56`, `1.234,56`, `(12.50)`, `12.50-`,
/// `+7`, `€ 12,50`, `12.50 CR`, `1 234,56` or `1'234.56`. Currency symbols
/// and codes around the number are ignored; `CR`/`DR` suffixes set the
/// sign. The result is exact.
pub fn parse_amount(text: &str, style: DecimalStyle) -> Result<Decimal, String> {
    let original = text;
    let mut text = text.trim();
    let mut negative = false;
    let upper = text.to_ascii_uppercase();
    if let Some(rest) = upper.strip_suffix("CR") {
        text = &text[..rest.len()];
    } else if let Some(rest) = upper.strip_suffix("DR") {
        text = &text[..rest.len()];
        negative = true;
    }
    let mut text = text.trim().to_owned();
    if text.starts_with('(') && text.ends_with(')') {
        negative = !negative;
        text = text[1..text.len() - 1].to_owned();
    }
    let mut digits = String::with_capacity(text.len());
    let mut signs = 0;
    let mut saw_digit = false;
    for c in text.chars() {
        match c {
            '0'..='9' => {
                saw_digit = true;
                digits.push(c);
            }
            '-' | '\u{2212}' => {
                signs += 1;
                negative = !negative;
            }
            '+' => signs += 1,
            '.' | ',' => digits.push(c),
            ' ' | '\u{a0}' | '\u{202f}' | '\'' | '$' | '€' | '£' | '¥' => {}
            c if c.is_ascii_uppercase() => {}
            _ => return Err(format!("{original:?} is not an amount")),
        }
    }
    if !saw_digit || signs > 1 {
        return Err(format!("{original:?} is not an amount"));
    }
    let (thousands, decimal) = match style {
        DecimalStyle::Point => (',', '.'),
        DecimalStyle::Comma => ('.', ','),
    };
    let mut normalized = String::with_capacity(digits.len());
    let mut seen_decimal = false;
    for c in digits.chars() {
        if c == thousands {
            if seen_decimal {
                return Err(format!("{original:?} has a separator after its decimals"));
            }
            continue;
        }
        if c == decimal {
            if seen_decimal {
                return Err(format!("{original:?} has two decimal separators"));
            }
            seen_decimal = true;
            normalized.push('.');
        } else {
            normalized.push(c);
        }
    }
    let significant = normalized
        .trim_start_matches(['0', '.'])
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    if significant > MAX_DIGITS {
        return Err(format!("{original:?} has more than {MAX_DIGITS} digits"));
    }
    if normalized.starts_with('.') {
        normalized.insert(0, '0');
    }
    let value = Decimal::from_str_exact(normalized.trim_end_matches('.'))
        .map_err(|_| format!("{original:?} is not a representable amount"))?;
    Ok(if negative { -value } else { value }.normalize())
}

/// The order of day, month and year in a file's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `2026-03-14`, `20260314`
    Iso,
    /// `03/14/2026`, `3/14/26`
    MonthFirst,
    /// `14.03.2026`, `14/03/26`
    DayFirst,
}

/// Two-digit years: 00–69 are 2000–2069, 70–99 are 1970–1999.
fn full_year(year: i32, digits: usize) -> i32 {
    match digits {
        2 if year < 70 => 2000 + year,
        2 => 1900 + year,
        _ => year,
    }
}

/// Reads a date in the given order, with `-`, `/`, `.` or `'` as
/// separators, or as eight digits (`20260314`).
pub fn parse_date(text: &str, order: DateOrder) -> Result<Date, String> {
    let trimmed = text.trim();
    let bad = || format!("{trimmed:?} is not a date ({})", order_hint(order));
    if trimmed.len() == 8 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let number: i32 = trimmed.parse().map_err(|_| bad())?;
        return make_date(number / 10000, (number / 100) % 100, number % 100).ok_or_else(bad);
    }
    let parts: Vec<&str> = trimmed
        .split(['-', '/', '.', '\''])
        .map(str::trim)
        .collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let n = |i: usize| parts[i].parse::<i32>().map_err(|_| bad());
    let (year, month, day, year_digits) = match order {
        DateOrder::Iso => (n(0)?, n(1)?, n(2)?, parts[0].len()),
        DateOrder::MonthFirst => (n(2)?, n(0)?, n(1)?, parts[2].len()),
        DateOrder::DayFirst => (n(2)?, n(1)?, n(0)?, parts[2].len()),
    };
    if year_digits != 2 && year_digits != 4 {
        return Err(bad());
    }
    make_date(full_year(year, year_digits), month, day).ok_or_else(bad)
}

fn order_hint(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Iso => "expected YYYY-MM-DD",
        DateOrder::MonthFirst => "expected MM/DD/YYYY",
        DateOrder::DayFirst => "expected DD.MM.YYYY",
    }
}

fn make_date(year: i32, month: i32, day: i32) -> Option<Date> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

/// Reads an OFX date-time: `YYYYMMDD[HHMMSS[.XXX]][[+-]H[:TZ]]`, e.g.
/// `20260314120000.000[-5:EST]`. Returns the date and, when a time is
/// given, the instant (UTC if no zone is stated).
pub fn parse_ofx_datetime(text: &str) -> Result<(Date, Option<OffsetDateTime>), String> {
    let trimmed = text.trim();
    let bad = || format!("{trimmed:?} is not an OFX date (YYYYMMDD[HHMMSS][[offset:TZ]])");
    let (stamp, zone) = match trimmed.split_once('[') {
        Some((stamp, zone)) => (stamp, Some(zone.trim_end_matches(']'))),
        None => (trimmed, None),
    };
    let digits: String = stamp.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 8 {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| digits[range].parse::<i32>().map_err(|_| bad());
    let date = make_date(number(0..4)?, number(4..6)?, number(6..8)?).ok_or_else(bad)?;
    if digits.len() < 14 {
        return Ok((date, None));
    }
    let time = Time::from_hms(
        u8::try_from(number(8..10)?).map_err(|_| bad())?,
        u8::try_from(number(10..12)?).map_err(|_| bad())?,
        u8::try_from(number(12..14)?).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    let offset = match zone {
        Some(zone) => {
            // Hours, possibly fractional (`+5.5:IST`), read as an exact
            // decimal: whole minutes within ±14 hours, nothing else.
            let hours = zone.split(':').next().unwrap_or("0").trim();
            let hours: Decimal = hours.trim_start_matches('+').parse().map_err(|_| bad())?;
            let seconds = hours * Decimal::from(3600);
            if hours.abs() > Decimal::from(14) || seconds % Decimal::from(60) != Decimal::ZERO {
                return Err(bad());
            }
            let seconds = rust_decimal::prelude::ToPrimitive::to_i32(&seconds).ok_or_else(bad)?;
            UtcOffset::from_whole_seconds(seconds).map_err(|_| bad())?
        }
        None => UtcOffset::UTC,
    };
    Ok((
        date,
        Some(PrimitiveDateTime::new(date, time).assume_offset(offset)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn amounts_in_every_notation() {
        let point = DecimalStyle::Point;
        let comma = DecimalStyle::Comma;
        for (text, style, want) in [
            ("-1,234.56", point, "-1234.56"),
            ("1.234,56", comma, "1234.56"),
            ("(12.50)", point, "-12.5"),
            ("12.50-", point, "-12.5"),
            ("+7", point, "7"),
            ("€ 12,50", comma, "12.5"),
            ("12.50 CR", point, "12.5"),
            ("12.50 DR", point, "-12.5"),
            ("1 234,56", comma, "1234.56"),
            ("1'234.56", point, "1234.56"),
            ("-0.00", point, "0"),
            (".5", point, "0.5"),
            ("USD 3.10", point, "3.1"),
            ("\u{2212}4,00", comma, "-4"),
        ] {
            assert_eq!(parse_amount(text, style).unwrap(), dec(want), "{text}");
        }
    }

    #[test]
    fn malformed_amounts_are_rejected_with_the_text() {
        for text in ["", "abc", "1.2.3", "--1", "1,2.3,4", "12%", "1e5"] {
            let err = parse_amount(text, DecimalStyle::Point).unwrap_err();
            assert!(err.contains(&format!("{text:?}")), "{text}: {err}");
        }
        let forty = "9".repeat(40);
        assert!(
            parse_amount(&forty, DecimalStyle::Point)
                .unwrap_err()
                .contains("digits")
        );
    }

    #[test]
    fn dates_in_every_order() {
        let want = date!(2026 - 03 - 14);
        for (text, order) in [
            ("2026-03-14", DateOrder::Iso),
            ("20260314", DateOrder::Iso),
            ("03/14/2026", DateOrder::MonthFirst),
            ("3/14/26", DateOrder::MonthFirst),
            ("14.03.2026", DateOrder::DayFirst),
            ("14/03/26", DateOrder::DayFirst),
            ("3/14'26", DateOrder::MonthFirst),
        ] {
            assert_eq!(parse_date(text, order).unwrap(), want, "{text}");
        }
        assert!(parse_date("2026-02-30", DateOrder::Iso).is_err());
        assert!(parse_date("14/03/2026", DateOrder::MonthFirst).is_err());
        assert!(parse_date("99999-01-01", DateOrder::Iso).is_err());
    }

    #[test]
    fn ofx_dates_with_zones() {
        assert_eq!(
            parse_ofx_datetime("20260314").unwrap(),
            (date!(2026 - 03 - 14), None)
        );
        let (day, at) = parse_ofx_datetime("20260314120000.000[-5:EST]").unwrap();
        assert_eq!(day, date!(2026 - 03 - 14));
        assert_eq!(at.unwrap(), datetime!(2026-03-14 12:00:00 -5));
        let (_, at) = parse_ofx_datetime("20260314093000[+5.5:IST]").unwrap();
        assert_eq!(at.unwrap(), datetime!(2026-03-14 09:30:00 +5:30));
        assert!(parse_ofx_datetime("2026").is_err());
        // Offsets are exact: NaN, infinities, sub-minute or out-of-range
        // offsets are refused, never read as UTC.
        for zone in ["NaN", "inf", "-inf", "+5.001", "15", "-99", "1e3", ""] {
            assert!(
                parse_ofx_datetime(&format!("20260314093000[{zone}:X]")).is_err(),
                "{zone}"
            );
        }
        let (_, at) = parse_ofx_datetime("20260314093000[-3.5:NST]").unwrap();
        assert_eq!(at.unwrap().offset().whole_minutes(), -210);
    }

    proptest! {
        #[test]
        fn amount_and_date_readers_never_panic(text in "\\PC{0,40}") {
            let _ = parse_amount(&text, DecimalStyle::Point);
            let _ = parse_amount(&text, DecimalStyle::Comma);
            let _ = parse_date(&text, DateOrder::DayFirst);
            let _ = parse_ofx_datetime(&text);
        }

        #[test]
        fn formatted_amounts_read_back(cents in -10_000_000_000i64..10_000_000_000) {
            let value = Decimal::new(cents, 2);
            prop_assert_eq!(parse_amount(&value.to_string(), DecimalStyle::Point).unwrap(), value.normalize());
            let comma = value.to_string().replace('.', ",");
            prop_assert_eq!(parse_amount(&comma, DecimalStyle::Comma).unwrap(), value.normalize());
        }
    }
}
