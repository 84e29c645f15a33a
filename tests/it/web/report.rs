//! The report page without JavaScript.

use super::{jpeg_taken_at, post, reference_of, visit};
use crate::common::{request_at, TestApp};
use sahulat_domain::status::{Channel, Status};

/// The fields of a complete report by tehsil, in `lang`.
fn by_tehsil<'a>(token: &'a str, lang: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form_token", token),
        ("language", lang),
        ("service_code", "sewerage-drainage"),
        ("description", "Gutter ubal raha hai, gali mein ganda pani"),
        ("district", "PK713"),
        ("tehsil", "PK71303"),
        ("address", "Near Jinnah Bagh"),
        ("phone", "0300 7654321"),
        ("step", "send"),
    ]
}

#[tokio::test]
async fn the_report_page_is_served_at_the_root_in_three_languages_right_to_left_for_urdu_and_sindhi(
) {
    let app = TestApp::new().await;
    for (uri, lang, dir) in [
        ("/", "en", "ltr"),
        ("/report?lang=ur", "ur", "rtl"),
        ("/report?lang=sd", "sd", "rtl"),
    ] {
        let v = visit(&app, uri).await;
        assert!(
            v.html
                .contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{uri}"
        );
        assert!(v.html.contains("name=\"service_code\""), "{uri}");
        assert!(v.cookies.starts_with("sahulat_form="), "{uri}");
    }
    let ur = visit(&app, "/report?lang=ur").await.html;
    assert!(
        ur.contains("مسئلہ درج کریں"),
        "Urdu strings from the catalogue"
    );
    assert!(!ur.contains("Report a problem</h1>"));
}

#[tokio::test]
async fn a_report_by_tehsil_is_stored_through_the_same_intake_and_confirmed_with_its_reference() {
    let app = TestApp::new().await;
    let v = visit(&app, "/report?lang=sd").await;
    let res = post(
        &app,
        "/report",
        &v.cookies,
        &by_tehsil(&v.token, "sd"),
        None,
    )
    .await;
    let reference = reference_of(&res);
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.channel, Channel::Web);
    assert_eq!(r.tehsil.as_deref(), Some("PK71303"));
    assert_eq!((r.lat, r.lon), (None, None));
    assert_eq!(r.language.code(), "sd");
    let contact = app.store().contact(r.id).await.unwrap().unwrap();
    assert_eq!(contact.phone.unwrap().e164(), "+923007654321");
    let done = app.get(&format!("/report/done/{reference}?lang=sd")).await;
    assert_eq!(done.status, 200);
    let grouped = sahulat_domain::reference::grouped(&reference);
    assert!(done.text().contains(&grouped), "{}", done.text());
    assert!(done.text().contains(&format!("/track/{reference}")));
}

#[tokio::test]
async fn a_form_sent_twice_with_the_same_token_makes_one_request() {
    let app = TestApp::new().await;
    let v = visit(&app, "/report").await;
    let fields = by_tehsil(&v.token, "en");
    let first = reference_of(&post(&app, "/report", &v.cookies, &fields, None).await);
    let again = reference_of(&post(&app, "/report", &v.cookies, &fields, None).await);
    assert_eq!(first, again);
    assert_eq!(app.request_count().await, 1);
    // A second visit is a second form: a second report.
    let v2 = visit(&app, "/report").await;
    let other = reference_of(
        &post(
            &app,
            "/report",
            &v2.cookies,
            &by_tehsil(&v2.token, "en"),
            None,
        )
        .await,
    );
    assert_ne!(first, other);
}

#[tokio::test]
async fn a_form_without_its_token_or_from_another_browser_is_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let v = visit(&app, "/report").await;
    let mut fields = by_tehsil(&v.token, "en");
    fields.retain(|(k, _)| *k != "form_token");
    let res = post(&app, "/report", &v.cookies, &fields, None).await;
    assert_eq!(res.status, 403);
    assert!(res.text().contains("expired or did not come from Sahulat"));
    let res = post(&app, "/report", "", &by_tehsil(&v.token, "en"), None).await;
    assert_eq!(
        res.status, 403,
        "the token belongs to the browser that got it"
    );
    let res = post(
        &app,
        "/report",
        "sahulat_form=00000000000000000000000000000000",
        &by_tehsil(&v.token, "en"),
        None,
    )
    .await;
    assert_eq!(res.status, 403);
    assert_eq!(app.request_count().await, 0);
}

