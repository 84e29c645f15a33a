//! The report page (`/` and `/report`): a plain HTML form that works without JavaScript,
//! validated by the same domain rules as the API, with every error next to its field in the
//! citizen's language and what they entered kept. The form goes back and forth to show the
//! tap map, take a tap, propose the place a photo was taken, or list open reports nearby
//! ("this is my problem too"); sending it stores the request through the same intake as the
//! API, with the form's token as its Idempotency-Key (a form sent twice makes one request).

use super::map;
use super::page::{self, grouped};
use super::report_form::{nearby, FormState};
use crate::access::by_reference;
use crate::error::{ApiError, ErrorCode};
use crate::extract::QueryPairs;
use crate::intake::store_detached;
use crate::photos;
use crate::posted as form;
use crate::state::AppState;
use crate::voices::add_voice;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use sahulat_domain::i18n::text;
use sahulat_domain::lang::Lang;
use sahulat_domain::phone::Phone;
use sahulat_domain::photo::{self, PhotoKind};
use sahulat_domain::reference::Reference;
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::{Channel, Status};
use sahulat_store::{CreateOutcome, IdempotencyKey, Render, StoredResponse, VoiceOutcome};
use std::sync::Arc;

fn form_page(
    st: &AppState,
    status: StatusCode,
    s: &FormState,
    lang: Lang,
    cookies: &[String],
) -> Response {
    page::render(
        st,
        status,
        "web/report.html",
        lang,
        "/report",
        s.context(st, lang),
        cookies,
    )
}

/// `GET /` and `GET /report`: an empty form with a fresh token.
pub(crate) async fn show(
    State(st): State<AppState>,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, lang_cookie) = page::language(&headers, &q);
    let (token, form_cookie) = page::form_token(&headers);
    let cookies: Vec<String> = lang_cookie.into_iter().chain(form_cookie).collect();
    form_page(&st, StatusCode::OK, &FormState::new(token), lang, &cookies)
}

/// The page for an error the form cannot show next to a field.
fn failure(st: &AppState, lang: Lang, e: ApiError) -> Response {
    let heading = text(lang, "web-error-page", &[]);
    let body = match e.code {
        ErrorCode::PayloadTooLarge => text(lang, "web-photo-bad", &[]),
        ErrorCode::TooManyRequests => text(
            lang,
            "web-too-many-reports",
            &[(
                "minutes",
                e.retry_after.unwrap_or(60).div_ceil(60).to_string(),
            )],
        ),
        _ => e.message.clone(),
    };
    let mut res = page::message(
        st,
        e.status,
        lang,
        &heading,
        &body,
        Some(("/report", &text(lang, "web-nav-report", &[]))),
    );
    if let Some(s) = e.retry_after {
        res.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, s.into());
    }
    res
}

/// What the citizen reads about a photo that was refused: the specific reason in English, a
/// plain explanation in Urdu and Sindhi.
fn photo_error(lang: Lang, e: &ApiError) -> String {
    if lang == Lang::En {
        e.fields
            .get("photo")
            .cloned()
            .unwrap_or_else(|| e.message.clone())
    } else {
        text(lang, "web-photo-bad", &[])
    }
}

