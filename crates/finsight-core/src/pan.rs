//! Card numbers must never be stored. Bank text sometimes carries a full
//! primary account number (PAN); any run of 13 to 19 digits (spaces or
//! dashes between groups allowed) that passes the Luhn check is masked to
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

/// The text with every card-number-like run replaced by `X`s and its last
/// four digits (`XXXXXXXXXXXX1111`).
pub fn mask_card_numbers(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    if bytes.iter().filter(|b| b.is_ascii_digit()).count() < 13 {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // A run of digits, single spaces or dashes between digits.
        let start = i;
        let mut end = i;
        let mut digits = Vec::new();
        let mut j = i;
        while j < bytes.len() {
            if bytes[j].is_ascii_digit() {
                digits.push(bytes[j] - b'0');
                end = j + 1;
                j += 1;
            } else if matches!(bytes[j], b' ' | b'-')
                && j + 1 < bytes.len()
                && bytes[j + 1].is_ascii_digit()
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
            copied = end;
        }
        i = end.max(i + 1);
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
        fn masking_never_panics_and_leaves_no_luhn_run(text in "[0-9 \\-a-zé]{0,60}") {
            let masked = mask_card_numbers(&text).into_owned();
            let again = mask_card_numbers(&masked).into_owned();
            prop_assert_eq!(again, masked);
        }
    }
}
