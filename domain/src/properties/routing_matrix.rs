//! Properties of routing: every pilot tehsil and service reaches a department of its district or the coordinator.

use crate::catalogue::PILOT_DISTRICTS;
use crate::routing::{route, RouteRule};
use crate::testing::reference;

#[test]
fn every_pilot_tehsil_and_every_service_reaches_a_department_of_its_district_or_the_coordinators_desk(
) {
    let (cat, geo, _) = reference();
    let mut checked = 0;
    for district in PILOT_DISTRICTS {
        let tehsils: Vec<Option<&str>> = std::iter::once(None)
            .chain(
                cat.tehsils
                    .iter()
                    .filter(|t| t.district == district)
                    .map(|t| Some(t.code.as_str())),
            )
            .collect();
        assert!(tehsils.len() > 1, "{district} has tehsils");
        for tehsil in &tehsils {
            if let Some(t) = tehsil {
                assert!(geo.tehsil(t).is_some(), "{t} has a boundary");
            }
            for service in &cat.services {
                let r = route(cat, district, *tehsil, &service.code);
                let dept = r.department.as_deref().and_then(|d| cat.department(d));
                let Some(dept) = dept else {
                    panic!(
                        "{district}/{tehsil:?}/{} routes nowhere: {r:?}",
                        service.code
                    );
                };
                assert_eq!(
                    dept.district, district,
                    "{district}/{tehsil:?}/{} goes to {} of {}",
                    service.code, dept.code, dept.district
                );
                if r.rule == RouteRule::Coordinator {
                    assert!(dept.coordinator, "{r:?} is not a coordinator's desk");
                }
                if tehsil.is_none() {
                    assert_ne!(r.rule, RouteRule::Tehsil);
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 20 * cat.services.len(), "{checked}");
}

#[test]
fn every_routing_row_names_a_department_of_its_own_district_and_a_known_service() {
    let (cat, _, _) = reference();
    for row in &cat.routing {
        let dept = cat.department(&row.department);
        assert_eq!(
            dept.map(|d| d.district.as_str()),
            Some(row.district.as_str()),
            "{row:?}"
        );
        assert!(cat.service(&row.service).is_some(), "{row:?}");
        if let Some(t) = &row.tehsil {
            assert_eq!(
                cat.tehsil(t).map(|t| t.district.as_str()),
                Some(row.district.as_str()),
                "{row:?}"
            );
        }
    }
}
