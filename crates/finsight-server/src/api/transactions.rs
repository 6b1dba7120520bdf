//! Listing, reading and annotating transactions, and monthly totals.

use axum::Json;
use axum::extract::{Path, State};
use finsight_core::{CategoryId, Transaction, TransactionId};
use finsight_store::TransactionEdit;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::accounts::user_param;
use super::{ApiJson, ApiQuery, parse_date, parse_opt, parse_uuid, rfc3339};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::filter::{FilterText, page_size};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TransactionView {
    id: String,
    user_id: String,
    account_id: String,
    /// YYYY-MM-DD.
    posted_on: String,
    /// RFC 3339, when the bank gives it.
    occurred_at: Option<String>,
    /// Signed decimal in `currency`: spending is negative.
    #[schema(example = "-12.50")]
    amount: String,
    currency: String,
    description: String,
    merchant: Option<String>,
    mcc: Option<u16>,
    /// Dotted category path, e.g. `dining.coffee`.
    category: Option<String>,
    /// Who set the category: user, rule, source, mcc or model.
    category_source: Option<String>,
    source: String,
    notes: Option<String>,
}

impl From<Transaction> for TransactionView {
    fn from(t: Transaction) -> Self {
        Self {
            id: t.id.to_string(),
            user_id: t.user_id.to_string(),
            account_id: t.account_id.to_string(),
            posted_on: t.posted_on.to_string(),
            occurred_at: t.occurred_at.map(rfc3339),
            amount: t.amount.amount_text(),
            currency: t.amount.currency().code().to_owned(),
            description: t.description.as_str().to_owned(),
            merchant: t.merchant,
            mcc: t.mcc.map(|m| m.code()),
            category: t.category.map(|c| c.as_str().to_owned()),
            category_source: t.category_source.map(|s| s.as_str().to_owned()),
            source: t.source.as_str().to_owned(),
            notes: t.notes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TransactionList {
    transactions: Vec<TransactionView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// Whose transactions (default: the signed-in person).
    #[param(format = Uuid)]
    user_id: Option<String>,
    #[param(format = Uuid)]
    account_id: Option<String>,
    /// Inclusive, YYYY-MM-DD.
    #[param(format = Date)]
    from: Option<String>,
    /// Inclusive, YYYY-MM-DD.
    #[param(format = Date)]
    to: Option<String>,
    /// This category and everything under it (`dining` includes `dining.coffee`).
    category: Option<String>,
    /// Inclusive, signed decimal in each transaction's currency.
    #[param(example = "-100.00")]
    min_amount: Option<String>,
    #[param(example = "0")]
    max_amount: Option<String>,
    /// Case-insensitive text in the description or merchant.
    q: Option<String>,
    /// From `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

/// A newest-first page of transactions, filtered.
#[utoipa::path(
    get, path = "/v1/transactions", tag = "transactions", params(ListParams),
    responses(
        (status = 200, description = "A page", body = TransactionList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user or account visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad filter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<TransactionList>, ApiError> {
    let limit = parse_opt("limit", params.limit.as_deref(), |t| {
        t.trim()
            .parse::<i64>()
            .map_err(|_| "must be an integer from 1 to 1000".to_owned())
    })?;
    let filter = FilterText {
        account_id: params.account_id,
        from: params.from,
        to: params.to,
        category: params.category,
        min_amount: params.min_amount,
        max_amount: params.max_amount,
        q: params.q,
    }
    .parse(
        user_param(params.user_id.as_deref())?,
        None,
        params.cursor,
        page_size("limit", limit)?,
    )?;
    let page = state
        .services
        .transactions(caller.principal(), filter)
        .await?;
    Ok(Json(TransactionList {
        transactions: page.transactions.into_iter().map(Into::into).collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// One transaction.
#[utoipa::path(
    get, path = "/v1/transactions/{transaction_id}", tag = "transactions",
    params(("transaction_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "The transaction", body = TransactionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such transaction visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad id", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(transaction_id): Path<String>,
) -> Result<Json<TransactionView>, ApiError> {
    let id = parse_uuid("transaction_id", &transaction_id, TransactionId::parse)?;
    let transaction = state.services.transaction(caller.principal(), id).await?;
    Ok(Json(transaction.into()))
}

/// The owner's changes; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransactionUpdate {
    /// A category path from `/v1/categories`; it outranks rules and models.
    category: Option<String>,
    /// Up to 1000 characters; `null` or `""` clears the note.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    notes: Option<Option<String>>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(deserializer).map(Some)
    }
}

/// Set a transaction's category and/or notes.
#[utoipa::path(
    patch, path = "/v1/transactions/{transaction_id}", tag = "transactions",
    params(("transaction_id" = String, Path, format = Uuid)),
    request_body = TransactionUpdate,
    responses(
        (status = 200, description = "The updated transaction", body = TransactionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may read but not change it (viewer)", body = ErrorBody),
        (status = 404, description = "No such transaction visible to the caller", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad id or field", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(transaction_id): Path<String>,
    ApiJson(update): ApiJson<TransactionUpdate>,
) -> Result<Json<TransactionView>, ApiError> {
    let id = parse_uuid("transaction_id", &transaction_id, TransactionId::parse)?;
    let edit = TransactionEdit {
        category: parse_opt("category", update.category.as_deref(), |t| {
            CategoryId::parse(t).map_err(|e| e.reason)
        })?,
        notes: update.notes,
    };
    let transaction = state
        .services
        .edit_transaction(caller.principal(), id, edit)
        .await?;
    Ok(Json(transaction.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TotalsParams {
    #[param(format = Uuid)]
    user_id: Option<String>,
    /// First day included, YYYY-MM-DD.
    #[param(format = Date)]
    from: String,
    /// First day excluded, YYYY-MM-DD.
    #[param(format = Date)]
    until: String,
    /// Convert every total into this currency (ISO 4217) at each month's
    /// last FX close from the market data; default: each transaction's own.
    #[param(example = "USD")]
    currency: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MonthTotal {
    /// YYYY-MM.
    month: String,
    category: String,
    currency: String,
    /// Signed decimal.
    total: String,
    count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MonthlyTotals {
    totals: Vec<MonthTotal>,
}

/// Totals by month, category and currency (or all in one currency).
#[utoipa::path(
    get, path = "/v1/totals/monthly", tag = "transactions", params(TotalsParams),
    responses(
        (status = 200, description = "The totals", body = MonthlyTotals),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad range, or no FX rate for a currency", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn monthly_totals(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<TotalsParams>,
) -> Result<Json<MonthlyTotals>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let from = parse_date(&params.from).map_err(|e| ApiError::invalid("from", e))?;
    let until = parse_date(&params.until).map_err(|e| ApiError::invalid("until", e))?;
    let currency = parse_opt("currency", params.currency.as_deref(), |c| {
        finsight_core::Currency::parse(c).map_err(|e| e.reason)
    })?;
    let services = &state.services;
    let totals = match currency {
        Some(currency) => {
            services
                .monthly_totals_in(caller.principal(), user, from, until, currency)
                .await?
        }
        None => {
            services
                .monthly_totals(caller.principal(), user, from, until)
                .await?
        }
    };
    Ok(Json(MonthlyTotals {
        totals: totals
            .into_iter()
            .map(|t| MonthTotal {
                month: format!("{:04}-{:02}", t.month.year(), u8::from(t.month.month())),
                category: t.category.as_str().to_owned(),
                currency: t.total.currency().code().to_owned(),
                total: t.total.amount_text(),
                count: t.count,
            })
            .collect(),
    }))
}
