//! Photos over HTTP: the reporter adds pictures to their request (proof: the phone number,
//! as for reopening), staff add pictures of the work and hide a picture from the public,
//! and `/media/` serves the processed JPEGs. Decoding and shrinking run on a blocking thread;
//! the files are written before the row and removed again if the row is not written, so a
//! failed upload leaves nothing behind that a reader could see.

use crate::access::{no_evaluators, proven, public_photo, visible};
use crate::auth::Signed;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::extract::{body_bytes, JsonBody, PathParam};
use crate::state::AppState;
use crate::views::{photo_files, public_view, PhotoView};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::photo::{self, PhotoKind, ProcessedPhoto, MAX_PER_KIND};
use sahulat_domain::request::ServiceRequest;
use sahulat_store::{NewPhoto, Photo, PhotoOutcome};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use utoipa::ToSchema;

/// Body limit of the upload routes: the largest picture plus form overhead.
pub const UPLOAD_LIMIT: usize = photo::MAX_UPLOAD_BYTES + 64 * 1024;

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/requests/{reference}/photos",
            post(citizen_upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/staff/tickets/{reference}/photos",
            post(staff_upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/staff/tickets/{reference}/photos/{id}/visibility",
            post(set_visibility),
        )
}

pub(crate) fn media_routes() -> Router<AppState> {
    Router::new().route("/media/{file}", get(public_media))
}

fn path_of(st: &AppState, name: &str) -> PathBuf {
    st.settings.media_dir.join(&name[..2]).join(name)
}

async fn write_files(st: &AppState, p: &ProcessedPhoto) -> Result<String, ApiError> {
    let file = st.ids.token();
    let (big, small) = photo_files(&file);
    for (name, bytes) in [(&big, &p.display), (&small, &p.thumb)] {
        let path = path_of(st, name);
        let tmp = path.with_extension("part");
        let write = async {
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, &path).await
        };
        if let Err(e) = write.await {
            remove_files(st, &file).await;
            return Err(ApiError::from(sahulat_domain::Error::Internal(
                anyhow::anyhow!("writing photo {}: {e}", path.display()),
            )));
        }
    }
    Ok(file)
}

async fn remove_files(st: &AppState, file: &str) {
    let (big, small) = photo_files(file);
    for name in [big, small] {
        let _ = tokio::fs::remove_file(path_of(st, &name)).await;
    }
}

fn too_many() -> ApiError {
    ApiError::new(
        ErrorCode::TooManyPhotos,
        format!("this request already has {MAX_PER_KIND} photos of this kind, the most allowed"),
    )
}

/// Processes and records one upload for `r`; `Ok((photo, created))`. The whole pipeline runs
/// in a task of its own, so a client hanging up cannot leave files without a row or a row
/// half-written.
pub(crate) async fn attach(
    st: &AppState,
    r: &ServiceRequest,
    bytes: axum::body::Bytes,
    kind: PhotoKind,
    by: &str,
) -> Result<(Photo, bool), ApiError> {
    if bytes.len() > photo::MAX_UPLOAD_BYTES {
        return Err(crate::extract::too_large(photo::MAX_UPLOAD_BYTES));
    }
    let (st, r, by) = (st.clone(), r.clone(), by.to_string());
    tokio::spawn(async move { attach_detached(&st, &r, bytes, kind, &by).await })
        .await
        .map_err(|e| {
            ApiError::from(sahulat_domain::Error::Internal(anyhow::anyhow!(
                "photo task: {e}"
            )))
        })?
}

async fn attach_detached(
    st: &AppState,
    r: &ServiceRequest,
    bytes: axum::body::Bytes,
    kind: PhotoKind,
    by: &str,
) -> Result<(Photo, bool), ApiError> {
    // The cheap checks first: a retry or a full request costs no decoding.
    let sha = hex::encode(Sha256::digest(&bytes));
    match st.store.photo_slot(r.id, kind, &sha).await? {
        (Some(p), _) => return Ok((p, false)),
        (None, n) if n >= MAX_PER_KIND => return Err(too_many()),
        _ => {}
    }
    let processed = process(st, bytes).await?;
    store_processed(st, r, &processed, kind, by).await
}

