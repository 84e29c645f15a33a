//! The staff pages: server-rendered HTML that works without JavaScript, in English, Urdu and
//! Sindhi (right-to-left) from the same templates and the Fluent catalogues. Cookie sessions
//! (HttpOnly, SameSite=Lax, Secure behind HTTPS), a fresh session on every sign-in (no session
//! fixation), a CSRF token on every form (a double-submit cookie before sign-in, the session's
//! token after), and the same authorization and lifecycle rules as the JSON API.

use crate::actions::{self, ActionRequest};
use crate::auth::{check_credentials, Signed};
use crate::error::ApiError;
use crate::extract::{body_bytes, QueryPairs};
use crate::staff;
use crate::{AppState, BODY_LIMIT};
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use minijinja::{context, Environment};
use sahulat_domain::accounts::{self, User};
use sahulat_domain::lang::Lang;
use sahulat_domain::reference::Reference;
use sahulat_domain::request::{Priority, ServiceRequest, Status};
use std::sync::OnceLock;

const SESSION: &str = "sahulat_session";
mod account;
mod photos;
mod ticket;

const LOGIN_CSRF: &str = "sahulat_csrf";
const LANG: &str = "sahulat_lang";
/// Cookie sessions last a working day.
pub const SESSION_HOURS: i64 = 10;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/signin", get(signin_form).post(signin))
        .route("/staff/signout", post(signout))
        .route("/staff", get(queue))
        .route("/staff/tickets/{reference}", get(ticket::ticket))
        .route("/staff/tickets/{reference}/action", post(ticket::action))
        .route("/staff/tickets/{reference}/comment", post(ticket::comment))
        .route(
            "/staff/password",
            get(account::password_form).post(account::password),
        )
        .route(
            "/staff/users",
            get(account::users).post(account::create_user),
        )
        .route("/staff/users/{username}/active", post(account::set_active))
        .merge(photos::routes())
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, src) in [
            ("base.html", include_str!("../templates/base.html")),
            ("signin.html", include_str!("../templates/signin.html")),
            ("queue.html", include_str!("../templates/queue.html")),
            ("ticket.html", include_str!("../templates/ticket.html")),
            ("password.html", include_str!("../templates/password.html")),
            ("users.html", include_str!("../templates/users.html")),
        ] {
            env.add_template(name, src)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        env.add_function("t", |lang: String, id: String| {
            sahulat_domain::messages::text(Lang::parse(&lang).unwrap_or_default(), &id, &[])
        });
        env
    })
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn secure(headers: &HeaderMap) -> &'static str {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        == Some("https");
    if https {
        "; Secure"
    } else {
        ""
    }
}

/// The page language: `?lang=`, then the `sahulat_lang` cookie, then Accept-Language.
fn language(headers: &HeaderMap, q: &QueryPairs) -> (Lang, Option<String>) {
    if let Some(l) = q.get("lang").and_then(Lang::parse) {
        return (
            l,
            Some(format!(
                "{LANG}={}; Path=/staff; SameSite=Lax; Max-Age=31536000",
                l.code()
            )),
        );
    }
    if let Some(l) = cookie(headers, LANG).and_then(Lang::parse) {
        return (l, None);
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    (
        accept
            .split(',')
            .find_map(|p| Lang::parse(p.split(';').next().unwrap_or("")))
            .unwrap_or_default(),
        None,
    )
}

fn page(
    status: StatusCode,
    template: &str,
    ctx: minijinja::Value,
    set_cookies: &[String],
) -> Response {
    let html = match templates()
        .get_template(template)
        .and_then(|t| t.render(ctx))
    {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, template, "template failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "page failed to render; it has been logged",
            )
                .into_response();
        }
    };
    let mut res = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    let h = res.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    res
}

fn dir(lang: Lang) -> &'static str {
    if lang.is_rtl() {
        "rtl"
    } else {
        "ltr"
    }
}

/// A signed-in page visitor: cookie session, with its CSRF token.
struct PageUser {
    signed: Signed,
    csrf: String,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let to_signin = || Redirect::to("/staff/signin").into_response();
        let token = cookie(&parts.headers, SESSION).ok_or_else(to_signin)?;
        let token_hash = accounts::token_hash(token);
        match st.store.session(&token_hash, st.clock.now()).await {
            Ok(Some((user, session))) if session.kind == "cookie" => Ok(PageUser {
                signed: Signed { user, token_hash },
                csrf: session.csrf_token,
            }),
            Ok(_) => Err(to_signin()),
            Err(e) => Err(ApiError::from(e).into_response()),
        }
    }
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn forbidden(lang: Lang) -> Response {
    page(
        StatusCode::FORBIDDEN,
        "signin.html",
        context! { lang => lang.code(), dir => dir(lang), error => "This form has expired or did not come from Sahulat (CSRF check failed). Please try again.", csrf => "" },
        &[],
    )
}

