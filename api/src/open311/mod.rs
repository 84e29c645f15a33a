//! Open311 GeoReport v2 under `/open311/v2/`: discovery, services, service definitions,
//! requests (GET and POST), single requests, tokens, and FixMyStreet's `servicerequestupdates`
//! extension — each as `.json` and `.xml`. Errors are the spec's error list. No GET ever shows
//! a reporter's name, phone or e-mail.

mod read;
mod xml;

use crate::extract::{body_bytes, QueryPairs};
use crate::extract::{lang_param, BODY_LIMIT};
use crate::intake::{idempotency_key, store_detached};
use crate::keys::hash_api_key;
use crate::photos::UPLOAD_LIMIT;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use sahulat_domain::lang::Lang;
use sahulat_domain::photo::PhotoKind;
use sahulat_domain::reference::Reference;
use sahulat_domain::request::{RequestDraft, ServiceRequest};
use sahulat_domain::status::{Channel, Status};
use sahulat_domain::Error;
use sahulat_store::{CreateOutcome, Render, RequestQuery, StoredResponse, UpdateQuery};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Most results one GET returns (GeoReport v2 default).
pub const MAX_RESULTS: u32 = 1000;
/// Widest date window of one GET, in days (GeoReport v2 default).
pub const MAX_WINDOW_DAYS: i64 = 90;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/{resource}",
            get(get_resource)
                .post(post_resource)
                // CORS answers OPTIONS itself; an explicit endpoint keeps the router from adding
                // an `Allow` that names POST for resources that refuse it.
                .options(other_method)
                .fallback(other_method)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/openapi.json", get(crate::openapi_open311::document))
        .route("/services/{file}", get(service_definition))
        .route("/requests/{file}", get(read::single_request))
        .route("/tokens/{file}", get(read::token))
}

/// Response format, from the path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Xml,
}

/// An Open311 error answer.
#[derive(Debug)]
pub(crate) struct O311Error {
    status: StatusCode,
    description: String,
    format: Format,
    /// `Retry-After` seconds (a 503 when the database is gone).
    retry_after: Option<u64>,
}

impl O311Error {
    fn new(format: Format, status: StatusCode, description: impl Into<String>) -> Self {
        Self {
            status,
            description: description.into(),
            format,
            retry_after: None,
        }
    }
    fn bad(format: Format, description: impl Into<String>) -> Self {
        Self::new(format, StatusCode::BAD_REQUEST, description)
    }
    fn from_domain(format: Format, e: Error) -> Self {
        match e {
            Error::Validation(fields) => Self::bad(
                format,
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Error::NotFound(what) => {
                Self::new(format, StatusCode::NOT_FOUND, format!("{what} not found"))
            }
            Error::Unauthorized(m) => Self::new(format, StatusCode::FORBIDDEN, m),
            other => {
                let api = crate::error::ApiError::from(other);
                let status = if api.status == StatusCode::UNPROCESSABLE_ENTITY {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    api.status
                };
                Self {
                    retry_after: api.retry_after,
                    ..Self::new(format, status, api.message)
                }
            }
        }
    }
}

impl IntoResponse for O311Error {
    fn into_response(self) -> Response {
        let body = json!([{ "code": self.status.as_u16(), "description": self.description }]);
        let mut res = render(self.format, self.status, "errors", &body);
        if let Some(s) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, s.into());
        }
        res
    }
}

fn render(format: Format, status: StatusCode, root: &str, body: &Value) -> Response {
    let (ct, text) = match format {
        Format::Json => ("application/json; charset=utf-8", body.to_string()),
        Format::Xml => ("text/xml; charset=utf-8", xml::to_xml(root, body)),
    };
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(ct))],
        text,
    )
        .into_response()
}

/// Splits `requests.json` into (`requests`, Json).
fn split(file: &str) -> Result<(&str, Format), O311Error> {
    match file.rsplit_once('.') {
        Some((name, "json")) => Ok((name, Format::Json)),
        Some((name, "xml")) => Ok((name, Format::Xml)),
        _ => Err(O311Error::new(
            Format::Json,
            StatusCode::NOT_FOUND,
            format!("{file:?}: add .json or .xml to choose the format"),
        )),
    }
}