/// Decodes, turns, shrinks and re-encodes an upload on a blocking thread, at most as many at
/// once as there are cores (each may hold ~250 MB).
pub(crate) async fn process(
    st: &AppState,
    bytes: axum::body::Bytes,
) -> Result<ProcessedPhoto, ApiError> {
    let _permit = st
        .photo_permits
        .acquire()
        .await
        .map_err(|e| sahulat_domain::Error::Internal(anyhow::anyhow!("photo permits: {e}")))?;
    Ok(tokio::task::spawn_blocking(move || photo::process(&bytes))
        .await
        .map_err(|e| {
            ApiError::from(sahulat_domain::Error::Internal(anyhow::anyhow!(
                "photo task: {e}"
            )))
        })??)
}

/// Writes a processed photo's files and its row (the files are removed again if the row is
/// not written): `(photo, created)`.
pub(crate) async fn store_processed(
    st: &AppState,
    r: &ServiceRequest,
    processed: &ProcessedPhoto,
    kind: PhotoKind,
    by: &str,
) -> Result<(Photo, bool), ApiError> {
    let file = write_files(st, processed).await?;
    let new = NewPhoto {
        request_id: r.id,
        file: file.clone(),
        source_sha256: processed.source_sha256.clone(),
        kind,
        width: processed.width,
        height: processed.height,
        bytes: processed.display.len() as i64,
        uploaded_by: by.to_string(),
        entry: HistoryEntry::internal(
            r.status,
            by,
            format!("photo added ({}×{})", processed.width, processed.height),
        ),
    };
    match st.store.add_photo(&new, MAX_PER_KIND, st.clock.now()).await {
        Ok(PhotoOutcome::Stored(p)) => {
            metrics::counter!("sahulat_photos_total", "kind" => kind.as_str()).increment(1);
            Ok((p, true))
        }
        Ok(PhotoOutcome::Existing(p)) => {
            remove_files(st, &file).await;
            Ok((p, false))
        }
        Ok(PhotoOutcome::TooMany) => {
            remove_files(st, &file).await;
            Err(too_many())
        }
        Err(e) => {
            remove_files(st, &file).await;
            Err(ApiError::from(e))
        }
    }
}

fn picture_body(headers: &HeaderMap) -> Result<(), ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ok = ct.starts_with("image/") || ct.starts_with("application/octet-stream");
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::UnsupportedMediaType,
            format!("send the picture itself as the body with Content-Type image/jpeg, image/png or image/webp (got {ct:?})"),
        ))
    }
}

fn answer(p: &Photo, created: bool, base: &str) -> Response {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(public_view(p, base))).into_response()
}

/// Add a photo to your own request (the body is the picture; `X-Reporter-Phone` is the number
/// the request was made with).
#[utoipa::path(post, path = "/api/v1/requests/{reference}/photos", tag = "requests",
    params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference"), ("X-Reporter-Phone" = inline(crate::openapi_types::PhoneText), Header, description = "The mobile number the request was made with")),
    request_body(content((inline(crate::openapi_types::Picture) = "image/jpeg"), (inline(crate::openapi_types::Picture) = "image/png"), (inline(crate::openapi_types::Picture) = "image/webp"), (inline(crate::openapi_types::Picture) = "application/octet-stream")), description = "The picture itself: a JPEG, PNG or WebP, at most 10 MB and 50 megapixels (any `image/…` content type, or `application/octet-stream`); camera metadata (GPS) is removed"),
    responses(
        (status = 201, body = PhotoView), (status = 200, description = "The same picture was already added (a retry)", body = PhotoView),
        (status = 400, description = "Not a reference or a digit is mistyped (`fields.reference`), or the body could not be read", body = ErrorEnvelope),
        (status = 403, description = "Not the phone number the report was made with (`not_the_reporter`), or the report has none (`no_phone_on_record`)", body = ErrorEnvelope),
        (status = 404, description = "No request has this reference", body = ErrorEnvelope),
        (status = 409, description = "Already five photos from the reporter (`too_many_photos`), or the report was rejected (`rejected`)", body = ErrorEnvelope),
        (status = 413, description = "Over 10 MB", body = ErrorEnvelope),
        (status = 415, description = "Not an `image/…` or `application/octet-stream` body", body = ErrorEnvelope),
        (status = 422, description = "`X-Reporter-Phone` missing or not a mobile number, or not a picture, damaged, or too many pixels (`fields.photo` says which)", body = ErrorEnvelope),
        (status = 429, description = "Too many wrong phone numbers for this report (`Retry-After`)", body = ErrorEnvelope),
    ))]
