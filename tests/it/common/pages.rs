//! Page helpers: cookies, form posts and signing in through the staff sign-in form.

use super::{TestApp, TestResponse, PASSWORD};
use axum::body::Body;
use axum::http::Request;

pub fn set_cookie(res: &TestResponse, name: &str) -> Option<String> {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_string())
        })
}

pub async fn get_with(app: &TestApp, uri: &str, cookies: &str) -> TestResponse {
    app.send(
        Request::get(uri)
            .header("cookie", cookies)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

pub async fn post_form_with(
    app: &TestApp,
    uri: &str,
    cookies: &str,
    pairs: &[(&str, &str)],
) -> TestResponse {
    let body = serde_urlencoded::to_string(pairs).unwrap();
    app.send(
        Request::post(uri)
            .header("cookie", cookies)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

pub fn csrf_in(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[i..i + 64].to_string()
}

/// Signs in through the form; returns the session cookie value.
pub async fn sign_in(
    app: &TestApp,
    username: &str,
    password: &str,
    extra_cookie: &str,
) -> TestResponse {
    let form = app.get("/staff/signin").await;
    let csrf = set_cookie(&form, "sahulat_csrf").unwrap();
    let cookies = format!("sahulat_csrf={csrf}{extra_cookie}");
    post_form_with(
        app,
        "/staff/signin",
        &cookies,
        &[
            ("csrf", &csrf),
            ("username", username),
            ("password", password),
        ],
    )
    .await
}

pub async fn staff_session(app: &TestApp, username: &str, department: &str) -> String {
    let new = sahulat_domain::accounts::NewUser::new(
        &app.state.catalogue,
        username,
        "staff",
        None,
        Some(department),
        PASSWORD,
    )
    .unwrap();
    app.store()
        .create_user(&new, app.clock_now())
        .await
        .unwrap();
    let res = sign_in(app, username, PASSWORD, "").await;
    assert_eq!(res.status, 303, "{}", res.text());
    format!(
        "sahulat_session={}",
        set_cookie(&res, "sahulat_session").unwrap()
    )
}
