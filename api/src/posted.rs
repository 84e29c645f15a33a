//! What a citizen form posted: its fields and, from a `multipart/form-data` form, the photo.
//! A plain form (`application/x-www-form-urlencoded`) works the same without the photo.

use crate::error::{ApiError, ErrorCode};
use crate::extract::{body_bytes, QueryPairs, BODY_LIMIT};
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use sahulat_domain::photo::MAX_UPLOAD_BYTES;

/// A posted citizen form.
#[derive(Debug, Default)]
pub(crate) struct Posted {
    /// Every field but the photo, in order (repeated names kept: multi-choice questions).
    pub fields: Vec<(String, String)>,
    /// The photo's bytes, when a file was chosen.
    pub photo: Option<Bytes>,
}

impl Posted {
    /// A field's first value, trimmed; `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Reads a form post (multipart with an optional `photo` part, or urlencoded).
pub(crate) async fn read(req: Request) -> Result<Posted, ApiError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let raw = body_bytes(req, BODY_LIMIT).await?;
        let q = QueryPairs::parse(&raw).map_err(ApiError::bad_request)?;
        return Ok(Posted {
            fields: q.0,
            photo: None,
        });
    }
    let mut m = Multipart::from_request(req, &())
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?;
    let mut out = Posted::default();
    let too_large = || {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "photo: the form is larger than {} MB; send a smaller photo",
                MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
        )
    };
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status().as_u16() == 413 => return Err(too_large()),
            Err(e) => return Err(ApiError::bad_request(e.body_text())),
        };
        let name = field.name().unwrap_or("").to_string();
        let is_file = field.file_name().is_some();
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status().as_u16() == 413 => return Err(too_large()),
            Err(e) => return Err(ApiError::bad_request(e.body_text())),
        };
        if is_file || name == "photo" || name == "media" {
            if !bytes.is_empty() {
                if bytes.len() > MAX_UPLOAD_BYTES {
                    return Err(too_large());
                }
                out.photo = Some(bytes);
            }
        } else {
            out.fields
                .push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(out)
}