pub(crate) async fn citizen_upload(
    State(st): State<AppState>,
    PathParam(reference): PathParam<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let headers = req.headers().clone();
    picture_body(&headers)?;
    let phone = headers
        .get("x-reporter-phone")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::from(sahulat_domain::Error::field(
                "X-Reporter-Phone",
                "send the mobile number the request was made with in this header",
            ))
        })?
        .to_string();
    let reporter = proven(&st, &reference, &phone).await?.reporter;
    if reporter.status == sahulat_domain::status::Status::Rejected {
        return Err(ApiError::new(
            ErrorCode::Rejected,
            "this report was rejected as spam or abuse; photos cannot be added to it",
        ));
    }
    let bytes = body_bytes(req, photo::MAX_UPLOAD_BYTES).await?;
    let (p, created) = attach(&st, &reporter, bytes, PhotoKind::Report, "citizen").await?;
    Ok(answer(&p, created, "/media"))
}

/// Add a photo to a ticket in your queue (for example of the finished repair).
#[utoipa::path(post, path = "/api/v1/staff/tickets/{reference}/photos", tag = "staff", params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference")),
    request_body(content((inline(crate::openapi_types::Picture) = "image/jpeg"), (inline(crate::openapi_types::Picture) = "image/png"), (inline(crate::openapi_types::Picture) = "image/webp"), (inline(crate::openapi_types::Picture) = "application/octet-stream")), description = "The picture itself: a JPEG, PNG or WebP, at most 10 MB and 50 megapixels (any `image/…` content type, or `application/octet-stream`); camera metadata (GPS) is removed"),
    responses((status = 201, body = PhotoView), (status = 200, description = "The same picture was already added (a retry)", body = PhotoView),
        (status = 400, description = "Not a reference or a digit is mistyped (`fields.reference`), or the body could not be read", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope), (status = 403, description = "Evaluators have no tickets (`forbidden`)", body = ErrorEnvelope),
        (status = 404, description = "No such ticket in your queue", body = ErrorEnvelope),
        (status = 409, description = "Already five photos from staff (`too_many_photos`)", body = ErrorEnvelope),
        (status = 413, description = "Over 10 MB", body = ErrorEnvelope),
        (status = 415, description = "Not an `image/…` or `application/octet-stream` body", body = ErrorEnvelope),
        (status = 422, description = "Not a picture, damaged, or too many pixels (`fields.photo`)", body = ErrorEnvelope)))]
pub(crate) async fn staff_upload(
    State(st): State<AppState>,
    signed: Signed,
    PathParam(reference): PathParam<String>,
    req: Request,
) -> Result<Response, ApiError> {
    picture_body(req.headers())?;
    let actor = no_evaluators(&signed)?;
    let r = visible(&st, &actor, &reference).await?;
    let bytes = body_bytes(req, photo::MAX_UPLOAD_BYTES).await?;
    let (p, created) = attach(&st, &r, bytes, PhotoKind::Staff, &signed.user.username).await?;
    Ok(answer(&p, created, "/staff/media"))
}

/// Hide a photo from the public (faces, number plates, a home) or show it again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisibilityRequest {
    /// true hides it from the public pages and API; staff still see it.
    pub hidden: bool,
}

