//! "This is my problem too": `POST /api/v1/requests/{reference}/voices` counts a further
//! reporter of an open request instead of a new duplicate report. With a mobile number the
//! person gets the request's SMS updates and may rate its closing (proving it with that
//! number, like the reporter); the number is sealed and never shown publicly.

use crate::access::by_reference;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::extract::{JsonBody, PathParam};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::lang::Lang;
use sahulat_domain::phone::Phone;
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::{Channel, Status};
use sahulat_store::{NewVoice, VoiceOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/requests/{reference}/voices", post(voice))
}

/// "This is my problem too."
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoiceRequest {
    /// Your mobile number (optional): you then get the report's SMS updates and may rate its
    /// closing. Never shown publicly.
    #[serde(default)]
    #[schema(schema_with = crate::openapi_types::optional_phone)]
    pub phone: Option<String>,
    /// `en`, `ur` or `sd`: the language of your SMS (default `en`).
    #[serde(default)]
    #[schema(schema_with = crate::openapi_types::optional_lang_given)]
    pub language: Option<String>,
    /// `web`, `ussd` or `api` (default `api`).
    #[serde(default)]
    #[schema(schema_with = crate::openapi_types::citizen_channel)]
    pub channel: Option<String>,
}

/// What a voice did.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoiceView {
    /// The report the voice counts for (the original, for a report merged as a duplicate).
    pub reference: String,
    /// People who reported it, this voice included.
    pub reporters: i32,
    /// False when this number had already reported it (nothing changed).
    pub added: bool,
}

/// Adds a voice to `r` (or its original), shared by the API and the report page.
pub(crate) async fn add_voice(
    st: &AppState,
    r: &ServiceRequest,
    phone: Option<Phone>,
    language: Lang,
    channel: Channel,
    anonymous_key: Option<String>,
    client: Option<std::net::IpAddr>,
) -> Result<(ServiceRequest, VoiceOutcome), ApiError> {
    let admission = crate::intake::admit(
        st,
        crate::abuse::Asker {
            address: client,
            phone: phone.as_ref().map(|p| p.e164()),
            api_key: None,
        },
    )?;
    let target = match (r.status, r.duplicate_of) {
        (Status::Duplicate, Some(original)) => st
            .store
            .request_by_id(original)
            .await?
            .ok_or_else(|| ApiError::not_found("the original report"))?,
        _ => r.clone(),
    };
    let voice = NewVoice {
        request_id: target.id,
        entry: HistoryEntry::internal(
            target.status,
            "citizen",
            format!(
                "another reporter added their voice ({}{})",
                channel.as_str(),
                if phone.is_some() {
                    ", with a mobile number"
                } else {
                    ""
                }
            ),
        ),
        phone,
        language,
        channel,
        anonymous_key,
    };
    let outcome = st.store.add_voice(&voice, st.clock.now()).await?;
    if matches!(outcome, VoiceOutcome::Added { .. }) {
        admission.charge(st);
    }
    if outcome == VoiceOutcome::NotOpen {
        return Err(ApiError::new(
            ErrorCode::NotOpen,
            "this report is no longer open, so no voice can be added; please send a new report",
        ));
    }
    if matches!(outcome, VoiceOutcome::Added { .. }) {
        metrics::counter!("sahulat_voices_total", "channel" => channel.as_str()).increment(1);
    }
    Ok((target, outcome))
}

/// Add your voice to an open report instead of reporting the same problem again.
#[utoipa::path(post, path = "/api/v1/requests/{reference}/voices", tag = "requests",
    params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference")), request_body = VoiceRequest,
    responses(
        (status = 201, description = "Counted; with a number, its SMS updates will reach you", body = VoiceView),
        (status = 200, description = "This number had already reported it: nothing changed", body = VoiceView),
        (status = 400, description = "Not a reference or a digit is mistyped (`bad_request`), or the body is not JSON (`malformed_json`)", body = ErrorEnvelope),
        (status = 404, description = "No request has this reference", body = ErrorEnvelope),
        (status = 409, description = "The report is closed (`not_open`)", body = ErrorEnvelope),
        (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope),
        (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 422, description = "Phone, language or channel not accepted, or a field of the wrong type", body = ErrorEnvelope),
        (status = 429, description = "Too many from this address or phone number; `Retry-After` says when to try again", body = ErrorEnvelope),
    ))]
pub(crate) async fn voice(
    State(st): State<AppState>,
    client: crate::client::ClientIp,
    PathParam(reference): PathParam<String>,
    body: JsonBody<VoiceRequest>,
) -> Result<(StatusCode, Json<VoiceView>), ApiError> {
    let b = body.value;
    let mut bad = sahulat_domain::FieldErrors::new();
    let phone = match b.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Phone::parse(p)
            .map_err(|e| bad.insert("phone".into(), e.to_string()))
            .ok(),
    };
    let language = match b.language.as_deref() {
        None => Lang::En,
        Some(l) => Lang::parse(l).unwrap_or_else(|| {
            bad.insert("language".into(), format!("{l:?} is not one of en, ur, sd"));
            Lang::En
        }),
    };
    let channel = match b.channel.as_deref().unwrap_or("api") {
        "web" => Channel::Web,
        "ussd" => Channel::Ussd,
        "api" => Channel::Api,
        other => {
            bad.insert(
                "channel".into(),
                format!("{other:?} is not one of web, ussd, api"),
            );
            Channel::Api
        }
    };
    if !bad.is_empty() {
        return Err(ApiError::from(sahulat_domain::Error::Validation(bad)));
    }
    let r = by_reference(&st, &reference).await?;
    let (target, outcome) = add_voice(&st, &r, phone, language, channel, None, client.0).await?;
    let (status, reporters, added) = match outcome {
        VoiceOutcome::Added { reporters, .. } => (StatusCode::CREATED, reporters, true),
        VoiceOutcome::Existing { reporters } => (StatusCode::OK, reporters, false),
        VoiceOutcome::NotOpen => (StatusCode::CONFLICT, 0, false),
    };
    Ok((
        status,
        Json(VoiceView {
            reference: target.reference,
            reporters,
            added,
        }),
    ))
}
