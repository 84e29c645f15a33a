//! Photos: a real phone-style JPEG (EXIF with GPS and a rotation) goes in, an upright, smaller
//! JPEG with no metadata comes out; broken, oversized and mislabelled uploads are refused
//! naming the field and leave no file behind; staff add and hide pictures; hidden pictures
//! leave the public record but stay on the staff page.

use crate::common;

use axum::body::Body;
use axum::http::Request;
use common::pages::{csrf_in, get_with, staff_session};
use common::TestApp;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageBuffer, ImageEncoder, Rgb};
use serde_json::{json, Value};

const PHONE: &str = "0300 1234567";
const CAMERA: &str = "SahulatTestPhone";

/// A minimal little-endian TIFF block: Make, Orientation = 6 (turn 90° clockwise to view),
/// and a GPS IFD placing the picture at 27.56 N.
fn exif() -> Vec<u8> {
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value.to_le_bytes());
    };
    // IFD0 at 8: 3 entries (2 + 36 + 4 bytes) → ends at 50; Make text at 50, GPS IFD at 68.
    t.extend(3u16.to_le_bytes());
    entry(&mut t, 0x010F, 2, CAMERA.len() as u32 + 1, 50);
    entry(&mut t, 0x0112, 3, 1, 6);
    entry(&mut t, 0x8825, 4, 1, 68);
    t.extend(0u32.to_le_bytes());
    t.extend(CAMERA.as_bytes());
    t.push(0);
    t.resize(68, 0);
    // GPS IFD: LatitudeRef "N", Latitude 27/1 33/1 36/1 (rationals at 98).
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes([b'N', 0, 0, 0]));
    entry(&mut t, 0x0002, 5, 3, 98);
    t.extend(0u32.to_le_bytes());
    t.resize(98, 0);
    for v in [27u32, 33, 36] {
        t.extend(v.to_le_bytes());
        t.extend(1u32.to_le_bytes());
    }
    t
}

