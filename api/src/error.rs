//! `ApiError`: the native API's one error envelope,
//! `{"error":{"code":"snake_case","message":"…","fields":{…}}}`, with the right status.
//! A 5xx never shows its cause to the client; the cause is logged once, here.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sahulat_domain::{Error, FieldErrors};
use serde::Serialize;
use utoipa::ToSchema;

/// An error answer of the native API.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// What went wrong and what is accepted, for a person.
    pub message: String,
    /// Per-field messages.
    pub fields: FieldErrors,
}

/// The JSON shape of an error (for OpenAPI).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// Inside the envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// Human message.
    pub message: String,
    /// Field name → message.
    #[schema(value_type = Object)]
    pub fields: FieldErrors,
}

impl ApiError {
    /// An error without field details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: FieldErrors::new(),
        }
    }
    /// 400 for a malformed request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    /// A 400 naming one query parameter.
    pub fn bad_param(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::bad_request(format!("{field}: {message}"));
        e.fields.insert(field.to_string(), message);
        e
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Validation(fields) => {
                let message = fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "validation_failed",
                    message,
                    fields,
                }
            }
            Error::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            Error::IdempotencyMismatch => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was already used with a different request body; use a new key for a new request",
            ),
            Error::Unauthorized(m) => ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m),
            Error::Unavailable(cause) => {
                tracing::warn!(%cause, "dependency unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the service is temporarily unavailable; please retry shortly",
                )
            }
            Error::Internal(cause) => {
                tracing::error!(cause = format!("{cause:#}"), "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "something went wrong on our side; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "code": self.code, "message": self.message, "fields": self.fields }
        });
        (self.status, axum::Json(body)).into_response()
    }
}
