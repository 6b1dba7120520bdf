//! Accounts a caller may see, and opening, renaming and closing them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use finsight_core::{Account, AccountId, AccountKind, Currency, PostingDate, UserId};
use finsight_service::accounts::{AccountChange, NewAccount};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, parse_opt, parse_uuid};
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
    /// The day it was closed (YYYY-MM-DD); absent while open.
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_on: Option<String>,
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
            closed_on: account.closed_on.map(|d| d.to_string()),
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

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountCreate {
    /// Whose account (default: the signed-in person; required for service
    /// keys).
    #[schema(format = Uuid)]
    user_id: Option<String>,
    /// checking, savings, credit_card, loan, investment or cash.
    #[schema(example = "checking")]
    kind: String,
    /// ISO 4217.
    #[schema(example = "USD")]
    currency: String,
    /// 1 to 100 characters.
    #[schema(example = "Everyday checking")]
    name: String,
    /// The bank, 1 to 100 characters.
    institution: Option<String>,
}

/// Open an account (owners and members of the person's household, or a
/// service key of the tenant).
#[utoipa::path(
    post, path = "/v1/accounts", tag = "accounts",
    request_body = AccountCreate,
    responses(
        (status = 201, description = "Opened", body = AccountView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Viewers and staff may not open accounts", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad field", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<AccountCreate>,
) -> Result<(StatusCode, Json<AccountView>), ApiError> {
    let new = NewAccount {
        user: user_param(body.user_id.as_deref())?,
        kind: body
            .kind
            .parse::<AccountKind>()
            .map_err(|e| ApiError::invalid("kind", e.reason))?,
        currency: Currency::parse(&body.currency)
            .map_err(|e| ApiError::invalid("currency", e.reason))?,
        name: body.name,
        institution: body.institution,
    };
    let account = state
        .services
        .create_account(caller.principal(), new)
        .await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}

/// Changes to an account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountUpdate {
    /// 1 to 100 characters.
    name: Option<String>,
    /// `true` closes the account (as of `closed_on`, default today),
    /// `false` reopens it.
    closed: Option<bool>,
    /// YYYY-MM-DD, with `closed: true`.
    #[schema(format = Date)]
    closed_on: Option<String>,
}

/// Rename, close or reopen an account (owners and members).
#[utoipa::path(
    patch, path = "/v1/accounts/{account_id}", tag = "accounts",
    params(("account_id" = String, Path, format = Uuid)),
    request_body = AccountUpdate,
    responses(
        (status = 200, description = "The account as it is now", body = AccountView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Viewers and staff may not change accounts", body = ErrorBody),
        (status = 404, description = "No such account visible to the caller", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad field", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(account_id): Path<String>,
    ApiJson(body): ApiJson<AccountUpdate>,
) -> Result<Json<AccountView>, ApiError> {
    let id = parse_uuid("account_id", &account_id, AccountId::parse)?;
    let closed_on = parse_opt("closed_on", body.closed_on.as_deref(), |t| {
        PostingDate::parse(t)
            .map(|d| d.date())
            .map_err(|e| e.reason)
    })?;
    let closed_on = match (body.closed, closed_on) {
        (Some(true), day) => Some(Some(day.unwrap_or_else(|| state.clock.now().date()))),
        (Some(false), None) => Some(None),
        (Some(false), Some(_)) => {
            return Err(ApiError::invalid(
                "closed_on",
                "is only for closing an account",
            ));
        }
        (None, Some(_)) => return Err(ApiError::invalid("closed", "must be true with closed_on")),
        (None, None) => None,
    };
    let account = state
        .services
        .update_account(
            caller.principal(),
            id,
            AccountChange {
                name: body.name,
                closed_on,
            },
        )
        .await?;
    Ok(Json(account.into()))
}
