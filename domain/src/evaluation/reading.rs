//! The plain-language reading of a result and the text of each warning, in English, Urdu and
//! Sindhi (`domain/i18n/evaluation.*.ftl`, keys `eval-…`). A claim ("fell by 3.1 days more
//! than in the comparison tehsils") is made only when the interval excludes zero and no
//! warning stands against it; otherwise the warning leads. Numbers are formatted here: days and
//! percentage points with one decimal, requests per 10,000 with two.

use super::{Group, Kpi, KpiResult, Method, Unit, Warning, Window};
use crate::i18n::text;
use crate::lang::Lang;

/// The KPI's name in `lang`.
pub fn kpi_name(lang: Lang, kpi: Kpi) -> String {
    text(
        lang,
        &format!("eval-kpi-{}", kpi.as_str().replace('_', "-")),
        &[],
    )
}

/// How the interval was obtained, in `lang` (for the page beside each interval).
pub fn method_text(lang: Lang, method: Method) -> String {
    let id = match method {
        Method::ClusterBootstrap => "eval-method-cluster-bootstrap",
        Method::RequestBootstrap => "eval-method-request-bootstrap",
        Method::None => "eval-method-none",
    };
    text(lang, id, &[])
}

/// The KPI's unit in the reader's language (shares read as percentage points).
pub fn unit_text(lang: Lang, unit: Unit) -> String {
    let id = match unit {
        Unit::Days => "eval-unit-days",
        Unit::Share => "eval-unit-points",
        Unit::Per10kPer30Days => "eval-unit-per-10k",
    };
    text(lang, id, &[])
}

/// A number in the unit as readers see it (shares as percentage points).
pub fn num(unit: Unit, x: f64) -> String {
    let s = match unit {
        Unit::Days => format!("{x:.1}"),
        Unit::Share => format!("{:.1}", x * 100.0),
        Unit::Per10kPer30Days => format!("{x:.2}"),
    };
    // No "-0.0".
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

/// The text of a warning in `lang`.
pub fn warning_text(lang: Lang, w: &Warning) -> String {
    let a = |k: &'static str, v: String| (k, v);
    match w {
        Warning::TooFewRequests {
            group,
            window,
            min_cell,
        } => {
            let g = match group {
                Group::Treated => "eval-group-treated",
                Group::Comparison => "eval-group-comparison",
            };
            let win = match window {
                Window::Baseline => "eval-window-baseline",
                Window::FollowUp => "eval-window-follow-up",
            };
            text(
                lang,
                "eval-warn-too-few-requests",
                &[
                    a("group", text(lang, g, &[])),
                    a("window", text(lang, win, &[])),
                    a("min", min_cell.to_string()),
                ],
            )
        }
        Warning::TooFewTehsils {
            treated,
            comparison,
            min,
        } => text(
            lang,
            "eval-warn-too-few-tehsils",
            &[
                a("treated", treated.to_string()),
                a("comparison", comparison.to_string()),
                a("min", min.to_string()),
            ],
        ),
        Warning::UnbalancedWindows {
            baseline_days,
            follow_up_days,
        } => text(
            lang,
            "eval-warn-unbalanced-windows",
            &[
                a("baseline", format!("{baseline_days:.0}")),
                a("followup", format!("{follow_up_days:.0}")),
            ],
        ),
        Warning::DivergingPreTrends {
            unit,
            difference_per_30d,
            ci_low,
            ci_high,
        } => text(
            lang,
            "eval-warn-diverging-pre-trends",
            &[
                a("value", num(*unit, *difference_per_30d)),
                a("unit", unit_text(lang, *unit)),
                a("low", num(*unit, *ci_low)),
                a("high", num(*unit, *ci_high)),
            ],
        ),
        Warning::ComparisonHasAction { tehsils, actions } => text(
            lang,
            "eval-warn-comparison-has-action",
            &[a("tehsils", list(tehsils)), a("actions", list(actions))],
        ),
        Warning::TreatedHasOtherAction { tehsils, actions } => text(
            lang,
            "eval-warn-treated-has-other-action",
            &[a("tehsils", list(tehsils)), a("actions", list(actions))],
        ),
        Warning::Censoring { share } => text(
            lang,
            "eval-warn-censoring",
            &[
                a("share", format!("{:.0}", share * 100.0)),
                a("cap", format!("{:.0}", super::CAP_DAYS)),
            ],
        ),
        Warning::PlaceboSignificant {
            fake_start,
            unit,
            estimate,
            ci_low,
            ci_high,
        } => text(
            lang,
            "eval-warn-placebo-significant",
            &[
                a("date", fake_start.format("%Y-%m-%d").to_string()),
                a("value", num(*unit, *estimate)),
                a("unit", unit_text(lang, *unit)),
                a("low", num(*unit, *ci_low)),
                a("high", num(*unit, *ci_high)),
            ],
        ),
        Warning::PopulationUnknown { tehsils } => text(
            lang,
            "eval-warn-population-unknown",
            &[a("tehsils", list(tehsils))],
        ),
        Warning::MedianAboveCap => text(
            lang,
            "eval-warn-median-above-cap",
            &[a("cap", format!("{:.0}", super::CAP_DAYS))],
        ),
        Warning::UnstableInterval { usable } => text(
            lang,
            "eval-warn-unstable-interval",
            &[a("share", format!("{:.0}", usable * 100.0))],
        ),
    }
}

/// The reading of one result in `lang`: a claim only when the interval excludes zero and no
/// warning stands against it; "no clear change" when it includes zero; otherwise the warning
/// first. Notes (censoring, unbalanced windows, unknown population) follow.
pub fn reading(lang: Lang, r: &KpiResult) -> String {
    let kpi = kpi_name(lang, r.kpi);
    let unit = r.kpi.unit();
    let blocking = r.warnings.iter().find(|w| w.blocks_claim());
    let (Some(est), Some(lo), Some(hi)) = (r.estimate, r.ci_low, r.ci_high) else {
        return match blocking.or(r.warnings.first()) {
            Some(w) => text(
                lang,
                "eval-reading-none",
                &[("kpi", kpi), ("warning", warning_text(lang, w))],
            ),
            None => text(lang, "eval-reading-none-plain", &[("kpi", kpi)]),
        };
    };
    let args = |value: f64, low: f64, high: f64| {
        vec![
            ("kpi", kpi.clone()),
            ("value", num(unit, value)),
            ("unit", unit_text(lang, unit)),
            ("low", num(unit, low)),
            ("high", num(unit, high)),
        ]
    };
    let mut out = if let Some(w) = blocking {
        let mut a = args(est, lo, hi);
        a.push(("warning", warning_text(lang, w)));
        text(lang, "eval-reading-caution", &a)
    } else if hi < 0.0 {
        text(lang, "eval-reading-fell", &args(-est, -hi, -lo))
    } else if lo > 0.0 {
        text(lang, "eval-reading-rose", &args(est, lo, hi))
    } else {
        text(lang, "eval-reading-unclear", &args(est, lo, hi))
    };
    // The other warnings follow (the leading one is not repeated).
    for w in r
        .warnings
        .iter()
        .filter(|w| !blocking.is_some_and(|b| std::ptr::eq(b, *w)))
    {
        out.push(' ');
        out.push_str(&warning_text(lang, w));
    }
    out
}
