//! Body and query extractors whose failures speak the API's language: a malformed body is a
//! 400 naming the problem, an oversize body a 413, a wrong content type a 415, all in the
//! error envelope (axum's own rejections are plain text).

use crate::error::{ApiError, ErrorCode};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::{header, request::Parts, StatusCode};
use sahulat_domain::lang::Lang;
use serde::de::DeserializeOwned;

/// Reads the whole body, mapping a too-large body to 413.
pub async fn body_bytes(req: Request, limit_hint: usize) -> Result<Bytes, ApiError> {
    match Bytes::from_request(req, &()).await {
        Ok(b) => Ok(b),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(too_large(limit_hint))
        }
        Err(rejection) => Err(ApiError::bad_request(format!(
            "could not read the request body: {rejection}"
        ))),
    }
}

/// The 413 answer.
pub fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!(
            "the request body is larger than the {} KiB accepted",
            limit / 1024
        ),
    )
}

fn content_type(parts_headers: &axum::http::HeaderMap) -> String {
    parts_headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A JSON body, with the raw bytes kept (for Idempotency-Key hashing).
#[derive(Debug)]
pub struct JsonBody<T> {
    /// The parsed value.
    pub value: T,
    /// The bytes it was parsed from.
    pub raw: Bytes,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let ct = content_type(req.headers());
        if ct != "application/json" && !ct.ends_with("+json") {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "send the body as JSON with Content-Type: application/json (got {:?})",
                    if ct.is_empty() { "none" } else { &ct }
                ),
            ));
        }
        let raw = body_bytes(req, BODY_LIMIT).await?;
        let mut de = serde_json::Deserializer::from_slice(&raw);
        let parsed = serde_path_to_error::deserialize::<_, T>(&mut de)
            .map_err(|e| (e.path().to_string(), e.into_inner()))
            .and_then(|v| de.end().map(|()| v).map_err(|e| (String::new(), e)));
        match parsed {
            Ok(value) => Ok(JsonBody { value, raw }),
            Err((path, e)) if e.is_data() => Err(wrong_field(&path, &e)),
            Err((_, e)) => Err(ApiError::new(
                ErrorCode::MalformedJson,
                format!("the body is not valid JSON: {e}"),
            )),
        }
    }
}

/// The 422 for JSON of the wrong shape, naming the field: the path serde stopped at
/// (`tehsils[2]`, an unknown `colour`), or for a missing field that field.
fn wrong_field(path: &str, e: &serde_json::Error) -> ApiError {
    let text = e.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text).to_string();
    // serde's path stops at the object holding a missing field, and at an unknown one
    let missing = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match (missing, path) {
        (Some(name), "." | "") => name.to_string(),
        (Some(name), p) => format!("{p}.{name}"),
        (None, "." | "") => "body".to_string(),
        (None, p) => p.to_string(),
    };
    ApiError::from(sahulat_domain::Error::field(
        field,
        format!("the JSON has the wrong shape here: {text}"),
    ))
}

/// Query parameters as ordered pairs, with empty values dropped (an empty parameter means
/// "not given", as Open311 clients expect).
#[derive(Debug, Default)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    /// Parses a query string or form body.
    pub fn parse(input: &[u8]) -> Result<Self, String> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(input)
            .map_err(|e| format!("could not parse the parameters: {e}"))?;
        Ok(QueryPairs(
            pairs
                .into_iter()
                .map(|(k, v)| (k, v.trim().to_string()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        ))
    }
    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        QueryPairs::parse(parts.uri.query().unwrap_or("").as_bytes()).map_err(ApiError::bad_request)
    }
}

/// Largest request body accepted by JSON and form endpoints (photos have their own limit).
pub const BODY_LIMIT: usize = 256 * 1024;

/// The language a client asks for: `?lang=` (or `locale`), then Accept-Language, then English.
pub fn lang_param(q: &QueryPairs, headers: &HeaderMap) -> Result<Lang, ApiError> {
    if let Some(l) = q.get("lang").or_else(|| q.get("locale")) {
        return Lang::parse(l).ok_or_else(|| {
            ApiError::bad_param("lang", format!("unknown language {l:?}; use en, ur or sd"))
        });
    }
    let accept = headers
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(accept
        .split(',')
        .find_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
        .unwrap_or_default())
}

/// Path parameters whose failures speak the API's language: a value that is not valid UTF-8
/// or not of the expected type is a 400 in the error envelope naming the parameter (axum's own
/// rejection is plain text).
#[derive(Debug)]
pub struct PathParam<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParam<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(PathParam(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(match e.kind() {
                ErrorKind::ParseErrorAtKey {
                    key,
                    value,
                    expected_type,
                } => ApiError::bad_param(
                    key,
                    format!("{value:?} is not {}", expected(expected_type)),
                ),
                ErrorKind::ParseErrorAtIndex {
                    value,
                    expected_type,
                    ..
                }
                | ErrorKind::ParseError {
                    value,
                    expected_type,
                } => ApiError::bad_request(format!(
                    "a path segment is malformed: {value:?} is not {}",
                    expected(expected_type)
                )),
                ErrorKind::InvalidUtf8InPathParam { key } => {
                    ApiError::bad_param(key, "is not valid UTF-8 once percent-decoded")
                }
                _ => ApiError::bad_request(format!("the address is malformed: {}", e.body_text())),
            }),
            Err(other) => Err(ApiError::bad_request(format!(
                "the address is malformed: {}",
                other.body_text()
            ))),
        }
    }
}

fn expected(rust_type: &str) -> &'static str {
    if rust_type.starts_with('i') || rust_type.starts_with('u') {
        "a whole number"
    } else {
        "of the expected kind"
    }
}

pub use sahulat_domain::wire::{optional_whole_number, whole_number};
