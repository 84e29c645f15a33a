//! Rendering the staff pages: their Content-Security-Policy (no script), the page language
//! remembered for `/staff`, and small formatting helpers.

use crate::extract::QueryPairs;
use crate::html::render;
pub(crate) use crate::html::{cookie, dir, same, secure};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, FixedOffset, Utc};
use minijinja::context;
use sahulat_domain::lang::Lang;
use sahulat_domain::reference::Reference;

/// The staff pages' policy: no script at all.
const STAFF_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'";

/// The page language for staff pages (the cookie is kept for `/staff`).
pub(crate) fn language(headers: &HeaderMap, q: &QueryPairs) -> (Lang, Option<String>) {
    crate::html::language(headers, q, "/staff")
}

/// A staff page.
pub(crate) fn page(
    status: StatusCode,
    template: &str,
    ctx: minijinja::Value,
    set_cookies: &[String],
) -> Response {
    render(status, template, ctx, STAFF_CSP, set_cookies)
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
