//! The citizen pages through the router, without JavaScript, as a keypad-era browser would use
//! them: plain form posts (multipart when a photo goes along), the anti-forgery token, errors
//! next to their fields in the chosen language, the tap map, the place a photo was taken,
//! "this is my problem too", tracking, reopening and rating, the public list, and moderation.

mod moderation;
mod report;
mod track;

use crate::common::pages::set_cookie;
use crate::common::{TestApp, TestResponse};
use axum::body::Body;
use axum::http::Request;

/// A browser's visit to a form page: its cookies and the form's token.
pub struct Visit {
    pub cookies: String,
    pub token: String,
    pub html: String,
}

/// Opens `uri` (a page with a citizen form) like a browser.
pub async fn visit(app: &TestApp, uri: &str) -> Visit {
    visit_with(app, uri, "").await
}

/// Opens `uri` with the cookies a browser already holds.
pub async fn visit_with(app: &TestApp, uri: &str, cookies: &str) -> Visit {
    let res = app
        .send(
            Request::get(uri)
                .header("cookie", cookies)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        res.status.is_success(),
        "{uri}: {} {}",
        res.status,
        res.text()
    );
    let html = res.text();
    let cookies = match set_cookie(&res, "sahulat_form") {
        Some(secret) => format!("sahulat_form={secret}"),
        None => cookies.to_string(),
    };
    Visit {
        token: token_in(&html),
        cookies,
        html,
    }
}

/// The form token on a page.
pub fn token_in(html: &str) -> String {
    let i = html
        .find("name=\"form_token\" value=\"")
        .expect("a form token")
        + 25;
    let end = html[i..].find('"').unwrap() + i;
    html[i..end].to_string()
}

/// A multipart body with `fields` and, if given, a `photo` file.
pub fn multipart(fields: &[(&str, &str)], photo: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "sahulat-test-boundary-7f3a";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = photo {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a citizen form (multipart, like the report page) with the visit's cookies.
pub async fn post(
    app: &TestApp,
    uri: &str,
    cookies: &str,
    fields: &[(&str, &str)],
    photo: Option<&[u8]>,
) -> TestResponse {
    let (ct, body) = multipart(fields, photo.map(|p| ("photo", p)));
    app.send(
        Request::post(uri)
            .header("cookie", cookies)
            .header("content-type", ct)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// The reference a confirmation redirect points at.
pub fn reference_of(res: &TestResponse) -> String {
    assert_eq!(res.status, 303, "{}", res.text());
    let to = res.header("location");
    to.trim_start_matches("/report/done/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

/// A small JPEG whose EXIF block says it was taken at (lat, lon).
pub fn jpeg_taken_at(lat: f64, lon: f64) -> Vec<u8> {
    use image::codecs::jpeg::JpegEncoder;
    use image::{ImageBuffer, ImageEncoder, Rgb};
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value.to_le_bytes());
    };
    // IFD0 at 8: one entry, the GPS IFD at 26; its rationals at 80 (latitude), 104 (longitude).
    t.extend(1u16.to_le_bytes());
    entry(&mut t, 0x8825, 4, 1, 26);
    t.extend(0u32.to_le_bytes());
    t.extend(4u16.to_le_bytes());
    let ns = if lat < 0.0 { b'S' } else { b'N' };
    let ew = if lon < 0.0 { b'W' } else { b'E' };
    entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes([ns, 0, 0, 0]));
    entry(&mut t, 0x0002, 5, 3, 80);
    entry(&mut t, 0x0003, 2, 2, u32::from_le_bytes([ew, 0, 0, 0]));
    entry(&mut t, 0x0004, 5, 3, 104);
    t.extend(0u32.to_le_bytes());
    for v in [lat.abs(), lon.abs()] {
        let deg = v.trunc();
        let min = ((v - deg) * 60.0).trunc();
        let sec = (v - deg - min / 60.0) * 3600.0;
        for (num, den) in [
            (deg as u32, 1u32),
            (min as u32, 1),
            ((sec * 100.0).round() as u32, 100),
        ] {
            t.extend(num.to_le_bytes());
            t.extend(den.to_le_bytes());
        }
    }
    let img = ImageBuffer::from_fn(400, 300, |x, y| Rgb([(x % 200) as u8, (y % 150) as u8, 40]));
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 80);
    enc.set_exif_metadata(t).unwrap();
    enc.write_image(img.as_raw(), 400, 300, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// The value of the hidden input `name` on a page.
pub fn value_of(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" id=\"{name}\" value=\"");
    let i = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no {name} field"))
        + needle.len();
    html[i..].split('"').next().unwrap().to_string()
}
