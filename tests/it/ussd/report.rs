//! Reports over USSD: every pilot district in every language, retries of the final step,
//! abandoned and resumed sessions.

use super::{reference_in, report, Caller};
use crate::common::{RecordingNotifier, TestApp};
use chrono::Duration;
use sahulat_domain::lang::Lang;
use sahulat_domain::phone::Phone;
use sahulat_domain::status::{Channel, Status};
use sahulat_domain::ussd::lists::service_label;
use sahulat_store::ReporterProof;
use std::sync::Arc;

#[tokio::test]
async fn a_report_in_each_pilot_district_in_each_language_reaches_the_department_and_the_caller_gets_an_sms(
) {
    let app = TestApp::new().await;
    let cat = app.state.catalogue.clone();
    let langs = [
        (
            "1",
            Lang::En,
            "near the tank * gate 2",
            "Sent. Your reference:",
        ),
        ("2", Lang::Ur, "پرانے کنویں کے پاس", "حوالہ"),
        ("3", Lang::Sd, "پراڻي کوهه وٽ", "حوالو"),
        ("4", Lang::RomanUrdu, "masjid ke saath * gali 3", "Hawala"),
    ];
    let phones = [
        "0300 111{n:04}",
        "+92300111{n:04}",
        "92300111{n:04}",
        "0300-111{n:04}",
    ];
    let mut cases = vec![];
    for (li, (key, lang, landmark, sent)) in langs.iter().enumerate() {
        for (di, code) in ["PK226", "PK211", "PK713", "PK717"].iter().enumerate() {
            let n = li * 4 + di;
            let svc = &cat.services[n % cat.services.len()];
            cases.push((
                *key,
                lang.code(),
                cat.district(code).unwrap().names.get(*lang).to_string(),
                *code,
                service_label(svc, *lang),
                *landmark,
                phones[li].replace("{n:04}", &format!("{n:04}")),
                *sent,
            ));
        }
    }
    let mut refs = vec![];
    for (i, (key, lang, district, code, service, landmark, phone, sent)) in cases.iter().enumerate()
    {
        let (district, service, phone) = (district.as_str(), service.as_str(), phone.as_str());
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
    assert_eq!(app.request_count().await, 16);
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