#[tokio::test]
async fn errors_appear_next_to_their_fields_in_urdu_and_what_was_entered_is_kept() {
    let app = TestApp::new().await;
    let v = visit(&app, "/report?lang=ur").await;
    let res = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("language", "ur"),
            ("service_code", "water-supply"),
            ("description", "x"),
            ("address", "Sachal <Colony>"),
            ("phone", "0300 12"),
            ("step", "send"),
        ],
        None,
    )
    .await;
    assert_eq!(res.status, 422);
    let html = res.text();
    assert!(html.contains("id=\"description-error\""), "{html}");
    assert!(
        html.contains("ضروری ہے: 3 سے 4000"),
        "description error in Urdu"
    );
    assert!(html.contains("id=\"phone-error\""));
    assert!(html.contains("پاکستانی موبائل"), "phone error in Urdu");
    assert!(html.contains("id=\"lat-error\""), "location missing");
    assert!(
        html.contains("value=\"Sachal &lt;Colony&gt;\""),
        "kept and escaped"
    );
    assert!(html.contains("value=\"0300 12\""));
    assert!(html.contains("value=\"water-supply\" checked"));
    assert_eq!(app.request_count().await, 0);
}

#[tokio::test]
async fn a_point_in_the_sea_or_outside_the_pilots_is_refused_with_the_apis_message() {
    let app = TestApp::new().await;
    let v = visit(&app, "/report").await;
    for (lat, lon, words) in [
        (
            "24.0",
            "64.0",
            "outside every district of Sindh and Balochistan",
        ),
        (
            "24.86",
            "67.01",
            "Sahulat serves Quetta, Kech, Larkana and Naushahro Feroze",
        ),
    ] {
        let res = post(
            &app,
            "/report",
            &v.cookies,
            &[
                ("form_token", &v.token),
                ("service_code", "water-supply"),
                ("description", "No water for three days"),
                ("lat", lat),
                ("lon", lon),
                ("step", "send"),
            ],
            None,
        )
        .await;
        assert_eq!(res.status, 422);
        assert!(res.text().contains(words), "{}", res.text());
    }
    assert_eq!(app.request_count().await, 0);
}

#[tokio::test]
async fn a_tap_on_the_map_sets_the_point_and_the_report_is_stored_there() {
    let app = TestApp::new().await;
    let v = visit(&app, "/report").await;
    let shown = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("service_code", "roads"),
            ("district", "PK713"),
            ("step", "map"),
        ],
        None,
    )
    .await;
    assert_eq!(shown.status, 200);
    let html = shown.text();
    assert!(html.contains("type=\"image\" name=\"map\""), "{html}");
    assert!(html.contains("report&#x2f;map&#x2f;PK713.svg"), "{html}");
    let svg = app.get("/report/map/PK713.svg").await;
    assert_eq!(svg.status, 200);
    assert!(svg.header("content-type").starts_with("image/svg+xml"));
    assert!(svg.text().contains("data-west="));
    // The middle of the map is inside Larkana district.
    let (w, h) = (320.0, {
        let t = svg.text();
        let i = t.find("height=\"").unwrap() + 8;
        t[i..].split('"').next().unwrap().parse::<f64>().unwrap()
    });
    let (x, y) = (format!("{}", w / 2.0), format!("{}", h / 2.0));
    let tapped = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("service_code", "roads"),
            ("district", "PK713"),
            ("map_district", "PK713"),
            ("map.x", &x),
            ("map.y", &y),
        ],
        None,
    )
    .await;
    assert_eq!(tapped.status, 200);
    let html = tapped.text();
    assert!(html.contains("Place chosen:"), "{html}");
    let lat = super::value_of(&html, "lat");
    let lon = super::value_of(&html, "lon");
    let res = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("service_code", "roads"),
            ("description", "Road washed out by the rain"),
            ("lat", &lat),
            ("lon", &lon),
            ("step", "send"),
        ],
        None,
    )
    .await;
    let r = app
        .store()
        .request_by_reference(&reference_of(&res))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.district, "PK713");
    assert!(r.lat.is_some());
}

#[tokio::test]
async fn a_photo_taken_in_larkana_proposes_its_place_and_the_report_keeps_the_photo_without_gps() {
    let app = TestApp::new().await;
    let v = visit(&app, "/report?lang=en").await;
    let photo = jpeg_taken_at(27.5601, 68.2102);
    let res = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("service_code", "solid-waste"),
            ("description", "Garbage heap near the school gate"),
            ("step", "send"),
        ],
        Some(&photo),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let html = res.text();
    assert!(
        html.contains("Your photo was taken at 27.56010, 68.21020"),
        "{html}"
    );
    assert!(html.contains("name=\"use_exif\""));
    assert!(html.contains("Your photo is kept"));
    assert_eq!(
        app.request_count().await,
        0,
        "nothing sent until the citizen confirms"
    );
    let used = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("service_code", "solid-waste"),
            ("description", "Garbage heap near the school gate"),
            ("use_exif", "27.5601,68.2102"),
        ],
        None,
    )
    .await;
    assert!(used.text().contains("Place chosen: 27.56010, 68.21020"));
    let sent = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("service_code", "solid-waste"),
            ("description", "Garbage heap near the school gate"),
            ("lat", "27.5601"),
            ("lon", "68.2102"),
            ("step", "send"),
        ],
        None,
    )
    .await;
    let r = app
        .store()
        .request_by_reference(&reference_of(&sent))
        .await
        .unwrap()
        .unwrap();
    let photos = app.store().photos(r.id).await.unwrap();
    assert_eq!(photos.len(), 1, "the kept photo went with the report");
    let file = app
        .media
        .path()
        .join(&photos[0].file[..2])
        .join(format!("{}.jpg", photos[0].file));
    let bytes = std::fs::read(file).unwrap();
    assert!(
        sahulat_domain::photo::gps_position(&bytes).is_none(),
        "no GPS stored"
    );
}

