//! Response templates: staff pick a canned update, the citizen reads it in their own language
//! (status page, Open311 updates and SMS), and a template that does not fit the action is
//! refused naming the `template` field.

use crate::common;

use common::TestApp;
use sahulat_domain::reference::grouped;
use serde_json::{json, Value};
use std::sync::Arc;

fn pick<'a>(detail: &'a Value, status: &str) -> &'a Value {
    detail["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["status"] == status)
        .unwrap_or_else(|| panic!("no {status} template offered: {detail}"))
}

#[tokio::test]
async fn a_template_reaches_a_sindhi_speaking_citizen_in_sindhi_and_a_misfit_is_refused() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await; // reported in Sindhi
    let staff = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    let url = format!("/api/v1/staff/tickets/{reference}");
    let detail = app.authed("GET", &url, &staff, None).await.json();
    let start = pick(&detail, "in_progress");
    assert!(
        start["id"].as_str().unwrap().starts_with("water-supply."),
        "the service's own templates come first: {start}"
    );
    let citizen_text = start["citizen_text"].as_str().unwrap().to_string();
    assert!(
        citizen_text
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
        "Sindhi text in Arabic script: {citizen_text}"
    );
    assert!(!citizen_text.contains("{dept}"));

    let actions = format!("{url}/actions");
    let unknown = app
        .authed(
            "POST",
            &actions,
            &staff,
            Some(json!({"action": "start", "template": "no-such-template"})),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text());
    assert!(unknown.json()["error"]["fields"]["template"].is_string());

    let resolved_tpl = pick(&detail, "resolved")["id"].clone();
    let misfit = app
        .authed(
            "POST",
            &actions,
            &staff,
            Some(json!({"action": "start", "template": resolved_tpl})),
        )
        .await;
    assert_eq!(misfit.status, 422, "{}", misfit.text());
    let why = misfit.json()["error"]["fields"]["template"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains(start["id"].as_str().unwrap()), "{why}");
    let after = app.authed("GET", &url, &staff, None).await.json();
    assert_eq!(after["ticket"]["status"], "open", "nothing changed");

    let started = app
        .authed(
            "POST",
            &actions,
            &staff,
            Some(json!({"action": "start", "template": start["id"]})),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.text());
    let public = app
        .get(&format!("/api/v1/requests/{reference}"))
        .await
        .json();
    assert!(
        public["updates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["description"] == citizen_text.as_str()),
        "the status page shows the Sindhi text: {public}"
    );

    // A resolve template stands in for the resolution note.
    let done = app
        .authed(
            "POST",
            &actions,
            &staff,
            Some(json!({"action": "resolve", "template": resolved_tpl})),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json()["ticket"]["status"], "resolved");

    let n = Arc::new(common::RecordingNotifier::default());
    app.worker_with(n.clone(), "w")
        .run_until_idle()
        .await
        .unwrap();
    let sent = n.sent.lock().unwrap().clone();
    // The SMS carries the template in Sindhi (typographic dashes folded), cut at a word to
    // one UCS-2 segment with its reference kept.
    let folded = sahulat_domain::messages::gsm_friendly(&citizen_text);
    let update = sent
        .iter()
        .filter(|(to, _)| to == "+923001234567")
        .find_map(|(_, body)| {
            let (head, words) = body.split_once(": ")?;
            let words = words.trim_end_matches("...");
            (head.contains(&grouped(&reference))
                && words.chars().count() >= 20
                && folded.starts_with(words))
            .then(|| body.clone())
        })
        .unwrap_or_else(|| panic!("the SMS carries the template in Sindhi: {sent:?}"));
    assert_eq!(
        sahulat_domain::messages::sms_segments(&update).count,
        1,
        "{update}"
    );
}

#[test]
fn every_shipped_template_has_three_languages_within_sms_limits() {
    let (cat, _) = common::reference();
    assert!(
        cat.templates.len() >= 20,
        "response_templates.json ships templates for every service"
    );
    for s in &cat.services {
        for status in [
            sahulat_domain::status::Status::InProgress,
            sahulat_domain::status::Status::Resolved,
        ] {
            assert!(
                !sahulat_domain::templates::for_ticket(&cat.templates, &s.code, status).is_empty(),
                "{} has a {status} template",
                s.code
            );
        }
    }
}
