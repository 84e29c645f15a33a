//! The report form's state between round trips: what the citizen entered (kept when the
//! page comes back with an error, a map or a proposed place), the errors by field, and the
//! page context built from the catalogue in the citizen's language.

use super::map;
use super::page::{days, grouped};
use crate::posted::Posted;
use crate::state::AppState;
use minijinja::context;
use minijinja::value::Value;
use sahulat_domain::i18n::text;
use sahulat_domain::lang::Lang;
use sahulat_domain::request::RequestDraft;
use sahulat_domain::status::{Channel, Status};
use sahulat_domain::FieldErrors;
use std::collections::BTreeMap;

/// Most open reports shown as "already reported nearby".
const NEARBY_SHOWN: usize = 5;

/// What the form holds.
#[derive(Debug, Default)]
pub(crate) struct FormState {
    pub token: String,
    pub service_code: String,
    pub description: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub district: String,
    pub tehsil: String,
    pub address: String,
    pub phone: String,
    pub name: String,
    pub attributes: BTreeMap<String, Vec<String>>,
    pub errors: FieldErrors,
    /// The district whose tap map is shown.
    pub map: Option<String>,
    /// A place read from the photo, proposed to the citizen.
    pub exif: Option<(f64, f64)>,
    /// A photo waits for this form.
    pub photo_kept: bool,
    /// Open reports of the same service nearby (None: not looked for).
    pub nearby: Option<Vec<Value>>,
}

fn coordinate(posted: &Posted, name: &str, errors: &mut FieldErrors, lang: Lang) -> Option<f64> {
    let raw = posted.get(name)?;
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            let (id, field) = if name == "lat" {
                ("err-lat-range", "lat")
            } else {
                ("err-lon-range", "long")
            };
            errors.insert(
                field.into(),
                text(lang, id, &[("value", format!("{raw:?}"))]),
            );
            None
        }
    }
}

impl FormState {
    /// An empty form with its token.
    pub fn new(token: String) -> FormState {
        FormState {
            token,
            ..Default::default()
        }
    }

    /// The values a post carried.
    pub fn from_posted(posted: &Posted, token: &str, lang: Lang) -> FormState {
        let text = |n: &str| posted.get(n).unwrap_or("").to_string();
        let mut errors = FieldErrors::new();
        let lat = coordinate(posted, "lat", &mut errors, lang);
        let lon = coordinate(posted, "lon", &mut errors, lang);
        let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in &posted.fields {
            if let Some(code) = k
                .strip_prefix("attribute[")
                .and_then(|c| c.strip_suffix(']'))
            {
                let v = v.trim();
                if !v.is_empty() {
                    // A datetime-local input sends `2026-11-26T09:30` (the phone's local time,
                    // Pakistan's): the API takes RFC 3339 with its offset.
                    let local = v.len() == 16 && v.as_bytes().get(10) == Some(&b'T');
                    let v = if local {
                        format!("{v}:00+05:00")
                    } else {
                        v.to_string()
                    };
                    attributes.entry(code.to_string()).or_default().push(v);
                }
            }
        }
        FormState {
            token: token.to_string(),
            service_code: text("service_code"),
            description: text("description"),
            lat,
            lon,
            district: text("district"),
            tehsil: text("tehsil"),
            address: text("address"),
            phone: text("phone"),
            name: text("name"),
            attributes,
            errors,
            ..Default::default()
        }
    }

    /// Whether the citizen gave any location (a point, a tehsil or a district).
    pub fn has_location(&self) -> bool {
        self.lat.is_some() || !self.tehsil.is_empty() || !self.district.is_empty()
    }

    /// The district the citizen chose, directly or through the tehsil.
    pub fn chosen_district(&self, st: &AppState) -> Option<String> {
        if !self.district.is_empty() {
            return st
                .catalogue
                .find_district(&self.district)
                .map(|d| d.code.clone());
        }
        st.catalogue
            .tehsil(&self.tehsil)
            .map(|t| t.district.clone())
    }

    /// The draft the domain validates (the same rules as the API).
    pub fn draft(&self, lang: Lang) -> RequestDraft {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        // A point wins over a chosen tehsil (the tehsil then only helped to find the map).
        let (tehsil, district) = if self.lat.is_some() {
            (None, None)
        } else {
            (opt(&self.tehsil), opt(&self.district))
        };
        RequestDraft {
            service_code: opt(&self.service_code),
            description: opt(&self.description),
            lat: self.lat,
            lon: self.lon,
            address: opt(&self.address),
            district,
            tehsil,
            phone: opt(&self.phone),
            name: opt(&self.name),
            email: None,
            language: Some(lang.code().to_string()),
            attributes: self.attributes.clone(),
            media_url: None,
            channel: Some(Channel::Web),
        }
    }

