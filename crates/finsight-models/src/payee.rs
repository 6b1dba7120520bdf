//! Bank text → the payee it names. A card purchase reaches the ledger as
//! "POS DEBIT SQ *BLUE BOTTLE 0412 CARD 1234" or "AMZN MKTP US*2K3L1"; the
//! categorizer, the recurring detector and the baseline all need the
//! stable part ("blue bottle", "amzn mktp us"). Store numbers, card
//! suffixes, dates and references carry digits and go; the wrappers banks
//! and processors print around a merchant ("POS DEBIT", "CARD PAYMENT TO",
//! "SQ *", "PAYPAL *") go; what is left is lower case, single spaced.

/// Words banks and payment processors print around a merchant's name.
const WRAPPERS: &[&str] = &[
    "pos",
    "debit",
    "credit",
    "card",
    "purchase",
    "payment",
    "to",
    "from",
    "visa",
    "mastercard",
    "mc",
    "checkcard",
    "kartenzahlung",
    "karte",
    "lastschrift",
    "sepa",
    "ach",
    "ppd",
    "id",
    "web",
    "recurring",
    "inv",
    "ref",
];

/// Prefixes of payment processors: the merchant's name follows the `*`.
const PROCESSORS: &[&str] = &[
    "sq", "tst", "paypal", "pp", "sp", "ext", "in", "py", "bt", "fs", "ck", "goog", "google",
];

/// The payee a bank text names, lower case and single spaced, or the empty
/// string for text that is only numbers and wrappers.
pub fn normalize(text: &str) -> String {
    let lowered = text.to_lowercase();
    let kept = strip_reference(&lowered);
    let mut words: Vec<&str> = Vec::new();
    let mut plain: Vec<&str> = Vec::new();
    for word in kept
        .split(|c: char| !(c.is_alphanumeric() || c == '&' || c == '\''))
        .filter(|w| !w.is_empty())
    {
        if word.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        plain.push(word);
        if !WRAPPERS.contains(&word) && (word.len() > 1 || word == "&") {
            words.push(word);
        }
    }
    if words.is_empty() {
        words = plain;
    }
    words.join(" ")
}

/// Around a `*`: after a processor's prefix ("SQ *MERCHANT") the merchant
/// follows, so the prefix goes; otherwise ("AMZN MKTP US*2K3L1") what
/// follows is a reference, so it goes.
fn strip_reference(text: &str) -> &str {
    let Some(star) = text.find('*') else {
        return text;
    };
    let (before, after) = (&text[..star], &text[star + 1..]);
    let last_word = before
        .split(|c: char| !c.is_alphanumeric())
        .rfind(|w| !w.is_empty())
        .unwrap_or("");
    if PROCESSORS.contains(&last_word) || before.trim().is_empty() {
        after
    } else {
        before
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn card_wrappers_store_numbers_and_references_go() {
        let cases = [
            ("POS DEBIT SQ *BLUE BOTTLE 0412 CARD 1234", "blue bottle"),
            (
                "DEBIT CARD PURCHASE - TRADER JOE'S #0552 AUSTIN",
                "trader joe's austin",
            ),
            ("AMZN MKTP US*2K3L1", "amzn mktp us"),
            ("AMAZON.CO.UK*AB12C", "amazon co uk"),
            ("PAYPAL *SPOTIFY", "spotify"),
            ("TST* JOES DINER 0012", "joes diner"),
            ("KARTENZAHLUNG REWE 0042 BERLIN KARTE 9921", "rewe berlin"),
            ("CARD PAYMENT TO TESCO STORES 2231", "tesco stores"),
            ("NETFLIX.COM 12/03", "netflix com"),
            ("ACME CORP PAYROLL PPD ID: 1234567", "acme corp payroll"),
            ("CARD PAYMENT", "card payment"),
            ("12345", ""),
        ];
        for (text, payee) in cases {
            assert_eq!(normalize(text), payee, "{text}");
        }
    }

    #[test]
    fn the_same_merchant_gives_the_same_payee_whatever_the_store_or_date() {
        assert_eq!(
            normalize("SHELL OIL 5744 #0001 02/11"),
            normalize("SHELL OIL 5744 #0093 07/12")
        );
    }
}
