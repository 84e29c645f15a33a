//! Operations endpoints: `/healthz` (the process answers), `/readyz` (the database answers),
//! `/metrics` (Prometheus text), `/openapi.json` (generated from the code) and `/docs`, a page
//! rendered from that document on the server — no CDN, no JavaScript.

use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::state::AppState;
use crate::{
    actions, auth, citizen, evidence, photos, reference, requests, sms_in, staff, ussd, views,
    voices,
};
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sahulat API", description = "Citizen service requests for Quetta, Kech, Larkana and Naushahro Feroze. \
        Errors use one envelope: {\"error\":{\"code\":…,\"message\":…,\"fields\":{…}}}. \
        Open311 GeoReport v2 lives under /open311/v2/ (see the README)."),
    paths(requests::create_request, requests::get_request, reference::list_services, reference::list_districts, reference::locate, healthz, readyz,
        auth::sign_in, auth::sign_out, auth::change_password, auth::me,
        staff::queue::queue, staff::ticket::ticket, staff::inbox::inbox, staff::inbox::read, staff::actions::act, staff::actions::comment, staff::moderation::visibility,
        citizen::reopen, citizen::rate, voices::voice,
        photos::citizen_upload, photos::staff_upload, photos::set_visibility,
        ussd::africastalking, ussd::generic, sms_in::africastalking, sms_in::generic,
        evidence::summaries, evidence::plan_input, evidence::open_data,
        actions::list, actions::create, actions::one, actions::evaluation),
    components(schemas(ErrorEnvelope, evidence::SummaryView, evidence::PlanView, requests::CreateRequest, views::RequestView, reference::ServiceView, reference::DistrictView, reference::LocateView)),
    tags((name = "staff", description = "Sign-in and the staff queue (Authorization: Bearer TOKEN)"), (name = "requests", description = "Service requests"), (name = "reference", description = "Services and places"), (name = "phones", description = "USSD and SMS gateway callbacks (?key=SAHULAT_USSD_KEY)"), (name = "evidence", description = "Key figures for local plans (evaluators, coordinators, admins; Authorization: Bearer TOKEN)"), (name = "evaluation", description = "Innovative actions and their evaluation (coordinators, evaluators, admins; Authorization: Bearer TOKEN)"), (name = "operations"))
)]
pub(crate) struct ApiDoc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .route("/docs", get(docs))
}

/// The process-wide Prometheus recorder (installed once, shared by every router built).
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (e.g. by a test harness); then ours stays silent.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process is up")))]
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "Ready"), (status = 503, description = "The database does not answer", body = ErrorEnvelope)))]
pub(crate) async fn readyz(
    State(st): State<AppState>,
) -> Result<Json<serde_json::Value>, ApiError> {
    match st.store.ping().await {
        Ok(()) => Ok(Json(
            serde_json::json!({"status": "ready", "database": st.store.backend()}),
        )),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::new(
                ErrorCode::NotReady,
                "the database is not answering",
            ))
        }
    }
}

async fn metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        prometheus().render(),
    )
        .into_response()
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn docs() -> Html<String> {
    let doc = ApiDoc::openapi();
    let mut body = String::new();
    body.push_str(&format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{t}</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:auto;padding:1rem}}\
         code,pre{{background:#f4f4f4;padding:.1rem .3rem}}h3{{margin-bottom:.2rem}}.m{{font-weight:bold;text-transform:uppercase}}</style></head><body>\
         <h1>{t}</h1><p>{d}</p><p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>. \
         Open311 GeoReport v2: <a href=\"/open311/v2/discovery.json\">/open311/v2/discovery.json</a>.</p>",
        t = esc(&doc.info.title),
        d = esc(doc.info.description.as_deref().unwrap_or("")),
    ));
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            body.push_str(&format!(
                "<h3><span class=\"m\">{method}</span> <code>{}</code></h3><p>{}</p>",
                esc(path),
                esc(op
                    .summary
                    .as_deref()
                    .or(op.description.as_deref())
                    .unwrap_or(""))
            ));
            if let Some(params) = &op.parameters {
                body.push_str("<ul>");
                for p in params {
                    body.push_str(&format!(
                        "<li><code>{}</code> ({}){} {}</li>",
                        esc(&p.name),
                        match p.parameter_in {
                            utoipa::openapi::path::ParameterIn::Query => "query",
                            utoipa::openapi::path::ParameterIn::Path => "path",
                            utoipa::openapi::path::ParameterIn::Header => "header",
                            utoipa::openapi::path::ParameterIn::Cookie => "cookie",
                        },
                        if matches!(p.required, utoipa::openapi::Required::True) {
                            " required"
                        } else {
                            ""
                        },
                        esc(p.description.as_deref().unwrap_or(""))
                    ));
                }
                body.push_str("</ul>");
            }
            body.push_str("<p>Responses: ");
            let codes: Vec<String> = op
                .responses
                .responses
                .iter()
                .map(|(code, r)| match r {
                    utoipa::openapi::RefOr::T(r) => {
                        format!("<code>{}</code> {}", esc(code), esc(&r.description))
                    }
                    utoipa::openapi::RefOr::Ref(_) => format!("<code>{}</code>", esc(code)),
                })
                .collect();
            body.push_str(&codes.join("; "));
            body.push_str("</p>");
        }
    }
    body.push_str("</body></html>");
    Html(body)
}
