//! The track page (`/track`, `/track/{reference}`): a reference typed with or without spaces
//! (a typing mistake is caught by the check digit and said so) shows the status in plain
//! words, the department, the due date, the public history in the citizen's language and the
//! public photos; the reporter (or someone who added their voice) reopens, rates or adds a
//! photo from it, proving it with their mobile number exactly as the API does.

use super::page::{self, grouped};
use crate::access::{proven, public_photo};
use crate::citizen::{rate_proven, reopen_proven};
use crate::error::{ApiError, ErrorCode};
use crate::extract::QueryPairs;
use crate::photos;
use crate::posted as form;
use crate::state::AppState;
use crate::views::public_view;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Value;
use sahulat_domain::citizen::{self, Rating};
use sahulat_domain::effects::history_text;
use sahulat_domain::i18n::{pkt_date, text};
use sahulat_domain::lang::Lang;
use sahulat_domain::phone::Phone;
use sahulat_domain::photo::PhotoKind;
use sahulat_domain::reference::{Reference, ReferenceError};
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::Status;
use sahulat_store::UpdateQuery;

fn frame(
    st: &AppState,
    status: StatusCode,
    lang: Lang,
    here: &str,
    ctx: Value,
    cookies: &[String],
) -> Response {
    page::render(st, status, "web/track.html", lang, here, ctx, cookies)
}

fn reference_error(lang: Lang, e: &ReferenceError) -> String {
    match e {
        ReferenceError::CheckDigit => text(lang, "web-track-typo", &[]),
        _ => text(lang, "web-track-shape", &[]),
    }
}

/// `GET /track` (and `?ref=` from its form).
pub(crate) async fn form_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, lang_cookie) = page::language(&headers, &q);
    let cookies: Vec<String> = lang_cookie.into_iter().collect();
    match q.get("ref") {
        None => frame(&st, StatusCode::OK, lang, "/track", context! {}, &cookies),
        Some(typed) => match Reference::parse(typed) {
            Ok(r) => {
                Redirect::to(&format!("/track/{}?lang={}", r.as_str(), lang.code())).into_response()
            }
            Err(e) => frame(
                &st,
                StatusCode::BAD_REQUEST,
                lang,
                "/track",
                context! { typed => typed, ref_error => reference_error(lang, &e) },
                &cookies,
            ),
        },
    }
}

/// `GET /track/{reference}`.
pub(crate) async fn show(
    State(st): State<AppState>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, lang_cookie) = page::language(&headers, &q);
    let cookies: Vec<String> = lang_cookie.into_iter().collect();
    let flash = q.get("done").map(|d| text(lang, &format!("web-{d}"), &[]));
    render(&st, &headers, lang, &reference, flash, None, &cookies).await
}

async fn render(
    st: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    typed: &str,
    flash: Option<String>,
    error: Option<(StatusCode, String)>,
    cookies: &[String],
) -> Response {
    let here = format!("/track/{}", typed.trim());
    let reference = match Reference::parse(typed) {
        Ok(r) => r,
        Err(e) => {
            return frame(
                st,
                StatusCode::BAD_REQUEST,
                lang,
                "/track",
                context! { typed => typed, ref_error => reference_error(lang, &e) },
                cookies,
            )
        }
    };
    let r = match st.store.request_by_reference(reference.as_str()).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            return frame(
                st,
                StatusCode::NOT_FOUND,
                lang,
                "/track",
                context! { typed => reference.grouped(),
                ref_error => text(lang, "web-track-unknown", &[("ref", reference.grouped())]) },
                cookies,
            )
        }
        Err(e) => {
            let e = ApiError::from(e);
            return page::message(
                st,
                e.status,
                lang,
                &text(lang, "web-error-page", &[]),
                &e.message,
                None,
            );
        }
    };
    let (token, form_cookie) = page::form_token(headers);
    let mut cookies = cookies.to_vec();
    cookies.extend(form_cookie);
    let ctx = match report(st, &r, lang, &token).await {
        Ok(c) => c,
        Err(e) => {
            return page::message(
                st,
                e.status,
                lang,
                &text(lang, "web-error-page", &[]),
                &e.message,
                None,
            )
        }
    };
    let (status, error) = match error {
        Some((s, e)) => (s, Some(e)),
        None => (StatusCode::OK, None),
    };
    frame(
        st,
        status,
        lang,
        &here,
        context! { r => ctx, typed => reference.grouped(), flash => flash, error => error, form_token => token },
        &cookies,
    )
}

