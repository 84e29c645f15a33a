//! Reference data: provinces, districts, tehsils, the service catalogue, departments and the
//! routing matrix, as read from `fixtures/`. The loaded `Catalogue` answers the lookups that
//! validation needs without touching the database.

use crate::geo::GeoIndex;
use crate::i18n::text;
use crate::lang::{Lang, Localized};
use crate::status::Priority;
use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// An Open311 attribute datatype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datatype {
    /// One line of text.
    String,
    /// A number.
    Number,
    /// An ISO 8601 date-time.
    Datetime,
    /// Free text.
    Text,
    /// One key from `values`.
    Singlevaluelist,
    /// Several keys from `values`.
    Multivaluelist,
}

impl Datatype {
    /// The Open311 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Number => "number",
            Datatype::Datetime => "datetime",
            Datatype::Text => "text",
            Datatype::Singlevaluelist => "singlevaluelist",
            Datatype::Multivaluelist => "multivaluelist",
        }
    }
}

/// One choice of a list attribute.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttributeValue {
    /// The value sent by clients.
    pub key: String,
    /// What a person reads.
    pub name: Localized,
}

/// A per-service question (Open311 attribute).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceAttribute {
    /// Attribute code, used as `attribute[CODE]`.
    pub code: String,
    /// Open311 datatype.
    pub datatype: Datatype,
    /// Whether a request must answer it.
    pub required: bool,
    /// Display order.
    pub order: u32,
    /// The question.
    pub description: Localized,
    /// Choices for list types.
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

/// SDG targets and indicators a service contributes evidence to.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Sdg {
    /// Targets, e.g. `6.1`.
    pub targets: Vec<String>,
    /// Indicators, e.g. `6.1.1`.
    pub indicators: Vec<String>,
}

/// Hours allowed to resolve, by priority.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SlaHours {
    /// Low priority.
    pub low: u32,
    /// Normal priority.
    pub normal: u32,
    /// High priority.
    pub high: u32,
    /// Urgent.
    pub urgent: u32,
}

impl SlaHours {
    /// Hours for `priority`.
    pub fn for_priority(&self, priority: Priority) -> u32 {
        match priority {
            Priority::Low => self.low,
            Priority::Normal => self.normal,
            Priority::High => self.high,
            Priority::Urgent => self.urgent,
        }
    }
}

/// A service (request category).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Service {
    /// Stable code, e.g. `water-supply`.
    pub code: String,
    /// Open311 group code.
    pub group: String,
    /// Group name per language.
    pub group_names: Localized,
    /// Name per language.
    pub names: Localized,
    /// Description per language.
    pub descriptions: Localized,
    /// Open311 keywords.
    pub keywords: Vec<String>,
    /// SDG mapping.
    pub sdg: Sdg,
    /// Priority before triage looks at the text.
    pub default_priority: Priority,
    /// SLA hours by priority.
    pub sla_hours: SlaHours,
    /// Per-service questions.
    pub attributes: Vec<ServiceAttribute>,
}

/// A province.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Province {
    /// P-code, e.g. `PK2`.
    pub code: String,
    /// Names.
    pub names: Localized,
}

/// A district of Sindh or Balochistan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct District {
    /// P-code, e.g. `PK226`.
    pub code: String,
    /// Province P-code.
    pub province: String,
    /// Names.
    pub names: Localized,
    /// One of the four pilot districts.
    pub is_pilot: bool,
    /// Whether new requests are accepted here (the pilot districts by default).
    pub accepts_requests: bool,
}

/// A tehsil/taluka of a pilot district.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tehsil {
    /// Code: the COD-AB P-code, or `DISTRICT-NAME` where COD-AB has none.
    pub code: String,
    /// District P-code.
    pub district: String,
    /// Names.
    pub names: Localized,
    /// COD-AB P-code if one exists.
    pub pcode: Option<String>,
}

/// A body that resolves requests in one district.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Department {
    /// Slug code, e.g. `wasa-quetta`.
    pub code: String,
    /// District P-code.
    pub district: String,
    /// Names.
    pub names: Localized,
    /// Kind (water_utility, municipal, electricity, …).
    pub kind: String,
    /// The district coordinator's desk, which receives whatever cannot be routed.
    #[serde(default)]
    pub coordinator: bool,
    /// Free notes (e.g. why a fact is uncertain).
    #[serde(default)]
    pub notes: String,
    /// Whether the fixture's facts still need confirming.
    #[serde(default)]
    pub uncertain: bool,
}

/// One row of the routing matrix.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoutingRule {
    /// District P-code.
    pub district: String,
    /// Tehsil code, or `None` for the whole district.
    pub tehsil: Option<String>,
    /// Service code.
    pub service: String,
    /// Department code.
    pub department: String,
    /// Why (and how sure).
    pub note: String,
}

