//! The native JSON API under `/api/v1/`: create a request (with Idempotency-Key), read one by
//! reference, list services and districts, and ask where a point lies.

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{JsonBody, QueryPairs};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::lang::Lang;
use sahulat_domain::reference::Reference;
use sahulat_domain::request::{Channel, RequestDraft, RequestUpdate, ServiceRequest};
use sahulat_domain::store::{IdempotencyKey, Render, StoredResponse, UpdateQuery};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/requests", post(create_request))
        .route("/requests/{reference}", get(get_request))
        .route("/services", get(list_services))
        .route("/districts", get(list_districts))
        .route("/locate", get(locate))
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

/// A public history entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateView {
    /// Status after this step.
    pub status: String,
    /// What happened.
    pub description: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A request as the public may see it (no personal data).
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    /// Nine-digit reference.
    pub reference: String,
    /// Service code.
    pub service_code: String,
    /// Service name in the request's language.
    pub service_name: String,
    /// Description.
    pub description: String,
    /// Lifecycle status.
    pub status: String,
    /// `open` or `closed`.
    pub open311_status: String,
    /// Priority.
    pub priority: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Address/landmark.
    pub address: Option<String>,
    /// Province P-code.
    pub province: String,
    /// District P-code.
    pub district: String,
    /// District name.
    pub district_name: String,
    /// Tehsil code.
    pub tehsil: Option<String>,
    /// Tehsil name.
    pub tehsil_name: Option<String>,
    /// Responsible department, once routed.
    pub department: Option<String>,
    /// Channel it arrived by.
    pub channel: String,
    /// Language.
    pub language: String,
    /// Answers to service questions.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    /// Open311 token.
    pub token: String,
    /// Due time, once triaged.
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Received.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Public history (only on single-request reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates: Option<Vec<UpdateView>>,
    /// Photos, except those staff hid (only on single-request reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photos: Option<Vec<crate::photos::PhotoView>>,
}

pub(crate) fn view(
    cat: &Catalogue,
    r: &ServiceRequest,
    updates: Option<Vec<RequestUpdate>>,
) -> RequestView {
    let lang = r.language;
    RequestView {
        reference: r.reference.clone(),
        service_code: r.service_code.clone(),
        service_name: cat
            .service(&r.service_code)
            .map(|s| s.names.get(lang).to_string())
            .unwrap_or_default(),
        description: r.description.clone(),
        status: r.status.as_str().into(),
        open311_status: r.status.open311().into(),
        priority: r.priority.as_str().into(),
        lat: r.lat,
        lon: r.lon,
        address: r.address.clone(),
        province: r.province.clone(),
        district: r.district.clone(),
        district_name: cat
            .district(&r.district)
            .map(|d| d.names.get(lang).to_string())
            .unwrap_or_default(),
        tehsil: r.tehsil.clone(),
        tehsil_name: r
            .tehsil
            .as_deref()
            .and_then(|t| cat.tehsil(t))
            .map(|t| t.names.get(lang).to_string()),
        department: r
            .department
            .as_deref()
            .and_then(|d| cat.department(d))
            .map(|d| d.names.get(lang).to_string()),
        channel: r.channel.as_str().into(),
        language: lang.code().into(),
        attributes: r.attributes.clone(),
        token: r.token.clone(),
        sla_due_at: r.sla_due_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
        updates: updates.map(|us| {
            us.into_iter()
                .map(|u| UpdateView {
                    status: u.status.as_str().into(),
                    description: u.description,
                    at: u.created_at,
                })
                .collect()
        }),
        photos: None,
    }
}

/// Reads an optional Idempotency-Key header (1–255 visible ASCII characters).
pub(crate) fn idempotency_key(
    headers: &HeaderMap,
    scope: &str,
    body: &[u8],
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = v.to_str().unwrap_or("").trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_param(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters, e.g. a UUID",
        ));
    }
    Ok(Some(IdempotencyKey {
        scope: scope.to_string(),
        key: key.to_string(),
        body_hash: hex::encode(Sha256::digest(body)),
    }))
}

/// Turns a stored response into an HTTP response, marking replays.
pub(crate) fn stored_response(r: &StoredResponse, replayed: bool) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    let mut res = (status, Json(r.body.clone())).into_response();
    if replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    res
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
    ))]
