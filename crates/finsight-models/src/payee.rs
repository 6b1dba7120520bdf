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

/// US state and territory codes: as a descriptor's last word they name a
/// state, not a country ("SEATTLE WA").
const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "PR", "GU", "VI",
];

/// Country codes card networks print at the end of a descriptor that no
/// US state shares.
const COUNTRIES: &[&str] = &[
    "AE", "AR", "AT", "AU", "BE", "BG", "BR", "CH", "CL", "CN", "CZ", "DK", "EE", "EG", "ES", "FI",
    "FR", "GB", "GR", "HK", "HR", "HU", "IE", "IT", "JP", "KE", "KR", "LT", "LV", "MX", "MY", "NG",
    "NL", "NO", "NZ", "PE", "PH", "PK", "PL", "PT", "RO", "RS", "RU", "SE", "SG", "SI", "SK", "TH",
    "TR", "TW", "UA", "UK", "US", "VN", "ZA",
];

/// The country a card descriptor ends with ("GOLDLINE JEWELLERS LAGOS
/// NG" → "NG"); `None` when its last word is no country code, or is also a
/// US state's.
pub fn country_of(description: &str) -> Option<&'static str> {
    let last = description.split_whitespace().last()?.to_ascii_uppercase();
    if US_STATES.contains(&last.as_str()) {
        return None;
    }
    COUNTRIES.iter().find(|c| **c == last).copied()
}

#[cfg(test)]
mod country_tests {
    use super::country_of;

    #[test]
    fn reads_a_trailing_country_code() {
        assert_eq!(country_of("ELECTRO MEGASTORE SAO PAULO BR"), Some("BR"));
        assert_eq!(country_of("BLUE BOTTLE SEATTLE WA"), None);
        assert_eq!(country_of("TESCO STORES 2231"), None);
    }
}

/// The country a transaction happened in: the descriptor's, else the home
/// region of its currency (a domestic descriptor names no country).
pub fn country_or_home(description: &str, currency: &str) -> String {
    country_of(description)
        .map(str::to_owned)
        .unwrap_or_else(|| match currency {
            "USD" => "US".to_owned(),
            "GBP" => "GB".to_owned(),
            "EUR" => "EU".to_owned(),
            other => other.get(..2).unwrap_or(other).to_owned(),
        })
}
