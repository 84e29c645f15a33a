//! Rendering the pages: the template set, the page answer with its security headers, the
//! page language (query, cookie, Accept-Language) and direction, and small formatting helpers.

use crate::extract::QueryPairs;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use minijinja::{context, Environment};
use sahulat_domain::accounts::User;
use sahulat_domain::lang::Lang;
use sahulat_domain::reference::Reference;
use std::sync::OnceLock;

/// The page-language cookie.
pub(crate) const LANG: &str = "sahulat_lang";

pub(crate) fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, src) in [
            ("base.html", include_str!("../../templates/base.html")),
            ("signin.html", include_str!("../../templates/signin.html")),
            ("queue.html", include_str!("../../templates/queue.html")),
            ("ticket.html", include_str!("../../templates/ticket.html")),
            (
                "password.html",
                include_str!("../../templates/password.html"),
            ),
            ("users.html", include_str!("../../templates/users.html")),
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

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(crate) fn secure(headers: &HeaderMap) -> &'static str {
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
pub(crate) fn language(headers: &HeaderMap, q: &QueryPairs) -> (Lang, Option<String>) {
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

pub(crate) fn page(
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

pub(crate) fn dir(lang: Lang) -> &'static str {
    if lang.is_rtl() {
        "rtl"
    } else {
        "ltr"
    }
}

pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub(crate) fn forbidden(lang: Lang) -> Response {
    page(
        StatusCode::FORBIDDEN,
        "signin.html",
        context! { lang => lang.code(), dir => dir(lang), error => "This form has expired or did not come from Sahulat (CSRF check failed). Please try again.", csrf => "" },
        &[],
    )
}

pub(crate) fn pkt(t: Option<DateTime<Utc>>) -> String {
    let offset = FixedOffset::east_opt(5 * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    t.map(|t| t.with_timezone(&offset).format("%d %b %H:%M").to_string())
        .unwrap_or_default()
}

pub(crate) fn grouped(reference: &str) -> String {
    Reference::parse(reference)
        .map(|r| r.grouped())
        .unwrap_or_else(|_| reference.to_string())
}

pub(crate) fn user_ctx(u: &User) -> minijinja::Value {
    context! { username => u.username.clone(), role => u.role.as_str() }
}
