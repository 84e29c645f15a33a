//! The ticket page: description, photos, map, call-back number for the handling staff,
//! duplicates, ratings, history, and the action and comment forms with response templates.

use super::render::{dir, grouped, language, page, pkt};
use super::session::user_ctx;
use super::session::{posted, PageUser};
use crate::access::{no_evaluators, visible};
use crate::error::ApiError;
use crate::extract::QueryPairs;
use crate::staff::actions::{add_comment, perform, ActionRequest, CommentRequest};
use crate::staff::moderation::set_hidden;
use crate::staff::ticket::{detail, TemplateView};
use crate::state::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use sahulat_domain::lang::Lang;
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::Status;

/// A small SVG of the tehsil (or district) outline with the reported point.
fn map_svg(st: &AppState, r: &ServiceRequest) -> Option<String> {
    let (lat, lon) = (r.lat?, r.lon?);
    let area = r
        .tehsil
        .as_deref()
        .and_then(|t| st.geo.tehsil(t))
        .or_else(|| st.geo.district(&r.district))?;
    use geo::{BoundingRect, CoordsIter};
    let rect = area.shape.bounding_rect()?;
    let (w, h) = (rect.width().max(1e-6), rect.height().max(1e-6));
    let mut path = String::new();
    for poly in &area.shape.0 {
        for (i, c) in poly.exterior().coords_iter().enumerate() {
            path.push_str(&format!(
                "{}{:.3} {:.3}",
                if i == 0 { "M" } else { "L" },
                c.x - rect.min().x,
                rect.max().y - c.y
            ));
        }
        path.push('Z');
    }
    let stroke = w.max(h) / 150.0;
    Some(format!(
        "<svg viewBox=\"0 0 {w:.3} {h:.3}\" role=\"img\" aria-label=\"{name}\"><path d=\"{path}\" fill=\"#eef5ef\" stroke=\"#0b5d3b\" stroke-width=\"{stroke:.4}\"/><circle cx=\"{:.4}\" cy=\"{:.4}\" r=\"{:.4}\" fill=\"#b00020\"/></svg>",
        lon - rect.min().x,
        rect.max().y - lat,
        stroke * 3.0,
        name = area.name,
    ))
}

