//! Service requests: statuses, priorities, channels, and the validation that turns what a
//! client sent (a `RequestDraft`) into a `NewServiceRequest` the store may write.

use crate::catalogue::Catalogue;
use crate::error::{Error, FieldErrors, Result};
use crate::geo::GeoIndex;
use crate::i18n::text;
use crate::lang::{Lang, ACCEPTED_LANGS};
use crate::phone::Phone;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::status::{Channel, Priority, Status};
use std::collections::BTreeMap;

/// Longest description accepted, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
/// Shortest description accepted where one is required.
pub const MIN_DESCRIPTION_CHARS: usize = 3;

/// A client's request as received, before any checks.
#[derive(Debug, Clone, Default)]
pub struct RequestDraft {
    /// Service code.
    pub service_code: Option<String>,
    /// What is wrong.
    pub description: Option<String>,
    /// Latitude (WGS84).
    pub lat: Option<f64>,
    /// Longitude (WGS84).
    pub lon: Option<f64>,
    /// Address or landmark text.
    pub address: Option<String>,
    /// District chosen explicitly (P-code or English name), when there is no point.
    pub district: Option<String>,
    /// Tehsil chosen explicitly (code), when there is no point.
    pub tehsil: Option<String>,
    /// Citizen's phone number, any common Pakistani form.
    pub phone: Option<String>,
    /// Citizen's name.
    pub name: Option<String>,
    /// Citizen's e-mail.
    pub email: Option<String>,
    /// Language code.
    pub language: Option<String>,
    /// Answers to the service's questions: code → values.
    pub attributes: BTreeMap<String, Vec<String>>,
    /// Photo URL given by an Open311 client.
    pub media_url: Option<String>,
    /// Channel.
    pub channel: Option<Channel>,
}

/// Who reported it: kept apart from the public record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// Normalised mobile number.
    pub phone: Option<Phone>,
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// A validated request, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewServiceRequest {
    /// Service code (exists in the catalogue).
    pub service_code: String,
    /// Trimmed description.
    pub description: String,
    /// Latitude, if the client sent a point.
    pub lat: Option<f64>,
    /// Longitude, if the client sent a point.
    pub lon: Option<f64>,
    /// Address/landmark text.
    pub address: Option<String>,
    /// Province P-code.
    pub province: String,
    /// District P-code (a served district).
    pub district: String,
    /// Tehsil code.
    pub tehsil: Option<String>,
    /// Channel.
    pub channel: Channel,
    /// Language.
    pub language: Lang,
    /// Initial priority (the service default; triage may change it).
    pub priority: Priority,
    /// Answers to service questions, as a JSON object.
    pub attributes: serde_json::Value,
    /// Photo URL.
    pub media_url: Option<String>,
    /// Personal data.
    pub contact: Contact,
}

/// A stored request (public fields only; contact data is read separately by staff).
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRequest {
    /// Internal id.
    pub id: i64,
    /// Public reference (nine digits).
    pub reference: String,
    /// Open311 token.
    pub token: String,
    /// Service code.
    pub service_code: String,
    /// Description.
    pub description: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Address text.
    pub address: Option<String>,
    /// Province code.
    pub province: String,
    /// District code.
    pub district: String,
    /// Tehsil code.
    pub tehsil: Option<String>,
    /// Channel.
    pub channel: Channel,
    /// Language.
    pub language: Lang,
    /// Status.
    pub status: Status,
    /// Priority.
    pub priority: Priority,
    /// Responsible department code, after routing.
    pub department: Option<String>,
    /// When it should be resolved by.
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Reference of the original, if a duplicate.
    pub duplicate_of: Option<i64>,
    /// Answers to service questions.
    pub attributes: serde_json::Value,
    /// Photo URL.
    pub media_url: Option<String>,
    /// Received.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// When the current SLA period began, if a reopen started a new one (else `created_at`).
    pub sla_started_at: Option<DateTime<Utc>>,
    /// People who reported this problem (1 + linked duplicates).
    pub reporters: i32,
    /// Times escalated for being overdue.
    pub escalation_level: i32,
    /// When a department should have acknowledged it.
    pub ack_due_at: Option<DateTime<Utc>>,
    /// When a department acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Triage flags for the coordinator.
    pub triage_flags: Vec<String>,
    /// The service the reporter chose, when triage assigned another.
    pub filed_service_code: Option<String>,
    /// A coordinator hid the description from the public (it names a private person).
    pub description_hidden: bool,
}

impl ServiceRequest {
    /// Whether the public may read its description, address and exact place: not when it
    /// was rejected as spam or abuse; the description not when a coordinator hid it.
    pub fn public_text(&self) -> Option<&str> {
        (self.status != Status::Rejected && !self.description_hidden)
            .then_some(self.description.as_str())
    }
}

