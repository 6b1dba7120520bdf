//! Import by policy: a bank file's own account information (OFX
//! `BANKACCTFROM`/`CCACCTFROM` + `CURDEF`, camt.053 `Acct`, MT940 `:25:`)
//! finds the account its records belong to — among the accounts of the
//! importing person's household only, through the blind index of bound
//! references — or opens a new account for that person and binds the
//! reference to it. Another household's binding is never seen here.

use std::collections::HashMap;

use finsight_core::{Account, AccountId, AccountKind, Currency, User, UserId, ValidationError};
use finsight_store::{Directory, ReferenceBinding};

use crate::import::{ImportError, Importer};
use crate::record::{FileAccount, ParsedFile};

/// What the policy found for a file's accounts.
#[derive(Debug, Default)]
pub(crate) struct OwnedAccounts {
    /// Each reference the file uses → its account.
    pub by_ref: HashMap<String, Account>,
    /// Accounts opened for this file.
    pub opened: Vec<Account>,
}

/// A readable name for an account opened from a file: "Checking …6789".
pub fn account_name(kind: AccountKind, reference: &str) -> String {
    let label = match kind {
        AccountKind::Checking => "Checking",
        AccountKind::Savings => "Savings",
        AccountKind::CreditCard => "Card",
        AccountKind::Loan => "Loan",
        AccountKind::Investment => "Investments",
        AccountKind::Cash => "Cash",
    };
    let tail: String = reference
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if tail.is_empty() {
        label.to_owned()
    } else {
        format!("{label} …{tail}")
    }
}

impl Importer {
    /// The person the file belongs to (an error naming `user` if unknown).
    pub async fn owner(&self, id: UserId) -> Result<User, ImportError> {
        Ok(self
            .store()
            .user(id)
            .await?
            .ok_or_else(|| ValidationError::new("user", format!("user {id} does not exist")))?)
    }

    /// Finds or opens the account of each account the file describes.
    pub(crate) async fn accounts_of_owner(
        &self,
        owner: &User,
        parsed: &ParsedFile,
        format: &str,
    ) -> Result<OwnedAccounts, ImportError> {
        if parsed.accounts.is_empty() {
            return Err(ValidationError::new(
                "account",
                format!(
                    "this {format} file names no account of its own: name the account to import into (--account ID, or the upload's account field)"
                ),
            )
            .into());
        }
        let mut owned = OwnedAccounts::default();
        for described in &parsed.accounts {
            let account = match self.household_account(owner, &described.reference).await? {
                Some(account) => account,
                None => {
                    let account = self.open_account(owner, described).await?;
                    owned.opened.push(account.clone());
                    account
                }
            };
            owned.by_ref.insert(described.reference.clone(), account);
        }
        Ok(owned)
    }

    /// The owner's household's account bound to `reference`, if any.
    async fn household_account(
        &self,
        owner: &User,
        reference: &str,
    ) -> Result<Option<Account>, ImportError> {
        let candidates = match AccountId::parse(reference.trim()) {
            Ok(id) => vec![id],
            Err(_) => {
                self.store()
                    .accounts_for_reference(reference.trim())
                    .await?
            }
        };
        for id in candidates {
            let Some(account) = self.store().account(id).await? else {
                continue;
            };
            let holder = self.store().user(account.user_id).await?;
            if holder.is_some_and(|h| {
                h.tenant_id == owner.tenant_id && h.household_id == owner.household_id
            }) {
                return Ok(Some(account));
            }
        }
        Ok(None)
    }

    async fn open_account(
        &self,
        owner: &User,
        described: &FileAccount,
    ) -> Result<Account, ImportError> {
        let reference = described.reference.trim();
        let currency = described.currency.as_deref().ok_or_else(|| {
            ValidationError::new(
                "currency",
                format!("the file does not say the currency of account {reference:?}: create the account (finsight accounts create) and import with --account"),
            )
        })?;
        let currency = Currency::parse(currency)?;
        let kind = described.kind.unwrap_or(AccountKind::Checking);
        let account = Account {
            id: AccountId::from_random_bytes(*uuid::Uuid::new_v4().as_bytes()),
            user_id: owner.id,
            kind,
            currency,
            name: account_name(kind, reference),
            institution: described.institution.clone().unwrap_or_default(),
            closed_on: None,
        };
        self.store()
            .upsert_directory(&Directory {
                accounts: vec![account.clone()],
                ..Directory::default()
            })
            .await?;
        if AccountId::parse(reference).is_err() {
            match self
                .store()
                .bind_account_reference(reference, account.id)
                .await?
            {
                ReferenceBinding::Bound | ReferenceBinding::Unchanged => {}
                // Only possible if another import of the same household
                // bound it a moment ago: use that binding.
                ReferenceBinding::Conflict => {
                    if let Some(bound) = self.household_account(owner, reference).await? {
                        return Ok(bound);
                    }
                }
            }
        }
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opened_accounts_have_readable_names() {
        assert_eq!(
            account_name(AccountKind::Checking, "7720046789"),
            "Checking …6789"
        );
        assert_eq!(
            account_name(AccountKind::CreditCard, "4520-8812-3456-7812"),
            "Card …7812"
        );
        assert_eq!(account_name(AccountKind::Savings, "--"), "Savings");
    }
}