pub(super) async fn render_ticket(
    st: &AppState,
    user: &PageUser,
    lang: Lang,
    reference: &str,
    flash: Option<String>,
    error: Option<(StatusCode, String)>,
    cookies: &[String],
) -> Response {
    let actor = match no_evaluators(&user.signed) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let r = match visible(st, &actor, reference).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let d = match detail(st, &actor, &r).await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let cat = &st.catalogue;
    let place = [
        r.tehsil
            .as_deref()
            .and_then(|t| cat.tehsil(t))
            .map(|t| t.names.get(lang).to_string()),
        cat.district(&r.district)
            .map(|x| x.names.get(lang).to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let ctx = context! {
        lang => lang.code(), dir => dir(lang), user => user_ctx(user), csrf => user.csrf.clone(), flash => flash,
        error => error.as_ref().map(|e| e.1.clone()),
        k => context! {
            reference => r.reference.clone(), grouped => grouped(&r.reference),
            service => cat.service(&r.service_code).map(|s| s.names.get(lang).to_string()).unwrap_or_default(),
            status => r.status.as_str(), priority => r.priority.as_str(), service_code => r.service_code.clone(), due => pkt(r.sla_due_at), reporters => r.reporters,
            description => r.description.clone(), description_hidden => r.description_hidden, place => place, lat => r.lat, lon => r.lon, address => r.address.clone(),
        },
        map => map_svg(st, &r),
        flags => r.triage_flags.iter().map(|fl| {
            let (name, detail) = fl.split_once(':').unwrap_or((fl.as_str(), ""));
            let detail = cat.service(detail).map(|s| s.names.get(lang).to_string())
                .unwrap_or_else(|| grouped(detail));
            context! { name => name, detail => detail }
        }).collect::<Vec<_>>(),
        services => cat.services.iter().map(|s| (s.code.clone(), s.names.get(lang).to_string())).collect::<Vec<_>>(),
        priorities => sahulat_domain::status::Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        contact => d.contact.as_ref().map(|c| context! { phone => c.phone.clone(), name => c.name.clone() }),
        duplicates => d.duplicates.clone(),
        templates => template_groups(&d.templates, lang),
        photos => d.photos.iter().map(|p| context! { id => p.id, url => p.photo.url.clone(), thumb => p.photo.thumbnail_url.clone(), hidden => p.hidden, by => p.uploaded_by.clone(), width => p.photo.width, height => p.photo.height }).collect::<Vec<_>>(),
        ratings => d.ratings.iter().map(|x| context! { rating => x.rating, comment => x.comment.clone(), at => pkt(Some(x.at)), reopened => x.reopened }).collect::<Vec<_>>(),
        actions => ["acknowledge", "start", "resolve", "close_not_fixed", "not_responsible", "refer", "mark_duplicate", "reject", "reopen"],
        departments => cat.departments.iter().filter(|x| x.district == r.district).map(|x| (x.code.clone(), x.names.get(lang).to_string())).collect::<Vec<_>>(),
        history => d.history.iter().map(|h| context! { at => pkt(Some(h.at)), actor => h.actor.clone(), status => h.status.clone(), description => h.description.clone(), public => h.public }).collect::<Vec<_>>(),
    };
    page(
        error.map(|e| e.0).unwrap_or(StatusCode::OK),
        "ticket.html",
        ctx,
        cookies,
    )
}

pub(super) async fn ticket(
    State(st): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    q: QueryPairs,
    Path(reference): Path<String>,
) -> Response {
    let (lang, lang_cookie) = language(&headers, &q);
    let flash = (q.get("done") == Some("1"))
        .then(|| sahulat_domain::messages::text(lang, "page-done", &[]));
    render_ticket(
        &st,
        &user,
        lang,
        &reference,
        flash,
        None,
        &lang_cookie.into_iter().collect::<Vec<_>>(),
    )
    .await
}

pub(super) async fn action(
    State(st): State<AppState>,
    user: PageUser,
    Path(reference): Path<String>,
    req: Request,
) -> Response {
    let (lang, f) = match posted(&user, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let text = f.get("text").map(str::to_string);
    let act = f.get("action").unwrap_or("").to_string();
    let body = ActionRequest {
        note: (act == "resolve").then(|| text.clone()).flatten(),
        reason: matches!(
            act.as_str(),
            "close_not_fixed" | "refer" | "reject" | "reopen" | "recategorise" | "reprioritise"
        )
        .then(|| text.clone())
        .flatten(),
        responsible: (act == "not_responsible").then(|| text.clone()).flatten(),
        to_department: f.get("to_department").map(str::to_string),
        of: f.get("of").map(str::to_string),
        template: f
            .get("template")
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        service_code: f.get("service_code").map(str::to_string),
        priority: f.get("priority").map(str::to_string),
        action: act,
    };
    let seen = f.get("seen_status").and_then(Status::parse);
    let done = perform(&st, &user.signed, &reference, &body, seen).await;
    after_form(&st, &user, lang, &reference, done).await
}

/// The answer to any form on the ticket page: back to the ticket with "Saved.", or the ticket
/// again with the error above the forms; a ticket the user may not see stays a plain 404.
pub(super) async fn after_form(
    st: &AppState,
    user: &PageUser,
    lang: Lang,
    reference: &str,
    done: Result<ServiceRequest, ApiError>,
) -> Response {
    match done {
        Ok(r) => Redirect::to(&format!(
            "/staff/tickets/{}?done=1&lang={}",
            r.reference,
            lang.code()
        ))
        .into_response(),
        Err(e) if e.status == StatusCode::NOT_FOUND => e.into_response(),
        Err(e) => {
            render_ticket(
                st,
                user,
                lang,
                reference,
                None,
                Some((e.status, e.message)),
                &[],
            )
            .await
        }
    }
}

/// The coordinator hides a description that names a private person, or shows it again.
pub(super) async fn description(
    State(st): State<AppState>,
    user: PageUser,
    Path(reference): Path<String>,
    req: Request,
) -> Response {
    let (lang, f) = match posted(&user, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let hidden = f.get("hidden") == Some("true");
    let done = set_hidden(&st, &user.signed, &reference, hidden).await;
    after_form(&st, &user, lang, &reference, done).await
}

pub(super) async fn comment(
    State(st): State<AppState>,
    user: PageUser,
    Path(reference): Path<String>,
    req: Request,
) -> Response {
    let (lang, f) = match posted(&user, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let body = CommentRequest {
        text: f.get("text").unwrap_or("").to_string(),
        public: f.get("public") == Some("true"),
    };
    let done = add_comment(&st, &user.signed, &reference, &body).await;
    after_form(&st, &user, lang, &reference, done).await
}

/// Templates grouped by the status they lead to, titled in the staff member's language.
fn template_groups(list: &[TemplateView], lang: Lang) -> Vec<minijinja::Value> {
    let mut groups: Vec<(String, Vec<minijinja::Value>)> = Vec::new();
    for t in list {
        let title = t.title[lang.code()]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let item = context! { id => t.id.clone(), title => title, text => t.citizen_text.clone() };
        match groups.iter_mut().find(|g| g.0 == t.status) {
            Some(g) => g.1.push(item),
            None => groups.push((t.status.clone(), vec![item])),
        }
    }
    groups
        .into_iter()
        .map(|(status, items)| context! { status => status, items => items })
        .collect()
}