/// `POST /report`: one round of the form.
pub(crate) async fn submit(
    State(st): State<AppState>,
    client: crate::client::ClientIp,
    headers: HeaderMap,
    q: QueryPairs,
    req: Request,
) -> Response {
    let (query_lang, _) = page::language(&headers, &q);
    let posted = match form::read(req).await {
        Ok(p) => p,
        Err(e) => return failure(&st, query_lang, e),
    };
    let lang = posted
        .get("language")
        .and_then(Lang::parse)
        .unwrap_or(query_lang);
    let token = posted.get("form_token").unwrap_or("").to_string();
    if !page::token_ok(&headers, &token) {
        let heading = text(lang, "web-error-page", &[]);
        return page::message(
            &st,
            StatusCode::FORBIDDEN,
            lang,
            &heading,
            &text(lang, "web-form-expired", &[]),
            Some(("/report", &text(lang, "web-nav-report", &[]))),
        );
    }
    let mut s = FormState::from_posted(&posted, &token, lang);
    if let Some(bytes) = posted.photo.clone() {
        match photos::process(&st, bytes.clone()).await {
            Ok(p) => {
                // The place the photo was taken is read before re-encoding dropped it; it is
                // only proposed, and never stored.
                let found = tokio::task::spawn_blocking(move || photo::gps_position(&bytes))
                    .await
                    .ok()
                    .flatten();
                st.pending_photos.put(&token, p);
                if let Some((lat, lon)) = found.filter(|(la, lo)| served(&st, *la, *lo)) {
                    if !s.has_location() {
                        s.exif = Some((lat, lon));
                    }
                }
            }
            Err(e) => {
                s.errors.insert("photo".into(), photo_error(lang, &e));
            }
        }
    }
    s.photo_kept = st.pending_photos.has(&token);
    if let Some(reference) = posted.get("voice") {
        return voice(&st, lang, &mut s, reference, client).await;
    }
    let mut step = posted.get("step").unwrap_or("send").to_string();
    if let Some((lat, lon)) = posted
        .get("use_exif")
        .and_then(|v| v.split_once(','))
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
    {
        (s.lat, s.lon) = (Some(lat), Some(lon));
        step = "place".into();
    }
    if posted.get("clear_point").is_some() {
        (s.lat, s.lon) = (None, None);
        step = "place".into();
    }
    if let (Some(x), Some(y), Some(d)) = (
        posted.get("map.x").and_then(|v| v.parse::<f64>().ok()),
        posted.get("map.y").and_then(|v| v.parse::<f64>().ok()),
        posted.get("map_district"),
    ) {
        if let Some(p) = map::projection(&st.geo, d) {
            let (lat, lon) = p.point(x, y);
            (s.lat, s.lon) = (Some(lat), Some(lon));
            s.map = Some(d.to_string());
            step = "place".into();
        }
    }
    if step == "map" {
        match s.chosen_district(&st) {
            Some(d) => s.map = Some(d),
            None => {
                s.errors
                    .insert("district".into(), text(lang, "web-choose-district", &[]));
            }
        }
    }
    if step != "send" || s.exif.is_some() {
        s.look_nearby(&st, lang).await;
        return form_page(&st, StatusCode::OK, &s, lang, &[]);
    }
    send(&st, lang, s, client).await
}

/// Whether a point lies in a district Sahulat serves.
fn served(st: &AppState, lat: f64, lon: f64) -> bool {
    st.geo
        .locate(lat, lon)
        .and_then(|p| st.catalogue.district(&p.district))
        .is_some_and(|d| d.accepts_requests)
}