/// All reference data, plus the indices validation needs.
#[derive(Debug)]
pub struct Catalogue {
    /// Provinces.
    pub provinces: Vec<Province>,
    /// Districts (all 64).
    pub districts: Vec<District>,
    /// Tehsils of the pilot districts.
    pub tehsils: Vec<Tehsil>,
    /// Services in catalogue order.
    pub services: Vec<Service>,
    /// Departments.
    pub departments: Vec<Department>,
    /// Routing matrix.
    pub routing: Vec<RoutingRule>,
    /// Response templates (`response_templates.json`; empty when the file is absent).
    pub templates: Vec<crate::templates::ResponseTemplate>,
    service_index: HashMap<String, usize>,
    district_index: HashMap<String, usize>,
    tehsil_index: HashMap<String, usize>,
}

/// The districts Sahulat serves from the start.
pub const PILOT_DISTRICTS: [&str; 4] = ["PK226", "PK211", "PK713", "PK717"];

#[derive(Deserialize)]
struct RoutingRow {
    district: String,
    tehsil: String,
    service: String,
    department: String,
    #[serde(default)]
    note: String,
}

/// The texts of the reference-data files in `fixtures/`, read by the store's loader (the
/// domain itself reads no files).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `boundaries/sindh_balochistan_districts.geojson`.
    pub districts_geojson: String,
    /// `boundaries/pilot_tehsils.geojson`.
    pub tehsils_geojson: String,
    /// `place_names.csv` (Urdu and Sindhi names).
    pub place_names_csv: String,
    /// `services.json`.
    pub services_json: String,
    /// `departments.json`.
    pub departments_json: String,
    /// `routing.csv`.
    pub routing_csv: String,
    /// `response_templates.json`, if present.
    pub templates_json: Option<String>,
}

impl Catalogue {
    /// Builds the catalogue and the boundary index from the fixtures' texts and checks that
    /// every cross-reference resolves, so a bad edit fails at start-up, loudly.
    pub fn parse(src: &Sources) -> anyhow::Result<(Catalogue, GeoIndex)> {
        let geo = GeoIndex::parse(&src.districts_geojson, &src.tehsils_geojson)?;
        let names = read_place_names(&src.place_names_csv)?;
        let localized = |code: &str, en: &str| -> Localized {
            names.get(code).cloned().unwrap_or_else(|| Localized {
                en: en.to_string(),
                ur: String::new(),
                sd: String::new(),
            })
        };
        let provinces = geo
            .provinces()
            .iter()
            .map(|(code, name)| Province {
                code: code.clone(),
                names: localized(code, name),
            })
            .collect();
        let districts = geo
            .districts()
            .map(|a| {
                let pilot = PILOT_DISTRICTS.contains(&a.code.as_str());
                District {
                    code: a.code.clone(),
                    province: a.parent.clone(),
                    names: localized(&a.code, &a.name),
                    is_pilot: pilot,
                    accepts_requests: pilot,
                }
            })
            .collect();
        let tehsils = geo
            .tehsils()
            .map(|a| Tehsil {
                code: a.code.clone(),
                district: a.parent.clone(),
                names: localized(&a.code, &a.name),
                pcode: a.pcode.clone(),
            })
            .collect();
        let services: Vec<Service> = read_json("services.json", &src.services_json)?;
        let departments: Vec<Department> = read_json("departments.json", &src.departments_json)?;
        let routing = read_routing(&src.routing_csv)?;
        let mut cat = Catalogue::new(
            provinces,
            districts,
            tehsils,
            services,
            departments,
            routing,
        )?;
        let codes = cat.services.iter().map(|s| s.code.as_str()).collect();
        if let Some(text) = &src.templates_json {
            cat.templates = crate::templates::parse(text, &codes)?;
        }
        Ok((cat, geo))
    }