pub(crate) async fn create_request(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: JsonBody<CreateRequest>,
) -> Result<Response, ApiError> {
    let idem = idempotency_key(&headers, "api", &body.raw)?;
    let b = body.value;
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
    let cat = st.catalogue.clone();
    let render: Render = std::sync::Arc::new(move |r: &ServiceRequest| StoredResponse {
        status: 201,
        body: serde_json::to_value(view(&cat, r, None)).unwrap_or_default(),
    });
    let outcome = store_detached(&st, new, idem, render).await?;
    let replayed = matches!(outcome, sahulat_domain::store::CreateOutcome::Replayed(_));
    if !replayed {
        metrics::counter!("sahulat_requests_created_total", "channel" => "api").increment(1);
    }
    Ok(stored_response(outcome.response(), replayed))
}

/// Stores a new request in a task of its own, so a client that hangs up (or the request
/// timeout) cannot cancel the write halfway: the transaction always commits or rolls back,
/// and a retry with the same Idempotency-Key gets the stored answer.
pub(crate) async fn store_detached(
    st: &AppState,
    new: sahulat_domain::request::NewServiceRequest,
    idem: Option<IdempotencyKey>,
    render: Render,
) -> Result<sahulat_domain::store::CreateOutcome, sahulat_domain::Error> {
    let (store, ids, now) = (st.store.clone(), st.ids.clone(), st.clock.now());
    tokio::spawn(async move {
        store
            .create_request(&new, ids.as_ref(), idem.as_ref(), render, now)
            .await
    })
    .await
    .map_err(|e| sahulat_domain::Error::Internal(anyhow::anyhow!("intake task failed: {e}")))?
}

/// Parses a reference from a path, with the keypad-friendly messages.
pub(crate) fn parse_reference(input: &str) -> Result<Reference, ApiError> {
    Reference::parse(input).map_err(|e| ApiError::bad_param("reference", e.to_string()))
}

/// Loads a request by a reference as typed (spaces allowed, check digit verified).
pub(crate) async fn by_reference(st: &AppState, input: &str) -> Result<ServiceRequest, ApiError> {
    let reference = parse_reference(input)?;
    st.store
        .request_by_reference(reference.as_str())
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("no request has reference {}", reference.grouped()))
        })
}

/// Read a request by its reference (public view).
#[utoipa::path(get, path = "/api/v1/requests/{reference}", tag = "requests",
    params(("reference" = String, Path, description = "Nine-digit reference; spaces allowed")),
    responses(
        (status = 200, body = RequestView),
        (status = 400, description = "Not a reference, or a digit is mistyped", body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
    ))]
pub(crate) async fn get_request(
    State(st): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Json<RequestView>, ApiError> {
    let r = by_reference(&st, &reference).await?;
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
        .filter(|p| crate::photos::public(p, &r))
        .map(|p| crate::photos::public_view(p, "/media"))
        .collect();
    let mut v = view(&st.catalogue, &r, Some(updates));
    v.photos = Some(photos);
    Ok(Json(v))
}

/// A question of a service.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributeView {
    /// Code (`attribute[CODE]`).
    pub code: String,
    /// Open311 datatype.
    pub datatype: String,
    /// Required?
    pub required: bool,
    /// The question.
    pub description: String,
    /// Choices: key → name.
    pub values: Vec<(String, String)>,
}

/// A service in one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Group code.
    pub group: String,
    /// Group name.
    pub group_name: String,
    /// SDG targets.
    pub sdg_targets: Vec<String>,
    /// SDG indicators.
    pub sdg_indicators: Vec<String>,
    /// Questions.
    pub attributes: Vec<AttributeView>,
}

pub(crate) fn lang_param(q: &QueryPairs, headers: &HeaderMap) -> Result<Lang, ApiError> {
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

/// List the service catalogue.
#[utoipa::path(get, path = "/api/v1/services", tag = "reference",
    params(("lang" = Option<String>, Query, description = "en, ur or sd (default: Accept-Language, then en)")),
    responses((status = 200, body = [ServiceView])))]
