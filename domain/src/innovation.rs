//! Innovative actions: what a pilot tried (a tanker roster, a night crew, a complaint desk),
//! where and from when, so that its effect can be evaluated (`crate::evaluation`). A draft from
//! a form, the API or the CLI is validated here into a `NewInnovativeAction`: the district by
//! P-code or name, tehsils of that district, known services and SDG targets, dates in order.

use crate::catalogue::Catalogue;
use crate::error::{Error, FieldErrors, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// An action as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InnovativeAction {
    /// Id.
    pub id: i64,
    /// What it is called.
    pub title: String,
    /// District P-code.
    pub district: String,
    /// Tehsil codes it covers.
    pub tehsils: Vec<String>,
    /// Services concerned (empty: all).
    pub services: Vec<String>,
    /// SDG targets concerned.
    pub sdg_targets: Vec<String>,
    /// First day (Pakistan).
    pub start: NaiveDate,
    /// Last day, if it ended.
    pub end: Option<NaiveDate>,
    /// What was done.
    pub description: String,
    /// Budget in PKR (`5` or `5.0`).
    #[serde(default, deserialize_with = "crate::wire::optional_whole_number")]
    pub budget_pkr: Option<i64>,
    /// The effect expected, in words.
    pub expected_effect: Option<String>,
    /// Who registered it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// An action as asked for (form, JSON or CLI), not yet checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionDraft {
    /// Title (3–200 characters).
    pub title: Option<String>,
    /// District, by P-code or English name.
    pub district: Option<String>,
    /// Tehsil codes.
    #[serde(default)]
    pub tehsils: Vec<String>,
    /// Service codes.
    #[serde(default)]
    pub services: Vec<String>,
    /// SDG targets (e.g. `6.1`).
    #[serde(default)]
    pub sdg_targets: Vec<String>,
    /// Start, `YYYY-MM-DD`.
    pub start: Option<String>,
    /// End, `YYYY-MM-DD`.
    pub end: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Budget in PKR (`5` or `5.0`).
    #[serde(default, deserialize_with = "crate::wire::optional_whole_number")]
    pub budget_pkr: Option<i64>,
    /// Expected effect.
    pub expected_effect: Option<String>,
}

/// A checked action, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInnovativeAction {
    /// Title.
    pub title: String,
    /// District P-code.
    pub district: String,
    /// Tehsil codes (at least one, all of the district, no repeats).
    pub tehsils: Vec<String>,
    /// Service codes.
    pub services: Vec<String>,
    /// SDG targets.
    pub sdg_targets: Vec<String>,
    /// Start.
    pub start: NaiveDate,
    /// End.
    pub end: Option<NaiveDate>,
    /// Description.
    pub description: String,
    /// Budget.
    pub budget_pkr: Option<i64>,
    /// Expected effect.
    pub expected_effect: Option<String>,
}

fn date(field: &str, v: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
    if d.is_none() {
        errors.insert(
            field.into(),
            format!("{v:?} is not a date; accepted: YYYY-MM-DD"),
        );
    }
    d
}

