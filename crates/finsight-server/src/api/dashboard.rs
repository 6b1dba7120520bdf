//! What the dashboard reads besides the other routes: balances by account
//! and the signed-in person's overview layout.

use axum::Json;
use axum::extract::State;
use finsight_service::dashboard::{AccountBalance, DashboardLayout, SavedLayout, Widget};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::accounts::{AccountView, user_param};
use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BalanceView {
    account: AccountView,
    /// Money in less money out over every transaction the ledger holds on
    /// the account (no opening balance is known), in its currency.
    #[schema(example = "1250.40")]
    balance: String,
    transactions: u64,
    /// YYYY-MM-DD; absent before the first transaction.
    last_posted_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BalanceList {
    items: Vec<BalanceView>,
}

impl From<AccountBalance> for BalanceView {
    fn from(b: AccountBalance) -> Self {
        Self {
            account: b.account.into(),
            balance: b.balance.amount_text(),
            transactions: b.transactions,
            last_posted_on: b.last_posted_on.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct BalanceParams {
    /// Whose accounts (default: the signed-in person).
    user_id: Option<String>,
}

/// Every account of the person with its balance.
#[utoipa::path(
    get, path = "/v1/balances", tag = "accounts", params(BalanceParams),
    responses(
        (status = 200, description = "The balances", body = BalanceList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn balances(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<BalanceParams>,
) -> Result<Json<BalanceList>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let items = state.services.balances(caller.principal(), user).await?;
    Ok(Json(BalanceList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WidgetView {
    /// balances, cash_flow, spending, forecast, insights, health, budget,
    /// goals, alerts or recurring.
    kind: String,
    /// Grid columns spanned (1–4).
    width: u8,
    /// Grid rows spanned (1–3).
    height: u8,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LayoutRequest {
    /// In reading order; each kind at most once.
    widgets: Vec<WidgetView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LayoutView {
    widgets: Vec<WidgetView>,
    /// RFC 3339; absent while the person sees the standard layout.
    saved_at: Option<String>,
}

impl From<SavedLayout> for LayoutView {
    fn from(saved: SavedLayout) -> Self {
        Self {
            widgets: saved
                .layout
                .widgets
                .into_iter()
                .map(|w| WidgetView {
                    kind: w.kind,
                    width: w.width,
                    height: w.height,
                })
                .collect(),
            saved_at: saved.saved_at.and_then(|ms| {
                time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                    .ok()
                    .map(super::rfc3339)
            }),
        }
    }
}

/// The signed-in person's overview layout (the standard one until they
/// save their own).
#[utoipa::path(
    get, path = "/v1/dashboard/layout", tag = "dashboard",
    responses(
        (status = 200, description = "The layout", body = LayoutView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a person (staff and service keys have no dashboard)", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn layout(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<LayoutView>, ApiError> {
    let saved = state.services.dashboard_layout(caller.principal()).await?;
    Ok(Json(saved.into()))
}

/// Replaces the signed-in person's overview layout.
#[utoipa::path(
    put, path = "/v1/dashboard/layout", tag = "dashboard",
    request_body = LayoutRequest,
    responses(
        (status = 200, description = "The layout as stored", body = LayoutView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a person (staff and service keys have no dashboard)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad layout, naming the widget's field", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn save_layout(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<LayoutRequest>,
) -> Result<Json<LayoutView>, ApiError> {
    let layout = DashboardLayout {
        widgets: body
            .widgets
            .into_iter()
            .map(|w| Widget {
                kind: w.kind,
                width: w.width,
                height: w.height,
            })
            .collect(),
    };
    let saved = state
        .services
        .save_dashboard_layout(caller.principal(), layout)
        .await?;
    Ok(Json(saved.into()))
}
