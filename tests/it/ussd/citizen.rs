//! Track, reopen and rate over USSD, and the generic JSON adapter.

use super::{reference_in, Caller};
use crate::common::TestApp;
use sahulat_domain::status::Status;
use serde_json::json;

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
async fn track_rate_and_reopen_work_in_every_language() {
    use sahulat_domain::lang::Lang;
    use sahulat_domain::ussd::screen::end_text;
    for (key, lang) in [
        ("1", Lang::En),
        ("2", Lang::Ur),
        ("3", Lang::Sd),
        ("4", Lang::RomanUrdu),
    ] {
        let app = TestApp::new().await;
        let reference = app.resolved_larkana_water().await;
        let grouped = sahulat_domain::reference::grouped(&reference);
        let mut track = Caller::dial(&app, "t", "0300 1234567").await;
        for i in [key, "2", reference.as_str()] {
            track.send(i).await;
        }
        let resolved = sahulat_domain::i18n::text(lang, "status-resolved", &[]);
        assert!(
            track.ended && track.screen.contains(&resolved),
            "{lang:?}: {}",
            track.screen
        );
        let mut rate = Caller::dial(&app, "r", "0300 1234567").await;
        for i in [key, "4", reference.as_str(), "4"] {
            rate.send(i).await;
        }
        assert_eq!(
            rate.screen,
            end_text(lang, "ussd-rated", &[("ref", grouped.clone())])
        );
        let mut reopen = Caller::dial(&app, "o", "0300 1234567").await;
        for i in [key, "3", reference.as_str(), "1"] {
            reopen.send(i).await;
        }
        assert_eq!(
            reopen.screen,
            end_text(lang, "ussd-reopened", &[("ref", grouped.clone())])
        );
        let r = app
            .store()
            .request_by_reference(&reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.status, Status::Open, "{lang:?}");
    }
}
