//! The tap map: a district's tehsils drawn as a small SVG from Sahulat's own boundary
//! polygons, so the map works offline and on 2G (no tiles). A tap's pixel becomes a point
//! with the projection written on the `<svg>` (`x = (lon - west) * kx`, `y = (north - lat) *
//! ky`): in the browser by the script, or, without JavaScript, on the server from the
//! coordinates an `<input type="image">` posts. The public list draws its dots on the same map.

use super::page;
use crate::extract::QueryPairs;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use geo::{BoundingRect, Centroid, CoordsIter, MultiPolygon};
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::geo::GeoIndex;
use sahulat_domain::lang::Lang;
use std::fmt::Write;

/// Width of a map in CSS pixels (fits the narrowest phone screen).
pub(crate) const WIDTH: f64 = 320.0;

/// How a district's map turns degrees into pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Projection {
    west: f64,
    north: f64,
    kx: f64,
    ky: f64,
    /// Height in pixels.
    pub height: f64,
}

impl Projection {
    fn of(shape: &MultiPolygon<f64>) -> Option<Projection> {
        let r = shape.bounding_rect()?;
        let (west, east, south, north) = (r.min().x, r.max().x, r.min().y, r.max().y);
        let cos = ((south + north) / 2.0).to_radians().cos();
        let ky = WIDTH / ((east - west).max(1e-6) * cos);
        Some(Projection {
            west,
            north,
            kx: ky * cos,
            ky,
            height: ((north - south) * ky).ceil(),
        })
    }
    fn xy(&self, lat: f64, lon: f64) -> (f64, f64) {
        ((lon - self.west) * self.kx, (self.north - lat) * self.ky)
    }
    /// The point under pixel (x, y).
    pub(crate) fn point(&self, x: f64, y: f64) -> (f64, f64) {
        (self.north - y / self.ky, self.west + x / self.kx)
    }
}

/// A district's map projection, for a pilot district.
pub(crate) fn projection(geo: &GeoIndex, district: &str) -> Option<Projection> {
    Projection::of(&geo.district(district)?.shape)
}

fn path(shape: &MultiPolygon<f64>, p: &Projection) -> String {
    let mut d = String::new();
    for poly in &shape.0 {
        let mut last: Option<(f64, f64)> = None;
        for (i, c) in poly.exterior().coords_iter().enumerate() {
            let (x, y) = p.xy(c.y, c.x);
            if let Some((lx, ly)) = last {
                if (x - lx).abs() + (y - ly).abs() < 0.8 {
                    continue;
                }
            }
            let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
            last = Some((x, y));
        }
        d.push('Z');
    }
    d
}

/// The SVG of `district`'s tehsils with their names in `lang`, and `dots` (lat, lon) on it.
pub(crate) fn svg(
    cat: &Catalogue,
    geo: &GeoIndex,
    district: &str,
    lang: Lang,
    dots: &[(f64, f64)],
) -> Option<String> {
    let outline = geo.district(district)?;
    let p = Projection::of(&outline.shape)?;
    let name = cat
        .district(district)
        .map(|d| d.names.get(lang).to_string())
        .unwrap_or_default();
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" \
         role=\"img\" aria-label=\"{label}\" data-west=\"{}\" data-north=\"{}\" data-kx=\"{}\" data-ky=\"{}\">\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#f6faf7\"/>",
        p.west,
        p.north,
        p.kx,
        p.ky,
        w = WIDTH,
        h = p.height,
        label = escape(&name),
    );
    let tehsils: Vec<_> = geo.tehsils().filter(|t| t.parent == district).collect();
    if tehsils.is_empty() {
        let _ = write!(
            s,
            "<path d=\"{}\" fill=\"#e3efe6\" stroke=\"#0b5d3b\"/>",
            path(&outline.shape, &p)
        );
    }
    for t in &tehsils {
        let _ = write!(
            s,
            "<path d=\"{}\" fill=\"#e3efe6\" stroke=\"#0b5d3b\" stroke-width=\"1\"/>",
            path(&t.shape, &p)
        );
    }
    for t in &tehsils {
        if let Some(c) = t.shape.centroid() {
            let (x, y) = p.xy(c.y(), c.x());
            let label = cat
                .tehsil(&t.code)
                .map(|x| x.names.get(lang).to_string())
                .unwrap_or_else(|| t.name.clone());
            let _ = write!(
                s,
                "<text x=\"{x:.0}\" y=\"{y:.0}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#123\" font-family=\"sans-serif\">{}</text>",
                escape(&label)
            );
        }
    }
    for &(lat, lon) in dots {
        let (x, y) = p.xy(lat, lon);
        let _ = write!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#a4001d\" fill-opacity=\"0.75\"/>"
        );
    }
    s.push_str("</svg>");
    Some(s)
}

/// Text for SVG/HTML element content and attributes.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG answer, cached for a day (boundaries change with a release).
pub(crate) fn answer(svg: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            ),
        ],
        svg,
    )
        .into_response()
}

/// `GET /report/map/{district}.svg`: the tap map of a served district.
pub(crate) async fn district_svg(
    State(st): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, _) = page::language(&headers, &q);
    let code = file.strip_suffix(".svg").unwrap_or("");
    let served = st
        .catalogue
        .district(code)
        .is_some_and(|d| d.accepts_requests);
    match served
        .then(|| svg(&st.catalogue, &st.geo, code, lang, &[]))
        .flatten()
    {
        Some(s) => answer(s),
        None => (StatusCode::NOT_FOUND, "no map for this district").into_response(),
    }
}
