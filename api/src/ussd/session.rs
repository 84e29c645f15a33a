//! One USSD step, whatever the gateway: the stored session and the gateway's path give the
//! inputs; a path already answered is answered again from the store (a gateway's retry,
//! including of the final step, decides nothing twice); a caller who starts again within ten
//! minutes of an unfinished report is offered to continue it; per-number limits answer with a
//! polite screen. The menu itself is `sahulat_domain::ussd`, pure.

use super::{finish, Answer};
use crate::error::ApiError;
use crate::state::AppState;
use chrono::Duration;
use sahulat_domain::phone::Phone;
use sahulat_domain::ussd::menu::ScreenId;
use sahulat_domain::ussd::path::{self, Change, Resumed};
use sahulat_domain::ussd::screen::{end_text, render};
use sahulat_domain::ussd::{walk, Step};
use sahulat_store::UssdSession;

/// How long an abandoned report may be resumed.
pub const RESUME_WITHIN_MINUTES: i64 = 10;
/// How long sessions are kept (they count towards the per-number limits).
pub const KEEP_SESSIONS_HOURS: i64 = 25;

/// What a gateway posted for one step.
#[derive(Debug)]
pub(crate) struct Incoming {
    /// Which adapter (`africastalking`, `generic`).
    pub gateway: &'static str,
    /// The gateway's session id.
    pub session_id: String,
    /// The caller's number as the gateway spells it.
    pub phone: String,
    /// The step's input.
    pub input: Input,
}

/// How a gateway gives the input.
#[derive(Debug)]
pub(crate) enum Input {
    /// Every input so far joined by `*` (Africa's Talking's `text`).
    Path(String),
    /// Only the latest input, optionally with the number of inputs so far.
    Latest {
        /// The input (None or empty on the first step).
        input: Option<String>,
        /// How many inputs the session holds with this one.
        step: Option<usize>,
    },
}

/// The path the step stands for, in Africa's Talking's spelling (`1*2*3`).
fn path_of(input: &Input, stored: Option<&UssdSession>) -> Option<String> {
    match input {
        Input::Path(text) => Some(text.clone()),
        Input::Latest { input, step } => {
            let before = stored.map(|s| s.path.as_str()).unwrap_or("");
            let count = stored.map_or(0, |s| s.inputs.len());
            // A retried step (same count) is the path already answered.
            if step.is_some_and(|n| n <= count) {
                return stored.map(|s| s.path.clone());
            }
            match (input.as_deref(), stored) {
                (None, None) | (Some(""), None) => Some(String::new()),
                (None, Some(s)) => Some(s.path.clone()),
                (Some(i), _) if before.is_empty() && count == 0 => Some(i.to_string()),
                (Some(i), _) => Some(format!("{before}*{i}")),
            }
        }
    }
}

/// The menu inputs of a stored session (an unanswered offer stands for the old inputs).
fn menu_inputs(s: &UssdSession) -> Vec<String> {
    match &s.offer {
        None => s.inputs.clone(),
        Some(offer) => match path::resumed(offer, &s.inputs) {
            Resumed::Inputs(v) => v,
            Resumed::Ask { .. } => offer.clone(),
        },
    }
}

