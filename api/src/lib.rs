//! Sahulat's HTTP face: the native JSON API (`/api/v1/`), Open311 GeoReport v2
//! (`/open311/v2/`), the staff pages, operations endpoints and the OpenAPI document. One module
//! per resource; what several share lives in `views` (response shapes), `access` (who may see
//! what), `intake` (storing a new request), `extract` and `error`. Handlers stay thin: they
//! parse, call one domain decision and one store use case, and render.

pub mod abuse;
mod access;
pub mod actions;
mod auth;
mod citizen;
mod client;
pub mod error;
pub mod evidence;
pub mod extract;
mod html;
mod intake;
mod keys;
mod limiter;
mod open311;
mod openapi_open311;
mod openapi_truth;
mod openapi_types;
mod ops;
mod pages;
mod photos;
mod posted;
mod reference;
mod requests;
pub mod settings;
mod sms_in;
mod staff;
pub mod state;
mod ussd;
mod views;
mod voices;
mod web;

pub use extract::BODY_LIMIT;
pub use keys::{hash_api_key, new_api_key};
pub use ops::prometheus;
pub use pages::action::action_report_html;
pub use pages::report::{plan_report_html, ReportSpec, BOUNDARIES_ATTRIBUTION};
pub use settings::Settings;
pub use state::{AppContext, AppState};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// How long a request may take before it is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Default)]
struct RequestIds {
    next: Arc<AtomicU64>,
    prefix: u32,
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n:06}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// Builds the whole application with its middleware.
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS]);
    let ids = RequestIds {
        prefix: std::process::id().wrapping_mul(2_654_435_761),
        ..Default::default()
    };
    Router::new()
        .merge(ops::routes())
        .merge(pages::routes())
        .merge(web::routes())
        .merge(photos::media_routes())
        .merge(ussd::routes())
        .merge(sms_in::routes())
        .nest(
            "/api/v1",
            requests::routes()
                .merge(reference::routes())
                .merge(citizen::routes())
                .merge(voices::routes())
                .merge(photos::api_routes())
                .merge(auth::routes())
                .merge(staff::routes())
                .merge(evidence::routes())
                .merge(actions::routes()),
        )
        .nest("/open311/v2", open311::routes())
        .fallback(not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(track_metrics))
        .layer(cors)
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(x_request_id, ids))
}

async fn not_found(State(_): State<AppState>, req: Request) -> Response {
    error::ApiError::not_found(format!(
        "no endpoint at {} {}; see /docs for the API",
        req.method(),
        req.uri().path()
    ))
    .into_response()
}

async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let res = next.run(req).await;
    let labels = [
        ("method", method),
        ("path", path),
        ("status", res.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    res
}
