//! Accounts a caller may see.

use axum::Json;
use axum::extract::{Path, State};
use finsight_core::{Account, AccountId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiQuery, parse_opt, parse_uuid};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccountView {
    id: String,
    user_id: String,
    /// checking, savings, credit_card, loan, investment or cash.
    kind: String,
    /// ISO 4217.
    currency: String,
    name: String,
    institution: String,
}

impl From<Account> for AccountView {
    fn from(account: Account) -> Self {
        Self {
            id: account.id.to_string(),
            user_id: account.user_id.to_string(),
            kind: account.kind.as_str().to_owned(),
            currency: account.currency.code().to_owned(),
            name: account.name,
            institution: account.institution,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccountList {
    accounts: Vec<AccountView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UserParam {
    /// Whose accounts (default: the signed-in person; required for staff
    /// and service keys).
    #[param(format = Uuid)]
    pub(crate) user_id: Option<String>,
}

pub(crate) fn user_param(text: Option<&str>) -> Result<Option<UserId>, ApiError> {
    parse_opt("user_id", text, UserId::parse)
}

/// Accounts of one user.
#[utoipa::path(
    get, path = "/v1/accounts", tag = "accounts", params(UserParam),
    responses(
        (status = 200, description = "The accounts", body = AccountList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UserParam>,
) -> Result<Json<AccountList>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let accounts = state.services.accounts(caller.principal(), user).await?;
    Ok(Json(AccountList {
        accounts: accounts.into_iter().map(AccountView::from).collect(),
    }))
}

/// One account.
#[utoipa::path(
    get, path = "/v1/accounts/{account_id}", tag = "accounts",
    params(("account_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "The account", body = AccountView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such account visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad id", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(account_id): Path<String>,
) -> Result<Json<AccountView>, ApiError> {
    let id = parse_uuid("account_id", &account_id, AccountId::parse)?;
    let account = state.services.account(caller.principal(), id).await?;
    Ok(Json(account.into()))
}
