//! What a finished USSD session does: a report through the same intake as the API (channel
//! `ussd`, placed by its tehsil, the caller's number as the reporter's, one request per session
//! however often the gateway retries), a status read out, a reopen or a rating under the rules
//! the API applies — each answered with an `END` screen in the caller's language.

use super::Answer;
use crate::access::{by_reference, proven};
use crate::citizen::{rate_proven, reopen_proven};
use crate::error::{ApiError, ErrorCode};
use crate::intake::store_detached;
use crate::state::AppState;
use chrono::Duration;
use sahulat_domain::citizen::Rating;
use sahulat_domain::effects::history_text;
use sahulat_domain::i18n::text;
use sahulat_domain::lang::Lang;
use sahulat_domain::messages::status_details;
use sahulat_domain::phone::Phone;
use sahulat_domain::reference::Reference;
use sahulat_domain::request::{RequestDraft, ServiceRequest};
use sahulat_domain::status::Channel;
use sahulat_domain::ussd::lists::service_label;
use sahulat_domain::ussd::menu::Finish;
use sahulat_domain::ussd::screen::{cut_to_fit, end_text, fits};
use sahulat_domain::ussd::Answers;
use sahulat_store::{
    CreateOutcome, IdempotencyKey, Render, StoredResponse, UpdateQuery, UssdSession,
};
use std::collections::BTreeMap;
use std::sync::Arc;

fn end(lang: Lang, id: &str, args: &[(&str, String)]) -> Answer {
    Answer {
        text: end_text(lang, id, args),
        end: true,
    }
}

/// The polite refusal when this number has made its reports for the day.
pub(super) async fn over_daily_limit(
    st: &AppState,
    phone: &Phone,
    lang: Lang,
) -> Result<Option<Answer>, ApiError> {
    let now = st.clock.now();
    let usage = st
        .store
        .ussd_usage(phone, now - Duration::hours(1), now - Duration::days(1))
        .await?;
    let limit = st.settings.ussd_requests_per_day;
    Ok((usage.requests >= limit)
        .then(|| end(lang, "ussd-limit-requests", &[("count", limit.to_string())])))
}

/// Does what the finished session asks and says how it went.
pub(super) async fn run(
    st: &AppState,
    session: &mut UssdSession,
    phone: &Phone,
    what: Finish,
    a: Answers,
) -> Result<Answer, ApiError> {
    let lang = a.lang;
    match (what, a.reference.clone()) {
        (Finish::Cancel, _) => Ok(end(lang, "ussd-cancelled", &[])),
        (Finish::Report, _) => report(st, session, phone, a).await,
        (Finish::Track, Some(r)) => track(st, lang, &r).await,
        (Finish::Reopen, Some(r)) => reopen(st, phone, &a, &r).await,
        (Finish::Rate, Some(r)) => rate(st, phone, &a, &r).await,
        _ => Ok(end(lang, "ussd-error", &[])),
    }
}

async fn report(
    st: &AppState,
    session: &mut UssdSession,
    phone: &Phone,
    a: Answers,
) -> Result<Answer, ApiError> {
    let lang = a.lang;
    let cat = &st.catalogue;
    if session.request_id.is_none() {
        if let Some(refused) = over_daily_limit(st, phone, lang).await? {
            return Ok(refused);
        }
    }
    let Some(service) = a.service.as_deref().and_then(|c| cat.service(c)) else {
        return Ok(end(lang, "ussd-error", &[]));
    };
    let near = a
        .landmark
        .as_ref()
        .map(|l| text(lang, "ussd-description-near", &[("landmark", l.clone())]))
        .unwrap_or_default();
    let description = text(
        lang,
        "ussd-description",
        &[
            ("service", service_label(service, lang)),
            ("landmark", near),
        ],
    );
    let mut attributes = BTreeMap::new();
    if let Some((code, value)) = &a.answer {
        attributes.insert(code.clone(), vec![value.clone()]);
    }
    let draft = RequestDraft {
        service_code: Some(service.code.clone()),
        description: Some(description),
        address: a.landmark.clone(),
        district: a.district.clone(),
        tehsil: a.tehsil.clone(),
        phone: Some(phone.e164().to_string()),
        language: Some(lang.code().to_string()),
        attributes,
        channel: Some(Channel::Ussd),
        ..Default::default()
    };
    let new = match draft.validate_in(cat, &st.geo, lang) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "a USSD report did not validate");
            return Ok(end(lang, "ussd-error", &[]));
        }
    };
    // The session decides: a retried final step, even after a restart, makes one request.
    let key = IdempotencyKey {
        scope: "ussd".into(),
        key: format!("{}:{}", session.gateway, session.session_id),
        body_hash: "ussd-session".into(),
    };
    let render: Render = Arc::new(|r: &ServiceRequest| StoredResponse {
        status: 201,
        body: serde_json::json!({ "reference": r.reference, "id": r.id }),
    });
    let outcome = store_detached(st, new, Some(key), render).await?;
    if matches!(outcome, CreateOutcome::Created(..)) {
        metrics::counter!("sahulat_requests_created_total", "channel" => "ussd").increment(1);
    }
    let body = &outcome.response().body;
    session.request_id = body["id"].as_i64();
    let reference = body["reference"].as_str().unwrap_or_default();
    let grouped = Reference::parse(reference)
        .map(|r| r.grouped())
        .unwrap_or_else(|_| reference.to_string());
    Ok(end(lang, "ussd-sent", &[("ref", grouped)]))
}