/// The report as the track page shows it.
async fn report(
    st: &AppState,
    r: &ServiceRequest,
    lang: Lang,
    token: &str,
) -> Result<Value, ApiError> {
    let cat = &st.catalogue;
    let rejected = r.status == Status::Rejected;
    let now = st.clock.now();
    let history: Vec<Value> = if rejected {
        Vec::new()
    } else {
        st.store
            .list_updates(&UpdateQuery {
                reference: Some(r.reference.clone()),
                limit: 200,
                ..Default::default()
            })
            .await?
            .into_iter()
            .map(|u| {
                context! {
                    at => pkt_date(u.created_at),
                    text => history_text(cat, lang, &u.description, u.message.as_ref()),
                }
            })
            .collect()
    };
    let photos: Vec<Value> = if rejected {
        Vec::new()
    } else {
        st.store
            .photos(r.id)
            .await?
            .iter()
            .filter(|p| public_photo(p, r))
            .map(|p| {
                let v = public_view(p, "/media");
                context! { url => v.url, thumb => v.thumbnail_url }
            })
            .collect()
    };
    let place = r
        .tehsil
        .as_deref()
        .and_then(|t| cat.tehsil(t))
        .map(|t| t.names.get(lang).to_string())
        .or_else(|| {
            cat.district(&r.district)
                .map(|d| d.names.get(lang).to_string())
        })
        .unwrap_or_default();
    let closed_within = r
        .closed_at
        .is_some_and(|c| citizen::within_window(st.settings.reopen_days, c, now));
    let reopenable = matches!(
        r.status,
        Status::Resolved | Status::ClosedNotFixed | Status::NotResponsible
    ) && closed_within;
    let ratable = matches!(
        r.status,
        Status::Resolved | Status::ClosedNotFixed | Status::NotResponsible
    );
    let routed = r.status != Status::Submitted;
    Ok(context! {
        reference => r.reference.clone(),
        grouped => grouped(&r.reference),
        service => cat.service(&r.service_code).map(|s| s.names.get(lang).to_string()).unwrap_or_default(),
        rejected => rejected,
        status => text(lang, &format!("status-{}", r.status.as_str()), &[]),
        explain => text(lang, &format!("web-explain-{}", r.status.as_str()), &[]),
        place => place,
        department => routed.then(|| r.department.as_deref().and_then(|d| cat.department(d))
            .map(|d| d.names.get(lang).to_string())).flatten(),
        due => r.sla_due_at.filter(|_| r.status.is_open()).map(pkt_date),
        description => r.public_text().map(str::to_string),
        history => history,
        photos => photos,
        can_act => !rejected,
        reopenable => reopenable,
        ratable => ratable,
        form_token => token,
    })
}

