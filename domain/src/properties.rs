//! Property tests (issue 13, item 5): the reference check digit, phone parsing, the geo
//! lookup, the ticket lifecycle, SLA arithmetic, routing and the USSD path parser, checked on
//! generated inputs against the real reference data of `fixtures/`. Case counts are modest so
//! the whole module runs in seconds in a debug build; failures are not persisted to files.

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

/// `cases` cases, no failure-persistence files.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Inserts a separator from `seps` after the characters marked in `at` (never before the
/// first character, so a leading `+` stays leading).
fn sprinkle(s: &str, at: &[bool], seps: &[&str]) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        out.push(c);
        if at.get(i).copied().unwrap_or(false) {
            out.push_str(seps[i % seps.len()]);
        }
    }
    out
}

mod reference_digits {
    use super::*;
    use crate::reference::{grouped, Reference, ReferenceError, REFERENCE_LEN};

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn every_single_digit_change_of_a_valid_reference_is_rejected(
            body in 0u32..100_000_000, pos in 0usize..REFERENCE_LEN, delta in 1u8..10,
        ) {
            let r = Reference::from_body(body);
            let mut b = r.as_str().as_bytes().to_vec();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let typed = String::from_utf8(b).unwrap();
            prop_assert_eq!(Reference::parse(&typed), Err(ReferenceError::CheckDigit));
        }

        #[test]
        fn every_swap_of_two_adjacent_different_digits_is_rejected(
            body in 0u32..100_000_000, pos in 0usize..REFERENCE_LEN - 1,
        ) {
            let r = Reference::from_body(body);
            let mut b = r.as_str().as_bytes().to_vec();
            prop_assume!(b[pos] != b[pos + 1]);
            b.swap(pos, pos + 1);
            let typed = String::from_utf8(b).unwrap();
            prop_assert_eq!(Reference::parse(&typed), Err(ReferenceError::CheckDigit));
        }

        #[test]
        fn exactly_one_check_digit_completes_any_eight_digit_body(body in 0u32..100_000_000) {
            let valid: Vec<u8> = (0..10u8)
                .filter(|d| Reference::parse(&format!("{body:08}{d}")).is_ok())
                .collect();
            prop_assert_eq!(valid.len(), 1);
            let made = Reference::from_body(body);
            let body8 = format!("{body:08}");
            prop_assert_eq!(&made.as_str()[..8], body8.as_str());
        }

        #[test]
        fn a_reference_survives_grouping_spaces_and_dashes_on_its_way_back(
            body in 0u32..100_000_000,
            at in proptest::collection::vec(any::<bool>(), REFERENCE_LEN),
        ) {
            let r = Reference::from_body(body);
            prop_assert_eq!(Reference::parse(&r.grouped()), Ok(r.clone()));
            prop_assert_eq!(grouped(r.as_str()), r.grouped());
            prop_assert_eq!(r.grouped().replace(' ', ""), r.as_str());
            prop_assert_eq!(r.to_string(), r.as_str());
            let typed = format!(" {} ", sprinkle(r.as_str(), &at, &[" ", "-", "  ", " - "]));
            prop_assert_eq!(Reference::parse(&typed), Ok(r));
        }

        #[test]
        fn any_text_parses_without_panicking_and_only_nine_checked_digits_pass(s in "\\PC{0,24}|[0-9 -]{0,14}") {
            match Reference::parse(&s) {
                Ok(r) => {
                    prop_assert_eq!(r.as_str().len(), REFERENCE_LEN);
                    prop_assert!(r.as_str().bytes().all(|b| b.is_ascii_digit()));
                    prop_assert_eq!(crate::reference::damm_check_digit(r.as_str()), 0);
                }
                Err(_) => prop_assert_eq!(grouped(&s), s.clone(), "a non-reference is shown as it is"),
            }
        }
    }
}

mod phones {
    use super::*;
    use crate::phone::Phone;

