//! `ApiError`: the native API's one error envelope,
//! `{"error":{"code":"snake_case","message":"…","fields":{…}}}`, with the right status.
//! A 5xx never shows its cause to the client; the cause is logged once, here.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sahulat_domain::{Error, FieldErrors};
use serde::Serialize;
use utoipa::ToSchema;

/// `Retry-After` on a 503: the database was unreachable for the pool's short acquire time
/// (2 s on PostgreSQL), so a client should wait a little before trying again.
pub const UNAVAILABLE_RETRY_SECS: u64 = 5;

/// Every error code of the native API, with its one HTTP status. The envelope, the OpenAPI
/// document (`ErrorBody.code` lists them) and the README's table all come from this list; a
/// test checks the README against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A parameter or header is malformed; `fields` names it
    BadRequest,
    /// The body is not the JSON the endpoint takes
    MalformedJson,
    /// No valid bearer token or session; sign in
    Unauthorized,
    /// Signed in, but this role may not do this (evaluators and tickets, staff rejecting spam)
    Forbidden,
    /// The phone number is not the one the report was made with
    NotTheReporter,
    /// The report was made without a phone number, so nobody can prove it is theirs
    NoPhoneOnRecord,
    /// No such endpoint, reference or ticket (or not in your scope)
    NotFound,
    /// The ticket changed since you looked at it; reload and try again
    Conflict,
    /// This closing was already rated by this reporter
    AlreadyRated,
    /// The report is still being worked on; it can be rated once closed
    NotClosed,
    /// The request already has the most photos of this kind
    TooManyPhotos,
    /// The report was rejected as spam or abuse; nothing more is taken
    Rejected,
    /// The report is no longer open, so no voice can be added; send a new report
    NotOpen,
    /// The body is over the limit (256 KiB; photos 10 MB)
    PayloadTooLarge,
    /// The body is not of a content type the endpoint takes
    UnsupportedMediaType,
    /// One or more fields are invalid; `fields` names each with what is accepted
    ValidationFailed,
    /// The Idempotency-Key was used before with a different body
    IdempotencyKeyReused,
    /// The action is not allowed from the ticket's status; the message names the statuses it is allowed from
    IllegalTransition,
    /// The report was closed too long ago to reopen; report it again
    ReopenWindowPassed,
    /// Too many wrong phone numbers for this report; try again later
    TooManyAttempts,
    /// Too many failed sign-ins for this account; try again later
    AccountLocked,
    /// Too many sign-in attempts from this address; try again later
    RateLimited,
    /// Too many reports from this address, phone number or API key; try again later
    TooManyRequests,
    /// Something failed on our side; the cause is logged, never shown
    InternalError,
    /// The database is not reachable right now; retry shortly
    Unavailable,
    /// The server is not ready (readiness check)
    NotReady,
}

