//! `sahulat simulate`: writes a synthetic history (`sahulat_domain::simulate`) through the real
//! code, hour by simulated hour: each report is validated (`RequestDraft::validate`) and stored
//! by the intake (`create_request`, with its triage job); the worker triages, routes, sends the
//! confirmation SMS (to a gateway that drops them) and escalates overdue tickets with the clock
//! set to the simulated hour; departments answer through the lifecycle rules
//! (`lifecycle::decide` + `apply_action`) and citizens reopen and rate through the citizen
//! rules (`citizen::reopen`/`rate`). Nothing is written with raw SQL.

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sahulat_domain::citizen::{self, Policy, Proven, Rating, RatingWrite};
use sahulat_domain::clock::ManualClock;
use sahulat_domain::ids::{IdSource, RandomIds};
use sahulat_domain::lifecycle::{self, ActionForm, ActionInput, ActionWrite, Actor};
use sahulat_domain::phone::Phone;
use sahulat_domain::request::{NewServiceRequest, RequestDraft, ServiceRequest};
use sahulat_domain::simulate::{Effect, EffectKpi, Outcome, SimRequest, SimSpec, Simulator};
use sahulat_domain::sla::WorkingHours;
use sahulat_domain::status::Status;
use sahulat_store::reference_data::Reference;
use sahulat_store::{CreateOutcome, RateOutcome, Render, Store, StoredResponse};
use sahulat_worker::{Notifier, NotifyError, Worker, WorkerConfig};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::Write as _;
use std::sync::Arc;

/// SMS go nowhere in a simulation.
#[derive(Debug)]
struct Dropped;

