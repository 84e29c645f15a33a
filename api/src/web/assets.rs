//! The files the citizen pages load, served by Sahulat itself (no CDN, nothing external):
//! the stylesheet, the report page's script, and Leaflet (from npm, for the optional street
//! map). Compiled into the binary; cached for a year, the `?v=` version changes with them.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

macro_rules! files {
    ($($name:literal => $kind:literal),+ $(,)?) => {
        &[$(($name, $kind, include_bytes!(concat!("../../static/", $name)) as &[u8])),+]
    };
}

/// (path under `/static/`, content type, bytes).
const FILES: &[(&str, &str, &[u8])] = files!(
    "site.css" => "text/css; charset=utf-8",
    "report.js" => "text/javascript; charset=utf-8",
    "vendor/leaflet/leaflet.js" => "text/javascript; charset=utf-8",
    "vendor/leaflet/leaflet.css" => "text/css; charset=utf-8",
    "vendor/leaflet/LICENSE" => "text/plain; charset=utf-8",
    "vendor/leaflet/images/layers.png" => "image/png",
    "vendor/leaflet/images/layers-2x.png" => "image/png",
    "vendor/leaflet/images/marker-icon.png" => "image/png",
    "vendor/leaflet/images/marker-icon-2x.png" => "image/png",
    "vendor/leaflet/images/marker-shadow.png" => "image/png",
);

/// A short hash of every asset, for cache-busting `?v=`.
pub(crate) fn version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut h = Sha256::new();
        for (name, _, bytes) in FILES {
            h.update(name.as_bytes());
            h.update(bytes);
        }
        hex::encode(&h.finalize()[..6])
    })
}

/// `GET /static/{path}`.
pub(crate) async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some((_, kind, bytes)) = FILES.iter().find(|(name, _, _)| *name == path) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let etag = format!("\"{}\"", version());
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        })
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::ETAG,
                HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
            ),
        ],
        *bytes,
    )
        .into_response()
}