/// (code, wire name, status, meaning) for every code.
const TABLE: [(ErrorCode, &str, StatusCode, &str); 26] = [
        (ErrorCode::BadRequest, "bad_request", StatusCode::BAD_REQUEST, "A parameter or header is malformed; `fields` names it"),
        (ErrorCode::MalformedJson, "malformed_json", StatusCode::BAD_REQUEST, "The body is not the JSON the endpoint takes"),
        (ErrorCode::Unauthorized, "unauthorized", StatusCode::UNAUTHORIZED, "No valid bearer token or session; sign in"),
        (ErrorCode::Forbidden, "forbidden", StatusCode::FORBIDDEN, "Signed in, but this role may not do this (evaluators and tickets, staff rejecting spam)"),
        (ErrorCode::NotTheReporter, "not_the_reporter", StatusCode::FORBIDDEN, "The phone number is not the one the report was made with"),
        (ErrorCode::NoPhoneOnRecord, "no_phone_on_record", StatusCode::FORBIDDEN, "The report was made without a phone number, so nobody can prove it is theirs"),
        (ErrorCode::NotFound, "not_found", StatusCode::NOT_FOUND, "No such endpoint, reference or ticket (or not in your scope)"),
        (ErrorCode::Conflict, "conflict", StatusCode::CONFLICT, "The ticket changed since you looked at it; reload and try again"),
        (ErrorCode::AlreadyRated, "already_rated", StatusCode::CONFLICT, "This closing was already rated by this reporter"),
        (ErrorCode::NotClosed, "not_closed", StatusCode::CONFLICT, "The report is still being worked on; it can be rated once closed"),
        (ErrorCode::TooManyPhotos, "too_many_photos", StatusCode::CONFLICT, "The request already has the most photos of this kind"),
        (ErrorCode::Rejected, "rejected", StatusCode::CONFLICT, "The report was rejected as spam or abuse; nothing more is taken"),
        (ErrorCode::NotOpen, "not_open", StatusCode::CONFLICT, "The report is no longer open, so no voice can be added; send a new report"),
        (ErrorCode::PayloadTooLarge, "payload_too_large", StatusCode::PAYLOAD_TOO_LARGE, "The body is over the limit (256 KiB; photos 10 MB)"),
        (ErrorCode::UnsupportedMediaType, "unsupported_media_type", StatusCode::UNSUPPORTED_MEDIA_TYPE, "The body is not of a content type the endpoint takes"),
        (ErrorCode::ValidationFailed, "validation_failed", StatusCode::UNPROCESSABLE_ENTITY, "One or more fields are invalid; `fields` names each with what is accepted"),
        (ErrorCode::IdempotencyKeyReused, "idempotency_key_reused", StatusCode::UNPROCESSABLE_ENTITY, "The Idempotency-Key was used before with a different body"),
        (ErrorCode::IllegalTransition, "illegal_transition", StatusCode::CONFLICT, "The action is not allowed from the ticket's status; the message names the statuses it is allowed from"),
        (ErrorCode::ReopenWindowPassed, "reopen_window_passed", StatusCode::UNPROCESSABLE_ENTITY, "The report was closed too long ago to reopen; report it again"),
        (ErrorCode::TooManyAttempts, "too_many_attempts", StatusCode::TOO_MANY_REQUESTS, "Too many wrong phone numbers for this report; try again later"),
        (ErrorCode::AccountLocked, "account_locked", StatusCode::TOO_MANY_REQUESTS, "Too many failed sign-ins for this account; try again later"),
        (ErrorCode::RateLimited, "rate_limited", StatusCode::TOO_MANY_REQUESTS, "Too many sign-in attempts from this address; try again later"),
        (ErrorCode::TooManyRequests, "too_many_requests", StatusCode::TOO_MANY_REQUESTS, "Too many reports from this address, phone number or API key; try again later"),
        (ErrorCode::InternalError, "internal_error", StatusCode::INTERNAL_SERVER_ERROR, "Something failed on our side; the cause is logged, never shown"),
        (ErrorCode::Unavailable, "unavailable", StatusCode::SERVICE_UNAVAILABLE, "The database is not reachable right now; retry shortly"),
        (ErrorCode::NotReady, "not_ready", StatusCode::SERVICE_UNAVAILABLE, "The server is not ready (readiness check)"),
];

impl ErrorCode {
    /// Every code, in the table's order.
    pub fn all() -> impl Iterator<Item = ErrorCode> {
        TABLE.iter().map(|r| r.0)
    }
    fn row(self) -> &'static (ErrorCode, &'static str, StatusCode, &'static str) {
        TABLE
            .iter()
            .find(|r| r.0 == self)
            .unwrap_or(&TABLE[TABLE.len() - 3])
    }
    /// The wire name (`validation_failed`).
    pub fn as_str(self) -> &'static str {
        self.row().1
    }
    /// The HTTP status this code is always answered with.
    pub fn status(self) -> StatusCode {
        self.row().2
    }
    /// What it means, for the README and the docs.
    pub fn meaning(self) -> &'static str {
        self.row().3
    }
}

/// An error answer of the native API.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status (the code's).
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// What went wrong and what is accepted, for a person.
    pub message: String,
    /// Per-field messages.
    pub fields: FieldErrors,
    /// Seconds after which a retry may succeed (`Retry-After`), for 429 and 503.
    pub retry_after: Option<u64>,
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
    pub code: ErrorCode,
    /// Human message.
    pub message: String,
    /// Field name → message.
    #[schema(value_type = Object)]
    pub fields: FieldErrors,
}

impl ApiError {
    /// An error without field details, with its code's status.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status: code.status(),
            code,
            message: message.into(),
            fields: FieldErrors::new(),
            retry_after: None,
        }
    }
    /// With a `Retry-After` of `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
    /// 400 for a malformed request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
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
                    status: ErrorCode::ValidationFailed.status(),
                    code: ErrorCode::ValidationFailed,
                    message,
                    fields,
                    retry_after: None,
                }
            }
            Error::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            Error::IdempotencyMismatch => ApiError::new(ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was already used with a different request body; use a new key for a new request",
            ),
            Error::Unauthorized(m) => ApiError::new(ErrorCode::Unauthorized, m),
            Error::Unavailable(cause) => {
                tracing::warn!(%cause, "dependency unavailable");
                ApiError::new(ErrorCode::Unavailable,
                    "the service is temporarily unavailable; please retry shortly",
                )
                .retry_after(UNAVAILABLE_RETRY_SECS)
            }
            Error::Internal(cause) => {
                tracing::error!(cause = format!("{cause:#}"), "internal error");
                ApiError::new(ErrorCode::InternalError,
                    "something went wrong on our side; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "code": self.code.as_str(), "message": self.message, "fields": self.fields }
        });
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, s.into());
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_answers_503_with_a_retry_after() {
        let res = ApiError::from(Error::Unavailable("pool timed out".into())).into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            res.headers()[axum::http::header::RETRY_AFTER],
            UNAVAILABLE_RETRY_SECS.to_string().as_str()
        );
    }
}