#[async_trait]
impl Notifier for Dropped {
    async fn send(&self, _to: &str, _text: &str, _id: &str) -> Result<(), NotifyError> {
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Respond,
    Close,
    Reopen,
    Rate(u8),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Due {
    at: DateTime<Utc>,
    seq: u64,
    id: i64,
    step: Step,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Tally {
    pub requests: u64,
    pub actions: u64,
    pub ratings: u64,
    pub affected: u64,
    /// Sum over the touched requests of the change the effects made to their answer time,
    /// in days, after the generator's clamps (`SimRequest::shift_days`).
    pub shift_days: f64,
}

/// Runs the simulation; prints progress to standard error.
pub async fn run(
    store: Arc<dyn Store>,
    reference: &Reference,
    spec: SimSpec,
) -> anyhow::Result<Tally> {
    let (cat, geo) = (reference.catalogue.clone(), reference.geo.clone());
    let start = sahulat_domain::evidence::summary::pk_midnight(spec.from);
    let clock = Arc::new(ManualClock::new(start));
    let config = WorkerConfig {
        // An hour's reports (about 115 at 2,740 a day) triaged in one claim and one transaction:
        // 64 made it two or three (30 days at 2,740 a day: 209 s with 64, 187 s with 512).
        batch: 512,
        sms_per_phone_per_hour: 1000,
        triage_delay: std::time::Duration::ZERO,
        ..WorkerConfig::default()
    };
    let worker = Worker::new(
        store.clone(),
        reference,
        clock.clone(),
        Arc::new(Dropped),
        config,
        "simulator".into(),
    );
    let ids = RandomIds::seeded(spec.seed);
    let render: Render = Arc::new(|_: &ServiceRequest| StoredResponse {
        status: 201,
        body: serde_json::Value::Null,
    });
    let wh = WorkingHours::default();
    let policy = Policy {
        catalogue: &cat,
        working_hours: &wh,
        reopen_days: 14,
    };
    let days = spec.days;
    // The days' reports are drawn and validated on a thread of their own, a day or two ahead:
    // they depend only on the seed, and the store's work keeps this thread busy meanwhile.
    let (day_tx, mut day_rx) = tokio::sync::mpsc::channel::<anyhow::Result<Vec<Drawn>>>(2);
    let generator = {
        let (cat, geo, pop) = (cat.clone(), geo.clone(), reference.population.clone());
        std::thread::spawn(move || {
            let mut sim = Simulator::new(spec, &cat, &geo, &pop);
            for d in 0..days {
                let drawn = draw(&cat, &geo, sim.day(d));
                let failed = drawn.is_err();
                if day_tx.blocking_send(drawn).is_err() || failed {
                    break;
                }
            }
        })
    };
    let mut agenda: BinaryHeap<Reverse<Due>> = BinaryHeap::new();
    let mut plans: std::collections::HashMap<i64, SimRequest> = std::collections::HashMap::new();
    let mut tally = Tally::default();
    let mut seq = 0u64;
    let started = std::time::Instant::now();
    // A simulated day per commit (SQLite from `connect_bulk`; elsewhere each call commits).
    store.hold_writes().await?;
    for d in 0..days {
        let drawn = day_rx
            .recv()
            .await
            .ok_or_else(|| anyhow::anyhow!("the report generator stopped"))??;
        let mut today = drawn.into_iter().peekable();
        let midnight = start + Duration::days(i64::from(d));
        for hour in 0..24 {
            let end = midnight + Duration::hours(hour + 1);
            let mut batch = Vec::new();
            let mut news = Vec::new();
            while let Some((r, new)) = today.next_if(|(r, _)| r.at < end) {
                news.push((new, r.at));
                batch.push(r);
            }
            let stored = create(store.as_ref(), &ids, &render, &news).await?;
            for (r, id) in batch.into_iter().zip(stored) {
                tally.requests += 1;
                tally.affected += u64::from(r.affected);
                tally.shift_days += r.shift_days;
                let mut push = |at, step| {
                    seq += 1;
                    agenda.push(Reverse(Due { at, seq, id, step }));
                };
                if r.outcome != Outcome::Unanswered {
                    push(r.at + hours(r.respond_after_h), Step::Respond);
                    push(r.at + hours(r.close_after_h), Step::Close);
                }
                plans.insert(id, r);
            }
            clock.set(end);
            worker.run_until_idle().await?;
            // The hour's answers in rounds: each round takes at most one step per ticket
            // (a ticket's next step waits for the next round, as it depends on this one),
            // reads the round's tickets at once and writes its actions in one go.
            loop {
                let mut round: Vec<Due> = Vec::new();
                let mut taken = std::collections::HashSet::new();
                let mut again = Vec::new();
                while agenda.peek().is_some_and(|Reverse(e)| e.at < end) {
                    let Some(Reverse(due)) = agenda.pop() else {
                        break;
                    };
                    if taken.insert(due.id) {
                        round.push(due);
                    } else {
                        again.push(due);
                    }
                }
                agenda.extend(again.into_iter().map(Reverse));
                if round.is_empty() {
                    break;
                }
                let ids: Vec<i64> = round.iter().map(|d| d.id).collect();
                let tickets: std::collections::HashMap<i64, ServiceRequest> = store
                    .requests_by_ids(&ids)
                    .await?
                    .into_iter()
                    .map(|t| (t.id, t))
                    .collect();
                let mut writes: Vec<(Due, SimRequest, Planned)> = Vec::new();
                for due in round {
                    let (Some(plan), Some(t)) = (plans.get(&due.id).cloned(), tickets.get(&due.id))
                    else {
                        continue;
                    };
                    if t.status == Status::Submitted {
                        seq += 1;
                        agenda.push(Reverse(Due {
                            at: end,
                            seq,
                            ..due
                        }));
                        continue;
                    }
                    if let Some(p) = step(&cat, &wh, policy, t, &plan, &due)? {
                        writes.push((due, plan, p));
                    }
                }
                let actions: Vec<(ActionWrite, DateTime<Utc>)> = writes
                    .iter()
                    .filter_map(|(due, _, p)| match &p.write {
                        Write::Action(w) => Some((w.clone(), due.at)),
                        Write::Rate(_) => None,
                    })
                    .collect();
                let mut applied = store.apply_actions(&actions).await?.into_iter();
                let ratings: Vec<(RatingWrite, DateTime<Utc>)> = writes
                    .iter()
                    .filter_map(|(due, _, p)| match &p.write {
                        Write::Rate(w) => Some(((**w).clone(), due.at)),
                        Write::Action(_) => None,
                    })
                    .collect();
                let mut rated = store.rate_many(&ratings).await?.into_iter();
                for (due, plan, p) in writes {
                    let mut reopened_by_rating = false;
                    let ok = match &p.write {
                        Write::Action(_) => applied.next().unwrap_or(false),
                        Write::Rate(w) => {
                            let stored = rated.next() == Some(RateOutcome::Stored);
                            reopened_by_rating = stored && w.reopen.is_some();
                            true
                        }
                    };
                    let mut next = ok.then_some(p.next);
                    if reopened_by_rating {
                        // A poor rating reopened it (the citizen rules): the department answers
                        // again after as long as it took the first time (at most 30 days), as
                        // after a reopen, and that closing is final.
                        if let Some(p) = plans.get_mut(&due.id) {
                            p.rating = None;
                            p.reopen_after_h = None;
                        }
                        next.get_or_insert_with(Vec::new).push((
                            due.at + hours(plan.close_after_h.min(24.0 * 30.0)),
                            Step::Close,
                        ));
                    }
                    if next.is_some() || matches!(due.step, Step::Rate(_)) {
                        tally.actions += u64::from(!matches!(due.step, Step::Rate(_)));
                    }
                    if matches!(due.step, Step::Rate(_)) && next.is_some() {
                        tally.ratings += 1;
                    }
                    if due.step == Step::Reopen && next.is_some() {
                        // One reopen at most: the next closing is rated or final.
                        if let Some(p) = plans.get_mut(&due.id) {
                            p.reopen_after_h = None;
                        }
                    }
                    for (at, step) in next.into_iter().flatten() {
                        seq += 1;
                        agenda.push(Reverse(Due {
                            at,
                            seq,
                            id: due.id,
                            step,
                        }));
                    }
                    if (matches!(due.step, Step::Rate(_)) && !reopened_by_rating)
                        || (due.step == Step::Close
                            && plan.rating.is_none()
                            && plan.reopen_after_h.is_none())
                    {
                        plans.remove(&due.id);
                    }
                }
            }
            if hour % 6 == 5 {
                worker.schedule_escalation().await?;
                worker.run_until_idle().await?;
            }
        }
        // The day's writes, committed at once (a crash loses at most the day under way).
        store.commit_held().await?;
        let secs = started.elapsed().as_secs_f64();
        let width = 30usize;
        let done = ((d + 1) as usize * width) / days.max(1) as usize;
        eprint!(
            "\r[{}{}] day {}/{} | {} requests | {:.0} requests/min",
            "#".repeat(done),
            " ".repeat(width - done),
            d + 1,
            days,
            tally.requests,
            tally.requests as f64 * 60.0 / secs.max(1e-9)
        );
        let _ = std::io::stderr().flush();
    }
    eprintln!();
    drop(day_rx);
    generator
        .join()
        .map_err(|_| anyhow::anyhow!("the report generator panicked"))?;
    Ok(tally)
}

fn hours(h: f64) -> Duration {
    Duration::seconds((h * 3600.0) as i64)
}

/// A drawn report and what its validation made of it.
type Drawn = (SimRequest, NewServiceRequest);

/// Validates a day's reports as the intake does (`RequestDraft::validate`).
fn draw(
    cat: &sahulat_domain::catalogue::Catalogue,
    geo: &sahulat_domain::geo::GeoIndex,
    day: Vec<SimRequest>,
) -> anyhow::Result<Vec<Drawn>> {
    day.into_iter()
        .map(|r| {
            let draft = RequestDraft {
                service_code: Some(r.service.clone()),
                description: Some(r.description.clone()),
                lat: Some(r.lat),
                lon: Some(r.lon),
                phone: Some(r.phone.clone()),
                language: Some(["en", "ur", "sd"][r.phone.len() % 3].to_string()),
                channel: Some(r.channel),
                ..Default::default()
            };
            let new = draft
                .validate(cat, geo)
                .map_err(|e| anyhow::anyhow!("simulated report refused: {e}"))?;
            Ok((r, new))
        })
        .collect()
}

/// Stores the hour's validated reports in their order (so their ids, and everything the
/// worker decides from them, are the same for a seed however the tasks are scheduled).
async fn create(
    store: &dyn Store,
    ids: &RandomIds,
    render: &Render,
    news: &[(NewServiceRequest, DateTime<Utc>)],
) -> anyhow::Result<Vec<i64>> {
    let mut out = Vec::with_capacity(news.len());
    for outcome in store
        .create_requests(news, ids as &dyn IdSource, render.clone())
        .await?
    {
        match outcome? {
            CreateOutcome::Created(req, _) => out.push(req.id),
            CreateOutcome::Replayed(_) => anyhow::bail!("a simulated report was replayed"),
        }
    }
    Ok(out)
}

/// A step's write.
enum Write {
    /// A department's action or a citizen's reopen.
    Action(ActionWrite),
    /// A citizen's rating.
    Rate(Box<RatingWrite>),
}

/// A step decided by the lifecycle or citizen rules, and the steps it leads to if written.
struct Planned {
    write: Write,
    next: Vec<(DateTime<Utc>, Step)>,
}

/// Decides one step (`None`: the rules refuse it in the ticket's state).
fn step(
    cat: &sahulat_domain::catalogue::Catalogue,
    wh: &WorkingHours,
    policy: Policy<'_>,
    t: &ServiceRequest,
    plan: &SimRequest,
    due: &Due,
) -> anyhow::Result<Option<Planned>> {
    let phone = Phone::parse(&plan.phone).map_err(|e| anyhow::anyhow!("{e}"))?;
    let proven = || Proven {
        reporter: t,
        phone: &phone,
        lang: t.language,
        voice_id: None,
        ticket: t,
    };
    let later = |h: f64| due.at + hours(h);
    match &due.step {
        Step::Respond | Step::Close => {
            if !t.status.is_open() {
                return Ok(None);
            }
            let form = match (&due.step, plan.outcome) {
                (Step::Respond, _) if t.status == Status::Open => form("acknowledge", None),
                (Step::Respond, _) => return Ok(None),
                (_, Outcome::Resolved) => form("resolve", Some("Work done on site")),
                (_, Outcome::ClosedNotFixed) => {
                    form("close_not_fixed", Some("No budget this year"))
                }
                (_, Outcome::NotResponsible) => {
                    let mut f = form("not_responsible", Some("Private property"));
                    f.responsible = Some("the owner".into());
                    f
                }
                (_, Outcome::Unanswered) => return Ok(None),
            };
            let understood =
                lifecycle::understand(cat, &form).map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let actor = match &t.department {
                Some(dept) => Actor::Staff {
                    district: t.district.clone(),
                    department: dept.clone(),
                },
                None => Actor::Coordinator {
                    district: t.district.clone(),
                },
            };
            let input = ActionInput {
                actor: &actor,
                username: "simulated.staff",
                ticket: t,
                original: None,
                recipients: &[],
                working_hours: wh,
                now: due.at,
            };
            let Ok(write) = lifecycle::decide(cat, &understood, input) else {
                return Ok(None);
            };
            let mut next = Vec::new();
            if due.step == Step::Close {
                if let Some(h) = plan.reopen_after_h {
                    next.push((later(h), Step::Reopen));
                } else if let Some((stars, h)) = plan.rating {
                    next.push((later(h), Step::Rate(stars)));
                }
            }
            Ok(Some(Planned {
                write: Write::Action(write),
                next,
            }))
        }
        Step::Reopen => {
            let Ok(w) = citizen::reopen(policy, proven(), "Still not fixed", due.at) else {
                return Ok(None);
            };
            // Resolved again after as long as it took the first time (at most 30 days).
            Ok(Some(Planned {
                write: Write::Action(w),
                next: vec![(later(plan.close_after_h.min(24.0 * 30.0)), Step::Close)],
            }))
        }
        Step::Rate(stars) => {
            let rating = Rating::new(i64::from(*stars)).map_err(|e| anyhow::anyhow!("{e}"))?;
            let channel = if plan.channel == sahulat_domain::status::Channel::Ussd {
                "ussd"
            } else {
                "web"
            };
            let Ok(w) = citizen::rate(policy, proven(), rating, None, channel, due.at) else {
                return Ok(None);
            };
            Ok(Some(Planned {
                write: Write::Rate(Box::new(w)),
                next: Vec::new(),
            }))
        }
    }
}

fn form(action: &str, text: Option<&str>) -> ActionForm {
    ActionForm {
        action: action.into(),
        note: text.map(Into::into),
        reason: text.map(Into::into),
        to_department: None,
        of: None,
        responsible: None,
        template: None,
    }
}

/// Parses the CLI's effects and start date into a specification.
pub fn spec(
    reference: &Reference,
    seed: u64,
    days: u32,
    per_day: u32,
    from: Option<NaiveDate>,
    effects: &[String],
) -> anyhow::Result<SimSpec> {
    let effects = effects
        .iter()
        .map(|e| {
            Effect::parse(e, &reference.catalogue).map_err(|e| anyhow::anyhow!("--effect: {e}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let from = from.unwrap_or_else(|| {
        sahulat_domain::evidence::summary::pk_date(Utc::now()) - Duration::days(i64::from(days))
    });
    Ok(SimSpec {
        seed,
        from,
        days,
        per_day,
        effects,
    })
}

/// The words the CLI prints about the effects it injected.
pub fn describe(e: &Effect) -> String {
    let (what, unit) = match e.kpi {
        EffectKpi::DaysToResolve => ("days to resolve", "days"),
        EffectKpi::SlaCompliance => (
            "SLA compliance",
            "(share of late answers moved inside the SLA)",
        ),
        EffectKpi::RequestsPer10k => ("requests per 10,000 residents per 30 days", "requests"),
    };
    format!(
        "{what} {:+} {unit} in {} from {}",
        e.change,
        e.tehsils.join("+"),
        e.from
    )
}
