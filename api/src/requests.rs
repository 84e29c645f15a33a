//! The native JSON API under `/api/v1/`: create a request (with Idempotency-Key), read one by
//! reference, list services and districts, and ask where a point lies.

use crate::access::{by_reference, public_photo};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{JsonBody, PathParam, QueryPairs};
use crate::intake::{idempotency_key, store_detached, stored_response};
use crate::state::AppState;
use crate::views::{public_view, view, RequestView};
use axum::extract::State;
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
    /// Service code: one of the codes `/api/v1/services` lists.
    #[schema(value_type = String, required = true, min_length = 1, example = "water-supply")]
    pub service_code: Option<String>,
    /// What is wrong: 3–4000 characters once surrounding whitespace is trimmed.
    #[schema(required = true, schema_with = crate::openapi_types::description, example = "No water in our street for three days")]
    pub description: Option<String>,
    /// Latitude, WGS84 decimal degrees; with `lon`, a point inside a district that accepts
    /// requests (`/api/v1/locate` tells). Give both or neither.
    #[schema(minimum = -90.0, maximum = 90.0, example = 27.56)]
    pub lat: Option<f64>,
    /// Longitude, WGS84 decimal degrees.
    #[schema(minimum = -180.0, maximum = 180.0, example = 68.21)]
    pub lon: Option<f64>,
    /// Address or landmark (the first 500 characters are kept).
    pub address: Option<String>,
    /// District P-code or name (`/api/v1/districts`), when there is no point; it must accept
    /// requests.
    pub district: Option<String>,
    /// Tehsil code (`/api/v1/districts`), when there is no point.
    pub tehsil: Option<String>,
    /// Pakistani mobile number (never shown publicly).
    #[schema(schema_with = crate::openapi_types::optional_phone, example = "0300 1234567")]
    pub phone: Option<String>,
    /// Reporter's name (never shown publicly; the first 200 characters are kept).
    pub name: Option<String>,
    /// Reporter's e-mail (never shown publicly): at most 254 characters with an `@` and no
    /// whitespace.
    #[schema(schema_with = crate::openapi_types::optional_email)]
    pub email: Option<String>,
    /// `en`, `ur` or `sd`.
    #[schema(schema_with = crate::openapi_types::optional_lang)]
    pub language: Option<String>,
    /// Answers to the service's questions (`attributes` of `/api/v1/services`): code → a value,
    /// a number, or a list of values (multivaluelist); the service's required questions must be
    /// answered with one of their values.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: BTreeMap<String, AttributeAnswer>,
    /// URL of a photo: `http://` or `https://`, at most 2000 characters.
    #[schema(schema_with = crate::openapi_types::optional_media_url)]
    pub media_url: Option<String>,
}

/// The body of `POST /api/v1/requests` as the document states it: [`CreateRequest`] with a
/// place — `lat` and `lon`, or a `tehsil`, or a `district`.
pub struct CreateRequestBody;

impl utoipa::PartialSchema for CreateRequestBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Type};
        let typed = |t: Type| ObjectBuilder::new().schema_type(t);
        let point = ObjectBuilder::new()
            .property("lat", typed(Type::Number))
            .property("lon", typed(Type::Number))
            .required("lat")
            .required("lon");
        let named = |field: &str| {
            ObjectBuilder::new()
                .property("lat", typed(Type::Null))
                .property("lon", typed(Type::Null))
                .property(
                    field,
                    typed(Type::String).pattern(Some(crate::openapi_types::NOT_BLANK_PATTERN)),
                )
                .required(field)
        };
        AllOfBuilder::new()
            .schema_type(Type::Object)
            .item(utoipa::openapi::Ref::from_schema_name("CreateRequest"))
            .item(
                AnyOfBuilder::new()
                    .item(point)
                    .item(named("tehsil"))
                    .item(named("district"))
                    .description(Some(
                        "Where: a point (`lat` and `lon`), or, without one, a `tehsil` or a `district`",
                    )),
            )
            .into()
    }
}

impl ToSchema for CreateRequestBody {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            "CreateRequest".into(),
            <CreateRequest as utoipa::PartialSchema>::schema(),
        ));
        <CreateRequest as ToSchema>::schemas(schemas);
    }
}

/// Create a service request.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", request_body = CreateRequestBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Retry-safe key, 1–255 visible ASCII characters (e.g. a UUID): a retry with the same key and body returns the first answer (with `Idempotent-Replayed: true`); the same key with another body is a 422")),
    responses(
        (status = 201, description = "Stored; triage follows", body = RequestView),
        (status = 400, description = "The body is not JSON (`malformed_json`), or the Idempotency-Key is malformed (`bad_request`)", body = ErrorEnvelope),
        (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope),
        (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 422, description = "A field is missing, of the wrong type or invalid (`fields` names each), or the Idempotency-Key was used with another body", body = ErrorEnvelope),
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
    params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference; spaces and dashes allowed"),
        ("lang" = inline(Option<crate::openapi_types::LangText>), Query, description = "en, ur or sd: names and the history in this language (default: the report's)")),
    responses(
        (status = 200, body = RequestView),
        (status = 400, description = "Not a reference, a digit is mistyped (the check digit does not match), an unknown language, or a malformed query string", body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
    ))]
pub(crate) async fn get_request(
    State(st): State<AppState>,
    PathParam(reference): PathParam<String>,
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
