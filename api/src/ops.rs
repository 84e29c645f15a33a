//! Operations endpoints: `/healthz` (the process answers), `/readyz` (the database answers),
//! `/metrics` (Prometheus text), `/openapi.json` (generated from the code) and `/docs`, a page
//! rendered from that document on the server — no CDN, no JavaScript.

use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::openapi_truth::Truthful;
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
    modifiers(&Truthful),
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
        for (name, help) in [
            (
                "http_requests_total",
                "HTTP requests answered, by method, route and status.",
            ),
            (
                "sahulat_requests_created_total",
                "Requests created by this process, by channel.",
            ),
            (
                "sahulat_photos_total",
                "Photos stored by this process, by kind.",
            ),
            (
                "sahulat_ratings_total",
                "Citizen ratings stored by this process.",
            ),
            (
                "sahulat_sms_in_total",
                "Inbound SMS handled by this process, by command.",
            ),
            (
                "sahulat_voices_total",
                "Voices added to open reports by this process, by channel.",
            ),
        ] {
            metrics::describe_counter!(name, help);
        }
        metrics::describe_histogram!(
            "http_request_duration_seconds",
            metrics::Unit::Seconds,
            "Time to answer HTTP requests, by method and route."
        );
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

/// The process's counters and histograms, then figures counted from the database at this
/// scrape (the same whichever instance answers; a worker running in another process shows up
/// here too): queue depth, outbox, requests stored, open escalations.
async fn metrics(State(st): State<AppState>) -> Response {
    let mut text = prometheus().render();
    match st.store.gauges().await {
        Ok(g) => {
            text.push_str(&domain_metrics(&g));
            text.push_str("# HELP sahulat_database_up Whether the database answered this scrape.\n# TYPE sahulat_database_up gauge\nsahulat_database_up 1\n");
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the database did not answer");
            text.push_str("# HELP sahulat_database_up Whether the database answered this scrape.\n# TYPE sahulat_database_up gauge\nsahulat_database_up 0\n");
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// A label value as the exposition format wants it.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The database's figures in the Prometheus text format.
fn domain_metrics(g: &sahulat_store::Gauges) -> String {
    let mut out = String::new();
    let mut family = |name: &str, help: &str, rows: Vec<(String, i64)>| {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for (labels, v) in rows {
            out.push_str(&format!("{name}{{{labels}}} {v}\n"));
        }
    };
    family(
        "sahulat_jobs",
        "Jobs by kind and state (queued, running, done, failed).",
        g.jobs
            .iter()
            .map(|j| {
                (
                    format!("kind=\"{}\",state=\"{}\"", label(&j.kind), label(&j.state)),
                    j.count,
                )
            })
            .collect(),
    );
    family(
        "sahulat_outbox_messages",
        "SMS and staff-inbox messages by recipient kind and state (pending, sent, failed).",
        g.outbox
            .iter()
            .map(|(k, s, n)| {
                (
                    format!("recipient_kind=\"{}\",state=\"{}\"", label(k), label(s)),
                    *n,
                )
            })
            .collect(),
    );
    family(
        "sahulat_requests_stored",
        "Requests stored, by channel and district.",
        g.requests
            .iter()
            .map(|(c, d, n)| {
                (
                    format!("channel=\"{}\",district=\"{}\"", label(c), label(d)),
                    *n,
                )
            })
            .collect(),
    );
    family(
        "sahulat_escalated_open",
        "Open requests escalated, by escalation level.",
        g.escalated_open
            .iter()
            .map(|(l, n)| (format!("level=\"{l}\""), *n))
            .collect(),
    );
    out
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
