//! Routing: (district, tehsil, service) → department through the routing matrix. A tehsil rule
//! beats a district rule; with neither, the district coordinator's desk gets the request, so no
//! request is ever routed nowhere.

use crate::catalogue::Catalogue;

/// Which rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteRule {
    /// A row for this tehsil.
    Tehsil,
    /// A whole-district row.
    District,
    /// No row: the coordinator's triage desk.
    Coordinator,
}

/// The routing decision and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Department code (None only if the district has no coordinator desk either).
    pub department: Option<String>,
    /// The rule used.
    pub rule: RouteRule,
    /// The routing row's note, if any.
    pub note: String,
}

/// Routes one request.
pub fn route(cat: &Catalogue, district: &str, tehsil: Option<&str>, service: &str) -> Route {
    let rule_for = |t: Option<&str>| {
        cat.routing
            .iter()
            .find(|r| r.district == district && r.service == service && r.tehsil.as_deref() == t)
    };
    if let Some(r) = tehsil.and_then(|t| rule_for(Some(t))) {
        return Route {
            department: Some(r.department.clone()),
            rule: RouteRule::Tehsil,
            note: r.note.clone(),
        };
    }
    if let Some(r) = rule_for(None) {
        return Route {
            department: Some(r.department.clone()),
            rule: RouteRule::District,
            note: r.note.clone(),
        };
    }
    Route {
        department: cat
            .departments
            .iter()
            .find(|d| d.district == district && d.coordinator)
            .map(|d| d.code.clone()),
        rule: RouteRule::Coordinator,
        note: format!("no routing row for {service} in {district}"),
    }
}