/// Hide or show a photo of a ticket in your queue.
#[utoipa::path(post, path = "/api/v1/staff/tickets/{reference}/photos/{id}/visibility", tag = "staff",
    params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference"), ("id" = i64, Path, description = "The photo's id")), request_body = VisibilityRequest,
    responses((status = 204, description = "Done; audited"),
        (status = 400, description = "Not a reference or a digit is mistyped, `id` is not a whole number, or the body is not JSON", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope), (status = 403, description = "Evaluators have no tickets (`forbidden`)", body = ErrorEnvelope),
        (status = 404, description = "No such ticket in your queue, or no such photo of it", body = ErrorEnvelope),
        (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope), (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 422, description = "`hidden` missing or not a boolean", body = ErrorEnvelope)))]
pub(crate) async fn set_visibility(
    State(st): State<AppState>,
    signed: Signed,
    PathParam((reference, id)): PathParam<(String, i64)>,
    body: JsonBody<VisibilityRequest>,
) -> Result<StatusCode, ApiError> {
    hide(&st, &signed, &reference, id, body.value.hidden).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shared by the API and the pages.
pub(crate) async fn hide(
    st: &AppState,
    signed: &Signed,
    reference: &str,
    id: i64,
    hidden: bool,
) -> Result<ServiceRequest, ApiError> {
    let actor = no_evaluators(signed)?;
    let r = visible(st, &actor, reference).await?;
    let entry = HistoryEntry::internal(
        r.status,
        &signed.user.username,
        format!(
            "photo {id} {}",
            if hidden {
                "hidden from the public"
            } else {
                "shown to the public"
            }
        ),
    );
    if !st
        .store
        .set_photo_hidden(r.id, id, hidden, &entry, st.clock.now())
        .await?
    {
        return Err(ApiError::not_found(format!("photo {id} of this ticket")));
    }
    Ok(r)
}

/// Splits `abc….jpg` / `abc…_t.jpg` into the stem, refusing anything else (no paths).
pub(crate) fn stem(name: &str) -> Option<&str> {
    let base = name.strip_suffix(".jpg")?;
    let base = base.strip_suffix("_t").unwrap_or(base);
    (base.len() == 32 && base.bytes().all(|b| b.is_ascii_hexdigit())).then_some(base)
}

/// Reads a media file; the caller has decided the viewer may see it. A file never changes
/// under its name, so the name is its ETag and a revalidation is answered 304 without a body.
pub(crate) async fn serve_file(
    st: &AppState,
    name: &str,
    cache: &'static str,
    headers: &HeaderMap,
) -> Response {
    let etag = format!("\"{}\"", name.trim_end_matches(".jpg"));
    let common = |etag: &str| {
        [
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::ETAG,
                HeaderValue::from_str(etag).unwrap_or(HeaderValue::from_static("\"x\"")),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ]
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            // Weak comparison (RFC 9110 §13.1.2): `W/` is ignored, `*` matches any.
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
        });
    if matches {
        return (StatusCode::NOT_MODIFIED, common(&etag)).into_response();
    }
    match tokio::fs::read(path_of(st, name)).await {
        Ok(bytes) => (
            common(&etag),
            [(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"))],
            bytes,
        )
            .into_response(),
        Err(_) => ApiError::not_found("photo").into_response(),
    }
}

async fn public_media(
    State(st): State<AppState>,
    PathParam(name): PathParam<String>,
    headers: HeaderMap,
) -> Response {
    let not_found = || ApiError::not_found("photo").into_response();
    let Some(file) = stem(&name) else {
        return not_found();
    };
    let p = match st.store.photo_by_file(file).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    match st.store.request_by_id(p.request_id).await {
        Ok(Some(r)) if public_photo(&p, &r) => {}
        Ok(_) => return not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    }
    // Revalidated every time (cheap: 304 by ETag), so hiding a photo takes effect at once.
    serve_file(&st, &name, "public, no-cache", &headers).await
}
