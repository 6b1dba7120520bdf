//! The `/v1` REST API: thin handlers that parse, call a service with the
//! caller's principal, and shape the answer. Routes are registered through
//! `utoipa-axum`, so the OpenAPI document and the router come from the same
//! list and cannot drift; [`openapi`] is served at `/v1/openapi.json` and
//! committed as `openapi.json` (checked fresh by a test).

mod accounts;
mod alerts;
mod auth;
mod budgets;
mod categories;
mod dashboard;
mod features;
mod forecasts;
mod goals;
mod households;
mod ingest;
mod insights;
mod invitations;
mod keys;
mod logins;
mod models;
mod sessions;
mod transactions;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorCode};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Finsight API",
        description = "Transactions, accounts, categories and households. Authenticate with \
                       `POST /v1/auth/login` and send `Authorization: Bearer <access_token>`; \
                       service accounts send their API key the same way. Every error has the \
                       body `{code, message, field?}`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "Sign-in, refresh, sign-out and who am I"),
        (name = "accounts"),
        (name = "transactions"),
        (name = "categories", description = "The category tree and rules"),
        (name = "households", description = "Households and membership"),
        (name = "ingest", description = "Imports, quarantine and data quality"),
        (name = "admin", description = "Service API keys"),
        (name = "features", description = "Feature vectors from the online feature store"),
        (name = "models", description = "Review queue, recurring payments, lineage, the model registry and runs"),
        (name = "alerts", description = "Anomaly, budget and goal alerts, and their live stream"),
        (name = "planning", description = "Budgets, goals, ranked insights and financial health"),
        (name = "dashboard", description = "The web dashboard's own state: the overview layout, and browser sessions")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An access token (`fsa_…`) from /v1/auth/login or an API key (`fsk_…`)",
                    ))
                    .build(),
            ),
        );
    }
}

pub(crate) use sessions::{CSRF_HEADER, csrf_token};

/// The access token in a browser session's cookie, if the request has one.
pub(crate) fn session_cookie(parts: &Parts) -> Option<&str> {
    sessions::cookie(parts, sessions::SESSION_COOKIE)
}

/// Every documented `/v1` route, with its handler.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(sessions::open, sessions::current, sessions::close))
        .routes(routes!(sessions::refresh))
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(accounts::get, accounts::update))
        .routes(routes!(transactions::list))
        .routes(routes!(transactions::get, transactions::update))
        .routes(routes!(transactions::monthly_totals))
        .routes(routes!(categories::tree))
        .routes(routes!(categories::list_rules, categories::add_rule))
        .routes(routes!(categories::delete_rule))
        .routes(routes!(households::list, households::create))
        .routes(routes!(households::add_person))
        .routes(routes!(logins::create))
        .routes(routes!(households::get))
        .routes(routes!(households::members))
        .routes(routes!(households::set_member, households::remove_member))
        .routes(routes!(invitations::list))
        .routes(routes!(invitations::accept))
        .routes(routes!(invitations::decline))
        .routes(routes!(keys::list, keys::create))
        .routes(routes!(keys::revoke))
        .routes(routes!(ingest::batch))
        .routes({
            let (schemas, paths, method_router) = routes!(ingest::import);
            let limit = axum::extract::DefaultBodyLimit::max(ingest::MAX_IMPORT_BYTES);
            (schemas, paths, method_router.layer(limit))
        })
        .routes(routes!(ingest::quarantine))
        .routes(routes!(ingest::data_quality))
        .routes(routes!(features::get))
        .routes(routes!(features::batch))
        .routes(routes!(models::review_queue))
        .routes(routes!(models::recurring))
        .routes(routes!(models::lineage))
        .routes(routes!(models::models))
        .routes(routes!(models::runs))
        .routes(routes!(models::run))
        .routes(routes!(alerts::list))
        .routes(routes!(alerts::stream))
        .routes(routes!(alerts::feedback))
        .routes(routes!(forecasts::get))
        .routes(routes!(budgets::get, budgets::put))
        .routes(routes!(budgets::status))
        .routes(routes!(budgets::recommendation))
        .routes(routes!(goals::list, goals::create))
        .routes(routes!(goals::check))
        .routes(routes!(goals::projection))
        .routes(routes!(goals::contribute))
        .routes(routes!(insights::list))
        .routes(routes!(insights::feedback))
        .routes(routes!(insights::financial_health))
        .routes(routes!(dashboard::balances))
        .routes(routes!(dashboard::layout, dashboard::save_layout))
}

/// The OpenAPI 3.1 document, pretty-printed (the committed `openapi.json`).
pub fn openapi() -> String {
    let (_, api) = router().split_for_parts();
    let mut text = api.to_pretty_json().expect("the document serialises");
    text.push('\n');
    text
}

/// Every route as `(METHOD, path template)`, from the same list the router
/// is built from, for tests that must cover each one.
pub fn route_list() -> Vec<(String, String)> {
    let (_, api) = router().split_for_parts();
    let mut routes = Vec::new();
    for (path, item) in api.paths.paths {
        let methods = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        for (method, present) in methods {
            if present {
                routes.push((method.to_owned(), path.clone()));
            }
        }
    }
    routes
}

/// `Json` whose rejections use the API's error body.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as application/json",
            )),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    rejection.body_text(),
                ))
            }
            Err(rejection) => Err(ApiError::invalid("body", rejection.body_text())),
        }
    }
}

/// `Query` whose rejections use the API's error body.
pub(crate) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|rejection: QueryRejection| ApiError::invalid("query", rejection.body_text()))
    }
}

/// Parses an optional text parameter with `parse`, naming `field` on error.
pub(crate) fn parse_opt<T, E: std::fmt::Display>(
    field: &str,
    text: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, ApiError> {
    text.map(|t| parse(t).map_err(|e| ApiError::invalid(field, e.to_string())))
        .transpose()
}

pub(crate) fn parse_uuid<T>(
    field: &str,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, finsight_core::ValidationError>,
) -> Result<T, ApiError> {
    parse(text).map_err(|e| ApiError::invalid(field, e.reason))
}

pub(crate) use crate::filter::date as parse_date;

pub(crate) fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
