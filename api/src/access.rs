//! Who may see and do what, decided in one place for the API and the pages: a reference as
//! typed (check digit verified), a ticket only within the caller's scope (anything else is
//! "not found", so references cannot be probed), evaluators kept away from tickets, the
//! citizen's proof (the phone number the report was made with, with repeated wrong numbers
//! slowed down), and which photos the public may see.

use crate::auth::Signed;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use sahulat_domain::accounts::Role;
use sahulat_domain::accounts::User;
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::citizen::Proven;
use sahulat_domain::lang::Lang;
use sahulat_domain::lifecycle::{self, state_of, Actor};
use sahulat_domain::phone::Phone;
use sahulat_domain::reference::Reference;
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::Status;
use sahulat_store::{Addressees, Photo, ReporterProof};

/// Parses a reference from a path, with the keypad-friendly messages.
pub(crate) fn parse_reference(input: &str) -> Result<Reference, ApiError> {
    Reference::parse(input).map_err(|e| ApiError::bad_param("reference", e.to_string()))
}

/// Loads a request by a reference as typed (spaces allowed, check digit verified).
pub(crate) async fn by_reference(st: &AppState, input: &str) -> Result<ServiceRequest, ApiError> {
    let reference = parse_reference(input)?;
    st.store
        .request_by_reference(reference.as_str())
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("no request has reference {}", reference.grouped()))
        })
}

/// The actor behind a signed-in account, unless it is an evaluator (aggregates only).
pub(crate) fn no_evaluators(signed: &Signed) -> Result<Actor, ApiError> {
    if signed.user.role == Role::Evaluator {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "evaluators see aggregates only, never individual tickets",
        ));
    }
    Ok(signed.user.actor())
}

/// Loads a ticket the caller may see; anything else is "not found".
pub(crate) async fn visible(
    st: &AppState,
    actor: &Actor,
    reference: &str,
) -> Result<ServiceRequest, ApiError> {
    let reference = parse_reference(reference)?;
    let missing =
        || ApiError::not_found(format!("no ticket {} in your queue", reference.grouped()));
    let r = st
        .store
        .request_by_reference(reference.as_str())
        .await?
        .ok_or_else(missing)?;
    if !actor.can_see(&state_of(&r)) {
        return Err(missing());
    }
    Ok(r)
}

/// A report whose reporter proved it is theirs.
#[derive(Debug)]
pub(crate) struct ProvenReport {
    /// The report named.
    pub reporter: ServiceRequest,
    /// The ticket acted on (the original, for a report merged as a duplicate).
    pub ticket: ServiceRequest,
    /// The number proven.
    pub phone: Phone,
    /// The language the prover's SMS go out in.
    pub lang: Lang,
    /// The voice they added, when they are not the original reporter.
    pub voice_id: Option<i64>,
}

impl ProvenReport {
    /// As the domain's citizen rules take it.
    pub(crate) fn as_proven(&self) -> Proven<'_> {
        Proven {
            reporter: &self.reporter,
            phone: &self.phone,
            ticket: &self.ticket,
            lang: self.lang,
            voice_id: self.voice_id,
        }
    }
}

/// Loads the report and checks the phone against the sealed contact.
pub(crate) async fn proven(
    st: &AppState,
    reference: &str,
    phone: &str,
) -> Result<ProvenReport, ApiError> {
    let r = by_reference(st, reference).await?;
    let given = Phone::parse(phone)
        .map_err(|e| ApiError::from(sahulat_domain::Error::field("phone", e.to_string())))?;
    let now = st.clock.now();
    // The try is counted before the comparison, so a burst of guesses in parallel gets no
    // more tries than guesses one after another; it is taken back unless the number is wrong.
    let attempt = st.proof_limiter.begin(r.id, now).map_err(|wait| {
        ApiError::new(
            ErrorCode::TooManyAttempts,
            format!(
                "too many wrong phone numbers for this report; try again in {} minutes",
                (wait + 59) / 60
            ),
        )
        .retry_after(u64::try_from(wait).unwrap_or(1))
    })?;
    let (lang, voice_id) = match st.store.reporter_proof(r.id, &given).await? {
        ReporterProof::NoPhoneOnRecord => {
            return Err(ApiError::new(ErrorCode::NoPhoneOnRecord,
                "this report was made without a phone number, so it cannot be reopened or rated; please report the problem again",
            ));
        }
        ReporterProof::Mismatch => {
            attempt.wrong();
            return Err(ApiError::new(
                ErrorCode::NotTheReporter,
                "the phone number does not match the one this report was made with (or that added its voice to it)",
            ));
        }
        ReporterProof::Reporter => (r.language, None),
        ReporterProof::Voice { id, language } => (language, Some(id)),
    };
    drop(attempt);
    let target = match (r.status, r.duplicate_of) {
        (Status::Duplicate, Some(original)) => st
            .store
            .request_by_id(original)
            .await?
            .ok_or_else(|| ApiError::not_found("the original report"))?,
        _ => r.clone(),
    };
    Ok(ProvenReport {
        reporter: r,
        ticket: target,
        phone: given,
        lang,
        voice_id,
    })
}

/// A lifecycle refusal as the API answers it.
pub(crate) fn refusal(e: lifecycle::Refusal) -> ApiError {
    match e {
        lifecycle::Refusal::Forbidden(m) => ApiError::new(ErrorCode::Forbidden, m),
        lifecycle::Refusal::Missing { field, .. } => {
            ApiError::from(sahulat_domain::Error::field(field, e.to_string()))
        }
        lifecycle::Refusal::Invalid { field, message } => {
            ApiError::from(sahulat_domain::Error::field(field, message))
        }
        lifecycle::Refusal::WindowPassed { .. } => {
            ApiError::new(ErrorCode::ReopenWindowPassed, e.to_string())
        }
        other => ApiError::new(ErrorCode::IllegalTransition, other.to_string()),
    }
}

/// Whether the public may see a photo: not hidden by staff, and its request not rejected.
pub(crate) fn public_photo(p: &Photo, r: &ServiceRequest) -> bool {
    !p.hidden && r.status != Status::Rejected
}

/// Whose staff messages an account reads in its inbox: a department's staff those addressed
/// to their department, a coordinator those addressed to their district's coordinator desk,
/// an administrator all; evaluators none (aggregates only).
pub(crate) fn addressees(cat: &Catalogue, u: &User) -> Addressees {
    match u.role {
        Role::Admin => Addressees::All,
        Role::Staff => Addressees::Codes(u.department.iter().cloned().collect()),
        Role::Coordinator => Addressees::Codes(
            cat.departments
                .iter()
                .filter(|d| d.coordinator && Some(&d.district) == u.district.as_ref())
                .map(|d| d.code.clone())
                .collect(),
        ),
        Role::Evaluator => Addressees::Codes(vec![]),
    }
}

/// Which districts' figures an account may see, and whether exactly: evaluators every pilot
/// district with small cells suppressed; admins every pilot district exactly; coordinators and
/// staff their own district exactly.
pub(crate) fn evidence_reach(user: &User, min_cell: i64) -> sahulat_domain::evidence::Reach {
    use sahulat_domain::evidence::Reach;
    match user.role {
        Role::Evaluator => Reach::all_pilots(Some(u64::try_from(min_cell).unwrap_or(5))),
        Role::Admin => Reach::all_pilots(None),
        Role::Coordinator | Role::Staff => sahulat_domain::evidence::Reach {
            districts: user.district.iter().cloned().collect(),
            min_cell: None,
        },
    }
}