/// A 2400×1200 phone photo with EXIF; `shade` makes each one different.
fn phone_jpeg(shade: u8) -> Vec<u8> {
    let img = ImageBuffer::from_fn(2400, 1200, |x, y| {
        Rgb([(x % 251) as u8, (y % 241) as u8, shade])
    });
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 85);
    enc.set_exif_metadata(exif()).unwrap();
    enc.write_image(img.as_raw(), 2400, 1200, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

async fn upload(
    app: &TestApp,
    reference: &str,
    bytes: Vec<u8>,
    ct: &str,
    phone: &str,
) -> common::TestResponse {
    app.send(
        Request::post(format!("/api/v1/requests/{reference}/photos"))
            .header("content-type", ct)
            .header("x-reporter-phone", phone)
            .body(Body::from(bytes))
            .unwrap(),
    )
    .await
}

fn media_files(app: &TestApp) -> usize {
    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p)
            .map(|d| {
                d.flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(app.media.path())
}

#[tokio::test]
async fn a_phone_photo_is_stored_upright_and_smaller_with_its_gps_and_camera_removed() {
    let app = TestApp::new().await;
    let r = app.create(common::larkana_request()).await;
    let original = phone_jpeg(10);
    assert!(
        contains(&original, CAMERA.as_bytes()),
        "the test photo carries EXIF"
    );
    let res = upload(&app, &r.reference, original.clone(), "image/jpeg", PHONE).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let body = res.json();
    assert_eq!(
        (body["width"].as_u64(), body["height"].as_u64()),
        (Some(800), Some(1600)),
        "turned upright (orientation 6) and shrunk to 1600 px: {body}"
    );
    let url = body["url"].as_str().unwrap().to_string();

    let served = app.get(&url).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), "image/jpeg");
    assert!(!contains(&served.body, b"Exif"), "no EXIF block");
    assert!(!contains(&served.body, CAMERA.as_bytes()), "no camera make");
    let decoded = image::load_from_memory(&served.body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (800, 1600));
    let thumb = app.get(body["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(thumb.status, 200);
    assert!(thumb.body.len() < served.body.len());

    let retry = upload(&app, &r.reference, original, "image/jpeg", PHONE).await;
    assert_eq!(retry.status, 200, "a retry is recognised: {}", retry.text());
    assert_eq!(retry.json()["url"], url.as_str());

    let public = app
        .get(&format!("/api/v1/requests/{}", r.reference))
        .await
        .json();
    assert_eq!(public["photos"].as_array().unwrap().len(), 1);
    assert_eq!(public["photos"][0]["url"], url.as_str());
    assert_eq!(media_files(&app), 2, "one picture and its thumbnail");
}

#[tokio::test]
async fn broken_mislabelled_huge_and_foreign_uploads_are_refused_and_leave_nothing_behind() {
    let app = TestApp::new().await;
    let r = app.create(common::larkana_request()).await;
    let mut broken = phone_jpeg(20);
    broken.truncate(broken.len() / 3);
    let res = upload(&app, &r.reference, broken, "image/jpeg", PHONE).await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert!(res.json()["error"]["fields"]["photo"].is_string());

    let text = upload(&app, &r.reference, b"<html>".to_vec(), "image/png", PHONE).await;
    assert_eq!(text.status, 422);
    assert!(text.json()["error"]["fields"]["photo"]
        .as_str()
        .unwrap()
        .contains("JPEG, PNG or WebP"));

    let wrong_type = upload(&app, &r.reference, phone_jpeg(21), "text/plain", PHONE).await;
    assert_eq!(wrong_type.status, 415, "{}", wrong_type.text());

    let huge = upload(
        &app,
        &r.reference,
        vec![0xFF; 11 * 1024 * 1024],
        "image/jpeg",
        PHONE,
    )
    .await;
    assert_eq!(huge.status, 413, "{}", huge.text());

    // 60 megapixels of one colour: a small file that would need 180 MB to decode.
    let bomb = {
        let img = DynamicImage::new_rgb8(10_000, 6_000);
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    assert!(bomb.len() < 1024 * 1024);
    let res = upload(&app, &r.reference, bomb, "image/png", PHONE).await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert!(res.text().contains("megapixels"));

    let stranger = upload(
        &app,
        &r.reference,
        phone_jpeg(22),
        "image/jpeg",
        "0333 7654321",
    )
    .await;
    assert_eq!(stranger.status, 403);
    let no_header = app
        .send(
            Request::post(format!("/api/v1/requests/{}/photos", r.reference))
                .header("content-type", "image/jpeg")
                .body(Body::from(phone_jpeg(23)))
                .unwrap(),
        )
        .await;
    assert_eq!(no_header.status, 422);
    assert!(no_header.json()["error"]["fields"]["X-Reporter-Phone"].is_string());

    assert_eq!(media_files(&app), 0, "no file left behind");
    let public = app
        .get(&format!("/api/v1/requests/{}", r.reference))
        .await
        .json();
    assert_eq!(public["photos"], json!([]));
}

#[tokio::test]
async fn a_sixth_photo_from_the_reporter_is_refused_before_decoding_but_staff_can_still_add_theirs()
{
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    for shade in 0..5u8 {
        let small = {
            let img = ImageBuffer::from_pixel(64, 48, Rgb([shade * 40, 10, 10]));
            let mut out = std::io::Cursor::new(Vec::new());
            DynamicImage::ImageRgb8(img)
                .write_to(&mut out, image::ImageFormat::Png)
                .unwrap();
            out.into_inner()
        };
        let res = upload(&app, &reference, small, "image/png", PHONE).await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    // Not even a picture: refused as "full" without being decoded.
    let sixth = upload(
        &app,
        &reference,
        b"not decoded".to_vec(),
        "image/jpeg",
        PHONE,
    )
    .await;
    assert_eq!(sixth.status, 409, "{}", sixth.text());
    assert_eq!(sixth.error_code(), "too_many_photos");
    assert_eq!(media_files(&app), 10);
    let staff = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    let repair = app
        .send(
            Request::post(format!("/api/v1/staff/tickets/{reference}/photos"))
                .header("authorization", format!("Bearer {staff}"))
                .header("content-type", "image/jpeg")
                .body(Body::from(phone_jpeg(60)))
                .unwrap(),
        )
        .await;
    assert_eq!(repair.status, 201, "{}", repair.text());
}

#[tokio::test]
async fn a_picture_just_over_ten_megabytes_is_413_and_a_revalidation_is_304() {
    let app = TestApp::new().await;
    let r = app.create(common::larkana_request()).await;
    let mut big = vec![0xFF, 0xD8, 0xFF];
    big.resize(10 * 1024 * 1024 + 10, 0);
    let res = upload(&app, &r.reference, big, "image/jpeg", PHONE).await;
    assert_eq!(res.status, 413, "{}", res.text());

    let ok = upload(&app, &r.reference, phone_jpeg(70), "image/jpeg", PHONE).await;
    let url = ok.json()["url"].as_str().unwrap().to_string();
    let first = app.get(&url).await;
    assert_eq!(first.header("cache-control"), "public, no-cache");
    let etag = first.header("etag").to_string();
    assert!(!etag.is_empty());
    let again = app
        .send(
            Request::get(&url)
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
}

#[tokio::test]
async fn photos_of_a_report_rejected_as_abuse_are_not_served_and_no_more_are_taken() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let photo = upload(&app, &reference, phone_jpeg(80), "image/jpeg", PHONE).await;
    let url = photo.json()["url"].as_str().unwrap().to_string();
    assert_eq!(app.get(&url).await.status, 200);
    let coord = app
        .signed_in("coordinator", "coord.larkana", Some("Larkana"), None)
        .await;
    let rejected = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &coord,
            Some(json!({"action": "reject", "reason": "Abusive pictures"})),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text());
    assert_eq!(app.get(&url).await.status, 404);
    let public = app
        .get(&format!("/api/v1/requests/{reference}"))
        .await
        .json();
    assert_eq!(public["photos"], json!([]));
    let more = upload(&app, &reference, phone_jpeg(81), "image/jpeg", PHONE).await;
    assert_eq!(more.status, 409);
}

#[tokio::test]
async fn staff_add_a_photo_of_the_repair_hide_one_from_the_public_and_still_see_it() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let citizen = upload(&app, &reference, phone_jpeg(30), "image/jpeg", PHONE).await;
    assert_eq!(citizen.status, 201);
    let staff = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    let other = app
        .signed_in("staff", "sepco.larkana", None, Some("sepco-larkana"))
        .await;
    let staff_upload = |token: String, shade: u8| {
        let (app, reference) = (&app, reference.clone());
        async move {
            app.send(
                Request::post(format!("/api/v1/staff/tickets/{reference}/photos"))
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "image/jpeg")
                    .body(Body::from(phone_jpeg(shade)))
                    .unwrap(),
            )
            .await
        }
    };
    assert_eq!(staff_upload(other.clone(), 31).await.status, 404);
    let repair = staff_upload(staff.clone(), 32).await;
    assert_eq!(repair.status, 201, "{}", repair.text());

    let detail: Value = app
        .authed(
            "GET",
            &format!("/api/v1/staff/tickets/{reference}"),
            &staff,
            None,
        )
        .await
        .json();
    let photos = detail["photos"].as_array().unwrap().clone();
    assert_eq!(photos.len(), 2);
    assert_eq!(photos[1]["kind"], "staff");
    let citizen_photo = &photos[0];
    let id = citizen_photo["id"].as_i64().unwrap();
    let public_url = citizen.json()["url"].as_str().unwrap().to_string();

    let vis = format!("/api/v1/staff/tickets/{reference}/photos/{id}/visibility");
    assert_eq!(
        app.authed("POST", &vis, &other, Some(json!({"hidden": true})))
            .await
            .status,
        404
    );
    let hidden = app
        .authed("POST", &vis, &staff, Some(json!({"hidden": true})))
        .await;
    assert_eq!(hidden.status, 204, "{}", hidden.text());
    assert_eq!(app.get(&public_url).await.status, 404, "gone from /media");
    let public = app
        .get(&format!("/api/v1/requests/{reference}"))
        .await
        .json();
    assert_eq!(public["photos"].as_array().unwrap().len(), 1, "{public}");
    assert_eq!(public["photos"][0]["kind"], "staff");

    // The staff page still shows it, from /staff/media, to the handling department only.
    let cookie = staff_session(&app, "phed.page", "phed-larkana").await;
    let page = get_with(&app, &format!("/staff/tickets/{reference}"), &cookie).await;
    assert_eq!(page.status, 200);
    let html = page.text().replace("&#x2f;", "/");
    let staff_url = citizen_photo["thumbnail_url"].as_str().unwrap();
    assert!(html.contains(staff_url), "thumbnail on the ticket page");
    assert!(!csrf_in(&html).is_empty());
    assert_eq!(get_with(&app, staff_url, &cookie).await.status, 200);
    let outsider = staff_session(&app, "sepco.page", "sepco-larkana").await;
    assert_eq!(get_with(&app, staff_url, &outsider).await.status, 404);
    assert_eq!(app.get(staff_url).await.status, 303, "no session: sign in");
}

#[tokio::test]
async fn the_ticket_page_takes_a_photo_through_a_multipart_form_with_its_csrf_token() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let cookie = staff_session(&app, "phed.page", "phed-larkana").await;
    let page = get_with(&app, &format!("/staff/tickets/{reference}"), &cookie).await;
    let csrf = csrf_in(&page.text());
    let post = |csrf: String| {
        let (app, reference, cookie) = (&app, reference.clone(), cookie.clone());
        async move {
            let boundary = "XsahulatX";
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"drain.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .into_bytes();
            body.extend(phone_jpeg(40));
            body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
            app.send(
                Request::post(format!("/staff/tickets/{reference}/photos"))
                    .header("cookie", cookie)
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
        }
    };
    let forged = post("0".repeat(64)).await;
    assert_eq!(forged.status, 403);
    assert_eq!(media_files(&app), 0);
    let ok = post(csrf).await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let page = get_with(&app, &format!("/staff/tickets/{reference}"), &cookie).await;
    assert!(page.text().replace("&#x2f;", "/").contains("/staff/media/"));
    assert_eq!(media_files(&app), 2);
}

#[tokio::test]
async fn open311_gives_the_first_public_photo_as_an_absolute_media_url_when_the_public_address_is_set(
) {
    let app = TestApp::with_settings(sahulat_api::Settings {
        public_url: Some("https://sahulat.example.pk".into()),
        ..Default::default()
    })
    .await;
    let reference = app.triaged_larkana_water().await;
    let photo = upload(&app, &reference, phone_jpeg(50), "image/jpeg", PHONE).await;
    assert_eq!(photo.status, 201);
    let path = photo.json()["url"].as_str().unwrap().to_string();
    let expected = format!("https://sahulat.example.pk{path}");
    let one = app
        .get(&format!("/open311/v2/requests/{reference}.json"))
        .await
        .json();
    assert_eq!(one[0]["media_url"], expected.as_str());
    let list = app.get("/open311/v2/requests.json").await.json();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["media_url"] == expected.as_str()));
    let xml = app
        .get(&format!("/open311/v2/requests/{reference}.xml"))
        .await
        .text();
    assert!(
        xml.contains(&format!("<media_url>{expected}</media_url>")),
        "{xml}"
    );

    let staff = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    let detail = app
        .authed(
            "GET",
            &format!("/api/v1/staff/tickets/{reference}"),
            &staff,
            None,
        )
        .await
        .json();
    let id = detail["photos"][0]["id"].as_i64().unwrap();
    let hide = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/photos/{id}/visibility"),
            &staff,
            Some(json!({"hidden": true})),
        )
        .await;
    assert_eq!(hide.status, 204);
    let one = app
        .get(&format!("/open311/v2/requests/{reference}.json"))
        .await
        .json();
    assert!(
        one[0]["media_url"].is_null(),
        "a hidden photo is not offered: {one}"
    );

    let plain = TestApp::new().await;
    let r = plain.triaged_larkana_water().await;
    assert_eq!(
        upload(&plain, &r, phone_jpeg(51), "image/jpeg", PHONE)
            .await
            .status,
        201
    );
    let one = plain
        .get(&format!("/open311/v2/requests/{r}.json"))
        .await
        .json();
    assert!(
        one[0]["media_url"].is_null(),
        "no public address, no absolute link"
    );
}