async fn track(st: &AppState, lang: Lang, reference: &Reference) -> Result<Answer, ApiError> {
    let r = match by_reference(st, reference.as_str()).await {
        Ok(r) => r,
        Err(e) if e.code == ErrorCode::NotFound => {
            return Ok(end(
                lang,
                "ussd-unknown-ref",
                &[("ref", reference.grouped())],
            ))
        }
        Err(e) => return Err(e),
    };
    let cat = &st.catalogue;
    let status = text(lang, &format!("status-{}", r.status.as_str()), &[]);
    let mut head = vec![text(
        lang,
        "ussd-status",
        &[("ref", reference.grouped()), ("status", status)],
    )];
    head.extend(status_details(cat, &r, lang));
    let head = head.join(" ");
    let last = match r.status == sahulat_domain::status::Status::Rejected {
        true => None,
        false => st
            .store
            .list_updates(&UpdateQuery {
                reference: Some(r.reference.clone()),
                limit: 200,
                ..Default::default()
            })
            .await?
            .pop()
            .map(|u| history_text(cat, lang, &u.description, u.message.as_ref())),
    };
    let text = match last {
        Some(u) => {
            let u = cut_to_fit(&u, |u| format!("{head} {u}"));
            match u.is_empty() {
                true => head,
                false => format!("{head} {u}"),
            }
        }
        None => head,
    };
    Ok(Answer {
        text: match fits(&text) {
            true => text,
            false => cut_to_fit(&text, |t| t.to_string()),
        },
        end: true,
    })
}

/// A refusal of `proven` or of the action, as an END screen.
fn refusal(lang: Lang, reference: &Reference, e: &ApiError) -> Option<Answer> {
    let id = match e.code {
        ErrorCode::NotFound => "ussd-unknown-ref",
        ErrorCode::NotTheReporter => "ussd-not-yours",
        ErrorCode::NoPhoneOnRecord => "ussd-no-phone",
        ErrorCode::TooManyAttempts => "smsin-too-many",
        ErrorCode::ReopenWindowPassed => "ussd-window-passed",
        ErrorCode::NotClosed => "ussd-not-closed",
        ErrorCode::AlreadyRated => "ussd-already-rated",
        ErrorCode::IllegalTransition | ErrorCode::ValidationFailed | ErrorCode::Conflict => {
            "ussd-not-reopenable"
        }
        _ => return None,
    };
    Some(end(lang, id, &[("ref", reference.grouped())]))
}

async fn reopen(
    st: &AppState,
    phone: &Phone,
    a: &Answers,
    reference: &Reference,
) -> Result<Answer, ApiError> {
    let lang = a.lang;
    let reason = format!(
        "{} (by USSD)",
        text(Lang::En, a.reason.unwrap_or("ussd-reason-other"), &[])
    );
    let done = async {
        let p = proven(st, reference.as_str(), phone.e164()).await?;
        if p.ticket.status.is_open() {
            return Err(ApiError::new(ErrorCode::NotClosed, "still open"));
        }
        reopen_proven(st, &p, &reason).await
    }
    .await;
    match done {
        Ok(_) => Ok(end(lang, "ussd-reopened", &[("ref", reference.grouped())])),
        Err(e) => refusal(lang, reference, &e).map(Ok).unwrap_or(Err(e)),
    }
}

async fn rate(
    st: &AppState,
    phone: &Phone,
    a: &Answers,
    reference: &Reference,
) -> Result<Answer, ApiError> {
    let lang = a.lang;
    let Some(rating) = a.rating.and_then(|n| Rating::new(i64::from(n)).ok()) else {
        return Ok(end(lang, "ussd-error", &[]));
    };
    let done = async {
        let p = proven(st, reference.as_str(), phone.e164()).await?;
        rate_proven(st, &p, rating, None, "ussd").await
    }
    .await;
    match done {
        Ok((true, _)) => Ok(end(
            lang,
            "ussd-rated-reopened",
            &[("ref", reference.grouped())],
        )),
        Ok((false, _)) => Ok(end(lang, "ussd-rated", &[("ref", reference.grouped())])),
        Err(e) => refusal(lang, reference, &e).map(Ok).unwrap_or(Err(e)),
    }
}
