//! The one validation error of the domain: which field, and why.

use std::borrow::Cow;

/// A value was rejected at the edge. `field` names the input field (as the
/// caller knows it: `amount`, `currency`, `posted_on`, ...), `reason` says
/// what is wrong in lowercase words without a trailing period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    pub field: Cow<'static, str>,
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The same error, with its field placed under a parent (`line 3` →
    /// `transactions[3].amount`).
    pub fn within(self, parent: &str) -> Self {
        Self {
            field: Cow::Owned(format!("{parent}.{}", self.field)),
            reason: self.reason,
        }
    }
}
