//! Geography against the real boundaries: the pilot towns land in the right district and
//! tehsil, and a point exactly on a district border gets one stable answer.

use crate::common;

use geo::{CoordsIter, Intersects, Point};

#[test]
fn the_pilot_towns_are_placed_in_their_district_and_tehsil() {
    let (_, geo) = common::reference();
    let cases = [
        ((30.18, 66.99), "PK226", Some("PK22602")),
        ((26.0, 63.05), "PK211", Some("PK21103")),
        ((27.56, 68.21), "PK713", Some("PK71303")),
        ((26.84, 68.12), "PK717", Some("PK71705")),
        ((26.66, 68.0), "PK717", Some("PK71704")),
        ((27.8, 68.29), "PK713", Some("PK71304")),
        ((29.8, 66.85), "PK220", None), // Mastung: known, not a pilot, no tehsils loaded
    ];
    for ((lat, lon), district, tehsil) in cases {
        let p = geo
            .locate(lat, lon)
            .unwrap_or_else(|| panic!("{lat},{lon} not placed"));
        assert_eq!(p.district, district, "{lat},{lon}");
        assert_eq!(p.tehsil.as_deref(), tehsil, "{lat},{lon}");
    }
    assert!(
        geo.locate(24.5, 64.0).is_none(),
        "the Arabian Sea is in no district"
    );
}

#[test]
fn a_point_on_the_border_between_two_districts_belongs_to_the_lowest_code_every_time() {
    let (_, geo) = common::reference();
    let larkana = geo.district("PK713").unwrap();
    let shared = larkana
        .shape
        .coords_iter()
        .find_map(|c| {
            let p = Point::from(c);
            let owners: Vec<String> = geo
                .districts()
                .filter(|a| a.shape.intersects(&p))
                .map(|a| a.code.clone())
                .collect();
            (owners.len() >= 2).then_some((p, owners))
        })
        .expect("Larkana shares a border vertex with a neighbour");
    let (p, owners) = shared;
    let expected = owners.iter().min().unwrap().clone();
    for _ in 0..3 {
        let placed = geo.locate(p.y(), p.x()).unwrap();
        assert_eq!(placed.district, expected, "owners {owners:?}");
        if let Some(t) = placed.tehsil {
            assert!(
                common::reference().0.tehsil(&t).unwrap().district == expected,
                "the tehsil belongs to the chosen district"
            );
        }
    }
}