    /// Looks for open reports of the chosen service near the chosen point.
    pub async fn look_nearby(&mut self, st: &AppState, lang: Lang) {
        if let (Some(lat), Some(lon), false) = (self.lat, self.lon, self.service_code.is_empty()) {
            self.nearby = Some(nearby(st, &self.service_code, lat, lon, lang).await);
        }
    }

    /// The page context.
    pub fn context(&self, st: &AppState, lang: Lang) -> Value {
        let cat = &st.catalogue;
        let services: Vec<Value> = cat
            .services
            .iter()
            .map(|s| {
                let questions: Vec<Value> = s
                    .attributes
                    .iter()
                    .map(|a| {
                        let chosen = self.attributes.get(&a.code).cloned().unwrap_or_default();
                        context! {
                            code => a.code.clone(),
                            label => a.description.get(lang),
                            datatype => a.datatype.as_str(),
                            required => a.required,
                            values => a.values.iter().map(|v| (v.key.clone(), v.name.get(lang).to_string())).collect::<Vec<_>>(),
                            value => chosen.first().cloned().unwrap_or_default(),
                            chosen => chosen,
                        }
                    })
                    .collect();
                context! {
                    code => s.code.clone(), name => s.names.get(lang), hint => s.descriptions.get(lang),
                    questions => questions,
                }
            })
            .collect();
        let districts: Vec<Value> = cat
            .served_districts()
            .into_iter()
            .map(|d| {
                context! {
                    code => d.code.clone(),
                    name => d.names.get(lang),
                    tehsils => cat.tehsils.iter().filter(|t| t.district == d.code)
                        .map(|t| (t.code.clone(), t.names.get(lang).to_string())).collect::<Vec<_>>(),
                }
            })
            .collect();
        let place = |lat: f64, lon: f64| {
            st.geo
                .locate(lat, lon)
                .map(|p| {
                    p.tehsil
                        .as_deref()
                        .and_then(|t| cat.tehsil(t))
                        .map(|t| t.names.get(lang).to_string())
                        .or_else(|| {
                            cat.district(&p.district)
                                .map(|d| d.names.get(lang).to_string())
                        })
                        .unwrap_or_default()
                })
                .unwrap_or_default()
        };
        let point = match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => Some(context! {
                lat => format!("{lat:.5}"), lon => format!("{lon:.5}"), place => place(lat, lon),
            }),
            _ => None,
        };
        let map = self.map.as_ref().and_then(|d| {
            let p = map::projection(&st.geo, d)?;
            Some(context! {
                district => d.clone(),
                src => format!("/report/map/{d}.svg?lang={}", lang.code()),
                width => map::WIDTH,
                height => p.height,
                name => cat.district(d).map(|x| x.names.get(lang).to_string()).unwrap_or_default(),
            })
        });
        let exif = self.exif.map(|(lat, lon)| {
            context! { lat => format!("{lat:.5}"), lon => format!("{lon:.5}"), place => place(lat, lon) }
        });
        context! {
            form_token => self.token.clone(),
            services => services,
            districts => districts,
            v => context! {
                service_code => self.service_code.clone(), description => self.description.clone(),
                lat => self.lat.map(|v| format!("{v:.6}")).unwrap_or_default(),
                lon => self.lon.map(|v| format!("{v:.6}")).unwrap_or_default(),
                district => self.chosen_district(st).unwrap_or_default(), tehsil => self.tehsil.clone(),
                address => self.address.clone(), phone => self.phone.clone(), name => self.name.clone(),
            },
            errors => self.errors.clone(),
            point => point,
            map => map,
            exif => exif,
            photo_kept => self.photo_kept,
            nearby => self.nearby.clone(),
            tiles => st.settings.tile_url.clone(),
        }
    }
}

/// Open reports of `service` within the duplicate radius of the point, newest first, as the
/// public may see them.
pub(crate) async fn nearby(
    st: &AppState,
    service: &str,
    lat: f64,
    lon: f64,
    lang: Lang,
) -> Vec<Value> {
    let now = st.clock.now();
    let since = now - st.settings.duplicate_window;
    let found = match st
        .store
        .nearby_open(service, lat, lon, st.settings.duplicate_radius_m, since, 0)
        .await
    {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "nearby search failed");
            return Vec::new();
        }
    };
    found
        .iter()
        .rev()
        .filter(|r| r.status != Status::Submitted || r.public_text().is_some())
        .take(NEARBY_SHOWN)
        .map(|r| {
            context! {
                reference => r.reference.clone(),
                grouped => grouped(&r.reference),
                status => text(lang, &format!("status-{}", r.status.as_str()), &[]),
                days => days(r.created_at, now),
                description => r.public_text().map(|d| d.chars().take(200).collect::<String>())
                    .unwrap_or_else(|| text(lang, "web-description-hidden", &[])),
            }
        })
        .collect()
}
