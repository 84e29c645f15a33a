//! The public list of recent requests (`/requests`): filters by district, service and status,
//! pages of 50, and the district's map with a dot per request. Anonymised: no contact data,
//! places rounded to 0.001° (about 100 m), descriptions only where not hidden, and requests
//! rejected as spam or abuse left out altogether.

use super::map;
use super::page::{self, days, grouped};
use crate::error::ApiError;
use crate::extract::QueryPairs;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use minijinja::value::Value;
use sahulat_domain::i18n::text;
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::Status;
use sahulat_store::RequestQuery;

/// Rows per page.
pub(crate) const PAGE: u32 = 50;
/// Pages one can go back.
const MAX_PAGE: u32 = 200;

/// Rounds to about 100 m.
pub(crate) fn rounded(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The filters, as far as they name known things (anything else is ignored).
struct Filters {
    district: String,
    service: String,
    status: String,
    page: u32,
}

impl Filters {
    fn read(st: &AppState, q: &QueryPairs) -> Filters {
        let district = q
            .get("district")
            .filter(|d| st.catalogue.district(d).is_some_and(|d| d.accepts_requests))
            .unwrap_or("")
            .to_string();
        let service = q
            .get("service")
            .filter(|s| st.catalogue.service(s).is_some())
            .unwrap_or("")
            .to_string();
        let status = q
            .get("status")
            .filter(|s| Status::parse(s).is_some_and(|s| s != Status::Rejected))
            .unwrap_or("")
            .to_string();
        let page = q
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .clamp(1, MAX_PAGE);
        Filters {
            district,
            service,
            status,
            page,
        }
    }
    fn query(&self) -> RequestQuery {
        RequestQuery {
            district: (!self.district.is_empty()).then(|| self.district.clone()),
            service_codes: if self.service.is_empty() {
                Vec::new()
            } else {
                vec![self.service.clone()]
            },
            statuses: Status::parse(&self.status).into_iter().collect(),
            public_only: true,
            limit: PAGE,
            offset: (self.page - 1) * PAGE,
            ..Default::default()
        }
    }
    fn link(&self, page: u32, lang: &str) -> String {
        format!(
            "/requests?lang={lang}&district={}&service={}&status={}&page={page}",
            self.district, self.service, self.status
        )
    }
}

fn point(r: &ServiceRequest) -> Option<(f64, f64)> {
    match (r.lat, r.lon) {
        (Some(a), Some(b)) => Some((rounded(a), rounded(b))),
        _ => None,
    }
}

/// `GET /requests`.
pub(crate) async fn show(
    State(st): State<AppState>,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, lang_cookie) = page::language(&headers, &q);
    let f = Filters::read(&st, &q);
    let rows = match st.store.list_requests(&f.query()).await {
        Ok(r) => r,
        Err(e) => {
            let e = ApiError::from(e);
            return page::message(
                &st,
                e.status,
                lang,
                &text(lang, "web-error-page", &[]),
                &e.message,
                None,
            );
        }
    };
    let cat = &st.catalogue;
    let now = st.clock.now();
    let list: Vec<Value> = rows
        .iter()
        .map(|r| {
            context! {
                reference => r.reference.clone(),
                grouped => grouped(&r.reference),
                service => cat.service(&r.service_code).map(|s| s.names.get(lang).to_string()).unwrap_or_default(),
                place => r.tehsil.as_deref().and_then(|t| cat.tehsil(t)).map(|t| t.names.get(lang).to_string())
                    .or_else(|| cat.district(&r.district).map(|d| d.names.get(lang).to_string())).unwrap_or_default(),
                point => point(r).map(|(a, b)| format!("{a:.3}, {b:.3}")),
                status => text(lang, &format!("status-{}", r.status.as_str()), &[]),
                days => days(r.created_at, now),
                description => r.public_text().map(|d| d.chars().take(200).collect::<String>()),
            }
        })
        .collect();
    let code = lang.code();
    let map = (!f.district.is_empty() && !rows.is_empty()).then(|| {
        format!(
            "/requests/map/{}.svg?lang={code}&service={}&status={}&page={}",
            f.district, f.service, f.status, f.page
        )
    });
    let ctx = context! {
        f => context! { district => f.district.clone(), service => f.service.clone(), status => f.status.clone() },
        districts => cat.served_districts().iter().map(|d| context! { code => d.code.clone(), name => d.names.get(lang) }).collect::<Vec<_>>(),
        services => cat.services.iter().map(|s| (s.code.clone(), s.names.get(lang).to_string())).collect::<Vec<_>>(),
        statuses => Status::ALL.iter().filter(|s| **s != Status::Rejected)
            .map(|s| (s.as_str(), text(lang, &format!("status-{}", s.as_str()), &[]))).collect::<Vec<_>>(),
        rows => list,
        map => map,
        prev => (f.page > 1).then(|| f.link(f.page - 1, code)),
        next => (rows.len() as u32 == PAGE && f.page < MAX_PAGE).then(|| f.link(f.page + 1, code)),
    };
    let here = f
        .link(f.page, code)
        .replacen(&format!("lang={code}&"), "", 1);
    page::render(
        &st,
        StatusCode::OK,
        "web/requests.html",
        lang,
        &here,
        ctx,
        &lang_cookie.into_iter().collect::<Vec<_>>(),
    )
}

/// `GET /requests/map/{district}.svg`: the district with a dot per request of the same page.
pub(crate) async fn dots(
    State(st): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, _) = page::language(&headers, &q);
    let mut pairs = q.0.clone();
    pairs.push((
        "district".into(),
        file.strip_suffix(".svg").unwrap_or("").to_string(),
    ));
    let f = Filters::read(&st, &QueryPairs(pairs));
    if f.district.is_empty() {
        return (StatusCode::NOT_FOUND, "no map for this district").into_response();
    }
    let rows = match st.store.list_requests(&f.query()).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let dots: Vec<(f64, f64)> = rows.iter().filter_map(point).collect();
    match map::svg(&st.catalogue, &st.geo, &f.district, lang, &dots) {
        Some(s) => map::answer(s),
        None => (StatusCode::NOT_FOUND, "no map for this district").into_response(),
    }
}