/// A signed-in form post: the page language and the fields, once the CSRF token matched.
async fn posted(user: &PageUser, req: Request) -> Result<(Lang, QueryPairs), Response> {
    let headers = req.headers().clone();
    let q = QueryPairs::parse(req.uri().query().unwrap_or("").as_bytes()).unwrap_or_default();
    let (lang, _) = language(&headers, &q);
    let f = form(req).await?;
    if !f.get("csrf").is_some_and(|c| same(c, &user.csrf)) {
        return Err(forbidden(lang));
    }
    Ok((lang, f))
}

async fn form(req: Request) -> Result<QueryPairs, Response> {
    let raw = body_bytes(req, BODY_LIMIT)
        .await
        .map_err(IntoResponse::into_response)?;
    QueryPairs::parse(&raw).map_err(|e| ApiError::bad_request(e).into_response())
}

async fn signin_form(headers: HeaderMap, q: QueryPairs) -> Response {
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

async fn signin(
    State(st): State<AppState>,
    client: crate::limiter::ClientIp,
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
                "account_locked" => "page-locked",
                "rate_limited" => "page-rate-limited",
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
    let mut res = Redirect::to("/staff").into_response();
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

async fn signout(State(st): State<AppState>, user: PageUser, req: Request) -> Response {
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

fn pkt(t: Option<DateTime<Utc>>) -> String {
    let offset = FixedOffset::east_opt(5 * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    t.map(|t| t.with_timezone(&offset).format("%d %b %H:%M").to_string())
        .unwrap_or_default()
}

fn grouped(reference: &str) -> String {
    Reference::parse(reference)
        .map(|r| r.grouped())
        .unwrap_or_else(|_| reference.to_string())
}

fn user_ctx(u: &User) -> minijinja::Value {
    context! { username => u.username.clone(), role => u.role.as_str() }
}

async fn queue(
    State(st): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, lang_cookie) = language(&headers, &q);
    let actor = match staff::no_evaluators(&user.signed) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let now = st.clock.now();
    let f = match staff::filter(&q, now, &st.catalogue) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let scope = actor.scope();
    let (rows, counts) = match tokio::try_join!(
        st.store.list_tickets(&scope, &f),
        st.store.ticket_counts(&scope)
    ) {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (overdue, unassigned) = match staff::attention(&st, &scope, now).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let cat = &st.catalogue;
    let tickets: Vec<minijinja::Value> = rows
        .iter()
        .map(|r| {
            context! {
                reference => r.reference.clone(), grouped => grouped(&r.reference),
                service => cat.service(&r.service_code).map(|s| s.names.get(lang).to_string()).unwrap_or_default(),
                summary => r.description.chars().take(90).collect::<String>(),
                status => r.status.as_str(), priority => r.priority.as_str(),
                tehsil => r.tehsil.as_deref().and_then(|t| cat.tehsil(t)).map(|t| t.names.get(lang).to_string()).unwrap_or_default(),
                due => pkt(r.sla_due_at), reporters => r.reporters,
                overdue => r.status.is_open() && r.sla_due_at.is_some_and(|d| d < now),
                flags => r.triage_flags.clone(),
            }
        })
        .collect();
    let district = user.signed.user.district.clone();
    let tehsils: Vec<(String, String)> = cat
        .tehsils
        .iter()
        .filter(|t| district.as_deref().is_none_or(|d| d == t.district))
        .map(|t| (t.code.clone(), t.names.get(lang).to_string()))
        .collect();
    let ctx = context! {
        lang => lang.code(), dir => dir(lang), user => user_ctx(&user.signed.user), csrf => user.csrf.clone(),
        counts => counts.iter().map(|(s, n)| (s.as_str(), *n)).collect::<Vec<_>>(),
        overdue => overdue, unassigned => unassigned,
        statuses => Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        priorities => Priority::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        services => cat.services.iter().map(|s| (s.code.clone(), s.names.get(lang).to_string())).collect::<Vec<_>>(),
        tehsils => tehsils,
        f => context! { status => q.get("status").unwrap_or(""), priority => q.get("priority").unwrap_or(""), service => q.get("service").unwrap_or(""),
                        tehsil => q.get("tehsil").unwrap_or(""), overdue => q.get("overdue") == Some("true"), unassigned => q.get("unassigned") == Some("true"), sort => q.get("sort").unwrap_or("due") },
        tickets => tickets,
    };
    page(
        StatusCode::OK,
        "queue.html",
        ctx,
        &lang_cookie.into_iter().collect::<Vec<_>>(),
    )
}
