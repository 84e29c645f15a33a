//! The native JSON API under `/api/v1/`: create a request (with Idempotency-Key), read one by
//! reference, list services and districts, and ask where a point lies.

use crate::access::{by_reference, public_photo};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{JsonBody, QueryPairs};
use crate::intake::{idempotency_key, store_detached, stored_response};
use crate::state::AppState;
use crate::views::{public_view, view, RequestView};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use sahulat_domain::lang::Lang;
use sahulat_domain::request::{RequestDraft, ServiceRequest};
use sahulat_domain::status::Channel;
use sahulat_store::{CreateOutcome, Render, StoredResponse, UpdateQuery};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/requests", post(create_request))
        .route("/requests/{reference}", get(get_request))
}

/// An attribute answer: one value or several (multivaluelist).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AttributeAnswer {
    /// One value.
    One(String),
    /// A number.
    Number(f64),
    /// Several values.
    Many(Vec<String>),
}

/// A new service request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// Service code from `/api/v1/services`.
    #[schema(example = "water-supply")]
    pub service_code: Option<String>,
    /// What is wrong (3–4000 characters).
    #[schema(example = "No water in our street for three days")]
    pub description: Option<String>,
    /// Latitude, WGS84 decimal degrees.
    #[schema(example = 27.56)]
    pub lat: Option<f64>,
    /// Longitude, WGS84 decimal degrees.
    #[schema(example = 68.21)]
    pub lon: Option<f64>,
    /// Address or landmark.
    pub address: Option<String>,
    /// District P-code or name, when there is no point.
    pub district: Option<String>,
    /// Tehsil code, when there is no point.
    pub tehsil: Option<String>,
    /// Pakistani mobile number (never shown publicly).
    #[schema(example = "0300 1234567")]
    pub phone: Option<String>,
    /// Reporter's name (never shown publicly).
    pub name: Option<String>,
    /// Reporter's e-mail (never shown publicly).
    pub email: Option<String>,
    /// `en`, `ur` or `sd`.
    pub language: Option<String>,
    /// Answers to the service's questions.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: BTreeMap<String, AttributeAnswer>,
    /// URL of a photo.
    pub media_url: Option<String>,
}

/// Create a service request.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", request_body = CreateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe key: a retry with the same key and body returns the first answer")),
    responses(
        (status = 201, description = "Stored; triage follows", body = RequestView),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 413, description = "Body too large", body = ErrorEnvelope),
        (status = 415, description = "Not JSON", body = ErrorEnvelope),
        (status = 422, description = "A field is invalid; `fields` names it", body = ErrorEnvelope),
        (status = 429, description = "Too many reports from this address or phone number (`SAHULAT_LIMIT_PER_ADDRESS`, `SAHULAT_LIMIT_PER_PHONE`); `Retry-After` says when to try again", body = ErrorEnvelope),
    ))]
pub(crate) async fn create_request(
    State(st): State<AppState>,
    client: crate::client::ClientIp,
    headers: HeaderMap,
    body: JsonBody<CreateRequest>,
) -> Result<Response, ApiError> {
    let idem = idempotency_key(&headers, "api", &body.raw)?;
    let b = body.value;
    let phone = b.phone.clone();
    let draft = RequestDraft {
        service_code: b.service_code,
        description: b.description,
        lat: b.lat,
        lon: b.lon,
        address: b.address,
        district: b.district,
        tehsil: b.tehsil,
        phone: b.phone,
        name: b.name,
        email: b.email,
        language: b.language,
        attributes: b
            .attributes
            .into_iter()
            .map(|(k, v)| {
                let vals = match v {
                    AttributeAnswer::One(s) => vec![s],
                    AttributeAnswer::Number(n) => vec![n.to_string()],
                    AttributeAnswer::Many(v) => v,
                };
                (k, vals)
            })
            .collect(),
        media_url: b.media_url,
        channel: Some(Channel::Api),
    };
    let new = draft.validate(&st.catalogue, &st.geo)?;
    let admission = crate::intake::admit(
        &st,
        crate::abuse::Asker {
            address: client.0,
            phone: phone.as_deref(),
            api_key: None,
        },
    )?;
    let cat = st.catalogue.clone();
    let render: Render = std::sync::Arc::new(move |r: &ServiceRequest| StoredResponse {
        status: 201,
        body: serde_json::to_value(view(&cat, r, None, None)).unwrap_or_default(),
    });
    let outcome = store_detached(&st, new, idem, render).await?;
    let replayed = matches!(outcome, CreateOutcome::Replayed(_));
    if !replayed {
        admission.charge(&st);
        metrics::counter!("sahulat_requests_created_total", "channel" => "api").increment(1);
    }
    Ok(stored_response(outcome.response(), replayed))
}

/// Read a request by its reference (public view).
#[utoipa::path(get, path = "/api/v1/requests/{reference}", tag = "requests",
    params(("reference" = String, Path, description = "Nine-digit reference; spaces allowed"),
        ("lang" = Option<String>, Query, description = "en, ur or sd: names and the history in this language (default: the report's)")),
    responses(
        (status = 200, body = RequestView),
        (status = 400, description = "Not a reference, a digit is mistyped, or an unknown language", body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
    ))]
pub(crate) async fn get_request(
    State(st): State<AppState>,
    Path(reference): Path<String>,
    q: QueryPairs,
) -> Result<Json<RequestView>, ApiError> {
    let r = by_reference(&st, &reference).await?;
    let lang = match q.get("lang") {
        None => None,
        Some(l) => Some(Lang::parse(l).ok_or_else(|| {
            ApiError::bad_param("lang", format!("unknown language {l:?}; use en, ur or sd"))
        })?),
    };
    let updates = st
        .store
        .list_updates(&UpdateQuery {
            reference: Some(r.reference.clone()),
            limit: 200,
            ..Default::default()
        })
        .await?;
    let photos = st
        .store
        .photos(r.id)
        .await?
        .iter()
        .filter(|p| public_photo(p, &r))
        .map(|p| public_view(p, "/media"))
        .collect();
    let mut v = view(&st.catalogue, &r, Some(updates), lang);
    v.photos = Some(photos);
    Ok(Json(v))
}
