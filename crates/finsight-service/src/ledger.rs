//! Accounts, transactions, totals and category rules, read and written on
//! behalf of a principal. Every method resolves the household that owns
//! the data and asks the policy; data the principal may not see is "not
//! found", never "forbidden", so ids of other households reveal nothing.

use finsight_core::audit::AuditEvent;
use finsight_core::{
    Account, AccountId, Action, CategoryId, CategoryRule, Decision, Owner, Principal, Transaction,
    TransactionId, UserId, ValidationError,
};
use finsight_store::{
    CategoryMonthTotal, PageCursor, TotalsQuery, TransactionEdit, TransactionPage, TransactionQuery,
};
use rust_decimal::Decimal;
use time::Date;

use crate::{ServiceError, Services};

/// Filters for listing transactions. `user` defaults to the signed-in
/// person; staff and service keys must name a user or an account.
#[derive(Debug, Clone, Default)]
pub struct TransactionFilter {
    pub user: Option<UserId>,
    pub account: Option<AccountId>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub category: Option<CategoryId>,
    pub min_amount: Option<Decimal>,
    pub max_amount: Option<Decimal>,
    pub text: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// Page size when none is asked for.
pub const DEFAULT_PAGE: u32 = 50;
/// Longest text search accepted.
pub const MAX_SEARCH_CHARS: usize = 100;
/// Longest note accepted.
pub const MAX_NOTE_CHARS: usize = 1000;

impl Services {
    /// Where a user's data lives, if the user exists.
    async fn owner_of_user(&self, user: UserId) -> Result<Option<Owner>, ServiceError> {
        Ok(self.store.user(user).await?.map(|u| Owner {
            tenant: u.tenant_id,
            household: u.household_id,
        }))
    }

    /// Checks `action` on `user`'s data; audits staff access. Denied and
    /// missing are both `NotFound(what)`.
    pub(crate) async fn authorize_user(
        &self,
        principal: &Principal,
        user: UserId,
        action: Action,
        what: &'static str,
    ) -> Result<(), ServiceError> {
        let owner = self
            .owner_of_user(user)
            .await?
            .ok_or(ServiceError::NotFound(what))?;
        match principal.may(action, owner) {
            Decision::Allow => Ok(()),
            Decision::AllowAudited => {
                self.audit_staff(principal, action, &format!("user:{user}"))
                    .await?;
                Ok(())
            }
            Decision::Deny => {
                // Visible but not writable (a viewer) is a 403; invisible is a 404.
                if action != Action::Read && principal.may(Action::Read, owner).allowed() {
                    Err(ServiceError::Forbidden(
                        "your role does not allow this change",
                    ))
                } else {
                    Err(ServiceError::NotFound(what))
                }
            }
        }
    }

    pub(crate) async fn audit_staff(
        &self,
        principal: &Principal,
        action: Action,
        subject: &str,
    ) -> Result<(), ServiceError> {
        let event = AuditEvent {
            actor: principal.actor(),
            action: match action {
                Action::Read => "staff.read",
                Action::Write => "staff.write",
                Action::Manage => "staff.manage",
            }
            .to_owned(),
            subject: subject.to_owned(),
            detail: String::new(),
        };
        self.store.append_audit(&event, self.clock.now()).await?;
        Ok(())
    }

