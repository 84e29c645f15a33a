//! Reading through Open311: service requests (a list with filters, one by id, one by token)
//! and the `servicerequestupdates` extension, in JSON or XML. No personal data leaves here.

use super::*;
use sahulat_domain::effects::{default_history_lang, history_text};

/// The posted `media_url`, else the first public photo as an absolute link (needs
/// `SAHULAT_PUBLIC_URL`; without it there is no address to give).
pub(super) fn media_url(
    st: &AppState,
    r: &ServiceRequest,
    photo: Option<&String>,
) -> Option<String> {
    r.media_url.clone().or_else(|| {
        if r.status == sahulat_domain::status::Status::Rejected {
            return None;
        }
        let base = st.settings.public_url.as_deref()?;
        photo.map(|file| format!("{base}/media/{file}.jpg"))
    })
}

pub(super) fn request_json(
    st: &AppState,
    r: &ServiceRequest,
    extensions: bool,
    photo: Option<&String>,
) -> Value {
    let cat = &st.catalogue;
    // Spam and abuse show no text and no place; a hidden description stays hidden.
    let rejected = r.status == sahulat_domain::status::Status::Rejected;
    let mut v = json!({
        "service_request_id": r.reference,
        "status": r.status.open311(),
        "status_notes": Value::Null,
        "service_name": cat.service(&r.service_code).map(|s| s.names.en.as_str()),
        "service_code": r.service_code,
        "description": r.public_text().unwrap_or(""),
        "agency_responsible": r.department.as_deref().and_then(|d| cat.department(d)).map(|d| d.names.en.as_str()),
        "service_notice": Value::Null,
        "requested_datetime": w3c(r.created_at),
        "updated_datetime": w3c(r.updated_at),
        "expected_datetime": r.sla_due_at.map(w3c),
        "address": if rejected { None } else { r.address.as_deref() },
        "address_id": Value::Null,
        "zipcode": Value::Null,
        "lat": if rejected { None } else { r.lat },
        "long": if rejected { None } else { r.lon },
        "media_url": media_url(st, r, photo),
    });
    if extensions {
        v["extended_attributes"] = json!({
            "detailed_status": r.status.extended(),
            "sahulat_status": r.status.as_str(),
            "priority": r.priority.as_str(),
            "district": r.district,
            "district_name": cat.district(&r.district).map(|d| d.names.en.as_str()),
            "tehsil": r.tehsil,
            "tehsil_name": r.tehsil.as_deref().and_then(|t| cat.tehsil(t)).map(|t| t.names.en.as_str()),
            "channel": r.channel.as_str(),
        });
    }
    v
}

pub(super) fn statuses(format: Format, raw: Option<&str>) -> Result<Vec<Status>, O311Error> {
    let mut out = Vec::new();
    for word in raw
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        match word {
            "open" => out.extend(Status::ALL.iter().filter(|s| s.is_open())),
            "closed" => out.extend(Status::ALL.iter().filter(|s| !s.is_open())),
            other => match Status::parse(other) {
                Some(s) => out.push(s),
                None => {
                    return Err(O311Error::bad(
                        format,
                        format!(
                            "status: {other:?} is not open or closed (or one of {})",
                            Status::accepted()
                        ),
                    ))
                }
            },
        }
    }
    Ok(out)
}

/// One `service_request_id`: a nine-digit reference with a valid check digit.
pub(super) fn reference(format: Format, s: &str) -> Result<String, O311Error> {
    Reference::parse(s)
        .map(|r| r.as_str().to_string())
        .map_err(|e| O311Error::bad(format, format!("service_request_id {s:?}: {e}")))
}

pub(super) fn references(format: Format, raw: &str) -> Result<Vec<String>, O311Error> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| reference(format, s))
        .collect()
}

