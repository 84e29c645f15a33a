//! SMS replies from citizens: Africa's Talking's inbound-message callback
//! (`POST /sms/africastalking`: form fields `from`, `to`, `text`, `date`, `id`, `linkId`) and a
//! generic JSON adapter (`POST /sms/generic`: `{id, from, text}`), authenticated like USSD.
//! Each message is handled once (a gateway's retry of the same id is recognised), read by
//! `sahulat_domain::sms_in` (status, reopen, rate, or help, in four languages), answered only
//! to the number that made the report (or added its voice), and every reply goes through the
//! outbox, so the per-number hourly SMS limit applies to replies too.

use crate::access::{by_reference, proven};
use crate::citizen::{rate_proven, reopen_proven};
use crate::error::{ApiError, ErrorCode};
use crate::extract::{body_bytes, JsonBody, QueryPairs, BODY_LIMIT};
use crate::state::AppState;
use crate::ussd::check_key;
use axum::extract::{Request, State};
use axum::routing::post;
use axum::{Json, Router};
use sahulat_domain::citizen::Rating;
use sahulat_domain::effects::{history_text, NewMessage};
use sahulat_domain::i18n::text;
use sahulat_domain::lang::Lang;
use sahulat_domain::messages::{status_details, within_budget};
use sahulat_domain::phone::Phone;
use sahulat_domain::reference::{Reference, ReferenceError};
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::sms_in::{read, Command};
use sahulat_domain::status::Status;
use sahulat_store::UpdateQuery;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sms/africastalking", post(africastalking))
        .route("/sms/generic", post(generic))
}

/// What was done with an inbound SMS (for the gateway's log; the citizen gets the reply by SMS).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Handled {
    /// `status`, `reopen`, `rate` or `help`; empty when the sender cannot be answered.
    pub command: String,
    /// Whether this message id was seen before (nothing done again).
    pub duplicate: bool,
    /// Whether a reply was queued (besides any SMS the action itself sends).
    pub replied: bool,
}

/// Africa's Talking's inbound SMS callback.
#[utoipa::path(post, path = "/sms/africastalking", tag = "phones",
    params(("key" = Option<String>, Query, description = "SAHULAT_USSD_KEY, when the deployment sets one")),
    request_body(content = inline(Option<crate::openapi_types::AtSmsForm>), content_type = "application/x-www-form-urlencoded",
        description = "from, to, text, date, id, linkId; the body is read as a form whatever its content type"),
    responses(
        (status = 200, body = Handled),
        (status = 400, description = "The body is not a form", body = crate::error::ErrorEnvelope),
        (status = 403, description = "Key missing or wrong; nothing stored", body = crate::error::ErrorEnvelope), (status = 413, description = "Body over 256 KiB", body = crate::error::ErrorEnvelope),
    ))]
pub(crate) async fn africastalking(
    State(st): State<AppState>,
    query: QueryPairs,
    req: Request,
) -> Result<Json<Handled>, ApiError> {
    check_key(&st, &query)?;
    let raw = body_bytes(req, BODY_LIMIT).await?;
    let form = QueryPairs::parse(&raw).map_err(ApiError::bad_request)?;
    let from = form.get("from").unwrap_or("");
    let text = form.get("text").unwrap_or("");
    let id = form
        .get("id")
        .or(form.get("linkId"))
        .map(str::to_string)
        .unwrap_or_else(|| fallback_id(from, form.get("date").unwrap_or(""), text));
    receive(&st, "africastalking", &id, from, text)
        .await
        .map(Json)
}

/// A generic gateway's inbound SMS.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct GenericSms {
    /// The gateway's message id (a retry repeats it).
    #[serde(default)]
    pub id: Option<String>,
    /// The sender's number.
    pub from: String,
    /// The message.
    pub text: String,
}