/// Pakistan Standard Time (UTC+5, no daylight saving): Open311 timestamps carry their offset.
fn w3c(t: DateTime<Utc>) -> String {
    let pkt = FixedOffset::east_opt(5 * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    t.with_timezone(&pkt)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn parse_time(
    format: Format,
    name: &str,
    raw: Option<&str>,
) -> Result<Option<DateTime<Utc>>, O311Error> {
    raw.map(|s| {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| {
            O311Error::bad(format, format!("{name}: {s:?} is not a W3C date-time with timezone, e.g. 2026-11-01T00:00:00+05:00"))
        })
    })
    .transpose()
}

/// Resolves start/end with GeoReport's defaults: the last 90 days, never a wider window.
fn window(
    format: Format,
    q: &QueryPairs,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), O311Error> {
    let start = parse_time(format, "start_date", q.get("start_date"))?;
    let end = parse_time(format, "end_date", q.get("end_date"))?;
    let span = Duration::days(MAX_WINDOW_DAYS);
    let (start, end) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, (s + span).min(now)),
        (None, Some(e)) => (e - span, e),
        (None, None) => (now - span, now),
    };
    if end < start {
        return Err(O311Error::bad(format, "end_date is before start_date"));
    }
    if end - start > span {
        return Err(O311Error::bad(
            format,
            format!("start_date and end_date may be at most {MAX_WINDOW_DAYS} days apart"),
        ));
    }
    Ok((start, end))
}

fn query(format: Format, req: &Request) -> Result<QueryPairs, O311Error> {
    QueryPairs::parse(req.uri().query().unwrap_or("").as_bytes())
        .map_err(|e| O311Error::bad(format, e))
}

/// 405 for a method `/{resource}` does not take, with the methods this resource does take
/// (`POST` only on `requests`), in the resource's format.
async fn other_method(req: Request) -> Response {
    let file = req.uri().path().rsplit('/').next().unwrap_or("");
    let (name, format) = match file.rsplit_once('.') {
        Some((name, "xml")) => (name, Format::Xml),
        Some((name, _)) => (name, Format::Json),
        None => (file, Format::Json),
    };
    let allow = if name == "requests" {
        "GET, HEAD, POST"
    } else {
        "GET, HEAD"
    };
    let mut res = O311Error::new(
        format,
        StatusCode::METHOD_NOT_ALLOWED,
        format!("this resource takes {allow}"),
    )
    .into_response();
    res.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    res
}

async fn get_resource(
    State(st): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Result<Response, O311Error> {
    let (name, format) = split(&file)?;
    let q = query(format, &req)?;
    match name {
        "discovery" => Ok(discovery(&st, format, req.headers())),
        "services" => services(&st, format, &q, req.headers()),
        "requests" => read::list_requests(&st, format, &q).await,
        "servicerequestupdates" => read::updates(&st, format, &q).await,
        other => Err(O311Error::new(
            format,
            StatusCode::NOT_FOUND,
            format!(
                "no Open311 resource {other:?}; see discovery.{}",
                ext(format)
            ),
        )),
    }
}

fn ext(format: Format) -> &'static str {
    match format {
        Format::Json => "json",
        Format::Xml => "xml",
    }
}

/// The endpoint's address is `SAHULAT_PUBLIC_URL` when it is set (behind a TLS proxy the
/// request itself arrived over plain HTTP); otherwise the Host the client used, over http.
fn discovery(st: &AppState, format: Format, headers: &HeaderMap) -> Response {
    let base = st.settings.public_url.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        format!("http://{host}")
    });
    let changeset = "2026-11-26T00:00:00+05:00";
    let body = json!({
        "changeset": changeset,
        "contact": "Sahulat pilot: your district coordinator's Sahulat desk",
        "key_service": "Ask the Sahulat administrator for an API key (sahulat apikey create)",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": format!("{base}/open311/v2"),
            "changeset": changeset,
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    });
    render(format, StatusCode::OK, "discovery", &body)
}