impl ActionDraft {
    /// Checks every field against the catalogue; all problems at once, by field.
    pub fn validate(&self, cat: &Catalogue) -> Result<NewInnovativeAction> {
        let mut errors = FieldErrors::new();
        let title = self.title.as_deref().unwrap_or("").trim().to_string();
        if !(3..=200).contains(&title.chars().count()) {
            errors.insert("title".into(), "required, 3 to 200 characters".into());
        }
        let district = match self.district.as_deref().map(str::trim) {
            None | Some("") => {
                errors.insert(
                    "district".into(),
                    "required: a pilot district by P-code or name".into(),
                );
                None
            }
            Some(k) => match cat.find_district(k).filter(|d| d.accepts_requests) {
                Some(d) => Some(d.code.clone()),
                None => {
                    let names: Vec<String> = cat
                        .served_districts()
                        .iter()
                        .map(|d| format!("{} ({})", d.code, d.names.en))
                        .collect();
                    errors.insert(
                        "district".into(),
                        format!(
                            "{k:?} is not a pilot district; accepted: {}",
                            names.join(", ")
                        ),
                    );
                    None
                }
            },
        };
        let mut tehsils: Vec<String> = Vec::new();
        for t in self
            .tehsils
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            if !tehsils.iter().any(|x| x == t) {
                tehsils.push(t.to_string());
            }
        }
        if tehsils.is_empty() {
            errors.insert(
                "tehsils".into(),
                "at least one tehsil code of the district".into(),
            );
        } else if let Some(d) = &district {
            let wrong: Vec<&String> = tehsils
                .iter()
                .filter(|t| cat.tehsil(t).is_none_or(|x| &x.district != d))
                .collect();
            if !wrong.is_empty() {
                let accepted: Vec<String> = cat
                    .tehsils
                    .iter()
                    .filter(|x| &x.district == d)
                    .map(|x| format!("{} ({})", x.code, x.names.en))
                    .collect();
                errors.insert(
                    "tehsils".into(),
                    format!(
                        "{wrong:?} not in the district; accepted: {}",
                        accepted.join(", ")
                    ),
                );
            }
        }
        let services: Vec<String> = self.services.iter().map(|s| s.trim().to_string()).collect();
        if let Some(s) = services.iter().find(|s| cat.service(s).is_none()) {
            let codes: Vec<&str> = cat.services.iter().map(|s| s.code.as_str()).collect();
            errors.insert(
                "services".into(),
                format!("{s:?} is not a service; accepted: {}", codes.join(", ")),
            );
        }
        let sdg_targets: Vec<String> = self
            .sdg_targets
            .iter()
            .map(|s| s.trim().to_string())
            .collect();
        if let Some(t) = sdg_targets
            .iter()
            .find(|t| !cat.services.iter().any(|s| s.sdg.targets.contains(t)))
        {
            errors.insert(
                "sdg_targets".into(),
                format!("{t:?} is not an SDG target of any service (e.g. 6.1, 6.2, 11.6)"),
            );
        }
        let start = match self.start.as_deref() {
            Some(s) => date("start", s, &mut errors),
            None => {
                errors.insert("start".into(), "required, YYYY-MM-DD".into());
                None
            }
        };
        let end = self
            .end
            .as_deref()
            .and_then(|s| date("end", s, &mut errors));
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                errors.insert("end".into(), "must not be before start".into());
            }
        }
        if self.budget_pkr.is_some_and(|b| b < 0) {
            errors.insert(
                "budget_pkr".into(),
                "a whole number of rupees, 0 or more".into(),
            );
        }
        let description = self.description.as_deref().unwrap_or("").trim().to_string();
        if description.chars().count() > 4000 {
            errors.insert("description".into(), "at most 4000 characters".into());
        }
        let expected_effect = self
            .expected_effect
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if expected_effect
            .as_ref()
            .is_some_and(|s| s.chars().count() > 1000)
        {
            errors.insert("expected_effect".into(), "at most 1000 characters".into());
        }
        match (errors.is_empty(), district, start) {
            (true, Some(district), Some(start)) => Ok(NewInnovativeAction {
                title,
                district,
                tehsils,
                services,
                sdg_targets,
                start,
                end,
                description,
                budget_pkr: self.budget_pkr,
                expected_effect,
            }),
            _ => Err(Error::Validation(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::reference;

    fn draft() -> ActionDraft {
        ActionDraft {
            title: Some("Night sewer-cleaning crew".into()),
            district: Some("Larkana".into()),
            tehsils: vec!["PK71303".into(), "PK71304".into()],
            start: Some("2026-03-01".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_district_by_name_and_its_tehsils_make_a_valid_action() {
        let a = draft().validate(&reference().0).expect("valid");
        assert_eq!(a.district, "PK713");
        assert_eq!(a.tehsils, vec!["PK71303", "PK71304"]);
    }

    #[test]
    fn a_tehsil_of_another_district_and_an_end_before_the_start_are_refused_by_field() {
        let mut d = draft();
        d.tehsils.push("PK22601".into());
        d.end = Some("2026-02-01".into());
        d.budget_pkr = Some(-5);
        let Err(Error::Validation(e)) = d.validate(&reference().0) else {
            panic!("refused");
        };
        assert!(e["tehsils"].contains("not in the district"), "{e:?}");
        assert!(
            e["tehsils"].contains("PK71303"),
            "names the accepted ones: {e:?}"
        );
        assert_eq!(e["end"], "must not be before start");
        assert!(e.contains_key("budget_pkr"));
    }

    #[test]
    fn a_district_outside_the_pilots_is_refused_naming_the_four() {
        let mut d = draft();
        d.district = Some("Karachi".into());
        let Err(Error::Validation(e)) = d.validate(&reference().0) else {
            panic!("refused");
        };
        assert!(e["district"].contains("PK713 (Larkana)"), "{e:?}");
    }
}
