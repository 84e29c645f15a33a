//! Sign-in for the JSON API: bearer tokens from `POST /api/v1/auth/token`, the `Signed`
//! extractor every staff endpoint uses, sign-out and password change. Wrong usernames and
//! wrong passwords get the same answer in the same time; five failures in a row lock the
//! account for 15 minutes.

use crate::client::ClientIp;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::extract::JsonBody;
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use sahulat_domain::accounts::{self, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long a bearer token lives.
pub const TOKEN_HOURS: i64 = 12;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(sign_in).delete(sign_out))
        .route("/auth/password", post(change_password))
        .route("/me", get(me))
}

/// The signed-in account behind a request (bearer token).
#[derive(Debug, Clone)]
pub struct Signed {
    /// The account.
    pub user: User,
    /// Hash of the token used.
    pub token_hash: String,
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Unauthorized, message)
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let challenge = |e: ApiError| {
            let mut res = e.into_response();
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"sahulat\""),
            );
            res
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                challenge(unauthorized(
                    "sign in first: POST /api/v1/auth/token, then send Authorization: Bearer TOKEN",
                ))
            })?;
        let token_hash = accounts::token_hash(token);
        match st.store.session(&token_hash, st.clock.now()).await {
            Ok(Some((user, _))) => Ok(Signed { user, token_hash }),
            Ok(None) => Err(challenge(unauthorized(
                "this token is unknown or has expired; sign in again",
            ))),
            Err(e) => Err(ApiError::from(e).into_response()),
        }
    }
}

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The account, as shown to itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Username.
    pub username: String,
    /// admin, coordinator, staff or evaluator.
    pub role: String,
    /// District P-code.
    pub district: Option<String>,
    /// Department code.
    pub department: Option<String>,
}

impl From<&User> for Me {
    fn from(u: &User) -> Self {
        Me {
            username: u.username.clone(),
            role: u.role.as_str().into(),
            district: u.district.clone(),
            department: u.department.clone(),
        }
    }
}

/// A new bearer token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
    /// Who signed in.
    pub user: Me,
}

/// Checks credentials with lockout; the answer never tells whether the username exists.
pub(crate) async fn check_credentials(
    st: &AppState,
    client: ClientIp,
    username: &str,
    password: &str,
) -> Result<User, ApiError> {
    let now = st.clock.now();
    if let Err(wait) = st.signin_limiter.attempt(client.0, now) {
        let mut e = ApiError::new(
            ErrorCode::RateLimited,
            format!("too many sign-in attempts from this address; wait {wait} seconds"),
        );
        e.fields
            .insert("retry_after_seconds".into(), wait.to_string());
        return Err(e);
    }
    let bad = || unauthorized("wrong username or password");
    let Some(user) = st.store.user_by_username(username).await? else {
        let _ = accounts::verify_password(password, accounts::dummy_hash());
        return Err(bad());
    };
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        let minutes = (until - now).num_minutes().max(1);
        let mut e = ApiError::new(
            ErrorCode::AccountLocked,
            format!("too many failed sign-ins: this account is locked for {minutes} more minutes"),
        );
        e.fields.insert(
            "retry_after_seconds".into(),
            (until - now).num_seconds().to_string(),
        );
        return Err(e);
    }
    if !user.active || !accounts::verify_password(password, &user.password_hash) {
        let lock = (user.failed_logins + 1 >= accounts::MAX_FAILED_LOGINS)
            .then(|| now + accounts::lock_duration());
        st.store.record_failed_login(user.id, lock, now).await?;
        return Err(bad());
    }
    if user.failed_logins > 0 || user.locked_until.is_some() {
        st.store.clear_failed_logins(user.id, now).await?;
    }
    Ok(user)
}

/// Sign in: exchange a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "staff", request_body = SignIn,
    responses((status = 201, body = TokenView),
        (status = 400, description = "The body is not JSON (`malformed_json`)", body = ErrorEnvelope), (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope), (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 401, description = "Wrong username or password (the same answer for both)", body = ErrorEnvelope),
        (status = 422, description = "`username` or `password` missing or not a string", body = ErrorEnvelope),
        (status = 429, description = "Locked after 5 failures in a row (`account_locked`, 15 minutes), or too many sign-in attempts from this address (`rate_limited`)", body = ErrorEnvelope)))]
pub(crate) async fn sign_in(
    State(st): State<AppState>,
    client: ClientIp,
    body: JsonBody<SignIn>,
) -> Result<(StatusCode, Json<TokenView>), ApiError> {
    let user = check_credentials(&st, client, &body.value.username, &body.value.password).await?;
    let (token, hash) = accounts::new_token();
    let (csrf, _) = accounts::new_token();
    let now = st.clock.now();
    let expires_at = now + Duration::hours(TOKEN_HOURS);
    st.store
        .create_session(&hash, user.id, "bearer", &csrf, expires_at, now)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenView {
            token,
            token_type: "Bearer".into(),
            expires_at,
            user: Me::from(&user),
        }),
    ))
}

/// Sign out: the token stops working.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "staff", responses((status = 204, description = "Signed out: the token no longer works"), (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope)))]
pub(crate) async fn sign_out(
    State(st): State<AppState>,
    signed: Signed,
) -> Result<StatusCode, ApiError> {
    st.store.delete_session(&signed.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password.
    pub current_password: String,
    /// The new one (at least 10 characters).
    pub new_password: String,
}

/// Change the password; every session of the account ends (sign in again).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "staff", request_body = PasswordChange,
    responses((status = 204, description = "Changed; every session of the account has ended"),
        (status = 400, description = "The body is not JSON (`malformed_json`)", body = ErrorEnvelope), (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope), (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token, or `current_password` is wrong", body = ErrorEnvelope),
        (status = 422, description = "A field missing or not a string, or the new password is too short", body = ErrorEnvelope),
        (status = 429, description = "Too many failed attempts (`account_locked`, `rate_limited`)", body = ErrorEnvelope)))]
pub(crate) async fn change_password(
    State(st): State<AppState>,
    client: ClientIp,
    signed: Signed,
    body: JsonBody<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let user = check_credentials(
        &st,
        client,
        &signed.user.username,
        &body.value.current_password,
    )
    .await?;
    accounts::check_password(&body.value.new_password)
        .map_err(|m| ApiError::from(sahulat_domain::Error::field("new_password", m)))?;
    let hash = accounts::hash_password(&body.value.new_password)?;
    st.store
        .set_password(user.id, &hash, st.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who am I?
#[utoipa::path(get, path = "/api/v1/me", tag = "staff", responses((status = 200, body = Me), (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope)))]
pub(crate) async fn me(signed: Signed) -> Json<Me> {
    Json(Me::from(&signed.user))
}
