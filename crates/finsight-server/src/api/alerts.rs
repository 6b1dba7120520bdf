//! Alerts over REST: a person's latest alerts, their feedback on one, and
//! the live stream (server-sent events) that carries each new alert of
//! theirs within milliseconds of the transaction's commit.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use finsight_service::alerts::AlertFeedback;
use finsight_store::Alert;
use futures_util::stream::Stream;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;
use utoipa::{IntoParams, ToSchema};

use super::accounts::user_param;
use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::filter::page_size;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReasonView {
    /// amount_spike, new_country, new_merchant, new_currency, velocity,
    /// duplicate, odd_hour, balance_drain or unusual.
    reason: String,
    /// In words, e.g. "3.4× your usual groceries spend".
    text: String,
    weight: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AlertView {
    id: String,
    user_id: String,
    transaction_id: Option<String>,
    /// `anomaly`.
    kind: String,
    /// Calibrated to [0, 1].
    score: f64,
    /// The person's threshold when it was raised.
    threshold: f64,
    /// Strongest first.
    reasons: Vec<ReasonView>,
    /// RFC 3339.
    created_at: String,
    /// `me`, `not_me`, or absent.
    feedback: Option<String>,
}

impl From<Alert> for AlertView {
    fn from(alert: Alert) -> Self {
        let reasons = alert
            .reasons()
            .into_iter()
            .map(|r| ReasonView {
                reason: r.reason,
                text: r.text,
                weight: r.weight,
            })
            .collect();
        let created = time::OffsetDateTime::from_unix_timestamp_nanos(
            i128::from(alert.created_at) * 1_000_000,
        )
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
        Self {
            id: alert.id.to_string(),
            user_id: alert.user_id.to_string(),
            transaction_id: alert.transaction_id.map(|t| t.to_string()),
            kind: alert.kind,
            score: alert.score,
            threshold: alert.threshold,
            reasons,
            created_at: created,
            feedback: alert.feedback,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AlertList {
    items: Vec<AlertView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AlertParams {
    /// Whose alerts (default: the signed-in person).
    user_id: Option<String>,
    /// 1 to 1000 (default 100).
    limit: Option<i64>,
}

/// The person's latest alerts, newest first.
#[utoipa::path(
    get, path = "/v1/alerts", tag = "alerts", params(AlertParams),
    responses(
        (status = 200, description = "Newest first", body = AlertList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<AlertParams>,
) -> Result<Json<AlertList>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let limit = page_size("limit", params.limit)?.unwrap_or(100);
    let alerts = state
        .services
        .alerts(caller.principal(), user, limit)
        .await?;
    Ok(Json(AlertList {
        items: alerts.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FeedbackRequest {
    /// True: "this was me" (fewer alerts like it); false: "not me".
    was_me: bool,
}

/// "This was me" or "not me": recorded, and the person's threshold for
/// alerts with the same leading reason moves.
#[utoipa::path(
    post, path = "/v1/alerts/{id}/feedback", tag = "alerts",
    params(("id" = String, Path, description = "The alert")),
    request_body = FeedbackRequest,
    responses(
        (status = 200, description = "The alert with its feedback", body = AlertView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "May read but not change", body = ErrorBody),
        (status = 404, description = "No such alert visible to the caller", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad request", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn feedback(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FeedbackRequest>,
) -> Result<Json<AlertView>, ApiError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| ApiError::invalid("id", "is not a UUID"))?;
    let feedback = if body.was_me {
        AlertFeedback::Me
    } else {
        AlertFeedback::NotMe
    };
    let alert = state
        .services
        .alert_feedback(caller.principal(), id, feedback)
        .await?;
    Ok(Json(alert.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StreamParams {
    /// Whose alerts (default: the signed-in person).
    user_id: Option<String>,
}

/// How often a stream also reads the store, for alerts raised by another
/// replica's processor (or missed by a slow reader).
const CATCH_UP: Duration = Duration::from_secs(2);

/// New alerts as server-sent events (`event: alert`, the alert as JSON),
/// pushed as the processor raises them.
#[utoipa::path(
    get, path = "/v1/alerts/stream", tag = "alerts", params(StreamParams),
    responses(
        (status = 200, description = "An event stream of alerts", content_type = "text/event-stream", body = AlertView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn stream(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StreamParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let principal = caller.principal().clone();
    let subscription = state.services.subscribe_alerts(&principal, user).await?;
    let services = state.services.clone();
    let start = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let events = futures_util::stream::unfold(
        (
            subscription,
            services,
            principal,
            start,
            std::collections::VecDeque::<Alert>::new(),
            std::collections::HashSet::<uuid::Uuid>::new(),
        ),
        |(mut sub, services, principal, mut since, mut pending, mut sent)| async move {
            loop {
                if let Some(alert) = pending.pop_front() {
                    if sent.insert(alert.id) {
                        since = since.max(alert.created_at);
                        let data =
                            serde_json::to_string(&AlertView::from(alert)).unwrap_or_default();
                        let event = Event::default().event("alert").data(data);
                        return Some((Ok(event), (sub, services, principal, since, pending, sent)));
                    }
                    continue;
                }
                tokio::select! {
                    received = sub.receiver.recv() => match received {
                        Ok(alert) if alert.user_id == sub.user => pending.push_back(alert),
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => {
                            if let Ok(missed) = services.alerts_since(&principal, sub.user, since - 1).await {
                                pending.extend(missed);
                            }
                        }
                        Err(RecvError::Closed) => return None,
                    },
                    () = tokio::time::sleep(CATCH_UP) => {
                        // Authorization is checked again on every read: a
                        // person removed from the household stops receiving.
                        match services.alerts_since(&principal, sub.user, since - 1).await {
                            Ok(missed) => pending.extend(missed),
                            Err(_) => return None,
                        }
                    }
                }
            }
        },
    );
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