pub(crate) async fn list_services(
    State(st): State<AppState>,
    q: QueryPairs,
    headers: HeaderMap,
) -> Result<Json<Vec<ServiceView>>, ApiError> {
    let lang = lang_param(&q, &headers)?;
    Ok(Json(
        st.catalogue
            .services
            .iter()
            .map(|s| ServiceView {
                code: s.code.clone(),
                name: s.names.get(lang).into(),
                description: s.descriptions.get(lang).into(),
                group: s.group.clone(),
                group_name: s.group_names.get(lang).into(),
                sdg_targets: s.sdg.targets.clone(),
                sdg_indicators: s.sdg.indicators.clone(),
                attributes: s
                    .attributes
                    .iter()
                    .map(|a| AttributeView {
                        code: a.code.clone(),
                        datatype: a.datatype.as_str().into(),
                        required: a.required,
                        description: a.description.get(lang).into(),
                        values: a
                            .values
                            .iter()
                            .map(|v| (v.key.clone(), v.name.get(lang).to_string()))
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// A tehsil in one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct TehsilView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// A district in one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct DistrictView {
    /// P-code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Province P-code.
    pub province: String,
    /// One of the four pilots.
    pub is_pilot: bool,
    /// Accepts new requests.
    pub accepts_requests: bool,
    /// Tehsils (pilot districts).
    pub tehsils: Vec<TehsilView>,
}

/// List districts (served ones first) and their tehsils.
#[utoipa::path(get, path = "/api/v1/districts", tag = "reference",
    params(("lang" = Option<String>, Query, description = "en, ur or sd"), ("served" = Option<bool>, Query, description = "only districts that accept requests")),
    responses((status = 200, body = [DistrictView])))]
pub(crate) async fn list_districts(
    State(st): State<AppState>,
    q: QueryPairs,
    headers: HeaderMap,
) -> Result<Json<Vec<DistrictView>>, ApiError> {
    let lang = lang_param(&q, &headers)?;
    let served_only = match q.get("served") {
        None => false,
        Some("true" | "1") => true,
        Some("false" | "0") => false,
        Some(other) => {
            return Err(ApiError::bad_param(
                "served",
                format!("{other:?} is not true or false"),
            ))
        }
    };
    let mut out: Vec<DistrictView> = st
        .catalogue
        .districts
        .iter()
        .filter(|d| !served_only || d.accepts_requests)
        .map(|d| DistrictView {
            code: d.code.clone(),
            name: d.names.get(lang).into(),
            province: d.province.clone(),
            is_pilot: d.is_pilot,
            accepts_requests: d.accepts_requests,
            tehsils: st
                .catalogue
                .tehsils
                .iter()
                .filter(|t| t.district == d.code)
                .map(|t| TehsilView {
                    code: t.code.clone(),
                    name: t.names.get(lang).into(),
                })
                .collect(),
        })
        .collect();
    out.sort_by_key(|d| !d.accepts_requests);
    Ok(Json(out))
}

/// Where a point lies.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocateView {
    /// Province P-code.
    pub province: String,
    /// District P-code.
    pub district: String,
    /// District name.
    pub district_name: String,
    /// Tehsil code.
    pub tehsil: Option<String>,
    /// Whether requests are accepted there.
    pub accepts_requests: bool,
}

fn coord(q: &QueryPairs, name: &str, max: f64) -> Result<f64, ApiError> {
    let raw = q
        .get(name)
        .ok_or_else(|| ApiError::bad_param(name, "is required (decimal degrees)"))?;
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= max => Ok(v),
        _ => Err(ApiError::bad_param(
            name,
            format!("{raw:?} is not in decimal degrees from -{max} to {max}"),
        )),
    }
}

/// Which district and tehsil a point lies in.
#[utoipa::path(get, path = "/api/v1/locate", tag = "reference",
    params(("lat" = f64, Query), ("lon" = f64, Query)),
    responses((status = 200, body = LocateView), (status = 404, description = "Outside every known district", body = ErrorEnvelope)))]
pub(crate) async fn locate(
    State(st): State<AppState>,
    q: QueryPairs,
) -> Result<Json<LocateView>, ApiError> {
    let lat = coord(&q, "lat", 90.0)?;
    let lon = coord(&q, "lon", 180.0)?;
    let p = st.geo.locate(lat, lon).ok_or_else(|| {
        ApiError::not_found(format!(
            "this point is outside every district of Sindh and Balochistan; Sahulat serves {}",
            st.catalogue.served_names()
        ))
    })?;
    let d = st.catalogue.district(&p.district);
    Ok(Json(LocateView {
        province: p.province,
        district_name: d.map(|d| d.names.en.clone()).unwrap_or_default(),
        accepts_requests: d.is_some_and(|d| d.accepts_requests),
        district: p.district,
        tehsil: p.tehsil,
    }))
}
