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
mod photos;

const LOGIN_CSRF: &str = "sahulat_csrf";
const LANG: &str = "sahulat_lang";
/// Cookie sessions last a working day.
pub const SESSION_HOURS: i64 = 10;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/signin", get(signin_form).post(signin))
        .route("/staff/signout", post(signout))
        .route("/staff", get(queue))
        .route("/staff/tickets/{reference}", get(ticket))
        .route("/staff/tickets/{reference}/action", post(action))
        .route("/staff/tickets/{reference}/comment", post(comment))
        .route("/staff/password", get(password_form).post(password))
        .route("/staff/users", get(users).post(create_user))
        .route("/staff/users/{username}/active", post(set_active))
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
    let f = match staff::filter(&q, now) {
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
        statuses => Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        priorities => Priority::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        services => cat.services.iter().map(|s| (s.code.clone(), s.names.get(lang).to_string())).collect::<Vec<_>>(),
        tehsils => tehsils,
        f => context! { status => q.get("status").unwrap_or(""), priority => q.get("priority").unwrap_or(""), service => q.get("service").unwrap_or(""),
                        tehsil => q.get("tehsil").unwrap_or(""), overdue => q.get("overdue") == Some("true"), sort => q.get("sort").unwrap_or("due") },
        tickets => tickets,
    };
    page(
        StatusCode::OK,
        "queue.html",
        ctx,
        &lang_cookie.into_iter().collect::<Vec<_>>(),
    )
}

/// A small SVG of the tehsil (or district) outline with the reported point.
fn map_svg(st: &AppState, r: &ServiceRequest) -> Option<String> {
    let (lat, lon) = (r.lat?, r.lon?);
    let area = r
        .tehsil
        .as_deref()
        .and_then(|t| st.geo.tehsil(t))
        .or_else(|| st.geo.district(&r.district))?;
    use geo::{BoundingRect, CoordsIter};
    let rect = area.shape.bounding_rect()?;
    let (w, h) = (rect.width().max(1e-6), rect.height().max(1e-6));
    let mut path = String::new();
    for poly in &area.shape.0 {
        for (i, c) in poly.exterior().coords_iter().enumerate() {
            path.push_str(&format!(
                "{}{:.3} {:.3}",
                if i == 0 { "M" } else { "L" },
                c.x - rect.min().x,
                rect.max().y - c.y
            ));
        }
        path.push('Z');
    }
    let stroke = w.max(h) / 150.0;
    Some(format!(
        "<svg viewBox=\"0 0 {w:.3} {h:.3}\" role=\"img\" aria-label=\"{name}\"><path d=\"{path}\" fill=\"#eef5ef\" stroke=\"#0b5d3b\" stroke-width=\"{stroke:.4}\"/><circle cx=\"{:.4}\" cy=\"{:.4}\" r=\"{:.4}\" fill=\"#b00020\"/></svg>",
        lon - rect.min().x,
        rect.max().y - lat,
        stroke * 3.0,
        name = area.name,
    ))
}

