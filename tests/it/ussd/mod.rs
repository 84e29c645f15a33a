//! USSD sessions driven over HTTP through the router as a gateway drives them: a report in
//! each pilot district in each language (Africa's Talking's `text` path, a `*` typed in the
//! landmark), track with a mistyped reference, reopen and rate by the reporter's number only,
//! the generic JSON adapter, retries of the final step, abandoned and resumed sessions, the
//! per-number limits, and bad input. Runs on SQLite and PostgreSQL.

use crate::common;

mod citizen;
mod faults;
mod report;

use common::TestApp;

pub(crate) const AT: &str = "/ussd/africastalking";

/// A caller on a keypad phone, through Africa's Talking.
pub(crate) struct Caller<'a> {
    pub app: &'a TestApp,
    pub session: String,
    pub phone: String,
    pub url: String,
    pub inputs: Vec<String>,
    pub screen: String,
    pub ended: bool,
}

impl<'a> Caller<'a> {
    pub async fn dial(app: &'a TestApp, session: &str, phone: &str) -> Caller<'a> {
        Caller::dial_at(app, AT, session, phone).await
    }

    pub async fn dial_at(app: &'a TestApp, url: &str, session: &str, phone: &str) -> Caller<'a> {
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

    pub async fn post(&mut self) -> common::TestResponse {
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

    pub async fn send(&mut self, input: &str) -> &str {
        assert!(!self.ended, "the session already ended: {}", self.screen);
        self.inputs.push(input.into());
        self.post().await;
        &self.screen
    }

    /// Chooses the option whose label contains `label`, paging with `0` until it shows.
    pub async fn choose(&mut self, label: &str) {
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

pub(crate) fn reference_in(end: &str) -> String {
    let digits: String = end.chars().filter(|c| c.is_ascii_digit()).collect();
    assert_eq!(digits.len(), 9, "{end}");
    digits
}

/// Walks the report menu: language, report, district, first tehsil, service, the question's
/// first answer (when asked), a landmark, send. Returns the END screen.
pub(crate) async fn report(
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
