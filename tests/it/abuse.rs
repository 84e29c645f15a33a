//! Abuse limits on anonymous intake: per phone number, per client address (the TCP peer, or
//! behind a trusted reverse proxy the address it forwarded; a forged `X-Forwarded-For` from
//! anyone else is ignored) and per Open311 API key. Over a limit: 429 `too_many_requests` with
//! `Retry-After`, the usual envelope (or Open311's error list, or a page in the citizen's
//! language), and nothing stored.

use crate::common;
use crate::web::{post, visit};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use chrono::Duration;
use common::{request_at, TestApp, TestResponse};
use sahulat_api::abuse::{AbuseLimits, Rate};
use sahulat_api::Settings;
use std::net::SocketAddr;

fn limits(address: u32, phone: u32, key: u32) -> Settings {
    let per = |count| {
        Some(Rate {
            count,
            window: Duration::hours(1),
        })
    };
    Settings {
        abuse: AbuseLimits {
            per_address: per(address),
            per_phone: per(phone),
            per_api_key: per(key),
        },
        trusted_proxies: vec!["10.0.0.1".parse().unwrap()],
        ..Settings::default()
    }
}

/// A report as if from `peer` over a socket, with an optional `X-Forwarded-For`.
async fn report_from(
    app: &TestApp,
    peer: &str,
    xff: Option<&str>,
    phone: Option<&str>,
) -> TestResponse {
    let body = request_at(
        "water-supply",
        27.56,
        68.21,
        "No water in our street since Monday",
        phone,
    );
    let mut req = Request::post("/api/v1/requests").header("content-type", "application/json");
    if let Some(x) = xff {
        req = req.header("x-forwarded-for", x);
    }
    let mut req = req.body(Body::from(body.to_string())).unwrap();
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    app.send(req).await
}

fn refused(res: &TestResponse) {
    assert_eq!(res.status, 429, "{}", res.text());
    assert_eq!(res.error_code(), "too_many_requests");
    let wait: u64 = res
        .header("retry-after")
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=3600).contains(&wait), "{wait}");
}

#[tokio::test]
async fn a_third_report_from_one_phone_in_the_hour_is_refused_and_nothing_is_stored() {
    let app = TestApp::with_settings(limits(100, 2, 100)).await;
    for _ in 0..2 {
        let res = report_from(&app, "203.0.113.7", None, Some("0300 1112223")).await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    let res = report_from(&app, "198.51.100.4", None, Some("+92 300 1112223")).await;
    refused(&res);
    assert!(res.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("phone number"));
    assert_eq!(
        app.request_count().await,
        2,
        "the refused report was not stored"
    );
    let other = report_from(&app, "203.0.113.7", None, Some("0301 9998887")).await;
    assert_eq!(other.status, 201, "another number has its own allowance");
    app.clock.advance(Duration::minutes(61));
    let later = report_from(&app, "203.0.113.7", None, Some("0300 1112223")).await;
    assert_eq!(later.status, 201, "a new hour, a new allowance");
}

#[tokio::test]
async fn one_address_is_limited_and_only_a_trusted_proxy_may_name_another() {
    let app = TestApp::with_settings(limits(3, 100, 100)).await;
    for _ in 0..3 {
        assert_eq!(
            report_from(&app, "203.0.113.7", None, None).await.status,
            201
        );
    }
    refused(&report_from(&app, "203.0.113.7", None, None).await);
    // A client that is not the proxy cannot pretend to be someone else.
    refused(&report_from(&app, "203.0.113.7", Some("192.0.2.50"), None).await);
    assert_eq!(
        report_from(&app, "198.51.100.4", None, None).await.status,
        201
    );

    // Behind the trusted proxy, each forwarded client has its own allowance...
    for _ in 0..3 {
        let res = report_from(&app, "10.0.0.1", Some("192.0.2.1"), None).await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    refused(&report_from(&app, "10.0.0.1", Some("192.0.2.1"), None).await);
    // ...read from the right: what a client wrote before the proxy's entry does not count.
    refused(&report_from(&app, "10.0.0.1", Some("192.0.2.99, 192.0.2.1"), None).await);
    assert_eq!(
        report_from(&app, "10.0.0.1", Some("192.0.2.2"), None)
            .await
            .status,
        201
    );
    assert_eq!(app.request_count().await, 8);
}

#[tokio::test]
async fn an_open311_key_over_its_limit_gets_429_in_open311s_error_format() {
    let app = TestApp::with_settings(limits(100, 100, 2)).await;
    let key = app.api_key().await;
    let form = [
        ("api_key", key.as_str()),
        ("service_code", "water-supply"),
        ("lat", "27.56"),
        ("long", "68.21"),
        ("description", "No water in our street since Monday"),
    ];
    for _ in 0..2 {
        let res = app.post_form("/open311/v2/requests.json", &form).await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    let res = app.post_form("/open311/v2/requests.json", &form).await;
    assert_eq!(res.status, 429, "{}", res.text());
    assert!(res.header("retry-after").parse::<u64>().is_ok());
    assert_eq!(res.json()[0]["code"], 429);
    assert!(res.json()[0]["description"]
        .as_str()
        .unwrap()
        .contains("API key"));
    assert_eq!(app.request_count().await, 2);
}

#[tokio::test]
async fn the_report_page_over_the_phone_limit_says_so_in_urdu_and_keeps_nothing() {
    let app = TestApp::with_settings(limits(100, 1, 100)).await;
    let fields = |token: &str| -> Vec<(String, String)> {
        [
            ("form_token", token),
            ("language", "ur"),
            ("service_code", "sewerage-drainage"),
            ("description", "Gutter ubal raha hai, gali mein ganda pani"),
            ("district", "PK713"),
            ("tehsil", "PK71303"),
            ("phone", "0300 7654321"),
            ("step", "send"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let v = visit(&app, "/report?lang=ur").await;
    let f = fields(&v.token);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        post(&app, "/report", &v.cookies, &f, None).await.status,
        303
    );
    let v = visit(&app, "/report?lang=ur").await;
    let f = fields(&v.token);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = post(&app, "/report", &v.cookies, &f, None).await;
    assert_eq!(res.status, 429);
    assert!(res.header("retry-after").parse::<u64>().is_ok());
    assert!(
        res.text().contains("منٹ بعد دوبارہ کوشش کریں"),
        "{}",
        res.text()
    );
    assert!(res.text().contains("dir=\"rtl\""));
    assert_eq!(app.request_count().await, 1);
}