pub(super) async fn list_requests(
    st: &AppState,
    format: Format,
    q: &QueryPairs,
) -> Result<Response, O311Error> {
    let extensions = q.get("extensions") == Some("true");
    let query = if let Some(ids) = q.get("service_request_id") {
        // The spec: with service_request_id, every other filter is ignored.
        RequestQuery {
            references: references(format, ids)?,
            limit: MAX_RESULTS,
            ..Default::default()
        }
    } else {
        let (start, end) = window(format, q, st.clock.now())?;
        let mut service_codes = Vec::new();
        for code in q
            .get("service_code")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if st.catalogue.service(code).is_none() {
                return Err(O311Error::bad(
                    format,
                    format!(
                        "service_code: unknown service {code:?}; one of: {}",
                        st.catalogue.service_codes()
                    ),
                ));
            }
            service_codes.push(code.to_string());
        }
        let limit = match q.get("max_requests") {
            None => MAX_RESULTS,
            Some(n) => n
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_RESULTS).contains(n))
                .ok_or_else(|| {
                    O311Error::bad(
                        format,
                        format!("max_requests: must be a whole number from 1 to {MAX_RESULTS}"),
                    )
                })?,
        };
        RequestQuery {
            service_codes,
            statuses: statuses(format, q.get("status"))?,
            start: Some(start),
            end: Some(end),
            limit,
            ..Default::default()
        }
    };
    let rows = st
        .store
        .list_requests(&query)
        .await
        .map_err(|e| O311Error::from_domain(format, e))?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let photos = if st.settings.public_url.is_some() {
        st.store
            .first_public_photos(&ids)
            .await
            .map_err(|e| O311Error::from_domain(format, e))?
    } else {
        Default::default()
    };
    let list: Vec<Value> = rows
        .iter()
        .map(|r| request_json(st, r, extensions, photos.get(&r.id)))
        .collect();
    Ok(render(
        format,
        StatusCode::OK,
        "service_requests",
        &Value::Array(list),
    ))
}

pub(super) async fn single_request(
    State(st): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Result<Response, O311Error> {
    let (id, format) = split(&file)?;
    let q = query(format, &req)?;
    // GeoReport v2: an id that names no request is a 404, whether or not it could be one
    // (the message still says when it is a mistyped reference).
    let reference = reference(format, id).map_err(|e| O311Error {
        status: StatusCode::NOT_FOUND,
        ..e
    })?;
    let r = st
        .store
        .request_by_reference(&reference)
        .await
        .map_err(|e| O311Error::from_domain(format, e))?
        .ok_or_else(|| {
            O311Error::new(
                format,
                StatusCode::NOT_FOUND,
                format!("no service request {id}"),
            )
        })?;
    let photos = st
        .store
        .first_public_photos(&[r.id])
        .await
        .map_err(|e| O311Error::from_domain(format, e))?;
    let body = Value::Array(vec![request_json(
        &st,
        &r,
        q.get("extensions") == Some("true"),
        photos.get(&r.id),
    )]);
    Ok(render(format, StatusCode::OK, "service_requests", &body))
}

pub(super) async fn token(
    State(st): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, O311Error> {
    let (token, format) = split(&file)?;
    let r = st
        .store
        .request_by_token(token)
        .await
        .map_err(|e| O311Error::from_domain(format, e))?
        .ok_or_else(|| {
            O311Error::new(
                format,
                StatusCode::NOT_FOUND,
                format!("no service request has token {token:?}"),
            )
        })?;
    let body = json!([{ "service_request_id": r.reference, "token": r.token }]);
    Ok(render(format, StatusCode::OK, "service_requests", &body))
}

pub(super) async fn updates(
    st: &AppState,
    format: Format,
    q: &QueryPairs,
) -> Result<Response, O311Error> {
    let (start, end) = window(format, q, st.clock.now())?;
    let lang = match q.get("lang").or_else(|| q.get("locale")) {
        None => None,
        Some(l) => Some(Lang::parse(l).ok_or_else(|| {
            O311Error::bad(
                format,
                format!("lang: unknown language {l:?}; use en, ur or sd"),
            )
        })?),
    };
    let reference = match q.get("service_request_id") {
        Some(s) => Some(reference(format, s)?),
        None => None,
    };
    let rows = st
        .store
        .list_updates(&UpdateQuery {
            start: Some(start),
            end: Some(end),
            reference,
            limit: MAX_RESULTS,
        })
        .await
        .map_err(|e| O311Error::from_domain(format, e))?;
    let list: Vec<Value> = rows
        .iter()
        .map(|u| {
            json!({
                "update_id": u.id.to_string(),
                "service_request_id": u.reference,
                "status": u.status.extended(),
                "updated_datetime": w3c(u.created_at),
                "description": history_text(
                    &st.catalogue,
                    lang.unwrap_or_else(|| default_history_lang(u.message.as_ref(), u.language)),
                    &u.description,
                    u.message.as_ref()
                ),
                "media_url": "",
            })
        })
        .collect();
    Ok(render(
        format,
        StatusCode::OK,
        "service_request_updates",
        &Value::Array(list),
    ))
}
