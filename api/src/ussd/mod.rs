//! USSD for keypad phones. Gateways differ in how they post a step, so each has a small
//! adapter here that reads its format into an `Incoming` step and writes the `Answer` back:
//! Africa's Talking (`POST /ussd/africastalking`: form fields `sessionId`, `serviceCode`,
//! `phoneNumber`, `networkCode`, `text` = every input so far joined by `*`; the answer is
//! `text/plain` starting `CON ` or `END `) and a generic JSON gateway (`POST /ussd/generic`:
//! `{session_id, phone, input}` with only the latest input → `{text, end}`). The steps
//! themselves (`session`) and what a finished session does (`finish`) know no gateway.
//! Callbacks carry the deployment's key as `?key=` when `SAHULAT_USSD_KEY` is set.

mod finish;
mod session;

use crate::error::{ApiError, ErrorCode};
use crate::extract::{body_bytes, QueryPairs, BODY_LIMIT};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
pub(crate) use session::{step, Incoming, Input};

/// The answer to a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// What the handset shows.
    pub text: String,
    /// Whether the session ends.
    pub end: bool,
}

impl Answer {
    pub(crate) fn con(text: String) -> Answer {
        Answer { text, end: false }
    }
    pub(crate) fn end(text: String) -> Answer {
        Answer { text, end: true }
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ussd/africastalking", post(africastalking))
        .route("/ussd/generic", post(generic))
}

/// Checks the gateway's `?key=` against `SAHULAT_USSD_KEY` (403 naming `key` otherwise).
pub(crate) fn check_key(st: &AppState, query: &QueryPairs) -> Result<(), ApiError> {
    let Some(expected) = st.settings.gateway_key.as_deref() else {
        return Ok(());
    };
    let given = query.get("key").unwrap_or("");
    // Compared in constant time: the key is a password.
    let same = given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    match same {
        true => Ok(()),
        false => Err(ApiError::new(
            ErrorCode::Forbidden,
            "key: the gateway callback must carry this deployment's SAHULAT_USSD_KEY as ?key=",
        )),
    }
}

/// Africa's Talking's USSD callback.
#[utoipa::path(post, path = "/ussd/africastalking", tag = "phones",
    params(("key" = Option<String>, Query, description = "SAHULAT_USSD_KEY, when the deployment sets one")),
    request_body(content = AtUssdForm, content_type = "application/x-www-form-urlencoded",
        description = "sessionId, serviceCode, phoneNumber, networkCode, text (inputs so far joined by *); the body is read as a form whatever its content type"),
    responses(
        (status = 200, description = "`CON …` (show and wait) or `END …` (show and hang up)", body = String, content_type = "text/plain"),
        (status = 400, description = "sessionId missing or over 200 bytes, or the body is not a form", body = crate::error::ErrorEnvelope),
        (status = 403, description = "Key missing or wrong; nothing stored", body = crate::error::ErrorEnvelope), (status = 413, description = "Body over 256 KiB", body = crate::error::ErrorEnvelope),
    ))]
pub(crate) async fn africastalking(
    State(st): State<AppState>,
    query: QueryPairs,
    req: Request,
) -> Result<Response, ApiError> {
    check_key(&st, &query)?;
    let raw = body_bytes(req, BODY_LIMIT).await?;
    let form = QueryPairs::parse(&raw).map_err(ApiError::bad_request)?;
    let session_id = required(&form, "sessionId")?;
    let answer = step(
        &st,
        Incoming {
            gateway: "africastalking",
            session_id,
            phone: form.get("phoneNumber").unwrap_or("").to_string(),
            input: Input::Path(form.get("text").unwrap_or("").to_string()),
        },
    )
    .await?;
    let prefix = if answer.end { "END" } else { "CON" };
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{prefix} {}", answer.text),
    )
        .into_response())
}

fn required(form: &QueryPairs, name: &str) -> Result<String, ApiError> {
    let v = form.get(name).unwrap_or("");
    if v.is_empty() || v.len() > 200 {
        return Err(ApiError::bad_param(
            name,
            "the gateway's session id is required (1 to 200 characters)",
        ));
    }
    Ok(v.to_string())
}

/// Africa's Talking's USSD callback form (for the OpenAPI document; the handler reads the
/// fields by name).
#[derive(utoipa::ToSchema)]
#[allow(dead_code, non_snake_case)]
pub struct AtUssdForm {
    /// The gateway's session id (1–200 bytes once trimmed).
    #[schema(
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
        max_length = 200
    )]
    sessionId: String,
    /// The USSD code dialled.
    serviceCode: Option<String>,
    /// The caller's number.
    phoneNumber: Option<String>,
    /// The mobile network.
    networkCode: Option<String>,
    /// The inputs so far, joined by `*`.
    text: Option<String>,
}

/// A generic USSD gateway's step: only the latest input.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenericStep {
    /// The gateway's session id: not blank, at most 200 bytes.
    #[schema(
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
        max_length = 200
    )]
    pub session_id: String,
    /// The caller's mobile number.
    pub phone: String,
    /// What the caller typed on this step; absent or empty on the first.
    #[serde(default)]
    pub input: Option<String>,
    /// How many inputs the session holds with this one (optional): a retried step repeats
    /// the same number and gets the same answer.
    #[serde(default, deserialize_with = "crate::extract::optional_whole_number")]
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub step: Option<u32>,
}

/// The answer to a generic gateway.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GenericAnswer {
    /// What the handset shows.
    pub text: String,
    /// Whether the session ends here.
    pub end: bool,
}

/// A generic JSON USSD gateway (the latest input only).
#[utoipa::path(post, path = "/ussd/generic", tag = "phones",
    params(("key" = Option<String>, Query, description = "SAHULAT_USSD_KEY, when the deployment sets one")),
    request_body = GenericStep,
    responses(
        (status = 200, body = GenericAnswer),
        (status = 400, description = "session_id blank or over 200 bytes, or the body is not JSON", body = crate::error::ErrorEnvelope),
        (status = 403, description = "Key missing or wrong; nothing stored", body = crate::error::ErrorEnvelope), (status = 413, description = "Body over 256 KiB", body = crate::error::ErrorEnvelope),
        (status = 415, description = "No `Content-Type: application/json`", body = crate::error::ErrorEnvelope),
        (status = 422, description = "A field missing or of the wrong type", body = crate::error::ErrorEnvelope),
    ))]
pub(crate) async fn generic(
    State(st): State<AppState>,
    query: QueryPairs,
    body: crate::extract::JsonBody<GenericStep>,
) -> Result<Json<GenericAnswer>, ApiError> {
    check_key(&st, &query)?;
    let b = body.value;
    if b.session_id.trim().is_empty() || b.session_id.len() > 200 {
        return Err(ApiError::bad_param(
            "session_id",
            "the gateway's session id is required (1 to 200 characters)",
        ));
    }
    let answer = step(
        &st,
        Incoming {
            gateway: "generic",
            session_id: b.session_id,
            phone: b.phone,
            input: Input::Latest {
                input: b.input,
                step: b.step.map(|s| s as usize),
            },
        },
    )
    .await?;
    Ok(Json(GenericAnswer {
        text: answer.text,
        end: answer.end,
    }))
}