async fn render_ticket(
    st: &AppState,
    user: &PageUser,
    lang: Lang,
    reference: &str,
    flash: Option<String>,
    error: Option<(StatusCode, String)>,
    cookies: &[String],
) -> Response {
    let actor = match staff::no_evaluators(&user.signed) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let r = match staff::visible(st, &actor, reference).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let d = match staff::detail(st, &actor, &r).await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let cat = &st.catalogue;
    let place = [
        r.tehsil
            .as_deref()
            .and_then(|t| cat.tehsil(t))
            .map(|t| t.names.get(lang).to_string()),
        cat.district(&r.district)
            .map(|x| x.names.get(lang).to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let ctx = context! {
        lang => lang.code(), dir => dir(lang), user => user_ctx(&user.signed.user), csrf => user.csrf.clone(), flash => flash,
        error => error.as_ref().map(|e| e.1.clone()),
        k => context! {
            reference => r.reference.clone(), grouped => grouped(&r.reference),
            service => cat.service(&r.service_code).map(|s| s.names.get(lang).to_string()).unwrap_or_default(),
            status => r.status.as_str(), priority => r.priority.as_str(), due => pkt(r.sla_due_at), reporters => r.reporters,
            description => r.description.clone(), place => place, lat => r.lat, lon => r.lon, address => r.address.clone(),
        },
        map => map_svg(st, &r),
        flags => r.triage_flags.clone(),
        contact => d.contact.as_ref().map(|c| context! { phone => c.phone.clone(), name => c.name.clone() }),
        duplicates => d.duplicates.clone(),
        templates => template_groups(&d.templates, lang),
        photos => d.photos.iter().map(|p| context! { id => p.id, url => p.photo.url.clone(), thumb => p.photo.thumbnail_url.clone(), hidden => p.hidden, by => p.uploaded_by.clone(), width => p.photo.width, height => p.photo.height }).collect::<Vec<_>>(),
        ratings => d.ratings.iter().map(|x| context! { rating => x.rating, comment => x.comment.clone(), at => pkt(Some(x.at)), reopened => x.reopened }).collect::<Vec<_>>(),
        actions => ["acknowledge", "start", "resolve", "close_not_fixed", "not_responsible", "refer", "mark_duplicate", "reject", "reopen"],
        departments => cat.departments.iter().filter(|x| x.district == r.district).map(|x| (x.code.clone(), x.names.get(lang).to_string())).collect::<Vec<_>>(),
        history => d.history.iter().map(|h| context! { at => pkt(Some(h.at)), actor => h.actor.clone(), status => h.status.clone(), description => h.description.clone(), public => h.public }).collect::<Vec<_>>(),
    };
    page(
        error.map(|e| e.0).unwrap_or(StatusCode::OK),
        "ticket.html",
        ctx,
        cookies,
    )
}

async fn ticket(
    State(st): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    q: QueryPairs,
    Path(reference): Path<String>,
) -> Response {
    let (lang, lang_cookie) = language(&headers, &q);
    let flash = (q.get("done") == Some("1"))
        .then(|| sahulat_domain::messages::text(lang, "page-done", &[]));
    render_ticket(
        &st,
        &user,
        lang,
        &reference,
        flash,
        None,
        &lang_cookie.into_iter().collect::<Vec<_>>(),
    )
    .await
}

async fn action(
    State(st): State<AppState>,
    user: PageUser,
    Path(reference): Path<String>,
    req: Request,
) -> Response {
    let (lang, f) = match posted(&user, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let text = f.get("text").map(str::to_string);
    let act = f.get("action").unwrap_or("").to_string();
    let body = ActionRequest {
        note: (act == "resolve").then(|| text.clone()).flatten(),
        reason: matches!(
            act.as_str(),
            "close_not_fixed" | "refer" | "reject" | "reopen"
        )
        .then(|| text.clone())
        .flatten(),
        responsible: (act == "not_responsible").then(|| text.clone()).flatten(),
        to_department: f.get("to_department").map(str::to_string),
        of: f.get("of").map(str::to_string),
        template: f
            .get("template")
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        action: act,
    };
    let seen = f.get("seen_status").and_then(Status::parse);
    match actions::perform(&st, &user.signed, &reference, &body, seen).await {
        Ok(r) => Redirect::to(&format!("/staff/tickets/{}?done=1", r.reference)).into_response(),
        Err(e) if e.status == StatusCode::NOT_FOUND => e.into_response(),
        Err(e) => {
            render_ticket(
                &st,
                &user,
                lang,
                &reference,
                None,
                Some((e.status, e.message)),
                &[],
            )
            .await
        }
    }
}

async fn comment(
    State(st): State<AppState>,
    user: PageUser,
    Path(reference): Path<String>,
    req: Request,
) -> Response {
    let (lang, f) = match posted(&user, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let body = actions::CommentRequest {
        text: f.get("text").unwrap_or("").to_string(),
        public: f.get("public") == Some("true"),
    };
    match actions::add_comment(&st, &user.signed, &reference, &body).await {
        Ok(r) => Redirect::to(&format!("/staff/tickets/{}?done=1", r.reference)).into_response(),
        Err(e) if e.status == StatusCode::NOT_FOUND => e.into_response(),
        Err(e) => {
            render_ticket(
                &st,
                &user,
                lang,
                &reference,
                None,
                Some((e.status, e.message)),
                &[],
            )
            .await
        }
    }
}

async fn password_form(user: PageUser, headers: HeaderMap, q: QueryPairs) -> Response {
    let (lang, lang_cookie) = language(&headers, &q);
    let ctx = context! { lang => lang.code(), dir => dir(lang), user => user_ctx(&user.signed.user), csrf => user.csrf.clone() };
    page(
        StatusCode::OK,
        "password.html",
        ctx,
        &lang_cookie.into_iter().collect::<Vec<_>>(),
    )
}

async fn password(
    State(st): State<AppState>,
    client: crate::limiter::ClientIp,
    user: PageUser,
    req: Request,
) -> Response {
    let (lang, f) = match posted(&user, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let again = |status: StatusCode, error: String| {
        let ctx = context! { lang => lang.code(), dir => dir(lang), user => user_ctx(&user.signed.user), csrf => user.csrf.clone(), error => error };
        page(status, "password.html", ctx, &[])
    };
    if let Err(e) = check_credentials(
        &st,
        client,
        &user.signed.user.username,
        f.get("current").unwrap_or(""),
    )
    .await
    {
        return again(
            e.status,
            sahulat_domain::messages::text(lang, "page-wrong", &[]),
        );
    }
    let new = f.get("new").unwrap_or("");
    if let Err(m) = accounts::check_password(new) {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{}: {m}",
                sahulat_domain::messages::text(lang, "page-password-new", &[])
            ),
        );
    }
    let result = match accounts::hash_password(new) {
        Ok(hash) => {
            st.store
                .set_password(user.signed.user.id, &hash, st.clock.now())
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            let mut res = Redirect::to("/staff/signin").into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_static(
                    "sahulat_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
                ),
            );
            res
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The refusal for anyone but an admin.
fn not_admin(user: &PageUser) -> Option<Response> {
    (user.signed.user.role != sahulat_domain::accounts::Role::Admin).then(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only admins manage accounts",
        )
        .into_response()
    })
}

async fn render_users(
    st: &AppState,
    user: &PageUser,
    lang: Lang,
    error: Option<(StatusCode, String)>,
) -> Response {
    let list = match st.store.list_users().await {
        Ok(l) => l,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let cat = &st.catalogue;
    let ctx = context! {
        lang => lang.code(), dir => dir(lang), user => user_ctx(&user.signed.user), csrf => user.csrf.clone(),
        error => error.as_ref().map(|e| e.1.clone()),
        users => list.iter().map(|u| context! { username => u.username.clone(), role => u.role.as_str(), district => u.district.clone(), department => u.department.clone(), active => u.active }).collect::<Vec<_>>(),
        districts => cat.served_districts().iter().map(|d| (d.code.clone(), d.names.get(lang).to_string())).collect::<Vec<_>>(),
        departments => cat.departments.iter().map(|d| (d.code.clone(), d.names.get(lang).to_string())).collect::<Vec<_>>(),
    };
    page(
        error.map(|e| e.0).unwrap_or(StatusCode::OK),
        "users.html",
        ctx,
        &[],
    )
}

async fn users(
    State(st): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    if let Some(r) = not_admin(&user) {
        return r;
    }
    let (lang, _) = language(&headers, &q);
    render_users(&st, &user, lang, None).await
}

async fn create_user(State(st): State<AppState>, user: PageUser, req: Request) -> Response {
    if let Some(r) = not_admin(&user) {
        return r;
    }
    let (lang, f) = match posted(&user, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let new = sahulat_domain::accounts::NewUser::new(
        &st.catalogue,
        f.get("username").unwrap_or(""),
        f.get("role").unwrap_or(""),
        f.get("district"),
        f.get("department"),
        f.get("password").unwrap_or(""),
    );
    let created = match new {
        Ok(n) => st.store.create_user(&n, st.clock.now()).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(_) => Redirect::to("/staff/users").into_response(),
        Err(e) => {
            let api = ApiError::from(e);
            render_users(&st, &user, lang, Some((api.status, api.message))).await
        }
    }
}

async fn set_active(
    State(st): State<AppState>,
    user: PageUser,
    Path(username): Path<String>,
    req: Request,
) -> Response {
    if let Some(r) = not_admin(&user) {
        return r;
    }
    let f = match form(req).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if !f.get("csrf").is_some_and(|c| same(c, &user.csrf)) {
        return forbidden(Lang::En);
    }
    if username == user.signed.user.username {
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "you cannot disable your own account",
        )
        .into_response();
    }
    match st
        .store
        .set_user_active(&username, f.get("active") == Some("true"), st.clock.now())
        .await
    {
        Ok(true) => Redirect::to("/staff/users").into_response(),
        Ok(false) => ApiError::not_found(format!("no account {username:?}")).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Templates grouped by the status they lead to, titled in the staff member's language.
fn template_groups(list: &[staff::TemplateView], lang: Lang) -> Vec<minijinja::Value> {
    let mut groups: Vec<(String, Vec<minijinja::Value>)> = Vec::new();
    for t in list {
        let title = t.title[lang.code()]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let item = context! { id => t.id.clone(), title => title, text => t.citizen_text.clone() };
        match groups.iter_mut().find(|g| g.0 == t.status) {
            Some(g) => g.1.push(item),
            None => groups.push((t.status.clone(), vec![item])),
        }
    }
    groups
        .into_iter()
        .map(|(status, items)| context! { status => status, items => items })
        .collect()
}
