//! Response templates: canned public updates, per service and status, in English, Urdu and
//! Sindhi (`fixtures/response_templates.json`). Staff pick one when they change a ticket's
//! status; the citizen receives it in *their* language, whatever language the staff member
//! works in. A template for service `*` applies to every service.

use crate::lang::{Lang, Localized};
use crate::status::Status;
use anyhow::{bail, Context};
use serde::Deserialize;
use std::collections::HashSet;

/// One canned update.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseTemplate {
    /// Stable id (`water-supply.resolved.restored`), what the API and forms send.
    pub id: String,
    /// Service code, or `*` for every service.
    pub service: String,
    /// The status the ticket moves to.
    pub status: Status,
    /// A short label for staff.
    pub title: Localized,
    /// The message to the citizen; `{dept}` becomes the department's name.
    pub text: Localized,
}

/// Statuses a template may be written for (the ones a citizen is told about with a text).
pub const TEMPLATE_STATUSES: [Status; 5] = [
    Status::Acknowledged,
    Status::InProgress,
    Status::Resolved,
    Status::ClosedNotFixed,
    Status::NotResponsible,
];

/// Longest English text (characters); Urdu and Sindhi go by SMS in UCS-2 and get less.
pub const MAX_EN: usize = 110;
/// Longest Urdu or Sindhi text (characters).
pub const MAX_UR_SD: usize = 90;

impl ResponseTemplate {
    /// Whether the template fits a ticket of `service` moving to `status`.
    pub fn fits(&self, service: &str, status: Status) -> bool {
        self.status == status && (self.service == "*" || self.service == service)
    }

    /// The citizen's text in `lang` with the department's name filled in.
    pub fn render(&self, lang: Lang, dept: &str) -> String {
        self.text.get(lang).replace("{dept}", dept)
    }
}

/// Parses the text of `response_templates.json` and checks it against the known service
/// codes: every language present, lengths within SMS limits, `{dept}` in all three languages
/// or none, ids unique.
pub fn parse(text: &str, services: &HashSet<&str>) -> anyhow::Result<Vec<ResponseTemplate>> {
    let list: Vec<ResponseTemplate> =
        serde_json::from_str(text).context("parsing response_templates.json")?;
    check(&list, services).context("checking response_templates.json")?;
    Ok(list)
}

fn check(list: &[ResponseTemplate], services: &HashSet<&str>) -> anyhow::Result<()> {
    let mut ids = HashSet::new();
    for t in list {
        if !ids.insert(t.id.as_str()) {
            bail!("template id {} appears twice", t.id);
        }
        if t.service != "*" && !services.contains(t.service.as_str()) {
            bail!("template {}: unknown service {}", t.id, t.service);
        }
        if !TEMPLATE_STATUSES.contains(&t.status) {
            bail!(
                "template {}: status {} takes no template (use one of acknowledged, in_progress, resolved, closed_not_fixed, not_responsible)",
                t.id,
                t.status
            );
        }
        for (lang, max) in [
            (Lang::En, MAX_EN),
            (Lang::Ur, MAX_UR_SD),
            (Lang::Sd, MAX_UR_SD),
        ] {
            let title = field(&t.title, lang);
            let text = field(&t.text, lang);
            if title.trim().is_empty() || text.trim().is_empty() {
                bail!(
                    "template {}: the {} title or text is empty",
                    t.id,
                    lang.code()
                );
            }
            let n = text.chars().count();
            if n > max {
                bail!(
                    "template {}: the {} text has {n} characters; at most {max} fit the SMS",
                    t.id,
                    lang.code()
                );
            }
        }
        let with = [Lang::En, Lang::Ur, Lang::Sd]
            .iter()
            .filter(|&&l| field(&t.text, l).contains("{dept}"))
            .count();
        if with != 0 && with != 3 {
            bail!(
                "template {}: {{dept}} must appear in all three languages or none",
                t.id
            );
        }
    }
    Ok(())
}

fn field(l: &Localized, lang: Lang) -> &str {
    match lang {
        Lang::En | Lang::RomanUrdu => &l.en,
        Lang::Ur => &l.ur,
        Lang::Sd => &l.sd,
    }
}

/// The templates for a ticket of `service` moving to `status`, the service's own first.
pub fn for_ticket<'a>(
    list: &'a [ResponseTemplate],
    service: &str,
    status: Status,
) -> Vec<&'a ResponseTemplate> {
    let mut out: Vec<&ResponseTemplate> = list.iter().filter(|t| t.fits(service, status)).collect();
    out.sort_by_key(|t| t.service == "*");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: &str, service: &str, status: Status, en: &str, ur: &str) -> ResponseTemplate {
        let l = |s: &str| Localized {
            en: s.into(),
            ur: s.into(),
            sd: s.into(),
        };
        ResponseTemplate {
            id: id.into(),
            service: service.into(),
            status,
            title: l("title"),
            text: Localized {
                en: en.into(),
                ur: ur.into(),
                sd: ur.into(),
            },
        }
    }

    #[test]
    fn a_service_template_comes_before_the_generic_ones_and_others_do_not_fit() {
        let list = vec![
            t("any", "*", Status::Resolved, "Fixed.", "ٹھیک"),
            t(
                "water",
                "water-supply",
                Status::Resolved,
                "Supply restored.",
                "پانی",
            ),
            t("roads", "roads", Status::Resolved, "Patched.", "سڑک"),
            t("ack", "*", Status::Acknowledged, "Seen.", "دیکھ"),
        ];
        let ids: Vec<&str> = for_ticket(&list, "water-supply", Status::Resolved)
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(ids, ["water", "any"]);
    }

    #[test]
    fn a_template_without_the_department_in_every_language_is_refused() {
        let services = HashSet::from(["roads"]);
        let bad = t(
            "x",
            "roads",
            Status::InProgress,
            "{dept} is at work.",
            "کام",
        );
        let err = check(&[bad], &services).unwrap_err().to_string();
        assert!(err.contains("{dept}"), "{err}");
        let long = t("y", "roads", Status::InProgress, "ok", &"ک".repeat(91));
        let err = check(&[long], &services).unwrap_err().to_string();
        assert!(err.contains("91 characters"), "{err}");
    }

    #[test]
    fn the_department_name_is_filled_in_the_citizens_language() {
        let tpl = t(
            "z",
            "*",
            Status::InProgress,
            "{dept} sent a team.",
            "{dept} نے ٹیم بھیجی",
        );
        assert_eq!(tpl.render(Lang::Ur, "واسا"), "واسا نے ٹیم بھیجی");
        assert_eq!(tpl.render(Lang::En, "WASA"), "WASA sent a team.");
    }
}
