//! The citizen pages: report a problem (`/`, `/report`), track a report (`/track`), recent
//! reports (`/requests`), and what they load (`/static/`, the tap maps). Server-rendered HTML
//! that works without JavaScript, small enough for 2G, in English, Urdu and Sindhi
//! (right-to-left), through the same domain rules and store use cases as the API.

mod assets;

mod list;
pub(crate) mod map;
mod page;
pub(crate) mod pending;
mod report;
mod report_form;
mod track;

use crate::extract::QueryPairs;
use crate::photos::UPLOAD_LIMIT;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use track::Act;

async fn track_act(
    st: AppState,
    act: Act,
    reference: String,
    headers: HeaderMap,
    q: QueryPairs,
    req: Request,
) -> Response {
    track::act(st, act, reference, headers, q, req).await
}

pub(crate) fn routes() -> Router<AppState> {
    let upload = DefaultBodyLimit::max(UPLOAD_LIMIT);
    Router::new()
        .route("/", get(report::show))
        .route(
            "/report",
            get(report::show).post(report::submit).layer(upload),
        )
        .route("/report/done/{reference}", get(report::done))
        .route("/report/nearby", get(report::nearby_fragment))
        .route("/report/map/{file}", get(map::district_svg))
        .route("/track", get(track::form_page))
        .route("/track/{reference}", get(track::show))
        .route(
            "/track/{reference}/reopen",
            post(
                |State(st): State<AppState>,
                 Path(r): Path<String>,
                 h: HeaderMap,
                 q: QueryPairs,
                 req: Request| { track_act(st, Act::Reopen, r, h, q, req) },
            ),
        )
        .route(
            "/track/{reference}/rating",
            post(
                |State(st): State<AppState>,
                 Path(r): Path<String>,
                 h: HeaderMap,
                 q: QueryPairs,
                 req: Request| { track_act(st, Act::Rate, r, h, q, req) },
            ),
        )
        .route(
            "/track/{reference}/photo",
            post(
                |State(st): State<AppState>,
                 Path(r): Path<String>,
                 h: HeaderMap,
                 q: QueryPairs,
                 req: Request| { track_act(st, Act::Photo, r, h, q, req) },
            )
            .layer(upload),
        )
        .route("/requests", get(list::show))
        .route("/requests/map/{file}", get(list::dots))
        .route("/static/{*path}", get(assets::serve))
}