    /// A Pakistani mobile's ten national digits, `3XXXXXXXXX`.
    fn national() -> impl Strategy<Value = String> {
        "3[0-9]{9}"
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn every_accepted_way_of_writing_a_mobile_gives_the_same_e164(
            n in national(),
            form in 0usize..6,
            at in proptest::collection::vec(any::<bool>(), 16),
            seps in proptest::sample::select(vec![" ", "-", " - ", "  ", "."]),
            pad in proptest::sample::select(vec!["", " ", "\t", "  "]),
        ) {
            let written = match form {
                0 => format!("0{n}"),
                1 => format!("+92{n}"),
                2 => format!("92{n}"),
                3 => format!("0092{n}"),
                4 => format!("+92 (0){n}"),
                _ => n.clone(),
            };
            let typed = format!("{pad}{}{pad}", sprinkle(&written, &at, &[seps]));
            let p = Phone::parse(&typed);
            prop_assert!(p.is_ok(), "{:?} refused: {:?}", typed, p);
            let p = p.unwrap();
            prop_assert_eq!(p.e164(), format!("+92{n}"));
        }

        #[test]
        fn any_text_parses_without_panicking_and_what_parses_is_a_mobile_in_e164(
            s in "\\PC{0,20}|[0-9+ ()-]{0,20}|\\+?(00)?(92)?0?3[0-9 -]{7,12}",
        ) {
            if let Ok(p) = Phone::parse(&s) {
                let e = p.e164();
                prop_assert_eq!(e.len(), 13, "{}", e);
                prop_assert!(e.starts_with("+923"), "{}", e);
                prop_assert!(e[1..].bytes().all(|b| b.is_ascii_digit()), "{}", e);
                prop_assert!(p.masked().ends_with(&e[11..]));
                let debug = format!("{p:?}");
                prop_assert!(!debug.contains(&e[4..10]));
            }
        }

        #[test]
        fn a_parsed_phone_parses_back_from_its_e164_to_itself(s in "\\+?(00)?(92)?0?3[0-9]{9}|[0-9+ -]{10,16}") {
            if let Ok(p) = Phone::parse(&s) {
                let again = Phone::parse(p.e164());
                prop_assert_eq!(again, Ok(p.clone()));
                // and from the local form a citizen would read back
                let local = format!("0{}", &p.e164()[3..]);
                prop_assert_eq!(Phone::parse(&local), Ok(p));
            }
        }
    }
}

mod geo_lookup {
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
}

mod lifecycle_model {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::citizen::{self, within_window, Policy, Proven, Rating};
    use crate::lang::Lang;
    use crate::lifecycle::{
        decide, understand, ActionForm, ActionInput, ActionWrite, Actor, Refusal,
    };
    use crate::messages::Recipient;
    use crate::phone::Phone;
    use crate::request::ServiceRequest;
    use crate::sla::WorkingHours;
    use crate::status::Status;
    use crate::testing::{reference, request, t0};
    use chrono::{DateTime, Duration, Utc};

    const DISTRICT: &str = "PK713";

