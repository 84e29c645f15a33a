//! The photo half of the storage contract: rows for the processed pictures (the files live in
//! `SAHULAT_MEDIA_DIR`), at most a few per request, a retry of the same upload recognised by
//! its hash, and staff hiding a picture from the public (faces, number plates, homes).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::error::Result;
use sahulat_domain::photo::PhotoKind;
use std::collections::HashMap;

/// A processed photo to record.
#[derive(Debug, Clone)]
pub struct NewPhoto {
    /// The request.
    pub request_id: i64,
    /// Random file stem (`{file}.jpg`, `{file}_t.jpg`).
    pub file: String,
    /// SHA-256 of the uploaded bytes.
    pub source_sha256: String,
    /// Citizen's or staff's.
    pub kind: PhotoKind,
    /// Display width.
    pub width: u32,
    /// Display height.
    pub height: u32,
    /// Display file size.
    pub bytes: i64,
    /// `citizen` or the staff username.
    pub uploaded_by: String,
    /// Internal history entry.
    pub entry: HistoryEntry,
}

/// A stored photo.
#[derive(Debug, Clone)]
pub struct Photo {
    /// Row id.
    pub id: i64,
    /// The request.
    pub request_id: i64,
    /// File stem.
    pub file: String,
    /// Citizen's or staff's.
    pub kind: PhotoKind,
    /// Display width.
    pub width: u32,
    /// Display height.
    pub height: u32,
    /// Display file size.
    pub bytes: i64,
    /// Who added it.
    pub uploaded_by: String,
    /// Hidden from the public by staff.
    pub hidden: bool,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// What became of an upload.
#[derive(Debug, Clone)]
pub enum PhotoOutcome {
    /// Recorded.
    Stored(Photo),
    /// The same upload was recorded before (a retry); nothing new written.
    Existing(Photo),
    /// The request already has the most photos allowed of this kind.
    TooMany,
}

/// Photo rows.
#[async_trait]
pub trait Photos: Send + Sync {
    /// Records a photo unless it is a repeat or the request has `max` of its kind.
    async fn add_photo(&self, p: &NewPhoto, max: i64, now: DateTime<Utc>) -> Result<PhotoOutcome>;
    /// Before the costly decoding: the photo already stored from these bytes, if any, and how
    /// many photos of `kind` the request has.
    async fn photo_slot(
        &self,
        request_id: i64,
        kind: PhotoKind,
        source_sha256: &str,
    ) -> Result<(Option<Photo>, i64)>;
    /// A request's photos, oldest first (hidden ones included).
    async fn photos(&self, request_id: i64) -> Result<Vec<Photo>>;
    /// The first photo the public may see of each of these requests (request id → file stem).
    async fn first_public_photos(&self, request_ids: &[i64]) -> Result<HashMap<i64, String>>;
    /// A photo by its file stem.
    async fn photo_by_file(&self, file: &str) -> Result<Option<Photo>>;
    /// Hides (or shows again) a photo, with an audit entry; false if no such photo.
    async fn set_photo_hidden(
        &self,
        request_id: i64,
        photo_id: i64,
        hidden: bool,
        entry: &HistoryEntry,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}
