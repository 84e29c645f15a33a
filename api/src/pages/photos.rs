//! Photos on the staff pages: the pictures of a ticket (hidden ones too) served only to staff
//! who may see the ticket, an upload form (multipart, no JavaScript) and hide/show buttons.

use super::render::{forbidden, language, same};
use super::session::{posted, PageUser};
use super::ticket::after_form;
use crate::access::{no_evaluators, visible};
use crate::error::ApiError;
use crate::extract::QueryPairs;
use crate::photos::{attach, hide, serve_file, stem, UPLOAD_LIMIT};
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sahulat_domain::photo::PhotoKind;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/media/{file}", get(media))
        .route(
            "/staff/tickets/{reference}/photos",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/staff/tickets/{reference}/photos/{id}/visibility",
            post(visibility),
        )
}

/// A photo for staff: only if the viewer may see its ticket (hidden photos included).
async fn media(
    State(st): State<AppState>,
    user: PageUser,
    Path(name): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let not_found = || ApiError::not_found("photo").into_response();
    let Some(file) = stem(&name) else {
        return not_found();
    };
    let Ok(actor) = no_evaluators(&user.signed) else {
        return not_found();
    };
    let photo = match st.store.photo_by_file(file).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let ticket = match st.store.request_by_id(photo.request_id).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if visible(&st, &actor, &ticket.reference).await.is_err() {
        return not_found();
    }
    serve_file(&st, &name, "private, no-cache", &headers).await
}

async fn upload(
    State(st): State<AppState>,
    user: PageUser,
    Path(reference): Path<String>,
    req: Request,
) -> Response {
    let q = QueryPairs::parse(req.uri().query().unwrap_or("").as_bytes()).unwrap_or_default();
    let (lang, _) = language(req.headers(), &q);
    let mut multipart = match Multipart::from_request(req, &()).await {
        Ok(m) => m,
        Err(e) => {
            return ApiError::bad_request(format!("expected a file upload form: {e}"))
                .into_response()
        }
    };
    let (mut csrf_ok, mut picture) = (false, None);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => {
                    let v = field.text().await.unwrap_or_default();
                    csrf_ok = same(&v, &user.csrf);
                }
                Some("photo") if csrf_ok => match field.bytes().await {
                    Ok(b) => picture = Some(b),
                    Err(e) => return too_large_or_bad(e),
                },
                _ => {}
            },
            Ok(None) => break,
            Err(e) => return too_large_or_bad(e),
        }
    }
    if !csrf_ok {
        return forbidden(lang);
    }
    let done = async {
        let bytes = picture.filter(|b| !b.is_empty()).ok_or_else(|| {
            ApiError::from(sahulat_domain::Error::field(
                "photo",
                sahulat_domain::messages::text(lang, "page-photo-missing", &[]),
            ))
        })?;
        let r = visible(&st, &no_evaluators(&user.signed)?, &reference).await?;
        attach(&st, &r, bytes, PhotoKind::Staff, &user.signed.user.username).await?;
        Ok(r)
    }
    .await;
    after_form(&st, &user, lang, &reference, done).await
}

fn too_large_or_bad(e: axum::extract::multipart::MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        crate::extract::too_large(sahulat_domain::photo::MAX_UPLOAD_BYTES).into_response()
    } else {
        ApiError::bad_request(format!("could not read the upload: {e}")).into_response()
    }
}

async fn visibility(
    State(st): State<AppState>,
    user: PageUser,
    Path((reference, id)): Path<(String, i64)>,
    req: Request,
) -> Response {
    let (lang, f) = match posted(&user, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let hidden = f.get("hidden") == Some("true");
    let done = hide(&st, &user.signed, &reference, id, hidden).await;
    after_form(&st, &user, lang, &reference, done).await
}
