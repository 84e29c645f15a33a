//! Reference data for clients: the service catalogue with its questions and SDG targets, the
//! districts and tehsils, and which district a point lies in.

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{lang_param, QueryPairs};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(list_services))
        .route("/districts", get(list_districts))
        .route("/locate", get(locate))
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

/// List the service catalogue.
#[utoipa::path(get, path = "/api/v1/services", tag = "reference",
    params(("lang" = inline(Option<crate::openapi_types::LangText>), Query, description = "en, ur or sd (default: Accept-Language, then en)")),
    responses((status = 200, body = [ServiceView]), (status = 400, description = "A query parameter is malformed or names no known value; `fields` names it", body = ErrorEnvelope)))]
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
    params(("lang" = inline(Option<crate::openapi_types::LangText>), Query, description = "en, ur or sd"),
        ("served" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:true|false|1|0)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "true (or 1): only districts that accept requests")),
    responses((status = 200, body = [DistrictView]), (status = 400, description = "A query parameter is malformed or names no known value; `fields` names it", body = ErrorEnvelope)))]
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

pub(crate) fn coord(q: &QueryPairs, name: &str, max: f64) -> Result<f64, ApiError> {
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
    params(("lat" = f64, Query, minimum = -90.0, maximum = 90.0, description = "Latitude, decimal degrees"), ("lon" = f64, Query, minimum = -180.0, maximum = 180.0, description = "Longitude, decimal degrees")),
    responses((status = 200, body = LocateView), (status = 400, description = "`lat` or `lon` missing, not a number or out of range", body = ErrorEnvelope),
        (status = 404, description = "Outside every known district", body = ErrorEnvelope)))]
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