#[tokio::test]
async fn a_photo_with_bogus_or_foreign_gps_proposes_nothing_and_a_broken_one_is_refused() {
    let app = TestApp::new().await;
    let v = visit(&app, "/report").await;
    for (lat, lon) in [(0.0, 0.0), (51.5, -0.12), (24.86, 67.01)] {
        let res = post(
            &app,
            "/report",
            &v.cookies,
            &[
                ("form_token", &v.token),
                ("service_code", "roads"),
                ("step", "map"),
                ("district", "PK713"),
            ],
            Some(&jpeg_taken_at(lat, lon)),
        )
        .await;
        assert!(
            !res.text().contains("Your photo was taken at"),
            "{lat},{lon}"
        );
    }
    let mut broken = jpeg_taken_at(27.56, 68.21);
    broken.truncate(broken.len() / 2);
    let res = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("service_code", "roads"),
            ("step", "send"),
        ],
        Some(&broken),
    )
    .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("id=\"photo-error\""), "{}", res.text());
    let png_as_jpeg = {
        let img = image::RgbImage::from_pixel(10, 10, image::Rgb([1, 2, 3]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let res = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("service_code", "roads"),
            ("step", "map"),
            ("district", "PK713"),
        ],
        Some(&png_as_jpeg),
    )
    .await;
    assert_eq!(
        res.status,
        200,
        "a PNG named .jpg is still a picture: {}",
        res.text()
    );
    assert!(res.text().contains("Your photo is kept"));
}

#[tokio::test]
async fn open_reports_nearby_are_offered_and_this_is_my_problem_too_adds_a_voice_not_a_duplicate() {
    let app = TestApp::new().await;
    let first = app
        .create(request_at(
            "water-supply",
            27.56,
            68.21,
            "No water since Friday",
            Some("0300 1111111"),
        ))
        .await;
    let v = visit(&app, "/report?lang=en").await;
    let res = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("service_code", "water-supply"),
            ("lat", "27.5601"),
            ("lon", "68.2101"),
            ("step", "nearby"),
        ],
        None,
    )
    .await;
    let html = res.text();
    assert!(html.contains("Already reported nearby?"), "{html}");
    assert!(html.contains(&format!("name=\"voice\" value=\"{}\"", first.reference)));
    assert!(html.contains("No water since Friday"));
    assert!(
        !html.contains("0300 1111111") && !html.contains("1111111"),
        "no phone shown"
    );
    let voiced = post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("service_code", "water-supply"),
            ("phone", "0300 2222222"),
            ("voice", &first.reference),
        ],
        None,
    )
    .await;
    assert_eq!(voiced.status, 200, "{}", voiced.text());
    assert!(voiced
        .text()
        .contains("2 people have reported this problem"));
    assert_eq!(app.request_count().await, 1, "no new request");
    assert_eq!(app.reload(first.id).await.reporters, 2);
    // The same form again counts once.
    post(
        &app,
        "/report",
        &v.cookies,
        &[
            ("form_token", &v.token),
            ("phone", "0300 2222222"),
            ("voice", &first.reference),
        ],
        None,
    )
    .await;
    assert_eq!(app.reload(first.id).await.reporters, 2);
    let proof = app
        .store()
        .reporter_proof(
            first.id,
            &sahulat_domain::phone::Phone::parse("03002222222").unwrap(),
        )
        .await
        .unwrap();
    assert!(
        matches!(proof, sahulat_store::ReporterProof::Voice { .. }),
        "{proof:?}"
    );
    let r = app.reload(first.id).await;
    assert_eq!(r.status, Status::Submitted);
}

#[tokio::test]
async fn an_upload_over_ten_megabytes_gets_a_413_page_in_the_citizens_language_and_nothing_is_stored(
) {
    let app = TestApp::new().await;
    let v = visit(&app, "/report?lang=sd").await;
    let huge = vec![0xFFu8; 11 * 1024 * 1024];
    let mut fields = by_tehsil(&v.token, "sd");
    fields.retain(|(k, _)| *k != "step");
    let res = post(&app, "/report?lang=sd", &v.cookies, &fields, Some(&huge)).await;
    assert_eq!(res.status, 413, "{}", res.text());
    assert!(res.text().contains("10 MB"), "{}", res.text());
    assert!(res.text().contains("dir=\"rtl\""));
    assert_eq!(app.request_count().await, 0);
}
