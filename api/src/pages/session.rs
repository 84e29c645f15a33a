//! Staff sign-in for the pages: cookie sessions, a fresh session on every sign-in (no
//! fixation), CSRF tokens (a double-submit cookie before sign-in, the session's token after).

use super::render::{cookie, dir, forbidden, language, page, same, secure};
use crate::auth::{check_credentials, Signed};
use crate::error::{ApiError, ErrorCode};
use crate::extract::{body_bytes, QueryPairs, BODY_LIMIT};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use minijinja::context;
use sahulat_domain::accounts;
use sahulat_domain::lang::Lang;

pub(crate) const SESSION: &str = "sahulat_session";
pub(crate) const LOGIN_CSRF: &str = "sahulat_csrf";
/// Cookie sessions last a working day.
pub const SESSION_HOURS: i64 = 10;

/// A signed-in page visitor: cookie session, with its CSRF token.
pub(crate) struct PageUser {
    pub(crate) signed: Signed,
    pub(crate) csrf: String,
    /// Unread messages in their inbox, for the header of every page.
    pub(crate) unread: i64,
}

/// A signed-in form post: the page language and the fields, once the CSRF token matched.
pub(crate) async fn posted(user: &PageUser, req: Request) -> Result<(Lang, QueryPairs), Response> {
    let headers = req.headers().clone();
    let q = QueryPairs::parse(req.uri().query().unwrap_or("").as_bytes()).unwrap_or_default();
    let (lang, _) = language(&headers, &q);
    let f = form(req).await?;
    if !f.get("csrf").is_some_and(|c| same(c, &user.csrf)) {
        return Err(forbidden(lang));
    }
    Ok((lang, f))
}

pub(crate) async fn form(req: Request) -> Result<QueryPairs, Response> {
    let raw = body_bytes(req, BODY_LIMIT)
        .await
        .map_err(IntoResponse::into_response)?;
    QueryPairs::parse(&raw).map_err(|e| ApiError::bad_request(e).into_response())
}

pub(crate) async fn signin_form(headers: HeaderMap, q: QueryPairs) -> Response {
    let (lang, lang_cookie) = language(&headers, &q);
    let (csrf, _) = accounts::new_token();
    let mut cookies = vec![format!(
        "{LOGIN_CSRF}={csrf}; Path=/staff; HttpOnly; SameSite=Strict{}",
        secure(&headers)
    )];
    cookies.extend(lang_cookie);
    page(
        StatusCode::OK,
        "signin.html",
        context! { lang => lang.code(), dir => dir(lang), csrf => csrf },
        &cookies,
    )
}

pub(crate) async fn signin(
    State(st): State<AppState>,
    client: crate::client::ClientIp,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let (lang, _) = language(&headers, &QueryPairs::default());
    let f = match form(req).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    match (cookie(&headers, LOGIN_CSRF), f.get("csrf")) {
        (Some(c), Some(given)) if same(c, given) => {}
        _ => return forbidden(lang),
    }
    let user = match check_credentials(
        &st,
        client,
        f.get("username").unwrap_or(""),
        f.get("password").unwrap_or(""),
    )
    .await
    {
        Ok(u) => u,
        Err(e) => {
            let (csrf, _) = accounts::new_token();
            let msg = match e.code {
                ErrorCode::AccountLocked => "page-locked",
                ErrorCode::RateLimited => "page-rate-limited",
                _ => "page-wrong",
            };
            let error = sahulat_domain::messages::text(lang, msg, &[]);
            return page(
                e.status,
                "signin.html",
                context! { lang => lang.code(), dir => dir(lang), csrf => csrf.clone(), error => error },
                &[format!(
                    "{LOGIN_CSRF}={csrf}; Path=/staff; HttpOnly; SameSite=Strict{}",
                    secure(&headers)
                )],
            );
        }
    };
    // Never keep a session that existed before sign-in (session fixation).
    if let Some(old) = cookie(&headers, SESSION) {
        let _ = st.store.delete_session(&accounts::token_hash(old)).await;
    }
    let (token, hash) = accounts::new_token();
    let (csrf, _) = accounts::new_token();
    let now = st.clock.now();
    if let Err(e) = st
        .store
        .create_session(
            &hash,
            user.id,
            "cookie",
            &csrf,
            now + Duration::hours(SESSION_HOURS),
            now,
        )
        .await
    {
        return ApiError::from(e).into_response();
    }
    // Evaluators see aggregates only: their start page is the evidence dashboard.
    let start = if user.role == sahulat_domain::accounts::Role::Evaluator {
        "/evaluate"
    } else {
        "/staff"
    };
    let mut res = Redirect::to(start).into_response();
    let sec = secure(&headers);
    for c in [
        format!(
            "{SESSION}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{sec}",
            SESSION_HOURS * 3600
        ),
        format!("{LOGIN_CSRF}=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0{sec}"),
    ] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

pub(crate) async fn signout(State(st): State<AppState>, user: PageUser, req: Request) -> Response {
    let f = match form(req).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if !f.get("csrf").is_some_and(|c| same(c, &user.csrf)) {
        return forbidden(Lang::En);
    }
    let _ = st.store.delete_session(&user.signed.token_hash).await;
    let mut res = Redirect::to("/staff/signin").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("sahulat_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    res
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let to_signin = || Redirect::to("/staff/signin").into_response();
        let token = cookie(&parts.headers, SESSION).ok_or_else(to_signin)?;
        let token_hash = accounts::token_hash(token);
        match st.store.session(&token_hash, st.clock.now()).await {
            Ok(Some((user, session))) if session.kind == "cookie" => {
                let to = crate::access::addressees(&st.catalogue, &user);
                let unread = st
                    .store
                    .inbox_unread(user.id, &to)
                    .await
                    .map_err(|e| ApiError::from(e).into_response())?;
                Ok(PageUser {
                    signed: Signed { user, token_hash },
                    csrf: session.csrf_token,
                    unread,
                })
            }
            Ok(_) => Err(to_signin()),
            Err(e) => Err(ApiError::from(e).into_response()),
        }
    }
}

/// The signed-in account as every page's header shows it (with the inbox's unread count).
pub(crate) fn user_ctx(user: &PageUser) -> minijinja::Value {
    let u = &user.signed.user;
    context! { username => u.username.clone(), role => u.role.as_str(), unread => user.unread }
}
