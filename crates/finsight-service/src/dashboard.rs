//! What the dashboard reads that no other service answers: each account's
//! balance, and the signed-in person's overview layout (which widgets, in
//! what order and size), validated here and kept per person.

use finsight_core::{Account, Action, Currency, Money, Principal, UserId, ValidationError};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::{ServiceError, Services};

/// One account with the net of the transactions the ledger holds on it.
#[derive(Debug, Clone)]
pub struct AccountBalance {
    pub account: Account,
    pub balance: Money,
    pub transactions: u64,
    /// The latest posting day; none before the first transaction.
    pub last_posted_on: Option<Date>,
}

/// The widgets the overview can show.
pub const WIDGET_KINDS: [&str; 10] = [
    "balances",
    "cash_flow",
    "spending",
    "forecast",
    "insights",
    "health",
    "budget",
    "goals",
    "alerts",
    "recurring",
];
/// Columns of the overview's grid: a widget spans 1 to this many.
pub const GRID_COLUMNS: u8 = 4;
/// Rows a widget may span.
pub const MAX_WIDGET_ROWS: u8 = 3;

/// One widget of the overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Widget {
    /// One of [`WIDGET_KINDS`].
    pub kind: String,
    /// Grid columns spanned, 1 to [`GRID_COLUMNS`].
    pub width: u8,
    /// Grid rows spanned, 1 to [`MAX_WIDGET_ROWS`].
    pub height: u8,
}

/// The overview's widgets, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardLayout {
    pub widgets: Vec<Widget>,
}

impl DashboardLayout {
    /// What a person sees before arranging anything.
    pub fn standard() -> Self {
        let widget = |kind: &str, width, height| Widget {
            kind: kind.to_owned(),
            width,
            height,
        };
        Self {
            widgets: vec![
                widget("balances", 2, 1),
                widget("health", 2, 1),
                widget("cash_flow", 2, 2),
                widget("forecast", 2, 2),
                widget("spending", 2, 2),
                widget("insights", 2, 2),
            ],
        }
    }

    /// Checks every widget, naming the field at fault.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.widgets.len() > WIDGET_KINDS.len() {
            return Err(ValidationError::new(
                "widgets",
                format!("at most {} widgets", WIDGET_KINDS.len()),
            ));
        }
        for (i, widget) in self.widgets.iter().enumerate() {
            if !WIDGET_KINDS.contains(&widget.kind.as_str()) {
                return Err(ValidationError::new(
                    format!("widgets[{i}].kind"),
                    format!("is not one of {}", WIDGET_KINDS.join(", ")),
                ));
            }
            if self.widgets[..i].iter().any(|w| w.kind == widget.kind) {
                return Err(ValidationError::new(
                    format!("widgets[{i}].kind"),
                    "appears twice",
                ));
            }
            if !(1..=GRID_COLUMNS).contains(&widget.width) {
                return Err(ValidationError::new(
                    format!("widgets[{i}].width"),
                    format!("must be 1 to {GRID_COLUMNS} columns"),
                ));
            }
            if !(1..=MAX_WIDGET_ROWS).contains(&widget.height) {
                return Err(ValidationError::new(
                    format!("widgets[{i}].height"),
                    format!("must be 1 to {MAX_WIDGET_ROWS} rows"),
                ));
            }
        }
        Ok(())
    }
}

/// A person's layout and whether they saved it (or see the standard one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedLayout {
    pub layout: DashboardLayout,
    /// Milliseconds since the epoch; none for the standard layout.
    pub saved_at: Option<i64>,
}

impl Services {
    /// Every account of the person with its balance.
    pub async fn balances(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<Vec<AccountBalance>, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        let accounts = self.store.accounts_of_user(user).await?;
        let totals = self.store.account_balances(user).await?;
        accounts
            .into_iter()
            .map(|account| {
                let mine = totals.iter().filter(|t| t.account_id == account.id);
                let mut minor = 0i64;
                let mut transactions = 0u64;
                let mut last = None;
                for total in mine {
                    if Currency::parse(&total.currency).ok() != Some(account.currency) {
                        continue;
                    }
                    minor += total.balance_minor;
                    transactions += u64::try_from(total.transactions).unwrap_or(0);
                    last = last.max(Some(total.last_posted_on));
                }
                Ok(AccountBalance {
                    balance: Money::from_minor(minor, account.currency)?,
                    account,
                    transactions,
                    last_posted_on: last,
                })
            })
            .collect()
    }

    /// The signed-in person's overview layout (the standard one until they
    /// save their own). Only people have a dashboard.
    pub async fn dashboard_layout(
        &self,
        principal: &Principal,
    ) -> Result<SavedLayout, ServiceError> {
        let user = Self::dashboard_owner(principal)?;
        Ok(match self.store.dashboard_layout(user).await? {
            Some((json, at)) => SavedLayout {
                layout: serde_json::from_str(&json).map_err(|e| {
                    ServiceError::Unavailable(format!("stored dashboard layout: {e}"))
                })?,
                saved_at: Some(at),
            },
            None => SavedLayout {
                layout: DashboardLayout::standard(),
                saved_at: None,
            },
        })
    }

    /// Replaces the signed-in person's overview layout.
    pub async fn save_dashboard_layout(
        &self,
        principal: &Principal,
        layout: DashboardLayout,
    ) -> Result<SavedLayout, ServiceError> {
        let user = Self::dashboard_owner(principal)?;
        layout.validate()?;
        let json = serde_json::to_string(&layout)
            .map_err(|e| ServiceError::Unavailable(format!("dashboard layout: {e}")))?;
        let at = self.now_millis();
        self.store.save_dashboard_layout(user, &json, at).await?;
        Ok(SavedLayout {
            layout,
            saved_at: Some(at),
        })
    }

    fn dashboard_owner(principal: &Principal) -> Result<UserId, ServiceError> {
        principal
            .user()
            .ok_or(ServiceError::Forbidden("only people have a dashboard"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_layout_is_valid() {
        DashboardLayout::standard().validate().unwrap();
    }

    #[test]
    fn bad_widgets_are_named() {
        let mut layout = DashboardLayout::standard();
        layout.widgets[1].kind = "stocks".into();
        assert_eq!(layout.validate().unwrap_err().field, "widgets[1].kind");
        let mut layout = DashboardLayout::standard();
        layout.widgets[2].kind = "balances".into();
        let error = layout.validate().unwrap_err();
        assert_eq!(
            (error.field.as_ref(), error.reason.as_str()),
            ("widgets[2].kind", "appears twice")
        );
        let mut layout = DashboardLayout::standard();
        layout.widgets[0].width = 5;
        assert_eq!(layout.validate().unwrap_err().field, "widgets[0].width");
        layout.widgets[0].width = 1;
        layout.widgets[0].height = 0;
        assert_eq!(layout.validate().unwrap_err().field, "widgets[0].height");
    }
}
