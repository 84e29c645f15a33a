//! Server-rendered HTML shared by the staff pages and the citizen pages: the one template set
//! (compiled into the binary), `t(lang, id, name=value…)` for every string from the Fluent
//! catalogues, the page answer with its security headers, cookies, and the page language.

use crate::extract::QueryPairs;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::value::Kwargs;
use minijinja::Environment;
use sahulat_domain::lang::Lang;
use std::sync::OnceLock;

/// The page-language cookie.
pub(crate) const LANG_COOKIE: &str = "sahulat_lang";

macro_rules! templates {
    ($($name:literal),+ $(,)?) => {
        [$(($name, include_str!(concat!("../templates/", $name)))),+]
    };
}

/// Every template, by name.
pub(crate) fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, src) in templates!(
            "base.html",
            "signin.html",
            "queue.html",
            "ticket.html",
            "password.html",
            "users.html",
            "inbox.html",
            "evaluate.html",
            "report_plan.html",
            "action_body.html",
            "action.html",
            "report_action.html",
            "web/base.html",
            "web/report.html",
            "web/nearby.html",
            "web/done.html",
            "web/voice.html",
            "web/track.html",
            "web/requests.html",
            "web/message.html",
        ) {
            env.add_template(name, src)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        env.add_function("t", |lang: String, id: String, kwargs: Kwargs| {
            let args: Vec<(String, String)> = kwargs
                .args()
                .map(|k| {
                    let v: minijinja::Value = kwargs.get(k).unwrap_or_default();
                    (k.to_string(), v.to_string())
                })
                .collect();
            let args: Vec<(&str, String)> =
                args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            sahulat_domain::i18n::text(Lang::parse(&lang).unwrap_or_default(), &id, &args)
        });
        env
    })
}

/// Renders `template` into a page answer with the given Content-Security-Policy, no caching,
/// no framing, and the cookies to set.
pub(crate) fn render(
    status: StatusCode,
    template: &str,
    ctx: minijinja::Value,
    csp: &str,
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
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert("content-security-policy", v);
    }
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    res
}

/// A cookie's value.
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

/// `; Secure` behind an HTTPS proxy.
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

/// The page language: `?lang=` (remembered in a cookie for `path`), then the cookie, then
/// Accept-Language, then English.
pub(crate) fn language(headers: &HeaderMap, q: &QueryPairs, path: &str) -> (Lang, Option<String>) {
    if let Some(l) = q.get("lang").and_then(Lang::parse) {
        return (
            l,
            Some(format!(
                "{LANG_COOKIE}={}; Path={path}; SameSite=Lax; Max-Age=31536000",
                l.code()
            )),
        );
    }
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
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

/// `rtl` or `ltr`.
pub(crate) fn dir(lang: Lang) -> &'static str {
    if lang.is_rtl() {
        "rtl"
    } else {
        "ltr"
    }
}

/// Constant-time comparison (CSRF tokens).
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