/// One public step in a request's history (Open311 servicerequestupdates).
#[derive(Debug, Clone, Serialize)]
pub struct RequestUpdate {
    /// Update id.
    pub id: i64,
    /// The request's reference.
    pub reference: String,
    /// Status after the update.
    pub status: Status,
    /// What happened, for the citizen (English, or the staff member's own words).
    pub description: String,
    /// The same as a catalogue message, for other languages (system entries).
    pub message: Option<crate::effects::Message>,
    /// The report's language (the default language to show it in).
    pub language: Lang,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Drops Unicode bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
/// other invisible formatting that could make a text read differently than it is stored
/// (the pages set the direction themselves).
pub fn without_bidi_controls(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'))
        .collect()
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl RequestDraft {
    /// Checks every field and collects *all* problems, so a client fixes them in one go
    /// (messages in English, for API clients).
    pub fn validate(&self, cat: &Catalogue, geo: &GeoIndex) -> Result<NewServiceRequest> {
        self.validate_in(cat, geo, Lang::En)
    }

    /// The same checks, with every message in `lang` (the citizen pages).
    pub fn validate_in(
        &self,
        cat: &Catalogue,
        geo: &GeoIndex,
        lang: Lang,
    ) -> Result<NewServiceRequest> {
        let mut errors = FieldErrors::new();
        let msg = |id: &str, args: &[(&str, String)]| text(lang, id, args);
        let channel = self.channel.unwrap_or(Channel::Api);

        let service = match clean(&self.service_code) {
            None => {
                errors.insert(
                    "service_code".into(),
                    msg("err-service-required", &[("codes", cat.service_codes())]),
                );
                None
            }
            Some(code) => match cat.service(&code) {
                Some(s) => Some(s),
                None => {
                    errors.insert(
                        "service_code".into(),
                        msg(
                            "err-service-unknown",
                            &[
                                ("code", format!("{code:?}")),
                                ("codes", cat.service_codes()),
                            ],
                        ),
                    );
                    None
                }
            },
        };

        let description = without_bidi_controls(self.description.as_deref().unwrap_or(""))
            .trim()
            .to_string();
        let chars = description.chars().count();
        let required = channel != Channel::Open311;
        if chars > MAX_DESCRIPTION_CHARS {
            errors.insert(
                "description".into(),
                msg(
                    "err-description-long",
                    &[
                        ("chars", chars.to_string()),
                        ("max", MAX_DESCRIPTION_CHARS.to_string()),
                    ],
                ),
            );
        } else if required && chars < MIN_DESCRIPTION_CHARS {
            errors.insert(
                "description".into(),
                msg(
                    "err-description-required",
                    &[
                        ("min", MIN_DESCRIPTION_CHARS.to_string()),
                        ("max", MAX_DESCRIPTION_CHARS.to_string()),
                    ],
                ),
            );
        }

        let language = match clean(&self.language) {
            None => Lang::En,
            Some(l) => Lang::parse(&l).unwrap_or_else(|| {
                errors.insert(
                    "language".into(),
                    msg(
                        "err-language",
                        &[
                            ("code", format!("{l:?}")),
                            ("accepted", ACCEPTED_LANGS.into()),
                        ],
                    ),
                );
                Lang::En
            }),
        };

        let place = self.place(cat, geo, lang, &mut errors);

        let contact = Contact {
            phone: clean(&self.phone).and_then(|p| {
                Phone::parse(&p)
                    .map_err(|e| errors.insert("phone".into(), e.message(lang)))
                    .ok()
            }),
            name: clean(&self.name).map(|n| without_bidi_controls(&n).chars().take(200).collect()),
            email: clean(&self.email).and_then(|e| {
                if e.len() <= 254 && e.contains('@') && !e.contains(char::is_whitespace) {
                    Some(e)
                } else {
                    errors.insert("email".into(), msg("err-email", &[]));
                    None
                }
            }),
        };

        let media_url = clean(&self.media_url).and_then(|u| {
            if (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2000 {
                Some(u)
            } else {
                errors.insert("media_url".into(), msg("err-media-url", &[]));
                None
            }
        });
        let address =
            clean(&self.address).map(|a| without_bidi_controls(&a).chars().take(500).collect());

        let attributes = match service {
            Some(s) => crate::questions::check(s, &self.attributes, lang, &mut errors),
            None => serde_json::Value::Object(Default::default()),
        };

        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let (service, (lat, lon, province, district, tehsil)) = match (service, place) {
            (Some(s), Some(p)) => (s, p),
            _ => {
                return Err(Error::Internal(anyhow::anyhow!(
                    "validation passed without a service or place"
                )))
            }
        };
        Ok(NewServiceRequest {
            service_code: service.code.clone(),
            description,
            lat,
            lon,
            address,
            province,
            district,
            tehsil,
            channel,
            language,
            priority: service.default_priority,
            attributes,
            media_url,
            contact,
        })
    }

    #[allow(clippy::type_complexity)]
    fn place(
        &self,
        cat: &Catalogue,
        geo: &GeoIndex,
        lang: Lang,
        errors: &mut FieldErrors,
    ) -> Option<(Option<f64>, Option<f64>, String, String, Option<String>)> {
        let msg = |id: &str, args: &[(&str, String)]| text(lang, id, args);
        let served = || cat.served_names_in(lang);
        match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => {
                let mut ok = true;
                if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
                    errors.insert(
                        "lat".into(),
                        msg("err-lat-range", &[("value", lat.to_string())]),
                    );
                    ok = false;
                }
                if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
                    errors.insert(
                        "long".into(),
                        msg("err-lon-range", &[("value", lon.to_string())]),
                    );
                    ok = false;
                }
                if !ok {
                    return None;
                }
                match geo.locate(lat, lon) {
                    Some(p) => {
                        let d = cat.district(&p.district)?;
                        if d.accepts_requests {
                            Some((Some(lat), Some(lon), p.province, p.district, p.tehsil))
                        } else {
                            errors.insert(
                                "lat".into(),
                                msg(
                                    "err-point-not-served",
                                    &[
                                        ("district", d.names.get(lang).to_string()),
                                        ("served", served()),
                                    ],
                                ),
                            );
                            None
                        }
                    }
                    None => {
                        let text = match geo.nearest_district(lat, lon) {
                            Some((a, km)) => msg(
                                "err-point-outside-near",
                                &[
                                    (
                                        "district",
                                        cat.district(&a.code)
                                            .map(|d| d.names.get(lang).to_string())
                                            .unwrap_or_else(|| a.name.clone()),
                                    ),
                                    ("km", format!("{:.0}", km.max(1.0))),
                                    ("served", served()),
                                ],
                            ),
                            None => msg("err-point-outside", &[("served", served())]),
                        };
                        errors.insert("lat".into(), text);
                        None
                    }
                }
            }
            (Some(_), None) | (None, Some(_)) => {
                errors.insert("lat".into(), msg("err-lat-lon-pair", &[]));
                None
            }
            (None, None) => self.chosen_place(cat, lang, errors),
        }
    }

