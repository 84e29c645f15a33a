//! The staff inbox page: the messages the worker addressed to the account's department or
//! desk (newest first, unread marked), each with a link to its ticket and a "mark read"
//! button; the header of every staff page shows the unread count.

use super::render::{dir, grouped, language, page, pkt};
use super::session::user_ctx;
use super::session::{posted, PageUser};
use crate::access::{addressees, no_evaluators};
use crate::error::ApiError;
use crate::extract::QueryPairs;
use crate::state::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

pub(super) async fn inbox(
    State(st): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, lang_cookie) = language(&headers, &q);
    if let Err(e) = no_evaluators(&user.signed) {
        return e.into_response();
    }
    let unread_only = q.get("unread") == Some("true");
    let to = addressees(&st.catalogue, &user.signed.user);
    let items = match st
        .store
        .inbox(user.signed.user.id, &to, unread_only, 100)
        .await
    {
        Ok(i) => i,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let messages: Vec<minijinja::Value> = items
        .into_iter()
        .map(|m| {
            context! {
                id => m.id, read => m.read, text => m.body, at => pkt(Some(m.created_at)),
                reference => m.reference.clone(), grouped => m.reference.as_deref().map(grouped),
                to => m.recipient,
            }
        })
        .collect();
    let ctx = context! {
        lang => lang.code(), dir => dir(lang), user => user_ctx(&user), csrf => user.csrf.clone(),
        messages => messages, unread_only => unread_only,
    };
    page(
        StatusCode::OK,
        "inbox.html",
        ctx,
        &lang_cookie.into_iter().collect::<Vec<_>>(),
    )
}

pub(super) async fn read(
    State(st): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    req: Request,
) -> Response {
    let (lang, _) = match posted(&user, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let to = addressees(&st.catalogue, &user.signed.user);
    match st
        .store
        .mark_inbox_read(user.signed.user.id, id, &to, st.clock.now())
        .await
    {
        Ok(true) => Redirect::to(&format!("/staff/inbox?lang={}", lang.code())).into_response(),
        Ok(false) => ApiError::not_found(format!("no message {id} in your inbox")).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
