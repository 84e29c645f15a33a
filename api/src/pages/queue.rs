//! The staff queue page.

use super::render::{dir, grouped, language, page, pkt};
use super::session::user_ctx;
use super::session::PageUser;
use crate::access::no_evaluators;
use crate::error::ApiError;
use crate::extract::QueryPairs;
use crate::staff::queue::{attention, filter};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use sahulat_domain::status::{Priority, Status};

pub(crate) async fn queue(
    State(st): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, lang_cookie) = language(&headers, &q);
    let actor = match no_evaluators(&user.signed) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let now = st.clock.now();
    let f = match filter(&q, now, &st.catalogue) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let scope = actor.scope();
    let (rows, counts) = match tokio::try_join!(
        st.store.list_tickets(&scope, &f),
        st.store.ticket_counts(&scope)
    ) {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (overdue, unassigned) = match attention(&st, &scope, now).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let cat = &st.catalogue;
    let tickets: Vec<minijinja::Value> = rows
        .iter()
        .map(|r| {
            context! {
                reference => r.reference.clone(), grouped => grouped(&r.reference),
                service => cat.service(&r.service_code).map(|s| s.names.get(lang).to_string()).unwrap_or_default(),
                summary => r.description.chars().take(90).collect::<String>(),
                status => r.status.as_str(), priority => r.priority.as_str(),
                tehsil => r.tehsil.as_deref().and_then(|t| cat.tehsil(t)).map(|t| t.names.get(lang).to_string()).unwrap_or_default(),
                due => pkt(r.sla_due_at), reporters => r.reporters,
                overdue => r.status.is_open() && r.sla_due_at.is_some_and(|d| d < now),
                flags => r.triage_flags.clone(),
            }
        })
        .collect();
    let district = user.signed.user.district.clone();
    let tehsils: Vec<(String, String)> = cat
        .tehsils
        .iter()
        .filter(|t| district.as_deref().is_none_or(|d| d == t.district))
        .map(|t| (t.code.clone(), t.names.get(lang).to_string()))
        .collect();
    let ctx = context! {
        lang => lang.code(), dir => dir(lang), user => user_ctx(&user), csrf => user.csrf.clone(),
        counts => counts.iter().map(|(s, n)| (s.as_str(), *n)).collect::<Vec<_>>(),
        overdue => overdue, unassigned => unassigned,
        statuses => Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        priorities => Priority::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        services => cat.services.iter().map(|s| (s.code.clone(), s.names.get(lang).to_string())).collect::<Vec<_>>(),
        tehsils => tehsils,
        f => context! { status => q.get("status").unwrap_or(""), priority => q.get("priority").unwrap_or(""), service => q.get("service").unwrap_or(""),
                        tehsil => q.get("tehsil").unwrap_or(""), flag => q.get("flag").unwrap_or(""), overdue => q.get("overdue") == Some("true"), unassigned => q.get("unassigned") == Some("true"), sort => q.get("sort").unwrap_or("due") },
        tickets => tickets,
    };
    page(
        StatusCode::OK,
        "queue.html",
        ctx,
        &lang_cookie.into_iter().collect::<Vec<_>>(),
    )
}
