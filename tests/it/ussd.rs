//! USSD sessions driven over HTTP through the router as a gateway drives them: a report in
//! each pilot district in each language (Africa's Talking's `text` path, a `*` typed in the
//! landmark), track with a mistyped reference, reopen and rate by the reporter's number only,
//! the generic JSON adapter, retries of the final step, abandoned and resumed sessions, the
//! per-number limits, and bad input. Runs on SQLite and PostgreSQL.

use crate::common;

use chrono::Duration;
use common::{RecordingNotifier, TestApp};
use sahulat_api::Settings;
use sahulat_domain::phone::Phone;
use sahulat_domain::status::{Channel, Status};
use sahulat_store::ReporterProof;
use serde_json::json;
use std::sync::Arc;

const AT: &str = "/ussd/africastalking";

/// A caller on a keypad phone, through Africa's Talking.
struct Caller<'a> {
    app: &'a TestApp,
    session: String,
    phone: String,
    url: String,
    inputs: Vec<String>,
    screen: String,
    ended: bool,
}

impl<'a> Caller<'a> {
    async fn dial(app: &'a TestApp, session: &str, phone: &str) -> Caller<'a> {
        Caller::dial_at(app, AT, session, phone).await
    }

    async fn dial_at(app: &'a TestApp, url: &str, session: &str, phone: &str) -> Caller<'a> {
        let mut c = Caller {
            app,
            session: session.into(),
            phone: phone.into(),
            url: url.into(),
            inputs: vec![],
            screen: String::new(),
            ended: false,
        };
        c.post().await;
        c
    }

    async fn post(&mut self) -> common::TestResponse {
        let text = self.inputs.join("*");
        let res = self
            .app
            .post_form(
                &self.url,
                &[
                    ("sessionId", self.session.as_str()),
                    ("serviceCode", "*384*7245#"),
                    ("phoneNumber", self.phone.as_str()),
                    ("networkCode", "41001"),
                    ("text", text.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert!(res.header("content-type").starts_with("text/plain"));
        let body = res.text();
        let (kind, screen) = body.split_at(4);
        assert!(kind == "CON " || kind == "END ", "{body}");
        self.ended = kind == "END ";
        self.screen = screen.to_string();
        res
    }

    async fn send(&mut self, input: &str) -> &str {
        assert!(!self.ended, "the session already ended: {}", self.screen);
        self.inputs.push(input.into());
        self.post().await;
        &self.screen
    }

    /// Chooses the option whose label contains `label`, paging with `0` until it shows.
    async fn choose(&mut self, label: &str) {
        for _ in 0..6 {
            let found = self.screen.lines().find_map(|l| {
                let (n, text) = l.split_once(". ")?;
                (text.contains(label) && n != "0" && n != "00").then(|| n.to_string())
            });
            if let Some(n) = found {
                self.send(&n).await;
                return;
            }
            assert!(
                self.screen.contains("\n0. "),
                "{label:?} is not on:\n{}",
                self.screen
            );
            self.send("0").await;
        }
        panic!("{label:?} not found");
    }
}

fn reference_in(end: &str) -> String {
    let digits: String = end.chars().filter(|c| c.is_ascii_digit()).collect();
    assert_eq!(digits.len(), 9, "{end}");
    digits
}

/// Walks the report menu: language, report, district, first tehsil, service, the question's
/// first answer (when asked), a landmark, send. Returns the END screen.
async fn report(
    c: &mut Caller<'_>,
    lang: &str,
    district: &str,
    service: &str,
    landmark: &str,
) -> String {
    c.send(lang).await;
    c.send("1").await;
    c.choose(district).await;
    c.send("1").await;
    c.choose(service).await;
    if c.screen.contains("\n1. ") {
        c.send("1").await; // the multiple-choice question
    }
    c.send(landmark).await;
    assert!(
        c.screen.contains("1. ") && c.screen.contains("2. "),
        "{}",
        c.screen
    );
    c.send("1").await;
    assert!(c.ended, "{}", c.screen);
    c.screen.clone()
}

#[tokio::test]
async fn a_report_in_each_pilot_district_in_each_language_reaches_the_department_and_the_caller_gets_an_sms(
) {
    let app = TestApp::new().await;
    let cases = [
        (
            "1",
            "en",
            "Quetta",
            "PK226",
            "No water supply",
            "near the tank * gate 2",
            "0300 1110001",
            "Sent. Your reference:",
        ),
        (
            "2",
            "ur",
            "کیچ",
            "PK211",
            "سیوریج یا نالی بند",
            "پرانے کنویں کے پاس",
            "+923001110002",
            "حوالہ",
        ),
        (
            "3",
            "sd",
            "لاڙڪاڻو",
            "PK713",
            "ڪچرو نه کنيو ويو",
            "پراڻي کوهه وٽ",
            "923001110003",
            "حوالو",
        ),
        (
            "4",
            "ur-Latn",
            "Naushahro Feroze",
            "PK717",
            "Street light kharab",
            "masjid ke saath * gali 3",
            "0300-1110004",
            "Hawala",
        ),
    ];
    let mut refs = vec![];
    for (i, (key, lang, district, code, service, landmark, phone, sent)) in cases.iter().enumerate()
    {
        let mut c = Caller::dial(&app, &format!("ATUid_{i}"), phone).await;
        assert!(
            c.screen.contains("1. English") && c.screen.contains("4. Roman Urdu"),
            "{}",
            c.screen
        );
        let end = report(&mut c, key, district, service, landmark).await;
        assert!(end.contains(sent), "{lang}: {end}");
        let reference = reference_in(&end);
        let r = app
            .store()
            .request_by_reference(&reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.channel, Channel::Ussd);
        assert_eq!(r.district, *code);
        assert!(
            r.tehsil.as_deref().unwrap().starts_with(&code[..5]),
            "{:?}",
            r.tehsil
        );
        assert_eq!(
            (r.lat, r.lon),
            (None, None),
            "placed by its tehsil, no invented point"
        );
        assert_eq!(r.language.code(), *lang);
        assert_eq!(
            r.address.as_deref(),
            Some(*landmark),
            "a * typed in the landmark stays"
        );
        let caller = Phone::parse(phone).unwrap();
        assert_eq!(
            app.store().reporter_proof(r.id, &caller).await.unwrap(),
            ReporterProof::Reporter
        );
        refs.push((r, caller));
    }
    let n = Arc::new(RecordingNotifier::default());
    app.worker_with(n.clone(), "w")
        .run_until_idle()
        .await
        .unwrap();
    let sent = n.sent.lock().unwrap().clone();
    for (r, phone) in refs {
        let r = app.reload(r.id).await;
        assert_eq!(r.status, Status::Open, "{}", r.reference);
        assert!(r.department.is_some());
        let grouped = sahulat_domain::reference::grouped(&r.reference);
        assert!(
            sent.iter()
                .any(|(to, body)| to == phone.e164() && body.contains(&grouped)),
            "the confirmation SMS reached {}: {sent:?}",
            phone.e164()
        );
    }
    assert_eq!(app.request_count().await, 4);
}

#[tokio::test]
async fn a_retried_final_step_creates_exactly_one_request_and_an_abandoned_session_none() {
    let app = TestApp::new().await;
    let mut abandoned = Caller::dial(&app, "half-way", "03001112222").await;
    abandoned.send("1").await;
    abandoned.send("1").await;
    abandoned.choose("Larkana").await;
    abandoned.send("1").await;
    assert_eq!(
        app.request_count().await,
        0,
        "nothing until the caller sends"
    );

    let mut c = Caller::dial(&app, "retried", "03001113333").await;
    let end = report(&mut c, "1", "Larkana", "Damaged road", "0").await;
    // The gateway did not hear the answer and posts the final step again, twice.
    for _ in 0..2 {
        c.ended = false;
        c.post().await;
        assert_eq!(c.screen, end, "the same answer, the same reference");
    }
    assert_eq!(app.request_count().await, 1);
}

#[tokio::test]
async fn a_caller_who_dials_again_within_ten_minutes_continues_the_unfinished_report() {
    let app = TestApp::new().await;
    let mut first = Caller::dial(&app, "dropped", "03005556666").await;
    first.send("2").await; // Urdu
    first.send("1").await;
    first.choose("لاڑکانہ").await;
    first.send("2").await; // a tehsil
    app.clock.advance(Duration::minutes(4));
    let mut again = Caller::dial(&app, "again", "03005556666").await;
    assert!(
        again.screen.contains("ادھوری"),
        "the offer, in Urdu: {}",
        again.screen
    );
    again.send("7").await;
    assert!(again.screen.starts_with("غلط انتخاب"), "{}", again.screen);
    again.send("1").await;
    assert!(
        again.screen.starts_with("مسئلہ"),
        "back at the services: {}",
        again.screen
    );
    again.choose("پانی کی فراہمی بند").await;
    again.send("1").await;
    again.send("0").await;
    again.send("1").await;
    assert!(again.ended, "{}", again.screen);
    let r = app
        .store()
        .request_by_reference(&reference_in(&again.screen))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.district, "PK713");
    assert_eq!(r.language.code(), "ur");

    // Eleven minutes after a dropped session there is no offer.
    let mut late = Caller::dial(&app, "dropped-2", "03005556666").await;
    late.send("1").await;
    late.send("1").await;
    late.choose("Quetta").await;
    app.clock.advance(Duration::minutes(11));
    let fresh = Caller::dial(&app, "later", "03005556666").await;
    assert!(fresh.screen.contains("1. English"), "{}", fresh.screen);
}

#[tokio::test]
async fn track_catches_a_mistyped_digit_and_tells_the_status_department_and_due_date() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let mut typo = reference.clone().into_bytes();
    typo[3] = if typo[3] == b'9' { b'0' } else { typo[3] + 1 };
    let typo = String::from_utf8(typo).unwrap();
    let mut c = Caller::dial(&app, "track", "03009998888").await;
    c.send("1").await;
    c.send("2").await;
    c.send(&typo).await;
    assert!(c.screen.contains("A digit is wrong"), "{}", c.screen);
    c.send(&reference).await;
    assert!(c.ended);
    assert!(c.screen.contains(": open."), "{}", c.screen);
    let phed = app.state.catalogue.department("phed-larkana").unwrap();
    let with = format!(
        "With {}.",
        sahulat_domain::messages::gsm_friendly(&phed.names.en)
    );
    assert!(c.screen.contains(&with), "{with}: {}", c.screen);
    assert!(c.screen.contains("Due "), "{}", c.screen);

    let mut sd = Caller::dial(&app, "track-sd", "03009998888").await;
    sd.send("3").await;
    sd.send("2").await;
    sd.send(&reference).await;
    let open_sd = sahulat_domain::i18n::text(sahulat_domain::lang::Lang::Sd, "status-open", &[]);
    assert!(sd.screen.contains(&open_sd), "in Sindhi: {}", sd.screen);
    assert!(
        sd.screen.encode_utf16().count() <= 80,
        "one UCS-2 screen: {}",
        sd.screen
    );
}

#[tokio::test]
async fn only_the_reporters_number_reopens_or_rates_and_the_api_rules_apply() {
    let app = TestApp::new().await;
    let reference = app.resolved_larkana_water().await;
    // A stranger is refused, politely, and nothing changes.
    let mut stranger = Caller::dial(&app, "stranger", "03331234567").await;
    for i in ["1", "3", reference.as_str(), "1"] {
        stranger.send(i).await;
    }
    assert!(stranger.ended);
    assert!(
        stranger.screen.contains("did not make report"),
        "{}",
        stranger.screen
    );

    // The reporter rates it 4 in Roman Urdu.
    let mut rater = Caller::dial(&app, "rate", "0300 1234567").await;
    for i in ["4", "4", reference.as_str()] {
        rater.send(i).await;
    }
    assert!(rater.screen.contains("Bohat achha"), "{}", rater.screen);
    rater.send("4").await;
    assert!(rater.screen.starts_with("Shukriya"), "{}", rater.screen);
    // A second rating of the same closing is refused as the API refuses it.
    let mut twice = Caller::dial(&app, "rate-again", "0300 1234567").await;
    for i in ["1", "4", reference.as_str(), "5"] {
        twice.send(i).await;
    }
    assert!(twice.screen.contains("already rated"), "{}", twice.screen);

    // And reopens it in Sindhi with a reason from the list.
    let mut reopen = Caller::dial(&app, "reopen", "0300 1234567").await;
    for i in ["3", "3", reference.as_str(), "2"] {
        reopen.send(i).await;
    }
    assert!(reopen.ended);
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, Status::Open, "{}", reopen.screen);
    let history = app.store().history(r.id).await.unwrap();
    assert!(history
        .iter()
        .any(|h| h.entry.description.contains("Came back (by USSD)")));
    // An open report cannot be reopened again.
    let mut open = Caller::dial(&app, "reopen-open", "0300 1234567").await;
    for i in ["1", "3", reference.as_str(), "1"] {
        open.send(i).await;
    }
    assert!(
        open.screen.contains("still being worked on"),
        "{}",
        open.screen
    );
}

#[tokio::test]
async fn the_generic_json_adapter_runs_a_whole_session_and_replays_a_retried_step() {
    let app = TestApp::new().await;
    let step = |input: Option<&str>, n: Option<usize>| {
        let mut b = json!({"session_id": "g-1", "phone": "+923007770000"});
        if let Some(i) = input {
            b["input"] = json!(i);
        }
        if let Some(n) = n {
            b["step"] = json!(n);
        }
        b
    };
    let first = app.post_json("/ussd/generic", &step(None, None)).await;
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.json()["end"], false);
    let mut answers = vec![];
    for (n, input) in ["1", "1", "3", "1", "8"].iter().enumerate() {
        let res = app
            .post_json("/ussd/generic", &step(Some(input), Some(n + 1)))
            .await;
        answers.push(res.json());
    }
    // Retried with the same step number: the same screen, not a second input.
    let again = app
        .post_json("/ussd/generic", &step(Some("8"), Some(5)))
        .await;
    assert_eq!(again.json(), answers[4]);
    let text = answers[4]["text"].as_str().unwrap().to_string();
    assert!(text.contains("1. "), "the road question: {text}");
    for (n, input) in ["1", "behind the school", "1"].iter().enumerate() {
        let res = app
            .post_json("/ussd/generic", &step(Some(input), Some(n + 6)))
            .await;
        answers.push(res.json());
    }
    let last = answers.last().unwrap();
    assert_eq!(last["end"], true, "{last}");
    let r = app
        .store()
        .request_by_reference(&reference_in(last["text"].as_str().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.service_code, "roads");
    assert_eq!(r.address.as_deref(), Some("behind the school"));
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_refused_and_nothing_is_stored() {
    let app = TestApp::with_settings(Settings {
        gateway_key: Some("k3y-for-the-gateway-0001".into()),
        ..Default::default()
    })
    .await;
    for url in [
        AT.to_string(),
        format!("{AT}?key=wrong"),
        format!("{AT}?key=k3y-for-the-gateway-0002"),
    ] {
        let res = app
            .post_form(
                &url,
                &[
                    ("sessionId", "s"),
                    ("phoneNumber", "03001234567"),
                    ("text", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 403, "{url}");
        assert!(res.text().contains("key"), "{}", res.text());
    }
    let res = app
        .post_json(
            "/ussd/generic",
            &json!({"session_id": "s", "phone": "03001234567"}),
        )
        .await;
    assert_eq!(res.status, 403);
    assert!(app
        .store()
        .ussd_session("africastalking", "s")
        .await
        .unwrap()
        .is_none());
    assert!(app
        .store()
        .ussd_session("generic", "s")
        .await
        .unwrap()
        .is_none());
    let c = Caller::dial_at(
        &app,
        &format!("{AT}?key=k3y-for-the-gateway-0001"),
        "keyed",
        "03001234567",
    )
    .await;
    assert!(c.screen.contains("1. English"));
}

#[tokio::test]
async fn bad_input_gets_a_screen_not_an_error_and_stores_nothing_wrong() {
    let app = TestApp::new().await;
    // Letters and numbers out of range: the same screen again, with a note.
    let mut c = Caller::dial(&app, "bad", "03001234567").await;
    c.send("abc").await;
    assert!(c.screen.starts_with("Invalid choice."), "{}", c.screen);
    c.send("1").await;
    c.send("9").await;
    assert!(c.screen.starts_with("Invalid choice."), "{}", c.screen);
    // A path 500 steps long, or 10 KB: ended politely.
    let mut long = Caller::dial(&app, "long", "03001234567").await;
    long.inputs = vec!["0".to_string(); 500];
    long.post().await;
    assert!(
        long.ended && long.screen.contains("too long"),
        "{}",
        long.screen
    );
    let mut big = Caller::dial(&app, "big", "03001234567").await;
    big.inputs = vec!["1".into(), "1".into(), "x".repeat(10_000)];
    big.post().await;
    assert!(
        big.ended && big.screen.contains("too long"),
        "{}",
        big.screen
    );
    // A session this server has not seen, arriving mid-path: the path is taken afresh.
    let mut mid = Caller::dial(&app, "seen-elsewhere", "03001234567").await;
    mid.session = "never-seen".into();
    mid.inputs = vec!["1".into(), "2".into()];
    mid.post().await;
    assert!(mid.screen.contains("9-digit reference"), "{}", mid.screen);
    // A step lost on the way (a gateway timeout): the next path adds two inputs at once.
    let mut lost = Caller::dial(&app, "lost", "03001234567").await;
    lost.inputs = vec!["1".into(), "2".into()];
    lost.post().await;
    assert!(lost.screen.contains("9-digit reference"), "{}", lost.screen);
    // No number, or one Sahulat cannot text: told so, nothing stored.
    for phone in ["", "+441234567890", "abc"] {
        let c = Caller::dial(&app, "nophone", phone).await;
        assert!(
            c.ended && c.screen.contains("Pakistani mobile"),
            "{phone:?}: {}",
            c.screen
        );
    }
    assert!(app
        .store()
        .ussd_session("africastalking", "nophone")
        .await
        .unwrap()
        .is_none());
    // Odd but valid spellings of a number work.
    let c = Caller::dial(&app, "odd", "0092-300-1234567").await;
    assert!(!c.ended, "{}", c.screen);
    // No session id: refused naming the field.
    let res = app
        .post_form(AT, &[("phoneNumber", "03001234567"), ("text", "")])
        .await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("sessionId"), "{}", res.text());
    assert_eq!(app.request_count().await, 0);
}

#[tokio::test]
async fn a_number_over_its_limits_gets_a_polite_screen() {
    let app = TestApp::with_settings(Settings {
        ussd_sessions_per_hour: 3,
        ussd_requests_per_day: 1,
        ..Default::default()
    })
    .await;
    let mut c = Caller::dial(&app, "one", "03002223333").await;
    report(&mut c, "1", "Kech", "Other problem", "0").await;
    let mut second = Caller::dial(&app, "two", "03002223333").await;
    second.send("1").await;
    second.send("1").await;
    assert!(
        second.ended && second.screen.contains("sent 1 reports today"),
        "{}",
        second.screen
    );
    // Tracking still works for the same number within its sessions.
    let _third = Caller::dial(&app, "three", "03002223333").await;
    let fourth = Caller::dial(&app, "four", "03002223333").await;
    assert!(
        fourth.ended && fourth.screen.contains("Too many sessions"),
        "{}",
        fourth.screen
    );
    app.clock.advance(Duration::minutes(61));
    let fifth = Caller::dial(&app, "five", "03002223333").await;
    assert!(!fifth.ended, "{}", fifth.screen);
    assert_eq!(app.request_count().await, 1);
}