    fn cat() -> &'static Catalogue {
        &reference().0
    }

    /// The documented lifecycle (DESIGN.md "Statuses"; the table in `lifecycle/tests.rs`), written
    /// independently of `Action::rule`: for each action name, where it may start and where it ends.
    fn documented(action: &str) -> Option<(&'static [Status], Status)> {
        use Status::*;
        const WORKING: &[Status] = &[Open, Acknowledged, InProgress, Referred];
        Some(match action {
            "acknowledge" => (&[Open, Referred], Acknowledged),
            "start" => (&[Open, Acknowledged, Referred], InProgress),
            "resolve" => (WORKING, Resolved),
            "close_not_fixed" => (WORKING, ClosedNotFixed),
            "not_responsible" => (WORKING, NotResponsible),
            "refer" => (WORKING, Referred),
            "mark_duplicate" => (WORKING, Duplicate),
            "reject" => (
                &[Submitted, Open, Acknowledged, InProgress, Referred],
                Rejected,
            ),
            "reopen" => (&[Resolved, ClosedNotFixed, NotResponsible], Open),
            _ => return None,
        })
    }

    const REOPENABLE: [Status; 3] = [
        Status::Resolved,
        Status::ClosedNotFixed,
        Status::NotResponsible,
    ];

    #[derive(Debug, Clone, Copy)]
    enum Who {
        /// Staff of the department the ticket is with now.
        OwnStaff,
        /// Staff of another department of the district.
        OtherStaff(usize),
        /// The district's coordinator.
        Coordinator,
        /// Another district's coordinator.
        OtherCoordinator,
    }

    #[derive(Debug, Clone, Copy)]
    enum Original {
        Missing,
        OpenOther,
        ClosedOther,
        Itself,
    }

    #[derive(Debug, Clone)]
    enum Move {
        /// A staff or coordinator action through `understand` and `decide`.
        Act(Who, ActionForm, Original),
        /// The reporter reopens (`citizen::reopen`).
        CitizenReopen { reopen_days: i64, reason: String },
        /// The reporter rates (`citizen::rate`); a poor rating reopens within the window.
        CitizenRate { reopen_days: i64, rating: i64 },
    }

    fn text() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            2 => Just(None),
            1 => Just(Some(String::new())),
            1 => Just(Some("  ".to_string())),
            1 => Just(Some("ok".to_string())),
            10 => Just(Some("Valve replaced near the pump".to_string())),
            1 => "[a-z ]{0,8}".prop_map(Some),
        ]
    }

    fn form() -> impl Strategy<Value = ActionForm> {
        let mut names = vec![
            "acknowledge",
            "start",
            "resolve",
            "close_not_fixed",
            "not_responsible",
            "refer",
            "mark_duplicate",
            "reject",
            "reopen",
        ];
        names.extend(["fix_it", "recategorise", ""]);
        let mut departments: Vec<Option<String>> = cat()
            .departments
            .iter()
            .filter(|d| d.district == DISTRICT)
            .map(|d| Some(d.code.clone()))
            .collect();
        departments.extend([Some("wasa-quetta".into()), Some("nowhere".into()), None]);
        let mut templates: Vec<Option<String>> =
            cat().templates.iter().map(|t| Some(t.id.clone())).collect();
        templates.push(Some("no-such-template".into()));
        (
            proptest::sample::select(names),
            text(),
            text(),
            proptest::sample::select(departments),
            prop_oneof![Just(None), Just(Some("123 456 785".to_string()))],
            text(),
            prop_oneof![4 => Just(None), 1 => proptest::sample::select(templates)],
        )
            .prop_map(
                |(action, note, reason, to_department, of, responsible, template)| ActionForm {
                    action: action.to_string(),
                    note,
                    reason,
                    to_department,
                    of,
                    responsible,
                    template,
                },
            )
    }

    fn who() -> impl Strategy<Value = Who> {
        prop_oneof![
            6 => Just(Who::OwnStaff),
            1 => (0usize..16).prop_map(Who::OtherStaff),
            3 => Just(Who::Coordinator),
            1 => Just(Who::OtherCoordinator),
        ]
    }

    fn original() -> impl Strategy<Value = Original> {
        prop_oneof![
            1 => Just(Original::Missing),
            3 => Just(Original::OpenOther),
            1 => Just(Original::ClosedOther),
            1 => Just(Original::Itself),
        ]
    }

    fn a_move() -> impl Strategy<Value = Move> {
        prop_oneof![
            10 => (who(), form(), original()).prop_map(|(w, f, o)| Move::Act(w, f, o)),
            2 => (0i64..21, prop_oneof![Just("Still no water".to_string()), Just(" ".to_string()), "[a-z ]{0,6}"])
                .prop_map(|(reopen_days, reason)| Move::CitizenReopen { reopen_days, reason }),
            2 => (0i64..21, 0i64..7).prop_map(|(reopen_days, rating)| Move::CitizenRate { reopen_days, rating }),
        ]
    }

    /// Minutes to wait before a move: often none, sometimes hours, sometimes weeks.
    fn wait() -> impl Strategy<Value = i64> {
        prop_oneof![
            3 => Just(0i64),
            3 => 1i64..(24 * 60),
            2 => (0i64..30).prop_map(|d| d * 24 * 60),
            1 => (1i64..30).prop_map(|d| d * 24 * 60 - 1),
            1 => (0i64..30).prop_map(|d| d * 24 * 60 + 1),
        ]
    }

    fn actor(who: Who, t: &ServiceRequest) -> Actor {
        let others: Vec<&str> = cat()
            .departments
            .iter()
            .filter(|d| d.district == DISTRICT && Some(d.code.as_str()) != t.department.as_deref())
            .map(|d| d.code.as_str())
            .collect();
        match who {
            Who::OwnStaff => Actor::Staff {
                district: DISTRICT.into(),
                department: t.department.clone().unwrap_or_default(),
            },
            Who::OtherStaff(i) => Actor::Staff {
                district: DISTRICT.into(),
                department: others[i % others.len()].to_string(),
            },
            Who::Coordinator => Actor::Coordinator {
                district: DISTRICT.into(),
            },
            Who::OtherCoordinator => Actor::Coordinator {
                district: "PK226".into(),
            },
        }
    }

    /// What the store does with an accepted write (`store/src/sqlite/tickets.rs`, `write_action`).
    fn apply(t: &mut ServiceRequest, w: &ActionWrite, now: DateTime<Utc>) {
        t.status = w.to;
        if let Some(d) = &w.department {
            t.department = Some(d.clone());
        }
        if let Some(o) = w.duplicate_of {
            t.duplicate_of = Some(o);
        }
        if let Some(r) = w.restart_sla {
            t.ack_due_at = Some(r.ack_due_at);
            t.sla_due_at = Some(r.sla_due_at);
            t.escalation_level = 0;
            t.sla_started_at = Some(now);
            t.acknowledged_at = None;
        } else if matches!(w.to, Status::Acknowledged | Status::InProgress)
            && t.acknowledged_at.is_none()
        {
            t.acknowledged_at = Some(now);
        }
        t.closed_at = (!w.to.is_open()).then_some(now);
        t.updated_at = now;
    }

    /// Checks an accepted write against the documented transitions and the model's status.
    fn check_write(t: &ServiceRequest, w: &ActionWrite, action: &str) -> Result<(), TestCaseError> {
        prop_assert_eq!(w.request_id, t.id);
        prop_assert_eq!(w.from, t.status, "the write's from is the status seen");
        prop_assert!(Status::ALL.contains(&w.to));
        let (from, to) = documented(action).ok_or_else(|| {
            TestCaseError::fail(format!("{action:?} is not an action but was accepted"))
        })?;
        prop_assert!(
            from.contains(&t.status),
            "{} accepted from {}, documented only from {:?}",
            action,
            t.status,
            from
        );
        prop_assert_eq!(w.to, to);
        prop_assert_eq!(w.is_reopen(), !t.status.is_open() && w.to.is_open());
        if let Some(d) = &w.department {
            prop_assert_eq!(
                cat().department(d).map(|d| d.district.as_str()),
                Some(DISTRICT)
            );
        }
        Ok(())
    }

    fn policy<'a>(wh: &'a WorkingHours, reopen_days: i64) -> Policy<'a> {
        Policy {
            catalogue: cat(),
            working_hours: wh,
            reopen_days,
        }
    }

    /// Runs the moves on a ticket and checks every step; returns the statuses it went through.
    fn run(start: Status, moves: &[(i64, Move)]) -> Result<Vec<Status>, TestCaseError> {
        let wh = WorkingHours::default();
        let phone = Phone::parse("03001234567").unwrap();
        let mut t = request(1);
        t.status = start;
        let mut open_other = request(2);
        open_other.status = Status::Acknowledged;
        let mut closed_other = request(3);
        closed_other.status = Status::Resolved;
        closed_other.closed_at = Some(t0());
        let mut now = t0();
        let mut seen = vec![t.status];
        for (minutes, m) in moves {
            now += Duration::minutes(*minutes);
            let before = t.clone();
            match m {
                Move::Act(who, form, original) => {
                    let actor = actor(*who, &t);
                    let recipients = [Recipient::reporter(&t, phone.clone())];
                    let understood = match understand(cat(), form) {
                        Ok(u) => u,
                        Err(e) => {
                            prop_assert!(
                                matches!(
                                    e,
                                    Refusal::Invalid {
                                        field: "action" | "template",
                                        ..
                                    }
                                ),
                                "{e:?}"
                            );
                            continue;
                        }
                    };
                    let input = ActionInput {
                        actor: &actor,
                        username: "someone",
                        ticket: &t,
                        original: match original {
                            Original::Missing => None,
                            Original::OpenOther => Some(&open_other),
                            Original::ClosedOther => Some(&closed_other),
                            Original::Itself => Some(&t),
                        },
                        recipients: &recipients,
                        working_hours: &wh,
                        now,
                    };
                    match decide(cat(), &understood, input) {
                        Ok(w) => {
                            check_write(&t, &w, &form.action)?;
                            prop_assert!(
                                !matches!(who, Who::OtherStaff(_) | Who::OtherCoordinator),
                                "{:?} acted on a ticket outside their scope: {}",
                                who,
                                form.action
                            );
                            prop_assert!(
                                !(form.action == "reject" && matches!(who, Who::OwnStaff)),
                                "staff rejected a ticket"
                            );
                            if form.action == "mark_duplicate" {
                                prop_assert!(matches!(original, Original::OpenOther));
                            }
                            apply(&mut t, &w, now);
                        }
                        Err(_) => {
                            // Refused: nothing changes, and an undocumented move is always refused
                            // (checked by the accepted branch on every other run).
                        }
                    }
                }
                Move::CitizenReopen {
                    reopen_days,
                    reason,
                } => {
                    let p = Proven {
                        reporter: &t,
                        phone: &phone,
                        lang: Lang::En,
                        voice_id: None,
                        ticket: &t,
                    };
                    let reopenable = REOPENABLE.contains(&t.status);
                    let within = t.closed_at.map(|c| within_window(*reopen_days, c, now));
                    let reason_ok = reason.trim().chars().count() >= 3;
                    match citizen::reopen(policy(&wh, *reopen_days), p, reason, now) {
                        Ok(w) => {
                            prop_assert!(reopenable, "a citizen reopened a {} ticket", t.status);
                            prop_assert_eq!(
                                within,
                                Some(true),
                                "reopened {:?} after closing with a window of {} days",
                                t.closed_at.map(|c| now - c),
                                reopen_days
                            );
                            prop_assert_eq!(w.closed_at, t.closed_at, "reopens the closing it saw");
                            prop_assert!(w.restart_sla.is_some());
                            check_write(&t, &w, "reopen")?;
                            apply(&mut t, &w, now);
                        }
                        Err(Refusal::WindowPassed { days }) => {
                            prop_assert_eq!(days, *reopen_days);
                            prop_assert!(reopenable && within == Some(false));
                        }
                        Err(e) => {
                            prop_assert!(
                                !(reopenable && within == Some(true) && reason_ok),
                                "a {} ticket closed {:?} ago could not be reopened within {} days: {:?}",
                                t.status,
                                t.closed_at.map(|c| now - c),
                                reopen_days,
                                e
                            );
                        }
                    }
                }
                Move::CitizenRate {
                    reopen_days,
                    rating,
                } => {
                    let Ok(r) = Rating::new(*rating) else {
                        prop_assert!(!(1..=5).contains(rating));
                        continue;
                    };
                    let p = Proven {
                        reporter: &t,
                        phone: &phone,
                        lang: Lang::En,
                        voice_id: None,
                        ticket: &t,
                    };
                    let within = t.closed_at.map(|c| within_window(*reopen_days, c, now));
                    match citizen::rate(policy(&wh, *reopen_days), p, r, None, "web", now) {
                        Ok(rw) => {
                            prop_assert!(
                                REOPENABLE.contains(&t.status),
                                "rated a {} ticket",
                                t.status
                            );
                            prop_assert_eq!(Some(rw.closed_at), t.closed_at);
                            prop_assert_eq!(
                                rw.reopen.is_some(),
                                r.is_poor() && within == Some(true),
                                "rating {} with the ticket closed {:?} ago, window {} days",
                                rating,
                                t.closed_at.map(|c| now - c),
                                reopen_days
                            );
                            if let Some(w) = &rw.reopen {
                                check_write(&t, w, "reopen")?;
                                apply(&mut t, w, now);
                            }
                        }
                        Err(_) => {
                            prop_assert!(!REOPENABLE.contains(&t.status) || t.closed_at.is_none())
                        }
                    }
                }
            }
            // The model's invariants after every move.
            prop_assert!(Status::ALL.contains(&t.status));
            prop_assert_eq!(
                t.closed_at.is_some(),
                !t.status.is_open(),
                "closed_at iff closed"
            );
            if t.status != before.status {
                prop_assert!(
                    t.status.is_open() || before.status.is_open(),
                    "{} → {}: closed to closed",
                    before.status,
                    t.status
                );
            }
            prop_assert_eq!(
                t.department
                    .as_deref()
                    .and_then(|d| cat().department(d))
                    .map(|d| d.district.as_str()),
                Some(DISTRICT)
            );
            if t.status == Status::Duplicate {
                prop_assert_eq!(t.duplicate_of, Some(open_other.id));
            }
            if t.status != *seen.last().unwrap_or(&t.status) {
                seen.push(t.status);
            }
        }
        Ok(seen)
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn no_sequence_of_staff_coordinator_and_citizen_moves_makes_an_undocumented_transition(
            start in proptest::sample::select(vec![Status::Submitted, Status::Open, Status::Open, Status::Open]),
            moves in proptest::collection::vec((wait(), a_move()), 1..24),
        ) {
            run(start, &moves)?;
        }

        #[test]
        fn a_closing_can_be_reopened_by_the_citizen_exactly_until_the_window_ends(
            closing in proptest::sample::select(vec!["resolve", "close_not_fixed", "not_responsible", "mark_duplicate", "reject"]),
            reopen_days in 0i64..30,
            after_minutes in 0i64..(40 * 24 * 60),
        ) {
            let wh = WorkingHours::default();
            let phone = Phone::parse("03001234567").unwrap();
            let mut t = request(1);
            let coordinator = Actor::Coordinator { district: DISTRICT.into() };
            let mut f = ActionForm { action: closing.into(), ..ActionForm::default() };
            f.note = Some("Valve replaced".into());
            f.reason = Some("No scheme this year".into());
            f.responsible = Some("Irrigation Department".into());
            f.of = Some("123 456 785".into());
            let u = understand(cat(), &f).unwrap();
            let original = request(2);
            let w = decide(cat(), &u, ActionInput {
                actor: &coordinator,
                username: "coordinator",
                ticket: &t,
                original: Some(&original),
                recipients: &[],
                working_hours: &wh,
                now: t0(),
            });
            prop_assert!(w.is_ok(), "{:?}", w);
            apply(&mut t, &w.unwrap(), t0());
            let now = t0() + Duration::minutes(after_minutes);
            let p = Proven { reporter: &t, phone: &phone, lang: Lang::En, voice_id: None, ticket: &t };
            let got = citizen::reopen(policy(&wh, reopen_days), p, "Still leaking", now);
            let reopenable = matches!(closing, "resolve" | "close_not_fixed" | "not_responsible");
            let within = now - t0() <= Duration::days(reopen_days);
            match (reopenable, within) {
                (true, true) => prop_assert!(got.is_ok(), "{:?}", got),
                (true, false) => prop_assert_eq!(got.unwrap_err(), Refusal::WindowPassed { days: reopen_days }),
                (false, _) => prop_assert!(matches!(got, Err(Refusal::Illegal { .. })), "{:?}", got),
            }
        }
    }
}

