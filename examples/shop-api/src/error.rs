//! Every error of the API, and the one place that maps them to HTTP statuses.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, Uri};
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
    /// The request could not be read: a malformed body, query or path, or an unknown route.
    Request {
        /// The status axum gives the problem (400, 404, 415, 422).
        status: StatusCode,
        /// What is wrong with the request.
        message: String,
    },
}

/// Turns axum's rejections of a request into [`ApiError::Request`], so they answer JSON too.
macro_rules! from_rejection {
    ($($rejection:ty),*) => {$(
        impl From<$rejection> for ApiError {
            fn from(rejection: $rejection) -> ApiError {
                ApiError::Request {
                    status: rejection.status(),
                    message: rejection.body_text(),
                }
            }
        }
    )*};
}

from_rejection!(JsonRejection, QueryRejection, PathRejection);

/// The answer to a route that does not exist.
pub async fn no_route(uri: Uri) -> ApiError {
    ApiError::Request {
        status: StatusCode::NOT_FOUND,
        message: format!(
            "no route for {uri}: the routes are listed in examples/shop-api/README.md"
        ),
    }
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
        let error = match self {
            Self::Ff(error) => error,
            Self::Invalid(_) => return (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Self::Request { status, .. } => return (*status, "bad_request"),
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
            ApiError::Invalid(message) | ApiError::Request { message, .. } => f.write_str(message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.status();
        // A server-side failure is the operator's to read, in the log; the client is told
        // only that it happened.
        let message = if status.is_server_error() {
            tracing::error!("{self}");
            format!("the service could not answer ({error}); its log says why")
        } else {
            self.to_string()
        };
        let body = Body { error, message };
        (status, Json(body)).into_response()
    }
}

/// What a handler answers.
pub type ApiResult<T> = Result<T, ApiError>;