fn services(
    st: &AppState,
    format: Format,
    q: &QueryPairs,
    headers: &HeaderMap,
) -> Result<Response, O311Error> {
    let lang = lang_param(q, headers).map_err(|e| O311Error::bad(format, e.message))?;
    let list: Vec<Value> = st
        .catalogue
        .services
        .iter()
        .map(|s| {
            json!({
                "service_code": s.code,
                "service_name": s.names.get(lang),
                "description": s.descriptions.get(lang),
                "metadata": !s.attributes.is_empty(),
                "type": "realtime",
                "keywords": s.keywords.join(", "),
                "group": s.group,
            })
        })
        .collect();
    Ok(render(
        format,
        StatusCode::OK,
        "services",
        &Value::Array(list),
    ))
}

async fn service_definition(
    State(st): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    req: Request,
) -> Result<Response, O311Error> {
    let (code, format) = split(&file)?;
    let q = query(format, &req)?;
    let lang = lang_param(&q, &headers).map_err(|e| O311Error::bad(format, e.message))?;
    let s = st.catalogue.service(code).ok_or_else(|| {
        O311Error::new(
            format,
            StatusCode::NOT_FOUND,
            format!(
                "no service {code:?}; one of: {}",
                st.catalogue.service_codes()
            ),
        )
    })?;
    let attributes: Vec<Value> = s
        .attributes
        .iter()
        .map(|a| {
            json!({
                "variable": true,
                "code": a.code,
                "datatype": a.datatype.as_str(),
                "required": a.required,
                "datatype_description": Value::Null,
                "order": a.order,
                "description": a.description.get(lang),
                "values": a.values.iter().map(|v| json!({"key": v.key, "name": v.name.get(lang)})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let body = json!({ "service_code": s.code, "attributes": attributes });
    Ok(render(format, StatusCode::OK, "service_definition", &body))
}

async fn post_resource(
    State(st): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Result<Response, O311Error> {
    let (name, format) = split(&file)?;
    if name != "requests" {
        let mut res = O311Error::new(
            format,
            StatusCode::METHOD_NOT_ALLOWED,
            format!("POST is accepted only on requests.{}", ext(format)),
        )
        .into_response();
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(res);
    }
    let headers = req.headers().clone();
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (form, media, raw) = if ct.starts_with("application/x-www-form-urlencoded") {
        let raw = body_bytes(req, BODY_LIMIT)
            .await
            .map_err(|e| O311Error::new(format, e.status, e.message))?;
        if raw.len() > BODY_LIMIT {
            let e = crate::extract::too_large(BODY_LIMIT);
            return Err(O311Error::new(format, e.status, e.message));
        }
        let form = QueryPairs::parse(&raw).map_err(|e| O311Error::bad(format, e))?;
        (form, None, raw.to_vec())
    } else if ct.starts_with("multipart/form-data") {
        // GeoReport v2.1: the same fields, and the picture as a `media` file part.
        let posted = crate::posted::read(req)
            .await
            .map_err(|e| O311Error::new(format, e.status, e.message))?;
        let mut raw = serde_urlencoded::to_string(&posted.fields)
            .unwrap_or_default()
            .into_bytes();
        if let Some(m) = &posted.photo {
            raw.extend_from_slice(&Sha256::digest(m));
        }
        (QueryPairs(posted.fields), posted.photo, raw)
    } else {
        return Err(O311Error::new(
            format,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request form-encoded (Content-Type: application/x-www-form-urlencoded), as GeoReport v2 specifies, or as multipart/form-data with a media file (v2.1)",
        ));
    };

    let key = form.get("api_key").ok_or_else(|| {
        O311Error::new(
            format,
            StatusCode::FORBIDDEN,
            "api_key is required to post a request",
        )
    })?;
    let key_hash = hash_api_key(key);
    if !st
        .store
        .api_key_valid(&key_hash)
        .await
        .map_err(|e| O311Error::from_domain(format, e))?
    {
        return Err(O311Error::new(
            format,
            StatusCode::FORBIDDEN,
            "api_key is not valid (unknown or revoked)",
        ));
    }
    let number = |name: &str| -> Result<Option<f64>, O311Error> {
        form.get(name)
            .map(|s| {
                s.parse::<f64>().map_err(|_| {
                    O311Error::bad(
                        format,
                        format!("{name}: {s:?} is not a number in decimal degrees"),
                    )
                })
            })
            .transpose()
    };
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &form.0 {
        if let Some(code) = k
            .strip_prefix("attribute[")
            .and_then(|r| r.strip_suffix(']').or_else(|| r.strip_suffix("][]")))
        {
            attributes
                .entry(code.to_string())
                .or_default()
                .push(v.clone());
        }
    }
    let name = [form.get("first_name"), form.get("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let lang = form
        .get("lang")
        .or_else(|| form.get("locale"))
        .map(str::to_string);
    let draft = RequestDraft {
        service_code: form.get("service_code").map(str::to_string),
        description: form.get("description").map(str::to_string),
        lat: number("lat")?,
        lon: number("long")?,
        address: form.get("address_string").map(str::to_string),
        district: form.get("district").map(str::to_string),
        tehsil: form.get("tehsil").map(str::to_string),
        phone: form.get("phone").map(str::to_string),
        name: (!name.is_empty()).then_some(name),
        email: form.get("email").map(str::to_string),
        language: lang,
        attributes,
        media_url: form.get("media_url").map(str::to_string),
        channel: Some(Channel::Open311),
    };
    let new = draft
        .validate(&st.catalogue, &st.geo)
        .map_err(|e| O311Error::from_domain(format, e))?;
    let asker = crate::abuse::Asker {
        address: None,
        phone: form.get("phone"),
        api_key: Some(&key_hash),
    };
    let admission = match crate::intake::admit(&st, asker) {
        Ok(a) => a,
        Err(e) => {
            let mut res = O311Error::new(format, e.status, e.message).into_response();
            if let Some(s) = e.retry_after {
                res.headers_mut().insert(header::RETRY_AFTER, s.into());
            }
            return Ok(res);
        }
    };
    // A picture is decoded before anything is stored: a broken one refuses the request.
    let media = match media {
        Some(m) => Some(crate::photos::process(&st, m).await.map_err(|e| {
            O311Error::new(
                format,
                e.status,
                e.fields.get("photo").cloned().unwrap_or(e.message),
            )
        })?),
        None => None,
    };
    let idem = idempotency_key(&headers, &format!("open311:{}", &key_hash[..16]), &raw)
        .map_err(|e| O311Error::bad(format, e.message))?;
    let lang = new.language;
    let render_created: Render = std::sync::Arc::new(move |r: &ServiceRequest| StoredResponse {
        status: 201,
        body: json!([{
            "service_request_id": r.reference,
            "token": r.token,
            "service_notice": notice(lang, r),
            "account_id": Value::Null,
        }]),
    });
    let outcome = store_detached(&st, new, idem, render_created)
        .await
        .map_err(|e| O311Error::from_domain(format, e))?;
    let replayed = matches!(outcome, CreateOutcome::Replayed(_));
    if let CreateOutcome::Created(r, _) = &outcome {
        admission.charge(&st);
        metrics::counter!("sahulat_requests_created_total", "channel" => "open311").increment(1);
        if let Some(m) = &media {
            if let Err(e) =
                crate::photos::store_processed(&st, r, m, PhotoKind::Report, "open311").await
            {
                tracing::warn!(request = %r.reference, error = %e.message, "Open311 media not stored");
            }
        }
    }
    let stored = outcome.response();
    let mut res = render(
        format,
        StatusCode::from_u16(stored.status).unwrap_or(StatusCode::CREATED),
        "service_requests",
        &stored.body,
    );
    if replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

/// The short notice returned on creation, in the reporter's language.
fn notice(lang: Lang, r: &ServiceRequest) -> String {
    let reference = Reference::parse(&r.reference)
        .map(|r| r.grouped())
        .unwrap_or_else(|_| r.reference.clone());
    sahulat_domain::messages::text(lang, "service-notice", &[("ref", reference)])
}