mod sla_arithmetic {
    use super::*;
    use crate::sla::{acknowledge_by, due_at, WorkingHours};
    use crate::status::Priority;
    use crate::testing::reference;
    use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};

    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// A start time between 2020 and 2036, to the second, sometimes with nanoseconds.
    fn start() -> impl Strategy<Value = DateTime<Utc>> {
        (
            1_577_836_800i64..2_082_758_400,
            prop_oneof![3 => Just(0u32), 1 => 0u32..1_000_000_000],
        )
            .prop_map(|(s, n)| Utc.timestamp_opt(s, n).single().unwrap())
    }

    /// Office hours as `SAHULAT_WORKING_HOURS` writes them, with `min_minutes` or more a day.
    fn working_hours(min_minutes: u32) -> impl Strategy<Value = WorkingHours> {
        (0usize..7, 0usize..7, 0u32..(24 * 60 - min_minutes))
            .prop_flat_map(move |(d0, d1, open)| {
                (Just((d0, d1, open)), (open + min_minutes)..(24 * 60))
            })
            .prop_map(|((d0, d1, open), close)| {
                let s = format!(
                    "{}-{} {:02}:{:02}-{:02}:{:02}",
                    DAYS[d0],
                    DAYS[d1],
                    open / 60,
                    open % 60,
                    close / 60,
                    close % 60
                );
                WorkingHours::parse(&s).unwrap_or_else(|e| panic!("{e}"))
            })
    }

    fn in_hours(wh: &WorkingHours, t: DateTime<Utc>) -> bool {
        let local = t.with_timezone(&wh.offset);
        wh.days[local.weekday().num_days_from_monday() as usize]
            && local.time() >= wh.start
            && local.time() <= wh.end
    }

    fn priority() -> impl Strategy<Value = Priority> {
        proptest::sample::select(Priority::ALL.to_vec())
    }

    /// Realistic offices: at least two hours on at least one day a week; the catalogue's
    /// SLAs are at most 720 hours.
    fn realistic() -> impl Strategy<Value = WorkingHours> {
        prop_oneof![Just(WorkingHours::default()), working_hours(120),]
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn a_due_time_is_never_before_its_start_and_urgent_ones_count_clock_hours(
            wh in realistic(), s in start(), p in priority(), hours in 0u32..=720,
        ) {
            let due = due_at(&wh, s, p, hours);
            prop_assert!(due >= s);
            if p == Priority::Urgent {
                prop_assert_eq!(due, s + Duration::hours(i64::from(hours)));
            }
            let ack = acknowledge_by(&wh, s, p, hours);
            prop_assert!(ack >= s);
            if hours >= 1 {
                prop_assert!(ack <= due, "acknowledge by {} after due {}", ack, due);
            }
        }

        #[test]
        fn more_sla_hours_never_give_an_earlier_due_time(
            wh in realistic(), s in start(), p in priority(), a in 0u32..=720, more in 0u32..=720,
        ) {
            let b = (a + more).min(720);
            prop_assert!(due_at(&wh, s, p, a) <= due_at(&wh, s, p, b));
            prop_assert!(acknowledge_by(&wh, s, p, a) <= acknowledge_by(&wh, s, p, b));
        }

        #[test]
        fn working_hours_arithmetic_lands_inside_working_hours_and_adds_up(
            wh in realistic(), s in start(), a in 0u32..=360, b in 1u32..=360,
        ) {
            let t = wh.add_working_hours(s, a);
            prop_assert!(in_hours(&wh, t), "{} + {}h = {} ({:?})", s, a, t, wh);
            prop_assert!(t >= s);
            // Zero hours from a moment the office is open is that moment. (Open means
            // `start <= time < end` here: the code treats closing time as open for a due time
            // that lands on it but as closed for a start, so 0 hours from 16:00 is 08:00 the
            // next working day. Harmless while no SLA is 0 hours.)
            let local = s.with_timezone(&wh.offset);
            let open_now = wh.days[local.weekday().num_days_from_monday() as usize]
                && local.time() >= wh.start
                && local.time() < wh.end;
            if open_now && a == 0 {
                prop_assert_eq!(t, s);
            }
            // Counting a then b working hours is counting a + b.
            prop_assert_eq!(wh.add_working_hours(t, b), wh.add_working_hours(s, a + b));
        }

        #[test]
        fn every_catalogue_sla_is_met_inside_working_hours_for_every_office_week_the_settings_accept(
            wh in working_hours(1), s in start(),
            (service, p) in (any::<proptest::sample::Index>(), priority()),
            more in 1u32..=48,
        ) {
            let cat = &reference().0;
            let hours = service.get(&cat.services).sla_hours.for_priority(p);
            prop_assume!(p != Priority::Urgent);
            let due = due_at(&wh, s, p, hours);
            prop_assert!(
                in_hours(&wh, due),
                "{} + {} working hours under {:?} = {}, outside working hours", s, hours, wh, due
            );
            let later = due_at(&wh, s, p, hours + more);
            prop_assert!(
                due <= later,
                "{} working hours → {}, but {} → {} (under {:?})", hours, due, hours + more, later, wh
            );
        }
    }

    /// The minimal realistic case the property above finds: an office open one hour a week
    /// (`SAHULAT_WORKING_HOURS="fri-fri 09:00-10:00"`, which `WorkingHours::parse` accepts) and
    /// the catalogue's longest SLA (roads/schools, low priority: 720 hours). The search in
    /// `add_working_hours` gives up after 3,660 days (about 523 such hours) and silently counts
    /// clock hours instead: 720 working hours come out 30 calendar days later, at night, and
    /// *earlier* than 500 working hours do.
    #[test]
    fn an_office_open_one_hour_a_week_still_counts_working_hours_for_the_longest_catalogue_sla() {
        let wh = WorkingHours::parse("fri-fri 09:00-10:00").unwrap();
        let s = crate::testing::t0();
        let shorter = wh.add_working_hours(s, 500);
        let longest = wh.add_working_hours(s, 720);
        assert!(
            in_hours(&wh, longest),
            "{s} + 720 working hours = {longest}, outside fri 09:00-10:00 (+05:00)"
        );
        assert!(
            shorter <= longest,
            "500 working hours → {shorter}, but 720 → {longest}"
        );
    }
}

