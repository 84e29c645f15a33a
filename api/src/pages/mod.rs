//! The staff pages: server-rendered HTML that works without JavaScript, in English, Urdu and
//! Sindhi (right-to-left) from the same templates and the Fluent catalogues. Cookie sessions
//! (HttpOnly, SameSite=Lax, Secure behind HTTPS), a fresh session on every sign-in (no session
//! fixation), a CSRF token on every form (a double-submit cookie before sign-in, the session's
//! token after), and the same authorization and lifecycle rules as the JSON API.

mod account;
pub(crate) mod action;
mod evaluate;
mod inbox;
mod photos;
mod queue;
mod render;
pub(crate) mod report;
mod session;
mod ticket;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/signin",
            get(session::signin_form).post(session::signin),
        )
        .route("/staff/signout", post(session::signout))
        .route("/staff", get(queue::queue))
        .route("/evaluate", get(evaluate::evaluate))
        .route("/evaluate/summary.csv", get(evaluate::csv))
        .route("/evaluate/actions/{id}", get(action::action_page))
        .route(
            "/evaluate/actions/{id}/evaluation.csv",
            get(action::action_csv),
        )
        .route("/staff/inbox", get(inbox::inbox))
        .route("/staff/inbox/{id}/read", post(inbox::read))
        .route("/staff/tickets/{reference}", get(ticket::ticket))
        .route("/staff/tickets/{reference}/action", post(ticket::action))
        .route("/staff/tickets/{reference}/comment", post(ticket::comment))
        .route(
            "/staff/tickets/{reference}/description",
            post(ticket::description),
        )
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
