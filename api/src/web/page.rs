//! The citizen pages' frame: the language (`?lang=`, then the cookie, then Accept-Language),
//! the Content-Security-Policy (scripts and styles from Sahulat only; map tiles only from the
//! tile server the operator configured), the anti-forgery token of the citizen forms, and
//! small formatting helpers.

use super::assets;
use crate::extract::QueryPairs;
use crate::html::{self, cookie, dir, same, secure};
use crate::state::AppState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use minijinja::value::Value;
use rand::RngCore;
use sahulat_domain::lang::Lang;
use sha2::{Digest, Sha256};

/// The browser's anti-forgery secret (HttpOnly cookie); form tokens are bound to it.
const FORM_COOKIE: &str = "sahulat_form";

/// The page language, and the cookie that remembers a `?lang=` choice.
pub(crate) fn language(headers: &HeaderMap, q: &QueryPairs) -> (Lang, Option<String>) {
    html::language(headers, q, "/")
}

fn csp(st: &AppState) -> String {
    let tiles = st
        .settings
        .tile_origin()
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// A citizen page: `extra` merged over the frame's context (language, direction, the
/// address of this page for the language links, the asset version).
pub(crate) fn render(
    st: &AppState,
    status: StatusCode,
    template: &str,
    lang: Lang,
    here: &str,
    extra: Value,
    cookies: &[String],
) -> Response {
    let here = if here.contains('?') {
        format!("{here}&")
    } else {
        format!("{here}?")
    };
    let base = context! {
        lang => lang.code(),
        dir => dir(lang),
        here => here,
        asset_version => assets::version(),
    };
    html::render(
        status,
        template,
        context! { ..extra, ..base },
        &csp(st),
        cookies,
    )
}

/// A page with a heading and one message (errors, expired forms).
pub(crate) fn message(
    st: &AppState,
    status: StatusCode,
    lang: Lang,
    heading: &str,
    text: &str,
    link: Option<(&str, &str)>,
) -> Response {
    render(
        st,
        status,
        "web/message.html",
        lang,
        "/",
        context! {
            heading => heading, message => text,
            link => link.map(|l| l.0), link_text => link.map(|l| l.1),
        },
        &[],
    )
}

fn mac(secret: &str, nonce: &str) -> String {
    let digest = Sha256::digest(format!("sahulat-form:{secret}:{nonce}").as_bytes());
    hex::encode(&digest[..12])
}

/// A fresh form token bound to this browser's secret (created, with its cookie, if the
/// browser has none yet). Every page load gets its own token, so two tabs are two reports.
pub(crate) fn form_token(headers: &HeaderMap) -> (String, Option<String>) {
    let (secret, cookie_to_set) = match cookie(headers, FORM_COOKIE) {
        Some(s) if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (s.to_string(), None)
        }
        _ => {
            let mut b = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut b);
            let s = hex::encode(b);
            let c = format!(
                "{FORM_COOKIE}={s}; Path=/; HttpOnly; SameSite=Strict{}",
                secure(headers)
            );
            (s, Some(c))
        }
    };
    let mut n = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut n);
    let nonce = hex::encode(n);
    (format!("{nonce}.{}", mac(&secret, &nonce)), cookie_to_set)
}

/// Whether `token` was issued by Sahulat to this browser.
pub(crate) fn token_ok(headers: &HeaderMap, token: &str) -> bool {
    let Some(secret) = cookie(headers, FORM_COOKIE) else {
        return false;
    };
    match token.split_once('.') {
        Some((nonce, m)) if nonce.len() == 24 => same(m, &mac(secret, nonce)),
        _ => false,
    }
}

/// `123 456 785`.
pub(crate) fn grouped(reference: &str) -> String {
    sahulat_domain::reference::grouped(reference)
}

/// Whole days from `then` to `now`.
pub(crate) fn days(then: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> i64 {
    (now - then).num_days().max(0)
}
