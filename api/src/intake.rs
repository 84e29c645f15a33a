//! Storing a new request, shared by the native API and Open311 (and the citizen pages):
//! the Idempotency-Key header, the write in a task of its own (a client that hangs up cannot
//! cancel it halfway), and the stored answer replayed on a retry.

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sahulat_store::{CreateOutcome, IdempotencyKey, Render, StoredResponse};
use sha2::{Digest, Sha256};

/// A write let through the abuse limits, to be counted once it stored something.
#[must_use = "charge it when something was stored"]
pub(crate) struct Admission(Vec<(String, crate::abuse::Rate)>);

impl Admission {
    /// Counts the write against each limit that applied.
    pub(crate) fn charge(self, st: &AppState) {
        let now = st.clock.now();
        for (key, rate) in &self.0 {
            st.abuse_counter.charge(key, *rate, now);
        }
    }
}

/// Lets an anonymous write through unless its address, phone number or API key has used up
/// its allowance (`abuse`): 429 `too_many_requests` with `Retry-After` then.
pub(crate) fn admit(st: &AppState, who: crate::abuse::Asker<'_>) -> Result<Admission, ApiError> {
    let now = st.clock.now();
    let keys = st.abuse_counter.keys(&st.settings.abuse, who);
    for (key, rate, what) in &keys {
        if let Err(seconds) = st.abuse_counter.peek(key, *rate, now) {
            return Err(ApiError::new(
                crate::error::ErrorCode::TooManyRequests,
                format!("too many reports from this {what}; try again in {seconds} s"),
            )
            .retry_after(seconds));
        }
    }
    Ok(Admission(
        keys.into_iter().map(|(k, r, _)| (k, r)).collect(),
    ))
}

/// Reads an optional Idempotency-Key header (1–255 visible ASCII characters).
pub(crate) fn idempotency_key(
    headers: &HeaderMap,
    scope: &str,
    body: &[u8],
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = v.to_str().unwrap_or("").trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_param(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters, e.g. a UUID",
        ));
    }
    Ok(Some(IdempotencyKey {
        scope: scope.to_string(),
        key: key.to_string(),
        body_hash: hex::encode(Sha256::digest(body)),
    }))
}

/// Turns a stored response into an HTTP response, marking replays.
pub(crate) fn stored_response(r: &StoredResponse, replayed: bool) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    let mut res = (status, Json(r.body.clone())).into_response();
    if replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    res
}

/// Stores a new request in a task of its own, so a client that hangs up (or the request
/// timeout) cannot cancel the write halfway: the transaction always commits or rolls back,
/// and a retry with the same Idempotency-Key gets the stored answer.
pub(crate) async fn store_detached(
    st: &AppState,
    new: sahulat_domain::request::NewServiceRequest,
    idem: Option<IdempotencyKey>,
    render: Render,
) -> Result<CreateOutcome, sahulat_domain::Error> {
    let (store, ids, now) = (st.store.clone(), st.ids.clone(), st.clock.now());
    tokio::spawn(async move {
        store
            .create_request(&new, ids.as_ref(), idem.as_ref(), render, now)
            .await
    })
    .await
    .map_err(|e| sahulat_domain::Error::Internal(anyhow::anyhow!("intake task failed: {e}")))?
}
