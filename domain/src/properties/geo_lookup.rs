//! Properties of the geo lookup: a point is in at most one district, its tehsil is of that district, and answers are stable.

use super::*;
use crate::catalogue::PILOT_DISTRICTS;
use crate::geo::{Area, GeoIndex};
use crate::testing::reference;
use geo::{BoundingRect, Contains, Distance, Euclidean, Intersects, Point};

fn geo_index() -> &'static GeoIndex {
    &reference().1
}

/// The bounding box (min lon, min lat, max lon, max lat) of a pilot district.
fn bbox(code: &str) -> (f64, f64, f64, f64) {
    let r = geo_index()
        .district(code)
        .and_then(|a| a.shape.bounding_rect())
        .unwrap_or_else(|| panic!("{code} has a boundary"));
    (r.min().x, r.min().y, r.max().x, r.max().y)
}

/// A point in or up to a tenth of its size around a pilot district's bounding box: (lat, lon).
fn around_pilots() -> impl Strategy<Value = (f64, f64)> {
    (0usize..4, -0.1f64..1.1, -0.1f64..1.1).prop_map(|(d, fx, fy)| {
        let (x0, y0, x1, y1) = bbox(PILOT_DISTRICTS[d]);
        (y0 + fy * (y1 - y0), x0 + fx * (x1 - x0))
    })
}

/// The district the documented rule picks, by brute force without the R-tree: the lowest
/// P-code whose polygon contains or touches the point.
fn by_brute_force(lat: f64, lon: f64) -> Option<&'static Area> {
    let p = Point::new(lon, lat);
    geo_index()
        .districts()
        .filter(|a| a.shape.intersects(&p))
        .min_by(|a, b| a.code.cmp(&b.code))
}

/// Distance in degrees from the point to the nearest ring of `area`.
fn to_border(area: &Area, lat: f64, lon: f64) -> f64 {
    let p = Point::new(lon, lat);
    area.shape
        .0
        .iter()
        .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
        .map(|ring| Euclidean.distance(&p, ring))
        .fold(f64::INFINITY, f64::min)
}

/// Whether the point lies within `within` degrees of any district or tehsil boundary.
fn near_a_border(lat: f64, lon: f64, within: f64) -> bool {
    let g = geo_index();
    g.districts()
        .chain(g.tehsils())
        .any(|a| to_border(a, lat, lon) <= within)
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn a_point_near_the_pilots_is_located_in_the_lowest_coded_district_that_holds_it_and_only_one_contains_it(
        (lat, lon) in around_pilots(),
    ) {
        let g = geo_index();
        let got = g.locate(lat, lon);
        let expected = by_brute_force(lat, lon);
        prop_assert_eq!(
            got.as_ref().map(|p| p.district.as_str()),
            expected.map(|a| a.code.as_str()),
            "({}, {})", lat, lon
        );
        let p = Point::new(lon, lat);
        let containing: Vec<&str> = g
            .districts()
            .filter(|a| a.shape.contains(&p))
            .map(|a| a.code.as_str())
            .collect();
        prop_assert!(containing.len() <= 1, "({}, {}) lies inside {:?}", lat, lon, containing);
        if let Some(pl) = got {
            let d = g.district(&pl.district).unwrap();
            prop_assert_eq!(&pl.province, &d.parent);
            prop_assert!(g.provinces().contains_key(&pl.province));
        }
    }

    #[test]
    fn a_located_tehsil_belongs_to_the_located_district_and_holds_the_point(
        (lat, lon) in around_pilots(),
    ) {
        let g = geo_index();
        let p = Point::new(lon, lat);
        if let Some(pl) = g.locate(lat, lon) {
            if let Some(t) = &pl.tehsil {
                let area = g.tehsil(t).unwrap();
                prop_assert_eq!(&area.parent, &pl.district);
                prop_assert!(area.shape.intersects(&p));
                prop_assert!(PILOT_DISTRICTS.contains(&pl.district.as_str()));
            }
            // A point strictly inside exactly one tehsil of the located district gets it.
            let inside: Vec<&Area> = g
                .tehsils()
                .filter(|t| t.parent == pl.district && t.shape.contains(&p))
                .collect();
            if inside.len() == 1 {
                prop_assert_eq!(pl.tehsil.as_deref(), Some(inside[0].code.as_str()), "({}, {})", lat, lon);
            }
        } else {
            prop_assert!(by_brute_force(lat, lon).is_none());
        }
    }

    #[test]
    fn locating_the_same_point_twice_gives_the_same_answer_and_a_nudge_changes_it_only_at_a_border(
        (lat, lon) in around_pilots(),
        dlat in -1e-9f64..1e-9,
        dlon in -1e-9f64..1e-9,
    ) {
        let g = geo_index();
        let a = g.locate(lat, lon);
        prop_assert_eq!(&a, &g.locate(lat, lon));
        let b = g.locate(lat + dlat, lon + dlon);
        if a != b {
            prop_assert!(
                near_a_border(lat, lon, 1e-8),
                "({}, {}) → {:?} but ({}, {}) → {:?}, far from any border",
                lat, lon, a, lat + dlat, lon + dlon, b
            );
        }
    }

    #[test]
    fn a_vertex_of_a_pilot_boundary_is_placed_by_the_lowest_p_code_rule_whatever_the_load_order(
        d in 0usize..4, pick in any::<proptest::sample::Index>(),
        dlat in -1e-9f64..1e-9, dlon in -1e-9f64..1e-9,
    ) {
        let g = geo_index();
        let area = g.district(PILOT_DISTRICTS[d]).unwrap();
        let vertices: Vec<_> = area
            .shape
            .0
            .iter()
            .flat_map(|poly| poly.exterior().0.iter())
            .collect();
        let v = pick.get(&vertices);
        let got = g.locate(v.y, v.x);
        prop_assert!(got.is_some(), "a vertex of {} is nowhere", area.code);
        let got = got.unwrap();
        prop_assert!(got.district.as_str() <= area.code.as_str(), "{} vs {}", got.district, area.code);
        prop_assert_eq!(Some(got.district.clone()), by_brute_force(v.y, v.x).map(|a| a.code.clone()));
        // Either side of the border: somewhere sane, and the same answer twice.
        let (lat, lon) = (v.y + dlat, v.x + dlon);
        let near = g.locate(lat, lon);
        prop_assert_eq!(&near, &g.locate(lat, lon));
        prop_assert_eq!(near.map(|p| p.district), by_brute_force(lat, lon).map(|a| a.code.clone()));
    }
}
