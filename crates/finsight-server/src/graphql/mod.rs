//! GraphQL at `/graphql`: the same services as REST behind the same bearer
//! authentication, so authorization cannot diverge. The read model runs
//! user → accounts → transactions → category, with monthly totals and
//! rules; the mutations are REST's (edit a transaction, rules, membership,
//! API keys). Depth and complexity are limited; the SDL is committed as
//! `api/schema.graphql` and checked fresh by a test. File ingestion stays
//! on REST (`/v1/imports`, `/v1/transactions:batch`).

mod dashboard;
mod features;
mod forecasts;
mod limits;
mod models;
mod mutation;
mod planning;
mod query;

use async_graphql::{Context, EmptySubscription, ErrorExtensions, ID, Schema};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use finsight_core::Principal;
use finsight_service::ServiceError;

pub use limits::{MAX_MUTATION_FIELDS, MAX_ROOT_FIELDS, TIME_BUDGET};
pub use mutation::MutationRoot;
pub use query::QueryRoot;

use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorCode};

/// Deepest query accepted.
pub const MAX_DEPTH: usize = 10;
/// Most expensive query accepted (each field costs 1; lists cost their
/// page size times their children; a monthly range costs its months).
pub const MAX_COMPLEXITY: usize = 2_000;

pub type FinsightSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

pub fn schema(services: finsight_service::Services) -> FinsightSchema {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .data(services)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The SDL (the committed `api/schema.graphql`).
pub fn sdl() -> String {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .finish()
        .sdl()
}

/// `POST /graphql`: a JSON body `{query, variables?, operationName?}`.
/// Anything else is refused with the API's error body; the operation's
/// shape is checked (root fields, mutation fields) and its mutation
/// fields are charged to the caller's rate limit before it runs, and it
/// runs within [`TIME_BUDGET`].
pub async fn handler(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the GraphQL request as application/json",
        ));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
        } else {
            ApiError::invalid("body", rejection.body_text())
        }
    })?;
    let request = graphql_request(&body)?;
    let document = async_graphql::parser::parse_query(&request.query)
        .map_err(|e| ApiError::invalid("query", format!("not a GraphQL document: {e}")))?;
    let shape = limits::shape(&document, request.operation_name.as_deref())
        .map_err(|limits::Refusal(reason)| ApiError::invalid("query", reason))?;
    let mutation_fields = limits::check(shape)
        .map_err(|limits::Refusal(reason)| ApiError::invalid("query", reason))?;
    // The request itself took one token; each further mutation field
    // takes another, as if it were its own REST request.
    if mutation_fields > 1 {
        state
            .user_rate_limiter
            .take_n(
                caller.principal().actor(),
                mutation_fields - 1,
                std::time::Instant::now(),
            )
            .map_err(crate::rate_limit::too_many_requests)?;
    }
    let run = state.graphql.execute(request.data(caller));
    match tokio::time::timeout(TIME_BUDGET, run).await {
        Ok(response) => Ok(Json(response).into_response()),
        Err(_) => {
            metrics::counter!("finsight_graphql_timeouts_total").increment(1);
            Err(ApiError::new(
                ErrorCode::QueryTimeout,
                format!(
                    "the operation ran past its {} s budget; ask for less",
                    TIME_BUDGET.as_secs()
                ),
            ))
        }
    }
}

/// The body as a GraphQL request: a JSON object with a `query` string and
/// optionally `variables`, `operationName` and `extensions`; anything else
/// is refused naming what is wrong.
fn graphql_request(body: &[u8]) -> Result<async_graphql::Request, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid("body", format!("not JSON: {e}")))?;
    let object = value.as_object().ok_or_else(|| {
        ApiError::invalid(
            "body",
            "must be a JSON object {\"query\": ..., \"variables\": ...}",
        )
    })?;
    if let Some(unknown) = object.keys().find(|k| {
        !matches!(
            k.as_str(),
            "query" | "variables" | "operationName" | "extensions"
        )
    }) {
        return Err(ApiError::invalid(
            "body",
            format!("{unknown:?} is not a field of a GraphQL request"),
        ));
    }
    if !object
        .get("query")
        .is_some_and(serde_json::Value::is_string)
    {
        return Err(ApiError::invalid("body", "\"query\" must be a string"));
    }
    serde_json::from_value(value)
        .map_err(|e| ApiError::invalid("body", format!("not a GraphQL request: {e}")))
}

/// Maps a service error to a GraphQL error carrying the REST error code
/// (and field) in its extensions; causes of server errors stay in the log.
fn gql(error: ServiceError) -> async_graphql::Error {
    let api = ApiError::from(error);
    let mut error = async_graphql::Error::new(api.message.clone()).extend_with(|_, e| {
        e.set("code", api.code.as_str());
    });
    if let Some(field) = api.field {
        error = error.extend_with(|_, e| e.set("field", field.clone()));
    }
    error
}

fn invalid(field: &str, reason: impl Into<String>) -> async_graphql::Error {
    gql(ServiceError::Invalid(finsight_core::ValidationError::new(
        field.to_owned(),
        reason.into(),
    )))
}

fn validation(invalid: finsight_core::ValidationError) -> async_graphql::Error {
    gql(ServiceError::Invalid(invalid))
}

struct Env<'a> {
    services: &'a finsight_service::Services,
    principal: &'a Principal,
}

fn env<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<Env<'a>> {
    Ok(Env {
        services: ctx.data::<finsight_service::Services>()?,
        principal: ctx.data::<Caller>()?.principal(),
    })
}

fn parse_id<T>(
    field: &str,
    id: &ID,
    parse: fn(&str) -> Result<T, finsight_core::ValidationError>,
) -> async_graphql::Result<T> {
    parse(id.as_str()).map_err(|e| invalid(field, e.reason))
}

fn date(field: &str, text: &str) -> async_graphql::Result<time::Date> {
    crate::api::parse_date(text).map_err(|e| invalid(field, e))
}