/// A generic JSON gateway's inbound SMS.
#[utoipa::path(post, path = "/sms/generic", tag = "phones",
    params(("key" = Option<String>, Query, description = "SAHULAT_USSD_KEY, when the deployment sets one")),
    request_body = GenericSms,
    responses(
        (status = 200, body = Handled),
        (status = 400, description = "The body is not JSON", body = crate::error::ErrorEnvelope),
        (status = 403, description = "Key missing or wrong; nothing stored", body = crate::error::ErrorEnvelope), (status = 413, description = "Body over 256 KiB", body = crate::error::ErrorEnvelope),
        (status = 415, description = "No `Content-Type: application/json`", body = crate::error::ErrorEnvelope),
        (status = 422, description = "`from` or `text` missing, or a field of the wrong type", body = crate::error::ErrorEnvelope),
    ))]
pub(crate) async fn generic(
    State(st): State<AppState>,
    query: QueryPairs,
    body: JsonBody<GenericSms>,
) -> Result<Json<Handled>, ApiError> {
    check_key(&st, &query)?;
    let b = body.value;
    let id =
        b.id.filter(|i| !i.trim().is_empty())
            .unwrap_or_else(|| fallback_id(&b.from, "", &b.text));
    receive(&st, "generic", &id, &b.from, &b.text)
        .await
        .map(Json)
}

/// An id for a message that came without one: the same message posted twice gets the same.
fn fallback_id(from: &str, date: &str, text: &str) -> String {
    hex::encode(Sha256::digest(format!("{from}\n{date}\n{text}")))
}

/// What to answer, and in which language.
struct Reply {
    id: &'static str,
    args: Vec<(&'static str, String)>,
    request: Option<i64>,
}

impl Reply {
    fn new(id: &'static str, args: Vec<(&'static str, String)>) -> Reply {
        Reply {
            id,
            args,
            request: None,
        }
    }
}

async fn receive(
    st: &AppState,
    gateway: &str,
    id: &str,
    from: &str,
    sms: &str,
) -> Result<Handled, ApiError> {
    let now = st.clock.now();
    let Ok(phone) = Phone::parse(from) else {
        // A number Sahulat cannot text back: nothing to answer, nothing stored.
        return Ok(Handled {
            command: String::new(),
            duplicate: false,
            replied: false,
        });
    };
    let id: String = id.chars().take(200).collect();
    let reading = read(sms);
    let command = reading.command.name();
    if !st
        .store
        .record_inbound_sms(gateway, &id, &phone, command, now)
        .await?
    {
        return Ok(Handled {
            command: command.into(),
            duplicate: true,
            replied: false,
        });
    }
    metrics::counter!("sahulat_sms_in_total", "command" => command).increment(1);
    let (reply, report_lang) =
        answer(st, &phone, &reading.command, &reading.typed, reading.lang).await?;
    let lang = reading.lang.or(report_lang).unwrap_or(Lang::En);
    let replied = match reply {
        None => false,
        Some(r) => {
            let message = NewMessage {
                request_id: r.request,
                recipient_kind: "citizen".into(),
                recipient: phone.e164().to_string(),
                language: lang.code().into(),
                body: within_budget(lang, r.id, &r.args),
                dedupe_key: format!("sms-reply:{gateway}:{id}"),
            };
            st.store.queue_messages(&[message], now).await?;
            true
        }
    };
    Ok(Handled {
        command: command.into(),
        duplicate: false,
        replied,
    })
}

