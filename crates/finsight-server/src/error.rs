//! The one error shape of the HTTP surface: `{code, message, field?}` with
//! the status code taken from one table. 5xx bodies never reveal causes;
//! the cause is logged once, here.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Every error code the API can return, with its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    InvalidCredentials,
    TooManyAttempts,
    Forbidden,
    UnsupportedMediaType,
    MethodNotAllowed,
    NotFound,
    InvalidInput,
    PayloadTooLarge,
    IdempotencyKeyReused,
    RequestInProgress,
    RateLimited,
    NotReady,
    QueryTimeout,
    Internal,
}

impl ErrorCode {
    /// The one table from the libraries' `error_code()`s to the API's
    /// codes; anything not listed is a server-side failure.
    pub fn of_library(code: &str) -> ErrorCode {
        match code {
            "unauthenticated" => ErrorCode::Unauthenticated,
            "invalid_credentials" => ErrorCode::InvalidCredentials,
            "too_many_attempts" => ErrorCode::TooManyAttempts,
            "forbidden" => ErrorCode::Forbidden,
            "not_found" => ErrorCode::NotFound,
            "invalid_input" => ErrorCode::InvalidInput,
            "store_unavailable" => ErrorCode::NotReady,
            _ => ErrorCode::Internal,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::RequestInProgress => "request_in_progress",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::NotReady => "not_ready",
            ErrorCode::QueryTimeout => "query_timeout",
            ErrorCode::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ErrorCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::InvalidInput => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RequestInProgress => StatusCode::CONFLICT,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::NotReady | ErrorCode::QueryTimeout => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    /// Seconds, for 429s.
    pub retry_after: Option<u64>,
}

/// The error body every endpoint returns, for the OpenAPI document.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// One of the codes in the error table (`not_found`, `invalid_input`, ...).
    pub code: String,
    /// For people; never reveals server internals.
    pub message: String,
    /// The input field at fault, for `invalid_input`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl From<finsight_service::ServiceError> for ApiError {
    fn from(error: finsight_service::ServiceError) -> Self {
        use finsight_service::ServiceError as E;
        let code = ErrorCode::of_library(error.error_code());
        match error {
            E::Unauthenticated => ApiError::new(code, "a valid bearer token is required"),
            E::Locked { retry_after_secs } => {
                let mut error = ApiError::new(code, "too many failed sign-ins; try again later");
                error.retry_after = Some(retry_after_secs);
                error
            }
            E::Invalid(invalid) => ApiError::invalid(&invalid.field, invalid.reason),
            E::Store(cause) if code == ErrorCode::NotReady => {
                tracing::warn!(error = %cause, "store unavailable");
                let mut error = ApiError::new(code, "the database is busy; try again");
                error.retry_after = Some(1);
                error
            }
            E::Store(cause) => ApiError::internal(&cause),
            E::Unavailable(cause) => {
                tracing::warn!(error = %cause, "backing service unavailable");
                let mut error = ApiError::new(code, "a backing service is busy; try again");
                error.retry_after = Some(1);
                error
            }
            other => ApiError::new(code, other.to_string()),
        }
    }
}

impl From<finsight_core::ValidationError> for ApiError {
    fn from(invalid: finsight_core::ValidationError) -> Self {
        ApiError::invalid(&invalid.field, invalid.reason)
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// Bad input in a named field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::InvalidInput,
            message: message.into(),
            field: Some(field.to_owned()),
            retry_after: None,
        }
    }

    /// The public body: `{code, message, field?}`.
    pub fn body(&self) -> serde_json::Value {
        let mut body = json!({ "code": self.code.as_str(), "message": self.message });
        if let Some(field) = &self.field {
            body["field"] = json!(field);
        }
        body
    }

    /// A server-side failure: the cause is logged, the client sees nothing
    /// of it.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        // Causes whose text the message already carries are not repeated.
        while let Some(next) = source {
            let text = next.to_string();
            if !chain.contains(&text) {
                chain.push_str(": ");
                chain.push_str(&text);
            }
            source = next.source();
        }
        tracing::error!(error = %chain, "request failed");
        Self::new(ErrorCode::Internal, "internal error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.code.status(), Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = axum::http::HeaderValue::from_str(&seconds.to_string())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        if self.code == ErrorCode::Unauthenticated {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this route does not take that method",
    )
}

pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such route")
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;
    use finsight_service::ServiceError;
    use finsight_store::StoreError;

    use super::{ApiError, ErrorCode};

    #[test]
    fn a_busy_database_is_a_retryable_503_and_a_broken_one_a_500() {
        let busy = ApiError::from(ServiceError::Store(StoreError::Task {
            task: "x",
            reason: "y".into(),
        }));
        assert_eq!(busy.code, ErrorCode::Internal);
        let corrupt: ServiceError = StoreError::Corrupt("row".into()).into();
        assert_eq!(ApiError::from(corrupt).code, ErrorCode::Internal);
        let response = ApiError::from(ServiceError::Store(StoreError::Database(
            sqlx_pool_timeout(),
        )))
        .into_response();
        assert_eq!(response.status().as_u16(), 503);
        assert_eq!(response.headers()["retry-after"], "1");
    }

    #[test]
    fn every_service_error_maps_through_the_table() {
        for (error, code) in [
            (ServiceError::Unauthenticated, ErrorCode::Unauthenticated),
            (
                ServiceError::InvalidCredentials,
                ErrorCode::InvalidCredentials,
            ),
            (
                ServiceError::Locked {
                    retry_after_secs: 3,
                },
                ErrorCode::TooManyAttempts,
            ),
            (ServiceError::Forbidden("no"), ErrorCode::Forbidden),
            (ServiceError::NotFound("account"), ErrorCode::NotFound),
        ] {
            assert_eq!(ApiError::from(error).code, code);
        }
    }

    fn sqlx_pool_timeout() -> sqlx::Error {
        sqlx::Error::PoolTimedOut
    }
}