async fn send(
    st: &AppState,
    lang: Lang,
    mut s: FormState,
    client: crate::client::ClientIp,
) -> Response {
    let new = match s.draft(lang).validate_in(&st.catalogue, &st.geo, lang) {
        Ok(n) => n,
        Err(sahulat_domain::Error::Validation(fields)) => {
            s.errors.extend(fields);
            s.look_nearby(st, lang).await;
            return form_page(st, StatusCode::UNPROCESSABLE_ENTITY, &s, lang, &[]);
        }
        Err(e) => return failure(st, lang, ApiError::from(e)),
    };
    if !s.errors.is_empty() {
        return form_page(st, StatusCode::UNPROCESSABLE_ENTITY, &s, lang, &[]);
    }
    let asker = crate::abuse::Asker {
        address: client.0,
        phone: Some(s.phone.as_str()).filter(|p| !p.trim().is_empty()),
        api_key: None,
    };
    let admission = match crate::intake::admit(st, asker) {
        Ok(a) => a,
        Err(e) => return failure(st, lang, e),
    };
    let key = IdempotencyKey {
        scope: "web".into(),
        key: s.token.clone(),
        // The token alone decides: a form sent twice (even after an edit) makes one request.
        body_hash: "web-form".into(),
    };
    let render: Render = Arc::new(|r: &ServiceRequest| StoredResponse {
        status: 201,
        body: serde_json::json!({ "reference": r.reference }),
    });
    let outcome = match store_detached(st, new, Some(key), render).await {
        Ok(o) => o,
        Err(e) => return failure(st, lang, ApiError::from(e)),
    };
    if let CreateOutcome::Created(r, _) = &outcome {
        admission.charge(st);
        metrics::counter!("sahulat_requests_created_total", "channel" => "web").increment(1);
        if let Some(p) = st.pending_photos.take(&s.token) {
            if let Err(e) = photos::store_processed(st, r, &p, PhotoKind::Report, "citizen").await {
                tracing::warn!(error = %e.message, "the report's photo could not be stored");
            }
        }
    }
    let reference = outcome.response().body["reference"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Redirect::to(&format!("/report/done/{reference}?lang={}", lang.code())).into_response()
}

async fn voice(
    st: &AppState,
    lang: Lang,
    s: &mut FormState,
    reference: &str,
    client: crate::client::ClientIp,
) -> Response {
    let phone = match s.phone.is_empty() {
        true => None,
        false => match Phone::parse(&s.phone) {
            Ok(p) => Some(p),
            Err(e) => {
                s.errors.insert("phone".into(), e.message(lang));
                s.look_nearby(st, lang).await;
                return form_page(st, StatusCode::UNPROCESSABLE_ENTITY, s, lang, &[]);
            }
        },
    };
    let r = match by_reference(st, reference).await {
        Ok(r) => r,
        Err(e) => return failure(st, lang, e),
    };
    let sms = phone.is_some();
    match add_voice(
        st,
        &r,
        phone,
        lang,
        Channel::Web,
        Some(s.token.clone()),
        client.0,
    )
    .await
    {
        Ok((target, outcome)) => {
            let count = match outcome {
                VoiceOutcome::Added { reporters, .. } | VoiceOutcome::Existing { reporters } => {
                    reporters
                }
                VoiceOutcome::NotOpen => target.reporters,
            };
            page::render(
                st,
                StatusCode::OK,
                "web/voice.html",
                lang,
                &format!("/track/{}", target.reference),
                context! {
                    reference => target.reference.clone(), grouped => grouped(&target.reference),
                    count => count, sms => sms,
                },
                &[],
            )
        }
        Err(e) if e.code == ErrorCode::NotOpen => {
            let heading = text(lang, "web-voice-title", &[]);
            page::message(
                st,
                StatusCode::CONFLICT,
                lang,
                &heading,
                &text(lang, "web-voice-closed", &[]),
                Some(("/report", &text(lang, "web-nav-report", &[]))),
            )
        }
        Err(e) => failure(st, lang, e),
    }
}

/// `GET /report/done/{reference}`: the confirmation, with the reference in large type and
/// what happens next.
pub(crate) async fn done(
    State(st): State<AppState>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, _) = page::language(&headers, &q);
    let r = match Reference::parse(&reference) {
        Ok(x) => st.store.request_by_reference(x.as_str()).await,
        Err(_) => Ok(None),
    };
    let r = match r {
        Ok(Some(r)) => r,
        Ok(None) => {
            let heading = text(lang, "web-error-page", &[]);
            return page::message(
                &st,
                StatusCode::NOT_FOUND,
                lang,
                &heading,
                &text(lang, "web-not-found", &[]),
                None,
            );
        }
        Err(e) => return failure(&st, lang, ApiError::from(e)),
    };
    let cat = &st.catalogue;
    let due = r
        .sla_due_at
        .filter(|_| r.status.is_open() && r.status != Status::Submitted);
    let dept = due
        .and(r.department.as_deref())
        .and_then(|d| cat.department(d))
        .map(|d| d.names.get(lang).to_string());
    let hours = cat
        .service(&r.service_code)
        .map(|s| s.sla_hours.for_priority(r.priority))
        .unwrap_or(72);
    let duplicate =
        (r.status == Status::Duplicate).then(|| text(lang, "web-explain-duplicate", &[]));
    let sms = matches!(st.store.contact(r.id).await, Ok(Some(c)) if c.phone.is_some());
    page::render(
        &st,
        StatusCode::OK,
        "web/done.html",
        lang,
        &format!("/report/done/{}", r.reference),
        context! {
            reference => r.reference.clone(), grouped => grouped(&r.reference),
            dept => dept, due => due.map(sahulat_domain::i18n::pkt_date),
            hours => hours, sms => sms, duplicate => duplicate,
        },
        &[],
    )
}

/// `GET /report/nearby?service=&lat=&lon=`: the "already reported nearby?" fragment the
/// report page's script puts in place after a tap or a located point.
pub(crate) async fn nearby_fragment(
    State(st): State<AppState>,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, _) = page::language(&headers, &q);
    let num = |n: &str| q.get(n).and_then(|v| v.parse::<f64>().ok());
    let list = match (q.get("service"), num("lat"), num("lon")) {
        (Some(s), Some(lat), Some(lon)) if st.catalogue.service(s).is_some() => {
            nearby(&st, s, lat, lon, lang).await
        }
        _ => Vec::new(),
    };
    page::render(
        &st,
        StatusCode::OK,
        "web/nearby.html",
        lang,
        "/report",
        context! { nearby => list },
        &[],
    )
}