/// The reply to a command (None when the action's own SMS answers it), and the language of
/// the report it names; `wanted` is the language the SMS was written in, when it shows one.
async fn answer(
    st: &AppState,
    phone: &Phone,
    command: &Command,
    typed: &str,
    wanted: Option<Lang>,
) -> Result<(Option<Reply>, Option<Lang>), ApiError> {
    let reference = match command {
        Command::Help => return Ok((Some(Reply::new("smsin-help", vec![])), None)),
        Command::Status(r) | Command::Reopen(r, _) | Command::Rate(r, _) => r,
    };
    let reference = match reference {
        Ok(r) => r,
        Err(ReferenceError::CheckDigit) => {
            return Ok((
                Some(Reply::new("smsin-typo", vec![("ref", typed.into())])),
                None,
            ))
        }
        Err(ReferenceError::Shape) => return Ok((Some(Reply::new("smsin-help", vec![])), None)),
    };
    let refs = || vec![("ref", reference.grouped())];
    let r = match by_reference(st, reference.as_str()).await {
        Ok(r) => r,
        Err(e) if e.code == ErrorCode::NotFound => {
            return Ok((Some(Reply::new("smsin-unknown", refs())), None))
        }
        Err(e) => return Err(e),
    };
    let p = match proven(st, reference.as_str(), phone.e164()).await {
        Ok(p) => p,
        Err(e) => return Ok((Some(refused(&e, reference)?), Some(r.language))),
    };
    let lang = wanted.unwrap_or(p.lang);
    let mut reply = match command {
        Command::Status(_) => Some(status(st, &p.ticket, lang, reference).await?),
        Command::Reopen(_, reason) if reason.chars().count() < 3 => {
            Some(Reply::new("smsin-reason-needed", refs()))
        }
        Command::Reopen(_, reason) => match p.ticket.status.is_open() {
            true => Some(Reply::new("smsin-not-closed", refs())),
            false => match reopen_proven(st, &p, &format!("{reason} (by SMS)")).await {
                // The reopen sends its own SMS ("open again").
                Ok(_) => None,
                Err(e) => Some(refused(&e, reference)?),
            },
        },
        Command::Rate(_, None) => Some(Reply::new("smsin-rating-needed", refs())),
        Command::Rate(_, Some(n)) => {
            let rating = Rating::new(i64::from(*n))?;
            match rate_proven(st, &p, rating, None, "sms").await {
                Ok((true, _)) => None,
                Ok((false, _)) => Some(Reply::new("smsin-rated", refs())),
                Err(e) => Some(refused(&e, reference)?),
            }
        }
        Command::Help => None,
    };
    if let Some(r) = reply.as_mut() {
        r.request = Some(p.ticket.id);
    }
    Ok((reply, Some(lang)))
}

/// A refusal as the reply that explains it; other errors stay errors.
fn refused(e: &ApiError, reference: &Reference) -> Result<Reply, ApiError> {
    let id = match e.code {
        ErrorCode::NotTheReporter => "smsin-not-yours",
        ErrorCode::NoPhoneOnRecord => "smsin-no-phone",
        ErrorCode::TooManyAttempts => "smsin-too-many",
        ErrorCode::ReopenWindowPassed => "smsin-window",
        ErrorCode::NotClosed => "smsin-not-closed",
        ErrorCode::AlreadyRated => "smsin-already",
        ErrorCode::IllegalTransition | ErrorCode::ValidationFailed | ErrorCode::Conflict => {
            "smsin-not-reopenable"
        }
        _ => {
            return Err(ApiError::new(e.code, e.message.clone()));
        }
    };
    Ok(Reply::new(id, vec![("ref", reference.grouped())]))
}

async fn status(
    st: &AppState,
    t: &ServiceRequest,
    lang: Lang,
    reference: &Reference,
) -> Result<Reply, ApiError> {
    let cat = &st.catalogue;
    let mut more = status_details(cat, t, lang);
    if t.status != Status::Rejected {
        let last = st
            .store
            .list_updates(&UpdateQuery {
                reference: Some(t.reference.clone()),
                limit: 200,
                ..Default::default()
            })
            .await?
            .pop()
            .map(|u| history_text(cat, lang, &u.description, u.message.as_ref()));
        more.extend(last);
    }
    let more = match more.is_empty() {
        true => String::new(),
        false => format!(" {}", more.join(" ")),
    };
    Ok(Reply::new(
        "smsin-status",
        vec![
            ("ref", reference.grouped()),
            (
                "status",
                text(lang, &format!("status-{}", t.status.as_str()), &[]),
            ),
            ("more", more),
        ],
    ))
}
