//! Card numbers must never be stored. Bank text sometimes carries a full
//! primary account number (PAN); any run of 13 to 19 digits (ASCII or
//! full-width, single separators between them: space, no-break space,
//! dash, dot, underscore, slash) that passes the Luhn check is masked to
//! its last four digits before the text becomes a domain value.

use std::borrow::Cow;

fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(*d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The digit a character stands for: ASCII and full-width digits.
fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '\u{FF10}'..='\u{FF19}' => u8::try_from(u32::from(c) - 0xFF10).ok(),
        _ => None,
    }
}

/// Characters people and banks put between groups of a card number.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '_' | '/' | '\u{A0}' | '\u{2010}'
            ..='\u{2015}' | '\u{3000}' | '\u{FF0D}' | '\u{FF0E}' | '\u{FF3F}'
    )
}

/// The text with every card-number-like run replaced by `X`s and its last
/// four digits (`XXXXXXXXXXXX1111`).
pub fn mask_card_numbers(text: &str) -> Cow<'_, str> {
    if text.chars().filter(|c| digit(*c).is_some()).count() < 13 {
        return Cow::Borrowed(text);
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i].1).is_none() || (i > 0 && digit(chars[i - 1].1).is_some()) {
            i += 1;
            continue;
        }
        // A run of digits, single separators between digits.
        let start = chars[i].0;
        let mut end_index = i;
        let mut digits = Vec::new();
        let mut j = i;
        while j < chars.len() {
            if let Some(d) = digit(chars[j].1) {
                digits.push(d);
                end_index = j;
                j += 1;
            } else if is_separator(chars[j].1)
                && j + 1 < chars.len()
                && digit(chars[j + 1].1).is_some()
                && digits.len() < 19
            {
                j += 1;
            } else {
                break;
            }
        }
        if (13..=19).contains(&digits.len()) && luhn(&digits) {
            out.push_str(&text[copied..start]);
            out.extend(std::iter::repeat_n('X', digits.len() - 4));
            for d in &digits[digits.len() - 4..] {
                out.push(char::from(b'0' + d));
            }
            let (end, last) = chars[end_index];
            copied = end + last.len_utf8();
        }
        i = (end_index + 1).max(i + 1);
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn card_numbers_are_masked_and_other_numbers_kept() {
        assert_eq!(
            mask_card_numbers("PAYMENT 4111 1111 1111 1111 THANKS"),
            "PAYMENT XXXXXXXXXXXX1111 THANKS"
        );
        assert_eq!(
            mask_card_numbers("card 5500-0000-0000-0004"),
            "card XXXXXXXXXXXX0004"
        );
        assert_eq!(mask_card_numbers("4012888888881881"), "XXXXXXXXXXXX1881");
        // Separators people type, and full-width digits.
        for written in [
            "card 4111.1111.1111.1111 ok",
            "card 4111_1111_1111_1111 ok",
            "card 4111/1111/1111/1111 ok",
            "card 4111\u{a0}1111\u{a0}1111\u{a0}1111 ok",
            "card ４１１１ １１１１ １１１１ １１１１ ok",
            "card ４１１１－１１１１－１１１１－１１１１ ok",
        ] {
            assert_eq!(
                mask_card_numbers(written),
                "card XXXXXXXXXXXX1111 ok",
                "{written:?}"
            );
        }
        for kept in [
            "REF 1234567890123",
            "AMZN MKTP US*2K3L1",
            "CARD 4821",
            "PPD ID: 1234567",
            "2026-03-14 12:00",
        ] {
            assert_eq!(mask_card_numbers(kept), kept);
        }
    }

    proptest! {
        #[test]
        fn masking_never_panics_and_leaves_no_luhn_run(text in "[0-9 \\-._/a-zé０-９]{0,60}") {
            let masked = mask_card_numbers(&text).into_owned();
            let again = mask_card_numbers(&masked).into_owned();
            prop_assert_eq!(again, masked);
        }
    }
}
