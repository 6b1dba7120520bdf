//! Opening, renaming and closing accounts: for the people of a household
//! who may write its data (owners and members; viewers and staff are
//! refused by the policy), and service keys of the tenant. Every change is
//! an audit entry.

use finsight_core::{Account, AccountId, AccountKind, Action, Currency, Principal, UserId};
use finsight_store::Directory;
use time::Date;

use crate::{ServiceError, Services};

/// A new account, as the caller describes it.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Whose account (default: the signed-in person).
    pub user: Option<UserId>,
    pub kind: AccountKind,
    pub currency: Currency,
    pub name: String,
    pub institution: Option<String>,
}

/// What to change on an account.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub name: Option<String>,
    /// `Some(Some(day))` closes it as of that day; `Some(None)` reopens it.
    pub closed_on: Option<Option<Date>>,
}

impl Services {
    pub async fn create_account(
        &self,
        principal: &Principal,
        new: NewAccount,
    ) -> Result<Account, ServiceError> {
        let user = self.authorize_import_owner(principal, new.user).await?;
        let account = Account {
            id: AccountId::from_random_bytes(*uuid::Uuid::new_v4().as_bytes()),
            user_id: user,
            kind: new.kind,
            currency: new.currency,
            name: Account::parse_label("name", &new.name)?,
            institution: match new.institution.as_deref() {
                Some(text) => Account::parse_label("institution", text)?,
                None => String::new(),
            },
            closed_on: None,
        };
        self.store
            .upsert_directory(&Directory {
                accounts: vec![account.clone()],
                ..Directory::default()
            })
            .await?;
        self.audit_write(
            principal,
            "account.create",
            &format!("account:{}", account.id),
            &format!(
                "user:{user} kind:{} currency:{}",
                account.kind, account.currency
            ),
        )
        .await?;
        Ok(account)
    }

    /// Renames, closes or reopens an account.
    pub async fn update_account(
        &self,
        principal: &Principal,
        id: AccountId,
        change: AccountChange,
    ) -> Result<Account, ServiceError> {
        let mut account = self.authorize_account(principal, id, Action::Write).await?;
        let mut detail = Vec::new();
        if let Some(name) = &change.name {
            account.name = Account::parse_label("name", name)?;
            detail.push("renamed".to_owned());
        }
        if let Some(closed_on) = change.closed_on {
            account.closed_on = closed_on;
            detail.push(match closed_on {
                Some(day) => format!("closed_on:{day}"),
                None => "reopened".to_owned(),
            });
        }
        self.store
            .upsert_directory(&Directory {
                accounts: vec![account.clone()],
                ..Directory::default()
            })
            .await?;
        self.audit_write(
            principal,
            "account.update",
            &format!("account:{id}"),
            &detail.join(" "),
        )
        .await?;
        Ok(account)
    }
}
