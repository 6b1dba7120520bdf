//! Text that is stored and shown back to people (descriptions, notes,
//! names, rule patterns) must read as what it is: no control characters
//! (NUL, ESC, CR/LF) and no bidirectional formatting characters (U+202E
//! and friends), which can make a line display as something it is not.
//! Bank text is whitespace-normalized first, because banks wrap remittance
//! text over several lines; a person's own text is refused instead.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::ValidationError;

/// Unicode's explicit directional formatting characters (embeddings,
/// overrides, isolates) and the implicit marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// A character no stored text may hold.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Refuses control and bidirectional formatting characters, naming the field.
pub fn check_printable(field: &'static str, text: &str) -> Result<(), ValidationError> {
    if text.chars().any(char::is_control) {
        return Err(ValidationError::new(field, "contains control characters"));
    }
    if text.chars().any(is_bidi_control) {
        return Err(ValidationError::new(
            field,
            "contains bidirectional formatting characters",
        ));
    }
    Ok(())
}

/// Runs of whitespace (newlines, tabs, repeated spaces, no-break spaces)
/// become one space, and the ends are trimmed. Control characters that are
/// not whitespace are kept, for [`check_printable`] to refuse.
pub fn collapse_whitespace(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim();
    let needs_work = {
        let mut previous_space = false;
        trimmed.chars().any(|c| {
            let odd = c.is_whitespace() && (c != ' ' || previous_space);
            previous_space = c == ' ';
            odd
        })
    };
    if !needs_work {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    for word in trimmed.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// The text with every forbidden character written as `\u{…}`, for
/// rendering text whose origin is not trusted (the audit log, file names)
/// on a terminal or page.
pub fn escape_forbidden(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_forbidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_forbidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_and_bidi_characters_are_refused_by_name() {
        for (text, reason) in [
            ("a\u{0}b", "contains control characters"),
            ("a\u{1b}[31mb", "contains control characters"),
            ("line\r\nbreak", "contains control characters"),
            (
                "gro\u{202E}cery",
                "contains bidirectional formatting characters",
            ),
            ("x\u{2066}y", "contains bidirectional formatting characters"),
        ] {
            let error = check_printable("notes", text).unwrap_err();
            assert_eq!(error.field, "notes");
            assert_eq!(error.reason, reason, "{text:?}");
        }
        check_printable("notes", "Café — 12 €, ok").unwrap();
    }

    #[test]
    fn whitespace_runs_collapse_and_other_controls_stay() {
        assert_eq!(
            collapse_whitespace("  SEPA CT\n   INVOICE 42\t\tMARCH \u{a0} "),
            "SEPA CT INVOICE 42 MARCH"
        );
        assert!(matches!(
            collapse_whitespace("plain text"),
            Cow::Borrowed(_)
        ));
        assert_eq!(collapse_whitespace("a\u{0}b"), "a\u{0}b");
    }

    #[test]
    fn escaping_shows_what_was_hidden() {
        assert_eq!(
            escape_forbidden("invoice\u{202E}fdp.exe\tx"),
            "invoice\\u{202e}fdp.exe\\u{9}x"
        );
        assert!(matches!(escape_forbidden("plain.ofx"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn collapsed_text_has_no_whitespace_runs(text in "[a-z \\t\\n\\r\u{a0}]{0,40}") {
            let collapsed = collapse_whitespace(&text);
            prop_assert!(!collapsed.contains("  "));
            prop_assert!(!collapsed.chars().any(|c| c.is_whitespace() && c != ' '));
            prop_assert_eq!(collapsed.trim(), collapsed.as_ref());
        }

        #[test]
        fn escaped_text_is_always_printable(text in "\\PC{0,20}[\u{0}-\u{1f}\u{202a}-\u{202e}]{0,4}") {
            let escaped = escape_forbidden(&text);
            prop_assert!(check_printable("x", &escaped).is_ok());
        }
    }
}
