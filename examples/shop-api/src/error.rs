//! Every error of the API, and the one place that maps them to HTTP statuses.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Why a request failed.
#[derive(Debug)]
pub enum ApiError {
    /// ff refused or failed the operation.
    Ff(ff_runtime::Error),
    /// The request asks for something that cannot be done (an order without items, a product
    /// that does not exist); the text says what and how to fix it.
    Invalid(String),
}

impl From<ff_runtime::Error> for ApiError {
    fn from(error: ff_runtime::Error) -> ApiError {
        ApiError::Ff(error)
    }
}

/// The JSON body of an error: `{"error": "stale_version", "message": "row 3 of `product` …"}`.
#[derive(Serialize)]
struct Body {
    error: &'static str,
    message: String,
}

impl ApiError {
    /// The status and the short name of the error.
    fn status(&self) -> (StatusCode, &'static str) {
        use ff_runtime::Error;
        let Self::Ff(error) = self else {
            return (StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        };
        match error {
            Error::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            Error::StaleEntity { .. } => (StatusCode::CONFLICT, "stale_version"),
            Error::UniqueViolation { .. } => (StatusCode::CONFLICT, "duplicate"),
            Error::ForeignKeyViolation { .. } => (StatusCode::CONFLICT, "foreign_key"),
            Error::Validation { .. }
            | Error::CheckViolation { .. }
            | Error::NotNullViolation { .. }
            | Error::OutOfRange { .. }
            | Error::InvalidPage { .. }
            | Error::InvalidWindow { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Error::PoolTimeout { .. } | Error::Connection { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Ff(error) => error.fmt(f),
            ApiError::Invalid(message) => f.write_str(message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.status();
        if status.is_server_error() {
            tracing::error!("{self}");
        }
        let body = Body {
            error,
            message: self.to_string(),
        };
        (status, Json(body)).into_response()
    }
}

/// What a handler answers.
pub type ApiResult<T> = Result<T, ApiError>;