/// What the citizen reads when a reopen, rating or photo is refused.
fn refusal_text(lang: Lang, e: &ApiError) -> String {
    let t = |id: &str| text(lang, id, &[]);
    match e.code {
        ErrorCode::NoPhoneOnRecord => t("web-no-phone"),
        ErrorCode::NotTheReporter => t("web-wrong-phone"),
        ErrorCode::TooManyAttempts => text(
            lang,
            "web-too-many-tries",
            &[(
                "minutes",
                e.retry_after
                    .map(|s| s.div_ceil(60))
                    .unwrap_or(15)
                    .to_string(),
            )],
        ),
        ErrorCode::ReopenWindowPassed => t("web-window-passed"),
        ErrorCode::IllegalTransition => t("web-not-reopenable"),
        ErrorCode::AlreadyRated => t("web-already-rated"),
        ErrorCode::NotClosed => t("web-not-closed"),
        ErrorCode::Conflict => t("web-changed"),
        ErrorCode::TooManyPhotos => t("web-too-many-photos"),
        ErrorCode::Rejected => t("web-rejected"),
        ErrorCode::ValidationFailed if e.fields.contains_key("reason") => t("web-reason-required"),
        ErrorCode::ValidationFailed if e.fields.contains_key("rating") => t("web-rating-required"),
        ErrorCode::ValidationFailed if e.fields.contains_key("comment") => t("web-comment-long"),
        ErrorCode::ValidationFailed if e.fields.contains_key("photo") && lang != Lang::En => {
            t("web-photo-bad")
        }
        _ => e
            .fields
            .values()
            .next()
            .cloned()
            .unwrap_or_else(|| e.message.clone()),
    }
}

/// Which action a track-page form takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act {
    /// Reopen.
    Reopen,
    /// Rate.
    Rate,
    /// Add a photo.
    Photo,
}

/// `POST /track/{reference}/{reopen|rating|photo}`.
pub(crate) async fn act(
    st: AppState,
    act: Act,
    reference: String,
    headers: HeaderMap,
    q: QueryPairs,
    req: Request,
) -> Response {
    let (lang, _) = page::language(&headers, &q);
    let posted = match form::read(req).await {
        Ok(p) => p,
        Err(e) => {
            let msg = refusal_text(lang, &e);
            return render(
                &st,
                &headers,
                lang,
                &reference,
                None,
                Some((e.status, msg)),
                &[],
            )
            .await;
        }
    };
    if !page::token_ok(&headers, posted.get("form_token").unwrap_or("")) {
        let msg = text(lang, "web-form-expired", &[]);
        return render(
            &st,
            &headers,
            lang,
            &reference,
            None,
            Some((StatusCode::FORBIDDEN, msg)),
            &[],
        )
        .await;
    }
    let phone = posted.get("phone").unwrap_or("");
    if let Err(e) = Phone::parse(phone) {
        return render(
            &st,
            &headers,
            lang,
            &reference,
            None,
            Some((StatusCode::UNPROCESSABLE_ENTITY, e.message(lang))),
            &[],
        )
        .await;
    }
    let outcome: Result<&str, ApiError> = async {
        let p = proven(&st, &reference, phone).await?;
        match act {
            Act::Reopen => {
                reopen_proven(&st, &p, posted.get("reason").unwrap_or("")).await?;
                Ok("reopened")
            }
            Act::Rate => {
                let rating = posted
                    .get("rating")
                    .and_then(|r| r.parse::<i64>().ok())
                    .unwrap_or(0);
                let rating = Rating::new(rating)?;
                let comment = citizen::comment(posted.get("comment"))?;
                let (reopened, _) = rate_proven(&st, &p, rating, comment, "web").await?;
                Ok(if reopened { "rated-reopened" } else { "rated" })
            }
            Act::Photo => {
                let bytes = posted.photo.clone().ok_or_else(|| {
                    ApiError::from(sahulat_domain::Error::field(
                        "photo",
                        "choose a photo to add",
                    ))
                })?;
                if p.reporter.status == Status::Rejected {
                    return Err(ApiError::new(ErrorCode::Rejected, "rejected"));
                }
                photos::attach(&st, &p.reporter, bytes, PhotoKind::Report, "citizen").await?;
                Ok("photo-added")
            }
        }
    }
    .await;
    match outcome {
        Ok(done) => Redirect::to(&format!(
            "/track/{}?lang={}&done={done}",
            reference.trim(),
            lang.code()
        ))
        .into_response(),
        Err(e) => {
            let msg = refusal_text(lang, &e);
            render(
                &st,
                &headers,
                lang,
                &reference,
                None,
                Some((e.status, msg)),
                &[],
            )
            .await
        }
    }
}
