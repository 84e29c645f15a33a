//! The staff JSON API under `/api/v1/staff/`: a scoped queue with filters and counts, the
//! ticket with its full history, lifecycle actions and comments, and the inbox of messages
//! the worker addressed to the caller's department or desk. Who may see or do what is
//! decided in one place (`sahulat_domain::lifecycle`): tickets outside the caller's scope are
//! "not found" (no probing for references), evaluators are refused outright, and the citizen's
//! phone and name reach only the staff handling the ticket and admins.

pub(crate) mod actions;
pub(crate) mod inbox;
pub(crate) mod moderation;
pub(crate) mod queue;
pub(crate) mod ticket;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/tickets", get(queue::queue))
        .route("/staff/inbox", get(inbox::inbox))
        .route("/staff/inbox/{id}/read", post(inbox::read))
        .route("/staff/tickets/{reference}", get(ticket::ticket))
        .route("/staff/tickets/{reference}/actions", post(actions::act))
        .route(
            "/staff/tickets/{reference}/comments",
            post(actions::comment),
        )
        .route(
            "/staff/tickets/{reference}/description/visibility",
            post(moderation::visibility),
        )
}