mod routing_matrix {
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
}

mod ussd_paths {
    use super::*;
    use crate::lang::Lang;
    use crate::messages::sms_segments;
    use crate::reference::Reference;
    use crate::testing::reference;
    use crate::ussd::menu::{Finish, ScreenId};
    use crate::ussd::path::{change, language_of, split, takes_free_text, worth_resuming, Change};
    use crate::ussd::screen::{fits, render, GSM_LIMIT, UCS2_LIMIT};
    use crate::ussd::{walk, Step};

    fn cat() -> &'static crate::catalogue::Catalogue {
        &reference().0
    }

    /// One keypad input, biased towards what moves through the menu.
    fn input() -> impl Strategy<Value = String> {
        prop_oneof![
            12 => (1u32..=6).prop_map(|n| n.to_string()),
            3 => (7u32..=25).prop_map(|n| n.to_string()),
            3 => Just("0".to_string()),
            2 => Just("00".to_string()),
            1 => Just(String::new()),
            1 => "[0-9]{1,12}",
            2 => (10_000_000u32..100_000_000).prop_map(|b| Reference::from_body(b).to_string()),
            1 => "[a-z0-9 .,#-]{1,120}",
            1 => "[ا-ی ]{1,90}",
            1 => "\\PC{1,40}",
        ]
    }

    /// A path starting with a language and usually the report branch.
    fn path() -> impl Strategy<Value = Vec<String>> {
        (
            prop_oneof![8 => (1u32..=4).prop_map(|n| n.to_string()), 1 => input()],
            prop_oneof![4 => Just("1".to_string()), 3 => (2u32..=4).prop_map(|n| n.to_string()), 1 => input()],
            proptest::collection::vec(input(), 0..14),
        )
            .prop_map(|(l, m, rest)| {
                let mut v = vec![l, m];
                v.extend(rest);
                v
            })
    }

    /// The limit check of `ussd/tests.rs`: within the encoding's limit, and GSM-7 in English
    /// and Roman Urdu unless the citizen typed something that is not.
    fn check_screen(path: &[String], step: &Step) -> Result<(), TestCaseError> {
        let Step::Show(s) = step else {
            return Ok(());
        };
        let text = render(s, cat());
        let seg = sms_segments(&text);
        let limit = if seg.gsm7 { GSM_LIMIT } else { UCS2_LIMIT };
        prop_assert!(
            seg.units <= limit,
            "{:?} ({:?}, {:?}) is {} units, over {}:\n{}",
            path,
            s.screen,
            s.answers.lang,
            seg.units,
            limit,
            text
        );
        prop_assert!(fits(&text));
        let typed_gsm = s
            .answers
            .landmark
            .as_deref()
            .is_none_or(|l| sms_segments(l).gsm7);
        if matches!(s.answers.lang, Lang::En | Lang::RomanUrdu)
            && s.screen != ScreenId::Language
            && typed_gsm
        {
            prop_assert!(seg.gsm7, "{:?} should be GSM-7:\n{}", path, text);
        }
        prop_assert!(
            !text.trim().is_empty(),
            "{:?} renders an empty screen",
            path
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn every_screen_a_random_path_leads_to_fits_the_handset_limits(p in path()) {
            // Every prefix too: each is a screen the citizen saw on the way.
            for n in 0..=p.len() {
                let step = walk(&p[..n], cat());
                check_screen(&p[..n], &step)?;
                if !matches!(step, Step::Show(_)) {
                    break;
                }
            }
        }

        #[test]
        fn a_finished_report_carries_a_pilot_district_its_own_tehsil_and_a_service(p in path()) {
            let step = walk(&p, cat());
            prop_assert_eq!(&step, &walk(&p, cat()), "the same path gives the same step");
            if let Step::Done(Finish::Report, a) = step {
                let d = a.district.as_deref().and_then(|d| cat().district(d));
                prop_assert!(d.is_some_and(|d| d.accepts_requests), "{:?}", a);
                let t = a.tehsil.as_deref().and_then(|t| cat().tehsil(t));
                prop_assert_eq!(t.map(|t| &t.district), a.district.as_ref(), "{:?}", a);
                prop_assert!(a.service.as_deref().and_then(|s| cat().service(s)).is_some(), "{:?}", a);
            }
        }

        #[test]
        fn any_gateway_text_of_digits_and_stars_is_walked_without_panicking_within_the_limits(
            text in "[0-9*]{0,80}|([1-4]\\*){0,1}([0-9]{1,2}\\*){0,20}[0-9]{0,9}",
            previous in proptest::option::of("[0-9*]{0,20}"),
        ) {
            let inputs = split(&text);
            let step = walk(&inputs, cat());
            check_screen(&inputs, &step)?;
            let _ = takes_free_text(&inputs, cat());
            let _ = worth_resuming(&inputs, cat());
            let _ = language_of(&inputs, cat());
            match change(previous.as_deref(), &text) {
                Change::Same => prop_assert_eq!(previous.as_deref(), Some(text.as_str())),
                Change::Added(new) => {
                    let prev = previous.clone().unwrap_or_default();
                    prop_assert!(
                        text == new || text == format!("{prev}*{new}"),
                        "{:?} + {:?} ≠ {:?}", prev, new, text
                    );
                }
                Change::Fresh(all) => prop_assert_eq!(all, inputs),
            }
        }

        #[test]
        fn the_confirm_screen_fits_whatever_landmark_is_typed_in_whatever_language(
            lang in 1u32..=4, d in 1u32..=4, t in 1u32..=8, sv in 1u32..=11, q in 1u32..=5,
            landmark in prop_oneof![
                "[a-zA-Z0-9 .,#/-]{1,160}",
                "[ا-ی ]{1,120}",
                "[a-z ]{1,40}[ا-ی]{1,3}[a-z ]{0,40}",
                "\\PC{1,80}",
                "[a-z]{60,160}",
            ],
        ) {
            let mut p: Vec<String> = [lang, 1, d, t, sv].iter().map(|n| n.to_string()).collect();
            if matches!(walk(&p, cat()), Step::Show(ref s) if s.screen == ScreenId::Question) {
                p.push(q.to_string());
            }
            prop_assume!(matches!(walk(&p, cat()), Step::Show(ref s) if s.screen == ScreenId::Landmark));
            p.push(landmark);
            let step = walk(&p, cat());
            prop_assert!(matches!(step, Step::Show(ref s) if s.screen == ScreenId::Confirm), "{:?}", step);
            check_screen(&p, &step)?;
        }

        #[test]
        fn an_overlong_path_ends_the_session_instead_of_walking_it(
            n in (crate::ussd::MAX_INPUTS + 1)..(crate::ussd::MAX_INPUTS + 200),
            item in input(),
        ) {
            let p = vec![item; n];
            prop_assert_eq!(walk(&p, cat()), Step::TooLong);
        }
    }
}
