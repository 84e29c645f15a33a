//! Account pages: changing one's own password, and the admin's user list (create, disable).

use super::render::{dir, forbidden, language, page, same};
use super::session::user_ctx;
use super::session::{form, posted, PageUser};
use crate::auth::check_credentials;
use crate::error::{ApiError, ErrorCode};
use crate::extract::QueryPairs;
use crate::state::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use sahulat_domain::accounts;
use sahulat_domain::lang::Lang;

pub(super) async fn password_form(user: PageUser, headers: HeaderMap, q: QueryPairs) -> Response {
    let (lang, lang_cookie) = language(&headers, &q);
    let ctx = context! { lang => lang.code(), dir => dir(lang), user => user_ctx(&user), csrf => user.csrf.clone() };
    page(
        StatusCode::OK,
        "password.html",
        ctx,
        &lang_cookie.into_iter().collect::<Vec<_>>(),
    )
}

pub(super) async fn password(
    State(st): State<AppState>,
    client: crate::client::ClientIp,
    user: PageUser,
    req: Request,
) -> Response {
    let (lang, f) = match posted(&user, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let again = |status: StatusCode, error: String| {
        let ctx = context! { lang => lang.code(), dir => dir(lang), user => user_ctx(&user), csrf => user.csrf.clone(), error => error };
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
    (user.signed.user.role != sahulat_domain::accounts::Role::Admin)
        .then(|| ApiError::new(ErrorCode::Forbidden, "only admins manage accounts").into_response())
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
        lang => lang.code(), dir => dir(lang), user => user_ctx(user), csrf => user.csrf.clone(),
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

pub(super) async fn users(
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

pub(super) async fn create_user(
    State(st): State<AppState>,
    user: PageUser,
    req: Request,
) -> Response {
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

pub(super) async fn set_active(
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
            ErrorCode::ValidationFailed,
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