    #[allow(clippy::type_complexity)]
    fn chosen_place(
        &self,
        cat: &Catalogue,
        lang: Lang,
        errors: &mut FieldErrors,
    ) -> Option<(Option<f64>, Option<f64>, String, String, Option<String>)> {
        let msg = |id: &str, args: &[(&str, String)]| text(lang, id, args);
        let served = || cat.served_names_in(lang);
        let tehsil = clean(&self.tehsil);
        let district = clean(&self.district);
        if tehsil.is_none() && district.is_none() {
            errors.insert("lat".into(), msg("err-location-required", &[]));
            return None;
        }
        let tehsil = match tehsil {
            Some(code) => match cat.tehsil(&code) {
                Some(t) => Some(t),
                None => {
                    errors.insert(
                        "tehsil".into(),
                        msg("err-tehsil-unknown", &[("code", format!("{code:?}"))]),
                    );
                    return None;
                }
            },
            None => None,
        };
        let district = match (district, tehsil) {
            (Some(key), t) => match cat.find_district(&key) {
                Some(d) if t.is_some_and(|t| t.district != d.code) => {
                    errors.insert(
                        "tehsil".into(),
                        msg(
                            "err-tehsil-not-in",
                            &[("district", d.names.get(lang).to_string())],
                        ),
                    );
                    return None;
                }
                Some(d) => d,
                None => {
                    errors.insert(
                        "district".into(),
                        msg(
                            "err-district-unknown",
                            &[("code", format!("{key:?}")), ("served", served())],
                        ),
                    );
                    return None;
                }
            },
            (None, Some(t)) => cat.district(&t.district)?,
            (None, None) => return None,
        };
        if !district.accepts_requests {
            errors.insert(
                "district".into(),
                msg(
                    "err-district-not-served",
                    &[
                        ("district", district.names.get(lang).to_string()),
                        ("served", served()),
                    ],
                ),
            );
            return None;
        }
        Some((
            None,
            None,
            district.province.clone(),
            district.code.clone(),
            tehsil.map(|t| t.code.clone()),
        ))
    }
}