    pub(crate) async fn audit_write(
        &self,
        principal: &Principal,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<(), ServiceError> {
        let event = AuditEvent {
            actor: principal.actor(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail: detail.to_owned(),
        };
        self.store.append_audit(&event, self.clock.now()).await?;
        Ok(())
    }

    /// The account, if the principal may do `action` to it.
    pub async fn authorize_account(
        &self,
        principal: &Principal,
        id: AccountId,
        action: Action,
    ) -> Result<Account, ServiceError> {
        let account = self
            .store
            .account(id)
            .await?
            .ok_or(ServiceError::NotFound("account"))?;
        self.authorize_user(principal, account.user_id, action, "account")
            .await?;
        Ok(account)
    }

    /// The user a request is about: the one named, else the signed-in person.
    /// Whose file an import without an account is: `user`, or the
    /// signed-in person; the principal must be allowed to write their data.
    pub async fn authorize_import_owner(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<UserId, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Write, "user")
            .await?;
        Ok(user)
    }

    pub(crate) fn subject_user(
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<UserId, ServiceError> {
        user.or(principal.user()).ok_or_else(|| {
            ValidationError::new("user_id", "is required for staff and service keys").into()
        })
    }

    /// A person the principal may see (default: the signed-in person).
    pub async fn user(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<finsight_core::User, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        self.store
            .user(user)
            .await?
            .ok_or(ServiceError::NotFound("user"))
    }

    /// Accounts of one user (default: the signed-in person).
    pub async fn accounts(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<Vec<Account>, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        Ok(self.store.accounts_of_user(user).await?)
    }

    pub async fn account(
        &self,
        principal: &Principal,
        id: AccountId,
    ) -> Result<Account, ServiceError> {
        self.authorize_account(principal, id, Action::Read).await
    }

    /// A newest-first page of one user's transactions.
    pub async fn transactions(
        &self,
        principal: &Principal,
        filter: TransactionFilter,
    ) -> Result<TransactionPage, ServiceError> {
        let user = match (filter.account, filter.user) {
            (Some(account), user) => {
                let account = self
                    .authorize_account(principal, account, Action::Read)
                    .await?;
                if user.is_some_and(|u| u != account.user_id) {
                    return Err(
                        ValidationError::new("account_id", "belongs to another user").into(),
                    );
                }
                account.user_id
            }
            (None, user) => {
                let user = Self::subject_user(principal, user)?;
                self.authorize_user(principal, user, Action::Read, "user")
                    .await?;
                user
            }
        };
        if let Some(text) = &filter.text
            && (text.trim().is_empty() || text.chars().count() > MAX_SEARCH_CHARS)
        {
            return Err(ValidationError::new(
                "q",
                format!("must be 1 to {MAX_SEARCH_CHARS} characters"),
            )
            .into());
        }
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && from > to
        {
            return Err(ValidationError::new("from", "must not be after `to`").into());
        }
        if let (Some(min), Some(max)) = (filter.min_amount, filter.max_amount)
            && min > max
        {
            return Err(ValidationError::new("min_amount", "must not exceed max_amount").into());
        }
        let mut query = TransactionQuery::for_user(user);
        query.account_id = filter.account;
        query.from = filter.from;
        query.to = filter.to;
        query.category = filter.category;
        query.min_amount = filter.min_amount;
        query.max_amount = filter.max_amount;
        query.text = filter.text.map(|t| t.trim().to_owned());
        query.after = filter
            .cursor
            .as_deref()
            .map(PageCursor::decode)
            .transpose()?;
        query.limit = filter.limit.unwrap_or(DEFAULT_PAGE);
        Ok(self.store.transactions(&query).await?)
    }

    pub async fn transaction(
        &self,
        principal: &Principal,
        id: TransactionId,
    ) -> Result<Transaction, ServiceError> {
        self.visible_transaction(principal, id, Action::Read).await
    }

    pub(crate) async fn visible_transaction(
        &self,
        principal: &Principal,
        id: TransactionId,
        action: Action,
    ) -> Result<Transaction, ServiceError> {
        let transaction = self
            .store
            .transactions_by_id(&[id])
            .await?
            .pop()
            .ok_or(ServiceError::NotFound("transaction"))?;
        self.authorize_user(principal, transaction.user_id, action, "transaction")
            .await?;
        Ok(transaction)
    }

    /// Sets a transaction's category (as the owner's choice) and/or notes.
    pub async fn edit_transaction(
        &self,
        principal: &Principal,
        id: TransactionId,
        edit: TransactionEdit,
    ) -> Result<Transaction, ServiceError> {
        self.visible_transaction(principal, id, Action::Write)
            .await?;
        if let Some(category) = &edit.category
            && self.taxonomy.get(category).is_none()
        {
            return Err(ValidationError::new("category", "is not a known category").into());
        }
        if let Some(Some(notes)) = &edit.notes
            && notes.chars().count() > MAX_NOTE_CHARS
        {
            return Err(ValidationError::new(
                "notes",
                format!("must be at most {MAX_NOTE_CHARS} characters"),
            )
            .into());
        }
        if let Some(Some(notes)) = &edit.notes {
            finsight_core::text::check_printable("notes", notes.trim())?;
        }
        let edit = TransactionEdit {
            category: edit.category,
            notes: edit.notes.map(|n| {
                n.map(|t| finsight_core::pan::mask_card_numbers(t.trim()).into_owned())
                    .filter(|t| !t.is_empty())
            }),
        };
        let categorized = edit.category.is_some();
        self.store.edit_transaction(id, &edit).await?;
        // The person's choice is the label the next training learns from;
        // a decision waiting for them is settled by it.
        if categorized {
            self.store.resolve_categorization(id).await?;
        }
        self.audit_write(
            principal,
            "transaction.edit",
            &format!("transaction:{id}"),
            "",
        )
        .await?;
        self.visible_transaction(principal, id, Action::Read).await
    }

    /// Spending and income by month and category.
    pub async fn monthly_totals(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        from: Date,
        until: Date,
    ) -> Result<Vec<CategoryMonthTotal>, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        if from >= until {
            return Err(ValidationError::new("from", "must be before `until`").into());
        }
        if (until - from).whole_days() > 3660 {
            return Err(
                ValidationError::new("until", "the range may span at most ten years").into(),
            );
        }
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        Ok(self
            .store
            .monthly_category_totals(&TotalsQuery {
                user_id: user,
                from,
                until,
            })
            .await?)
    }

    pub async fn rules(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<Vec<CategoryRule>, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        Ok(self.store.rules_of_users(&[user]).await?)
    }

    /// "Description contains `pattern` → `category`"; applies to later
    /// imports and to reprocessing.
    pub async fn add_rule(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        pattern: &str,
        category: &str,
        priority: Option<i32>,
    ) -> Result<CategoryRule, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Write, "user")
            .await?;
        let category = CategoryId::parse(category)?;
        if self.taxonomy.get(&category).is_none() {
            return Err(ValidationError::new("category", "is not a known category").into());
        }
        let rule = CategoryRule {
            id: uuid::Uuid::from_bytes(crate::tokens::random_id()),
            user_id: user,
            pattern: CategoryRule::parse_pattern(pattern)?,
            category,
            priority: priority.unwrap_or(0),
        };
        self.store
            .add_category_rule(&rule, self.clock.now())
            .await?;
        self.audit_write(principal, "rule.add", &format!("rule:{}", rule.id), "")
            .await?;
        Ok(rule)
    }

    pub async fn delete_rule(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        id: uuid::Uuid,
    ) -> Result<(), ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Write, "rule")
            .await?;
        if !self.store.delete_category_rule(user, id).await? {
            return Err(ServiceError::NotFound("rule"));
        }
        self.audit_write(principal, "rule.delete", &format!("rule:{id}"), "")
            .await
    }

    /// Aggregate, non-personal views (data quality): staff and services.
    pub fn authorize_aggregates(&self, principal: &Principal) -> Result<(), ServiceError> {
        if principal.may_read_aggregates() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "only staff and service keys may read this",
            ))
        }
    }
}