/// Answers one step.
pub(crate) async fn step(st: &AppState, inc: Incoming) -> Result<Answer, ApiError> {
    let now = st.clock.now();
    let Ok(phone) = Phone::parse(&inc.phone) else {
        // A number Sahulat cannot text back (missing, foreign, a landline): nothing is stored.
        return Ok(Answer::end(end_text(
            Default::default(),
            "ussd-bad-phone",
            &[],
        )));
    };
    let stored = st.store.ussd_session(inc.gateway, &inc.session_id).await?;
    let Some(path) = path_of(&inc.input, stored.as_ref()) else {
        return Ok(Answer::end(end_text(Default::default(), "ussd-error", &[])));
    };
    if let Some(s) = &stored {
        if s.path == path || s.ended {
            return Ok(Answer {
                text: s.answer.clone(),
                end: s.ended,
            });
        }
    }
    let previous = stored.as_ref().map(|s| s.path.clone());
    let mut session = match stored {
        Some(s) => s,
        None => match begin(st, &inc, &phone, now).await? {
            Ok(s) => s,
            Err(refused) => return Ok(refused),
        },
    };
    // A session this server has not seen arrives with its whole path: split at every `*`.
    session.inputs = match path::change(previous.as_deref(), &path) {
        Change::Same => session.inputs.clone(),
        Change::Added(input) => {
            let mut v = session.inputs.clone();
            match path::takes_free_text(&menu_inputs(&session), &st.catalogue) {
                true => v.push(input),
                // Several inputs at once: a step the server never received.
                false => v.extend(path::split(&input)),
            }
            v
        }
        Change::Fresh(v) => v,
    };
    session.path = path;
    session.updated_at = now;
    let answer = answer(st, &mut session, &phone).await?;
    session.answer = answer.text.clone();
    session.ended = answer.end;
    st.store.save_ussd_session(&session, &phone).await?;
    Ok(answer)
}

/// A new session: the per-number hourly limit, and the offer of an unfinished report.
async fn begin(
    st: &AppState,
    inc: &Incoming,
    phone: &Phone,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Result<UssdSession, Answer>, ApiError> {
    st.store
        .forget_ussd_sessions(now - Duration::hours(KEEP_SESSIONS_HOURS))
        .await?;
    let mut s = UssdSession {
        gateway: inc.gateway.to_string(),
        session_id: inc.session_id.clone(),
        path: String::new(),
        inputs: vec![],
        offer: None,
        answer: String::new(),
        ended: false,
        request_id: None,
        created_at: now,
        updated_at: now,
    };
    let usage = st
        .store
        .ussd_usage(phone, now - Duration::hours(1), now - Duration::days(1))
        .await?;
    if usage.sessions >= st.settings.ussd_sessions_per_hour {
        let refused = Answer::end(end_text(Default::default(), "ussd-limit-sessions", &[]));
        s.answer = refused.text.clone();
        s.ended = true;
        st.store.save_ussd_session(&s, phone).await?;
        return Ok(Err(refused));
    }
    let since = now - Duration::minutes(RESUME_WITHIN_MINUTES);
    if let Some(old) = st
        .store
        .unfinished_ussd_session(phone, since, &inc.session_id)
        .await?
    {
        let inputs = menu_inputs(&old);
        if old.request_id.is_none() && path::worth_resuming(&inputs, &st.catalogue) {
            s.offer = Some(inputs);
        }
        // Offered here or not worth offering: the old session is over either way.
        st.store
            .end_ussd_session(&old.gateway, &old.session_id)
            .await?;
    }
    Ok(Ok(s))
}

/// The answer to the session's inputs.
async fn answer(
    st: &AppState,
    session: &mut UssdSession,
    phone: &Phone,
) -> Result<Answer, ApiError> {
    let cat = &st.catalogue;
    let inputs = match &session.offer {
        None => session.inputs.clone(),
        Some(offer) => match path::resumed(offer, &session.inputs) {
            Resumed::Ask { invalid } => {
                let lang = path::language_of(offer, cat);
                return Ok(Answer::con(path::resume_screen(lang, invalid)));
            }
            Resumed::Inputs(v) => v,
        },
    };
    match walk(&inputs, cat) {
        Step::TooLong => Ok(Answer::end(end_text(
            Default::default(),
            "ussd-too-long",
            &[],
        ))),
        Step::Show(s) => {
            if s.screen == ScreenId::District {
                if let Some(refused) = finish::over_daily_limit(st, phone, s.answers.lang).await? {
                    return Ok(refused);
                }
            }
            Ok(Answer::con(render(&s, cat)))
        }
        Step::Done(what, answers) => finish::run(st, session, phone, what, answers).await,
    }
}
