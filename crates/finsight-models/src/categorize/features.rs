//! What the categorizer sees of a transaction: hashed, namespaced feature
//! ids. The payee as a whole, its words and word pairs, character 3- and
//! 4-grams of its words (so "starbucks" and "starbuck" share most), the
//! amount's sign and order of magnitude, the merchant category code and its
//! group, the account kind and the weekday. A person's own corrections add
//! a person × payee feature, so one person's choice can override the
//! population's for them only.

use time::Date;

use crate::payee;
use crate::stable_hash;

/// One transaction as the categorizer sees it. Amounts are features here,
/// so a float is fine (the ledger keeps the exact `Decimal`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample<'a> {
    pub description: &'a str,
    /// The merchant name, when the source gives one apart from the text.
    pub merchant: Option<&'a str>,
    /// Signed: spending is negative.
    pub amount: Option<f64>,
    pub mcc: Option<u16>,
    pub account_kind: Option<&'a str>,
    pub date: Option<Date>,
    /// Whose transaction it is, for the person × payee feature.
    pub person: Option<u128>,
}

impl Sample<'_> {
    /// The payee key: the normalized merchant name if there is one, else
    /// the normalized description.
    pub fn payee(&self) -> String {
        match self.merchant.map(payee::normalize) {
            Some(name) if !name.is_empty() => name,
            _ => payee::normalize(self.description),
        }
    }
}

/// Appends the sample's feature ids to `out` (sorted, without repeats).
/// `personal` adds the person × payee feature.
pub(crate) fn extract(sample: &Sample<'_>, personal: bool, out: &mut Vec<u64>) {
    let payee_key = sample.payee();
    out.push(stable_hash(&[b"p", payee_key.as_bytes()]));
    let text = payee::normalize(sample.description);
    words(b"w", &text, out);
    if sample.merchant.is_some() && payee_key != text {
        words(b"mw", &payee_key, out);
    }
    if let Some(amount) = sample.amount {
        let sign: &[u8] = if amount < 0.0 { b"-" } else { b"+" };
        let magnitude = libm_log2(amount.abs()).clamp(-1, 24) as i8;
        out.push(stable_hash(&[b"s", sign]));
        out.push(stable_hash(&[b"a", sign, &magnitude.to_le_bytes()]));
        if amount.fract() == 0.0 && amount != 0.0 {
            out.push(stable_hash(&[b"round", sign]));
        }
    }
    if let Some(mcc) = sample.mcc {
        out.push(stable_hash(&[b"m", &mcc.to_le_bytes()]));
        out.push(stable_hash(&[b"mg", &(mcc / 100).to_le_bytes()]));
    }
    if let Some(kind) = sample.account_kind {
        out.push(stable_hash(&[b"k", kind.as_bytes()]));
    }
    if let Some(date) = sample.date {
        out.push(stable_hash(&[b"d", &[date.weekday().number_from_monday()]]));
    }
    if personal && let Some(person) = sample.person {
        out.push(stable_hash(&[
            b"u",
            &person.to_le_bytes(),
            payee_key.as_bytes(),
        ]));
    }
    out.sort_unstable();
    out.dedup();
}

/// Words, adjacent pairs and character 3/4-grams of each word.
fn words(namespace: &[u8], text: &str, out: &mut Vec<u64>) {
    let list: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    for (i, word) in list.iter().enumerate() {
        out.push(stable_hash(&[namespace, word.as_bytes()]));
        if let Some(next) = list.get(i + 1) {
            out.push(stable_hash(&[namespace, word.as_bytes(), next.as_bytes()]));
        }
        let bounded: Vec<u8> = [b"<", word.as_bytes(), b">"].concat();
        for n in [3, 4] {
            for gram in bounded.windows(n) {
                out.push(stable_hash(&[b"c", gram]));
            }
        }
    }
}

/// ⌊log2(x)⌋ for a positive amount (0 for amounts below 1).
fn libm_log2(x: f64) -> i32 {
    if x < 1.0 {
        return -1;
    }
    // The exponent of a normal f64 is ⌊log2 x⌋, exactly, on every platform.
    ((x.to_bits() >> 52) & 0x7ff) as i32 - 1023
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_merchant_at_other_stores_shares_its_features() {
        let features = |description| {
            let mut out = Vec::new();
            extract(
                &Sample {
                    description,
                    ..Sample::default()
                },
                false,
                &mut out,
            );
            out
        };
        assert_eq!(
            features("POS DEBIT SHELL OIL #0012 CARD 1234"),
            features("SHELL OIL #9931")
        );
        assert_ne!(features("SHELL OIL"), features("SHELL"));
    }

    #[test]
    fn amounts_fall_in_power_of_two_buckets() {
        assert_eq!(libm_log2(1.0), 0);
        assert_eq!(libm_log2(1023.99), 9);
        assert_eq!(libm_log2(1024.0), 10);
        assert_eq!(libm_log2(0.5), -1);
    }
}