    /// Builds the indices and checks cross-references.
    pub fn new(
        provinces: Vec<Province>,
        districts: Vec<District>,
        tehsils: Vec<Tehsil>,
        services: Vec<Service>,
        departments: Vec<Department>,
        routing: Vec<RoutingRule>,
    ) -> anyhow::Result<Catalogue> {
        let index = |codes: Vec<&String>| -> HashMap<String, usize> {
            codes
                .into_iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), i))
                .collect()
        };
        let cat = Catalogue {
            service_index: index(services.iter().map(|s| &s.code).collect()),
            district_index: index(districts.iter().map(|d| &d.code).collect()),
            tehsil_index: index(tehsils.iter().map(|t| &t.code).collect()),
            provinces,
            districts,
            tehsils,
            services,
            departments,
            routing,
            templates: Vec::new(),
        };
        cat.check()?;
        Ok(cat)
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.service_index.len() != self.services.len() {
            bail!("services.json: a service code appears twice");
        }
        for sv in &self.services {
            check_short_name(sv)?;
        }
        let dept_codes: HashMap<&str, &Department> = self
            .departments
            .iter()
            .map(|d| (d.code.as_str(), d))
            .collect();
        for d in &self.departments {
            if self.district(&d.district).is_none() {
                bail!(
                    "departments.json: {} names unknown district {}",
                    d.code,
                    d.district
                );
            }
        }
        for r in &self.routing {
            let dept = dept_codes
                .get(r.department.as_str())
                .ok_or_else(|| anyhow!("routing.csv: unknown department {}", r.department))?;
            if dept.district != r.district {
                bail!(
                    "routing.csv: department {} is in {}, not {}",
                    r.department,
                    dept.district,
                    r.district
                );
            }
            if self.service(&r.service).is_none() {
                bail!("routing.csv: unknown service {}", r.service);
            }
            if let Some(t) = &r.tehsil {
                match self.tehsil(t) {
                    Some(t) if t.district == r.district => {}
                    _ => bail!("routing.csv: tehsil {t} is not in district {}", r.district),
                }
            }
        }
        Ok(())
    }

    /// A service by code.
    pub fn service(&self, code: &str) -> Option<&Service> {
        self.service_index.get(code).map(|&i| &self.services[i])
    }
    /// A district by P-code.
    pub fn district(&self, code: &str) -> Option<&District> {
        self.district_index.get(code).map(|&i| &self.districts[i])
    }
    /// A tehsil by code.
    pub fn tehsil(&self, code: &str) -> Option<&Tehsil> {
        self.tehsil_index.get(code).map(|&i| &self.tehsils[i])
    }
    /// A district by P-code or by English name (case-insensitive).
    pub fn find_district(&self, key: &str) -> Option<&District> {
        self.district(key).or_else(|| {
            self.districts
                .iter()
                .find(|d| d.names.en.eq_ignore_ascii_case(key.trim()))
        })
    }
    /// The districts that accept requests, for messages.
    pub fn served_districts(&self) -> Vec<&District> {
        self.districts
            .iter()
            .filter(|d| d.accepts_requests)
            .collect()
    }
    /// "Quetta, Kech, Larkana and Naushahro Feroze".
    pub fn served_names(&self) -> String {
        let names: Vec<&str> = PILOT_DISTRICTS
            .iter()
            .filter_map(|c| self.district(c))
            .filter(|d| d.accepts_requests)
            .map(|d| d.names.en.as_str())
            .collect();
        match names.split_last() {
            None => String::new(),
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }
    /// The served districts' names in `lang`, joined as a list ("A, B, C and D").
    pub fn served_names_in(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.served_names();
        }
        let names: Vec<&str> = PILOT_DISTRICTS
            .iter()
            .filter_map(|c| self.district(c))
            .filter(|d| d.accepts_requests)
            .map(|d| d.names.get(lang))
            .collect();
        match names.split_last() {
            None => String::new(),
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => text(
                lang,
                "list-and",
                &[("rest", rest.join("، ")), ("last", last.to_string())],
            ),
        }
    }
    /// A department by code.
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }
    /// Service codes, comma-separated, for messages.
    pub fn service_codes(&self) -> String {
        self.services
            .iter()
            .map(|s| s.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn read_json<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> anyhow::Result<T> {
    serde_json::from_str(text).with_context(|| format!("parsing {name}"))
}

fn read_routing(text: &str) -> anyhow::Result<Vec<RoutingRule>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (n, row) in reader.deserialize::<RoutingRow>().enumerate() {
        let row = row.with_context(|| format!("routing.csv row {}", n + 2))?;
        if row.district.is_empty() || row.service.is_empty() || row.department.is_empty() {
            bail!(
                "routing.csv row {}: district, service and department are required",
                n + 2
            );
        }
        out.push(RoutingRule {
            district: row.district,
            tehsil: (!row.tehsil.is_empty()).then_some(row.tehsil),
            service: row.service,
            department: row.department,
            note: row.note,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct PlaceNameRow {
    code: String,
    name_en: String,
    name_ur: String,
    name_sd: String,
}

fn read_place_names(text: &str) -> anyhow::Result<BTreeMap<String, Localized>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = BTreeMap::new();
    for row in reader.deserialize::<PlaceNameRow>() {
        let row = row.context("parsing place_names.csv")?;
        out.insert(
            row.code,
            Localized {
                en: row.name_en,
                ur: row.name_ur,
                sd: row.name_sd,
            },
        );
    }
    Ok(out)
}

/// Longest service name, in characters, in any language: a USSD list line and an SMS carry it
/// (FIXTURES.md).
pub const MAX_SERVICE_NAME_CHARS: usize = 22;

/// Refuses a service whose name is longer than a keypad phone's menu line allows.
fn check_short_name(sv: &Service) -> anyhow::Result<()> {
    for (lang, name) in [
        ("en", &sv.names.en),
        ("ur", &sv.names.ur),
        ("sd", &sv.names.sd),
    ] {
        let n = name.chars().count();
        if n > MAX_SERVICE_NAME_CHARS {
            bail!(
                "services.json: the {lang} name of {} is {n} characters ({name:?}); USSD menus and SMS need {MAX_SERVICE_NAME_CHARS} or fewer",
                sv.code
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_name_too_long_for_a_keypad_menu_is_refused_naming_the_service_and_language() {
        let mut sv = crate::testing::reference().0.services[0].clone();
        assert!(check_short_name(&sv).is_ok());
        sv.names.ur = "پانی کی فراہمی کئی دنوں سے مکمل طور پر بند".into();
        let e = check_short_name(&sv).unwrap_err().to_string();
        assert!(
            e.contains("ur name of water-supply") && e.contains("22 or fewer"),
            "{e}"
        );
    }
}
